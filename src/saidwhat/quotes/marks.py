"""Quotation-mark pairing on raw text, before any parsing.

Works paragraph by paragraph (a paragraph is a line) so that one bad mark
costs at most its own paragraph, never the article. Handles curly and straight
marks, single and double, guillemets, nesting (an inner quote stays part of
the outer one), the newspaper convention for a quotation that runs over
several paragraphs (each paragraph opens with a mark, only the last closes),
and apostrophes that look like closing single quotes (``Putin’s``, ``’90s``,
``rock ’n’ roll``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class MarkRole(Enum):
    OPEN = "open"
    CLOSE = "close"
    EITHER = "either"  # a straight mark between spaces: closes an open quote, else nothing


@dataclass(frozen=True, slots=True)
class QuotedRegion:
    """Text between a pair of quotation marks.

    ``open``/``close`` are the offsets of the marks themselves; the content is
    ``text[open + 1 : close]``. ``closed`` is False when the closing mark was
    missing and the region was ended at the paragraph break instead.
    """

    open: int
    close: int
    family: str
    closed: bool = True
    paragraphs: int = 1

    def covers(self, char: int) -> bool:
        """Whether the character at ``char`` is inside the marks (or is one of them)."""
        return self.open <= char <= self.close

    @property
    def content_start(self) -> int:
        return self.open + 1

    @property
    def content_end(self) -> int:
        return self.close


# family -> (opening characters, closing characters); a straight mark is both.
_FAMILIES: dict[str, tuple[str, str]] = {
    "double": ('“"„«', '”"»'),
    "single": ("‘'‚‹", "’'›"),
}
_ALL_MARKS = "“”\"„«»‘’'‚‹›"
_WORD = re.compile(r"\w", re.UNICODE)


def _is_word(ch: str) -> bool:
    return bool(ch) and _WORD.match(ch) is not None


def _same_style(reopening: str, opener: str) -> bool:
    """Whether a paragraph-opening mark continues a quote opened with ``opener``.

    A writer keeps one style through a quotation: a quote opened with a
    straight mark is not continued by a curly one, and the reverse.
    """
    if reopening not in "“\"„«‘'‚‹”" or _family_of(reopening) != _family_of(opener):
        return False
    return (reopening in "\"'") == (opener in "\"'")


def _family_of(ch: str) -> str:
    return "double" if ch in '“”"„«»' else "single"


def _mark_role(text: str, i: int, line_start: int, line_end: int) -> MarkRole | None:
    """Decide whether the mark at ``i`` opens, closes, or is not a quote mark."""
    ch = text[i]
    prev = text[i - 1] if i > line_start else ""
    nxt = text[i + 1] if i + 1 < line_end else ""
    if prev == "=" or (nxt == ">" and ch in "\"'"):
        return None  # markup left in the text: <tweet id="…">
    before_space = prev == "" or prev.isspace() or prev in "([{—–-/" or prev in _ALL_MARKS
    after_space = nxt == "" or nxt.isspace() or nxt in ".,;:!?)]}—–-…" or nxt in _ALL_MARKS

    if ch in "’'":
        # Apostrophes: inside a word (Putin’s, don't), elisions before digits
        # or a lone letter (’90s, ’n’), and a mark glued to a word on the left
        # but standing before a space can still close a single quote.
        if _is_word(prev) and _is_word(nxt):
            return None
        if before_space and nxt.isdigit():
            return None
        if before_space and ch == "’":
            # A right single mark in opening position is an elision (’n’, ’em).
            return None
        if (
            i - 2 >= line_start
            and text[i - 2] in "’'"
            and _is_word(prev)
            and (i - 3 < line_start or not _is_word(text[i - 3]))
        ):
            return None  # the closing half of a one-letter elision: rock ’n’ roll
        if ch == "'" and before_space and not after_space:
            return MarkRole.OPEN
        if after_space and not before_space:
            return MarkRole.CLOSE
        return None
    if ch in "‘‚‹":
        if _is_word(prev) and _is_word(nxt):
            return None
        return MarkRole.OPEN
    if ch in "“„«":
        return MarkRole.OPEN
    if ch == "”" and (prev == "" or prev.isspace()) and _is_word(nxt):
        # A right mark typed where a left one belongs: ”Like this.”
        return MarkRole.OPEN
    if ch in "”»›":
        return MarkRole.CLOSE
    # Straight double quote: position decides.
    if before_space and not after_space:
        return MarkRole.OPEN
    if after_space and not before_space:
        return MarkRole.CLOSE
    if before_space and after_space:
        return MarkRole.EITHER
    return MarkRole.CLOSE if _is_word(prev) or prev in ".,!?" else MarkRole.OPEN


@dataclass(slots=True)
class _Open:
    pos: int
    family: str


def _pair_line(
    text: str, start: int, end: int, carried: _Open | None
) -> tuple[list[QuotedRegion], _Open | None]:
    """Pair the marks of one paragraph.

    Returns the closed top-level regions and the top-level opener left open
    at the paragraph end (``carried`` is an opener from an earlier paragraph).
    """
    regions: list[QuotedRegion] = []
    stack: list[_Open] = []
    if carried is not None:
        stack.append(carried)
    for i in range(start, end):
        ch = text[i]
        if ch not in _ALL_MARKS:
            continue
        role = _mark_role(text, i, start, end)
        if role is None:
            continue
        family = _family_of(ch)
        if role is MarkRole.EITHER:
            if not stack or stack[-1].family != family:
                continue
            role = MarkRole.CLOSE
        if role is MarkRole.OPEN:
            # A straight mark that could close the innermost open region of its
            # family closes it instead ("like "this" one" has no nesting).
            if (
                ch in "\"'"
                and stack
                and stack[-1].family == family
                and not _is_word(text[i + 1] if i + 1 < end else "")
            ):
                role = MarkRole.CLOSE
            else:
                if carried is not None and i == start and stack and stack[0] is carried:
                    # The multi-paragraph convention re-opens the carried quote.
                    continue
                stack.append(_Open(i, family))
                continue
        # Closing: close the innermost open region of the same family,
        # dropping any unclosed inner regions of the other family.
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth].family == family:
                opener = stack[depth]
                del stack[depth:]
                if not stack:
                    paragraphs = text.count("\n", opener.pos, i) + 1
                    regions.append(QuotedRegion(opener.pos, i, family, True, paragraphs))
                break
    return regions, (stack[0] if stack else None)


def find_quoted_regions(text: str) -> list[QuotedRegion]:
    """Every top-level quoted region of ``text``, in order.

    >>> [text[r.content_start:r.content_end] for text in ['He said: “We’ll win.”']
    ...  for r in find_quoted_regions(text)]
    ['We’ll win.']
    """
    regions: list[QuotedRegion] = []
    carried: _Open | None = None
    pos = 0
    length = len(text)
    while pos <= length:
        line_end = text.find("\n", pos)
        if line_end == -1:
            line_end = length
        line = text[pos:line_end]
        stripped_at = pos + (len(line) - len(line.lstrip()))
        if carried is not None:
            opens_again = stripped_at < line_end and _same_style(
                text[stripped_at], text[carried.pos]
            )
            if not line.strip():
                pass  # blank line between paragraphs: keep waiting
            elif not opens_again:
                # The quote never closed and the next paragraph does not
                # continue it: end it where its paragraph ended.
                regions.append(_unclosed(text, carried, pos))
                carried = None
        found, left_open = _pair_line(
            text, stripped_at if carried is not None else pos, line_end, carried
        )
        regions.extend(found)
        carried = left_open
        pos = line_end + 1
    if carried is not None:
        regions.append(_unclosed(text, carried, length))
    regions.sort(key=lambda r: r.open)
    return regions


def _unclosed(text: str, opener: _Open, stop: int) -> QuotedRegion:
    """A region whose closing mark is missing: end it at the last paragraph end."""
    end = text.rfind("\n", opener.pos, stop)
    if end <= opener.pos:
        end = stop
    while end > opener.pos + 1 and text[end - 1].isspace():
        end -= 1
    paragraphs = text.count("\n", opener.pos, end) + 1
    return QuotedRegion(opener.pos, end, opener.family, False, paragraphs)
