"""Statement linking: which quotes are one statement, and the diff of a variant."""

from __future__ import annotations

import pytest

from saidwhat.linking import (
    content_stems,
    gram_hashes,
    normalise_words,
    paraphrases,
    same_statement,
    similar_stems,
    variant_change,
    word_diff,
)

BASE = "We are Russia's next target, and we have to be ready for that moment."


@pytest.mark.parametrize(
    "variant",
    [
        BASE,
        "we are russia’s next target, and we have to be ready for that moment",  # case, marks
        "“We're Russia's next target, and we've to be ready for that moment.”",  # contractions
        "We are Russia's next target",  # an excerpt
        "We are Russia's next target and we have to be ready for the moment.",  # one word changed
        "We are Russia's next target, and we have to be ready",  # trimmed
    ],
)
def test_variants_are_one_statement(variant: str) -> None:
    assert same_statement(normalise_words(BASE), normalise_words(variant))


@pytest.mark.parametrize(
    "other",
    [
        "We are not anybody's target and we will not be ready for war.",
        "Russia is a threat to the whole of Europe, she said.",
        "target",  # too short to say
        "We are ready.",  # short and not identical
    ],
)
def test_other_quotes_are_not(other: str) -> None:
    assert not same_statement(normalise_words(BASE), normalise_words(other))


def test_short_quotes_link_only_when_identical() -> None:
    assert same_statement(normalise_words("No comment."), normalise_words("“No comment”"))
    assert not same_statement(normalise_words("No comment."), normalise_words("No comment yet"))


def test_an_excerpt_shares_index_keys_with_the_whole() -> None:
    long_quote = " ".join(f"word{i}" for i in range(200))
    excerpt = " ".join(f"word{i}" for i in range(80, 120))
    assert gram_hashes(normalise_words(long_quote)) & gram_hashes(normalise_words(excerpt))
    assert len(gram_hashes(normalise_words(long_quote))) < 130  # winnowed: about half of the grams


@pytest.mark.parametrize("start", range(0, 45))
def test_any_shared_run_of_five_words_shares_a_key(start: int) -> None:
    words = [f"w{i}" for i in range(50)]
    assert gram_hashes(words) & gram_hashes(words[start : start + 5])


def test_word_diff_shows_the_altered_words() -> None:
    diff = word_diff(BASE, "We are Russia's next target and we must be ready for that moment.")
    changed = [(d.op, d.text) for d in diff if d.op != "same"]
    assert changed == [("removed", "have to"), ("added", "must")]
    assert " ".join(d.text for d in diff if d.op != "removed").startswith("We are Russia's")


def test_word_diff_of_identical_text_is_all_same() -> None:
    assert [d.op for d in word_diff(BASE, "“" + BASE + "”")] == ["same"]


# -- within one speaker: stems, paraphrases, what a variant changed -------------------------


def _stems(text: str) -> list[str]:
    return content_stems(normalise_words(text))


def test_content_stems_leave_out_what_a_reporter_shifts() -> None:
    assert _stems("We will reopen the bridge before winter") == _stems(
        "they would reopen the bridge before the winter"
    )
    assert "48" in _stems("We are putting £48 million into it")  # numbers are content


@pytest.mark.parametrize(
    ("reported", "quotation"),
    [
        (
            "the harbour dues would rise by a tenth from June",
            "Harbour dues will rise by ten per cent in June, and that is final.",
        ),
        (
            "his crews had worked through the night and deserved a rest",
            "My crews worked through the night. They deserve a rest.",
        ),
    ],
)
def test_a_reported_form_paraphrases_its_quotation(reported: str, quotation: str) -> None:
    assert paraphrases(_stems(reported), _stems(quotation))


def test_a_reported_form_of_something_else_does_not() -> None:
    assert not paraphrases(
        _stems("the ferry timetable would change next month"),
        _stems("Harbour dues will rise by ten per cent in June."),
    )
    # Two shared words are not enough, whatever the share.
    assert not paraphrases(_stems("dues would rise"), _stems("Dues will rise in June."))


def test_similar_stems_tolerates_a_changed_number_not_a_different_list() -> None:
    assert similar_stems(
        _stems("We will build 200 homes on the north field by 2027."),
        _stems("We will build 220 homes on the north field by 2027"),
    )
    assert not similar_stems(
        _stems("Berth 4 dues: 12 crowns, 20 days, 28 boats"),
        _stems("Berth 5 dues: 15 crowns, 25 days, 35 boats"),
    )


@pytest.mark.parametrize(
    ("variant", "kinds", "changed"),
    [
        ("We’re keeping the ferry, whatever it costs.", ("same",), ()),
        ("We are keeping the ferry", ("trimmed",), ()),
        ("We are keeping the ferry, whatever it costs. And the bridge.", ("extended",), ()),
        ("We are keeping the boat, whatever it costs.", ("changed",), (("ferry", "boat"),)),
        ("We are keeping the ferry … whatever it costs.", ("same",), ()),
        ("We are keeping the ferry, whatever it costs us.", ("extended",), ()),
        ("We are keeping the ferry, whatever it may cost.", ("changed",), (("costs", "may cost"),)),
    ],
)  # fmt: skip
def test_variant_change_says_what_an_outlet_did(
    variant: str, kinds: tuple[str, ...], changed: tuple[tuple[str, str], ...]
) -> None:
    change = variant_change("We are keeping the ferry, whatever it costs.", variant)
    assert change.kinds == kinds and change.changed == changed
    assert change.possible_misquote == bool(changed)


def test_a_reported_variant_is_not_diffed_word_by_word() -> None:
    change = variant_change("We are keeping the ferry.", "they would keep the ferry", reported=True)
    assert change.kinds == ("reported",) and not change.possible_misquote
