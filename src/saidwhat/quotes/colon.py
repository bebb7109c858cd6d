"""Statements introduced by a name and a colon, at the start of a line.

Headlines ("Penhallow: talks will not be rushed") and transcripts ("VARGA:
We never said that.") put the speaker first, then a colon, then the words,
with no verb at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc

from saidwhat.model import QuoteType
from saidwhat.nlp import doc_text
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.marks import QuotedRegion

# One to five capitalised words (a name, an institution, a transcript
# speaker in capitals), then a colon and at least three words. Anchored at a
# line start, after an optional opening quotation mark.
_LEAD = re.compile(
    r"^[ \t\"“]?(?P<name>(?:[A-Z][\w.’'-]*)(?:[ \t]+(?:[A-Z][\w.’'-]*|of|the|and|for)){0,4}):[ \t]+"
    r"(?P<body>\S.*\S)\s*$",
    re.MULTILINE,
)
# Lead words that label a line rather than name a speaker.
_LABELS = {
    "read", "more", "related", "watch", "update", "updated", "editor", "note", "photo",
    "image", "video", "source", "sources", "credit", "correction", "see", "also", "listen",
    "subscribe", "share", "follow", "advertisement", "q", "a", "question", "answer",
    "warning", "breaking", "exclusive", "analysis", "opinion", "comment", "live", "timeline",
    "background", "context", "key", "points", "facts", "the", "latest",
}  # fmt: skip
CONFIDENCE = 0.6  # a name and a colon: often a statement, sometimes a label


def find_colon_attributions(
    doc: Doc, regions: Sequence[QuotedRegion], skip: Sequence[tuple[int, int]]
) -> Iterator[Candidate]:
    """Candidates for lines of the form "Name: what they said"."""
    text = doc_text(doc)
    for match in _LEAD.finditer(text):
        name_start, name_end = match.span("name")
        words = match.group("name").split()
        if (
            any(w.lower().strip(".") in _LABELS for w in words)
            or len(match.group("body").split()) < 3
        ):
            continue
        start, end = match.span("body")
        if any(s < end and start < e for s, e in skip):
            continue
        body = text[start:end].rstrip(".")
        end = start + len(body)
        speaker = doc.char_span(name_start, name_end, alignment_mode="expand")
        colon = doc.char_span(name_end, name_end + 1, alignment_mode="expand")
        if speaker is None or colon is None:
            continue
        inside = [r for r in regions if start <= r.open and r.close < end + 1]
        kind = QuoteType.MIXED if inside else QuoteType.INDIRECT
        if len(inside) == 1 and inside[0].open <= start + 1 and inside[0].close >= end - 1:
            kind = QuoteType.DIRECT
        yield Candidate(
            parts=[(start, end)],
            type=kind,
            cue=(colon.start, colon.end),
            speaker_head=speaker.root.i,
            confidence=CONFIDENCE,
            evidence=["a name and a colon open the line"],
        )
