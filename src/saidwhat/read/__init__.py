"""Readers: files, directories and standard input in; Article records out.

``read_inputs`` is the one entry point. Problems with one input or one record
are yielded as ``BadRecord`` objects, not raised, so a batch counts them and
goes on: a missing file among several never stops the others.

A new reader is one module with a ``read_<kind>_file(path)`` generator (and a
``read_<kind>_bytes(data, source)`` one when it can read a file's bytes) and
one line in ``READERS`` per file name ending it reads, which may be a double
one (``.warc.gz``: the longest ending a file name has wins). ``READERS`` is the
one table of endings: ``saidwhat ingest`` and the Spark job both read by it.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import BinaryIO

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.feed import read_feed_bytes, read_feed_file
from saidwhat.read.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_OPTIONS,
    DEFAULT_TIMEOUT,
    FetchOptions,
    read_url,
    read_urls_file,
)
from saidwhat.read.html import article_from_html_bytes, read_html_bytes, read_html_file
from saidwhat.read.jsonl import (
    CHUNK_SIZE,
    article_from_line,
    read_jsonl,
    read_jsonl_bytes,
    read_jsonl_chunks,
    read_jsonl_file,
)
from saidwhat.read.text import article_from_text, read_text_bytes, read_text_file, wide_encoding
from saidwhat.read.warc import read_warc_bytes, read_warc_file

__all__ = [
    "READERS",
    "BytesReader",
    "FileFormat",
    "LineReader",
    "Reader",
    "count_records",
    "files_below",
    "format_of",
    "read_bytes",
    "read_inputs",
    "read_jsonl",
    "read_path",
    "read_stdin",
    "registered_suffix",
]

Reader = Callable[[Path], Iterator[Article | BadRecord]]
BytesReader = Callable[[bytes, str], Iterator[Article | BadRecord]]
LineReader = Callable[[bytes, str, int], Article | BadRecord | None]


@dataclass(frozen=True, slots=True)
class FileFormat:
    """How files of one ending are read, and what their reader needs."""

    read_file: Reader
    read_bytes: BytesReader | None = None  # the records of a whole file's bytes, when it can
    fetches: bool = False  # reading it fully needs the network (a feed's links, a URL list)
    # One record a line: a big file can be split at line ends, and each line
    # (its bytes, the source, its number from 1) read alone; None for a blank line.
    read_line: LineReader | None = None


_TEXT = FileFormat(read_text_file, read_text_bytes)
_HTML = FileFormat(read_html_file, read_html_bytes)
_JSONL = FileFormat(read_jsonl_file, read_jsonl_bytes, read_line=article_from_line)
_WARC = FileFormat(read_warc_file, read_warc_bytes)
_FEED = FileFormat(read_feed_file, read_feed_bytes, fetches=True)
# One URL a line; read_path passes the run's fetch options.
_URLS = FileFormat(read_urls_file, fetches=True)

# File name ending (lower case) → how such files are read.
READERS: Mapping[str, FileFormat] = MappingProxyType(
    {
        ".txt": _TEXT,
        ".html": _HTML,
        ".htm": _HTML,
        ".jsonl": _JSONL,
        ".ndjson": _JSONL,
        ".warc": _WARC,
        ".warc.gz": _WARC,
        ".xml": _FEED,
        ".rss": _FEED,
        ".atom": _FEED,
        ".urls": _URLS,
    }
)

URL_PREFIXES = ("http://", "https://")

STDIN = "-"


def _known_extensions() -> str:
    return ", ".join(sorted(READERS))


def registered_suffix(path: PurePath) -> str | None:
    """The ``READERS`` key a file name ends in, the longest winning: ``.warc.gz``, not ``.gz``.

    ``Path.suffix`` sees only the last dot, so it cannot find double endings.
    """
    name = path.name.lower()
    matches = [suffix for suffix in READERS if name.endswith(suffix) and name != suffix]
    return max(matches, key=len, default=None)


def format_of(path: PurePath) -> FileFormat | None:
    """How a file is read, by the ending of its name; None for an ending no reader has."""
    suffix = registered_suffix(path)
    return READERS[suffix] if suffix else None


def files_below(directory: Path) -> list[Path]:
    """Files with a known extension below ``directory``, sorted; hidden entries skipped."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):  # does not follow symlinked directories
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".") and registered_suffix(Path(name))
        )
    return sorted(found, key=lambda path: path.relative_to(directory).parts)


def _unknown_type(path: PurePath) -> str:
    """Why a file of an ending no reader has is not read."""
    kind = f"file type '{path.suffix}'" if path.suffix else "file without an extension"
    return f"unknown {kind}; known: {_known_extensions()}"


def read_bytes(data: bytes, source: str) -> Iterator[Article | BadRecord]:
    """The records of a whole file's bytes, read as the ending of ``source`` says.

    For files that arrive as bytes rather than as a path (the Spark job's
    remote files). An ending whose reader has no bytes reader (``.urls``)
    gives one BadRecord.
    """
    path = PurePath(source)
    file_format = format_of(path)
    if file_format is None:
        yield BadRecord(source, _unknown_type(path))
    elif file_format.read_bytes is None:
        yield BadRecord(source, f"'{registered_suffix(path)}' files are not read from bytes")
    else:
        yield from file_format.read_bytes(data, source)


def _with_options(reader: Reader, fetch: FetchOptions) -> Reader:
    """``reader``, given this run's fetch options when it reads a list of URLs."""
    return partial(read_urls_file, options=fetch) if reader is read_urls_file else reader


def read_path(
    path: Path, *, fetch: FetchOptions = DEFAULT_OPTIONS
) -> Iterator[Article | BadRecord]:
    """The records of one file, or of every readable file below a directory.

    ``fetch`` limits the fetching of URLs listed in ``.urls`` files.
    """
    source = str(path)
    if path.is_dir():
        files = files_below(path)
        if not files:
            yield BadRecord(source, f"no files ending in {_known_extensions()} in this directory")
        for file in files:
            file_format = format_of(file)
            if file_format is not None:  # always: files_below keeps only such files
                yield from _with_options(file_format.read_file, fetch)(file)
        return
    if not path.exists():
        yield BadRecord(source, "no such file or directory")
        return
    file_format = format_of(path)
    if file_format is None:
        yield BadRecord(source, _unknown_type(path))
        return
    yield from _with_options(file_format.read_file, fetch)(path)


def _first_character(prefix: bytes) -> str | None:
    """The first non-blank character of the data so far, or None when all of it is blank."""
    encoding = wide_encoding(prefix)
    if encoding:
        head = prefix.decode(encoding, errors="ignore")
    else:  # ASCII-compatible: the bytes we look for are single bytes
        head = prefix.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    head = head.lstrip("\ufeff \t\r\n\x0b\x0c")
    return head[0] if head else None


def read_stdin(stream: BinaryIO) -> Iterator[Article | BadRecord]:
    """The records of standard input, its format sniffed from the first non-blank character.

    ``{`` → JSON Lines (streamed), ``<`` → HTML, anything else → plain text.
    """
    prefix = b""
    first: str | None = None
    while first is None and (chunk := stream.read(CHUNK_SIZE)):
        prefix += chunk
        first = _first_character(prefix)
    try:
        if first == "{":
            rest = iter(lambda: stream.read(CHUNK_SIZE), b"")
            yield from read_jsonl_chunks(chain([prefix], rest), STDIN)
            return
        data = prefix + stream.read()
        if first == "<":
            yield article_from_html_bytes(data, STDIN)
        else:
            yield article_from_text(data, STDIN)
    except BadRecord as bad:
        yield bad
    except OSError as exc:
        yield BadRecord(STDIN, f"read failed: {exc.strerror or exc}")


# Counting lines of JSON Lines files bigger than this in all would delay the start.
_MAX_COUNTED_BYTES = 4 << 30


def _records_in(path: Path) -> int | None:
    """How many records ``read_path`` will yield for one file; None when only reading tells."""
    file_format = format_of(path)
    if file_format is None or not path.is_file():
        return 1  # one BadRecord
    if file_format.read_line is not None:
        with path.open("rb") as stream:
            return sum(1 for line in stream if line.strip(b" \t\r\n\x00"))
    if file_format.read_bytes in (read_text_bytes, read_html_bytes):
        return 1
    return None  # a WARC, a feed, a list of URLs


def count_records(inputs: Sequence[str]) -> int | None:
    """How many records (articles and bad ones) ``read_inputs`` will yield, when it can be told.

    Plain-text and HTML files hold one article, JSON Lines one a non-blank
    line; a WARC, a feed, a URL or standard input is only known by reading
    it, so any of them (or more than 4 GiB of JSON Lines) makes it None.
    For a progress bar's total: a bad sidecar adds a record it does not count.
    """
    total = counted_bytes = 0
    for item in inputs:
        if item == STDIN or item.lower().startswith(URL_PREFIXES):
            return None
        path = Path(item)
        files = files_below(path) if path.is_dir() else [path]
        if not files:
            total += 1
        for file in files:
            if format_of(file) is _JSONL and file.is_file():
                counted_bytes += file.stat().st_size
                if counted_bytes > _MAX_COUNTED_BYTES:
                    return None
            try:
                records = _records_in(file)
            except OSError:
                records = 1
            if records is None:
                return None
            total += records
    return total


def read_inputs(
    inputs: Sequence[str],
    stdin: BinaryIO | None = None,
    *,
    allow_private: bool = False,
    fetch_timeout: float = DEFAULT_TIMEOUT,
    max_fetch_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article | BadRecord]:
    """Yield the Articles of every input in order, and a BadRecord for each thing that failed.

    Each input is a path (``.txt``, ``.html``/``.htm``, ``.jsonl``/``.ndjson``,
    ``.warc``/``.warc.gz``, or a directory, read recursively in sorted order)
    or ``-`` for standard input (``stdin`` when given, else ``sys.stdin.buffer``).

    An ``http://`` or ``https://`` input is fetched and read as a feed (each
    entry's linked page fetched too), an HTML page, plain text or JSON Lines;
    so is every URL listed in a ``.urls`` file, and ``.xml``/``.rss``/``.atom``
    files are feeds. Fetching refuses addresses on private networks unless
    ``allow_private``, and stops after ``fetch_timeout`` seconds or
    ``max_fetch_bytes`` bytes (see ``saidwhat.read.fetch``).
    """
    fetch = FetchOptions(
        allow_private=allow_private, timeout=fetch_timeout, max_bytes=max_fetch_bytes
    )
    for item in inputs:
        if item == STDIN:
            yield from read_stdin(stdin if stdin is not None else sys.stdin.buffer)
        elif item.lower().startswith(URL_PREFIXES):
            yield from read_url(item, fetch)
        else:
            yield from read_path(Path(item), fetch=fetch)
