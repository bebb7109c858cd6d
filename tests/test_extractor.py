"""The Extractor holds everything extraction reads; nothing leaks from one to the next."""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import pytest

from saidwhat import Extractor, Settings, extract
from saidwhat.model import Article, Rule
from saidwhat.quotes.find import FINDERS
from saidwhat.read import read_inputs

TEXT = (
    "“The gates held all night and nobody got wet,” the engineer grumbletweeted.\n"
    "Harbour master Rafael Quint said the barrier would be inspected on Monday.\n"
)
SAMPLES = Path(__file__).resolve().parents[1] / "src" / "saidwhat" / "samples"


def _cue_file(tmp_path: Path) -> Path:
    cues = tmp_path / "cues.tsv"
    cues.write_text("grumbletweet\tspeech\n", encoding="utf-8")
    return cues


def test_user_cues_apply_to_their_extractor_only(tmp_path: Path) -> None:
    """Regression: --cues once added its verbs to a process-wide list for good."""
    plain = extract(TEXT)
    with_cues = extract(TEXT, Settings(cue_file=str(_cue_file(tmp_path))))
    assert any(q.cue and q.cue.text == "grumbletweeted" for q in with_cues)
    assert not any(q.cue and q.cue.text == "grumbletweeted" for q in plain)
    assert extract(TEXT) == plain  # the second plain call gives the default output


def test_two_extractors_side_by_side_keep_their_own_lexicon(tmp_path: Path) -> None:
    custom = Extractor(Settings(cue_file=str(_cue_file(tmp_path))))
    default = Extractor()
    assert custom.lexicon.is_user_cue("grumbletweet", "grumbletweeted")
    assert not default.lexicon.is_user_cue("grumbletweet", "grumbletweeted")
    assert default.extract(TEXT) == extract(TEXT)
    assert custom.extract(TEXT) != default.extract(TEXT)


def test_the_lexicon_cannot_be_changed_in_place() -> None:
    lexicon = Extractor().lexicon
    with pytest.raises(FrozenInstanceError):
        lexicon.language = "fr"  # type: ignore[misc]
    with pytest.raises(TypeError):
        lexicon.cues["grumbletweet"] = lexicon.cues["say"]  # type: ignore[index]
    added = lexicon.with_user_cues({"grumbletweet": "speech"})
    assert added.is_speech_lemma("grumbletweet") and not lexicon.is_speech_lemma("grumbletweet")


def _sample_articles() -> list[Article]:
    return [a for a in read_inputs([str(SAMPLES)]) if isinstance(a, Article)]


def test_finder_order_cannot_change_what_comes_out() -> None:
    """Finders never see or edit each other's candidates: any order gives the same quotes."""
    articles = _sample_articles()
    forward = list(Extractor().extract_articles(articles))
    backward = list(Extractor(finders=tuple(reversed(FINDERS))).extract_articles(articles))
    assert sum(len(r.quotes) for r in forward) >= 40
    assert forward == backward


def test_switching_off_a_finder_drops_its_rules_and_no_other() -> None:
    text = (
        "VARGA: The harbour stays open all winter, whatever the council wants.\n"
        "Harbour master Rafael Quint said the barrier would be inspected on Monday.\n"
        "“The gates held all night,” said Ida Moen.\n"
    )
    every = Extractor().extract(text)
    no_colon = [f for f in FINDERS if f.name != "name and colon"]
    fewer = Extractor(finders=no_colon).extract(text)
    assert [q.rule for q in every] == [Rule.NAME_COLON, Rule.MODEL_CLAUSE, Rule.CUE_AFTER_QUOTE]
    assert fewer == every[1:]


def test_every_quote_names_its_rule() -> None:
    quotes = [q for r in Extractor().extract_articles(_sample_articles()) for q in r.quotes]
    assert quotes and all(isinstance(q.rule, Rule) for q in quotes)
    assert len({q.rule for q in quotes}) >= 6


def test_the_spacy_component_config_is_every_setting() -> None:
    import spacy

    from saidwhat.spacy_component import DEFAULT_CONFIG, make_quote_extractor

    names = [f.name for f in fields(Settings)]
    assert list(DEFAULT_CONFIG) == names
    parameters = list(inspect.signature(make_quote_extractor).parameters)
    assert parameters == ["nlp", "name", *names]
    nlp = spacy.load(Settings().model)
    nlp.add_pipe("saidwhat_quotes", config={"scope": "attributions"})
    text = "The minister urged member states to do more for the harbour towns."
    assert nlp(text)._.quotes == extract(text, Settings(scope="attributions"))  # type: ignore[arg-type]
