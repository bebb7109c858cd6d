"""Reported speech scored by a model trained on annotated news (PolNeAR train).

Rules cannot say how often "called" reports speech ("called X a liar") and
how often it does not ("called a meeting"), or where the content of "urged"
ends. So every verb outside quotation marks offers its possible contents —
the clause it governs, or the rest of its verb phrase — and a logistic model
over parse features scores each option; the best option of a verb above the
model's threshold becomes a quote.

The weights ship in ``saidwhat/data/attribution_model.json`` (built by
``saidwhat train-model``); scoring needs no machine-learning library.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.attrs import POS
from spacy.tokens import Doc, Token

from saidwhat.lexicon import DATA_DIR, Lexicon
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.syntax import cue_token_range, token_indices

MODEL_PATH = DATA_DIR / "attribution_model.json"

# Right dependents that belong to what a verb reports ("urged [X] [to act]").
_CONTENT_DEPS = {"dobj", "dative", "xcomp", "ccomp", "prep", "oprd", "attr", "acomp", "pcomp"}
# Punctuation never at either edge of a content.
_EDGE_PUNCT = frozenset({",", ":", ";", "—", "–", "-", "(", ")"})
_MIN_TOKENS = 2


@dataclass(frozen=True, slots=True)
class ContentOption:
    """One thing a verb may report: its cue tokens and a content token range."""

    verb: int
    cue: tuple[int, int]  # token range [start, end)
    first: int  # content token range [first, last]
    last: int
    kind: str  # "clause" | "rest" | "noun"


class _Covered:
    """Whether a character is inside any quoted region, by binary search.

    Regions never overlap (an inner quote stays part of the outer one), so
    the region that may cover a character is the last one opening at or
    before it.
    """

    def __init__(self, regions: Sequence[QuotedRegion]) -> None:
        spans = sorted((r.open, r.close) for r in regions)
        self.opens = [a for a, _ in spans]
        self.closes = [b for _, b in spans]

    def __contains__(self, char: int) -> bool:
        at = bisect_right(self.opens, char) - 1
        return at >= 0 and char <= self.closes[at]


def trim_tokens(
    doc: Doc, first: int, last: int, lexicon: Lexicon, min_tokens: int = _MIN_TOKENS
) -> tuple[int, int] | None:
    """Token range ``[first, last]`` without edge punctuation and a leading "that".

    Closing quotation marks stay: they belong to a mixed quote's content.
    None when fewer than ``min_tokens`` tokens are left.
    """
    while first <= last and (
        doc[first].lower_ in _EDGE_PUNCT
        or doc[first].lower_ in lexicon.complementisers
        or doc[first].is_space
    ):
        first += 1
    while last >= first and (
        (doc[last].is_punct and doc[last].text not in "”\"’'»") or doc[last].is_space
    ):
        last -= 1
    if last - first + 1 < min_tokens:
        return None
    return first, last


def content_options(
    doc: Doc, regions: Sequence[QuotedRegion], lexicon: Lexicon
) -> Iterator[ContentOption]:
    """Every (verb or noun, content) pair the model will score."""
    covered = _Covered(regions)
    for i in token_indices(doc, POS, ("NOUN", "VERB", "AUX")):
        token = doc[i]
        if token.idx not in covered:
            yield from options_of(token, lexicon)


def options_of(token: Token, lexicon: Lexicon) -> Iterator[ContentOption]:
    """The content options of one verb (or of a noun heading a "that" clause)."""
    if token.pos_ == "NOUN":
        yield from _noun_options(token, lexicon)
    elif token.pos_ in ("VERB", "AUX"):
        yield from _verb_options(token, lexicon)


def reported_clause(verb: Token, lexicon: Lexicon) -> Token | None:
    """The clause a verb governs: its ``ccomp``, or a "that" clause the parser hung as an
    adverbial ("tweeted in the morning hours that Machado was …")."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            return child
    for child in verb.rights:
        first = child.doc[child.left_edge.i]
        if child.dep_ == "advcl" and first.lower_ in lexicon.complementisers and first.i > verb.i:
            return child
    return None


def _verb_options(verb: Token, lexicon: Lexicon) -> Iterator[ContentOption]:
    """The clause a verb governs, and the rest of its verb phrase."""
    doc = verb.doc
    cue = cue_token_range(verb)
    clause = reported_clause(verb, lexicon)
    if clause is not None and not (clause.left_edge.i <= verb.i <= clause.right_edge.i):
        trimmed = trim_tokens(doc, clause.left_edge.i, clause.right_edge.i, lexicon)
        if trimmed:
            yield ContentOption(verb.i, cue, trimmed[0], trimmed[1], "clause")
    rights = [c for c in verb.rights if c.dep_ in _CONTENT_DEPS and c.i >= cue[1]]
    if not rights:
        return
    cue_end = cue[1]
    first_child = rights[0]
    if (
        first_child.dep_ == "prep"
        and first_child.i == cue_end
        and first_child.lower_ in lexicon.cue_prepositions
        and len(rights) == 1
    ):
        # "called for X", "talked about X": the preposition joins the cue.
        cue_end = first_child.i + 1
        objects = [c for c in first_child.children if c.dep_ in ("pobj", "pcomp")]
        if not objects:
            return
        first, last = objects[0].left_edge.i, objects[-1].right_edge.i
    else:
        first, last = first_child.left_edge.i, rights[-1].right_edge.i
    trimmed = trim_tokens(doc, max(first, cue_end), last, lexicon)
    if trimmed is None:
        return
    if clause is not None and trimmed == (clause.left_edge.i, clause.right_edge.i):
        return
    yield ContentOption(verb.i, (cue[0], cue_end), trimmed[0], trimmed[1], "rest")


def _noun_options(noun: Token, lexicon: Lexicon) -> Iterator[ContentOption]:
    """ "the claim that …", "fears that …": a noun and the clause it heads."""
    doc = noun.doc
    for child in noun.rights:
        if child.dep_ not in ("acl", "ccomp", "relcl"):
            continue
        if not any(
            c.dep_ == "mark" and c.lower_ in lexicon.complementisers for c in child.children
        ):
            continue
        trimmed = trim_tokens(doc, child.left_edge.i, child.right_edge.i, lexicon)
        if trimmed is not None:
            yield ContentOption(noun.i, (noun.i, noun.i + 1), trimmed[0], trimmed[1], "noun")
        return


def _bucket(n: int) -> str:
    for limit in (2, 4, 8, 16, 32):
        if n <= limit:
            return str(limit)
    return "more"


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head is not verb:
        for child in verb.head.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
    return None


def option_features(
    doc: Doc, option: ContentOption, regions: Sequence[QuotedRegion], lexicon: Lexicon
) -> list[str]:
    """Sparse features of one option: parse facts around the verb and content."""
    verb = doc[option.verb]
    lemma = verb.lemma_.lower()
    first, last = doc[option.first], doc[option.last]
    content = doc[option.first : option.last + 1]
    cue_words = "_".join(t.lower_ for t in doc[option.cue[0] : option.cue[1]] if t.i != verb.i)
    kinds_in = sorted({c.dep_ for c in verb.children if option.first <= c.i <= option.last})
    subject = _subject(verb)
    start_char, end_char = first.idx, last.idx + len(last.text)
    quoted = [r for r in regions if r.open < end_char and start_char <= r.close]
    has_finite = any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in content)
    position = "before" if option.last < option.verb else "after"
    feats = [
        "bias",
        f"kind={option.kind}",
        f"lemma={lemma}",
        f"lemma_kind={lemma}|{option.kind}",
        f"lemma_deps={lemma}|{'+'.join(kinds_in)}",
        f"deps={'+'.join(kinds_in)}",
        f"cuewords={lemma}|{cue_words}",
        f"tag={verb.tag_}",
        f"verbdep={verb.dep_}",
        f"lemma_verbdep={lemma}|{verb.dep_}",
        f"position={position}",
        f"first={first.lower_ if first.is_stop else first.pos_}",
        f"firstpos={first.pos_}",
        f"len={_bucket(len(content))}",
        f"finite={has_finite}",
        f"kind_finite={option.kind}|{has_finite}",
        f"quoted={'some' if quoted else 'none'}",
        f"subject={subject.pos_ if subject is not None else 'none'}",
        f"subject_ent={subject.ent_type_ or '-' if subject is not None else 'none'}",
        f"lemma_subject={lemma}|{subject.pos_ if subject is not None else 'none'}",
        f"lexicon={round(lexicon.clausal_cue_weight(lemma), 1)}",
    ]
    if any(lexicon.is_phrasal_cue(lemma, c.lower_) for c in verb.children if c.dep_ == "prt"):
        feats.append("phrasal_cue")
    if quoted:
        inside = sum(min(end_char, r.close) - max(start_char, r.open) for r in quoted)
        share = inside / max(1, end_char - start_char)
        feats.append(f"quoted_share={round(share, 1)}")
    return feats


@dataclass(frozen=True, slots=True)
class AttributionModel:
    """A logistic model: feature → weight, and the decision threshold."""

    weights: dict[str, float]
    threshold: float
    meta: dict[str, Any]

    def probability(self, features: Sequence[str]) -> float:
        z = sum(self.weights.get(f, 0.0) for f in features)
        z = max(-30.0, min(30.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> str:
        data = {"threshold": self.threshold, "meta": self.meta, "weights": self.weights}
        return json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_file(cls, path: Path) -> AttributionModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            weights={str(k): float(v) for k, v in data["weights"].items()},
            threshold=float(data["threshold"]),
            meta=dict(data.get("meta", {})),
        )


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> AttributionModel | None:
    """The model in ``path`` (the shipped one by default), or None when there is none.

    Read once per process and path; a model is never changed once read.
    """
    if not path.exists():
        return None
    return AttributionModel.from_file(path)
