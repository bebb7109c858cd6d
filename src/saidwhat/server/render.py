"""The Jinja2 environment of the pages: autoescape on, strict about missing names.

Everything a template prints from the store is escaped by Jinja; the one
piece of prebuilt HTML (an article's highlighted text) is built by
``saidwhat.server.highlight``, which escapes every piece of text itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from saidwhat.model import EntityKind, Gender
from saidwhat.server.charts import percent
from saidwhat.server.highlight import speaker_class


def day(published: str | date | None) -> str:
    """A date or date-time as every page shows dates: the ISO day, YYYY-MM-DD ('' when unknown).

    A stored value that is not ISO (the store keeps what the source gave) is shown as it is.

    >>> day("2026-03-03T00:00:00+00:00"), day(date(2026, 3, 3)), day(None), day("spring 2025")
    ('2026-03-03', '2026-03-03', '', 'spring 2025')
    """
    if isinstance(published, date):
        return published.isoformat()[:10]
    text = (published or "").strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link, else None (never a ``javascript:`` href)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


ENV = Environment(
    loader=PackageLoader("saidwhat.server", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates ship with the package: no stat of each one per page
)
ENV.filters.update(day=day, web_url=web_url, speaker_class=speaker_class, percent=percent)
ENV.globals.update(
    speaker_kinds=tuple(k.value for k in EntityKind), genders=tuple(g.value for g in Gender)
)


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context``, as a response."""
    html = ENV.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code)
