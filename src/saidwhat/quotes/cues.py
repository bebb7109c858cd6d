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

# How sure a cue of each kind makes us before any data is seen (the prior).
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


_USER_LEMMAS: set[str] = set()


def extend_lexicon(lemmas: dict[str, str], weight: float = 0.8) -> None:
    """Add cue lemmas (lemma → kind name) to this process's lexicon.

    A lemma a user adds counts as a cue with at least ``weight``, whatever
    the learned counts say.
    """
    for lemma, kind in lemmas.items():
        key = lemma.lower()
        _LEXICON[key] = CueEntry(key, CueKind(kind), weight)
        _USER_LEMMAS.add(key)


def is_user_cue(lemma: str, word: str = "") -> bool:
    """Whether a user added this verb as a cue.

    The word's own inflections are tried too, because the lemmatiser guesses
    badly at words it has never seen ("grumbletweeted" → "grumbletweete").
    """
    if not _USER_LEMMAS:
        return False
    word = word.lower()
    forms = {lemma.lower(), word}
    for suffix in ("ed", "d", "s", "es", "ing"):
        if word.endswith(suffix):
            forms.add(word[: -len(suffix)])
    return bool(forms & _USER_LEMMAS)


@lru_cache(maxsize=8)
def load_user_cues(path: str) -> int:
    """Extend the lexicon from a file: one lemma a line, optionally a tab and a kind.

    Kinds are speech (the default), cognition and evidence; ``#`` starts a
    comment. Returns how many lemmas were added; loading a file twice in a
    process does nothing more.
    """
    from saidwhat.errors import BadInput

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read the cue file {path}: {exc}") from exc
    lemmas: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        lemma, _, kind = line.partition("\t")
        kind = kind.strip() or CueKind.SPEECH.value
        if kind not in {k.value for k in CueKind}:
            raise BadInput(
                f"{path}:{number}: unknown cue kind {kind!r} (speech, cognition, evidence)"
            )
        lemmas[lemma.strip()] = kind
    extend_lexicon(lemmas)
    return len(lemmas)


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
    if counts is None or lemma in _USER_LEMMAS:
        return prior
    positive, total = counts
    return (positive + PRIOR_STRENGTH * prior) / (total + PRIOR_STRENGTH)
