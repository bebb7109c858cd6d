"""Throughput of saidwhat extraction against the bare spaCy parse, in one run.

    python bench/throughput.py [CORPUS.jsonl] [--repeat N] [--rounds N]
                               [--textacy PYTHON] [--against GIT-REF]

Prints articles/s, in alternating rounds (the best of each kept), for
(A) ``nlp.pipe`` over the texts with the pipeline exactly as ``spacy.load``
gives it, (P) the same with saidwhat's pipeline (``saidwhat.nlp``), parse
only, and (B) saidwhat's whole extraction, each as a ratio of A, and the
peak RSS of this process. With ``--textacy PYTHON`` (a Python that has
textacy and the same spaCy model) it also times textacy's
``direct_quotations`` with its parse, and the bare parse, in a subprocess,
and prints B as a ratio of T, each taken against its own process's A.
With ``--against REF`` it runs the extraction of an earlier commit (checked
out in a temporary git worktree, run in a subprocess) on the same texts. The
corpus defaults to PolNeAR dev when ../shared is beside the project, else to
the bundled samples repeated. Figures are only comparable within one run:
the machines are noisy.
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
from _common import DEV, ROOT, SAMPLES, run_snippet

from saidwhat.model import Article
from saidwhat.nlp import load_pipeline
from saidwhat.pipeline import extract_articles
from saidwhat.settings import DEFAULT_SETTINGS


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
            result = run_snippet(_TIMER, tree, corpus, repeat)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
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
bare = textacy = None
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=16):
        pass
    seconds = time.perf_counter() - start
    bare = seconds if bare is None else min(bare, seconds)
    start = time.perf_counter()
    found = failed = 0
    for doc in nlp.pipe(texts, batch_size=16):
        try:
            found += len(list(triples.direct_quotations(doc)))
        except Exception:
            failed += 1  # textacy gives up on some articles (unbalanced marks)
    seconds = time.perf_counter() - start
    textacy = seconds if textacy is None else min(textacy, seconds)
print(json.dumps({"seconds": textacy, "bare": bare, "quotes": found, "failed": failed}))
"""


def time_textacy(python: str, corpus: Path, repeat: int, rounds: int) -> dict[str, float]:
    """Seconds (best of ``rounds``) for textacy's parse and direct_quotations on the corpus,
    and for the bare parse in the same process (its own baseline A)."""
    return run_snippet(_TEXTACY, corpus, DEFAULT_SETTINGS.model, repeat, rounds, python=python)


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
    batch_size = DEFAULT_SETTINGS.batch_size
    # A: the pipeline exactly as spaCy loads it, every component, nothing of ours.
    bare_nlp = spacy.load(DEFAULT_SETTINGS.model)
    bare_nlp("warm up")
    our_nlp = load_pipeline(DEFAULT_SETTINGS.model)
    list(extract_articles(articles[:2]))

    timings: dict[str, list[float]] = {"bare": [], "parse": [], "extract": []}
    quotes = 0
    for _ in range(args.rounds):
        start = time.perf_counter()
        for _doc in bare_nlp.pipe(texts, batch_size=batch_size):
            pass
        timings["bare"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for _doc in our_nlp.pipe(texts, batch_size=batch_size):
            pass
        timings["parse"].append(time.perf_counter() - start)
        start = time.perf_counter()
        quotes = sum(len(r.quotes) for r in extract_articles(articles))
        timings["extract"].append(time.perf_counter() - start)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(articles)
    bare, parse, full = (_best(timings[k]) for k in ("bare", "parse", "extract"))
    print(f"corpus: {corpus} x{repeat} — {n} articles, {chars:,} characters")
    print(f"best of {args.rounds} alternating rounds; ratios are throughput against A")
    print(f"A  spaCy nlp.pipe, all components (spacy.load): {n / bare:8.2f} articles/s")
    print(
        f"P  saidwhat's pipeline, parse only:            {n / parse:8.2f} articles/s"
        f"  {bare / parse:.3f}x A"
    )
    print(
        f"B  saidwhat extraction (parse, quotes, speakers): {n / full:6.2f} articles/s"
        f"  {bare / full:.3f}x A  ({quotes} quotes)"
    )
    print(f"peak RSS of this process: {rss_mb:.0f} MB")
    if args.textacy:
        textacy = time_textacy(args.textacy, corpus, repeat, args.rounds)
        seconds, own_bare = float(textacy["seconds"]), float(textacy["bare"])
        print(
            f"T  textacy direct_quotations with its parse:  {n / seconds:8.2f} articles/s"
            f"  {own_bare / seconds:.3f}x its own A ({n / own_bare:.2f} articles/s)"
            f"  ({int(textacy['quotes'])} quotes; gave up on {int(textacy['failed'])} articles)"
        )
        # Each ratio within its own process, so the two processes' speeds need not match.
        print(
            "B/T throughput ratio (saidwhat against textacy, each against its A): "
            f"{(bare / full) / (own_bare / seconds):.3f}"
        )
    if args.against:
        seconds, old_quotes = time_ref(args.against, corpus, repeat)
        print(
            f"C  saidwhat at {args.against}:{' ' * max(1, 33 - len(args.against))}"
            f"{n / seconds:8.2f} articles/s  ({old_quotes} quotes)"
        )
        print(f"B/C throughput ratio (this tree against {args.against}): {seconds / full:.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
