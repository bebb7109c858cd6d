"""Only statements: what a reader would call a quotation, and nothing else (issue 15).

Every text is fictional. Each test pins one way a non-statement got out: a
verb that is no act of speech, a negated or refused cue, a question put to
the speaker, evidence as a source, a name or title in quotation marks, page
furniture, a cue-less fragment, a pull quote; and each checks the statement
beside it still comes out, so a test cannot pass by extracting nothing. The
``attributions`` scope keeps what PolNeAR annotates.
"""

from __future__ import annotations

from saidwhat import Quote, extract
from saidwhat.settings import Scope, Settings

ATTRIBUTIONS = Settings(scope=Scope.ATTRIBUTIONS)


def texts(quotes: list[Quote]) -> list[str]:
    return [q.text for q in quotes]


def has(quotes: list[Quote], fragment: str) -> bool:
    return any(fragment in q.text for q in quotes)


# -- a cue is a communication act -----------------------------------------------------


def test_findings_and_perceptions_are_not_statements() -> None:
    text = (
        "Auditors later found that no roofing work had been done on the estate.\n\n"
        "Nadia Orlov realised that the waste was a forecasting problem.\n\n"
        "Councillor Ebbe Strand said the contract would be cancelled on Monday."
    )
    quotes = extract(text)
    assert not has(quotes, "no roofing work"), texts(quotes)
    assert not has(quotes, "forecasting problem"), texts(quotes)
    assert has(quotes, "contract would be cancelled")
    # PolNeAR annotates findings: the attributions scope keeps them.
    assert has(extract(text, ATTRIBUTIONS), "no roofing work")


def test_a_negated_or_refused_cue_says_nothing() -> None:
    text = (
        "Tomas Vikander did not say whether the depot would close.\n\n"
        "His deputy, Ruth Amsel, declined to say how many drivers would lose their jobs.\n\n"
        "Vikander said the timetable would be published in March."
    )
    quotes = extract(text)
    assert not has(quotes, "depot would close"), texts(quotes)
    assert not has(quotes, "drivers would lose"), texts(quotes)
    assert has(quotes, "timetable would be published")


def test_the_question_put_to_a_speaker_is_not_their_statement() -> None:
    text = (
        "Asked whether she would stand for the leadership, Imke Daalder said she had no "
        "plans to leave the council.\n\n"
        "Told that the fans had booed his substitution, coach Aurelio Fenn laughed."
    )
    quotes = extract(text)
    assert not has(quotes, "would stand for the leadership"), texts(quotes)
    assert not has(quotes, "fans had booed"), texts(quotes)
    answer = next(q for q in quotes if "no plans to leave" in q.text)
    assert answer.speaker is not None and answer.speaker.entity is not None
    assert answer.speaker.entity.name == "Imke Daalder"


def test_a_passive_cue_names_who_was_told_not_who_spoke() -> None:
    text = (
        "Residents of Ferrow Lane were told that the water would be off for a week.\n\n"
        "It was announced that the school would reopen on Thursday."
    )
    quotes = extract(text)
    assert not has(quotes, "water would be off"), texts(quotes)
    assert has(quotes, "school would reopen")  # "it was announced" is a statement by someone


# -- a speaker is an agent ------------------------------------------------------------


def test_evidence_is_no_speaker() -> None:
    text = (
        "Figures from the Tarnvik statistics office suggest fares have risen 30% since "
        "2020.\n\n"
        "According to court filings, the van was parked at the quay that night.\n\n"
        "According to the mayor, Lise Brandvold, the new fares will start in May."
    )
    quotes = extract(text)
    assert not has(quotes, "fares have risen"), texts(quotes)
    assert not has(quotes, "van was parked"), texts(quotes)
    assert has(quotes, "new fares will start")
    assert has(extract(text, ATTRIBUTIONS), "van was parked")


# -- what sits in quotation marks -----------------------------------------------------


def test_nicknames_and_titles_are_not_quotes() -> None:
    text = (
        "Orla Brenning, known on the terraces as “the Iron Gate”, denied she would retire.\n\n"
        "Her memoir, “Cold Mornings”, describes the years she spent in the reserves.\n\n"
        "Locals have already nicknamed the bridge the “Wobbler”.\n\n"
        "“I have two good seasons left in me,” Brenning said."
    )
    quotes = extract(text)
    for name in ("the Iron Gate", "Cold Mornings", "Wobbler"):
        assert not any(q.text == name for q in quotes), texts(quotes)
    assert has(quotes, "two good seasons left")


def test_a_quoted_fragment_a_cue_governs_stays() -> None:
    quotes = extract("The opposition leader, Maren Tollefsen, called the plan “reckless”.")
    assert has(quotes, "reckless"), texts(quotes)


def test_words_described_as_something_are_still_words() -> None:
    text = "Councillor Bram Udeh described the budget as “a slow puncture for the town”."
    assert has(extract(text), "slow puncture"), texts(extract(text))


def test_a_quotation_without_cue_needs_a_clause() -> None:
    text = (
        "The study, published in the journal Cave Fauna, was led by Ilse Marken.\n\n"
        "“A blind salamander from the Corrow karst and its relatives”\n\n"
        "“We had no idea anything lived down there,” Marken said. “It changes the "
        "whole survey.”\n\n"
        "“Nobody had looked in the flooded passages before.”"
    )
    quotes = extract(text)
    assert not has(quotes, "blind salamander"), texts(quotes)
    assert has(quotes, "Nobody had looked")
    assert has(quotes, "whole survey")


def test_a_short_piece_after_the_cue_joins_its_quote() -> None:
    text = "“I would,” Pella Munro said to the crowd. “I would, honestly.”"
    quotes = extract(text)
    assert len(quotes) == 1, texts(quotes)
    assert [p.text for p in quotes[0].content] == ["I would,", "I would, honestly."]


# -- page furniture and pull quotes ---------------------------------------------------


def test_page_furniture_is_not_a_colon_statement() -> None:
    text = (
        "Posted: Tuesday 2 September 2025, 16:20\n"
        "Contact: Tarnby Record newsdesk, 555-0199, desk@tarnby.example\n"
        "Caption: Volunteers fill sandbags on Ferry Lane on Monday morning.\n\n"
        "Harbourmaster Gunnar Sollie said the sea wall had held overnight."
    )
    quotes = extract(text)
    assert texts(quotes) == ["the sea wall had held overnight"], texts(quotes)


def test_a_pull_quote_is_the_body_quote_again() -> None:
    text = (
        "The hospital's chief nurse, Bronwen Achterberg, said the new ward was overdue.\n\n"
        "“Forty beds is a plaster on a broken leg,” Achterberg said.\n\n"
        "“Forty beds is a plaster on a broken leg.”\n\n"
        "The ward opens in April."
    )
    quotes = extract(text)
    repeated = [q for q in quotes if "Forty beds" in q.text]
    assert len(repeated) == 1, texts(quotes)
    assert repeated[0].speaker is not None and repeated[0].speaker.entity is not None
    assert repeated[0].speaker.entity.name == "Bronwen Achterberg"


def test_a_headline_quote_is_no_pull_quote() -> None:
    text = (
        "Minister: ‘The ferry will sail again by spring’\n\n"
        "Transport Minister Edda Ravn said the ferry will sail again by spring, whatever "
        "the cost."
    )
    quotes = extract(text)
    assert has(quotes, "whatever")
    assert len([q for q in quotes if "ferry will sail" in q.text]) == 2, texts(quotes)


def test_a_name_given_with_called_is_no_quote() -> None:
    text = "Locals have called the footbridge the “Wobbler” since it opened in May."
    assert extract(text) == []


# -- clean display text ---------------------------------------------------------------


def test_display_text_drops_the_dangling_comma_and_joins_pieces() -> None:
    text = "“The repairs cannot wait,” said engineer Halvard Moe. “The bridge is failing.”"
    [quote] = extract(text)
    assert quote.text == "The repairs cannot wait … The bridge is failing."
    # The offsets stay exact: the first piece still ends at its comma.
    assert text[quote.content[0].start : quote.content[0].end] == "The repairs cannot wait,"


def test_a_multi_paragraph_quote_shows_as_paragraphs_without_stray_marks() -> None:
    text = (
        "Harbourmaster Gunnar Sollie said:\n\n"
        "“The wall held, and the pumps ran all night.\n\n"
        "“By morning the lane was dry again.”"
    )
    [quote] = extract(text)
    assert (
        quote.text
        == "The wall held, and the pumps ran all night.\n\nBy morning the lane was dry again."
    )


def test_a_headline_topic_is_no_speaker() -> None:
    text = (
        "Floods: Ferry Lane residents moved to the school hall overnight\n\n"
        "Harbourmaster Gunnar Sollie said the sea wall had held."
    )
    assert texts(extract(text)) == ["the sea wall had held"]


def test_a_that_clause_parsed_as_an_adverbial_is_still_the_content() -> None:
    text = (
        "Councillor Ebbe Strand tweeted in the early morning hours that the mayor was "
        "“hopeless” and “a fraud” and urged residents to read the report."
    )
    assert texts(extract(text)) == ["the mayor was “hopeless” and “a fraud”"]
