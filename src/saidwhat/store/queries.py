"""The read queries the pages need beyond search: one article, one speaker.

``saidwhat.store.search`` finds quotes; the pages also show a whole article
with every quote's offsets, and a speaker with aliases, outlets and a weekly
timeline. Everything here reads; the server opens the store read-only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from saidwhat.store.rows import QUOTE_SELECT, StoredQuote, stored_quote
from saidwhat.store.store import Store

MAX_TIMELINE_WEEKS = 520  # ten years of bars; a stray date far back must not make thousands


ArticleQuote = StoredQuote
"""One quote of an article with every offset the page highlights."""


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    article_id: int
    input_id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    text: str
    error: str | None
    ingested_at: str
    quotes: list[ArticleQuote]


def article_detail(store: Store, article_id: int) -> ArticleDetail | None:
    """An article with its quotes in order (None when there is no such article)."""
    row = store.conn.execute(
        "SELECT id, input_id, title, outlet, published, url, text, error, ingested_at"
        " FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return None
    quotes = [
        stored_quote(q)
        for q in store.conn.execute(
            QUOTE_SELECT + " WHERE q.article_id = ? ORDER BY q.seq", (article_id,)
        )
    ]
    return ArticleDetail(
        article_id=int(row["id"]),
        input_id=row["input_id"],
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
class DayCount:
    day: str  # YYYY-MM-DD as stored (anything else is undated, left out of a chart)
    count: int


@dataclass(frozen=True, slots=True)
class WeekCount:
    week: str  # the Monday that starts it, YYYY-MM-DD
    quotes: int


@dataclass(frozen=True, slots=True)
class OutletCount:
    outlet: str | None
    quotes: int
    articles: int


SpeakerQuote = StoredQuote
"""One of a speaker's quotes, with where it appeared."""


@dataclass(frozen=True, slots=True)
class SpeakerDetail:
    speaker_id: int
    name: str
    kind: str
    role: str | None
    external_id: str | None
    description: str | None
    gender: str | None  # a person's as the articles show it (None: not stored)
    gender_evidence: str | None  # what the gender rests on, in words
    aliases: list[str]
    quotes: int
    articles: int
    first_published: str | None
    last_published: str | None
    undated_quotes: int  # quotes whose article has no usable date (not in ``weeks``)
    weeks: list[WeekCount]  # every week from the first to the last, empty weeks included
    days: list[DayCount]  # quotes per day as stored, oldest first (undated ones left out)
    outlets: list[OutletCount]  # most quoting first
    latest: list[SpeakerQuote]
    hidden: bool = False  # a user hid it from lists and searches (saidwhat.store.curation)


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
        "SELECT id, name, kind, role, external_id, description, gender, gender_evidence,"
        " hidden FROM speakers WHERE id = ?",
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
    days = [  # kept per day by the store (schema 8): a row a day, not a read of each quote
        (d["day"] or None, int(d["quotes"]))
        for d in store.conn.execute(
            "SELECT day, quotes FROM speaker_days WHERE speaker_id = ?", (speaker_id,)
        )
    ]
    weeks, undated = weekly_counts(days)
    outlets = [
        OutletCount(o["outlet"] or None, int(o["quotes"]), int(o["articles"]))
        for o in store.conn.execute(
            "SELECT outlet, quotes, articles FROM speaker_outlets WHERE speaker_id = ?"
            " ORDER BY quotes DESC, outlet",
            (speaker_id,),
        )
    ]
    latest_quotes = [
        stored_quote(q)
        for q in store.conn.execute(
            QUOTE_SELECT
            + " WHERE q.speaker_id = ? ORDER BY q.published_at DESC, q.id DESC LIMIT ?",
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
        gender=row["gender"],
        gender_evidence=row["gender_evidence"],
        aliases=aliases,
        quotes=sum(o.quotes for o in outlets),
        articles=sum(o.articles for o in outlets),
        first_published=dated[0] if dated else None,
        last_published=dated[-1] if dated else None,
        undated_quotes=undated,
        weeks=weeks,
        days=[DayCount(day, count) for day, count in sorted((d, n) for d, n in days if d)],
        outlets=outlets,
        latest=latest_quotes,
        hidden=bool(row["hidden"]),
    )


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What a store holds: counts, the dates its articles span, and quotes per day."""

    articles: int
    quotes: int
    speakers: int  # resolved ones: people and bodies listed by `saidwhat speakers`
    outlets: int
    statements: int
    first_day: str | None  # the earliest article date (YYYY-MM-DD), None when none is dated
    last_day: str | None
    undated_articles: int
    quotes_per_day: float | None  # dated quotes over the days from first to last, inclusive
    busiest_day: str | None
    busiest_day_quotes: int


def store_stats(store: Store) -> StoreStats:
    """The figures of ``saidwhat stats``, in a handful of aggregate queries."""
    counts = store.counts()
    row = store.conn.execute(
        "SELECT count(DISTINCT outlet), min(substr(published, 1, 10)),"
        " max(substr(published, 1, 10)), sum(published IS NULL) FROM articles"
    ).fetchone()
    speakers = int(
        store.conn.execute("SELECT count(*) FROM speakers WHERE resolved = 1").fetchone()[0]
    )
    busiest = store.conn.execute(
        "SELECT substr(a.published, 1, 10) AS day, count(*) AS n FROM quotes q"
        " JOIN articles a ON a.id = q.article_id WHERE a.published IS NOT NULL"
        " GROUP BY day ORDER BY n DESC, day LIMIT 1"
    ).fetchone()
    dated_quotes = int(
        store.conn.execute(
            "SELECT count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
            " WHERE a.published IS NOT NULL"
        ).fetchone()[0]
    )
    first, last = row[1], row[2]
    per_day = None
    try:
        if first and last:
            days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
            per_day = dated_quotes / days
    except ValueError:  # a date the store keeps as given, not ISO
        per_day = None
    return StoreStats(
        articles=counts["articles"],
        quotes=counts["quotes"],
        speakers=speakers,
        outlets=int(row[0] or 0),
        statements=counts["statements"],
        first_day=first,
        last_day=last,
        undated_articles=int(row[3] or 0),
        quotes_per_day=per_day,
        busiest_day=busiest["day"] if busiest else None,
        busiest_day_quotes=int(busiest["n"]) if busiest else 0,
    )
