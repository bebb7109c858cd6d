"""The record quote finders hand to speaker attribution.

A candidate still points into the spaCy ``Doc`` (token indices) because
attribution needs the parse; the pipeline turns it into a ``Quote`` at the
end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from saidwhat.model import QuoteType


@dataclass(slots=True)
class Candidate:
    """A quotation found, before its speaker is resolved.

    parts: character spans of the content, in order.
    cue: token range ``[start, end)`` of the cue, if any.
    speaker_head: token index of the head of the speaker mention.
    inherit: no cue of its own; the speaker comes from the quote before
        (a quote-only paragraph, or a second quote after "…,” he said.").
    """

    parts: list[tuple[int, int]]
    type: QuoteType
    cue: tuple[int, int] | None = None
    speaker_head: int | None = None
    speaker_span: tuple[int, int] | None = None
    inherit: bool = False
    confidence: float = 0.5
    evidence: list[str] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    def overlap(self, start: int, end: int) -> int:
        """Characters shared with ``[start, end)``."""
        return sum(max(0, min(e, end) - max(s, start)) for s, e in self.parts)

    @property
    def length(self) -> int:
        return sum(e - s for s, e in self.parts)
