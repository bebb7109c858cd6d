"""Speaker mention → entity, within one article: every person and organisation, clustered.

Before any quote is attributed, the whole article is read once for the
people and institutions it names (``ArticleEntities``):

- **people**: every name the recogniser found, with first names it left
  out; each person once, under the fullest name the article gives
  ("Kwame Boateng" = "Mr Boateng" = "Boateng"), with the roles and
  organisations written around the name ("Its chief executive, Bjorn
  Aasen"; "OFDM director general Bogdan Iliescu"; "Desmond Achterberg, 34,"),
  and a gender from the article's own evidence (an honorific, a gendered
  noun) or else from the first name (``speakers.names``);
- **organisations**: every institution, once, under its fullest name, with
  its acronyms ("The National Flood Agency (NFA)", or "the HSI" for the
  Health Standards Inspectorate by its initials), shorter forms ("Tessaro"
  for Tessaro Microdevices) and what the article calls it ("Quillon
  Systems, the cloud-software company").

A speaker mention (``speakers.mention.Mention``) then resolves to one of
them: a name to its person, however shortened; "An NFA spokeswoman" to the
National Flood Agency; a description to whom it fits ("the NFA chief
executive", "the 34-year-old", "the company", "her husband"), looking
anywhere in the article, nearest first, since news often describes a speaker
before naming them; coordinated speakers to one group. What is left
unresolved stays a description (``Entity.resolved`` false). "He" or "she" is
resolved by ``SpeakerTimeline`` in reading order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar, cast

from spacy.tokens import Doc, Span, Token

from saidwhat.lexicon import Lexicon
from saidwhat.model import Entity, EntityKind, Gender
from saidwhat.speakers.mention import Mention, read_mention
from saidwhat.speakers.names import first_name_gender, is_first_name, is_title_word
from saidwhat.syntax import doc_text, is_dateline

_ORG_LABELS = {"ORG", "GPE", "NORP", "FAC", "LOC"}
_INSTITUTION_LABELS = {"ORG", "FAC"}
_NOT_SPEAKERS = {"GPE", "LOC", "DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY"}
_SPACE = re.compile(r"\s+")
_DETERMINERS = re.compile(r"^(the|a|an|another|some|one|its|their|his|her)\s+", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,7}$")
_NAME_GLUE = {"of", "and", "for", "the", "&", "on", "in", "de", "du", "la", "'s", "’s"}
# Lower-case words inside a person's name ("Pieter du Plessis", "Ludwig van Dam").
_PARTICLES = {"de", "du", "da", "di", "van", "von", "der", "den", "la", "le", "bin", "al", "del"}
# The words an organisation's initials skip ("Department of Environmental Protection": DEP).
_MINOR = {"of", "and", "for", "the", "&", "on", "in", "at", "to"}


def clean(text: str) -> str:
    """Text of a name without possessives, outer punctuation and doubled spaces."""
    return _SPACE.sub(" ", text.replace("’s", "").replace("'s", "")).strip(" ,.:;“”\"'‘’")


def _words(name: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s]+", name.lower()) if w)


def _gender(value: str | None) -> Gender | None:
    return Gender(value) if value in ("female", "male") else None


# -- the clusters --------------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    """One person of the article: every mention of them adds to this."""

    name: str  # the fullest name, titles dropped
    positions: list[int] = field(default_factory=list)  # where they are named (characters)
    gender: Gender | None = None
    gender_evidence: str | None = None
    roles: set[str] = field(default_factory=set)  # role words: "chief", "executive", "coach"
    orgs: list[Organisation] = field(default_factory=list)  # the institutions of those roles
    role: str | None = None  # the first role the article gives, as written
    age: int | None = None
    named: bool = True  # False: someone the article only describes ("one witness")
    byline: bool = False  # named in a byline ("By Rosalind Achebe, Political Correspondent")

    @property
    def words(self) -> tuple[str, ...]:
        return _words(self.name)

    @property
    def surname(self) -> str:
        return self.words[-1]

    @property
    def first(self) -> str | None:
        return self.words[0] if len(self.words) > 1 else None

    def note_gender(self, gender: Gender | None, evidence: str) -> None:
        """Take a gender the text shows, unless stronger evidence gave one already."""
        if gender is None:
            return
        rank = {"honorific": 3, "noun": 2, "pronoun": 1, "first name": 0}
        if self.gender is None or rank.get(evidence, 0) > rank.get(self.gender_evidence or "", 0):
            self.gender, self.gender_evidence = gender, evidence

    def entity(self) -> Entity:
        return Entity(
            self.name,
            EntityKind.PERSON,
            role=self.role,
            gender=self.gender,
            gender_evidence=self.gender_evidence,
            resolved=self.named,
        )


@dataclass(eq=False)
class Organisation:
    """One institution of the article, with every name the article uses for it."""

    name: str  # the fullest name
    positions: list[int] = field(default_factory=list)
    acronyms: set[str] = field(default_factory=set)  # "NFA"
    nouns: set[str] = field(default_factory=set)  # what it is: "agency", "company"

    @property
    def words(self) -> tuple[str, ...]:
        return _words(self.name)

    @property
    def initials(self) -> str:
        return "".join(w[0] for w in self.words if w not in _MINOR and w[:1].isalpha()).upper()

    def entity(self, role: str | None = None) -> Entity:
        return Entity(self.name, EntityKind.ORGANISATION, role=role)


@dataclass(eq=False)
class Group:
    """Two or more people or institutions that speak together ("the couple")."""

    members: tuple[Person | Organisation, ...]
    positions: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The members' names as the article knows them now ("Hamid Sadeghi and …")."""
        return " and ".join(m.name for m in self.members)

    def entity(self) -> Entity:
        return Entity(self.name, EntityKind.GROUP, members=tuple(m.name for m in self.members))


Referent = Person | Organisation | Group


@dataclass(frozen=True, slots=True)
class Learned:
    """Something resolving a mention taught about the article, for ``ArticleEntities.learn``.

    A person the names alone did not introduce ("Mayor Varga", "grumbled
    Jo"), so that later mentions of them find them; a group that spoke.
    """

    referent: Referent
    position: int
    name: str | None = None  # a fuller name for a person known by less of it


@dataclass(frozen=True, slots=True)
class Resolution:
    """Who a mention refers to, the gender it shows, and what it taught."""

    entity: Entity | None
    gender: Gender | None = None
    referent: Referent | None = None
    learned: tuple[Learned, ...] = ()


NOBODY = Resolution(None)


def _resolution(referent: Referent, learned: tuple[Learned, ...] = ()) -> Resolution:
    entity = referent.entity()
    gender = referent.gender if isinstance(referent, Person) else None
    return Resolution(entity, gender, referent, learned)


# -- the article's entities -----------------------------------------------------------------


class ArticleEntities:
    """The people, organisations and groups of one article, built from its NER and parse.

    One is made per article. ``resolve`` only reads; what a mention teaches
    (a person first named as a speaker, a group) comes back in its
    ``Resolution`` and goes in with ``learn``.
    """

    def __init__(self, doc: Doc, quoted: Sequence[tuple[int, int]], lexicon: Lexicon) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.quoted = quoted
        self.lexicon = lexicon
        # spaCy rebuilds doc.ents on every access; a dateline's place, date and agency
        # ("KELLMOUTH, Aug 12 (MPA) –") are nobody in the story.
        self.ents = [e for e in doc.ents if not is_dateline(e[0])]
        self.people: list[Person] = []
        self.orgs: list[Organisation] = []
        self.groups: list[Group] = []
        self._org_ents: list[tuple[Span, Organisation]] = []
        self._relative_roles: dict[int, str] = {}  # relative clause verb → the role it gives
        self._index_organisations()
        self._index_people()
        self._drop_people_named_as_organisations()

    def _in_quote(self, char: int) -> bool:
        return any(s <= char < e for s, e in self.quoted)

    def learn(self, facts: Iterable[Learned]) -> None:
        """Take in what a resolved mention taught about the article."""
        for fact in facts:
            referent = fact.referent
            if isinstance(referent, Person) and referent not in self.people:
                self.people.append(referent)
            elif isinstance(referent, Group) and referent not in self.groups:
                self.groups.append(referent)
            elif isinstance(referent, Organisation) and referent not in self.orgs:
                self.orgs.append(referent)
            if fact.position not in referent.positions:
                referent.positions.append(fact.position)
            if isinstance(referent, Person) and fact.name:
                referent.name = fact.name
                if referent.gender is None and referent.first:
                    referent.note_gender(first_name_gender(fact.name.split()[0]), "first name")

    def note_pronoun(self, pronoun: Token, referent: Referent | None) -> None:
        """A person the article calls "he" or "she" (or "his", "her") has that gender."""
        gender = _gender(self.lexicon.pronouns.get(pronoun.lower_, (None, ""))[0])
        if gender is None and pronoun.lower_ in ("his", "himself"):
            gender = Gender.MALE
        if gender is None and pronoun.lower_ in ("hers", "herself"):
            gender = Gender.FEMALE
        if isinstance(referent, Person) and gender is not None:
            referent.note_gender(gender, "pronoun")

    # -- organisations --------------------------------------------------------------------

    def _split_names_off(self) -> None:
        """ "Pellingham Athletic Football Club Rosalind Thwaite": an institution, then a person.

        The recogniser sometimes runs an institution's name into the name of
        the person after it; where a first name the dictionary knows follows a
        word that is none, and two or three capitalised words without an
        institution's follow, the two are cut apart.
        """
        ents = []
        for ent in self.ents:
            cut = None
            if ent.label_ in _INSTITUTION_LABELS:
                for k in range(ent.start + 1, ent.end - 1):
                    before, first = self.doc[k - 1], self.doc[k]
                    tail = [t for t in self.doc[k : ent.end] if not t.is_punct]
                    if (
                        is_first_name(first.text)
                        and not is_first_name(before.text)
                        and 2 <= len(tail) <= 3
                        and not any(t.lower_ in self.lexicon.institution_words for t in tail)
                        and all(t.text[:1].isupper() for t in tail)
                    ):
                        cut = k
                        break
            if cut is None:
                ents.append(ent)
                continue
            ents.append(Span(self.doc, ent.start, cut, label=ent.label))
            ents.append(Span(self.doc, cut, ent.end, label="PERSON"))
        self.ents = ents

    def _plural_names_are_institutions(self) -> None:
        """ "Dunmore Wanderers", "Harrowline Homes" tagged as a person: a name that ends
        in a plural is a team's or a firm's, not one person's.

        A person's surname may look plural ("Serena Williams", "Dr Hughes"), so a
        name whose first word is a first name the dictionary knows, or a title,
        stays a person's.
        """
        ents = []
        for ent in self.ents:
            words = [t for t in ent if not t.is_punct]
            if (
                ent.label_ == "PERSON"
                and len(words) >= 2
                and words[-1].tag_ in ("NNS", "NNPS")
                and words[-1].lower_.endswith("s")
                and all(t.text[:1].isupper() for t in words)
                and not is_first_name(words[0].text)
                and not any(is_title_word(t.text, self.lexicon) for t in words)
            ):
                ent = Span(self.doc, ent.start, ent.end, label="ORG")
            ents.append(ent)
        self.ents = ents

    def _index_organisations(self) -> None:
        self._split_names_off()
        self._plural_names_are_institutions()
        for ent in self.ents:
            if ent.label_ not in _INSTITUTION_LABELS or self._in_quote(ent.start_char):
                continue
            name = self._org_text(ent)
            if not name or (ent.label_ == "ORG" and self._looks_like_person(ent)):
                continue
            words = name.split()
            if all(is_title_word(w, self.lexicon) for w in words):
                continue  # "Superintendent", "Chief Constable": a title, not an institution
            if len(words) >= 3 and is_title_word(words[0], self.lexicon) and words[1] == "of":
                continue  # "Duchess of Wexmoor", "Bishop of Tarn": a title, not an institution
            org = self.organisation_named(name)
            if org is None:
                org = Organisation(name)
                self.orgs.append(org)
            elif len(name) > len(org.name) and not _ACRONYM.match(name):
                org.name = name
            org.positions.append(ent.start_char)
            if _ACRONYM.match(name):
                org.acronyms.add(name)
            self._org_ents.append((ent, org))
            self._note_org_context(ent, org)
        self._acronyms_spelt_out()
        self._merge_short_forms()
        for org in self.orgs:
            last = org.words[-1] if org.words else ""
            if last.isalpha() and not _ACRONYM.match(org.name):
                org.nouns.add(last)

    def _looks_like_person(self, ent: Span) -> bool:
        """An ORG the small recogniser took for a person's name.

        "Ifeoma Okonkwo-Reyes" (a first name the dictionary knows, then
        capitalised words), "Ms Sandvik" (an honorific, then a name),
        "Pieter du Plessis" (with a surname particle).
        """
        words = [t for t in ent if not t.is_punct and t.lower_ not in ("the",)]
        if not 1 <= len(words) <= 4:
            return False
        if any(t.lower_ in self.lexicon.institution_words for t in words):
            return False
        capitalised = all(t.text[:1].isupper() or t.lower_ in _PARTICLES for t in words)
        if len(words) >= 2 and self.lexicon.title_gender(words[0].lower_) and capitalised:
            return True
        return len(words) >= 2 and is_first_name(words[0].text) and capitalised

    def _org_text(self, ent: Span) -> str:
        text = clean(ent.text)
        text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
        return self.lexicon.canonical_alias(text) or text

    def _note_org_context(self, ent: Span, org: Organisation) -> None:
        """ "(NFA)" after the name; "Quillon Systems, the cloud-software company,"."""
        doc = self.doc
        after = ent.end
        if after + 2 < len(doc) and doc[after].text == "(" and doc[after + 2].text == ")":
            acronym = doc[after + 1].text
            if _ACRONYM.match(acronym):
                org.acronyms.add(acronym)
        root = ent.root
        for child in root.rights:
            if child.dep_ == "appos" and child.pos_ == "NOUN":
                org.nouns.add(child.lower_)

    def _acronyms_spelt_out(self) -> None:
        """An acronym whose full name the recogniser missed: "the HSI" after "the Health
        Standards Inspectorate" spelt out in the text, its initials matching."""
        spelt = [o for o in self.orgs if not _ACRONYM.match(o.name)]
        known = {a for o in spelt for a in o.acronyms} | {
            o.initials for o in spelt if len(o.words) > 1
        }
        wanted = {o.name for o in self.orgs if _ACRONYM.match(o.name) and o.name not in known}
        for token in self.doc:
            if token.pos_ == "PROPN" and _ACRONYM.match(token.text) and token.text not in known:
                wanted.add(token.text)
        if not wanted:
            return
        # "Immigration, Refugees and Citizenship Canada": commas may list the words too.
        run = r"[A-Z][\w’'&-]*(?:,?\s+(?:of|and|for|the|on|&)?\s*[A-Z][\w’'&-]*)+"
        for match in re.finditer(run, self.text):
            if self._in_quote(match.start()):
                continue
            name = match.group(0)
            words = [w for w in re.split(r"\s+", name) if w.lower() not in _MINOR]
            initials = "".join(w[0] for w in words).upper()
            for acronym in sorted(wanted):
                if len(acronym) < 2 or not initials.endswith(acronym):
                    continue
                full = self._words_from(name, len(words) - len(acronym))
                org = self.organisation_named(full)
                if org is None:
                    org = Organisation(full, [match.start()])
                    self.orgs.append(org)
                org.acronyms.add(acronym)
                wanted.discard(acronym)

    @staticmethod
    def _words_from(name: str, skip: int) -> str:
        """``name`` from its ``skip``-th word that counts for initials on."""
        parts = re.split(r"(\s+)", name)
        counted = 0
        for i, part in enumerate(parts):
            if part.strip() and part.lower() not in _MINOR:
                if counted == skip:
                    return "".join(parts[i:]).strip()
                counted += 1
        return name

    def _merge_short_forms(self) -> None:
        """One organisation for "Tessaro" and "Tessaro Microdevices", "NFA" and its full name."""
        merged: list[Organisation] = []
        for org in sorted(self.orgs, key=lambda o: -len(o.words)):
            home = next((m for m in merged if self._same_org(org, m)), None)
            if home is None:
                merged.append(org)
                continue
            home.positions.extend(org.positions)
            home.acronyms |= org.acronyms
            home.nouns |= org.nouns
            self._org_ents = [(e, home if o is org else o) for e, o in self._org_ents]
        self.orgs = sorted(merged, key=lambda o: min(o.positions, default=0))

    def _same_org(self, short: Organisation, long: Organisation) -> bool:
        if short.name in long.acronyms or (
            _ACRONYM.match(short.name) and short.name == long.initials and len(long.words) > 1
        ):
            return True
        words, longer = short.words, long.words
        if len(words) < len(longer) and longer[: len(words)] == words and len(words[0]) > 2:
            return True
        # "Wanderers" for Dunmore Wanderers: the last word of a name none of whose words
        # says what kind of body it is ("Police" alone is not Eastmarch Police).
        return (
            len(words) == 1
            and len(longer) == 2
            and longer[-1] == words[0]
            and len(words[0]) > 3
            and not set(longer) & self.lexicon.institution_words
        )

    def organisation_named(self, name: str) -> Organisation | None:
        """The organisation a name, a short form or an acronym stands for."""
        words = _words(clean(re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)))
        if not words:
            return None
        upper = " ".join(words).upper()
        for org in self.orgs:
            if org.words == words:
                return org
        for org in self.orgs:
            if upper in org.acronyms or (upper == org.initials and len(org.words) > 1):
                return org
        for org in self.orgs:
            if len(words) < len(org.words) and org.words[: len(words)] == words:
                return org
        return None

    def organisation_at(self, token: Token) -> Organisation | None:
        """The organisation a token of the text is part of, if any."""
        for ent, org in self._org_ents:
            if ent.start <= token.i < ent.end:
                return org
        if _ACRONYM.match(token.text) or (token.pos_ == "PROPN" and token.is_title):
            # "PAST", or "Saltmere" alone where the article named an institution so.
            named = self.organisation_named(token.text)
            if named is not None and (_ACRONYM.match(token.text) or named.words == (token.lower_,)):
                return named
        return None

    # -- people ---------------------------------------------------------------------------

    def _index_people(self) -> None:
        for ent in self.ents:
            is_person = ent.label_ == "PERSON" or (
                ent.label_ == "ORG" and self._looks_like_person(ent)
            )
            if not is_person or self._in_short_quote(ent) or self._seat_of_a_title(ent):
                continue
            ent = self._with_first_names(ent)
            words = [t for t in ent if not t.is_punct and t.text not in ("’s", "'s")]
            title_words = []
            while len(words) > 1 and (
                is_title_word(words[0].text, self.lexicon) or words[0].pos_ == "NOUN"
            ):
                title_words.append(words.pop(0))
            name = clean(self._join(words))
            if not name or not name[:1].isupper() or not self._plausible_name(words):
                continue
            person = self.person_named(name, at=ent.start_char)
            if person is None:
                person = Person(name)
                self.people.append(person)
            elif len(_words(name)) > len(person.words):
                person.name = name
            person.positions.append(ent.start_char)
            person.byline = person.byline or self._in_byline(ent.start_char)
            self._note_context(person, ent, title_words)
        self._merge_first_names()
        self._index_groups()
        for person in self.people:
            if person.gender is None and person.first:
                person.note_gender(first_name_gender(person.name.split()[0]), "first name")

    def _seat_of_a_title(self, ent: Span) -> bool:
        """ "the Conservative MP for Eastmere", "Duke of Tarn": the place a title is of,
        tagged as a person."""
        root = ent.root
        preposition = root.head
        return (
            len(ent) == 1
            and root.dep_ == "pobj"
            and preposition.lower_ in ("for", "of")
            and is_title_word(preposition.head.text, self.lexicon)
            and not is_first_name(root.text)
        )

    def _in_byline(self, char: int) -> bool:
        """Whether a name stands in a short line that starts "By" (the reporter's)."""
        start = self.text.rfind("\n", 0, char) + 1
        end = self.text.find("\n", char)
        line = self.text[start : end if end >= 0 else len(self.text)].strip()
        return line.startswith("By ") and len(line) <= 100

    def _in_short_quote(self, ent: Span) -> bool:
        """A name inside a short quotation is a title or a nickname ("The Next Ten Billion
        Transistors"), not someone the article names."""
        for start, end in self.quoted:
            if start <= ent.start_char < end:
                return len(self.text[start:end].split()) <= 8
        return False

    def _merge_first_names(self) -> None:
        """ "Lucía" is Lucía Ferreyra when she is the one person of that first name or surname."""
        for person in list(self.people):
            if len(person.words) != 1:
                continue
            word = person.surname
            fuller = [p for p in self.people if len(p.words) > 1 and word in (p.first, p.surname)]
            if len(fuller) == 1:
                home = fuller[0]
                home.positions.extend(person.positions)
                home.roles |= person.roles
                home.orgs.extend(o for o in person.orgs if o not in home.orgs)
                home.age = home.age or person.age
                if person.gender_evidence in ("honorific", "noun"):
                    home.note_gender(person.gender, person.gender_evidence)
                home.role = home.role or person.role
                self.people.remove(person)

    def _index_groups(self) -> None:
        """Coordinated people anywhere in the text ("Hassan and Giulia Farah"): the groups
        "the couple" or "they" may stand for later."""
        from saidwhat.speakers.mention import read_mention

        for ent in self.ents:
            root = ent.root
            if ent.label_ != "PERSON" or not any(c.dep_ == "conj" for c in root.children):
                continue
            mention = read_mention(root, self.lexicon)
            if len(mention.members) < 2:
                continue
            members = []
            for member in mention.members:
                tokens = member.tokens(member.name)
                if not tokens:
                    break
                name = self._member_name(
                    clean(self._join(tokens)), member.shared_surname, tokens[0].idx
                )
                person = self.person_named(name, at=tokens[0].idx)
                if person is None:
                    break
                members.append(person)
            else:
                distinct = len({id(m) for m in members}) == len(members)
                if distinct and not any(
                    {id(m) for m in g.members} == {id(m) for m in members} for g in self.groups
                ):
                    self.groups.append(Group(tuple(members), [root.idx]))

    def _member_name(self, name: str, shared_surname: str | None, position: int) -> str:
        """The name of one of "Hassan and Giulia Farah": "Hassan Farah", unless the
        article named a Hassan of another surname ("Lucía and Dmitri Volkov-Hale" after
        Lucía Ferreyra)."""
        if not shared_surname or len(_words(name)) != 1:
            return name
        known = self.person_named(name, at=position)
        if known is not None and len(known.words) > 1 and known.first == _words(name)[0]:
            return known.name
        return f"{name} {shared_surname}"

    def _plausible_name(self, words: Sequence[Token]) -> bool:
        """A person's name, not "Ferry Lane" or "Saltmere Town at Cobbold Lane"."""
        if any(t.like_num or t.text.isdigit() for t in words):
            return False
        lower = [t.lower_ for t in words]
        if any(w in self.lexicon.place_words for w in lower[1:]):
            return False
        return all(t.text[:1].isupper() or t.lower_ in _PARTICLES for t in words)

    def _drop_people_named_as_organisations(self) -> None:
        """ "Varga" tagged as an organisation after "councillor Ilse Varga": she is a person."""
        # "Calder Ridge" tagged as a person beside "Calder Ridge Energy": the company.
        # "AWFW Local" tagged as a person: a name holding an organisation's acronym.
        # "Quillon" beside "Quillon Systems", when no first name and no fuller person
        # says it is someone's.
        org_names = [o.words for o in self.orgs]
        short_forms = {
            w[0]
            for w in org_names
            if len(w) > 1
            and not is_first_name(w[0])
            and not any(len(p.words) > 1 and w[0] in p.words for p in self.people)
        }
        acronyms = {a.lower() for o in self.orgs for a in o.acronyms}
        self.people = [
            p
            for p in self.people
            if not any(
                len(p.words) >= 2 and w[: len(p.words)] == p.words and len(w) > len(p.words)
                for w in org_names
            )
            and not (acronyms & set(p.words))
            and not (len(p.words) == 1 and p.words[0] in short_forms)
        ]
        names = {p.words for p in self.people} | {(p.surname,) for p in self.people}
        people_orgs = [
            o
            for o in self.orgs
            if o.words in names and not (set(o.words) & self.lexicon.institution_words)
        ]
        self.orgs = [o for o in self.orgs if o not in people_orgs]
        self._org_ents = [(e, o) for e, o in self._org_ents if o not in people_orgs]

    def _join(self, tokens: Sequence[Token]) -> str:
        """Tokens as written: "Hesketh-Vane" stays one word, "Mark Rutte" two."""
        if not tokens:
            return ""
        return self.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]

    def _with_first_names(self, ent: Span) -> Span:
        """The entity with the first names the NER left out ("Ines [Marlowe]"), and the
        first half of a hyphenated surname ("Oyelowo[-Berg]")."""
        doc = self.doc
        start = ent.start
        while (
            start >= 2
            and doc[start - 1].text in ("-", "‐")
            and not doc[start - 1].whitespace_
            and not doc[start - 2].whitespace_
            and doc[start - 2].text[:1].isupper()
        ):
            start -= 2
        if doc[start].text in ("-", "‐") and start + 1 < ent.end:
            start += 1
        while start > ent.sent.start:
            word = doc[start - 1]
            if not (
                word.pos_ == "PROPN"
                and word.dep_ in ("compound", "flat")
                and ent.start <= word.head.i < ent.end
                and word.is_title
                and not word.ent_type_
                and word.lower_ not in self.lexicon.titles
                and word.lower_ not in self.lexicon.job_titles
            ):
                break
            start -= 1
        return ent if start == ent.start else Span(doc, start, ent.end, label=ent.label)

    def _note_context(self, person: Person, ent: Span, title_words: list[Token]) -> None:
        """Honorifics, roles, organisations and age written around a name."""
        doc, lexicon = self.doc, self.lexicon
        before = doc[ent.start - 1] if ent.start > 0 else None
        for word in [*([before] if before is not None else []), *title_words]:
            person.note_gender(_gender(lexicon.title_gender(word.lower_)), "honorific")
        role_tokens = [*title_words, *self._words_before(ent)]
        root = ent.root
        # "Its chief executive, Bjorn Aasen," — the name in apposition to a role.
        if root.dep_ == "appos" and root.head.pos_ == "NOUN":
            role_tokens.extend(t for t in root.head.subtree if t.i < ent.start)
        # "Kwame Boateng, an opposition MP for Eastgate," / "Desmond Achterberg, 34,".
        for child in root.rights:
            if child.dep_ == "appos" and child.pos_ in ("NOUN", "NUM", "PROPN", "ADJ"):
                if child.pos_ == "NUM" and child.text.isdigit():
                    person.age = person.age or int(child.text)
                    continue
                if child.ent_type_ == "PERSON":
                    continue
                role_tokens.extend(t for t in _without_clauses(child) if t.i >= ent.end)
            if child.dep_ in ("amod", "nummod", "npadvmod") and child.text.isdigit():
                person.age = person.age or int(child.text)
            if child.dep_ == "relcl":
                role_tokens.extend(self._relative_clause_roles(child))
        self._add_roles(person, sorted(set(role_tokens), key=lambda t: t.i), ent.start_char)

    def _relative_clause_roles(self, clause: Token) -> list[Token]:
        """What "who owns the bakery", "who chairs PAST", "who served as mayor" make someone.

        The verb's role goes in as a word (the owner, the chair), with the
        organisation of its object; "as <role>" gives the role itself.
        """
        tokens: list[Token] = []
        role = self.lexicon.role_verbs.get(clause.lemma_.lower())
        if role is not None:
            self._relative_roles[clause.i] = role
            tokens.append(clause)
            objects = [t for t in clause.children if t.dep_ == "dobj"]
            for obj in objects:  # "who chairs PAST" (the parser may call PAST a plural)
                tokens.extend(t for t in obj.subtree if t.pos_ == "PROPN" or _ACRONYM.match(t.text))
        for prep in (c for c in clause.children if c.dep_ == "prep" and c.lower_ == "as"):
            tokens.extend(t for t in _without_clauses(prep) if t.i > prep.i)
        return tokens

    def _words_before(self, ent: Span) -> list[Token]:
        """The role written right before a name ("Saltmere manager", "Chief executive of X").

        At most eight words, back to a comma, a verb (unless it is a title
        the parser took for a verb: "Gulls captain"), a pronoun or another
        person.
        """
        doc = self.doc
        tokens: list[Token] = []
        i = ent.start - 1
        while i >= ent.sent.start and len(tokens) < 8:
            token = doc[i]
            if token.text in (",", ";", ":", "(", ")", "—", "–", "“", "”", '"', "|", "/"):
                break
            if token.is_space or "\n" in token.text:
                break
            if token.pos_ in ("VERB", "AUX") and not is_title_word(token.text, self.lexicon):
                break
            if token.pos_ == "PRON" and token.lower_ not in ("its", "their"):
                break
            if token.pos_ == "ADP" and token.lower_ not in _ROLE_PREPOSITIONS:
                break
            if token.ent_type_ == "PERSON" or (token.lower_ in ("and", "&") and not tokens):
                break
            tokens.insert(0, token)
            i -= 1
        while tokens and tokens[0].pos_ in ("DET", "ADP", "CCONJ"):
            tokens.pop(0)
        return tokens

    def _add_roles(self, person: Person, tokens: list[Token], position: int) -> None:
        lexicon = self.lexicon
        for token in tokens:
            # A title the parser took for a verb or the recogniser for an institution
            # ("Gulls captain", "Chief Constable") is still a role.
            title_like = is_title_word(token.text, lexicon) and token.text[:1].isalpha()
            org = self.organisation_at(token)
            if org is not None:
                if org not in person.orgs:
                    person.orgs.append(org)
                if not title_like:
                    continue
            if token.lower_ in ("its", "their") and token.dep_ == "poss":
                latest = self.latest_organisation(position)
                if latest is not None and latest not in person.orgs:
                    person.orgs.append(latest)
                continue
            if token.lower_ == "whose":  # "The commission, whose chair, X,": the commission's
                owner = self._antecedent_organisation(token)
                if owner is not None and owner not in person.orgs:
                    person.orgs.append(owner)
                continue
            if token.i in self._relative_roles:  # "who owns …": the owner
                person.roles.add(self._relative_roles[token.i])
                continue
            age = re.match(r"^(\d{1,3})-year-old$", token.lower_)
            if age:
                person.age = person.age or int(age.group(1))
                continue
            if (token.pos_ in ("NOUN", "PROPN", "ADJ") or title_like) and token.text[:1].isalpha():
                if lexicon.titles.get(token.lower_):
                    continue  # an honorific: its gender is noted already
                person.roles.add(token.lower_)
                person.note_gender(_gender(lexicon.noun_gender(token.lower_)), "noun")
        words = [t for t in tokens if not (lexicon.titles.get(t.lower_))]
        if words and person.role is None:
            start, end = words[0].idx, words[-1].idx + len(words[-1].text)
            role = clean(_DETERMINERS.sub("", self.text[start:end]))
            person.role = role or None

    def _antecedent_organisation(self, token: Token) -> Organisation | None:
        """The organisation a relative clause holding ``token`` is about."""
        for ancestor in token.ancestors:
            if ancestor.dep_ == "relcl":
                noun = ancestor.head
                return self.organisation_at(noun) or self._organisation_called(
                    noun.lower_, noun.idx
                )
        return None

    def person_named(
        self, name: str, *, gender: Gender | None = None, at: int | None = None
    ) -> Person | None:
        """The person a name (full, surname, or first name) stands for, if the article has one.

        A bare surname or first name two people share goes to the one whose
        gender fits (a title's), then the one named last before ``at``.
        """
        words = _words(clean(name))
        if not words:
            return None
        if len(words) >= 2:
            for person in self.people:
                if person.words == words:
                    return person
            same = [
                p
                for p in self.people
                if p.surname == words[-1]
                and (p.first is None or _first_names_agree(p.first, words[0]))
            ]
            if not same:  # known by the first name alone so far ("Hamid", then "Hamid Sadeghi")
                same = [p for p in self.people if p.words == words[:1]]
            return _nearest(same, at, gender)
        word = words[0]
        by_surname = [p for p in self.people if p.surname == word]
        if by_surname:
            return _nearest(by_surname, at, gender)
        by_first = [p for p in self.people if p.first == word]
        return _nearest(by_first, at, gender)

    def latest_organisation(self, before: int) -> Organisation | None:
        """The organisation named last before a place in the text."""
        best: tuple[int, Organisation] | None = None
        for org in self.orgs:
            earlier = [p for p in org.positions if p < before]
            if earlier and (best is None or max(earlier) > best[0]):
                best = (max(earlier), org)
        return best[1] if best else None

    # -- resolution -----------------------------------------------------------------------

    def resolve(self, mention: Mention, speaks: bool = False) -> Resolution:
        """The entity of a non-pronoun mention (``speaks``: it is a quote's speaker)."""
        if mention.members:
            return self._group_of(mention)
        if mention.name is not None:
            return self._named(mention)
        return self._described(mention, speaks)

    def _named(self, mention: Mention) -> Resolution:
        lexicon = self.lexicon
        tokens = mention.tokens(mention.name)
        position = tokens[0].idx
        name = self._member_name(clean(self._join(tokens)), mention.shared_surname, position)
        alias = lexicon.canonical_alias(name)
        if alias:
            return Resolution(Entity(alias, EntityKind.ORGANISATION))
        title_gender = None
        for token in mention.tokens(mention.title):
            title_gender = title_gender or _gender(lexicon.title_gender(token.lower_))
        role = mention.tokens(mention.role)
        # A title or a person's role before the name ("chief executive X"): a person.
        has_person_role = bool(mention.title) or any(
            is_title_word(t.text, lexicon) for t in role if t.pos_ in ("NOUN", "PROPN", "ADJ")
        )
        by_words = any(t.lower_ in lexicon.institution_words for t in tokens)
        person = None if by_words else self.person_named(name, gender=title_gender, at=position)
        if person is not None:
            return _resolution(person, self._fuller(person, name, position))
        if not has_person_role or by_words:
            org = self.organisation_named(name) if not _is_person_token(tokens) else None
            if org is not None or self._is_institution(tokens):
                if org is None:
                    org = Organisation(name, [position])
                    return _resolution(org, (Learned(org, position),))
                return _resolution(org)
        if len(_words(name)) == 1 and mention.head.ent_type_ in _NOT_SPEAKERS:
            return NOBODY  # a place, a date: "MILLBROOK —", the dateline, is nobody
        if self._in_quote(position) or not self._could_be_person(tokens, has_person_role):
            # A name inside quotation marks is a title ("The Next Ten Billion Transistors").
            # "Her Housing Standards Bill", "Harrowgate East": a name, but of no one.
            return Resolution(Entity(name, EntityKind.UNKNOWN, resolved=False))
        person = Person(name, [position])
        person.note_gender(title_gender, "honorific")
        if person.gender is None and person.first:
            person.note_gender(first_name_gender(name.split()[0]), "first name")
        self._add_roles(person, role, position)
        # What the recogniser missed around the name: "Ibrahim Kone, head of SOCU, who …".
        name_span = Span(self.doc, tokens[0].i, tokens[-1].i + 1, label="PERSON")
        self._note_context(person, name_span, mention.tokens(mention.title))
        return _resolution(person, (Learned(person, position),))

    def _fuller(self, person: Person, name: str, position: int) -> tuple[Learned, ...]:
        """ "Anjali Raghunathan" for the person the recogniser knew only as "Raghunathan"
        (or only as "Anjali")."""
        words, known = _words(name), person.words
        longer = len(words) > len(known)
        if longer and (words[-len(known) :] == known or words[: len(known)] == known):
            return (Learned(person, position, name=name),)
        return ()

    def _could_be_person(self, tokens: Sequence[Token], has_person_role: bool) -> bool:
        """Whether a name no one in the article has yet can be a new person's.

        It must read as a name (no street or district words, no figures) and
        not belong to someone ("Her Housing Standards Bill"); beyond one word,
        the recogniser, a first name or a person's role must say it is one.
        """
        words = [t for t in tokens if not t.is_punct]
        if not words or not self._plausible_name(words):
            return False
        if any(c.dep_ == "poss" and c.pos_ == "PRON" for t in tokens for c in t.children):
            return False
        if len(words) == 1 or has_person_role or _is_person_token(words):
            return True
        return is_first_name(words[0].text)

    def _is_institution(self, tokens: Sequence[Token]) -> bool:
        """Whether a name names an institution: by its words, or by the recogniser's label
        when its first word is no first name ("nurse Petra Sand" is a person)."""
        if any(t.lower_ in self.lexicon.institution_words for t in tokens):
            return True
        if _is_person_token(tokens) or not any(t.ent_type_ in _INSTITUTION_LABELS for t in tokens):
            return False
        words = [t for t in tokens if not t.is_punct]
        return not (len(words) >= 2 and is_first_name(words[0].text))

    def _described(self, mention: Mention, speaks: bool = False) -> Resolution:
        """A mention without a name: a spokesperson, a role, an age, an institution, a group."""
        lexicon = self.lexicon
        head = mention.head
        head_word = head.lower_
        position = head.idx
        tokens = mention.tokens(mention.role)
        text = clean(self._join(tokens)) or head.text
        alias = lexicon.canonical_alias(text) or lexicon.canonical_alias(
            _DETERMINERS.sub("", text.lower())
        )
        if alias:
            return Resolution(Entity(alias, EntityKind.ORGANISATION))
        orgs = self._orgs_in(tokens, position)
        if _ACRONYM.match(head.text):  # "The IAIP", even tagged as a common noun
            org = self.organisation_named(head.text)
            if org is not None:
                return _resolution(org)
        hint = _gender(lexicon.noun_gender(head_word))
        # "A Downing Street spokeswoman", "a spokesman for Tessaro", "A university spokeswoman".
        if head_word in lexicon.spokesperson_nouns:
            org = orgs[0] if orgs else None
            if org is None:
                modifiers = [t for t in head.lefts if t.dep_ == "compound" and t.pos_ == "NOUN"]
                if modifiers:
                    org = self._organisation_called(modifiers[-1].lower_, position)
            if org is None:
                org_text = self._org_phrase(head)
                if org_text:
                    org = self.organisation_named(org_text) or Organisation(org_text, [position])
            if org is not None:
                entity = org.entity(role=head_word)
                return Resolution(entity, hint, org)
        # "her husband", "his daughter": a relative of someone the article named.
        if head_word in lexicon.relation_nouns:
            relative = self._relative(head, lexicon.relation_nouns[head_word])
            if relative is not None:
                return _resolution(relative)
        age = mention.age
        if age is not None:
            person = _nearest([p for p in self.people if p.age == age], position)
            if person is not None:
                return _resolution(person)
        # A role: "the NFA chief executive", "the coach", "the former mayor".
        # A definite description looks back ("the defenceman" is the one the story is about,
        # not one named later); "a prosecutor" may be named later.
        if head.pos_ in ("NOUN", "PROPN", "ADJ") and head_word not in lexicon.group_nouns:
            person = self.person_by_role(mention, before_only=_is_definite(head))
            if person is not None:
                return _resolution(person)
        # An institution by what it is: "the ministry", "the company", "the university".
        # A person's title is no institution's name: "the senator" is not the Senate.
        institution_noun = (
            head_word in lexicon.institution_words
            or head_word in lexicon.public_body_words
            or head_word in lexicon.company_nouns
        )
        person_title = is_title_word(head.text, lexicon) and not institution_noun
        if head.tag_ not in ("NNS", "NNPS") and not person_title:
            org = self._organisation_called(head_word, position, orgs)
            if org is not None:
                return _resolution(org)
        elif head.text[:1].isupper() and not person_title:
            # "Wanderers said": a plural written as a name, the last word of a team's or
            # a firm's (Dunmore Wanderers), is that body, not people of no name.
            named = [o for o in self.orgs if len(o.words) > 1 and o.words[-1] == head_word]
            org = _nearest(named, position)
            if org is not None:
                return _resolution(org)
        # "the couple", "the pair": the people the article named together. Other plurals
        # ("advisers", "federal investigators") are people it did not name.
        if head_word in lexicon.group_nouns:
            group = _nearest(self.groups, position)
            if group is not None:
                return _resolution(group)
        kind = EntityKind.GROUP if head.tag_ in ("NNS", "NNPS") else EntityKind.UNKNOWN
        name = _DETERMINERS.sub("", text) or text
        if kind is EntityKind.UNKNOWN and self.describes_person(mention, speaks):
            # Someone the article does not name ("one witness"): still one person, whom
            # a later "she" refers to and whose gender the text may show.
            person = Person(name, [position], named=False)
            person.note_gender(hint, "noun")
            for child in head.rights:  # "One witness, a woman who runs a kiosk,"
                if child.dep_ == "appos" and child.pos_ == "NOUN":
                    person.note_gender(_gender(lexicon.noun_gender(child.lower_)), "noun")
            return _resolution(person)
        return Resolution(Entity(name, kind, resolved=False), hint)

    def describes_person(self, mention: Mention, speaks: bool = False) -> bool:
        """Whether a description without a name is of one person ("the rookie", "a
        fisherman", "the 34-year-old"), not an institution or a document.

        A quote's speaker is someone unless its words say otherwise; any other
        subject needs a word that names a person: a role, a title, a gendered
        noun, an age.
        """
        head = mention.head
        lexicon = self.lexicon
        word = head.lower_
        if not speaks and not (
            is_title_word(head.text, lexicon)
            or lexicon.noun_gender(word)
            or len(lexicon.role_key(word)) > 1
            or word in lexicon.relation_nouns
            or mention.age is not None
        ):
            return False
        if head.tag_ in ("NNS", "NNPS") or head.pos_ not in ("NOUN", "ADJ", "PROPN"):
            return False
        if head.pos_ == "PROPN" and not is_title_word(head.text, lexicon):
            return False
        if head.ent_type_ in _INSTITUTION_LABELS or word in lexicon.group_nouns:
            return False
        if _ACRONYM.match(head.text):
            return False
        return not (
            word in lexicon.institution_words
            or word in lexicon.company_nouns
            or word in lexicon.public_body_words
            or word in lexicon.document_nouns
        )

    def _orgs_in(self, tokens: Sequence[Token], position: int) -> list[Organisation]:
        """The organisations a description names ("the NFA chief", "head of the agency")."""
        found: list[Organisation] = []
        for token in tokens:
            org = self.organisation_at(token)
            if org is None and token.pos_ == "PROPN" and token.ent_type_ != "PERSON":
                # the whole name, not the first word of a longer one ("West" of "West
                # Virginia University", "Clinton" of "Clinton Foundation")
                named = self.organisation_named(token.text)
                if named is not None and named.words == (token.lower_,):
                    org = named
            if org is None and token.lower_ in ("its", "their") and token.dep_ == "poss":
                org = self.latest_organisation(position)
            if org is not None and org not in found:
                found.append(org)
        text = " ".join(t.lower_ for t in tokens)
        for org in self.orgs:  # "the head of the national flood agency"
            if org not in found and len(org.words) > 1 and " ".join(org.words) in text:
                found.append(org)
        return found

    def _org_phrase(self, head: Token) -> str | None:
        """The capitalised name after "a spokesman for": an institution the recogniser missed."""
        for prep in head.rights:
            if prep.dep_ == "prep" and prep.lower_ in ("for", "of", "at", "with", "from"):
                words = [t for t in prep.subtree if t.i > prep.i]
                while words and words[0].pos_ == "DET":
                    words.pop(0)
                if words and all(t.text[:1].isupper() or t.lower_ in _NAME_GLUE for t in words):
                    # "the Harbour Commissioner's Office": the possessive is part of the name
                    return _SPACE.sub(" ", self._join(words)).strip(" ,.:;“”\"'‘’")
        return None

    def _organisation_called(
        self, noun: str, position: int, among: Sequence[Organisation] = ()
    ) -> Organisation | None:
        """The organisation a common noun names, nearest first: one whose name ends in it
        ("the ministry": Ministry of Finance is not "the district"), then one whose name
        holds it or that the article called so; for a business noun ("the company", "the
        insurer"), the business the article named most."""
        lexicon = self.lexicon
        pool = list(among) or self.orgs
        for fits in (
            [o for o in pool if o.words and o.words[-1] == noun],
            [o for o in pool if noun in o.nouns and o.words[-1:] != (noun,)],
            [o for o in pool if noun in o.words or _same_stem(noun, o.words)],
        ):
            if fits:
                return _nearest(fits, position)
        if noun not in lexicon.company_nouns:
            return None
        # A business: no public body's word in its name, and more than one word or
        # called a business ("Quillon Systems"; "House" alone is no company).
        businesses = [
            o
            for o in pool
            if not (set(o.words) & lexicon.public_body_words)
            and not _ACRONYM.match(o.name)
            and (len(o.words) > 1 or bool(o.nouns & lexicon.company_nouns))
        ]
        if not businesses:
            return None
        before = [o for o in businesses if any(p < position for p in o.positions)]
        ranked = before or businesses
        most = max(len([p for p in o.positions if p < position]) for o in ranked)
        return _nearest(
            [o for o in ranked if len([p for p in o.positions if p < position]) == most], position
        )

    def person_by_role(self, mention: Mention, before_only: bool = False) -> Person | None:
        """The person whose roles fit a description, nearest first, before (or after) it."""
        tokens = mention.tokens(mention.role)
        position = mention.head.idx
        words = {t.lower_ for t in tokens if t.pos_ in ("NOUN", "ADJ", "PROPN")}
        orgs = self._orgs_in(tokens, position)
        key = self.lexicon.role_key(mention.head.lower_)
        fits = []
        for person in self.people:
            if before_only and not any(p < position for p in person.positions):
                continue
            roles = set().union(*(self.lexicon.role_key(r) for r in person.roles))
            if not key & roles:
                continue
            if orgs and not any(o in person.orgs for o in orgs):
                continue
            fits.append(person)
        if len(fits) > 1:  # the one whose roles say most of what the description says
            best = max(len(words & p.roles) for p in fits)
            fits = [p for p in fits if len(words & p.roles) == best]
        return _nearest(fits, position)

    def _relative(self, head: Token, gender: str | None) -> Person | None:
        """ "her husband": the person of the possessor's surname the relation noun fits."""
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        if owner is None:
            return None
        if owner.pos_ == "PRON":
            owner_gender = _gender(self.lexicon.pronouns.get(owner.lower_, (None, ""))[0])
            candidates = [p for p in self.people if p.gender in (owner_gender, None)]
            known = _nearest(candidates, head.idx)
        else:
            known = self.person_named(owner.text, at=head.idx)
        if known is None:
            return None
        wanted = _gender(gender)
        kin = [
            p
            for p in self.people
            if p is not known
            and p.surname == known.surname
            and (wanted is None or p.gender in (wanted, None))
        ]
        return _nearest(kin, head.idx)

    def _group_of(self, mention: Mention) -> Resolution:
        """Coordinated speakers: one group of the people or institutions they name."""
        members: list[Person | Organisation] = []
        learned: list[Learned] = []
        for member in mention.members:
            resolution = self.resolve(member)
            referent = resolution.referent
            if not isinstance(referent, Person | Organisation):
                if resolution.entity is None or not resolution.entity.resolved:
                    return Resolution(
                        Entity(clean(mention.text(mention.span)), EntityKind.GROUP, resolved=False)
                    )
                referent = Organisation(resolution.entity.name)
            members.append(referent)
            learned.extend(resolution.learned)
        position = mention.head.idx
        for group in self.groups:  # the same people, named again: the same group
            if {id(m) for m in group.members} == {id(m) for m in members}:
                return _resolution(group, tuple(learned))
        group = Group(tuple(members), [position])
        learned.append(Learned(group, position))
        return _resolution(group, tuple(learned))

    @cached_property
    def noun_chunks(self) -> list[Span]:
        """The article's noun chunks, found once (spaCy finds them again on every access)."""
        return list(self.doc.noun_chunks)


_ROLE_PREPOSITIONS = {"of", "at", "for", "in", "with", "from"}
_CLAUSE_DEPS = {"relcl", "acl", "advcl", "ccomp", "xcomp"}


def _without_clauses(token: Token) -> list[Token]:
    """``token``'s subtree without the clauses hanging on it ("a retired lock-keeper who …")."""
    out = [token]
    for child in token.children:
        if child.dep_ not in _CLAUSE_DEPS:
            out.extend(_without_clauses(child))
    return sorted(out, key=lambda t: t.i)


# How far back (this paragraph and the three before) a definite description looks for
# the person it describes.
_DESCRIPTION_REACH = 4


def _is_definite(head: Token) -> bool:
    """ "the rookie", "her former supervisor": a description of someone known already."""
    for child in head.lefts:
        if child.dep_ == "det":
            return child.lower_ in ("the", "this", "that")
        if child.dep_ == "poss" and child.pos_ == "PRON":
            return True
    return False


def _antecedent(relative: Token) -> Token:
    """The noun a relative pronoun stands for.

    "who" is a person: in "Yusuf Demir, the ward councillor for Harrowgate
    East, who has lived …" the parser hangs the clause on "East"; the person
    is the name the phrase is in apposition to.
    """
    noun = relative.head.head
    if relative.lower_ not in ("who", "whom", "whose"):
        return noun
    climbed = noun
    while climbed.dep_ in ("pobj", "prep") or (
        climbed.dep_ == "compound" and climbed.head is not climbed
    ):
        climbed = climbed.head
    if climbed.dep_ == "appos":
        climbed = climbed.head
    if climbed is not noun and (climbed.ent_type_ == "PERSON" or climbed.pos_ in ("NOUN", "PROPN")):
        return climbed
    return noun


def _same_stem(noun: str, words: Sequence[str]) -> bool:
    """ "insurer" and "Insurance", "regulator" and "Regulation": a shared stem of five letters."""
    return len(noun) >= 6 and any(len(w) >= 6 and w[:5] == noun[:5] for w in words)


def _is_person_token(tokens: Sequence[Token]) -> bool:
    return any(t.ent_type_ == "PERSON" for t in tokens)


def _first_names_agree(known: str, given: str) -> bool:
    """ "Mark" and "Mark", or "M." and "Mark"."""
    known, given = known.strip("."), given.strip(".")
    if known == given:
        return True
    shorter, longer = sorted((known, given), key=len)
    return len(shorter) == 1 and longer.startswith(shorter)


_R = TypeVar("_R", Person, Organisation, Group)


def _fits(candidate: Referent, gender: Gender | None) -> bool:
    return not isinstance(candidate, Person) or gender is None or candidate.gender in (gender, None)


def _nearest(candidates: Sequence[_R], at: int | None, gender: Gender | None = None) -> _R | None:
    """The candidate named last before ``at``, else the first named after it.

    With ``gender``, a candidate whose known gender differs is left out.
    """
    pool = [c for c in candidates if _fits(c, gender)]
    if not pool:
        return None
    if len(pool) == 1 or at is None:
        return pool[0]
    before = [
        (max(p for p in c.positions if p < at), c) for c in pool if any(p < at for p in c.positions)
    ]
    if before:
        return max(before, key=lambda pc: pc[0])[1]
    after = [(min(c.positions, default=at), c) for c in pool]
    return min(after, key=lambda pc: pc[0])[1]


# -- pronouns, in reading order -------------------------------------------------------------


@dataclass(slots=True)
class _Event:
    """An entity seen as a subject (or a quote's speaker) at a point in the text."""

    pos: int
    entity: Entity
    referent: Referent | None
    gender: Gender | None
    plural: bool
    speaker: bool
    reported: bool  # a subject inside reported words ("Mirela said her mother had read …")
    owner: bool = False  # only the owner of a subject ("Mirela's words"): for pronouns alone


class SpeakerTimeline:
    """Subjects in reading order, for pronoun and carry-over resolution.

    ``resolve`` only reads; ``add`` puts a resolved subject on the timeline.
    """

    def __init__(self, entities: ArticleEntities) -> None:
        self.entities = entities
        self.lexicon = entities.lexicon
        self.events: list[_Event] = []

    def add(
        self,
        token: Token,
        resolution: Resolution,
        speaker: bool,
        reported: bool = False,
        owner: bool = False,
    ) -> None:
        """Put a resolved subject on the timeline (``owner``: the owner of one, whom
        only a pronoun may refer to)."""
        entity = resolution.entity
        if entity is None:
            return
        plural = token.tag_ in ("NNS", "NNPS") or token.lower_ in ("they", "them", "we")
        if entity.kind is EntityKind.GROUP:
            plural = True
        gender = resolution.gender
        if isinstance(resolution.referent, Person):
            gender = resolution.referent.gender or gender
        self.events.append(
            _Event(token.idx, entity, resolution.referent, gender, plural, speaker, reported, owner)
        )

    def resolve(self, mention: Mention, speaks: bool = False) -> Resolution:
        """The entity of any subject or speaker mention (``speaks``: a quote's speaker)."""
        token = mention.head
        lexicon = self.lexicon
        if token.lower_ in lexicon.relative_pronouns and token.head.dep_ == "relcl":
            # "Mr. Kamin, who emphasized …": who is the noun the clause modifies.
            return self.resolve(read_mention(_antecedent(token), lexicon), speaks)
        if token.lower_ in lexicon.pronouns:
            return self.resolve_pronoun(token)
        if mention.name is None and not mention.members:
            if token.lemma_.lower() in lexicon.statement_nouns and _is_definite(token):
                issuer = self._issuer(token)
                if issuer is not None:
                    return issuer
            if token.lower_ in lexicon.family_nouns:
                family = self._family_of(token)
                if family is not None:
                    return family
        resolution = self.entities.resolve(mention, speaks)
        referent = resolution.referent
        if isinstance(referent, Person) and not referent.named and _is_definite(token):
            # "the rookie", "the owner": a definite description of someone the article
            # named without that word; the person it has been about, nearest first.
            owner = next((c for c in token.lefts if c.dep_ == "poss" and c.pos_ == "PRON"), None)
            # "her former supervisor" is not she.
            besides = self.resolve_pronoun(owner).referent if owner is not None else None
            named = self._latest_person(token.idx, referent.gender, besides)
            if named is None:
                named = self.entities.person_by_role(mention)
            if named is not None:
                return _resolution(named)
        entity = resolution.entity
        owner = next((c for c in token.children if c.dep_ == "poss"), None)
        speaks_for_latest = (
            owner is not None and owner.lower_ in ("its", "their")
        ) or token.lower_ in lexicon.spokesperson_singular
        if entity is not None and speaks_for_latest and not entity.resolved:
            # "Its director said": the post belongs to the institution last named;
            # "A spokesman said" with no institution named: the one that was
            # last in the news of this article.
            organisation = self.latest_organisation(token.idx)
            if organisation is not None:
                entity = Entity(organisation.name, organisation.kind, role=token.lower_)
                return Resolution(entity, resolution.gender, None, resolution.learned)
        return resolution

    def _issuer(self, token: Token) -> Resolution | None:
        """Who issued "the statement" that speaks: the speaker of a recent sentence
        that told of it ("In a joint statement, X and Y said …")."""
        doc = self.entities.doc
        floor = self._paragraphs_back(token.idx)
        lemma = token.lemma_.lower()
        for event in reversed(self.events):
            if event.pos >= token.idx or not event.speaker:
                continue
            if event.pos < floor:
                break
            span = doc.char_span(event.pos, event.pos + 1, alignment_mode="expand")
            if span is None or not len(span):
                continue
            if any(t.lemma_.lower() == lemma for t in span[0].sent):
                return Resolution(event.entity, event.gender, event.referent)
        return None

    def _family_of(self, token: Token) -> Resolution | None:
        """ "his family", "the family of a 17-year-old stabbed …": the family of that person."""
        owner = next((c for c in token.children if c.dep_ == "poss"), None)
        person: Referent | None = None
        if owner is not None and owner.lower_ in self.lexicon.pronouns:
            person = self.resolve_pronoun(owner).referent
        elif owner is None:
            of = next((c for c in token.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
            pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
            if pobj is not None:
                person = self.entities.resolve(read_mention(pobj, self.lexicon)).referent
        if not isinstance(person, Person) or not person.named:
            return None
        return Resolution(Entity(f"{token.lower_} of {person.name}", EntityKind.GROUP))

    def _paragraphs_back(self, before: int) -> int:
        """Where the paragraph ``_DESCRIPTION_REACH`` paragraphs before ``before`` starts."""
        text = self.entities.text
        floor = before
        for _ in range(_DESCRIPTION_REACH):
            floor = text.rfind("\n", 0, max(floor - 1, 0))
            while floor > 0 and text[floor - 1] in "\n ":
                floor -= 1
            if floor <= 0:
                return 0
        return floor

    def _latest_person(
        self, before: int, gender: Gender | None, besides: Referent | None = None
    ) -> Person | None:
        """The named person of the latest subject before ``before`` in the last few
        paragraphs, whose gender fits; else the person named last there in any role
        ("Nobody has handed out more assists than Hye-jin Park")."""
        floor = self._paragraphs_back(before)

        def fits(person: Referent | None) -> bool:
            return (
                isinstance(person, Person)
                and person.named
                and not person.byline
                and person is not besides
                and _fits(person, gender)
                and any(p < before for p in person.positions)  # named, not only described
            )

        for event in reversed(self.events):
            if event.pos >= before or event.owner:
                continue
            if event.pos < floor:
                break
            if fits(event.referent):
                return cast(Person, event.referent)
        named = [
            (max(p for p in person.positions if floor <= p < before), person)
            for person in self.entities.people
            if fits(person) and any(floor <= p < before for p in person.positions)
        ]
        return max(named, key=lambda pair: pair[0])[1] if named else None

    def latest_organisation(self, before: int) -> Entity | None:
        for event in reversed(self.events):
            if event.pos < before and event.entity.kind is EntityKind.ORGANISATION:
                return event.entity
        org = self.entities.latest_organisation(before)
        return org.entity() if org is not None else None

    def resolve_pronoun(self, token: Token) -> Resolution:
        """The entity a pronoun subject refers to, by gender, number and recency.

        Subjects inside someone's reported words come second: in "Mirela said
        her mother had read every draft. “…,” she said", she is Mirela.
        """
        first = self._pronoun_referent(token, skip_reported=True)
        return first if first.entity is not None else self._pronoun_referent(token, False)

    def _pronoun_referent(self, token: Token, skip_reported: bool) -> Resolution:
        gender_name, number = self.lexicon.pronouns.get(token.lower_, (None, None))
        gender = _gender(gender_name)
        if number is None or number == "first":
            return NOBODY
        seen_speaker = False
        person_since = False  # a person "he" or "she" could be was named after it
        for event in reversed(self.events):
            if event.pos >= token.idx:
                continue
            if skip_reported and event.reported:
                person_since = person_since or (
                    event.entity.kind is EntityKind.PERSON
                    and not event.plural
                    and not (event.gender and gender and event.gender != gender)
                )
                continue
            # An institution that just spoke can be "she", through its spokeswoman (who
            # outranks a woman named in her words) or when no one else could be.
            is_latest_speaker = (
                event.speaker and not seen_speaker and (not person_since or bool(event.gender))
            )
            seen_speaker = seen_speaker or event.speaker
            kind = event.entity.kind
            if number == "singular":
                if event.plural:
                    continue
                if kind is EntityKind.PERSON or (kind is EntityKind.UNKNOWN and event.speaker):
                    if event.gender and gender and event.gender != gender:
                        continue
                    return Resolution(event.entity, gender or event.gender, event.referent)
                if kind is EntityKind.ORGANISATION and is_latest_speaker:
                    if event.gender and gender and event.gender != gender:
                        continue
                    return Resolution(event.entity, gender, event.referent)
                continue
            if number == "plural":
                if event.plural or kind in (EntityKind.GROUP, EntityKind.ORGANISATION):
                    return Resolution(event.entity, None, event.referent)
                continue
            if number == "neuter" and kind is EntityKind.ORGANISATION:
                return Resolution(event.entity, None, event.referent)
        return NOBODY
