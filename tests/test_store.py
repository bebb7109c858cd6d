"""The embedded store: idempotent ingest, speakers across articles, search, export.

Articles here are built by hand (no parsing) so each test pins one behaviour
of the store; tests/test_ingest.py runs the whole path from files.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from saidwhat.linking import gram_hashes, normalise_words
from saidwhat.model import (
    Article,
    Entity,
    EntityKind,
    ExtractedArticle,
    Quote,
    QuoteType,
    Span,
    Speaker,
)
from saidwhat.store import Store, StoreError
from saidwhat.store import store as store_module
from saidwhat.store.export import ExportFormat, export_store
from saidwhat.store.identity import KnownEntity, person_name, read_knowledge_base
from saidwhat.store.schema import MIGRATIONS, StoreVersionError
from saidwhat.store.search import QuoteFilter, SearchError, fts_query, search_quotes, top_speakers
from saidwhat.store.statements import (
    carriers_per_day,
    list_statements,
    outlet_spread,
    statement_detail,
    wording_groups,
)
from saidwhat.store.store import wal_pages


def article_with(
    text: str,
    said: list[tuple[str, str, EntityKind]],
    *,
    article_id: str = "a1",
    url: str | None = None,
    outlet: str | None = "Harwick Gazette",
    published: str | None = "2025-03-04",
    quote_type: QuoteType = QuoteType.DIRECT,
) -> ExtractedArticle:
    """An article whose quotes are the given (content, speaker name, kind) triples."""
    quotes = []
    for content, name, kind in said:
        start = text.index(content)
        quotes.append(
            Quote(
                content=(Span.of(text, start, start + len(content)),),
                type=quote_type,
                speaker=Speaker(None, Entity(name, kind)),
                confidence=0.9,
            )
        )
    article = Article(id=article_id, text=text, url=url, outlet=outlet, published=published)
    return ExtractedArticle(article, tuple(quotes))


PERSON = EntityKind.PERSON
ORG = EntityKind.ORGANISATION


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "news.db")


def test_same_article_twice_is_stored_once(store: Store) -> None:
    result = article_with(
        "“The bridge opens in May,” said Ilse Varga.",
        [("The bridge opens in May,", "Ilse Varga", PERSON)],
    )
    first = store.add(result)
    second = store.add(result)
    assert first.article_id is not None and first.quotes == 1 and first.new_speakers == 1
    assert second.article_id is None
    assert store.counts() == {
        "articles": 1,
        "quotes": 1,
        "speakers": 1,
        "statements": 1,
        "ingest_errors": 0,
    }


def test_same_url_with_other_text_is_a_duplicate(store: Store) -> None:
    url = "https://gazette.example/bridge"
    store.add(article_with("First version of the story.", [], url=url))
    assert store.has_article(Article(id="x", text="An edited version.", url=url))
    assert store.add(article_with("An edited version.", [], url=url)).article_id is None
    assert store.counts()["articles"] == 1


def test_failed_write_leaves_nothing_behind(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> tuple[int, bool]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_speaker_for", broken)
    with pytest.raises(RuntimeError):
        store.add(article_with("“Yes,” said Ilse Varga.", [("Yes,", "Ilse Varga", PERSON)]))
    assert store.counts()["articles"] == 0
    assert store.conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mr. Mark Rutte", ("mark", "rutte")),
        ("Dr Ana de la Cruz", ("ana", "la cruz")),
        ("Rutte", (None, "rutte")),
        ("M. Rutte", ("m", "rutte")),
        ("Martin Luther King Jr.", ("martin", "king")),
        ("Mayor Ilse Varga", ("ilse", "varga")),
    ],
)
def test_person_name_parts(name: str, expected: tuple[str | None, str]) -> None:
    parts = person_name(name)
    assert parts is not None and (parts.given, parts.surname) == expected


def test_one_person_across_articles(store: Store) -> None:
    store.add(
        article_with("“No,” said Mark Rutte.", [("No,", "Mark Rutte", PERSON)], article_id="1")
    )
    store.add(article_with("“Yes,” said Mr Rutte.", [("Yes,", "Mr Rutte", PERSON)], article_id="2"))
    store.add(
        article_with("“Maybe,” said M. Rutte.", [("Maybe,", "M. Rutte", PERSON)], article_id="3")
    )
    store.add(
        article_with(
            "“Never,” said Anna Rutte.", [("Never,", "Anna Rutte", PERSON)], article_id="4"
        )
    )
    names = sorted((r.name, r.quotes) for r in top_speakers(store))
    assert names == [("Anna Rutte", 1), ("Mark Rutte", 3)]


def test_bare_surname_shared_by_two_people_is_not_guessed(store: Store) -> None:
    store.add(article_with("“A,” said Anna Berg.", [("A,", "Anna Berg", PERSON)], article_id="1"))
    store.add(article_with("“B,” said Tomas Berg.", [("B,", "Tomas Berg", PERSON)], article_id="2"))
    store.add(article_with("“C,” said Berg.", [("C,", "Berg", PERSON)], article_id="3"))
    assert len(top_speakers(store)) == 3


def test_initial_then_full_name_becomes_the_full_name(store: Store) -> None:
    store.add(article_with("“A,” said M. Rutte.", [("A,", "M. Rutte", PERSON)], article_id="1"))
    store.add(article_with("“B,” said Mark Rutte.", [("B,", "Mark Rutte", PERSON)], article_id="2"))
    [speaker] = top_speakers(store)
    assert speaker.name == "Mark Rutte" and speaker.quotes == 2
    assert "M. Rutte" in speaker.aliases


def test_institution_aliases_are_one_speaker(store: Store) -> None:
    store.add(
        article_with("“No comment,” said No10.", [("No comment,", "No10", ORG)], article_id="1")
    )
    store.add(
        article_with("“Later,” said Number 10.", [("Later,", "Number 10", ORG)], article_id="2")
    )
    store.add(
        article_with(
            "“Soon,” said Downing Street.", [("Soon,", "Downing Street", ORG)], article_id="3"
        )
    )
    [speaker] = top_speakers(store)
    assert speaker.name == "Downing Street" and speaker.quotes == 3
    assert {"No10", "Number 10"} <= set(speaker.aliases)


def test_person_and_institution_with_one_name_stay_apart(store: Store) -> None:
    store.add(article_with("“A,” said Jordan.", [("A,", "Jordan", ORG)], article_id="1"))
    store.add(article_with("“B,” said Ali Jordan.", [("B,", "Ali Jordan", PERSON)], article_id="2"))
    assert len(top_speakers(store)) == 2


def write_kb(tmp_path: Path) -> Path:
    path = tmp_path / "kb.csv"
    path.write_text(
        "id,name,aliases,kind,description\n"
        "Q9001,Ilse Varga,Councillor Varga|I. Varga,person,Leader of Harwick town council\n"
        "Q9002,Harwick town council,the council;HTC,organisation,\n"
        ",Nameless,,person,\n"
        "Q9003,Bad Kind,,planet,\n",
        encoding="utf-8",
    )
    return path


def test_knowledge_base_rows_and_bad_rows(tmp_path: Path) -> None:
    rows = list(read_knowledge_base(write_kb(tmp_path)))
    good = [r for r in rows if isinstance(r, KnownEntity)]
    bad = [r for r in rows if not isinstance(r, KnownEntity)]
    assert [g.id for g in good] == ["Q9001", "Q9002"]
    assert good[1].aliases == ("the council", "HTC") and good[1].kind is ORG
    assert [b.location for b in bad] == ["line 4", "line 5"]
    assert "planet" in bad[1].reason


def test_knowledge_base_wins_and_merges_guesses(store: Store, tmp_path: Path) -> None:
    store.add(article_with("“A,” said I. Varga.", [("A,", "I. Varga", PERSON)], article_id="1"))
    entries = [r for r in read_knowledge_base(write_kb(tmp_path)) if isinstance(r, KnownEntity)]
    assert store.load_knowledge_base(entries) == (2, 1)
    store.add(article_with("“B,” said Ilse Varga.", [("B,", "Ilse Varga", PERSON)], article_id="2"))
    store.add(article_with("“C,” said HTC.", [("C,", "HTC", ORG)], article_id="3"))
    speakers = {s.name: s for s in top_speakers(store)}
    assert speakers["Ilse Varga"].external_id == "Q9001" and speakers["Ilse Varga"].quotes == 2
    assert speakers["Harwick town council"].external_id == "Q9002"
    assert len(speakers) == 2
    hits = search_quotes(store, QuoteFilter(speaker="Q9001")).hits
    assert {h.content_text for h in hits} == {"A", "B"}


@pytest.fixture
def filled(store: Store) -> Store:
    store.add(
        article_with(
            "“We are the next target,” said Ilse Varga. “Russia's threat is real,” she added.",
            [
                ("We are the next target,", "Ilse Varga", PERSON),
                ("Russia's threat is real,", "Ilse Varga", PERSON),
            ],
            article_id="1",
            published="2025-01-10",
        )
    )
    store.add(
        article_with(
            "“The harbour will not be the next target of cuts,” the council said.",
            [("The harbour will not be the next target of cuts,", "Harwick town council", ORG)],
            article_id="2",
            outlet="Lindby Post",
            published="2024-12-01",
        )
    )
    return store


def contents(store: Store, where: QuoteFilter) -> set[str]:
    return {hit.content_text for hit in search_quotes(store, where, limit=100).hits}


def test_full_text_search(filled: Store) -> None:
    assert len(contents(filled, QuoteFilter(text="next target"))) == 2
    assert contents(filled, QuoteFilter(text='"are the next target"')) == {"We are the next target"}
    assert contents(filled, QuoteFilter(text="Russia's")) == {"Russia's threat is real"}
    assert contents(filled, QuoteFilter(text="harb*")) == {
        "The harbour will not be the next target of cuts"
    }
    assert len(contents(filled, QuoteFilter(text="threat OR harbour"))) == 2
    assert contents(filled, QuoteFilter(text="target NOT harbour")) == {"We are the next target"}


def test_filters(filled: Store) -> None:
    assert len(contents(filled, QuoteFilter(speaker="Varga"))) == 2
    assert len(contents(filled, QuoteFilter(speaker="Ms Ilse Varga"))) == 2
    assert contents(filled, QuoteFilter(speaker="Nobody Known")) == set()
    assert len(contents(filled, QuoteFilter(since="2025-01-01"))) == 2
    assert len(contents(filled, QuoteFilter(until="2024-12-31"))) == 1
    assert len(contents(filled, QuoteFilter(outlet="lindby post"))) == 1
    result = search_quotes(filled, QuoteFilter(text="next target", since="2025-01-01"))
    assert result.total == 1 and result.hits[0].speaker_entity == "Ilse Varga"
    assert result.hits[0].outlet == "Harwick Gazette" and result.hits[0].published == "2025-01-10"


def test_paging(filled: Store) -> None:
    first = search_quotes(filled, QuoteFilter(), limit=2)
    rest = search_quotes(filled, QuoteFilter(), limit=2, offset=2)
    assert first.total == 3 and len(first.hits) == 2 and len(rest.hits) == 1
    assert {h.quote_id for h in first.hits}.isdisjoint({h.quote_id for h in rest.hits})


@pytest.mark.parametrize(
    "query", ['"unclosed phrase', "OR target", "target AND", "target AND OR harbour", "!!! ..."]
)
def test_bad_queries_say_what_is_wrong(filled: Store, query: str) -> None:
    with pytest.raises(SearchError) as caught:
        search_quotes(filled, QuoteFilter(text=query))
    assert repr(query) in str(caught.value)


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE quotes; --",
        "target) OR (1=1",
        "NEAR(target harbour)",
        "content:target",
        "{quotes_fts}",
        "^target",
    ],
)
def test_hostile_queries_are_only_text(filled: Store, query: str) -> None:
    search_quotes(filled, QuoteFilter(text=query))  # no exception, no effect
    assert filled.counts()["quotes"] == 3


def test_bad_dates_are_refused(filled: Store) -> None:
    with pytest.raises(SearchError, match="--since"):
        search_quotes(filled, QuoteFilter(since="last week"))


def test_fts_query_rewriting() -> None:
    assert fts_query("hello-world") == '"hello-world"'
    assert fts_query('say "it again"') == '"say" "it again"'


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_export_every_format(filled: Store, tmp_path: Path, fmt: ExportFormat) -> None:
    written = export_store(filled, fmt, tmp_path / "out")
    counts = {path.name: n for path, n in written.items()}
    assert counts == {
        f"quotes.{fmt}": 3, f"articles.{fmt}": 2, f"speakers.{fmt}": 2, f"statements.{fmt}": 3
    }  # fmt: skip
    quotes_path = tmp_path / "out" / f"quotes.{fmt}"
    if fmt is ExportFormat.PARQUET:
        rows = pq.read_table(quotes_path).to_pylist()
    elif fmt is ExportFormat.CSV:
        with quotes_path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = [json.loads(line) for line in quotes_path.read_text(encoding="utf-8").splitlines()]
    by_content = {r["content_text"]: r for r in rows}
    row = by_content["We are the next target"]
    assert row["speaker_entity"] == "Ilse Varga" and row["outlet"] == "Harwick Gazette"
    assert row["published"] == "2025-01-10"


def test_export_marks_each_variant_against_the_earliest(store: Store, tmp_path: Path) -> None:
    carry(store, "Lindby Post", "2025-04-01", PLEDGE)
    carry(store, "Harwick Gazette", "2025-04-02", PLEDGE.replace("sail", "resume"))
    carry(
        store,
        "Fennick Chronicle",
        "2025-04-03",
        "the ferry would sail before spring",
        reported=True,
    )
    export_store(store, ExportFormat.CSV, tmp_path / "out", ["quotes", "statements"])
    with (tmp_path / "out" / "quotes.csv").open(encoding="utf-8") as handle:
        rows = {r["outlet"]: r for r in csv.DictReader(handle)}
    assert len({r["statement_id"] for r in rows.values()}) == 1
    assert (
        rows["Lindby Post"]["variant_changes"] == ""
        and rows["Lindby Post"]["possible_misquote"] == "False"
    )
    assert rows["Harwick Gazette"]["changed_words"] == "sail → resume"
    assert rows["Harwick Gazette"]["possible_misquote"] == "True"
    assert rows["Fennick Chronicle"]["variant_changes"] == "reported"
    with (tmp_path / "out" / "statements.csv").open(encoding="utf-8") as handle:
        [statement] = list(csv.DictReader(handle))
    assert statement["content_text"] == PLEDGE and statement["first_outlet"] == "Lindby Post"
    assert (statement["quotes"], statement["articles"], statement["outlets"]) == ("3", "3", "3")


def test_export_of_an_empty_store(store: Store, tmp_path: Path) -> None:
    written = export_store(store, ExportFormat.PARQUET, tmp_path / "out", ["quotes"])
    assert list(written.values()) == [0]
    assert pq.read_table(tmp_path / "out" / "quotes.parquet").num_rows == 0


def test_schema_version_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    Store(path).close()
    with Store(path) as again:
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_store_from_a_newer_saidwhat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreVersionError, match="upgrade saidwhat"):
        Store(path)


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match="not a saidwhat store"):
        Store(path)
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "missing.db", read_only=True)


# -- statements ----------------------------------------------------------------------------

NEXT_TARGET = "We are Russia's next target, and we have to be ready for that moment."


def carry(
    store: Store,
    outlet: str,
    published: str,
    words: str,
    speaker: str = "Ilse Varga",
    *,
    reported: bool = False,
) -> None:
    text = (
        f"{speaker} told the {outlet} on {published} that {words}."
        if reported
        else f"“{words}” said {speaker} to the {outlet} on {published}."
    )
    store.add(
        article_with(
            text,
            [(words, speaker, PERSON)],
            article_id=f"{outlet}-{published}",
            outlet=outlet,
            published=published,
            quote_type=QuoteType.INDIRECT if reported else QuoteType.DIRECT,
        )
    )


def test_the_same_quotation_across_outlets_is_one_statement(store: Store) -> None:
    carry(
        store,
        "Lindby Post",
        "2025-02-03",
        "We're Russia's next target, and we have to be ready for that moment.",
    )
    carry(store, "Harwick Gazette", "2025-02-01", NEXT_TARGET)
    carry(store, "Fennick Chronicle", "2025-02-02", "We are Russia's next target")
    carry(
        store,
        "Coastal Courier",
        "2025-02-04",
        "We are Russia's next target and we must be ready for that moment.",
    )
    carry(store, "Coastal Courier", "2025-02-05", "The ferry will run all winter.")
    listed = list_statements(store)
    total, statements = listed.total, listed.items
    assert total == 2
    top = statements[0]
    assert (top.articles, top.outlets, top.speaker_entity) == (4, 4, "Ilse Varga")
    assert top.first_published == "2025-02-01" and top.first_outlet == "Harwick Gazette"
    assert top.content_text == NEXT_TARGET
    detail = statement_detail(store, top.statement_id)
    assert detail is not None
    assert [v.outlet for v in detail.variants] == [
        "Harwick Gazette", "Fennick Chronicle", "Lindby Post", "Coastal Courier"
    ]  # fmt: skip
    assert detail.variants[0].is_earliest and not detail.variants[1].is_earliest
    altered = detail.variants[3].diff
    assert [(d.op, d.text) for d in altered if d.op != "same"] == [
        ("removed", "have to"),
        ("added", "must"),
    ]
    hits = search_quotes(store, QuoteFilter(text="ferry")).hits
    assert hits[0].statement_id not in (None, top.statement_id)


def test_an_earlier_appearance_becomes_the_first(store: Store) -> None:
    carry(store, "Lindby Post", "2025-03-09", NEXT_TARGET)
    carry(store, "Harwick Gazette", "2025-03-01", NEXT_TARGET)
    [summary] = list_statements(store).items
    assert summary.first_outlet == "Harwick Gazette"


def test_the_same_words_from_two_people_are_two_statements(store: Store) -> None:
    carry(store, "Lindby Post", "2025-03-01", NEXT_TARGET, speaker="Ilse Varga")
    carry(store, "Harwick Gazette", "2025-03-02", NEXT_TARGET, speaker="Tomas Berg")
    carry(store, "Fennick Chronicle", "2025-03-03", "The ferry will run all winter.")
    listed = list_statements(store)
    total, statements = listed.total, listed.items
    assert total == 3
    by_speaker = {s.speaker_entity: s for s in statements if s.content_text == NEXT_TARGET}
    detail = statement_detail(store, by_speaker["Ilse Varga"].statement_id)
    assert detail is not None  # each is listed beside the other as similar words
    [echo] = detail.echoes
    assert (echo.speaker_entity, echo.statement_id) == (
        "Tomas Berg", by_speaker["Tomas Berg"].statement_id
    )  # fmt: skip


def test_quotes_stored_without_linking_are_linked_later(tmp_path: Path) -> None:
    with Store(tmp_path / "news.db", link_statements=False) as store:
        carry(store, "Lindby Post", "2025-03-01", NEXT_TARGET)
        carry(store, "Harwick Gazette", "2025-03-02", NEXT_TARGET)
        assert list_statements(store).total == 0
        assert store.link_pending() == 2
        assert store.link_pending() == 0
        [summary] = list_statements(store).items
        assert summary.articles == 2


PLEDGE = "The ferry will sail before spring, not a day later."
RESUMED = "The ferry will resume before spring, and not a day later."  # a word changed, one added


def test_a_word_changed_in_a_short_quote_is_found_and_flagged(store: Store) -> None:
    # A word changed in the middle of five leaves no shared 3-gram, so the global index
    # cannot find the variant; the speaker's keys do.
    said, misquoted = "Ferries will resume Monday morning.", "Ferries will restart Monday morning."
    assert not gram_hashes(normalise_words(said)) & gram_hashes(normalise_words(misquoted))
    carry(store, "Lindby Post", "2025-04-01", said)
    carry(store, "Harwick Gazette", "2025-04-02", misquoted)
    carry(store, "Fennick Chronicle", "2025-04-02", misquoted, speaker="Tomas Berg")
    listed = list_statements(store)
    total, statements = listed.total, listed.items
    assert total == 2  # Berg's echo of the words is his own statement
    [varga] = [s for s in statements if s.speaker_entity == "Ilse Varga"]
    detail = statement_detail(store, varga.statement_id)
    assert detail is not None
    assert [v.outlet for v in detail.variants] == ["Lindby Post", "Harwick Gazette"]
    earliest, changed = detail.variants
    assert not earliest.possible_misquote and earliest.changes == ()
    assert changed.possible_misquote and changed.changed_words == (("resume", "restart"),)


def test_a_longer_variant_records_each_change(store: Store) -> None:
    carry(store, "Lindby Post", "2025-04-01", PLEDGE)
    carry(
        store,
        "Harwick Gazette",
        "2025-04-02",
        RESUMED,
    )
    [summary] = list_statements(store).items
    detail = statement_detail(store, summary.statement_id)
    assert detail is not None
    variant = detail.variants[1]
    assert variant.changes == ("changed", "inserted")
    assert variant.changed_words == (("sail", "resume"),)


def test_a_reported_form_joins_its_quotation_as_a_reported_variant(store: Store) -> None:
    carry(
        store,
        "Lindby Post",
        "2025-04-03",
        "the ferry would sail again before the spring storms",
        reported=True,
    )
    carry(
        store,
        "Harwick Gazette",
        "2025-04-02",
        "The ferry will sail again before the spring storms. You have my word.",
    )
    carry(
        store,
        "Harwick Gazette",
        "2025-04-04",
        "the harbour dues would rise by a tenth in June",
        reported=True,
    )
    listed = list_statements(store)
    total, statements = listed.total, listed.items
    assert total == 2
    detail = statement_detail(store, statements[0].statement_id)
    assert detail is not None
    assert detail.summary.content_text.startswith("The ferry will sail again")  # verbatim leads
    assert [v.outlet for v in detail.verbatim] == ["Harwick Gazette"]
    assert [v.outlet for v in detail.reported] == ["Lindby Post"]
    assert detail.reported[0].changes == ("reported",) and not detail.reported[0].possible_misquote


def test_a_quote_that_repeats_two_statements_makes_them_one(store: Store) -> None:
    # The paraphrase comes first and shares too little with the excerpt the next outlet
    # ran; the full quotation, last, repeats both, and the two statements become one.
    carry(
        store,
        "Lindby Post",
        "2025-05-01",
        "walkers should keep dogs on leads and stay off the dunes",
        reported=True,
    )
    carry(store, "Harwick Gazette", "2025-05-02", "Keep away from the nesting birds until August.")
    carry(
        store,
        "Fennick Chronicle",
        "2025-05-03",
        "Keep your dogs on leads and stay off the dunes. Keep away from the nesting birds"
        " until August.",
    )
    listed = list_statements(store)
    total, statements = listed.total, listed.items
    assert total == 1
    summary = statements[0]
    assert (summary.quotes, summary.articles, summary.outlets) == (3, 3, 3)
    assert summary.first_outlet == "Harwick Gazette"  # the earliest verbatim quote


def test_relink_rebuilds_the_same_statements(store: Store) -> None:
    carry(store, "Lindby Post", "2025-04-01", PLEDGE)
    carry(
        store,
        "Harwick Gazette",
        "2025-04-02",
        RESUMED,
    )
    carry(
        store,
        "Fennick Chronicle",
        "2025-04-03",
        "the ferry would sail before spring",
        reported=True,
    )
    carry(store, "Coastal Courier", "2025-04-03", "The harbour will close for a week.")
    before = sorted((s.content_text, s.quotes, s.articles) for s in list_statements(store).items)
    seen: list[tuple[int, int]] = []
    assert store.relink(lambda done, total: seen.append((done, total))) == 4
    after = sorted((s.content_text, s.quotes, s.articles) for s in list_statements(store).items)
    assert after == before and seen == [(4, 4)]
    assert store.link_pending() == 0


def _steps_to_add(store: Store, day: int) -> int:
    """SQLite VM steps (in thousands) to store and link one more quote of the busy speaker."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(count, 1000)
    carry(store, "Harwick Gazette", f"2026-01-{day:02d}", f"{PLEDGE} Day {day}.")
    store.conn.set_progress_handler(None, 0)
    return steps[0]


def test_a_busy_speaker_is_looked_up_in_bounded_work(store: Store) -> None:
    def word(n: int) -> str:  # a made-up word per number
        return "b" + "".join("aeiou"[n // 5**i % 5] + "bcdfg"[n // 5**i % 5] for i in range(5))

    def busy(first: int, last: int) -> None:
        for n in range(first, last):  # quotes sharing the pledge's words, not its phrases
            words = " ".join(word(n * k) for k in (1, 7, 13, 31))
            day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
            carry(store, f"Outlet {n}", day, f"Ferry {words} spring sailing later.")

    busy(0, 100)
    at_100 = _steps_to_add(store, 1)
    busy(100, 800)
    at_800 = _steps_to_add(store, 2)
    assert at_800 <= 1.5 * at_100 + 2, (at_100, at_800)
    assert list_statements(store).items[0].articles == 2  # the two pledges are still one


def test_an_article_quoting_the_same_words_twice_carries_one_statement(store: Store) -> None:
    # The standfirst and the body quote the councillor alike: one statement, one article,
    # linked in order, the body's quote joining the statement its standfirst started.
    text = (
        "“The ferry will sail before spring,” Ilse Varga promised.\n\n"
        "Harwick's councillors met on Monday. “The ferry will sail before spring, not a day"
        " later,” said Ilse Varga, who chairs the harbour committee."
    )
    said = [
        ("The ferry will sail before spring,", "Ilse Varga", PERSON),
        ("The ferry will sail before spring, not a day later,", "Ilse Varga", PERSON),
    ]
    store.add(article_with(text, said))
    [statement] = list_statements(store).items
    assert (statement.quotes, statement.articles, statement.outlets) == (2, 1, 1)
    first = store.conn.execute("SELECT min(id) FROM quotes").fetchone()[0]
    assert statement.first_quote_id == first


def _fts_leaves(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM quotes_fts_data").fetchone()[0])


def test_an_articles_quotes_go_into_the_full_text_index_together(store: Store) -> None:
    # SQLite opens a savepoint per INSERT that fires triggers and FTS5 writes out what it
    # holds at each: inserted one by one, twelve quotes made twelve index segments.
    said = [f"The pier at {town} will reopen in the spring" for town in _TOWNS[:12]]
    text = "\n\n".join(f"“{words},” said Tomas Berg." for words in said)
    before = _fts_leaves(store)
    store.add(article_with(text, [(words, "Tomas Berg", PERSON) for words in said]))
    assert _fts_leaves(store) - before <= 3
    hits = search_quotes(store, QuoteFilter(text="pier reopen")).hits
    assert len(hits) == 12


def _pier_article(n: int) -> ExtractedArticle:
    words = f"The pier at {_TOWNS[n]} will reopen in the spring"
    return article_with(
        f"“{words},” said Tomas Berg.",
        [(words, "Tomas Berg", PERSON)],
        article_id=f"pier-{n}",
        published=f"2025-05-{1 + n:02d}",
    )


def _stored_elsewhere(path: Path) -> int:
    """The articles another connection sees committed."""
    with Store(path, read_only=True) as other:
        return other.counts()["articles"]


def test_a_bulk_load_commits_whole_groups_of_articles(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Store(path) as store:
        seen = []
        with store.bulk_load(articles_per_commit=3, seconds_per_commit=3600):
            for n in range(7):
                store.add(_pier_article(n))
                seen.append(_stored_elsewhere(path))
            assert store.counts()["articles"] == 7  # its own connection sees them all
        assert seen == [0, 0, 3, 3, 3, 6, 6]
        assert _stored_elsewhere(path) == 7  # the last group, committed at the end
        # Linked as one by one: the seven towns' piers are one statement with a word changed.
        [statement] = list_statements(store).items
        assert (statement.articles, statement.quotes) == (7, 7)
        store.add(_pier_article(8))  # and after it, one by one again
        assert _stored_elsewhere(path) == 8


def test_an_article_failing_in_a_bulk_load_leaves_the_group(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    good = [_pier_article(n) for n in range(4)]
    broken = good[1].quotes[0]
    # A confidence that is no number: found only once the article row is written.
    bad = ExtractedArticle(
        Article(id="broken", text="“The quay,” said Tomas Berg.", published="2025-06-01"),
        (Quote(broken.content, broken.type, speaker=broken.speaker, confidence="high"),),  # type: ignore[arg-type]
    )
    with Store(path) as store, store.bulk_load(articles_per_commit=100):
        store.add(good[0])
        with pytest.raises(TypeError):
            store.add(bad)
        for result in good[1:]:
            store.add(result)
    with Store(path, read_only=True) as store:
        assert store.counts()["articles"] == 4 and store.counts()["quotes"] == 4
        ids = [r[0] for r in store.conn.execute("SELECT input_id FROM articles ORDER BY id")]
        assert ids == ["pier-0", "pier-1", "pier-2", "pier-3"]


@pytest.mark.parametrize(
    ("store_pages", "wal"),
    [(0, 8_000), (256_000, 8_000), (1_000_000, 31_250), (2_900_000, 90_625), (10**8, 100_000)],
)
def test_the_wal_holds_a_share_of_the_store_before_a_checkpoint(store_pages: int, wal: int) -> None:
    assert wal_pages(store_pages) == wal


def _autocheckpoint(store: Store) -> int:
    return int(store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


def test_a_bigger_store_checkpoints_a_bigger_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "news.db"
    with Store(path) as store:
        assert _autocheckpoint(store) == 8_000  # a new store: the least
        for n in range(20):
            store.add(_pier_article(n))
        pages = int(store.conn.execute("PRAGMA page_count").fetchone()[0])
    monkeypatch.setattr(store_module, "WAL_AUTOCHECKPOINT", 2)
    monkeypatch.setattr(store_module, "WAL_SHARE", 4)
    monkeypatch.setattr(store_module, "BULK_WAL_AUTOCHECKPOINT", 3)
    with Store(path) as store:  # its size when opened
        assert _autocheckpoint(store) == pages // 4 > 3
        with store.bulk_load():  # the larger of the two
            assert _autocheckpoint(store) == pages // 4
        assert _autocheckpoint(store) == pages // 4


# Council statements that all open the same way: "We will not accept the" is a run of words
# every one of them shares (the first 3-gram window is all common words, so its smallest
# hash is a key of each quote), as "we are going to" is in a real archive.
_COMMON_OPENING = "We will not accept the"
_FARES = ["ferry fares", "bus timetable", "harbour levy", "school closures", "bridge tolls",
          "clinic cuts", "parking charges", "rail delays", "pier repairs", "road works",
          "water rates", "quay plans", "tram route", "market rents", "library hours",
          "flood barrier", "pool closure", "ward changes", "dock sale", "rent rises"]  # fmt: skip
_TOWNS = ["Harwick", "Lindby", "Fennick", "Osterby", "Marsh End", "Kelby", "Tollan", "Brae",
          "Westhope", "Carrow", "Dunmere", "Ashby", "Pellow", "Rysa", "Hoven", "Ulby",
          "Garth", "Nessby", "Illow", "Sandcombe", "Quarry Hill", "Moorby", "Eske",
          "Holm", "Tarn", "Vey", "Yarrow", "Zell", "Birk", "Cray"]  # fmt: skip
_GIVEN = ["Ilse", "Tomas", "Maren", "Oskar", "Petra", "Jon", "Ada", "Liv", "Aurel", "Sune",
          "Britt", "Karl", "Nora", "Espen", "Tove", "Rolf", "Siri", "Ivar", "Hedda",
          "Ole"]  # fmt: skip


def _common_opening(n: int) -> str:
    """The n-th council statement opening with the shared words (600 distinct ones)."""
    return f"{_COMMON_OPENING} {_FARES[n % 20]} in {_TOWNS[n // 20 % 30]} this year"


def _councillor(n: int) -> str:
    """Who made the n-th statement: one councillor of each town for each matter."""
    return f"{_GIVEN[n % 20]} {_TOWNS[n // 20 % 30].split()[0]}sen"


def _carry_common(store: Store, first: int, last: int) -> None:
    for n in range(first, last):
        day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
        carry(store, f"Outlet {n}", day, _common_opening(n), _councillor(n))


def test_the_quotes_sharing_a_common_opening_all_carry_it_as_a_key() -> None:
    # The premise of the two tests below: one gram in all 600 quotes.
    shared = set.intersection(
        *(gram_hashes(normalise_words(_common_opening(n))) for n in range(600))
    )
    assert len(shared) == 1


def test_a_repeat_is_found_however_many_quotes_share_its_common_words(store: Store) -> None:
    _carry_common(store, 0, 400)
    # The oldest of them, carried again months later: found through its own words, not
    # lost among the 399 later quotes that share its opening.
    carry(store, "Lindby Post", "2026-02-01", _common_opening(0), _councillor(0))
    carry(store, "Kelby Courier", "2026-02-02", _common_opening(1), _councillor(1))
    carried = [s for s in list_statements(store, limit=500).items if s.articles > 1]
    assert sorted((s.content_text, s.articles) for s in carried) == sorted(
        [(_common_opening(0), 2), (_common_opening(1), 2)]
    )
    assert list_statements(store, limit=500).total == 400


def test_a_long_quote_is_compared_only_with_quotes_sharing_two_of_its_keys(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _carry_common(store, 0, 40)
    compared: list[list[str]] = []
    real = store_module.same_statement

    def counted(a: list[str], b: list[str]) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(store_module, "same_statement", counted)
    # The first councillor's other words, opening as all 40 quotes do: one key in common
    # with each, and nothing else, so none is worth reading (a quote of five keys or more).
    words = f"{_COMMON_OPENING} closure of the night ferry to the islands"
    keys = gram_hashes(normalise_words(words))
    stored = [gram_hashes(normalise_words(_common_opening(n))) for n in range(40)]
    assert len(keys) >= 5 and {len(keys & other) for other in stored} == {1}
    carry(store, "Harwick Gazette", "2026-03-01", words, _councillor(0))
    assert compared == []
    # A repeat shares most of its keys: it is compared, and joins its statement.
    carry(store, "Kelby Courier", "2026-03-02", _common_opening(3), _councillor(3))
    assert normalise_words(_common_opening(3)) in compared
    carried = [s for s in list_statements(store, limit=100).items if s.articles > 1]
    assert [s.content_text for s in carried] == [_common_opening(3)]


def test_a_common_gram_is_looked_up_in_bounded_work(store: Store) -> None:
    def steps_to_add(day: int) -> int:
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        store.conn.set_progress_handler(count, 100)
        words = f"{_COMMON_OPENING} longer queues at {_TOWNS[day]} pier"
        carry(store, "Harwick Gazette", f"2026-03-{day:02d}", words, "Ada Falk")
        store.conn.set_progress_handler(None, 0)
        return steps[0]

    _carry_common(store, 0, 300)
    at_300 = steps_to_add(1)
    _carry_common(store, 300, 600)
    at_600 = steps_to_add(2)
    # Reading every quote with the gram would cost twice as much here.
    assert at_600 <= 1.2 * at_300 + 2, (at_300, at_600)


def test_statements_by_speaker_and_unknown_ids(store: Store) -> None:
    carry(store, "Lindby Post", "2025-03-01", NEXT_TARGET, speaker="Ilse Varga")
    carry(
        store, "Lindby Post", "2025-03-02", "The ferry will run all winter.", speaker="Tomas Berg"
    )
    [berg] = search_quotes(store, QuoteFilter(speaker="Tomas Berg")).hits
    listed = list_statements(store, speaker_id=berg.speaker_id)
    total, page = listed.total, listed.items
    assert total == 1 and page[0].content_text == "The ferry will run all winter."
    assert statement_detail(store, 999) is None


# The words of fictional quotes, and queries that match them or not.
_FTS_TEXTS = [
    "Councillor Renée Dvořák said the harbour's new sanctions were “unsanctioned”.",
    "ÆRØ FERRIES: the Łódź-bound sailing at 06:30 is cancelled, the operator said.",
    "“We will not wait … for another winter of ferry delays,” Varga said.",
    "Ferry_fares rise 3.5% from Monday; the board's vote was 7–2.",
]
_FTS_QUERIES = [
    ("renee", {0}), ("DVORAK", {0}), ("dvořák", {0}), ("harbour's", {0}), ("harbour", {0}),
    ("sanction*", {0}), ("unsanction*", {0}), ('"new sanctions"', {0}),
    ('"sanctions new"', set()), ("ærø", {1}), ("aero", set()), ("łodz", {1}), ("lodz", set()),
    ("06", {1}), ("3.5", {3}), ("ferry", {2, 3}), ("ferr*", {1, 2, 3}), ("fares", {3}),
    ("ferry_fares", {3}), ('"winter of ferry"', {2}), ("board's vote", {3}),
    ("ferry OR tugboat", {2, 3}), ("tugboat", set()), ("varga NOT winter", set()),
    ("7–2", {3}), ("monday*", {3}),
]  # fmt: skip


@pytest.mark.parametrize(("query", "rows"), _FTS_QUERIES)
def test_highlighted_words_are_where_the_index_matches(query: str, rows: set[int]) -> None:
    """The search page's marks (word_spans) agree with FTS5's own unicode61 tokenizer."""
    from saidwhat.server.highlight import word_spans

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", enumerate(_FTS_TEXTS))
    matched = {
        r[0] for r in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts_query(query),))
    }
    assert matched == rows
    marked = {i for i, text in enumerate(_FTS_TEXTS) if word_spans(text, query)}
    if "NOT" in query:  # the NOT word is never marked, the words it leaves out may be
        assert marked == {2}
    else:
        assert marked == matched


SHORTER = "We are Russia's next target, and we have to be ready."
CHANGED_WORD = "We are Russia's next target, and we have to be steady for that moment."
TOLD = "they were Russia's next target and had to be ready for that moment"


def carry_widely(store: Store) -> None:
    """One statement carried 300 times by 20 outlets over 15 days in four wordings."""
    wordings = [NEXT_TARGET] * 200 + [SHORTER] * 60 + [CHANGED_WORD] * 30 + [TOLD] * 10
    for n, words in enumerate(wordings):
        carry(
            store,
            f"Outlet {n % 20:02d}",
            f"2025-02-{1 + n // 20:02d}",
            words,
            reported=words == TOLD,
        )


def test_a_statement_carried_300_times_is_four_wordings_with_counts_and_pages(
    store: Store,
) -> None:
    carry_widely(store)
    [summary] = list_statements(store).items
    assert (summary.quotes, summary.articles, summary.outlets) == (300, 300, 20)
    assert (summary.first_outlet, summary.first_published) == ("Outlet 00", "2025-02-01")
    total, groups = wording_groups(store, summary)
    assert total == 4
    assert [(g.variant.content_text, g.quotes, g.variant.reported) for g in groups] == [
        (NEXT_TARGET, 200, False),
        (SHORTER, 60, False),
        (CHANGED_WORD, 30, False),
        (TOLD, 10, True),
    ]
    earliest, shorter, changed, told = groups
    assert earliest.variant.is_earliest and earliest.variant.outlet == "Outlet 00"
    assert len(earliest.outlets) == 20 and earliest.outlets[:2] == ("Outlet 00", "Outlet 01")
    assert shorter.variant.published == "2025-02-11" and not shorter.variant.possible_misquote
    assert changed.variant.possible_misquote and changed.variant.changed_words == (
        ("ready", "steady"),
    )
    assert told.articles == 10 and told.variant.changes == ("reported",)
    assert wording_groups(store, summary, limit=2, offset=2) == (4, [changed, told])
    spread = outlet_spread(store, summary.statement_id)
    assert [(o.outlet, o.quotes, o.first) for o in spread[:2]] == [
        ("Outlet 00", 15, "2025-02-01"),
        ("Outlet 01", 15, "2025-02-01"),
    ]
    days = carriers_per_day(store, summary.statement_id)
    assert [(d.day, d.count) for d in days[:2]] == [("2025-02-01", 20), ("2025-02-02", 20)]
    assert len(days) == 15 and sum(d.count for d in days) == 300
