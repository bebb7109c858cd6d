"""URLs as inputs: fetching over HTTP safely, and the records of what comes back.

A URL given as an input (or listed in a ``.urls`` file) is fetched and read by
what the server sends: a feed gives one article per entry, each entry's link
fetched for the full page; an HTML page gives its main text; plain text is
itself; JSON Lines give one article a line.

The URLs come from wherever the inputs came from, and a feed names the links
it wants fetched, a page the place it redirects to. So a server on the
internet must not be able to point saidwhat at the user's own network:

* addresses that are not public (loopback, private, link-local, multicast,
  reserved, unspecified; IPv4 and IPv6) are refused unless ``allow_private``.
  Every address a host resolves to is checked, and redirects are followed
  here rather than by httpx so that every hop is checked again;
* the body is streamed and capped at ``max_bytes`` whatever Content-Length
  says, and ``timeout`` bounds the whole fetch, not only each read;
* every failure is a BadRecord naming the URL, so one bad URL never stops a
  batch.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read.feed import looks_like_feed, read_feed_bytes
from saidwhat.read.html import article_from_html_bytes
from saidwhat.read.jsonl import read_jsonl_chunks
from saidwhat.read.text import article_from_text, decode_bytes
from saidwhat.version import __version__

__all__ = [
    "FetchOptions",
    "Fetched",
    "fetch",
    "read_url",
    "read_urls_file",
    "refusal",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 10_000_000
DEFAULT_MAX_REDIRECTS = 5

_SCHEMES = ("http", "https")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Well-known prefix of NAT64 (RFC 6052): the last 32 bits are the IPv4 host.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

_JSONL_TYPES = ("ndjson", "jsonl", "json-seq", "jsonlines")
# Content types that say nothing about the content: sniffed instead.
_UNKNOWN_TYPES = ("", "application/octet-stream", "binary/octet-stream")
# "https://example.org/a  # note": a trailing comment in a .urls line.
_TRAILING_COMMENT = re.compile(r"\s+#.*$")


USER_AGENT = f"saidwhat/{__version__} (+https://example.invalid/saidwhat)"
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": (
        "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
        "application/xml;q=0.9, text/plain;q=0.8, */*;q=0.5"
    ),
}


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch got: where it ended up after redirects, and the whole body.

    ``content_type`` is the bare media type in lower case (``""`` when the
    server sent none); ``charset`` is the one the header named, if any.
    """

    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """The limits of fetching, passed down from ``read_inputs`` to every fetch of a run."""

    allow_private: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS


DEFAULT_OPTIONS = FetchOptions()


# --- which addresses may be fetched -----------------------------------------------


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is refused without ``allow_private`` (what kind it is); None if public.

    An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``,
    NAT64, 6to4, Teredo) reaches that IPv4 host, so the IPv4 address is judged
    too: ``::ffff:127.0.0.1`` is loopback.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return refusal(address.ipv4_mapped)
        if address in _NAT64:  # the whole prefix counts as reserved; the IPv4 host decides
            return refusal(ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF))
        inner = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if inner is not None and (reason := refusal(inner)):
            return reason
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:  # e.g. 100.64.0.0/10, shared carrier-grade NAT space
        return "not public"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to; a literal address is itself.

    Raises ``socket.gaierror`` when the name does not resolve.
    """
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ipaddress.ip_address(str(sockaddr[0]))
            if address not in addresses:
                addresses.append(address)
    return addresses


def _checked_url(url: str, source: str, allow_private: bool) -> httpx.URL:
    """``url`` parsed, once its scheme is http(s) and every address of its host may be fetched.

    ``source`` is the URL the user gave, which the BadRecord names (``url``
    may be a redirect target).
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise BadRecord(source, f"invalid URL {url!r}: {exc}") from exc
    if parsed.scheme not in _SCHEMES:
        scheme = f"scheme '{parsed.scheme}'" if parsed.scheme else "URL without a scheme"
        raise BadRecord(source, f"unsupported {scheme} in {url}: only http and https are fetched")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise BadRecord(source, f"no host in {url}")
    try:
        addresses = resolve(host, parsed.port or _DEFAULT_PORTS[parsed.scheme])
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BadRecord(source, f"DNS lookup of {host} failed: {reason}") from exc
    if not addresses:
        raise BadRecord(source, f"DNS lookup of {host} found no addresses")
    if allow_private:
        return parsed
    for address in addresses:
        kind = refusal(address)
        if kind is not None:
            of_host = "" if host == str(address) else f" (of {host})"
            raise BadRecord(
                source,
                f"refused {url}: address {address}{of_host} is {kind}; "
                "--allow-private (allow_private=True from Python) permits fetching from "
                "your own network",
            )
    return parsed


# --- fetching -------------------------------------------------------------------


def _new_client() -> httpx.Client:
    return httpx.Client(headers=_HEADERS, follow_redirects=False)


def _timed_out(source: str, timeout: float) -> BadRecord:
    return BadRecord(source, f"timed out after {timeout:g} seconds (raise the fetch timeout)")


def _too_large(source: str, max_bytes: int) -> BadRecord:
    return BadRecord(
        source, f"response is over {max_bytes:,} bytes (raise max_fetch_bytes to fetch it)"
    )


def _read_body(
    response: httpx.Response, source: str, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    """The body, streamed and stopped at ``max_bytes`` (Content-Length may be absent or wrong)."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise _too_large(source, max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # decompressed, so the cap also stops gzip bombs
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(source, max_bytes)
        if time.monotonic() > deadline:  # a server dripping bytes defeats per-read timeouts
            raise _timed_out(source, timeout)
        chunks.append(chunk)
    return b"".join(chunks)


def _fetch(url: str, client: httpx.Client, options: FetchOptions) -> Fetched:
    deadline = time.monotonic() + options.timeout
    current = url
    for _ in range(options.max_redirects + 1):
        target = _checked_url(current, url, options.allow_private)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _timed_out(url, options.timeout)
        try:
            with client.stream(
                "GET", target, headers=_HEADERS, timeout=remaining, follow_redirects=False
            ) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = str(response.url.join(location.strip()))
                    continue
                if not 200 <= response.status_code < 300:
                    where = "" if current == url else f" from {current}"
                    raise BadRecord(
                        url, f"HTTP {response.status_code} {response.reason_phrase}{where}"
                    )
                body = _read_body(response, url, options.max_bytes, deadline, options.timeout)
                media = response.headers.get("content-type", "").split(";")[0]
                return Fetched(
                    url=str(response.url),
                    status=response.status_code,
                    content_type=media.strip().lower(),
                    charset=response.charset_encoding,
                    body=body,
                )
        except httpx.TimeoutException as exc:
            raise _timed_out(url, options.timeout) from exc
        except httpx.ConnectError as exc:
            raise BadRecord(url, f"could not connect to {target.host}: {exc}") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise BadRecord(url, f"fetch failed: {str(exc) or type(exc).__name__}") from exc
    raise BadRecord(url, f"more than {options.max_redirects} redirects (the last to {current})")


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    client: httpx.Client | None = None,
) -> Fetched:
    """GET ``url`` within the limits; BadRecord naming ``url`` for every way that can fail.

    ``timeout`` (seconds) bounds the whole fetch, redirects included. Pass a
    ``client`` to reuse connections across fetches; its own redirect setting
    is ignored.
    """
    options = FetchOptions(allow_private, timeout, max_bytes, max_redirects)
    if client is not None:
        return _fetch(url, client, options)
    with _new_client() as own:
        return _fetch(url, own, options)


# --- reading what was fetched -------------------------------------------------


def _utf8_body(fetched: Fetched) -> bytes:
    """The body re-encoded as UTF-8 when it is not UTF-8 and the header's charset decodes it.

    UTF-8 is kept as it is even when the header says otherwise: servers
    claiming ISO-8859-1 for UTF-8 pages are common, the reverse is not. Other
    bodies without a usable charset go to the shared decoding rules.
    """
    body, charset = fetched.body, fetched.charset
    if not charset:
        return body
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        pass
    try:
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return body


def _is_feed(fetched: Fetched) -> bool:
    media = fetched.content_type
    if "rss" in media or "atom" in media or ("xml" in media and "html" not in media):
        return True
    return looks_like_feed(fetched.body)


def _page_article(link: str, options: FetchOptions, client: httpx.Client) -> Article | BadRecord:
    """The Article of the page a feed entry links to, or the BadRecord saying why not."""
    try:
        fetched = _fetch(link, client, options)
        media = fetched.content_type
        if media == "text/plain":
            return article_from_text(_utf8_body(fetched), link)
        if "html" not in media and media not in _UNKNOWN_TYPES:
            return BadRecord(link, f"linked page is '{media}', not HTML")
        return article_from_html_bytes(_utf8_body(fetched), link, url=fetched.url)
    except BadRecord as bad:
        return bad


def _records_of(
    fetched: Fetched, source: str, options: FetchOptions, client: httpx.Client
) -> Iterator[Article | BadRecord]:
    """The records of a fetched body, read by its content type (sniffed when it has none)."""
    media = fetched.content_type
    if _is_feed(fetched):

        def fetch_link(link: str) -> Article | BadRecord:
            return _page_article(link, options, client)

        yield from read_feed_bytes(
            fetched.body, source, fetch_links=fetch_link, base_url=fetched.url
        )
        return
    first = fetched.body.lstrip()[:1]
    if any(name in media for name in _JSONL_TYPES) or (media in _UNKNOWN_TYPES and first == b"{"):
        yield from read_jsonl_chunks(iter([fetched.body]), source)
        return
    try:
        if "html" in media or (media in _UNKNOWN_TYPES and first == b"<"):
            yield article_from_html_bytes(_utf8_body(fetched), source, url=fetched.url)
        elif media == "text/plain" or media in _UNKNOWN_TYPES:
            yield article_from_text(_utf8_body(fetched), source)
        else:
            yield BadRecord(
                source,
                f"cannot read content type '{media}' "
                "(expected HTML, an RSS or Atom feed, plain text or JSON Lines)",
            )
    except BadRecord as bad:
        yield bad


def read_url(
    url: str, options: FetchOptions = DEFAULT_OPTIONS, *, client: httpx.Client | None = None
) -> Iterator[Article | BadRecord]:
    """Yield the records at ``url``, or a BadRecord naming it when it cannot be fetched or read.

    A feed's entries come with their linked pages fetched (within the same
    options); a link that fails leaves the entry's own content in place.
    """
    if client is None:
        with _new_client() as own:
            yield from read_url(url, options, client=own)
        return
    try:
        fetched = _fetch(url, client, options)
    except BadRecord as bad:
        yield bad
        return
    yield from _records_of(fetched, url, options, client)


def _listed_urls(text: str, source: str) -> Iterator[str | BadRecord]:
    """The URLs of a ``.urls`` file; a BadRecord for a line that is not an http(s) URL."""
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = _TRAILING_COMMENT.sub("", raw.strip())
        if not line or line.startswith("#"):
            continue
        if not line.lower().startswith(("http://", "https://")) or any(c.isspace() for c in line):
            yield BadRecord(source, f"not an http(s) URL: {line!r}", f"line {lineno}")
            continue
        yield line


def read_urls_file(
    path: str | Path, options: FetchOptions = DEFAULT_OPTIONS
) -> Iterator[Article | BadRecord]:
    """Yield the records of every URL in a ``.urls`` file, one URL a line.

    Blank lines and ``#`` comments are skipped. The URLs share one HTTP client
    (and so their connections); each failing URL is its own BadRecord.
    """
    source = str(path)
    try:
        text = decode_bytes(Path(path).read_bytes(), source)
    except OSError as exc:
        yield BadRecord(source, exc.strerror or str(exc))
        return
    except BadRecord as bad:
        yield bad
        return
    listed = list(_listed_urls(text, source))
    if not listed:
        yield BadRecord(source, "no URLs in this file")
        return
    with _new_client() as client:
        for item in listed:
            if isinstance(item, BadRecord):
                yield item
            else:
                yield from read_url(item, options, client=client)
