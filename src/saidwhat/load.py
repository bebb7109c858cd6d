"""The Spark job's output: its Parquet layout, and ``load``, which puts it in a store.

``saidwhat spark`` (``saidwhat.spark``) writes four Parquet datasets under its
output directory, each partitioned by publication day
(``published_date=YYYY-MM-DD``, ``published_date=unknown`` when an article
has no date):

- ``articles/``: one row per article, with its text, metadata and
  ``content_hash`` (the store's key, ``saidwhat.store.content_hash``);
- ``quotes/``: one row per quote, every offset indexing the article text,
  with the article's fields and the speaker as the article resolved it;
- ``speakers/``: one row per quote with a speaker: the mention and the
  entity it resolved to *within its article* (name, kind, role, id);
- ``errors/``: every input record that could not be read (``kind=record``)
  and every article whose extraction failed (``kind=extraction``).

The columns are defined once here (``TABLES``) and the job derives its Spark
schema from them, so this module never needs pyspark.

``load_output`` rebuilds each ``ExtractedArticle`` and stores it with
``Store.add``, so speakers are resolved across articles and statements are
linked exactly as ``saidwhat ingest`` does. An article already stored is
skipped and an error row already kept is not kept twice, so loading the same
output again changes nothing. Everything is read batch by batch: the quotes
go first into a temporary SQLite file indexed by article, and the articles
then stream past it, so memory stays flat however large the output.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from saidwhat.errors import BadInput, BadRecord
from saidwhat.ingest import IngestSummary, ingest_records
from saidwhat.model import ARTICLE_FIELDS, QUOTE_FIELDS, Article, ExtractedArticle, Quote
from saidwhat.store import Store, content_hash
from saidwhat.store.export import arrow_fields

PARTITION = "published_date"
UNKNOWN_DATE = "unknown"

# errors/ kinds: a record the readers could not use, or an article extraction failed on.
RECORD_ERROR = "record"
EXTRACTION_ERROR = "extraction"

_S = pa.string()
_I = pa.int64()

_CONTEXT = [("url", _S), ("outlet", _S), ("published", _S), ("title", _S)]
_SPEAKER_FIELDS = [f for f in QUOTE_FIELDS if f.name.startswith("speaker_")]
_ARTICLE_FIELDS = [f for f in ARTICLE_FIELDS if f.name != "text"]

# table → the columns of its files (the partition column lives in the directory names).
# The quote and article columns are the record's fields (saidwhat.model).
TABLES: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            ("content_hash", _S),
            *arrow_fields(_ARTICLE_FIELDS),
            ("input", _S),  # the file the article was read from
            ("error", _S),
            ("quotes", _I),
            ("extra", _S),  # JSON object of the input's other fields
            ("text", _S),
        ]
    ),
    "quotes": pa.schema(
        [
            ("content_hash", _S),
            ("input_id", _S),
            *_CONTEXT,
            ("seq", _I),
            *arrow_fields(QUOTE_FIELDS),
        ]
    ),
    "speakers": pa.schema(
        [
            ("content_hash", _S),
            ("input_id", _S),
            ("outlet", _S),
            ("published", _S),
            ("seq", _I),  # the quote's seq
            *arrow_fields(_SPEAKER_FIELDS),
        ]
    ),
    "errors": pa.schema(
        [
            ("kind", _S),
            ("source", _S),
            ("location", _S),
            ("reason", _S),
            ("input_id", _S),
            ("content_hash", _S),
        ]
    ),
}

_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_BATCH_ROWS = 1000


def published_date(published: str | None) -> str:
    """The partition value of an article: its day of publication, or ``unknown``.

    >>> published_date("2024-05-14T09:30:00+01:00"), published_date("May 2024")
    ('2024-05-14', 'unknown')
    """
    match = _ISO_DAY.match(published or "")
    if match:
        try:
            return date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            pass  # 2024-02-30 and the like
    return UNKNOWN_DATE


# -- the job's side: one result → rows ----------------------------------------------------


def output_rows(result: ExtractedArticle, input_name: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table for one extracted article (``input_name``: the file it came from).

    Each row carries its ``published_date`` partition value besides the
    ``TABLES`` columns.
    """
    article = result.article
    key = content_hash(article.text)
    day = published_date(article.published)
    record = article.to_record()
    context = {name: record[name] for name, _ in _CONTEXT}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    extra = json.dumps(article.extra, ensure_ascii=False, default=str) if article.extra else None
    rows["articles"].append(
        {
            "content_hash": key,
            **record,
            "input": input_name,
            "error": result.error,
            "quotes": len(result.quotes),
            "extra": extra,
            PARTITION: day,
        }
    )
    for seq, quote in enumerate(result.quotes):
        values = quote.to_record()
        values["content_parts"] = [{"start": s, "end": e} for s, e in values["content_parts"]]
        ids = {"content_hash": key, "input_id": article.id}
        rows["quotes"].append({**ids, **context, "seq": seq, **values, PARTITION: day})
        if values["speaker_text"] is not None or values["speaker_entity"] is not None:
            speaker = {f.name: values[f.name] for f in _SPEAKER_FIELDS}
            where = {"outlet": article.outlet, "published": article.published, "seq": seq}
            rows["speakers"].append({**ids, **where, **speaker, PARTITION: day})
    if result.error:
        rows["errors"].append(
            error_row(
                BadRecord(input_name, result.error, f"article {article.id}"),
                EXTRACTION_ERROR,
                input_id=article.id,
                key=key,
                day=day,
            )
        )
    return rows


def error_row(
    bad: BadRecord,
    kind: str = RECORD_ERROR,
    *,
    input_id: str | None = None,
    key: str | None = None,
    day: str = UNKNOWN_DATE,
) -> dict[str, Any]:
    """The ``errors`` row of a BadRecord (with its ``published_date`` partition value)."""
    return {
        "kind": kind,
        "source": bad.source,
        "location": bad.location,
        "reason": bad.reason,
        "input_id": input_id,
        "content_hash": key,
        PARTITION: day,
    }


# -- the load side: rows → ExtractedArticle → store ---------------------------------------


# Columns as saidwhat 0.1 named them → the record's names: its output still loads.
RENAMED_IN_0_2 = {
    "article_id": "input_id",
    "start": "content_start",
    "end": "content_end",
    "content": "content_text",
    "cue": "cue_text",
    "mention": "speaker_text",
    "mention_start": "speaker_start",
    "mention_end": "speaker_end",
    "speaker": "speaker_entity",
}


def _current_names(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with the columns of saidwhat 0.1 under their names of today."""
    old = [name for name in RENAMED_IN_0_2 if name in row and RENAMED_IN_0_2[name] not in row]
    if not old:
        return row
    renamed = {k: v for k, v in row.items() if k not in old}
    renamed.update({RENAMED_IN_0_2[name]: row[name] for name in old})
    return renamed


def quote_from_row(row: dict[str, Any], text: str) -> Quote:
    """One Quote back from its ``quotes`` row; ValueError when the row does not fit ``text``."""
    return Quote.from_record(_current_names(row), text)


def article_from_row(row: dict[str, Any]) -> Article:
    """One Article back from its ``articles`` row; ValueError when the row is unusable."""
    row = _current_names(row)
    text = row.get("text")
    if not isinstance(text, str):
        raise ValueError("article has no text")
    key = row.get("content_hash")
    if key and key != content_hash(text):
        raise ValueError("content_hash does not match the article text")
    extra = json.loads(row["extra"]) if row.get("extra") else {}
    if not isinstance(extra, dict):
        raise ValueError("extra is not a JSON object")
    input_id = row.get("input_id")
    return Article(
        id=str(input_id) if input_id not in (None, "") else content_hash(text)[:16],
        text=text,
        url=row.get("url"),
        outlet=row.get("outlet"),
        published=row.get("published"),
        title=row.get("title"),
        language=str(row.get("language") or "en"),
        extra=extra,
    )


def table_files(directory: Path, table: str) -> list[Path]:
    """The data files of one table below ``directory``, sorted (so undated days come last).

    Hidden files and those starting with ``_`` (``_SUCCESS``, checksums) are
    not data, as Spark and Hive agree.
    """
    root = directory / table
    found: list[Path] = []
    for parent, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        found.extend(Path(parent, f) for f in files if not f.startswith((".", "_")))
    return sorted(found, key=lambda path: path.relative_to(root).parts)


def iter_rows(directory: Path, table: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every row of one table as ``(file, row)``, read one batch of rows at a time."""
    for path in table_files(directory, table):
        try:
            parquet = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise BadInput(f"{path}: not a Parquet file ({exc})") from exc
        with parquet:
            for batch in parquet.iter_batches(batch_size=_BATCH_ROWS):
                for row in batch.to_pylist():
                    yield path, row


def _stage_quotes(directory: Path, staging: sqlite3.Connection) -> None:
    """Copy the quotes rows into ``staging``, indexed by article, so articles can stream."""
    staging.execute("CREATE TABLE quotes (content_hash TEXT, seq INTEGER, row TEXT)")
    batch: list[tuple[str | None, int, str]] = []
    for _, row in iter_rows(directory, "quotes"):
        seq = row.get("seq")
        batch.append((row.get("content_hash"), 0 if seq is None else int(seq), json.dumps(row)))
        if len(batch) >= _BATCH_ROWS:
            staging.executemany("INSERT INTO quotes VALUES (?, ?, ?)", batch)
            batch.clear()
    staging.executemany("INSERT INTO quotes VALUES (?, ?, ?)", batch)
    staging.execute("CREATE INDEX quotes_by_article ON quotes (content_hash, seq)")
    staging.commit()


def _article_records(
    root: Path, staging: sqlite3.Connection, store: Store
) -> Iterator[ExtractedArticle | BadRecord]:
    """Each article of the output with its staged quotes, or a BadRecord for a row that is bad.

    The quotes of an article already stored are not rebuilt: a re-run is quick.
    """
    for path, row in iter_rows(root, "articles"):
        try:
            article = article_from_row(row)
            if store.has_article(article):
                yield ExtractedArticle(article, ())
                continue
            staged = staging.execute(
                "SELECT row FROM quotes WHERE content_hash = ? ORDER BY seq",
                (content_hash(article.text),),
            )
            quotes = tuple(quote_from_row(json.loads(q), article.text) for (q,) in staged)
        except (ValueError, TypeError, KeyError) as exc:
            where = row.get("input_id", row.get("article_id"))
            yield BadRecord(str(path), str(exc), f"article {where}")
            continue
        error = row.get("error") or None
        yield ExtractedArticle(article, () if error else quotes, error)


def _error_records(root: Path) -> Iterator[BadRecord]:
    """The records the job could not read (``kind=record`` rows of ``errors/``)."""
    for _, row in iter_rows(root, "errors"):
        if (row.get("kind") or RECORD_ERROR) == RECORD_ERROR:
            yield BadRecord(
                str(row.get("source") or "?"), str(row.get("reason") or "?"), row.get("location")
            )


def load_output(
    directory: str | Path,
    store: Store,
    *,
    on_progress: Callable[[IngestSummary], None] | None = None,
    on_bad_record: Callable[[BadRecord], None] | None = None,
    bulk: bool = True,
) -> IngestSummary:
    """Store every article of a ``saidwhat spark`` output directory, with its quotes.

    Articles go in day by day (undated last) through the ingest loop, which
    skips those already stored; ``kind=record`` error rows are kept in the
    store's error table once (the failure of an extraction is kept on its
    article, as on ingest). A row that cannot be turned back into an article
    is kept as an error too, and reported through ``on_bad_record``. With
    ``bulk`` (the default) articles are committed in groups
    (``Store.bulk_load``); without it, one by one as ``ingest`` commits them.
    """
    root = Path(directory)
    if not (root / "articles").is_dir():
        raise BadInput(f"{root}: no articles/ here; is it the --output of `saidwhat spark`?")
    with tempfile.TemporaryDirectory(prefix="saidwhat-load-") as tmp:
        staging = sqlite3.connect(Path(tmp) / "quotes.db")
        try:
            _stage_quotes(root, staging)
            records = chain(_article_records(root, staging, store), _error_records(root))
            with store.bulk_load() if bulk else contextlib.nullcontext():
                return ingest_records(
                    records,
                    store,
                    None,
                    errors_once=True,
                    on_progress=on_progress,
                    on_bad_record=on_bad_record,
                )
        finally:
            staging.close()
