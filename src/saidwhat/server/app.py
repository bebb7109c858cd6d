"""The FastAPI application: JSON API under /api, HTML pages, static files, security headers.

    create_app("news.db")                          # read-only
    create_app("news.db", ingest_token="s3cret")   # plus POST /api/articles

Reads use a read-only connection per worker thread, kept across requests
(``ServerState.read``), and at most ``READ_THREADS`` threads of a process
serve pages at once. Every response
carries a Content-Security-Policy that allows scripts and styles only from
this server's own /static files, so even text that escaped escaping could
not run; only /docs (Swagger UI) gets a policy of its own. Swagger UI's
files come from the installed ``fastapi-offline`` package (its static
folder: Swagger UI 5, which reads OpenAPI 3.1), served under /docs-assets,
so the API docs render with no network.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from saidwhat.server.api import api_router
from saidwhat.server.curation import curation_page_router
from saidwhat.server.pages import page_router
from saidwhat.server.render import render
from saidwhat.server.state import ServerState
from saidwhat.store import FaultKind, Store, StoreError, StoreFault
from saidwhat.store.search import SearchError

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 64 * 1024 * 1024  # an ingest request; larger ones are refused before reading
# Threads of one server process running page and API handlers at once (anyio's default: 40).
# A page is Python holding the GIL and SQLite releasing it, so a few threads keep a core
# busy; forty contend for the GIL (under 50 clients, about a sixth more CPU a page than 4
# or 8), and each keeps a connection with its page cache. 8, not 4, so that ingests waiting
# for the write lock leave threads to the pages. More cores: more `serve --workers`.
READ_THREADS = 8

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class SecurityHeaders:
    """ASGI middleware: the security headers on every response; oversized bodies refused."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        if scope["method"] in ("POST", "PUT", "PATCH"):
            refusal = _body_refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


def _body_refusal(scope: Scope) -> Response | None:
    """411/413 for a body without a length or over MAX_BODY_BYTES (None: fine)."""
    lengths = [v for k, v in scope["headers"] if k == b"content-length"]
    if not lengths:
        return JSONResponse({"detail": "a Content-Length header is required"}, 411)
    try:
        length = int(lengths[0])
    except ValueError:
        return JSONResponse({"detail": "Content-Length is not a number"}, 400)
    if length > MAX_BODY_BYTES:
        return JSONResponse(
            {"detail": f"the request body is over {MAX_BODY_BYTES // (1024 * 1024)} MB"}, 413
        )
    return None


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path in ("/openapi.json", "/docs")


DOCS_ASSETS = "/docs-assets"  # Swagger UI's own files, from the fastapi-offline package
SWAGGER_FILES = Path(fastapi_offline.__file__).resolve().parent / "static"


def _swagger_page() -> HTMLResponse:
    """Swagger UI from this server's /docs-assets, with a policy that lets exactly that run."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="saidwhat API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    body = bytes(page.body).decode("utf-8")
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in re.findall(r"<script>(.*?)</script>", body, flags=re.DOTALL)
    )
    page.headers["content-security-policy"] = (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return page


RETRY_AFTER_S = 5
FAULT_ANSWERS: dict[FaultKind | None, tuple[int, str]] = {
    None: (503, "the store cannot be read right now: try again in a moment"),
    FaultKind.LOCKED: (503, "the store is busy: another process holds it; try again in a moment"),
    FaultKind.NO_SPACE: (
        507,
        "the store's disk is full: what was stored before it is kept; send the rest again later",
    ),
    FaultKind.READ_ONLY: (503, "the store cannot be written here (a read-only file or folder)"),
    FaultKind.PERMISSION: (503, "the store cannot be written here (no permission)"),
    FaultKind.DAMAGED: (503, "the store file is damaged: its keeper must restore it"),
    FaultKind.NOT_A_STORE: (503, "the store file is not a store: its keeper must restore it"),
    FaultKind.DISK: (503, "the store's disk failed a read or a write: try again later"),
}
"""The status and the words of each fault of the store a request meets (None: another)."""

_log = logging.getLogger("saidwhat.server")


def create_app(db_path: str | Path, *, ingest_token: str | None = None) -> FastAPI:
    """The web application over the store at ``db_path`` (StoreError when it cannot be read).

    With ``ingest_token``, ``POST /api/articles`` accepts articles from
    callers that send ``Authorization: Bearer <ingest_token>``; without it
    that route does not exist (404).
    """
    path = Path(db_path)
    Store(path, read_only=True).close()  # fail now, clearly, not on the first request
    if ingest_token is not None and not ingest_token.strip():
        raise ValueError("the ingest token is empty")
    state = ServerState(path, ingest_token)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = READ_THREADS
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="saidwhat",
        summary="Who said what in the news: quotes, speakers, articles and statements.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.saidwhat = state
    app.add_middleware(SecurityHeaders)
    app.include_router(api_router(state))
    app.include_router(page_router(state))
    app.include_router(curation_page_router(state))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_FILES), name="docs-assets")
    docs = _swagger_page()

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return docs

    @app.exception_handler(SearchError)
    def search_error(request: Request, exc: SearchError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, 400)
        return render("error.html", 400, status=400, message=str(exc))

    @app.exception_handler(StoreError)
    def store_error(request: Request, exc: StoreError) -> Response:
        # The page says what kind of fault, never the file's path or a traceback; the
        # server's log has the whole line for the one who keeps the store.
        kind = exc.kind if isinstance(exc, StoreFault) else None
        status, message = FAULT_ANSWERS.get(kind, FAULT_ANSWERS[None])
        _log.error("%s %s: %s", request.method, request.url.path, exc)
        headers = {"Retry-After": str(RETRY_AFTER_S)}
        if _wants_json(request):
            return JSONResponse({"detail": message}, status, headers=headers)
        page = render("error.html", status, status=status, message=message)
        page.headers.update(headers)
        return page

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        message = "No such page." if exc.status_code == 404 else str(exc.detail)
        return render("error.html", exc.status_code, status=exc.status_code, message=message)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": errors}, 422)
        message = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in errors)
        return render("error.html", 422, status=422, message=message)

    return app


def app_from_environment() -> FastAPI:
    """``create_app`` configured by SAIDWHAT_DB and SAIDWHAT_INGEST_TOKEN (for uvicorn --factory).

    Lets ``uvicorn --factory --workers N saidwhat.server.app:app_from_environment``
    run several worker processes over one store.
    """
    import os

    db = os.environ.get("SAIDWHAT_DB")
    if not db:
        raise StoreError("set SAIDWHAT_DB to the store's path")
    return create_app(db, ingest_token=os.environ.get("SAIDWHAT_INGEST_TOKEN") or None)
