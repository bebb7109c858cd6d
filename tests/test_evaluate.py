"""The DESIGN.md metrics on small hand-made articles (fictional people)."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import saidwhat.evaluate as evaluate_module
from saidwhat.errors import BadRecord
from saidwhat.evaluate import (
    Counts,
    evaluate,
    exact_key,
    load_jsonl,
    match_by_overlap,
    overlap_counts,
    snippet,
    trim_span,
)

EVAL_DIR = Path(__file__).parents[1].parent / "shared" / "eval"

TEXT = (
    "Mayor Ada Quill said the bridge would open in May. "
    "“We will not wait another winter,” she told reporters.\n"
    "Councillor Bo Varga warned: “The budget is a fantasy.”"
)


def at(text: str, part: str, nth: int = 0) -> list[int]:
    """The [start, end] of the nth occurrence of ``part`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return [start, start + len(part)]


def quote(
    content: list[int],
    type_: str = "direct",
    speaker: list[int] | None = None,
    cue: list[int] | None = None,
    entity: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "content": content,
        "type": type_,
        "speaker": speaker,
        "cue": cue,
        "speaker_entity": entity,
        **extra,
    }


def article(quotes: list[dict[str, Any]], text: str = TEXT, id_: str = "a1") -> dict[str, Any]:
    return {"id": id_, "text": text, "quotes": quotes}


def gold_quotes() -> list[dict[str, Any]]:
    """Three quotes of TEXT: indirect, direct with a pronoun speaker, direct."""
    return [
        quote(
            at(TEXT, "the bridge would open in May"),
            "indirect",
            speaker=at(TEXT, "Mayor Ada Quill"),
            cue=at(TEXT, "said"),
            entity="Ada Quill",
        ),
        quote(
            at(TEXT, "“We will not wait another winter,”"),
            speaker=at(TEXT, "she"),
            cue=at(TEXT, "told"),
            entity="Ada Quill",
        ),
        quote(
            at(TEXT, "“The budget is a fantasy.”"),
            speaker=at(TEXT, "Councillor Bo Varga"),
            cue=at(TEXT, "warned"),
            entity="Bo Varga",
        ),
    ]


# --- perfect prediction -------------------------------------------------------


def test_perfect_prediction_scores_one_everywhere() -> None:
    gold = [article(gold_quotes())]
    report = evaluate(gold, gold)
    for counts in (report.overlap, report.exact, report.end_to_end):
        assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)
    assert report.overlap_by_type["direct"].f1 == 1.0
    assert report.overlap_by_type["indirect"].f1 == 1.0
    assert (report.speaker.correct, report.speaker.total) == (3, 3)
    assert (report.cue.correct, report.cue.total) == (3, 3)
    assert report.errors == ()


# --- the half-of-the-longer-span rule -----------------------------------------


@pytest.mark.parametrize(
    ("shared", "size_a", "size_b", "counts"),
    [
        (5, 10, 10, True),  # exactly half of the longer span
        (4, 10, 9, False),  # just under half
        (5, 10, 6, True),  # half of the longer, though most of the shorter
        (4, 9, 4, False),  # all of the shorter, under half of the longer
        (0, 0, 0, False),  # empty spans share nothing
    ],
)
def test_half_of_the_longer_span_rule(shared: int, size_a: int, size_b: int, counts: bool) -> None:
    assert overlap_counts(shared, size_a, size_b) is counts


@pytest.mark.parametrize(("pred_start", "matched"), [(5, 1), (6, 0)])
def test_half_rule_at_its_boundary_in_evaluate(pred_start: int, matched: int) -> None:
    text = "0123456789" * 3
    gold = [article([quote([0, 10])], text)]
    # the prediction is 10 characters long; from 5 it shares 5 (half), from 6 it shares 4
    pred = [article([quote([pred_start, pred_start + 10])], text)]
    assert evaluate(gold, pred).overlap.matched_gold == matched


# --- one-to-one matching --------------------------------------------------------


def test_two_predictions_over_one_gold_quote_give_one_match_and_one_false_positive() -> None:
    content = at(TEXT, "“We will not wait another winter,”")
    start, end = content
    longer_overlap = quote([start, end - 2])
    shorter_overlap = quote([start + 8, end])
    pred = [article([shorter_overlap, longer_overlap])]
    report = evaluate([article([quote(content)])], pred)
    assert (report.overlap.matched_gold, report.overlap.pred) == (1, 2)
    assert report.overlap.precision == 0.5
    false_positives = [e for e in report.errors if e.kind == "false_positive"]
    assert [e.span for e in false_positives] == [(start + 8, end)]  # the bigger overlap won


def test_matching_takes_the_largest_overlap_first() -> None:
    gold = [((0, 10),), ((10, 20),)]
    pred = [((5, 15),), ((1, 11),)]
    # (1, 11) shares 9 with gold 0; (5, 15) then takes gold 1 (5 shared, exactly half)
    assert match_by_overlap(gold, pred) == [(0, 1), (1, 0)]


def test_content_parts_count_only_their_characters() -> None:
    text = "“Taxes will fall,” the minister, Lin Oduya, told a crowd, “and soon.”"
    first = at(text, "“Taxes will fall,”")
    second = at(text, "“and soon.”")
    gold = quote([first[0], second[1]], content_parts=[first, second])
    # only the first part: 18 of the 29 content characters; over the extent
    # (69 characters) it would be far under half
    pred = quote(first)
    report = evaluate([article([gold], text)], [article([pred], text)])
    assert report.overlap.matched_gold == 1


# --- exact match ------------------------------------------------------------------


@pytest.mark.parametrize(
    "marked",
    [
        "“Trains will run on time.”",
        '"Trains will run on time."',
        "‘Trains will run on time.’",
        "'Trains will run on time.'",
        "«Trains will run on time.»",
        "„Trains will run on time.“",
        "‚Trains will run on time.‘",
        "‹Trains will run on time.›",
        "  “Trains will run on time.”\n",
    ],
)
def test_exact_match_ignores_quotation_marks_and_space_at_the_ends(marked: str) -> None:
    text = f"Ed Mora said: {marked} Then he left."
    gold = [article([quote(at(text, marked))], text)]
    pred = [article([quote(at(text, "Trains will run on time."))], text)]
    report = evaluate(gold, pred)
    assert report.exact.f1 == 1.0


def test_exact_match_is_stricter_than_overlap() -> None:
    gold = [article([quote(at(TEXT, "“The budget is a fantasy.”"))])]
    pred = [article([quote(at(TEXT, "The budget is a fantasy"))])]  # full stop missing
    report = evaluate(gold, pred)
    assert report.overlap.f1 == 1.0
    assert report.exact.f1 == 0.0


def test_exact_match_joins_parts_split_only_by_marks_and_space() -> None:
    text = "She said: “First paragraph.\n“Second paragraph.”"
    (s1, e1), (s2, e2) = at(text, "“First paragraph."), at(text, "“Second paragraph.”")
    assert exact_key([(s1, e1), (s2, e2)], text) == exact_key([(s1, e2)], text)
    assert exact_key([(s1, e1), (s2, e2)], text) == ((s1 + 1, e2 - 1),)


def test_trim_span_keeps_inner_marks_and_apostrophes() -> None:
    text = "“It’s ‘fine’”"
    assert text[slice(*trim_span(text, 0, len(text)))] == "It’s ‘fine"


# --- speaker, cue, end to end ------------------------------------------------------


def test_speaker_right_by_overlapping_mention() -> None:
    gold = [article(gold_quotes()[:1])]
    pred_quote = dict(gold_quotes()[0], speaker=at(TEXT, "Quill"), speaker_entity=None)
    report = evaluate(gold, [article([pred_quote])])
    assert (report.speaker.correct, report.speaker.total) == (1, 1)


def test_speaker_right_by_entity_ignoring_case() -> None:
    gold = [article(gold_quotes()[1:2])]
    # a different mention ("Mayor Ada Quill" instead of "she"), the same entity
    pred_quote = dict(
        gold_quotes()[1], speaker=at(TEXT, "Mayor Ada Quill"), speaker_entity="ada  QUILL"
    )
    report = evaluate(gold, [article([pred_quote])])
    assert (report.speaker.correct, report.speaker.total) == (1, 1)


def test_wrong_speaker_is_counted_and_listed() -> None:
    gold = [article(gold_quotes()[2:])]
    pred_quote = dict(
        gold_quotes()[2], speaker=at(TEXT, "Mayor Ada Quill"), speaker_entity="Ada Quill"
    )
    report = evaluate(gold, [article([pred_quote])])
    assert (report.speaker.correct, report.speaker.total) == (0, 1)
    [error] = report.errors
    assert error.kind == "wrong_speaker"
    assert "Councillor Bo Varga" in error.detail and "Mayor Ada Quill" in error.detail


def test_cue_accuracy_counts_overlapping_cues() -> None:
    gold = [article(gold_quotes())]
    preds = gold_quotes()
    preds[0]["cue"] = at(TEXT, "said the")  # overlaps "said"
    preds[1]["cue"] = at(TEXT, "reporters")  # misses "told"
    preds[2]["cue"] = None
    report = evaluate(gold, [article(preds)])
    assert (report.cue.correct, report.cue.total) == (1, 3)
    assert report.cue.render() == "0.333 (1/3)"


def test_end_to_end_needs_content_and_speaker() -> None:
    golds = gold_quotes()
    golds[2] = dict(golds[2], speaker=None, speaker_entity=None)  # names no speaker
    preds = gold_quotes()
    preds[0] = dict(preds[0], speaker=at(TEXT, "reporters"), speaker_entity=None)  # wrong
    preds[2] = dict(preds[2], speaker=None, speaker_entity=None)  # right on content alone
    preds.append(quote(at(TEXT, "Councillor Bo Varga warned")))  # a false positive
    report = evaluate([article(golds)], [article(preds)])
    assert report.overlap.matched_gold == 3
    assert (report.speaker.correct, report.speaker.total) == (1, 2)
    e2e = report.end_to_end
    assert (e2e.gold, e2e.pred, e2e.matched_gold) == (3, 4, 2)
    assert e2e.precision == 0.5 and e2e.recall == pytest.approx(2 / 3)


# --- articles and types ---------------------------------------------------------


def test_gold_article_without_prediction_counts_all_quotes_missed() -> None:
    other_text = "Judge Ria Penn said the case was closed."
    other = article(
        [quote(at(other_text, "the case was closed"), "indirect")], other_text, id_="a2"
    )
    gold = [article(gold_quotes()), other]
    pred = [article(gold_quotes()), {"id": "zz", "text": "", "quotes": []}]
    report = evaluate(gold, pred)
    assert (report.overlap.gold, report.overlap.matched_gold) == (4, 3)
    assert report.overlap.precision == 1.0 and report.overlap.recall == 0.75
    assert report.unpredicted_ids == ("a2",)
    assert report.unknown_ids == ("zz",)
    assert [(e.kind, e.article_id) for e in report.errors] == [("missed", "a2")]


def test_per_type_recall_by_gold_type_and_precision_by_predicted_type() -> None:
    golds = gold_quotes()  # indirect, direct, direct
    preds = gold_quotes()
    preds[1] = dict(preds[1], type="mixed")  # matched, but labelled mixed
    del preds[2]  # the second direct quote is missed
    report = evaluate([article(golds)], [article(preds)])
    direct, mixed = report.overlap_by_type["direct"], report.overlap_by_type["mixed"]
    assert direct == Counts(gold=2, pred=0, matched_gold=1, matched_pred=0)
    assert (direct.recall, direct.precision) == (0.5, 0.0)
    assert mixed == Counts(gold=0, pred=1, matched_gold=0, matched_pred=1)
    assert (mixed.precision, mixed.recall) == (1.0, 0.0)
    assert report.overlap_by_type["indirect"].f1 == 1.0


# --- output ----------------------------------------------------------------------


def test_report_renders_a_table_and_serialises_to_json() -> None:
    preds = gold_quotes()[:2]
    report = evaluate([article(gold_quotes())], [article(preds)])
    table = report.render(max_errors=5)
    for row in ("overall", "direct", "indirect", "mixed", "exact", "speaker accuracy"):
        assert row in table
    assert "1.000 (2/2)" in table
    assert "missed" in table
    data = json.loads(json.dumps(report.to_dict()))
    assert data["overlap"]["overall"]["recall"] == pytest.approx(2 / 3)
    assert data["errors"][0]["kind"] == "missed"


def test_snippets_are_one_line_and_at_most_80_characters() -> None:
    text = "word\n" * 40
    cut = snippet(text, 0, len(text))
    assert len(cut) <= 80 and "\n" not in cut and cut.endswith("…")


def test_false_positive_on_a_marked_trap_says_so() -> None:
    text = "The so-called ‘Grand Plan’ failed, Ava Lind said."
    gold = article([quote(at(text, "The so-called ‘Grand Plan’ failed"), "mixed")], text)
    gold["not_quotes"] = [{"span": at(text, "‘Grand Plan’"), "why": "scare quotes"}]
    pred = article(gold["quotes"] + [quote(at(text, "‘Grand Plan’"))], text)
    [error] = evaluate([gold], [pred]).errors
    assert error.kind == "false_positive" and "scare quotes" in error.detail


# --- bad input -------------------------------------------------------------------


def test_load_jsonl_reads_records_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(article(gold_quotes())) + "\n\n", encoding="utf-8")
    assert load_jsonl(path) == [article(gold_quotes())]


@pytest.mark.parametrize("line", ["{not json", "[1, 2]"])
def test_load_jsonl_names_the_bad_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(article([])) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(BadRecord, match="line 2"):
        load_jsonl(path)


def test_duplicate_gold_ids_are_an_error() -> None:
    with pytest.raises(BadRecord, match="duplicate"):
        evaluate([article([]), article([])], [])


@pytest.mark.parametrize("content", [[10, 5], [-1, 4], None, [1.5, 3], [1, 2, 3]])
def test_unusable_offsets_are_an_error(content: Any) -> None:
    with pytest.raises(BadRecord, match="content"):
        evaluate([article([])], [article([quote(content)])])


# --- invariants and gold data ------------------------------------------------------

spans = st.tuples(st.integers(0, 60), st.integers(0, 40)).map(lambda p: [p[0], p[0] + p[1]])


@given(st.lists(spans, max_size=6), st.lists(spans, max_size=6))
def test_scores_are_ratios_and_gold_scores_perfectly_against_itself(
    gold_spans: list[list[int]], pred_spans: list[list[int]]
) -> None:
    text = "x" * 100
    gold = [article([quote(s) for s in gold_spans], text)]
    pred = [article([quote(s) for s in pred_spans], text)]
    report = evaluate(gold, pred)
    for counts in (report.overlap, report.exact, report.end_to_end):
        assert 0.0 <= counts.f1 <= 1.0
        assert counts.matched_gold <= min(counts.gold, counts.pred)
    nonempty = [s for s in gold_spans if s[1] > s[0]]
    assert evaluate(gold, gold).overlap.matched_gold == len(nonempty)


def test_docstring_examples() -> None:
    assert doctest.testmod(evaluate_module).failed == 0


@pytest.mark.parametrize("name", ["seed.gold.jsonl", "polnear-dev.jsonl"])
def test_gold_data_against_itself_scores_one(name: str) -> None:
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    gold = load_jsonl(path)
    report = evaluate(gold, gold)
    assert report.overlap.f1 == 1.0
    assert report.exact.f1 == 1.0
    assert report.end_to_end.f1 == 1.0
    assert report.speaker.value == 1.0
    assert report.errors == ()


# --- by rule --------------------------------------------------------------------


def test_by_rule_counts_each_rules_quotes_matches_and_speakers() -> None:
    gold = gold_quotes()
    pred = [
        {**gold[0], "rule": "model_clause"},
        {**gold[1], "rule": "cue_after_quote", "speaker": at(TEXT, "Mayor Ada Quill"),
         "speaker_entity": "Bo Varga"},  # right quote, wrong speaker
        {**gold[2], "rule": "cue_after_quote"},
        quote(at(TEXT, "Councillor Bo Varga warned"), "indirect", rule="model_clause"),  # no gold
        quote(at(TEXT, "Mayor Ada Quill said"), "indirect"),  # no rule: counted under -
    ]  # fmt: skip
    report = evaluate([article(gold)], [article(pred)])
    by_rule = {r.rule: r for r in report.by_rule}
    assert [r.rule for r in report.by_rule] == ["cue_after_quote", "model_clause", "-"]
    assert (by_rule["model_clause"].quotes, by_rule["model_clause"].matched) == (2, 1)
    assert by_rule["model_clause"].precision == 0.5
    after = by_rule["cue_after_quote"]
    assert (after.quotes, after.matched, after.speaker.correct, after.speaker.total) == (2, 2, 1, 2)
    assert (by_rule["-"].quotes, by_rule["-"].matched) == (1, 0)
    rendered = report.render(by_rule=True)
    assert "by rule" in rendered and "cue_after_quote" in rendered
    assert "by rule" not in report.render()
    assert report.to_dict()["by_rule"][0]["rule"] == "cue_after_quote"


def test_cli_by_rule(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from saidwhat.cli import app

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(article(gold_quotes())) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    marked = [{**q, "rule": "cue_before_quote"} for q in gold_quotes()]
    pred.write_text(json.dumps(article(marked)) + "\n", encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(app, ["evaluate", str(gold), "--pred", str(pred), "--by-rule"])
    assert shown.exit_code == 0 and "cue_before_quote" in shown.output
    plain = runner.invoke(app, ["evaluate", str(gold), "--pred", str(pred), "--json"])
    assert "by_rule" not in json.loads(plain.output)
    asked = runner.invoke(app, ["evaluate", str(gold), "--pred", str(pred), "--json", "--by-rule"])
    assert json.loads(asked.output)["by_rule"][0]["quotes"] == 3


# --- entity and gender ------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "pred", "agree"),
    [
        ("Ines Varga", "Ines Varga", True),
        ("Ines Varga", "ines  varga", True),
        ("Ines Varga", "Varga", True),  # a surname of the same name
        ("Varga", "Ines Varga", True),  # the prediction says more
        ("Ines Varga", "Piotr Varga", False),  # another Varga
        ("Ines Varga", "Ines", False),  # a first name is not the surname
        ("Ines Varga", "councillor", False),
        ("Downing Street", "No10", False),
        ("Harwick Town Council", "Harwick Council", True),
        ("José Núñez", "Jose Nunez", True),
    ],
)
def test_names_agree(gold: str, pred: str, agree: bool) -> None:
    assert (
        evaluate_module.names_agree(
            evaluate_module.name_words(gold), evaluate_module.name_words(pred)
        )
        is agree
    )


def test_entity_accuracy_does_not_count_a_mention_that_merely_overlaps() -> None:
    gold = gold_quotes()
    for q in gold:
        q["speaker_gender"] = "female" if q["speaker_entity"] == "Ada Quill" else "unknown"
    pred = [
        {**gold[0], "speaker_entity": "Quill", "speaker_gender": "female"},  # surname: right
        {**gold[1], "speaker_entity": None, "speaker_gender": None},  # "she", unresolved
        {**gold[2], "speaker_entity": "Budget Office", "speaker_gender": "male"},  # wrong
    ]
    report = evaluate([article(gold)], [article(pred)])
    assert (report.speaker.correct, report.speaker.total) == (3, 3)  # the mentions overlap
    assert (report.entity.correct, report.entity.total) == (1, 3)
    assert (report.gender.correct, report.gender.total) == (1, 2)  # unknown is not judged
    assert report.end_to_end_entity.matched_gold == 1
    assert [e.kind for e in report.errors].count("wrong_entity") == 2
    assert "entity accuracy     0.333 (1/3)" in report.render()


def test_traps_count_when_a_prediction_covers_more_than_half_of_one() -> None:
    text = "Posted: Monday 3 March. The mayor said the pool would reopen in May."
    gold = {
        "id": "t",
        "text": text,
        "quotes": [quote(at(text, "the pool would reopen in May"), speaker=at(text, "The mayor"))],
        "not_quotes": [
            {"span": at(text, "Posted: Monday 3 March"), "why": "page furniture"},
            {"span": at(text, "reopen"), "why": "made up for the test"},
        ],
    }
    label = at(text, "Monday 3 March")  # 14 of the trap's 22 characters
    pred = {"id": "t", "text": text, "quotes": [quote(label)]}
    report = evaluate([gold], [pred])
    assert (report.traps.correct, report.traps.total) == (1, 2)
    assert "traps produced      0.500 (1/2)" in report.render()
    # A prediction over less than half of a trap does not count.
    short = {"id": "t", "text": text, "quotes": [quote(at(text, "Monday"))]}
    assert evaluate([gold], [short]).traps.correct == 0
    # Gold without traps reports none.
    assert evaluate([dict(gold, not_quotes=[])], [pred]).traps.total == 0


def test_statements_are_scored_over_pairs_in_different_articles() -> None:
    from saidwhat.evaluate import score_statements

    a = "Mayor Ada Quill said the bridge would open in May."
    b = "“The bridge will open in May,” said Ada Quill. “It will,” said Bo Varga."
    gold = [
        {
            "id": "a",
            "text": a,
            "quotes": [quote(at(a, "the bridge would open in May"), statement="S1r")],
        },
        {
            "id": "b",
            "text": b,
            "quotes": [
                quote(at(b, "The bridge will open in May,"), statement="S1"),
                quote(at(b, "It will,"), statement="S2"),
            ],
        },
    ]
    # The store linked the paraphrase to the quotation, and left Varga's words alone.
    linked = [
        {"id": "a", "quotes": [{"content": at(a, "the bridge would open"), "statement_id": 7}]},
        {
            "id": "b",
            "quotes": [
                {"content": at(b, "The bridge will open in May"), "statement_id": 7},
                {"content": at(b, "It will"), "statement_id": 8},
            ],
        },
    ]
    report = score_statements(gold, linked)
    assert (report.quotes, report.unmapped) == (3, 0)
    # Strict: a paraphrase is its own statement, so the one linked pair is wrong.
    assert (report.strict.pred, report.strict.gold, report.strict.matched_gold) == (1, 0, 0)
    # Broad: it joins its quotation's, so the pair is right.
    assert (report.broad.pred, report.broad.gold, report.broad.matched_gold) == (1, 1, 1)
    assert report.broad.f1 == 1.0
    # A gold quote no stored quote overlaps stands alone.
    unlinked = [linked[0], {"id": "b", "quotes": []}]
    lonely = score_statements(gold, unlinked)
    assert lonely.unmapped == 2 and lonely.broad.matched_gold == 0 and lonely.broad.gold == 1
