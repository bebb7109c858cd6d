"""Golden test: the worked example of DESIGN.md, quote by quote."""

from __future__ import annotations

import json
from typing import Any

import pytest

from saidwhat import extract
from saidwhat.evaluate import evaluate
from saidwhat.model import Article
from saidwhat.pipeline import extract_articles
from tests.conftest import gold_file

# The nine quotations of the worked example (DESIGN.md). Quote 8 runs over two
# paragraphs, the first left open: the multi-paragraph convention of quote 7.
SEED_QUOTES = 9


def _seed() -> dict[str, Any]:
    with gold_file("seed.gold.jsonl").open(encoding="utf-8") as handle:
        record: dict[str, Any] = json.loads(handle.readline())
    return record


def test_seed_has_nine_quotations() -> None:
    assert len(_seed()["quotes"]) == SEED_QUOTES


@pytest.mark.parametrize("index", range(SEED_QUOTES), ids=lambda i: f"quote-{i + 1}")
def test_seed_quote_found_with_its_speaker(index: int) -> None:
    seed = _seed()
    text = seed["text"]
    gold = seed["quotes"][index]
    g_start, g_end = gold["content"]
    quotes = extract(text)
    matched = [
        q
        for q in quotes
        if 2 * max(0, min(q.end, g_end) - max(q.start, g_start))
        >= max(q.end - q.start, g_end - g_start)
    ]
    assert matched, f"gold quote {index + 1} not found: {gold['content_text'][:60]!r}"
    [quote] = matched
    assert quote.speaker is not None and quote.speaker.entity is not None
    assert quote.speaker.entity.name == gold["speaker_entity"]


def test_seed_has_no_false_positives() -> None:
    seed = _seed()
    result = next(extract_articles([Article(id=seed["id"], text=seed["text"])]))
    report = evaluate([seed], [result.to_dict()])
    assert report.overlap.pred == report.overlap.matched_pred
    traps = [tuple(t["span"]) for t in seed["not_quotes"]]
    for quote in result.quotes:
        for start, end in traps:
            assert not (quote.start < end and start < quote.end), quote


def test_seed_speakers_and_cues_are_right_where_matched() -> None:
    seed = _seed()
    result = next(extract_articles([Article(id=seed["id"], text=seed["text"])]))
    report = evaluate([seed], [result.to_dict()])
    assert report.speaker.value == 1.0
    assert report.cue.value == 1.0
    assert report.overlap.matched_gold == SEED_QUOTES
    assert report.end_to_end.f1 == 1.0
