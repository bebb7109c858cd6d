"""The Jinja2 environment of the pages: autoescape on, strict about missing names.

Everything a template prints from the store is escaped by Jinja; the one
piece of prebuilt HTML (an article's highlighted text) is built by
``saidwhat.server.highlight``, which escapes every piece of text itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from saidwhat.server.charts import percent
from saidwhat.server.highlight import speaker_class


def day(published: str | None) -> str:
    """The date part of a stored ``published`` value ('' when unknown)."""
    return (published or "")[:10]


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
)
ENV.filters.update(day=day, web_url=web_url, speaker_class=speaker_class, percent=percent)


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context``, as a response."""
    html = ENV.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code)
