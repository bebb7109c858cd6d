"""One registry of file endings, one JSON Lines line parser: ingest and the Spark job share both.

``READERS`` says for each ending how its files are read; the Spark job reads
the endings that need no fetching, and reads JSON Lines line by line through
the registry's line reader, which must give what the file reader gives.
Every text is fictional (the Fenmouth Courier and its readers).
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any, cast

import pytest

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read import READERS, read_bytes, read_path
from saidwhat.read.jsonl import article_from_line, read_jsonl_file

FETCHING = {".xml", ".rss", ".atom", ".urls"}


def test_only_feeds_and_url_lists_need_fetching() -> None:
    assert {suffix for suffix, f in READERS.items() if f.fetches} == FETCHING


def test_json_lines_alone_is_read_by_line() -> None:
    by_line = {suffix for suffix, f in READERS.items() if f.read_line is not None}
    assert by_line == {".jsonl", ".ndjson"}
    assert all(READERS[suffix].read_line is article_from_line for suffix in by_line)


def test_every_ending_that_needs_no_fetching_reads_bytes() -> None:
    for suffix, file_format in READERS.items():
        if not file_format.fetches:
            assert file_format.read_bytes is not None, suffix


# -- the endings the Spark job reads ---------------------------------------------------


def _spark() -> Any:
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    import saidwhat.spark

    return saidwhat.spark


def test_spark_reads_exactly_the_endings_that_need_no_fetching(tmp_path: Path) -> None:
    spark = _spark()
    readable = sorted(suffix for suffix, f in READERS.items() if not f.fetches)
    assert spark.readable_endings() == readable
    for suffix in READERS:
        (tmp_path / f"item{suffix}").write_text("x", encoding="utf-8")
    # Local inputs are listed without Spark: no SparkContext is needed.
    files, bad = spark.plan_inputs(cast(Any, None), [str(tmp_path)])
    chosen = {Path(f.location).name.removeprefix("item") for f in files}
    assert chosen == set(readable)
    refused = {Path(b.source).name.removeprefix("item") for b in bad}
    assert refused == FETCHING
    assert all("need fetching" in b.reason for b in bad)


def test_spark_messages_list_the_endings_it_reads(tmp_path: Path) -> None:
    spark = _spark()
    known = ", ".join(sorted(suffix for suffix, f in READERS.items() if not f.fetches))
    (tmp_path / "empty").mkdir()
    (tmp_path / "minutes.pdf").write_bytes(b"%PDF")
    _, bad = spark.plan_inputs(
        cast(Any, None), [str(tmp_path / "empty"), str(tmp_path / "minutes.pdf")]
    )
    assert [b.reason for b in bad] == [
        f"no files ending in {known} in this directory",
        f"unknown file type; the Spark job reads {known}",
    ]


# -- one JSON Lines line, two paths ------------------------------------------------------

LINES: list[bytes] = [
    codecs.BOM_UTF8
    + json.dumps({"id": "fc-1", "text": "“The tide waits,” said Pella Quist."}).encode(),
    json.dumps({"text": "No id: it takes the file stem and line number."}).encode(),
    b"",
    b"   \t",
    b'{"id": "fc-broken", "text": ',
    b"[1, 2]",
    b'"only a string"',
    b'{"id": "fc-2"}',
    b'{"text": 42}',
    b'{"text": "  "}',
    b'{"text": "ok", "id": {"nested": true}}',
    b'{"text": "ok", "url": ["x"]}',
    b'{"text": "Oda Brenn spoke.", "outlet": 7, "published": 2024}',
    b"{'text': 'single quotes'}",
    b"[" * 100_000,
    b'{"id": "fc-3", "text": "caf\xe9 owner Ivo Marsh said \xe2\x80\x9cyes\xe2\x80\x9d"}',
    '{"id": "fc-4", "text": "Hafen, sagte Rasmus Tell, bleibt offen."}'.encode("cp1252"),
    bytes(range(128, 256)),  # no encoding reads it: binary data
    bytes(c for c in range(1, 32) if c not in b"\n\r") * 4,
    json.dumps({"id": 17, "text": "A numeric id, kept as given.", "extra": {"k": [1]}}).encode(),
    json.dumps({"id": "", "text": "An empty id: the stem and line number again."}).encode(),
]


def _same(record: Article | BadRecord | None) -> object:
    """What a record says, comparable (BadRecord compares by identity)."""
    if isinstance(record, BadRecord):
        return ("bad", record.source, record.reason, record.location)
    return record


def test_a_line_reads_the_same_alone_and_in_its_file(tmp_path: Path) -> None:
    path = tmp_path / "courier.jsonl"
    path.write_bytes(b"\n".join(LINES) + b"\n")
    source = str(path)
    # As the Spark job reads a file: split at line ends (textFile), each line read alone by
    # the registry's line reader, numbered from 1 (zipWithIndex + 1).
    read_line = READERS[".jsonl"].read_line
    assert read_line is not None
    alone = [read_line(raw, source, lineno) for lineno, raw in enumerate(LINES, start=1)]
    in_file = list(read_jsonl_file(path))
    assert [_same(r) for r in alone if r is not None] == [_same(r) for r in in_file]
    assert [_same(r) for r in in_file] == [_same(r) for r in read_path(path)]
    # Every kind of line is among them: articles, bad lines, blank lines skipped.
    assert sum(r is None for r in alone) == 2
    articles = [r for r in alone if isinstance(r, Article)]
    assert [a.id for a in articles] == [
        "fc-1",
        "courier-2",
        "courier-13",
        "fc-3",
        "fc-4",
        "17",
        "courier-21",
    ]
    reasons = [r.reason for r in alone if isinstance(r, BadRecord)]
    assert "binary data, not text" in reasons and "not JSON: nested too deeply" in reasons


def _utf8(raw: bytes) -> str | None:
    """The line as strict UTF-8 text (a byte-order mark dropped), or None when it is not."""
    try:
        return raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_a_line_read_as_text_reads_as_its_bytes() -> None:
    # A UTF-16 file's lines reach article_from_line decoded; they must read as UTF-8 bytes do.
    for lineno, raw in enumerate(LINES, start=1):
        text = _utf8(raw)
        if text is not None and "\x00" not in text:
            as_text = article_from_line(text, "x.jsonl", lineno)
            assert _same(as_text) == _same(article_from_line(raw, "x.jsonl", lineno))


# -- a whole file's bytes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("note.txt", "“We open on Monday,” said Ivo Marsh.\n".encode("utf-16")),
        ("empty.htm", b""),
        (
            "page.html",
            b"<html><body><article><p>"
            + b"The Fenmouth pier reopens. " * 20
            + b"</p></article></body></html>",
        ),
        ("lines.ndjson", LINES[0] + b"\n" + LINES[4] + b"\n"),
        ("notes.warc.gz", b"This is a plain note, not a web archive.\n"),
        ("empty.warc", b""),
        ("courier.rss", b"<rss/>"),
    ],
)
def test_bytes_read_as_the_file_reads(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert [_same(r) for r in read_bytes(data, str(path))] == [_same(r) for r in read_path(path)]


def test_bytes_without_a_bytes_reader_are_one_bad_record() -> None:
    [unknown] = read_bytes(b"%PDF", "minutes.pdf")
    assert isinstance(unknown, BadRecord) and unknown.reason.startswith("unknown file type '.pdf'")
    [urls] = read_bytes(b"https://fenmouth-courier.example/\n", "list.urls")
    assert isinstance(urls, BadRecord) and urls.reason == "'.urls' files are not read from bytes"
