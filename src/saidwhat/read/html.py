"""HTML pages: the article's main text and metadata, boilerplate gone.

trafilatura does the extraction (one paragraph a line; navigation, footers,
comments, scripts and styles left out). Its text keeps the page's own
quotation marks, which is what the quote finder needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import trafilatura

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.text import (
    decode_bytes,
    normalise_text,
    read_single_article,
    single_article_of_bytes,
    source_stem,
)

# Pages above this size are skipped with a BadRecord. trafilatura's time and memory grow
# faster than the page: 5 MB of table rows takes 25 s and 0.8 GB, 20 MB 70 s and 2.7 GB,
# 50 MB 3 min and 6 GB. A news article's page is rarely over 2 MB.
MAX_PAGE_CHARS = 5 * 1024 * 1024


def _field(document: Any, name: str) -> str | None:
    """One metadata field of trafilatura's result (a Document in 2.x, a dict in 1.x)."""
    value = document.get(name) if isinstance(document, dict) else getattr(document, name, None)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def article_from_html(html: str, source: str, url: str | None = None) -> Article:
    """The Article in an HTML page; BadRecord when the page has no main text.

    ``url`` is where the page came from, when known; it helps trafilatura and
    is kept on the Article.
    """
    if len(html) > MAX_PAGE_CHARS:
        raise BadRecord(source, f"page larger than {MAX_PAGE_CHARS // (1024 * 1024)} MB, skipped")
    try:
        document = trafilatura.bare_extraction(
            html, url=url, include_comments=False, with_metadata=True
        )
    except Exception as exc:  # a parser failure on one page must not stop a batch
        raise BadRecord(source, f"HTML could not be parsed ({exc})") from exc
    text = normalise_text(_field(document, "text") or "") if document is not None else ""
    if not text.strip():
        raise BadRecord(source, "no main text found")
    return Article(
        id=source_stem(source),
        text=text.strip(),
        url=_field(document, "url") or url,
        outlet=_field(document, "sitename") or _field(document, "hostname"),
        published=_field(document, "date"),
        title=_field(document, "title"),
    )


def article_from_html_bytes(data: bytes, source: str, url: str | None = None) -> Article:
    """``article_from_html`` on raw bytes, decoded by the shared rules."""
    return article_from_html(decode_bytes(data, source), source, url)


def read_html_bytes(data: bytes, source: str) -> Iterator[Article | BadRecord]:
    """Yield the one Article of an HTML file's bytes, or the BadRecord saying why not."""
    return single_article_of_bytes(data, source, article_from_html_bytes)


def read_html_file(path: str | Path) -> Iterator[Article | BadRecord]:
    """Yield the one Article of an HTML file, or the BadRecord saying why not."""
    return read_single_article(path, article_from_html_bytes)
