"""The nouns of saidwhat: small frozen records that round-trip through JSON.

Every offset is a character offset into ``Article.text``; the JSON form is the
gold format of DESIGN.md (``[start, end]`` pairs plus ``*_text`` copies so a
person can read a prediction file without the article beside it).
"""

from __future__ import annotations

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
    """Who a speaker mention refers to, after resolution."""

    name: str
    kind: EntityKind = EntityKind.UNKNOWN
    role: str | None = None
    external_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "role": self.role,
            "external_id": self.external_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            name=str(data["name"]),
            kind=EntityKind(data.get("kind") or EntityKind.UNKNOWN),
            role=data.get("role"),
            external_id=data.get("external_id"),
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

    def to_dict(self, text: str) -> dict[str, Any]:
        """The gold-format record of this quote (offsets index ``text``)."""
        speaker = self.speaker
        mention = speaker.mention if speaker else None
        entity = speaker.entity if speaker else None
        out: dict[str, Any] = {
            "content": [self.start, self.end],
            "content_text": text[self.start : self.end],
            "speaker": mention.to_pair() if mention else None,
            "speaker_text": mention.text if mention else None,
            "speaker_entity": entity.name if entity else None,
            "speaker_kind": entity.kind.value if entity else None,
            "speaker_role": entity.role if entity else None,
            "speaker_id": entity.external_id if entity else None,
            "cue": self.cue.to_pair() if self.cue else None,
            "cue_text": self.cue.text if self.cue else None,
            "type": self.type.value,
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence,
            "rule": self.rule.value if self.rule else None,
        }
        if len(self.content) > 1:
            out["content_parts"] = [part.to_pair() for part in self.content]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], text: str) -> Quote:
        """Read a gold-format record back (``text`` is the article text)."""
        parts = data.get("content_parts") or [data["content"]]
        content = tuple(Span.of(text, int(s), int(e)) for s, e in parts)
        mention = Span.of(text, *data["speaker"]) if data.get("speaker") else None
        entity = None
        if data.get("speaker_entity"):
            entity = Entity(
                name=str(data["speaker_entity"]),
                kind=EntityKind(data.get("speaker_kind") or EntityKind.UNKNOWN),
                role=data.get("speaker_role"),
                external_id=data.get("speaker_id"),
            )
        speaker = Speaker(mention, entity) if (mention or entity) else None
        return cls(
            content=content,
            type=QuoteType(data.get("type") or QuoteType.INDIRECT),
            cue=Span.of(text, *data["cue"]) if data.get("cue") else None,
            speaker=speaker,
            confidence=float(data.get("confidence", 0.5)),
            evidence=str(data.get("evidence", "")),
            rule=Rule(data["rule"]) if data.get("rule") else None,
        )

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
