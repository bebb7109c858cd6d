"""``saidwhat load`` without Spark: Parquet written here with pyarrow, shaped as the job writes it.

The rows come from ``output_rows``, the function the Spark job runs on each
extracted article, and are written with ``pyarrow`` in the job's layout
(hive partitions by publication day). Loading them must store exactly what
``Store.add`` stores for the same articles, and loading twice must change
nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from saidwhat.cli import app
from saidwhat.errors import BadInput, BadRecord
from saidwhat.load import (
    PARTITION,
    TABLES,
    error_row,
    load_output,
    output_rows,
    published_date,
    table_files,
)
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
from saidwhat.store import Store

runner = CliRunner()

FOOTBRIDGE = "The footbridge will connect the old town to the station"


def span(text: str, piece: str, occurrence: int = 1) -> Span:
    """The span of the ``occurrence``-th ``piece`` in ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.index(piece, start + 1)
    return Span.of(text, start, start + len(piece))


def gazette() -> ExtractedArticle:
    text = (
        "Council backs footbridge\n"
        f"Councillor Ilse Varga said: “{FOOTBRIDGE}.”\n"
        "“We listened,” she said, “to every objection.”"
    )
    varga = Entity("Ilse Varga", EntityKind.PERSON, "councillor", "Q-HARWICK-7")
    return ExtractedArticle(
        Article(
            id="hg-footbridge",
            text=text,
            url="https://harwick-gazette.example/news/footbridge",
            outlet="Harwick Gazette",
            published="2024-02-28T09:00:00Z",
            title="Council backs footbridge",
            extra={"section": "local", "tags": ["council", "river"]},
        ),
        (
            Quote(
                (span(text, f"{FOOTBRIDGE}."),),
                QuoteType.DIRECT,
                span(text, "said"),
                Speaker(span(text, "Councillor Ilse Varga"), varga),
                0.93,
                "cue after the name",
            ),
            Quote(
                (span(text, "We listened,"), span(text, "to every objection.")),
                QuoteType.DIRECT,
                span(text, "said", 2),
                Speaker(span(text, "she"), varga),
                0.88,
                "split by its cue",
            ),
        ),
    )


def post() -> ExtractedArticle:
    text = f"Footbridge approved\n“{FOOTBRIDGE},” Varga said after the vote."
    return ExtractedArticle(
        Article(id="hp-1", text=text, outlet="Harwick Post"),  # no date: published_date=unknown
        (
            Quote(
                (span(text, f"{FOOTBRIDGE},"),),
                QuoteType.DIRECT,
                span(text, "said"),
                Speaker(span(text, "Varga"), Entity("Varga", EntityKind.PERSON)),
                0.9,
            ),
            Quote((span(text, "Footbridge approved"),), QuoteType.INDIRECT),  # no speaker
        ),
    )


def failed() -> ExtractedArticle:
    article = Article(id="hg-odd", text="A page the parser choked on.", published="2024-03-01")
    return ExtractedArticle(article, (), "extraction failed: ValueError: boom")


BAD = BadRecord("/data/crawl.warc.gz", "no main text found: https://x.example/gallery", "record 4")


def results() -> list[ExtractedArticle]:
    return [gazette(), post(), failed()]


def rows_of(
    extracted: list[ExtractedArticle], bad: list[BadRecord]
) -> dict[str, list[dict[str, Any]]]:
    """The rows the Spark job makes of these results and bad records."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for result in extracted:
        for name, rows in output_rows(result, "/data/news.jsonl").items():
            tables[name].extend(rows)
    tables["errors"].extend(error_row(b) for b in bad)
    return tables


def write_tables(
    root: Path, tables: dict[str, list[dict[str, Any]]], rows_per_group: int | None = None
) -> Path:
    """``tables`` under ``root`` as ``saidwhat spark`` lays them out (hive partitions by day)."""
    for name, rows in tables.items():
        if not rows:
            continue
        schema = TABLES[name].append(pa.field(PARTITION, pa.string()))
        pq.write_to_dataset(
            pa.Table.from_pylist(rows, schema=schema),
            root / name,
            partition_cols=[PARTITION],
            row_group_size=rows_per_group,
        )
    return root


def write_output(
    root: Path,
    extracted: list[ExtractedArticle],
    bad: list[BadRecord] | None = None,
    rows_per_group: int | None = None,
) -> Path:
    return write_tables(root, rows_of(extracted, [BAD] if bad is None else bad), rows_per_group)


def dump(db: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """What a store holds, without its row ids and times."""
    conn = sqlite3.connect(db)
    queries = {
        "articles": "SELECT content_hash, url, input_id, source, outlet, published, title,"
        " language, text, extra, error FROM articles",
        "quotes": "SELECT a.input_id, q.seq, q.content_start, q.content_end, q.content_text,"
        " q.content_parts, q.type, q.cue_text, q.cue_start, q.cue_end, s.name, s.kind, s.role,"
        " s.external_id, q.speaker_text,"
        " q.speaker_start, q.speaker_end, q.confidence, q.evidence FROM quotes q"
        " JOIN articles a ON a.id = q.article_id LEFT JOIN speakers s ON s.id = q.speaker_id",
        "speakers": "SELECT name, kind, role, external_id FROM speakers",
        "statements": "SELECT group_concat(a.input_id || ':' || q.seq, ' ') FROM quotes q"
        " JOIN articles a ON a.id = q.article_id GROUP BY q.statement_id",
        "errors": "SELECT source, location, reason FROM ingest_errors",
    }
    out = {name: Counter(tuple(r) for r in conn.execute(sql)) for name, sql in queries.items()}
    conn.close()
    return out


@pytest.fixture
def output(tmp_path: Path) -> Path:
    return write_output(tmp_path / "out", results())


def test_load_stores_what_store_add_stores(output: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "loaded.db") as store:
        summary = load_output(output, store)
    with Store(tmp_path / "added.db") as store:
        for result in results():
            store.add(result)
        store.add_error(BAD)
    loaded, added = dump(tmp_path / "loaded.db"), dump(tmp_path / "added.db")
    assert loaded == added
    assert (summary.read, summary.stored, summary.duplicates, summary.quotes) == (3, 3, 0, 4)
    assert (summary.failed, summary.skipped_total, summary.known_errors) == (1, 1, 0)
    parts = next(q for q in loaded["quotes"] if q[0] == "hg-footbridge" and q[1] == 1)[5]
    assert parts is not None  # the quote split by its cue keeps both parts


def test_speakers_are_resolved_across_articles(output: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "news.db") as store:
        summary = load_output(output, store)
    speakers = dump(tmp_path / "news.db")["speakers"]
    assert list(speakers) == [("Ilse Varga", "person", "councillor", "Q-HARWICK-7")]
    assert summary.new_speakers == 1
    statements = dump(tmp_path / "news.db")["statements"]
    assert Counter(len(s[0].split()) for s in statements) == Counter({2: 1, 1: 2})


def test_loading_twice_changes_nothing(output: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with Store(db) as store:
        load_output(output, store)
    before = dump(db)
    with Store(db) as store:
        again = load_output(output, store)
    assert dump(db) == before
    assert (again.read, again.stored, again.duplicates, again.quotes) == (3, 0, 3, 0)
    assert (again.skipped_total, again.known_errors) == (1, 1)


def test_extraction_failures_stay_on_their_article(output: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with Store(db) as store:
        load_output(output, store)
    held = dump(db)
    [odd] = [a for a in held["articles"] if a[2] == "hg-odd"]
    assert odd[-1] == "extraction failed: ValueError: boom"
    assert not [q for q in held["quotes"] if q[0] == "hg-odd"]
    assert list(held["errors"]) == [(BAD.source, BAD.location, BAD.reason)]  # the record only


def test_article_whose_text_is_not_its_hash_is_kept_as_an_error(tmp_path: Path) -> None:
    tables = rows_of([gazette(), post()], [])
    tables["articles"][0]["text"] = "Council backs footbridge"  # altered after the hash was taken
    root = write_tables(tmp_path / "out", tables)
    seen: list[BadRecord] = []
    with Store(tmp_path / "news.db") as store:
        summary = load_output(root, store, on_bad_record=seen.append)
    assert (summary.stored, summary.skipped_total) == (1, 1)
    [bad] = seen
    assert bad.location == "article hg-footbridge" and "does not match" in bad.reason
    assert (bad.source, bad.location, bad.reason) in dump(tmp_path / "news.db")["errors"]


def test_quote_offsets_outside_the_text_are_refused(tmp_path: Path) -> None:
    tables = rows_of([gazette()], [])
    short = "Council backs footbridge"
    key = hashlib.sha256(short.encode()).hexdigest()  # the store's content_hash
    tables["articles"][0].update(text=short, content_hash=key)
    for row in tables["quotes"]:
        row["content_hash"] = key
    with Store(tmp_path / "news.db") as store:
        summary = load_output(write_tables(tmp_path / "out", tables), store)
    assert (summary.stored, summary.skipped_total) == (0, 1)
    [(_, location, reason)] = dump(tmp_path / "news.db")["errors"]
    assert location == "article hg-footbridge" and "outside the article text" in reason


@pytest.mark.parametrize(
    "names",
    [
        {"input_id": "input_id", "start": "content_start", "end": "content_end",
         "speaker": "speaker_entity"},
        # as saidwhat 0.1 named them
        {"input_id": "article_id", "start": "start", "end": "end", "speaker": "speaker"},
    ],
    ids=["record names", "names of 0.1"],
)  # fmt: skip
def test_hand_written_rows_with_few_columns_load(tmp_path: Path, names: dict[str, str]) -> None:
    """Other tools (and saidwhat 0.1) write the tables: missing columns are read as empty."""
    text = "“We will build it,” said Ilse Varga."
    key = hashlib.sha256(text.encode()).hexdigest()
    for name in ("articles", "quotes"):
        (tmp_path / name).mkdir()
    pq.write_table(
        pa.table({"content_hash": [key], names["input_id"]: ["a1"], "text": [text]}),
        tmp_path / "articles" / "part-0.parquet",
    )
    quote = {"content_hash": [key], "seq": [0], names["start"]: [1], names["end"]: [18]}
    pq.write_table(
        pa.table({**quote, "type": ["direct"], names["speaker"]: ["Ilse Varga"]}),
        tmp_path / "quotes" / "part-0.parquet",
    )
    with Store(tmp_path / "news.db") as store:
        summary = load_output(tmp_path, store)
    assert (summary.stored, summary.quotes, summary.skipped_total) == (1, 1, 0)
    [quote_row] = dump(tmp_path / "news.db")["quotes"]
    assert quote_row[4] == "We will build it" and quote_row[10] == "Ilse Varga"


def test_many_files_and_row_groups_stream(tmp_path: Path) -> None:
    extracted = []
    for n in range(30):
        text = f"Item {n}\n“The ferry will run on day {n},” said Tomas Brandt."
        quote = Quote(
            (span(text, f"The ferry will run on day {n},"),),
            QuoteType.DIRECT,
            span(text, "said"),
            Speaker(span(text, "Tomas Brandt"), Entity("Tomas Brandt", EntityKind.PERSON)),
        )
        day = f"2024-05-{n % 3 + 1:02d}" if n % 4 else None
        extracted.append(ExtractedArticle(Article(f"f{n}", text, published=day), (quote,)))
    root = tmp_path / "out"
    for start in range(0, 30, 10):  # three runs: three files in each partition
        write_output(root, extracted[start : start + 10], [], 2)
    assert len(table_files(root, "articles")) == 12
    assert table_files(root, "articles")[-1].parent.name == "published_date=unknown"
    with Store(tmp_path / "news.db") as store:
        summary = load_output(root, store)
    assert (summary.read, summary.stored, summary.quotes, summary.new_speakers) == (30, 30, 30, 1)


def test_a_folder_that_is_no_output_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "news.db") as store, pytest.raises(BadInput, match="no articles/"):
        load_output(tmp_path, store)
    result = runner.invoke(app, ["load", str(tmp_path), "--db", str(tmp_path / "news.db")])
    assert result.exit_code == 2 and "saidwhat spark" in result.output


def test_cli_load_prints_a_summary(output: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    result = runner.invoke(app, ["load", str(output), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "read 3 articles: 3 stored, 0 already stored; 4 quotes, 1 new speaker" in result.output
    assert "1 record skipped;" in result.output and "kept before" not in result.output
    assert "extraction failed on 1" in result.output
    assert f"{db}: 3 articles, 4 quotes, 1 speaker" in result.output


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("2024-05-14T09:30:00+01:00", "2024-05-14"),
        ("2024-05-14", "2024-05-14"),
        (" 2024-05-14 09:30", "2024-05-14"),
        ("2024-02-30", "unknown"),
        ("14 May 2024", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_published_date(published: str | None, day: str) -> None:
    assert published_date(published) == day
