"""What serving costs: requests/s and latency of `saidwhat serve` under 50 concurrent clients.

    python bench/serve.py [--quotes 100000] [--clients 50] [--requests 2000] [--workers 1]
                          [--db PATH] [--kinds search speaker_search speaker article statements
                                               statement_300 speaker_5000]

Builds a store of ``--quotes`` synthetic quotes (``build_search_store`` of
bench/ingest.py with its heavy pages planted; kept at ``--db`` when given, so
a second run skips the build), starts ``saidwhat serve`` in a subprocess on 127.0.0.1 (with
``--workers`` processes), and sends a bounded number of requests from
``--clients`` concurrent clients (each with one kept-alive connection, as a
browser has), cycling through a mix of pages:

- ``search``: the search page for two words of a stored quote;
- ``speaker_search``: the search page for a word and a speaker's name;
- ``speaker``: a speaker's page (timeline, statements, outlets, latest quotes);
- ``article``: an article page (every quote highlighted);
- ``statements``: the statements list (most carried first);
- ``statement_300``: the page of a statement carried by 300 articles;
- ``speaker_5000``: the page of a speaker quoted 5,000 times.

Before the load, each page of the plan is also fetched alone, one request at a
time, and its render time printed (target: under 300 ms for the two heavy
pages on a store of 100,000 quotes).

Every response must be a 200 and contain what its page shows (the result
count, the timeline, the highlights…); anything else counts as an error.
Prints requests/s, p50/p95/p99 latency overall and per page, errors, and the
CPU the client itself used (it runs on the same cores as the server).
Only loopback is ever contacted; the run stops after ``--requests`` requests
or ``--max-seconds``, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import BUSY_SPEAKER, WIDE_CARRIERS, WIDE_SPEAKER, build_search_store

from saidwhat.store import Store

HOST = "127.0.0.1"
KINDS = [
    "search", "speaker_search", "speaker", "article", "statements", "statement_300",
    "speaker_5000",
]  # fmt: skip
RENDER_TARGET_MS = 300
REQUEST_TIMEOUT_S = 120
COUNT = re.compile(r'<p class="count" id="count">(?:more than )?([\d,]+) quotes?</p>')


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    check: Callable[[str], bool]


def _found(minimum: int) -> Callable[[str], bool]:
    def check(html: str) -> bool:
        match = COUNT.search(html)
        return (
            match is not None
            and int(match.group(1).replace(",", "")) >= minimum
            and '<li class="hit"' in html
        )

    return check


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2]


def plan(db: Path, kinds: list[str], seed: int = 5) -> dict[str, list[Request]]:
    """Requests of each kind, built from what the store holds so every page has content."""
    rng = random.Random(seed)
    out: dict[str, list[Request]] = {}
    with Store(db, read_only=True) as store:
        max_quote = int(store.conn.execute("SELECT max(id) FROM quotes").fetchone()[0])
        max_article = int(store.conn.execute("SELECT max(id) FROM articles").fetchone()[0])
        sampled = [
            store.conn.execute(
                "SELECT q.content_text, s.name FROM quotes q"
                " JOIN speakers s ON s.id = q.speaker_id WHERE q.id >= ? ORDER BY q.id LIMIT 1",
                (rng.randint(1, max_quote),),
            ).fetchone()
            for _ in range(100)
        ]
        speakers = [
            (int(r["id"]), r["name"])
            for r in store.conn.execute(
                "SELECT DISTINCT s.id, s.name FROM speakers s JOIN quotes q ON q.speaker_id = s.id"
            )
        ]
    if "search" in kinds:
        out["search"] = []
        for row in sampled:
            words = _words(row["content_text"])
            query = " ".join(rng.sample(words, min(2, len(words))))
            out["search"].append(Request("search", "/?" + urlencode({"q": query}), _found(1)))
    if "speaker_search" in kinds:
        out["speaker_search"] = [
            Request(
                "speaker_search",
                "/?"
                + urlencode({"q": rng.choice(_words(r["content_text"])), "speaker": r["name"]}),
                _found(1),
            )
            for r in sampled
        ]
    if "speaker" in kinds:
        out["speaker"] = [
            Request(
                "speaker",
                f"/speakers/{speaker_id}",
                lambda html: '<svg class="timeline"' in html and 'class="statement-link"' in html,
            )
            for speaker_id, _ in speakers
        ]
    if "article" in kinds:
        out["article"] = [
            Request(
                "article",
                f"/articles/{rng.randint(1, max_article)}",
                lambda html: html.count('<mark class="quote') >= 1,
            )
            for _ in range(100)
        ]
    if "statement_300" in kinds:
        with Store(db, read_only=True) as store:
            row = store.conn.execute(
                "SELECT s.id, s.articles FROM statements s JOIN speakers sp ON sp.id = s.speaker_id"
                " WHERE sp.name = ? ORDER BY s.articles DESC LIMIT 1",
                (WIDE_SPEAKER,),
            ).fetchone()
        if row is None or row["articles"] < WIDE_CARRIERS:
            raise SystemExit(f"{db} has no statement carried {WIDE_CARRIERS} times: build it anew")
        out["statement_300"] = [
            Request(
                "statement_300",
                f"/statements/{row['id']}",
                lambda html: 'id="first-report"' in html and 'id="spread-chart"' in html,
            )
        ]
    if "speaker_5000" in kinds:
        busy = [speaker_id for speaker_id, name in speakers if name == BUSY_SPEAKER]
        if not busy:
            raise SystemExit(f"{db} has no {BUSY_SPEAKER}: build it anew")
        out["speaker_5000"] = [
            Request(
                "speaker_5000",
                f"/speakers/{busy[0]}",
                lambda html: '<svg class="timeline"' in html and 'id="all-quotes"' in html,
            )
        ]
    if "statements" in kinds:
        out["statements"] = [
            Request(
                "statements",
                "/statements" + (f"?offset={20 * rng.randint(0, 4)}" if i % 2 else ""),
                lambda html: html.count('class="statement-link"') == 20,
            )
            for i in range(20)
        ]
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``saidwhat serve`` as a user starts it (its access log to /dev/null)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAIDWHAT_")}
    command = [
        sys.executable, "-m", "saidwhat", "serve", "--db", str(db),
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(base + "/api/speakers?limit=1", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up")


@dataclass
class Outcome:
    kind: str
    seconds: float
    error: str | None


class LoadClient:
    """One client's kept-alive HTTP/1.1 connection to the server: GET a path, its status and page.

    The load is sent with this rather than httpx, which runs on the same cores as
    the server: httpx's AsyncClient costs about 2 ms of CPU a request (a fifth of
    a page's), CPU the server then does not get. This reads the status line, the
    headers and a body of Content-Length or chunked transfer, decodes it as UTF-8,
    and opens a new connection when the server closed the last one.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> tuple[int, str]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append((await reader.readexactly(size + 2))[:-2])
            await reader.readuntil(b"\r\n")  # the end of the (empty) trailer
            body = b"".join(chunks)
        else:
            body = await reader.read()  # to the end of the connection
            headers["connection"] = "close"
        if headers.get("connection") == "close":
            self.close()
        return status, body.decode("utf-8")

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def load(
    base: str, requests: list[Request], clients: int, max_seconds: float
) -> tuple[list[Outcome], float]:
    """Send ``requests`` from ``clients`` concurrent clients; each outcome and the wall time.

    Each client has one kept-alive connection, as a browser does.
    """
    queue = iter(requests)
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + max_seconds
    address = httpx.URL(base)
    assert address.host and address.port

    async def worker() -> None:
        client = LoadClient(address.host, address.port)
        try:
            for request in queue:
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                error = None
                try:
                    async with asyncio.timeout(REQUEST_TIMEOUT_S):
                        status, page = await client.get(request.path)
                    if status != 200:
                        error = f"HTTP {status} {request.path}"
                    elif not request.check(page):
                        error = f"content check failed {request.path}"
                except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
                    error = f"{type(exc).__name__} {request.path}"
                    client.close()
                outcomes.append(Outcome(request.kind, time.perf_counter() - start, error))
        finally:
            client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return outcomes, time.perf_counter() - started


def render_times(base: str, by_kind: dict[str, list[Request]], repeat: int = 10) -> None:
    """Each kind's pages fetched alone, one at a time: the server's time to render them."""
    print(f"render time, one request at a time ({repeat} of each kind):")
    print(f"{'page':15} {'median ms':>10} {'max ms':>9}  target")
    with httpx.Client(base_url=base, timeout=120) as client:
        for kind, requests in by_kind.items():
            times = []
            for request in itertools.islice(itertools.cycle(requests), repeat):
                start = time.perf_counter()
                response = client.get(request.path)
                times.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200 or not request.check(response.text):
                    raise SystemExit(f"{request.path}: HTTP {response.status_code} or no content")
            times.sort()
            target = f"< {RENDER_TARGET_MS} ms" if kind in ("statement_300", "speaker_5000") else ""
            print(f"{kind:15} {statistics.median(times):10.1f} {times[-1]:9.1f}  {target}")


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def report(outcomes: list[Outcome], wall: float) -> None:
    def line(name: str, items: list[Outcome]) -> str:
        times = sorted(o.seconds * 1000 for o in items)
        errors = sum(1 for o in items if o.error)
        return (
            f"{name:15} {len(items):6} {percentile(times, 0.5):9.1f} {percentile(times, 0.95):9.1f}"
            f" {percentile(times, 0.99):9.1f} {times[-1]:9.1f} {errors:7}"
        )

    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.kind].append(outcome)
    header = ["reqs", "p50 ms", "p95 ms", "p99 ms", "max ms"]
    print(f"{'page':15} {header[0]:>6} " + " ".join(f"{h:>9}" for h in header[1:]) + " errors")
    for kind, items in by_kind.items():
        print(line(kind, items))
    print(line("all", outcomes))
    errors = [o.error for o in outcomes if o.error]
    print(
        f"{len(outcomes)} requests in {wall:.1f}s: {len(outcomes) / wall:.1f} requests/s, "
        f"{len(errors)} errors"
    )
    for error in sorted(set(errors))[:10]:
        print("  error:", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="total requests sent")
    parser.add_argument("--max-seconds", type=float, default=300, help="stop sending after this")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--db", type=Path, help="keep (and reuse) the store here")
    parser.add_argument(
        "--kinds",
        nargs="+",
        default=KINDS,
        choices=KINDS,
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "serve.db"
        if not db.exists():
            start = time.perf_counter()
            build_search_store(db, args.quotes, heavy_pages=True)
            print(f"built a store of {args.quotes} quotes in {time.perf_counter() - start:.1f}s")
        with Store(db, read_only=True) as store:
            print(f"store {db}: {store.counts()}")
        by_kind = plan(db, args.kinds)
        cycles = [itertools.cycle(items) for items in by_kind.values()]
        requests = [next(c) for c in itertools.islice(itertools.cycle(cycles), args.requests)]
        port = free_port()
        base = f"http://{HOST}:{port}"
        server = start_server(db, port, args.workers)
        try:
            wait_until_up(base, server)
            render_times(base, by_kind)
            print(
                f"server: saidwhat serve, {args.workers} worker(s), {base};"
                f" clients: {args.clients}; mix: {', '.join(by_kind)} in turn;"
                f" machine: {os.cpu_count()} CPUs"
            )
            before = resource.getrusage(resource.RUSAGE_SELF)
            outcomes, wall = asyncio.run(load(base, requests, args.clients, args.max_seconds))
            after = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(outcomes, wall)
    client_cpu = sum(getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime"))
    print(
        f"client CPU: {client_cpu:.1f}s ({client_cpu / wall:.0%} of one core), "
        f"{client_cpu / len(outcomes) * 1000:.2f} ms a request; load average {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
