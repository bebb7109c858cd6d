"""The HTML pages: search, speakers, one speaker, who gets quoted, articles and statements.

Server-rendered with Jinja2 (autoescape on), plain links and GET forms. Form
values arrive as text and are checked here, so a bad date or query is shown
on the page with what is wrong (HTTP 400), never a stack trace.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.datastructures import QueryParams

from saidwhat.errors import SaidwhatError
from saidwhat.model import EntityKind, Gender, QuoteType
from saidwhat.server.charts import female_share_timeline, gender_bars, time_chart
from saidwhat.server.highlight import highlight_article, highlight_words, quote_tip
from saidwhat.server.render import render
from saidwhat.server.state import MAX_ID, MAX_OFFSET, PAGE_SIZE, ServerState
from saidwhat.store.export import (
    QUOTE_EXPORT_FIELDS,
    ExportFormat,
    search_export,
    text_header,
    text_rows,
)
from saidwhat.store.gender import GenderGrouping, gender_counts
from saidwhat.store.queries import SpeakerDetail, article_detail, speaker_detail
from saidwhat.store.search import (
    FacetCount,
    Facets,
    QuoteFilter,
    SearchError,
    SearchOrder,
    facet_counts,
    search_order,
    search_quotes,
    speaker_ids,
    speaker_total,
    top_speakers,
)
from saidwhat.store.statements import (
    carriers_per_day,
    list_statements,
    outlet_spread,
    similar_from_others,
    statement_summary,
    wording_groups,
)
from saidwhat.store.store import Store

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_FIELD = 500


class FormError(SaidwhatError):
    """A form value the page cannot use; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page of results sits, and the links to its neighbours."""

    total: int
    offset: int
    shown: int
    previous: str | None
    next: str | None
    exact: bool = True  # False: more than ``total`` (a search counts up to a bound)

    @property
    def first(self) -> int:
        return self.offset + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.offset + self.shown


def _pager(
    path: str,
    params: dict[str, str],
    total: int,
    offset: int,
    shown: int,
    *,
    exact: bool = True,
) -> Pager:
    def link(to: int) -> str:
        kept = {k: v for k, v in params.items() if v}
        if to:
            kept["offset"] = str(to)
        return path + ("?" + urlencode(kept) if kept else "")

    previous = link(max(0, offset - PAGE_SIZE)) if offset > 0 else None
    following = link(offset + PAGE_SIZE) if offset + shown < total or not exact else None
    return Pager(total, offset, shown, previous, following, exact)


def _text(params: QueryParams, name: str) -> str:
    value = params.get(name, "").strip()
    if len(value) > MAX_FIELD:
        raise FormError(f"{name} is longer than {MAX_FIELD} characters")
    return value


def _offset(params: QueryParams) -> int:
    raw = params.get("offset", "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) > MAX_OFFSET:
        raise FormError(f"offset must be a whole number from 0 to {MAX_OFFSET}, not {raw[:40]!r}")
    return int(raw)


def _id_param(params: QueryParams, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise FormError(f"{name} must be a positive whole number, not {raw[:40]!r}")
    return int(raw)


_Choice = TypeVar("_Choice", bound=StrEnum)


def _choice(kind: type[_Choice], name: str, value: str) -> _Choice | None:
    """The member of ``kind`` typed as ``value`` (None when empty); FormError naming the rest."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise FormError(f"{name} must be one of {known}, not {value!r}") from None


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The search form's values as typed (strings, '' when empty)."""

    q: str = ""
    speaker: str = ""
    outlet: str = ""
    since: str = ""
    until: str = ""
    type: str = ""
    kind: str = ""
    gender: str = ""
    min_confidence: str = ""
    sort: str = ""  # relevance, newest or oldest; '': relevance with words, else newest

    @classmethod
    def from_query(cls, params: QueryParams) -> SearchForm:
        return cls(**{name: _text(params, name) for name in cls.__slots__})

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.__slots__}

    def quote_filter(self) -> QuoteFilter:
        """The filter these values ask for; FormError or SearchError when one cannot be used."""
        _check_days(self.since, self.until)
        return QuoteFilter(
            text=self.q or None,
            speaker=self.speaker or None,
            outlet=self.outlet or None,
            since=self.since or None,
            until=self.until or None,
            type=_choice(QuoteType, "type", self.type),
            kind=_choice(EntityKind, "kind", self.kind),
            gender=_choice(Gender, "gender", self.gender),
            min_confidence=_confidence(self.min_confidence),
        )

    def order(self) -> SearchOrder | None:
        """The order asked for (None: the default); FormError when it is none of them."""
        return _choice(SearchOrder, "sort", self.sort)

    def link(self, path: str = "/", **changed: str) -> str:
        """``path`` and a query of these values, ``changed`` ones replaced, empty ones left out."""
        kept = {k: v for k, v in {**self.values(), **changed}.items() if v}
        return path + ("?" + urlencode(kept) if kept else "")


@dataclass(frozen=True, slots=True)
class FacetLink:
    """One value of a facet on the search page: what it is, how many, the search with it."""

    label: str
    quotes: int
    href: str | None  # None: quotes with no value, which no filter selects
    chosen: bool


@dataclass(frozen=True, slots=True)
class FacetGroup:
    """A facet on the search page: the filter it sets, its values, and a link without it."""

    name: str  # the form field
    title: str
    links: list[FacetLink]
    cleared: str | None  # the search without this filter (None: it is not set)
    note: str = ""


# How the search page names a facet's values, where the value itself does not read well.
GENDER_LABELS = {
    Gender.FEMALE.value: "women",
    Gender.MALE.value: "men",
    Gender.UNKNOWN.value: "unknown",
}
NO_VALUE = {"outlet": "no outlet", "kind": "no speaker"}


def _facet_group(
    form: SearchForm, name: str, title: str, counts: list[FacetCount], note: str = ""
) -> FacetGroup:
    chosen = getattr(form, name)
    labels = GENDER_LABELS if name == "gender" else {}
    links = [
        FacetLink(
            label=labels.get(c.value, c.value) if c.value is not None else NO_VALUE[name],
            quotes=c.quotes,
            href=None if c.value is None else form.link(**{name: c.value}),
            chosen=c.value is not None and c.value.casefold() == chosen.casefold(),
        )
        for c in counts
    ]
    return FacetGroup(name, title, links, form.link(**{name: ""}) if chosen else None, note)


def facet_groups(form: SearchForm, facets: Facets) -> list[FacetGroup]:
    """The facets of the search page, each value a link to the search with it."""
    shown = len(facets.outlets)
    outlets_note = f"top {shown} of {facets.outlet_total}" if facets.outlet_total > shown else ""
    return [
        _facet_group(form, "outlet", "Outlet", facets.outlets, outlets_note),
        _facet_group(form, "type", "Type", facets.types),
        _facet_group(form, "kind", "Speaker kind", facets.kinds),
        _facet_group(form, "gender", "Speaker's gender", facets.genders, "people only"),
    ]


def _check_days(since: str, until: str) -> None:
    """FormError unless each of ``since`` and ``until`` is empty or a date."""
    for name, value in (("since", since), ("until", until)):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise FormError(f"{name} takes a date as YYYY-MM-DD, not {value!r}") from None


def _confidence(value: str) -> float:
    """The min confidence typed (0 when empty); FormError unless it is from 0 to 1."""
    if not value:
        return 0.0
    try:
        confidence = float(value)
    except ValueError:
        confidence = math.nan
    if not 0.0 <= confidence <= 1.0:
        raise FormError(f"min confidence must be a number from 0 to 1, not {value!r}")
    return confidence


@dataclass(frozen=True, slots=True)
class GenderForm:
    """The filters of the who-gets-quoted page, as typed."""

    outlet: str = ""
    since: str = ""
    until: str = ""
    min_confidence: str = ""

    @classmethod
    def from_query(cls, params: QueryParams) -> GenderForm:
        return cls(**{name: _text(params, name) for name in cls.__slots__})

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.__slots__}

    def quote_filter(self) -> QuoteFilter:
        """The quotes these values ask for; FormError when one cannot be used."""
        _check_days(self.since, self.until)
        return QuoteFilter(
            outlet=self.outlet or None,
            since=self.since or None,
            until=self.until or None,
            min_confidence=_confidence(self.min_confidence),
        )


def _speaker_search_link(store: Store, speaker: SpeakerDetail) -> str | None:
    """The search page listing exactly ``speaker``'s quotes: by knowledge-base id, else by
    name, whichever the search's speaker field takes to this speaker alone (None: neither)."""
    for value in (speaker.external_id, speaker.name):
        if value and speaker_ids(store, value) == [speaker.speaker_id]:
            return "/?" + urlencode({"speaker": value})
    return None


MAX_DOWNLOAD_ROWS = 100_000
DOWNLOADS = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSONL: "application/x-ndjson; charset=utf-8",
}


def _download(state: ServerState, params: QueryParams, fmt: ExportFormat) -> Response:
    """The quotes of the search ``params`` ask for as a CSV or JSON Lines attachment.

    At most ``MAX_DOWNLOAD_ROWS``, in the page's order, with the columns of
    ``saidwhat export``'s quotes table; a form value that cannot be used is
    a 400 with the reason, as on the page.
    """
    try:
        form = SearchForm.from_query(params)
        where = form.quote_filter()
        order = search_order(where, form.order())
        with state.read() as store:  # the words are checked before the download starts
            search_quotes(store, where, limit=0)
    except (FormError, SearchError) as exc:
        return PlainTextResponse(str(exc), status_code=400)

    def chunks() -> Generator[str]:
        with state.read() as store:
            yield text_header(fmt, QUOTE_EXPORT_FIELDS)
            for batch in search_export(store, where, fmt, order=order, limit=MAX_DOWNLOAD_ROWS):
                yield text_rows(batch, fmt, QUOTE_EXPORT_FIELDS)

    return StreamingResponse(
        _in_one_thread(chunks),
        media_type=DOWNLOADS[fmt],
        headers={"content-disposition": f'attachment; filename="saidwhat-quotes.{fmt.value}"'},
    )


async def _in_one_thread(make: Callable[[], Generator[str]]) -> AsyncIterator[str]:
    """The items of ``make()``, all made in one worker thread of their own.

    A sqlite3 connection may only be used in the thread that opened it, and
    a streamed response would otherwise fetch each chunk in any thread of
    the pool (and close the generator in whichever thread collects it).
    """
    loop = asyncio.get_running_loop()
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="download")
    items = make()  # a generator: nothing of it runs until the first next()
    try:
        while (item := await loop.run_in_executor(worker, next, items, None)) is not None:
            yield item
    finally:
        # Closed in its thread too, without waiting: a client that went away cancels
        # this generator, and a cancelled task cannot await anything more.
        worker.submit(items.close)
        worker.shutdown(wait=False)


def page_router(state: ServerState) -> APIRouter:
    """The HTML pages over the store of ``state``."""
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    @router.get("/")
    def search_page(request: Request) -> HTMLResponse:
        params = request.query_params
        form = SearchForm()
        try:
            form = SearchForm.from_query(params)
            offset = _offset(params)
            where = form.quote_filter()
            order = search_order(where, form.order())
            with state.read() as store:
                result = search_quotes(store, where, limit=PAGE_SIZE, offset=offset, order=order)
                facets = facet_counts(store, where)
        except (FormError, SearchError) as exc:
            return render("search.html", 400, form=form.values(), error=str(exc), result=None)
        pager = _pager(
            "/", form.values(), result.total, offset, len(result.hits), exact=result.exact
        )
        return render(
            "search.html",
            form=form.values(),
            error=None,
            result=result,
            pager=pager,
            order=order,
            relevance_unranked=form.sort == SearchOrder.RELEVANCE and not where.text,
            marked={hit.quote_id: highlight_words(hit.content_text, form.q) for hit in result.hits},
            facets=facet_groups(form, facets),
            facets_sampled=facets.sampled,
            downloads={fmt.value: form.link(f"/search.{fmt.value}") for fmt in DOWNLOADS},
            download_cap=MAX_DOWNLOAD_ROWS,
        )

    @router.get("/search.csv", response_class=StreamingResponse)
    def search_csv(request: Request) -> Response:
        return _download(state, request.query_params, ExportFormat.CSV)

    @router.get("/search.jsonl", response_class=StreamingResponse)
    def search_jsonl(request: Request) -> Response:
        return _download(state, request.query_params, ExportFormat.JSONL)

    @router.get("/speakers")
    def speakers_page(request: Request) -> HTMLResponse:
        params = request.query_params
        form = {"name": "", "kind": "", "gender": ""}
        include_unresolved = params.get("all", "") not in ("", "0", "false")
        include_hidden = params.get("hidden", "") not in ("", "0", "false")
        try:
            form = {field: _text(params, field) for field in form}
            offset = _offset(params)
            kind = _choice(EntityKind, "kind", form["kind"])
            gender = _choice(Gender, "gender", form["gender"])
        except FormError as exc:
            return render(
                "speakers.html",
                400,
                form=form,
                include_unresolved=include_unresolved,
                include_hidden=include_hidden,
                error=str(exc),
                rows=[],
                pager=None,
            )
        named = form["name"] or None
        with state.read() as store:
            rows = top_speakers(
                store,
                limit=PAGE_SIZE,
                offset=offset,
                name=named,
                unresolved=include_unresolved,
                kind=kind,
                gender=gender,
                hidden=include_hidden,
            )
            total = speaker_total(
                store,
                name=named,
                unresolved=include_unresolved,
                kind=kind,
                gender=gender,
                hidden=include_hidden,
            )
        kept = {
            **form,
            "all": "1" if include_unresolved else "",
            "hidden": "1" if include_hidden else "",
        }
        pager = _pager("/speakers", kept, total, offset, len(rows))
        return render(
            "speakers.html",
            form=form,
            include_unresolved=include_unresolved,
            include_hidden=include_hidden,
            error=None,
            rows=rows,
            pager=pager,
        )

    @router.get("/gender")
    def gender_page(request: Request) -> HTMLResponse:
        form = GenderForm()
        try:
            form = GenderForm.from_query(request.query_params)
            where = form.quote_filter()
            with state.read() as store:
                by_outlet = gender_counts(store, where, GenderGrouping.OUTLET)
                by_month = gender_counts(store, where, GenderGrouping.MONTH)
        except (FormError, SearchError) as exc:
            return render("gender.html", 400, form=form.values(), error=str(exc), filtered=True)
        return render(
            "gender.html",
            form=form.values(),
            filtered=any(form.values().values()),
            error=None,
            by_outlet=by_outlet,
            by_month=by_month,
            bars=gender_bars(by_outlet.rows),
            timeline=female_share_timeline(by_month.rows),
        )

    @router.get("/speakers/{speaker_id}")
    def speaker_page(speaker_id: Id) -> HTMLResponse:
        with state.read() as store:
            detail = speaker_detail(store, speaker_id)
            if detail is None:
                return render("error.html", 404, status=404, message="No such speaker.")
            listed = list_statements(store, speaker_id=speaker_id, limit=PAGE_SIZE)
            quotes_link = _speaker_search_link(store, detail)
        return render(
            "speaker.html",
            speaker=detail,
            timeline=time_chart(detail.days),
            statements=listed.items,
            statements_total=listed.total,
            statements_exact=listed.exact,
            quotes_link=quotes_link,
        )

    @router.get("/articles/{article_id}")
    def article_page(article_id: Id) -> HTMLResponse:
        with state.read() as store:
            detail = article_detail(store, article_id)
        if detail is None:
            return render("error.html", 404, status=404, message="No such article.")
        speakers: dict[int, str] = {}
        for quote in detail.quotes:
            if quote.speaker_id is not None and quote.speaker_entity:
                speakers.setdefault(quote.speaker_id, quote.speaker_entity)
        return render(
            "article.html",
            article=detail,
            highlighted=highlight_article(detail.text, detail.quotes),
            tips={q.quote_id: quote_tip(q) for q in detail.quotes},
            speakers=sorted(speakers.items(), key=lambda kv: kv[1]),
        )

    @router.get("/statements")
    def statements_page(request: Request) -> HTMLResponse:
        params = request.query_params
        try:
            offset = _offset(params)
            speaker_id = _id_param(params, "speaker_id")
        except FormError as exc:
            return render("error.html", 400, status=400, message=str(exc))
        with state.read() as store:
            listed = list_statements(store, speaker_id=speaker_id, limit=PAGE_SIZE, offset=offset)
        kept = {"speaker_id": str(speaker_id) if speaker_id else ""}
        pager = _pager(
            "/statements", kept, listed.total, offset, len(listed.items), exact=listed.exact
        )
        return render("statements.html", rows=listed.items, pager=pager, speaker_id=speaker_id)

    @router.get("/statements/{statement_id}")
    def statement_page(statement_id: Id, request: Request) -> HTMLResponse:
        try:
            offset = _offset(request.query_params)
        except FormError as exc:
            return render("error.html", 400, status=400, message=str(exc))
        with state.read() as store:
            summary = statement_summary(store, statement_id)
            if summary is None:
                return render("error.html", 404, status=404, message="No such statement.")
            total, groups = wording_groups(store, summary, limit=PAGE_SIZE, offset=offset)
            outlets = outlet_spread(store, statement_id)
            per_day = carriers_per_day(store, statement_id)
            echoes = similar_from_others(store, statement_id)
        pager = _pager(f"/statements/{statement_id}", {}, total, offset, len(groups))
        return render(
            "statement.html",
            summary=summary,
            verbatim=[g for g in groups if not g.variant.reported],
            reported=[g for g in groups if g.variant.reported],
            echoes=echoes,
            pager=pager,
            outlets=outlets,
            spread=time_chart(per_day, noun="article"),
        )

    return router
