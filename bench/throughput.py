"""Throughput of saidwhat extraction against the bare spaCy parse, in one run.

    python bench/throughput.py [CORPUS.jsonl] [--repeat N] [--against GIT-REF]

Prints articles/s for (A) ``nlp.pipe`` over the texts with every component
and (B) saidwhat's full extraction, the ratio B/A, and the peak RSS of this
process. With ``--against REF`` it also runs the extraction of an earlier
commit (checked out in a temporary git worktree, run in a subprocess) on
the same texts, and prints this tree's speed as a ratio of that one's. The
corpus defaults to PolNeAR dev when ../shared is beside the project, else to
the bundled samples repeated. Figures are only comparable
within one run: the machines are noisy.
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

from saidwhat.model import Article
from saidwhat.nlp import load_pipeline
from saidwhat.pipeline import extract_articles
from saidwhat.settings import DEFAULT_SETTINGS

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--against", help="an earlier commit to compare with (e.g. HEAD~5)")
    args = parser.parse_args()
    corpus = args.corpus or (DEV if DEV.exists() else SAMPLES)
    repeat = args.repeat if args.corpus or DEV.exists() else max(args.repeat, 20)
    articles = load(corpus, repeat)
    chars = sum(len(a.text) for a in articles)
    nlp = load_pipeline(DEFAULT_SETTINGS.model)
    nlp("warm up")

    start = time.perf_counter()
    for _ in nlp.pipe((a.text for a in articles), batch_size=DEFAULT_SETTINGS.batch_size):
        pass
    bare = time.perf_counter() - start

    start = time.perf_counter()
    quotes = sum(len(r.quotes) for r in extract_articles(articles))
    full = time.perf_counter() - start

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(articles)
    print(f"corpus: {corpus} x{repeat} — {n} articles, {chars:,} characters")
    print(f"A  spaCy nlp.pipe (all components): {n / bare:8.2f} articles/s")
    print(f"B  saidwhat extraction:             {n / full:8.2f} articles/s  ({quotes} quotes)")
    print(f"B/A throughput ratio: {bare / full:.3f}")
    print(f"peak RSS: {rss_mb:.0f} MB")
    if args.against:
        seconds, old_quotes = time_ref(args.against, corpus, repeat)
        print(
            f"C  saidwhat at {args.against}:{' ' * max(1, 22 - len(args.against))}"
            f"{n / seconds:8.2f} articles/s  ({old_quotes} quotes)"
        )
        print(f"B/C throughput ratio (this tree against {args.against}): {seconds / full:.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
