"""An article's metadata from beside its text: front matter, a sidecar ``.json``, the CLI.

A plain-text or HTML file says nothing of where it came from, so the title,
outlet, url and date come from one of three places, each overriding the one
before:

1. **front matter**: a YAML block between two ``---`` lines at the top of a
   ``.txt`` file (the convention of static-site generators), e.g.::

       ---
       title: Harwick bridge to open in May
       outlet: Harwick Courier
       published: 2026-03-03
       url: https://courier.example/bridge
       ---
       The bridge will open in May, the council said on Monday.

   The text after the block is the article; offsets index it.
2. **a sidecar**: ``story.json`` beside ``story.txt`` or ``story.html``, one
   JSON object with the same keys.
3. **the command line**: ``--outlet`` and ``--published`` of ``extract`` and
   ``ingest``, for every article of the run.

Keys other than the article's own are kept in ``Article.extra``; ``date`` is
read as ``published`` when there is no ``published``. YAML is read with
PyYAML's safe loader (no tags, no objects), so front matter is data only.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from saidwhat.errors import BadRecord
from saidwhat.model import Article

# The fields of an Article a record may set, as text.
TEXT_FIELDS = ("url", "outlet", "published", "title", "language")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)
SIDECAR_SUFFIX = ".json"


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def text_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with each of ``TEXT_FIELDS`` as text; ValueError naming one that cannot be.

    Numbers and dates become their text (a YAML ``2026-03-03`` is a date, a
    JSON ``2026`` a number); lists and objects are refused.
    """
    fields = dict(record)
    if "published" not in fields and "date" in fields:
        fields["published"] = fields.pop("date")
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if isinstance(value, list | dict):
            raise ValueError(f"'{name}' is not a string (got {json_type(value)})")
        if isinstance(value, date | datetime):
            fields[name] = value.isoformat()
        elif value is not None and not isinstance(value, str):
            fields[name] = str(value)
    return fields


def with_fields(article: Article, record: Mapping[str, Any]) -> Article:
    """``article`` with the metadata of ``record`` (already ``text_fields``) over its own."""
    known = {name: record[name] for name in TEXT_FIELDS if record.get(name) not in (None, "")}
    extra = {
        key: _plain(value)
        for key, value in record.items()
        if key not in TEXT_FIELDS and key not in ("id", "text", "quotes")
    }
    return dataclasses.replace(article, **known, extra={**article.extra, **extra})


def _plain(value: Any) -> Any:
    """A YAML value as JSON can hold it (dates become their ISO text)."""
    return json.loads(json.dumps(value, default=str))


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """The front matter of a text (``{}`` when none) and the text after it.

    BadRecord when the block is there but is not a YAML mapping.
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise BadRecord(source, f"front matter is not valid YAML{line}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadRecord(source, f"front matter is not a mapping of keys (got {json_type(data)})")
    try:
        return text_fields({str(k): v for k, v in data.items()}), text[match.end() :]
    except ValueError as exc:
        raise BadRecord(source, f"front matter: {exc}") from None


def sidecar_of(path: Path) -> Path:
    """Where the sidecar of an article file is: ``story.json`` for ``story.txt``."""
    return path.with_suffix(SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, Any] | BadRecord | None:
    """The metadata in the sidecar of ``path``: None when there is none, BadRecord when bad."""
    sidecar = sidecar_of(path)
    if sidecar == path or not sidecar.is_file():
        return None
    source = str(sidecar)
    try:
        data = json.loads(sidecar.read_bytes())
    except OSError as exc:
        return BadRecord(source, exc.strerror or str(exc))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return BadRecord(source, f"sidecar is not valid JSON: {exc}")
    if not isinstance(data, dict):
        return BadRecord(source, f"sidecar is not a JSON object (got {json_type(data)})")
    try:
        return text_fields(data)
    except ValueError as exc:
        return BadRecord(source, f"sidecar: {exc}")


def with_sidecar(
    path: Path, records: Iterable[Article | BadRecord]
) -> Iterator[Article | BadRecord]:
    """The records read from ``path``, with its sidecar's metadata on each article.

    A bad sidecar is one BadRecord of its own; the article is still read.
    """
    sidecar = read_sidecar(path)
    if isinstance(sidecar, BadRecord):
        yield sidecar
        sidecar = None
    for record in records:
        yield with_fields(record, sidecar) if sidecar and isinstance(record, Article) else record


def with_run_metadata(
    records: Iterable[Article | BadRecord], *, outlet: str | None, published: str | None
) -> Iterator[Article | BadRecord]:
    """The records with the run's ``--outlet`` and ``--published`` over their own."""
    fields = {"outlet": outlet, "published": published}
    for record in records:
        yield with_fields(record, fields) if isinstance(record, Article) else record
