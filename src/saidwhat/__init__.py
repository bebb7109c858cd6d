"""saidwhat: who said what in the news — quotations, their speakers and cues."""

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
from saidwhat.pipeline import extract, extract_articles
from saidwhat.settings import Settings

__all__ = [
    "Article",
    "Entity",
    "EntityKind",
    "ExtractedArticle",
    "Quote",
    "QuoteType",
    "Settings",
    "Span",
    "Speaker",
    "extract",
    "extract_articles",
]

__version__ = "0.1.0"
