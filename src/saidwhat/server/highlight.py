"""Text as HTML with marks: an article's quotes, cues and speakers; a search's words.

Offsets come from the store; the text comes from whoever wrote the article,
so every piece of it is escaped (``markupsafe.escape``) between offsets and
only the tags this module writes are markup. The text is cut at every
boundary of a quote, cue or speaker mention, and each piece is wrapped in the
tags of what covers it, so the tags always nest whatever the spans do: a cue
inside a quote is underlined inside its highlight, and where two quotes
overlap the later one is clipped to start where the earlier one ends.

A search hit's words are marked where the full-text index matched them
(``highlight_words``): the same words, case and diacritics folded the same
way, prefixes and phrases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from saidwhat.store.queries import ArticleQuote
from saidwhat.store.search import QueryTerm, SearchError, Token, fts_tokens, query_terms

PALETTE_SIZE = 8  # colours .s0 … .s7 in style.css; a quote without a speaker gets .s-none


def speaker_class(speaker_id: int | None) -> str:
    """The colour class of a speaker: the same speaker has the same colour on every page."""
    return "s-none" if speaker_id is None else f"s{speaker_id % PALETTE_SIZE}"


def quote_tip(quote: ArticleQuote) -> str:
    """What hovering a quote shows: who said it, how sure, and which rule decided it."""
    mention = quote.speaker_text
    who = quote.speaker_entity or (f"“{mention}” (unresolved)" if mention else "no speaker")
    lines = [f"{who} · {quote.type} · confidence {quote.confidence:.2f}"]
    if quote.cue_text:
        lines.append(f"cue: {quote.cue_text}")
    if quote.evidence:
        lines.append(f"evidence: {quote.evidence}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    quote: int | None  # index into the quotes, or None outside every quote
    cue: bool
    mention: bool


def _clamped(start: int | None, end: int | None, length: int) -> tuple[int, int] | None:
    if start is None or end is None:
        return None
    start, end = max(0, min(length, start)), max(0, min(length, end))
    return (start, end) if start < end else None


def _quote_spans(quotes: Sequence[ArticleQuote], length: int) -> list[tuple[int, int, int]]:
    """Every part of every quote as (start, end, quote index), overlaps clipped away."""
    parts = []
    for index, quote in enumerate(quotes):
        for start, end in quote.content_parts:
            span = _clamped(start, end, length)
            if span is not None:
                parts.append((span[0], span[1], index))
    parts.sort(key=lambda p: (p[0], -p[1], p[2]))
    spans = []
    covered = 0
    for start, end, index in parts:
        start = max(start, covered)  # overlapping the quote before: keep only what is new
        if start < end:
            spans.append((start, end, index))
            covered = end
    return spans


def _pieces(text: str, quotes: Sequence[ArticleQuote]) -> list[_Piece]:
    """The text cut at every boundary, each piece knowing what covers it."""
    length = len(text)
    quote_starts: dict[int, int] = {}
    quote_ends: set[int] = set()
    for start, end, index in _quote_spans(quotes, length):
        quote_starts[start] = index
        quote_ends.add(end)
    cue_delta: defaultdict[int, int] = defaultdict(int)
    mention_delta: defaultdict[int, int] = defaultdict(int)
    for quote in quotes:
        for delta, span in (
            (cue_delta, _clamped(quote.cue_start, quote.cue_end, length)),
            (mention_delta, _clamped(quote.speaker_start, quote.speaker_end, length)),
        ):
            if span is not None:
                delta[span[0]] += 1
                delta[span[1]] -= 1
    bounds = sorted({0, length, *quote_starts, *quote_ends, *cue_delta, *mention_delta})
    pieces: list[_Piece] = []
    current: int | None = None
    cues = mentions = 0
    for start, end in pairwise(bounds):
        if start in quote_ends:
            current = None
        current = quote_starts.get(start, current)
        cues += cue_delta.get(start, 0)
        mentions += mention_delta.get(start, 0)
        piece = _Piece(start, end, current, cues > 0, mentions > 0)
        last = pieces[-1] if pieces else None
        if last and (last.quote, last.cue, last.mention) == (current, cues > 0, mentions > 0):
            pieces[-1] = _Piece(last.start, end, current, last.cue, last.mention)
        else:
            pieces.append(piece)
    return pieces


def single_line_paragraphs(text: str) -> bool:
    r"""Whether ``text`` breaks paragraphs with one line break (JSON Lines bodies often do):
    it has line breaks and no blank line.

    >>> single_line_paragraphs("One.\nTwo."), single_line_paragraphs("One.\n\nTwo.\nthree")
    (True, False)
    """
    lines = text.replace("\r\n", "\n").strip("\n")
    return "\n" in lines and "\n\n" not in lines


def highlight_article(text: str, quotes: Sequence[ArticleQuote]) -> Markup:
    """The article ``text`` as HTML: quotes in ``<mark>``, cues in ``<u>``, mentions marked.

    The page shows the text with its line breaks (``white-space: pre-wrap``);
    a text that breaks paragraphs with single line breaks gets a blank line
    at each, so its paragraphs read as paragraphs. Only the markup changes:
    every offset still indexes the stored text, and a quote across a break
    stays one highlight.

    >>> from saidwhat.store.queries import ArticleQuote
    >>> q = ArticleQuote(1, 1, 0, None, None, 1, 4, "<b>", [(1, 4)], "direct", 6, 10, "said",
    ...                  *[None] * 11, 0.9, "", *[None] * 5)
    >>> str(highlight_article("“<b>” said x", [q]))  # doctest: +ELLIPSIS
    '“<mark class="quote s-none" id="q1" ...>&lt;b&gt;</mark>” <u class="cue">said</u> x'
    """
    out: list[str] = []
    open_quote: int | None = None
    anchored: set[int] = set()
    paragraph_break = "\n\n" if single_line_paragraphs(text) else "\n"
    for piece in _pieces(text, quotes):
        if piece.quote != open_quote:
            if open_quote is not None:
                out.append("</mark>")
            if piece.quote is not None:
                quote = quotes[piece.quote]
                anchor = Markup("")
                if piece.quote not in anchored:  # a quote in several parts: anchor the first
                    anchored.add(piece.quote)
                    anchor = Markup(' id="q{}"').format(quote.quote_id)
                out.append(
                    Markup(
                        '<mark class="quote {}"{} data-quote="{}" data-speaker="{}"'
                        ' data-tip="{}" tabindex="0">'
                    ).format(
                        speaker_class(quote.speaker_id),
                        anchor,
                        quote.quote_id,
                        quote.speaker_id if quote.speaker_id is not None else "",
                        quote_tip(quote),
                    )
                )
            open_quote = piece.quote
        html = escape(text[piece.start : piece.end]).replace("\n", paragraph_break)
        if piece.mention:
            html = Markup('<span class="mention">{}</span>').format(html)
        if piece.cue:
            html = Markup('<u class="cue">{}</u>').format(html)
        out.append(html)
    if open_quote is not None:
        out.append("</mark>")
    return Markup("".join(out))


def _term_matches(tokens: Sequence[Token], term: QueryTerm) -> list[tuple[int, int]]:
    """Where in the text (start, end) ``term`` matches its ``tokens``, as FTS5 matches it."""
    words = [t.folded for t in fts_tokens(term.text)]
    if not words:
        return []
    *leading, last = words
    found = []
    for at in range(len(tokens) - len(words) + 1):
        here = tokens[at : at + len(words)]
        if [t.folded for t in here[:-1]] != leading:
            continue
        final = here[-1].folded
        if final == last or (term.prefix and final.startswith(last)):
            found.append((here[0].start, here[-1].end))
    return found


def word_spans(text: str, query: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` the words of ``query`` match, in order, overlaps merged.

    Words after NOT are not marked (quotes found do not have them), and a
    query that cannot run marks nothing.

    >>> word_spans("Ferry fares rise; ferries late", "ferr* fares")
    [(0, 5), (6, 11), (18, 25)]
    """
    try:
        terms = [t for t in query_terms(query) if not t.excluded]
    except SearchError:
        return []
    tokens = fts_tokens(text)
    spans = sorted(span for term in terms for span in _term_matches(tokens, term))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight_words(text: str, query: str) -> Markup:
    """``text`` as HTML with the words of ``query`` in ``<mark>``; everything else escaped.

    >>> str(highlight_words("<b>Café</b> owners said cafes", "cafe"))
    '&lt;b&gt;<mark>Café</mark>&lt;/b&gt; owners said cafes'
    """
    out: list[str] = []
    at = 0
    for start, end in word_spans(text, query) if query.strip() else []:
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>{}</mark>").format(text[start:end]))
        at = end
    out.append(escape(text[at:]))
    return Markup("".join(out))
