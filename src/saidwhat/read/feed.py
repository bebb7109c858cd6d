"""RSS and Atom feeds: one Article per entry.

feedparser reads every flavour (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) and copes with
slightly broken XML, which real feeds often are: a feed it can read despite an
error still gives its entries. The text of an entry is its full content (RSS
``content:encoded``, Atom ``content``), or its summary when it has none. Many
feeds carry only a teaser, so a feed read from a URL fetches each entry's link
for the whole page (``fetch_links``) and keeps the entry's own text for when
that fails.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.etree  # type: ignore[import-untyped]
import lxml.html  # type: ignore[import-untyped]
import lxml.html.defs  # type: ignore[import-untyped]

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.html import article_from_html
from saidwhat.read.text import normalise_text, source_stem, wide_encoding

__all__ = ["FetchLink", "looks_like_feed", "read_feed_bytes", "read_feed_file"]

# Fetches the page an entry links to: its Article, or why it could not.
FetchLink = Callable[[str], Article | BadRecord]

# What may come before the root element: blanks, the XML declaration and other
# processing instructions, comments, a document type declaration.
_PROLOG = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", re.DOTALL)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_FEED_ROOTS = frozenset({b"rss", b"feed", b"RDF"})
# What lxml refuses in text (not XML characters): C0 controls but tab, LF and CR; surrogates;
# U+FFFE and U+FFFF. Entries from broken CMS exports carry them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Elements whose text stands on lines of its own in the plain-text fallback.
_BLOCKS = lxml.html.defs.block_tags | {
    "article",
    "aside",
    "br",
    "figcaption",
    "figure",
    "footer",
    "header",
    "main",
    "section",
}


def looks_like_feed(data: bytes) -> bool:
    """True when the document's root element is RSS, Atom or RDF.

    Servers often label feeds ``text/html`` or ``text/plain``; the root
    element does not lie.
    """
    head = data[:8192]
    encoding = wide_encoding(head)
    if encoding:
        head = head.decode(encoding, errors="ignore").encode("utf-8")
    position = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    while prolog := _PROLOG.match(head, position):
        position = prolog.end()
    root = _ROOT.match(head, position)
    return root is not None and root.group(1).rsplit(b":", 1)[-1] in _FEED_ROOTS


def _text(value: object) -> str | None:
    """A feed field as stripped text, None when missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _plain_text(fragment: str) -> str:
    """The text of an HTML fragment, one block a line, without trafilatura's judgement.

    For short content (a paragraph or two) that trafilatura discards as too
    little to be an article.
    """
    try:
        root = lxml.html.fragment_fromstring(_NOT_XML.sub("", fragment), create_parent="div")
        for node in root.xpath("//script | //style | //noscript | //template"):
            node.drop_tree()
        for element in root.iter():
            if element.tag in _BLOCKS:
                element.text = "\n" + (element.text or "")
                element.tail = "\n" + (element.tail or "")
        content = str(root.text_content())
    except (lxml.etree.LxmlError, ValueError):  # ValueError: lxml refuses a character it parsed
        return ""
    lines = (" ".join(line.split()) for line in content.splitlines())
    return "\n".join(line for line in lines if line)


def _html_text(fragment: str, source: str, url: str | None) -> str:
    """The main text of HTML content: trafilatura's, or the plain text when it finds none."""
    try:
        return article_from_html(fragment, source, url).text
    except BadRecord:
        return _plain_text(fragment)


def _entry_text(entry: Any, source: str, url: str | None) -> str:
    """The entry's fullest text: its longest content, else its summary; ``""`` when none."""
    details = [d for d in entry.get("content") or [] if _text(d.get("value"))]
    if details:
        detail = max(details, key=lambda d: len(str(d.get("value"))))
    elif _text(entry.get("summary")):
        detail = entry.get("summary_detail") or {"value": entry.get("summary")}
    else:
        return ""
    value = str(detail.get("value") or "")
    kind = str(detail.get("type") or "text/html")
    text = _html_text(value, source, url) if "html" in kind else value
    return normalise_text(text).strip()


def _entry_date(entry: Any) -> str | None:
    """The entry's publication (else update) date as ``YYYY-MM-DD``."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not isinstance(parsed, time.struct_time):
        return None
    return time.strftime("%Y-%m-%d", parsed)


def _entry_id(entry: Any, link: str | None, text: str, source: str) -> str:
    """The entry's id or guid, else its link, else a hash of its text (stable across runs)."""
    given = _text(entry.get("id")) or link
    if given:
        return given
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{source_stem(source)}-{digest}"


def _entry_article(
    entry: Any,
    where: str,
    source: str,
    outlet: str | None,
    fetch_links: FetchLink | None,
    base_url: str | None,
) -> Article | BadRecord:
    """The Article of one entry: its linked page when fetched, else its own text."""
    link = _text(entry.get("link"))
    if link and base_url:
        link = urljoin(base_url, link)  # a relative link is relative to the feed's URL
    title = _text(entry.get("title"))
    published = _entry_date(entry)
    page = fetch_links(link) if fetch_links is not None and link else None
    if isinstance(page, Article):
        return Article(
            id=_entry_id(entry, link, page.text, source),
            text=page.text,
            url=link,
            outlet=outlet or page.outlet,
            published=published or page.published,
            title=title or page.title,
        )
    text = _entry_text(entry, source, link)
    if not text:
        if page is not None:
            return BadRecord(
                source, f"entry has no text and its link could not be fetched ({page})", where
            )
        if link:
            return BadRecord(
                source,
                "entry has no text, only a link (read the feed from its URL to fetch it)",
                where,
            )
        return BadRecord(source, "entry has no text and no link", where)
    return Article(
        id=_entry_id(entry, link, text, source),
        text=text,
        url=link,
        outlet=outlet,
        published=published,
        title=title,
        extra={"fetch_error": str(page)} if page is not None else {},
    )


def _not_a_feed(parsed: Any) -> str:
    """Why a document gave no entries, in feedparser's words when it has some."""
    if parsed.get("bozo"):
        return f"not an RSS or Atom feed ({parsed.get('bozo_exception')})"
    if not parsed.get("version"):
        return "not an RSS or Atom feed"
    return "feed has no entries"


def read_feed_bytes(
    data: bytes,
    source: str,
    *,
    fetch_links: FetchLink | None = None,
    base_url: str | None = None,
) -> Iterator[Article | BadRecord]:
    """Yield an Article for each entry of an RSS or Atom feed, a BadRecord for each unusable one.

    With ``fetch_links``, an entry with a link becomes the linked page; when
    fetching fails the entry's own text is used and the failure is kept in
    ``extra["fetch_error"]``. Relative links are resolved against ``base_url``
    (the URL the feed was fetched from after redirects), else against
    ``source`` when that is a URL.
    """
    if base_url is None and source.lower().startswith(("http://", "https://")):
        base_url = source
    if not data.strip():
        yield BadRecord(source, "empty file")
        return
    # Bytes go in as a stream: feedparser opens a bytes or str argument that
    # names a file or URL. No base URL either, or it would resolve ids too.
    try:
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as exc:  # a parser failure on one feed must not stop a batch
        yield BadRecord(source, f"feed could not be parsed ({exc})")
        return
    entries = parsed.get("entries") or []
    if not entries:
        yield BadRecord(source, _not_a_feed(parsed))
        return
    outlet = _text(parsed.get("feed", {}).get("title"))
    for number, entry in enumerate(entries, start=1):
        yield _entry_article(entry, f"entry {number}", source, outlet, fetch_links, base_url)


def read_feed_file(path: str | Path) -> Iterator[Article | BadRecord]:
    """``read_feed_bytes`` on a file (linked pages are not fetched)."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        yield BadRecord(source, exc.strerror or str(exc))
        return
    yield from read_feed_bytes(data, source)
