"""Quotes and speakers end to end on short texts (fictional people and places)."""

from __future__ import annotations

import pytest

from saidwhat import Article, Quote, QuoteType, extract, extract_articles


def find(quotes: list[Quote], fragment: str) -> Quote:
    for quote in quotes:
        if any(fragment in part.text for part in quote.content):
            return quote
    raise AssertionError(f"no quote containing {fragment!r} in {[q.content_text for q in quotes]}")


def speaker_name(quote: Quote) -> str | None:
    if quote.speaker is None or quote.speaker.entity is None:
        return None
    return quote.speaker.entity.name


def test_cue_after_the_quote() -> None:
    quotes = extract("“The bridge will open in May,” said Mayor Elena Varga.")
    [quote] = quotes
    assert quote.type is QuoteType.DIRECT
    assert speaker_name(quote) == "Elena Varga"
    assert quote.cue is not None and quote.cue.text == "said"


def test_speaker_before_colon() -> None:
    text = "Council leader Tomas Brandt said: “We cannot afford another delay.”"
    quote = find(extract(text), "another delay")
    assert speaker_name(quote) == "Tomas Brandt"
    assert quote.speaker is not None and quote.speaker.mention is not None
    assert quote.speaker.mention.text == "Council leader Tomas Brandt"


def test_pronoun_after_quote_resolves_to_earlier_person() -> None:
    text = (
        "Finance minister Olga Marsh presented the budget on Tuesday.\n"
        "“This is a budget for growth,” she told MPs."
    )
    quote = find(extract(text), "budget for growth")
    assert speaker_name(quote) == "Olga Marsh"
    assert quote.speaker is not None and quote.speaker.mention is not None
    assert quote.speaker.mention.text == "she"


def test_pronoun_respects_gender() -> None:
    text = (
        "Mr Peter Hollis met Ms Dana Kirsch at the port.\n"
        "Ms Kirsch said the deal was close.\n"
        "Mr Hollis said the talks had been hard.\n"
        "She added: “We expect to sign it next week.”"
    )
    quote = find(extract(text), "sign it next week")
    assert speaker_name(quote) == "Dana Kirsch"


def test_title_and_full_name_are_one_entity() -> None:
    text = (
        "Rafael Quint, the harbour master, said the tide was the highest in years.\n"
        "Mr Quint added: “We closed the gates just in time.”"
    )
    quotes = extract(text)
    assert speaker_name(find(quotes, "closed the gates")) == "Rafael Quint"


def test_quote_only_paragraph_inherits_speaker() -> None:
    text = (
        "Coach Ines Falk said: “We played with courage.”\n"
        "“The second half showed what this squad can do.”"
    )
    quote = find(extract(text), "second half")
    assert speaker_name(quote) == "Ines Falk"
    assert quote.cue is None


def test_cue_splitting_a_quote_gives_one_quote_with_two_parts() -> None:
    text = "“We will rebuild the pier,” said Ines Falk. “It will take two years.”"
    [quote] = extract(text)
    assert [p.text for p in quote.content] == [
        "We will rebuild the pier,",
        "It will take two years.",
    ]
    assert speaker_name(quote) == "Ines Falk"


def test_multi_paragraph_quote_is_one_quote() -> None:
    text = (
        "A spokeswoman for the Ministry of Transport said: “The line will close on Friday.\n"
        "“Buses will replace trains for two weeks.\n"
        "“We apologise for the disruption.”"
    )
    [quote] = extract(text)
    assert quote.content[0].text.startswith("The line will close")
    assert quote.content[-1].text.endswith("disruption.")
    assert speaker_name(quote) == "Ministry of Transport"


def test_institution_alias() -> None:
    text = "No10 said: “The Prime Minister has full confidence in the chancellor.”"
    [quote] = extract(text)
    assert speaker_name(quote) == "Downing Street"


def test_reported_speech_with_that() -> None:
    text = "Ida Moen insisted that the council had followed every rule."
    [quote] = extract(text)
    assert quote.type is QuoteType.INDIRECT
    assert quote.content[0].text == "the council had followed every rule"
    assert speaker_name(quote) == "Ida Moen"
    assert quote.cue is not None and quote.cue.text == "insisted"


def test_reported_speech_cue_after() -> None:
    text = "The harbour will reopen next month, officials said."
    [quote] = extract(text)
    assert quote.content[0].text == "The harbour will reopen next month"
    assert quote.speaker is not None and quote.speaker.mention is not None
    assert quote.speaker.mention.text == "officials"


def test_mixed_quote() -> None:
    text = "Ida Moen said the plan was “a disgrace” and should be withdrawn."
    [quote] = extract(text)
    assert quote.type is QuoteType.MIXED
    assert "“a disgrace”" in quote.content[0].text


def test_scare_quotes_are_not_speech() -> None:
    text = "The so-called ‘Harbour Alliance’ met again on Monday to discuss the budget."
    assert extract(text) == []


def test_boilerplate_line_gives_no_quote() -> None:
    text = (
        "READ MORE: Council ‘at odds with our values’, says angry resident\n"
        "The market reopened on Saturday."
    )
    assert extract(text) == []


def test_one_bad_mark_does_not_lose_the_article() -> None:
    text = (
        "Jon Brask said: “This quote never closes\n"
        "The council met on Monday.\n"
        "“We are ready for the vote,” said Ida Moen."
    )
    quote = find(extract(text), "ready for the vote")
    assert speaker_name(quote) == "Ida Moen"


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n ", "No quotes here at all.", "“", "”“”‘’'\"", "A" * 5000],
)
def test_degenerate_texts_do_not_crash(text: str) -> None:
    for quote in extract(text):
        for part in quote.content:
            assert text[part.start : part.end] == part.text


def test_every_span_points_into_the_text() -> None:
    text = (
        "Mayor Elena Varga said: “The bridge will open in May.”\n"
        "“It is on budget,” she added, “and on time.”\n"
        "According to the council, the bridge cost £12m."
    )
    quotes = extract(text)
    assert len(quotes) >= 3
    for quote in quotes:
        spans = [*quote.content]
        if quote.cue:
            spans.append(quote.cue)
        if quote.speaker and quote.speaker.mention:
            spans.append(quote.speaker.mention)
        for span in spans:
            assert 0 <= span.start <= span.end <= len(text)
            assert text[span.start : span.end] == span.text
        assert 0.0 <= quote.confidence <= 1.0
        assert quote.evidence


def test_dash_names_the_speaker() -> None:
    text = "“The ferry is the lifeline of this island.” ― Marta Quill\n“Fix it.” ― Olav Brede"
    quotes = extract(text)
    assert [speaker_name(q) for q in quotes] == ["Marta Quill", "Olav Brede"]


def test_attribution_with_abbreviations_after_the_quote() -> None:
    text = "“We will not back down,” Rep. Ida Moen (H-Wes.) said Friday."
    [quote] = extract(text)
    assert speaker_name(quote) == "Ida Moen"
    assert quote.cue is not None and quote.cue.text == "said"


def test_question_then_pronoun_cue() -> None:
    text = "Mayor Elena Varga spoke first.\n“Who pays for the bridge?” she asks."
    quote = find(extract(text), "Who pays")
    assert quote.cue is not None and quote.cue.text == "asks"
    assert speaker_name(quote) == "Elena Varga"


def test_role_description_resolves_to_the_titled_person() -> None:
    text = (
        "Prime Minister Aldric Penhallow arrived in Brannoch on Tuesday.\n"
        "Mr Penhallow said the talks would take time.\n"
        "The Prime Minister added: “Nobody should expect a treaty by Friday.”"
    )
    quotes = extract(text)
    assert {speaker_name(q) for q in quotes} == {"Aldric Penhallow"}


def test_possessor_is_not_the_speaker() -> None:
    text = "Mayor Elena Varga opened the bridge.\nMs Varga’s critics say the budget is unrealistic."
    quote = find(extract(text), "budget is unrealistic")
    assert speaker_name(quote) != "Elena Varga"


def test_fragment_followed_by_another_quote_regression() -> None:
    """A fragment's content may run past the next quotation; joining must not crash."""
    text = (
        "Ida Moen said that “ferry people” “do a fantastic job,” she said. "
        "“And it matters,” she added."
    )
    for quote in extract(text):
        for part in quote.content:
            assert text[part.start : part.end] == part.text


def test_relative_pronoun_speaker_resolves_to_its_noun() -> None:
    text = "The plan was backed by Ida Moen, who insisted that the ferry would run all winter."
    quote = find(extract(text), "ferry would run")
    assert quote.speaker is not None and quote.speaker.mention is not None
    assert quote.speaker.mention.text == "who"
    assert speaker_name(quote) == "Ida Moen"


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        (
            "Penhallow: Border talks will not be rushed\n"
            "Foreign Minister Aled Penhallow said the talks would take months.",
            "Penhallow",
            "Border talks will not be rushed",
        ),
        (
            "VARGA: We never promised a bridge by May.\nMOEN: You did.",
            "VARGA",
            "We never promised a bridge by May",
        ),
    ],
)
def test_name_and_colon_open_a_statement(text: str, speaker: str, content: str) -> None:
    quote = find(extract(text), content)
    assert quote.content[0].text == content
    assert quote.speaker is not None and quote.speaker.mention is not None
    assert quote.speaker.mention.text == speaker


@pytest.mark.parametrize(
    "text", ["READ MORE: Council backs the new bridge plan", "Photo: Ida Moen at the harbour gate"]
)
def test_labels_with_a_colon_are_not_statements(text: str) -> None:
    assert extract(text) == []


def test_noun_cue_with_a_source() -> None:
    text = "Ida Moen repeated her claim that the ferry contract had been rigged."
    quote = find(extract(text), "ferry contract had been rigged")
    assert speaker_name(quote) == "Ida Moen"


def test_noun_cue_without_a_source_is_not_a_statement() -> None:
    text = "There are widespread fears that the ferry contract will collapse."
    assert extract(text) == []


def test_second_cue_coordinated_into_the_reported_clause() -> None:
    text = (
        "The city transport authority said the rotas met national rules and warned that a "
        "strike would punish passengers."
    )
    quotes = extract(text)
    contents = sorted(q.content[0].text for q in quotes)
    assert contents == ["a strike would punish passengers", "the rotas met national rules"]
    assert {speaker_name(q) for q in quotes} == {"city transport authority"}


def test_name_in_apposition_missed_by_ner() -> None:
    text = "Its director of operations, Piers Landry, said he was disappointed by the vote."
    [quote] = extract(text)
    assert speaker_name(quote) == "Piers Landry"


@pytest.mark.parametrize(
    "text",
    [
        "Ida Moen said that the council will “win",  # regression: unclosed mark at the very end
        "Ida Moen said that “the council will win",
        "“Ida Moen said that the council will win",
    ],
)
def test_unclosed_mark_at_end_of_text(text: str) -> None:
    [result] = extract_articles([Article(id="t", text=text)])
    assert result.error is None
    for quote in result.quotes:
        for part in quote.content:
            assert 0 <= part.start <= part.end <= len(text)
            assert text[part.start : part.end] == part.text


def test_possessive_role_belongs_to_the_last_institution() -> None:
    text = (
        "The Harbour Authority said the gates would stay shut.\n"
        "Its director told reporters that repairs would take a week."
    )
    quote = find(extract(text), "repairs would take a week")
    assert speaker_name(quote) == "Harbour Authority"


def test_quotation_coordinated_with_a_reported_clause_joins_it() -> None:
    text = (
        "Ida Moen is claiming that ferry fraud is “a big, big problem” but "
        "“nobody has the courage to talk about it.”"
    )
    [quote] = extract(text)
    assert quote.type is QuoteType.MIXED
    assert quote.content[-1].text.endswith("talk about it.”")
    assert speaker_name(quote) == "Ida Moen"


def test_cue_inside_the_statement_gives_one_quote_in_two_parts() -> None:
    text = "Mayor Elena Varga opened the bridge.\nThe plan, she said, is finished and paid for."
    quote = find(extract(text), "The plan")
    assert [p.text for p in quote.content] == ["The plan", "is finished and paid for"]
    assert quote.cue is not None and quote.cue.text == "said"
    assert speaker_name(quote) == "Elena Varga"


def test_passive_cue_has_no_speaker() -> None:
    text = "It was announced on Monday that the ferry would stop running in winter."
    [quote] = extract(text)
    assert "the ferry would stop running in winter" in quote.content[0].text
    assert quote.cue is not None and quote.cue.text == "was announced"
    assert speaker_name(quote) is None


def test_according_to_after_the_content() -> None:
    text = "The harbour will reopen next month, according to harbour officials."
    [quote] = extract(text)
    assert quote.content[0].text == "The harbour will reopen next month"
    assert quote.cue is not None and quote.cue.text == "according to"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "Mayor Ilse Varga said the bridge would reopen in May, "
            "although she gave no date for the new tolls.",
            "the bridge would reopen in May",
        ),
        (
            "The harbour board said the dredging would cost 4 million euros, "
            "which is twice the first estimate.",
            "the dredging would cost 4 million euros",
        ),
    ],
)
def test_trailing_aside_is_not_reported_content(text: str, content: str) -> None:
    [quote] = extract(text)
    assert [part.text for part in quote.content] == [content]


def test_rules_only_path_without_the_shipped_model() -> None:
    """Without the model, the cue lexicon and the clause rule still report speech."""
    from saidwhat.model import Rule
    from saidwhat.pipeline import Extractor

    text = "Ida Moen insisted that the council had followed every rule, which few believed."
    [quote] = Extractor(model=None).extract(text)
    assert quote.content[0].text == "the council had followed every rule"
    assert quote.rule is Rule.LEXICON_CLAUSE
    assert speaker_name(quote) == "Ida Moen"


def test_described_name_is_a_person_and_its_surname_follows() -> None:
    """The small NER calls "nurse Petra Sand" an organisation; the description settles it."""
    text = (
        "The clinic will close on Sundays, nurse Petra Sand said on Monday.\n\n"
        "“We cannot staff it,” Sand told the Harwick Gazette."
    )
    quotes = extract(text)
    assert [speaker_name(q) for q in quotes] == ["Petra Sand", "Petra Sand"]
    assert quotes[0].speaker is not None and quotes[0].speaker.entity is not None
    assert quotes[0].speaker.entity.role == "nurse"


def test_described_institution_stays_an_institution() -> None:
    [quote] = extract("“Fares will rise in May,” ferry firm Harwick Lines said on Monday.")
    assert quote.speaker is not None and quote.speaker.entity is not None
    assert quote.speaker.entity.name == "Harwick Lines"
    assert quote.speaker.entity.kind.value == "organisation"


def test_a_first_name_the_recogniser_left_out_stays_with_the_person() -> None:
    # The small model tags only "Marlowe" as a person; the parse joins "Ines" to it.
    text = (
        "Ines Marlowe walks her dog past the quarry gate every morning.\n"
        "“The dust never settles,” she said.\n"
    )
    [quote] = extract(text)
    assert speaker_name(quote) == "Ines Marlowe"


def test_a_listener_and_a_colon_before_a_quotation_are_not_its_words() -> None:
    """'told TLN News: “…”': when the parser hangs the quotation under the listener, the
    verb's phrase (listener, colon, quotation) is no reported content of its own."""
    from saidwhat.nlp import load_pipeline
    from saidwhat.quotes.learned import ContentOption
    from saidwhat.quotes.marks import find_quoted_regions
    from saidwhat.quotes.reported import _after_colon
    from saidwhat.settings import Settings

    text = "Oskar Holt told TLN News: “My brother did not do it.”"
    doc = load_pipeline(Settings().model)(text)
    regions = find_quoted_regions(text)
    told = next(t.i for t in doc if t.text == "told")
    listener = ContentOption(told, (told, told + 1), told + 1, len(doc) - 1, "rest")
    colon = next(t.i for t in doc if t.text == ":")
    assert _after_colon(doc, listener, regions).first == colon + 1
    # A phrase with quoted words inside it, not after a colon, is still reported content.
    text = "Oskar Holt told TLN News the plan was “dead on arrival”."
    doc = load_pipeline(Settings().model)(text)
    told = next(t.i for t in doc if t.text == "told")
    phrase = ContentOption(told, (told, told + 1), told + 1, len(doc) - 2, "rest")
    assert _after_colon(doc, phrase, find_quoted_regions(text)) == phrase
