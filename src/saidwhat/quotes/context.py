"""What every finder reads: one parsed text, and what the extractor knows.

Finders are pure functions of a ``FinderContext``: they return new
candidates and read nothing else, so which finder runs first cannot change
what any of them finds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from saidwhat.lexicon import Lexicon
from saidwhat.quotes.learned import AttributionModel
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.settings import Scope


@dataclass(frozen=True, slots=True)
class FinderContext:
    """One parsed text with its quoted regions and boilerplate, and the extractor's knowledge.

    doc / text: the parse and its text (``text == doc.text``).
    regions: the quoted regions outside boilerplate, in order.
    skip: character ranges of boilerplate lines, never a quote.
    lexicon: the words the rules read.
    model: the reported-speech model, or None for rules alone.
    scope: which attributions count as quotes.
    """

    doc: Doc
    text: str
    regions: Sequence[QuotedRegion]
    skip: Sequence[tuple[int, int]]
    lexicon: Lexicon
    model: AttributionModel | None
    scope: Scope

    def in_boilerplate(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` touches a boilerplate line."""
        return any(s < end and start < e for s, e in self.skip)
