"""The fast attribute component gives exactly what the ruler and lemmatiser give."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from saidwhat.attributes import FAST_ATTRIBUTES, replace_attribute_components
from saidwhat.nlp import load_pipeline
from saidwhat.settings import DEFAULT_MODEL
from tests.conftest import gold_file

# Words the ruler's special rules name: pronouns, determiners, "gonna", "ain't",
# "there is", "let's", "y'all", runs of spaces, and a couple of odd spellings.
ARTICLE = """Harbour board rejects Kessling ferry plan

By Oona Strand, Marlow Gazette  |  3 March 2026

The harbour board of Marlow said on Tuesday that it ain't gonna approve the
ferry terminal, and there were no plans to revisit it. “Let's be clear: y'all
won't see boats here,” its chair, Agathe Voss, told reporters. She added that
nobody had asked them, and that something must change before anyone would.

Mr. Kessling's lawyers, who had been preparing an appeal since January, said
they were “deeply disappointed”. “We've done everything we were asked to do,”
said Ruth Kessling, 61. “I'd say the board has got ta explain itself.”

The   council's   spokesman   declined to comment. There's a meeting on 12 May.
"""


def _attributes(doc: Doc) -> list[tuple[str, str, str, str, str, str]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


@pytest.fixture(scope="module")
def pipelines() -> tuple[Language, Language]:
    original = spacy.load(DEFAULT_MODEL)
    fast = spacy.load(DEFAULT_MODEL)
    assert replace_attribute_components(fast)
    return original, fast


def test_pipeline_swaps_the_ruler_and_lemmatiser(pipelines: tuple[Language, Language]) -> None:
    _, fast = pipelines
    assert FAST_ATTRIBUTES in fast.pipe_names
    assert "attribute_ruler" not in fast.pipe_names
    assert "lemmatizer" not in fast.pipe_names
    assert FAST_ATTRIBUTES in load_pipeline(DEFAULT_MODEL).pipe_names


def test_same_attributes_as_the_original_components(
    pipelines: tuple[Language, Language],
) -> None:
    original, fast = pipelines
    expected = _attributes(original(ARTICLE))
    # Twice: the second pass reads everything from the caches.
    assert _attributes(fast(ARTICLE)) == expected
    assert _attributes(fast(ARTICLE)) == expected
    by_text = {row[0]: row for row in expected}
    assert by_text["gon"][4] == "go" and by_text["na"][4] == "to"  # a two-token rule
    assert by_text["She"][2] == "PRON" and "Gender=Fem" in by_text["She"][3]


def test_a_lemma_set_before_is_kept(pipelines: tuple[Language, Language]) -> None:
    _, fast = pipelines
    doc = fast.make_doc("They walked home.")
    doc[1].lemma_ = "stroll"
    for _, component in fast.pipeline:
        doc = component(doc)
    assert doc[1].lemma_ == "stroll"
    assert doc[0].lemma_ == "they"  # the ruler's own lemma still wins where it has one


def test_an_unfamiliar_ruler_leaves_the_pipeline_alone() -> None:
    nlp = spacy.load(DEFAULT_MODEL)
    nlp.get_pipe("attribute_ruler").add([[{"IS_TITLE": True}]], {"POS": "PROPN"})
    assert not replace_attribute_components(nlp)
    assert "attribute_ruler" in nlp.pipe_names and "lemmatizer" in nlp.pipe_names


def test_a_blank_pipeline_is_left_alone() -> None:
    nlp = spacy.blank("en")
    assert not replace_attribute_components(nlp)
    assert nlp.pipe_names == []


def test_same_attributes_on_gold_articles(pipelines: tuple[Language, Language]) -> None:
    path = gold_file("polnear-dev.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()[:12]
    texts = [str(json.loads(line)["text"]) for line in lines if line.strip()]
    original, fast = pipelines
    for expected, got in zip(original.pipe(texts), fast.pipe(texts), strict=True):
        assert _attributes(got) == _attributes(expected)
