"""When two quotes are one statement, and how a variant differs from the earliest.

Outlets carry the same words differently: other quotation marks, "we're"
for "we are", a trimmed end, a sentence excerpted from a longer quote, a
word changed. Quotes are compared as normalised word sequences; a shorter
one is the same statement as a longer one when nearly all its words occur,
in order, in the longer one (longest common subsequence, rapidfuzz).

Finding candidates must not compare every pair, so each quote is indexed by
a winnowed sample of the hashes of its word 3-grams (see ``gram_hashes``),
and a new quote is compared only with the quotes that share keys with it.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

GRAM = 3
MIN_WORDS = 4  # below this, only an identical quote (same speaker) is the same statement
MIN_SHARE = 0.8  # of the shorter quote's words found, in order, in the longer one
WINDOW = 3  # grams per winnowing window

_CONTRACTIONS = {
    "can't": "can not", "cannot": "can not", "won't": "will not", "shan't": "shall not",
    "n't": " not", "'re": " are", "'m": " am", "'ve": " have", "'ll": " will", "'d": " would",
    "let's": "let us",
}  # fmt: skip
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_CONTRACTION = re.compile(r"can't|cannot|won't|shan't|let's|n't|'re|'m|'ve|'ll|'d")
_NON_WORD = re.compile(r"[^\w']+|(?<!\w)'|'(?!\w)")


def normalise_words(text: str) -> list[str]:
    """The words of a quote with case, marks, apostrophes and contractions evened out.

    >>> normalise_words("“We’re Russia’s NEXT target,” he said")
    ['we', 'are', "russia's", 'next', 'target', 'he', 'said']
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = _CONTRACTION.sub(lambda m: _CONTRACTIONS[m.group(0)], text)
    return [w for w in _NON_WORD.sub(" ", text).split() if w.strip("'")]


def _hash(words: Sequence[str]) -> int:
    """A stable 32-bit key for a run of words (Python's own ``hash`` changes between runs).

    Two runs sharing a key by chance only cost a word-by-word comparison
    that says no; 32 bits keep the index small.
    """
    return zlib.crc32(" ".join(words).encode("utf-8"))


def gram_hashes(words: list[str]) -> set[int]:
    """The index keys of a quote: winnowed hashes of its word 3-grams.

    Winnowing keeps the smallest hash of every window of ``WINDOW``
    consecutive grams: about half of them, and two quotes that share a run of
    ``GRAM + WINDOW - 1`` (five) words are sure to share a key. Quotes too
    short for a window keep every gram.
    """
    if len(words) < GRAM:
        return {_hash(words)} if words else set()
    grams = [_hash(words[i : i + GRAM]) for i in range(len(words) - GRAM + 1)]
    if len(grams) <= WINDOW:
        return set(grams)
    return {min(grams[i : i + WINDOW]) for i in range(len(grams) - WINDOW + 1)}


def same_statement(a: list[str], b: list[str]) -> bool:
    """Whether two normalised quotes are one statement (one may excerpt the other)."""
    shorter, longer = sorted((a, b), key=len)
    if not shorter:
        return False
    if len(shorter) < MIN_WORDS:
        return shorter == longer
    common = LCSseq.similarity(shorter, longer)
    return common >= MIN_WORDS and common >= MIN_SHARE * len(shorter)


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One stretch of a word-level diff: words of a variant kept, added or removed."""

    op: str  # "same" | "added" | "removed"
    text: str


def _display_words(text: str) -> list[str]:
    return text.split()


def _key(word: str) -> str:
    words = normalise_words(word)
    return " ".join(words) if words else word


def word_diff(earliest: str, variant: str) -> list[DiffOp]:
    """How ``variant`` differs from ``earliest``, word by word, in the variant's own words.

    Case, quotation marks and punctuation stuck to a word do not count as
    changes; a changed, added or dropped word does.

    >>> [(d.op, d.text) for d in word_diff("We will win.", "We shall win")]
    [('same', 'We'), ('removed', 'will'), ('added', 'shall'), ('same', 'win')]
    """
    from difflib import SequenceMatcher

    old, new = _display_words(earliest), _display_words(variant)
    matcher = SequenceMatcher(None, [_key(w) for w in old], [_key(w) for w in new], autojunk=False)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(DiffOp("same", " ".join(new[j1:j2])))
            continue
        if i2 > i1:
            ops.append(DiffOp("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            ops.append(DiffOp("added", " ".join(new[j1:j2])))
    return ops
