"""Plain-text articles, and the byte decoding every reader shares.

Input comes from anywhere: UTF-8 with or without a byte-order mark, UTF-16 or
UTF-32 from Windows tools, legacy code pages, UTF-8 with a few broken bytes
pasted in from elsewhere, or something that is not text at all. The rules live
here once, so each reader decodes the same way:

1. a byte-order mark decides (UTF-8, UTF-16, UTF-32);
2. NUL bytes mean UTF-16 without a mark when they sit in every other byte,
   otherwise binary data;
3. valid UTF-8 is UTF-8; UTF-8 with a few bad bytes keeps its good characters
   and marks the bad bytes with U+FFFD;
4. anything else is charset_normalizer's best guess (cp1252 when the guess is
   one of the interchangeable Latin code pages, since news text in a legacy
   encoding is nearly always Windows-1252).

Line ends become ``\\n`` and control characters other than ``\\n`` and ``\\t``
are dropped. Typographic quotation marks and apostrophes are never touched:
the quote finder depends on them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import charset_normalizer

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.metadata import split_front_matter, with_fields, with_sidecar

# UTF-32 first: its little-endian mark begins with the UTF-16 one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# \r\n and lone \r (old Mac files), plus vertical tab and form feed, which
# separate lines or pages and would otherwise glue two words together.
_LINE_ENDS = re.compile(r"\r\n?|[\x0b\x0c\u2028\u2029]")
# C0 controls except \t and \n (\r, \v, \f are gone by now), and DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Controls that never occur in text, counted to tell binary data from text.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")

# Share of characters above which data is taken for binary.
_MAX_CONTROL_SHARE = 0.02
_MAX_REPLACEMENT_SHARE = 0.10


def bom_encoding(data: bytes) -> str | None:
    """The codec named by a byte-order mark at the start of ``data``, if any."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the NULs sit in every other byte (ASCII-range UTF-16)."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.02:
        return "utf-16-be"
    return None


def wide_encoding(data: bytes) -> str | None:
    """The UTF-16/32 codec of ``data`` (from its byte-order mark or NUL pattern), if it is one.

    Those encodings cannot be split at ``b"\\n"``; streaming readers decode
    them incrementally instead.
    """
    encoding = bom_encoding(data)
    if encoding == "utf-8-sig":
        return None
    return encoding or (_utf16_without_bom(data) if b"\x00" in data else None)


def _is_latin_code_page(encoding: str) -> bool:
    """True for the single-byte Latin code pages charset_normalizer cannot tell apart."""
    try:
        from charset_normalizer.cd import encoding_languages
    except ImportError:  # internal module moved: trust the guess as it is
        return False
    try:
        return "Latin Based" in encoding_languages(encoding)
    except OSError:  # raised for multi-byte code pages (GB18030, Big5, Shift_JIS, UTF-16, …)
        return False


def _stray_byte_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: the bytes UTF-8 cannot read, read as Windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    return bytes(stray).decode("cp1252", errors="replace"), error.end


_CP1252_FOR_STRAY_BYTES = "saidwhat-stray-bytes-as-cp1252"
codecs.register_error(_CP1252_FOR_STRAY_BYTES, _stray_byte_as_cp1252)


def guess_decode(data: bytes) -> str | None:
    """Decode ``data`` by the module's rules; None when it looks like binary data.

    No clean-up and no emptiness check: ``decode_bytes`` adds those for whole
    files, and the JSON Lines reader uses this on single lines.
    """
    encoding = bom_encoding(data)
    if encoding:
        return data.decode(encoding, errors="replace")
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        return data.decode(encoding, errors="replace") if encoding else None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    non_ascii = len(lenient) - len(lenient.encode("ascii", errors="ignore"))
    # More well-formed multibyte characters than bad bytes: UTF-8 with a few
    # stray bytes (mixed encodings), not a legacy code page.
    if non_ascii - bad >= bad:
        return lenient
    # UTF-8 quotation marks among Windows-1252 letters (text pasted together
    # from two sources): read each character as it was written.
    mixed = non_ascii > bad
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        if mixed:
            return data.decode("utf-8", errors=_CP1252_FOR_STRAY_BYTES)
        return lenient if bad <= _MAX_REPLACEMENT_SHARE * len(lenient) else None
    if _is_latin_code_page(best.encoding):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            if mixed:
                return data.decode("utf-8", errors=_CP1252_FOR_STRAY_BYTES)
    return str(best)


def normalise_text(text: str) -> str:
    """Line ends to ``\\n``; control characters other than ``\\n`` and ``\\t`` removed.

    >>> normalise_text("One\\r\\nTwo\\rThree\\x00\\x07 “four”")
    'One\\nTwo\\nThree “four”'
    """
    return _CONTROLS.sub("", _LINE_ENDS.sub("\n", text))


def _looks_binary(text: str) -> bool:
    controls = len(_BINARY_CONTROLS.findall(text))
    return controls >= 2 and controls > _MAX_CONTROL_SHARE * len(text)


def decode_bytes(data: bytes, source: str) -> str:
    """The text of a file's bytes, cleaned; BadRecord for binary or empty data.

    >>> decode_bytes("“Yes,” she said.\\r\\n".encode("utf-16"), "a.txt")
    '“Yes,” she said.\\n'
    """
    if not data.strip():
        raise BadRecord(source, "empty file")
    text = guess_decode(data)
    if text is None or _looks_binary(text):
        raise BadRecord(source, "binary data, not text")
    text = normalise_text(text)
    if not text.strip():
        raise BadRecord(source, "empty file")
    return text


def source_stem(source: str) -> str:
    """The name an input gives its articles: the file stem, ``stdin`` for ``-``."""
    return "stdin" if source == "-" else Path(source).stem


_HEADLINE_MAX_CHARS = 150
_HEADLINE_MAX_WORDS = 25
_SENTENCE_END = (".", ",", ";", ":", "”", '"', "’", "'")


def headline_of(text: str) -> str | None:
    """The first line of a plain-text article when it reads as its headline, else None.

    A headline stands on its own line above more text, is short (at most 25
    words), starts with a capital or a digit and does not end as a sentence
    or a quotation does ("Flood barrier ‘saved the high street’, says the
    council" is one; "The council met on Monday." is not).
    """
    first, newline, rest = text.partition("\n")
    first = first.strip()
    if not newline or not rest.strip() or not first:
        return None
    if len(first) > _HEADLINE_MAX_CHARS or len(first.split()) > _HEADLINE_MAX_WORDS:
        return None
    if not (first[0].isupper() or first[0].isdigit()) or first.endswith(_SENTENCE_END):
        return None
    return first


def article_from_text(data: bytes, source: str, article_id: str | None = None) -> Article:
    """One Article from the bytes of a plain-text file (id defaults to the file stem).

    Front matter at the top (``saidwhat.read.metadata``) gives its title,
    outlet, url and date and is not part of the text. Otherwise its title is
    its first line when that reads as a headline (``headline_of``); the text
    keeps the line, so offsets are the file's own.
    """
    front, text = split_front_matter(decode_bytes(data, source), source)
    text = text.strip()
    if not text:
        raise BadRecord(source, "no text after the front matter")
    article = Article(id=article_id or source_stem(source), text=text, title=headline_of(text))
    return with_fields(article, front) if front else article


def single_article_of_bytes(
    data: bytes, source: str, make: Callable[[bytes, str], Article]
) -> Iterator[Article | BadRecord]:
    """Yield the one Article ``make`` builds from a file's bytes, or why it could not."""
    try:
        yield make(data, source)
    except BadRecord as bad:
        yield bad


def read_single_article(
    path: str | Path, make: Callable[[bytes, str], Article]
) -> Iterator[Article | BadRecord]:
    """Yield the one Article ``make`` builds from a file's bytes, read from disk, or why not.

    A sidecar ``.json`` beside the file gives its metadata (``with_sidecar``).
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        yield BadRecord(source, exc.strerror or str(exc))
        return
    yield from with_sidecar(Path(path), single_article_of_bytes(data, source, make))


def read_text_bytes(data: bytes, source: str) -> Iterator[Article | BadRecord]:
    """Yield the one Article of a plain-text file's bytes, or the BadRecord saying why not."""
    return single_article_of_bytes(data, source, article_from_text)


def read_text_file(path: str | Path) -> Iterator[Article | BadRecord]:
    """Yield the one Article of a plain-text file, or the BadRecord saying why not."""
    return read_single_article(path, article_from_text)
