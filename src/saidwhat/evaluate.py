"""Score predicted quotations against gold annotations: the metrics of docs/metrics.md.

Gold and prediction are articles in the gold format (one dict per article:
``id``, ``text``, ``quotes``), paired by ``id``. Offsets in a prediction index
the *gold* text. Every figure is micro-averaged: counts are summed over all
articles first, and the ratios are taken once at the end, so a long article
weighs more than a short one, as in the PolNeAR and PARC3 literature.

What is measured, and the choices made where a definition leaves room:

- **quote F1 (overlap)**: in each article, gold and predicted contents are
  paired one to one, largest shared-character count first; a pair counts
  when the shared characters are at least half of the longer content. The
  eligible pairs are filtered *before* the greedy pass, so a big but
  insufficient overlap never blocks a smaller sufficient one. Ties go to the
  earlier gold quote, then the earlier prediction, so results are stable.
- **characters of a content**: a content is the characters of its
  ``content_parts`` when it has them, otherwise of ``content``. The
  interruption in "We will win, he said, and soon" is not content, so a
  prediction gains nothing for covering it, and one that reports only the
  outer extent loses just those few characters; gold scored against itself
  always matches perfectly.
- **per type**: recall of type T is matched gold quotes of type T over gold
  quotes of type T; precision of type T is matched predictions *labelled* T
  over predictions labelled T. A match whose two sides disagree on the type
  counts for the gold type in recall and for the predicted type in precision:
  the type is judged by the side that claims it.
- **quote F1 (exact)**: its own one-to-one matching on equality of the
  spans after trimming white space and quotation marks at both ends. Pieces
  of a content separated only by white space and quotation marks (PolNeAR
  splits some multi-paragraph quotes at the paragraph break) count as one
  piece, so a quote reported whole equals the same quote reported in parts.
- **speaker accuracy**, **cue accuracy** and **end-to-end F1** are taken over
  the overlap matching. A speaker is right when the predicted mention
  overlaps the gold mention, or the predicted ``speaker_entity`` equals the
  gold one (ignoring case); a gold quote naming no speaker is left out of
  speaker accuracy and counts end to end on its content alone.
- **entity accuracy** and **end-to-end F1 (entity)**: among matched quotes
  whose gold has a ``speaker_entity``, the share whose predicted entity names
  the same one: the same name, or the same surname with one name inside the
  other ("Varga" for "Ines Varga"; another Varga does not count). A mention
  that merely overlaps ("he", "the company") does not count here.
- **gender accuracy**: among matched quotes whose gold gives the speaker's
  gender as female or male, the share whose predicted ``speaker_gender`` is
  the same.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saidwhat.errors import BadRecord
from saidwhat.linking import variant_change
from saidwhat.model import QuoteType

Interval = tuple[int, int]
"""A character range ``[start, end)`` of the gold text."""

STANDARD_TYPES = ("direct", "indirect", "mixed")
"""The quote types of the gold format, in the order reports show them."""

QUOTATION_MARKS = frozenset("\"'`´“”„‟‘’‚‛«»‹›「」『』〝〞〟＂＇″′")
"""Marks trimmed from both ends of a span before an exact comparison."""

SNIPPET_CHARS = 80
"""The longest text excerpt an error case carries."""


# --------------------------------------------------------------------------
# The report


@dataclass(frozen=True, slots=True)
class Counts:
    """How many gold quotes and predictions there were, and how many matched.

    ``matched_gold`` and ``matched_pred`` are equal overall; they differ in a
    per-type row when a match pairs quotes of different types.
    """

    gold: int = 0
    pred: int = 0
    matched_gold: int = 0
    matched_pred: int = 0

    @property
    def precision(self) -> float:
        """Matched predictions over predictions (0.0 when there are none)."""
        return _ratio(self.matched_pred, self.pred)

    @property
    def recall(self) -> float:
        """Matched gold quotes over gold quotes (0.0 when there are none)."""
        return _ratio(self.matched_gold, self.gold)

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.gold + other.gold,
            self.pred + other.pred,
            self.matched_gold + other.matched_gold,
            self.matched_pred + other.matched_pred,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "pred": self.pred,
            "matched_gold": self.matched_gold,
            "matched_pred": self.matched_pred,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class Accuracy:
    """A share of judged cases that were right (0.0 when none were judged)."""

    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return _ratio(self.correct, self.total)

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "correct": self.correct, "total": self.total}

    def render(self) -> str:
        """``0.912 (183/201)``; a dash when nothing was judged."""
        return f"{_fmt(self.value, self.total)} ({self.correct}/{self.total})"


@dataclass(frozen=True, slots=True)
class ErrorCase:
    """One mistake, with enough context to look it up and read it.

    ``kind`` is ``missed`` (a gold quote no prediction matched),
    ``false_positive`` (a prediction no gold quote matched) or
    ``wrong_speaker`` (a matched pair whose speaker is wrong), ``wrong_entity``
    (its mention is right but the entity it resolved to is not); ``span`` is the
    content extent of the gold quote (the prediction's for a false positive).
    """

    kind: str
    article_id: str
    span: Interval
    snippet: str
    type: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "article_id": self.article_id,
            "span": list(self.span),
            "snippet": self.snippet,
            "type": self.type,
            "detail": self.detail,
        }

    def render(self) -> str:
        where = f"{self.article_id} [{self.span[0]}, {self.span[1]}]"
        detail = f" — {self.detail}" if self.detail else ""
        return f"{self.kind:<14} {where} ({self.type}) {self.snippet!r}{detail}"


CONFIDENCE_BINS = (0.9, 0.7, 0.5, 0.0)
"""Lower bounds of the confidence bins calibration is reported in."""


@dataclass(frozen=True, slots=True)
class ConfidenceBin:
    """Predictions with confidence from ``low`` up to the next bin, and how many matched."""

    low: float
    correct: int
    total: int

    @property
    def precision(self) -> float:
        return _ratio(self.correct, self.total)

    def render(self) -> str:
        return f"confidence ≥ {self.low:.1f}: {self.precision:.3f} ({self.correct}/{self.total})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "correct": self.correct,
            "total": self.total,
            "precision": self.precision,
        }


@dataclass(frozen=True, slots=True)
class RuleCounts:
    """How one rule's predictions fared: made, matched, and their speakers where judged.

    Rules are the predictions' ``rule`` field (``saidwhat.Rule``); a
    prediction file without one counts under ``-``.
    """

    rule: str
    quotes: int = 0
    matched: int = 0
    speaker: Accuracy = Accuracy()
    entity: Accuracy = Accuracy()

    @property
    def precision(self) -> float:
        """Matched predictions of the rule over its predictions."""
        return _ratio(self.matched, self.quotes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "quotes": self.quotes,
            "matched": self.matched,
            "precision": self.precision,
            "speaker_accuracy": self.speaker.to_dict(),
            "entity_accuracy": self.entity.to_dict(),
        }

    def render(self) -> str:
        precision = _fmt(self.precision, self.quotes)
        return (
            f"{self.rule:<30} {self.quotes:>6} {self.matched:>7}  {precision:>6}  "
            f"{self.speaker.render():<18} {self.entity.render()}"
        )


@dataclass(frozen=True)
class Report:
    """All figures of one evaluation run, with the errors behind them.

    ``overlap_by_type`` maps a quote type to its counts (see the module
    docstring for how a cross-type match counts). ``unpredicted_ids`` are
    gold articles with no prediction (all their quotes count as missed);
    ``unknown_ids`` are predicted articles absent from the gold (ignored).
    """

    articles: int
    overlap: Counts
    overlap_by_type: Mapping[str, Counts]
    exact: Counts
    speaker: Accuracy
    cue: Accuracy
    end_to_end: Counts
    entity: Accuracy = Accuracy()
    gender: Accuracy = Accuracy()
    end_to_end_entity: Counts = Counts()
    traps: Accuracy = Accuracy()
    errors: tuple[ErrorCase, ...] = ()
    unpredicted_ids: tuple[str, ...] = ()
    unknown_ids: tuple[str, ...] = ()
    calibration: tuple[ConfidenceBin, ...] = ()
    by_rule: tuple[RuleCounts, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what ``saidwhat evaluate --json`` prints)."""
        return {
            "articles": self.articles,
            "overlap": {
                "overall": self.overlap.to_dict(),
                **{t: c.to_dict() for t, c in self.overlap_by_type.items()},
            },
            "exact": self.exact.to_dict(),
            "speaker_accuracy": self.speaker.to_dict(),
            "cue_accuracy": self.cue.to_dict(),
            "end_to_end": self.end_to_end.to_dict(),
            "entity_accuracy": self.entity.to_dict(),
            "gender_accuracy": self.gender.to_dict(),
            "end_to_end_entity": self.end_to_end_entity.to_dict(),
            "traps_produced": self.traps.to_dict(),
            "errors": [e.to_dict() for e in self.errors],
            "unpredicted_ids": list(self.unpredicted_ids),
            "unknown_ids": list(self.unknown_ids),
            "calibration": [b.to_dict() for b in self.calibration],
            "by_rule": [r.to_dict() for r in self.by_rule],
        }

    def render(self, *, max_errors: int = 0, by_rule: bool = False) -> str:
        """A plain-text table of the figures, and the first ``max_errors`` errors.

        With ``by_rule``, also a table of each rule's predictions: how many it
        made, how many matched a gold quote (its precision), and the speaker
        accuracy of those matched.
        """
        lines = [self._headline(), ""]
        lines += _render_table(self.overlap, self.overlap_by_type)
        lines += [
            "",
            f"quote F1 (exact)    {_render_prf(self.exact)}",
            f"speaker accuracy    {self.speaker.render()}",
            f"cue accuracy        {self.cue.render()}",
            f"end-to-end          {_render_prf(self.end_to_end)}",
            f"entity accuracy     {self.entity.render()}",
            f"gender accuracy     {self.gender.render()}",
            f"end-to-end (entity) {_render_prf(self.end_to_end_entity)}",
        ]
        if self.traps.total:
            lines.append(f"traps produced      {self.traps.render()}")
        if self.calibration:
            lines += ["", "share of predictions matched, by confidence:"]
            lines += [f"  {b.render()}" for b in self.calibration]
        if by_rule and self.by_rule:
            lines += [
                "",
                "by rule (the rule that made each prediction):",
                f"  {'rule':<30} {'quotes':>6} {'matched':>7}  {'P':>6}  {'speaker':<18} entity",
            ]
            lines += [f"  {r.render()}" for r in self.by_rule]
        if max_errors > 0 and self.errors:
            shown = self.errors[:max_errors]
            lines += ["", f"errors (first {len(shown)} of {len(self.errors)}):"]
            lines += [f"  {e.render()}" for e in shown]
        return "\n".join(lines)

    def _headline(self) -> str:
        line = f"{self.articles} articles"
        if self.unpredicted_ids:
            line += f", {len(self.unpredicted_ids)} without a prediction"
        if self.unknown_ids:
            line += f"; {len(self.unknown_ids)} predicted articles not in the gold (ignored)"
        return line


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _fmt(value: float, denominator: int) -> str:
    """Three decimals, or a dash when the ratio is undefined (nothing to divide by)."""
    return f"{value:.3f}" if denominator else "  -  "


def _render_prf(counts: Counts) -> str:
    return (
        f"P {_fmt(counts.precision, counts.pred)}  R {_fmt(counts.recall, counts.gold)}"
        f"  F1 {_fmt(counts.f1, counts.gold + counts.pred)}"
        f"  ({counts.matched_gold} right; {counts.gold} gold, {counts.pred} predicted)"
    )


def _render_table(overall: Counts, by_type: Mapping[str, Counts]) -> list[str]:
    """The overlap table: one row overall, one per type (standard types always shown)."""
    header = f"{'quote F1 (overlap)':<20}{'gold':>6}{'pred':>6}{'match g':>9}{'match p':>9}"
    header += f"{'P':>7}{'R':>7}{'F1':>7}"
    rows = [header]
    types = list(STANDARD_TYPES) + sorted(t for t in by_type if t not in STANDARD_TYPES)
    for name, counts in [("overall", overall)] + [(t, by_type.get(t, Counts())) for t in types]:
        rows.append(
            f"{name:<20}{counts.gold:>6}{counts.pred:>6}"
            f"{counts.matched_gold:>9}{counts.matched_pred:>9}"
            f"{_fmt(counts.precision, counts.pred):>7}{_fmt(counts.recall, counts.gold):>7}"
            f"{_fmt(counts.f1, counts.gold + counts.pred):>7}"
        )
    rows.append(
        "(match g: gold quotes of the type matched; match p: predictions of the type matched)"
    )
    return rows


# --------------------------------------------------------------------------
# Reading


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a gold or prediction file: one JSON object per line, blank lines skipped.

    A malformed line raises :class:`~saidwhat.errors.BadRecord` rather than
    being skipped: silently dropping a gold article would change the score.
    """
    records: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise BadRecord(str(path), f"not JSON ({err.msg})", f"line {number}") from err
            if not isinstance(record, dict):
                raise BadRecord(str(path), "not a JSON object", f"line {number}")
            records.append(record)
    return records


@dataclass(frozen=True, slots=True)
class _QuoteView:
    """What the metrics need of one quote record, checked and normalised.

    ``pieces`` are sorted, non-overlapping and non-empty; ``entity`` is
    case-folded with white space collapsed, for comparison.
    """

    pieces: tuple[Interval, ...]
    extent: Interval
    type: str
    speaker: Interval | None
    entity: str | None
    cue: Interval | None
    confidence: float | None = None
    rule: str | None = None
    name: tuple[str, ...] = ()  # the entity's words, for entity accuracy
    gender: str | None = None

    @property
    def size(self) -> int:
        return sum(end - start for start, end in self.pieces)

    @property
    def has_speaker(self) -> bool:
        return self.speaker is not None or self.entity is not None


def _read_quotes(article: Mapping[str, Any], source: str) -> list[_QuoteView]:
    """The quotes of a gold or predicted article, each checked for usable offsets."""
    quotes = article.get("quotes") or []
    return [
        _read_quote(q, source, f"article {article.get('id')!s}, quote {n}")
        for n, q in enumerate(quotes)
    ]


def _read_quote(record: Mapping[str, Any], source: str, where: str) -> _QuoteView:
    if not isinstance(record, Mapping):
        raise BadRecord(source, "quote is not an object", where)
    content = _interval(record.get("content"), "content", source, where)
    parts = record.get("content_parts") or [content]
    return _QuoteView(
        pieces=_merge(_interval(part, "content part", source, where) for part in parts),
        extent=content,
        type=str(record.get("type") or "indirect"),
        speaker=_optional_interval(record.get("speaker"), "speaker", source, where),
        entity=_normalise_entity(record.get("speaker_entity")),
        cue=_optional_interval(record.get("cue"), "cue", source, where),
        confidence=_confidence(record.get("confidence")),
        rule=str(record["rule"]) if record.get("rule") else None,
        name=name_words(record.get("speaker_entity")),
        gender=_gender(record.get("speaker_gender")),
    )


def _confidence(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _interval(value: Any, name: str, source: str, where: str) -> Interval:
    """A ``[start, end]`` pair of non-negative integers with start <= end."""
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1]
    )
    if not ok:
        raise BadRecord(source, f"{name} is not a [start, end] pair: {value!r}", where)
    return (value[0], value[1])


def _optional_interval(value: Any, name: str, source: str, where: str) -> Interval | None:
    return None if value is None else _interval(value, name, source, where)


def _gender(value: Any) -> str | None:
    """female or male; anything else (unknown, missing) says nothing."""
    return value if value in ("female", "male") else None


def name_words(value: Any) -> tuple[str, ...]:
    """The words of a name, case-folded, accents and punctuation dropped.

    >>> name_words("Ines  Várga-Holt")
    ('ines', 'varga', 'holt')
    """
    if not isinstance(value, str):
        return ()
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple("".join(c if c.isalnum() else " " for c in letters).split())


def names_agree(gold: Sequence[str], pred: Sequence[str]) -> bool:
    """Whether a predicted name names the gold entity.

    The same words, or the same last word with the shorter name's words in
    order inside the longer: "Varga" and "Ines Varga" agree, "Piotr Varga"
    and "Ines Varga" do not. A group is the set of its members, in any
    order: "Hassan Farah and Giulia Farah" is "Giulia Farah and Hassan Farah".

    >>> names_agree(("ines", "varga"), ("varga",))
    True
    >>> names_agree(("ines", "varga"), ("piotr", "varga"))
    False
    >>> names_agree(("kim", "moran", "and", "clark", "moran"), ("clark", "moran", "and", "moran"))
    True
    """
    if not gold or not pred:
        return False
    if tuple(gold) == tuple(pred):
        return True
    gold_members, pred_members = _members(gold), _members(pred)
    if len(gold_members) > 1 and len(gold_members) == len(pred_members):
        unmatched = list(pred_members)
        for member in gold_members:
            match = next((p for p in unmatched if _one_name_agrees(member, p)), None)
            if match is None:
                return False
            unmatched.remove(match)
        return True
    return _one_name_agrees(gold, pred)


def _members(words: Sequence[str]) -> list[tuple[str, ...]]:
    """The names of a group ("a and b and c"), or the one name."""
    members: list[tuple[str, ...]] = [()]
    for word in words:
        if word == "and":
            members.append(())
        else:
            members[-1] = (*members[-1], word)
    return [m for m in members if m]


def _one_name_agrees(gold: Sequence[str], pred: Sequence[str]) -> bool:
    if tuple(gold) == tuple(pred):
        return True
    if not gold or not pred or gold[-1] != pred[-1]:
        return False
    shorter, longer = sorted((list(gold), list(pred)), key=len)
    words = iter(longer)
    return all(word in words for word in shorter)


def _normalise_entity(value: Any) -> str | None:
    """Entity names compare case-insensitively and ignore spacing ("No10" = "no10 ")."""
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.casefold().split())


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, with overlapping or touching intervals joined and empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


# --------------------------------------------------------------------------
# Matching


def shared_characters(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    """How many characters two sorted, disjoint interval lists have in common."""
    shared = i = j = 0
    while i < len(a) and j < len(b):
        shared += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return shared


def overlap_counts(shared: int, size_a: int, size_b: int) -> bool:
    """The overlap rule: shared characters are at least half of the longer span.

    Integer arithmetic, so "exactly half" is exact; nothing shared never counts
    (two empty spans share "half" of nothing).
    """
    return shared > 0 and 2 * shared >= max(size_a, size_b)


def match_by_overlap(
    gold: Sequence[Sequence[Interval]], pred: Sequence[Sequence[Interval]]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, prediction index) pairs, largest overlap first.

    Each argument lists the sorted, disjoint pieces of each content.
    """
    sizes_g = [sum(e - s for s, e in g) for g in gold]
    sizes_p = [sum(e - s for s, e in p) for p in pred]
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            shared = shared_characters(g, p)
            if overlap_counts(shared, sizes_g[i], sizes_p[j]):
                candidates.append((-shared, i, j))
    return _greedy(candidates)


def _greedy(candidates: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Take (score, i, j) candidates best first, skipping any whose side is taken."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def exact_key(pieces: Sequence[Interval], text: str) -> tuple[Interval, ...] | None:
    """The pieces as compared for an exact match; None for an empty content.

    Pieces separated only by white space and quotation marks are joined, then
    each piece is trimmed of white space and quotation marks at both ends.

    >>> text = '“We will win.”\\n“And soon.”'
    >>> exact_key([(0, 14), (15, 27)], text) == exact_key([(1, 26)], text)
    True
    """
    joined: list[Interval] = []
    for start, end in pieces:
        if joined and all(_is_trimmable(c) for c in text[joined[-1][1] : start]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    trimmed = [trim_span(text, start, end) for start, end in joined]
    key = tuple(span for span in trimmed if span[1] > span[0])
    return key or None


def trim_span(text: str, start: int, end: int) -> Interval:
    """``[start, end)`` without white space and quotation marks at either end.

    >>> trim_span(' “Yes.” ', 0, 8)
    (2, 6)
    """
    end = min(end, len(text))
    while start < end and _is_trimmable(text[start]):
        start += 1
    while end > start and _is_trimmable(text[end - 1]):
        end -= 1
    return (start, max(start, end))


def _is_trimmable(char: str) -> bool:
    return char.isspace() or char in QUOTATION_MARKS


def match_exactly(
    gold: Sequence[tuple[Interval, ...] | None], pred: Sequence[tuple[Interval, ...] | None]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, prediction index) pairs of equal exact keys.

    Each gold quote takes the first unused prediction with its key; a None key
    (empty content) matches nothing.
    """
    waiting: dict[tuple[Interval, ...], list[int]] = {}
    for j, key in enumerate(pred):
        if key is not None:
            waiting.setdefault(key, []).append(j)
    pairs = []
    for i, key in enumerate(gold):
        if key is not None and waiting.get(key):
            pairs.append((i, waiting[key].pop(0)))
    return pairs


def _speaker_is_right(gold: _QuoteView, pred: _QuoteView) -> bool | None:
    """Whether a predicted quote names the gold speaker; None when gold names none.

    Right when the predicted mention overlaps the gold mention (any shared
    character, so "Starmer" for "Mr Starmer" counts), or when the predicted
    ``speaker_entity`` equals the gold one, ignoring case and spacing: a
    system that resolves "He" to "Mark Rutte" through another mention of him
    still scores.
    """
    if not gold.has_speaker:
        return None
    mention_right = _overlaps(gold.speaker, pred.speaker)
    entity_right = gold.entity is not None and gold.entity == pred.entity
    return mention_right or entity_right


def _overlaps(a: Interval | None, b: Interval | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


# --------------------------------------------------------------------------
# Scoring


@dataclass
class _Tally:
    """Running sums over articles (mutable; frozen into a Report at the end)."""

    overlap: Counts = Counts()
    by_type: Counter[tuple[str, str]] = field(default_factory=Counter)
    exact: Counts = Counts()
    speaker: Accuracy = Accuracy()
    cue: Accuracy = Accuracy()
    end_to_end: Counts = Counts()
    entity: Accuracy = Accuracy()
    gender: Accuracy = Accuracy()
    end_to_end_entity: Counts = Counts()
    traps: Accuracy = Accuracy()
    errors: list[ErrorCase] = field(default_factory=list)
    calibration: Counter[tuple[float, bool]] = field(default_factory=Counter)
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)

    def rule_counts(self) -> tuple[RuleCounts, ...]:
        rules = sorted({r for r, _ in self.by_rule}, key=lambda r: (-self.by_rule[r, "pred"], r))
        return tuple(
            RuleCounts(
                rule,
                self.by_rule[rule, "pred"],
                self.by_rule[rule, "matched"],
                Accuracy(self.by_rule[rule, "speaker_right"], self.by_rule[rule, "speaker_judged"]),
                Accuracy(self.by_rule[rule, "entity_right"], self.by_rule[rule, "entity_judged"]),
            )
            for rule in rules
        )

    def type_counts(self) -> dict[str, Counts]:
        types = sorted({t for t, _ in self.by_type} | set(STANDARD_TYPES))
        return {
            t: Counts(
                self.by_type[t, "gold"],
                self.by_type[t, "pred"],
                self.by_type[t, "matched_gold"],
                self.by_type[t, "matched_pred"],
            )
            for t in types
        }


def evaluate(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]) -> Report:
    """Score predicted articles against gold articles (paired by ``id``).

    A gold article without a prediction counts all its quotes as missed; a
    predicted article that is not in the gold is ignored and listed in
    ``Report.unknown_ids``. Raises BadRecord for duplicate ids or unusable
    offsets.
    """
    gold_by_id = _by_id(gold, "gold")
    pred_by_id = _by_id(pred, "prediction")
    tally = _Tally()
    for article_id, article in gold_by_id.items():
        _score_article(article, pred_by_id.get(article_id), tally)
    return Report(
        articles=len(gold_by_id),
        overlap=tally.overlap,
        overlap_by_type=tally.type_counts(),
        exact=tally.exact,
        speaker=tally.speaker,
        cue=tally.cue,
        end_to_end=tally.end_to_end,
        entity=tally.entity,
        gender=tally.gender,
        end_to_end_entity=tally.end_to_end_entity,
        traps=tally.traps,
        errors=tuple(tally.errors),
        unpredicted_ids=tuple(i for i in gold_by_id if i not in pred_by_id),
        unknown_ids=tuple(i for i in pred_by_id if i not in gold_by_id),
        calibration=tuple(
            ConfidenceBin(
                low,
                tally.calibration[low, True],
                tally.calibration[low, True] + tally.calibration[low, False],
            )
            for low in CONFIDENCE_BINS
            if tally.calibration[low, True] + tally.calibration[low, False]
        ),
        by_rule=tally.rule_counts(),
    )


def _by_id(articles: Sequence[Mapping[str, Any]], source: str) -> dict[str, Mapping[str, Any]]:
    """Articles keyed by id, in input order; a repeated id is an error, not a guess."""
    out: dict[str, Mapping[str, Any]] = {}
    for n, article in enumerate(articles):
        if not isinstance(article, Mapping) or "id" not in article:
            raise BadRecord(source, "article has no id", f"record {n}")
        article_id = str(article["id"])
        if article_id in out:
            raise BadRecord(source, f"duplicate article id {article_id!r}", f"record {n}")
        out[article_id] = article
    return out


def _score_article(
    gold_article: Mapping[str, Any], pred_article: Mapping[str, Any] | None, tally: _Tally
) -> None:
    """Add one article's counts and errors to the tally."""
    article_id = str(gold_article["id"])
    text = str(gold_article.get("text") or "")
    gold = _read_quotes(gold_article, "gold")
    pred = _read_quotes(pred_article, "prediction") if pred_article else []

    pairs = match_by_overlap([g.pieces for g in gold], [p.pieces for p in pred])
    exact_pairs = match_exactly(
        [exact_key(g.pieces, text) for g in gold], [exact_key(p.pieces, text) for p in pred]
    )
    tally.overlap += Counts(len(gold), len(pred), len(pairs), len(pairs))
    tally.exact += Counts(len(gold), len(pred), len(exact_pairs), len(exact_pairs))
    _count_types(gold, pred, pairs, tally.by_type)

    right = right_entity = 0
    errors = _unmatched(gold_article, text, gold, pred, pairs)
    tally.by_rule.update((p.rule or "-", "pred") for p in pred)
    for i, j in pairs:
        rule = pred[j].rule or "-"
        tally.by_rule[rule, "matched"] += 1
        speaker_right = _speaker_is_right(gold[i], pred[j])
        if speaker_right is not None:
            tally.speaker += Accuracy(int(speaker_right), 1)
            tally.by_rule[rule, "speaker_judged"] += 1
            tally.by_rule[rule, "speaker_right"] += int(speaker_right)
        if gold[i].cue is not None:
            tally.cue += Accuracy(int(_overlaps(gold[i].cue, pred[j].cue)), 1)
        if speaker_right is False:
            errors.append(_wrong_speaker(article_id, text, gold[i], pred[j]))
        else:
            right += 1
        if gold[i].name:
            entity_right = names_agree(gold[i].name, pred[j].name)
            tally.entity += Accuracy(int(entity_right), 1)
            tally.by_rule[rule, "entity_judged"] += 1
            tally.by_rule[rule, "entity_right"] += int(entity_right)
            right_entity += entity_right
            if not entity_right and speaker_right:
                errors.append(_wrong_speaker(article_id, text, gold[i], pred[j], "wrong_entity"))
        else:
            right_entity += 1  # an unnamed speaker: the content alone counts
        if gold[i].gender is not None:
            tally.gender += Accuracy(int(gold[i].gender == pred[j].gender), 1)
    tally.end_to_end += Counts(len(gold), len(pred), right, right)
    tally.end_to_end_entity += Counts(len(gold), len(pred), right_entity, right_entity)
    traps = [span for span, _ in _traps(gold_article)]
    produced = sum(_trap_produced(span, pred) for span in traps)
    tally.traps += Accuracy(produced, len(traps))
    matched = {j for _, j in pairs}
    for j, quote in enumerate(pred):
        if quote.confidence is not None:
            low = next(b for b in CONFIDENCE_BINS if quote.confidence >= b)
            tally.calibration[low, j in matched] += 1
    tally.errors += sorted(errors, key=lambda e: (e.span, e.kind))


def _count_types(
    gold: Sequence[_QuoteView],
    pred: Sequence[_QuoteView],
    pairs: Sequence[tuple[int, int]],
    by_type: Counter[tuple[str, str]],
) -> None:
    """Recall counts by the gold type, precision counts by the predicted type."""
    by_type.update((g.type, "gold") for g in gold)
    by_type.update((p.type, "pred") for p in pred)
    by_type.update((gold[i].type, "matched_gold") for i, _ in pairs)
    by_type.update((pred[j].type, "matched_pred") for _, j in pairs)


def _unmatched(
    gold_article: Mapping[str, Any],
    text: str,
    gold: Sequence[_QuoteView],
    pred: Sequence[_QuoteView],
    pairs: Sequence[tuple[int, int]],
) -> list[ErrorCase]:
    """Missed gold quotes and false positives."""
    article_id = str(gold_article["id"])
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    traps = _traps(gold_article)
    errors = [
        ErrorCase("missed", article_id, g.extent, snippet(text, *g.extent), g.type)
        for i, g in enumerate(gold)
        if i not in matched_g
    ]
    errors += [
        ErrorCase(
            "false_positive",
            article_id,
            p.extent,
            snippet(text, *p.extent),
            p.type,
            _trap_note(p.extent, traps),
        )
        for j, p in enumerate(pred)
        if j not in matched_p
    ]
    return errors


def _traps(gold_article: Mapping[str, Any]) -> list[tuple[Interval, str]]:
    """The gold's ``not_quotes`` (scare quotes, boilerplate), when it lists them.

    A false positive over one of them is a known trap; saying so in the error
    saves a trip to the gold file.
    """
    traps = []
    for trap in gold_article.get("not_quotes") or []:
        span = trap.get("span") if isinstance(trap, Mapping) else None
        if isinstance(span, list) and len(span) == 2 and all(isinstance(v, int) for v in span):
            traps.append(((span[0], span[1]), str(trap.get("why") or "")))
    return traps


def _trap_produced(trap: Interval, pred: Sequence[_QuoteView]) -> bool:
    """Whether a prediction covers more than half of a ``not_quotes`` trap's characters."""
    size = trap[1] - trap[0]
    return size > 0 and any(2 * shared_characters(p.pieces, [trap]) > size for p in pred)


def _trap_note(extent: Interval, traps: Sequence[tuple[Interval, str]]) -> str:
    for span, why in traps:
        if _overlaps(extent, span):
            return f"gold marks this as not a quote: {why}"
    return ""


def _wrong_speaker(
    article_id: str, text: str, gold: _QuoteView, pred: _QuoteView, kind: str = "wrong_speaker"
) -> ErrorCase:
    detail = (
        f"gold speaker {_describe_speaker(text, gold)}; predicted {_describe_speaker(text, pred)}"
    )
    return ErrorCase(kind, article_id, gold.extent, snippet(text, *gold.extent), gold.type, detail)


def _describe_speaker(text: str, quote: _QuoteView) -> str:
    if not quote.has_speaker:
        return "none"
    mention = f"{snippet(text, *quote.speaker)!r} {list(quote.speaker)}" if quote.speaker else "-"
    return f"{mention} → {quote.entity}" if quote.entity else mention


def snippet(text: str, start: int, end: int) -> str:
    """The text of a span on one line, cut to at most 80 characters.

    >>> snippet("He said:\\n“Yes.”", 0, 15)
    'He said: “Yes.”'
    """
    flat = " ".join(text[start:end].split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[: SNIPPET_CHARS - 1] + "…"


# --------------------------------------------------------------------------
# Statements: the same statement across articles


@dataclass(frozen=True, slots=True)
class StatementReport:
    """How well quotes were linked into statements across articles (DESIGN.md's measure).

    ``strict``: a reported paraphrase is a statement of its own; ``broad``: it
    joins its quotation's. Both count *pairs* of quotes in different articles:
    ``gold`` pairs truly one statement, ``pred`` pairs linked as one, and
    ``matched_gold`` (= ``matched_pred``) pairs both. ``unmapped`` counts gold
    quotes no stored quote overlapped (each then stands alone). ``misquotes``
    counts pairs of verbatim gold quotes of one statement, in different
    articles, whose words differ by one word put for another, and
    ``misquotes_flagged`` those the store linked as one statement with that
    change marked on either.
    """

    quotes: int
    unmapped: int
    strict: Counts
    broad: Counts
    misquotes: int = 0
    misquotes_flagged: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "quotes": self.quotes,
            "unmapped": self.unmapped,
            "strict": self.strict.to_dict(),
            "broad": self.broad.to_dict(),
            "misquotes": self.misquotes,
            "misquotes_flagged": self.misquotes_flagged,
        }

    def render(self) -> str:
        return "\n".join(
            [
                f"{self.quotes} gold quotes, {self.unmapped} with no stored quote over them",
                f"statements (strict) {_render_prf(self.strict)}  (pairs)",
                f"statements (broad)  {_render_prf(self.broad)}  (pairs)",
                f"one-word misquotes flagged: {self.misquotes_flagged} of {self.misquotes} (pairs)",
            ]
        )


def score_statements(
    gold: Sequence[Mapping[str, Any]], linked: Sequence[Mapping[str, Any]]
) -> StatementReport:
    """Pairwise "same statement" over gold quotes in different articles.

    Each gold quote (its ``statement`` label) is mapped to the linked quote of
    the same article that shares the most characters with it; ``linked``
    holds articles (by ``id``) whose quotes carry ``statement_id`` and
    ``type``. A label ending in "r" (a reported paraphrase) is its own
    statement in the strict count and its quotation's in the broad one. Two
    gold quotes are predicted one statement, broadly, when they map to quotes
    with the same ``statement_id``; strictly, when those quotes are also both
    verbatim (direct) or both reported, as the store shows a statement's
    reported variants apart from its verbatim ones.
    """
    linked_by_id = _by_id(linked, "prediction")
    labels: list[_Labelled] = []
    unmapped = 0
    for article in gold:
        article_id = str(article["id"])
        other = linked_by_id.get(article_id)
        stored = other.get("quotes") or [] if other else []
        views = _read_quotes(other, "prediction") if other else []
        for n, record in enumerate(article.get("quotes") or []):
            label = record.get("statement") if isinstance(record, Mapping) else None
            if not label:
                continue
            view = _read_quote(record, "gold", f"article {article_id}, quote {n}")
            best = max(
                range(len(views)),
                key=lambda j: shared_characters(view.pieces, views[j].pieces),
                default=None,
            )
            statement, reported, changed = None, False, frozenset[tuple[str, str]]()
            if best is not None and shared_characters(view.pieces, views[best].pieces):
                value = stored[best].get("statement_id")
                statement = int(value) if value is not None else None
                reported = stored[best].get("type", QuoteType.DIRECT.value) != QuoteType.DIRECT
                changed = frozenset(
                    (str(old), str(new)) for old, new in stored[best].get("changed_words") or ()
                )
            else:
                unmapped += 1
            text = str(record.get("content_text") or "")
            labels.append(_Labelled(article_id, str(label), statement, reported, text, changed))
    strict = broad = Counts()
    misquotes = flagged = 0
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a.article == b.article:
                continue
            said = a.statement is not None and a.statement == b.statement
            strict += _pair(said and a.reported == b.reported, a.label == b.label)
            broad += _pair(said, a.label.removesuffix("r") == b.label.removesuffix("r"))
            if a.label != b.label or a.label.endswith("r"):
                continue
            change = variant_change(a.text, b.text)
            if len(change.changed) == 1 and all(" " not in w for w in change.changed[0]):
                old, new = change.changed[0]
                misquotes += 1
                marked = {(old, new), (new, old)} & (a.changed | b.changed)
                flagged += said and bool(marked)
    return StatementReport(len(labels), unmapped, strict, broad, misquotes, flagged)


@dataclass(frozen=True, slots=True)
class _Labelled:
    """A gold quote with its label and what the store made of the quote over it."""

    article: str
    label: str
    statement: int | None
    reported: bool
    text: str  # the gold content
    changed: frozenset[tuple[str, str]]  # the words the store marked as changed on it


def _pair(said: bool, true: bool) -> Counts:
    both = int(said and true)
    return Counts(gold=int(true), pred=int(said), matched_gold=both, matched_pred=both)
