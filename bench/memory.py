"""Peak memory of one extraction process, for ordinary and for outsized input.

    python bench/memory.py [CORPUS.jsonl] [--processes N]

Runs ``extract_articles`` in fresh processes, each printing its own peak RSS:

1. the corpus as it is;
2. the corpus ten times over (a bigger corpus must not need more memory);
3. one article of about 990,000 characters made of the corpus's paragraphs
   (just under the command line's --max-article-chars default).

The target is under 1 GB per process in every case. The corpus defaults to
PolNeAR dev when ../shared is beside the project, else to the bundled
samples.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from _common import DEV, SAMPLES, run_snippet

HUGE_CHARS = 990_000

_RUN = """
import json, resource, sys, time
from saidwhat.model import Article
from saidwhat.pipeline import extract_articles
from saidwhat.settings import Settings
records = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
articles = [Article(id=str(r["id"]), text=str(r["text"])) for r in records]
start = time.perf_counter()
settings = Settings(processes=int(sys.argv[2]))
quotes = sum(len(r.quotes) for r in extract_articles(articles, settings))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"quotes": quotes, "seconds": seconds, "self_kb": peak, "children_kb": children}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    corpus = args.corpus or (DEV if DEV.exists() else SAMPLES)
    lines = [line for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    with tempfile.TemporaryDirectory() as tmp:
        tenfold = Path(tmp) / "tenfold.jsonl"
        with tenfold.open("w", encoding="utf-8") as out:
            for copy in range(10):
                for record in records:
                    text = f"Copy {copy}.\n{record['text']}"
                    out.write(json.dumps({"id": f"{record['id']}-{copy}", "text": text}) + "\n")
        huge = Path(tmp) / "huge.jsonl"
        paragraphs = [p for r in records for p in str(r["text"]).split("\n") if p.strip()]
        text, at = "", 0
        while len(text) < HUGE_CHARS:
            text += paragraphs[at % len(paragraphs)] + "\n\n"
            at += 1
        huge.write_text(json.dumps({"id": "huge", "text": text[:HUGE_CHARS]}) + "\n", "utf-8")
        print(f"corpus: {corpus} ({len(records)} articles); --processes {args.processes}")
        for label, path in (
            ("corpus", corpus),
            ("corpus x10", tenfold),
            (f"one article of {HUGE_CHARS:,} characters", huge),
        ):
            result = run_snippet(_RUN, path, args.processes)
            peak_mb = max(result["self_kb"], result["children_kb"]) / 1024
            print(
                f"{label:38s} peak RSS per process {peak_mb:6.0f} MB"
                f"  ({result['seconds']:.1f} s, {int(result['quotes'])} quotes)"
            )


if __name__ == "__main__":
    main()
