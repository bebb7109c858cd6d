"""Statements: one quotation as the whole press carried it.

The store links each new quote to the statement it repeats (see
``saidwhat.linking`` and ``Store._link``); this module reads them back:
the list, most carried first, and one statement's variants, each diffed
word by word against the earliest appearance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saidwhat.linking import DiffOp, gram_hashes, normalise_words, variant_change, word_diff
from saidwhat.model import QuoteType
from saidwhat.store import search
from saidwhat.store.queries import DayCount
from saidwhat.store.rows import parts_of
from saidwhat.store.store import Store

__all__ = [
    "DiffOp",
    "Echo",
    "OutletSpread",
    "StatementDetail",
    "StatementList",
    "StatementSummary",
    "Variant",
    "WordingGroup",
    "carriers_per_day",
    "linked_articles",
    "list_statements",
    "outlet_spread",
    "similar_from_others",
    "statement_detail",
    "statement_summary",
    "wording_groups",
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
    first_quote_id: int
    first_title: str | None
    first_url: str | None


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
           fa.id AS first_article_id, fa.outlet AS first_outlet, s.first_quote_id,
           fa.title AS first_title, fa.url AS first_url
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
        first_quote_id=int(r["first_quote_id"]),
        first_title=r["first_title"],
        first_url=r["first_url"],
    )


@dataclass(frozen=True, slots=True)
class StatementList:
    """One page of statements and how many there are (more than ``total`` unless ``exact``)."""

    total: int
    items: list[StatementSummary]
    exact: bool = True


def list_statements(
    store: Store,
    *,
    speaker_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
    min_articles: int = 1,
) -> StatementList:
    """One page of statements, most carried (articles, then quotes) first, and their count.

    ``min_articles`` leaves out statements carried by fewer articles (2 hides
    the quotes that only one article has). Counted as a search counts
    (``search.COUNT_BOUND``, or the page's end): millions of statements are
    "more than 10,000", not a scan of them all.
    """
    condition = "s.articles >= ? AND s.quotes > 0"
    params: list[object] = [min_articles]
    if speaker_id is not None:
        condition += " AND s.speaker_id = ?"
        params.append(speaker_id)
    total, exact = search.count_up_to(
        lambda sql, values: store.conn.execute(sql, values).fetchall(),
        f"FROM statements s WHERE {condition}",
        params,
        limit=limit,
        offset=offset,
    )
    rows = store.conn.execute(
        f"{_SUMMARY} WHERE {condition} ORDER BY s.articles DESC, s.quotes DESC, s.id"
        " LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return StatementList(total, [_summary(r) for r in rows], exact)


def statement_summary(store: Store, statement_id: int) -> StatementSummary | None:
    """One statement's counts and earliest appearance; None when unknown."""
    row = store.conn.execute(_SUMMARY + " WHERE s.id = ?", (statement_id,)).fetchone()
    return None if row is None else _summary(row)


def _variant(summary: StatementSummary, m: Any) -> Variant:
    """A quote of the statement (a row of quote and article columns), diffed to the earliest."""
    earliest = int(m["id"]) == summary.first_quote_id
    reported = m["type"] != QuoteType.DIRECT.value
    change = variant_change(summary.content_text, m["content_text"], reported=reported)
    return Variant(
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


def statement_detail(store: Store, statement_id: int) -> StatementDetail | None:
    """One statement and every quote of it, diffed against the earliest; None when unknown."""
    summary = statement_summary(store, statement_id)
    if summary is None:
        return None
    members = store.conn.execute(
        "SELECT q.id, q.article_id, q.content_text, q.type, a.title, a.outlet, a.published,"
        " a.url FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.statement_id = ?"
        " ORDER BY q.id = ? DESC, q.type != 'direct', a.published IS NULL, a.published, a.id,"
        " q.seq",
        (statement_id, summary.first_quote_id),
    ).fetchall()
    variants = [_variant(summary, m) for m in members]
    return StatementDetail(summary, variants, similar_from_others(store, statement_id))


@dataclass(frozen=True, slots=True)
class WordingGroup:
    """Every quote of a statement in one wording: how many, where, and its earliest carrier."""

    variant: Variant  # the wording's earliest carrier, diffed against the statement's first
    quotes: int
    articles: int
    outlets: tuple[str | None, ...]  # first carried first


# The quotes of one statement as wordings: the same words, quoted or reported, are one.
_WORDINGS = """
    SELECT q.content_text, q.type != 'direct' AS reported, count(*) AS quotes,
           count(DISTINCT q.article_id) AS articles, max(q.id = :first) AS has_first,
           min(coalesce(a.published, '~')) AS first_published
    FROM quotes q JOIN articles a ON a.id = q.article_id
    WHERE q.statement_id = :statement
    GROUP BY q.content_text, reported
"""


def wording_groups(
    store: Store, summary: StatementSummary, *, limit: int = 20, offset: int = 0
) -> tuple[int, list[WordingGroup]]:
    """(how many wordings, one page of them) of a statement: the earliest wording first, then
    the quoted ones before the reported, most carried first.

    Grouped in SQL (identical content text, quoted or reported), so a statement
    carried 300 times costs one page of groups, not 300 diffs.
    """
    names = {"statement": summary.statement_id, "first": summary.first_quote_id}
    total = int(store.conn.execute(f"SELECT count(*) FROM ({_WORDINGS})", names).fetchone()[0])
    rows = store.conn.execute(
        f"SELECT * FROM ({_WORDINGS}) ORDER BY has_first DESC, reported, quotes DESC,"
        " first_published, content_text LIMIT :limit OFFSET :offset",
        {**names, "limit": limit, "offset": offset},
    ).fetchall()
    groups = []
    for row in rows:
        carriers = store.conn.execute(
            "SELECT q.id, q.article_id, q.content_text, q.type, a.title, a.outlet, a.published,"
            " a.url FROM quotes q JOIN articles a ON a.id = q.article_id"
            " WHERE q.statement_id = ? AND q.content_text = ? AND (q.type != 'direct') = ?"
            " ORDER BY q.id = ? DESC, a.published IS NULL, a.published, a.id, q.seq",
            (summary.statement_id, row["content_text"], row["reported"], summary.first_quote_id),
        ).fetchall()
        outlets = list(dict.fromkeys(c["outlet"] for c in carriers))
        groups.append(
            WordingGroup(
                variant=_variant(summary, carriers[0]),
                quotes=int(row["quotes"]),
                articles=int(row["articles"]),
                outlets=tuple(outlets),
            )
        )
    return total, groups


@dataclass(frozen=True, slots=True)
class OutletSpread:
    outlet: str | None
    quotes: int
    first: str  # the first day it carried the statement, YYYY-MM-DD ('' when undated)


def outlet_spread(store: Store, statement_id: int) -> list[OutletSpread]:
    """Each outlet that carried a statement, the first to carry it first (undated last)."""
    rows = store.conn.execute(
        "SELECT a.outlet, count(*) AS quotes, min(substr(a.published, 1, 10)) AS first"
        " FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.statement_id = ?"
        " GROUP BY a.outlet ORDER BY first IS NULL, first, a.outlet",
        (statement_id,),
    ).fetchall()
    return [OutletSpread(r["outlet"], int(r["quotes"]), r["first"] or "") for r in rows]


def carriers_per_day(store: Store, statement_id: int) -> list[DayCount]:
    """How many articles carried a statement each day (undated ones left out), oldest first."""
    rows = store.conn.execute(
        "SELECT substr(a.published, 1, 10) AS day, count(DISTINCT a.id) AS n"
        " FROM quotes q JOIN articles a ON a.id = q.article_id"
        " WHERE q.statement_id = ? AND a.published IS NOT NULL GROUP BY day ORDER BY day",
        (statement_id,),
    ).fetchall()
    return [DayCount(r["day"], int(r["n"])) for r in rows]


_ECHO_MIN_SHARED = 2  # index keys (word 3-grams) a quote shares with the statement's first


def similar_from_others(store: Store, statement_id: int, limit: int = 5) -> list[Echo]:
    """Other speakers' statements whose words run like this one's (an echo, a rebuttal).

    Found through the index keys of the statement's earliest quote, as
    linking finds repeats; each is another speaker's own statement, listed
    by how many keys it shares. The keys are computed from the quote's words
    as linking computes them: the gram index is keyed by hash, not by quote.
    """
    first = store.conn.execute(
        "SELECT s.first_quote_id, s.speaker_id, fq.content_text FROM statements s"
        " JOIN quotes fq ON fq.id = s.first_quote_id WHERE s.id = ?",
        (statement_id,),
    ).fetchone()
    if first is None:
        return []
    hashes = sorted(gram_hashes(normalise_words(first["content_text"])))
    if not hashes:
        return []
    rows = store.conn.execute(
        "SELECT o.statement_id, os.speaker_id, sp.name AS speaker_entity,"
        " fq.content_text, os.articles"
        " FROM (SELECT g.quote_id, count(*) AS shared FROM quote_grams g"
        f"       WHERE g.hash IN ({','.join('?' * len(hashes))}) AND g.quote_id != ?"
        "       GROUP BY g.quote_id HAVING shared >= ?) c"
        " JOIN quotes o ON o.id = c.quote_id"
        " JOIN statements os ON os.id = o.statement_id"
        " JOIN quotes fq ON fq.id = os.first_quote_id"
        " LEFT JOIN speakers sp ON sp.id = os.speaker_id"
        " WHERE o.statement_id != ? AND os.speaker_id IS NOT ?"
        " GROUP BY o.statement_id ORDER BY max(c.shared) DESC, o.statement_id LIMIT ?",
        (
            *hashes,
            first["first_quote_id"],
            _ECHO_MIN_SHARED,
            statement_id,
            first["speaker_id"],
            limit,
        ),
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
