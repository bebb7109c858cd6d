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

import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from saidwhat.errors import BadInput, BadRecord
from saidwhat.model import (
    Article,
    Entity,
    EntityKind,
    ExtractedArticle,
    Quote,
    QuoteType,
    Span,
    Speaker,
)
from saidwhat.store import Store, content_hash

PARTITION = "published_date"
UNKNOWN_DATE = "unknown"

# errors/ kinds: a record the readers could not use, or an article extraction failed on.
RECORD_ERROR = "record"
EXTRACTION_ERROR = "extraction"

_S = pa.string()
_I = pa.int64()
_PART = pa.struct([("start", _I), ("end", _I)])

_ARTICLE_FIELDS = [("url", _S), ("outlet", _S), ("published", _S), ("title", _S)]

# table → the columns of its files (the partition column lives in the directory names).
TABLES: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            ("content_hash", _S),
            ("article_id", _S),
            *_ARTICLE_FIELDS,
            ("language", _S),
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
            ("article_id", _S),
            *_ARTICLE_FIELDS,
            ("seq", _I),
            ("type", _S),
            ("start", _I),
            ("end", _I),
            ("content", _S),  # text[start:end]
            ("content_parts", pa.list_(_PART)),  # one part, or more when a cue splits the quote
            ("cue", _S),
            ("cue_start", _I),
            ("cue_end", _I),
            ("mention", _S),
            ("mention_start", _I),
            ("mention_end", _I),
            ("speaker", _S),
            ("speaker_kind", _S),
            ("speaker_role", _S),
            ("speaker_external_id", _S),
            ("confidence", pa.float64()),
            ("evidence", _S),
        ]
    ),
    "speakers": pa.schema(
        [
            ("content_hash", _S),
            ("article_id", _S),
            ("outlet", _S),
            ("published", _S),
            ("seq", _I),  # the quote's seq
            ("mention", _S),
            ("mention_start", _I),
            ("mention_end", _I),
            ("name", _S),
            ("kind", _S),
            ("role", _S),
            ("external_id", _S),
        ]
    ),
    "errors": pa.schema(
        [
            ("kind", _S),
            ("source", _S),
            ("location", _S),
            ("reason", _S),
            ("article_id", _S),
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
    text = article.text
    key = content_hash(text)
    day = published_date(article.published)
    meta = {
        "url": article.url,
        "outlet": article.outlet,
        "published": article.published,
        "title": article.title,
    }
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    rows["articles"].append(
        {
            "content_hash": key,
            "article_id": article.id,
            **meta,
            "language": article.language,
            "input": input_name,
            "error": result.error,
            "quotes": len(result.quotes),
            "extra": json.dumps(article.extra, ensure_ascii=False, default=str)
            if article.extra
            else None,
            "text": text,
            PARTITION: day,
        }
    )
    for seq, quote in enumerate(result.quotes):
        speaker = quote.speaker
        mention = speaker.mention if speaker else None
        entity = speaker.entity if speaker else None
        rows["quotes"].append(
            {
                "content_hash": key,
                "article_id": article.id,
                **meta,
                "seq": seq,
                "type": quote.type.value,
                "start": quote.start,
                "end": quote.end,
                "content": text[quote.start : quote.end],
                "content_parts": [{"start": p.start, "end": p.end} for p in quote.content],
                "cue": quote.cue.text if quote.cue else None,
                "cue_start": quote.cue.start if quote.cue else None,
                "cue_end": quote.cue.end if quote.cue else None,
                "mention": mention.text if mention else None,
                "mention_start": mention.start if mention else None,
                "mention_end": mention.end if mention else None,
                "speaker": entity.name if entity else None,
                "speaker_kind": entity.kind.value if entity else None,
                "speaker_role": entity.role if entity else None,
                "speaker_external_id": entity.external_id if entity else None,
                "confidence": float(quote.confidence),
                "evidence": quote.evidence,
                PARTITION: day,
            }
        )
        if mention is not None or entity is not None:
            rows["speakers"].append(
                {
                    "content_hash": key,
                    "article_id": article.id,
                    "outlet": article.outlet,
                    "published": article.published,
                    "seq": seq,
                    "mention": mention.text if mention else None,
                    "mention_start": mention.start if mention else None,
                    "mention_end": mention.end if mention else None,
                    "name": entity.name if entity else None,
                    "kind": entity.kind.value if entity else None,
                    "role": entity.role if entity else None,
                    "external_id": entity.external_id if entity else None,
                    PARTITION: day,
                }
            )
    if result.error:
        rows["errors"].append(
            error_row(
                BadRecord(input_name, result.error, f"article {article.id}"),
                EXTRACTION_ERROR,
                article_id=article.id,
                key=key,
                day=day,
            )
        )
    return rows


def error_row(
    bad: BadRecord,
    kind: str = RECORD_ERROR,
    *,
    article_id: str | None = None,
    key: str | None = None,
    day: str = UNKNOWN_DATE,
) -> dict[str, Any]:
    """The ``errors`` row of a BadRecord (with its ``published_date`` partition value)."""
    return {
        "kind": kind,
        "source": bad.source,
        "location": bad.location,
        "reason": bad.reason,
        "article_id": article_id,
        "content_hash": key,
        PARTITION: day,
    }


# -- the load side: rows → ExtractedArticle → store ---------------------------------------


def _span(text: str, start: Any, end: Any, what: str) -> Span:
    if start is None or end is None:
        raise ValueError(f"{what} has no offsets")
    start, end = int(start), int(end)
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"{what} offsets [{start}, {end}] are outside the article text")
    return Span.of(text, start, end)


def quote_from_row(row: dict[str, Any], text: str) -> Quote:
    """One Quote back from its ``quotes`` row; ValueError when the row does not fit ``text``."""
    parts = row.get("content_parts") or [{"start": row.get("start"), "end": row.get("end")}]
    content = tuple(_span(text, p.get("start"), p.get("end"), "quote") for p in parts)
    if not content:
        raise ValueError("quote has no content")
    mention = None
    if row.get("mention_start") is not None:
        mention = _span(text, row["mention_start"], row.get("mention_end"), "speaker mention")
    entity = None
    if row.get("speaker"):
        entity = Entity(
            name=str(row["speaker"]),
            kind=EntityKind(row.get("speaker_kind") or EntityKind.UNKNOWN),
            role=row.get("speaker_role"),
            external_id=row.get("speaker_external_id"),
        )
    cue = None
    if row.get("cue_start") is not None:
        cue = _span(text, row["cue_start"], row.get("cue_end"), "cue")
    confidence = row.get("confidence")
    return Quote(
        content=content,
        type=QuoteType(row.get("type") or QuoteType.INDIRECT),
        cue=cue,
        speaker=Speaker(mention, entity) if (mention or entity) else None,
        confidence=0.5 if confidence is None else float(confidence),
        evidence=str(row.get("evidence") or ""),
    )


def article_from_row(row: dict[str, Any]) -> Article:
    """One Article back from its ``articles`` row; ValueError when the row is unusable."""
    text = row.get("text")
    if not isinstance(text, str):
        raise ValueError("article has no text")
    key = row.get("content_hash")
    if key and key != content_hash(text):
        raise ValueError("content_hash does not match the article text")
    extra = json.loads(row["extra"]) if row.get("extra") else {}
    if not isinstance(extra, dict):
        raise ValueError("extra is not a JSON object")
    article_id = row.get("article_id")
    return Article(
        id=str(article_id) if article_id not in (None, "") else content_hash(text)[:16],
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


@dataclass
class LoadSummary:
    """What one load did."""

    read: int = 0  # article rows read
    stored: int = 0  # new articles stored
    duplicates: int = 0  # already in the store
    quotes: int = 0
    new_speakers: int = 0
    failed: int = 0  # extraction had failed on them: stored without quotes, as ingest does
    errors: int = 0  # error rows of the output kept in the store
    errors_known: int = 0  # error rows of the output the store already had
    bad_rows: int = 0  # article rows that could not be turned back into an article
    seconds: float = 0.0

    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[LoadSummary], None]


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


def _load_article(
    row: dict[str, Any],
    path: Path,
    staging: sqlite3.Connection,
    store: Store,
    summary: LoadSummary,
    on_bad_row: Callable[[BadRecord], None] | None,
) -> None:
    """Store the article of one ``articles`` row with its staged quotes, and count what it did."""
    summary.read += 1
    try:
        article = article_from_row(row)
        if store.has_article(article):  # before the quotes are rebuilt: a re-run is quick
            summary.duplicates += 1
            return
        staged = staging.execute(
            "SELECT row FROM quotes WHERE content_hash = ? ORDER BY seq",
            (content_hash(article.text),),
        )
        quotes = tuple(quote_from_row(json.loads(q), article.text) for (q,) in staged)
    except (ValueError, TypeError, KeyError) as exc:
        bad = BadRecord(str(path), str(exc), f"article {row.get('article_id')}")
        summary.bad_rows += 1
        store.add_error_once(bad)
        if on_bad_row is not None:
            on_bad_row(bad)
        return
    error = row.get("error") or None
    added = store.add(
        ExtractedArticle(article, () if error else quotes, error),
        source=article.extra.get("source"),
    )
    if added.article_id is None:
        summary.duplicates += 1
        return
    summary.stored += 1
    summary.quotes += added.quotes
    summary.new_speakers += added.new_speakers
    summary.failed += bool(error)


def load_output(
    directory: str | Path,
    store: Store,
    *,
    on_progress: Progress | None = None,
    on_bad_row: Callable[[BadRecord], None] | None = None,
) -> LoadSummary:
    """Store every article of a ``saidwhat spark`` output directory, with its quotes.

    Articles go in day by day (undated last) through ``Store.add``, which
    skips those already stored; ``kind=record`` error rows are kept in the
    store's error table (the failure of an extraction is kept on its article,
    as on ingest). A row that cannot be turned back into an article is kept
    as an error too, and reported through ``on_bad_row``.
    """
    root = Path(directory)
    if not (root / "articles").is_dir():
        raise BadInput(f"{root}: no articles/ here; is it the --output of `saidwhat spark`?")
    summary = LoadSummary()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="saidwhat-load-") as tmp:
        staging = sqlite3.connect(Path(tmp) / "quotes.db")
        try:
            _stage_quotes(root, staging)
            for path, row in iter_rows(root, "articles"):
                _load_article(row, path, staging, store, summary, on_bad_row)
                summary.seconds = time.perf_counter() - started
                if on_progress is not None:
                    on_progress(summary)
        finally:
            staging.close()
    for _, row in iter_rows(root, "errors"):
        if (row.get("kind") or RECORD_ERROR) == RECORD_ERROR:
            bad = BadRecord(
                str(row.get("source") or "?"), str(row.get("reason") or "?"), row.get("location")
            )
            if store.add_error_once(bad):
                summary.errors += 1
            else:
                summary.errors_known += 1
    summary.seconds = time.perf_counter() - started
    return summary
