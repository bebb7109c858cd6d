"""Curation on the server: the speaker edits of ``saidwhat.store.curation`` over HTTP.

Behind the ingest token, as ``POST /api/articles`` is: JSON routes under
``/api/speakers/{id}/`` (``merge``, ``rename``, ``split``, ``hide``) that
need ``Authorization: Bearer <token>``, and the form on each speaker's page
(``_curate.html``), which posts the token as a field to
``/speakers/{id}/curate`` and gets a page saying what changed. Edits take
the server's one writer lock, so they never race an ingest.
"""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from saidwhat.server.render import render
from saidwhat.server.state import MAX_ID, ServerState
from saidwhat.store import Store
from saidwhat.store.curation import (
    Edit,
    SpeakerEditError,
    hide,
    merge,
    rename,
    resolve_speaker,
    split,
)

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Name = Annotated[str, Field(min_length=1, max_length=500)]
MAX_FORM_BYTES = 16 * 1024

ACTIONS = ("rename", "merge", "split", "hide", "unhide")  # what the speaker page's form offers


def token_matches(expected: str | None, given: str) -> bool:
    """Whether ``given`` is the server's token (compared in constant time; no token: never)."""
    if expected is None:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def _edit(state: ServerState, make: Callable[[Store], Edit]) -> Edit:
    """Make one edit on a writable store, under the lock every write of the server takes."""
    with state.ingest_lock, Store(state.db_path) as store:
        return make(store)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    others: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]], Field(min_length=1, max_length=100)
    ]


class RenameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alias: Name


class HideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hidden: bool = True


def add_curation_routes(
    router: APIRouter, state: ServerState, authorised: Callable[..., None]
) -> None:
    """The JSON edit routes on the ``/api`` router, each behind ``authorised`` (the token)."""

    def answer(make: Callable[[Store], Edit]) -> dict[str, Any]:
        try:
            return dataclasses.asdict(_edit(state, make))
        except SpeakerEditError as exc:
            raise HTTPException(exc.status, str(exc)) from exc

    needs_token = [Depends(authorised)]

    @router.post(
        "/speakers/{speaker_id}/merge",
        summary="Merge speakers into this one (token)",
        dependencies=needs_token,
    )
    def merge_speakers(speaker_id: Id, body: MergeIn) -> dict[str, Any]:
        """Move the ``others``' quotes, names and ids to this speaker; their names stay its."""
        return answer(lambda store: merge(store, speaker_id, body.others))

    @router.post(
        "/speakers/{speaker_id}/rename",
        summary="Rename a speaker (token)",
        dependencies=needs_token,
    )
    def rename_speaker(speaker_id: Id, body: RenameIn) -> dict[str, Any]:
        """Give the speaker ``name``; its old name stays an alias."""
        return answer(lambda store: rename(store, speaker_id, body.name))

    @router.post(
        "/speakers/{speaker_id}/split",
        summary="Split an alias off a speaker (token)",
        dependencies=needs_token,
    )
    def split_speaker(speaker_id: Id, body: SplitIn) -> dict[str, Any]:
        """Make ``alias`` a speaker of its own, with the quotes whose article named it so."""
        return answer(lambda store: split(store, speaker_id, body.alias))

    @router.post(
        "/speakers/{speaker_id}/hide",
        summary="Hide or show a speaker (token)",
        dependencies=needs_token,
    )
    def hide_speaker(speaker_id: Id, body: HideIn) -> dict[str, Any]:
        """Leave the speaker out of lists and searches (``hidden`` false: show it again)."""
        return answer(lambda store: hide(store, speaker_id, body.hidden))


def form_edit(action: str, value: str) -> Callable[[Store, int], Edit]:
    """The edit the speaker page's form asks for; SpeakerEditError when it cannot mean one."""
    if action not in ACTIONS:
        raise SpeakerEditError(f"action must be one of {', '.join(ACTIONS)}, not {action[:40]!r}")
    if action in ("hide", "unhide"):
        return lambda store, speaker: hide(store, speaker, action == "hide")
    if not value.strip():
        wanted = {
            "rename": "the new name",
            "merge": "the speaker to merge in",
            "split": "the alias",
        }
        raise SpeakerEditError(f"{action} needs {wanted[action]}")
    if action == "rename":
        return lambda store, speaker: rename(store, speaker, value)
    if action == "split":
        return lambda store, speaker: split(store, speaker, value)
    return lambda store, speaker: merge(store, speaker, [resolve_speaker(store, value)])


def curation_page_router(state: ServerState) -> APIRouter:
    """``POST /speakers/{id}/curate``: the speaker page's form, answered with a page."""
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    @router.post("/speakers/{speaker_id}/curate")
    async def curate_page(speaker_id: Id, request: Request) -> HTMLResponse:
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return _done(413, speaker_id, "the form is too large")
        fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", errors="replace")).items()}
        if state.ingest_token is None:
            message = "this server takes no edits: start it with --ingest-token to curate"
            return _done(403, speaker_id, message)
        if not token_matches(state.ingest_token, fields.get("token", "")):
            return _done(401, speaker_id, "the token is not this server's --ingest-token")
        try:
            make = form_edit(fields.get("action", ""), fields.get("value", "")[:500])
            # the edit writes the store: in a worker thread, not on the event loop
            edit = await run_in_threadpool(_edit, state, lambda store: make(store, speaker_id))
        except SpeakerEditError as exc:
            return _done(exc.status, speaker_id, str(exc))
        return _done(200, edit.speaker_id, edit.message, edit.new_speaker_id)

    return router


def _done(
    status: int, speaker_id: int, message: str, new_speaker_id: int | None = None
) -> HTMLResponse:
    return render(
        "curated.html",
        status,
        status=status,
        speaker_id=speaker_id,
        message=message,
        new_speaker_id=new_speaker_id,
    )
