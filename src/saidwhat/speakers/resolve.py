"""Speaker mention → entity, within one article.

"Keir Starmer" = "Mr Starmer" (same surname, the fullest name wins);
"No10" = "Downing Street" (alias table); "A Downing Street spokeswoman" speaks
for Downing Street; "NATO’s chief" is the person the article introduced as
"NATO boss Mark Rutte"; "He" is the nearest earlier subject that fits by
gender, number and kind (a spokesperson may speak for an institution, so an
institution that spoke just before can be "he" or "she").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Doc, Span, Token

from saidwhat.lexicon import Lexicon
from saidwhat.model import Entity, EntityKind
from saidwhat.syntax import doc_text, mention_char_span

_ORG_LABELS = {"ORG", "GPE", "NORP", "FAC", "LOC"}
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class _Known:
    """What the article has said about one entity so far."""

    entity: Entity
    gender: str | None = None
    roles: set[str] = field(default_factory=set)
    role_orgs: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Learned:
    """Something a mention taught about the article's people, for ``ArticleEntities.learn``.

    gender: ``person`` is this gender, if nothing said otherwise before
        ("Mr Starmer" after "Keir Starmer").
    new: ``person`` is someone the names alone did not introduce ("Mayor
        Varga"), so later mentions by surname are them.
    """

    person: _Known
    key: str = ""
    gender: str | None = None
    new: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    """Who a mention refers to, the gender it shows, and what it taught."""

    entity: Entity | None
    gender: str | None = None
    learned: tuple[Learned, ...] = ()


_NOBODY = Resolution(None)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("’s", "").replace("'s", "")).strip(" ,.:;“”\"'‘’")


def _join(tokens: Sequence[Token]) -> str:
    """Tokens as written: "Hesketh-Vane" stays one word, "Mark Rutte" two."""
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc_text(doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


def _only_names_of(span: Span, entity: Entity) -> bool:
    """Whether every word of ``span`` is one of the words of ``entity``'s name."""
    names = {w.lower() for w in entity.name.split()}
    words = [t.lower_ for t in span if not t.is_punct and t.lower_ not in ("the", "’s", "'s")]
    return bool(words) and all(w in names for w in words)


class ArticleEntities:
    """The people and organisations of one article, built from its NER and parse.

    One is made per article. Its lookups (``person_for``, ``resolve_mention``)
    only read; what a mention teaches comes back in its ``Resolution`` and
    goes in with ``learn``.
    """

    def __init__(self, doc: Doc, quoted: Sequence[tuple[int, int]], lexicon: Lexicon) -> None:
        self.doc = doc
        self.quoted = quoted
        self.lexicon = lexicon
        self.ents = list(doc.ents)  # spaCy rebuilds doc.ents on every access
        self.people: dict[str, _Known] = {}  # surname (lower) -> known person
        self._index_people()

    @cached_property
    def noun_chunks(self) -> list[Span]:
        """The article's noun chunks, found once (spaCy finds them again on every access)."""
        return list(self.doc.noun_chunks)

    def learn(self, facts: Sequence[Learned]) -> None:
        """Take in what a resolved mention taught about the article's people."""
        for fact in facts:
            if fact.new:
                self.people.setdefault(fact.key, fact.person)
            elif fact.gender and not fact.person.gender:
                fact.person.gender = fact.gender

    def _in_quote(self, char: int) -> bool:
        return any(s <= char < e for s, e in self.quoted)

    def _index_people(self) -> None:
        persons = [self._with_first_names(e) for e in self.ents if e.label_ == "PERSON"]
        for ent in persons:
            name = self._person_name(ent)
            if not name:
                continue
            surname = name.split()[-1].lower()
            known = self.people.get(surname)
            if known is None or len(name) > len(known.entity.name):
                entity = Entity(name, EntityKind.PERSON)
                old = known
                known = _Known(entity)
                if old is not None:
                    known.gender, known.roles, known.role_orgs = (
                        old.gender,
                        old.roles,
                        old.role_orgs,
                    )
                self.people[surname] = known
            self._note_context(known, ent)

    def _with_first_names(self, ent: Span) -> Span:
        """The entity with the first names the NER left out ("Ines [Marlowe]").

        A capitalised proper noun just before the name and parsed as part of
        it (a compound of a word inside it) is a first name, unless it is a
        title or a job word, or belongs to another entity.
        """
        doc = self.doc
        start = ent.start
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

    def _person_name(self, ent: Span) -> str:
        words = [t for t in ent if not t.is_punct and t.text not in ("’s", "'s")]
        # Titles and job words the NER sometimes takes into the name.
        while len(words) > 1 and (
            words[0].lower_ in self.lexicon.titles
            or words[0].lower_ in self.lexicon.job_titles
            or words[0].pos_ == "NOUN"
        ):
            words = words[1:]
        return _clean(_join(words))

    def _note_context(self, known: _Known, ent: Span) -> None:
        """Titles, roles and organisations written around a name."""
        doc = self.doc
        before = doc[ent.start - 1] if ent.start > 0 else None
        titles = self.lexicon.titles
        if before is not None and titles.get(before.lower_):
            known.gender = titles[before.lower_]
        first = ent[0]
        if titles.get(first.lower_):
            known.gender = titles[first.lower_]
        root = ent.root
        modifiers = [t for t in root.lefts if t.i < ent.start]
        i = ent.start - 1
        while (
            i >= 0
            and doc[i].dep_ in ("compound", "amod", "nmod", "poss", "case", "punct")
            and (doc[i].head.i >= i)
        ):
            modifiers.append(doc[i])
            i -= 1
        for child in root.rights:
            if child.dep_ == "appos":
                modifiers.extend(child.subtree)
        for token in modifiers:
            if token.pos_ in ("NOUN", "PROPN") and token.ent_type_ != "PERSON":
                if token.ent_type_ in _ORG_LABELS:
                    known.role_orgs.add(token.text.lower())
                else:
                    known.roles.add(token.lower_)
            elif token.pos_ == "ADJ" and token.ent_type_ in _ORG_LABELS:
                known.role_orgs.add(token.text.lower())
        role_words = [t.text for t in sorted(set(modifiers), key=lambda t: t.i) if not t.is_punct]
        if role_words and known.entity.role is None:
            role = _clean(" ".join(role_words))
            if role:
                known.entity = Entity(known.entity.name, EntityKind.PERSON, role=role)

    # -- resolution ---------------------------------------------------------

    def person_for(self, name_tokens: Sequence[Token]) -> _Known | None:
        """The known person whose surname ends these tokens (a name, or its last part).

        A token inside a PERSON entity stands for the whole entity, so
        "Vane" of "Hesketh-Vane" finds the person indexed under the full surname.
        """
        tokens = list(name_tokens)
        if len(tokens) == 1:
            for ent in self.ents:
                if ent.label_ == "PERSON" and ent.start <= tokens[0].i < ent.end:
                    tokens = list(ent)
                    break
        titles = self.lexicon.titles
        words = [t for t in tokens if t.lower_ not in titles and t.text not in ("’s", "'s")]
        while words and words[-1].is_punct:
            words.pop()
        if not words:
            return None
        name = _clean(_join(words))
        if not name:
            return None
        return self.people.get(name.split()[-1].lower())

    def resolve_mention(self, head: Token) -> Resolution:
        """The entity of a non-pronoun mention headed by ``head``, and a gender hint."""
        doc, lexicon = self.doc, self.lexicon
        start, end = mention_char_span(head)
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return _NOBODY
        text = _clean(span.text)
        alias = lexicon.canonical_alias(text) or lexicon.canonical_alias(
            re.sub(r"^(the|a|an)\s+", "", text.lower())
        )
        if alias:
            return Resolution(Entity(alias, EntityKind.ORGANISATION))
        gender = lexicon.title_gender(span[0].lower_) if len(span) else None
        appositive = self._appositive_person(head)
        if appositive is not None:
            return appositive
        # A named person heading the mention: "NATO boss Mark Rutte", "Mr Starmer"
        # (not "Ms Varga’s critics", whose head is "critics").
        for ent in (e for e in self.ents if span.start <= e.start and e.end <= span.end):
            if ent.label_ == "PERSON" and ent.start <= head.i < ent.end:
                known = self.person_for(list(ent))
                if known is not None:
                    if gender and not known.gender:
                        return Resolution(known.entity, gender, (Learned(known, gender=gender),))
                    return Resolution(known.entity, known.gender)
                return Resolution(Entity(_clean(ent.text), EntityKind.PERSON), gender)
        titled = self._titled_name(span)
        if titled is not None:
            return titled
        is_role_word = head.lower_ in lexicon.job_titles or head.pos_ == "NOUN"
        if head.ent_type_ == "PERSON" or (head.pos_ == "PROPN" and not is_role_word):
            known = self.person_for([head])
            # The NER may call "Varga" an organisation after "councillor Ilse Varga":
            # a mention made only of that person's names is still the person.
            if known is not None and (
                head.ent_type_ in ("PERSON", "") or _only_names_of(span, known.entity)
            ):
                return Resolution(known.entity, known.gender)
        head_word = head.lower_
        org_words = [t for t in span if t.ent_type_ in _ORG_LABELS and t.i != head.i]
        if not org_words:
            # "a spokeswoman for the Ministry of Transport", "an official at the bank"
            for prep in head.rights:
                if prep.dep_ == "prep" and prep.lower_ in ("for", "of", "at", "with", "from"):
                    org_words = [t for t in prep.subtree if t.ent_type_ in _ORG_LABELS][:1]
                    break
        org_name = self._org_name(org_words)
        if head_word in lexicon.spokesperson_nouns and not org_name:
            # "A council spokeswoman": a common-noun institution.
            modifiers = [t for t in head.lefts if t.dep_ == "compound" and t.pos_ == "NOUN"]
            if modifiers:
                org_name = self._org_named_by(modifiers[-1].lower_)
        if head_word in lexicon.spokesperson_nouns and org_name:
            entity = Entity(org_name, EntityKind.ORGANISATION, role=head_word)
            return Resolution(entity, lexicon.noun_gender(head_word))
        if head.ent_type_ in _ORG_LABELS or (org_words and head.pos_ != "NOUN"):
            name = self._org_name([t for t in span if t.ent_type_ in _ORG_LABELS]) or text
            return Resolution(Entity(name, EntityKind.ORGANISATION))
        # A role description: "NATO’s chief", "the former president", "the Prime Minister".
        if is_role_word:
            person = self._person_by_role(head_word, {t.text.lower() for t in org_words})
            if person is not None:
                return Resolution(person.entity, person.gender)
        kind = EntityKind.GROUP if head.tag_ in ("NNS", "NNPS") else EntityKind.UNKNOWN
        name = re.sub(r"^(the|a|an|another|some|one)\s+", "", text, flags=re.IGNORECASE)
        return Resolution(Entity(name or text, kind), lexicon.noun_gender(head_word))

    def _appositive_person(self, head: Token) -> Resolution | None:
        """ "The former mayor, Gerald Ashcombe," — the name in apposition."""
        lexicon = self.lexicon
        for child in head.rights:
            if child.dep_ != "appos":
                continue
            if child.ent_type_ == "PERSON" or child.pos_ == "PROPN":
                known = self.person_for([child])
                if known is not None:
                    shown = lexicon.noun_gender(head.lower_)
                    if shown and not known.gender:
                        return Resolution(known.entity, shown, (Learned(known, gender=shown),))
                    return Resolution(known.entity, known.gender)
                if head.pos_ == "NOUN" and (
                    child.ent_type_ in ("", "PERSON")
                    or head.lower_ in lexicon.job_titles
                    or head.lower_ in lexicon.spokesperson_nouns
                ):
                    # A name the NER missed, in apposition to a job: "Its
                    # director of operations, Piers Landry,".
                    name_tokens = [t for t in child.subtree if t.dep_ in ("compound", "flat")]
                    name = _clean(_join([*name_tokens, child]))
                    return Resolution(Entity(name, EntityKind.PERSON, role=head.lower_))
        return None

    def _org_named_by(self, noun: str) -> str:
        """The fullest organisation name in the article ending in ``noun``.

        "council" → "Harwick town council" when the article wrote it so.
        """
        best = noun
        for chunk in self.noun_chunks:
            if chunk.root.lower_ == noun and not self._in_quote(chunk.start_char):
                words = [t for t in chunk if t.dep_ in ("compound", "amod") or t.i == chunk.root.i]
                words = [t for t in words if t.pos_ in ("PROPN", "NOUN", "ADJ")]
                if any(t.pos_ == "PROPN" for t in words):
                    name = " ".join(t.text for t in words)
                    if len(name) > len(best):
                        best = name
        return best

    def _titled_name(self, span: Span) -> Resolution | None:
        """ "Coach Ines Falk", "Mayor Varga": a job title, then a proper name.

        The small NER model often labels these as organisations; the title
        settles it.
        """
        lexicon = self.lexicon
        words = [t for t in span if not t.is_punct]
        i = 0
        while i < len(words) and words[i].lower_ in ("the", "a", "an"):
            i += 1
        start = i
        while i < len(words) and (
            words[i].lower_.rstrip(".") in lexicon.job_titles or words[i].lower_ in lexicon.titles
        ):
            i += 1
        described = False
        if i == start:
            # "nurse Petra Sand", "head teacher Maren Holt": lower-case nouns
            # describing a two- or three-word name; not "ferry firm Harwick Lines".
            while i < len(words) and words[i].pos_ == "NOUN" and words[i].text.islower():
                i += 1
            described = i > start
        rest = words[i:]
        if i == start or not rest or not all(t.pos_ == "PROPN" for t in rest):
            return None
        if described and (
            not 2 <= len(rest) <= 3
            or any(t.lower_ in lexicon.institution_words or not t.text[:1].isupper() for t in rest)
        ):
            return None
        known = self.person_for(rest)
        gender = lexicon.title_gender(words[start].lower_)
        if known is not None:
            return Resolution(known.entity, known.gender or gender)
        role = " ".join(t.text for t in words[start:i])
        entity = Entity(_clean(_join(rest)), EntityKind.PERSON, role=role)
        # Later mentions by surname ("Varga told …") are this person.
        person = _Known(entity, gender=gender, roles={t.lower_ for t in words[start:i]})
        key = entity.name.split()[-1].lower()
        return Resolution(entity, gender, (Learned(person, key=key, new=True),))

    def _org_name(self, tokens: Sequence[Token]) -> str | None:
        if not tokens:
            return None
        for ent in self.ents:
            if ent.start <= tokens[0].i < ent.end and ent.label_ in _ORG_LABELS:
                name = _clean(ent.text)
                name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
                return self.lexicon.canonical_alias(name) or name
        return _clean(tokens[0].text)

    def _person_by_role(self, role: str, orgs: set[str]) -> _Known | None:
        role_key = self.lexicon.role_key
        key = role_key(role)
        best: _Known | None = None
        for known in self.people.values():
            roles = set().union(*(role_key(r) for r in known.roles)) if known.roles else set()
            if not key & roles:
                continue
            if orgs and not orgs & known.role_orgs:
                continue
            if best is not None:
                return None  # ambiguous: two people fit
            best = known
        return best


@dataclass(slots=True)
class _Event:
    """An entity seen as a subject (or a quote's speaker) at a point in the text."""

    pos: int
    sentence: int
    entity: Entity
    gender: str | None
    plural: bool
    speaker: bool


class SpeakerTimeline:
    """Subjects in reading order, for pronoun and carry-over resolution.

    ``resolve`` only reads; ``add`` puts a resolved subject on the timeline.
    """

    def __init__(self, entities: ArticleEntities) -> None:
        self.entities = entities
        self.lexicon = entities.lexicon
        self.events: list[_Event] = []

    def add(self, token: Token, entity: Entity, gender: str | None, speaker: bool) -> None:
        plural = token.tag_ in ("NNS", "NNPS") or token.lower_ in ("they", "them", "we")
        if entity.kind is EntityKind.GROUP:
            plural = True
        self.events.append(_Event(token.idx, token.sent.start, entity, gender, plural, speaker))

    def resolve(self, token: Token) -> Resolution:
        """The entity of any subject or speaker mention headed by ``token``."""
        lexicon = self.lexicon
        if token.lower_ in lexicon.relative_pronouns and token.head.dep_ == "relcl":
            # "Mr. Kamin, who emphasized …": who is the noun the clause modifies.
            return self.resolve(token.head.head)
        if token.lower_ in lexicon.pronouns:
            return self.resolve_pronoun(token)
        resolution = self.entities.resolve_mention(token)
        entity = resolution.entity
        owner = next((c for c in token.children if c.dep_ == "poss"), None)
        speaks_for_latest = (
            owner is not None and owner.lower_ in ("its", "their")
        ) or token.lower_ in lexicon.spokesperson_singular
        if (
            entity is not None
            and speaks_for_latest
            and entity.kind in (EntityKind.UNKNOWN, EntityKind.GROUP)
        ):
            # "Its director said": the post belongs to the institution last named;
            # "A spokesman said" with no institution named: the one that was
            # last in the news of this article.
            organisation = self.latest_organisation(token.idx)
            if organisation is not None:
                entity = Entity(organisation.name, organisation.kind, role=token.lower_)
                return Resolution(entity, resolution.gender, resolution.learned)
        return resolution

    def latest_organisation(self, before: int) -> Entity | None:
        for event in reversed(self.events):
            if event.pos < before and event.entity.kind is EntityKind.ORGANISATION:
                return event.entity
        return None

    def resolve_pronoun(self, token: Token) -> Resolution:
        """The entity a pronoun subject refers to, by gender, number and recency."""
        gender, number = self.lexicon.pronouns.get(token.lower_, (None, None))
        if number is None or number == "first":
            return _NOBODY
        seen_speaker = False
        for event in reversed(self.events):
            if event.pos >= token.idx:
                continue
            is_latest_speaker = event.speaker and not seen_speaker
            seen_speaker = seen_speaker or event.speaker
            kind = event.entity.kind
            if number == "singular":
                if event.plural:
                    continue
                if kind is EntityKind.PERSON or (kind is EntityKind.UNKNOWN and event.speaker):
                    if event.gender and gender and event.gender != gender:
                        continue
                    return Resolution(event.entity, gender or event.gender)
                if kind is EntityKind.ORGANISATION and is_latest_speaker:
                    if event.gender and gender and event.gender != gender:
                        continue
                    return Resolution(event.entity, gender)
                continue
            if number == "plural":
                if event.plural or kind in (EntityKind.GROUP, EntityKind.ORGANISATION):
                    return Resolution(event.entity)
                continue
            if number == "neuter" and kind is EntityKind.ORGANISATION:
                return Resolution(event.entity)
        return _NOBODY
