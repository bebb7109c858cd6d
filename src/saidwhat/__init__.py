"""saidwhat: who said what in the news — quotations, their speakers and cues."""

from saidwhat.model import (
    Article,
    Entity,
    EntityKind,
    ExtractedArticle,
    Quote,
    QuoteType,
    Rule,
    Span,
    Speaker,
)
from saidwhat.pipeline import Extractor, extract, extract_articles
from saidwhat.settings import Settings
from saidwhat.version import __version__

__all__ = [
    "Article",
    "Entity",
    "EntityKind",
    "ExtractedArticle",
    "Extractor",
    "Quote",
    "QuoteType",
    "Rule",
    "Settings",
    "Span",
    "Speaker",
    "__version__",
    "extract",
    "extract_articles",
]
