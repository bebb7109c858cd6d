"""The web server: JSON API, HTML pages, ingest endpoint, escaping and security headers.

The store is built by hand (``Store.add`` of ``ExtractedArticle``s, no
parsing) from fictional people and outlets, so each test pins one behaviour
of the server; only the ingest endpoint runs the real extraction.
``tests/test_browser.py`` drives the same store in headless Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from typer.testing import CliRunner

from saidwhat.cli import app as cli_app
from saidwhat.model import (
    Article,
    Entity,
    EntityKind,
    ExtractedArticle,
    Gender,
    Quote,
    QuoteType,
    Span,
    Speaker,
)
from saidwhat.server import create_app
from saidwhat.server import pages as page_module
from saidwhat.server.app import READ_THREADS
from saidwhat.server.charts import TimeUnit, time_chart
from saidwhat.server.highlight import highlight_article, highlight_words
from saidwhat.store import Store, StoreError
from saidwhat.store.export import QUOTE_EXPORT_FIELDS
from saidwhat.store.queries import ArticleQuote, DayCount, weekly_counts
from saidwhat.store.search import FacetCount, QuoteFilter, SearchOrder, facet_counts, search_quotes

TOKEN = "test-token-3f9a"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
XSS = f"{SCRIPT} {IMG}"
XSS_SPEAKER = f"Evil {XSS} Person"


def said(
    text: str,
    pieces: str | tuple[str, ...],
    name: str | None,
    *,
    kind: EntityKind = EntityKind.PERSON,
    role: str | None = None,
    cue: str | None = None,
    mention: str | None = None,
    quote_type: QuoteType = QuoteType.DIRECT,
    confidence: float = 0.9,
    evidence: str = "cue after the quote",
) -> Quote:
    """A quote of ``text`` whose content is ``pieces`` (found in order) said by ``name``."""
    spans = []
    at = 0
    for piece in (pieces,) if isinstance(pieces, str) else pieces:
        start = text.index(piece, at)
        spans.append(Span.of(text, start, start + len(piece)))
        at = start + len(piece)
    cue_span = None
    if cue is not None:  # the cue after the quote, else the first one
        start = text.find(cue, spans[-1].end)
        start = start if start >= 0 else text.index(cue)
        cue_span = Span.of(text, start, start + len(cue))
    speaker = None
    if name is not None or mention is not None:
        mention_span = None
        if mention is not None:
            start = text.index(mention)
            mention_span = Span.of(text, start, start + len(mention))
        speaker = Speaker(mention_span, Entity(name, kind, role) if name else None)
    return Quote(
        content=tuple(spans),
        type=quote_type,
        cue=cue_span,
        speaker=speaker,
        confidence=confidence,
        evidence=evidence,
    )


def article(
    key: str,
    text: str,
    quotes: list[Quote],
    *,
    outlet: str | None = "Harwick Gazette",
    published: str | None = "2025-03-03",
    title: str | None = None,
    url: str | None = None,
) -> ExtractedArticle:
    return ExtractedArticle(
        Article(
            id=key,
            text=text,
            url=url or f"https://gazette.example/{key}",
            outlet=outlet,
            published=published,
            title=title or f"Story {key}",
        ),
        tuple(quotes),
    )


BRIDGE = "“The bridge will open in May,” said councillor Ilse Varga on Monday."
BRIDGE_AGAIN = "Councillor Ilse Varga told reporters: “The bridge will open in June.”"
WINTER = "“We will not wait,” Varga said, “for another winter of ferry delays.”"
FERRY = "Tomas Berg said the ferry timetable would change next month, and warned of costs."
XSS_TEXT = f"Headline {XSS}\n\n“{XSS} is what I said,” said {XSS_SPEAKER} on Friday."


def build_store(path: Path) -> Path:
    """The store every server test reads: fictional people, outlets and an XSS article."""
    with Store(path) as store:
        store.add(
            article(
                "bridge",
                BRIDGE,
                [
                    said(
                        BRIDGE,
                        "The bridge will open in May,",
                        "Ilse Varga",
                        role="councillor",
                        cue="said",
                        mention="Ilse Varga",
                        evidence="quote, then 'said' and its subject",
                    )
                ],
                title="Harwick bridge to open in May",
            )
        )
        store.add(
            article(
                "bridge-courier",
                BRIDGE_AGAIN,
                [
                    said(
                        BRIDGE_AGAIN,
                        "The bridge will open in June.",
                        "Ilse Varga",
                        role="councillor",
                        cue="told",
                        mention="Councillor Ilse Varga",
                    )
                ],
                outlet="Eastmoor Courier",
                published="2025-03-12",
                title="Bridge opening slips",
            )
        )
        store.add(
            article(
                "winter",
                WINTER,
                [
                    said(
                        WINTER,
                        ("We will not wait,", "for another winter of ferry delays."),
                        "I. Varga",
                        cue="said",
                        mention="Varga",
                        evidence="quote split by its cue",
                    )
                ],
                published="2025-03-20",
                title="No more waiting, says Varga",
            )
        )
        store.add(
            article(
                "ferry",
                FERRY,
                [
                    said(
                        FERRY,
                        "the ferry timetable would change next month",
                        "Tomas Berg",
                        cue="said",
                        mention="Tomas Berg",
                        quote_type=QuoteType.INDIRECT,
                        confidence=0.6,
                        evidence="reported clause of 'said'",
                    )
                ],
                outlet="Eastmoor Courier",
                published="2025-02-10",
            )
        )
        for i in range(25):  # enough of one speaker to page through (and not one statement)
            dues = f"Berth {i} dues: {i * 3} crowns, {i * 5} days, {i * 7} boats,"
            text = f"“{dues}” the harbour master Tomas Berg said."
            store.add(
                article(
                    f"dues-{i}",
                    text,
                    [said(text, dues, "Tomas Berg", cue="said")],
                    published=f"2025-01-{1 + i:02d}",
                )
            )
        store.add(
            article(
                "xss",
                XSS_TEXT,
                [
                    said(
                        XSS_TEXT,
                        f"{XSS} is what I said,",
                        XSS_SPEAKER,
                        cue="said",
                        mention=XSS_SPEAKER,
                        evidence=f"evidence {XSS}",
                    )
                ],
                outlet=f"Outlet {XSS}",
                title=f"Title {XSS}",
                url="javascript:alert(1)",
                published="2025-03-07",
            )
        )
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("server") / "news.db")


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as test_client:
        yield test_client


def ids(db: Path) -> dict[str, int]:
    """Row ids by what they are: article source ids, speaker names, statement texts."""
    with Store(db, read_only=True) as store:
        out = {
            r["input_id"]: r["id"] for r in store.conn.execute("SELECT id, input_id FROM articles")
        }
        out.update(
            {
                f"speaker:{r['name']}": r["id"]
                for r in store.conn.execute("SELECT id, name FROM speakers")
            }
        )
        for r in store.conn.execute("SELECT statement_id, content_text FROM quotes"):
            out.setdefault(f"statement:{r['content_text']}", r["statement_id"])
    return out


# -- JSON API ------------------------------------------------------------------------------


def test_quotes_search_pages_and_fields(client: TestClient) -> None:
    first = client.get("/api/quotes", params={"speaker": "Tomas Berg", "limit": 10}).json()
    second = client.get(
        "/api/quotes", params={"speaker": "Tomas Berg", "limit": 10, "offset": 10}
    ).json()
    assert first["total"] == second["total"] == 26
    assert len(first["items"]) == len(second["items"]) == 10
    assert not {h["quote_id"] for h in first["items"]} & {h["quote_id"] for h in second["items"]}
    hit = client.get("/api/quotes", params={"q": "bridge May"}).json()["items"][0]
    assert hit["speaker_entity"] == "Ilse Varga" and hit["outlet"] == "Harwick Gazette"
    assert hit["content_text"] == "The bridge will open in May" and hit["statement_id"] is not None
    wanted = {"quote_id", "article_id", "confidence", "type", "cue_text", "rule", "published"}
    assert wanted <= set(hit)


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"q": "bridge"}, 2),
        ({"q": '"open in June"'}, 1),
        ({"q": "bridge", "outlet": "eastmoor courier"}, 1),
        ({"speaker": "Varga", "since": "2025-03-10"}, 2),
        ({"speaker": "Varga", "until": "2025-03-10"}, 1),
        ({"type": "indirect"}, 1),
        ({"min_confidence": 0.7, "speaker": "Berg"}, 25),
        ({"speaker": "Nobody Atall"}, 0),
    ],
)
def test_quotes_filters(client: TestClient, params: dict[str, Any], total: int) -> None:
    response = client.get("/api/quotes", params=params)
    assert response.status_code == 200
    assert response.json()["total"] == total


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"offset": -1},
        {"limit": "ten"},
        {"since": "2025-13-01"},
        {"until": "yesterday"},
        {"type": "quoted"},
        {"min_confidence": 1.5},
        {"min_confidence": -0.1},
        {"q": "x" * 501},
    ],
)
def test_quotes_parameters_are_validated(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/api/quotes", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize("query", ['"unclosed phrase', "OR", "bridge OR", "' OR 1=1 --"])
def test_a_query_that_cannot_run_is_a_400_with_the_reason(client: TestClient, query: str) -> None:
    response = client.get("/api/quotes", params={"q": query})
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


@pytest.mark.parametrize(
    "query", ["NEAR(", "NEAR(bridge open)", "bridge'; DROP TABLE quotes; --", "content:bridge", "*"]
)
def test_query_syntax_and_sql_are_only_text(client: TestClient, db: Path, query: str) -> None:
    response = client.get("/api/quotes", params={"q": query})
    assert response.status_code in (200, 400)
    with Store(db, read_only=True) as store:
        assert store.counts()["quotes"] == 30


# Every query parameter of every route that takes one.
_PARAMETERS = {
    "/api/quotes": [
        "q", "speaker", "since", "until", "type", "gender", "min_confidence", "limit", "offset",
    ],
    "/api/speakers": ["name", "all", "limit", "offset"],
    "/api/gender": ["by", "outlet", "since", "until", "min_confidence"],
    "/api/statements": ["speaker_id", "limit", "offset"],
    "/": ["q", "speaker", "since", "until", "type", "gender", "offset"],
    "/speakers": ["name", "all", "kind", "gender", "offset"],
    "/gender": ["outlet", "since", "until", "min_confidence"],
    "/statements": ["speaker_id", "offset"],
}  # fmt: skip
_HOSTILE = [
    "bridge'; DROP TABLE quotes; --",
    "1 OR 1=1",
    "NEAR(bridge",
    "content:bridge",
    "{quotes_fts}",
    "../../../etc/passwd",
    "x\r\nSet-Cookie: owned=1",
    "x\nLocation: https://elsewhere.example/",
    "\x00",
    "<script>alert(1)</script>",
    "9" * 400,
]


@pytest.mark.parametrize("path", sorted(_PARAMETERS))
def test_hostile_values_in_every_query_parameter_are_refused_or_text(
    client: TestClient, db: Path, path: str
) -> None:
    for name in _PARAMETERS[path]:
        for value in _HOSTILE:
            response = client.get(path, params={name: value})
            where = f"{path}?{name}={value!r}"
            assert response.status_code in (200, 400, 404, 422), where
            # Nothing from the value reaches a header (no response splitting) …
            assert "owned" not in str(response.headers).lower(), where
            assert "elsewhere.example" not in response.headers.get("location", ""), where
            # … and a page never echoes markup in it as markup (JSON is data).
            if not path.startswith("/api"):
                assert "<script>alert(1)" not in response.text, where
    with Store(db, read_only=True) as store:
        assert store.counts()["quotes"] == 30  # and no statement changed the store


def test_speakers_list_and_detail(client: TestClient, db: Path) -> None:
    listed = client.get("/api/speakers").json()
    assert listed["total"] == 3
    assert [s["name"] for s in listed["items"][:2]] == ["Tomas Berg", "Ilse Varga"]
    assert client.get("/api/speakers", params={"name": "Varga"}).json()["total"] == 1
    assert client.get("/api/speakers", params={"limit": 1, "offset": 1}).json()["items"][0][
        "name"
    ] == ("Ilse Varga")
    varga = client.get(f"/api/speakers/{ids(db)['speaker:Ilse Varga']}").json()
    assert varga["name"] == "Ilse Varga" and varga["role"] == "councillor"
    assert varga["quotes"] == 3 and varga["articles"] == 3
    assert varga["aliases"] == ["I. Varga"]
    assert {o["outlet"]: o["quotes"] for o in varga["outlets"]} == {
        "Harwick Gazette": 2,
        "Eastmoor Courier": 1,
    }
    assert [(w["week"], w["quotes"]) for w in varga["weeks"]] == [
        ("2025-03-03", 1),
        ("2025-03-10", 1),
        ("2025-03-17", 1),
    ]
    assert varga["latest"][0]["content_text"].startswith("We will not wait")
    assert any(s["quotes"] == 2 for s in varga["statements"])


def test_article_detail_has_every_offset(client: TestClient, db: Path) -> None:
    data = client.get(f"/api/articles/{ids(db)['winter']}").json()
    text = data["text"]
    assert data["outlet"] == "Harwick Gazette" and data["title"] == "No more waiting, says Varga"
    [quote] = data["quotes"]
    assert [text[s:e] for s, e in quote["content_parts"]] == [
        "We will not wait,",
        "for another winter of ferry delays.",
    ]
    assert text[quote["cue_start"] : quote["cue_end"]] == "said" == quote["cue_text"]
    assert text[quote["speaker_start"] : quote["speaker_end"]] == "Varga" == quote["speaker_text"]
    assert quote["speaker_entity"] == "Ilse Varga" and quote["speaker_id"] is not None
    assert quote["confidence"] == 0.9 and quote["evidence"] == "quote split by its cue"
    assert quote["statement_id"] is not None


def test_statements_list_and_detail(client: TestClient, db: Path) -> None:
    listed = client.get("/api/statements").json()
    top = listed["items"][0]
    assert listed["total"] >= 1 and top["articles"] == 2 and top["speaker_entity"] == "Ilse Varga"
    varga_id = ids(db)["speaker:Ilse Varga"]
    only = client.get("/api/statements", params={"speaker_id": varga_id}).json()
    assert only["total"] >= 1 and {s["speaker_id"] for s in only["items"]} == {varga_id}
    detail = client.get(f"/api/statements/{top['statement_id']}").json()
    first, second = detail["variants"]
    assert first["is_earliest"] and first["outlet"] == "Harwick Gazette"
    assert second["outlet"] == "Eastmoor Courier"
    assert {"op": "removed", "text": "May"} in second["diff"]
    assert {"op": "added", "text": "June."} in second["diff"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/999999",
        "/api/speakers/999999",
        "/api/statements/999999",
        "/articles/999999",
        "/speakers/999999",
        "/statements/999999",
        "/api/nothing",
        "/nothing",
    ],
)
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/abc",
        "/api/articles/0",
        "/api/articles/-1",
        "/api/articles/1.5",
        "/api/articles/99999999999999999999999",
        "/api/speakers/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/api/articles/..%2F..%2Fetc%2Fpasswd",
        "/api/statements/../../etc/passwd",
        "/articles/..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/../app.py",
    ],
)
def test_ids_are_integers_never_paths(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert "root:" not in response.text and "def create_app" not in response.text


def test_openapi_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/quotes", "/api/speakers/{speaker_id}", "/api/statements/{statement_id}"} <= set(
        schema["paths"]
    )
    assert "/api/articles" not in schema["paths"]  # no ingest without a token
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "'sha256-" in docs.headers["content-security-policy"]
    # Swagger UI's files come from this server (the fastapi-offline package), no CDN.
    assert "https://" not in docs.text and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert "https://" not in docs.headers["content-security-policy"]
    script = client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000


# -- ingest --------------------------------------------------------------------------------


def test_ingest_does_not_exist_without_a_token(client: TestClient) -> None:
    response = client.post("/api/articles", json={"text": "“Yes,” said Ilse Varga."})
    assert response.status_code in (403, 404, 405)


@pytest.fixture
def ingest_client(tmp_path: Path) -> Iterator[TestClient]:
    db = build_store(tmp_path / "ingest.db")
    with TestClient(create_app(db, ingest_token=TOKEN)) as test_client:
        yield test_client


HARBOUR = (
    "Harwick council approved the harbour plan on Tuesday.\n\n"
    "“The quay will be rebuilt before the autumn storms,” councillor Maren Holt told the "
    "Harwick Gazette."
)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer "},
    ],
)
def test_ingest_refuses_a_missing_or_wrong_token(
    ingest_client: TestClient, headers: dict[str, str]
) -> None:
    for body in ({"text": HARBOUR}, {"bogus": True}):  # auth is checked before the body
        response = ingest_client.post("/api/articles", json=body, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert ingest_client.get("/api/quotes", params={"q": "quay"}).json()["total"] == 0


def test_ingest_with_the_token_stores_and_the_quote_becomes_searchable(
    ingest_client: TestClient,
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = {
        "text": HARBOUR,
        "id": "harbour-1",
        "outlet": "Harwick Gazette",
        "published": "2025-04-01",
        "title": "Harbour plan approved",
        "url": "https://gazette.example/harbour-1",
    }
    response = ingest_client.post("/api/articles", json=body, headers=auth)
    assert response.status_code == 200, response.text
    [stored] = response.json()["articles"]
    assert stored["id"] == "harbour-1" and not stored["duplicate"] and stored["quotes"] >= 1
    found = ingest_client.get("/api/quotes", params={"q": "quay autumn storms"}).json()
    assert found["total"] == 1 and found["items"][0]["speaker_entity"] == "Maren Holt"
    assert found["items"][0]["article_id"] == stored["article_id"]
    again = ingest_client.post("/api/articles", json=[body], headers=auth).json()["articles"]
    assert again == [{"id": "harbour-1", "article_id": stored["article_id"], "duplicate": True}]


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   \n "},
        {"text": "x", "url": "javascript:alert(1)"},
        {"text": "x", "published": "last Tuesday"},
        {"text": "x", "unknown_field": 1},
        {"text": "x" * 1_000_001},
        [],
        [{"text": f"article {i}"} for i in range(101)],
        {"id": "no-text"},
    ],
)
def test_ingest_validates_the_body(ingest_client: TestClient, body: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert ingest_client.post("/api/articles", json=body, headers=auth).status_code == 422


def test_ingest_refuses_an_oversized_body(ingest_client: TestClient) -> None:
    response = ingest_client.post(
        "/api/articles",
        content=b"{}",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Length": str(65 * 1024 * 1024),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413


def test_an_empty_token_is_refused(db: Path) -> None:
    with pytest.raises(ValueError):
        create_app(db, ingest_token="  ")


# -- pages ---------------------------------------------------------------------------------


def test_search_page_lists_results_with_links(client: TestClient, db: Path) -> None:
    found = ids(db)
    html = client.get("/", params={"q": "bridge"}).text
    assert '<p class="count" id="count">2 quotes</p>' in html
    assert f'href="/speakers/{found["speaker:Ilse Varga"]}"' in html
    assert f'href="/articles/{found["bridge"]}#q' in html
    assert f'href="/statements/{found["statement:The bridge will open in May"]}"' in html
    assert "Eastmoor Courier" in html and "2025-03-12" in html


def test_search_page_pages(client: TestClient) -> None:
    first = client.get("/", params={"speaker": "Tomas Berg"}).text
    assert "26 quotes" in first and "1–20 of 26 quotes" in first
    assert 'href="/?speaker=Tomas+Berg&amp;offset=20"' in first
    second = client.get("/", params={"speaker": "Tomas Berg", "offset": 20}).text
    assert "21–26 of 26 quotes" in second and 'href="/?speaker=Tomas+Berg"' in second
    assert 'rel="next"' not in second


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": '"unclosed'}, "unbalanced quotation mark"),
        ({"q": "OR"}, "needs words on both sides"),
        ({"since": "2025-02-30"}, "since takes a date"),
        ({"type": "shouted"}, "type must be one of"),
        ({"min_confidence": "lots"}, "min confidence must be a number"),
        ({"min_confidence": "nan"}, "min confidence must be a number"),
        ({"offset": "-3"}, "offset must be a whole number"),
    ],
)
def test_search_page_shows_what_is_wrong(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/", params=params)
    assert response.status_code == 400
    assert message in response.text and "Traceback" not in response.text
    assert '<p class="error" role="alert">' in response.text


def test_speakers_page(client: TestClient) -> None:
    html = client.get("/speakers").text
    assert html.index("Tomas Berg") < html.index("Ilse Varga")
    assert "I. Varga" in html
    assert "Ilse Varga" in client.get("/speakers", params={"name": "Varga"}).text


def test_speaker_page(client: TestClient, db: Path) -> None:
    found = ids(db)
    html = client.get(f"/speakers/{found['speaker:Ilse Varga']}").text
    assert '<svg class="timeline" id="timeline"' in html
    assert html.count('<rect class="bar') == 18 and 'data-unit="day"' in html  # 3 to 20 March
    assert "councillor" in html and "I. Varga" in html
    assert f'href="/statements/{found["statement:The bridge will open in May"]}"' in html
    assert "Eastmoor Courier" in html and "We will not wait" in html
    berg = client.get(f"/speakers/{found['speaker:Tomas Berg']}").text
    assert berg.count('<rect class="bar') == 41  # days from 2025-01-01 to 2025-02-10


def test_article_page_highlights_quotes_cues_and_parts(client: TestClient, db: Path) -> None:
    found = ids(db)
    html = client.get(f"/articles/{found['winter']}").text
    marks = re.findall(r'<mark class="quote (s\d)"[^>]*data-quote="(\d+)"[^>]*>', html)
    assert len(marks) == 2 and marks[0] == marks[1]  # one quote in two parts, one colour
    assert '<u class="cue">said</u>' in html
    assert '<span class="mention">Varga</span>' in html
    assert "Ilse Varga · direct · confidence 0.90" in html
    assert "evidence: quote split by its cue" in html
    statement = found["statement:We will not wait … for another winter of ferry delays."]
    assert f'href="/statements/{statement}"' in html


def test_statement_page_shows_the_diff_and_spread(client: TestClient, db: Path) -> None:
    statement = ids(db)["statement:The bridge will open in May"]
    html = client.get(f"/statements/{statement}").text
    assert "<del>May</del>" in html and "<ins>June.</ins>" in html
    assert "Harwick Gazette" in html and "Eastmoor Courier" in html
    assert "2025-03-03" in html and "2025-03-12" in html
    listing = client.get("/statements").text
    assert f'href="/statements/{statement}"' in listing
    assert client.get("/statements", params={"speaker_id": "x"}).status_code == 400


def test_pages_escape_everything_from_the_data(client: TestClient, db: Path) -> None:
    found = ids(db)
    pages = {
        "search": client.get("/", params={"q": "alert"}).text,
        "search by outlet": client.get("/", params={"outlet": f"Outlet {XSS}"}).text,
        "article": client.get(f"/articles/{found['xss']}").text,
        "speaker": client.get(f"/speakers/{found[f'speaker:{XSS_SPEAKER}']}").text,
        "statement": client.get(f"/statements/{found[f'statement:{XSS} is what I said']}").text,
        "speakers": client.get("/speakers").text,
        "who gets quoted": client.get("/gender").text,
        "statements": client.get(
            "/statements", params={"speaker_id": found[f"speaker:{XSS_SPEAKER}"]}
        ).text,
        "error": client.get("/", params={"q": f"{XSS} OR"}).text,
    }
    for name, html in pages.items():
        assert "alert(1)" in html, name  # the data is there…
        assert "<script>alert" not in html and "<img" not in html, name  # …only as text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
        assert 'href="javascript' not in html, name
        assert "onerror=alert(1)&gt;" in html, name
        for tag in _tags(html):
            assert tag in _OWN_TAGS, (name, tag)


_OWN_TAGS = {
    "html", "head", "meta", "title", "link", "body", "header", "nav", "a", "main", "form",
    "label", "input", "select", "option", "button", "p", "ol", "li", "div", "span", "blockquote",
    "time", "h1", "h2", "dl", "dt", "dd", "section", "svg", "line", "rect", "text", "table",
    "thead", "tbody", "tr", "th", "td", "article", "mark", "u", "ins", "del", "br", "strong",
    "details", "summary",  # the speaker page's curation form (_curate.html), folded
}  # fmt: skip


def _tags(html: str) -> set[str]:
    """The tag names in ``html``, checking that no element has an event-handler attribute."""

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found.add(tag)
            for name, _ in attrs:
                assert not name.startswith("on"), (tag, name)

    parser = Tags()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    "path",
    ["/", "/speakers", "/gender", "/articles/1", "/api/quotes", "/static/style.css", "/nothing"],
)
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client: TestClient, db: Path) -> None:
    found = ids(db)
    for path in (
        "/",
        "/speakers",
        "/gender",
        f"/speakers/{found['speaker:Ilse Varga']}",
        f"/articles/{found['winter']}",
    ):
        html = client.get(path).text
        assert "<script" not in html and "<style" not in html and " style=" not in html, path
        for stylesheet in re.findall(r"<link [^>]*href=\"([^\"]*)\"", html):
            assert stylesheet.startswith("/static/"), path  # nothing from elsewhere


def test_concurrent_requests_each_get_their_own_connection(client: TestClient, db: Path) -> None:
    found = ids(db)
    paths = [
        "/api/quotes?q=bridge",
        f"/api/speakers/{found['speaker:Ilse Varga']}",
        f"/articles/{found['winter']}",
        "/statements",
        "/?speaker=Berg",
    ] * 12
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda p: client.get(p).status_code, paths))
    assert statuses == [200] * len(paths)


class CountingStore(Store):
    """A Store that counts the stores the server opens (``opened``)."""

    opened = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type(self).opened += 1


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> type[CountingStore]:
    class Counted(CountingStore):
        opened = 0

    monkeypatch.setattr("saidwhat.server.state.Store", Counted)
    return Counted


KELP = "“The kelp beds will be replanted by spring,” said warden Edda Brisk."


def test_a_kept_connection_sees_what_is_stored_after_the_server_started(
    tmp_path: Path, counted: type[CountingStore]
) -> None:
    path = build_store(tmp_path / "news.db")
    with TestClient(create_app(path)) as client:
        for _ in range(3):
            assert client.get("/api/quotes", params={"q": "kelp"}).json()["total"] == 0
            assert "0 quotes" in client.get("/", params={"q": "kelp"}).text
        kept = counted.opened
        with Store(path) as writer:  # another connection, as another process's ingest is
            writer.add(article("kelp", KELP, [said(KELP, KELP[1:-25], "Edda Brisk", cue="said")]))
        found = client.get("/api/quotes", params={"q": "kelp"}).json()
        assert found["total"] == 1 and found["items"][0]["speaker_entity"] == "Edda Brisk"
        assert 'id="count">1 quote</p>' in client.get("/", params={"q": "kelp"}).text
        speaker = found["items"][0]["speaker_id"]
        assert "Edda Brisk" in client.get(f"/speakers/{speaker}").text
    assert kept == counted.opened == 1  # one connection served every request: it was kept


def test_concurrent_requests_share_a_few_kept_connections(
    tmp_path: Path, counted: type[CountingStore]
) -> None:
    path = build_store(tmp_path / "news.db")
    with TestClient(create_app(path)) as client, ThreadPoolExecutor(max_workers=32) as pool:
        paths = ["/api/quotes?q=bridge", "/statements", "/?speaker=Berg"] * 40
        statuses = list(pool.map(lambda p: client.get(p).status_code, paths))
    assert statuses == [200] * len(paths)
    assert 1 <= counted.opened <= READ_THREADS  # one a handler thread, at most so many threads


def test_a_replaced_store_file_is_opened_anew(tmp_path: Path, counted: type[CountingStore]) -> None:
    path = build_store(tmp_path / "news.db")
    other = tmp_path / "other.db"
    with Store(other) as writer:
        writer.add(article("kelp", KELP, [said(KELP, KELP[1:-25], "Edda Brisk", cue="said")]))
    with TestClient(create_app(path)) as client:
        assert client.get("/api/quotes", params={"q": "bridge"}).json()["total"] > 0
        other.replace(path)  # a store rebuilt elsewhere and moved into place
        assert client.get("/api/quotes", params={"q": "bridge"}).json()["total"] == 0
        assert client.get("/api/quotes", params={"q": "kelp"}).json()["total"] == 1
    assert counted.opened == 2


def test_a_failed_request_drops_its_connection(
    tmp_path: Path, counted: type[CountingStore]
) -> None:
    path = build_store(tmp_path / "news.db")
    with TestClient(create_app(path)) as client:
        assert client.get("/api/quotes", params={"q": "bridge"}).status_code == 200
        assert client.get("/api/quotes", params={"q": '"unclosed'}).status_code == 400
        assert client.get("/api/quotes", params={"q": "bridge"}).status_code == 200
    assert counted.opened == 2


# -- highlighting ----------------------------------------------------------------------------


def _quote(
    quote_id: int,
    parts: list[tuple[int, int]],
    *,
    speaker_id: int | None = 1,
    cue: tuple[int, int] | None = None,
) -> ArticleQuote:
    return ArticleQuote(
        quote_id=quote_id,
        article_id=1,
        seq=quote_id,
        statement_id=None,
        speaker_id=speaker_id,
        content_start=parts[0][0],
        content_end=parts[-1][1],
        content_text="",
        content_parts=parts,
        type="direct",
        cue_start=cue[0] if cue else None,
        cue_end=cue[1] if cue else None,
        cue_text="said" if cue else None,
        speaker_start=None,
        speaker_end=None,
        speaker_text=None,
        speaker_entity=f"<b>speaker {speaker_id}</b>",
        speaker_kind="person",
        speaker_role=None,
        speaker_external_id=None,
        speaker_gender=None,
        speaker_gender_evidence=None,
        speaker_members=None,
        speaker_resolved=None,
        confidence=0.5,
        evidence='"><b>',
        rule=None,
        title=None,
        outlet=None,
        published=None,
        url=None,
    )


def _balanced(html: str) -> str:
    """The text of ``html`` after checking its tags nest; fails on a broken structure."""

    class Checker(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack.pop() == tag, html

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    checker = Checker()
    checker.feed(html)
    checker.close()
    assert not checker.stack, html
    return "".join(checker.text)


@pytest.mark.parametrize(
    "quotes",
    [
        [_quote(1, [(0, 10)]), _quote(2, [(5, 20)])],  # overlapping: the second is clipped
        [_quote(1, [(0, 30)]), _quote(2, [(5, 10)])],  # one inside another
        [_quote(1, [(2, 8), (12, 18)], cue=(8, 12))],  # two parts, cue between
        [_quote(1, [(0, 20)], cue=(15, 25))],  # a cue running out of the quote
        [_quote(1, [(0, 20)], cue=(3, 6)), _quote(2, [(20, 30)], speaker_id=None)],
        [_quote(1, [(-5, 3)]), _quote(2, [(25, 99)]), _quote(3, [(9, 9)]), _quote(4, [(9, 4)])],
    ],
)
def test_highlighting_keeps_the_text_and_well_formed_tags(quotes: list[ArticleQuote]) -> None:
    text = "<i>a&b</i> “x” 'y' <script>z"
    html = str(highlight_article(text, quotes))
    assert _balanced(html) == text
    assert "<script>" not in html and "<i>" not in html and "<b>" not in html


def test_highlighting_marks_each_part_and_clips_overlaps() -> None:
    text = "0123456789abcdefghij"
    html = str(highlight_article(text, [_quote(1, [(0, 10)]), _quote(2, [(5, 15)], speaker_id=2)]))
    assert re.findall(r'data-quote="(\d)"[^>]*>([^<]*)</mark>', html) == [
        ("1", "0123456789"),
        ("2", "abcde"),
    ]
    assert 'class="quote s1" id="q1"' in html and 'class="quote s2" id="q2"' in html


def test_weekly_counts_fill_gaps_and_count_undated() -> None:
    weeks, undated = weekly_counts([("2025-03-05", 2), ("2025-03-19", 1), ("soon", 3)])
    assert [(w.week, w.quotes) for w in weeks] == [
        ("2025-03-03", 2),
        ("2025-03-10", 0),
        ("2025-03-17", 1),
    ]
    assert undated == 3
    long, _ = weekly_counts([("1900-01-01", 1), ("2025-03-05", 1)], max_weeks=10)
    assert len(long) == 10 and long[-1].quotes == 1


# -- command line ----------------------------------------------------------------------------

runner = CliRunner()


def test_create_app_refuses_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        create_app(tmp_path / "missing.db")


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    result = runner.invoke(cli_app, ["serve", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 2
    assert "no such store" in result.output
    assert not (tmp_path / "missing.db").exists()


def test_serve_prints_the_url_and_runs_uvicorn_on_loopback(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    result = runner.invoke(cli_app, ["serve", "--db", str(db), "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/" in result.output
    assert calls == [
        {
            "host": "127.0.0.1",
            "port": 8765,
            "log_level": "info",
            "timeout_keep_alive": 30,
            "http": "saidwhat.server.tcp:NoDelayH11Protocol",
        }
    ]


def test_serve_with_workers_starts_them_from_the_environment(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.delenv("SAIDWHAT_DB", raising=False)  # each is put back as it was after
    monkeypatch.delenv("SAIDWHAT_INGEST_TOKEN", raising=False)
    args = ["serve", "--db", str(db), "--port", "8765", "--workers", "2"]
    result = runner.invoke(cli_app, [*args, "--ingest-token", TOKEN])
    assert result.exit_code == 0, result.output
    assert "2 worker processes" in result.output
    [(app, options)] = calls
    assert app == "saidwhat.server.app:app_from_environment"
    assert options["factory"] is True and options["workers"] == 2 and options["port"] == 8765
    import os

    assert os.environ["SAIDWHAT_DB"] == str(db.resolve())
    assert os.environ["SAIDWHAT_INGEST_TOKEN"] == TOKEN
    monkeypatch.delenv("SAIDWHAT_INGEST_TOKEN")
    from saidwhat.server.app import app_from_environment

    with TestClient(app_from_environment()) as client:  # what each worker builds
        assert client.get("/api/speakers").json()["total"] >= 1
        assert client.post("/api/articles", json={"articles": []}).status_code == 404


@pytest.mark.slow
def test_serve_with_two_workers_answers(db: Path, tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "saidwhat", "serve", "--db", str(db), "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAIDWHAT_")}
    server = subprocess.Popen(
        [*command, "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline, answers = time.monotonic() + 60, []
        while time.monotonic() < deadline and len(answers) < 4:
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/api/speakers", timeout=5))
            except httpx.HTTPError:
                time.sleep(0.3)
        assert [r.status_code for r in answers] == [200] * 4
        # A kept-alive connection gets each page at once: no 40 ms wait for a delayed ACK
        # (the workers' sockets had no TCP_NODELAY; saidwhat.server.tcp sets it).
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            waits = []
            for _ in range(6):
                started = time.perf_counter()
                assert client.get("/static/style.css").status_code == 200
                waits.append(time.perf_counter() - started)
        assert min(waits[1:]) < 0.035, waits
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "2 worker processes" in output and "Traceback" not in output


def test_serve_on_a_busy_port_says_so_in_one_line(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli_app, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 2 and calls == []
    assert f"port {port} on 127.0.0.1 is in use" in result.output and "--port" in result.output
    assert "serving" not in result.output and "Errno" not in result.output


def test_demo_ingests_the_samples_then_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.append(app))
    demo_db = tmp_path / "demo.db"
    result = runner.invoke(cli_app, ["demo", "--db", str(demo_db), "--port", "8766"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8766/" in result.output
    with TestClient(served[0]) as demo:
        assert demo.get("/api/speakers", params={"name": "Aldric Penhallow"}).json()["total"] == 1
        assert demo.get("/").status_code == 200


def test_a_statement_page_marks_a_misquote_and_lists_reported_forms_apart(
    tmp_path: Path,
) -> None:
    pledge = "“The ferry will sail again before the spring storms,” said Ilse Varga."
    changed = "“The ferry will sail again before the autumn storms,” said Ilse Varga."
    told = "Ilse Varga said the ferry would be back in service before the spring storms."
    with Store(tmp_path / "news.db") as store:
        for key, text, piece, kind, outlet, day in [
            ("pledge", pledge, "The ferry will sail again before the spring storms,",
             QuoteType.DIRECT, "Harwick Gazette", "2025-04-01"),
            ("changed", changed, "The ferry will sail again before the autumn storms,",
             QuoteType.DIRECT, "Eastmoor Courier", "2025-04-02"),
            ("told", told, "the ferry would be back in service before the spring storms",
             QuoteType.INDIRECT, "Lindby Post", "2025-04-03"),
        ]:  # fmt: skip
            quote = said(text, piece, "Ilse Varga", cue="said", quote_type=kind)
            store.add(article(key, text, [quote], outlet=outlet, published=day))
        echo = "“The ferry will sail again before the spring storms, they say,” Tomas Berg said."
        quote = said(echo, "The ferry will sail again before the spring storms, they say,",
                     "Tomas Berg", cue="said")  # fmt: skip
        store.add(article("echo", echo, [quote], outlet="Lindby Post", published="2025-04-05"))
    with TestClient(create_app(tmp_path / "news.db")) as client:
        [statement] = [
            s
            for s in client.get("/api/statements").json()["items"]
            if s["speaker_entity"] == "Ilse Varga"
        ]
        detail = client.get(f"/api/statements/{statement['statement_id']}").json()
        first, second, third = detail["variants"]
        assert first["is_earliest"] and not first["possible_misquote"]
        assert second["possible_misquote"] and second["changed_words"] == [["spring", "autumn"]]
        assert third["reported"] and third["changes"] == ["reported"]
        page = client.get(f"/statements/{statement['statement_id']}").text
    assert [e["speaker_entity"] for e in detail["echoes"]] == ["Tomas Berg"]
    verbatim, reported = page.split("<h2>Reported</h2>")
    reported, echoes = reported.split("<h2>Similar words from others</h2>")
    assert "Tomas Berg" in echoes.split("<h2>Spread</h2>")[0] and "Tomas Berg" not in verbatim
    assert "possible misquote: spring → autumn" in verbatim and "Lindby Post" not in verbatim
    assert "back in service" in reported and "Eastmoor Courier" not in reported


@pytest.mark.slow
def test_demo_stopped_by_sigterm_removes_its_temporary_store(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "saidwhat", "demo", "--port", str(port)]
    demo = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and demo.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    assert demo.poll() is None, demo.communicate()[0].decode()
    assert [p.name[:14] for p in temp.iterdir()] == ["saidwhat-demo-"]
    demo.send_signal(signal.SIGTERM)
    output = demo.communicate(timeout=30)[0].decode()
    assert demo.returncode == 128 + signal.SIGTERM, output
    assert list(temp.iterdir()) == [], output
    assert "Traceback" not in output


# -- the search page: highlighted words, order, facets, downloads (issue 16) -------------------

SANCTIONS = (
    "Councillor Renée Dvořák said the harbour's new sanctions on late ferries were "
    "“unsanctioned by the board” and that fares would rise; sanctioned operators disagreed."
)


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("ferries", ["ferries"]),
        ("FERRIES fares", ["ferries", "fares"]),
        ("sanction*", ["sanctions", "sanctioned"]),  # a prefix, not a word inside another
        ('"new sanctions on late"', ["new sanctions on late"]),  # a phrase, as one mark
        ('"late sanctions"', []),  # the words of a phrase in another order do not match
        ("renee dvorak", ["Renée", "Dvořák"]),  # case and diacritics folded as FTS5 does
        ("Dvořák", ["Dvořák"]),
        ("harbour's", ["harbour's"]),  # an apostrophe splits a word into a phrase
        ("fares NOT ferries", ["fares"]),  # quotes found do not have a NOT word: not marked
        ("ferry OR board", ["board"]),
        ("tugboat", []),
        ('"unclosed', []),  # a query that cannot run marks nothing
    ],
)
def test_highlight_words_marks_what_the_index_matched(query: str, marked: list[str]) -> None:
    html = str(highlight_words(SANCTIONS, query))
    assert re.findall(r"<mark>(.*?)</mark>", html) == [escape(word) for word in marked]
    assert _balanced(html) == SANCTIONS  # the text is all there, in order


def test_highlight_words_escapes_the_text_around_and_inside_marks() -> None:
    text = f"“{XSS} is what I said,” said {XSS_SPEAKER}."
    html = str(highlight_words(text, "script img alert"))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt;" in html
    assert "&lt;<mark>img</mark> src=x onerror=<mark>alert</mark>(1)&gt;" in html
    assert _balanced(html) == text
    assert str(highlight_words(text, "")) == str(escape(text))  # no words: the text, escaped


def _times(html: str) -> list[str]:
    """The dates of the hits on a search page, in the order shown."""
    return re.findall(r'<li class="hit".*?<time datetime="([^"]*)"', html, re.S)


def test_search_page_marks_the_words_of_the_query(client: TestClient) -> None:
    html = client.get("/", params={"q": "bridge OR ferr*"}).text
    assert '<p class="count" id="count">4 quotes</p>' in html
    marks = re.findall(r"<mark>(.*?)</mark>", html)
    assert sorted(marks) == ["bridge", "bridge", "ferry", "ferry"]
    assert "for another winter of <mark>ferry</mark> delays." in html


@pytest.mark.parametrize(
    ("params", "dates", "said"),
    [
        ({"speaker": "Tomas Berg"}, ["2025-02-10", "2025-01-25", "2025-01-24"], "Newest first"),
        ({"speaker": "Tomas Berg", "sort": "newest"}, ["2025-02-10", "2025-01-25"], "Newest"),
        ({"speaker": "Tomas Berg", "sort": "oldest"}, ["2025-01-01", "2025-01-02"], "Oldest"),
        ({"speaker": "Berg", "sort": "relevance"}, ["2025-02-10"], "best match needs words"),
        ({"q": "bridge", "sort": "oldest"}, ["2025-03-03", "2025-03-12"], "Oldest first"),
        ({"q": "bridge", "sort": "newest"}, ["2025-03-12", "2025-03-03"], "Newest first"),
        ({"q": "ferry"}, ["2025-02-10", "2025-03-20"], "Best match first"),
    ],
)
def test_search_page_says_and_takes_the_order(
    client: TestClient, params: dict[str, str], dates: list[str], said: str
) -> None:
    html = client.get("/", params=params).text
    assert _times(html)[: len(dates)] == dates
    order = re.search(r'<p class="order" id="order">(.*?)</p>', html, re.S)
    assert order is not None and said in order.group(1)


def test_relevance_ranks_the_shorter_match_first(db: Path) -> None:
    with Store(db, read_only=True) as store:
        where = QuoteFilter(text="ferry")
        ranked = search_quotes(store, where, order=SearchOrder.RELEVANCE).hits
        newest = search_quotes(store, where, order=SearchOrder.NEWEST).hits
    assert [h.published for h in newest] == ["2025-03-20", "2025-02-10"]
    assert [h.content_text for h in ranked] == [
        "the ferry timetable would change next month",
        "We will not wait … for another winter of ferry delays.",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "loudest"}, "sort must be one of relevance, newest, oldest, not 'loudest'"),
        ({"kind": "robot"}, "kind must be one of person, organisation, group, unknown"),
    ],
)
def test_search_page_refuses_an_unknown_order_or_kind(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/", params=params)
    assert response.status_code == 400
    assert message in html_unescape(response.text)
    assert '<p class="error" role="alert">' in response.text


def test_facet_counts_of_the_server_store(db: Path) -> None:
    with Store(db, read_only=True) as store:
        everything = facet_counts(store, QuoteFilter())
        courier = facet_counts(store, QuoteFilter(outlet="eastmoor courier"))
        bridge = facet_counts(store, QuoteFilter(text="bridge", type=QuoteType.DIRECT))
    assert everything.outlets == [
        FacetCount("Harwick Gazette", 27),
        FacetCount("Eastmoor Courier", 2),
        FacetCount(f"Outlet {XSS}", 1),
    ]
    assert everything.outlet_total == 3
    assert everything.types == [FacetCount("direct", 29), FacetCount("indirect", 1)]
    assert everything.kinds == [FacetCount("person", 30)]
    assert everything.genders == [FacetCount("unknown", 30)]
    # Each facet leaves its own filter out: the outlets are still all there to choose from.
    assert courier.outlets == everything.outlets
    assert courier.types == [FacetCount("direct", 1), FacetCount("indirect", 1)]
    assert courier.kinds == [FacetCount("person", 2)]
    assert bridge.outlets == [FacetCount("Eastmoor Courier", 1), FacetCount("Harwick Gazette", 1)]
    assert bridge.types == [FacetCount("direct", 2)]


def _facet(html: str, name: str) -> list[tuple[str, str]]:
    """(label, count) of each value of the facet ``name`` on a search page."""
    block = re.search(rf'<div class="facet" id="facet-{name}">(.*?)</div>', html, re.S)
    assert block is not None, name
    return [
        (html_unescape(label), count)
        for label, count in re.findall(
            r"<li[^>]*>\s*<(?:a|strong|span)[^>]*>(.*?)</(?:a|strong|span)>\s*"
            r'<span class="n">(\d+)</span>',
            block.group(1),
        )
    ]


def test_search_page_counts_each_facet_with_links(client: TestClient) -> None:
    html = client.get("/", params={"q": "bridge OR ferry"}).text
    assert _facet(html, "outlet") == [("Eastmoor Courier", "2"), ("Harwick Gazette", "2")]
    assert _facet(html, "type") == [("direct", "3"), ("indirect", "1")]
    assert _facet(html, "kind") == [("person", "4")]
    assert _facet(html, "gender") == [("unknown", "4")]
    link = 'href="/?q=bridge+OR+ferry&amp;outlet=Eastmoor+Courier"'
    assert link in html
    chosen = client.get("/", params={"q": "bridge OR ferry", "outlet": "Eastmoor Courier"}).text
    assert '<p class="count" id="count">2 quotes</p>' in chosen
    assert _facet(chosen, "outlet") == [("Eastmoor Courier", "2"), ("Harwick Gazette", "2")]
    assert "<strong>Eastmoor Courier</strong>" in chosen  # the chosen value, not a link
    assert 'href="/?q=bridge+OR+ferry">any outlet</a>' in chosen
    assert _facet(chosen, "type") == [("direct", "1"), ("indirect", "1")]


FACET_OUTLETS = [
    "Tarnby Record", "Lowmere Post", "Brackwater Echo", "Fenholt Times", "Ardley Ledger",
    "Corrin Bay Herald", "Saltmarsh Weekly", "Greyhaven Mail", "Oster Vale News",
    "Kettering Quay Observer", "Dunmore Bulletin", "Westwick Chronicle",
]  # fmt: skip


def build_kinds_store(path: Path) -> Path:
    """A store of organisations, a group, a person and a quote with no speaker, in 12 outlets."""
    speakers: list[tuple[str | None, EntityKind]] = [
        ("Harwick Port Authority", EntityKind.ORGANISATION),
        ("Harwick Port Authority", EntityKind.ORGANISATION),
        ("Eastmoor Ferry Company", EntityKind.ORGANISATION),
        ("Kim and Ada Moran", EntityKind.GROUP),
        ("Ilse Varga", EntityKind.PERSON),
        (None, EntityKind.UNKNOWN),
    ]
    with Store(path) as store:
        for index, outlet in enumerate(FACET_OUTLETS):
            name, kind = speakers[index % len(speakers)]
            words = f"The quay lights go out at ten from Monday {index},"
            text = f"“{words}” said {name or 'a notice'}."
            quote = said(text, words, name, kind=kind, cue="said")
            day = f"2025-04-{1 + index:02d}"
            store.add(article(f"quay-{index}", text, [quote], outlet=outlet, published=day))
    return path


@pytest.fixture(scope="module")
def kinds_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = build_kinds_store(tmp_path_factory.mktemp("kinds") / "news.db")
    with TestClient(create_app(path)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("kind", "total"), [("organisation", 6), ("group", 2), ("person", 2), ("unknown", 0)]
)
def test_search_page_filters_by_speaker_kind(
    kinds_client: TestClient, kind: str, total: int
) -> None:
    html = kinds_client.get("/", params={"q": "quay", "kind": kind}).text
    assert f'<p class="count" id="count">{total} quote' in html
    assert len(re.findall(r'<li class="hit"', html)) == total


def test_speaker_kind_facet_and_top_outlets(kinds_client: TestClient) -> None:
    html = kinds_client.get("/", params={"q": "quay"}).text
    assert _facet(html, "kind") == [
        ("organisation", "6"), ("group", "2"), ("person", "2"), ("no speaker", "2"),
    ]  # fmt: skip
    assert '<span class="none">no speaker</span>' in html  # no filter selects them: no link
    assert 'href="/?q=quay&amp;kind=organisation"' in html
    outlets = _facet(html, "outlet")
    assert len(outlets) == 10 and {count for _, count in outlets} == {"1"}
    assert "top 10 of 12" in html
    organisations = kinds_client.get("/", params={"q": "quay", "kind": "organisation"}).text
    assert _facet(organisations, "kind") == _facet(html, "kind")  # its own filter left out
    assert 'id="facet-gender"' not in organisations  # no person among them: no gender facet
    assert len(_facet(organisations, "outlet")) == 6


def _download(client: TestClient, fmt: str, params: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(f"/search.{fmt}", params=params)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="saidwhat-quotes.{fmt}"'
    if fmt == "csv":
        assert response.headers["content-type"].startswith("text/csv")
        reader = csv.DictReader(io.StringIO(response.text))
        assert reader.fieldnames == QUOTE_EXPORT_FIELDS
        return list(reader)
    assert response.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert all(set(row) == set(QUOTE_EXPORT_FIELDS) for row in rows)
    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize(
    "params",
    [
        {"q": "bridge"},
        {"speaker": "Tomas Berg", "sort": "oldest"},
        {"q": "ferry", "outlet": "Eastmoor Courier"},
        {},
    ],
)
def test_downloads_have_every_quote_of_the_search(
    client: TestClient, fmt: str, params: dict[str, str]
) -> None:
    total = client.get("/api/quotes", params={"limit": 200, **params}).json()["total"]
    rows = _download(client, fmt, params)
    assert total > 0 and len(rows) == total
    page = client.get("/", params=params).text  # the page's link downloads the same
    link = re.search(rf'<a href="(/search\.{fmt}[^"]*)" download>', page)
    assert link is not None
    assert client.get(html_unescape(link.group(1))).content == (
        client.get(f"/search.{fmt}", params=params).content
    )


def test_a_download_carries_the_record_its_article_speaker_and_statement(
    client: TestClient, db: Path
) -> None:
    found = ids(db)
    (csv_row,) = _download(client, "csv", {"q": '"open in June"'})
    (json_row,) = _download(client, "jsonl", {"q": '"open in June"'})
    for row in (csv_row, json_row):
        assert row["content_text"] == "The bridge will open in June."
        assert row["speaker_entity"] == "Ilse Varga" and row["outlet"] == "Eastmoor Courier"
        assert row["url"] == "https://gazette.example/bridge-courier"
        assert row["published"] == "2025-03-12" and row["title"] == "Bridge opening slips"
        assert str(row["statement_id"]) == str(found["statement:The bridge will open in May"])
        assert row["changed_words"] == "may → june"  # as `saidwhat export` writes it
    assert json_row["content_parts"] == [[39, 68]] and csv_row["content_parts"] == "[[39, 68]]"
    dates = [r["published"] for r in _download(client, "jsonl", {"speaker": "Berg"})]
    assert dates[:2] == ["2025-02-10", "2025-01-25"]  # the page's order: newest first


def test_a_download_is_capped_and_the_page_says_so(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_module, "MAX_DOWNLOAD_ROWS", 5)
    assert len(_download(client, "jsonl", {"speaker": "Tomas Berg"})) == 5
    assert "Download the first 5:" in client.get("/", params={"speaker": "Tomas Berg"}).text
    assert "Download all 2:" in client.get("/", params={"q": "bridge"}).text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": '"unclosed'}, "unbalanced quotation mark"),
        ({"sort": "random"}, "sort must be one of"),
        ({"since": "2025-02-30"}, "since takes a date"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_download_of_a_search_that_cannot_run_is_a_400(
    client: TestClient, fmt: str, params: dict[str, str], message: str
) -> None:
    response = client.get(f"/search.{fmt}", params=params)
    assert response.status_code == 400 and message in response.text
    assert "content-disposition" not in response.headers


def test_a_download_of_nothing_found_is_the_header_alone(client: TestClient) -> None:
    assert client.get("/search.csv", params={"q": "tugboat"}).text.strip() == ",".join(
        QUOTE_EXPORT_FIELDS
    )
    assert client.get("/search.jsonl", params={"speaker": "Nobody Atall"}).text == ""


@pytest.mark.parametrize("path", ["/", "/search.csv", "/search.jsonl"])
def test_hostile_values_in_the_new_search_fields_are_refused_or_text(
    client: TestClient, db: Path, path: str
) -> None:
    for name in ("kind", "sort", "outlet", "q", "min_confidence"):
        for value in _HOSTILE:
            response = client.get(path, params={name: value})
            where = f"{path}?{name}={value!r}"
            assert response.status_code in (200, 400), where
            assert "owned" not in str(response.headers).lower(), where
            assert "elsewhere" not in response.headers.get("content-disposition", ""), where
            if path == "/":
                assert "<script>alert(1)" not in response.text, where
    with Store(db, read_only=True) as store:
        assert store.counts()["quotes"] == 30


def test_the_api_and_the_cli_take_the_order_and_the_kind(client: TestClient, db: Path) -> None:
    oldest = client.get("/api/quotes", params={"speaker": "Berg", "sort": "oldest"}).json()
    assert [i["published"] for i in oldest["items"][:2]] == ["2025-01-01", "2025-01-02"]
    newest = client.get("/api/quotes", params={"speaker": "Berg"}).json()
    assert newest["items"][0]["published"] == "2025-02-10"
    assert client.get("/api/quotes", params={"kind": "person"}).json()["total"] == 30
    assert client.get("/api/quotes", params={"kind": "organisation"}).json()["total"] == 0
    assert client.get("/api/quotes", params={"sort": "loudest"}).status_code == 422
    filters = ["--speaker", "Berg", "--sort", "oldest", "--kind", "person", "--limit", "3"]
    result = CliRunner().invoke(cli_app, ["search", "--db", str(db), *filters, "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    published = [json.loads(line)["published"] for line in result.stdout.splitlines()]
    assert published == ["2025-01-01", "2025-01-02", "2025-01-03"]


def test_gender_facet_counts_people_and_leaves_its_own_filter_out(tmp_path: Path) -> None:
    from tests.test_gender import COURIER, GAZETTE, build_gender_store

    with Store(build_gender_store(tmp_path / "news.db"), read_only=True) as store:
        everything = facet_counts(store, QuoteFilter())
        women = facet_counts(store, QuoteFilter(gender=Gender.FEMALE))
        courier_men = facet_counts(store, QuoteFilter(outlet=COURIER, gender=Gender.MALE))
    people = [FacetCount("female", 5), FacetCount("male", 4), FacetCount("unknown", 2)]
    assert everything.genders == people
    assert women.genders == people  # its own filter left out: the choices stay
    assert women.outlets == [FacetCount(GAZETTE, 3), FacetCount(COURIER, 2)]
    assert women.kinds == [FacetCount("person", 5)]
    assert courier_men.genders == [
        FacetCount("male", 3), FacetCount("female", 2), FacetCount("unknown", 1),
    ]  # fmt: skip
    assert courier_men.outlets == [FacetCount(COURIER, 3), FacetCount(GAZETTE, 1)]
    assert sum(c.quotes for c in everything.kinds) == sum(c.quotes for c in everything.types)


def test_the_search_and_highlight_doctests_pass() -> None:
    import doctest

    import saidwhat.server.highlight
    import saidwhat.store.search

    for module in (saidwhat.store.search, saidwhat.server.highlight):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


# -- time charts ---------------------------------------------------------------------------


def _daily(first: str, days: int, every: int = 1) -> list[DayCount]:
    from datetime import date, timedelta

    start = date.fromisoformat(first)
    return [
        DayCount((start + timedelta(days=n)).isoformat(), 1 + n % 3) for n in range(0, days, every)
    ]


@pytest.mark.parametrize(
    ("counts", "unit", "bars", "first_tick"),
    [
        (_daily("2025-03-01", 10), TimeUnit.DAY, 10, "2025-03-01"),
        (_daily("2025-01-01", 365, every=3), TimeUnit.WEEK, 53, "2025-01"),
        (_daily("2020-01-01", 5 * 365 + 1, every=7), TimeUnit.MONTH, 60, "2020"),
    ],
    ids=["10 days", "1 year", "5 years"],
)
def test_a_time_chart_bins_to_fit_its_span_with_ticks_and_a_scale(
    counts: list[DayCount], unit: TimeUnit, bars: int, first_tick: str
) -> None:
    chart = time_chart(counts)
    assert chart is not None
    assert chart.unit is unit and len(chart.bars) == bars
    assert sum(b.count for b in chart.bars) == sum(c.count for c in counts)
    assert 2 <= len(chart.x_ticks) <= 12 and chart.x_ticks[0].label == first_tick
    assert [t.at for t in chart.x_ticks] == sorted({t.at for t in chart.x_ticks})
    assert all(chart.left <= t.at <= chart.right for t in chart.x_ticks)
    assert chart.y_ticks[0].label == "0" and len(chart.y_ticks) >= 2
    assert int(chart.y_ticks[-1].label) == chart.scale_max >= chart.peak
    # The bars fill the width left to right, none a sliver, none past the end.
    slot = (chart.right - chart.left) / bars
    assert chart.bars[0].x < chart.left + slot and chart.bars[-1].x > chart.right - slot
    assert all(b.width >= 3 for b in chart.bars)
    assert chart.bars[-1].x + chart.bars[-1].width <= chart.right
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.count == chart.peak and tallest.y >= chart.top


def test_a_short_span_is_a_few_wide_bars_and_undated_counts_are_left_out() -> None:
    chart = time_chart([DayCount("2025-03-03", 4), DayCount("undated", 9)])
    assert chart is not None and chart.unit is TimeUnit.DAY
    [bar] = chart.bars
    assert bar.count == 4 and 20 <= bar.width <= 48 and bar.label == "2025-03-03: 4 quotes"
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3", "4"]
    assert time_chart([DayCount("soon", 1)]) is None and time_chart([]) is None


# -- speaker, speakers, article pages ------------------------------------------------------

HOLT = Entity(
    "Maren Holt",
    EntityKind.PERSON,
    role="harbour director",
    external_id="kb:maren-holt",
    gender=Gender.FEMALE,
    gender_evidence="pronoun",
)
COUNCIL = Entity("Lindby Council", EntityKind.ORGANISATION)
SPLIT_TEXT = (
    "Harbour dues rise in spring\n"
    "The harbour board met on Monday.\n"
    "“We will raise the dues,\nand we will build the new quay,” said Maren Holt.\n"
    "The council said it would object."
)


def build_pages_store(path: Path) -> Path:
    """A speaker with aliases, a role, a gender and a year of quotes; an organisation; an
    article from JSON Lines (single line breaks, a date-time)."""

    def quote(text: str, piece: str, entity: Entity) -> Quote:
        start = text.index(piece)
        return Quote(
            content=(Span.of(text, start, start + len(piece)),),
            type=QuoteType.DIRECT,
            speaker=Speaker(None, entity),
            confidence=0.9,
        )

    with Store(path) as store:
        for n, name in enumerate(["Maren Holt", "M. Holt", "Holt"] * 8):
            words = f"Berth {n} opens in week {n * 2} with {n * 3} boats"
            text = f"“{words},” said {name}."
            kb = HOLT.external_id if n == 0 else None  # the other names become aliases
            entity = Entity(name, HOLT.kind, HOLT.role, kb, HOLT.gender, "pronoun")
            day = f"2025-{1 + n // 2:02d}-{1 + 14 * (n % 2):02d}T00:00:00+00:00"
            store.add(article(f"holt-{n}", text, [quote(text, words, entity)], published=day))
        text = "“The quay will wait,” said Lindby Council."
        store.add(
            article("council", text, [quote(text, "The quay will wait", COUNCIL)], outlet=None)
        )
        text = "“Nobody asked us,” said a harbour resident."
        resident = Entity("a harbour resident", EntityKind.PERSON, resolved=False)
        store.add(article("resident", text, [quote(text, "Nobody asked us", resident)]))
        quay = quote(SPLIT_TEXT, "We will raise the dues,\nand we will build the new quay,", HOLT)
        store.add(
            article("split", SPLIT_TEXT, [quay], published="2025-03-03T00:00:00", title="Dues rise")
        )
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = build_pages_store(tmp_path_factory.mktemp("pages") / "news.db")
    with TestClient(create_app(path)) as test_client:
        yield test_client


def _speaker_id(client: TestClient, name: str) -> int:
    [item] = client.get("/api/speakers", params={"name": name}).json()["items"]
    return int(item["speaker_id"])


def test_a_speaker_page_shows_aliases_role_gender_kind_and_id(pages: TestClient) -> None:
    html = pages.get(f"/speakers/{_speaker_id(pages, 'Maren Holt')}").text
    assert '<dd id="kind">person</dd>' in html
    assert '<dd id="role">harbour director</dd>' in html
    assert re.search(r'<dd id="gender">female <span class="note evidence">\(pronoun\)', html)
    assert '<dd class="kb" id="external-id">kb:maren-holt</dd>' in html
    assert re.search(r'<dd class="aliases" id="aliases">[^<]*M\. Holt', html)
    council = pages.get(f"/speakers/{_speaker_id(pages, 'Lindby Council')}").text
    assert '<dd id="kind">organisation</dd>' in council and 'id="gender"' not in council


def test_a_speaker_page_links_to_exactly_their_quotes_paged(pages: TestClient) -> None:
    holt = _speaker_id(pages, "Maren Holt")
    html = pages.get(f"/speakers/{holt}").text
    [link] = re.findall(r'<a class="all-quotes" id="all-quotes" href="([^"]+)">all 25 quotes', html)
    link = link.replace("&amp;", "&")
    assert link == "/?speaker=kb%3Amaren-holt"
    listing = pages.get(link).text
    assert '<p class="count" id="count">25 quotes</p>' in listing
    assert listing.count('<li class="hit"') == 20 and 'rel="next"' in listing
    assert "The quay will wait" not in listing
    chart = html.split('id="timeline"')[1].split("</svg>")[0]
    assert 'data-unit="week"' in html and chart.count('class="label x-tick"') >= 4
    assert chart.count('class="label y-tick end"') >= 2


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({}, ["Maren Holt", "Lindby Council"], ["a harbour resident"]),
        ({"all": "1"}, ["Maren Holt", "a harbour resident"], []),
        ({"all": "1", "gender": "unknown"}, ["a harbour resident"], ["Maren Holt"]),
        ({"kind": "organisation"}, ["Lindby Council"], ["Maren Holt"]),
        ({"kind": "person", "gender": "female"}, ["Maren Holt"], ["Lindby Council"]),
        ({"gender": "male"}, ["No speakers"], ["Maren Holt", "Lindby Council"]),
    ],
)
def test_the_speakers_list_filters_by_kind_and_gender(
    pages: TestClient, params: dict[str, str], shown: list[str], hidden: list[str]
) -> None:
    response = pages.get("/speakers", params=params)
    assert response.status_code == 200
    table = response.text.split('<table class="speakers">')[1]
    assert all(name in table for name in shown) and not any(name in table for name in hidden)
    for name, value in params.items():
        if name != "all":
            assert f'<option value="{value}" selected>' in response.text, name


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "planet"}, "kind must be one of person, organisation, group, unknown, not"),
        ({"gender": "x"}, "gender must be one of female, male, unknown, not &#39;x&#39;"),
    ],
)
def test_a_bad_speakers_filter_is_a_400_that_says_why(
    pages: TestClient, params: dict[str, str], message: str
) -> None:
    response = pages.get("/speakers", params=params)
    assert response.status_code == 400
    assert '<p class="error" role="alert">' in response.text and message in response.text


def test_an_article_with_single_line_breaks_keeps_its_paragraphs(pages: TestClient) -> None:
    [split] = [a for a in _articles(pages) if a["title"] == "Dues rise"]
    html = pages.get(f"/articles/{split['article_id']}").text
    body = html.split('id="article-text">')[1].split("</div>")[0]
    assert body.startswith("Harbour dues rise in spring\n\nThe harbour board met on Monday.\n\n")
    # The quote runs across the break as one highlight, its words and offsets intact.
    [mark] = re.findall(r"<mark [^>]*>(.*?)</mark>", body, flags=re.S)
    assert mark == "We will raise the dues,\n\nand we will build the new quay,"
    assert html.count("<mark ") == 1


def _articles(client: TestClient) -> list[dict[str, Any]]:
    return [
        client.get(f"/api/articles/{n}").json() for n in range(1, 40)
        if client.get(f"/api/articles/{n}").status_code == 200
    ]  # fmt: skip


def test_every_page_shows_dates_in_one_format(pages: TestClient) -> None:
    holt = _speaker_id(pages, "Maren Holt")
    statements = pages.get("/api/statements").json()["items"]
    paths = ["/", "/?speaker=Maren+Holt", "/speakers", f"/speakers/{holt}", "/statements"]
    paths += [f"/statements/{s['statement_id']}" for s in statements[:3]]
    paths += [f"/articles/{a['article_id']}" for a in _articles(pages)]
    for path in paths:
        html = pages.get(path).text
        assert "T00:00" not in html and "+00:00" not in html, path
    article = pages.get(f"/articles/{statements[0]['first_article_id']}").text
    assert re.search(r'<time datetime="2025-\d\d-\d\d">2025-\d\d-\d\d</time>', article)


def test_a_stray_old_date_does_not_shrink_the_bars_to_slivers() -> None:
    chart = time_chart([DayCount("1066-10-14", 1), DayCount("2025-03-03", 2)])
    assert chart is not None and chart.unit is TimeUnit.YEAR
    assert len(chart.bars) == 150 and chart.bars[-1].start == "2025-01-01"
    assert all(b.width >= 3 for b in chart.bars)


def test_a_statement_page_pages_its_wordings_and_refuses_a_bad_offset(tmp_path: Path) -> None:
    from tests.test_store import carry_widely

    with Store(tmp_path / "news.db") as store:
        carry_widely(store)
    with TestClient(create_app(tmp_path / "news.db")) as client:
        [statement] = client.get("/api/statements").json()["items"]
        path = f"/statements/{statement['statement_id']}"
        first = client.get(path).text
        assert first.count('<li class="variant') == 4 and 'rel="next"' not in first
        assert len(first) < 40_000  # four wordings, not 300 variants
        second = client.get(path, params={"offset": 3}).text
        assert second.count('<li class="variant') == 1 and "4–4 of 4 wordings" in second
        assert 'rel="prev"' in second and "<h2>Reported</h2>" in second
        bad = client.get(path, params={"offset": "x"})
        assert bad.status_code == 400 and "offset must be a whole number" in bad.text


def test_an_unresolved_description_has_no_all_quotes_link(pages: TestClient) -> None:
    [resident] = [
        s
        for s in pages.get("/api/speakers", params={"all": "true"}).json()["items"]
        if s["name"] == "a harbour resident"
    ]
    html = pages.get(f"/speakers/{resident['speaker_id']}").text
    assert "Nobody asked us" in html and 'id="all-quotes"' not in html
