"""The read queries the pages need beyond search: one article, one speaker, speaker counts.

``saidwhat.store.search`` finds quotes; the pages also show a whole article
with every quote's offsets, and a speaker with aliases, outlets and a weekly
timeline. Everything here reads; the server opens the store read-only.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from saidwhat.store.store import Store

MAX_TIMELINE_WEEKS = 520  # ten years of bars; a stray date far back must not make thousands


@dataclass(frozen=True, slots=True)
class ArticleQuote:
    """One quote of an article with every offset the page highlights."""

    quote_id: int
    seq: int
    start: int
    end: int
    parts: list[tuple[int, int]]  # one [start, end) per piece; one piece for most quotes
    content: str
    type: str
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    speaker_id: int | None
    speaker: str | None
    speaker_kind: str | None
    mention: str | None
    mention_start: int | None
    mention_end: int | None
    confidence: float
    evidence: str | None
    statement_id: int | None


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    article_id: int
    source_id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    text: str
    error: str | None
    ingested_at: str
    quotes: list[ArticleQuote]


def _parts(raw: str | None, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of a quote from the ``parts`` JSON column (absent: the one span)."""
    if raw:
        try:
            pairs = json.loads(raw)
            parts = [(int(s), int(e)) for s, e in pairs]
        except (ValueError, TypeError):
            parts = []
        if parts:
            return parts
    return [(start, end)]


def article_detail(store: Store, article_id: int) -> ArticleDetail | None:
    """An article with its quotes in order (None when there is no such article)."""
    row = store.conn.execute(
        "SELECT id, source_id, title, outlet, published, url, text, error, ingested_at"
        " FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return None
    quotes = [
        ArticleQuote(
            quote_id=int(q["id"]),
            seq=int(q["seq"]),
            start=int(q["start"]),
            end=int(q["end"]),
            parts=_parts(q["parts"], int(q["start"]), int(q["end"])),
            content=q["content"],
            type=q["type"],
            cue=q["cue"],
            cue_start=q["cue_start"],
            cue_end=q["cue_end"],
            speaker_id=q["speaker_id"],
            speaker=q["speaker"],
            speaker_kind=q["kind"],
            mention=q["mention"],
            mention_start=q["mention_start"],
            mention_end=q["mention_end"],
            confidence=float(q["confidence"]),
            evidence=q["evidence"],
            statement_id=q["statement_id"],
        )
        for q in store.conn.execute(
            "SELECT q.id, q.seq, q.start, q.end, q.parts, q.content, q.type, q.cue, q.cue_start,"
            " q.cue_end, q.speaker_id, s.name AS speaker, s.kind, q.mention, q.mention_start,"
            " q.mention_end, q.confidence, q.evidence, q.statement_id"
            " FROM quotes q LEFT JOIN speakers s ON s.id = q.speaker_id"
            " WHERE q.article_id = ? ORDER BY q.seq",
            (article_id,),
        )
    ]
    return ArticleDetail(
        article_id=int(row["id"]),
        source_id=row["source_id"],
        title=row["title"],
        outlet=row["outlet"],
        published=row["published"],
        url=row["url"],
        text=row["text"],
        error=row["error"],
        ingested_at=row["ingested_at"],
        quotes=quotes,
    )


@dataclass(frozen=True, slots=True)
class WeekCount:
    week: str  # the Monday that starts it, YYYY-MM-DD
    quotes: int


@dataclass(frozen=True, slots=True)
class OutletCount:
    outlet: str | None
    quotes: int
    articles: int


@dataclass(frozen=True, slots=True)
class SpeakerQuote:
    """One of a speaker's quotes, with where it appeared."""

    quote_id: int
    content: str
    type: str
    confidence: float
    article_id: int
    title: str | None
    outlet: str | None
    published: str | None
    statement_id: int | None


@dataclass(frozen=True, slots=True)
class SpeakerDetail:
    speaker_id: int
    name: str
    kind: str
    role: str | None
    external_id: str | None
    description: str | None
    aliases: list[str]
    quotes: int
    articles: int
    first_published: str | None
    last_published: str | None
    undated_quotes: int  # quotes whose article has no usable date (not in ``weeks``)
    weeks: list[WeekCount]  # every week from the first to the last, empty weeks included
    outlets: list[OutletCount]  # most quoting first
    latest: list[SpeakerQuote]


def weekly_counts(
    day_counts: list[tuple[str | None, int]], max_weeks: int = MAX_TIMELINE_WEEKS
) -> tuple[list[WeekCount], int]:
    """Quotes per week (Monday-based) with empty weeks filled in, and how many had no date.

    >>> weeks, undated = weekly_counts([("2025-03-05", 2), ("2025-03-18", 1), (None, 4)])
    >>> [(w.week, w.quotes) for w in weeks], undated
    ([('2025-03-03', 2), ('2025-03-10', 0), ('2025-03-17', 1)], 4)
    """
    per_week: Counter[date] = Counter()
    undated = 0
    for day, count in day_counts:
        try:
            when = date.fromisoformat(day or "")
        except ValueError:
            undated += count
            continue
        per_week[when - timedelta(days=when.weekday())] += count
    if not per_week:
        return [], undated
    first, last = min(per_week), max(per_week)
    first = max(first, last - timedelta(weeks=max_weeks - 1))
    weeks = []
    week = first
    while week <= last:
        weeks.append(WeekCount(week.isoformat(), per_week.get(week, 0)))
        week += timedelta(weeks=1)
    return weeks, undated


def speaker_detail(store: Store, speaker_id: int, *, latest: int = 20) -> SpeakerDetail | None:
    """A speaker with names, counts, weekly timeline, outlets and latest quotes (None: unknown)."""
    row = store.conn.execute(
        "SELECT id, name, kind, role, external_id, description FROM speakers WHERE id = ?",
        (speaker_id,),
    ).fetchone()
    if row is None:
        return None
    aliases = [
        a["alias"]
        for a in store.conn.execute(
            "SELECT alias FROM speaker_aliases WHERE speaker_id = ? ORDER BY alias", (speaker_id,)
        )
        if a["alias"] != row["name"]
    ]
    days = [
        (d["day"], int(d["n"]))
        for d in store.conn.execute(
            "SELECT substr(a.published, 1, 10) AS day, count(*) AS n FROM quotes q"
            " JOIN articles a ON a.id = q.article_id WHERE q.speaker_id = ? GROUP BY day",
            (speaker_id,),
        )
    ]
    weeks, undated = weekly_counts(days)
    outlets = [
        OutletCount(o["outlet"], int(o["quotes"]), int(o["articles"]))
        for o in store.conn.execute(
            "SELECT a.outlet, count(*) AS quotes, count(DISTINCT a.id) AS articles FROM quotes q"
            " JOIN articles a ON a.id = q.article_id WHERE q.speaker_id = ?"
            " GROUP BY a.outlet ORDER BY quotes DESC, a.outlet",
            (speaker_id,),
        )
    ]
    latest_quotes = [
        SpeakerQuote(
            quote_id=int(q["id"]),
            content=q["content"],
            type=q["type"],
            confidence=float(q["confidence"]),
            article_id=int(q["article_id"]),
            title=q["title"],
            outlet=q["outlet"],
            published=q["published"],
            statement_id=q["statement_id"],
        )
        for q in store.conn.execute(
            "SELECT q.id, q.content, q.type, q.confidence, q.article_id, a.title, a.outlet,"
            " a.published, q.statement_id FROM quotes q JOIN articles a ON a.id = q.article_id"
            " WHERE q.speaker_id = ? ORDER BY a.published DESC, q.id DESC LIMIT ?",
            (speaker_id, latest),
        )
    ]
    dated = sorted(day for day, _ in days if day)
    return SpeakerDetail(
        speaker_id=int(row["id"]),
        name=row["name"],
        kind=row["kind"],
        role=row["role"],
        external_id=row["external_id"],
        description=row["description"],
        aliases=aliases,
        quotes=sum(o.quotes for o in outlets),
        articles=sum(o.articles for o in outlets),
        first_published=dated[0] if dated else None,
        last_published=dated[-1] if dated else None,
        undated_quotes=undated,
        weeks=weeks,
        outlets=outlets,
        latest=latest_quotes,
    )


def quoted_speaker_count(store: Store) -> int:
    """How many speakers have at least one quote (the length of the speakers list)."""
    return int(
        store.conn.execute(
            "SELECT count(DISTINCT speaker_id) FROM quotes WHERE speaker_id IS NOT NULL"
        ).fetchone()[0]
    )
