"""Every quote candidate of a parsed text: marks, reported speech, name-and-colon lines."""

from __future__ import annotations

from spacy.tokens import Doc

from saidwhat.clean import find_boilerplate
from saidwhat.nlp import doc_text
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.colon import find_colon_attributions
from saidwhat.quotes.direct import find_direct
from saidwhat.quotes.marks import QuotedRegion, find_quoted_regions
from saidwhat.quotes.reported import find_reported
from saidwhat.settings import Scope


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
    text = doc_text(doc)
    skip = [(s.start, s.end) for s in find_boilerplate(text)]
    regions = [
        r for r in find_quoted_regions(text) if not any(s < r.close and r.open < e for s, e in skip)
    ]
    reported = list(find_reported(doc, regions, skip, scope))
    direct = find_direct(doc, regions, reported, skip)
    colon = list(find_colon_attributions(doc, regions, skip))
    return _dedupe(reported + direct + colon), regions
