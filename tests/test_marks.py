"""Quotation-mark pairing: curly, straight, nested, multi-paragraph, apostrophes."""

from __future__ import annotations

import pytest

from saidwhat.quotes.marks import find_quoted_regions


def contents(text: str) -> list[str]:
    return [text[r.content_start : r.content_end] for r in find_quoted_regions(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ana Petrova said: “We will win.”", ["We will win."]),
        ('Ana Petrova said: "We will win."', ["We will win."]),
        ("Ana Petrova said: ‘We will win.’", ["We will win."]),
        ("Ana Petrova said: 'We will win.'", ["We will win."]),
        ("Ana Petrova said: «Nous gagnerons.»", ["Nous gagnerons."]),
        # nesting: the inner quote stays part of the outer one
        (
            "He said: “They told me ‘never again’ and left.”",
            ["They told me ‘never again’ and left."],
        ),
        (
            "He said: \"They told me 'never again' and left.\"",
            ["They told me 'never again' and left."],
        ),
        # two quotes in one sentence
        ('She said "we won" and "they lost."', ["we won", "they lost."]),
    ],
)
def test_pairs_marks(text: str, expected: list[str]) -> None:
    assert contents(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mayor Varga’s plan was popular in the ’90s.",
        "They played rock ’n’ roll all night at Dunmore’s.",
        "The players' union met on Tuesday.",
        "It’s the council’s view that we’ve waited long enough.",
        "Russia ’s war machine kept going.",
    ],
)
def test_apostrophes_are_not_quotes(text: str) -> None:
    assert contents(text) == []


def test_apostrophes_inside_a_quote_do_not_end_it() -> None:
    text = "Varga said: ‘It’s rock ’n’ roll, and it’s back.’ Then she left."
    assert contents(text) == ["It’s rock ’n’ roll, and it’s back."]


def test_multi_paragraph_quote_is_one_region() -> None:
    text = (
        "The minister said: “First paragraph of the statement.\n"
        "“Second paragraph goes on.\n"
        "“Third and last paragraph.”\n"
        "Reporters left."
    )
    [region] = find_quoted_regions(text)
    assert region.paragraphs == 3
    assert text[region.content_start : region.content_end].endswith("Third and last paragraph.")
    assert region.closed


def test_unbalanced_mark_costs_only_its_paragraph() -> None:
    text = (
        "Jon Brask said: “This quote never closes\n"
        "The council met on Monday.\n"
        "“We are ready,” said Ida Moen."
    )
    found = find_quoted_regions(text)
    assert [text[r.content_start : r.content_end] for r in found] == [
        "This quote never closes",
        "We are ready,",
    ]
    assert not found[0].closed and found[1].closed


def test_stray_closing_mark_is_ignored() -> None:
    text = "The vote was close” and then “We won,” said Ida Moen."
    assert contents(text) == ["We won,"]
