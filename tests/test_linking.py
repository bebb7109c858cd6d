"""Statement linking: which quotes are one statement, and the diff of a variant."""

from __future__ import annotations

import pytest

from saidwhat.linking import gram_hashes, normalise_words, same_statement, word_diff

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
