"""Part of speech, morphology and lemmas at a fraction of the cost, same values.

In the packaged English pipelines the attribute ruler (179 token patterns run
by spaCy's Matcher) and the rule lemmatiser (a Python call per token) cost a
seventh to a fifth of the whole parse, as much as the parser itself. Yet what they
compute for a token is a function of a few of its facts: the ruler's
single-token patterns look only at its tag, text and dependency label, and
the lemmatiser only at its text, part of speech and morphology. So this
component works those out once per distinct (text, tag, label) and copies the
answer to every token that shares it; the few patterns that span two tokens
are checked as the ruler would. The output is identical to the two
components it replaces (tests/test_attributes.py compares them token by
token).

``replace_attribute_components`` swaps it in only when the pipeline's ruler
and lemmatiser are of the kinds it reproduces; any other pipeline is left as
it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import DEP, LEMMA, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc, Token

FAST_ATTRIBUTES = "saidwhat_attributes"

# The attribute ids a ruler may set, and which of them this component writes.
_WRITTEN = (POS, MORPH, LEMMA, TAG, DEP)
_SUPPORTED_KEYS = {"TAG", "LOWER", "DEP", "IS_SPACE"}

# (orth, tag, dep) of a token: everything a single-token pattern looks at.
_Key = tuple[int, int, int]


class Unsupported(ValueError):
    """The pipeline's ruler or lemmatiser does something this component does not copy."""


def _value_test(value: Any) -> Callable[[str], bool]:
    """A test on a string attribute, for a pattern value as the Matcher reads it."""
    if isinstance(value, str):
        return lambda s: s == value
    if isinstance(value, dict) and len(value) == 1:
        op, arg = next(iter(value.items()))
        if op == "IN":
            allowed = frozenset(arg)
            return lambda s: s in allowed
        if op == "NOT_IN":
            refused = frozenset(arg)
            return lambda s: s not in refused
        if op == "REGEX":
            pattern = re.compile(arg)
            return lambda s: pattern.search(s) is not None
    raise Unsupported(f"pattern value {value!r}")


@dataclass(frozen=True, slots=True)
class _TokenSpec:
    """One token of a pattern: a test per attribute it names."""

    tests: tuple[tuple[str, Callable[[str], bool]], ...]
    is_space: bool | None
    values: dict[str, Any]  # the pattern's own values, for indexing

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> _TokenSpec:
        if not set(spec) <= _SUPPORTED_KEYS:
            raise Unsupported(f"pattern keys {sorted(spec)}")
        tests = tuple(
            (key, _value_test(spec[key])) for key in ("TAG", "LOWER", "DEP") if key in spec
        )
        is_space = spec.get("IS_SPACE")
        if is_space is not None and not isinstance(is_space, bool):
            raise Unsupported(f"IS_SPACE value {is_space!r}")
        return cls(tests, is_space, dict(spec))

    def matches(self, facts: _Facts) -> bool:
        if self.is_space is not None and self.is_space != facts.is_space:
            return False
        return all(test(facts.get(key)) for key, test in self.tests)

    def exact(self, key: str) -> frozenset[str] | None:
        """The strings an attribute must be one of, when the pattern lists them."""
        value = self.values.get(key)
        if isinstance(value, str):
            return frozenset({value})
        if isinstance(value, dict) and set(value) == {"IN"}:
            return frozenset(value["IN"])
        return None


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a pattern may look at in one token."""

    lower: str
    tag: str
    dep: str
    is_space: bool

    def get(self, key: str) -> str:
        return self.lower if key == "LOWER" else self.tag if key == "TAG" else self.dep


@dataclass(frozen=True, slots=True)
class _Rule:
    order: int  # the ruler's rule index: later rules win
    specs: tuple[_TokenSpec, ...]
    target: int  # which token of the match gets the attributes
    attrs: dict[int, int]  # attribute id -> value, as the ruler stores them


@dataclass(frozen=True, slots=True)
class _Answer:
    """What the ruler and the lemmatiser give a token."""

    values: dict[int, int]  # attribute id -> value set by the ruler
    lemma: int  # the lemma hash (the ruler's, or the lemmatiser's)

    def get(self, attr: int, before: int) -> int:
        """The value of ``attr`` after both components, given its value before."""
        if attr == LEMMA:
            # The ruler's lemma always counts; the lemmatiser's only where no
            # lemma was set before.
            return self.lemma if LEMMA in self.values or not before else before
        return self.values.get(attr, before)


class _RuleIndex:
    """Single-token rules by tag, then by the words they name."""

    def __init__(self, rules: Sequence[_Rule]) -> None:
        self.rules = rules
        self._by_tag: dict[str, tuple[dict[str, list[_Rule]], list[_Rule]]] = {}

    def _for_tag(self, tag: str) -> tuple[dict[str, list[_Rule]], list[_Rule]]:
        found = self._by_tag.get(tag)
        if found is None:
            by_word: dict[str, list[_Rule]] = {}
            others: list[_Rule] = []
            for rule in self.rules:
                spec = rule.specs[0]
                tags = spec.exact("TAG")
                if tags is not None and tag not in tags:
                    continue
                words = spec.exact("LOWER")
                if words is None:
                    others.append(rule)
                else:
                    for word in words:
                        by_word.setdefault(word, []).append(rule)
            found = (by_word, others)
            self._by_tag[tag] = found
        return found

    def matching(self, facts: _Facts) -> list[_Rule]:
        """The rules whose first (only) token matches, in the ruler's order."""
        by_word, others = self._for_tag(facts.tag)
        candidates = by_word.get(facts.lower, []) + others
        found = [r for r in candidates if r.specs[0].matches(facts)]
        found.sort(key=lambda r: r.order)
        return found


class FastAttributes:
    """The attribute ruler and rule lemmatiser of a pipeline, cached by token facts."""

    def __init__(self, nlp: Language, ruler_name: str, lemmatizer_name: str) -> None:
        # spaCy types components as plain callables; these two are the ruler and
        # the lemmatiser, whose attributes are read below.
        ruler: Any = nlp.get_pipe(ruler_name)
        lemmatizer: Any = nlp.get_pipe(lemmatizer_name)
        if getattr(lemmatizer, "mode", None) != "rule" or lemmatizer.overwrite:
            raise Unsupported("the lemmatiser is not a rule lemmatiser that keeps set lemmas")
        _index_as_sets(lemmatizer)
        self.lemmatizer = lemmatizer
        self.vocab = nlp.vocab
        single: list[_Rule] = []
        multi: list[_Rule] = []
        for order, (entry, attrs, index) in enumerate(
            zip(ruler.patterns, ruler.attrs, ruler.indices, strict=True)
        ):
            if not set(attrs) <= set(_WRITTEN):
                raise Unsupported(f"rule {order} sets {sorted(attrs)}")
            for pattern in entry["patterns"]:
                specs = tuple(_TokenSpec.parse(spec) for spec in pattern)
                target = index if index >= 0 else len(specs) + index
                if not 0 <= target < len(specs):
                    raise Unsupported(f"rule {order} targets token {index}")
                rule = _Rule(order, specs, target, dict(attrs))
                (single if len(specs) == 1 else multi).append(rule)
        self.single = _RuleIndex(single)
        self.multi = _RuleIndex([_Rule(r.order, r.specs[:1], 0, {}) for r in multi])
        self.multi_rules = {r.order: r for r in multi}
        self._dep_classes = self._dependency_classes(single + multi)
        self._answers: dict[_Key, _Answer] = {}
        self._facts: dict[_Key, _Facts] = {}
        self._starts: dict[_Key, tuple[_Rule, ...]] = {}
        self._lemmas: dict[tuple[int, int, int], int] = {}

    def _dependency_classes(self, rules: Sequence[_Rule]) -> dict[int, int] | None:
        """Labels the rules name; the others all behave alike (None: keep every label).

        A rule tests a label for equality or membership, so every label it does
        not list gives the same answer; tokens then need telling apart only by
        the listed labels, which keeps the cache small.
        """
        named: set[int] = set()
        for rule in rules:
            for spec in rule.specs:
                if "DEP" not in spec.values:
                    continue
                value = spec.values["DEP"]
                if isinstance(value, str):
                    named.add(self.vocab.strings.add(value))
                elif isinstance(value, dict) and set(value) <= {"IN", "NOT_IN"}:
                    for label in next(iter(value.values())):
                        if label:
                            named.add(self.vocab.strings.add(label))
                else:
                    return None
        return {label: label for label in named}

    def _facts_of(self, key: _Key, dep: int) -> _Facts:
        facts = self._facts.get(key)
        if facts is None:
            strings = self.vocab.strings
            text = strings[key[0]]
            facts = _Facts(
                lower=text.lower(),
                tag=strings[key[1]] if key[1] else "",
                dep=strings[dep] if dep else "",
                is_space=text.isspace(),
            )
            self._facts[key] = facts
        return facts

    def _lemma(self, token: Token, pos: int, morph: int) -> int:
        """The lemmatiser's lemma for ``token`` given the part of speech and morphology."""
        cache_key = (token.orth, pos, morph)
        lemma = self._lemmas.get(cache_key)
        if lemma is None:
            token.pos = pos
            setter: Any = token  # spaCy's stubs lack Token.set_morph
            setter.set_morph(morph or None)
            lemma = self.vocab.strings.add(self.lemmatizer.lemmatize(token)[0])
            self._lemmas[cache_key] = lemma
        return lemma

    def _answer(self, token: Token, rules: Sequence[_Rule]) -> _Answer:
        """Apply ``rules`` in the ruler's order, then lemmatise as the lemmatiser would."""
        values: dict[int, int] = {}
        for rule in sorted(rules, key=lambda r: r.order):
            values.update(rule.attrs)
        lemma = values.get(LEMMA, 0)
        if not lemma:
            morph: Any = token.morph  # spaCy's stubs lack MorphAnalysis.key
            lemma = self._lemma(token, values.get(POS, token.pos), values.get(MORPH, morph.key))
        return _Answer(values, lemma)

    def _multi_hits(self, keys: list[_Key], deps: list[int]) -> dict[int, list[_Rule]]:
        """Token index -> the multi-token rules whose match sets its attributes."""
        hits: dict[int, list[_Rule]] = {}
        if not self.multi_rules:
            return hits
        for i, key in enumerate(keys):
            starts = self._starts.get(key)
            if starts is None:
                facts = self._facts_of(key, deps[i])
                starts = tuple(self.multi_rules[r.order] for r in self.multi.matching(facts))
                self._starts[key] = starts
            for rule in starts:
                if i + len(rule.specs) > len(keys):
                    continue
                if all(
                    spec.matches(self._facts_of(keys[i + k], deps[i + k]))
                    for k, spec in enumerate(rule.specs)
                    if k > 0
                ):
                    hits.setdefault(i + rule.target, []).append(rule)
        return hits

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        orths, tags, deps, *before = doc.to_array([ORTH, TAG, DEP, *_WRITTEN]).T.tolist()
        classes = self._dep_classes
        if classes is None:
            keys = list(zip(orths, tags, deps, strict=True))
        else:
            keys = [
                (o, t, classes.get(d, 1) if d else 0)
                for o, t, d in zip(orths, tags, deps, strict=True)
            ]
        hits = self._multi_hits(keys, deps)
        cached = self._answers
        answers: list[_Answer] = []
        for i, key in enumerate(keys):
            extra = hits.get(i)
            answer = None if extra else cached.get(key)
            if answer is None:
                rules = self.single.matching(self._facts_of(key, deps[i])) + (extra or [])
                answer = self._answer(doc[i], rules)
                if not extra:
                    cached[key] = answer
            answers.append(answer)
        columns = [
            [answer.get(attr, value) for answer, value in zip(answers, values, strict=True)]
            for attr, values in zip(_WRITTEN, before, strict=True)
        ]
        written: Any = numpy.array(columns, dtype=numpy.uint64).T
        doc.from_array(list(_WRITTEN), written)
        return doc


def _index_as_sets(lemmatizer: Any) -> None:
    """Hold the lemmatiser's word lists as sets.

    The rule lemmatiser asks "is this form a known lemma?" of lists of up to
    57,000 words, a linear scan that made each uncached lemma cost about
    0.7 ms. It only ever tests membership, so a set gives the same answers.
    """
    table = lemmatizer.lookups.get_table("lemma_index", None)
    if table is None:
        return
    for key in list(table.keys()):
        words = table[key]
        if isinstance(words, list):
            table[key] = frozenset(words)


def replace_attribute_components(nlp: Language) -> bool:
    """Put ``FastAttributes`` in place of the pipeline's ruler and lemmatiser.

    Returns whether it did; a pipeline without both, with them in another
    order, or with rules this component cannot copy is left unchanged.
    """
    names = nlp.pipe_names
    if FAST_ATTRIBUTES in names:
        return True
    if "attribute_ruler" not in names or "lemmatizer" not in names:
        return False
    ruler_at, lemmatizer_at = names.index("attribute_ruler"), names.index("lemmatizer")
    if lemmatizer_at != ruler_at + 1:
        return False
    try:
        component = FastAttributes(nlp, "attribute_ruler", "lemmatizer")
    except Unsupported:
        return False
    _INSTANCES[id(nlp)] = component
    nlp.add_pipe(FAST_ATTRIBUTES, before="attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
    nlp.remove_pipe("lemmatizer")
    return True


# The component built for each pipeline, handed to spaCy's factory below.
_INSTANCES: dict[int, FastAttributes] = {}


@Language.factory(FAST_ATTRIBUTES)
def _make_fast_attributes(nlp: Language, name: str) -> FastAttributes:
    return _INSTANCES[id(nlp)]
