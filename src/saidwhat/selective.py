"""Parse only the sentences that can hold a statement; find names everywhere.

Most of an article's cost is the statistical pipeline, and most sentences of
news hold neither a quotation nor a verb of saying. Those sentences still
matter for who is who (a name introduced in one sentence resolves "she" or a
bare surname in a later one), so named-entity recognition runs on the whole
text. Part-of-speech tagging, lemmas and the dependency parse run only on the
sentences a finder can use: ones that contain a quotation mark, a colon, a
word that can be a form of a cue ("said", "warns", "according"), or a word
that describes a speaker ("minister", "spokeswoman"). The other
sentences get a flat parse (every word hangs off the first), which no finder
takes for a statement.

The parse of a kept sentence is made on a document of the consecutive kept
sentences only, so it can differ from a whole-article parse where context
crosses into a skipped sentence. Accuracy on PolNeAR dev is the check (see
the README's throughput table); ``Settings.full_parse`` turns this off.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy
from spacy.attrs import DEP, HEAD, IDX, LEMMA, MORPH, ORTH, POS, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc

from saidwhat.attributes import FAST_ATTRIBUTES
from saidwhat.nlp import doc_text
from saidwhat.quotes.cues import PHRASAL_CUES, cue_lemmas
from saidwhat.quotes.marks import find_quoted_regions
from saidwhat.speakers.resolve import JOB_TITLES, ROLE_SYNONYMS, SPOKESPERSON_NOUNS

_ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD]
_SENTENCE_END = frozenset(".!?…")
_DASHES = frozenset("―—–-")
_OPENING = frozenset("“‘\"'«(")
_TRIGGER_WORDS = frozenset({"according"})
# Words that describe a speaker ("Prime Minister Aldric Penhallow arrived …"):
# the parse of that sentence is what later resolves "the prime minister said".
_ROLE_WORDS = frozenset(JOB_TITLES | SPOKESPERSON_NOUNS | set().union(*ROLE_SYNONYMS))
PARSE_CUES_PATH = Path(__file__).resolve().parent / "data" / "parse_cues.txt"
_NER = "ner"
_SUBJECT_LABELS = frozenset({"PERSON", "ORG"})


class WordForms:
    """Whether a word can be an inflection of one of a set of lemmas.

    Uses the lemmatiser's own suffix rules and irregular forms for verbs and
    nouns, so "said", "warns", "admitted" and "claims" all count for their
    lemmas; a word that merely could be one (a noun "report") counts too,
    which only means a sentence is parsed that did not need it.
    """

    def __init__(self, lemmatizer: Any, lemmas: Iterable[str]) -> None:
        self.lemmas = frozenset(lemma.lower() for lemma in lemmas)
        rules = lemmatizer.lookups.get_table("lemma_rules", {})
        exceptions = lemmatizer.lookups.get_table("lemma_exc", {})
        self._rules = [tuple(rule) for pos in ("verb", "noun") for rule in rules.get(pos, [])]
        self._exceptions = [exceptions.get(pos, {}) for pos in ("verb", "noun")]
        self._known: dict[str, bool] = {}

    def __contains__(self, word: str) -> bool:
        found = self._known.get(word)
        if found is None:
            found = any(lemma in self.lemmas for lemma in self._candidates(word))
            self._known[word] = found
        return found

    def _candidates(self, word: str) -> Iterator[str]:
        yield word
        for table in self._exceptions:
            yield from table.get(word, ())
        for old, new in self._rules:
            if word.endswith(old):
                yield word[: len(word) - len(old)] + new


@dataclass(frozen=True, slots=True)
class _Word:
    """What sentence splitting and the parse decision need to know of a word."""

    punct: bool
    ends: bool  # ".", "!", "?" or "…"
    dash: bool
    opens: bool  # a capital, a digit or an opening mark: can start a sentence
    line_break: bool
    trigger: bool  # a form of a cue word, or a colon


class SentencePlan:
    """Sentence starts of a text (no model needed), and which ones to parse.

    A sentence ends after ".", "!", "?" or "…" and any closing marks or
    brackets, when the next word opens like a sentence (a capital, a digit,
    an opening mark); and at every line break. A dash after the end keeps the
    sentence going: "… shame.” ― Sonya Herridge" names who said it.
    """

    def __init__(self, nlp: Language, needs_parse: Callable[[str], bool]) -> None:
        self.vocab = nlp.vocab
        self.needs_parse = needs_parse
        self._words: dict[int, _Word] = {}

    def _word(self, orth: int) -> _Word:
        word = self._words.get(orth)
        if word is None:
            text = self.vocab.strings[orth]
            punct = self.vocab[orth].is_punct
            word = _Word(
                punct=punct,
                ends=punct and text[-1:] in _SENTENCE_END,
                dash=punct and any(c in _DASHES for c in text),
                opens=text[:1].isupper() or text[:1].isdigit() or text[:1] in _OPENING,
                line_break="\n" in text,
                trigger=":" in text or self.needs_parse(text.lower()),
            )
            self._words[orth] = word
        return word

    def sentence_starts(self, words: Sequence[_Word], spaced: Sequence[int]) -> list[int]:
        """Sentence starts, from each word's facts and whether a space follows it.

        A mark opens a sentence only after a space: a straight quotation mark
        right after the full stop closes the sentence instead.
        """
        starts = [0]
        ended = False
        for i, word in enumerate(words):
            opens = word.opens and (not word.punct or (i > 0 and spaced[i - 1]))
            if ended and (not word.punct or (opens and not word.dash)):
                if opens and starts[-1] != i:
                    starts.append(i)
                ended = False
            elif ended and word.dash:
                ended = False
            elif word.ends:
                ended = True
            if word.line_break:
                ended = False
                if i + 1 < len(words) and starts[-1] != i + 1:
                    starts.append(i + 1)
        return starts

    def __call__(self, doc: Doc) -> tuple[list[int], list[bool]]:
        """Sentence starts of ``doc``, and whether each sentence is to be parsed."""
        if not len(doc):
            return [], []
        orths, offsets, spaced = doc.to_array([ORTH, IDX, SPACY]).T.tolist()
        words = [self._word(orth) for orth in orths]
        starts = self.sentence_starts(words, spaced)
        regions = find_quoted_regions(doc_text(doc))
        marks = sorted({r.open for r in regions} | {r.close for r in regions})
        keep: list[bool] = []
        mark_at = 0
        bounds = [*starts, len(doc)]
        for first, end in itertools.pairwise(bounds):
            first_char, end_char = offsets[first], offsets[end] if end < len(doc) else 1 << 62
            while mark_at < len(marks) and marks[mark_at] < first_char:
                mark_at += 1
            has_mark = mark_at < len(marks) and marks[mark_at] < end_char
            keep.append(has_mark or any(w.trigger for w in words[first:end]))
        return starts, keep


class SelectiveParser:
    """A pipeline's ``pipe`` that parses only the sentences that need it."""

    def __init__(self, nlp: Language, extra_lemmas: Iterable[str] = ()) -> None:
        self.nlp = nlp
        self.parse_components = [(n, c) for n, c in nlp.pipeline if n != _NER]
        self.ner = nlp.get_pipe(_NER)
        lemmatizer = _lemmatizer_of(nlp)
        lemmas = (
            set(cue_lemmas())
            | {verb for verb, _ in PHRASAL_CUES}
            | learned_parse_cues()
            | set(extra_lemmas)
        )
        self.forms = WordForms(lemmatizer, lemmas)
        self.plan = SentencePlan(nlp, self.needs_parse)
        strings = nlp.vocab.strings
        self._root, self._dep = strings.add("ROOT"), strings.add("dep")
        self._nsubj, self._compound = strings.add("nsubj"), strings.add("compound")

    def needs_parse(self, word: str) -> bool:
        return word in _TRIGGER_WORDS or word in _ROLE_WORDS or word in self.forms

    def pipe(self, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= batch_size:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def _batch(self, texts: Sequence[str]) -> list[Doc]:
        docs = [self.nlp.make_doc(text) for text in texts]
        plans = [self.plan(doc) for doc in docs]
        runs: list[tuple[int, int, int]] = []  # doc index, first token, end token
        for index, (doc, (starts, keep)) in enumerate(zip(docs, plans, strict=True)):
            bounds = [*starts, len(doc)]
            for number, kept in enumerate(keep):
                if not kept:
                    continue
                first, end = bounds[number], bounds[number + 1]
                if runs and runs[-1][0] == index and runs[-1][2] == first:
                    runs[-1] = (index, runs[-1][1], end)
                else:
                    runs.append((index, first, end))
        # A run as a document of its own: the same tokens (and norms, which the
        # models read), no annotation.
        pieces = [docs[i][a:b].as_doc() for i, a, b in runs]
        for _, component in self.parse_components:
            pipe = getattr(component, "pipe", None)
            pieces = list(pipe(pieces)) if pipe is not None else [component(p) for p in pieces]
        arrays = [
            self._flat_parse(doc, starts) for doc, (starts, _) in zip(docs, plans, strict=True)
        ]
        for (index, first, end), piece in zip(runs, pieces, strict=True):
            arrays[index][first:end] = piece.to_array(_ATTRS)
        for doc, array in zip(docs, arrays, strict=True):
            if len(doc):
                doc.from_array(_ATTRS, array)
        # Last, as in the pipeline: the recogniser keeps entities inside sentences.
        docs = list(self.ner.pipe(docs))  # type: ignore[attr-defined]
        for doc, (starts, keep) in zip(docs, plans, strict=True):
            self._name_subjects(doc, starts, keep)
        return docs

    def _name_subjects(self, doc: Doc, starts: Sequence[int], keep: Sequence[bool]) -> None:
        """In each sentence left flat, make its first named person or body the subject.

        Speakers are resolved against the subjects met so far ("He argued …"
        after a sentence about Piet Vandersloot). A flat sentence has no
        subject, so the first person or organisation named in it stands in:
        most often the subject in news prose, and the name a reader would
        take a following "he" or "it" for.
        """
        if not len(doc):
            return
        skipped = [
            (first, end)
            for first, end, kept in zip(starts, [*starts[1:], len(doc)], keep, strict=True)
            if not kept
        ]
        if not skipped:
            return
        names = [e for e in doc.ents if e.label_ in _SUBJECT_LABELS]
        if not names:
            return
        array = doc.to_array([HEAD, DEP]).astype(numpy.int64)
        heads, deps = array[:, 0], array[:, 1]
        changed = False
        at = 0
        for first, end in skipped:
            while at < len(names) and names[at].start < first:
                at += 1
            if at == len(names) or names[at].end > end:
                continue
            start, head = names[at].start, names[at].end - 1
            # The small model often leaves a first name out ("Ines [Marlowe]"):
            # capitalised words just before the name belong to it.
            while start > first and doc[start - 1].is_title and not doc[start - 1].is_stop:
                start -= 1
            root = first if start > first else head + 1
            if root >= end:
                continue
            positions = numpy.arange(first, end)
            heads[first:end] = root - positions
            deps[first:end] = self._dep
            deps[root] = self._root
            deps[head] = self._nsubj
            heads[start:head] = head - positions[start - first : head - first]
            deps[start:head] = self._compound
            changed = True
        if changed:
            rows: Any = array.astype(numpy.uint64)
            doc.from_array([HEAD, DEP], rows)

    def _flat_parse(self, doc: Doc, starts: Sequence[int]) -> Any:
        """Attribute rows for ``doc`` in which each sentence hangs off its first token."""
        array = numpy.zeros((len(doc), len(_ATTRS)), dtype=numpy.uint64)
        bounds = [*list(starts), len(doc)]
        heads = numpy.zeros(len(doc), dtype=numpy.int64)
        deps = numpy.full(len(doc), self._dep, dtype=numpy.uint64)
        for first, end in itertools.pairwise(bounds):
            heads[first:end] = first - numpy.arange(first, end)
            deps[first] = self._root
        array[:, _ATTRS.index(DEP)] = deps
        array[:, _ATTRS.index(HEAD)] = heads.astype(numpy.uint64)
        return array


@lru_cache(maxsize=1)
def learned_parse_cues(path: Path = PARSE_CUES_PATH) -> frozenset[str]:
    """Lemmas outside the cue lexicon that the learned model takes as cues.

    The attribution model scores every verb, so it finds statements behind
    verbs the lexicon does not list ("convince", "imply"); the file lists
    those it found on PolNeAR train (``bench/parse_cues.py`` rebuilds it).
    """
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


# Dependents inside a cue's tokens that are not the word that reports:
# auxiliaries, negation, particles, prepositions ("has not pointed out to").
_CUE_FUNCTION_DEPS = frozenset({"aux", "auxpass", "neg", "prt", "prep", "punct", "det", "mark"})


def count_cue_lemmas(docs: Iterable[Doc], scope: Any = None) -> Counter[str]:
    """How often each lemma is the reporting word of a quote extracted from fully parsed docs."""
    from saidwhat.pipeline import quotes_from_doc

    counts: Counter[str] = Counter()
    for doc in docs:
        quotes = quotes_from_doc(doc) if scope is None else quotes_from_doc(doc, scope)
        for quote in quotes:
            if quote.cue is None:
                continue
            span = doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
            for token in span or ():
                if token.pos_ in ("VERB", "NOUN", "ADJ") and token.dep_ not in _CUE_FUNCTION_DEPS:
                    counts[token.lemma_.lower()] += 1
    return counts


def write_parse_cues(
    counts: Counter[str], path: Path, header: Sequence[str], min_count: int = 2
) -> list[str]:
    """Write the lemmas seen ``min_count`` times or more that the lexicon lacks."""
    known = set(cue_lemmas()) | {verb for verb, _ in PHRASAL_CUES}
    lemmas = sorted(
        lemma
        for lemma, count in counts.items()
        if count >= min_count and lemma.isalpha() and lemma not in known
    )
    lines = [f"# {line}" for line in header] + lemmas
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lemmas


def _lemmatizer_of(nlp: Language) -> Any:
    if FAST_ATTRIBUTES in nlp.pipe_names:
        return nlp.get_pipe(FAST_ATTRIBUTES).lemmatizer  # type: ignore[attr-defined]
    return nlp.get_pipe("lemmatizer")


def can_parse_selectively(nlp: Language) -> bool:
    """Whether ``SelectiveParser`` can run this pipeline (it needs NER and a lemmatiser)."""
    names = nlp.pipe_names
    return _NER in names and (FAST_ATTRIBUTES in names or "lemmatizer" in names)


@lru_cache(maxsize=8)
def selective_parser(nlp: Language, extra: tuple[str, ...] = ()) -> SelectiveParser:
    """One ``SelectiveParser`` per pipeline (and set of user cues) in a process."""
    return SelectiveParser(nlp, extra)
