"""The JSON API: quotes, speakers, who gets quoted, articles, statements; (token) ingest.

Every read opens the store read-only for the one request, in the thread
that serves it (sqlite3 connections stay in their thread). Parameters are
validated by FastAPI (422 with what is wrong); a search the user wrote that
cannot run is a 400 with the SearchError's message.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from saidwhat.ingest import IngestSummary, ingest_stream
from saidwhat.model import Article, EntityKind, Gender, QuoteType
from saidwhat.server.curation import add_curation_routes, token_matches
from saidwhat.server.state import MAX_ID, MAX_OFFSET, ServerState
from saidwhat.store import Store, content_hash
from saidwhat.store.gender import GenderGrouping, gender_counts
from saidwhat.store.queries import article_detail, speaker_detail
from saidwhat.store.search import (
    QuoteFilter,
    SearchOrder,
    search_quotes,
    speaker_total,
    top_speakers,
)
from saidwhat.store.statements import list_statements, statement_detail

MAX_ARTICLES_PER_REQUEST = 100
MAX_TEXT_CHARS = 1_000_000

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page (1–200).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (paging).")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str | None, Query(max_length=500)]
Since = Annotated[date | None, Query(description="Published on or after.")]
Until = Annotated[date | None, Query(description="Published on or before.")]
MinConfidence = Annotated[float, Query(ge=0.0, le=1.0)]


def _page(
    total: int, limit: int, offset: int, items: list[Any], *, exact: bool = True
) -> dict[str, Any]:
    """One page of a list; ``total_exact`` false: there are more than ``total``."""
    return {
        "total": total,
        "total_exact": exact,
        "limit": limit,
        "offset": offset,
        "items": [dataclasses.asdict(item) for item in items],
    }


def _not_found(what: str, item_id: int) -> HTTPException:
    return HTTPException(404, f"no {what} with id {item_id}")


class ArticleIn(BaseModel):
    """One article to ingest: its text, and what is known about it."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
    id: Annotated[str | None, Field(max_length=500)] = None
    url: Annotated[str | None, Field(max_length=2000)] = None
    outlet: Annotated[str | None, Field(max_length=500)] = None
    published: Annotated[str | None, Field(max_length=64)] = None
    title: Annotated[str | None, Field(max_length=2000)] = None

    @field_validator("text")
    @classmethod
    def _has_words(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the text is blank")
        return text

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str | None) -> str | None:
        if url is not None and not url.lower().startswith(("http://", "https://")):
            raise ValueError("url must be an http:// or https:// address")
        return url

    @field_validator("published")
    @classmethod
    def _iso_date(cls, published: str | None) -> str | None:
        if published is not None:
            try:
                date.fromisoformat(published[:10])
            except ValueError:
                raise ValueError("published must start with a date as YYYY-MM-DD") from None
        return published

    def article(self) -> Article:
        return Article(
            id=self.id or f"api-{content_hash(self.text)[:16]}",
            text=self.text,
            url=self.url,
            outlet=self.outlet,
            published=self.published,
            title=self.title,
        )


IngestBody = Annotated[
    ArticleIn
    | Annotated[list[ArticleIn], Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)],
    Body(description=f"One article, or a list of at most {MAX_ARTICLES_PER_REQUEST}."),
]


def api_router(state: ServerState) -> APIRouter:
    """The ``/api`` routes over the store of ``state``."""
    router = APIRouter(prefix="/api", tags=["api"])

    @router.get("/quotes", summary="Search quotes")
    def quotes(
        q: Annotated[
            str | None,
            Query(
                max_length=500,
                description='Words that must all occur; "a phrase"; OR, NOT; prefix*.',
            ),
        ] = None,
        speaker: Annotated[
            str | None, Query(max_length=500, description="Name, alias, surname or KB id.")
        ] = None,
        outlet: Text = None,
        since: Since = None,
        until: Until = None,
        quote_type: Annotated[QuoteType | None, Query(alias="type")] = None,
        gender: Annotated[
            Gender | None,
            Query(
                description="The speaker's gender as the articles show it (pronouns, "
                "honorifics, gendered nouns, else a first-name dictionary); unknown: a person "
                "they show no gender for."
            ),
        ] = None,
        kind: Annotated[
            EntityKind | None, Query(description="The speaker's kind (person, organisation …).")
        ] = None,
        min_confidence: MinConfidence = 0.0,
        sort: Annotated[
            SearchOrder | None,
            Query(description="relevance (the default with q), newest (else) or oldest first."),
        ] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        where = QuoteFilter(
            text=q or None,
            speaker=speaker or None,
            outlet=outlet or None,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            type=quote_type,
            gender=gender,
            kind=kind,
            min_confidence=min_confidence,
        )
        with state.read() as store:
            result = search_quotes(store, where, limit=limit, offset=offset, order=sort)
        page = _page(result.total, limit, offset, result.hits, exact=result.exact)
        page["ranked_among"] = result.ranked  # best match first among only the latest this many
        return page

    @router.get("/speakers", summary="Speakers, most quoted first")
    def speakers(
        name: Annotated[str | None, Query(max_length=500)] = None,
        include_unresolved: Annotated[
            bool,
            Query(
                alias="all",
                description='Also the descriptions no article tied to anyone ("one witness").',
            ),
        ] = False,
        hidden: Annotated[bool, Query(description="Also the speakers a user hid.")] = False,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        named = name or None
        with state.read() as store:
            rows = top_speakers(
                store,
                limit=limit,
                offset=offset,
                name=named,
                unresolved=include_unresolved,
                hidden=hidden,
            )
            total = speaker_total(store, name=named, unresolved=include_unresolved, hidden=hidden)
        return _page(total, limit, offset, rows)

    @router.get("/gender", summary="Who gets quoted: quotes by speaker gender")
    def gender(
        by: Annotated[
            GenderGrouping, Query(description="A row for each outlet, month, or both.")
        ] = GenderGrouping.OUTLET,
        outlet: Text = None,
        since: Since = None,
        until: Until = None,
        min_confidence: MinConfidence = 0.0,
    ) -> dict[str, Any]:
        """Quotes by people, by the gender the articles show, with the women's share.

        Only quotes whose speaker is a person count (named or not); quotes of
        organisations and groups are ``not_person``, quotes without a speaker
        ``no_speaker``. ``share_female`` is female / (female + male), null
        when neither.
        """
        where = QuoteFilter(
            outlet=outlet or None,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            min_confidence=min_confidence,
        )
        with state.read() as store:
            report = gender_counts(store, where, by)
        return {
            "by": report.by.value,
            "rows": [dataclasses.asdict(row) for row in report.rows],
            "overall": dataclasses.asdict(report.overall),
        }

    @router.get("/speakers/{speaker_id}", summary="One speaker")
    def speaker(speaker_id: Id) -> dict[str, Any]:
        with state.read() as store:
            detail = speaker_detail(store, speaker_id)
            if detail is None:
                raise _not_found("speaker", speaker_id)
            statements = list_statements(store, speaker_id=speaker_id, limit=20).items
        out = dataclasses.asdict(detail)
        out["statements"] = [dataclasses.asdict(s) for s in statements]
        return out

    @router.get("/articles/{article_id}", summary="One article with its quotes and offsets")
    def article(article_id: Id) -> dict[str, Any]:
        with state.read() as store:
            detail = article_detail(store, article_id)
        if detail is None:
            raise _not_found("article", article_id)
        return dataclasses.asdict(detail)

    @router.get("/statements", summary="Statements, most carried first")
    def statements(
        speaker_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        with state.read() as store:
            listed = list_statements(store, speaker_id=speaker_id, limit=limit, offset=offset)
        return _page(listed.total, limit, offset, listed.items, exact=listed.exact)

    @router.get("/statements/{statement_id}", summary="One statement and its variants")
    def statement(statement_id: Id) -> dict[str, Any]:
        with state.read() as store:
            detail = statement_detail(store, statement_id)
        if detail is None:
            raise _not_found("statement", statement_id)
        return dataclasses.asdict(detail)

    if state.ingest_token is not None:

        def authorised(
            authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
        ) -> None:
            scheme, _, given = (authorization or "").partition(" ")
            if scheme.lower() != "bearer" or not token_matches(state.ingest_token, given):
                raise HTTPException(
                    401,
                    "ingest needs the header 'Authorization: Bearer <token>' with the server's "
                    "--ingest-token",
                    headers={"WWW-Authenticate": "Bearer"},
                )

        @router.post(
            "/articles",
            summary="Ingest articles (needs the --ingest-token)",
            dependencies=[Depends(authorised)],
        )
        def ingest(body: IngestBody) -> dict[str, Any]:
            items = body if isinstance(body, list) else [body]
            return {"articles": ingest_articles(state, [item.article() for item in items])}

        add_curation_routes(router, state, authorised)  # the speaker edits, behind the same token

    return router


def ingest_articles(state: ServerState, articles: list[Article]) -> list[dict[str, Any]]:
    """Extract and store ``articles`` through the ingest loop; what happened to each, in order.

    One ingest at a time per server process: spaCy pipelines are not made
    to be shared between threads, and SQLite takes one writer anyway.
    """
    done: dict[int, dict[str, Any]] = {}
    with state.ingest_lock, Store(state.db_path) as store:
        stream = ingest_stream(articles, store, state.extractor(), IngestSummary(), source="api")
        for result, added in stream:
            article = result.article
            done[id(article)] = {
                "id": article.id,
                "article_id": added.article_id if added else None,
                "duplicate": added is not None and added.article_id is None,
                "quotes": added.quotes if added else 0,
                "new_speakers": added.new_speakers if added else 0,
                "error": result.error,
            }
            if added is not None and added.article_id is None:  # the same text twice in one request
                done[id(article)]["article_id"] = store.stored_article_id(article)
        out = []
        for article in articles:
            # Not yielded: the store had it before this request.
            record = done.get(id(article)) or {
                "id": article.id,
                "article_id": store.stored_article_id(article),
                "duplicate": True,
            }
            out.append(record)
    return out
