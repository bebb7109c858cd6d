"""What the lists read is kept, not counted at each read (issue 17): speaker counters,
quotes per speaker and outlet, each quote's date, and a search count that stops at a bound.

Every counter is checked against a count of the quotes themselves after ingest, after
each curation edit, and after a migration from an older store: the same answers as
counting, at the cost of a row read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from saidwhat.cli import app as cli_app
from saidwhat.model import EntityKind
from saidwhat.server import create_app
from saidwhat.store import Store
from saidwhat.store import search as search_module
from saidwhat.store.curation import merge, resolve_speaker, split
from saidwhat.store.search import QuoteFilter, SearchOrder, search_quotes, top_speakers
from tests.test_server import article, said
from tests.test_store_migration import _store_of_0_1

OUTLETS = ("Harwick Gazette", "Eastmoor Courier", None)


def _counted(store: Store) -> dict[int, tuple[int, int, int]]:
    """Each speaker's quotes, articles and named outlets, counted from the quotes."""
    rows = store.conn.execute(
        "SELECT q.speaker_id, count(*), count(DISTINCT q.article_id), count(DISTINCT a.outlet)"
        " FROM quotes q JOIN articles a ON a.id = q.article_id"
        " WHERE q.speaker_id IS NOT NULL GROUP BY q.speaker_id"
    )
    return {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}


def _kept(store: Store) -> dict[int, tuple[int, int, int]]:
    rows = store.conn.execute(
        "SELECT id, quotes, articles, outlets FROM speakers WHERE quotes > 0"
    ).fetchall()
    return {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}


def _per_outlet_agrees(store: Store) -> None:
    """The kept quotes per speaker and outlet, and per speaker and day, are counts."""
    counted = {
        (int(r[0]), r[1]): (int(r[2]), int(r[3]))
        for r in store.conn.execute(
            "SELECT q.speaker_id, coalesce(a.outlet, ''), count(*), count(DISTINCT a.id)"
            " FROM quotes q JOIN articles a ON a.id = q.article_id"
            " WHERE q.speaker_id IS NOT NULL GROUP BY 1, 2"
        )
    }
    kept = {
        (int(r[0]), r[1]): (int(r[2]), int(r[3]))
        for r in store.conn.execute(
            "SELECT speaker_id, outlet, quotes, articles FROM speaker_outlets"
        )
    }
    assert kept == counted
    per_day = {
        (int(r[0]), r[1]): int(r[2])
        for r in store.conn.execute(
            "SELECT speaker_id, coalesce(substr(published_at, 1, 10), ''), count(*)"
            " FROM quotes WHERE speaker_id IS NOT NULL GROUP BY 1, 2"
        )
    }
    days = {
        (int(r[0]), r[1]): int(r[2])
        for r in store.conn.execute("SELECT speaker_id, day, quotes FROM speaker_days")
    }
    assert days == per_day and sum(per_day.values()) > 0


def build(path: Path) -> Store:
    """Twelve articles of three outlets (one without): two councillors, a body, repeats."""
    store = Store(path)
    for n in range(12):
        text = (
            f"“The quay will reopen in week {n},” said Ilse Varga. "
            f"“Dues stay at {n} crowns,” said Tomas Berg. "
            f"The Harwick Council said the berths were ready. "
            f"“We checked {n} moorings,” Varga added."
        )
        quotes = [
            said(text, f"The quay will reopen in week {n},", "Ilse Varga", cue="said"),
            said(text, f"Dues stay at {n} crowns,", "Tomas Berg", cue="said"),
            said(
                text,
                "the berths were ready",
                "Harwick Council",
                kind=EntityKind.ORGANISATION,
                cue="said",
            ),
            said(text, f"We checked {n} moorings,", "Ilse Varga", cue="added"),
        ]
        published = None if n == 11 else f"2025-0{1 + n % 9}-1{n % 10}T0{n % 10}:00:00"
        store.add(article(f"quay-{n}", text, quotes, outlet=OUTLETS[n % 3], published=published))
    return store


def test_counters_agree_with_the_quotes_after_ingest_and_curation(tmp_path: Path) -> None:
    with build(tmp_path / "news.db") as store:
        assert _kept(store) == _counted(store)
        varga = resolve_speaker(store, "Ilse Varga")
        assert _kept(store)[varga] == (24, 12, 2)  # two quotes an article; None is no outlet
        _per_outlet_agrees(store)
        berg, council = (
            resolve_speaker(store, "Tomas Berg"),
            resolve_speaker(store, "Harwick Council"),
        )
        merge(store, varga, [berg])
        assert _kept(store) == _counted(store) and _kept(store)[varga] == (36, 12, 2)
        _per_outlet_agrees(store)
        split(store, varga, "Tomas Berg")
        assert _kept(store) == _counted(store)
        _per_outlet_agrees(store)
        store.conn.execute("DELETE FROM quotes WHERE speaker_id = ?", (council,))
        assert council not in _kept(store) and _kept(store) == _counted(store)
        _per_outlet_agrees(store)
        listed = top_speakers(store)
        assert [(s.name, s.quotes, s.articles, s.outlets) for s in listed] == [
            ("Ilse Varga", 24, 12, 2),
            ("Tomas Berg", 12, 12, 2),
        ]


def test_the_speakers_list_reads_no_quote(tmp_path: Path) -> None:
    with build(tmp_path / "news.db") as store:
        sql = (
            "SELECT s.id FROM speakers s WHERE s.resolved AND s.quotes > 0"
            " ORDER BY s.quotes DESC, s.name LIMIT 20"
        )
        plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        assert plan == ["SEARCH s USING INDEX speakers_by_quotes (quotes>?)"]


def test_dates_filter_and_order_by_the_quotes_own_date(tmp_path: Path) -> None:
    with build(tmp_path / "news.db") as store:
        kept = dict(store.conn.execute("SELECT id, published_at FROM quotes").fetchall())
        by_article = dict(
            store.conn.execute(
                "SELECT q.id, a.published FROM quotes q JOIN articles a ON a.id = q.article_id"
            ).fetchall()
        )
        assert kept == by_article  # every article here is dated in ISO, or not at all
        newest = search_quotes(store, QuoteFilter(), limit=100, order=SearchOrder.NEWEST)
        dates = [h.published for h in newest.hits]
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=True) and dates[-4:] == [None] * 4
        oldest = search_quotes(store, QuoteFilter(), limit=100, order=SearchOrder.OLDEST)
        assert [h.published for h in oldest.hits][:-4] == sorted(dated)
        one_day = search_quotes(store, QuoteFilter(since="2025-03-12", until="2025-03-12"))
        assert one_day.total == 4 and {h.published for h in one_day.hits} == {"2025-03-12T02:00:00"}
        plan = " ".join(
            r[3]
            for r in store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM quotes q ORDER BY q.published_at DESC, q.id DESC"
                " LIMIT 20"
            )
        )
        assert "quotes_published" in plan and "TEMP B-TREE" not in plan


def test_a_non_iso_date_is_undated_for_filters(tmp_path: Path) -> None:
    with Store(tmp_path / "news.db") as store:
        text = "“The pier is safe,” said Ilse Varga."
        quote = said(text, "The pier is safe,", "Ilse Varga", cue="said")
        store.add(article("pier", text, [quote], published="March 3, 2025"))
        assert store.conn.execute("SELECT published_at FROM quotes").fetchone()[0] is None
        assert search_quotes(store, QuoteFilter(since="2025-01-01")).total == 0
        assert search_quotes(store, QuoteFilter(text="pier")).total == 1


def test_a_count_past_the_bound_says_more_than(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "news.db"
    build(path).close()
    monkeypatch.setattr(search_module, "COUNT_BOUND", 10)
    with Store(path, read_only=True) as store:
        every = QuoteFilter(text="quay OR dues OR berths OR moorings")
        found = search_quotes(store, every, limit=5)
        assert (found.total, found.exact, len(found.hits)) == (10, False, 5)
        page = search_quotes(store, every)  # 20 a page: counted to the page's end and one more
        assert (page.total, page.exact, len(page.hits)) == (20, False, 20)
        deep = search_quotes(store, QuoteFilter(), limit=5, offset=30)
        assert deep.exact is False and deep.total == 35  # counted to the page's end
        few = search_quotes(store, QuoteFilter(text="moorings"))
        assert (few.total, few.exact) == (12, True)
    with TestClient(create_app(path)) as client:
        page = client.get("/", params={"q": "quay OR dues"}).text
        assert 'id="count">more than 20 quotes</p>' in page
        assert "of more than 20 quotes" in page and 'rel="next"' in page
        body = client.get("/api/quotes", params={"q": "quay OR dues", "limit": "5"}).json()
        assert (body["total"], body["total_exact"]) == (10, False)
        assert client.get("/api/quotes", params={"q": "moorings"}).json()["total_exact"] is True
    result = CliRunner().invoke(cli_app, ["search", "quay", "--db", str(path), "-n", "3"])
    assert result.exit_code == 0 and "more than 10 quotes" in result.stdout


def test_a_migrated_store_has_its_counters_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _store_of_0_1(path)
    with Store(path) as store:
        assert _kept(store) == _counted(store) == {1: (1, 1, 1)}
        _per_outlet_agrees(store)
        assert store.conn.execute("SELECT published_at FROM quotes").fetchone()[0] == "2025-01-10"
        assert [s.name for s in top_speakers(store)] == ["Ilse Varga"]


def test_many_matches_are_ordered_by_the_page_not_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the count's bound: newest first still exact (date index, a lookup per quote);
    relevance ranks the latest matches only (as the docs say)."""
    path = tmp_path / "news.db"
    build(path).close()
    words = QuoteFilter(text="quay OR moorings OR dues")
    with Store(path, read_only=True) as store:
        everything = search_quotes(store, words, limit=100, order=SearchOrder.NEWEST)
        ranked_all = search_quotes(store, words, limit=100)
        assert everything.exact and everything.total == 36
        monkeypatch.setattr(search_module, "COUNT_BOUND", 8)
        for offset in (0, 5, 30):
            newest = search_quotes(store, words, limit=5, offset=offset, order=SearchOrder.NEWEST)
            assert not newest.exact or offset + 5 >= 36
            wanted = everything.hits[offset : offset + 5]
            assert [h.quote_id for h in newest.hits] == [h.quote_id for h in wanted]
        gazette = QuoteFilter(outlet="harwick gazette")  # case-blind, as typed
        assert not search_quotes(store, gazette, limit=5).exact
        monkeypatch.setattr(search_module, "COUNT_BOUND", 10_000)
        whole = search_quotes(store, gazette, limit=100, order=SearchOrder.OLDEST)
        monkeypatch.setattr(search_module, "COUNT_BOUND", 8)
        for offset in (0, 7):
            oldest = search_quotes(store, gazette, limit=5, offset=offset, order=SearchOrder.OLDEST)
            assert [h.quote_id for h in oldest.hits] == [
                h.quote_id for h in whole.hits[offset : offset + 5]
            ]
        ranked = search_quotes(store, words, limit=5)
        assert not ranked.exact and len(ranked.hits) == 5
        latest = sorted((h.quote_id for h in ranked_all.hits), reverse=True)[:8]
        assert {h.quote_id for h in ranked.hits} <= set(latest)
        in_rank_order = [h.quote_id for h in ranked_all.hits if h.quote_id in latest][:5]
        assert [h.quote_id for h in ranked.hits] == in_rank_order


def test_facets_past_the_bound_count_the_latest_quotes_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from saidwhat.store.search import facet_counts

    path = tmp_path / "news.db"
    build(path).close()
    with Store(path, read_only=True) as store:
        whole = facet_counts(store, QuoteFilter())
        assert not whole.sampled and sum(c.quotes for c in whole.types) == 48
        monkeypatch.setattr(search_module, "COUNT_BOUND", 8)
        sampled = facet_counts(store, QuoteFilter())
        assert sampled.sampled == 8 and sum(c.quotes for c in sampled.types) == 8
        latest = {
            int(r[0]) for r in store.conn.execute("SELECT id FROM quotes ORDER BY id DESC LIMIT 8")
        }
        outlets = dict(
            store.conn.execute(
                "SELECT a.outlet, count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
                f" WHERE q.id IN ({','.join(map(str, latest))}) GROUP BY a.outlet"
            ).fetchall()
        )
        assert {c.value: c.quotes for c in sampled.outlets} == outlets
        worded = facet_counts(store, QuoteFilter(text="moorings"))
        assert worded.sampled == 8 and sum(c.quotes for c in worded.types) == 8
    with TestClient(create_app(path)) as client:
        assert "(of the latest 8 of them)" in client.get("/").text
    monkeypatch.setattr(search_module, "COUNT_BOUND", 10_000)
    monkeypatch.setattr(search_module, "BM25_QUOTES", 40)  # 48 quotes: a large store
    monkeypatch.setattr(search_module, "RANK_POOL", 5)
    with Store(path, read_only=True) as store:
        large = facet_counts(store, QuoteFilter())
        assert large.sampled == 5 and sum(c.quotes for c in large.types) == 5


def test_words_of_one_speaker_are_one_match_and_follow_curation(tmp_path: Path) -> None:
    with build(tmp_path / "news.db") as store:
        varga, berg = resolve_speaker(store, "Ilse Varga"), resolve_speaker(store, "Tomas Berg")
        of_varga = search_quotes(store, QuoteFilter(text="quay OR dues", speaker="Ilse Varga"))
        assert of_varga.total == 12 and {h.speaker_id for h in of_varga.hits} == {varga}
        # A speaker's token is never a word a user searches for.
        assert search_quotes(store, QuoteFilter(text=f"s{varga}")).total == 0
        merge(store, varga, [berg])  # Berg's quotes move: the index's speaker tokens too
        assert search_quotes(store, QuoteFilter(text="dues", speaker="Ilse Varga")).total == 12
        match = store.conn.execute(
            "SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?",
            (f'speaker_key : "s{berg}"',),
        ).fetchone()[0]
        assert match == 0
        sql = "EXPLAIN QUERY PLAN SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?"
        plan = [r[3] for r in store.conn.execute(sql, ('"dues"',))]
        assert plan and "VIRTUAL TABLE" in plan[0]


def test_a_statements_list_past_the_bound_says_more_than(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from saidwhat.store.statements import list_statements

    path = tmp_path / "news.db"
    build(path).close()
    with Store(path, read_only=True) as store:
        every = list_statements(store, limit=100)
        assert every.exact and every.total == 15  # a number changed is the same statement
        monkeypatch.setattr(search_module, "COUNT_BOUND", 5)
        few = list_statements(store, limit=3)
        assert (few.total, few.exact, len(few.items)) == (5, False, 3)
        assert [s.statement_id for s in few.items] == [s.statement_id for s in every.items[:3]]
    from saidwhat.server import pages as page_module

    monkeypatch.setattr(page_module, "PAGE_SIZE", 3)
    with TestClient(create_app(path)) as client:
        assert "1–3 of more than 5 statements" in client.get("/statements").text
        body = client.get("/api/statements", params={"limit": "3"}).json()
        assert (body["total"], body["total_exact"]) == (5, False)
