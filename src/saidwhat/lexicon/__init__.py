"""The words extraction knows, for one language: cues and their weights, titles, roles, aliases.

A ``Lexicon`` is an immutable value. ``lexicon_for("en")`` gives the
shipped English one (word lists in ``english.py``, learned cue weights from
``data/cue_lexicon.tsv``); ``with_user_cues`` gives a new lexicon with a
user's cue verbs added (``--cues``), leaving the original as it was. The
``Extractor`` holds one, and every rule reads its words from it.

Cues are grouped by what they report, because the groups behave
differently: verbs of *speech* introduce direct quotations as well as
clauses; verbs of *cognition* and *evidence* only introduce clauses and are
weaker evidence of a statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType, ModuleType

from saidwhat.errors import BadInput
from saidwhat.lexicon import english

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LEXICON_PATH = DATA_DIR / "cue_lexicon.tsv"
# A clause-governing verb is a cue when its weight reaches this: including a
# candidate right this often or more raises F1 at the F1 levels we work at.
MIN_CLAUSAL_WEIGHT = 0.3
# How many observations the hand-set prior is worth when smoothing counts.
PRIOR_STRENGTH = 2.0
# How sure a cue a user added makes us, whatever the learned counts say.
USER_CUE_WEIGHT = 0.8

# Language code → the module of its word lists.
LANGUAGES: dict[str, ModuleType] = {"en": english}


class CueKind(StrEnum):
    SPEECH = "speech"
    COGNITION = "cognition"
    EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class CueEntry:
    lemma: str
    kind: CueKind
    weight: float


# How sure a cue of each kind makes us before any data is seen (the prior).
PRIOR_WEIGHTS = {CueKind.SPEECH: 0.9, CueKind.COGNITION: 0.6, CueKind.EVIDENCE: 0.6}


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Every word list the rules read, for one language (see ``english.py`` for each)."""

    language: str
    cues: Mapping[str, CueEntry]
    learned: Mapping[str, tuple[int, int]]  # lemma → (annotated cue, seen governing a clause)
    phrasal_cues: frozenset[tuple[str, str]]
    source_phrase: tuple[str, str]
    cue_prepositions: frozenset[str]
    complementisers: frozenset[str]
    continuations: frozenset[str]
    aside_openers: frozenset[str]
    naming_words: frozenset[str]
    firm_naming_words: frozenset[str]
    naming_verbs: frozenset[str]
    fragment_cues: frozenset[str]
    work_nouns: frozenset[str]
    minor_words: frozenset[str]
    line_labels: frozenset[str]
    titles: Mapping[str, str | None]
    job_titles: frozenset[str]
    post_nominals: frozenset[str]
    organisation_aliases: tuple[tuple[str, ...], ...]
    spokesperson_nouns: frozenset[str]
    spokesperson_singular: frozenset[str]
    role_synonyms: tuple[frozenset[str], ...]
    male_nouns: frozenset[str]
    female_nouns: frozenset[str]
    pronouns: Mapping[str, tuple[str | None, str]]
    relative_pronouns: frozenset[str]
    non_speaker_pronouns: frozenset[str]
    institution_words: frozenset[str]
    speaker_nouns: frozenset[str]
    extra_titles: frozenset[str]
    relation_nouns: Mapping[str, str | None]
    group_nouns: frozenset[str]
    company_nouns: frozenset[str]
    public_body_words: frozenset[str]
    role_verbs: Mapping[str, str]
    place_words: frozenset[str]
    document_nouns: frozenset[str]
    statement_nouns: frozenset[str]
    family_nouns: frozenset[str]
    non_communication_verbs: frozenset[str]
    refusal_verbs: frozenset[str]
    evidence_nouns: frozenset[str]
    user_cues: frozenset[str] = frozenset()
    alias_index: Mapping[str, str] = field(default_factory=dict)  # lower-case alias → canonical

    # -- cues -------------------------------------------------------------------------

    def cue_entry(self, lemma: str) -> CueEntry | None:
        """The entry for ``lemma`` (any case), if it is a cue."""
        return self.cues.get(lemma.lower())

    def is_speech_lemma(self, lemma: str) -> bool:
        entry = self.cues.get(lemma.lower())
        return entry is not None and entry.kind is CueKind.SPEECH

    def is_phrasal_cue(self, lemma: str, particle: str) -> bool:
        return (lemma, particle) in self.phrasal_cues

    def is_user_cue(self, lemma: str, word: str = "") -> bool:
        """Whether a user added this verb as a cue.

        The word's own inflections are tried too, because the lemmatiser
        guesses badly at words it has never seen ("grumbletweeted" →
        "grumbletweete").
        """
        if not self.user_cues:
            return False
        word = word.lower()
        forms = {lemma.lower(), word}
        for suffix in ("ed", "d", "s", "es", "ing"):
            if word.endswith(suffix):
                forms.add(word[: -len(suffix)])
        return not forms.isdisjoint(self.user_cues)

    def clausal_cue_weight(self, lemma: str) -> float:
        """How likely a verb governing a clause reports someone's words (0 = never).

        The share observed in annotated data, smoothed toward the hand-set
        weight of the lexicon (0 for lemmas not in it), so rare lemmas lean
        on the prior and common ones on the data. A user's cue keeps its own
        weight.
        """
        lemma = lemma.lower()
        entry = self.cues.get(lemma)
        prior = entry.weight if entry is not None else 0.0
        counts = self.learned.get(lemma)
        if counts is None or lemma in self.user_cues:
            return prior
        positive, total = counts
        return (positive + PRIOR_STRENGTH * prior) / (total + PRIOR_STRENGTH)

    def with_user_cues(self, lemmas: Mapping[str, str]) -> Lexicon:
        """This lexicon with cue lemmas (lemma → kind name) added at ``USER_CUE_WEIGHT``."""
        cues = dict(self.cues)
        added = set(self.user_cues)
        for lemma, kind in lemmas.items():
            key = lemma.lower()
            cues[key] = CueEntry(key, CueKind(kind), USER_CUE_WEIGHT)
            added.add(key)
        return replace(self, cues=MappingProxyType(cues), user_cues=frozenset(added))

    # -- names --------------------------------------------------------------------------

    def canonical_alias(self, name: str) -> str | None:
        """The canonical name of an institution known by several ("No10" → "Downing Street")."""
        return self.alias_index.get(name.lower())

    def title_gender(self, word: str) -> str | None:
        """The gender an honorific shows ("Mrs" → female), None when it shows none."""
        return self.titles.get(word.lower())

    def noun_gender(self, noun: str) -> str | None:
        """The gender a noun shows ("spokeswoman" → female), None when it shows none."""
        noun = noun.lower()
        if noun in self.male_nouns:
            return "male"
        if noun in self.female_nouns:
            return "female"
        return None

    def role_key(self, word: str) -> frozenset[str]:
        """The set of role nouns that name the same post as ``word`` ("boss" ~ "chief")."""
        word = word.lower()
        for group in self.role_synonyms:
            if word in group:
                return group
        return frozenset({word})


def read_learned_counts(path: Path = LEXICON_PATH) -> dict[str, tuple[int, int]]:
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


def _cue_entries(words: ModuleType) -> dict[str, CueEntry]:
    entries: dict[str, CueEntry] = {}
    # Later groups win: a lemma that is both evidence and speech ("confirm") is speech.
    for kind, lemmas in (
        (CueKind.EVIDENCE, words.EVIDENCE_CUES),
        (CueKind.COGNITION, words.COGNITION_CUES),
        (CueKind.SPEECH, words.SPEECH_CUES),
    ):
        for lemma in lemmas:
            entries[lemma] = CueEntry(lemma, kind, PRIOR_WEIGHTS[kind])
    return entries


def build_lexicon(language: str, words: ModuleType, learned_path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon of one language from its module of word lists and a learned-weights file."""
    aliases = {alias.lower(): row[0] for row in words.ORGANISATION_ALIASES for alias in row}
    return Lexicon(
        language=language,
        cues=MappingProxyType(_cue_entries(words)),
        learned=MappingProxyType(read_learned_counts(learned_path)),
        phrasal_cues=frozenset(words.PHRASAL_CUES),
        source_phrase=words.SOURCE_PHRASE,
        cue_prepositions=words.CUE_PREPOSITIONS,
        complementisers=words.COMPLEMENTISERS,
        continuations=words.CONTINUATIONS,
        aside_openers=words.ASIDE_OPENERS,
        naming_words=words.NAMING_WORDS,
        firm_naming_words=words.FIRM_NAMING_WORDS,
        naming_verbs=words.NAMING_VERBS,
        fragment_cues=words.FRAGMENT_CUES,
        work_nouns=words.WORK_NOUNS,
        minor_words=words.MINOR_WORDS,
        line_labels=words.LINE_LABELS,
        titles=MappingProxyType(dict(words.TITLES)),
        job_titles=words.JOB_TITLES,
        post_nominals=words.POST_NOMINALS,
        organisation_aliases=words.ORGANISATION_ALIASES,
        spokesperson_nouns=words.SPOKESPERSON_NOUNS,
        spokesperson_singular=words.SPOKESPERSON_SINGULAR,
        role_synonyms=words.ROLE_SYNONYMS,
        male_nouns=words.MALE_NOUNS,
        female_nouns=words.FEMALE_NOUNS,
        pronouns=MappingProxyType(dict(words.PRONOUNS)),
        relative_pronouns=words.RELATIVE_PRONOUNS,
        non_speaker_pronouns=words.NON_SPEAKER_PRONOUNS,
        institution_words=words.INSTITUTION_WORDS,
        speaker_nouns=words.SPEAKER_NOUNS,
        extra_titles=words.EXTRA_TITLES,
        relation_nouns=MappingProxyType(dict(words.RELATION_NOUNS)),
        group_nouns=words.GROUP_NOUNS,
        company_nouns=words.COMPANY_NOUNS,
        public_body_words=words.PUBLIC_BODY_WORDS,
        role_verbs=MappingProxyType(dict(words.ROLE_VERBS)),
        place_words=words.PLACE_WORDS,
        document_nouns=words.DOCUMENT_NOUNS,
        statement_nouns=words.STATEMENT_NOUNS,
        family_nouns=words.FAMILY_NOUNS,
        non_communication_verbs=words.NON_COMMUNICATION_VERBS,
        refusal_verbs=words.REFUSAL_VERBS,
        evidence_nouns=words.EVIDENCE_NOUNS,
        alias_index=MappingProxyType(aliases),
    )


@lru_cache(maxsize=8)
def lexicon_for(language: str = "en") -> Lexicon:
    """The shipped lexicon of ``language`` (read once per process; it never changes)."""
    words = LANGUAGES.get(language)
    if words is None:
        known = ", ".join(sorted(LANGUAGES))
        raise BadInput(f"no lexicon for the language {language!r} (saidwhat has: {known})")
    return build_lexicon(language, words)


def read_user_cues(path: str | Path) -> dict[str, str]:
    """The cue lemmas of a user's file: one a line, optionally a tab and a kind.

    Kinds are speech (the default), cognition and evidence; ``#`` starts a
    comment. Returns lemma → kind; ``BadInput`` names the file and line of a
    problem.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read the cue file {path}: {exc}") from exc
    lemmas: dict[str, str] = {}
    kinds = {k.value for k in CueKind}
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        lemma, _, kind = line.partition("\t")
        kind = kind.strip() or CueKind.SPEECH.value
        if kind not in kinds:
            raise BadInput(
                f"{path}:{number}: unknown cue kind {kind!r} (speech, cognition, evidence)"
            )
        lemmas[lemma.strip()] = kind
    return lemmas


__all__ = [
    "LEXICON_PATH",
    "MIN_CLAUSAL_WEIGHT",
    "USER_CUE_WEIGHT",
    "CueEntry",
    "CueKind",
    "Lexicon",
    "build_lexicon",
    "lexicon_for",
    "read_learned_counts",
    "read_user_cues",
]
