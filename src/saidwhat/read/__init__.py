"""Readers: files, directories and standard input in; Article records out.

``read_inputs`` is the one entry point. Problems with one input or one record
are yielded as ``BadRecord`` objects, not raised, so a batch counts them and
goes on: a missing file among several never stops the others.

A new reader is one module with a ``read_<kind>_file(path)`` generator and
one line in ``READERS``.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.html import article_from_html_bytes, read_html_file
from saidwhat.read.jsonl import CHUNK_SIZE, read_jsonl, read_jsonl_chunks, read_jsonl_file
from saidwhat.read.text import article_from_text, read_text_file, wide_encoding

__all__ = ["READERS", "read_inputs", "read_jsonl", "read_path", "read_stdin"]

Reader = Callable[[Path], Iterator[Article | BadRecord]]

# File extension (lower case) → reader.
READERS: dict[str, Reader] = {
    ".txt": read_text_file,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".jsonl": read_jsonl_file,
    ".ndjson": read_jsonl_file,
}

STDIN = "-"


def _known_extensions() -> str:
    return ", ".join(sorted(READERS))


def _files_below(directory: Path) -> list[Path]:
    """Files with a known extension below ``directory``, sorted; hidden entries skipped."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):  # does not follow symlinked directories
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".") and Path(name).suffix.lower() in READERS
        )
    return sorted(found, key=lambda path: path.relative_to(directory).parts)


def read_path(path: Path) -> Iterator[Article | BadRecord]:
    """The records of one file, or of every readable file below a directory."""
    source = str(path)
    if path.is_dir():
        files = _files_below(path)
        if not files:
            yield BadRecord(source, f"no files ending in {_known_extensions()} in this directory")
        for file in files:
            yield from READERS[file.suffix.lower()](file)
        return
    if not path.exists():
        yield BadRecord(source, "no such file or directory")
        return
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        kind = f"file type '{path.suffix}'" if path.suffix else "file without an extension"
        yield BadRecord(source, f"unknown {kind}; known: {_known_extensions()}")
        return
    yield from reader(path)


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


def read_inputs(
    inputs: Sequence[str], stdin: BinaryIO | None = None
) -> Iterator[Article | BadRecord]:
    """Yield the Articles of every input in order, and a BadRecord for each thing that failed.

    Each input is a path (``.txt``, ``.html``/``.htm``, ``.jsonl``/``.ndjson``,
    or a directory, read recursively in sorted order) or ``-`` for standard
    input (``stdin`` when given, else ``sys.stdin.buffer``).
    """
    for item in inputs:
        if item == STDIN:
            yield from read_stdin(stdin if stdin is not None else sys.stdin.buffer)
        else:
            yield from read_path(Path(item))
