"""Selective parsing: which sentences are parsed, and that quotes come out the same."""

from __future__ import annotations

import itertools
import json

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from saidwhat.model import Article
from saidwhat.nlp import load_pipeline
from saidwhat.pipeline import extract_articles
from saidwhat.quotes.cues import cue_lemmas
from saidwhat.selective import SelectiveParser, selective_parser
from saidwhat.settings import DEFAULT_MODEL, Scope, Settings
from tests.conftest import gold_file

ARTICLE = (
    "Quarry expansion splits Brackwater village\n\n"
    "By Tamsin Oduya, Fenland Courier  |  9 April 2026\n\n"
    "Brackwater parish council voted 5-4 on Monday to back the expansion of the Ridley "
    "quarry. The meeting ran past midnight. Dozens of residents packed the hall.\n\n"
    "“This is the worst decision the council has made in twenty years,” said Ines Marlowe, "
    "who has lived beside the quarry since 1998. She added that the dust already reached "
    "her garden on dry days.\n\n"
    "The quarry's owner, Halvard Stone Ltd, plans to dig 40 metres deeper. Its operations "
    "director, Piet Vandersloot, has run the site since 2019. He argued that the expansion "
    "would keep 60 jobs in the area.\n\n"
    "Councillor Ada Kwame: “We listened to everyone, and we weighed the jobs.”\n\n"
    "According to the county planning office, a final ruling is due in June. The office did "
    "not give a date. Mr. Vandersloot (Halvard Stone) declined to comment further.\n"
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def parser(nlp: Language) -> SelectiveParser:
    return selective_parser(nlp, tuple(sorted(cue_lemmas())))


def _sentences(doc: Doc, starts: list[int]) -> list[str]:
    bounds = [*starts, len(doc)]
    return [doc[a:b].text.strip() for a, b in itertools.pairwise(bounds)]


def test_sentences_split_at_full_stops_and_line_breaks_not_abbreviations(
    nlp: Language, parser: SelectiveParser
) -> None:
    doc = nlp.make_doc(
        "Mr. Vandersloot (Halvard Stone Ltd.) declined to comment. He left.\n"
        "“It is over.” ― Ines Marlowe\n"
        'She said "no." Then she went home. 40 people stayed! Why? Nobody knew.'
    )
    starts, _ = parser.plan(doc)
    assert _sentences(doc, starts) == [
        "Mr. Vandersloot (Halvard Stone Ltd.) declined to comment.",
        "He left.",
        "“It is over.” ― Ines Marlowe",
        'She said "no."',
        "Then she went home.",
        "40 people stayed!",
        "Why?",
        "Nobody knew.",
    ]


def test_only_sentences_that_can_hold_a_statement_are_parsed(
    nlp: Language, parser: SelectiveParser
) -> None:
    doc = nlp.make_doc(ARTICLE)
    starts, keep = parser.plan(doc)
    decided = dict(zip(_sentences(doc, starts), keep, strict=True))
    for skipped in (
        "The meeting ran past midnight.",
        "Dozens of residents packed the hall.",
        "The office did not give a date.",
        "The quarry's owner, Halvard Stone Ltd, plans to dig 40 metres deeper.",
    ):
        assert decided[skipped] is False, skipped
    # A quotation mark, a form of a cue verb, a colon line, "according to".
    for parsed in (
        "She added that the dust already reached her garden on dry days.",
        "He argued that the expansion would keep 60 jobs in the area.",
        "Councillor Ada Kwame: “We listened to everyone, and we weighed the jobs.”",
        "According to the county planning office, a final ruling is due in June.",
        "Mr. Vandersloot (Halvard Stone) declined to comment further.",
        # No cue, but it describes a speaker ("director"), which a later
        # "the director said" would need.
        "Its operations director, Piet Vandersloot, has run the site since 2019.",
    ):
        assert decided[parsed] is True, parsed
    assert any(v for k, v in decided.items() if k.startswith("“This is the worst"))
    assert 0 < keep.count(False) < len(keep)


def test_names_everywhere_parse_where_needed(nlp: Language, parser: SelectiveParser) -> None:
    (doc,) = parser.pipe([ARTICLE])
    full = nlp(ARTICLE)
    assert doc.text == ARTICLE

    # NER runs on the whole text: the same names as a full pass. (Other
    # entities can differ where the parser would have cut a sentence oddly:
    # it splits the byline after "9", which changes the date the NER sees.)
    def names(d: Doc) -> list[tuple[str, str]]:
        return [(e.text, e.label_) for e in d.ents if e.label_ in ("PERSON", "ORG")]

    assert names(doc) == names(full)
    assert ("Ines Marlowe", "PERSON") in names(doc)
    said = next(t for t in doc if t.text == "said")
    assert said.lemma_ == "say" and said.pos_ == "VERB"
    midnight = next(t for t in doc if t.text == "midnight")
    assert midnight.pos_ == "" and midnight.dep_ == "dep"  # a skipped sentence: flat
    starts, _ = parser.plan(nlp.make_doc(ARTICLE))
    assert midnight.sent.start in starts  # sentence breaks stay where the plan put them


def test_same_quotes_as_a_full_parse() -> None:
    article = Article(id="brackwater", text=ARTICLE)
    selective = next(iter(extract_articles([article]))).quotes
    full = next(iter(extract_articles([article], Settings(full_parse=True)))).quotes
    assert [q.to_dict(ARTICLE) for q in selective] == [q.to_dict(ARTICLE) for q in full]
    assert {q.speaker.entity.name for q in selective if q.speaker and q.speaker.entity} >= {
        "Ines Marlowe",
        "Piet Vandersloot",
        "Ada Kwame",
    }


def test_attributions_scope_parses_everything(nlp: Language) -> None:
    article = Article(id="brackwater", text=ARTICLE)
    settings = Settings(scope=Scope.ATTRIBUTIONS)
    full = Settings(scope=Scope.ATTRIBUTIONS, full_parse=True)
    got = next(iter(extract_articles([article], settings))).quotes
    expected = next(iter(extract_articles([article], full))).quotes
    assert [q.to_dict(ARTICLE) for q in got] == [q.to_dict(ARTICLE) for q in expected]


def test_a_users_cue_makes_its_sentences_parsed(tmp_path: object, nlp: Language) -> None:
    from pathlib import Path

    cues = Path(str(tmp_path)) / "cues.txt"
    cues.write_text("grumbletweet\n", encoding="utf-8")
    text = "The mayor grumbletweeted that the bins were late again.\n"
    settings = Settings(cue_file=str(cues))
    quotes = next(iter(extract_articles([Article(id="t", text=text)], settings))).quotes
    assert [q.content[0].text for q in quotes] == ["the bins were late again"]


def test_empty_and_blank_texts(parser: SelectiveParser) -> None:
    docs = list(parser.pipe(["", "   \n\n", "No statement here."]))
    assert [len(d) for d in docs][:1] == [0]
    assert docs[2].text == "No statement here."


@pytest.mark.slow
def test_speed_up_keeps_accuracy_on_gold_articles() -> None:
    """On 20 PolNeAR dev articles the default finds what a full parse finds, near enough."""
    path = gold_file("polnear-dev.jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:20]]
    articles = [Article(id=str(r["id"]), text=str(r["text"])) for r in lines]
    selective = [q for r in extract_articles(articles) for q in r.quotes]
    full = [q for r in extract_articles(articles, Settings(full_parse=True)) for q in r.quotes]
    same = {(q.content[0].start, q.content[-1].end) for q in selective} & {
        (q.content[0].start, q.content[-1].end) for q in full
    }
    assert len(same) >= 0.9 * len(full)


def test_a_name_in_a_sentence_left_flat_still_resolves_a_pronoun(
    nlp: Language, parser: SelectiveParser
) -> None:
    text = (
        "Maria Fenwick walks her dog past the quarry gate every morning.\n"
        "“The dust never settles,” she said.\n"
    )
    _starts, keep = parser.plan(nlp.make_doc(text))
    assert keep == [False, True]  # the first sentence is left flat …
    [quote] = next(iter(extract_articles([Article(id="t", text=text)]))).quotes
    assert quote.speaker is not None and quote.speaker.entity is not None
    assert quote.speaker.entity.name == "Maria Fenwick"  # … yet names the subject
