"""Throughput of saidwhat extraction against the bare spaCy parse, in one run.

    python bench/throughput.py [CORPUS.jsonl] [--repeat N]

Prints articles/s for (A) ``nlp.pipe`` over the texts with every component
and (B) saidwhat's full extraction, the ratio B/A, and the peak RSS of this
process. The corpus defaults to PolNeAR dev when ../shared is beside the
project, else to the bundled samples repeated. Figures are only comparable
within one run: the machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
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
    sys.stdout.flush()


if __name__ == "__main__":
    main()
