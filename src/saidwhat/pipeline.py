"""Article → quotes: the ``Extractor``, which holds everything extraction reads, and its flow.

Nothing here touches files or the network; readers feed ``Article`` records
in and the caller decides where results go.

Per article: parse (the spaCy pipeline) → quote candidates (every finder of
``quotes.find``, settled) → speakers (``speakers.assign``). An ``Extractor``
is built once from ``Settings`` and holds the spaCy pipeline, the
``Lexicon`` (with the user's ``--cues``), the reported-speech model and the
finders; two extractors never share anything they could change, so
extracting with one set of settings cannot change what another gives.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from itertools import islice
from typing import Any, Final

from spacy.tokens import Doc

from saidwhat.clean import find_boilerplate
from saidwhat.errors import SaidwhatError
from saidwhat.lexicon import Lexicon, lexicon_for, read_user_cues
from saidwhat.model import Article, ExtractedArticle, Quote, Span, Speaker
from saidwhat.nlp import load_pipeline
from saidwhat.quotes.context import FinderContext
from saidwhat.quotes.find import FINDERS, RegisteredFinder, find_candidates
from saidwhat.quotes.learned import AttributionModel, load_model
from saidwhat.quotes.marks import find_quoted_regions
from saidwhat.settings import DEFAULT_SETTINGS, Settings
from saidwhat.speakers.assign import assign_speakers
from saidwhat.syntax import doc_text

log = logging.getLogger(__name__)

# Characters parsed together at most. The models' working memory grows with
# the text in one ``nlp.pipe`` batch: 16 pieces of 100,000 characters at once
# took over 3 GB. Ordinary articles still go 16 at a time.
PARSE_BATCH_CHARS = 100_000


class _Shipped:
    """The default of ``Extractor(model=…)``: the model shipped in the package."""


SHIPPED_MODEL: Final = _Shipped()


def too_long(article: Article, limit: int) -> str | None:
    """Why ``article`` is refused when it is longer than ``limit`` characters, else None."""
    if len(article.text) <= limit:
        return None
    return (
        f"article has {len(article.text):,} characters, over the limit of {limit:,} "
        "(raise it with --max-article-chars)"
    )


class Extractor:
    """Finds the quotes of articles; built once, used for any number of them.

    settings: how extraction runs (``Settings``).
    nlp: a loaded spaCy pipeline to use instead of ``settings.model`` (the
        spaCy component passes the pipeline it is part of). The model is
        loaded when first needed, so a parent of worker processes never
        loads one it does not use.
    lexicon: the words the rules read; default the shipped English lexicon,
        with the cue verbs of ``settings.cue_file`` added.
    model: the reported-speech model; default the shipped one, None for
        rules alone.
    finders: the finders to run (``saidwhat.quotes.find.FINDERS``).
    """

    def __init__(
        self,
        settings: Settings = DEFAULT_SETTINGS,
        *,
        nlp: Any = None,
        lexicon: Lexicon | None = None,
        model: AttributionModel | _Shipped | None = SHIPPED_MODEL,
        finders: Sequence[RegisteredFinder] = FINDERS,
    ) -> None:
        self.settings = settings
        self._nlp = nlp
        if lexicon is None:
            lexicon = lexicon_for("en")
            if settings.cue_file:
                lexicon = lexicon.with_user_cues(read_user_cues(settings.cue_file))
        self.lexicon = lexicon
        self.model = load_model() if isinstance(model, _Shipped) else model
        self.finders = tuple(finders)

    @property
    def nlp(self) -> Any:
        """The spaCy pipeline (``settings.model``, loaded once per process)."""
        if self._nlp is None:
            self._nlp = load_pipeline(self.settings.model)
        return self._nlp

    # -- one parsed text --------------------------------------------------------------

    def quotes_of(self, doc: Doc) -> list[Quote]:
        """The quotes of one parsed text at or above ``settings.min_confidence``."""
        text = doc_text(doc)
        skip = [(s.start, s.end) for s in find_boilerplate(text)]
        regions = [
            r
            for r in find_quoted_regions(text)
            if not any(s < r.close and r.open < e for s, e in skip)
        ]
        ctx = FinderContext(doc, text, regions, skip, self.lexicon, self.model, self.settings.scope)
        candidates = find_candidates(ctx, self.finders)
        quotes = assign_speakers(doc, candidates, regions, self.lexicon)
        return [q for q in quotes if q.confidence >= self.settings.min_confidence]

    # -- articles -----------------------------------------------------------------------

    def extract(self, text: str) -> list[Quote]:
        """The quotes of one text."""
        return list(self.extract_batch([Article(id="text", text=text)])[0].quotes)

    def extract_batch(self, articles: Sequence[Article]) -> list[ExtractedArticle]:
        """Each article with its quotes, in order; one failing article fails alone.

        An article longer than ``settings.max_article_chars`` is not parsed:
        it comes back ``refused``, with the reason in ``error``. When parsing
        the batch fails, its articles go one at a time, and the one that
        fails alone comes back with its error and no quotes. A model that
        cannot be loaded (a ``SaidwhatError``) is no article's fault: it
        stops the run with its message.
        """
        try:
            return self._extract_batch(articles)
        except SaidwhatError:
            raise
        except Exception as exc:
            if len(articles) > 1:
                return [r for a in articles for r in self.extract_batch([a])]
            log.exception("extraction failed on article %s", articles[0].id)
            error = f"extraction failed: {type(exc).__name__}: {exc}"
            return [ExtractedArticle(articles[0], (), error)]

    def _extract_batch(self, articles: Sequence[Article]) -> list[ExtractedArticle]:
        settings = self.settings
        pieces: list[tuple[int, int, str]] = []  # article index, offset, piece
        errors: list[str | None] = [too_long(a, settings.max_article_chars) for a in articles]
        for index, article in enumerate(articles):
            if errors[index] is None:
                for offset, piece in split_for_parsing(article.text, settings.parse_piece_chars):
                    pieces.append((index, offset, piece))
        found: list[list[Quote]] = [[] for _ in articles]
        failed: set[int] = set()
        docs = _parse(self.nlp, [p[2] for p in pieces], settings.batch_size)
        for (index, offset, _), doc in zip(pieces, docs, strict=True):
            text = articles[index].text
            try:
                quotes = self.quotes_of(doc)
            except Exception as exc:
                errors[index] = f"extraction failed: {type(exc).__name__}: {exc}"
                failed.add(index)
                log.exception("extraction failed on article %s", articles[index].id)
                continue
            found[index].extend(_shift(quote, offset, text) for quote in quotes)
        return [
            ExtractedArticle(
                article,
                () if error else tuple(quotes),
                error,
                refused=error is not None and index not in failed,
            )
            for index, (article, quotes, error) in enumerate(
                zip(articles, found, errors, strict=True)
            )
        ]

    def extract_articles(self, articles: Iterable[Article]) -> Iterator[ExtractedArticle]:
        """Yield each article with its quotes, in input order.

        Articles go through ``nlp.pipe`` in batches of ``settings.batch_size``;
        with ``settings.processes > 1`` batches run in worker processes, each
        with an extractor of the same settings (results still come back in
        order, and at most a few batches are in flight so memory stays
        bounded).
        """
        settings = self.settings
        if settings.processes <= 1:
            for batch in _batches(articles, settings.batch_size):
                yield from self.extract_batch(batch)
            return
        workers = min(settings.processes, os.cpu_count() or 1) or 1
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_start_worker, initargs=(settings,)
        ) as pool:
            in_flight: list[Any] = []
            for batch in _batches(articles, settings.batch_size):
                in_flight.append(pool.submit(_extract_in_worker, batch))
                if len(in_flight) >= 2 * workers:
                    yield from in_flight.pop(0).result()
            for future in in_flight:
                yield from future.result()


def split_for_parsing(text: str, piece_chars: int) -> list[tuple[int, str]]:
    """Cut ``text`` into pieces of at most ``piece_chars`` at paragraph breaks.

    Returns ``(offset, piece)`` pairs; a paragraph longer than the limit is
    cut at the last space before it (or hard, if it has none).
    """
    if len(text) <= piece_chars:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        stop = min(len(text), start + piece_chars)
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
    """``quote`` of a piece starting at ``offset``, with offsets into the whole ``text``."""
    if offset == 0:
        return quote

    def move(span: Span | None) -> Span | None:
        return None if span is None else Span.of(text, span.start + offset, span.end + offset)

    speaker = quote.speaker
    if speaker is not None:
        speaker = Speaker(move(speaker.mention), speaker.entity)
    content = tuple(Span.of(text, s.start + offset, s.end + offset) for s in quote.content)
    return replace(quote, content=content, cue=move(quote.cue), speaker=speaker)


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


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# A worker process of ``Extractor.extract_articles`` builds its own extractor
# once, from the parent's settings, and keeps it for the life of the process.
_worker_extractor: list[Extractor] = []


def _start_worker(settings: Settings) -> None:
    _worker_extractor.append(Extractor(replace(settings, processes=1)))


def _extract_in_worker(batch: list[Article]) -> list[ExtractedArticle]:
    return _worker_extractor[0].extract_batch(batch)


def extract_articles(
    articles: Iterable[Article], settings: Settings = DEFAULT_SETTINGS
) -> Iterator[ExtractedArticle]:
    """``Extractor(settings).extract_articles(articles)``: each article with its quotes."""
    return Extractor(settings).extract_articles(articles)


def extract(text: str, settings: Settings = DEFAULT_SETTINGS) -> list[Quote]:
    """The quotes of one text.

    >>> [q.content[0].text for q in extract("“We will win,” said Ana Petrova.")]
    ['We will win,']
    """
    return Extractor(settings).extract(text)
