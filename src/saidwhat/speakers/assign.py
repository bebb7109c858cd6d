"""Give every quote candidate its speaker, reading the article in order.

Subjects and speakers are met in reading order, so a pronoun or a
description is resolved against what the article has said so far; a quote
with no cue of its own takes the speaker of the quote just before it.

The state of one article's reading (who has been named, who spoke last)
lives in an ``ArticleEntities`` and a ``SpeakerTimeline`` made for that
article alone; candidates are never changed: each becomes a new ``Quote``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from spacy.attrs import DEP
from spacy.tokens import Doc

from saidwhat.lexicon import Lexicon
from saidwhat.model import Quote, Span, Speaker
from saidwhat.quotes.candidate import Candidate
from saidwhat.quotes.marks import QuotedRegion
from saidwhat.quotes.rules import CARRY_OVER_CONFIDENCE, NO_ENTITY_FACTOR
from saidwhat.speakers.resolve import ArticleEntities, SpeakerTimeline
from saidwhat.syntax import doc_text, mention_char_span, token_indices


def assign_speakers(
    doc: Doc,
    candidates: Sequence[Candidate],
    regions: Sequence[QuotedRegion],
    lexicon: Lexicon,
) -> list[Quote]:
    """The quotes of ``candidates``, in the same order, each with its speaker resolved."""
    text = doc_text(doc)
    quoted = [(r.open, r.close + 1) for r in regions]
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

    def settle_pending(upto: int) -> None:
        nonlocal pending_index
        while pending_index < len(pending) and candidates[pending[pending_index]].start <= upto:
            n = pending[pending_index]
            pending_index += 1
            candidate = candidates[n]
            source = _carry_source(text, candidate, done, candidates) if candidate.inherit else None
            if source is not None and source in resolved:
                settled[n] = replace(
                    candidate,
                    confidence=max(candidate.confidence, CARRY_OVER_CONFIDENCE),
                    evidence=(*candidate.evidence, "speaker carried over from the quote before"),
                )
                resolved[n] = resolved[source]
            done.append(n)

    # Only subjects and speakers add to the timeline; other words change nothing.
    heads = sorted(set(token_indices(doc, DEP, ("nsubj", "nsubjpass"))) | set(by_head))
    for token in (doc[i] for i in heads):
        settle_pending(token.idx)
        is_speaker = token.i in by_head
        if not is_speaker and any(s <= token.idx < e for s, e in quoted):
            continue
        resolution = timeline.resolve(token)
        entities.learn(resolution.learned)
        if resolution.entity is not None:
            timeline.add(token, resolution.entity, resolution.gender, speaker=is_speaker)
        if is_speaker:
            start, end = mention_char_span(token)
            speaker = Speaker(Span.of(text, start, end), resolution.entity)
            for n in by_head[token.i]:
                resolved[n] = speaker
                done.append(n)
    settle_pending(len(text) + 1)

    return [_to_quote(doc, c, resolved.get(n)) for n, c in enumerate(settled)]


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


def _carry_source(
    text: str, candidate: Candidate, done: Sequence[int], candidates: Sequence[Candidate]
) -> int | None:
    """The quote a cue-less quote inherits its speaker from, if close enough.

    The quote before it counts when it ends in the same paragraph or the one
    before (a quote-only paragraph, or “…,” he said. “…”).
    """
    before = [n for n in done if candidates[n].end <= candidate.start]
    if not before:
        return None
    source = max(before, key=lambda n: candidates[n].end)
    para_start = text.rfind("\n", 0, candidate.start) + 1
    # Skip blank lines between paragraphs.
    prev_break = para_start - 1
    while prev_break > 0 and text[prev_break - 1] in "\n \t":
        prev_break -= 1
    prev_para_start = text.rfind("\n", 0, prev_break) + 1
    if candidates[source].end >= prev_para_start:
        return source
    return None
