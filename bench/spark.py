"""What Spark costs on one machine: local[1] against local[2], and against plain extract.

    python bench/spark.py [--corpus CORPUS.jsonl] [--copies N]

Prints, from one run (the machines are noisy, so compare only within a run):

1. the wall time of ``saidwhat spark`` in ``local[1]`` and ``local[2]`` on
   the same corpus, and the speed-up of two cores over one;
2. the overhead of ``saidwhat spark --master local[2]`` over
   ``saidwhat extract --processes 2 -o FILE`` on the same input.

Each figure is one command run as a subprocess, start to end, as a person
would run it: Python, the model loads, and for Spark the JVM. The "job"
column is the time the Spark command reports for its job alone (from
reading the inputs to the last Parquet file), without starting Spark.

The corpus defaults to PolNeAR dev when ../shared is beside the project,
else to the bundled samples repeated ``--copies`` times with a distinct
first line each (the job rightly extracts a repeated text once).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DEV, SAMPLES

SPARK_CONF = ("spark.ui.enabled=false", "spark.sql.shuffle.partitions=2")
_JOB_SECONDS = re.compile(r"records skipped; ([\d.]+)s")
_QUOTES = re.compile(r"articles, (\d+) quotes")


def build_corpus(folder: Path, corpus: Path | None, copies: int) -> Path:
    """The corpus file: the one given, PolNeAR dev, or the samples repeated."""
    if corpus is not None:
        return corpus
    if DEV.exists():
        return DEV
    records = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for k in range(copies):
            for record in records:
                copy = {**record, "id": f"{record['id']}-{k}", "url": None}
                copy["text"] = f"Edition {k}.\n{record['text']}"
                out.write(json.dumps(copy, ensure_ascii=False) + "\n")
    return path


def run(args: list[str]) -> tuple[float, str]:
    """Wall seconds and standard error of ``saidwhat ARGS``; stops the bench if it fails."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "saidwhat", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"saidwhat {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return wall, result.stderr


def spark(corpus: Path, output: Path, cores: int) -> tuple[float, float, int]:
    """Wall seconds, job seconds and quotes of one ``saidwhat spark`` run."""
    args = ["spark", str(corpus), "-o", str(output), "--master", f"local[{cores}]", "--overwrite"]
    for conf in SPARK_CONF:
        args += ["--conf", conf]
    wall, stderr = run(args)
    job = _JOB_SECONDS.search(stderr)
    quotes = _QUOTES.search(stderr)
    assert job and quotes, stderr
    return wall, float(job.group(1)), int(quotes.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--copies", type=int, default=12, help="sample copies without PolNeAR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="saidwhat-bench-spark-") as tmp:
        folder = Path(tmp)
        corpus = build_corpus(folder, args.corpus, args.copies)
        articles = sum(1 for line in corpus.open(encoding="utf-8") if line.strip())
        print(f"corpus: {corpus} ({articles} articles)")
        print(f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {sys.version[:6]}")

        # Warm the caches (Spark's jars, spaCy's files) so no timed run pays for a cold disk.
        warm = folder / "warm.jsonl"
        warm.write_text(SAMPLES.read_text(encoding="utf-8").splitlines()[0] + "\n")
        spark(warm, folder / "warm-out", 1)

        extract_wall, _ = run(["extract", str(corpus), "--processes", "2", "-o", str(folder / "q")])
        lines = (folder / "q").read_text(encoding="utf-8").splitlines()
        extract_quotes = sum(len(json.loads(line)["quotes"]) for line in lines)
        one = spark(corpus, folder / "out1", 1)
        two = spark(corpus, folder / "out2", 2)

    print()
    print("| run | wall s | job s | articles/s (wall) | quotes |")
    print("|---|---|---|---|---|")
    print(
        f"| saidwhat extract --processes 2 | {extract_wall:.1f} | – | "
        f"{articles / extract_wall:.2f} | {extract_quotes} |"
    )
    for name, (wall, job, quotes) in (("local[1]", one), ("local[2]", two)):
        print(
            f"| saidwhat spark --master {name} | {wall:.1f} | {job:.1f} | "
            f"{articles / wall:.2f} | {quotes} |"
        )
    print()
    speedup = f"{one[0] / two[0]:.2f}× wall, {one[1] / two[1]:.2f}× job"
    print(f"speed-up local[2] over local[1]: {speedup}")
    print(
        f"Spark local[2] over extract --processes 2: {two[0] / extract_wall:.2f}× the wall time "
        f"(+{two[0] - extract_wall:.1f}s)"
    )


if __name__ == "__main__":
    main()
