"""The extractor's whole output, pinned: on the bundled samples, and on the gold sets beside us.

A restructuring must not change what comes out, so the test compares every
field of every quote with the pinned files here:

- ``samples.jsonl``: the output (gold format, without the article text) on
  the bundled sample articles, in both scopes, in full: they are our own
  fictional texts, so a failing test can show what changed.
- ``shared.json``: for each set of ``../shared/eval`` and each scope, one
  fingerprint per article (the SHA-256 of its quotes as canonical JSON, and
  their number). The texts are not ours to copy, so only fingerprints are
  kept; ``--dump`` writes the whole output somewhere outside the project to
  compare before and after a change.

When a change is meant to alter the output, regenerate and commit the files:

    python -m tests.golden            # rewrite samples.jsonl and shared.json
    python -m tests.golden --dump DIR # full output of every set, for diffing
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from saidwhat.model import Article
from saidwhat.pipeline import extract_articles
from saidwhat.read import read_inputs
from saidwhat.settings import Scope, Settings

GOLDEN_DIR = Path(__file__).resolve().parent
SAMPLES_FILE = GOLDEN_DIR / "samples.jsonl"
SHARED_FILE = GOLDEN_DIR / "shared.json"
SAMPLES_DIR = GOLDEN_DIR.parents[1] / "src" / "saidwhat" / "samples"
EVAL_DIR = GOLDEN_DIR.parents[2] / "shared" / "eval"
SHARED_SETS = ("seed.gold.jsonl", "polnear-dev.jsonl", "speakers-dev.jsonl", "statements-dev.jsonl")
SCOPES = tuple(Scope)


def canonical(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, characters as they are."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _without_text(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "text"}


@lru_cache(maxsize=4)
def sample_output(scope: Scope) -> tuple[dict[str, Any], ...]:
    """The output on the bundled samples, one record per article without its text."""
    articles = [a for a in read_inputs([str(SAMPLES_DIR)]) if isinstance(a, Article)]
    results = extract_articles(articles, Settings(scope=scope))
    return tuple(_without_text(r.to_dict()) for r in results)


def _gold_articles(name: str) -> list[Article]:
    with (EVAL_DIR / name).open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [Article(id=str(r["id"]), text=str(r["text"])) for r in records]


@lru_cache(maxsize=8)
def shared_output(name: str, scope: Scope) -> tuple[dict[str, Any], ...]:
    """The output on one gold set of ``../shared/eval`` (gold texts, ids only)."""
    results = extract_articles(_gold_articles(name), Settings(scope=scope))
    return tuple(_without_text(r.to_dict()) for r in results)


def fingerprint(record: dict[str, Any]) -> str:
    """``sha256:count`` of an article's quotes (every field, canonical JSON)."""
    quotes = record["quotes"]
    digest = hashlib.sha256(canonical(quotes).encode("utf-8")).hexdigest()
    return f"{digest[:20]}:{len(quotes)}"


def shared_fingerprints(name: str, scope: Scope) -> dict[str, str]:
    return {str(r["id"]): fingerprint(r) for r in shared_output(name, scope)}


def sample_lines() -> Iterator[str]:
    for scope in SCOPES:
        for record in sample_output(scope):
            yield canonical({"scope": scope.value, **record})


def write_pinned() -> list[Path]:
    """Rewrite the pinned files from the current code; the shared part only when it is here."""
    SAMPLES_FILE.write_text("".join(line + "\n" for line in sample_lines()), encoding="utf-8")
    written = [SAMPLES_FILE]
    if all((EVAL_DIR / name).exists() for name in SHARED_SETS):
        pinned = {
            name: {scope.value: shared_fingerprints(name, scope) for scope in SCOPES}
            for name in SHARED_SETS
        }
        SHARED_FILE.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n", "utf-8")
        written.append(SHARED_FILE)
    return written


def dump(directory: Path) -> list[Path]:
    """Write the whole output of every set and scope under ``directory`` (for a diff)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    sets = [n for n in SHARED_SETS if (EVAL_DIR / n).exists()]
    for scope in SCOPES:
        outputs = {"samples": sample_output(scope)}
        outputs.update({n.removesuffix(".jsonl"): shared_output(n, scope) for n in sets})
        for name, records in outputs.items():
            path = directory / f"{name}.{scope.value}.jsonl"
            lines = (json.dumps(r, sort_keys=True, ensure_ascii=False, indent=1) for r in records)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(path)
    return written
