"""WARC and WARC.gz web archives: one Article per archived HTML page.

Crawls such as Common Crawl News store each fetched page as a WARC
``response`` record (HTTP headers, then the page); hand-made archives often
use ``resource`` records (the page alone). Everything else in a crawl is
normal and skipped without a word: requests, metadata, warcinfo, revisits,
redirects and other non-200 answers, images, robots.txt. Only HTML pages that
fail to give an article, and damage to the file, become BadRecords.

Records are streamed one at a time, so memory stays flat however big the
archive. A gzip-compressed archive is decompressed here (gzip module) rather
than by warcio, because warcio takes a truncated gzip stream for a clean end of
file and the articles lost with it would vanish without a trace.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import WARCIterator  # type: ignore[import-untyped, unused-ignore]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped, unused-ignore]
from warcio.limitreader import LimitReader  # type: ignore[import-untyped, unused-ignore]
from warcio.statusandheaders import (  # type: ignore[import-untyped, unused-ignore]
    StatusAndHeadersParser,
)

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.html import article_from_html
from saidwhat.read.text import bom_encoding, decode_bytes, normalise_text, source_stem

# Pages above this size are skipped with a BadRecord: no news article is
# this big, and trafilatura's time and memory grow with the page.
MAX_PAYLOAD_BYTES = 20 * 1024 * 1024

_READ_SIZE = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_MEMBER = b"\x1f\x8b\x08"  # the magic, then "deflate"
_PAGE_RECORDS = ("response", "resource")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)
# Labels browsers read as Windows-1252 (WHATWG Encoding Standard): servers say
# "iso-8859-1" for pages full of curly quotes in the 0x80-0x9F range.
_CP1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RECORD_ID = re.compile(r"^<?(?:urn:uuid:)?(.*?)>?$", re.IGNORECASE)


class _Damaged(Exception):
    """The archive's bytes end early or do not decode; nothing after this point is readable.

    Deliberately not an EOFError: warcio reads EOFError as a clean end of file.
    """


class _GzipMembers:
    """A gzip file read as its decompressed bytes, one member after another.

    A WARC.gz holds each record in a gzip member of its own. Reading member
    by member (zlib, not the gzip module) keeps track of where in the file
    the member being read began, so that after damage reading can start
    again at the next member instead of losing the rest of the file.
    """

    def __init__(self, raw: BinaryIO, start: int | None = None) -> None:
        if start is not None:  # a file read from a point; else a stream read as it comes
            raw.seek(start)
        self._raw = raw
        start = start or 0
        self._pending = b""  # compressed bytes not yet taken by the decompressor
        self._pending_at = start  # where in the file they begin
        self.member_start = start
        self._member: Any = zlib.decompressobj(31)  # 31: a gzip header and trailer
        self._in_member = False

    def _more(self) -> bool:
        data = self._raw.read(_READ_SIZE)
        self._pending += data
        return bool(data)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes; b"" at a clean end; ``_Damaged`` at damage."""
        want = size if size and size > 0 else _READ_SIZE
        while True:
            if not self._in_member:
                # Between members; gzip allows zero bytes of padding here.
                while not self._pending.lstrip(b"\0") and self._more():
                    pass
                padding = len(self._pending) - len(self._pending.lstrip(b"\0"))
                self._pending, self._pending_at = (
                    self._pending[padding:],
                    self._pending_at + padding,
                )
                if not self._pending:
                    return b""
                self.member_start = self._pending_at
                self._member = zlib.decompressobj(31)
                self._in_member = True
            if not self._pending and not self._more():
                raise _Damaged("compressed data ends inside a gzip member")
            try:
                out: bytes = self._member.decompress(self._pending, want)
            except zlib.error as exc:
                raise _Damaged(str(exc)) from exc
            rest = self._member.unused_data if self._member.eof else self._member.unconsumed_tail
            self._pending_at += len(self._pending) - len(rest)
            self._pending = rest
            if self._member.eof:
                self._in_member = False
            if out:
                return out


def _next_member(raw: BinaryIO, after: int) -> int | None:
    """Where the next readable WARC record's gzip member starts, at ``after`` or later.

    A candidate is any gzip header; it counts when it decompresses to the
    start of a WARC record (a header can also occur by chance inside
    compressed data).
    """
    at = after
    while True:
        raw.seek(at)
        block = raw.read(_READ_SIZE + 2)
        if len(block) < 3:
            return None
        found = block.find(_GZIP_MEMBER)
        while found >= 0:
            raw.seek(at + found)
            try:
                head = zlib.decompressobj(31).decompress(raw.read(_READ_SIZE), 16)
            except zlib.error:
                head = b""
            if head.startswith(b"WARC/"):
                return at + found
            found = block.find(_GZIP_MEMBER, found + 1)
        at += _READ_SIZE


def _short(message: object, limit: int = 80) -> str:
    """One line of an error message, cut to ``limit`` characters (warcio quotes whole lines)."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _damage(record: Any) -> str | None:
    """Why a record read to its end is damaged (no Content-Length, or the file ends inside it)."""
    if record.length is None:
        return "record has no Content-Length"
    stream = record.raw_stream
    if isinstance(stream, LimitReader) and stream.limit > 0:
        return f"record ends {stream.limit} bytes early"
    return None


def _drain(record: Any) -> None:
    """Read the rest of the record, so the truncation check sees its true end."""
    if record.length is not None:  # without a length the "rest" is the whole file
        while record.raw_stream.read(_READ_SIZE):
            pass


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset(content_type: str | None) -> str | None:
    match = _CHARSET.search(content_type or "")
    return match.group(1).lower() if match else None


def _html_content_type(record: Any) -> str | None:
    """The Content-Type of a page record that is an HTML page worth reading; None to skip it.

    Parses the HTTP headers of a response record (warcio is told not to, so
    that a file cut inside them is noticed here and not taken for its end).
    """
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type == "resource":
        content_type = record.content_type
    elif not uri.lower().startswith(("http:", "https:")) or record.length == 0:
        return None  # dns: and similar records, or an empty answer: not a web page
    else:
        try:
            record.http_headers = _HTTP_PARSER.parse(record.raw_stream)
        except EOFError:
            return None  # the record ended (or was cut) before any header: _damage decides
        if record.http_headers.get_statuscode() != "200":
            return None  # redirects, 404s and the like are normal in a crawl
        content_type = record.http_headers.get_header(
            "Content-Type"
        ) or record.rec_headers.get_header("WARC-Identified-Payload-Type")
    return content_type if _media_type(content_type) in _HTML_TYPES else None


def _read_payload(record: Any) -> bytes | None:
    """The page's bytes (transfer and content encodings undone); None when over the cap."""
    stream = record.content_stream()
    parts: list[bytes] = []
    size = 0
    while chunk := stream.read(_READ_SIZE):
        size += len(chunk)
        if size > MAX_PAYLOAD_BYTES:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _decode_page(data: bytes, charset: str | None, source: str) -> str:
    """The page's text: a byte-order mark wins, then the declared charset, then the shared rules."""
    if charset and not bom_encoding(data):
        codec = "cp1252" if charset in _CP1252_LABELS else charset
        try:
            codecs.lookup(codec)
        except LookupError:
            pass  # a charset Python does not know: guess instead
        else:
            return normalise_text(data.decode(codec, errors="replace"))
    return decode_bytes(data, source)


def _article_id(record_id: str | None, uri: str | None, fallback: str) -> str:
    """The WARC-Record-ID without ``<urn:uuid:`` … ``>``; else a hash of the URI, else ``fallback``.

    Stable across runs, so a re-run over the same archive gives the same ids.
    """
    if record_id:
        match = _RECORD_ID.match(record_id.strip())
        if match and match.group(1):
            return match.group(1)
    if uri:
        return hashlib.sha1(uri.encode("utf-8")).hexdigest()[:16]
    return fallback


def _page_article(
    data: bytes, content_type: str | None, record: Any, source: str, n: int
) -> Article:
    """The Article of one HTML page; BadRecord (naming the record and URI) when there is none."""
    headers = record.rec_headers
    uri = headers.get_header("WARC-Target-URI")
    record_id = headers.get_header("WARC-Record-ID")
    warc_date = headers.get_header("WARC-Date")
    where = f"record {n}"
    try:
        if not data.strip():
            raise BadRecord(source, "empty page")
        article = article_from_html(_decode_page(data, _charset(content_type), source), source, uri)
    except BadRecord as bad:
        raise BadRecord(source, f"{bad.reason}: {uri or 'no WARC-Target-URI'}", where) from bad
    published = article.published
    if not published and warc_date and _ISO_DATE.match(warc_date):
        published = warc_date[:10]
    extra = dict(article.extra)
    if record_id:
        extra["warc_record_id"] = record_id
    if warc_date:
        extra["warc_date"] = warc_date
    return replace(
        article,
        id=_article_id(record_id, uri, f"{source_stem(source)}-{n}"),
        url=uri or article.url,
        published=published,
        extra=extra,
    )


def _read_record(record: Any, source: str, n: int) -> Article | BadRecord | None:
    """What one record gives: an Article, a BadRecord, or None for a record to skip.

    Leaves the record read to its end. ``_Damaged`` and ``OSError`` pass
    through: they are about the file, not this record.
    """
    where = f"record {n}"
    uri = record.rec_headers.get_header("WARC-Target-URI")
    try:
        if record.rec_type not in _PAGE_RECORDS or record.length is None:
            return None
        content_type = _html_content_type(record)
        if content_type is None:
            return None
        data = _read_payload(record)
        if data is None:
            limit = MAX_PAYLOAD_BYTES // (1024 * 1024)
            return BadRecord(source, f"page larger than {limit} MB, skipped: {uri}", where)
        _drain(record)
        if _damage(record):
            return None  # the caller reports the damage; a partial page is no article
        return _page_article(data, content_type, record, source, n)
    except (_Damaged, OSError):
        raise
    except BadRecord as bad:
        return bad
    except Exception as exc:  # one odd record must not stop the archive
        return BadRecord(source, f"record could not be read ({_short(exc)}): {uri}", where)
    finally:
        _drain(record)


def read_warc_stream(stream: io.BufferedReader, source: str) -> Iterator[Article | BadRecord]:
    """Yield an Article for each HTML page of a WARC stream (gzip-compressed or not).

    Damage (a cut or corrupt file) gives one BadRecord saying at which
    record. In a WARC.gz file that can be read from any point, reading then
    goes on at the next intact record; otherwise the damage ends the file,
    every Article before it having been yielded.
    """
    gzipped = stream.peek(2)[:2] == _GZIP_MAGIC
    resumable = gzipped and stream.seekable()
    start = stream.tell() if resumable else 0
    n = 0
    while True:
        members = _GzipMembers(stream, start if resumable else None) if gzipped else None
        records = WARCIterator(members or stream, no_record_parse=True)
        try:
            while True:
                n += 1
                try:
                    record = next(records, None)
                except ArchiveLoadFailed as exc:
                    if n == 1:
                        yield BadRecord(source, f"not a WARC file ({_short(exc)})")
                        return
                    raise _Damaged(_short(exc)) from exc
                if record is None:
                    if n == 1:
                        yield BadRecord(source, "empty file")
                    return
                item = _read_record(record, source, n)
                damage = _damage(record)
                if damage:
                    raise _Damaged(damage)
                if item is not None:
                    yield item
        except _Damaged as exc:
            resume = (
                _next_member(stream, members.member_start + 1)
                if members is not None and resumable
                else None
            )
            if resume is None:
                yield BadRecord(source, f"file truncated or corrupt: {exc}", f"record {n}")
                return
            yield BadRecord(
                source,
                f"file truncated or corrupt: {exc}; read on from byte {resume:,}",
                f"record {n}",
            )
            start = resume
        except OSError as exc:
            yield BadRecord(source, f"read failed: {exc.strerror or exc}", f"record {n}")
            return


def read_warc_bytes(data: bytes, source: str) -> Iterator[Article | BadRecord]:
    """``read_warc_stream`` on a whole file's bytes (a WARC.gz still read on past damage)."""
    return read_warc_stream(io.BufferedReader(io.BytesIO(data)), source)


def read_warc_file(path: str | Path) -> Iterator[Article | BadRecord]:
    """Yield an Article for each HTML page of a ``.warc`` or ``.warc.gz`` file.

    Whether the file is compressed is read from its first bytes, not its name.
    """
    source = str(path)
    try:
        with Path(path).open("rb") as stream:
            yield from read_warc_stream(stream, source)
    except OSError as exc:  # open failed (read failures are reported by read_warc_stream)
        yield BadRecord(source, exc.strerror or str(exc))
