"""The extractor's whole output equals the pinned files (``tests/golden``).

A change meant to alter the output regenerates them with ``python -m
tests.golden`` and commits the new files, so the diff shows what moved.
"""

from __future__ import annotations

import difflib
import json

import pytest

from saidwhat.settings import Scope
from tests.conftest import gold_file
from tests.golden import (
    SAMPLES_FILE,
    SHARED_FILE,
    SHARED_SETS,
    canonical,
    sample_lines,
    shared_fingerprints,
)

REGENERATE = "if the change is meant, run `python -m tests.golden` and commit tests/golden/"


def test_sample_output_is_pinned() -> None:
    pinned = SAMPLES_FILE.read_text(encoding="utf-8").splitlines()
    fresh = list(sample_lines())
    if fresh != pinned:
        diff = difflib.unified_diff(
            [_pretty(line) for line in pinned], [_pretty(line) for line in fresh], lineterm=""
        )
        pytest.fail(
            "the output on the samples changed:\n" + "\n".join(list(diff)[:80]) + f"\n{REGENERATE}"
        )


def _pretty(line: str) -> str:
    return json.dumps(json.loads(line), indent=1, sort_keys=True, ensure_ascii=False)


def test_pinned_samples_hold_quotes_of_every_finder() -> None:
    """The pin is worth something: the samples give quotes of every kind."""
    records = [json.loads(line) for line in SAMPLES_FILE.read_text(encoding="utf-8").splitlines()]
    quotes = [q for r in records for q in r["quotes"]]
    assert len(quotes) >= 40
    assert {q["type"] for q in quotes} == {"direct", "indirect", "mixed"}
    assert any(q.get("content_parts") for q in quotes)
    assert canonical({"b": 1, "a": "’"}) == '{"a":"’","b":1}'


@pytest.mark.slow
@pytest.mark.parametrize("scope", list(Scope), ids=lambda s: s.value)
@pytest.mark.parametrize("name", SHARED_SETS)
def test_shared_output_is_pinned(name: str, scope: Scope) -> None:
    gold_file(name)
    pinned = json.loads(SHARED_FILE.read_text(encoding="utf-8"))[name][scope.value]
    fresh = shared_fingerprints(name, scope)
    changed = sorted(k for k in pinned.keys() | fresh.keys() if pinned.get(k) != fresh.get(k))
    assert not changed, (
        f"the output on {name} ({scope.value}) changed in {len(changed)} articles, "
        f"e.g. {changed[:5]}; compare `python -m tests.golden --dump DIR` before and after. "
        + REGENERATE
    )
