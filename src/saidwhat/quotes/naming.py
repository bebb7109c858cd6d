"""Quoted words that name something: nicknames, titles of works, quoted modifiers.

Quotation marks hold names as often as speech: "known as “Pete the Fish”",
"Her memoir, “Small Hours”", "the “Parasite” director". Both the direct and
the reported-speech finders ask ``is_a_name`` before taking quoted words as
someone's.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from saidwhat.lexicon import Lexicon
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.syntax import doc_text


def token_at(doc: Doc, char: int) -> Token | None:
    """The token holding character ``char``, if any."""
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span[0]


def title_cased(text: str, lexicon: Lexicon) -> bool:
    """Every word but the minor ones capitalised (names, titles, headlines)."""
    words = [w.strip("‘’'\"“”.,:;!?()") for w in text.split()]
    words = [w for w in words if w]
    return len(words) >= 2 and all(
        w[:1].isupper() or w.lower() in lexicon.minor_words for w in words
    )


_DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "our", "my", "your"})
_OBJECT_PRONOUNS = frozenset({"it", "him", "her", "them", "us", "me", "itself", "himself"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _has_finite_verb(doc: Doc, start: int, end: int) -> bool:
    """Whether the characters ``[start, end)`` hold a finite verb."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and any(t.tag_ in _FINITE_TAGS for t in span)


def is_clause(doc: Doc, start: int, end: int) -> bool:
    """Whether ``[start, end)`` holds a clause: a finite verb, or an imperative ("Be the voice")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    return any(
        t.tag_ in _FINITE_TAGS
        or (t.tag_ == "VB" and not any(c.dep_ in ("aux", "auxpass") for c in t.children))
        for t in span
    )


def is_a_name(doc: Doc, region: QuotedRegion, lexicon: Lexicon) -> bool:
    """Whether the quoted words name something rather than report anyone's words.

    A nickname or title after a naming word ("nicknamed “the Metronome”",
    "known as “Pete the Fish”"; "described as “…”" is speech), the title of
    a work set beside it ("Her memoir, “Small Hours”", "The paper, “A new
    salamander from …,”": title-cased or no clause), and a quoted modifier
    ("the “Parasite” director").
    """
    open_tok = token_at(doc, region.open)
    if open_tok is None:
        return False
    text = doc_text(doc)
    inner = text[region.content_start : region.content_end]
    k = open_tok.i - 1
    skipped: list[str] = []
    while k >= 0 and len(skipped) < 2 and doc[k].lower_ in _DETERMINERS | _OBJECT_PRONOUNS:
        skipped.append(doc[k].lower_)
        k -= 1
    before = doc[k] if k >= 0 else None
    if before is not None:
        word = before.lower_
        if word in lexicon.firm_naming_words:
            return True
        if (
            word == "as"
            and set(skipped) <= {"the"}
            and (
                before.head.lemma_.lower() in lexicon.naming_verbs
                or before.head.pos_ in ("NOUN", "PROPN")
            )
        ):
            return True  # "known as", "remembered as", "X … as"; not "described as"
        if before.lemma_.lower() == "call" and (
            any(w in _DETERMINERS for w in skipped)
            or title_cased(inner, lexicon)
            or inner.lower().startswith("the ")
        ):
            return True  # "calling itself “Grey Lantern”", "call “the lungs of a building”"
    # "called the footbridge the “Wobbler”": a naming verb with an object, then the name.
    if "the" in skipped and before is not None and before.pos_ in ("NOUN", "PROPN"):
        verb = before.head
        if verb.lemma_.lower() == "call" or verb.lemma_.lower() in lexicon.naming_verbs:
            return True
    # A work beside its title: "the film “X”", "Her memoir, “X”,".
    k = open_tok.i - 1
    if k >= 0 and doc[k].text == ",":
        k -= 1
    if (
        k >= 0
        and doc[k].pos_ == "NOUN"
        and doc[k].lemma_.lower() in lexicon.work_nouns
        and (
            title_cased(inner, lexicon)
            or not _has_finite_verb(doc, region.content_start, region.content_end)
        )
    ):
        return True
    # A quoted modifier: "the “Parasite” director", "the council's “Safe Streets” scheme",
    # "hit in ‘Grey Lantern’ data theft".
    previous = doc[open_tok.i - 1] if open_tok.i > 0 else None
    determined = previous is not None and (
        previous.lower_ in _DETERMINERS or previous.tag_ == "POS"
    )
    if not region.closed or not (determined or title_cased(inner, lexicon)):
        return False
    if len(inner.split()) > 4 or text[region.close + 1 : region.close + 2] != " ":
        return False
    after = token_at(doc, region.close + 2)
    return after is not None and after.idx == region.close + 2 and after.pos_ == "NOUN"
