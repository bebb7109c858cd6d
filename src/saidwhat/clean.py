"""Boilerplate detection that never moves an offset.

The text every offset indexes is kept as it is; boilerplate lines ("READ
MORE:", "Sign up to…", share buttons) are returned as spans for the later
stages to ignore. A reader that already removed boilerplate (trafilatura for
HTML) loses nothing by this running again.
"""

from __future__ import annotations

import re

from saidwhat.model import Span

# Lines that link elsewhere or ask the reader to do something: never speech
# of this article. Anchored at the line start, case-insensitive.
_BOILERPLATE_LINE = re.compile(
    r"""^\s*(?:
        (?:read|see|watch|listen)\s+(?:more|also|next|now)\b
      | more\s*:
      | related(?:\s+(?:articles?|stories|coverage|content))?\s*:
      | (?:sign|signing)\s+up\b
      | subscribe\b
      | follow\s+us\b
      | share\s+(?:this|on|via)\b
      | click\s+here\b
      | advertisement\s*$
      | (?:image|photo|picture|video)\s*(?:credit)?\s*:
      | (?:posted|published|updated|last\s+updated|first\s+published|filed|filed\s+under)\s*:
      | (?:contact|caption|credits?|gallery|tags|topics|our\s+standards|editor'?s\s+note)\s*:
      | copyright\b | ©
      | (?:most\s+read|trending|top\s+stories)\s*:?\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def find_boilerplate(text: str) -> list[Span]:
    """Spans of the lines of ``text`` that are boilerplate, in order."""
    spans: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip() and _BOILERPLATE_LINE.match(line):
            spans.append(Span(pos, end, line))
        pos = end + 1
    return spans


def in_any(start: int, end: int, spans: list[Span]) -> bool:
    """Whether ``[start, end)`` overlaps any of ``spans``."""
    return any(start < s.end and s.start < end for s in spans)
