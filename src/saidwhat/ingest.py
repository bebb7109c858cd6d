"""The one ingest loop: skip what is stored, extract, store, count.

``saidwhat ingest``, the HTTP API's POST, ``saidwhat load`` and each task
of the Spark job all run ``ingest_stream``; only where results go differs
(the ``Sink``: a ``Store``, or the Spark job's table rows). An article the
sink has already is skipped before it is parsed, so re-running an
interrupted ingest only does the work that is left. Bad records, and
articles refused for their length, are counted by reason, kept by the sink
and never stop the run.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from saidwhat.errors import BadRecord
from saidwhat.model import Article, ExtractedArticle
from saidwhat.pipeline import Extractor
from saidwhat.store import Added


class Sink(Protocol):
    """Where ingested articles go: a ``Store``, or rows of the Spark job's tables."""

    def has_article(self, article: Article) -> bool: ...

    def add(self, result: ExtractedArticle, source: str | None = None) -> Added: ...

    def add_error(self, bad: BadRecord, *, once: bool = False) -> bool: ...


@dataclass
class IngestSummary:
    """What one run did: the one summary of ingest, the API, load and the Spark job."""

    read: int = 0  # articles read from the inputs
    stored: int = 0  # new articles stored
    duplicates: int = 0  # already stored, or twice in the input
    quotes: int = 0
    new_speakers: int = 0
    failed: int = 0  # read, but extraction failed (stored without quotes, error kept)
    skipped: Counter[str] = field(default_factory=Counter)  # reason → bad records
    known_errors: int = 0  # bad records the sink had kept already (a repeated load)
    files: int = 0  # input files (the Spark job counts them)
    seconds: float = 0.0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds > 0 else 0.0


Item = Article | ExtractedArticle | BadRecord
"""What the loop takes: articles to extract, articles extracted already (load), bad records."""


def reason_kind(bad: BadRecord) -> str:
    """A short class of reasons for the summary ("invalid JSON", "no main text found")."""
    reason = bad.reason.split(" (", 1)[0].split(": ", 1)[0]
    return reason[:80]


def _refusal_place(article: Article) -> tuple[str, str | None]:
    return article.id, None


def ingest_stream(
    records: Iterable[Item],
    sink: Sink,
    extractor: Extractor | None,
    summary: IngestSummary,
    *,
    source: str | None = None,
    errors_once: bool = False,
    on_bad_record: Callable[[BadRecord], None] | None = None,
    place_of: Callable[[Article], tuple[str, str | None]] = _refusal_place,
) -> Iterator[tuple[ExtractedArticle, Added | None]]:
    """Store every item of ``records`` in ``sink``, yielding each result and what storing did.

    Articles the sink had before are not yielded (they are counted); an
    article refused for its length is yielded with None.

    Articles are extracted by ``extractor`` (which may be None when every
    item comes extracted already); ``summary`` is kept up to date as the
    run goes. ``source`` is the stored source of an article whose input
    names none (its ``source`` field); ``errors_once`` keeps a bad record
    the sink has already only once; ``place_of`` names where a refused
    article was read, for its bad record.
    """
    started = time.perf_counter()

    def skip(bad: BadRecord) -> None:
        summary.skipped[reason_kind(bad)] += 1
        if not sink.add_error(bad, once=errors_once):
            summary.known_errors += 1
        if on_bad_record is not None:
            on_bad_record(bad)

    def fresh() -> Iterator[Article | ExtractedArticle]:
        for item in records:
            if isinstance(item, BadRecord):
                skip(item)
                continue
            summary.read += 1
            article = item.article if isinstance(item, ExtractedArticle) else item
            if sink.has_article(article):
                summary.duplicates += 1
                continue
            yield item

    results: Iterable[Article | ExtractedArticle] = fresh()
    if extractor is not None:
        results = extractor.extract_articles(_as_article(a) for a in fresh())
    for result in results:
        if not isinstance(result, ExtractedArticle):
            raise TypeError("articles to extract need an extractor")
        summary.seconds = time.perf_counter() - started
        article = result.article
        if result.refused:
            place, location = place_of(article)
            skip(BadRecord(place, result.error or "refused", location))
            yield result, None
            continue
        added = sink.add(result, source=article.extra.get("source") or source)
        if added.article_id is None:
            summary.duplicates += 1
        else:
            summary.stored += 1
            summary.quotes += added.quotes
            summary.new_speakers += added.new_speakers
            summary.failed += result.error is not None
        yield result, added
    summary.seconds = time.perf_counter() - started


def _as_article(item: Article | ExtractedArticle) -> Article:
    if not isinstance(item, Article):
        raise TypeError("an extractor takes articles, not extracted ones")
    return item


def ingest_records(
    records: Iterable[Item],
    sink: Sink,
    extractor: Extractor | None,
    *,
    source: str | None = None,
    errors_once: bool = False,
    on_progress: Callable[[IngestSummary], None] | None = None,
    on_bad_record: Callable[[BadRecord], None] | None = None,
) -> IngestSummary:
    """Run ``ingest_stream`` to the end and return its summary (``on_progress`` after each)."""
    summary = IngestSummary()
    stream = ingest_stream(
        records,
        sink,
        extractor,
        summary,
        source=source,
        errors_once=errors_once,
        on_bad_record=on_bad_record,
    )
    for _ in stream:
        if on_progress is not None:
            on_progress(summary)
    return summary
