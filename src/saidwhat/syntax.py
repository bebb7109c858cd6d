"""Parse-tree helpers that quote finding and speaker attribution both read.

Which mention speaks is, first, the subject of the cue, found on the
dependency parse. Rules, each for a pattern common in news prose:

- the grammatical subject of the cue verb ("Officials said", "said Jones");
- a participle cue takes the subject of the verb it hangs on ("…, adding");
- a coordinated cue shares the subject of its first conjunct ("defended it
  and said");
- a passive cue takes its agent ("it was announced by the ministry");
- "according to X" names X;
- a relative pronoun subject ("who said") stands for the noun it modifies;
- when the parser attached no subject, the noun phrase right before the cue
  ("… hours after NATO’s chief said …").

Nothing here decides what is a quote; this module sits below ``quotes/`` and
``speakers/``, which both import it and never each other's helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy
from spacy.tokens import Doc, Token

from saidwhat.lexicon import Lexicon


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc.

    spaCy rebuilds ``Doc.text`` from the tokens on every access, which made
    it the most expensive call in quote finding.
    """
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return str(text)


_TEXT_KEY = "saidwhat_text"


def token_indices(doc: Doc, attr: int, values: Iterable[str]) -> list[int]:
    """Indices of the tokens whose ``attr`` (POS, DEP, LOWER…) is one of ``values``.

    Read from one column of the document, without making a Token for every
    word: the finders each walked the whole article for a few kinds of word.
    """
    if not len(doc):
        return []
    wanted = [doc.vocab.strings.add(value) for value in values]
    column = doc.to_array(attr)
    return [int(i) for i in numpy.flatnonzero(numpy.isin(column, wanted))]


_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
# Left dependents that belong to a speaker mention ("NATO boss Mark Rutte",
# "A Downing Street spokeswoman", "NATO’s chief").
_MENTION_LEFT = {"det", "compound", "amod", "poss", "nmod", "nummod", "case", "quantmod", "punct"}
_MENTION_RIGHT = {"compound", "flat", "case"}


def cue_token_range(verb: Token) -> tuple[int, int]:
    """Token range of a cue: the verb with its auxiliaries and particle.

    "has said", "went on", "was told".
    """
    start = verb.i
    for child in verb.lefts:
        if child.dep_ in ("aux", "auxpass", "neg") and child.i == start - 1:
            start = child.i
    # Walk left over a contiguous run of auxiliaries (has been saying).
    while start > 0:
        prev = verb.doc[start - 1]
        if prev.head == verb and prev.dep_ in ("aux", "auxpass", "neg"):
            start -= 1
        else:
            break
    end = verb.i + 1
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == end:
            end = child.i + 1
    return start, end


_DASHES = {"—", "–", "-", "--"}


def is_dateline(token: Token) -> bool:
    """Whether ``token`` is (in) the place name that opens a news story.

    "MILLBROOK — …", and with a date and an agency between the place and the
    dash: "MILLBROOK, April 4 (NPA) — …".
    """
    doc = token.doc
    if _in_dateline_tail(token):
        return True
    if not (token.is_upper and len(token.text) > 1):
        return False
    start = token.i
    while start > 0 and doc[start - 1].is_upper and doc[start - 1].is_alpha:
        start -= 1
    at_line_start = start == 0 or "\n" in doc[start - 1].text or "\n" in doc[start - 1].whitespace_
    if not at_line_start:
        return False
    end = token.i
    while end + 1 < len(doc) and doc[end + 1].is_upper and doc[end + 1].is_alpha:
        end += 1
    in_parentheses = False
    for following in doc[end + 1 : end + 13]:
        if following.text in _DASHES:
            return True
        if following.text == "(":
            in_parentheses = True
        elif following.text == ")":
            in_parentheses = False
        elif not (
            in_parentheses
            or following.text == ","
            or following.ent_type_ == "DATE"
            or following.like_num
        ):
            return False
    return False


# A dateline: a place in capitals at a line's start, then a date, an agency in
# parentheses, and a dash: "KELLMOUTH, Aug 12 (MPA) – …".
_DATELINE = re.compile(
    r"[A-Z][A-Z.'’ -]*[A-Z],?[ \t]+(?:[A-Z][a-z]{2,4}\.?[ \t]+\d{1,2},?[ \t]*)?"
    r"\([^()\n]{1,40}\)[ \t]*[—–-]"
)


def _in_dateline_tail(token: Token) -> bool:
    """Whether ``token`` is the date or the agency of a dateline ("Aug 12 (MPA)")."""
    text = doc_text(token.doc)
    line_start = text.rfind("\n", 0, token.idx) + 1
    match = _DATELINE.match(text, line_start)
    return match is not None and token.idx < match.end() - 1


def find_subject(verb: Token, lexicon: Lexicon) -> Token | None:
    """The head token of whoever the cue verb says spoke, or None."""
    seen: set[int] = set()
    current = verb
    while current.i not in seen:
        seen.add(current.i)
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS and is_dateline(child):
                continue  # "MILLBROOK — Opposition leader X said": the dateline is no one
            if child.dep_ in _SUBJECT_DEPS:
                if child.dep_ == "nsubjpass":
                    agent = _agent_of(current)
                    if agent is not None:
                        return agent
                # "Mr. Kamin, who emphasized that …": the mention is "who";
                # resolution takes it to the noun it modifies.
                if child.pos_ == "PRON" and child.lower_ == "it" and child.dep_ == "nsubjpass":
                    return None
                return child
        if (
            current.dep_ == "conj"
            and current.head.dep_ == "ccomp"
            and _is_speech(verb, lexicon)
            and _is_speech(current.head.head, lexicon)
        ):
            # "The authority said the rotas met the rules and warned that …":
            # the parser hung "warned" on the reported clause; it is the
            # speaker's second cue.
            current = current.head.head
            continue
        if (
            current.dep_ == "advcl"
            and current.tag_ == "VBG"
            and current.head.dep_ == "ccomp"
            and _is_speech_cue(current, lexicon)
            and _is_speech(current.head.head, lexicon)
        ):
            # "X insisted that it had not been a robbery, pointing out that …": the
            # parser hung "pointing out" on the reported clause; it is X's second cue.
            current = current.head.head
            continue
        if current.dep_ in ("conj", "xcomp", "advcl", "acl") and current.head is not current:
            if current.dep_ in ("advcl", "acl") and current.tag_ not in ("VBG", "VBN"):
                break
            current = current.head
            continue
        if current.dep_ == "relcl":
            return current.head
        break
    return _inverted_subject(verb) or _noun_before(verb, lexicon) or _name_set_off_before(verb)


_CLOSING_MARKS = {"”", "’", '"', "'", "»"}


def _inverted_subject(verb: Token) -> Token | None:
    """The speaker after an inverted cue the parser read as an object.

    "“…”, added the deputy commissioner." / "“Twice,” reply Lucía and
    Dmitri": right after a closing quotation mark the words after the cue
    are its subject, whatever dependency the parser gave them.
    """
    doc = verb.doc
    i = verb.i - 1
    while (i >= 0 and doc[i].text in (",", "—", "–")) or (i >= 0 and doc[i].is_space):
        i -= 1
    if i < 0 or doc[i].text not in _CLOSING_MARKS:
        return None
    for child in verb.rights:
        speaker_like = child.pos_ in ("NOUN", "PROPN") and child.ent_type_ not in ("DATE", "TIME")
        if child.dep_ in ("dobj", "attr", "npadvmod", "dative", "oprd", "appos") and speaker_like:
            return child
        if child.dep_ not in ("prt", "advmod", "punct"):
            break
    return None


def _is_speech(token: Token, lexicon: Lexicon) -> bool:
    return token.pos_ in ("VERB", "AUX") and lexicon.is_speech_lemma(token.lemma_)


def _is_speech_cue(token: Token, lexicon: Lexicon) -> bool:
    """A verb of speech, or one with the particle that makes it one ("pointed out")."""
    return _is_speech(token, lexicon) or any(
        child.dep_ == "prt" and lexicon.is_phrasal_cue(token.lemma_, child.lower_)
        for child in token.children
    )


def _object_under(head: Token, is_preposition: Callable[[Token], bool]) -> Token | None:
    """The object of the first child of ``head`` that ``is_preposition`` accepts."""
    for child in head.children:
        if is_preposition(child):
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    return None


def _agent_of(verb: Token) -> Token | None:
    """X in "was announced by X"."""
    return _object_under(verb, lambda t: t.dep_ == "agent")


def _noun_before(verb: Token, lexicon: Lexicon) -> Token | None:
    """The noun phrase ending right before the cue, when the parse gave none.

    Only names, pronouns and nouns that can speak ("officials", "the
    report") qualify: a guess that picks "a controversial comment" is worse
    than no speaker.
    """
    i = verb.i - 1
    doc = verb.doc
    while i >= 0 and (doc[i].dep_ in ("aux", "auxpass", "neg", "advmod") and doc[i].head == verb):
        i -= 1
    if i < 0:
        return None
    token = doc[i]
    while token.dep_ in ("compound", "flat") and token.head.i > token.i:
        token = token.head
    if token.pos_ == "PROPN" and token.ent_type_ not in ("DATE", "TIME", "GPE", "LOC"):
        return token
    if token.pos_ == "PRON" and token.lower_ not in lexicon.non_speaker_pronouns:
        return token
    if token.pos_ == "NOUN" and (
        token.lower_ in lexicon.speaker_nouns or token.ent_type_ in ("ORG", "NORP", "PERSON")
    ):
        return token
    return None


def _name_set_off_before(verb: Token) -> Token | None:
    """A person's name set off by commas before a cue the parser gave no subject.

    "In a statement posted on her website, Desai, nicknamed “the Metronome”,
    wrote:": the parser hung the name on "website"; the commas say it is the
    subject, the phrases around it asides.
    """
    sentence = verb.sent
    for token in reversed(sentence[: verb.i - sentence.start]):
        if token.ent_type_ != "PERSON" or token.dep_ not in _MISHUNG_SUBJECT_DEPS:
            continue
        ent_start = token.i
        while ent_start > sentence.start and token.doc[ent_start - 1].ent_iob_ == "I":
            ent_start -= 1
        if token.doc[ent_start].ent_iob_ == "I":
            ent_start -= 1
        before = token.doc[ent_start - 1] if ent_start > sentence.start else None
        after = token.doc[token.i + 1]
        if (before is None or before.text == ",") and after.text == ",":
            return token
        return None
    return None


_MISHUNG_SUBJECT_DEPS = {"appos", "npadvmod", "dep", "nmod", "conj"}


def according_to_source(according: Token, preposition: str) -> Token | None:
    """X in "according to X" (``preposition``: "to")."""
    return _object_under(according, lambda t: t.lower_ == preposition)


def mention_token_range(head: Token) -> tuple[int, int]:
    """Tokens [start, end) of the noun phrase headed by ``head``, without clauses.

    Keeps determiners, compounds, possessors and adjectives on the left and
    name parts on the right; drops relative clauses, appositions and
    prepositional tails so the mention stays a name or a description.
    """
    doc: Doc = head.doc
    left = head.i
    for child in head.lefts:
        if child.dep_ in _MENTION_LEFT:
            left = min(left, child.left_edge.i)
    right = head.i
    for child in head.rights:
        if child.dep_ in _MENTION_RIGHT and child.i == right + 1:
            right = child.i
    while left < right and (doc[left].is_punct or doc[left].is_space):
        left += 1
    return left, right + 1


def mention_char_span(head: Token) -> tuple[int, int]:
    """Character span of ``mention_token_range(head)``."""
    doc: Doc = head.doc
    left, end = mention_token_range(head)
    last = doc[end - 1]
    return doc[left].idx, last.idx + len(last.text)
