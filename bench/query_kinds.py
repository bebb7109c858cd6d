"""How long each kind of read takes on a bulk store: the searches and pages of the UI.

Each kind is ~20 varied calls of the store's own functions (no HTTP): the
searches of ``saidwhat.store.search`` (a rare word, a word half the quotes
contain, a phrase, a prefix, the top speaker alone and with a word, an
outlet, a date range, newest first, facet counts) and the lists and pages
(speakers, statements, a speaker, an article, a statement). The calls run
twice: the second round is the kind's figure (what they read is in the page
cache, as on a server that has been answering), the first is printed beside
it (the same calls, reading what the cache did not hold from disk). A kind
stops at ``cap_s`` seconds, its figures then a lower bound ("> X ms"); a call
running past the cap is interrupted by SQLite's progress handler.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bulk_store import DAYS, FIRST_DAY, HALF_WORD, Vocabulary

from saidwhat.store import Store
from saidwhat.store.queries import article_detail, speaker_detail
from saidwhat.store.search import (
    QuoteFilter,
    facet_counts,
    search_quotes,
    speaker_total,
    top_speakers,
)
from saidwhat.store.statements import list_statements, statement_detail

TARGET_MS = 100.0  # issue 17: every kind under 100 ms at p95
CALLS = 20
PROGRESS_STEPS = 10_000  # SQLite VM steps between checks of the cap

Call = Callable[[Store], object]


@dataclass(frozen=True, slots=True)
class QueryKind:
    name: str
    calls: tuple[Call, ...]


@dataclass(frozen=True, slots=True)
class KindTiming:
    """The milliseconds of a kind's calls; ``capped`` when the cap cut it short."""

    name: str
    timings_ms: tuple[float, ...]  # the last round's
    capped: bool
    planned: int
    first_ms: tuple[float, ...] = ()  # the first round's, when there were more (pages cold)

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms) if self.timings_ms else 0.0

    @property
    def p95(self) -> float:
        return _p95(self.timings_ms)

    @property
    def first_p95(self) -> float | None:
        return _p95(self.first_ms) if self.first_ms else None

    def cell(self, value: float) -> str:
        """A figure as the tables show it: "> X" when the cap cut the kind short."""
        return f"> {max(self.timings_ms):,.0f}" if self.capped else f"{value:,.1f}"

    @property
    def met(self) -> bool:
        return not self.capped and self.p95 < TARGET_MS


def _p95(timings_ms: Sequence[float]) -> float:
    ordered = sorted(timings_ms)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)] if ordered else 0.0


def _search(where: QuoteFilter) -> Call:
    return lambda store: search_quotes(store, where, limit=20)


def _day(offset: int) -> str:
    return (date.fromordinal(FIRST_DAY) + timedelta(days=offset)).isoformat()


def _facets(where: QuoteFilter) -> Call:
    return lambda store: facet_counts(store, where)


def _statements_page(page: int) -> Call:
    return lambda store: list_statements(store, limit=20, offset=20 * page)


def _article_page(article_id: int) -> Call:
    return lambda store: article_detail(store, article_id)


def _statement_page(statement_id: int) -> Call:
    return lambda store: statement_detail(store, statement_id)


def _speakers_page(page: int) -> Call:
    return lambda store: (top_speakers(store, limit=20, offset=20 * page), speaker_total(store))


def _speaker_page(speaker_id: int) -> Call:
    return lambda store: (
        speaker_detail(store, speaker_id),
        list_statements(store, speaker_id=speaker_id, limit=20),
    )


def query_kinds(store: Store, vocab: Vocabulary) -> list[QueryKind]:
    """The kinds of read to time, each with ``CALLS`` calls (varied where the store allows:
    one speaker is the top one, one word is in half the quotes)."""
    words, top = vocab.words, vocab.speakers[0].name
    spread = [words[min(len(words) - 1, int(1.6**i))] for i in range(CALLS)]  # ranks 1..12k
    articles = int(store.conn.execute("SELECT max(id) FROM articles").fetchone()[0])
    carried = [s.statement_id for s in list_statements(store, limit=CALLS).items]
    searches = {
        "rare word": [QuoteFilter(text=w) for w in words[-CALLS:]],
        "half word": [QuoteFilter(text=HALF_WORD)] * CALLS,
        "phrase": [QuoteFilter(text=f'"{words[i]} {words[i + 1]}"') for i in range(CALLS)],
        "prefix": [QuoteFilter(text=w[:4] + "*") for w in words[100 : 100 + CALLS]],
        "top speaker": [QuoteFilter(speaker=top)] * CALLS,
        "top speaker + word": [QuoteFilter(text=w, speaker=top) for w in spread],
        "outlet": [QuoteFilter(outlet=o) for o in vocab.outlets[:CALLS]],
        "date range (30 days)": [
            QuoteFilter(since=_day(k * DAYS // CALLS), until=_day(k * DAYS // CALLS + 29))
            for k in range(CALLS)
        ],
        "newest, no words": [QuoteFilter()] * CALLS,
    }
    pages: dict[str, list[Call]] = {
        "facet counts": [_facets(QuoteFilter(text=w)) for w in spread],
        "speakers list": [_speakers_page(page) for page in range(CALLS)],
        "statements list": [_statements_page(page) for page in range(CALLS)],
        "top speaker's page": [_speaker_page(1)] * CALLS,
        "article page": [_article_page(1 + k * articles // CALLS) for k in range(CALLS)],
        "statement page": [_statement_page(s) for s in carried],
    }
    return [
        *(QueryKind(name, tuple(_search(w) for w in wheres)) for name, wheres in searches.items()),
        *(QueryKind(name, tuple(calls)) for name, calls in pages.items()),
    ]


def _timed_ms(store: Store, call: Call, deadline: float) -> tuple[float, bool]:
    """The milliseconds of ``call``, and whether it was interrupted at ``deadline``."""
    store.conn.set_progress_handler(lambda: time.perf_counter() > deadline, PROGRESS_STEPS)
    start = time.perf_counter()
    try:
        call(store)
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc):
            raise
        return (time.perf_counter() - start) * 1000, True
    finally:
        store.conn.set_progress_handler(None, 0)
    return (time.perf_counter() - start) * 1000, False


def time_kind(store: Store, kind: QueryKind, cap_s: float, rounds: int = 2) -> KindTiming:
    """Run a kind's calls in turn, ``rounds`` times, until they are done or ``cap_s``
    seconds have passed in a round. The last round is the kind's figure (the store's pages
    its calls read are in the page cache, as on a server that has been answering); the
    first is kept beside it (``first_ms``): the same calls reading from disk when the
    cache held other things."""
    rounds_ms: list[tuple[float, ...]] = []
    capped = False
    for _ in range(rounds):
        deadline = time.perf_counter() + cap_s
        timings: list[float] = []
        for call in kind.calls:
            if time.perf_counter() > deadline:
                capped = True
                break
            ms, interrupted = _timed_ms(store, call, deadline)
            timings.append(ms)
            if interrupted:
                capped = True
                break
        rounds_ms.append(tuple(timings))
        if capped:
            break
    first = rounds_ms[0] if len(rounds_ms) > 1 else ()
    return KindTiming(kind.name, rounds_ms[-1], capped, len(kind.calls), first)


def print_size_table(quotes: int, timings: Sequence[KindTiming]) -> None:
    """One store's figures: median and p95 of each kind, against the target."""
    print(f"\n## {quotes:,} quotes\n")
    print(
        f"| kind | calls | median ms | p95 ms | p95 < {TARGET_MS:.0f} ms | first round's p95 ms |"
    )
    print("|---|---|---|---|---|---|")
    for t in timings:
        calls = f"{len(t.timings_ms)}/{t.planned}"
        first = "-" if t.first_p95 is None else f"{t.first_p95:,.1f}"
        print(
            f"| {t.name} | {calls} | {t.cell(t.median)} | {t.cell(t.p95)} |"
            f" {'met' if t.met else 'NOT MET'} | {first} |"
        )


def print_summary(results: Mapping[int, Sequence[KindTiming]]) -> None:
    """p95 of each kind at each size, each marked against the target."""
    sizes = sorted(results)
    print(f"\n## p95 ms by kind and store size (target < {TARGET_MS:.0f} ms)")
    print("| kind | " + " | ".join(f"{n:,}" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    names = [t.name for t in results[sizes[0]]]
    for name in names:
        cells = []
        for n in sizes:
            t = next(t for t in results[n] if t.name == name)
            first = "" if t.first_p95 is None else f" (first round {t.first_p95:,.1f})"
            cells.append(f"{t.cell(t.p95)} {'met' if t.met else 'NOT MET'}{first}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def query_plans(store: Store, kind: QueryKind, cap_s: float) -> list[tuple[str, float, list[str]]]:
    """The SQL statements the first call of ``kind`` runs (parameters bound), the
    milliseconds of each run alone (up to ``cap_s``) and their plans (one statement for
    each plan: the first, in the order they ran).

    What the slowest kinds spend their time on: ``EXPLAIN QUERY PLAN`` of
    exactly the statements the store's functions send.
    """
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        kind.calls[0](store)
    finally:
        store.conn.set_trace_callback(None)
    plans: dict[tuple[str, ...], str] = {}  # a plan: the first statement that had it
    # Left out: the statements SQLite runs inside another (FTS5's own, traced as "-- …")
    # and pragmas.
    for sql in (s for s in statements if not s.startswith(("--", "PRAGMA", "SELECT k, v"))):
        rows = store.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        plans.setdefault(tuple(f"{'  ' * _depth(rows, r[0])}{r[3]}" for r in rows), sql)
    return [(sql, _statement_ms(store, sql, cap_s), list(plan)) for plan, sql in plans.items()]


def _statement_ms(store: Store, sql: str, cap_s: float) -> float:
    """The milliseconds of one SQL statement, all its rows fetched (stopped at ``cap_s``)."""
    ms, _ = _timed_ms(store, lambda s: s.conn.execute(sql).fetchall(), time.perf_counter() + cap_s)
    return ms


def _depth(rows: Sequence[sqlite3.Row], node: int) -> int:
    """How deep a node of a query plan sits (its parent chain)."""
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, parents.get(node, 0)
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth


def print_plans(
    store: Store, kinds: Sequence[QueryKind], timings: Sequence[KindTiming], n: int, cap_s: float
) -> None:
    """The statements, their times and query plans of the ``n`` slowest kinds (by p95)."""
    by_name = {k.name: k for k in kinds}
    slowest = sorted(timings, key=lambda t: (t.capped, t.p95), reverse=True)[:n]
    for t in slowest:
        print(f"\n### query plans: {t.name} (p95 {t.cell(t.p95)} ms)")
        for sql, ms, plan in query_plans(store, by_name[t.name], cap_s):
            print(f"\n    [{ms:,.1f} ms] {' '.join(sql.split())}")
            print("\n".join(f"      {line}" for line in plan))
