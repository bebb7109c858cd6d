"""JSON Lines: one article a line, streamed so a corpus of any size fits.

Each non-blank line is a JSON object with a string ``text``; ``id`` is
optional (``<file stem>-<line number>`` when missing) and every other field is
carried through to the output unchanged. A bad line becomes a BadRecord naming
its line number and the batch goes on.

The text of a record is taken exactly as given (no line-end or control
character clean-up), so character offsets stored beside it, as in the gold
files of ``eval/``, still point at the right characters.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.metadata import json_type, text_fields
from saidwhat.read.text import guess_decode, source_stem, wide_encoding

CHUNK_SIZE = 1 << 16


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk


def _byte_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Split a byte stream at ``\\n`` (safe for UTF-8 and every ASCII-compatible code)."""
    parts: list[bytes] = []  # pieces of a line longer than one chunk, joined once
    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            parts.append(chunk[start:end])
            yield b"".join(parts)
            parts, start = [], end + 1
        parts.append(chunk[start:])
    if tail := b"".join(parts):
        yield tail


def _text_lines(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    """Decode incrementally, then split at ``\\n`` (UTF-16/32 bytes cannot be split at b"\\n")."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    parts: list[str] = []
    for chunk in chain(chunks, [b""]):
        text = decoder.decode(chunk, final=not chunk)
        start = 0
        while (end := text.find("\n", start)) != -1:
            parts.append(text[start:end])
            yield "".join(parts)
            parts, start = [], end + 1
        parts.append(text[start:])
    if tail := "".join(parts):
        yield tail


def _lines(chunks: Iterator[bytes], source: str) -> Iterator[bytes | str | BadRecord]:
    """Each line of the stream: text when the file is UTF-16/32, else bytes; BadRecord if binary."""
    first = next(chunks, b"")
    encoding = wide_encoding(first)
    if encoding:
        yield from _text_lines(chain([first], chunks), encoding)
        return
    if b"\x00" in first:
        # NUL bytes but not UTF-16/32: not a text file; one record, not one per "line".
        yield BadRecord(source, "binary data, not JSON Lines")
        return
    yield from _byte_lines(chain([first], chunks))


def _article_from_record(record: Any, stem: str, lineno: int) -> Article:
    """The Article of one decoded JSON value; ValueError with the reason when it cannot be one."""
    if not isinstance(record, dict):
        raise ValueError(f"not a JSON object (got {json_type(record)})")
    if "text" not in record:
        raise ValueError("no 'text' field")
    text = record["text"]
    if not isinstance(text, str):
        raise ValueError(f"'text' is not a string (got {json_type(text)})")
    if not text.strip():
        raise ValueError("empty text")
    fields = dict(record)
    article_id = fields.get("id")
    if article_id is None or article_id == "":
        fields["id"] = f"{stem}-{lineno}"
    elif not isinstance(article_id, str | int) or isinstance(article_id, bool):
        raise ValueError(f"'id' is not a string or number (got {json_type(article_id)})")
    return Article.from_dict(text_fields(fields))


def _line_text(raw: bytes, lineno: int) -> str | None:
    """One line's bytes as text (line 1's UTF-8 byte-order mark dropped); None when not text."""
    if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    return guess_decode(raw)


def article_from_line(line: bytes | str, source: str, lineno: int) -> Article | BadRecord | None:
    """One line of a JSON Lines file (its bytes, or its text when decoded); None when blank.

    Every reader of JSON Lines reads its lines here: files and streams
    (``read_jsonl_chunks``) and the Spark job, which reads a file's lines in
    many tasks. ``lineno`` counts from 1; it names a bad line and gives an
    article without ``id`` the id ``<file stem>-<lineno>``.
    """
    where = f"line {lineno}"
    text = _line_text(line, lineno) if isinstance(line, bytes) else line
    if text is None:
        return BadRecord(source, "binary data, not text", where)
    if not text.strip():
        return None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadRecord(source, f"not JSON: {exc.msg} (column {exc.colno})", where)
    except RecursionError:
        return BadRecord(source, "not JSON: nested too deeply", where)
    try:
        return _article_from_record(record, source_stem(source), lineno)
    except ValueError as exc:
        return BadRecord(source, str(exc), where)


def read_jsonl_chunks(chunks: Iterator[bytes], source: str) -> Iterator[Article | BadRecord]:
    """``read_jsonl`` on a stream already cut into chunks (standard input after sniffing)."""
    anything = False
    for lineno, line in enumerate(_lines(chunks, source), start=1):
        record = line if isinstance(line, BadRecord) else article_from_line(line, source, lineno)
        if record is not None:
            anything = True
            yield record
    if not anything:  # as every other reader says of a file with nothing in it
        yield BadRecord(source, "empty file")


def read_jsonl_bytes(data: bytes, source: str) -> Iterator[Article | BadRecord]:
    """``read_jsonl`` on a whole file's bytes."""
    return read_jsonl_chunks(iter([data]), source)


def read_jsonl(stream: BinaryIO, source: str) -> Iterator[Article | BadRecord]:
    """Yield an Article for each good line of a JSON Lines stream, a BadRecord for each bad one.

    Reads the stream in chunks: memory holds one line at a time, never the file.
    """
    try:
        yield from read_jsonl_chunks(_chunks(stream), source)
    except OSError as exc:  # e.g. a disk or pipe failing half-way: report, keep the batch going
        yield BadRecord(source, f"read failed: {exc.strerror or exc}")


def read_jsonl_file(path: str | Path) -> Iterator[Article | BadRecord]:
    """``read_jsonl`` on a file."""
    source = str(path)
    try:
        with Path(path).open("rb") as stream:
            yield from read_jsonl(stream, source)
    except OSError as exc:  # open failed (read failures are reported by read_jsonl)
        yield BadRecord(source, exc.strerror or str(exc))
