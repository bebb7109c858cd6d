"""The WARC reader: pages out of web archives, crawl noise skipped, damage reported."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped, unused-ignore]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped, unused-ignore]

import saidwhat.read.warc
from saidwhat import extract_articles
from saidwhat.cli import app
from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read import READERS, read_inputs, read_path
from saidwhat.read.warc import read_warc_file, read_warc_stream
from tests.news_pages import news_page

DATE = "2024-03-05T10:00:00Z"
ID_COUNCIL = "11111111-2222-3333-4444-555555555555"
ID_FERRY = "66666666-7777-8888-9999-000000000000"
COUNCIL_URL = "https://harwick-gazette.example/news/council-backs-footbridge"
FERRY_URL = "https://harwick-gazette.example/news/ferry-timetable"


page = news_page


COUNCIL_PAGE = page(
    "Council backs the footbridge",
    [
        "Councillor Ilse Varga said: “The footbridge will connect the old town to the "
        "station before the winter.”",
        "“We listened to every objection,” she said, adding that the town had waited a decade "
        "for a safe crossing over the river.",
        "The plan passed by nine votes to four after a long debate in the council chamber on "
        "Tuesday evening.",
    ],
    published="2024-02-28",
)
FERRY_PAGE = page(
    "Ferry timetable to change",
    [
        "Harbourmaster Tomas Brandt said the winter ferry timetable would start a week early "
        "this year because of repairs at the northern pier.",
        "Passengers were told to check the notice boards at the terminal before travelling, "
        "and the operator promised extra crossings at weekends.",
    ],
)
EMPTY_PAGE = "<!DOCTYPE html><html><head><title>Gallery</title></head><body></body></html>"


@dataclass
class Rec:
    """One record to write: what kind, about which URI, with which body and headers."""

    kind: str
    uri: str
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: str | None = "200 OK"  # None: no HTTP headers (resource and other records)
    record_id: str | None = None
    date: str = DATE


def response(uri: str, html: str, record_id: str | None = None, **kw: str) -> Rec:
    return Rec("response", uri, html.encode("utf-8"), record_id=record_id, **kw)


def write_warc(path: Path, records: list[Rec], gz: bool | None = None) -> Path:
    """Write ``records`` with warcio's WARCWriter (gzip when the name ends in .gz)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz") if gz is None else gz)
        for rec in records:
            headers = {"WARC-Date": rec.date}
            if rec.record_id:
                headers["WARC-Record-ID"] = f"<urn:uuid:{rec.record_id}>"
            http = None
            if rec.kind == "response" and rec.status is not None:
                http = StatusAndHeaders(
                    rec.status, [("Content-Type", rec.content_type)], protocol="HTTP/1.1"
                )
            record = writer.create_warc_record(
                rec.uri,
                rec.kind,
                payload=io.BytesIO(rec.body),
                http_headers=http,
                warc_content_type=None if http else rec.content_type,
                warc_headers_dict=headers,
            )
            writer.write_record(record)
    return path


def crawl() -> list[Rec]:
    """A small crawl as Common Crawl News stores it: pages among requests, redirects, images."""
    return [
        Rec("warcinfo", "", b"software: test\r\n", content_type="application/warc-fields"),
        Rec("request", COUNCIL_URL, b"GET / HTTP/1.1\r\nHost: harwick-gazette.example\r\n\r\n"),
        response(COUNCIL_URL, COUNCIL_PAGE, ID_COUNCIL),
        Rec(
            "metadata", COUNCIL_URL, b"fetchTimeMs: 120\r\n", content_type="application/warc-fields"
        ),
        response("https://harwick-gazette.example/logo.png", "PNGDATA", content_type="image/png"),
        response(
            "https://harwick-gazette.example/robots.txt", "User-agent: *", content_type="text/plain"
        ),
        response("https://harwick-gazette.example/old", FERRY_PAGE, status="301 Moved Permanently"),
        response("https://harwick-gazette.example/gone", COUNCIL_PAGE, status="404 Not Found"),
        response(FERRY_URL, FERRY_PAGE, ID_FERRY),
    ]


def articles(records: list[Article | BadRecord]) -> list[Article]:
    return [r for r in records if isinstance(r, Article)]


def bad_records(records: list[Article | BadRecord]) -> list[BadRecord]:
    return [r for r in records if isinstance(r, BadRecord)]


# --- pages and what is skipped ------------------------------------------------------


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_html_responses_become_articles_and_the_rest_is_skipped(tmp_path: Path, name: str) -> None:
    path = write_warc(tmp_path / name, crawl())
    records = list(read_inputs([str(path)]))
    assert not bad_records(records)
    council, ferry = articles(records)
    assert council.id == ID_COUNCIL and ferry.id == ID_FERRY
    assert "Ilse Varga" in council.text and "“We listened to every objection,”" in council.text
    assert "Tomas Brandt" in ferry.text
    for article in (council, ferry):
        assert "Home" not in article.text and "©" not in article.text


def test_article_fields_come_from_the_record(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", crawl())
    council, ferry = articles(list(read_warc_file(path)))
    assert council.url == COUNCIL_URL and ferry.url == FERRY_URL
    assert council.published == "2024-02-28"  # from the page
    assert ferry.published == "2024-03-05"  # the page has no date: WARC-Date's day
    assert council.outlet == "Harwick Gazette"
    assert council.title and "footbridge" in council.title
    assert council.extra == {"warc_record_id": f"<urn:uuid:{ID_COUNCIL}>", "warc_date": DATE}


def test_resource_records_are_read(tmp_path: Path) -> None:
    path = write_warc(
        tmp_path / "saved.warc",
        [Rec("resource", COUNCIL_URL, COUNCIL_PAGE.encode("utf-8"), record_id=ID_COUNCIL)],
    )
    [article] = read_warc_file(path)
    assert isinstance(article, Article)
    assert (article.id, article.url) == (ID_COUNCIL, COUNCIL_URL)
    assert "Ilse Varga" in article.text


def test_ids_are_stable_and_unique(tmp_path: Path) -> None:
    first = write_warc(tmp_path / "a.warc", [response(COUNCIL_URL, COUNCIL_PAGE)])
    second = write_warc(tmp_path / "b.warc", [response(COUNCIL_URL, COUNCIL_PAGE)])
    one, two = (articles(list(read_warc_file(p)))[0] for p in (first, second))
    assert one.id != two.id  # warcio gave each record its own WARC-Record-ID
    assert one.id == articles(list(read_warc_file(first)))[0].id
    assert "<" not in one.id and "urn:" not in one.id


def test_record_without_an_id_gets_a_hash_of_its_uri() -> None:
    make_id = saidwhat.read.warc._article_id
    assert make_id(None, COUNCIL_URL, "x-1") == make_id(None, COUNCIL_URL, "y-2")
    assert make_id(None, COUNCIL_URL, "x-1") != make_id(None, FERRY_URL, "x-1")
    assert make_id(None, None, "x-1") == "x-1"
    assert make_id(f"<urn:uuid:{ID_COUNCIL}>", COUNCIL_URL, "x-1") == ID_COUNCIL


def test_http_charset_is_used(tmp_path: Path) -> None:
    html = COUNCIL_PAGE.replace("Varga", "Várga")
    rec = Rec(
        "response",
        COUNCIL_URL,
        html.encode("cp1252"),
        content_type="text/html; charset=ISO-8859-1",
    )
    [article] = read_warc_file(write_warc(tmp_path / "latin.warc", [rec]))
    assert isinstance(article, Article)
    assert "Councillor Ilse Várga said: “The footbridge" in article.text


# --- bad records ----------------------------------------------------------------


def test_page_without_main_text_is_a_bad_record_naming_the_record(tmp_path: Path) -> None:
    gallery = "https://harwick-gazette.example/gallery"
    path = write_warc(
        tmp_path / "crawl.warc.gz",
        [response(gallery, EMPTY_PAGE), response(COUNCIL_URL, COUNCIL_PAGE, ID_COUNCIL)],
    )
    bad, article = read_warc_file(path)
    assert isinstance(bad, BadRecord)
    assert (bad.source, bad.location) == (str(path), "record 1")
    assert "no main text" in bad.reason and gallery in bad.reason
    assert isinstance(article, Article) and article.id == ID_COUNCIL


def test_oversized_page_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_warc(
        tmp_path / "crawl.warc",
        [response(COUNCIL_URL, COUNCIL_PAGE), response(FERRY_URL, FERRY_PAGE, ID_FERRY)],
    )
    monkeypatch.setattr(saidwhat.read.warc, "MAX_PAYLOAD_BYTES", len(FERRY_PAGE) + 10)
    bad, article = read_warc_file(path)
    assert isinstance(bad, BadRecord) and bad.location == "record 1"
    assert "larger than" in bad.reason and COUNCIL_URL in bad.reason
    assert isinstance(article, Article) and article.id == ID_FERRY


# --- damaged files and files that are not WARCs ---------------------------------


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
@pytest.mark.parametrize("cut", [40, 200])
def test_truncated_file_keeps_earlier_articles_then_says_where(
    tmp_path: Path, name: str, cut: int
) -> None:
    path = write_warc(tmp_path / name, crawl())
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    records = list(read_warc_file(path))
    assert [a.id for a in articles(records)] == [ID_COUNCIL]
    [bad] = bad_records(records)
    assert records[-1] is bad
    assert bad.location == "record 9"  # the ferry page, last in the crawl
    assert bad.reason.startswith("file truncated or corrupt")


def test_cut_gzip_trailer_keeps_every_article_and_is_reported(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", crawl())
    path.write_bytes(path.read_bytes()[:-1])
    records = list(read_warc_file(path))
    assert [a.id for a in articles(records)] == [ID_COUNCIL, ID_FERRY]
    [bad] = bad_records(records)
    assert records[-1] is bad and bad.location == "record 10"  # after the last record


@pytest.mark.parametrize("name", ["two.warc", "two.warc.gz"])
def test_a_cut_anywhere_never_raises(tmp_path: Path, name: str) -> None:
    ids = [ID_COUNCIL, ID_FERRY]
    pages = [
        response(COUNCIL_URL, COUNCIL_PAGE, ID_COUNCIL),
        response(FERRY_URL, FERRY_PAGE, ID_FERRY),
    ]
    whole = write_warc(tmp_path / name, pages).read_bytes()
    path = tmp_path / f"cut-{name}"
    for size in [*range(0, len(whole), 11), len(whole) - 2]:
        path.write_bytes(whole[:size])
        records = list(read_warc_file(path))
        found = [a.id for a in articles(records)]
        assert found == ids[: len(found)], size
        if found == ids and name.endswith(".warc"):  # only the blank lines after it lost
            assert size >= len(whole) - 4 and not bad_records(records), size
        else:
            assert len(bad_records(records)) == 1 and isinstance(records[-1], BadRecord), size


def test_truncation_inside_a_gzip_member_header_is_noticed(tmp_path: Path) -> None:
    pages = [response(COUNCIL_URL, COUNCIL_PAGE, ID_COUNCIL), response(FERRY_URL, FERRY_PAGE)]
    path = write_warc(tmp_path / "crawl.warc.gz", pages)
    whole = path.read_bytes()
    first_member_end = len(write_warc(tmp_path / "one.warc.gz", pages[:1]).read_bytes())
    path.write_bytes(whole[: first_member_end + 3])  # just the next member's magic number
    records = list(read_warc_file(path))
    assert [a.id for a in articles(records)] == [ID_COUNCIL]
    assert [b.location for b in bad_records(records)] == ["record 2"]


def test_corrupt_gzip_data_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", crawl())
    data = bytearray(path.read_bytes())
    middle = len(data) * 2 // 3
    data[middle : middle + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))
    records = list(read_warc_file(path))
    # The pages on either side of the damage are read; the damage is one bad record.
    assert [a.id for a in articles(records)] == [ID_COUNCIL, ID_FERRY]
    [bad] = bad_records(records)
    assert records.index(bad) == 1
    assert bad.reason.startswith("file truncated or corrupt") and "read on from byte" in bad.reason


def _many_pages(n: int) -> list[Rec]:
    return [
        response(f"https://harwick-gazette.example/story-{i}", COUNCIL_PAGE, f"{i:08d}-page")
        for i in range(n)
    ]


def _member_starts(data: bytes) -> list[int]:
    """Where each record's gzip member starts (warcio writes one member a record)."""
    starts, at = [], 0
    while at < len(data):
        starts.append(at)
        member = zlib.decompressobj(31)
        member.decompress(data[at:])
        at = len(data) - len(member.unused_data)
    return starts


@pytest.mark.parametrize("damaged", [0, 3, 9])
def test_each_damaged_member_costs_only_its_own_record(tmp_path: Path, damaged: int) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", _many_pages(10))
    data = bytearray(path.read_bytes())
    starts = _member_starts(bytes(data))
    assert len(starts) == 10
    data[starts[damaged] + 20 : starts[damaged] + 60] = b"\x00" * 40  # inside its deflate data
    path.write_bytes(bytes(data))
    records = list(read_warc_file(path))
    ids = [a.id for a in articles(records)]
    assert ids == [f"{i:08d}-page" for i in range(10) if i != damaged]
    [bad] = bad_records(records)
    assert bad.reason.startswith("file truncated or corrupt")


def test_a_damaged_stream_that_cannot_be_reread_ends_at_the_damage(tmp_path: Path) -> None:
    """Standard input cannot seek: the damage ends it, as before, with the pages before it."""
    path = write_warc(tmp_path / "crawl.warc.gz", _many_pages(6))
    data = bytearray(path.read_bytes())
    start = _member_starts(bytes(data))[3]
    data[start + 20 : start + 60] = b"\x00" * 40
    records = list(read_path_stream(bytes(data)))
    assert [a.id for a in articles(records)] == [f"{i:08d}-page" for i in range(3)]
    [bad] = bad_records(records)
    assert records[-1] is bad and "read on" not in bad.reason


def read_path_stream(data: bytes) -> list[Article | BadRecord]:
    """The WARC reader on a stream that cannot seek (a pipe)."""

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: Any) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    return list(read_warc_stream(io.BufferedReader(Pipe()), "-"))


@pytest.mark.parametrize(
    "data",
    [
        b"This is a plain note, not a web archive.\n" * 5,
        bytes(range(256)) * 4,
        gzip.compress(b"<html><body><p>Not a WARC either.</p></body></html>"),
    ],
    ids=["text", "binary", "gzipped-html"],
)
def test_file_that_is_not_a_warc_is_one_bad_record(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "notes.warc.gz"
    path.write_bytes(data)
    [bad] = read_warc_file(path)
    assert isinstance(bad, BadRecord)
    assert bad.source == str(path)
    assert "not a WARC file" in bad.reason


def test_empty_file_is_a_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc"
    path.write_bytes(b"")
    [bad] = read_warc_file(path)
    assert isinstance(bad, BadRecord) and bad.reason == "empty file"


def test_missing_file_is_a_bad_record(tmp_path: Path) -> None:
    [bad] = read_warc_file(tmp_path / "missing.warc.gz")
    assert isinstance(bad, BadRecord) and "No such file" in bad.reason


# --- registry, directories, the pipeline ----------------------------------------


def test_warc_endings_are_registered() -> None:
    assert READERS[".warc"].read_file is read_warc_file
    assert READERS[".warc.gz"].read_file is read_warc_file


def test_warc_gz_is_found_in_a_directory(tmp_path: Path) -> None:
    (tmp_path / "crawl").mkdir()
    write_warc(tmp_path / "crawl" / "CC-NEWS-1.warc.gz", crawl())
    (tmp_path / "crawl" / "other.gz").write_bytes(gzip.compress(b"not ours"))
    (tmp_path / "a.txt").write_text("Ilse Varga spoke.", encoding="utf-8")
    records = list(read_path(tmp_path))
    assert not bad_records(records)
    assert [a.id for a in articles(records)] == ["a", ID_COUNCIL, ID_FERRY]


def test_plain_gz_file_is_an_unknown_type(tmp_path: Path) -> None:
    path = tmp_path / "pages.gz"
    path.write_bytes(gzip.compress(b"x"))
    [bad] = read_inputs([str(path)])
    assert isinstance(bad, BadRecord) and bad.reason.startswith("unknown file type '.gz'")
    assert ".warc.gz" in bad.reason


def test_read_inputs_reads_warc_files_in_order(tmp_path: Path) -> None:
    first = write_warc(tmp_path / "one.WARC.GZ", [response(FERRY_URL, FERRY_PAGE, ID_FERRY)])
    second = write_warc(tmp_path / "two.warc", [response(COUNCIL_URL, COUNCIL_PAGE, ID_COUNCIL)])
    records = list(read_inputs([str(first), str(second)]))
    assert [r.id for r in articles(records)] == [ID_FERRY, ID_COUNCIL]


def test_quote_and_speaker_are_found_in_a_warc_page(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", crawl())
    council = articles(list(read_warc_file(path)))[0]
    [result] = extract_articles([council])
    speakers = {q.speaker.entity.name for q in result.quotes if q.speaker and q.speaker.entity}
    contents = [council.text[q.start : q.end] for q in result.quotes]
    assert "Ilse Varga" in speakers
    assert any("The footbridge will connect the old town" in c for c in contents)


def test_cli_extracts_from_a_warc_file(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", crawl())
    result = CliRunner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "Ilse Varga" in result.stdout
    assert "The footbridge will connect the old town" in result.stdout
    assert "2 articles" in result.stderr and "0 skipped" in result.stderr
