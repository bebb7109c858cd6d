"""Throughput of saidwhat extraction against the bare spaCy parse, in one run.

    python bench/throughput.py [CORPUS.jsonl] [--repeat N] [--rounds N]
                               [--textacy PYTHON] [--against GIT-REF]

Prints articles/s, in alternating rounds (the best of each kept), for
(A) ``nlp.pipe`` over the texts with the pipeline exactly as ``spacy.load``
gives it, (B) saidwhat's extraction with every sentence parsed
(``--full-parse``) and (C) saidwhat's default extraction, each as a ratio
of A, and the peak RSS of this process. With ``--textacy PYTHON`` (a Python
that has textacy and the same spaCy model) it also times textacy's
``direct_quotations`` with its parse, in a subprocess, and prints C as a
ratio of it. With ``--against REF`` it runs the extraction of an earlier
commit (checked out in a temporary git worktree, run in a subprocess) on
the same texts. The corpus defaults to PolNeAR dev when ../shared is beside
the project, else to the bundled samples repeated. Figures are only
comparable within one run: the machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import spacy

from saidwhat.model import Article
from saidwhat.pipeline import extract_articles
from saidwhat.settings import DEFAULT_SETTINGS, Settings

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "polnear-dev.jsonl"
SAMPLES = ROOT / "src" / "saidwhat" / "samples" / "news.jsonl"


def load(path: Path, repeat: int) -> list[Article]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    articles = [Article(id=str(r["id"]), text=str(r["text"])) for r in records]
    return articles * repeat


_TIMER = """
import json, sys, time
sys.path.insert(0, sys.argv[1] + "/src")
from saidwhat.model import Article
from saidwhat.pipeline import extract_articles
records = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
articles = [Article(id=str(r["id"]), text=str(r["text"])) for r in records] * int(sys.argv[3])
list(extract_articles(articles[:1]))
start = time.perf_counter()
quotes = sum(len(r.quotes) for r in extract_articles(articles))
print(json.dumps({"seconds": time.perf_counter() - start, "quotes": quotes}))
"""


def time_ref(ref: str, corpus: Path, repeat: int) -> tuple[float, int]:
    """Seconds and quotes for the extraction of commit ``ref`` on the corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
            check=True,
            capture_output=True,
        )
        try:
            out = subprocess.run(
                [sys.executable, "-c", _TIMER, str(tree), str(corpus), str(repeat)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    result = json.loads(out.strip().splitlines()[-1])
    return float(result["seconds"]), int(result["quotes"])


def _best(rounds: list[float]) -> float:
    return min(rounds)


_TEXTACY = """
import json, sys, time
import spacy
from textacy.extract import triples
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
texts = texts * int(sys.argv[3])
nlp = spacy.load(sys.argv[2])
nlp("warm up")
best = None
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    found = failed = 0
    for doc in nlp.pipe(texts, batch_size=16):
        try:
            found += len(list(triples.direct_quotations(doc)))
        except Exception:
            failed += 1  # textacy gives up on some articles (unbalanced marks)
    seconds = time.perf_counter() - start
    best = seconds if best is None else min(best, seconds)
print(json.dumps({"seconds": best, "quotes": found, "failed": failed}))
"""


def time_textacy(python: str, corpus: Path, repeat: int, rounds: int) -> dict[str, float]:
    """Seconds (best of ``rounds``) for textacy's parse and direct_quotations on the corpus."""
    out = subprocess.run(
        [python, "-c", _TEXTACY, str(corpus), DEFAULT_SETTINGS.model, str(repeat), str(rounds)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2, help="alternating timing rounds")
    parser.add_argument("--against", help="an earlier commit to compare with (e.g. HEAD~5)")
    parser.add_argument("--textacy", metavar="PYTHON", help="a Python with textacy installed")
    args = parser.parse_args()
    corpus = args.corpus or (DEV if DEV.exists() else SAMPLES)
    repeat = args.repeat if args.corpus or DEV.exists() else max(args.repeat, 20)
    articles = load(corpus, repeat)
    chars = sum(len(a.text) for a in articles)
    texts = [a.text for a in articles]
    # A: the pipeline exactly as spaCy loads it, every component, nothing of ours.
    bare_nlp = spacy.load(DEFAULT_SETTINGS.model)
    bare_nlp("warm up")
    list(extract_articles(articles[:2]))  # load saidwhat's pipeline and caches' code paths
    full_parse = Settings(full_parse=True)

    timings: dict[str, list[float]] = {"bare": [], "full": [], "selective": []}
    quotes: dict[str, int] = {}
    for _ in range(args.rounds):
        start = time.perf_counter()
        for _doc in bare_nlp.pipe(texts, batch_size=DEFAULT_SETTINGS.batch_size):
            pass
        timings["bare"].append(time.perf_counter() - start)
        for name, settings in (("selective", DEFAULT_SETTINGS), ("full", full_parse)):
            start = time.perf_counter()
            quotes[name] = sum(len(r.quotes) for r in extract_articles(articles, settings))
            timings[name].append(time.perf_counter() - start)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(articles)
    bare, full, selective = (_best(timings[k]) for k in ("bare", "full", "selective"))
    print(f"corpus: {corpus} x{repeat} — {n} articles, {chars:,} characters")
    print(f"best of {args.rounds} alternating rounds")
    print(f"A  spaCy nlp.pipe, all components (spacy.load): {n / bare:8.2f} articles/s")
    print(
        f"B  saidwhat extraction, every sentence parsed:  {n / full:8.2f} articles/s"
        f"  ({quotes['full']} quotes)  {bare / full:.3f}x A"
    )
    print(
        f"C  saidwhat extraction (default):               {n / selective:8.2f} articles/s"
        f"  ({quotes['selective']} quotes)  {bare / selective:.3f}x A"
    )
    print(f"peak RSS of this process: {rss_mb:.0f} MB")
    if args.textacy:
        textacy = time_textacy(args.textacy, corpus, repeat, args.rounds)
        seconds = float(textacy["seconds"])
        print(
            f"T  textacy direct_quotations with its parse:  {n / seconds:8.2f} articles/s"
            f"  ({int(textacy['quotes'])} quotes; gave up on {int(textacy['failed'])} articles)"
            f"  {bare / seconds:.3f}x A"
        )
        print(f"C/T throughput ratio (saidwhat default against textacy): {seconds / selective:.3f}")
    if args.against:
        seconds, old_quotes = time_ref(args.against, corpus, repeat)
        print(
            f"D  saidwhat at {args.against}:{' ' * max(1, 33 - len(args.against))}"
            f"{n / seconds:8.2f} articles/s  ({old_quotes} quotes)"
        )
        print(f"C/D throughput ratio (this tree against {args.against}): {seconds / selective:.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
