"""Derive the weights of clausal cues from annotated data (PolNeAR train).

For every verb outside quotation marks that governs a clause (``ccomp``),
count how often an annotator marked that verb as the cue of an attribution
whose content is that clause. The smoothed share is the weight the extractor
gives the lemma; lemmas below ``MIN_WEIGHT`` are not cues on their own.
Weights from data replace hand-picked ones: "said" is reliable, "think" is
mostly not a report ("I think we should go" inside narration), "note" nearly
always is.

Run ``saidwhat train-cues ../shared/eval/polnear-train.jsonl`` to rebuild
``saidwhat/data/cue_lexicon.tsv``; the file records the hash of its source.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from saidwhat.evaluate import overlap_counts
from saidwhat.lexicon import LEXICON_PATH
from saidwhat.quotes.marks import find_quoted_regions

MIN_COUNT = 3  # lemmas seen fewer times than this keep their hand-set prior

__all__ = ["LEXICON_PATH", "CueCount", "count_clausal_cues", "file_sha256", "write_lexicon"]


@dataclass(frozen=True, slots=True)
class CueCount:
    lemma: str
    positive: int
    total: int


def _gold_cue_contents(record: Mapping[str, Any]) -> dict[int, list[tuple[int, int]]]:
    """Character offset of each cue character → the contents it introduces."""
    by_char: dict[int, list[tuple[int, int]]] = {}
    for quote in record.get("quotes", []):
        cue = quote.get("cue")
        if not cue:
            continue
        content = (int(quote["content"][0]), int(quote["content"][1]))
        for char in range(int(cue[0]), int(cue[1])):
            by_char.setdefault(char, []).append(content)
    return by_char


def count_clausal_cues(pairs: Iterable[tuple[Doc, Mapping[str, Any]]]) -> list[CueCount]:
    """Per lemma: verbs governing a clause, and how many were annotated cues of it."""
    positive: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for doc, record in pairs:
        regions = find_quoted_regions(doc.text)
        gold = _gold_cue_contents(record)
        for token in doc:
            if token.pos_ not in ("VERB", "AUX"):
                continue
            if any(r.covers(token.idx) for r in regions):
                continue
            clauses = [c for c in token.children if c.dep_ == "ccomp"]
            if not clauses:
                continue
            clause = clauses[0]
            start = clause.left_edge.idx
            end = clause.right_edge.idx + len(clause.right_edge)
            lemma = token.lemma_.lower()
            total[lemma] += 1
            for g_start, g_end in gold.get(token.idx, []):
                shared = max(0, min(end, g_end) - max(start, g_start))
                if overlap_counts(shared, end - start, g_end - g_start):
                    positive[lemma] += 1
                    break
    return [CueCount(lemma, positive[lemma], n) for lemma, n in sorted(total.items())]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_lexicon(counts: Sequence[CueCount], path: Path, header: Sequence[str]) -> None:
    """Write the counts as TSV, with ``#`` lines saying where they came from."""
    lines = [f"# {line}" for line in header]
    lines.append("lemma\tpositive\ttotal")
    for count in counts:
        if count.total >= MIN_COUNT:
            lines.append(f"{count.lemma}\t{count.positive}\t{count.total}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
