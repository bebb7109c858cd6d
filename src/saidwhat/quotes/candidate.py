"""The record quote finders hand on: a quote found, before its speaker is resolved.

A candidate still points into the spaCy ``Doc`` (token indices) because
attribution needs the parse; the pipeline turns it into a ``Quote`` at the
end. Candidates are immutable: a step that changes one (joining the pieces
of a split quote, carrying a speaker over) makes a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from saidwhat.model import QuoteType, Rule


@dataclass(frozen=True, slots=True)
class Candidate:
    """A quotation found, before its speaker is resolved.

    parts: character spans of the content, in order.
    rule: the rule that found it.
    cue: token range ``[start, end)`` of the cue, if any.
    speaker_head: token index of the head of the speaker mention.
    inherit: no cue of its own; the speaker comes from the quote before
        (a quote-only paragraph, or a second quote after "…,” he said.").
    region: index of the quoted region a quotation-mark finder built it on.
    """

    parts: tuple[tuple[int, int], ...]
    type: QuoteType
    rule: Rule
    cue: tuple[int, int] | None = None
    speaker_head: int | None = None
    inherit: bool = False
    confidence: float = 0.5
    evidence: tuple[str, ...] = ()
    region: int | None = None

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
