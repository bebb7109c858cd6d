"""A speaker mention read off the parse, whole: its span, the name in it, the role around it.

News names its speakers in long noun phrases, and the small parser often
hangs the name deep inside them:

- "Quillon co-founder and chief executive Ifeoma Okonkwo-Reyes said": the
  name ends the phrase; the words before it are the role.
- "Chief executive of Kellport Mutual Building Society Moira Gallacher-Singh
  said": the name is parsed as the object of "of", but it still ends the
  phrase right before the cue.
- "Its chief executive, Bjorn Aasen, told MPs": the name is in apposition.
- "Speaking at the conference, X said": the opener is not part of the
  mention.
- "Hassan and Giulia Farah said": two speakers, one group; the first takes
  the surname both share.

``read_mention`` finds these from the tokens and their dependencies; which
entity the name or role refers to is ``speakers.resolve``'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

from saidwhat.lexicon import Lexicon
from saidwhat.speakers.names import is_first_name, is_post_nominal, is_title_word
from saidwhat.syntax import mention_token_range

# Prepositions whose phrase belongs to a description ("the head of the agency").
_ROLE_PREPOSITIONS = {"of", "at", "for", "with", "from", "in"}
_CONJUNCTIONS = {"and", "&"}
_AGE = re.compile(r"\b(\d{1,3})\s*-\s*year\s*-\s*old\b")

Range = tuple[int, int]  # tokens [start, end)


@dataclass(frozen=True, slots=True)
class Mention:
    """A speaker mention: its tokens, and the name and the role in them.

    head: the token the quote finder named as the speaker.
    span: every token of the mention.
    name: the proper name in it, titles left out ("Ifeoma Okonkwo-Reyes").
    title: a title or honorific right before the name ("Dr", "Mrs", "Coach").
    role: what the mention says the speaker is: the words before the name
        ("Quillon co-founder and chief executive"), an apposition, or the
        whole description when there is no name ("the head of the agency").
    members: the mentions of a coordinated speaker ("Hassan and Giulia Farah").
    shared_surname: for a member named by a first name alone, the surname
        the last member gives ("Hassan" of "Hassan and Giulia Farah").
    """

    head: Token
    span: Range
    name: Range | None = None
    title: Range | None = None
    role: Range | None = None
    members: tuple[Mention, ...] = ()
    shared_surname: str | None = None

    def tokens(self, part: Range | None) -> list[Token]:
        """The tokens of one part of the mention ([] for none)."""
        if part is None:
            return []
        doc = self.head.doc
        return [doc[i] for i in range(*part)]

    def text(self, part: Range | None) -> str:
        """The words of one part of the mention as written."""
        tokens = self.tokens(part)
        if not tokens:
            return ""
        doc = self.head.doc
        return str(doc[tokens[0].i : tokens[-1].i + 1].text)

    @property
    def age(self) -> int | None:
        """The age a description gives ("the 34-year-old")."""
        match = _AGE.search(self.text(self.role).lower())
        return int(match.group(1)) if match else None


# Capitalised words that are never part of a name ("on Tuesday", "in March").
_NOT_NAMES = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}


def _is_name_word(token: Token) -> bool:
    if token.ent_type_ in _NOT_NAMES:
        return False
    return token.pos_ == "PROPN" or token.ent_type_ == "PERSON"


def _is_title_word(token: Token, lexicon: Lexicon) -> bool:
    return is_title_word(token.text, lexicon)


def name_run(tokens: list[Token], end: int) -> Range | None:
    """The run of name words ending at token ``end`` (exclusive) among ``tokens``.

    Hyphens and apostrophes inside a name ("Okonkwo - Reyes", "O'Neill")
    stay in it.
    """
    if not tokens:
        return None
    by_index = {t.i: t for t in tokens}
    i = end - 1
    while i in by_index and by_index[i].is_punct and by_index[i].text in ",.":
        i -= 1
    last = i
    while i in by_index:
        token = by_index[i]
        if _is_name_word(token) and token.text[:1].isupper():
            i -= 1
            continue
        glued = (
            token.text in ("-", "‐", "'", "’")
            and i - 1 in by_index
            and _is_name_word(by_index[i - 1])
            and not token.whitespace_
        )
        if glued:
            i -= 1
            continue
        break
    first = i + 1
    if first > last:
        return None
    return first, last + 1


_PLACES = {"ORG", "GPE", "FAC", "LOC", "NORP"}


def _drop_titles(
    doc_tokens: list[Token], name: Range, lexicon: Lexicon
) -> tuple[Range, Range | None]:
    """The name at the end of a run of capitalised words, and the titles right before it.

    "Water and Coastal Affairs Minister Fouzia Haddad" → "Fouzia Haddad"
    (after the last title word); "Greyfold County Council Faisal Qureshi" →
    "Faisal Qureshi" (after the institution the recogniser found); "Dr
    Anjali Raghunathan" → "Anjali Raghunathan", title "Dr". The last word
    always stays: "Jonathan King" is a name.
    """
    start, end = name
    by_index = {t.i: t for t in doc_tokens}
    doc = doc_tokens[0].doc
    cut = start
    for i in range(start, end - 1):
        token = by_index[i]
        if token.ent_type_ in _PLACES:
            ent_end = i
            while ent_end + 1 < len(doc) and doc[ent_end + 1].ent_iob_ == "I":
                ent_end += 1
            rest = [by_index[j] for j in range(ent_end + 1, end)]
            # only when what follows is a person's ("The New York Times" stays whole)
            if rest and (any(t.ent_type_ == "PERSON" for t in rest) or is_first_name(rest[0].text)):
                cut = max(cut, ent_end + 1)
    for i in range(cut, end - 1):
        token = by_index[i]
        # "Pellingham Athletic Football Club Rosalind Thwaite", all tagged one ORG.
        institution = token.lower_.rstrip(".") in lexicon.institution_words
        if _is_title_word(token, lexicon) or (institution and is_first_name(by_index[i + 1].text)):
            cut = i + 1
    if by_index[end - 1].ent_type_ in _PLACES and end - cut >= 3:
        # "Pellory Water Ingrid Vasstrom", one ORG to the recogniser: the person starts
        # at the first name that follows a word that is none.
        for i in range(end - 2, cut, -1):
            if is_first_name(by_index[i].text) and not is_first_name(by_index[i - 1].text):
                cut = i
                break
    while end - cut >= 2 and is_post_nominal(by_index[end - 1].text, lexicon):
        end -= 1  # "Farida Hashemi KC": the letters after a name are no part of it
    title = None
    if cut > start:
        first_title = cut
        while first_title - 1 >= start and _is_title_word(by_index[first_title - 1], lexicon):
            first_title -= 1
        if first_title < cut:
            title = (first_title, cut)
    return (cut, end), title


def _subtree_range(token: Token, skip: set[str]) -> Range:
    """The tokens of ``token``'s subtree but the children whose dependency is in ``skip``."""
    left, right = token.i, token.i
    for child in token.children:
        if child.dep_ in skip:
            continue
        sub = _subtree_range(child, skip)
        left, right = min(left, sub[0]), max(right, sub[1] - 1)
    return left, right + 1


# What a phrase of a role may carry that is not part of the mention.
_PHRASE_CLAUSES = {"relcl", "acl", "advcl", "punct"}
_CLAUSES = {"relcl", "acl", "advcl", "appos", "punct", "cc", "conj", "prep", "det", "poss"}


def _cut_opener(doc_tokens: list[Token], span: Range, keep_from: int) -> Range:
    """``span`` without an opener before a comma ("Speaking at X, Y said": Y)."""
    start, end = span
    for token in doc_tokens:
        if start <= token.i < keep_from and token.text == ",":
            start = token.i + 1
    return start, end


def read_mention(head: Token, lexicon: Lexicon) -> Mention:
    """The whole mention headed by ``head`` (see the module docstring)."""
    doc = head.doc
    if head.pos_ == "PRON":
        return Mention(head, (head.i, head.i + 1))
    members = _members(head, lexicon)
    if members:
        first, last = members[0].span[0], members[-1].span[1]
        return Mention(head, (first, last), members=members)

    institution = _institution_named(head, lexicon)
    if institution is not None:
        return Mention(head, institution, name=institution)
    start, end = mention_token_range(head)
    # Roles coordinated before one name: "physician and director of research Dr X".
    for conjunct in (c for c in head.rights if c.dep_ == "conj"):
        end = max(end, conjunct.right_edge.i + 1)
    # A description's prepositional phrase ("the head of the national flood agency",
    # "Chief executive of Kellport Mutual Building Society Moira Gallacher-Singh").
    spokesperson = head.lower_ in lexicon.spokesperson_nouns
    if head.pos_ == "PROPN":  # "the Office of Fair Digital Markets", "Department of Health"
        for child in head.rights:
            words = [t for t in child.subtree if t.i > child.i]
            if (
                child.dep_ == "prep"
                and child.lower_ == "of"
                and words
                and all(t.text[:1].isupper() or t.lower_ in ("and", "the", "&") for t in words)
            ):
                end = max(end, child.right_edge.i + 1)
    if head.pos_ in ("NOUN", "ADJ") or is_title_word(head.text, lexicon):
        # Every phrase of the role ("Managing director for retail customers at Calder
        # Ridge Energy Tomas Lindqvist-Baird"), but not a clause on the name in it.
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ in _ROLE_PREPOSITIONS and child.i >= end:
                end = max(end, _subtree_range(child, _PHRASE_CLAUSES)[1])
            elif child.i >= end and child.dep_ not in ("cc", "conj", "prep", "punct"):
                break
    # Subjects the parser split ("co", "-", "founder" all subjects of "said").
    if head.dep_ in ("nsubj", "nsubjpass"):
        for sibling in head.head.children:
            if sibling.dep_ == head.dep_ and sibling.i != head.i:
                left, right = sibling.left_edge.i, sibling.right_edge.i + 1
                if right >= start - 1 and left <= end + 1:
                    start, end = min(start, left), max(end, right)
    tokens = [doc[i] for i in range(start, end)]
    if start < head.i:
        start, end = _cut_opener(tokens, (start, end), head.i)
        tokens = [doc[i] for i in range(start, end)]

    # A name in apposition: "Its chief executive, Bjorn Aasen,"; names coordinated in
    # apposition are a group: "the victim's parents, Rosa and Paulo Ferreira".
    appositive = next((c for c in head.rights if c.dep_ == "appos" and _is_name_word(c)), None)
    if appositive is None and not _is_name_word(head):
        appositive = _name_after_comma(head)
    if appositive is not None:
        named = _members(appositive, lexicon)
        if named:
            span = (start, max(end, named[-1].span[1]))
            return Mention(head, span, role=(start, end), members=named)
    if appositive is not None and (not _is_name_word(head) or _is_title_word(head, lexicon)):
        app_tokens = [doc[i] for i in range(*_subtree_range(appositive, _CLAUSES))]
        run = name_run(app_tokens, appositive.i + 1)
        if run is not None:
            name, title = _drop_titles(app_tokens, run, lexicon)
            span = (start, max(end, run[1]))
            return Mention(head, span, name, title, (start, end) if start < end else None)

    # A spokesperson's phrase names an institution, not a person ("a spokesman for
    # the Prime Minister's Office"); otherwise the name ends the phrase.
    run = None if spokesperson else name_run(tokens, end)
    trailing_name_ok = head.pos_ != "PROPN" or _is_title_word(head, lexicon)
    if run is None or not (run[0] <= head.i < run[1] or trailing_name_ok):
        # A name that is the head itself, inside the phrase ("Mr Starmer's aides" is not).
        run = _run_around(tokens, head)
    if run is None or _only_a_title(doc[run[0] : run[1]], lexicon):
        # No name, or only titles: "The Prime Minister", "the Conservative MP" describe.
        return Mention(head, (start, end), role=(start, end))
    name, title = _drop_titles(tokens, run, lexicon)
    name = _without_sentence_opener(head, name)
    role_end = title[0] if title is not None else name[0]
    role = (start, role_end) if start < role_end else None
    return Mention(head, (start, end), name, title, role)


def _name_after_comma(head: Token) -> Token | None:
    """A name the parser hung on the comma after a description: an apposition still.

    "The detective who led the inquiry, DI Oren Vasquez of Lowmarsh Police,
    stood": the small parser may make the name a child of the comma (the
    description's, or the verb's right after it) rather than of "detective";
    a name that starts right after that comma is its apposition all the same.
    """
    doc = head.doc
    commas = [c for c in head.rights if c.dep_ == "punct"]
    if head.right_edge.i + 1 < len(doc):  # or the comma after it, hung on the verb
        commas.append(doc[head.right_edge.i + 1])
    for comma in commas:
        if comma.text != ",":
            continue
        for child in comma.children:
            if _is_name_word(child) and child.left_edge.i == comma.i + 1:
                return child
    return None


def _institution_named(head: Token, lexicon: Lexicon) -> Range | None:
    """The whole name of an institution the recogniser found around ``head``.

    "the Landlords' Federation of Northmere": the parse hangs "Landlords'"
    and "of Northmere" on "Federation", but the name is all of it. Only a
    name with a word institutions are called by counts, so that a person the
    recogniser ran into a company's name ("Orrin Cable Works Harlan
    Osei-Mensah") is not swallowed.
    """
    if head.ent_type_ != "ORG" or head.pos_ not in ("PROPN", "NOUN"):
        return None
    doc = head.doc
    start = head.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = head.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    tokens = [doc[i] for i in range(start, end)]
    while tokens and tokens[0].lower_ == "the":
        tokens.pop(0)
    if len(tokens) < 2 or not any(t.lower_ in lexicon.institution_words for t in tokens):
        return None
    last_institution_word = max(
        i for i, t in enumerate(tokens) if t.lower_ in lexicon.institution_words
    )
    if any(is_first_name(t.text) for t in tokens[last_institution_word + 1 :]):
        return None
    return tokens[0].i, tokens[-1].i + 1


def _only_a_title(words: Span, lexicon: Lexicon) -> bool:
    """Whether capitalised words are a title, not a name: all title words ("Prime
    Minister"), or a title after a word that is no first name ("Conservative MP";
    "Jonathan King" is a name)."""
    if all(_is_title_word(t, lexicon) for t in words):
        return True
    last, first = words[-1], words[0]
    return (
        _is_title_word(last, lexicon)
        and not is_first_name(first.text)
        and not any(t.ent_type_ == "PERSON" for t in words)
    )


def _without_sentence_opener(head: Token, name: Range) -> Range:
    """A name without a capitalised common word that only opens the sentence.

    "Forwards Keisha and Kendra Boyd said": "Forwards" is capitalised as the
    sentence's first word, not as part of a name; the first name after it is
    one the name dictionary knows and the opener is not.
    """
    start, end = name
    if end - start < 2:
        return name
    doc = head.doc
    first, second = doc[start], doc[start + 1]
    if first.is_sent_start and not is_first_name(first.text) and is_first_name(second.text):
        return start + 1, end
    return name


def _run_around(tokens: list[Token], head: Token) -> Range | None:
    """The run of name words that holds ``head``, when ``head`` is a name word."""
    if not _is_name_word(head):
        return None
    indices = {t.i for t in tokens}
    doc = head.doc
    start = end = head.i
    while start - 1 in indices and (
        _is_name_word(doc[start - 1])
        or (doc[start - 1].text in ("-", "’", "'") and not doc[start - 1].whitespace_)
    ):
        start -= 1
    while end + 1 in indices and (
        _is_name_word(doc[end + 1]) or (doc[end + 1].text in ("-",) and not doc[end].whitespace_)
    ):
        end += 1
    while start < end and not doc[start].text[:1].isalpha():
        start += 1
    return start, end + 1


def _members(head: Token, lexicon: Lexicon) -> tuple[Mention, ...]:
    """The coordinated speakers of "Hassan and Giulia Farah said", each a mention; () for one."""
    conjuncts = [c for c in head.children if c.dep_ == "conj"]
    if not conjuncts:
        return ()
    joiners = [c for c in head.children if c.dep_ == "cc"]
    if not any(c.lower_ in _CONJUNCTIONS for c in joiners):
        return ()
    heads = [head, *conjuncts]
    for conjunct in conjuncts:  # "A, B and C"
        heads.extend(c for c in conjunct.children if c.dep_ == "conj")
    heads.sort(key=lambda t: t.i)
    doc = head.doc
    mentions = []
    for i, member in enumerate(heads):
        limit = heads[i + 1].i if i + 1 < len(heads) else None
        mention = _member_mention(member, limit, lexicon)
        mentions.append(mention)
    if any(m.name is None and m.head.pos_ != "NOUN" for m in mentions):
        return ()
    # "physician and director of research Dr X": roles coordinated before one name.
    if mentions[-1].name is not None and any(m.name is None for m in mentions[:-1]):
        return ()
    whole_start, whole_end = _subtree_range(head, _PHRASE_CLAUSES)
    whole = [doc[i] for i in range(whole_start, whole_end)]
    if any(m.name is None for m in mentions) and name_run(whole, whole_end):
        return ()
    # "Hassan and Giulia Farah": a first name alone takes the surname of the last member;
    # "Harue Sakamoto and her husband, Jun": a relative's, the surname of the first.
    last = mentions[-1]
    last_name = last.tokens(last.name)
    surname = last_name[-1].text if len(last_name) >= 2 else None
    first_name = mentions[0].tokens(mentions[0].name)
    first_surname = first_name[-1].text if len(first_name) >= 2 else None
    shared = []
    for mention in mentions:
        words = mention.tokens(mention.name)
        if first_surname and len(words) == 1 and _is_relative(mention, lexicon):
            mention = Mention(
                mention.head, mention.span, mention.name, mention.title, mention.role,
                shared_surname=first_surname,
            )  # fmt: skip
        elif surname and len(words) == 1 and mention is not last and words[0].text != surname:
            mention = Mention(
                mention.head, mention.span, mention.name, mention.title, mention.role,
                shared_surname=surname,
            )  # fmt: skip
        shared.append(mention)
    del doc
    return tuple(shared)


def _is_relative(mention: Mention, lexicon: Lexicon) -> bool:
    """ "her husband, Jun": a member named as someone's relative."""
    return any(
        t.lower_ in lexicon.relation_nouns and any(c.dep_ == "poss" for c in t.children)
        for t in mention.tokens(mention.role)
    )


def _member_mention(member: Token, limit: int | None, lexicon: Lexicon) -> Mention:
    """One conjunct of a coordinated speaker, without the conjuncts after it."""
    doc = member.doc
    start, end = mention_token_range(member)
    if limit is not None:
        end = min(end, limit)
    while end > start and (doc[end - 1].lower_ in _CONJUNCTIONS or doc[end - 1].is_punct):
        end -= 1
    tokens = [doc[i] for i in range(start, end)]
    appositive = next((c for c in member.rights if c.dep_ == "appos" and _is_name_word(c)), None)
    if appositive is not None and not _is_name_word(member):
        app = [doc[i] for i in range(*_subtree_range(appositive, _CLAUSES))]
        run = name_run(app, appositive.i + 1)
        if run is not None:
            name, title = _drop_titles(app, run, lexicon)
            return Mention(member, (start, max(end, run[1])), name, title, (start, end))
    run = _run_around(tokens, member) if _is_name_word(member) else None
    if run is None:
        return Mention(member, (start, end), role=(start, end))
    name, title = _drop_titles(tokens, run, lexicon)
    name = _without_sentence_opener(member, name)
    return Mention(member, (start, end), name, title, (start, name[0]) if start < name[0] else None)
