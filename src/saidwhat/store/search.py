"""Search over stored quotes: full text, speaker, outlet, dates, type, confidence.

Users type queries like ``next target``, ``"next target"``, ``Russia's
threat``, ``nato OR alliance``, ``sanction*``. FTS5's own syntax rejects
an apostrophe or a hyphen in a bare word, so the query is rewritten: every
word becomes a quoted FTS5 string, and only ``AND``/``OR``/``NOT``, quoted
phrases and a trailing ``*`` keep their meaning. The result always goes to
SQLite as a parameter, never into the SQL text.
"""

from __future__ import annotations

import heapq
import math
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from operator import attrgetter

from saidwhat.errors import SaidwhatError
from saidwhat.model import EntityKind, Gender, QuoteType
from saidwhat.store.identity import person_name
from saidwhat.store.rows import (
    QUOTE_SELECT,
    StoredQuote,
    stored_quote,
)
from saidwhat.store.store import Store

_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


class SearchError(SaidwhatError):
    """A search the user asked for cannot run as written; the message says why."""


def _quoted(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One word or quoted phrase of a query, as the full-text index reads it."""

    text: str  # the word or phrase as typed, without its quotation marks or trailing *
    prefix: bool = False  # word*: any word that starts with it
    joined_by: str | None = None  # AND, OR or NOT before it (None: an implied AND)

    @property
    def excluded(self) -> bool:
        """True for a term after NOT: the quotes found do not have it."""
        return self.joined_by == "NOT"

    def fts(self) -> str:
        """The term in FTS5 syntax, its operator before it."""
        term = _quoted(self.text) + ("*" if self.prefix else "")
        return f"{self.joined_by} {term}" if self.joined_by else term


def query_terms(query: str) -> list[QueryTerm]:
    """The words and phrases of what a user typed; SearchError when it cannot mean anything.

    >>> [(t.text, t.prefix, t.joined_by) for t in query_terms('"next target" OR sanction*')]
    [('next target', False, None), ('sanction', True, 'OR')]
    """
    if query.count('"') % 2:
        raise SearchError(f"unbalanced quotation mark in the query {query!r}: close the phrase")
    terms: list[QueryTerm] = []
    operator: str | None = None
    for match in _TOKEN.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if word is not None and word in _OPERATORS:
            if operator is not None or not terms:  # at the start as wrong as after another
                raise SearchError(
                    f"'{word}' in {query!r} needs words on both sides (e.g. 'nato {word} alliance')"
                )
            operator = word
            continue
        if phrase is not None:
            if not phrase.strip():
                continue
            terms.append(QueryTerm(phrase, joined_by=operator))
        else:
            text = word.strip("*")
            if not any(c.isalnum() for c in text):
                continue  # punctuation alone matches nothing
            terms.append(QueryTerm(text, prefix=word.endswith("*"), joined_by=operator))
        operator = None
    if not terms:
        raise SearchError(f"the query {query!r} has no words to search for")
    if operator is not None:
        raise SearchError(f"the query {query!r} ends with an operator: add the words it joins")
    return terms


def fts_query(query: str) -> str:
    """The FTS5 query for what a user typed; SearchError when it cannot mean anything.

    >>> fts_query("Russia's next target")
    '"Russia\\'s" "next" "target"'
    >>> fts_query('"next target" OR sanction*')
    '"next target" OR "sanction"*'
    """
    return " ".join(term.fts() for term in query_terms(query))


# Speakers put into one full-text match; more (a bare surname many share) are filtered after.
_MAX_MATCHED_SPEAKERS = 32


def full_text_match(query: str, speaker_ids: Sequence[int] = ()) -> str:
    """The MATCH of what a user typed (over the quotes' words only), and of the speakers.

    The index holds each quote's words and its speaker as a token (``s<id>``):
    the user's words are kept to the words' column, so they never match a
    speaker token, and the speakers join the match so the index intersects
    them with the words.

    >>> full_text_match("quay", [3, 7])
    '{content_text} : ("quay") AND speaker_key : ("s3" OR "s7")'
    """
    match = "{content_text} : (" + fts_query(query) + ")"
    if 0 < len(speaker_ids) <= _MAX_MATCHED_SPEAKERS:
        match += " AND speaker_key : (" + " OR ".join(f'"s{i}"' for i in speaker_ids) + ")"
    return match


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text as the full-text index sees it: where it is, and its folded form."""

    start: int
    end: int
    folded: str


def fold(word: str) -> str:
    """A word as ``unicode61 remove_diacritics 2`` indexes it: lower case, no diacritics.

    >>> fold("Dvořák"), fold("ÆRØ"), fold("Straße")
    ('dvorak', 'ærø', 'straße')
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def _in_word(char: str) -> bool:
    # unicode61's token characters: letters, numbers, private use; diacritics join a word.
    return char.isalnum() or unicodedata.category(char) in ("Mn", "Co")


def fts_tokens(text: str) -> list[Token]:
    """The words of ``text`` as the full-text index splits them (``unicode61``).

    >>> [(t.start, t.end, t.folded) for t in fts_tokens("Russia's café_bar")]
    [(0, 6, 'russia'), (7, 8, 's'), (9, 13, 'cafe'), (14, 17, 'bar')]
    """
    tokens: list[Token] = []
    start: int | None = None
    for index, char in enumerate(f"{text} "):  # the space ends the last word
        if _in_word(char) and index < len(text):
            if start is None:
                start = index
        elif start is not None:
            tokens.append(Token(start, index, fold(text[start:index])))
            start = None
    return tokens


def _day_after(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def parse_day(value: str, option: str) -> str:
    """An ISO date from a ``--since``/``--until`` value, or SearchError naming the option."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise SearchError(f"{option} takes a date as YYYY-MM-DD, not {value!r}") from None


QuoteHit = StoredQuote
"""One quote found: its record, ids and article (``saidwhat.store.rows.StoredQuote``)."""


COUNT_BOUND = 10_000
"""A search counts its matches up to this many (or its page's end, when further)."""


RANK_POOL = 2_000
"""In a large store, best match first counts and ranks at most the latest this many
matches (or up to the page's end, when further); ``SearchResult.ranked`` says so."""

BM25_QUOTES = 200_000
"""Up to this many quotes in the store, FTS5's ``bm25`` ranks the matches. Its statistics
pass reads every match of each word of the query in the whole store (a word half of ten
million quotes have: 0.2 s), so a larger store ranks its candidates itself
(``candidate_scores``), unless the query's words have few matches in all
(``BM25_POSTINGS``)."""

BM25_POSTINGS = 250_000
"""In a large store, ``bm25`` still ranks a query whose words' matches in the whole store
(for a phrase, each of its words': its passes read the positions of all of them; for
the speaker, its quotes) add up to no more than this:
its statistics pass then costs a few milliseconds, and reads no quote's text."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int  # the quotes found; when not ``exact``, more than this many
    hits: list[QuoteHit] = field(default_factory=list)
    exact: bool = True
    ranked: int | None = None  # best match first among only the latest this many matches


@dataclass(frozen=True, slots=True)
class QuoteFilter:
    """What to look for; every field is optional."""

    text: str | None = None
    speaker: str | None = None
    outlet: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    type: QuoteType | None = None
    min_confidence: float = 0.0
    article_id: int | None = None
    gender: Gender | None = None  # the speaker's, as the text shows it
    kind: EntityKind | None = None  # the speaker's: person, organisation, group, unknown


def speaker_ids(store: Store, name: str) -> list[int]:
    """Stored speakers a user's name refers to: a knowledge-base id, a name or an alias."""
    rows = store.conn.execute(
        "SELECT id FROM speakers WHERE external_id = ?", (name.strip(),)
    ).fetchall()
    if rows:
        return [int(r["id"]) for r in rows]
    found = store.find_speaker(name, EntityKind.UNKNOWN)
    if found is not None:
        return [found]
    # A bare surname ("Rutte") means every person who has it.
    person = person_name(name)
    if person is None or person.given is not None:
        return []
    rows = store.conn.execute(
        "SELECT id FROM speakers WHERE surname = ? AND kind = ?",
        (person.surname, EntityKind.PERSON.value),
    ).fetchall()
    return [int(r["id"]) for r in rows]


# Which quotes' speakers have each gender: people only, and a person whose gender the
# articles do not show (NULL, or "unknown" from a loaded record) is unknown.
GENDER_CONDITIONS: dict[Gender, str] = {
    Gender.FEMALE: "s.kind = 'person' AND s.gender = 'female'",
    Gender.MALE: "s.kind = 'person' AND s.gender = 'male'",
    Gender.UNKNOWN: (
        "s.kind = 'person' AND (s.gender IS NULL OR s.gender NOT IN ('female', 'male'))"
    ),
}


@dataclass(frozen=True, slots=True)
class QuoteSelection:
    """The SQL after ``FROM quotes q`` that selects the quotes of a QuoteFilter.

    ``a`` is the quote's article, ``s`` its speaker (LEFT JOIN: NULL when it
    has none) and, when the filter has words, ``f`` the full-text match.
    """

    joins: list[str]
    conditions: list[str]
    params: list[object]
    source: str = "quotes q"  # what FROM reads (an index it must read the quotes through)

    def body(self) -> str:
        """``FROM quotes q …`` with the joins and the WHERE clause."""
        body = " ".join([f"FROM {self.source}", *self.joins])
        if self.conditions:
            body += " WHERE " + " AND ".join(self.conditions)
        return body


def select_quotes(
    store: Store,
    where: QuoteFilter,
    *,
    words_per_quote: bool = False,
    joined: bool = True,
    by_date: bool = False,
    narrow: bool = False,
) -> QuoteSelection | None:
    """The SQL that selects the quotes matching ``where`` (None: the speaker is no one).

    The words join the full-text match as ``f`` (its rank orders by relevance);
    with ``words_per_quote`` each quote is looked up in the index instead, for
    a scan in another index's order that stops at its LIMIT (a word many
    quotes have, newest first). The article is joined as ``a`` and the
    speaker as ``s``; without ``joined``, only when a filter needs them (a
    count or a page of ids reads less). With ``by_date`` the outlet is
    checked per quote rather than looked up in its index, so that the date
    index drives a scan that stops at its LIMIT. With ``narrow``, each quote
    and its article are read through the narrow indexes of their type,
    speaker and outlet (schema 8), not their whole rows (which hold their
    text): for a scan the words drive, that reads only those columns.
    SearchError when the words or a date cannot be used.
    """
    source, article = "quotes q", "articles a"
    if narrow:
        source = "quotes q INDEXED BY quotes_facets"
        article = "articles a INDEXED BY articles_outlets"
    joins = []
    if joined or where.outlet:
        joins.append(f"JOIN {article} ON a.id = q.article_id")
    if joined or where.gender is not None or where.kind is not None:
        joins.append("LEFT JOIN speakers s ON s.id = q.speaker_id")
    conditions: list[str] = []
    params: list[object] = []
    ids = speaker_ids(store, where.speaker) if where.speaker else []
    if where.speaker and not ids:
        return None
    if where.text:
        match = full_text_match(where.text, ids)
        if words_per_quote:
            conditions.append(
                "EXISTS (SELECT 1 FROM quotes_fts WHERE quotes_fts MATCH ? AND rowid = q.id)"
            )
        else:
            joins.insert(0, "JOIN quotes_fts f ON f.rowid = q.id")
            conditions.append("quotes_fts MATCH ?")
        params.append(match)
    # Speakers the match holds are not filtered again when the match drives the scan
    # (the planner would scan the speaker's quotes and look each up instead); a lookup
    # per quote keeps them, so the speaker's own date index drives it.
    in_match = bool(where.text) and len(ids) <= _MAX_MATCHED_SPEAKERS and not words_per_quote
    if where.speaker and not in_match:
        conditions.append(f"q.speaker_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    elif not where.speaker and _any_hidden(store):  # unless asked for by name
        conditions.append(
            "(q.speaker_id IS NULL OR q.speaker_id NOT IN (SELECT id FROM speakers WHERE hidden))"
        )
    if where.outlet:  # a unary + keeps SQLite from driving the scan by the outlet's index
        conditions.append(("+" if by_date else "") + "a.outlet = ? COLLATE NOCASE")
        params.append(where.outlet)
    # published_at (an ISO date-time or NULL) compares as text: on or after the day, and
    # before the day after ``until``.
    if where.since:
        conditions.append("q.published_at >= ?")
        params.append(parse_day(where.since, "--since"))
    if where.until:
        conditions.append("q.published_at < ?")
        params.append(_day_after(parse_day(where.until, "--until")))
    if where.type is not None:
        conditions.append("q.type = ?")
        params.append(where.type.value)
    if where.gender is not None:
        conditions.append(GENDER_CONDITIONS[where.gender])
    if where.kind is not None:
        conditions.append("s.kind = ?")
        params.append(where.kind.value)
    if where.min_confidence > 0:
        conditions.append("q.confidence >= ?")
        params.append(where.min_confidence)
    if where.article_id is not None:
        conditions.append("q.article_id = ?")
        params.append(where.article_id)
    return QuoteSelection(joins, conditions, params, source)


def _any_hidden(store: Store) -> bool:
    """Whether a user hid any speaker (a partial index answers: schema 7)."""
    return store.conn.execute("SELECT 1 FROM speakers WHERE hidden LIMIT 1").fetchone() is not None


class SearchOrder(StrEnum):
    """The order of the quotes found."""

    RELEVANCE = "relevance"  # best text match first (needs words to rank by)
    NEWEST = "newest"  # latest published first, undated last
    OLDEST = "oldest"  # earliest published first, undated last


ORDER_SQL: dict[SearchOrder, str] = {
    SearchOrder.RELEVANCE: "f.rank, q.id",
    SearchOrder.NEWEST: "q.published_at DESC, q.id DESC",
    SearchOrder.OLDEST: "q.published_at IS NULL, q.published_at, q.id",
}
"""The ORDER BY of each order over a ``QuoteSelection`` (``f``, ``a``, ``q``)."""


def search_order(where: QuoteFilter, order: SearchOrder | None = None) -> SearchOrder:
    """The order a search comes in: ``order``, by default relevance with words, else newest.

    Without words there is nothing to rank by, so relevance is newest first.

    >>> search_order(QuoteFilter(text="ferry")), search_order(QuoteFilter(), SearchOrder.RELEVANCE)
    (<SearchOrder.RELEVANCE: 'relevance'>, <SearchOrder.NEWEST: 'newest'>)
    """
    if order is None or (order is SearchOrder.RELEVANCE and not where.text):
        return SearchOrder.RELEVANCE if where.text else SearchOrder.NEWEST
    return order


@contextmanager
def words_refused(where: QuoteFilter) -> Iterator[None]:
    """Raise the SearchError of the words of ``where`` if the full-text index refuses them."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        refusal = fts_refusal(where, exc)
        if refusal is not None:
            raise refusal from exc
        raise


def matching_rows(
    store: Store, where: QuoteFilter, sql: str, params: Sequence[object]
) -> list[sqlite3.Row]:
    """The rows of ``sql``, a query over the selection of ``where`` (SearchError: its words)."""
    with words_refused(where):
        return store.conn.execute(sql, params).fetchall()


def count_up_to(
    run: Callable[[str, Sequence[object]], Sequence[sqlite3.Row]],
    selected: str,
    params: Sequence[object],
    *,
    limit: int,
    offset: int,
) -> tuple[int, bool]:
    """(how many, exact) rows ``SELECT 1 {selected}`` gives, counted no further than
    ``COUNT_BOUND`` or the page's end; past that, (the bound, False): more than that many.

    ``run`` executes a statement with its parameters and returns its rows.
    """
    bound = max(COUNT_BOUND, offset + limit) + 1
    counted = int(
        run(f"SELECT count(*) FROM (SELECT 1 {selected} LIMIT ?)", [*params, bound])[0][0]
    )
    return (counted, True) if counted < bound else (counted - 1, False)


def search_quotes(
    store: Store,
    where: QuoteFilter,
    *,
    limit: int = 20,
    offset: int = 0,
    order: SearchOrder | None = None,
) -> SearchResult:
    """Quotes matching ``where`` in ``order``: by default best text matches first, else newest.

    The cost follows the page, not the store. The matches are counted up to
    ``COUNT_BOUND`` (or the page's end); past it the total is a lower bound
    (``exact`` False), and so many matches are served so: by relevance, the
    latest ``COUNT_BOUND`` matches are ranked; by date, the date index is
    read in order, each quote checked (its words looked up in the full-text
    index, its outlet in its article) until the page is full. Under the
    bound every match is ordered. In a store of more than ``BM25_QUOTES``
    quotes, best match first counts up to ``RANK_POOL`` matches (or the page's
    end) and ranks them itself (``candidate_scores``), and ``ranked`` says how
    many when there were more.
    """
    selection = select_quotes(store, where, joined=False)
    if selection is None:
        return SearchResult(0)
    chosen = search_order(where, order)
    if chosen is SearchOrder.RELEVANCE and _large(store) and not _bm25_affordable(store, where):
        return _best_matches(store, where, selection, limit=limit, offset=offset)
    body, params = selection.body(), selection.params
    total, exact = count_up_to(
        lambda sql, values: matching_rows(store, where, sql, values),
        body,
        params,
        limit=limit,
        offset=offset,
    )
    score = "f.rank" if chosen is SearchOrder.RELEVANCE else "NULL"
    # A page of ids first, over the fewest joins; then its quotes with article and speaker.
    if exact:
        page = (
            f"SELECT q.id AS paged, {score} AS score {body}"
            f" ORDER BY {ORDER_SQL[chosen]} LIMIT ? OFFSET ?"
        )
        page_params = [*params, limit, offset]
    elif chosen is SearchOrder.RELEVANCE:
        pool = f"SELECT q.id AS pooled, f.rank AS score {body} ORDER BY f.rowid DESC LIMIT ?"
        page = (
            f"SELECT pooled AS paged, score FROM ({pool}) ORDER BY score, pooled LIMIT ? OFFSET ?"
        )
        page_params = [*params, total, limit, offset]  # past the bound, total is the bound
    else:  # many matches in date order: read the date index until the page is full
        probed = select_quotes(store, where, words_per_quote=True, joined=False, by_date=True)
        assert probed is not None  # the same speakers as ``selection``
        page = (
            f"SELECT q.id AS paged, NULL AS score {probed.body()}"
            f" ORDER BY {ORDER_SQL[chosen]} LIMIT ? OFFSET ?"
        )
        page_params = [*probed.params, limit, offset]
    again = "page.score, q.id" if chosen is SearchOrder.RELEVANCE else ORDER_SQL[chosen]
    sql = f"WITH page AS ({page}) {QUOTE_SELECT} JOIN page ON page.paged = q.id ORDER BY {again}"
    hits = [stored_quote(r) for r in matching_rows(store, where, sql, page_params)]
    ranked = total if chosen is SearchOrder.RELEVANCE and not exact else None
    return SearchResult(total, hits, exact=exact, ranked=ranked)


def _large(store: Store) -> bool:
    """Whether the store holds more than ``BM25_QUOTES`` quotes: a large store's searches
    rank, count and facet only their latest ``RANK_POOL`` matches."""
    return _quotes_stored(store) > BM25_QUOTES


def _quotes_stored(store: Store) -> int:
    """About how many quotes the store holds (its largest id: one index read)."""
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM quotes").fetchone()[0])


def _bm25_affordable(store: Store, where: QuoteFilter) -> bool:
    """Whether ``bm25``'s statistics pass over the words of ``where`` reads no more than
    ``BM25_POSTINGS`` matches, each word's estimated by ``_matches_estimate``."""
    assert where.text is not None
    budget = BM25_POSTINGS
    stored = _quotes_stored(store)
    ids = speaker_ids(store, where.speaker) if where.speaker else []
    if 0 < len(ids) <= _MAX_MATCHED_SPEAKERS:  # the speakers are a phrase of the match
        marks = ",".join("?" * len(ids))
        budget -= int(
            store.conn.execute(
                f"SELECT coalesce(sum(quotes), 0) FROM speakers WHERE id IN ({marks})", ids
            ).fetchone()[0]
        )
    for term in query_terms(where.text):
        words = [t.folded for t in fts_tokens(term.text)]
        if term.prefix or not words or budget < 0:
            return False  # a prefix's words are merged whole, however few are read
        budget -= sum(_matches_estimate(store, word, stored) for word in words)
    return budget >= 0


_SAMPLED_MATCHES = 1_000


def _matches_estimate(store: Store, word: str, stored: int) -> int:
    """About how many of the ``stored`` quotes have ``word`` (folded): exact when fewer
    than ``_SAMPLED_MATCHES`` do, else what the density of its latest matches (how many
    quotes back the ``_SAMPLED_MATCHES``-th is) gives over the store: a millisecond, where
    counting a common word's matches costs what the count is."""
    latest = store.conn.execute(
        "SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
        ("{content_text} : " + _quoted(word), _SAMPLED_MATCHES),
    ).fetchall()
    if len(latest) < _SAMPLED_MATCHES:
        return len(latest)
    span = max(1, stored - int(latest[-1][0]) + 1)
    return len(latest) * stored // span


def _best_matches(
    store: Store, where: QuoteFilter, selection: QuoteSelection, *, limit: int, offset: int
) -> SearchResult:
    """The page of best matches first in a large store: the latest ``RANK_POOL`` matches
    (or up to the page's end; newest id first) read from the index, counted (more than so
    many when there are more: a common word said by a speaker with 100,000 quotes costs 60
    ms to count to 10,000) and scored by ``candidate_scores``."""
    body, params = selection.body(), selection.params
    bound = max(RANK_POOL, offset + limit) + 1
    # One pass over the index finds, counts and marks the matches (a second pass over the
    # pool's range would read the words' positions again: for a phrase or a prefix of
    # common words, that is half the cost). Words alone are the index's to answer: each
    # of its rows is a stored quote.
    marks = "highlight(quotes_fts, 0, char(1), char(2))"
    words_only = selection.conditions == ["quotes_fts MATCH ?"]
    latest = (
        f"SELECT rowid, {marks} FROM quotes_fts f WHERE quotes_fts MATCH ?"
        if words_only
        else f"SELECT q.id, {marks} {body}"
    )
    found = matching_rows(store, where, f"{latest} ORDER BY f.rowid DESC LIMIT ?", [*params, bound])
    total, exact = (len(found), True) if len(found) < bound else (bound - 1, False)
    marked = found[: max(RANK_POOL, offset + limit)]
    if not marked:
        return SearchResult(total, exact=exact)
    assert where.text is not None  # relevance in a large store: there are words
    scores = candidate_scores([r[1] for r in marked], query_terms(where.text))
    best = heapq.nsmallest(
        offset + limit, zip(scores, (int(r[0]) for r in marked), strict=True), key=_best_first
    )
    paged = [quote_id for _, quote_id in best[offset:]]
    rows = matching_rows(
        store, where, f"{QUOTE_SELECT} WHERE q.id IN ({','.join('?' * len(paged))})", paged
    )
    by_id = {int(r["quote_id"]): stored_quote(r) for r in rows}
    hits = [by_id[quote_id] for quote_id in paged if quote_id in by_id]
    return SearchResult(total, hits, exact=exact, ranked=None if exact else len(marked))


def _best_first(scored: tuple[float, int]) -> tuple[float, int]:
    score, quote_id = scored
    return (-score, quote_id)


_MARKED = re.compile("\x01(.*?)\x02", re.DOTALL)
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's bm25 constants: term saturation, length normalisation


def candidate_scores(marked: Sequence[str], terms: Sequence[QueryTerm]) -> list[float]:
    """The BM25 score of each candidate text (higher is better), its matches marked with
    ``\\x01``…``\\x02`` as FTS5's ``highlight`` marks them, as FTS5's ``bm25`` scores
    them but with the candidates as the collection: a word few of them have weighs more,
    a word most of them have next to nothing.

    >>> texts = ["a \x01ferry\x02 and a \x01ferry\x02", "the \x01ferry\x02 was late again today"]
    >>> a, b = candidate_scores(texts, query_terms("ferry"))
    >>> a > b
    True
    """
    wanted = [
        (tuple(t.folded for t in fts_tokens(term.text)), term.prefix)
        for term in terms
        if not term.excluded
    ]
    in_span: dict[str, tuple[int, ...]] = {}  # a marked span: how often each term is in it

    def occurrences(span: str) -> tuple[int, ...]:
        counts = in_span.get(span)
        if counts is None:
            words = [t.folded for t in fts_tokens(span)]
            counts = tuple(_occurrences(words, phrase, prefix) for phrase, prefix in wanted)
            in_span[span] = counts
        return counts

    # Two thousand candidates a search: the loops stay lean (most have one marked span).
    frequencies: list[tuple[int, ...]] = []
    unmarked = (0,) * len(wanted)
    for text in marked:
        spans = _MARKED.findall(text)
        if len(spans) == 1:
            frequencies.append(occurrences(spans[0]))
        elif not spans:
            frequencies.append(unmarked)
        else:
            frequencies.append(tuple(map(sum, zip(*map(occurrences, spans), strict=True))))
    if not marked:
        return []
    lengths = [max(1, text.count(" ") + 1) for text in marked]  # near enough for its weight
    n, mean_length = len(marked), sum(lengths) / len(marked)
    having = [sum(1 for counts in frequencies if counts[i]) for i in range(len(wanted))]
    # FTS5's own weight of a word: none to speak of when most candidates have it.
    weights = [max(math.log((n - df + 0.5) / (df + 0.5)), 1e-6) for df in having]
    saturated = BM25_K1 + 1
    scale = BM25_K1 * BM25_B / mean_length
    base = BM25_K1 * (1 - BM25_B)
    if len(weights) == 1:  # one word or phrase, the most common query
        (weight,) = weights
        return [
            weight * tf * saturated / (tf + base + scale * length) if tf else 0.0
            for (tf,), length in zip(frequencies, lengths, strict=True)
        ]
    scores = []
    for counts, length in zip(frequencies, lengths, strict=True):
        norm = base + scale * length
        pairs = zip(weights, counts, strict=True)
        scores.append(sum(w * tf * saturated / (tf + norm) for w, tf in pairs if tf))
    return scores


def _occurrences(words: Sequence[str], phrase: Sequence[str], prefix: bool) -> int:
    """How often ``phrase`` (folded words; its last a prefix when ``prefix``) is in ``words``."""
    n = len(phrase)
    if not n:
        return 0
    found = 0
    for start in range(len(words) - n + 1):
        window = words[start : start + n]
        if list(window[:-1]) == list(phrase[:-1]) and (
            window[-1].startswith(phrase[-1]) if prefix else window[-1] == phrase[-1]
        ):
            found += 1
    return found


def fts_refusal(where: QuoteFilter, exc: sqlite3.OperationalError) -> SearchError | None:
    """The SearchError of words SQLite's full-text index refused (None: another failure)."""
    if "fts5" in str(exc) or "MATCH" in str(exc):
        return SearchError(f"the query {where.text!r} cannot be searched: {exc}")
    return None


TOP_OUTLETS = 10


@dataclass(frozen=True, slots=True)
class FacetCount:
    """How many of the quotes found have one value of a filter."""

    value: str | None  # the filter's value; None: quotes with none (no outlet, no speaker)
    quotes: int


@dataclass(frozen=True, slots=True)
class Facets:
    """The quotes of a search counted by outlet, type, speaker kind and speaker gender.

    Each facet counts the quotes every other filter of the search selects,
    but not its own: its counts are what choosing each of its values gives.
    Most quotes first, quotes with no value last; outlets only the
    ``TOP_OUTLETS`` most quoted of ``outlet_total`` (named) outlets. Past
    ``facet_sample`` quotes found, the counts are of the latest so many
    (``sampled``), so their cost follows the sample, not the store.
    """

    outlets: list[FacetCount]
    outlet_total: int
    types: list[FacetCount]
    kinds: list[FacetCount]
    genders: list[FacetCount]
    sampled: int | None = None  # counted over only the latest this many quotes found


@dataclass(frozen=True, slots=True)
class _Group:
    """The quotes of one outlet, type, speaker kind and speaker gender."""

    outlet: str | None
    type: str
    kind: str | None  # None: no speaker
    gender: str | None  # a person's (GENDER_CONDITIONS); None for anyone else
    chosen_outlet: bool  # the outlet the filter asks for (NOCASE, as select_quotes has it)
    quotes: int


def _tally(groups: Iterable[_Group], value: Callable[[_Group], str | None]) -> list[FacetCount]:
    """The quotes of ``groups`` counted by ``value``: most first, then by value, None last."""
    counts: dict[str | None, int] = {}
    for group in groups:
        counts[value(group)] = counts.get(value(group), 0) + group.quotes
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
    return [FacetCount(key, quotes) for key, quotes in ordered if quotes]


def facet_sample(store: Store) -> int:
    """How many of the latest quotes found the facets count at most: ``COUNT_BOUND``, as a
    search counts them; in a large store (``BM25_QUOTES``), ``RANK_POOL``, as best match
    first ranks them, since the quotes found are spread over a large file and each is a
    read of its own."""
    return RANK_POOL if _large(store) else COUNT_BOUND


def facet_counts(store: Store, where: QuoteFilter) -> Facets:
    """The facets of the quotes ``where`` selects (see ``Facets`` for what each counts).

    One scan: the quotes every filter but the four facets' selects, grouped
    by all four, then each facet sums the groups the other three filters keep.
    SearchError when the words or a date of ``where`` cannot be used.
    """
    # When the words drive the scan and the other filters read only what the facets read,
    # each quote found is read in the narrow indexes of those columns.
    narrow = bool(where.text) and not (where.since or where.until or where.min_confidence > 0)
    unfaceted = replace(where, outlet=None, type=None, kind=None, gender=None)
    selection = select_quotes(store, unfaceted, narrow=narrow)
    if selection is None:
        return Facets([], 0, [], [], [])
    gender = " ".join(f"WHEN {GENDER_CONDITIONS[g]} THEN '{g.value}'" for g in Gender)
    chosen = "a.outlet = ? COLLATE NOCASE" if where.outlet else "0"
    # At most the latest quotes found are grouped (``facet_sample``): a word half a big
    # store has would otherwise be a scan of half the store.
    sample = facet_sample(store)
    latest = "f.rowid" if where.text else "q.id"
    found = (
        f"SELECT a.outlet AS outlet, q.type AS type, s.kind AS kind,"
        f" CASE {gender} END AS gender, {chosen} AS chosen"
        f" {selection.body()} ORDER BY {latest} DESC LIMIT ?"
    )
    sql = f"SELECT outlet, type, kind, gender, chosen, count(*) FROM ({found}) GROUP BY 1, 2, 3, 4"
    params = [*([where.outlet] if where.outlet else []), *selection.params, sample]
    rows = matching_rows(store, where, sql, params)
    groups = [_Group(r[0], r[1], r[2], r[3], bool(r[4]), int(r[5])) for r in rows]
    sampled = None
    if sum(g.quotes for g in groups) == sample:  # are there more? the fewest joins say
        fewest = select_quotes(store, unfaceted, joined=False)
        assert fewest is not None  # the same speakers as ``selection``
        beyond = f"SELECT 1 {fewest.body()} ORDER BY {latest} DESC LIMIT 1 OFFSET ?"
        if matching_rows(store, where, beyond, [*fewest.params, sample]):
            sampled = sample

    def kept(group: _Group, *, but: str) -> bool:
        """Whether the filters of ``where`` other than ``but`` keep the quotes of ``group``."""
        return (
            (but == "outlet" or not where.outlet or group.chosen_outlet)
            and (but == "type" or where.type is None or group.type == where.type.value)
            and (but == "kind" or where.kind is None or group.kind == where.kind.value)
            and (but == "gender" or where.gender is None or group.gender == where.gender.value)
        )

    def facet(name: str) -> list[FacetCount]:
        return _tally((g for g in groups if kept(g, but=name)), attrgetter(name))

    outlets = facet("outlet")
    named = sum(1 for c in outlets if c.value is not None)
    genders = [c for c in facet("gender") if c.value is not None]  # people only
    return Facets(
        outlets[:TOP_OUTLETS], named, facet("type"), facet("kind"), genders, sampled=sampled
    )


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    speaker_id: int
    name: str
    kind: str
    role: str | None
    external_id: str | None
    gender: str | None  # a person's: female, male or unknown; None for anyone else
    resolved: bool
    quotes: int
    articles: int
    outlets: int
    aliases: list[str]
    hidden: bool = False  # a user hid it (saidwhat.store.curation.hide)


def _speaker_selection(
    store: Store,
    name: str | None,
    unresolved: bool,
    *,
    kind: EntityKind | None = None,
    gender: Gender | None = None,
    hidden: bool = False,
) -> tuple[str, list[object]] | None:
    """The WHERE clause over speakers ``s`` of the speakers list (None: the name is no one)."""
    conditions = [] if unresolved else ["s.resolved"]
    if not hidden and not name:  # a speaker a user hid is left out, unless asked for by name
        conditions.append("NOT s.hidden")
    params: list[object] = []
    if kind is not None:
        conditions.append("s.kind = ?")
        params.append(kind.value)
    if gender is not None:
        conditions.append(f"({GENDER_CONDITIONS[gender]})")
    if name:
        ids = speaker_ids(store, name)
        if not ids:
            return None
        conditions.append(f"s.id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    return ("WHERE " + " AND ".join(conditions)) if conditions else "", params


def _person_gender(kind: str, gender: str | None) -> str | None:
    """A speaker's gender as the records give it: a person's, or unknown; None for others."""
    if kind != EntityKind.PERSON.value:
        return None
    return gender if gender in (Gender.FEMALE.value, Gender.MALE.value) else Gender.UNKNOWN.value


def speaker_total(
    store: Store,
    *,
    name: str | None = None,
    unresolved: bool = False,
    kind: EntityKind | None = None,
    gender: Gender | None = None,
    hidden: bool = False,
) -> int:
    """How many speakers ``top_speakers`` lists with the same filters."""
    selection = _speaker_selection(store, name, unresolved, kind=kind, gender=gender, hidden=hidden)
    if selection is None:
        return 0
    condition, params = selection
    return int(
        store.conn.execute(
            "SELECT count(*) FROM speakers s " + _quoted_speakers(condition), params
        ).fetchone()[0]
    )


def _quoted_speakers(condition: str) -> str:
    """``condition`` (a WHERE clause or '') and the speaker has quotes (its kept counter)."""
    return (condition + " AND " if condition else "WHERE ") + "s.quotes > 0"


def top_speakers(
    store: Store,
    *,
    limit: int = 20,
    offset: int = 0,
    name: str | None = None,
    unresolved: bool = False,
    kind: EntityKind | None = None,
    gender: Gender | None = None,
    hidden: bool = False,
) -> list[SpeakerCount]:
    """Speakers by how often they are quoted (most first), optionally only those named, of
    one ``kind`` or (people) of one ``gender``.

    Descriptions an article left unresolved ("one witness", "the council")
    are left out unless ``unresolved``, speakers a user hid unless
    ``hidden`` or ``name``; ``speaker_total`` counts the same list.
    """
    selection = _speaker_selection(store, name, unresolved, kind=kind, gender=gender, hidden=hidden)
    if selection is None:
        return []
    condition, params = selection
    # The counters the store keeps (schema 7): no quote is read to rank the speakers.
    rows = store.conn.execute(
        "SELECT s.id, s.name, s.kind, s.role, s.external_id, s.gender, s.resolved, s.hidden,"
        " s.quotes, s.articles, s.outlets FROM speakers s "
        + _quoted_speakers(condition)
        + " ORDER BY s.quotes DESC, s.name LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    out = []
    for r in rows:
        aliases = [
            a["alias"]
            for a in store.conn.execute(
                "SELECT alias FROM speaker_aliases WHERE speaker_id = ? ORDER BY alias", (r["id"],)
            )
            if a["alias"] != r["name"]
        ]
        out.append(
            SpeakerCount(
                speaker_id=int(r["id"]),
                name=r["name"],
                kind=r["kind"],
                role=r["role"],
                external_id=r["external_id"],
                gender=_person_gender(r["kind"], r["gender"]),
                resolved=bool(r["resolved"]),
                quotes=int(r["quotes"]),
                articles=int(r["articles"]),
                outlets=int(r["outlets"]),
                aliases=aliases,
                hidden=bool(r["hidden"]),
            )
        )
    return out
