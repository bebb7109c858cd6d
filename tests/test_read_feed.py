"""RSS and Atom feeds, URL inputs and ``.urls`` files.

Feeds and pages are invented (Harwick Gazette, Tamsey Valley Courier) and
served from a local HTTP server, so nothing here touches the internet.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import trafilatura

from saidwhat import extract_articles
from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read import READERS, read_inputs
from saidwhat.read.feed import looks_like_feed, read_feed_bytes, read_feed_file
from tests.test_fetch import ARTICLE_PAGE, Route, Site, redirect, send

LIBRARY_CONTENT = (
    "<p>Councillor Ilse Varga said: “The library will reopen its doors in September, "
    "and it will stay open on Sundays.”</p>\n"
    "<p>The building on Mill Street has been closed since a burst pipe flooded its "
    "reading room in January.</p>\n"
    "<p>“Children have had nowhere quiet to do their homework,” said Tomas Brenner, who "
    "chairs the Friends of Harwick Library.</p>"
)
SHORT_FRAGMENT = "<p>“We are delighted,” said <b>Ilse Varga</b>.</p>"

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Harwick Gazette</title>
<link>https://gazette.harwick.example/</link>
<description>News from Harwick</description>
<item>
  <title>Mill Street library to reopen</title>
  <link>https://gazette.harwick.example/news/library</link>
  <guid isPermaLink="false">hg-2024-0514-library</guid>
  <pubDate>Tue, 14 May 2024 08:00:00 +0000</pubDate>
  <description>The library reopens in September.</description>
  <content:encoded><![CDATA[{LIBRARY_CONTENT}]]></content:encoded>
</item>
<item>
  <title>Fête raises record sum</title>
  <link>https://gazette.harwick.example/news/fete</link>
  <pubDate>Sat, 01 Jun 2024 17:45:00 +0000</pubDate>
  <description><![CDATA[{SHORT_FRAGMENT}]]></description>
</item>
<item>
  <title>An entry with nothing in it</title>
  <description>   </description>
</item>
<item>
  <title>Only a link</title>
  <link>https://gazette.harwick.example/news/only-a-link</link>
</item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Tamsey Valley Courier</title>
  <id>urn:uuid:5d0e2b8c-tamsey-courier</id>
  <updated>2024-06-02T09:30:00Z</updated>
  <entry>
    <title>Ferry timetable to be cut</title>
    <link rel="alternate" href="https://courier.tamsey.example/news/ferry"/>
    <id>tag:courier.tamsey.example,2024:ferry</id>
    <updated>2024-06-02T09:30:00Z</updated>
    <content type="html">&lt;p&gt;Harbourmaster Odile Krane said: “Two crossings a day is
      all the crew can manage this winter.”&lt;/p&gt;&lt;p&gt;The changes start in
      October, the operator confirmed on Sunday.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Bus shelter repaired</title>
    <link rel="alternate" href="https://courier.tamsey.example/news/shelter"/>
    <id>tag:courier.tamsey.example,2024:shelter</id>
    <published>2024-05-30T12:00:00Z</published>
    <updated>2024-06-01T08:00:00Z</updated>
    <summary type="text">The shelter on Quay Road is fixed, the council said.</summary>
  </entry>
</feed>
"""

# A bare "&" and an unclosed channel: not well-formed XML, but readable.
MALFORMED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harwick Gazette & Advertiser</title>
<item><title>Roads & bridges</title><link>https://gazette.harwick.example/news/roads</link>
<description>“The potholes on Ferry Lane come first,” said Ilse Varga.</description></item>
"""

NOT_A_FEED = """<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://gazette.harwick.example/news/library</loc></url>
</urlset>
"""

FERRY_PAGE = ARTICLE_PAGE.replace("Mill Street library to reopen in autumn", "Ferry news").replace(
    "Councillor Ilse Varga said", "Councillor Ilse Varga told the Gazette"
)


# Invisible bulk that makes the pages bigger than the feed.
PADDING = "<!-- " + "-" * 5000 + " -->\n"


def articles(records: list[Article | BadRecord]) -> list[Article]:
    return [r for r in records if isinstance(r, Article)]


def bad_records(records: list[Article | BadRecord]) -> list[BadRecord]:
    return [r for r in records if isinstance(r, BadRecord)]


def write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- feeds from files -------------------------------------------------------------


@pytest.mark.parametrize("extension", [".xml", ".rss", ".atom"])
def test_feed_extensions_are_registered(extension: str) -> None:
    assert READERS[extension].read_file is read_feed_file


def test_rss_entries_become_articles(tmp_path: Path) -> None:
    path = write(tmp_path / "gazette.rss", RSS)
    library, fete, nothing, only_link = read_inputs([str(path)])
    assert isinstance(library, Article)
    assert library.id == "hg-2024-0514-library"
    assert library.title == "Mill Street library to reopen"
    assert library.url == "https://gazette.harwick.example/news/library"
    assert library.outlet == "Harwick Gazette"
    assert library.published == "2024-05-14"
    assert library.extra == {}
    # Full content (content:encoded), not the one-line description; one paragraph a line.
    assert library.text.splitlines() == [
        "Councillor Ilse Varga said: “The library will reopen its doors in September, "
        "and it will stay open on Sundays.”",
        "The building on Mill Street has been closed since a burst pipe flooded its "
        "reading room in January.",
        "“Children have had nowhere quiet to do their homework,” said Tomas Brenner, who "
        "chairs the Friends of Harwick Library.",
    ]
    assert isinstance(fete, Article)
    assert fete.id == "https://gazette.harwick.example/news/fete"  # no guid: the link
    assert fete.published == "2024-06-01"
    assert isinstance(nothing, BadRecord)
    assert (nothing.source, nothing.location) == (str(path), "entry 3")
    assert nothing.reason == "entry has no text and no link"
    assert isinstance(only_link, BadRecord) and only_link.location == "entry 4"
    assert "only a link" in only_link.reason


def test_short_html_summary_falls_back_to_plain_text() -> None:
    # trafilatura finds nothing in a fragment this short: the fallback must.
    assert trafilatura.bare_extraction(SHORT_FRAGMENT) is None
    fete = articles(list(read_feed_bytes(RSS.encode(), "gazette.rss")))[1]
    assert fete.text == "“We are delighted,” said Ilse Varga."


def test_atom_entries_become_articles(tmp_path: Path) -> None:
    path = write(tmp_path / "courier.atom", ATOM)
    ferry, shelter = read_inputs([str(path)])
    assert isinstance(ferry, Article) and isinstance(shelter, Article)
    assert ferry.id == "tag:courier.tamsey.example,2024:ferry"
    assert ferry.url == "https://courier.tamsey.example/news/ferry"
    assert ferry.outlet == "Tamsey Valley Courier"
    assert ferry.published == "2024-06-02"  # only <updated>
    assert ferry.text.splitlines() == [
        "Harbourmaster Odile Krane said: “Two crossings a day is all the crew can manage "
        "this winter.”",
        "The changes start in October, the operator confirmed on Sunday.",
    ]
    assert shelter.published == "2024-05-30"  # <published> wins over <updated>
    assert shelter.text == "The shelter on Quay Road is fixed, the council said."


def test_malformed_but_readable_feed_still_gives_its_entries(tmp_path: Path) -> None:
    path = write(tmp_path / "roads.xml", MALFORMED)
    [roads] = read_inputs([str(path)])
    assert isinstance(roads, Article)
    assert roads.title == "Roads & bridges"
    assert roads.text == "“The potholes on Ferry Lane come first,” said Ilse Varga."


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("sitemap.xml", NOT_A_FEED, "not an RSS or Atom feed"),
        ("notes.rss", "Minutes of the Harwick parish meeting.", "not an RSS or Atom feed ("),
        ("page.xml", ARTICLE_PAGE, "not an RSS or Atom feed"),
        ("empty.atom", "  \n", "empty file"),
        (
            "quiet.rss",
            '<rss version="2.0"><channel><title>Quiet</title></channel></rss>',
            "feed has no entries",
        ),
    ],
)
def test_a_file_that_is_not_a_feed_is_one_bad_record(
    tmp_path: Path, name: str, data: str, reason: str
) -> None:
    path = write(tmp_path / name, data)
    [record] = read_inputs([str(path)])
    assert isinstance(record, BadRecord)
    assert record.source == str(path) and record.location is None
    assert record.reason.startswith(reason)


def test_entry_without_id_or_link_gets_a_stable_hash_id() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>Harwick Gazette</title>'
        b"<item><description>Ilse Varga said the vote was close.</description></item>"
        b"<item><description>Tomas Brenner said the fund was empty.</description></item>"
        b"</channel></rss>"
    )
    first = [a.id for a in articles(list(read_feed_bytes(feed, "feeds/gazette.xml")))]
    again = [a.id for a in articles(list(read_feed_bytes(feed, "feeds/gazette.xml")))]
    assert first == again
    assert len(set(first)) == 2 and all(i.startswith("gazette-") for i in first)


def test_feed_is_not_opened_as_a_file_name(tmp_path: Path) -> None:
    # feedparser reads a bytes argument that names an existing file as that file.
    secret = write(tmp_path / "secret.rss", RSS)
    [record] = read_feed_bytes(str(secret).encode(), "input.rss")
    assert isinstance(record, BadRecord) and "not an RSS or Atom feed" in record.reason


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (RSS.encode(), True),
        (ATOM.encode(), True),
        (ATOM.encode("utf-16"), True),
        (b'<!-- <html> --><rdf:RDF xmlns:rdf="x"></rdf:RDF>', True),
        (NOT_A_FEED.encode(), False),
        (ARTICLE_PAGE.encode(), False),
        (b"Plain words about feeds <rss>", False),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!DOCTYPE rss [<!ENTITY a 'b'>]>\n<rss>", True),
        (b"<html><body><rss></rss></body></html>", False),
    ],
)
def test_looks_like_feed(data: bytes, expected: bool) -> None:
    assert looks_like_feed(data) is expected


# --- fetching linked pages -------------------------------------------------------


def test_fetched_link_replaces_the_entry_text() -> None:
    asked: list[str] = []

    def fetch_links(link: str) -> Article | BadRecord:
        asked.append(link)
        return Article(id="page", text="The whole page.", url=link, outlet="Gazette web")

    records = list(read_feed_bytes(RSS.encode(), "g.rss", fetch_links=fetch_links))
    library, _fete, only_link = articles(records)
    [nothing] = bad_records(records)
    assert (nothing.location, nothing.reason) == ("entry 3", "entry has no text and no link")
    assert asked == [
        "https://gazette.harwick.example/news/library",
        "https://gazette.harwick.example/news/fete",
        "https://gazette.harwick.example/news/only-a-link",
    ]
    assert library.text == "The whole page."
    assert (library.id, library.outlet, library.title, library.published) == (
        "hg-2024-0514-library",
        "Harwick Gazette",
        "Mill Street library to reopen",
        "2024-05-14",
    )
    assert library.extra == {}
    assert only_link.text == "The whole page."


def test_failed_link_falls_back_to_the_entry_text_and_notes_why() -> None:
    def fetch_links(link: str) -> Article | BadRecord:
        return BadRecord(link, "HTTP 503 Service Unavailable")

    records = list(read_feed_bytes(RSS.encode(), "g.rss", fetch_links=fetch_links))
    library, _fete = articles(records)
    assert library.text.startswith("Councillor Ilse Varga said:")
    assert library.extra == {
        "fetch_error": "https://gazette.harwick.example/news/library: HTTP 503 Service Unavailable"
    }
    # The fetch failures themselves are not records; entries without text still are.
    assert [(b.location, b.reason[:40]) for b in bad_records(records)] == [
        ("entry 3", "entry has no text and no link"),
        ("entry 4", "entry has no text and its link could not"),
    ]


# --- URL inputs, from a local server --------------------------------------------


def _feed_for(site: Site) -> str:
    """An RSS feed whose items link to pages on the local server."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harwick Gazette</title>
<item><title>Mill Street library to reopen</title><link>{site.url("/go/library")}</link>
<guid>hg-library</guid><pubDate>Tue, 14 May 2024 08:00:00 +0000</pubDate>
<description>The library reopens in September.</description></item>
<item><title>Ferry news</title><link>story/ferry</link><guid>hg-ferry</guid>
<description>Relative link.</description></item>
<item><title>Gone</title><link>{site.url("/story/gone")}</link><guid>hg-gone</guid>
<content:encoded><![CDATA[{LIBRARY_CONTENT}]]></content:encoded></item>
</channel></rss>
"""


def _feed(handler: BaseHTTPRequestHandler, site: Site) -> None:
    send(handler, _feed_for(site), "application/rss+xml; charset=utf-8")


def _feed_as_html(handler: BaseHTTPRequestHandler, site: Site) -> None:
    send(handler, _feed_for(site), "text/html")


ROUTES: dict[str, Route] = {
    "/feed.xml": _feed,
    "/feed-mislabelled": _feed_as_html,
    "/feeds/latest": lambda h, s: redirect(h, "/feed.xml"),
    "/courier.atom": lambda h, s: send(h, ATOM, "application/atom+xml"),
    "/sitemap.xml": lambda h, s: send(h, NOT_A_FEED, "application/xml"),
    "/story/library": lambda h, s: send(h, ARTICLE_PAGE + PADDING),
    "/story/ferry": lambda h, s: send(h, FERRY_PAGE + PADDING),
    "/go/library": lambda h, s: redirect(h, "/story/library"),
    "/minutes.txt": lambda h, s: send(
        h, "“We voted yes,” said Ilse Varga.".encode("cp1252"), "text/plain; charset=cp1252"
    ),
    "/batch": lambda h, s: send(
        h,
        '{"id": "b1", "text": "One."}\n{"id": "b2", "text": "Two."}\n',
        "application/x-ndjson",
    ),
    "/report.pdf": lambda h, s: send(h, b"%PDF-1.4", "application/pdf"),
}


@pytest.fixture
def site() -> Iterator[Site]:
    with Site(dict(ROUTES)) as running:
        yield running


def test_feed_url_reads_each_linked_page(site: Site) -> None:
    records = list(read_inputs([site.url("/feed.xml")], allow_private=True))
    assert not bad_records(records)
    library, ferry, gone = articles(records)
    assert library.id == "hg-library"
    assert library.url == site.url("/go/library")
    assert library.published == "2024-05-14" and library.outlet == "Harwick Gazette"
    # The page's text, which the feed only summarised.
    assert "Mill Street has been closed since a burst pipe" in library.text
    assert "Friends of Harwick Library" in library.text
    # A relative link is resolved against the feed's URL.
    assert ferry.url == site.url("/story/ferry")
    assert "Councillor Ilse Varga told the Gazette" in ferry.text
    # A link that fails: the entry's own content, and the failure noted.
    assert gone.text.startswith("Councillor Ilse Varga said:")
    assert gone.extra["fetch_error"].endswith("HTTP 404 Not Found")
    assert "/go/library" in site.paths() and "/story/library" in site.paths()


def test_relative_links_follow_the_feed_through_redirects(site: Site) -> None:
    records = list(read_inputs([site.url("/feeds/latest")], allow_private=True))
    ferry = next(a for a in articles(records) if a.id == "hg-ferry")
    assert ferry.url == site.url("/story/ferry")  # not /feeds/story/ferry
    assert "fetch_error" not in ferry.extra


def test_mislabelled_feed_is_sniffed(site: Site) -> None:
    records = list(read_inputs([site.url("/feed-mislabelled")], allow_private=True))
    assert [a.id for a in articles(records)] == ["hg-library", "hg-ferry", "hg-gone"]


def test_atom_feed_url(site: Site) -> None:
    # Its links point at courier.tamsey.example, which does not resolve: entry text stays.
    ferry, shelter = read_inputs([site.url("/courier.atom")], allow_private=True)
    assert isinstance(ferry, Article) and isinstance(shelter, Article)
    assert ferry.text.startswith("Harbourmaster Odile Krane said:")
    assert "courier.tamsey.example" in ferry.extra["fetch_error"]


def test_html_url_is_read_with_its_final_url(site: Site) -> None:
    [page] = read_inputs([site.url("/go/library")], allow_private=True)
    assert isinstance(page, Article)
    assert page.url == site.url("/story/library")
    assert page.outlet == "Harwick Gazette"
    assert "\nCouncillor Ilse Varga said: “The library will reopen" in page.text
    assert "© 2024" not in page.text and "Home" not in page.text


def test_text_and_json_lines_urls(site: Site) -> None:
    records = list(read_inputs([site.url("/minutes.txt"), site.url("/batch")], allow_private=True))
    assert [(a.id, a.text) for a in articles(records)] == [
        ("minutes", "“We voted yes,” said Ilse Varga."),
        ("b1", "One."),
        ("b2", "Two."),
    ]


def test_failing_urls_are_bad_records_and_the_batch_goes_on(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def offline_dns(host: str, *args: Any, **kwargs: Any) -> Any:
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", offline_dns)
    inputs = [
        site.url("/story/gone"),
        site.url("/report.pdf"),
        site.url("/sitemap.xml"),
        "https://no-such-paper.invalid/news",
        site.url("/story/library"),
    ]
    records = list(read_inputs(inputs, allow_private=True, fetch_timeout=5))
    assert [a.url for a in articles(records)] == [site.url("/story/library")]
    bad = bad_records(records)
    assert [b.source for b in bad] == inputs[:4]
    assert bad[0].reason == "HTTP 404 Not Found"
    assert bad[1].reason.startswith("cannot read content type 'application/pdf'")
    assert bad[2].reason == "not an RSS or Atom feed"
    assert bad[3].reason.startswith("DNS lookup of no-such-paper.invalid failed")


def test_url_inputs_refuse_the_loopback_server_by_default(site: Site) -> None:
    [record] = read_inputs([site.url("/story/library")])
    assert isinstance(record, BadRecord)
    assert record.source == site.url("/story/library")
    assert "is loopback" in record.reason
    assert site.requests == []


def test_fetch_limits_are_passed_down(site: Site) -> None:
    [record] = read_inputs([site.url("/story/library")], allow_private=True, max_fetch_bytes=100)
    assert isinstance(record, BadRecord) and "over 100 bytes" in record.reason


def test_linked_pages_obey_the_same_limits(site: Site) -> None:
    # The feed fits, the pages do not: every entry keeps its own text.
    size = len(_feed_for(site).encode())
    assert size < len(ARTICLE_PAGE + PADDING)
    records = list(read_inputs([site.url("/feed.xml")], allow_private=True, max_fetch_bytes=size))
    errors = [a.extra["fetch_error"].split(": ", 1)[1] for a in articles(records)]
    assert errors == [
        f"response is over {size:,} bytes (raise max_fetch_bytes to fetch it)"
    ] * 2 + ["HTTP 404 Not Found"]


# --- .urls files --------------------------------------------------------------------


def _urls_file(tmp_path: Path, site: Site) -> Path:
    return write(
        tmp_path / "morning.urls",
        "# Morning reading list\n"
        "\n"
        f"{site.url('/story/library')}   # the library story\n"
        "ftp://files.harwick.example/minutes.txt\n"
        f"  {site.url('/story/gone')}\n"
        f"{site.url('/minutes.txt')}\n",
    )


def test_urls_file_reads_every_url(tmp_path: Path, site: Site) -> None:
    path = _urls_file(tmp_path, site)
    records = list(read_inputs([str(path)], allow_private=True))
    assert [a.id for a in articles(records)] == ["library", "minutes"]
    [not_http, gone] = bad_records(records)
    assert (not_http.source, not_http.location) == (str(path), "line 4")
    assert not_http.reason.startswith("not an http(s) URL")
    assert (gone.source, gone.reason) == (site.url("/story/gone"), "HTTP 404 Not Found")


def test_urls_file_in_a_directory_gets_the_run_options(tmp_path: Path, site: Site) -> None:
    _urls_file(tmp_path, site)
    refused = list(read_inputs([str(tmp_path)]))
    assert not articles(refused)
    assert sum("is loopback" in b.reason for b in bad_records(refused)) == 3
    allowed = list(read_inputs([str(tmp_path)], allow_private=True))
    assert len(articles(allowed)) == 2


@pytest.mark.parametrize(
    ("data", "reason"), [("# nothing yet\n\n", "no URLs in this file"), ("", "empty file")]
)
def test_urls_file_without_urls_is_a_bad_record(tmp_path: Path, data: str, reason: str) -> None:
    path = write(tmp_path / "todo.urls", data)
    [record] = read_inputs([str(path)])
    assert isinstance(record, BadRecord) and record.reason == reason


# --- end to end -------------------------------------------------------------------


def test_quotes_and_speakers_from_a_feed_url(site: Site) -> None:
    records = list(read_inputs([site.url("/feed.xml")], allow_private=True))
    results = list(extract_articles(articles(records)))
    library = next(r for r in results if r.article.id == "hg-library")
    found = {
        (q.speaker.entity.name if q.speaker and q.speaker.entity else None)
        for q in library.quotes
        if "reopen its doors in September" in library.article.text[q.start : q.end]
    }
    assert found == {"Ilse Varga"}


def test_cli_ingests_a_feed_url_and_refuses_loopback_without_the_option(
    site: Site, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from saidwhat.cli import app

    db = str(tmp_path / "news.db")
    runner = CliRunner()
    refused = runner.invoke(app, ["ingest", site.url("/feed.xml"), "--db", db, "--no-progress"])
    assert refused.exit_code == 1 and "is loopback" in refused.output
    assert site.requests == []

    allowed = ["ingest", site.url("/feed.xml"), "--db", db, "--no-progress", "--allow-private"]
    result = runner.invoke(app, allowed)
    assert result.exit_code == 0, result.output
    assert "3 stored" in result.output
    found = runner.invoke(
        app, ["search", "September", "--speaker", "Varga", "--db", db, "-f", "jsonl"]
    )
    assert found.exit_code == 0 and '"speaker_entity": "Ilse Varga"' in found.stdout
    assert '"outlet": "Harwick Gazette"' in found.stdout
