"""Fetching URLs: limits, redirects, errors, and refusing addresses on private networks.

Everything is served from a local HTTP server or an httpx mock transport: no
test touches the internet. The stories are invented (Harwick Gazette, Ilse Varga).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from saidwhat.errors import BadRecord
from saidwhat.read.fetch import USER_AGENT, fetch, refusal, resolve

ARTICLE_PAGE = """<!DOCTYPE html>
<html><head>
<title>Library to reopen | Harwick Gazette</title>
<meta property="og:site_name" content="Harwick Gazette">
<meta property="article:published_time" content="2024-05-14T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Mill Street library to reopen in autumn</h1>
<p>Councillor Ilse Varga said: “The library will reopen its doors in September, and it
will stay open on Sundays.”</p>
<p>The building on Mill Street has been closed since a burst pipe flooded its reading
room in January. Repairs were paid for from the council's contingency fund.</p>
<p>“Children have had nowhere quiet to do their homework,” said Tomas Brenner, who
chairs the Friends of Harwick Library. He added that volunteers had kept a small
lending table going at the market hall.</p>
</article>
<footer>© 2024 Harwick Gazette</footer>
</body></html>
"""

Route = Callable[[BaseHTTPRequestHandler, "Site"], None]


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes | str,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> None:
    """Send a whole response with a Content-Length."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


def redirect(handler: BaseHTTPRequestHandler, location: str, status: int = 302) -> None:
    send(handler, b"", "", status, {"Location": location})


class Site:
    """A local web server whose routes are plain functions; it records every request."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers.items())))
                route = site.routes.get(self.path.split("?")[0])
                try:
                    if route is None:
                        send(self, "<h1>Not found</h1>", status=404)
                    else:
                        route(self, site)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: fine
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _article(handler: BaseHTTPRequestHandler, site: Site) -> None:
    send(handler, ARTICLE_PAGE)


def _hops(handler: BaseHTTPRequestHandler, site: Site) -> None:
    # /hops?n=3 → /hops?n=2 → … → /article
    n = int(handler.path.split("n=")[1])
    redirect(handler, f"/hops?n={n - 1}" if n > 1 else "/article", 301 if n % 2 else 307)


def _loop(handler: BaseHTTPRequestHandler, site: Site) -> None:
    redirect(handler, "/loop")


def _sized(handler: BaseHTTPRequestHandler, site: Site) -> None:
    send(handler, b"x" * int(handler.path.split("n=")[1]), "text/plain")


def _huge_undeclared(handler: BaseHTTPRequestHandler, site: Site) -> None:
    # No Content-Length: the body ends when the connection closes.
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    for _ in range(200):  # up to 12.8 MB, far over the cap the test sets
        handler.wfile.write(b"y" * 65536)


def _huge_declared(handler: BaseHTTPRequestHandler, site: Site) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", "50000000")
    handler.end_headers()
    handler.wfile.write(b"z" * 1000)
    handler.close_connection = True


def _slow(handler: BaseHTTPRequestHandler, site: Site) -> None:
    time.sleep(3)
    send(handler, ARTICLE_PAGE)


def _drip(handler: BaseHTTPRequestHandler, site: Site) -> None:
    # Each byte comes well within a per-read timeout; the whole takes 4 s.
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", "20")
    handler.end_headers()
    for _ in range(20):
        handler.wfile.write(b"d")
        handler.wfile.flush()
        time.sleep(0.2)


def _to_ftp(handler: BaseHTTPRequestHandler, site: Site) -> None:
    redirect(handler, "ftp://files.harwick.example/minutes.txt")


ROUTES: dict[str, Route] = {
    "/article": _article,
    "/hops": _hops,
    "/loop": _loop,
    "/sized": _sized,
    "/huge": _huge_undeclared,
    "/huge-declared": _huge_declared,
    "/slow": _slow,
    "/drip": _drip,
    "/to-ftp": _to_ftp,
}


@pytest.fixture
def site() -> Iterator[Site]:
    with Site(dict(ROUTES)) as running:
        yield running


def fails(url: str, **options: Any) -> BadRecord:
    """The BadRecord ``fetch`` raises for ``url``."""
    with pytest.raises(BadRecord) as info:
        fetch(url, **options)
    assert info.value.source == url
    return info.value


# --- fetching from the local server -------------------------------------------


def test_fetch_returns_body_type_charset_and_final_url(site: Site) -> None:
    got = fetch(site.url("/article"), allow_private=True)
    assert got.status == 200
    assert got.url == site.url("/article")
    assert (got.content_type, got.charset) == ("text/html", "utf-8")
    assert got.body == ARTICLE_PAGE.encode("utf-8")


def test_fetch_sends_a_descriptive_user_agent(site: Site) -> None:
    fetch(site.url("/article"), allow_private=True)
    [(_, headers)] = site.requests
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("saidwhat/") and "(+https://" in USER_AGENT


def test_redirect_chain_is_followed_hop_by_hop(site: Site) -> None:
    got = fetch(site.url("/hops?n=3"), allow_private=True)
    assert got.url == site.url("/article")
    assert site.paths() == ["/hops?n=3", "/hops?n=2", "/hops?n=1", "/article"]


def test_exactly_max_redirects_is_allowed_and_one_more_is_not(site: Site) -> None:
    assert fetch(site.url("/hops?n=2"), allow_private=True, max_redirects=3).status == 200
    assert fetch(site.url("/hops?n=3"), allow_private=True, max_redirects=3).status == 200
    bad = fails(site.url("/hops?n=4"), allow_private=True, max_redirects=3)
    assert "more than 3 redirects" in bad.reason


def test_endless_redirect_loop_stops(site: Site) -> None:
    bad = fails(site.url("/loop"), allow_private=True)
    assert "more than 5 redirects" in bad.reason
    assert site.paths() == ["/loop"] * 6


def test_not_found_is_a_bad_record(site: Site) -> None:
    bad = fails(site.url("/nothing-here"), allow_private=True)
    assert bad.reason.startswith("HTTP 404")


def test_body_up_to_the_cap_is_read_and_over_it_is_refused(site: Site) -> None:
    assert len(fetch(site.url("/sized?n=1000"), allow_private=True, max_bytes=1000).body) == 1000
    bad = fails(site.url("/sized?n=1001"), allow_private=True, max_bytes=1000)
    assert "over 1,000 bytes" in bad.reason and "max_fetch_bytes" in bad.reason


def test_huge_body_without_content_length_is_cut_off_while_streaming(site: Site) -> None:
    bad = fails(site.url("/huge"), allow_private=True, max_bytes=100_000)
    assert "over 100,000 bytes" in bad.reason


def test_declared_huge_body_is_refused_before_reading(site: Site) -> None:
    bad = fails(site.url("/huge-declared"), allow_private=True, max_bytes=100_000)
    assert "over 100,000 bytes" in bad.reason


def test_slow_response_times_out(site: Site) -> None:
    start = time.monotonic()
    bad = fails(site.url("/slow"), allow_private=True, timeout=0.5)
    assert "timed out after 0.5 seconds" in bad.reason
    assert time.monotonic() - start < 2.5


def test_timeout_bounds_the_whole_fetch_not_each_read(site: Site) -> None:
    start = time.monotonic()
    bad = fails(site.url("/drip"), allow_private=True, timeout=1.0)
    assert "timed out" in bad.reason
    assert time.monotonic() - start < 2.5


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.harwick.example/minutes.txt",
        "file:///etc/passwd",
        "gopher://harwick.example/",
        "harwick.example/news",
    ],
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    bad = fails(url)
    assert bad.reason.startswith("unsupported") and "only http and https" in bad.reason


def test_redirect_to_another_scheme_is_refused(site: Site) -> None:
    bad = fails(site.url("/to-ftp"), allow_private=True)
    assert "unsupported scheme 'ftp'" in bad.reason


def test_dns_failure_is_a_bad_record(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    bad = fails("https://no-such-paper.harwick.example/news")
    assert bad.reason == (
        "DNS lookup of no-such-paper.harwick.example failed: Name or service not known"
    )


def test_connection_refused_is_a_bad_record(site: Site) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bad = fails(f"http://127.0.0.1:{port}/", allow_private=True)
    assert bad.reason.startswith("could not connect to 127.0.0.1")


# --- which addresses are refused ------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.10", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "private"),  # reserved; Python also counts it as private
        ("100.64.0.1", "not public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "151.101.1.1", "2a00:1450:4009:81f::200e", "::ffff:93.184.215.14"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_resolve_returns_literal_addresses_without_a_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_lookups(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a literal address was looked up")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    assert resolve("10.0.0.1", 80) == [ipaddress.ip_address("10.0.0.1")]
    assert resolve("::1", 443) == [ipaddress.ip_address("::1")]


def test_loopback_server_is_refused_without_allow_private(site: Site) -> None:
    bad = fails(site.url("/article"))
    assert "refused" in bad.reason and "127.0.0.1 is loopback" in bad.reason
    assert "--allow-private" in bad.reason and "allow_private=True" in bad.reason
    assert site.requests == []  # refused before connecting


def test_localhost_by_name_is_refused(site: Site) -> None:
    port = site.server.server_address[1]
    bad = fails(f"http://localhost:{port}/article")
    assert "(of localhost) is loopback" in bad.reason
    assert site.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://192.168.1.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # 127.0.0.1 written as one number
    ],
)
def test_private_literal_addresses_are_refused(url: str) -> None:
    # Without the check these would try to connect: the timeout keeps a failure quick.
    bad = fails(url, timeout=2)
    assert bad.reason.startswith(f"refused {url}: address ")


# --- resolved addresses and redirect hops, with a fake resolver and transport ----

PUBLIC = "93.184.215.14"


class FakeNet:
    """A resolver and an httpx transport standing in for the internet."""

    def __init__(self, hosts: dict[str, list[str]], pages: dict[str, httpx.Response]) -> None:
        self.hosts = hosts
        self.pages = pages
        self.seen: list[str] = []
        self.client = httpx.Client(transport=httpx.MockTransport(self.respond))

    def getaddrinfo(self, host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in self.hosts:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in self.hosts[host]
        ]

    def respond(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        return self.pages.get(str(request.url), httpx.Response(404))


@pytest.fixture
def fake_net(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeNet]:
    def make(hosts: dict[str, list[str]], pages: dict[str, httpx.Response]) -> FakeNet:
        net = FakeNet(hosts, pages)
        monkeypatch.setattr(socket, "getaddrinfo", net.getaddrinfo)
        return net

    return make


NEWS = "http://news.harwick.example/story"
INTRANET = "http://intranet.harwick.example/admin"


def test_public_host_is_fetched(fake_net: Callable[..., FakeNet]) -> None:
    net = fake_net(
        {"news.harwick.example": [PUBLIC]},
        {NEWS: httpx.Response(200, text="Ilse Varga spoke.")},
    )
    assert fetch(NEWS, client=net.client).body == b"Ilse Varga spoke."


def test_every_resolved_address_is_checked(fake_net: Callable[..., FakeNet]) -> None:
    net = fake_net(
        {"news.harwick.example": [PUBLIC, "2a00:1450:4009:81f::200e", "10.0.0.7"]},
        {NEWS: httpx.Response(200, text="Ilse Varga spoke.")},
    )
    bad = fails(NEWS, client=net.client)
    assert "address 10.0.0.7 (of news.harwick.example) is private" in bad.reason
    assert net.seen == []


@pytest.mark.parametrize(
    ("target", "private"),
    [
        (INTRANET, "10.0.0.5"),
        (INTRANET, "::1"),
        ("http://127.0.0.1:8080/", None),
        ("http://[fe80::1]/", None),
    ],
)
def test_redirect_from_a_public_host_to_a_private_one_is_refused(
    fake_net: Callable[..., FakeNet], target: str, private: str | None
) -> None:
    hosts = {"news.harwick.example": [PUBLIC]}
    if private:
        hosts["intranet.harwick.example"] = [private]
    net = fake_net(
        hosts,
        {
            NEWS: httpx.Response(302, headers={"Location": target}),
            target: httpx.Response(200, text="secret"),
        },
    )
    bad = fails(NEWS, client=net.client)
    assert bad.reason.startswith(f"refused {target}: address ")
    assert net.seen == [NEWS]  # the private hop was never requested


def test_redirect_to_a_public_host_is_followed(fake_net: Callable[..., FakeNet]) -> None:
    # The same set-up as above with a public target: the refusal is the address, nothing else.
    net = fake_net(
        {"news.harwick.example": [PUBLIC], "intranet.harwick.example": ["151.101.1.1"]},
        {
            NEWS: httpx.Response(302, headers={"Location": INTRANET}),
            INTRANET: httpx.Response(200, text="public after all"),
        },
    )
    got = fetch(NEWS, client=net.client)
    assert (got.url, got.body) == (INTRANET, b"public after all")
    assert net.seen == [NEWS, INTRANET]


def test_allow_private_permits_private_addresses(fake_net: Callable[..., FakeNet]) -> None:
    net = fake_net(
        {"intranet.harwick.example": ["10.0.0.5"]},
        {INTRANET: httpx.Response(200, text="minutes")},
    )
    assert fetch(INTRANET, client=net.client, allow_private=True).body == b"minutes"
