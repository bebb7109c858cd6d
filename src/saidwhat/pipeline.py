"""Article → quotes: the per-article flow, and the same flow batched.

Nothing here touches files or the network; readers feed ``Article`` records
in and the caller decides where results go.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from saidwhat.model import Article, ExtractedArticle, Quote
from saidwhat.settings import DEFAULT_SETTINGS, Settings


def extract_articles(
    articles: Iterable[Article], settings: Settings = DEFAULT_SETTINGS
) -> Iterator[ExtractedArticle]:
    """Yield each article with its quotes, in input order (batched through nlp.pipe)."""
    raise NotImplementedError  # being written


def extract(text: str, settings: Settings = DEFAULT_SETTINGS) -> list[Quote]:
    """The quotes of one text."""
    article = Article(id="text", text=text)
    return list(next(iter(extract_articles([article], settings))).quotes)
