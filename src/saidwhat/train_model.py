"""Train the reported-speech model (``saidwhat train-model``) on gold data.

Every verb outside quotation marks offers content options (see
``quotes.learned``); an option is positive when an annotator marked that
verb as a cue and a content sharing at least half of the longer span with
the option. A logistic regression (scikit-learn, only needed here) learns
the weights; the threshold is chosen for F1 on a held-out fifth of the
training articles, then the model is refitted on all of them. The output is
a small JSON file of weights that ``quotes.learned`` reads without
scikit-learn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

from saidwhat.evaluate import evaluate, overlap_counts
from saidwhat.lexicon import Lexicon, lexicon_for
from saidwhat.model import Article, ExtractedArticle
from saidwhat.pipeline import Extractor
from saidwhat.quotes.learned import AttributionModel, content_options, option_features
from saidwhat.quotes.marks import find_quoted_regions
from saidwhat.settings import Scope, Settings


@dataclass(frozen=True, slots=True)
class Example:
    """One scored option: its features, its label, and for evaluation its verb."""

    article: str
    verb: int
    features: list[str]
    label: bool


def _is_positive(doc: Doc, first: int, last: int, verb: int, record: Mapping[str, Any]) -> bool:
    start = doc[first].idx
    end = doc[last].idx + len(doc[last].text)
    v_start, v_end = doc[verb].idx, doc[verb].idx + len(doc[verb].text)
    for quote in record.get("quotes", []):
        cue = quote.get("cue")
        if not cue or not (int(cue[0]) < v_end and v_start < int(cue[1])):
            continue
        g_start, g_end = int(quote["content"][0]), int(quote["content"][1])
        shared = max(0, min(end, g_end) - max(start, g_start))
        if overlap_counts(shared, end - start, g_end - g_start):
            return True
    return False


def build_examples(
    pairs: Iterable[tuple[Doc, Mapping[str, Any]]], lexicon: Lexicon | None = None
) -> list[Example]:
    """Options of every verb of every article, labelled against the gold."""
    lexicon = lexicon or lexicon_for("en")
    examples: list[Example] = []
    for doc, record in pairs:
        regions = find_quoted_regions(doc.text)
        for option in content_options(doc, regions, lexicon):
            examples.append(
                Example(
                    article=str(record.get("id")),
                    verb=option.verb,
                    features=option_features(doc, option, regions, lexicon),
                    label=_is_positive(doc, option.first, option.last, option.verb, record),
                )
            )
    return examples


def _held_out(article_id: str) -> bool:
    return hashlib.sha256(article_id.encode("utf-8")).digest()[0] % 5 == 0


def _fit(examples: Sequence[Example], c_value: float) -> tuple[dict[str, float], float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(e.features, 1) for e in examples])
    y = [e.label for e in examples]
    model = LogisticRegression(C=c_value, max_iter=2000, fit_intercept=False)
    model.fit(x, y)
    names = vectorizer.get_feature_names_out()
    weights = {
        str(name): round(float(w), 4)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= 1e-3
    }
    return weights, float(model.score(x, y))


def _best_per_verb(
    model: AttributionModel, examples: Sequence[Example]
) -> dict[tuple[str, int], tuple[float, bool]]:
    best: dict[tuple[str, int], tuple[float, bool]] = {}
    for example in examples:
        p = model.probability(example.features)
        key = (example.article, example.verb)
        if key not in best or p > best[key][0]:
            best[key] = (p, example.label)
    return best


def choose_threshold(model: AttributionModel, examples: Sequence[Example]) -> tuple[float, float]:
    """The threshold with the best verb-level F1 on ``examples``, and that F1."""
    best = _best_per_verb(model, examples)
    reachable = sum(1 for key in {(e.article, e.verb) for e in examples if e.label})
    scored = sorted(best.values(), key=lambda pl: -pl[0])
    tp = fp = 0
    best_f1, best_t = 0.0, 0.5
    for p, label in scored:
        tp += label
        fp += not label
        precision = tp / (tp + fp)
        recall = tp / reachable if reachable else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best_f1, best_t = f1, p
    return best_t, best_f1


THRESHOLD_GRID = tuple(round(0.15 + 0.025 * i, 3) for i in range(15))  # 0.15 … 0.5


def held_out_quote_f1(
    pairs: Sequence[tuple[Doc, Mapping[str, Any]]], model: AttributionModel
) -> float:
    """Quote F1 (overlap, attributions scope) of the whole extractor on ``pairs``."""
    # The docs are parsed already: this extractor never loads a spaCy pipeline.
    extractor = Extractor(Settings(scope=Scope.ATTRIBUTIONS), model=model)
    predicted = []
    for doc, record in pairs:
        article = Article(id=str(record["id"]), text=doc.text)
        predicted.append(ExtractedArticle(article, tuple(extractor.quotes_of(doc))).to_dict())
    return evaluate(list(r for _, r in pairs), predicted).overlap.f1


def train(
    examples: Sequence[Example],
    meta: dict[str, Any],
    c_value: float = 0.5,
    pairs: Sequence[tuple[Doc, Mapping[str, Any]]] = (),
) -> AttributionModel:
    """Fit on four fifths, pick the threshold on the rest, refit on everything.

    With ``pairs`` (the parsed training articles), the threshold is the one
    that gives the whole extractor its best quote F1 on the held-out
    articles; without, the best verb-level F1 of the model alone.
    """
    train_part = [e for e in examples if not _held_out(e.article)]
    held = [e for e in examples if _held_out(e.article)]
    weights, _ = _fit(train_part, c_value)
    threshold, held_f1 = choose_threshold(AttributionModel(weights, 0.5, {}), held)
    meta = dict(meta)
    held_pairs = [(d, r) for d, r in pairs if _held_out(str(r.get("id")))]
    if held_pairs:
        scores = {
            t: held_out_quote_f1(held_pairs, AttributionModel(weights, t, {}))
            for t in THRESHOLD_GRID
        }
        threshold = max(scores, key=lambda t: (scores[t], -abs(t - threshold)))
        meta["held_out_quote_f1"] = round(scores[threshold], 4)
        meta["held_out_articles"] = len(held_pairs)
    weights, accuracy = _fit(examples, c_value)
    meta.update(
        examples=len(examples),
        positives=sum(e.label for e in examples),
        c=c_value,
        held_out_verb_f1=round(held_f1, 4),
        training_accuracy=round(accuracy, 4),
    )
    return AttributionModel(weights, round(threshold, 4), meta)
