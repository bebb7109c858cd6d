"""Reported speech: a cue and the clause it governs.

"Mr Starmer insisted that …", "…, officials said.", "The plan, he said,
is …", "According to officials, …". The content is the clause the parser
attached to the cue; quotation marks inside it make the quote *mixed*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.attrs import LOWER, POS
from spacy.tokens import Doc, Token

from saidwhat.lexicon import MIN_CLAUSAL_WEIGHT, Lexicon
from saidwhat.model import QuoteType, Rule
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.context import FinderContext
from saidwhat.quotes.learned import (
    AttributionModel,
    ContentOption,
    content_options,
    option_features,
    reported_clause,
    trim_tokens,
)
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.quotes.naming import is_a_name
from saidwhat.quotes.rules import CLAUSE_NO_SUBJECT_FACTOR, RULE_CONFIDENCE
from saidwhat.quotes.statement import is_evidence, not_a_statement
from saidwhat.settings import Scope
from saidwhat.syntax import according_to_source, cue_token_range, find_subject, token_indices

_CLAUSE_DEPS = ("ccomp",)
_MIN_CONTENT_TOKENS = 3


def _inside(start: int, end: int, regions: Sequence[QuotedRegion]) -> QuotedRegion | None:
    for region in regions:
        if region.open <= start and end <= region.close + 1:
            return region
    return None


def _trim(doc: Doc, first: int, last: int, lexicon: Lexicon) -> tuple[int, int] | None:
    return trim_tokens(doc, first, last, lexicon, _MIN_CONTENT_TOKENS)


def _drop_trailing_aside(doc: Doc, first: int, last: int, lexicon: Lexicon) -> tuple[int, int]:
    """``[first, last]`` without a comma-led aside that runs to its end.

    An aside (", which would cost …", ", although he refused …") is left
    out of what the speaker reported by annotators; the parser hangs it
    inside the clause.
    """
    for k in range(first + _MIN_CONTENT_TOKENS, last):
        if doc[k].text != "," or doc[k + 1].lower_ not in lexicon.aside_openers:
            continue
        opener = doc[k + 1]
        phrase = next(
            (
                a
                for a in (opener, *opener.ancestors)
                if a.left_edge.i == opener.i and a.dep_ in ("relcl", "advcl", "prep")
            ),
            None,
        )
        quoting = any(t.text in "“”\"‘’'«»" and not t.is_alpha for t in doc[k + 1 : last + 1])
        if phrase is not None and phrase.right_edge.i >= last and not quoting:
            # An aside holding quoted words is part of a mixed quote: keep it.
            return first, k - 1
    return first, last


def _char_range(doc: Doc, first: int, last: int) -> tuple[int, int]:
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _has_verb(tokens: Sequence[Token]) -> bool:
    return any(t.pos_ in ("VERB", "AUX") for t in tokens)


def _quotes_words(
    doc: Doc, start: int, end: int, regions: Sequence[QuotedRegion], lexicon: Lexicon
) -> bool:
    """Whether ``[start, end)`` holds quoted words that are someone's, not a name or title."""
    return any(
        r.open < end and start <= r.close and not is_a_name(doc, r, lexicon) for r in regions
    )


def _quote_type(start: int, end: int, regions: Sequence[QuotedRegion]) -> QuoteType:
    inner = [r for r in regions if r.open < end and start <= r.close]
    if not inner:
        return QuoteType.INDIRECT
    if len(inner) == 1 and inner[0].open <= start + 1 and inner[0].close >= end - 2:
        return QuoteType.DIRECT
    return QuoteType.MIXED


def _clause_parts(verb: Token, clause: Token, lexicon: Lexicon) -> list[tuple[int, int]] | None:
    """Token ranges of the content governed by ``verb`` through ``clause``."""
    doc = verb.doc
    first, last = clause.left_edge.i, clause.right_edge.i
    if first <= verb.i <= last:
        return None
    # A conjoined clause with its own speaker and cue is another statement:
    # "She said X, and when pressed, the mother of three replied, “Y”".
    for token in doc[first : last + 1]:
        if (
            token.i != clause.i
            and token.dep_ == "conj"
            and lexicon.is_speech_lemma(token.lemma_)
            and (
                token.head.i == clause.i
                or any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)
            )
        ):
            last = min(last, token.left_edge.i - 1)
            while last > first and (doc[last].dep_ == "cc" or doc[last].is_punct):
                last -= 1
            break
    trimmed = _trim(doc, first, last, lexicon)
    if trimmed is None:
        return None
    return [trimmed]


def _parenthetical_parts(verb: Token, lexicon: Lexicon) -> list[tuple[int, int]] | None:
    """Content around a cue inside it: "The plan, he said, is dead"."""
    doc = verb.doc
    head = verb.head
    first, last = head.left_edge.i, head.right_edge.i
    cue_first, cue_last = verb.left_edge.i, verb.right_edge.i
    parts: list[tuple[int, int]] = []
    for a, b in ((first, cue_first - 1), (cue_last + 1, last)):
        if a <= b:
            trimmed = _trim(doc, a, b, lexicon) if b - a + 1 >= _MIN_CONTENT_TOKENS else None
            if trimmed is None:
                # Keep short pieces too, as long as they are words.
                while a <= b and (doc[a].is_punct or doc[a].is_space):
                    a += 1
                while b >= a and (doc[b].is_punct or doc[b].is_space):
                    b -= 1
                if a > b:
                    continue
                trimmed = (a, b)
            parts.append(trimmed)
    if sum(b - a + 1 for a, b in parts) < _MIN_CONTENT_TOKENS:
        return None
    return parts


def _respect_quotes(
    text: str, parts: list[tuple[int, int]], regions: Sequence[QuotedRegion]
) -> list[tuple[int, int]]:
    """Clip content so it never crosses a quotation's boundary.

    A parse may run a clause on past the closing mark ("“…,” Renzi said")
    or stop inside a quotation; quotation marks are firmer evidence of where
    someone's words end than the parse is.
    """
    start, end = parts[-1]
    for region in regions:
        if region.open <= start <= region.close and end > region.close + 1:
            end = region.close + 1
        elif start < region.open < end <= region.close:
            # Stopped mid-quotation: keep what precedes it; else the quotation
            # ends the content, so keep its closing mark.
            stopped_inside = bool(text[end : region.close].strip(" .,;:!?…"))
            end = region.open if stopped_inside else region.close + 1
    end = min(end, len(text))
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-("):
        end -= 1
    if end - start < 2:
        return parts[:-1]
    return [*parts[:-1], (start, end)]


@dataclass(frozen=True, slots=True)
class _Proposal:
    """What one verb reports: content token ranges, cue, confidence, why, by which rule."""

    parts: list[tuple[int, int]]
    cue: tuple[int, int]
    confidence: float
    evidence: str
    clausal: bool
    rule: Rule


def _lexicon_proposal(token: Token, lexicon: Lexicon, user_cue: bool = False) -> _Proposal | None:
    """Rules only: a verb of the cue lexicon governing a clause."""
    rule = Rule.USER_CUE_CLAUSE if user_cue else Rule.LEXICON_CLAUSE
    weight = RULE_CONFIDENCE[rule] if user_cue else lexicon.clausal_cue_weight(token.lemma_)
    if weight < MIN_CLAUSAL_WEIGHT:
        return None
    clauses = [c for c in token.children if c.dep_ in _CLAUSE_DEPS]
    if not clauses:
        return None
    parts = _clause_parts(token, clauses[0], lexicon)
    if not parts:
        return None
    parts = [*parts[:-1], _drop_trailing_aside(token.doc, *parts[-1], lexicon)]
    subject = find_subject(token, lexicon)
    return _Proposal(
        parts,
        cue_token_range(token),
        weight * (1.0 if subject is not None else CLAUSE_NO_SUBJECT_FACTOR),
        f"clause governed by the cue “{token.text}”",
        True,
        rule,
    )


_MODEL_RULES = {
    "clause": Rule.MODEL_CLAUSE,
    "rest": Rule.MODEL_PHRASE,
    "noun": Rule.MODEL_NOUN_CLAUSE,
}


def _model_proposals(
    doc: Doc,
    regions: Sequence[QuotedRegion],
    model: AttributionModel,
    lexicon: Lexicon,
    scope: Scope = Scope.ATTRIBUTIONS,
) -> dict[int, _Proposal]:
    """The best-scoring content option of each verb, when above the threshold.

    In the statements scope only options it admits compete: a bare object the
    scope drops must not hide the clause the same verb governs.
    """
    best: dict[int, tuple[float, ContentOption]] = {}
    for option in content_options(doc, regions, lexicon):
        if scope is Scope.STATEMENTS and not _admitted(doc, option, regions, lexicon):
            continue
        if option.kind == "rest":
            option = _after_colon(doc, option, regions)
        p = model.probability(option_features(doc, option, regions, lexicon))
        if p >= model.threshold and (option.verb not in best or p > best[option.verb][0]):
            best[option.verb] = (p, option)
    proposals: dict[int, _Proposal] = {}
    for verb_i, (p, option) in best.items():
        verb = doc[verb_i]
        if option.kind == "clause":
            clause = reported_clause(verb, lexicon)
            assert clause is not None  # a "clause" option has one
            parts = _clause_parts(verb, clause, lexicon)
            if not parts:
                continue
        else:
            parts = [(option.first, option.last)]
        parts = [*parts[:-1], _drop_trailing_aside(doc, *parts[-1], lexicon)]
        proposals[verb_i] = _Proposal(
            parts,
            option.cue,
            p,
            f"model: “{verb.text}” reports the "
            + ("rest of its phrase" if option.kind == "rest" else "clause it governs")
            + f" (p={p:.2f})",
            _is_clausal(doc, option),
            _MODEL_RULES[option.kind],
        )
    return proposals


def _after_colon(doc: Doc, option: ContentOption, regions: Sequence[QuotedRegion]) -> ContentOption:
    """A verb's phrase that is a listener or a noun, a colon and a quotation: the quotation.

    In "told ECB News: “My brother …”" and "is rolling out a new message: “It's
    about me.”" what was said is the quotation after the colon, not the words
    before it; any other phrase is returned as it is.
    """
    start, end = _char_range(doc, option.first, option.last)
    for token in doc[option.first + 1 : option.last + 1]:
        if token.text != ":":
            continue
        after = token.idx + 1
        if token.i < option.last and any(
            after <= r.open <= after + 2 and r.close >= end - 2 and start < r.open for r in regions
        ):
            return replace(option, first=token.i + 1)
        break
    return option


def _admitted(
    doc: Doc, option: ContentOption, regions: Sequence[QuotedRegion], lexicon: Lexicon
) -> bool:
    """Whether the statements scope takes this option: a clause, or quoted words a cue governs."""
    if _is_clausal(doc, option):
        return True
    start, end = _char_range(doc, option.first, option.last)
    return _governs_quoted_words(doc[option.verb], start, end, regions, lexicon)


def _governs_quoted_words(
    verb: Token, start: int, end: int, regions: Sequence[QuotedRegion], lexicon: Lexicon
) -> bool:
    """A verb of speech over quoted words in ``[start, end)``: "described it as “reckless”"."""
    speech = lexicon.is_speech_lemma(verb.lemma_) or verb.lemma_.lower() in lexicon.fragment_cues
    return speech and _quotes_words(verb.doc, start, end, regions, lexicon)


def _is_clausal(doc: Doc, option: ContentOption) -> bool:
    """Whether a content is a proposition (a finite clause), not a bare object or infinitive."""
    if option.kind in ("clause", "noun"):
        return True
    heads = [
        t
        for t in doc[option.first : option.last + 1]
        if not (option.first <= t.head.i <= option.last)
    ]
    return any(
        t.tag_ in ("VBD", "VBZ", "VBP", "MD")
        or any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
        for t in heads
    )


def _noun_cue_source(noun: Token, lexicon: Lexicon) -> Token | None:
    """Who holds "the claim that …": its possessor, or the subject of its verb."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    if noun.dep_ in ("dobj", "attr", "nsubjpass") and noun.head.pos_ in ("VERB", "AUX"):
        return find_subject(noun.head, lexicon)
    return None


def find_reported(ctx: FinderContext) -> list[Candidate]:
    """Reported-speech candidates of one text.

    A cue inside a quoted region is part of someone else's words and yields
    nothing; boilerplate yields nothing. With a model, verbs are scored by
    it; without one, the learned cue lexicon and the clause rule decide.
    The scope decides whether bare objects and infinitives count (see
    ``Scope``).
    """
    doc, regions, lexicon, model, scope = ctx.doc, ctx.regions, ctx.lexicon, ctx.model, ctx.scope
    proposals = _model_proposals(doc, regions, model, lexicon, scope) if model is not None else {}
    words = set(token_indices(doc, POS, ("VERB", "AUX")))
    according_word = lexicon.source_phrase[0]
    words.update(token_indices(doc, LOWER, (according_word,)), proposals)
    found: list[Candidate] = []
    for token in (doc[i] for i in sorted(words)):
        if any(s <= token.idx < e for s, e in ctx.skip):
            continue
        if _inside(token.idx, token.idx + len(token), regions):
            continue
        if token.lower_ == according_word:
            candidate = _according_to(token, regions, lexicon, scope)
            if candidate:
                found.append(candidate)
            continue
        proposal = (
            proposals.get(token.i) if model is not None else _lexicon_proposal(token, lexicon)
        )
        if proposal is None and lexicon.is_user_cue(token.lemma_, token.text):
            proposal = _lexicon_proposal(token, lexicon, user_cue=True)  # a cue the user added
        if (
            proposal is None
            and token.dep_ == "parataxis"
            and token.head.pos_ in ("VERB", "AUX")
            and lexicon.clausal_cue_weight(token.lemma_) >= MIN_CLAUSAL_WEIGHT
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)
        ):
            parts = _parenthetical_parts(token, lexicon)
            if parts:
                proposal = _Proposal(
                    parts,
                    cue_token_range(token),
                    lexicon.clausal_cue_weight(token.lemma_),
                    f"cue “{token.text}” set inside the statement",
                    True,
                    Rule.CUE_INSIDE_STATEMENT,
                )
        if proposal is None:
            continue
        tokens = [doc[i] for a, b in proposal.parts for i in range(a, b + 1)]
        if proposal.clausal and not _has_verb(tokens):
            continue
        parts = _respect_quotes(
            ctx.text, [_char_range(doc, a, b) for a, b in proposal.parts], regions
        )
        if not parts:
            continue
        start, end = parts[0][0], parts[-1][1]
        if (
            scope is Scope.STATEMENTS
            and not proposal.clausal
            and not _governs_quoted_words(token, start, end, regions, lexicon)
        ):
            continue  # a bare object or infinitive is an attribution
        if ctx.in_boilerplate(start, end):
            continue
        if _inside(start, end, regions):
            continue  # words inside one quotation: the direct finder owns them
        if token.pos_ == "NOUN":
            subject = _noun_cue_source(token, lexicon)
        else:
            subject = find_subject(token, lexicon)
        if token.pos_ == "NOUN" and subject is None and scope is Scope.STATEMENTS:
            continue  # "There are fears that …": nobody's statement
        if scope is Scope.STATEMENTS and not_a_statement(token, subject, lexicon):
            continue
        found.append(
            Candidate(
                parts=tuple(parts),
                type=_quote_type(start, end, regions),
                rule=proposal.rule,
                cue=proposal.cue,
                speaker_head=subject.i if subject is not None else None,
                confidence=proposal.confidence,
                evidence=(proposal.evidence,),
            )
        )
    return found


def _according_to(
    according: Token, regions: Sequence[QuotedRegion], lexicon: Lexicon, scope: Scope
) -> Candidate | None:
    """ "According to X, …" and "…, according to X": the clause it modifies.

    In the statements scope X must be someone: "according to court filings"
    gives a finding.
    """
    doc = according.doc
    source = according_to_source(according, lexicon.source_phrase[1])
    if source is None or (scope is Scope.STATEMENTS and is_evidence(source, lexicon)):
        return None
    head = according.head
    if head.i == according.i:
        return None
    first, last = head.left_edge.i, head.right_edge.i
    sub_first, sub_last = according.left_edge.i, according.right_edge.i
    pieces = []
    for a, b in ((first, sub_first - 1), (sub_last + 1, last)):
        if a <= b:
            trimmed = _trim(doc, a, b, lexicon)
            if trimmed:
                pieces.append(trimmed)
    if not pieces:
        return None
    parts = [_char_range(doc, a, b) for a, b in pieces]
    start, end = parts[0][0], parts[-1][1]
    return Candidate(
        parts=tuple(parts),
        type=_quote_type(start, end, regions),
        rule=Rule.ACCORDING_TO,
        cue=(according.i, according.i + 2),
        speaker_head=source.i,
        confidence=RULE_CONFIDENCE[Rule.ACCORDING_TO],
        evidence=("“according to” names the source",),
    )
