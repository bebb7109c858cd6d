"""When two quotes are one statement, and how a variant differs from the earliest.

Outlets carry the same words differently: other quotation marks, "we're"
for "we are", a trimmed end, a sentence excerpted from a longer quote, a
word changed. Quotes are compared as normalised word sequences; a shorter
one is the same statement as a longer one when nearly all its words occur,
in order, in the longer one (longest common subsequence, rapidfuzz).

Finding candidates must not compare every pair, so each quote is indexed by
a winnowed sample of the hashes of its word 3-grams (see ``gram_hashes``),
and a new quote is compared only with the quotes that share keys with it.
Since a statement never crosses speakers, a quote with a resolved speaker is
also indexed under that speaker by the stems of its content words
(``speaker_keys``): a changed word in a short quote leaves no shared 3-gram
run, but it leaves most of the stems.

A reported form of a quotation ("Quill said the bridge would reopen before
winter") joins the quotation's statement as a reported variant when most of
its content stems, with the reporter's shifts of person and tense undone,
are the quotation's (``paraphrases``). How each variant differs from the
earliest one, and whether a word in it was changed (a possible misquote),
is ``variant_change``.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import Stemmer  # PyStemmer: the Snowball stemmers in C
from rapidfuzz.distance import LCSseq

from saidwhat.lexicon.english import FUNCTION_WORDS

GRAM = 3
MIN_WORDS = 4  # below this, only an identical quote (same speaker) is the same statement
MIN_SHARE = 0.8  # of the shorter quote's words found, in order, in the longer one
WINDOW = 3  # grams per winnowing window
MAX_SPEAKER_KEYS = 8  # content stems a quote is indexed by under its speaker (longest first)
PARAPHRASE_SHARE = 0.5  # of a reported form's content stems found in the quotation
PARAPHRASE_MIN = 3  # content stems a reported form shares with its quotation, at least

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


def content_stems(words: Sequence[str], stemmer: Stemmer.Stemmer | None = None) -> list[str]:
    """The stems of a normalised quote's content words, in order, repeats kept.

    Function words (``FUNCTION_WORDS``: pronouns, auxiliaries, determiners,
    prepositions) go, so a reporter's "they would" and a speaker's "we will"
    leave the same stems; Snowball's English stemmer (the ``PyStemmer``
    package, the Snowball project's C stemmers) evens out "needed" and
    "need", "maintains" and "maintained". A caller stemming many quotes may
    pass its own ``Stemmer.Stemmer("english")`` to save making one each time.

    >>> content_stems(normalise_words("We are recalling every pot"))
    ['recal', 'pot']
    """
    kept = [w for w in words if w not in FUNCTION_WORDS and (len(w) > 1 or w.isdigit())]
    return list((stemmer or Stemmer.Stemmer("english")).stemWords(kept))


def speaker_keys(stems: Sequence[str]) -> set[int]:
    """The keys a quote is indexed by under its speaker: its longest distinct stems.

    Long stems are the rarer words; a quote is found again through any of
    them, so a variant with a word changed shares all its other keys.
    """
    distinct = sorted(set(stems), key=lambda stem: (-len(stem), stem))
    return {_hash([stem]) for stem in distinct[:MAX_SPEAKER_KEYS]}


def similar_stems(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two quotes are one statement by their content stems, in order.

    The tolerant form of ``same_statement`` used within one speaker: a
    changed word or number, a tense, an added or trimmed sentence still leave
    nearly all the shorter quote's stems, in order, in the longer one.
    """
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) < PARAPHRASE_MIN:
        return False
    common = LCSseq.similarity(list(shorter), list(longer))
    return common >= PARAPHRASE_MIN and common >= MIN_SHARE * len(shorter)


def paraphrase_share(reported: Sequence[str], quotation: Sequence[str]) -> float:
    """How much of a reported form's content is the quotation's: 0 when too little is shared.

    The share of the reported form's distinct stems that the quotation has;
    fewer than ``PARAPHRASE_MIN`` shared stems count as nothing.
    """
    said = set(reported)
    shared = len(said & set(quotation))
    if not said or shared < PARAPHRASE_MIN:
        return 0.0
    return shared / min(len(said), len(set(quotation)))


def paraphrases(reported: Sequence[str], quotation: Sequence[str]) -> bool:
    """Whether a reported form (its content stems) renders the quotation (its stems).

    >>> paraphrases(content_stems(normalise_words("his players had given everything and "
    ...     "deserved better")), content_stems(normalise_words("My players gave everything. "
    ...     "They deserved better than this.")))
    True
    """
    return paraphrase_share(reported, quotation) >= PARAPHRASE_SHARE


@dataclass(frozen=True, slots=True)
class VariantChange:
    """How a variant's words differ from the statement's earliest verbatim quote.

    ``kinds`` names what happened, in order: "same" (the same words; marks,
    case, contractions and punctuation aside), "trimmed" (words cut at an end),
    "extended" (words added at an end), "excerpted" (words cut inside),
    "inserted" (words added inside), "changed" (a few words put for others:
    ``changed`` holds each as (earliest, variant)), "reworded" (a longer
    stretch replaced) or "reported" (a paraphrase, not compared word by word).
    """

    kinds: tuple[str, ...]
    changed: tuple[tuple[str, str], ...] = ()

    @property
    def possible_misquote(self) -> bool:
        """A word of the quotation was changed: worth checking against the source."""
        return bool(self.changed)

    @property
    def summary(self) -> str:
        """One line for a listing: "changed: open → reopen; trimmed"."""
        parts = []
        for kind in self.kinds:
            if kind == "changed":
                pairs = ", ".join(f"{old} → {new}" for old, new in self.changed)
                parts.append(f"changed: {pairs}")
            else:
                parts.append(kind)
        return "; ".join(parts)


MAX_CHANGED_WORDS = 3  # a replaced stretch this short is a changed word, longer is rewording


def variant_change(earliest: str, variant: str, *, reported: bool = False) -> VariantChange:
    """What a variant did to the earliest quote's words.

    >>> variant_change("The bridge will open before winter.",
    ...                "The bridge will reopen before winter").summary
    'changed: open → reopen'
    >>> variant_change("We are ready. We will win.", "“We’re ready,” …").kinds
    ('trimmed',)
    """
    if reported:
        return VariantChange(("reported",))
    from difflib import SequenceMatcher

    old, new = normalise_words(earliest), normalise_words(variant)
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    kinds: list[str] = []
    changed: list[tuple[str, str]] = []
    last = len(opcodes) - 1
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        edge = n in (0, last) and len(opcodes) > 1
        if tag == "equal":
            continue
        if tag == "replace" and max(i2 - i1, j2 - j1) <= MAX_CHANGED_WORDS:
            kinds.append("changed")
            changed.append((" ".join(old[i1:i2]), " ".join(new[j1:j2])))
        elif tag == "replace" and not edge:
            kinds.append("reworded")
        else:
            if i2 > i1:
                kinds.append("trimmed" if edge else "excerpted")
            if j2 > j1:
                kinds.append("extended" if edge else "inserted")
    unique = tuple(dict.fromkeys(kinds)) or ("same",)
    return VariantChange(unique, tuple(changed))


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
