"""Ingest: read inputs, extract quotes, and store each article with its quotes.

An article already in the store (same text or same URL) is skipped before
parsing, so re-running an interrupted ingest only does the work that is
left. Bad records are counted by reason, kept in the store's error table,
and never stop the run.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from saidwhat.errors import BadRecord
from saidwhat.model import Article, ExtractedArticle
from saidwhat.pipeline import extract_articles
from saidwhat.settings import DEFAULT_SETTINGS, Settings
from saidwhat.store import Store


@dataclass
class IngestSummary:
    """What one ingest run did."""

    read: int = 0  # articles read from the inputs
    stored: int = 0  # new articles stored
    duplicates: int = 0  # already in the store, or twice in the input
    quotes: int = 0
    new_speakers: int = 0
    failed: int = 0  # read, but extraction failed (stored without quotes, error kept)
    skipped: Counter[str] = field(default_factory=Counter)  # reason → bad records
    seconds: float = 0.0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[IngestSummary], None]
BadRecordHook = Callable[[BadRecord], None]


def _reason_kind(bad: BadRecord) -> str:
    """A short class of reasons for the summary ("invalid JSON", "no main text found")."""
    reason = bad.reason.split(" (", 1)[0].split(": ", 1)[0]
    return reason[:80]


def ingest_records(
    records: Iterable[Article | BadRecord],
    store: Store,
    settings: Settings = DEFAULT_SETTINGS,
    *,
    on_progress: Progress | None = None,
    on_bad_record: BadRecordHook | None = None,
) -> IngestSummary:
    """Extract and store every Article of ``records``; count and keep every BadRecord."""
    summary = IngestSummary()
    started = time.perf_counter()

    def skip(bad: BadRecord) -> None:
        summary.skipped[_reason_kind(bad)] += 1
        store.add_error(bad)
        if on_bad_record is not None:
            on_bad_record(bad)

    def new_articles() -> Iterator[Article]:
        for item in records:
            if isinstance(item, BadRecord):
                skip(item)
                continue
            summary.read += 1
            if len(item.text) > settings.max_article_chars:
                skip(
                    BadRecord(
                        item.id,
                        f"article has {len(item.text):,} characters, over the limit of "
                        f"{settings.max_article_chars:,} (raise it with --max-article-chars)",
                    )
                )
                continue
            if store.has_article(item):
                summary.duplicates += 1
                continue
            yield item

    for result in extract_articles(new_articles(), settings):
        _store(result, store, summary)
        summary.seconds = time.perf_counter() - started
        if on_progress is not None:
            on_progress(summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _store(result: ExtractedArticle, store: Store, summary: IngestSummary) -> None:
    added = store.add(result, source=result.article.extra.get("source"))
    if added.article_id is None:
        summary.duplicates += 1
        return
    summary.stored += 1
    summary.quotes += added.quotes
    summary.new_speakers += added.new_speakers
    if result.error:
        summary.failed += 1
