"""Accuracy gates on PolNeAR dev, speakers-dev and statements-dev: fail when a change lowers
the figures.

Floors sit just under the figures measured when they were set; raise them
as the figures rise, never lower them to make a change pass.

PolNeAR annotates attributions (beliefs and findings too), so its F1 gate is
the ``attributions`` scope's. In the ``statements`` scope its figures say
how precise the product is and how much of PolNeAR's speech it keeps: since
issue 15 that scope leaves out by definition what PolNeAR also annotates as
attributions (findings of polls, studies and data; perceptions; negated
and refused cues; questions put to a speaker): 31 PolNeAR dev attributions
at 0.89 precision, 0.017 of its F1 (0.630 before, 0.624 after, with
precision 0.843 -> 0.856). The F1 floor below was re-set then, for that
reason only; the precision floor is new.
"""

from __future__ import annotations

import pytest

from saidwhat.evaluate import Report, evaluate, load_jsonl
from saidwhat.model import Article
from saidwhat.pipeline import extract_articles
from saidwhat.settings import Scope, Settings
from tests.conftest import gold_file

FLOORS = {
    "precision": 0.85,  # measured 0.856
    "overall_f1": 0.62,  # measured 0.624 (see the module docstring)
    "direct_recall": 0.955,  # measured 0.961
    "speaker_accuracy": 0.90,  # measured 0.908
    "cue_accuracy": 0.92,  # measured 0.925
    "end_to_end_f1": 0.563,  # measured 0.569
}
# The same with --scope attributions (PolNeAR's own breadth).
ATTRIBUTION_FLOORS = {
    "overall_f1": 0.726,  # measured 0.731
    "indirect_recall": 0.595,  # measured 0.601
    "mixed_recall": 0.805,  # measured 0.810
    "end_to_end_f1": 0.653,  # measured 0.659
    "speaker_accuracy": 0.895,  # measured 0.903
    "high_confidence_precision": 0.88,  # measured 0.898 (confidence >= 0.9)
}


def _report(scope: Scope) -> Report:
    gold = load_jsonl(gold_file("polnear-dev.jsonl"))
    articles = [Article(id=str(r["id"]), text=str(r["text"])) for r in gold]
    predicted = [r.to_dict() for r in extract_articles(articles, Settings(scope=scope))]
    return evaluate(gold, predicted)


@pytest.fixture(scope="module")
def dev_report() -> Report:
    return _report(Scope.STATEMENTS)


@pytest.mark.slow
def test_polnear_dev_attributions_scope() -> None:
    report = _report(Scope.ATTRIBUTIONS)
    assert report.overlap.f1 >= ATTRIBUTION_FLOORS["overall_f1"]
    assert report.overlap_by_type["indirect"].recall >= ATTRIBUTION_FLOORS["indirect_recall"]
    assert report.overlap_by_type["mixed"].recall >= ATTRIBUTION_FLOORS["mixed_recall"]
    assert report.end_to_end.f1 >= ATTRIBUTION_FLOORS["end_to_end_f1"]
    assert report.speaker.value >= ATTRIBUTION_FLOORS["speaker_accuracy"]
    [high] = [b for b in report.calibration if b.low == 0.9]
    assert high.precision >= ATTRIBUTION_FLOORS["high_confidence_precision"]


@pytest.mark.slow
def test_polnear_dev_quote_f1(dev_report: Report) -> None:
    assert dev_report.overlap.precision >= FLOORS["precision"]
    assert dev_report.overlap.f1 >= FLOORS["overall_f1"]


@pytest.mark.slow
def test_polnear_dev_direct_recall(dev_report: Report) -> None:
    assert dev_report.overlap_by_type["direct"].recall >= FLOORS["direct_recall"]


@pytest.mark.slow
def test_polnear_dev_speaker_and_cue(dev_report: Report) -> None:
    assert dev_report.speaker.value >= FLOORS["speaker_accuracy"]
    assert dev_report.cue.value >= FLOORS["cue_accuracy"]


@pytest.mark.slow
def test_polnear_dev_end_to_end(dev_report: Report) -> None:
    assert dev_report.end_to_end.f1 >= FLOORS["end_to_end_f1"]


@pytest.mark.slow
def test_polnear_dev_confidence_is_calibrated(dev_report: Report) -> None:
    """Issue target: among quotes with confidence >= 0.9, at least 90% are right."""
    [high] = [b for b in dev_report.calibration if b.low == 0.9]
    assert high.precision >= 0.9


# speakers-dev: fictional news whose quotes carry the resolved speaker, with traps
# (titles, scare quotes, page furniture, findings, questions, pull quotes).
SPEAKERS_FLOORS = {
    "quote_f1": 0.95,  # measured 0.958
    "entity_accuracy": 0.95,  # measured 0.955
    "gender_accuracy": 0.95,  # measured 0.957
    "end_to_end_entity_f1": 0.90,  # measured 0.912
    "traps_produced": 0.05,  # a ceiling: measured 0.014 (3 of 222)
}


@pytest.mark.slow
def test_speakers_dev_who_and_only_statements() -> None:
    gold = load_jsonl(gold_file("speakers-dev.jsonl"))
    articles = [Article(id=str(r["id"]), text=str(r["text"])) for r in gold]
    report = evaluate(gold, [r.to_dict() for r in extract_articles(articles, Settings())])
    assert report.overlap.f1 >= SPEAKERS_FLOORS["quote_f1"]
    assert report.entity.value >= SPEAKERS_FLOORS["entity_accuracy"]
    assert report.gender.value >= SPEAKERS_FLOORS["gender_accuracy"]
    assert report.end_to_end_entity.f1 >= SPEAKERS_FLOORS["end_to_end_entity_f1"]
    assert report.traps.total == 222
    assert report.traps.value <= SPEAKERS_FLOORS["traps_produced"]


# statements-dev: seven fictional stories, four outlets each; quotes carry the statement
# they belong to. Pairwise "same statement" across articles (DESIGN.md's measure).
STATEMENTS_FLOORS = {
    "strict_f1": 0.97,  # measured 0.980 (P 1.000 R 0.961)
    "broad_f1": 0.92,  # measured 0.932 (P 1.000 R 0.873)
    "precision": 0.99,  # measured 1.000 in both views
}


@pytest.mark.slow
def test_statements_dev_links_one_statement_across_outlets() -> None:
    """Through `saidwhat evaluate --statements`: a temporary store, linked as ingest links."""
    import json

    from typer.testing import CliRunner

    from saidwhat.cli import app

    result = CliRunner().invoke(
        app, ["evaluate", str(gold_file("statements-dev.jsonl")), "--statements", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    strict, broad = report["strict"], report["broad"]
    assert strict["f1"] >= STATEMENTS_FLOORS["strict_f1"]
    assert broad["f1"] >= STATEMENTS_FLOORS["broad_f1"]
    assert min(strict["precision"], broad["precision"]) >= STATEMENTS_FLOORS["precision"]
    assert report["misquotes"] == 18 and report["misquotes_flagged"] == report["misquotes"]
