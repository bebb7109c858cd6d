"""Server commands: serve (web pages and a JSON API over a store) and demo.

The application itself is ``saidwhat.server.create_app``.
"""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from saidwhat.cli.common import (
    DEFAULT_DB,
    CheckOption,
    app,
    err,
    fail,
)
from saidwhat.errors import SaidwhatError

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")]

# What each worker process of `serve --workers N` imports and calls for its app.
APP_FACTORY = "saidwhat.server.app:app_from_environment"

# Seconds an idle keep-alive connection stays open. uvicorn's default (5 s) is
# shorter than a busy page can take under load, so a client reusing a
# connection the server has just closed gets a reset instead of an answer.
KEEP_ALIVE_S = 30


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _port_refusal(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (in use, not allowed), or None."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"cannot listen on {host}: {exc.strerror or exc}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is in use (another server is listening there); "
                    "stop it or choose another with --port"
                )
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def run_server(
    db: Path, host: str, port: int, ingest_token: str | None = None, workers: int = 1
) -> None:
    """Serve the store ``db`` until interrupted (exit 2 when it cannot be served).

    With ``workers`` above 1, uvicorn starts that many processes, each
    building the app from the environment (``app_from_environment``).
    """
    import uvicorn

    from saidwhat.server import create_app
    from saidwhat.server.tcp import PROTOCOL

    if not db.is_file():
        raise fail(f"{db}: no such store (create one with `saidwhat ingest ... --db {db}`)")
    try:
        web = create_app(db, ingest_token=ingest_token)
    except (SaidwhatError, ValueError) as exc:
        raise fail(exc) from exc
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]note:[/yellow] listening on {host}, not only this machine")
    refusal = _port_refusal(host, port)
    if refusal is not None:
        raise fail(refusal)
    processes = f", {workers} worker processes" if workers > 1 else ""
    typer.echo(f"saidwhat: serving {db} at {_url(host, port)}{processes}  (Ctrl+C stops)")
    if ingest_token:
        typer.echo("POST /api/articles is open to callers with the ingest token")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "timeout_keep_alive": KEEP_ALIVE_S,
        "http": PROTOCOL,  # each write sent at once (saidwhat.server.tcp)
    }
    if workers == 1:
        uvicorn.run(web, **options)
        return
    os.environ["SAIDWHAT_DB"] = str(db.resolve())
    if ingest_token:
        os.environ["SAIDWHAT_INGEST_TOKEN"] = ingest_token
    else:
        os.environ.pop("SAIDWHAT_INGEST_TOKEN", None)
    uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)


@app.command()
def serve(
    db: Annotated[Path, typer.Option("--db", help="The store to serve (it must exist).")] = (
        DEFAULT_DB
    ),
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (only this machine by default).")
    ] = "127.0.0.1",
    port: PortOption = 8000,
    ingest_token: Annotated[
        str | None,
        typer.Option(
            "--ingest-token",
            envvar="SAIDWHAT_INGEST_TOKEN",
            help="Accept POST /api/articles from callers sending 'Authorization: Bearer TOKEN' "
            "(also read from SAIDWHAT_INGEST_TOKEN). Without it the server only reads.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes (uvicorn workers) answering on the one port. A process runs "
            "pages in up to 8 threads, each keeping a read-only connection, but its Python code "
            "runs one thread at a time, so a process uses about one core: to serve many clients "
            "at once, give about one a core (2 on 2 cores). Every process sees what is ingested "
            "while it runs. The default, 1, suits one user.",
        ),
    ] = 1,
    check: CheckOption = False,
) -> None:
    """Serve a store: search, speaker, article and statement pages, and a JSON API (/docs).

    The store is opened read-only; only --ingest-token lets callers add articles.
    While the store is locked, gone or damaged, pages answer 503 and say so;
    they answer again once it is back.
    """
    if check and db.is_file():
        from saidwhat.store import Store

        try:
            Store(db, read_only=True, check=True).close()
        except SaidwhatError as exc:
            raise fail(exc) from exc
    run_server(db, host, port, ingest_token, workers)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@app.command()
def demo(
    port: PortOption = 8000,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Build the demo store here (default: a temporary file)."),
    ] = None,
) -> None:
    """Ingest the bundled sample articles into a store, then serve it (like `serve`).

    The temporary store is removed when the demo stops, by Ctrl+C or SIGTERM.
    """
    from saidwhat.ingest import ingest_records
    from saidwhat.pipeline import Extractor
    from saidwhat.read import read_inputs
    from saidwhat.store import Store

    # SIGTERM's default kills the process before the folder is removed, and uvicorn,
    # having shut down on it, raises it again: exit through Python instead.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with tempfile.TemporaryDirectory(prefix="saidwhat-demo-") as tmp:
            path = db if db is not None else Path(tmp) / "demo.db"
            try:
                with Store(path) as store:
                    summary = ingest_records(read_inputs([str(SAMPLES)]), store, Extractor())
            except SaidwhatError as exc:
                raise fail(exc) from exc
            err.print(
                f"demo store {path}: {summary.stored} sample articles stored "
                f"({summary.duplicates} already there), {summary.quotes} quotes",
                highlight=False,
            )
            run_server(path, "127.0.0.1", port)
    finally:
        signal.signal(signal.SIGTERM, previous)
