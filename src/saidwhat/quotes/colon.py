"""Statements introduced by a name and a colon, at the start of a line.

Headlines ("Penhallow: talks will not be rushed") and transcripts ("VARGA:
We never said that.") put the speaker first, then a colon, then the words,
with no verb at all.
"""

from __future__ import annotations

import re

from spacy.tokens import Span

from saidwhat.lexicon import Lexicon
from saidwhat.model import QuoteType, Rule
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.context import FinderContext
from saidwhat.quotes.rules import RULE_CONFIDENCE
from saidwhat.quotes.statement import is_evidence

_SPEAKER_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})

# One to five capitalised words (a name, an institution, a transcript
# speaker in capitals), then a colon and at least three words. Anchored at a
# line start, after an optional opening quotation mark.
_LEAD = re.compile(
    r"^[ \t\"“]?(?P<name>(?:[A-Z][\w.’'-]*)(?:[ \t]+(?:[A-Z][\w.’'-]*|of|the|and|for)){0,4}):[ \t]+"
    r"(?P<body>\S.*\S)\s*$",
    re.MULTILINE,
)


def find_colon_attributions(ctx: FinderContext) -> list[Candidate]:
    """Candidates for lines of the form "Name: what they said"."""
    doc, text, regions = ctx.doc, ctx.text, ctx.regions
    found: list[Candidate] = []
    for match in _LEAD.finditer(text):
        name_start, name_end = match.span("name")
        words = match.group("name").split()
        if (
            any(w.lower().strip(".") in ctx.lexicon.line_labels for w in words)
            or len(match.group("body").split()) < 3
        ):
            continue
        start, end = match.span("body")
        if ctx.in_boilerplate(start, end):
            continue
        body = text[start:end].rstrip(".")
        end = start + len(body)
        speaker = doc.char_span(name_start, name_end, alignment_mode="expand")
        colon = doc.char_span(name_end, name_end + 1, alignment_mode="expand")
        if speaker is None or colon is None or not _names_a_speaker(speaker, ctx.lexicon):
            continue
        inside = [r for r in regions if start <= r.open and r.close < end + 1]
        kind = QuoteType.MIXED if inside else QuoteType.INDIRECT
        if len(inside) == 1 and inside[0].open <= start + 1 and inside[0].close >= end - 1:
            kind = QuoteType.DIRECT
        found.append(
            Candidate(
                parts=((start, end),),
                type=kind,
                rule=Rule.NAME_COLON,
                cue=(colon.start, colon.end),
                speaker_head=speaker.root.i,
                confidence=RULE_CONFIDENCE[Rule.NAME_COLON],
                evidence=("a name and a colon open the line",),
            )
        )
    return found


def _names_a_speaker(name: Span, lexicon: Lexicon) -> bool:
    """Whether the words before the colon can be someone: a name the recogniser knows,
    a transcript speaker in capitals, or a role ("Minister: …").

    A headline's topic ("Coronavirus: New York ramps up …", "Poll: …") and
    page labels ("Posted: …") are no one.
    """
    if any(is_evidence(t, lexicon) for t in name):
        return False
    if any(t.ent_type_ in _SPEAKER_ENTITIES for t in name):
        return True
    # A headline's "Pence: …", named in full further down the article.
    named = {t.text for ent in name.doc.ents if ent.label_ in _SPEAKER_ENTITIES for t in ent}
    if any(t.text[:1].isupper() and t.text in named for t in name):
        return True
    words = [t.lower_ for t in name if t.is_alpha]
    if name.text.isupper():
        return True
    return any(
        w in lexicon.job_titles or w in lexicon.spokesperson_nouns or w in lexicon.extra_titles
        for w in words
    )
