"""The lexicon of cues: words that introduce what someone said or holds.

Lemmas are grouped by what they report, because the groups behave
differently: verbs of *speech* introduce direct quotations ("…,” she said)
as well as clauses; verbs of *cognition* and *evidence* ("believes",
"polls show") only introduce clauses and are weaker evidence of a statement.
The weights say how sure a cue alone makes us; users extend the lexicon with
``extend_lexicon``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "cue_lexicon.tsv"
# A clause-governing verb is a cue when its weight reaches this: including a
# candidate right this often or more raises F1 at the F1 levels we work at.
MIN_CLAUSAL_WEIGHT = 0.3
# How many observations the hand-set prior is worth when smoothing counts.
PRIOR_STRENGTH = 2.0


class CueKind(StrEnum):
    SPEECH = "speech"
    COGNITION = "cognition"
    EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class CueEntry:
    lemma: str
    kind: CueKind
    weight: float


_SPEECH = """
say tell add warn insist argue claim state declare announce explain note write
tweet post reply respond answer ask acknowledge admit concede confirm deny
suggest predict promise pledge vow urge recall remark comment observe report
reveal stress emphasise emphasize continue conclude complain caution contend
maintain assert allege testify agree counter retort joke quip muse boast lament
indicate hint assure threaten demand recommend propose advise inform reiterate
repeat mention describe characterize characterise dismiss brag grumble shout
yell scream whisper mutter plead concur disclose divulge estimate forecast
guarantee swear affirm proclaim announce charge accuse question wonder blast
slam criticize criticise praise thank signal testify counsel sing chant scold
exclaim cry sigh laugh snap bark gush chide rebuke fume marvel concede read
"""
_COGNITION = """
believe think know hope fear feel expect worry doubt suspect assume reckon
understand realize realise imagine guess consider acknowledge recognize
recognise conclude decide wish want
"""
_EVIDENCE = """
show find learn suggest indicate reveal confirm read
"""

# Multi-word cues: a verb and its particle ("went on", "pointed out").
PHRASAL_CUES: frozenset[tuple[str, str]] = frozenset(
    {
        ("go", "on"),
        ("point", "out"),
        ("spell", "out"),
        ("lay", "out"),
        ("chime", "in"),
        ("sum", "up"),
        ("weigh", "in"),
        ("fire", "back"),
        ("hit", "back"),
        ("shoot", "back"),
        ("speak", "out"),
        ("cry", "out"),
    }
)

# Verbs that, with a following quotation, say the quote is speech even
# though they are not verbs of saying in general.
_WEIGHTS = {CueKind.SPEECH: 0.9, CueKind.COGNITION: 0.6, CueKind.EVIDENCE: 0.6}


def _build() -> dict[str, CueEntry]:
    lexicon: dict[str, CueEntry] = {}
    for kind, words in (
        (CueKind.EVIDENCE, _EVIDENCE),
        (CueKind.COGNITION, _COGNITION),
        (CueKind.SPEECH, _SPEECH),
    ):
        for lemma in words.split():
            lexicon[lemma] = CueEntry(lemma, kind, _WEIGHTS[kind])
    return lexicon


_LEXICON: dict[str, CueEntry] = _build()


def cue_entry(lemma: str) -> CueEntry | None:
    """The lexicon entry for ``lemma`` (lower-case), if it is a cue."""
    return _LEXICON.get(lemma.lower())


def is_speech_lemma(lemma: str) -> bool:
    entry = _LEXICON.get(lemma.lower())
    return entry is not None and entry.kind is CueKind.SPEECH


def extend_lexicon(lemmas: dict[str, str], weight: float = 0.8) -> None:
    """Add cue lemmas (lemma → kind name) to the process-wide lexicon."""
    for lemma, kind in lemmas.items():
        _LEXICON[lemma.lower()] = CueEntry(lemma.lower(), CueKind(kind), weight)


def read_lexicon(path: Path = LEXICON_PATH) -> dict[str, tuple[int, int]]:
    """lemma → (positive, total) from a learned lexicon file; empty if none."""
    if not path.exists():
        return {}
    counts: dict[str, tuple[int, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("lemma\t"):
            continue
        lemma, positive, total = line.split("\t")
        counts[lemma] = (int(positive), int(total))
    return counts


@lru_cache(maxsize=1)
def _learned() -> dict[str, tuple[int, int]]:
    return read_lexicon()


def clausal_cue_weight(lemma: str) -> float:
    """How likely a verb governing a clause reports someone's words (0 = never).

    The share observed in annotated data, smoothed toward the hand-set
    weight of the lexicon (0 for lemmas not in it), so rare lemmas lean on
    the prior and common ones on the data.
    """
    lemma = lemma.lower()
    entry = _LEXICON.get(lemma)
    prior = entry.weight if entry is not None else 0.0
    counts = _learned().get(lemma)
    if counts is None:
        return prior
    positive, total = counts
    return (positive + PRIOR_STRENGTH * prior) / (total + PRIOR_STRENGTH)
