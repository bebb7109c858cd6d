"""The store's rows under the record's names: quotes in, quotes out.

The quotes table keeps every field of ``saidwhat.model.QUOTE_FIELDS`` under
its own name, but the speaker's entity, which lives in the speakers table
(one row per person or institution across articles). ``quote_columns`` reads
all of them back under the record's names, and ``StoredQuote`` is what every
reader of quotes gets: search, the article and speaker pages, the API.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from saidwhat.model import QUOTE_FIELDS, Quote

# The quote fields the quotes table keeps itself; the speaker's entity lives in speakers.
ENTITY_COLUMNS = {
    "speaker_entity": "s.name",
    "speaker_kind": "s.kind",
    "speaker_role": "s.role",
    "speaker_external_id": "s.external_id",
    "speaker_gender": "s.gender",
    "speaker_gender_evidence": "s.gender_evidence",
    "speaker_members": "s.members",
    "speaker_resolved": "s.resolved",
}
STORED_QUOTE_FIELDS = tuple(f for f in QUOTE_FIELDS if f.name not in ENTITY_COLUMNS)


def quote_row(quote: Quote) -> dict[str, Any]:
    """The quotes-table values of ``quote``'s record (pieces as JSON, only when several)."""
    record = quote.to_record()
    values = {f.name: record[f.name] for f in STORED_QUOTE_FIELDS}
    parts = values["content_parts"]
    values["content_parts"] = json.dumps(parts) if len(parts) > 1 else None
    return values


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def published_at(published: str | None) -> str | None:
    """An article's published value as its quotes keep it to filter and sort by: as given
    when it starts with an ISO date (``YYYY-MM-DD``), else None (undated).

    >>> published_at("2025-03-10T08:00:00Z"), published_at("10 March 2025"), published_at(None)
    ('2025-03-10T08:00:00Z', None, None)
    """
    return published if published and _ISO_DAY.match(published) else None


def quote_columns() -> str:
    """SQL selecting every field of the quote record from quotes ``q`` and speakers ``s``.

    The columns come out under the record's names (``QUOTE_FIELDS``).
    """
    own = [f"q.{f.name}" for f in STORED_QUOTE_FIELDS]
    entity = [f"{column} AS {name}" for name, column in ENTITY_COLUMNS.items()]
    return ", ".join(own + entity)


def parts_of(raw: str | None, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of a stored quote from its ``content_parts`` JSON (NULL: the one span)."""
    if raw:
        try:
            pairs = json.loads(raw)
            parts = [(int(s), int(e)) for s, e in pairs]
        except (ValueError, TypeError):
            parts = []
        if parts:
            return parts
    return [(start, end)]


# What every quote read from the store carries besides its record.
QUOTE_CONTEXT = (
    "q.id AS quote_id, q.article_id, q.seq, q.statement_id, q.speaker_id,"
    " a.title, a.outlet, a.published, a.url"
)
QUOTE_SELECT = (
    f"SELECT {QUOTE_CONTEXT}, {quote_columns()} FROM quotes q"
    " JOIN articles a ON a.id = q.article_id LEFT JOIN speakers s ON s.id = q.speaker_id"
)
"""The quotes with their article and speaker; add WHERE, ORDER BY and LIMIT."""


@dataclass(frozen=True, slots=True)
class StoredQuote:
    """A quote read from the store: its record (``QUOTE_FIELDS``), ids and article."""

    quote_id: int
    article_id: int
    seq: int
    statement_id: int | None
    speaker_id: int | None
    content_start: int
    content_end: int
    content_text: str
    content_parts: list[tuple[int, int]]
    type: str
    cue_start: int | None
    cue_end: int | None
    cue_text: str | None
    speaker_start: int | None
    speaker_end: int | None
    speaker_text: str | None
    speaker_entity: str | None
    speaker_kind: str | None
    speaker_role: str | None
    speaker_external_id: str | None
    speaker_gender: str | None
    speaker_gender_evidence: str | None
    speaker_members: str | None
    speaker_resolved: bool | None
    confidence: float
    evidence: str | None
    rule: str | None
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None


def stored_quote(row: sqlite3.Row) -> StoredQuote:
    """The ``StoredQuote`` of one row of ``QUOTE_SELECT``."""
    values: dict[str, Any] = dict(row)
    start, end = int(values["content_start"]), int(values["content_end"])
    values["content_parts"] = parts_of(values["content_parts"], start, end)
    values["confidence"] = float(values["confidence"])
    if values["speaker_resolved"] is not None:
        values["speaker_resolved"] = bool(values["speaker_resolved"])
    return StoredQuote(**values)
