"""The nouns of saidwhat: small frozen records that round-trip through JSON.

Every offset is a character offset into ``Article.text``. The fields of a
quote and an article are defined once, here (``QUOTE_FIELDS``,
``ARTICLE_FIELDS``), and every output derives from them; the JSON form is
the gold format (``[start, end]`` pairs plus ``*_text`` copies, so a person
can read a prediction file without the article beside it). docs/data-model.md
describes every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class QuoteType(StrEnum):
    """How much of a quotation is inside quotation marks."""

    DIRECT = "direct"
    INDIRECT = "indirect"
    MIXED = "mixed"


class EntityKind(StrEnum):
    """What sort of thing a speaker is."""

    PERSON = "person"
    ORGANISATION = "organisation"
    GROUP = "group"
    UNKNOWN = "unknown"


class Gender(StrEnum):
    """A person's gender, as the text shows it (never guessed from a role or a topic)."""

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class Rule(StrEnum):
    """The rule that made a quote: a stable id beside the readable ``evidence``.

    Each finder of ``saidwhat.quotes`` makes quotes under the rules it owns
    (``saidwhat.quotes.rules`` documents each one and its confidence);
    ``saidwhat evaluate --by-rule`` scores them one by one.
    """

    # Quotation marks (quotes/direct.py).
    CUE_AFTER_QUOTE = "cue_after_quote"  # “…,” she said.
    CUE_BEFORE_QUOTE = "cue_before_quote"  # She said: “…”
    CUE_ENDING_PREVIOUS_PARAGRAPH = "cue_ending_previous_paragraph"  # She said:¶“…”
    DASH_AFTER_QUOTE = "dash_after_quote"  # “…” — Ida Moen
    QUOTE_WITHOUT_CUE = "quote_without_cue"  # a quote-only paragraph: the speaker carries over
    QUOTED_FRAGMENT = "quoted_fragment"  # warned of Putin’s ‘next target’
    # Reported speech (quotes/reported.py).
    MODEL_CLAUSE = "model_clause"  # the learned model: the clause a verb governs
    MODEL_PHRASE = "model_phrase"  # the learned model: the rest of a verb's phrase
    MODEL_NOUN_CLAUSE = "model_noun_clause"  # the learned model: "the claim that …"
    LEXICON_CLAUSE = "lexicon_clause"  # without the model: a cue of the lexicon and its clause
    USER_CUE_CLAUSE = "user_cue_clause"  # a cue from --cues and its clause
    CUE_INSIDE_STATEMENT = "cue_inside_statement"  # "The plan, he said, is dead"
    ACCORDING_TO = "according_to"  # "according to X"
    # Lines (quotes/colon.py).
    NAME_COLON = "name_colon"  # "Varga: we never said that"


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of article text: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span ``[start, end)`` of ``text``."""
        return cls(start, end, text[start:end])

    def to_pair(self) -> list[int]:
        return [self.start, self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Entity:
    """Who a speaker mention refers to, after resolution.

    name: the fullest name the article gives (titles dropped); for a group,
        its members' names joined by "and".
    gender: for a person, as the text shows it, with ``gender_evidence``
        saying how: ``pronoun``, ``honorific`` (Mr, Ms), ``noun``
        (spokeswoman, her husband) or ``first name`` (a name dictionary).
    members: the people or institutions of a group ("Kim and Clark Moran").
    resolved: False for a description the article never tied to anyone
        ("the council", "a resident"): kept with its quote, never taken for
        a speaker across articles.
    """

    name: str
    kind: EntityKind = EntityKind.UNKNOWN
    role: str | None = None
    external_id: str | None = None
    gender: Gender | None = None
    gender_evidence: str | None = None
    members: tuple[str, ...] = ()
    resolved: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "role": self.role,
            "external_id": self.external_id,
            "gender": self.gender.value if self.gender else None,
            "gender_evidence": self.gender_evidence,
            "members": list(self.members),
            "resolved": self.resolved,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        gender = data.get("gender")
        return cls(
            name=str(data["name"]),
            kind=EntityKind(data.get("kind") or EntityKind.UNKNOWN),
            role=data.get("role"),
            external_id=data.get("external_id"),
            gender=Gender(gender) if gender in _GENDERS else None,
            gender_evidence=data.get("gender_evidence"),
            members=tuple(data.get("members") or ()),
            resolved=bool(data.get("resolved", True)),
        )


@dataclass(frozen=True, slots=True)
class Speaker:
    """The mention that speaks ("He", "No10") and the entity it resolves to."""

    mention: Span | None
    entity: Entity | None


@dataclass(frozen=True, slots=True)
class Quote:
    """One attributed statement.

    ``content`` holds one span per piece: a quotation broken by its cue
    ("We will, he said, win") or running over several paragraphs is still one
    quote.
    """

    content: tuple[Span, ...]
    type: QuoteType
    cue: Span | None = None
    speaker: Speaker | None = None
    confidence: float = 0.5
    evidence: str = ""
    rule: Rule | None = None

    @property
    def start(self) -> int:
        return self.content[0].start

    @property
    def end(self) -> int:
        return self.content[-1].end

    def content_span(self, text: str) -> Span:
        """One span from the first piece's start to the last piece's end."""
        return Span.of(text, self.start, self.end)

    @property
    def text(self) -> str:
        """The quote's words as a reader sees them (``display_text`` of its pieces).

        The offsets stay exact; only this text is cleaned.
        """
        return display_text([part.text for part in self.content])

    def to_record(self) -> dict[str, Any]:
        """The flat record of this quote: one value for each of ``QUOTE_FIELDS``."""
        speaker = self.speaker
        mention = speaker.mention if speaker else None
        entity = speaker.entity if speaker else None
        cue = self.cue
        return {
            "content_start": self.start,
            "content_end": self.end,
            "content_text": self.text,
            "content_parts": [part.to_pair() for part in self.content],
            "type": self.type.value,
            "cue_start": cue.start if cue else None,
            "cue_end": cue.end if cue else None,
            "cue_text": cue.text if cue else None,
            "speaker_start": mention.start if mention else None,
            "speaker_end": mention.end if mention else None,
            "speaker_text": mention.text if mention else None,
            "speaker_entity": entity.name if entity else None,
            "speaker_kind": entity.kind.value if entity else None,
            "speaker_role": entity.role if entity else None,
            "speaker_external_id": entity.external_id if entity else None,
            "speaker_gender": _gender_of(entity),
            "speaker_gender_evidence": entity.gender_evidence if entity else None,
            "speaker_members": "|".join(entity.members) if entity and entity.members else None,
            "speaker_resolved": entity.resolved if entity else None,
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence,
            "rule": self.rule.value if self.rule else None,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any], text: str) -> Quote:
        """A quote back from its flat record; ValueError when it does not fit ``text``."""
        parts = record.get("content_parts") or [
            [record.get("content_start"), record.get("content_end")]
        ]
        content = tuple(_span(text, _pair(p), "quote") for p in parts)
        if not content:
            raise ValueError("quote has no content")
        mention = _optional_span(text, record, "speaker", "speaker mention")
        entity = None
        if record.get("speaker_entity"):
            gender = record.get("speaker_gender")
            resolved = record.get("speaker_resolved")
            entity = Entity(
                name=str(record["speaker_entity"]),
                kind=EntityKind(record.get("speaker_kind") or EntityKind.UNKNOWN),
                role=record.get("speaker_role"),
                external_id=record.get("speaker_external_id"),
                gender=Gender(gender) if gender in _GENDERS else None,
                gender_evidence=record.get("speaker_gender_evidence"),
                members=tuple(m for m in str(record.get("speaker_members") or "").split("|") if m),
                resolved=True if resolved is None else bool(resolved),
            )
        confidence = record.get("confidence")
        rule = record.get("rule")
        return cls(
            content=content,
            type=QuoteType(record.get("type") or QuoteType.INDIRECT),
            cue=_optional_span(text, record, "cue", "cue"),
            speaker=Speaker(mention, entity) if (mention or entity) else None,
            confidence=0.5 if confidence is None else float(confidence),
            evidence=str(record.get("evidence") or ""),
            rule=Rule(rule) if rule in _RULES else None,
        )

    def to_dict(self, text: str) -> dict[str, Any]:
        """The gold-format record of this quote (``to_gold`` of its flat record)."""
        return to_gold(self.to_record())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], text: str) -> Quote:
        """A quote back from its gold-format record (``text`` is the article text)."""
        return cls.from_record(from_gold(data), text)

    def with_speaker(self, speaker: Speaker | None) -> Quote:
        return replace(self, speaker=speaker)


@dataclass(frozen=True, slots=True)
class Article:
    """One news article: ``text`` is the clean text every offset indexes.

    ``extra`` carries fields of the input record that saidwhat does not use,
    so they come out again unchanged.
    """

    id: str
    text: str
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    title: str | None = None
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = ("id", "text", "url", "outlet", "published", "title", "language")

    def to_record(self) -> dict[str, Any]:
        """The flat record of this article: one value for each of ``ARTICLE_FIELDS``."""
        return {
            "input_id": self.id,
            "url": self.url,
            "outlet": self.outlet,
            "published": self.published,
            "title": self.title,
            "language": self.language,
            "text": self.text,
        }

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        out.update(
            id=self.id,
            url=self.url,
            outlet=self.outlet,
            published=self.published,
            title=self.title,
            language=self.language,
            text=self.text,
        )
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build from a record with at least ``id`` and ``text``."""
        extra = {k: v for k, v in data.items() if k not in cls._KNOWN and k != "quotes"}
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            url=data.get("url"),
            outlet=data.get("outlet"),
            published=None if data.get("published") is None else str(data["published"]),
            title=data.get("title"),
            language=str(data.get("language") or "en"),
            extra=extra,
        )


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """An article with the quotes found in it.

    ``error`` says why extraction failed on this article (its quotes are then
    empty); one failing article never stops a batch. ``refused``: the article
    was not extracted at all (longer than ``Settings.max_article_chars``), so
    it is a bad record to skip rather than an article to keep.
    """

    article: Article
    quotes: tuple[Quote, ...]
    error: str | None = None
    refused: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = self.article.to_dict()
        out["quotes"] = [q.to_dict(self.article.text) for q in self.quotes]
        if self.error:
            out["error"] = self.error
        return out


# -- the records: every output derives its fields from these ---------------------------


PIECE_SEPARATOR = " … "
"""Between the pieces of a quote its cue splits, in ``content_text``."""

_OPENING_MARKS = '“"«„'
_CLOSING_MARKS = '”"»'
# Punctuation that ends a piece only because the cue follows it: “…wait,” she said.
_DANGLING = ",;:—–-"


def display_text(pieces: list[str]) -> str:
    """The words of a quote's pieces, as the listing, the store and exports show them.

    Pieces are joined by " … "; the comma (or colon, dash) a cue left dangling
    at the end of a piece is dropped, inside a closing mark too ("“reckless,”"
    → "“reckless”"); the paragraphs of a multi-paragraph quotation are kept,
    one blank line apart, without the marks that reopen each paragraph (or
    close one before it goes on). A one-piece, one-paragraph quote that ends
    in a full stop is shown as written.
    """
    shown = []
    for piece in pieces:
        paragraphs = [p.strip() for p in piece.split("\n") if p.strip()]
        for n, paragraph in enumerate(paragraphs):
            if n > 0 and paragraph[0] in _OPENING_MARKS:
                paragraph = paragraph[1:].lstrip()
            if n < len(paragraphs) - 1 and paragraph[-1] in _CLOSING_MARKS:
                opened = sum(paragraph.count(m) for m in "“«")
                closed = sum(paragraph.count(m) for m in "”»")
                if closed > opened:
                    paragraph = paragraph[:-1].rstrip()
            paragraphs[n] = paragraph
        text = "\n\n".join(paragraphs)
        if text and text[-1] in _CLOSING_MARKS and len(text) > 1 and text[-2] in _DANGLING:
            text = text[:-2].rstrip() + text[-1]
        shown.append(text.rstrip(_DANGLING + " "))
    return PIECE_SEPARATOR.join(p for p in shown if p)


class FieldType(StrEnum):
    """What a field holds; each output writes each type its own way."""

    TEXT = "text"
    INTEGER = "integer"
    REAL = "real"
    BOOLEAN = "boolean"
    SPANS = "spans"  # a list of [start, end] offset pairs


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record: its name in every output, its type, what it means."""

    name: str
    type: FieldType
    doc: str


_T, _I, _R = FieldType.TEXT, FieldType.INTEGER, FieldType.REAL

QUOTE_FIELDS: tuple[Field, ...] = (
    Field("content_start", _I, "offset of the quote's first character in the article text"),
    Field("content_end", _I, "offset just past its last character"),
    Field("content_text", _T, "the quote's words as shown (model.display_text); offsets exact"),
    Field("content_parts", FieldType.SPANS, "[start, end] of each piece, in order"),
    Field("type", _T, "direct (all in quotation marks), indirect (none) or mixed"),
    Field("cue_start", _I, "offset of the cue (said, warned, according to)"),
    Field("cue_end", _I, "offset just past the cue"),
    Field("cue_text", _T, "the cue as written"),
    Field("speaker_start", _I, "offset of the speaker mention (He, No10, Mr Starmer)"),
    Field("speaker_end", _I, "offset just past the mention"),
    Field("speaker_text", _T, "the mention as written"),
    Field("speaker_entity", _T, "who the mention resolved to: the fullest name"),
    Field("speaker_kind", _T, "person, organisation, group or unknown"),
    Field("speaker_role", _T, "the role or title the article gives"),
    Field("speaker_external_id", _T, "the speaker's id in a knowledge base (--kb)"),
    Field("speaker_gender", _T, "a person's gender as the text shows it: female, male, unknown"),
    Field("speaker_gender_evidence", _T, "what shows it: pronoun, honorific, noun, first name"),
    Field("speaker_members", _T, "the members of a group, joined by |"),
    Field("speaker_resolved", FieldType.BOOLEAN, "false for a description tied to no one"),
    Field("confidence", _R, "how sure the extractor is, in [0, 1]"),
    Field("evidence", _T, "which rule decided, in words"),
    Field("rule", _T, "the id of the rule that made the quote (saidwhat.Rule)"),
)
"""The fields of a quote, in every output: JSON Lines, Parquet, the store, export, the API."""

ARTICLE_FIELDS: tuple[Field, ...] = (
    Field("input_id", _T, "the id the input gave the article (JSON Lines: id)"),
    Field("url", _T, "where it was published"),
    Field("outlet", _T, "who published it"),
    Field("published", _T, "when: an ISO date or date and time, as given"),
    Field("title", _T, "its headline"),
    Field("language", _T, "its language code"),
    Field("text", _T, "the clean text every offset indexes"),
)
"""The fields of an article (the store and Parquet add keys and bookkeeping)."""

# Fields of a span X: X_start, X_end and X_text in a flat record; in the gold
# format (JSON Lines) X: [start, end] and X_text.
_SPAN_FIELDS = ("content", "cue", "speaker")
_RULES = frozenset(r.value for r in Rule)
_GENDERS = frozenset(g.value for g in Gender)


def _gender_of(entity: Entity | None) -> str | None:
    """A person's gender in a record: female, male or unknown; None for anyone else."""
    if entity is None:
        return None
    if entity.gender is not None:
        return entity.gender.value
    return Gender.UNKNOWN.value if entity.kind is EntityKind.PERSON else None


_QUOTE_NAMES = frozenset(f.name for f in QUOTE_FIELDS)


def to_gold(record: Mapping[str, Any]) -> dict[str, Any]:
    """A flat quote record in the gold format of JSON Lines (spans as pairs), in field order.

    ``content_parts`` is there only when the quote has more than one piece.
    """
    out: dict[str, Any] = {}
    for name in [f.name for f in QUOTE_FIELDS] + [k for k in record if k not in _QUOTE_NAMES]:
        base, _, end = name.rpartition("_")
        if base in _SPAN_FIELDS and end in ("start", "end"):
            if end == "start":
                start, stop = record.get(name), record.get(f"{base}_end")
                out[base] = None if start is None or stop is None else [start, stop]
            continue
        value = record.get(name)
        if name == "content_parts":
            if value and len(value) > 1:
                out[name] = [list(_pair(p)) for p in value]
            continue
        out[name] = value
    return out


def from_gold(data: Mapping[str, Any]) -> dict[str, Any]:
    """A gold-format quote (spans as pairs) as a flat record."""
    out = {k: v for k, v in data.items() if k not in _SPAN_FIELDS}
    for span_name in _SPAN_FIELDS:
        pair = data.get(span_name)
        out[f"{span_name}_start"], out[f"{span_name}_end"] = pair if pair else (None, None)
    return out


def _pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, Mapping):  # Parquet's struct of start and end
        return value.get("start"), value.get("end")
    start, end = value
    return start, end


def _span(text: str, pair: tuple[Any, Any], what: str) -> Span:
    start, end = pair
    if start is None or end is None:
        raise ValueError(f"{what} has no offsets")
    start, end = int(start), int(end)
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"{what} offsets [{start}, {end}] are outside the article text")
    return Span.of(text, start, end)


def _optional_span(text: str, record: Mapping[str, Any], name: str, what: str) -> Span | None:
    start = record.get(f"{name}_start")
    if start is None:
        return None
    return _span(text, (start, record.get(f"{name}_end")), what)
