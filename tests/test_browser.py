"""The web UI in a real headless Chromium: search, speaker, article, statement, gender, XSS.

The real app runs under uvicorn in a background thread on a free loopback
port, over the stores of ``tests/test_server.py`` and ``tests/test_gender.py``;
Playwright (sync API) drives the system Chromium (``/usr/bin/chromium``;
Playwright's own browser downloads are not used). Screenshots go to ``test-output/screenshots/``.
Every page is also checked for console errors, which is where Chromium
reports anything the Content-Security-Policy blocked.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing (pip install playwright)"
)

import uvicorn  # noqa: E402

from saidwhat.server import create_app  # noqa: E402
from tests.test_gender import COURIER, GAZETTE, build_gender_store  # noqa: E402
from tests.test_server import (  # noqa: E402
    TOKEN,
    XSS,
    XSS_SPEAKER,
    build_pages_store,
    build_store,
    ids,
)
from tests.test_store import carry_widely  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("browser") / "news.db")


@contextmanager
def serving(path: Path, ingest_token: str | None = None) -> Iterator[str]:
    """The real app over the store at ``path`` under uvicorn on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(path, ingest_token=ingest_token), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def base_url(store_path: Path) -> Iterator[str]:
    """The app over the store of ``tests/test_server.py``, for the module's tests."""
    with serving(store_path) as url:
        yield url


@pytest.fixture(scope="module")
def gender_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the store of ``tests/test_gender.py`` (who gets quoted)."""
    with serving(build_gender_store(tmp_path_factory.mktemp("gender") / "news.db")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page with every dialog and console error it raised recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, url

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def clean(self) -> None:
        """No dialog opened and nothing blocked or broken on the page."""
        assert self.dialogs == []
        assert self.errors == []


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Watched(page)
    context.close()


def test_search_shows_the_count_and_pages(watched: Watched, base_url: str) -> None:
    page = watched.page
    watched.goto(base_url + "/")
    page.fill("input[name=q]", "bridge")
    page.click("button[type=submit]")
    page.wait_for_url("**/?q=bridge*")
    assert page.inner_text("#count") == "2 quotes"
    assert page.locator("li.hit").count() == 2
    assert "Ilse Varga" in page.locator("li.hit a.speaker").first.inner_text()
    watched.shot("search")
    page.fill("input[name=q]", "")
    page.fill("input[name=speaker]", "Tomas Berg")
    page.click("button[type=submit]")
    assert page.inner_text("#count") == "26 quotes"
    page.click("a[rel=next]")
    assert "21–26 of 26 quotes" in page.inner_text("nav.pager")
    assert page.locator("li.hit").count() == 6
    watched.clean()
    page.fill("input[name=q]", '"unclosed')
    page.click("button[type=submit]")
    assert "unbalanced quotation mark" in page.inner_text("p.error")
    watched.shot("search-error")
    assert watched.errors == [  # the page says what is wrong, with the status that says so
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]


def test_speaker_page_has_the_timeline_and_statements(watched: Watched, base_url: str) -> None:
    page = watched.page
    watched.goto(base_url + "/?q=bridge")
    page.locator("li.hit a.speaker").first.click()
    assert page.inner_text("h1") == "Ilse Varga"
    bars = page.locator("svg#timeline rect.bar")
    assert bars.count() == 18  # a day each, 3 to 20 March
    box = bars.first.bounding_box()
    assert box is not None and box["height"] > 10 and box["width"] > 10  # drawn, not collapsed
    assert page.locator("#statements a.statement-link").count() >= 1
    assert "Eastmoor Courier" in page.inner_text("table.outlets")
    watched.shot("speaker")
    watched.clean()


def test_article_page_highlights_quotes_and_hover_tells_who(
    watched: Watched, base_url: str, store_path: Path
) -> None:
    page = watched.page
    watched.goto(f"{base_url}/articles/{ids(store_path)['winter']}")
    marks = page.locator("#article-text mark.quote")
    assert marks.count() == 2  # one quote in two parts
    assert marks.nth(0).inner_text() == "We will not wait,"
    colours = {m.evaluate("e => getComputedStyle(e).backgroundColor") for m in marks.all()}
    assert len(colours) == 1 and colours != {"rgba(0, 0, 0, 0)"}
    assert page.locator("#article-text u.cue").inner_text() == "said"
    marks.nth(0).hover()
    tip = marks.nth(0).evaluate("e => getComputedStyle(e, '::after').content")
    assert "Ilse Varga" in tip and "evidence: quote split by its cue" in tip
    assert "confidence 0.90" in tip
    watched.shot("article-hover")
    watched.clean()


def test_statement_page_shows_the_diff(watched: Watched, base_url: str, store_path: Path) -> None:
    page = watched.page
    statement = ids(store_path)["statement:The bridge will open in May"]
    watched.goto(f"{base_url}/statements/{statement}")
    variants = page.locator("li.variant")
    assert variants.count() == 2
    assert "earliest" in variants.nth(0).inner_text()
    assert variants.nth(1).locator("del").inner_text() == "May"
    assert variants.nth(1).locator("ins").inner_text() == "June."
    badge = variants.nth(1).locator(".badge.warn")  # one word changed: worth checking
    assert badge.inner_text() == "possible misquote: may → june"
    assert variants.nth(0).locator(".badge.warn").count() == 0
    assert "Eastmoor Courier" in page.inner_text("table.outlets")
    watched.shot("statement")
    watched.clean()


def test_hostile_text_stays_text_on_every_page(
    watched: Watched, base_url: str, store_path: Path
) -> None:
    found = ids(store_path)
    speaker = found[f"speaker:{XSS_SPEAKER}"]
    pages = {
        "xss-search": "/?q=alert",
        "xss-article": f"/articles/{found['xss']}",
        "xss-speaker": f"/speakers/{speaker}",
        "xss-statements": f"/statements?speaker_id={speaker}",
        "xss-statement": f"/statements/{found[f'statement:{XSS} is what I said']}",
    }
    page = watched.page
    for name, path in pages.items():
        watched.goto(base_url + path)
        counts = page.evaluate(
            "() => ({img: document.querySelectorAll('img').length,"
            " script: document.querySelectorAll('script').length,"
            " handlers: [...document.querySelectorAll('*')].filter("
            "   e => [...e.attributes].some(a => a.name.startsWith('on'))).length})"
        )
        assert counts == {"img": 0, "script": 0, "handlers": 0}, name
        text = page.inner_text("main")
        assert "<script>alert(1)</script>" in text, name
        assert '"><img src=x onerror=alert(1)>' in text, name
        if name == "xss-article":
            page.locator("mark.quote").first.hover()  # the tooltip shows the name as text
            tip = page.locator("mark.quote").first.evaluate(
                "e => getComputedStyle(e, '::after').content"
            )
            assert "<script>alert(1)</script>" in tip
        watched.shot(name)
    watched.clean()


def test_who_gets_quoted_draws_the_shares_and_lists_the_numbers(
    watched: Watched, gender_url: str
) -> None:
    page = watched.page
    watched.goto(gender_url + "/")
    page.click("header nav >> text=Who gets quoted")
    page.wait_for_url("**/gender")
    assert page.inner_text("h1") == "Who gets quoted"
    headline = page.inner_text("#headline")
    assert "Women: 56% of the 9 quotes by people whose gender is known" in headline
    assert page.inner_text("#gender-legend").split() == ["women", "men", "unknown"]
    # One stacked bar per outlet; each share is drawn to its width and says what it is.
    courier = page.locator(f'svg#gender-bars rect.seg[data-outlet="{COURIER}"]')
    assert [s.get_attribute("data-gender") for s in courier.all()] == ["female", "male", "unknown"]
    widths = [box["width"] for s in courier.all() if (box := s.bounding_box())]
    assert widths[1] > widths[0] > widths[2] > 10  # 3 men, 2 women, 1 unknown of 6
    assert page.locator("svg#gender-bars text.shares").all_text_contents() == [
        "women 33% · men 50% · unknown 17% of 6 quotes by people",
        "women 60% · men 20% · unknown 20% of 5 quotes by people",
    ]
    fills = {
        page.locator(f"svg#gender-bars rect.seg.{g}").first.evaluate(
            "e => getComputedStyle(e).fill"
        )
        for g in ("female", "male", "unknown")
    }
    assert len(fills) == 3  # three colours, and a word for each
    # The month chart: March and April drawn, the undated quotes noted.
    columns = page.locator("svg#share-timeline rect.share-bar")
    assert [c.get_attribute("data-month") for c in columns.all()] == ["2025-03", "2025-04"]
    heights = [box["height"] for c in columns.all() if (box := c.bounding_box())]
    assert heights[1] > heights[0] > 10  # 75% over 67%
    assert "2 quotes by people in undated articles not shown" in page.inner_text("main")
    # The numbers, in tables.
    rows = page.locator("#gender-by-outlet tbody tr")
    assert [r.inner_text().split("\t") for r in rows.all()] == [
        [COURIER, "2", "3", "1", "6", "40%", "1", "0"],
        [GAZETTE, "3", "1", "1", "5", "75%", "2", "1"],
        ["all", "5", "4", "2", "11", "56%", "3", "1"],
    ]
    assert page.locator("#gender-by-month tbody tr").count() == 4  # 2 months, undated, all
    watched.shot("gender")
    page.fill("input[name=outlet]", GAZETTE)
    page.click("button[type=submit]")
    page.wait_for_url("**/gender?outlet=*")
    assert page.locator("svg#gender-bars rect.seg").count() == 3
    assert COURIER not in page.inner_text("#gender-by-outlet")
    watched.clean()


def test_a_multi_paragraph_quote_reads_as_paragraphs(watched: Watched, tmp_path: Path) -> None:
    """Display text (issue 15): paragraphs kept, no reopening marks, no dangling comma."""
    from saidwhat.ingest import ingest_records
    from saidwhat.model import Article
    from saidwhat.pipeline import Extractor
    from saidwhat.store import Store

    text = (
        "Harbourmaster Gunnar Sollie said:\n\n"
        "“The wall held, and the pumps ran all night.\n\n"
        "“By morning the lane was dry again.”\n\n"
        "“We were lucky,” Sollie added."
    )
    path = tmp_path / "news.db"
    with Store(path) as store:
        ingest_records([Article(id="wall", text=text, outlet="Tarnby Record")], store, Extractor())
    with serving(path) as url:
        watched.goto(url + "/?q=pumps")
        quote = watched.page.locator("li.hit blockquote.quote-text").first
        lines = [line for line in quote.inner_text().split("\n") if line.strip()]
        assert lines == [
            "The wall held, and the pumps ran all night.",
            "By morning the lane was dry again.",
        ]
        watched.goto(url + "/?q=lucky")
        assert (
            watched.page.locator("li.hit blockquote.quote-text").first.inner_text()
            == "We were lucky"
        )
        watched.shot("multi-paragraph")


def test_api_docs_render_their_operations_with_no_network(watched: Watched, base_url: str) -> None:
    """/docs: Swagger UI's files come from this server (swagger-ui-bundle), not a CDN."""
    page = watched.page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    watched.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock", timeout=10_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/quotes" in paths and any(p.startswith("/api/statements") for p in paths)
    assert all(url.startswith(base_url) for url in requested), requested
    watched.shot("docs")
    watched.clean()


def test_statements_list_leads_to_a_statement_and_a_missing_page_says_so(
    watched: Watched, base_url: str
) -> None:
    page = watched.page
    watched.goto(base_url + "/statements")
    rows = page.locator("table.statements tbody tr")
    assert rows.count() >= 3
    carried = [int(rows.nth(n).locator("td.n").first.inner_text()) for n in range(rows.count())]
    assert carried == sorted(carried, reverse=True) and carried[0] >= 2  # most carried first
    first = rows.first.locator("a.statement-link")
    wording = first.inner_text()
    watched.shot("statements-list")
    first.click()
    page.wait_for_url("**/statements/*")
    assert wording[:20] in page.inner_text("main")
    watched.clean()
    response = page.goto(base_url + "/statements/999999")
    assert response is not None and response.status == 404
    assert "No such statement." in page.inner_text("main")
    watched.shot("not-found")


def test_search_marks_the_words_counts_facets_and_orders(watched: Watched, base_url: str) -> None:
    """Issue 16: the query's words marked, a facet narrows the search, the order is chosen."""
    page = watched.page
    watched.goto(base_url + "/")
    page.fill("input[name=q]", "bridge OR ferry")
    page.click("button[type=submit]")
    page.wait_for_url("**/?q=bridge+OR+ferry*")
    assert page.inner_text("#count") == "4 quotes"
    marks = page.locator("li.hit blockquote mark")
    assert sorted(m.lower() for m in marks.all_inner_texts()) == [
        "bridge", "bridge", "ferry", "ferry",
    ]  # fmt: skip
    background = marks.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "Best match first" in page.inner_text("#order")
    courier = page.locator("#facet-outlet li", has_text="Eastmoor Courier")
    assert courier.locator(".n").inner_text() == "2"
    courier.locator("a").click()
    page.wait_for_url("**outlet=Eastmoor+Courier*")
    assert page.inner_text("#count") == "2 quotes"
    assert page.locator("#facet-outlet strong").inner_text() == "Eastmoor Courier"
    assert page.input_value("input[name=outlet]") == "Eastmoor Courier"
    page.select_option("select[name=sort]", "oldest")
    page.click("button[type=submit]")
    page.wait_for_url("**sort=oldest*")
    assert "Oldest first" in page.inner_text("#order")
    dates = page.locator("li.hit time").all_inner_texts()
    assert dates == ["2025-02-10", "2025-03-12"]
    assert page.locator("#downloads a").all_inner_texts() == ["CSV", "JSON Lines"]
    watched.shot("search-facets")
    with page.expect_download() as download:
        page.click("#downloads a >> text=CSV")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert download.value.suggested_filename == "saidwhat-quotes.csv"
    assert len(lines) == 3 and lines[0].startswith("quote_id,")  # a header and the 2 quotes
    watched.clean()


def test_a_download_the_client_leaves_is_closed_in_its_own_thread(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sqlite3 connection closed in another thread raises; leaving a download must not."""
    import gc
    import sys

    import httpx

    from saidwhat.store import export

    real_row = export.export_row

    def export_row(row: Any, fmt: export.ExportFormat) -> dict[str, Any]:
        time.sleep(0.01)  # a download long enough to leave in the middle
        return real_row(row, fmt)

    monkeypatch.setattr(export, "_BATCH_ROWS", 1)
    monkeypatch.setattr(export, "export_row", export_row)
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with serving(store_path) as url:
        for _ in range(3):
            with httpx.stream("GET", url + "/search.csv") as response:
                assert next(response.iter_bytes()).startswith(b"quote_id,")
        time.sleep(0.5)
        assert httpx.get(url + "/search.jsonl", timeout=30).text.count("\n") == 30
        gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []


@pytest.fixture(scope="module")
def pages_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the pages store of ``tests/test_server.py`` (a year of one speaker)."""
    with serving(build_pages_store(tmp_path_factory.mktemp("pages") / "news.db")) as url:
        yield url


def _boxes(watched: Watched, selector: str) -> list[dict[str, float]]:
    boxes = [e.bounding_box() for e in watched.page.locator(selector).all()]
    assert all(box is not None for box in boxes), selector
    return [box for box in boxes if box is not None]


def _texts(watched: Watched, selector: str) -> list[str]:
    """The text of each element (SVG text has no innerText)."""
    texts: list[str] = watched.page.locator(selector).evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    return texts


def test_a_statement_carried_300_times_leads_with_the_first_and_groups_wordings(
    watched: Watched, tmp_path: Path
) -> None:
    from saidwhat.store import Store

    path = tmp_path / "news.db"
    with Store(path) as store:
        carry_widely(store)
    with serving(path) as url:
        watched.goto(url + "/statements")
        watched.page.locator("a.statement-link").first.click()
        page = watched.page
        first = page.inner_text("#first-report")
        assert "First reported by Outlet 00 on 2025-02-01" in first
        assert page.locator("#first-report a.article-link").count() == 1
        variants = page.locator("li.variant")
        assert variants.count() == 4  # four wordings, not 300 variants
        assert variants.nth(0).get_attribute("data-quotes") == "200"
        assert "200 quotes in 200 articles from 20 outlets" in variants.nth(0).inner_text()
        assert "and 12 more" in variants.nth(0).inner_text()
        assert "possible misquote: ready → steady" in variants.nth(2).inner_text()
        bars = _boxes(watched, "svg#spread-chart rect.bar")
        chart = page.locator("svg#spread-chart").bounding_box()
        assert chart is not None and len(bars) == 15  # a day each
        assert len({round(b["x"]) for b in bars}) == 15  # side by side, not piled up
        assert bars[-1]["x"] - bars[0]["x"] > 0.8 * chart["width"]
        assert page.locator("svg#spread-chart .x-tick").count() >= 4
        assert page.locator("svg#spread-chart .y-tick").count() >= 2
        assert len(page.content()) < 40_000
        watched.shot("statement-300")
        watched.goto(page.url + "?offset=2")
        assert page.locator("li.variant").count() == 2
        assert "3–4 of 4 wordings" in page.inner_text("nav.pager")
        watched.clean()


def test_a_speaker_with_a_year_of_quotes_has_a_time_axis_and_a_scale(
    watched: Watched, pages_url: str
) -> None:
    page = watched.page
    watched.goto(pages_url + "/speakers?kind=person")
    page.locator("table.speakers a.speaker", has_text="Maren Holt").click()
    assert page.inner_text("h1") == "Maren Holt"
    assert page.inner_text("#gender") == "female (pronoun)"
    assert page.get_attribute("svg#timeline", "data-unit") == "week"
    ticks = _texts(watched, "svg#timeline .x-tick")
    assert len(ticks) >= 4 and ticks[0] == "2025-01" and all(t.startswith("2025-") for t in ticks)
    assert _texts(watched, "svg#timeline .y-tick")[0] == "0"
    chart = page.locator("svg#timeline").bounding_box()
    bars = [b for b in _boxes(watched, "svg#timeline rect.bar") if b["height"] > 0]
    assert chart is not None and len(bars) == 25  # a week each: every quote in its own
    assert bars[0]["x"] - chart["x"] < 0.1 * chart["width"]  # January at the left …
    assert bars[-1]["x"] - chart["x"] > 0.9 * chart["width"]  # … December at the right
    assert all(b["width"] >= 3 for b in bars)
    watched.shot("speaker-year")
    page.click("#all-quotes")
    assert page.inner_text("#count") == "25 quotes"
    watched.clean()


def test_the_speakers_list_filters_by_kind_and_gender(watched: Watched, pages_url: str) -> None:
    page = watched.page
    watched.goto(pages_url + "/speakers")
    assert page.locator("table.speakers a.speaker").count() == 2
    page.select_option("select[name=kind]", "person")
    page.select_option("select[name=gender]", "female")
    page.click("button[type=submit]")
    page.wait_for_url("**/speakers?*gender=female*")
    assert page.locator("table.speakers a.speaker").all_inner_texts() == ["Maren Holt"]
    watched.shot("speakers-list")
    watched.clean()


def test_an_article_from_json_lines_reads_as_paragraphs(watched: Watched, pages_url: str) -> None:
    page = watched.page
    watched.goto(pages_url + "/?q=dues")
    page.locator("li.hit a.article-link").first.click()
    assert page.inner_text("article time") == "2025-03-03"
    text = page.inner_text("#article-text")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert paragraphs[:2] == ["Harbour dues rise in spring", "The harbour board met on Monday."]
    assert len(paragraphs) == 5
    mark = page.locator("#article-text mark.quote")
    assert mark.count() == 1  # one highlight across the paragraph break
    rects = mark.evaluate("e => e.getClientRects().length")
    assert rects >= 2 and "new quay" in mark.inner_text()
    watched.shot("article-paragraphs")
    watched.clean()


def test_a_researcher_renames_a_speaker_with_the_form(watched: Watched, tmp_path: Path) -> None:
    """Curation (issue 16): the speaker page's form, behind the ingest token, renames."""
    path = build_store(tmp_path / "curate.db")
    speaker = ids(path)["speaker:Tomas Berg"]
    page = watched.page
    with serving(path, ingest_token=TOKEN) as url:
        watched.goto(f"{url}/speakers/{speaker}")
        assert not page.is_visible("#curate-token")  # folded away until asked for
        page.click("#curate summary")
        page.select_option("#curate-action", "rename")
        page.fill("#curate-value", "Tomas Berg-Lund")
        page.fill("#curate-token", TOKEN)
        watched.shot("curation-form")
        page.click("#curate-submit")
        page.wait_for_selector("#curated")
        assert (
            page.inner_text("#curated") == f"renamed Tomas Berg (#{speaker}) to 'Tomas Berg-Lund'"
        )
        watched.shot("curation")
        page.click("#back")
        assert page.inner_text("h1") == "Tomas Berg-Lund"
        assert "Tomas Berg" in page.inner_text("dd.aliases")
        watched.clean()
