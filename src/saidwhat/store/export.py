"""Export a store as Parquet, CSV or JSON Lines: one file per table.

``quotes`` is denormalised (speaker name and knowledge-base id, article
URL, outlet and date on every row) because that is how analysts load it: one
table into pandas, R or DuckDB. Rows stream from SQLite in chunks and go out
in batches, so a store of any size exports in flat memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from saidwhat.store.store import Store


class ExportFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    JSONL = "jsonl"


_STRING = pa.string()
_INT = pa.int64()
_FLOAT = pa.float64()

# table → (SQL, Arrow schema). Column order is the export's column order.
TABLES: dict[str, tuple[str, pa.Schema]] = {
    "quotes": (
        "SELECT q.id AS quote_id, q.article_id, q.seq, q.type, q.content, q.start, q.end,"
        " q.parts, q.cue, q.cue_start, q.cue_end, q.speaker_id, s.name AS speaker,"
        " s.kind AS speaker_kind, s.external_id AS speaker_external_id, q.mention,"
        " q.mention_start, q.mention_end, q.confidence, q.evidence, a.url, a.outlet,"
        " a.published, a.title"
        " FROM quotes q JOIN articles a ON a.id = q.article_id"
        " LEFT JOIN speakers s ON s.id = q.speaker_id ORDER BY q.id",
        pa.schema(
            [
                ("quote_id", _INT),
                ("article_id", _INT),
                ("seq", _INT),
                ("type", _STRING),
                ("content", _STRING),
                ("start", _INT),
                ("end", _INT),
                ("parts", _STRING),
                ("cue", _STRING),
                ("cue_start", _INT),
                ("cue_end", _INT),
                ("speaker_id", _INT),
                ("speaker", _STRING),
                ("speaker_kind", _STRING),
                ("speaker_external_id", _STRING),
                ("mention", _STRING),
                ("mention_start", _INT),
                ("mention_end", _INT),
                ("confidence", _FLOAT),
                ("evidence", _STRING),
                ("url", _STRING),
                ("outlet", _STRING),
                ("published", _STRING),
                ("title", _STRING),
            ]
        ),
    ),
    "articles": (
        "SELECT id AS article_id, source_id, source, url, outlet, published, title, language,"
        " content_hash, ingested_at, error, extra, text FROM articles ORDER BY id",
        pa.schema(
            [
                ("article_id", _INT),
                ("source_id", _STRING),
                ("source", _STRING),
                ("url", _STRING),
                ("outlet", _STRING),
                ("published", _STRING),
                ("title", _STRING),
                ("language", _STRING),
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
                ("aliases", _STRING),
                ("quotes", _INT),
            ]
        ),
    ),
}

_BATCH_ROWS = 5000


def _batches(store: Store, sql: str) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in store.rows(sql, size=_BATCH_ROWS):
        batch.append(dict(row))
        if len(batch) >= _BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def export_table(store: Store, table: str, fmt: ExportFormat, path: Path) -> int:
    """Write one table to ``path``; return the number of rows written."""
    sql, schema = TABLES[table]
    count = 0
    if fmt is ExportFormat.PARQUET:
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for batch in _batches(store, sql):
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
            if count == 0:
                writer.write_table(schema.empty_table())
        return count
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt is ExportFormat.CSV:
            writer_csv = csv.DictWriter(handle, fieldnames=schema.names)
            writer_csv.writeheader()
            for batch in _batches(store, sql):
                writer_csv.writerows(batch)
                count += len(batch)
        else:
            for batch in _batches(store, sql):
                for record in batch:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += len(batch)
    return count


def export_store(
    store: Store, fmt: ExportFormat, directory: Path, tables: Sequence[str] = tuple(TABLES)
) -> dict[Path, int]:
    """Write ``tables`` as ``<directory>/<table>.<format>``; return rows per file written."""
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise ValueError(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLES)}")
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[Path, int] = {}
    for table in tables:
        path = directory / f"{table}.{fmt.value}"
        written[path] = export_table(store, table, fmt, path)
    return written
