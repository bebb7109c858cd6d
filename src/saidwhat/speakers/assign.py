"""Give every quote candidate its speaker, reading the article in order.

Subjects and speakers are met in reading order, so a pronoun or a
description is resolved against what the article has said so far; a quote
with no cue of its own takes the speaker of the quote just before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.attrs import DEP
from spacy.tokens import Doc

from saidwhat.model import Quote, Span, Speaker
from saidwhat.nlp import doc_text, token_indices
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.speakers.attribute import mention_char_span
from saidwhat.speakers.resolve import ArticleEntities, SpeakerTimeline

# Precision of speaker carry-over to a cue-less quote on PolNeAR train.
CARRY_OVER_CONFIDENCE = 0.6


def assign_speakers(
    doc: Doc, candidates: Sequence[Candidate], regions: Sequence[QuotedRegion]
) -> list[Quote]:
    """Resolve every candidate's speaker, reading the article in order."""
    text = doc_text(doc)
    quoted = [(r.open, r.close + 1) for r in regions]
    entities = ArticleEntities(doc, quoted)
    timeline = SpeakerTimeline(entities)
    by_head: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.speaker_head is not None:
            by_head.setdefault(candidate.speaker_head, []).append(candidate)
    resolved: dict[int, Speaker] = {}  # id(candidate) -> its speaker
    pending = sorted((c for c in candidates if c.speaker_head is None), key=lambda c: c.start)
    pending_index = 0
    done: list[Candidate] = []

    def settle_pending(upto: int) -> None:
        nonlocal pending_index
        while pending_index < len(pending) and pending[pending_index].start <= upto:
            candidate = pending[pending_index]
            pending_index += 1
            source = _carry_source(text, candidate, done) if candidate.inherit else None
            if source is not None and id(source) in resolved:
                candidate.confidence = max(candidate.confidence, CARRY_OVER_CONFIDENCE)
                candidate.evidence.append("speaker carried over from the quote before")
                resolved[id(candidate)] = resolved[id(source)]
            done.append(candidate)

    # Only subjects and speakers add to the timeline; other words change nothing.
    heads = sorted(set(token_indices(doc, DEP, ("nsubj", "nsubjpass"))) | set(by_head))
    for token in (doc[i] for i in heads):
        settle_pending(token.idx)
        is_speaker = token.i in by_head
        if not is_speaker and any(s <= token.idx < e for s, e in quoted):
            continue
        entity, gender = timeline.resolve(token)
        if entity is not None:
            timeline.add(token, entity, gender, speaker=is_speaker)
        if is_speaker:
            start, end = mention_char_span(token)
            speaker = Speaker(Span.of(text, start, end), entity)
            for candidate in by_head[token.i]:
                resolved[id(candidate)] = speaker
                done.append(candidate)
    settle_pending(len(text) + 1)

    return [_to_quote(doc, c, resolved.get(id(c))) for c in candidates]


def _to_quote(doc: Doc, candidate: Candidate, speaker: Speaker | None) -> Quote:
    """The public record of a candidate whose speaker is settled."""
    text = doc_text(doc)
    cue = None
    if candidate.cue is not None:
        first, last = candidate.cue
        cue = Span.of(text, doc[first].idx, doc[last - 1].idx + len(doc[last - 1].text))
    confidence = candidate.confidence
    if speaker is None or speaker.entity is None:
        confidence *= 0.8
    return Quote(
        content=tuple(Span.of(text, s, e) for s, e in candidate.parts),
        type=candidate.type,
        cue=cue,
        speaker=speaker,
        confidence=round(min(1.0, confidence), 3),
        evidence="; ".join(candidate.evidence),
    )


def _carry_source(text: str, candidate: Candidate, done: Sequence[Candidate]) -> Candidate | None:
    """The quote a cue-less quote inherits its speaker from, if close enough.

    The quote before it counts when it ends in the same paragraph or the one
    before (a quote-only paragraph, or “…,” he said. “…”).
    """
    before = [c for c in done if c.end <= candidate.start]
    if not before:
        return None
    source = max(before, key=lambda c: c.end)
    para_start = text.rfind("\n", 0, candidate.start) + 1
    # Skip blank lines between paragraphs.
    prev_break = para_start - 1
    while prev_break > 0 and text[prev_break - 1] in "\n \t":
        prev_break -= 1
    prev_para_start = text.rfind("\n", 0, prev_break) + 1
    if source.end >= prev_para_start:
        return source
    return None
