"""Best match first in a large store (issue 17): the latest matches ranked by the store itself.

FTS5's ``bm25`` reads every match of each word of a query in the whole store
before it ranks one (a word half of ten million quotes have: 0.2 s), so past
``BM25_QUOTES`` quotes the store ranks its latest ``RANK_POOL`` matches with a
BM25 whose collection is those matches (``candidate_scores``). The tests force
that path on a small store (``BM25_QUOTES = 0``) and compare it with ``bm25``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from saidwhat.model import EntityKind
from saidwhat.store import Store
from saidwhat.store import search as search_module
from saidwhat.store.search import (
    QuoteFilter,
    candidate_scores,
    facet_counts,
    query_terms,
    search_quotes,
)
from tests.test_server import article, said

# Fictional harbour news: each line is one quote, said in its own article.
LINES = (
    ("The night ferry runs again, the night ferry is back.", "Ilse Varga"),
    ("The ferry to Eastmoor sails at nine and returns at six in the evening.", "Tomas Berg"),
    ("We will repaint the lighthouse before the winter storms arrive here.", "Ilse Varga"),
    ("Ferries and barges share the inner basin until the dredging ends.", "Tomas Berg"),
    ("The council has not decided on the ferry fares for next year yet.", "Harwick Council"),
    ("Ferry crews asked for a second crossing on market days, and a ferry.", "Ilse Varga"),
    ("The quay wall needs new stone along most of its western length.", "Tomas Berg"),
    ("A ferry, a lighthouse and a quay: the harbour plan covers them all.", "Ilse Varga"),
)


def build(path: Path) -> None:
    with Store(path) as store:
        for n, (line, name) in enumerate(LINES):
            text = f"“{line}” said {name}."
            kind = EntityKind.ORGANISATION if "Council" in name else EntityKind.PERSON
            quote = said(text, line, name, kind=kind, cue="said")
            outlet = ("Harwick Gazette", "Eastmoor Courier")[n % 2]
            day = f"2025-04-{10 + n:02d}"
            store.add(article(f"harbour-{n}", text, [quote], outlet=outlet, published=day))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    path = tmp_path / "news.db"
    build(path)
    return Store(path, read_only=True)


def _as_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rank as a large store whose query words have many matches does."""
    monkeypatch.setattr(search_module, "BM25_QUOTES", 0)
    monkeypatch.setattr(search_module, "BM25_POSTINGS", 0)


def _ids(store: Store, where: QuoteFilter) -> list[int]:
    return [h.quote_id for h in search_quotes(store, where, limit=50).hits]


def test_the_large_store_path_finds_what_bm25_finds_and_agrees_on_the_best(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for query in ("ferry", "ferr*", '"night ferry"', "ferry OR lighthouse", "quay NOT ferry"):
        where = QuoteFilter(text=query)
        by_bm25 = _ids(store, where)
        _as_large(monkeypatch)
        ranked = search_quotes(store, where, limit=50)
        monkeypatch.setattr(search_module, "BM25_QUOTES", 200_000)
        assert sorted(h.quote_id for h in ranked.hits) == sorted(by_bm25), query
        assert ranked.exact and ranked.total == len(by_bm25) and ranked.ranked is None
        assert ranked.hits[0].quote_id == by_bm25[0], query  # the same best match
    # "the night ferry" twice in a short quote beats one ferry in a long one
    _as_large(monkeypatch)
    best = search_quotes(store, QuoteFilter(text="ferry"), limit=3).hits
    assert best[0].content_text.startswith("The night ferry runs again")
    assert "Eastmoor sails" in best[-1].content_text or len(best) == 3


def test_past_the_pool_only_the_latest_matches_are_ranked_and_the_page_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = QuoteFilter(text="ferry OR ferries OR lighthouse")
    every = _ids(store, where)
    assert len(every) == 7
    _as_large(monkeypatch)
    monkeypatch.setattr(search_module, "RANK_POOL", 3)
    result = search_quotes(store, where, limit=2)
    assert (result.total, result.exact, result.ranked) == (3, False, 3)  # more than 3
    latest = sorted(every, reverse=True)[:3]
    assert {h.quote_id for h in result.hits} <= set(latest)
    # a page past the pool ranks up to the page's end
    deeper = search_quotes(store, where, limit=2, offset=4)
    assert (deeper.total, deeper.exact, deeper.ranked) == (6, False, 6)
    assert len(deeper.hits) == 2
    assert {h.quote_id for h in deeper.hits} <= set(sorted(every, reverse=True)[:6])
    # and with every filter the search has: an outlet and a speaker
    kept = search_quotes(store, QuoteFilter(text="ferry", speaker="Ilse Varga"), limit=10)
    assert {h.speaker_entity for h in kept.hits} == {"Ilse Varga"} and kept.total == 3
    courier = search_quotes(store, QuoteFilter(text="ferry", outlet="eastmoor courier"))
    assert {h.outlet for h in courier.hits} == {"Eastmoor Courier"} and courier.total == 3


def test_candidate_scores_weigh_frequency_length_and_rarity() -> None:
    one, two = "\x01ferry\x02 fares for next year", "\x01ferry\x02 and \x01ferry\x02 again"
    long = "the \x01ferry\x02 sails at nine and comes back at six in the evening for now"
    scores = candidate_scores([one, two, long], query_terms("ferry"))
    assert scores[1] > scores[0] > scores[2] > 0  # twice beats once, short beats long
    # among candidates of one length, the word few of them have weighs more
    texts = [
        "the \x01ferry\x02 is late",
        "the \x01ferry\x02 is full",
        "the \x01ferry\x02 is gone",
        "the \x01lighthouse\x02 is dark",
    ]
    scores = candidate_scores(texts, query_terms("ferry OR lighthouse"))
    assert scores[3] > scores[0] == scores[1] == scores[2] > 0
    # a phrase is counted as a phrase, a prefix as any word it starts
    assert candidate_scores(["a \x01night ferry\x02 at last"], query_terms('"night ferry"'))[0] > 0
    marked = ["\x01Ferries\x02 wait", "no match here"]
    assert (
        candidate_scores(marked, query_terms("ferr*"))[0]
        > candidate_scores(marked, query_terms("ferr*"))[1]
        == 0
    )
    assert candidate_scores([], query_terms("ferry")) == []


def test_facets_of_words_read_the_narrow_indexes_and_count_the_same(store: Store) -> None:
    where = QuoteFilter(text="ferry OR lighthouse")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    facets = facet_counts(store, where)
    store.conn.set_trace_callback(None)
    counted = dict(
        store.conn.execute(
            "SELECT a.outlet, count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
            " JOIN quotes_fts f ON f.rowid = q.id WHERE quotes_fts MATCH ? GROUP BY a.outlet",
            ('"ferry" OR "lighthouse"',),
        ).fetchall()
    )
    assert {c.value: c.quotes for c in facets.outlets} == counted
    assert {c.value: c.quotes for c in facets.kinds} == {"person": 5, "organisation": 1}
    grouped = next(s for s in statements if "INDEXED BY quotes_facets" in s)
    plan = " ".join(str(r[3]) for r in store.conn.execute("EXPLAIN QUERY PLAN " + grouped))
    assert "COVERING INDEX quotes_facets" in plan and "COVERING INDEX articles_outlets" in plan
    # a date filter reads the quote's row (its date is not in the narrow index)
    dated = facet_counts(store, QuoteFilter(text="ferry", since="2025-04-12"))
    assert sum(c.quotes for c in dated.types) == 3


def test_bm25_still_ranks_words_with_few_matches_in_a_large_store(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statistics pass of ``bm25`` reads each word's matches in the whole store: when
    they add up to little (a rare word, a speaker's few quotes), it is cheap and ranks."""

    def ranked_by(where: QuoteFilter) -> str:
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        search_quotes(store, where, limit=5)
        store.conn.set_trace_callback(None)
        return "highlight" if any("highlight(" in s for s in statements) else "bm25"

    monkeypatch.setattr(search_module, "BM25_QUOTES", 0)
    monkeypatch.setattr(search_module, "BM25_POSTINGS", 2)  # matches in the whole store
    assert ranked_by(QuoteFilter(text="lighthouse")) == "bm25"  # two quotes have it
    assert ranked_by(QuoteFilter(text="ferry")) == "highlight"  # five
    # a phrase's passes read the positions of each of its words: all their matches count
    phrase = QuoteFilter(text='"repaint the lighthouse"')
    assert ranked_by(phrase) == "highlight"
    stored = search_module._quotes_stored(store)
    each = [search_module._matches_estimate(store, w, stored) for w in ("repaint", "the")]
    monkeypatch.setattr(search_module, "BM25_POSTINGS", sum(each) + 2)  # and lighthouse's 2
    assert ranked_by(phrase) == "bm25"
    monkeypatch.setattr(search_module, "BM25_POSTINGS", sum(each) + 1)
    assert ranked_by(phrase) == "highlight"
    monkeypatch.setattr(search_module, "BM25_POSTINGS", 2)
    assert ranked_by(QuoteFilter(text="lighthouse*")) == "highlight"  # a prefix: merged whole
    # the speaker is a phrase of the match: its quotes count
    assert ranked_by(QuoteFilter(text="lighthouse", speaker="Ilse Varga")) == "highlight"
    monkeypatch.setattr(search_module, "BM25_POSTINGS", 6)
    assert ranked_by(QuoteFilter(text="lighthouse", speaker="Ilse Varga")) == "bm25"
    monkeypatch.setattr(search_module, "BM25_QUOTES", 200_000)  # a small store: always bm25
    assert ranked_by(QuoteFilter(text="ferry")) == "bm25"


def test_a_words_matches_are_estimated_from_its_latest(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from saidwhat.store.search import _matches_estimate

    assert _matches_estimate(store, "ferry", 8) == 5  # fewer than the sample: counted
    monkeypatch.setattr(search_module, "_SAMPLED_MATCHES", 2)
    # ferry is in quotes 1, 2, 5, 6, 8: the latest two are within the last 3 of 8 quotes
    assert _matches_estimate(store, "ferry", 8) == 2 * 8 // 3
    assert _matches_estimate(store, "lighthouse", 8) == 2 * 8 // 6  # quotes 3 and 8


def test_the_page_the_api_and_the_cli_say_how_many_were_ranked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from saidwhat.cli import app as cli_app
    from saidwhat.server import create_app

    path = tmp_path / "news.db"
    build(path)
    _as_large(monkeypatch)
    monkeypatch.setattr(search_module, "RANK_POOL", 3)
    words = "ferry OR ferries OR lighthouse"
    from saidwhat.server import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)  # a page within the pool
    with TestClient(create_app(path)) as client:
        page = client.get("/", params={"q": words}).text
        assert "Best match first" in page and "among the latest 3 matches" in page
        body = client.get("/api/quotes", params={"q": words, "limit": "2"}).json()
        assert (body["total"], body["total_exact"], body["ranked_among"]) == (3, False, 3)
        every = client.get("/api/quotes", params={"q": "lighthouse"}).json()
        assert every["ranked_among"] is None  # two matches: all of them ranked
    result = CliRunner().invoke(cli_app, ["search", words, "--db", str(path), "-n", "2"])
    assert result.exit_code == 0, result.output
    assert "best match first among the latest 3 matches" in result.output
