"""Article → quotes: the per-article flow, and the same flow batched.

Nothing here touches files or the network; readers feed ``Article`` records
in and the caller decides where results go.

Per article: parse (nlp) → quote candidates (quotes.find: boilerplate,
quotation marks, reported speech, name-and-colon lines) → speakers
(speakers.assign, which uses attribute and resolve).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any

from spacy.tokens import Doc

from saidwhat.model import Article, ExtractedArticle, Quote, Span, Speaker
from saidwhat.nlp import load_pipeline
from saidwhat.quotes.cues import load_user_cues
from saidwhat.quotes.find import find_candidates
from saidwhat.settings import DEFAULT_SETTINGS, Scope, Settings
from saidwhat.speakers.assign import assign_speakers

log = logging.getLogger(__name__)


def split_for_parsing(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Cut ``text`` into pieces of at most ``max_chars`` at paragraph breaks.

    Returns ``(offset, piece)`` pairs; a paragraph longer than the limit is
    cut at the last space before it (or hard, if it has none).
    """
    if len(text) <= max_chars:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        stop = min(len(text), start + max_chars)
        if stop < len(text):
            cut = text.rfind("\n", start, stop)
            if cut <= start:
                cut = text.rfind(" ", start, stop)
            if cut > start:
                stop = cut + 1
        pieces.append((start, text[start:stop]))
        start = stop
    return pieces


def _shift(quote: Quote, offset: int, text: str) -> Quote:
    if offset == 0:
        return quote

    def move(span: Span | None) -> Span | None:
        return None if span is None else Span.of(text, span.start + offset, span.end + offset)

    speaker = quote.speaker
    if speaker is not None:
        speaker = Speaker(move(speaker.mention), speaker.entity)
    content = tuple(Span.of(text, s.start + offset, s.end + offset) for s in quote.content)
    return Quote(content, quote.type, move(quote.cue), speaker, quote.confidence, quote.evidence)


def quotes_from_doc(doc: Doc, scope: Scope = Scope.STATEMENTS) -> list[Quote]:
    """All quotes of one parsed text."""
    candidates, regions = find_candidates(doc, scope)
    return assign_speakers(doc, candidates, regions)


# Characters parsed together at most. The models' working memory grows with
# the text in one ``nlp.pipe`` batch: 16 pieces of 100,000 characters at once
# took over 3 GB. Ordinary articles still go 16 at a time.
PARSE_BATCH_CHARS = 100_000


def _parse(nlp: Any, texts: Sequence[str], batch_size: int) -> Iterator[Doc]:
    """``nlp.pipe`` over ``texts`` in batches of at most ``batch_size`` texts and
    ``PARSE_BATCH_CHARS`` characters (a longer text goes alone)."""
    group: list[str] = []
    chars = 0
    for text in texts:
        if group and (len(group) >= batch_size or chars + len(text) > PARSE_BATCH_CHARS):
            yield from nlp.pipe(group, batch_size=len(group))
            group, chars = [], 0
        group.append(text)
        chars += len(text)
    if group:
        yield from nlp.pipe(group, batch_size=len(group))


def _extract_batch(articles: Sequence[Article], settings: Settings) -> list[ExtractedArticle]:
    nlp = load_pipeline(settings.model)
    if settings.cue_file:
        load_user_cues(settings.cue_file)
    pieces: list[tuple[int, int, str]] = []  # article index, offset, piece
    for index, article in enumerate(articles):
        for offset, piece in split_for_parsing(article.text, settings.max_chars):
            pieces.append((index, offset, piece))
    found: list[list[Quote]] = [[] for _ in articles]
    errors: list[str | None] = [None for _ in articles]
    docs = _parse(nlp, [p[2] for p in pieces], settings.batch_size)
    for (index, offset, _), doc in zip(pieces, docs, strict=True):
        text = articles[index].text
        try:
            quotes = quotes_from_doc(doc, settings.scope)
        except Exception as exc:
            errors[index] = f"extraction failed: {type(exc).__name__}: {exc}"
            log.exception("extraction failed on article %s", articles[index].id)
            continue
        for quote in quotes:
            if quote.confidence >= settings.min_confidence:
                found[index].append(_shift(quote, offset, text))
    return [
        ExtractedArticle(a, () if e else tuple(q), e)
        for a, q, e in zip(articles, found, errors, strict=True)
    ]


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _worker_init(model: str) -> None:
    load_pipeline(model)


def _worker_run(args: tuple[list[Article], Settings]) -> list[ExtractedArticle]:
    return _extract_batch(*args)


def extract_articles(
    articles: Iterable[Article], settings: Settings = DEFAULT_SETTINGS
) -> Iterator[ExtractedArticle]:
    """Yield each article with its quotes, in input order.

    One model load per process; articles go through ``nlp.pipe`` in batches
    of ``settings.batch_size``; with ``settings.processes > 1`` batches run
    in worker processes (results still come back in order, and at most a
    few batches are in flight so memory stays bounded).
    """
    if settings.processes <= 1:
        for batch in _batches(articles, settings.batch_size):
            yield from _extract_batch(batch, settings)
        return
    workers = min(settings.processes, os.cpu_count() or 1) or 1
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=(settings.model,)
    ) as pool:
        in_flight: list[Any] = []
        for batch in _batches(articles, settings.batch_size):
            in_flight.append(pool.submit(_worker_run, (batch, settings)))
            if len(in_flight) >= 2 * workers:
                yield from in_flight.pop(0).result()
        for future in in_flight:
            yield from future.result()


def extract(text: str, settings: Settings = DEFAULT_SETTINGS) -> list[Quote]:
    """The quotes of one text.

    >>> [q.content[0].text for q in extract("“We will win,” said Ana Petrova.")]
    ['We will win,']
    """
    article = Article(id="text", text=text)
    return list(next(iter(extract_articles([article], settings))).quotes)
