"""The spaCy component gives the same quotes as the saidwhat pipeline."""

from __future__ import annotations

import spacy

import saidwhat.spacy_component  # noqa: F401  (registers the factory)
from saidwhat import extract
from saidwhat.settings import DEFAULT_MODEL

TEXT = (
    "Harbour master Rafael Quint said: “The gates held.”\n"
    "“We were lucky with the wind,” he added.\n"
    "Officials said the barrier would be inspected on Monday."
)


def test_component_puts_quotes_on_the_doc() -> None:
    nlp = spacy.load(DEFAULT_MODEL)
    nlp.add_pipe("saidwhat_quotes")
    doc = nlp(TEXT)
    quotes = doc._.quotes
    assert quotes == extract(TEXT)
    names = {q.speaker.entity.name for q in quotes if q.speaker and q.speaker.entity}
    assert "Rafael Quint" in names


def test_component_min_confidence_keeps_exactly_the_quotes_at_or_above_it() -> None:
    every = extract(TEXT)
    levels = sorted({q.confidence for q in every})
    assert len(levels) >= 2, "the text must give quotes of different confidences"
    nlp = spacy.load(DEFAULT_MODEL)
    nlp.add_pipe("saidwhat_quotes", config={"min_confidence": levels[-1]})
    kept = nlp(TEXT)._.quotes
    assert kept == [q for q in every if q.confidence >= levels[-1]]
    assert 0 < len(kept) < len(every)
