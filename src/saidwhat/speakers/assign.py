"""Give every quote candidate its speaker, reading the article in order.

Subjects and speakers are met in reading order, so a pronoun or a
description is resolved against what the article has said so far. A quote
with no cue of its own takes the speaker of the quote just before it, unless
the words between introduce someone else ("Ravi Shah, a retired engineer,
had no doubt. “…”"): then it is theirs. A speaker is never read from inside
the quoted words themselves.

The state of one article's reading (who has been named, who spoke last)
lives in an ``ArticleEntities`` and a ``SpeakerTimeline`` made for that
article alone; candidates are never changed: each becomes a new ``Quote``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from spacy.attrs import DEP, LOWER
from spacy.tokens import Doc, Token

from saidwhat.lexicon import Lexicon
from saidwhat.model import Quote, Span, Speaker
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.quotes.rules import CARRY_OVER_CONFIDENCE, NO_ENTITY_FACTOR
from saidwhat.speakers.mention import Mention, read_mention
from saidwhat.speakers.resolve import (
    ArticleEntities,
    Organisation,
    Person,
    Referent,
    Resolution,
    SpeakerTimeline,
)
from saidwhat.syntax import doc_text, token_indices

INTRODUCED_CONFIDENCE = 0.55  # a cue-less quote given to the person introduced just before
_NOT_INTRODUCING = ("nsubj", "nsubjpass", "pobj")
_GENDERED_PRONOUNS = ("he", "she", "his", "her", "him", "himself", "herself", "hers")


@dataclass(frozen=True, slots=True)
class _Introduced:
    """A person named as the subject of a sentence, where they were named."""

    position: int
    speaker: Speaker
    referent: Person


def assign_speakers(
    doc: Doc,
    candidates: Sequence[Candidate],
    regions: Sequence[QuotedRegion],
    lexicon: Lexicon,
) -> list[Quote]:
    """The quotes of ``candidates``, in the same order, each with its speaker resolved."""
    text = doc_text(doc)
    quoted = [(r.open, r.close + 1) for r in regions]

    def in_quote(char: int) -> bool:
        return any(s <= char < e for s, e in quoted)

    # A speaker inside the quoted words is a misreading: such a quote inherits instead.
    candidates = [
        replace(c, speaker_head=None, inherit=True)
        if c.speaker_head is not None and in_quote(doc[c.speaker_head].idx)
        else c
        for c in candidates
    ]
    entities = ArticleEntities(doc, quoted, lexicon)
    timeline = SpeakerTimeline(entities)
    by_head: dict[int, list[int]] = {}  # speaker head token -> indices of its candidates
    for n, candidate in enumerate(candidates):
        if candidate.speaker_head is not None:
            by_head.setdefault(candidate.speaker_head, []).append(n)
    settled = list(candidates)  # candidates as they stand once carried over
    resolved: dict[int, Speaker] = {}  # candidate index -> its speaker
    pending = sorted(
        (n for n, c in enumerate(candidates) if c.speaker_head is None),
        key=lambda n: candidates[n].start,
    )
    pending_index = 0
    done: list[int] = []  # candidates whose speaker is settled, in reading order
    introduced: list[_Introduced] = []  # people named as subjects, in reading order
    # People named in apposition to a role ("its managing director, Ines Varga,"), wherever
    # the role stands in the sentence: they introduce a quote as much as a subject does.
    introduced_aside = _named_in_apposition(doc, entities, lexicon, in_quote, text)
    referents: dict[int, Referent | None] = {}  # candidate index -> who it is in the article

    def settle_pending(upto: int) -> None:
        nonlocal pending_index
        while pending_index < len(pending) and candidates[pending[pending_index]].start <= upto:
            n = pending[pending_index]
            pending_index += 1
            candidate = candidates[n]
            if candidate.inherit:
                speaker, evidence, confidence, referent = _inherited(
                    doc,
                    candidate,
                    done,
                    candidates,
                    resolved,
                    referents,
                    sorted([*introduced, *introduced_aside], key=lambda i: i.position),
                )
                if speaker is not None:
                    referents[n] = referent
                    settled[n] = replace(
                        candidate,
                        confidence=max(candidate.confidence, confidence),
                        evidence=(*candidate.evidence, evidence),
                    )
                    resolved[n] = speaker
            done.append(n)

    # Only subjects and speakers add to the timeline; other words change nothing.
    subjects = set(token_indices(doc, DEP, ("nsubj", "nsubjpass"))) | set(by_head)
    # Other personal pronouns ("his", "her") only tell a person's gender.
    gendered = set(token_indices(doc, LOWER, _GENDERED_PRONOUNS)) - subjects
    # A person named as the owner of a subject ("Ilse Varga's words had gone round the
    # town") is who a "he" or "she" after may be, when the subject is no one.
    owners = {
        t.i
        for t in doc
        if t.dep_ == "poss" and t.pos_ == "PROPN" and t.head.dep_ in ("nsubj", "nsubjpass")
    } - subjects
    for token in (doc[i] for i in sorted(subjects | gendered | owners)):
        settle_pending(token.idx)
        is_speaker = token.i in by_head
        if not is_speaker and in_quote(token.idx):
            continue
        if token.i in gendered:
            if token.pos_ == "PRON":
                entities.note_pronoun(token, timeline.resolve_pronoun(token).referent)
            continue
        # Subjects inside reported words or a relative clause come second for a pronoun:
        # in "said the manager, whose captain, Jo Brandt, was sent off. “…,” he added",
        # he is the manager.
        reported = not is_speaker and (
            any(s <= token.idx < e for c in candidates for s, e in c.parts)
            or _in_relative_clause(token, lexicon)
        )
        if token.i in owners:
            owner = timeline.resolve(read_mention(token, lexicon))
            if isinstance(owner.referent, Person) and owner.referent.named and not owner.learned:
                timeline.add(token, owner, speaker=False, reported=reported, owner=True)
            continue
        mention = read_mention(token, lexicon)
        resolution = timeline.resolve(mention, speaks=is_speaker)
        entities.learn(resolution.learned)
        if token.lower_ in lexicon.pronouns:
            entities.note_pronoun(token, resolution.referent)
        timeline.add(token, resolution, speaker=is_speaker, reported=reported)
        speaker = _speaker(text, mention, resolution)
        if mention.name is not None and isinstance(resolution.referent, Person):
            introduced.append(_Introduced(token.idx, speaker, resolution.referent))
        if is_speaker:
            for n in by_head[token.i]:
                resolved[n] = speaker
                referents[n] = resolution.referent
                done.append(n)
    settle_pending(len(text) + 1)

    # Entities as the whole article left them: a name, role or gender learned later counts.
    final = {n: _as_read(speaker, referents.get(n)) for n, speaker in resolved.items()}
    return [_to_quote(doc, c, final.get(n)) for n, c in enumerate(settled)]


def _in_relative_clause(token: Token, lexicon: Lexicon) -> bool:
    """Whether a subject is inside a relative clause that a relative pronoun opens
    ("whose captain, X, was sent off"), not being that pronoun (who stands for the
    noun the clause is on).

    A clause without one is often the parser's reading of something else: "in
    my early 20s, when my mother mentioned it" is a time, not a relative clause.
    """
    relatives = {*lexicon.relative_pronouns, "whose"}
    if token.lower_ in relatives:
        return False
    return any(
        ancestor.dep_ == "relcl" and ancestor.left_edge.lower_ in relatives
        for ancestor in token.ancestors
    )


def _named_in_apposition(
    doc: Doc,
    entities: ArticleEntities,
    lexicon: Lexicon,
    in_quote: Callable[[int], bool],
    text: str,
) -> list[_Introduced]:
    """People the article names in apposition to a role that is no subject, in reading order.

    "Tarrow Mills had its chief executive, Ines Varga, in the hall", "Outside,
    the mayor's husband, Jo Brandt, read a statement" (where the parser took
    "Outside" for the subject): the person is introduced by the role, and a
    quote with no cue that follows is theirs. Only people the article names
    count, never a name inside quotation marks.
    """
    found: list[_Introduced] = []
    for token in doc:
        head = token.head
        # A subject's apposition is read with the subject; one to an object of a
        # preposition is someone spoken to or of ("in a statement to our reporter, X").
        if token.dep_ != "appos" or head.pos_ != "NOUN" or head.dep_ in _NOT_INTRODUCING:
            continue
        if token.pos_ != "PROPN" or in_quote(token.idx):
            continue
        mention = read_mention(head, lexicon)
        if mention.name is None or mention.members:
            continue
        resolution = entities.resolve(mention)
        referent = resolution.referent
        if not isinstance(referent, Person) or referent not in entities.people:
            continue
        found.append(_Introduced(head.idx, _speaker(text, mention, resolution), referent))
    return found


def _as_read(speaker: Speaker, referent: Referent | None) -> Speaker:
    """``speaker`` with its entity as the article, read to the end, knows it."""
    entity = speaker.entity
    if referent is None or entity is None:
        return speaker
    if isinstance(referent, Organisation):
        return Speaker(speaker.mention, replace(entity, name=referent.name))
    return Speaker(speaker.mention, referent.entity())


def _speaker(text: str, mention: Mention, resolution: Resolution) -> Speaker:
    """The record of who speaks: the whole mention as written, and its entity."""
    doc = mention.head.doc
    start, end = mention.span
    first, last = doc[start], doc[end - 1]
    return Speaker(Span.of(text, first.idx, last.idx + len(last.text)), resolution.entity)


def _to_quote(doc: Doc, candidate: Candidate, speaker: Speaker | None) -> Quote:
    """The public record of a candidate whose speaker is settled."""
    text = doc_text(doc)
    cue = None
    if candidate.cue is not None:
        first, last = candidate.cue
        cue = Span.of(text, doc[first].idx, doc[last - 1].idx + len(doc[last - 1].text))
    confidence = candidate.confidence
    if speaker is None or speaker.entity is None:
        confidence *= NO_ENTITY_FACTOR
    return Quote(
        content=tuple(Span.of(text, s, e) for s, e in candidate.parts),
        type=candidate.type,
        cue=cue,
        speaker=speaker,
        confidence=round(min(1.0, confidence), 3),
        evidence="; ".join(candidate.evidence),
        rule=candidate.rule,
    )


def _previous_paragraph_start(text: str, at: int) -> int:
    """Where the paragraph before the one holding ``at`` starts (blank lines skipped)."""
    para_start = text.rfind("\n", 0, at) + 1
    prev_break = para_start - 1
    while prev_break > 0 and text[prev_break - 1] in "\n \t":
        prev_break -= 1
    return text.rfind("\n", 0, prev_break) + 1


def _inherited(
    doc: Doc,
    candidate: Candidate,
    done: Sequence[int],
    candidates: Sequence[Candidate],
    resolved: dict[int, Speaker],
    referents: dict[int, Referent | None],
    introduced: Sequence[_Introduced],
) -> tuple[Speaker | None, str, float, Referent | None]:
    """The speaker of a cue-less quote, why, how sure, and who: carried over or introduced.

    The quote before counts when it ends in the same paragraph or the one
    before (a quote-only paragraph, or “…,” he said. “…”). A person named as
    a subject in a sentence after that quote's, in that stretch, is who the
    quote is introduced as theirs.
    """
    text = doc_text(doc)
    floor = _previous_paragraph_start(text, candidate.start)
    before = [n for n in done if candidates[n].end <= candidate.start]
    source = max(before, key=lambda n: candidates[n].end) if before else None
    if source is not None and candidates[source].end < floor:
        source = None
    after = floor
    if source is not None:
        last = doc.char_span(candidates[source].end - 1, candidates[source].end, "expand")
        after = last.sent.end_char if last is not None and len(last) else candidates[source].end
    newcomers = [i for i in introduced if after <= i.position < candidate.start]
    if newcomers:
        newcomer = newcomers[-1]
        carried = referents.get(source) if source is not None else None
        if carried is not newcomer.referent:
            evidence = "speaker introduced just before the quote"
            return newcomer.speaker, evidence, INTRODUCED_CONFIDENCE, newcomer.referent
    if source is not None and source in resolved:
        evidence = "speaker carried over from the quote before"
        return resolved[source], evidence, CARRY_OVER_CONFIDENCE, referents.get(source)
    return None, "", 0.0, None
