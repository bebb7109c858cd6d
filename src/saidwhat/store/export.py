"""Export a store as Parquet, CSV or JSON Lines: one file per table.

``quotes`` is denormalised (speaker name and knowledge-base id, article
URL, outlet and date on every row, and what the quote did to its statement's
earliest wording) because that is how analysts load it: one table into
pandas, R or DuckDB. ``statements`` lists each statement once. The quotes
a search finds export the same way (``search_export``: the search page's
downloads). Rows stream from SQLite in chunks and go out in batches, so a
store of any size exports in flat memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from saidwhat.linking import variant_change
from saidwhat.model import ARTICLE_FIELDS, QUOTE_FIELDS, Field, FieldType, QuoteType
from saidwhat.outputs import written_whole
from saidwhat.store.faults import faults_of
from saidwhat.store.rows import QUOTE_CONTEXT, parts_of, quote_columns
from saidwhat.store.search import (
    ORDER_SQL,
    QuoteFilter,
    QuoteSelection,
    SearchOrder,
    search_order,
    select_quotes,
    words_refused,
)
from saidwhat.store.store import Store


class ExportFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    JSONL = "jsonl"


_STRING = pa.string()
_INT = pa.int64()
_FLOAT = pa.float64()
SPANS = pa.list_(pa.struct([("start", _INT), ("end", _INT)]))
"""How Parquet holds a list of [start, end] pairs (``FieldType.SPANS``)."""

_ARROW = {
    FieldType.TEXT: _STRING,
    FieldType.INTEGER: _INT,
    FieldType.REAL: _FLOAT,
    FieldType.BOOLEAN: pa.bool_(),
}


def arrow_type(kind: FieldType) -> pa.DataType:
    """The Parquet (Arrow) type of a record field."""
    return SPANS if kind is FieldType.SPANS else _ARROW[kind]


def arrow_fields(fields: Sequence[Field]) -> list[tuple[str, pa.DataType]]:
    """``(name, type)`` of each record field, for a ``pa.schema``."""
    return [(f.name, arrow_type(f.type)) for f in fields]


_ARTICLE_FIELDS = [f for f in ARTICLE_FIELDS if f.name != "text"]

# An exported quote: its record and article (QUOTE_CONTEXT) and its statement's earliest
# wording, which ``export_row`` turns into what the quote changed of it.
QUOTE_EXPORT_COLUMNS = (
    f"{QUOTE_CONTEXT}, {quote_columns()},"
    " st.first_quote_id AS _first_quote_id, fq.content_text AS _first_text"
)
QUOTE_EXPORT_JOINS = (
    "LEFT JOIN statements st ON st.id = q.statement_id",
    "LEFT JOIN quotes fq ON fq.id = st.first_quote_id",
)

# table → (SQL, Arrow schema). Column order is the export's column order; the quote and
# article columns are the record's fields (saidwhat.model), with the store's ids around them.
TABLES: dict[str, tuple[str, pa.Schema]] = {
    "quotes": (
        f"SELECT {QUOTE_EXPORT_COLUMNS} FROM quotes q JOIN articles a ON a.id = q.article_id"
        f" LEFT JOIN speakers s ON s.id = q.speaker_id {' '.join(QUOTE_EXPORT_JOINS)}"
        " ORDER BY q.id",
        pa.schema(
            [
                ("quote_id", _INT),
                ("article_id", _INT),
                ("seq", _INT),
                *arrow_fields(QUOTE_FIELDS),
                ("speaker_id", _INT),
                ("statement_id", _INT),
                # Against the statement's earliest wording (saidwhat.linking.variant_change):
                # "" for the earliest itself, else e.g. "changed, trimmed" or "reported".
                ("variant_changes", _STRING),
                ("changed_words", _STRING),  # "open → reopen; 200 → 220"
                ("possible_misquote", pa.bool_()),
                ("url", _STRING),
                ("outlet", _STRING),
                ("published", _STRING),
                ("title", _STRING),
            ]
        ),
    ),
    "statements": (
        "SELECT st.id AS statement_id, st.speaker_id, sp.name AS speaker_entity,"
        " fq.content_text, st.first_quote_id, fa.published AS first_published,"
        " fa.outlet AS first_outlet, st.quotes, st.articles, st.outlets"
        " FROM statements st JOIN quotes fq ON fq.id = st.first_quote_id"
        " JOIN articles fa ON fa.id = fq.article_id"
        " LEFT JOIN speakers sp ON sp.id = st.speaker_id ORDER BY st.id",
        pa.schema(
            [
                ("statement_id", _INT),
                ("speaker_id", _INT),
                ("speaker_entity", _STRING),
                ("content_text", _STRING),  # the earliest verbatim wording
                ("first_quote_id", _INT),
                ("first_published", _STRING),
                ("first_outlet", _STRING),
                ("quotes", _INT),
                ("articles", _INT),
                ("outlets", _INT),
            ]
        ),
    ),
    "articles": (
        "SELECT id AS article_id, "
        + ", ".join(f.name for f in _ARTICLE_FIELDS)
        + ", source, content_hash, ingested_at, error, extra, text FROM articles ORDER BY id",
        pa.schema(
            [
                ("article_id", _INT),
                *arrow_fields(_ARTICLE_FIELDS),
                ("source", _STRING),
                ("content_hash", _STRING),
                ("ingested_at", _STRING),
                ("error", _STRING),
                ("extra", _STRING),
                ("text", _STRING),
            ]
        ),
    ),
    "speakers": (
        "SELECT s.id AS speaker_id, s.name, s.kind, s.role, s.external_id, s.description,"
        " s.gender, s.gender_evidence, s.members, s.resolved, s.hidden,"
        " (SELECT group_concat(alias, '|') FROM (SELECT alias FROM speaker_aliases"
        "   WHERE speaker_id = s.id ORDER BY alias)) AS aliases,"
        " (SELECT count(*) FROM quotes WHERE speaker_id = s.id) AS quotes"
        " FROM speakers s ORDER BY s.id",
        pa.schema(
            [
                ("speaker_id", _INT),
                ("name", _STRING),
                ("kind", _STRING),
                ("role", _STRING),
                ("external_id", _STRING),
                ("description", _STRING),
                ("gender", _STRING),
                ("gender_evidence", _STRING),
                ("members", _STRING),
                ("resolved", pa.bool_()),
                ("hidden", pa.bool_()),
                ("aliases", _STRING),
                ("quotes", _INT),
            ]
        ),
    ),
}
QUOTE_EXPORT_FIELDS: list[str] = TABLES["quotes"][1].names
"""The columns of an exported quote, in order."""

_BATCH_ROWS = 5000


def export_row(row: Any, fmt: ExportFormat) -> dict[str, Any]:
    """One row as exported: a quote's pieces always listed, in the format's own way."""
    values = dict(row)
    if "_first_text" in values:
        first_id, first = values.pop("_first_quote_id"), values.pop("_first_text")
        changes, changed, misquote = "", "", False
        if first is not None and first_id != values["quote_id"]:
            reported = values["type"] != QuoteType.DIRECT.value
            change = variant_change(first, values["content_text"], reported=reported)
            changes = ", ".join(change.kinds)
            changed = "; ".join(f"{old} → {new}" for old, new in change.changed)
            misquote = change.possible_misquote
        values.update(variant_changes=changes, changed_words=changed, possible_misquote=misquote)
    for name in ("speaker_resolved", "resolved", "hidden"):
        if values.get(name) is not None:
            values[name] = bool(values[name])
    if "content_parts" in values:
        parts = parts_of(values["content_parts"], values["content_start"], values["content_end"])
        if fmt is ExportFormat.PARQUET:
            values["content_parts"] = [{"start": s, "end": e} for s, e in parts]
        elif fmt is ExportFormat.CSV:
            values["content_parts"] = json.dumps([list(p) for p in parts])
        else:
            values["content_parts"] = [list(p) for p in parts]
    return values


def _batches(
    store: Store, sql: str, fmt: ExportFormat, params: Sequence[object] = ()
) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in store.rows(sql, params, size=_BATCH_ROWS):
        batch.append(export_row(row, fmt))
        if len(batch) >= _BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def text_header(fmt: ExportFormat, fields: Sequence[str]) -> str:
    """What a CSV (its header line) or JSON Lines (nothing) file starts with."""
    if fmt is not ExportFormat.CSV:
        return ""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(fields)
    return buffer.getvalue()


def text_rows(batch: Sequence[dict[str, Any]], fmt: ExportFormat, fields: Sequence[str]) -> str:
    """Rows as CSV lines (columns ``fields``) or JSON Lines."""
    if fmt is ExportFormat.JSONL:
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in batch)
    if fmt is not ExportFormat.CSV:
        raise ValueError(f"{fmt} is not a text format")
    buffer = io.StringIO(newline="")
    csv.DictWriter(buffer, fieldnames=fields).writerows(batch)
    return buffer.getvalue()


def search_export(
    store: Store, where: QuoteFilter, fmt: ExportFormat, *, order: SearchOrder, limit: int
) -> Iterator[list[dict[str, Any]]]:
    """The quotes a search finds, as the ``quotes`` table exports them, in batches.

    At most ``limit``, in ``order``; ``QUOTE_EXPORT_FIELDS`` names the columns.
    SearchError when a value of ``where`` cannot be used.
    """
    selection = select_quotes(store, where)
    if selection is None:
        return
    joined = QuoteSelection(
        [*selection.joins, *QUOTE_EXPORT_JOINS], selection.conditions, selection.params
    )
    by = ORDER_SQL[search_order(where, order)]
    sql = f"SELECT {QUOTE_EXPORT_COLUMNS} {joined.body()} ORDER BY {by} LIMIT ?"
    with words_refused(where):
        yield from _batches(store, sql, fmt, [*selection.params, limit])


def export_table(store: Store, table: str, fmt: ExportFormat, path: Path) -> int:
    """Write one table to ``path``, whole or not at all (``written_whole``); return the
    number of rows written. A fault of the file (a full disk, …) is a StoreFault."""
    sql, schema = TABLES[table]
    count = 0
    with faults_of(path, (OSError,)), written_whole(path) as partial:
        if fmt is ExportFormat.PARQUET:
            with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
                for batch in _batches(store, sql, fmt):
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    count += len(batch)
                if count == 0:
                    writer.write_table(schema.empty_table())
            return count
        with partial.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text_header(fmt, schema.names))
            for batch in _batches(store, sql, fmt):
                handle.write(text_rows(batch, fmt, schema.names))
                count += len(batch)
    return count


def export_store(
    store: Store,
    fmt: ExportFormat,
    directory: Path,
    tables: Sequence[str] = tuple(TABLES),
    on_written: Callable[[Path, int], None] | None = None,
) -> dict[Path, int]:
    """Write ``tables`` as ``<directory>/<table>.<format>``; return rows per file written.

    Each file is whole once under its name; ``on_written`` hears of each as
    it is (a fault stops the export, and the files written before it stay).
    """
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise ValueError(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLES)}")
    with faults_of(directory, (OSError,)):
        directory.mkdir(parents=True, exist_ok=True)
    written: dict[Path, int] = {}
    for table in tables:
        path = directory / f"{table}.{fmt.value}"
        written[path] = export_table(store, table, fmt, path)
        if on_written is not None:
            on_written(path, written[path])
    return written
