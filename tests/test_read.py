"""The readers: text, HTML, JSON Lines, directories, standard input, and bad input."""

from __future__ import annotations

import codecs
import doctest
import io
import json
import random
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import saidwhat.read.text
from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read import READERS, read_inputs
from saidwhat.read.html import article_from_html
from saidwhat.read.jsonl import CHUNK_SIZE, read_jsonl
from saidwhat.read.text import decode_bytes, normalise_text, read_text_file

SAMPLES = Path(saidwhat.read.text.__file__).parent.parent / "samples"

STORY = (
    "Mayor Elena Varga said: “The bridge will open in spring.”\n"
    "“It is overdue,” she said. Ms Varga’s critics disagree.\n"
    'The former mayor warned that costs could "easily double".\n'
)

PAGE = """<!DOCTYPE html>
<html><head>
<title>Bridge vote | The Tamsey Valley Courier</title>
<meta property="og:site_name" content="Tamsey Valley Courier">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<script>var tracker = "SCRIPT_IN_HEAD";</script>
<style>p { color: red; }</style>
</head><body>
<nav><a href="/">Home</a> <a href="/news">NAV_LINK_TEXT</a></nav>
<article>
<h1>Council backs the footbridge</h1>
<p>Mayor Elena Varga said: “This bridge connects the old town to the station at last.”</p>
<p>“It is a good day for Harwick,” she said, adding that the town had waited a decade.</p>
<script>console.log("SCRIPT_IN_BODY");</script>
<p>The former mayor, Gerald Ashcombe, warned that the final bill could easily double.</p>
</article>
<footer>FOOTER_TEXT © 2024 Tamsey Valley Courier</footer>
</body></html>
"""


def articles(records: list[Article | BadRecord]) -> list[Article]:
    return [r for r in records if isinstance(r, Article)]


def bad_records(records: list[Article | BadRecord]) -> list[BadRecord]:
    return [r for r in records if isinstance(r, BadRecord)]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# --- decoding ---------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"],
)
def test_decode_bytes_reads_common_encodings(encoding: str) -> None:
    # utf-16 and utf-32 write a BOM; utf-16-le/-be have none and are found by their NULs.
    assert decode_bytes(STORY.encode(encoding), "a.txt") == STORY


def test_decode_bytes_keeps_typographic_quotes_and_apostrophes() -> None:
    text = "‘Yes’, “no”, rock ’n’ roll, the ’90s, «oui», „ja“ and straight \"marks\" or 'these'."
    assert decode_bytes(text.encode(), "a.txt") == text


def test_decode_bytes_normalises_line_ends_and_drops_control_characters() -> None:
    # A stray control character now and then is dirt to remove, not a sign of binary data.
    raw = "One\r\nTwo\rThree\x07 four\tfive\x0cSix\x1b.\n" + STORY * 3
    text = decode_bytes(raw.encode(), "a.txt")
    assert text == "One\nTwo\nThree four\tfive\nSix.\n" + STORY * 3


def test_nul_characters_in_utf16_text_are_removed() -> None:
    assert decode_bytes("A\x00B said “so”.".encode("utf-16"), "a.txt") == "AB said “so”."


def test_utf8_quotes_among_more_windows_1252_letters_keep_both() -> None:
    """Text pasted from two sources: UTF-8 quotation marks, cp1252 accents and marks.

    Guessing one code page for the whole file read it as Mac Latin 2 (or, with
    more stray bytes, as binary); each character is now read as written.
    """
    data = (
        b"\xe2\x80\x9cWe will not move,\xe2\x80\x9d said the caf\xe9 owner, Ren\xe9e "
        b"Dufr\xeane. \x93Twice\x94 the na\xefve plan \x96 \xe9t\xe9 \xe0 la carte.\n"
    )
    assert decode_bytes(data, "a.txt") == (
        "“We will not move,” said the café owner, Renée Dufrêne. "
        "“Twice” the naïve plan – été à la carte.\n"
    )


def test_invalid_utf8_with_a_few_bad_bytes_is_still_read() -> None:
    data = STORY.encode() + b"Caf\xe9 owners \xff\xfe said \xe2\x80 nothing.\n"
    text = decode_bytes(data, "a.txt")
    assert text.startswith(STORY)  # the good part, curly quotes included, is intact
    assert text.count("\ufffd") == 4
    assert "owners" in text and "nothing." in text


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, "  \n".encode("utf-16")])
def test_empty_data_is_a_bad_record(data: bytes) -> None:
    with pytest.raises(BadRecord, match="empty file"):
        decode_bytes(data, "empty.txt")


def _random_bytes(size: int, *, nul: bool) -> bytes:
    rng = random.Random(20240305)
    low = 0 if nul else 1
    return bytes(rng.randrange(low, 256) for _ in range(size))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random_bytes(4000, nul=True),
        _random_bytes(4000, nul=False),  # no NUL byte: found by its control characters
        b"%PDF-1.4\n" + _random_bytes(2000, nul=True),
    ],
    ids=["png", "random-without-nul", "pdf"],
)
def test_binary_data_is_a_bad_record(data: bytes) -> None:
    with pytest.raises(BadRecord, match="binary"):
        decode_bytes(data, "picture.txt")


def test_text_module_doctests_pass() -> None:
    assert doctest.testmod(saidwhat.read.text).failed == 0


def test_normalise_text_leaves_clean_text_alone() -> None:
    assert normalise_text(STORY) == STORY


# --- plain text ---------------------------------------------------------------


def test_text_file_gives_one_article(tmp_path: Path) -> None:
    path = write(tmp_path / "bridge-vote.txt", "\ufeff" + STORY.replace("\n", "\r\n") + "\r\n\r\n")
    [record] = read_text_file(path)
    assert record == Article(id="bridge-vote", text=STORY.strip())
    assert record.title is None


def test_five_megabyte_text_article_is_read(tmp_path: Path) -> None:
    paragraph = "“Costs have risen again,” the treasurer said, “and we must act.”\n"
    text = paragraph * (5_000_000 // len(paragraph.encode()) + 1)
    path = write(tmp_path / "huge.txt", text)
    assert path.stat().st_size > 5_000_000
    [record] = read_text_file(path)
    assert isinstance(record, Article)
    assert record.text == text.strip()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary"),
    ],
)
def test_bad_text_file_is_yielded_not_raised(tmp_path: Path, data: bytes, reason: str) -> None:
    path = write(tmp_path / "bad.txt", data)
    [record] = read_text_file(path)
    assert isinstance(record, BadRecord)
    assert reason in record.reason
    assert record.source == str(path)


# --- HTML ---------------------------------------------------------------------


def test_html_main_text_and_metadata() -> None:
    article = article_from_html(PAGE, "pages/bridge.html", url="https://courier.example/bridge")
    assert article.id == "bridge"
    assert "Mayor Elena Varga said: “This bridge connects the old town" in article.text
    assert "“It is a good day for Harwick,” she said" in article.text
    assert article.outlet == "Tamsey Valley Courier"
    assert article.published == "2024-03-05"
    assert article.title is not None and "footbridge" in article.title
    assert article.url == "https://courier.example/bridge"


@pytest.mark.parametrize(
    "boilerplate",
    [
        "SCRIPT_IN_HEAD",
        "SCRIPT_IN_BODY",
        "console.log",
        "color: red",
        "NAV_LINK_TEXT",
        "FOOTER_TEXT",
    ],
)
def test_html_leaves_out_scripts_styles_and_boilerplate(boilerplate: str) -> None:
    assert boilerplate not in article_from_html(PAGE, "bridge.html").text


def test_html_paragraphs_are_lines() -> None:
    lines = article_from_html(PAGE, "bridge.html").text.split("\n")
    assert any(line.startswith("The former mayor, Gerald Ashcombe, warned") for line in lines)
    assert any(line.startswith("“It is a good day") for line in lines)


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Nothing</title></head><body></body></html>",
        "<html><body><script>var onlyScript = 1;</script></body></html>",
    ],
)
def test_html_without_main_text_is_a_bad_record(page: str) -> None:
    with pytest.raises(BadRecord, match="no main text found"):
        article_from_html(page, "empty.html")


def test_html_file_reader_yields_bad_records(tmp_path: Path) -> None:
    path = write(tmp_path / "blank.html", "<html><body></body></html>")
    [record] = READERS[".html"].read_file(path)
    assert isinstance(record, BadRecord)
    assert record.reason == "no main text found"


def test_html_file_in_legacy_encoding(tmp_path: Path) -> None:
    page = PAGE.replace("Harwick", "Harwick café")
    path = write(tmp_path / "legacy.htm", page.encode("cp1252"))
    [record] = READERS[".htm"].read_file(path)
    assert isinstance(record, Article)
    assert "“It is a good day for Harwick café,” she said" in record.text


# --- JSON Lines ---------------------------------------------------------------


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "batch.jsonl",
        json.dumps({"id": "a1", "text": "“One,” he said."})
        + "\n"
        + '{"id": "a2", "text": "unterminated\n'
        + json.dumps({"id": "a3", "body": "no text field here"})
        + "\n"
        + json.dumps({"id": "a4", "text": "She said that it was four."})
        + "\n",
    )
    records = list(read_inputs([str(path)]))
    assert [a.id for a in articles(records)] == ["a1", "a4"]
    bad = bad_records(records)
    assert [(b.source, b.location) for b in bad] == [(str(path), "line 2"), (str(path), "line 3")]
    assert bad[0].reason.startswith("not JSON")
    assert bad[1].reason == "no 'text' field"
    assert [type(r).__name__ for r in records] == ["Article", "BadRecord", "BadRecord", "Article"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", "not a JSON object (got array)"),
        ('"just a string"', "not a JSON object (got string)"),
        ('{"id": "x"}', "no 'text' field"),
        ('{"text": 42}', "'text' is not a string (got number)"),
        ('{"text": null}', "'text' is not a string (got null)"),
        ('{"text": "  \\n "}', "empty text"),
        ('{"text": "ok", "id": {"a": 1}}', "'id' is not a string or number (got object)"),
        ('{"text": "ok", "url": ["x"]}', "'url' is not a string (got array)"),
        (
            "{'text': 'single quotes'}",
            "not JSON: Expecting property name enclosed in double quotes",
        ),
    ],
)
def test_jsonl_bad_line_reasons(line: str, reason: str) -> None:
    [record] = read_jsonl(io.BytesIO(line.encode() + b"\n"), "in.jsonl")
    assert isinstance(record, BadRecord)
    assert record.reason.startswith(reason)
    assert record.location == "line 1"


def test_jsonl_fields_are_carried_through() -> None:
    stream = io.BytesIO(
        jsonl(
            {
                "text": "“Yes,” she said.",
                "url": "https://x.example/1",
                "outlet": "Courier",
                "published": "2024-01-02",
                "title": "‘Yes’",
                "section": "politics",
                "tags": ["a", "b"],
            },
            {"id": 7, "text": "Two.", "published": 2024},
        ).encode()
    )
    first, second = read_jsonl(stream, "corpus/news.jsonl")
    assert first == Article(
        id="news-1",
        text="“Yes,” she said.",
        url="https://x.example/1",
        outlet="Courier",
        published="2024-01-02",
        title="‘Yes’",
        extra={"section": "politics", "tags": ["a", "b"]},
    )
    assert isinstance(second, Article)
    assert (second.id, second.published) == ("7", "2024")


def test_jsonl_blank_lines_are_skipped_but_counted() -> None:
    stream = io.BytesIO(b'\n  \n{"text": "Third line."}\r\n\n{"text": 1}\n')
    first, second = read_jsonl(stream, "x.ndjson")
    assert isinstance(first, Article) and first.id == "x-3"
    assert isinstance(second, BadRecord) and second.location == "line 5"


@pytest.mark.parametrize("data", [b"", b"\n  \n\r\n"])
def test_empty_jsonl_is_one_bad_record(data: bytes) -> None:
    assert [(r.source, r.reason) for r in read_jsonl(io.BytesIO(data), "x.jsonl")] == [
        ("x.jsonl", "empty file")
    ]


def test_jsonl_text_is_kept_exactly_so_offsets_stay_valid() -> None:
    text = "A\r\nB “C”\tD"
    [record] = read_jsonl(io.BytesIO(jsonl({"id": "g", "text": text}).encode()), "gold.jsonl")
    assert isinstance(record, Article) and record.text == text


def test_jsonl_invalid_utf8_line_is_read_with_replacement_characters() -> None:
    data = (
        codecs.BOM_UTF8
        + '{"id": "b", "text": "“Café '.encode()
        + b"\xff\xfe"
        + ' owners,” he said."}\n'.encode()
    )
    [record] = read_jsonl(io.BytesIO(data), "x.jsonl")
    assert isinstance(record, Article)
    assert record.text == "“Café \ufffd\ufffd owners,” he said."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-le"])
def test_jsonl_in_utf16_and_utf32(encoding: str) -> None:
    data = jsonl({"id": "a", "text": "“Ein,” sagte sie."}, {"id": "b", "text": "Zwei."})
    records = list(read_jsonl(io.BytesIO(data.encode(encoding)), "x.jsonl"))
    assert [(r.id, r.text) for r in articles(records)] == [
        ("a", "“Ein,” sagte sie."),
        ("b", "Zwei."),
    ]
    assert not bad_records(records)


def test_binary_file_named_jsonl_is_one_bad_record(tmp_path: Path) -> None:
    path = write(
        tmp_path / "image.jsonl",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random_bytes(4000, nul=True),
    )
    [record] = read_inputs([str(path)])
    assert isinstance(record, BadRecord) and "binary" in record.reason


class CountingStream(io.BytesIO):
    """A stream that remembers how many bytes were asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_jsonl_is_streamed_not_loaded_whole() -> None:
    line = jsonl({"text": "“Streamed,” she said. " + "x" * 200})
    data = (line * (20 * CHUNK_SIZE // len(line))).encode()
    stream = CountingStream(data)
    records = read_jsonl(stream, "big.jsonl")
    assert isinstance(next(records), Article)
    assert stream.bytes_read <= 2 * CHUNK_SIZE < len(data)
    assert sum(1 for _ in records) + 1 == data.count(b"\n")


def test_jsonl_line_longer_than_a_chunk() -> None:
    text = "“Long,” he said. " * (3 * CHUNK_SIZE // 10)
    [record] = read_jsonl(io.BytesIO(jsonl({"id": "long", "text": text}).encode()), "x.jsonl")
    assert isinstance(record, Article) and record.text == text


# --- paths, directories, standard input --------------------------------------


def test_missing_path_is_a_bad_record_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", STORY)
    missing = tmp_path / "nowhere" / "missing.txt"
    records = list(read_inputs([str(missing), str(good)]))
    [bad] = bad_records(records)
    assert bad.source == str(missing)
    assert "no such file" in bad.reason
    assert str(missing) in str(bad)
    assert [a.id for a in articles(records)] == ["good"]


@pytest.mark.parametrize("name", ["report.pdf", "README"])
def test_unknown_file_type_is_a_bad_record(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "some text")
    [record] = read_inputs([str(path)])
    assert isinstance(record, BadRecord)
    assert record.source == str(path)
    assert record.reason.startswith("unknown file")
    assert ".jsonl" in record.reason


def test_directory_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", STORY)
    write(tmp_path / "a" / "z.HTML", PAGE)
    write(tmp_path / "a" / "nested" / "batch.ndjson", jsonl({"id": "j1", "text": "One."}))
    write(tmp_path / "c.jsonl", jsonl({"id": "c1", "text": "Two."}) + "not json\n")
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "notes.pdf", b"%PDF-1.4")  # unknown extension: skipped in a directory
    write(tmp_path / ".hidden" / "secret.txt", STORY)  # hidden: skipped
    records = list(read_inputs([str(tmp_path)]))
    assert [a.id for a in articles(records)] == ["j1", "z", "b", "c1"]
    assert [(Path(b.source).name, b.location) for b in bad_records(records)] == [
        ("c.jsonl", "line 2"),
        ("empty.txt", None),
    ]


def test_empty_directory_is_a_bad_record(tmp_path: Path) -> None:
    [record] = read_inputs([str(tmp_path)])
    assert isinstance(record, BadRecord) and "no files" in record.reason


@pytest.mark.parametrize(
    ("data", "expected_ids"),
    [
        (jsonl({"id": "s1", "text": "One."}, {"id": "s2", "text": "Two."}).encode(), ["s1", "s2"]),
        (b"\n\n   " + jsonl({"id": "s1", "text": "One."}).encode(), ["s1"]),
        (codecs.BOM_UTF8 + jsonl({"id": "bom", "text": "One."}).encode(), ["bom"]),
        (jsonl({"id": "u16", "text": "One."}).encode("utf-16"), ["u16"]),
        (PAGE.encode(), ["stdin"]),
        (b"  \n" + PAGE.encode("utf-16"), ["stdin"]),
        (STORY.encode(), ["stdin"]),
    ],
    ids=[
        "jsonl",
        "jsonl-leading-blanks",
        "jsonl-utf8-bom",
        "jsonl-utf16",
        "html",
        "html-utf16",
        "text",
    ],
)
def test_stdin_format_is_sniffed(data: bytes, expected_ids: list[str]) -> None:
    records = list(read_inputs(["-"], stdin=io.BytesIO(data)))
    assert not bad_records(records)
    assert [a.id for a in articles(records)] == expected_ids


def test_stdin_html_is_extracted_not_read_as_text() -> None:
    [record] = read_inputs(["-"], stdin=io.BytesIO(PAGE.encode()))
    assert isinstance(record, Article)
    assert "SCRIPT_IN_BODY" not in record.text and "<p>" not in record.text


def test_stdin_text_keeps_its_content() -> None:
    [record] = read_inputs(["-"], stdin=io.BytesIO(STORY.encode()))
    assert record == Article(id="stdin", text=STORY.strip())


@pytest.mark.parametrize("data", [b"", b" \n \n"])
def test_empty_stdin_is_a_bad_record(data: bytes) -> None:
    [record] = read_inputs(["-"], stdin=io.BytesIO(data))
    assert isinstance(record, BadRecord)
    assert (record.source, record.reason) == ("-", "empty file")


def test_stdin_defaults_to_sys_stdin_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = SimpleNamespace(buffer=io.BytesIO(jsonl({"id": "piped", "text": "Hi."}).encode()))
    monkeypatch.setattr(sys, "stdin", fake)
    [record] = read_inputs(["-"])
    assert isinstance(record, Article) and record.id == "piped"


def test_every_registered_reader_takes_a_path(tmp_path: Path) -> None:
    for extension, file_format in READERS.items():
        [record] = file_format.read_file(tmp_path / f"missing{extension}")
        assert isinstance(record, BadRecord)


# --- the bundled samples --------------------------------------------------------


def test_sample_corpus_reads_cleanly() -> None:
    records = list(read_inputs([str(SAMPLES)]))
    assert not bad_records(records)
    news = [a for a in articles(records) if a.id not in {"sample", "harbour-plan"}]
    assert 6 <= len(news) <= 8
    for article in news:
        assert article.url and article.outlet and article.published and article.title
        assert article.url.startswith("https://") and ".example/" in article.url
        assert "\n\n" not in article.text
        assert article.text.startswith(article.title)


@pytest.mark.parametrize(
    "feature",
    [
        " said: “",
        "” she said.",
        "He added",
        "ministry said",
        "Mayor Elena Varga",
        "Ms Varga’s",
        "’90s",
        "rock ’n’ roll",
        "so-called ‘",
        "READ MORE:",
        "according to",
        "warned that",
        "said that",
        '" he said',
    ],
)
def test_sample_corpus_has_the_quotation_styles(feature: str) -> None:
    corpus = (SAMPLES / "news.jsonl").read_text(encoding="utf-8")
    texts = [json.loads(line)["text"] for line in corpus.splitlines()]
    assert any(feature.lower() in text.lower().replace(",", "") for text in texts)


def test_sample_corpus_has_a_multi_paragraph_quote() -> None:
    texts = [
        json.loads(line)["text"]
        for line in (SAMPLES / "news.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    # A paragraph opening with “ and not closing, followed by another opening one.
    assert any(
        a.startswith("“") and "”" not in a and b.startswith("“")
        for text in texts
        for a, b in zip(text.split("\n"), text.split("\n")[1:], strict=False)
    )


def test_sample_html_and_text() -> None:
    [page] = read_inputs([str(SAMPLES / "sample.html")])
    assert isinstance(page, Article)
    assert page.outlet == "The Fennick Chronicle"
    assert "analyticsQueue" not in page.text and "Sponsored" not in page.text
    assert "All rights reserved" not in page.text
    assert "Museum director Clementine Abara said: “" in page.text
    [text] = read_inputs([str(SAMPLES / "harbour-plan.txt")])
    assert isinstance(text, Article)
    assert "Councillor Maren Thistlewood" in text.text


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Ferry to run all winter, says harbour master\n\n“It will run,” said Tomas Berg.",
         "Ferry to run all winter, says harbour master"),
        ("Will the bridge open in May?\nThe council meets.", "Will the bridge open in May?"),
        ("The council met on Monday.\nIt voted for the bridge.", None),  # a sentence
        ("“We will not wait,” Varga said.\nShe spoke on Monday.", None),  # a quotation
        ("only a lower-case line\nand another", None),
        ("A headline with nothing under it", None),
        ("A very long first line " + "word " * 30 + "\nmore", None),
    ],
)  # fmt: skip
def test_a_text_file_takes_its_headline_as_title(text: str, title: str | None) -> None:
    from saidwhat.read.text import article_from_text

    article = article_from_text(text.encode("utf-8"), "story.txt")
    assert article.title == title and article.text == text and article.id == "story"
