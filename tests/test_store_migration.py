"""A store made by saidwhat 0.1 (schema 2) opens in 0.2 with every quote under the record's names.

Regression for the renames of 0.2 (CHANGELOG.md): the quotes and articles
tables take the names of ``saidwhat.model.QUOTE_FIELDS`` and
``ARTICLE_FIELDS``, and the full-text index follows the renamed column.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from saidwhat.model import ARTICLE_FIELDS, Article, ExtractedArticle, Quote, QuoteType, Span
from saidwhat.store import Store, StoreError
from saidwhat.store.export import ExportFormat, export_store
from saidwhat.store.queries import article_detail
from saidwhat.store.rows import STORED_QUOTE_FIELDS
from saidwhat.store.schema import MIGRATIONS, _statements
from saidwhat.store.search import QuoteFilter, search_quotes

TEXT = "“The ferry will run all winter,” said Ilse Varga.\nShe said the harbour was ready."


def _store_of_0_1(path: Path) -> None:
    """A schema-2 store with one article and two quotes, written as saidwhat 0.1 wrote them."""
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO articles (id, content_hash, url, source_id, source, outlet, published,"
        " title, language, text, ingested_at) VALUES (1, 'h1', NULL, 'hg-1', 'feed.xml',"
        " 'Harwick Gazette', '2025-01-10', 'Ferry', 'en', ?, '2025-01-10T10:00:00')",
        (TEXT,),
    )
    conn.execute("INSERT INTO speakers (id, name, kind) VALUES (1, 'Ilse Varga', 'person')")
    conn.execute(
        "INSERT INTO statements (id, first_quote_id, quotes, articles) VALUES (1, 1, 1, 1)"
    )
    conn.execute(
        "INSERT INTO quotes (id, article_id, seq, start, end, content, type, cue, cue_start,"
        " cue_end, speaker_id, mention, mention_start, mention_end, confidence, evidence,"
        " statement_id) VALUES (1, 1, 0, 1, 31, 'The ferry will run all winter,', 'direct',"
        " 'said', 33, 37, 1, 'Ilse Varga', 38, 48, 0.87, 'cue after', 1)"
    )
    conn.close()


def test_a_store_of_0_1_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _store_of_0_1(path)
    with Store(path) as store:
        columns = {r[1] for r in store.conn.execute("PRAGMA table_info(quotes)")}
        assert {f.name for f in STORED_QUOTE_FIELDS} <= columns
        assert not {"start", "end", "content", "parts", "cue", "mention"} & columns
        article_columns = {r[1] for r in store.conn.execute("PRAGMA table_info(articles)")}
        assert {f.name for f in ARTICLE_FIELDS} <= article_columns
        [hit] = search_quotes(store, QuoteFilter(text="ferry winter")).hits  # the index moved
        assert hit.content_text == "The ferry will run all winter,"
        assert (hit.speaker_entity, hit.speaker_text, hit.cue_text) == ("Ilse Varga",) * 2 + (
            "said",
        )
        detail = article_detail(store, 1)
        assert detail is not None and detail.input_id == "hg-1"
        assert detail.quotes[0].content_parts == [(1, 31)]

        # New quotes go in beside the old ones, and both are found.
        text = TEXT + " "
        start = text.index("the harbour")
        later = Quote((Span.of(text, start, start + 21),), QuoteType.INDIRECT)
        store.add(ExtractedArticle(Article(id="hg-2", text=text), (later,)))
        assert search_quotes(store, QuoteFilter(text="harbour")).total == 1
        written = export_store(store, ExportFormat.JSONL, tmp_path / "out", ["quotes"])
        assert list(written.values()) == [2]


def test_the_quotes_table_has_every_field_of_the_record(tmp_path: Path) -> None:
    """Derived, not copied: a field added to QUOTE_FIELDS needs its column (a migration)."""
    with Store(tmp_path / "new.db") as store:
        columns = {r[1] for r in store.conn.execute("PRAGMA table_info(quotes)")}
    assert {f.name for f in STORED_QUOTE_FIELDS} <= columns


def test_a_reading_command_upgrades_an_older_store_first(tmp_path: Path) -> None:
    """The server and the reading commands open the store read-only: an older store is
    brought up to the current schema first (its queries need the new indexes and tables)."""
    from saidwhat.store.search import facet_counts

    path = tmp_path / "old.db"
    _store_of_0_1(path)
    with Store(path, read_only=True) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert search_quotes(store, QuoteFilter(text="ferry")).total == 1
        assert facet_counts(store, QuoteFilter(text="ferry")).types[0].quotes == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.conn.execute("DELETE FROM quotes")  # and it is still read-only


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes files whatever their mode")
def test_an_older_store_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "shelf"
    folder.mkdir()
    path = folder / "old.db"
    _store_of_0_1(path)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError, match=r"older saidwhat.*write access"):
            Store(path, read_only=True)
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
