"""The batch pipeline: pieces for long texts, processes, order, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.pipeline import (
    PARSE_BATCH_CHARS,
    _parse,
    extract,
    extract_articles,
    split_for_parsing,
)
from saidwhat.read import read_inputs
from saidwhat.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "saidwhat" / "samples"


def sample_articles() -> list[Article]:
    return [a for a in read_inputs([str(SAMPLES)]) if not isinstance(a, BadRecord)]


@pytest.mark.parametrize("limit", [10, 50, 200, 10_000])
def test_split_for_parsing_covers_the_text_exactly(limit: int) -> None:
    text = ("First paragraph here.\nSecond one is a bit longer than that.\n" * 20).strip()
    pieces = split_for_parsing(text, limit)
    assert "".join(piece for _, piece in pieces) == text
    for offset, piece in pieces:
        assert text[offset : offset + len(piece)] == piece
        assert len(piece) <= limit


class _RecordingPipeline:
    """Stands in for a spaCy pipeline and notes the texts of each ``pipe`` call."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def pipe(self, texts: list[str], batch_size: int) -> list[str]:
        assert batch_size == len(texts)
        self.calls.append(list(texts))
        return list(texts)


def test_parse_batches_are_bounded_by_characters_as_well_as_count() -> None:
    """Sixteen 100,000-character pieces in one batch took over 3 GB; now each goes alone."""
    big = "x" * PARSE_BATCH_CHARS
    small = ["a short article"] * 40
    nlp = _RecordingPipeline()
    texts = [*small[:20], big, big, *small[20:]]
    assert list(_parse(nlp, texts, batch_size=16)) == texts  # order kept, nothing lost
    assert [len(call) for call in nlp.calls] == [16, 4, 1, 1, 16, 4]
    assert all(len(call) == 1 or sum(map(len, call)) <= PARSE_BATCH_CHARS for call in nlp.calls)


def test_results_come_back_in_input_order_with_two_processes() -> None:
    articles = sample_articles()
    assert len(articles) >= 6
    one = list(extract_articles(articles, Settings(processes=1, batch_size=2)))
    two = list(extract_articles(articles, Settings(processes=2, batch_size=2)))
    assert [r.article.id for r in two] == [a.id for a in articles]
    assert one == two


def test_sample_corpus_has_quotes_with_resolved_speakers() -> None:
    results = list(extract_articles(sample_articles()))
    quotes = [q for r in results for q in r.quotes]
    assert len(quotes) >= 20
    resolved = [q for q in quotes if q.speaker and q.speaker.entity]
    assert len(resolved) / len(quotes) >= 0.8


def test_min_confidence_keeps_exactly_the_quotes_at_or_above_it() -> None:
    text = (
        "Ida Moen said the ferry would run on Sundays from May.\n"
        "“We have waited long enough for this,” said the harbour master, Tomas Berg.\n"
        "“It will pay for itself within three summers.”"
    )
    all_quotes = extract(text)
    levels = sorted({q.confidence for q in all_quotes})
    assert len(levels) >= 2, "the text must give quotes of different confidences"
    threshold = levels[-1]
    strict = extract(text, Settings(min_confidence=threshold))
    expected = [q for q in all_quotes if q.confidence >= threshold]
    assert strict == expected
    assert 0 < len(strict) < len(all_quotes)


QUOTE_CHARS = st.sampled_from(list("“”‘’\"'«» \n.,:;—"))
WORDS = st.sampled_from(
    ["said", "Ida", "Moen", "the", "council", "we", "will", "win", "He", "added"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(QUOTE_CHARS, WORDS.map(lambda w: w + " ")), max_size=80))
def test_any_text_gives_spans_inside_the_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    [result] = extract_articles([Article(id="h", text=text)])
    assert result.error is None, result.error
    first = list(result.quotes)
    assert extract(text) == first  # deterministic
    for quote in first:
        for span in (*quote.content, quote.cue, quote.speaker.mention if quote.speaker else None):
            if span is not None:
                assert 0 <= span.start <= span.end <= len(text)
                assert text[span.start : span.end] == span.text


def test_one_failing_article_does_not_stop_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from saidwhat.pipeline import Extractor

    real = Extractor.quotes_of

    def flaky(self, doc):  # type: ignore[no-untyped-def]
        if "explode" in doc.text:
            raise RuntimeError("boom")
        return real(self, doc)

    monkeypatch.setattr(Extractor, "quotes_of", flaky)
    articles = [
        Article(id="a", text="“We won,” said Ida Moen."),
        Article(id="b", text="This one will explode."),
        Article(id="c", text="“We lost,” said Olav Brede."),
    ]
    results = list(extract_articles(articles))
    assert [r.article.id for r in results] == ["a", "b", "c"]
    assert results[1].error is not None and "boom" in results[1].error
    assert results[1].quotes == ()
    assert len(results[0].quotes) == 1 and len(results[2].quotes) == 1


ANY_CHARS = st.characters(codec="utf-8", categories=["L", "N", "P", "Z", "S", "Cc", "Cf"])


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(st.text(ANY_CHARS, max_size=12), QUOTE_CHARS, WORDS), max_size=60))
def test_any_unicode_with_control_characters(pieces: list[str]) -> None:
    """Random Unicode, control and format characters, quote marks: no error, honest spans."""
    text = " ".join(pieces)
    [result] = extract_articles([Article(id="u", text=text)])
    assert result.error is None, result.error
    assert extract(text) == list(result.quotes)  # deterministic
    for quote in result.quotes:
        assert 0 <= quote.start <= quote.end <= len(text)
        for span in (*quote.content, quote.cue, quote.speaker.mention if quote.speaker else None):
            if span is not None:
                assert text[span.start : span.end] == span.text


@pytest.mark.slow
def test_one_huge_paragraph() -> None:
    """200,000 characters without a line break: parsed in pieces, quotes still found."""
    sentence = "The council met again on Tuesday and the harbour plan was read out in full. "
    text = sentence * 1400 + "“We will not give up the harbour,” said Ida Moen. " + sentence * 1400
    assert "\n" not in text and len(text) > 200_000
    [result] = extract_articles([Article(id="huge", text=text)])
    assert result.error is None
    found = [q for q in result.quotes if "give up the harbour" in q.content[0].text]
    assert found and found[0].speaker is not None and found[0].speaker.entity is not None
    assert found[0].speaker.entity.name == "Ida Moen"
