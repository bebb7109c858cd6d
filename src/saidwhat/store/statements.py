"""Statements: one quotation as the whole press carried it.

The store links each new quote to the statement it repeats (see
``saidwhat.linking`` and ``Store._link``); this module reads them back:
the list, most carried first, and one statement's variants, each diffed
word by word against the earliest appearance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saidwhat.linking import DiffOp, variant_change, word_diff
from saidwhat.model import QuoteType
from saidwhat.store.rows import parts_of
from saidwhat.store.store import Store

__all__ = [
    "DiffOp",
    "Echo",
    "StatementDetail",
    "StatementSummary",
    "Variant",
    "linked_articles",
    "list_statements",
    "statement_detail",
]


@dataclass(frozen=True, slots=True)
class StatementSummary:
    statement_id: int
    content_text: str  # the earliest quote's words
    speaker_id: int | None
    speaker_entity: str | None
    quotes: int
    articles: int
    outlets: int
    first_published: str | None
    first_article_id: int
    first_outlet: str | None


@dataclass(frozen=True, slots=True)
class Variant:
    quote_id: int
    article_id: int
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    content_text: str
    is_earliest: bool
    diff: list[DiffOp]
    reported: bool  # a reported (indirect or mixed) form of the quotation, shown apart
    changes: tuple[str, ...]  # what the variant did to the earliest words (VariantChange)
    changed_words: tuple[tuple[str, str], ...]  # (earliest, variant) for each changed word
    possible_misquote: bool  # a word of the quotation changed: check it against the source


@dataclass(frozen=True, slots=True)
class Echo:
    """Words like a statement's from someone else: never the same statement, shown beside it."""

    statement_id: int
    speaker_id: int | None
    speaker_entity: str | None
    content_text: str  # that statement's earliest wording
    articles: int


@dataclass(frozen=True, slots=True)
class StatementDetail:
    summary: StatementSummary
    variants: list[Variant]  # earliest first, then verbatim variants, then reported ones
    echoes: list[Echo]  # similar words from other speakers, most shared first

    @property
    def verbatim(self) -> list[Variant]:
        return [v for v in self.variants if not v.reported]

    @property
    def reported(self) -> list[Variant]:
        return [v for v in self.variants if v.reported]


_SUMMARY = """
    SELECT s.id AS statement_id, fq.content_text, s.speaker_id, sp.name AS speaker_entity,
           s.quotes, s.articles, s.outlets, fa.published AS first_published,
           fa.id AS first_article_id, fa.outlet AS first_outlet
    FROM statements s
    JOIN quotes fq ON fq.id = s.first_quote_id
    JOIN articles fa ON fa.id = fq.article_id
    LEFT JOIN speakers sp ON sp.id = s.speaker_id
"""


def _summary(row: object) -> StatementSummary:
    r = dict(row)  # type: ignore[call-overload]
    return StatementSummary(
        statement_id=int(r["statement_id"]),
        content_text=r["content_text"],
        speaker_id=r["speaker_id"],
        speaker_entity=r["speaker_entity"],
        quotes=int(r["quotes"]),
        articles=int(r["articles"]),
        outlets=int(r["outlets"]),
        first_published=r["first_published"],
        first_article_id=int(r["first_article_id"]),
        first_outlet=r["first_outlet"],
    )


def list_statements(
    store: Store,
    *,
    speaker_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
    min_articles: int = 1,
) -> tuple[int, list[StatementSummary]]:
    """(total, one page) of statements, most carried (articles, then quotes) first.

    ``min_articles`` leaves out statements carried by fewer articles (2 hides
    the quotes that only one article has).
    """
    condition = "s.articles >= ? AND s.quotes > 0"
    params: list[object] = [min_articles]
    if speaker_id is not None:
        condition += " AND s.speaker_id = ?"
        params.append(speaker_id)
    total = int(
        store.conn.execute(
            f"SELECT count(*) FROM statements s WHERE {condition}", params
        ).fetchone()[0]
    )
    rows = store.conn.execute(
        f"{_SUMMARY} WHERE {condition} ORDER BY s.articles DESC, s.quotes DESC, s.id"
        " LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return total, [_summary(r) for r in rows]


def statement_detail(store: Store, statement_id: int) -> StatementDetail | None:
    """One statement and every quote of it, diffed against the earliest; None when unknown."""
    row = store.conn.execute(_SUMMARY + " WHERE s.id = ?", (statement_id,)).fetchone()
    if row is None:
        return None
    summary = _summary(row)
    first_quote = store.conn.execute(
        "SELECT first_quote_id FROM statements WHERE id = ?", (statement_id,)
    ).fetchone()[0]
    members = store.conn.execute(
        "SELECT q.id, q.article_id, q.content_text, q.type, a.title, a.outlet, a.published,"
        " a.url FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.statement_id = ?"
        " ORDER BY q.id = ? DESC, q.type != 'direct', a.published IS NULL, a.published, a.id,"
        " q.seq",
        (statement_id, first_quote),
    ).fetchall()
    variants = []
    for m in members:
        earliest = int(m["id"]) == first_quote
        reported = m["type"] != QuoteType.DIRECT.value
        change = variant_change(summary.content_text, m["content_text"], reported=reported)
        variants.append(
            Variant(
                quote_id=int(m["id"]),
                article_id=int(m["article_id"]),
                title=m["title"],
                outlet=m["outlet"],
                published=m["published"],
                url=m["url"],
                content_text=m["content_text"],
                is_earliest=earliest,
                diff=word_diff(summary.content_text, m["content_text"]),
                reported=reported,
                changes=() if earliest else change.kinds,
                changed_words=() if earliest else change.changed,
                possible_misquote=not earliest and change.possible_misquote,
            )
        )
    return StatementDetail(summary, variants, similar_from_others(store, statement_id))


_ECHO_MIN_SHARED = 2  # index keys (word 3-grams) a quote shares with the statement's first


def similar_from_others(store: Store, statement_id: int, limit: int = 5) -> list[Echo]:
    """Other speakers' statements whose words run like this one's (an echo, a rebuttal).

    Found through the index keys of the statement's earliest quote, as
    linking finds repeats; each is another speaker's own statement, listed
    by how many keys it shares.
    """
    rows = store.conn.execute(
        "SELECT o.statement_id, os.speaker_id, sp.name AS speaker_entity,"
        " fq.content_text, os.articles"
        " FROM (SELECT g.quote_id, count(*) AS shared FROM statements s"
        "       JOIN quote_grams mine ON mine.quote_id = s.first_quote_id"
        "       JOIN quote_grams g ON g.hash = mine.hash AND g.quote_id != s.first_quote_id"
        "       WHERE s.id = ? GROUP BY g.quote_id HAVING shared >= ?) c"
        " JOIN quotes o ON o.id = c.quote_id"
        " JOIN statements os ON os.id = o.statement_id"
        " JOIN statements s ON s.id = ?"
        " JOIN quotes fq ON fq.id = os.first_quote_id"
        " LEFT JOIN speakers sp ON sp.id = os.speaker_id"
        " WHERE o.statement_id != s.id AND os.speaker_id IS NOT s.speaker_id"
        " GROUP BY o.statement_id ORDER BY max(c.shared) DESC, o.statement_id LIMIT ?",
        (statement_id, _ECHO_MIN_SHARED, statement_id, limit),
    ).fetchall()
    return [
        Echo(
            statement_id=int(r["statement_id"]),
            speaker_id=r["speaker_id"],
            speaker_entity=r["speaker_entity"],
            content_text=r["content_text"],
            articles=int(r["articles"]),
        )
        for r in rows
    ]


def linked_articles(store: Store) -> list[dict[str, Any]]:
    """Every stored article as ``{"id": its input id, "quotes": [...]}``, each quote with its
    content pieces, ``statement_id``, ``type`` and ``changed_words`` (each word changed
    against the statement's earliest wording): what ``evaluate.score_statements`` reads."""
    articles: dict[str, dict[str, Any]] = {}
    for row in store.rows(
        "SELECT a.input_id, q.id, q.content_start, q.content_end, q.content_parts,"
        " q.content_text, q.statement_id, q.type, s.first_quote_id, fq.content_text AS first"
        " FROM quotes q JOIN articles a ON a.id = q.article_id"
        " LEFT JOIN statements s ON s.id = q.statement_id"
        " LEFT JOIN quotes fq ON fq.id = s.first_quote_id ORDER BY a.id, q.seq"
    ):
        article = articles.setdefault(str(row["input_id"]), {"id": str(row["input_id"])})
        parts = parts_of(row["content_parts"], row["content_start"], row["content_end"])
        changed: tuple[tuple[str, str], ...] = ()
        if row["first"] is not None and row["first_quote_id"] != row["id"]:
            reported = row["type"] != QuoteType.DIRECT.value
            changed = variant_change(row["first"], row["content_text"], reported=reported).changed
        article.setdefault("quotes", []).append(
            {
                "content": [parts[0][0], parts[-1][1]],
                "content_parts": [list(p) for p in parts],
                "statement_id": row["statement_id"],
                "type": row["type"],
                "changed_words": [list(pair) for pair in changed],
            }
        )
    return list(articles.values())
