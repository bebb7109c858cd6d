"""Every quote candidate of a parsed text: the registry of finders, and how their finds meet.

Each finder is a pure function of the ``FinderContext``; none sees another's
candidates, so the order of ``FINDERS`` cannot change what comes out.
Adding or switching off a finder is one line there. Where finds meet, one
place settles them (``settle``):

- a quotation inside reported content belongs to it ("insisted that talks
  would “take as long as they need”"), and one coordinated with reported
  content continues it (claiming that fraud is “a big problem” but “nobody
  has the guts to say so.”), which makes that quote mixed;
- the pieces of a quotation its cue splits are one quote (“…,” she said.
  “…”);
- of two candidates that mostly repeat each other, the more confident stays;
- a pull quote (a quotation set apart with no cue, or with only a dash and a
  name) that repeats words quoted elsewhere in the article is that quote
  again, not a second statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from saidwhat.model import QuoteType, Rule
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.colon import find_colon_attributions
from saidwhat.quotes.context import FinderContext
from saidwhat.quotes.direct import (
    find_direct,
    join_split_quotes,
    keep_uncued,
    region_may_be_quoted,
)
from saidwhat.quotes.reported import find_reported
from saidwhat.quotes.rules import REPORTED_RULES

Finder = Callable[[FinderContext], list[Candidate]]


@dataclass(frozen=True, slots=True)
class RegisteredFinder:
    """A finder and the name ``evaluate --by-rule`` and the docs call it by."""

    name: str
    find: Finder


# The finders. Their order does not matter: see ``settle``.
FINDERS: tuple[RegisteredFinder, ...] = (
    RegisteredFinder("reported speech", find_reported),
    RegisteredFinder("quotation marks", find_direct),
    RegisteredFinder("name and colon", find_colon_attributions),
)


def find_candidates(
    ctx: FinderContext, finders: Sequence[RegisteredFinder] = FINDERS
) -> list[Candidate]:
    """Every quote candidate of a parsed text, in text order, speakers unresolved."""
    found: list[Candidate] = []
    for finder in finders:
        found.extend(finder.find(ctx))
    return settle(ctx, found)


def settle(ctx: FinderContext, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates that stand once the finders' finds are put together (module docstring)."""
    reported = [c for c in candidates if c.rule in REPORTED_RULES]
    quoted = [c for c in candidates if c.region is not None and c.rule not in REPORTED_RULES]
    others = [c for c in candidates if c.region is None and c.rule not in REPORTED_RULES]
    reported, claimed = _claim_quotations(ctx, reported)
    quoted = join_split_quotes(ctx, [c for c in quoted if c.region not in claimed])
    quoted = [c for c in quoted if c.rule is not Rule.QUOTE_WITHOUT_CUE or keep_uncued(ctx, c)]
    return _drop_pull_quotes(ctx, _dedupe([*reported, *quoted, *others]))


def _claim_quotations(
    ctx: FinderContext, reported: list[Candidate]
) -> tuple[list[Candidate], set[int]]:
    """Reported candidates with the quotations they own, and those quotations' region indices.

    Regions are taken in text order, so a clause continued by one quotation
    can be continued by the next (“a”, but “b” and “c”).
    """
    text = ctx.text
    continuations = ctx.lexicon.continuations
    claimed: set[int] = set()
    for index, region in enumerate(ctx.regions):
        if not region_may_be_quoted(ctx, region):
            continue
        start, end = region.content_start, region.content_end
        if any(c.start <= start and end <= c.end + 1 for c in reported):
            claimed.add(index)
            continue
        at = next(
            (
                n
                for n, c in enumerate(reported)
                if c.end <= region.open and text[c.end : region.open].strip(" ,") in continuations
            ),
            None,
        )
        if at is not None:
            continued = reported[at]
            last_start, _ = continued.parts[-1]
            new_end = region.close + 1 if region.closed else end
            reported[at] = replace(
                continued,
                parts=(*continued.parts[:-1], (last_start, new_end)),
                type=QuoteType.MIXED,
            )
            claimed.add(index)
    return reported, claimed


def _dedupe(candidates: list[Candidate]) -> list[Candidate]:
    """Drop candidates that mostly repeat a more confident one.

    Among equally confident candidates the earlier one in the text wins;
    at the same place, reported speech, then quotation marks, then the rest
    (the order ``settle`` lists them in), each in its finder's order.
    """
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


# Rules that give a quotation standing apart, with no cue in its sentence.
_PULL_QUOTE_RULES = frozenset({Rule.QUOTE_WITHOUT_CUE, Rule.DASH_AFTER_QUOTE})
_PULL_QUOTE_MIN_WORDS = 5
_WORD = re.compile(r"\w+(?:['’]\w+)?")


def _drop_pull_quotes(ctx: FinderContext, candidates: list[Candidate]) -> list[Candidate]:
    """Without the pull quotes that repeat another candidate's words (module docstring)."""
    text = ctx.text
    words = [
        " " + " ".join(w.lower() for a, b in c.parts for w in _WORD.findall(text[a:b])) + " "
        for c in candidates
    ]
    apart = [_stands_apart(ctx, c) for c in candidates]
    kept = []
    for i, candidate in enumerate(candidates):
        if (
            apart[i]
            and words[i].count(" ") > _PULL_QUOTE_MIN_WORDS
            and any(
                j != i and words[i] in words[j] and not (apart[j] and j > i)
                for j in range(len(candidates))
            )
        ):
            continue
        kept.append(candidate)
    return kept


def _stands_apart(ctx: FinderContext, candidate: Candidate) -> bool:
    """A quotation that is its paragraph, but for a dash and a name after it: a pull quote."""
    if candidate.rule not in _PULL_QUOTE_RULES or candidate.region is None:
        return False
    region = ctx.regions[candidate.region]
    text = ctx.text
    start = text.rfind("\n", 0, region.open) + 1
    end = text.find("\n", region.close)
    after = text[region.close + 1 : len(text) if end == -1 else end].strip()
    return not text[start : region.open].strip() and (not after or after[0] in "—–-")
