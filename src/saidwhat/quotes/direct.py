"""Direct quotations: quoted regions linked to the cue that introduces them.

For each region found by ``marks`` the cue is looked for where news prose
puts it: right after the closing mark in the same sentence (“…,” she said),
before the opening mark in the same paragraph (He said: “…”), at the end of
the previous paragraph (He said:¶“…”). A quote with no cue inherits the
speaker of the quote just before it (a quote-only paragraph, or a second
quote after “…,” he said.). Short quoted fragments are speech only when a
cue governs them ("warned about Putin’s ‘next target’"); otherwise they
are scare quotes or names ("so-called ‘Coalition of the Willing’").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Doc, Token

from saidwhat.lexicon import Lexicon
from saidwhat.model import QuoteType, Rule
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.context import FinderContext
from saidwhat.quotes.learned import options_of
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.quotes.naming import is_a_name, is_clause, title_cased, token_at
from saidwhat.quotes.rules import NO_SUBJECT_FACTOR, RULE_CONFIDENCE
from saidwhat.quotes.statement import is_evidence
from saidwhat.settings import Scope
from saidwhat.syntax import cue_token_range, doc_text, find_subject

_FRAGMENT_MAX_WORDS = 5
_AFTER_WINDOW = 16  # tokens after the closing mark where a trailing cue may sit
_JOIN_MAX_WORDS = 40  # words between two pieces of one quote: ", she said, clapping."
_JOINED = "joined with the rest of the quotation after the cue"


def _words(text: str) -> int:
    return len(text.split())


def _is_cue(token: Token, lexicon: Lexicon) -> bool:
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if lexicon.is_speech_lemma(token.lemma_) or lexicon.is_user_cue(token.lemma_, token.text):
        return True
    return any(
        child.dep_ == "prt" and lexicon.is_phrasal_cue(token.lemma_, child.lower_)
        for child in token.children
    )


def _sentence_end_punct(text: str) -> bool:
    """Whether the quoted words end a sentence ("…win." rather than "…win,")."""
    return text.rstrip().endswith((".", "…"))


def _cue_after(doc: Doc, region: QuotedRegion, limit: int, lexicon: Lexicon) -> Token | None:
    """A cue in the attribution right after the closing mark.

    “…,” Rep. Ida Moen (Harbour Party) said Friday. / “…?” he asks. The
    attribution ends at the end of its sentence, a new quotation or the
    paragraph; the parser's sentence split is not trusted here because it
    often breaks after “…?”.
    """
    start_tok = token_at(doc, region.close)
    if start_tok is None:
        return None
    for token in doc[start_tok.i + 1 : start_tok.i + 1 + _AFTER_WINDOW]:
        if token.idx >= limit or "\n" in token.text:
            break
        if token.text in ("“", "‘", "«", '"'):
            break
        if _is_cue(token, lexicon):
            return token
        if token.text in (";", "!", "?") or (token.text == "." and _ends_sentence(token)):
            break
    return None


def _ends_sentence(token: Token) -> bool:
    """A full stop that ends a sentence, not an abbreviation's ("Wis.", "Rep.")."""
    doc = token.doc
    if token.i + 1 >= len(doc):
        return True
    nxt = doc[token.i + 1]
    prev = doc[token.i - 1] if token.i else None
    if prev is not None and len(prev.text) <= 3 and prev.text[:1].isupper():
        return False
    return nxt.is_space or nxt.text[:1].isupper() or nxt.text in ("“", '"')


def _dash_attribution(doc: Doc, region: QuotedRegion, limit: int) -> tuple[Token, Token] | None:
    """The dash and the name after it closing a quotation: “…” ― Ida Moen."""
    text = doc_text(doc)
    pos = region.close + 1
    while pos < limit and text[pos] in " \u00a0":
        pos += 1
    if pos >= limit or text[pos] not in "―—–-":
        return None
    dash = token_at(doc, pos)  # may be glued to the closing mark: ”―
    pos += 1
    while pos < limit and text[pos] in " \u00a0":
        pos += 1
    first = token_at(doc, pos) if pos < limit else None
    if dash is None or first is None or first.pos_ != "PROPN":
        return None
    head = first
    while head.dep_ in ("compound", "flat") and head.head.i > head.i and head.head.idx < limit:
        head = head.head
    return dash, head


def _cue_before(doc: Doc, region: QuotedRegion, floor: int, lexicon: Lexicon) -> Token | None:
    """The cue of a "X said:" or "X said," lead-in before the opening mark."""
    open_tok = token_at(doc, region.open)
    if open_tok is None:
        return None
    lead = doc_text(doc)[floor : region.open].rstrip()
    if not lead or lead.endswith((".", "!", "?", "”", '"')):
        return None
    i = open_tok.i - 1
    while i >= 0 and doc[i].idx >= floor:
        token = doc[i]
        if _is_cue(token, lexicon):
            return token
        if token.text in (".", "!", "?", ";") and i < open_tok.i - 1:
            break
        i -= 1
    return None


def _previous_paragraph_cue(
    doc: Doc, region: QuotedRegion, floor: int, lexicon: Lexicon
) -> Token | None:
    """The cue of a paragraph ending in "…said:" right before a quote paragraph."""
    text = doc_text(doc)
    para_start = text.rfind("\n", 0, region.open) + 1
    if text[para_start : region.open].strip():
        return None
    prev_end = para_start - 1
    while prev_end > 0 and text[prev_end - 1].isspace():
        prev_end -= 1
    if prev_end <= floor or not text[:prev_end].endswith(":"):
        return None
    colon = token_at(doc, prev_end - 1)
    if colon is None:
        return None
    i = colon.i - 1
    while i >= 0 and doc[i].idx >= floor and "\n" not in doc[i].text:
        if _is_cue(doc[i], lexicon):
            return doc[i]
        i -= 1
    return None


_HOW = {
    Rule.CUE_AFTER_QUOTE: "cue after the closing quotation mark",
    Rule.CUE_BEFORE_QUOTE: "cue before the opening quotation mark",
    Rule.CUE_ENDING_PREVIOUS_PARAGRAPH: "cue ending the previous paragraph",
}


def _line_around(text: str, region: QuotedRegion) -> str:
    """The paragraph holding ``region``, without the region itself."""
    start = text.rfind("\n", 0, region.open) + 1
    end = text.find("\n", region.close)
    end = len(text) if end == -1 else end
    return text[start : region.open] + text[region.close + 1 : end]


def _fragment_cue(doc: Doc, region: QuotedRegion, lexicon: Lexicon) -> Token | None:
    """A cue that governs a short quoted fragment, or None if it is a name."""
    open_tok = token_at(doc, region.open)
    if open_tok is None:
        return None
    before = [t for t in doc[max(0, open_tok.i - 3) : open_tok.i] if not t.is_punct]
    if before and before[-1].lower_ in lexicon.naming_words:
        return None
    inner = doc_text(doc)[region.content_start : region.content_end]
    line = _line_around(doc_text(doc), region)
    if title_cased(inner, lexicon) and not title_cased(line, lexicon):
        return None  # a title-cased name in running text: ‘Coalition of the Willing’
    # Walk up from the fragment's tokens to a governing cue.
    for token in doc.char_span(region.content_start, region.content_end, "expand") or []:
        head = token
        for _ in range(4):
            if head.head is head:
                break
            head = head.head
            if head.i >= open_tok.i or head.idx > region.open:
                continue
            if _is_cue(head, lexicon):
                return head
            if head.lemma_.lower() in lexicon.fragment_cues:
                # "called the plan “reckless”" reports words; "called the bridge
                # the “Wobbler”" names it.
                return None if doc[open_tok.i - 1].lower_ == "the" else head
    # Otherwise the nearest cue before it in the same clause.
    i = open_tok.i - 1
    steps = 0
    while i >= 0 and steps < 6:
        token = doc[i]
        if token.is_sent_start and i < open_tok.i - 1 and steps > 0:
            break
        if token.text in (".", ";", "–", "—", ":") or (
            token.pos_ in ("VERB",) and not _is_cue(token, lexicon)
        ):
            break
        if _is_cue(token, lexicon):
            return token
        i -= 1
        steps += 1
    return None


def _fragment_content(
    doc: Doc, cue: Token, region: QuotedRegion, lexicon: Lexicon
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Content and cue of a quote built around a quoted fragment.

    The fragment is part of what the cue reports: "said that “ethanol
    people” do a fantastic job" reports the whole clause. The content is the
    smallest of the cue's content options holding the fragment, else the
    fragment alone.
    """
    fitting = [
        o
        for o in options_of(cue, lexicon)
        if doc[o.first].idx <= region.open
        and region.close < doc[o.last].idx + len(doc[o.last].text)
    ]
    if not fitting:
        return (region.content_start, region.content_end), cue_token_range(cue)
    option = min(fitting, key=lambda o: o.last - o.first)
    last = doc[option.last]
    return (doc[option.first].idx, last.idx + len(last.text)), option.cue


def find_direct(ctx: FinderContext) -> list[Candidate]:
    """A candidate for each quoted region that has a cue, a speaker to inherit, or is governed.

    Every candidate remembers its region (``Candidate.region``): whether a
    region belongs to reported speech instead is settled with the other
    finders' candidates, in ``saidwhat.quotes.find``.
    """
    doc, text, regions, lexicon = ctx.doc, ctx.text, ctx.regions, ctx.lexicon
    found: list[Candidate] = []
    for index, region in enumerate(regions):
        start, end = region.content_start, region.content_end
        if not region_may_be_quoted(ctx, region):
            continue
        inner = text[start:end]
        if is_a_name(doc, region, lexicon):
            continue
        para_start = text.rfind("\n", 0, region.open) + 1
        floor = max(para_start, regions[index - 1].close + 1 if index else 0)
        next_open = regions[index + 1].open if index + 1 < len(regions) else len(text)
        next_break = text.find("\n", region.close)
        limit = min(next_open, next_break if next_break != -1 else len(text))

        cue = None
        rule = Rule.CUE_AFTER_QUOTE
        if not _sentence_end_punct(inner) or inner.rstrip().endswith(("?", "!")):
            cue = _cue_after(doc, region, limit, lexicon)
        if cue is None and _words(inner) <= _FRAGMENT_MAX_WORDS and not _sentence_end_punct(inner):
            cue = _fragment_cue(doc, region, lexicon)
            if cue is None:
                continue
            subject = find_subject(cue, lexicon)
            if (
                ctx.scope is Scope.STATEMENTS
                and subject is not None
                and is_evidence(subject, lexicon)
            ):
                continue  # "Study hails ‘game-changer’ inhaler": a finding, not words
            content, cue_range = _fragment_content(doc, cue, region, lexicon)
            found.append(
                Candidate(
                    parts=(content,),
                    type=QuoteType.MIXED,
                    rule=Rule.QUOTED_FRAGMENT,
                    cue=cue_range,
                    speaker_head=subject.i if subject is not None else None,
                    confidence=RULE_CONFIDENCE[Rule.QUOTED_FRAGMENT],
                    evidence=(f"quoted words governed by the cue “{cue.text}”",),
                    region=index,
                )
            )
            continue
        if cue is None:
            cue = _cue_before(doc, region, floor, lexicon)
            rule = Rule.CUE_BEFORE_QUOTE
        if cue is None and index and regions[index - 1].close < para_start:
            cue = _previous_paragraph_cue(doc, region, regions[index - 1].close + 1, lexicon)
            rule = Rule.CUE_ENDING_PREVIOUS_PARAGRAPH
        if cue is None and not index:
            cue = _previous_paragraph_cue(doc, region, 0, lexicon)
            rule = Rule.CUE_ENDING_PREVIOUS_PARAGRAPH
        dashed = _dash_attribution(doc, region, limit) if cue is None else None
        if dashed is not None:
            dash, name = dashed
            candidate = Candidate(
                parts=((start, end),),
                type=QuoteType.DIRECT,
                rule=Rule.DASH_AFTER_QUOTE,
                cue=(dash.i, dash.i + 1),
                speaker_head=name.i,
                confidence=RULE_CONFIDENCE[Rule.DASH_AFTER_QUOTE],
                evidence=("quotation marks; a dash after the quotation names the speaker",),
                region=index,
            )
        elif cue is not None:
            subject = find_subject(cue, lexicon)
            candidate = Candidate(
                parts=((start, end),),
                type=QuoteType.DIRECT,
                rule=rule,
                cue=cue_token_range(cue),
                speaker_head=subject.i if subject is not None else None,
                confidence=RULE_CONFIDENCE[rule]
                * (1.0 if subject is not None else NO_SUBJECT_FACTOR),
                evidence=(f"quotation marks; {_HOW[rule]} “{cue.text}”",),
                region=index,
            )
        else:
            # No cue: the speaker is inherited from the quote just before
            # (settled in the pipeline, which sees every kind of quote).
            # A short piece may yet join the quote its cue split (“…,” she said.
            # “Not yet.”); one that stands alone is weighed in ``keep_uncued``.
            candidate = Candidate(
                parts=((start, end),),
                type=QuoteType.DIRECT,
                rule=Rule.QUOTE_WITHOUT_CUE,
                inherit=True,
                confidence=RULE_CONFIDENCE[Rule.QUOTE_WITHOUT_CUE],
                evidence=("quotation marks; no cue in its sentence",),
                region=index,
            )
        found.append(candidate)
    return found


def keep_uncued(ctx: FinderContext, candidate: Candidate) -> bool:
    """Whether a quotation with no cue, joined to none, stands as a quote on its own.

    It needs four words; in the statements scope also a clause (a finite
    verb or an imperative): with no cue and no clause it is a title or a
    fragment ("“A new salamander from the Corrow karst,”").
    """
    start, end = candidate.start, candidate.end
    if _words(ctx.text[start:end]) < 4:
        return False
    return ctx.scope is not Scope.STATEMENTS or is_clause(ctx.doc, start, end)


def region_may_be_quoted(ctx: FinderContext, region: QuotedRegion) -> bool:
    """Whether a quoted region can hold a quote at all: words, outside boilerplate."""
    start, end = region.content_start, region.content_end
    return not ctx.in_boilerplate(start, end) and bool(ctx.text[start:end].strip())


def _other_cue_between(doc: Doc, first: Candidate, second: Candidate, lexicon: Lexicon) -> bool:
    """Whether a cue other than ``first``'s stands between two quotations."""
    span = doc.char_span(first.end, second.start, alignment_mode="expand")
    if span is None or first.cue is None:
        return False
    cue_start, cue_end = first.cue
    return any(_is_cue(t, lexicon) and not cue_start <= t.i < cue_end for t in span)


def join_split_quotes(ctx: FinderContext, found: Sequence[Candidate]) -> list[Candidate]:
    """One quote from “…,” she said. “…” — the cue splits a single quotation.

    The second piece joins the first when it sits in the same paragraph,
    right after the cue, and has no cue of its own (or shares the first's).
    ``found`` are quotation-mark candidates in text order.
    """
    doc, text = ctx.doc, ctx.text
    joined: list[Candidate] = []
    for candidate in found:
        if joined:
            first = joined[-1]
            if first.end > candidate.start:
                joined.append(candidate)
                continue
            between = text[first.end : candidate.start]
            same_paragraph = (
                "\n" not in between
                and len(between.split()) <= _JOIN_MAX_WORDS
                and not _other_cue_between(doc, first, candidate, ctx.lexicon)
            )
            cue_between = (
                first.cue is not None and first.end <= doc[first.cue[0]].idx < candidate.start
            )
            if (
                same_paragraph
                and cue_between
                and first.type is QuoteType.DIRECT
                and candidate.type is QuoteType.DIRECT
                and (candidate.inherit or candidate.cue == first.cue)
            ):
                joined[-1] = replace(
                    first,
                    parts=first.parts + candidate.parts,
                    evidence=(
                        *first.evidence,
                        "joined with the rest of the quotation after the cue",
                    ),
                )
                continue
        joined.append(candidate)
    return joined
