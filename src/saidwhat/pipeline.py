"""Article → quotes: the per-article flow, and the same flow batched.

Nothing here touches files or the network; readers feed ``Article`` records
in and the caller decides where results go.

Per article: boilerplate spans (clean) → parse (nlp) → quoted regions
(marks) → reported clauses (reported) → direct quotations (direct) →
speakers (attribute, resolve).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any

from spacy.tokens import Doc

from saidwhat.clean import find_boilerplate
from saidwhat.model import Article, ExtractedArticle, Quote, Span, Speaker
from saidwhat.nlp import load_pipeline
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.colon import find_colon_attributions
from saidwhat.quotes.cues import load_user_cues
from saidwhat.quotes.direct import find_direct
from saidwhat.quotes.marks import QuotedRegion, find_quoted_regions
from saidwhat.quotes.reported import find_reported
from saidwhat.settings import DEFAULT_SETTINGS, Scope, Settings
from saidwhat.speakers.attribute import mention_char_span
from saidwhat.speakers.resolve import ArticleEntities, SpeakerTimeline

log = logging.getLogger(__name__)

# Precision of speaker carry-over to a cue-less quote on PolNeAR train.
CARRY_OVER_CONFIDENCE = 0.6


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


def _dedupe(candidates: list[Candidate]) -> list[Candidate]:
    """Drop candidates that mostly repeat a more confident one."""
    kept: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (-c.confidence, c.start)):
        clash = False
        for other in kept:
            shared = other.overlap(candidate.start, candidate.end)
            if shared and 2 * shared >= min(candidate.length, other.length):
                clash = True
                break
        if not clash:
            kept.append(candidate)
    return sorted(kept, key=lambda c: c.start)


def find_candidates(
    doc: Doc, scope: Scope = Scope.STATEMENTS
) -> tuple[list[Candidate], list[QuotedRegion]]:
    """Every quote candidate of a parsed text, in text order, speakers unresolved."""
    text = doc.text
    skip = [(s.start, s.end) for s in find_boilerplate(text)]
    regions = [
        r for r in find_quoted_regions(text) if not any(s < r.close and r.open < e for s, e in skip)
    ]
    reported = list(find_reported(doc, regions, skip, scope))
    direct = find_direct(doc, regions, reported, skip)
    colon = list(find_colon_attributions(doc, regions, skip))
    return _dedupe(reported + direct + colon), regions


def attribute(
    doc: Doc, candidates: Sequence[Candidate], regions: Sequence[QuotedRegion]
) -> list[Quote]:
    """Resolve every candidate's speaker, reading the article in order."""
    text = doc.text
    quoted = [(r.open, r.close + 1) for r in regions]
    entities = ArticleEntities(doc, quoted)
    timeline = SpeakerTimeline(entities)
    by_head: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.speaker_head is not None:
            by_head.setdefault(candidate.speaker_head, []).append(candidate)
    resolved: dict[int, tuple[Speaker | None, str | None]] = {}  # id(candidate) -> speaker, gender
    pending = sorted((c for c in candidates if c.speaker_head is None), key=lambda c: c.start)
    pending_index = 0
    done: list[Candidate] = []

    def settle_pending(upto: int) -> None:
        nonlocal pending_index
        while pending_index < len(pending) and pending[pending_index].start <= upto:
            candidate = pending[pending_index]
            pending_index += 1
            source = _carry_source(text, candidate, done) if candidate.inherit else None
            if source is not None and id(source) in resolved:
                speaker, _ = resolved[id(source)]
                candidate.carry_from = source
                candidate.confidence = max(candidate.confidence, CARRY_OVER_CONFIDENCE)
                candidate.evidence.append("speaker carried over from the quote before")
                resolved[id(candidate)] = (speaker, None)
            done.append(candidate)

    for token in doc:
        settle_pending(token.idx)
        is_speaker = token.i in by_head
        if not is_speaker and (
            token.dep_ not in ("nsubj", "nsubjpass") or any(s <= token.idx < e for s, e in quoted)
        ):
            continue
        entity, gender = timeline.resolve(token)
        if entity is not None:
            timeline.add(token, entity, gender, speaker=is_speaker)
        if is_speaker:
            start, end = mention_char_span(token)
            speaker = Speaker(Span.of(text, start, end), entity)
            for candidate in by_head[token.i]:
                resolved[id(candidate)] = (speaker, gender)
                done.append(candidate)
    settle_pending(len(text) + 1)

    return [_to_quote(doc, c, resolved.get(id(c), (None, None))[0]) for c in candidates]


def _to_quote(doc: Doc, candidate: Candidate, speaker: Speaker | None) -> Quote:
    """The public record of a candidate whose speaker is settled."""
    text = doc.text
    cue = None
    if candidate.cue is not None:
        first, last = candidate.cue
        cue = Span.of(text, doc[first].idx, doc[last - 1].idx + len(doc[last - 1].text))
    confidence = candidate.confidence
    if speaker is None or speaker.entity is None:
        confidence *= 0.8
    return Quote(
        content=tuple(Span.of(text, s, e) for s, e in candidate.parts),
        type=candidate.type,
        cue=cue,
        speaker=speaker,
        confidence=round(min(1.0, confidence), 3),
        evidence="; ".join(candidate.evidence),
    )


def _carry_source(text: str, candidate: Candidate, done: Sequence[Candidate]) -> Candidate | None:
    """The quote a cue-less quote inherits its speaker from, if close enough.

    The quote before it counts when it ends in the same paragraph or the one
    before (a quote-only paragraph, or “…,” he said. “…”).
    """
    before = [c for c in done if c.end <= candidate.start]
    if not before:
        return None
    source = max(before, key=lambda c: c.end)
    para_start = text.rfind("\n", 0, candidate.start) + 1
    # Skip blank lines between paragraphs.
    prev_break = para_start - 1
    while prev_break > 0 and text[prev_break - 1] in "\n \t":
        prev_break -= 1
    prev_para_start = text.rfind("\n", 0, prev_break) + 1
    if source.end >= prev_para_start:
        return source
    return None


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
    return attribute(doc, candidates, regions)


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
    docs = nlp.pipe((p[2] for p in pieces), batch_size=settings.batch_size)
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
