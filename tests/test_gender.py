"""Who gets quoted: quotes by speaker gender, per outlet and month, in the store, CLI, API, pages.

Also the filters that go with it: ``search --gender`` and the speakers list
without (and with ``--all``) the descriptions no article tied to anyone.
The store of most tests is built by hand (``Store.add``, no parsing) from
fictional people and outlets, so every count below can be read off
``build_gender_store``; ``test_ingested_articles_are_counted_by_gender``
runs the real extraction on short fictional articles.
"""

from __future__ import annotations

import doctest
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import saidwhat.server.charts
import saidwhat.store.gender
from saidwhat.cli import app
from saidwhat.model import (
    Article,
    Entity,
    EntityKind,
    ExtractedArticle,
    Gender,
    Quote,
    QuoteType,
    Span,
    Speaker,
)
from saidwhat.server import create_app
from saidwhat.store import Store
from saidwhat.store.gender import GenderCount, GenderGrouping, gender_counts
from saidwhat.store.search import (
    QuoteFilter,
    SearchError,
    search_quotes,
    speaker_total,
    top_speakers,
)

runner = CliRunner()

PERSON, ORG, GROUP = EntityKind.PERSON, EntityKind.ORGANISATION, EntityKind.GROUP
FEMALE, MALE = Gender.FEMALE, Gender.MALE
GAZETTE, COURIER = "Harwick Gazette", "Eastmoor Courier"


def person(
    name: str,
    gender: Gender | None = None,
    evidence: str | None = None,
    *,
    resolved: bool = True,
) -> Entity:
    return Entity(name, PERSON, gender=gender, gender_evidence=evidence, resolved=resolved)


def story(
    key: str,
    text: str,
    said: list[tuple[str, Entity | None]],
    *,
    outlet: str | None,
    published: str | None,
    confidence: dict[str, float] | None = None,
) -> ExtractedArticle:
    """An article whose quotes are the (words, speaker) pairs, found in ``text`` in order."""
    quotes = []
    at = 0
    for words, entity in said:
        start = text.index(words, at)
        at = start + len(words)
        quotes.append(
            Quote(
                content=(Span.of(text, start, at),),
                type=QuoteType.DIRECT,
                speaker=Speaker(None, entity) if entity else None,
                confidence=(confidence or {}).get(words, 0.9),
            )
        )
    article = Article(
        id=key,
        text=text,
        url=f"https://news.example/{key}",
        outlet=outlet,
        published=published,
        title=f"Story {key}",
    )
    return ExtractedArticle(article, tuple(quotes))


FERRY = (
    "“Fares will rise by a fifth in April,” Ms Nora Halloran said on Tuesday. “We held them "
    "for three years,” Ms Halloran said. “It will hurt my trade,” said Mr Desmond Okafor. "
    "“The new fares are fair,” the Harwick Port Authority said."
)
CLINIC = (
    "“We were told nothing,” said Margaret Ellery. One witness, a woman who lives on Mill "
    "Lane, said: “The queue went round the block.” “We will write to the board,” said Kim "
    "and Clark Moran. “It is a temporary measure,” said Peter Quinlan."
)
LIBRARY = (
    "“Nobody asked the readers,” said Quillon Ardsby. “We will keep the room open,” said "
    "Tamsin Vray. “The hours will be reviewed,” the Harwick Library Trust said. “Closed on "
    "Sundays,” read a notice on the door."
)
HARBOUR_WALL = (
    "“The wall will hold,” said Mr Okafor. “Repairs start next week,” a spokesman for the "
    "council said."
)
MOORINGS = "“The moorings are full,” said Ines Mardle."


def build_gender_store(path: Path) -> Path:
    """Two outlets, two months and an undated article; what each quote counts as is noted.

    Harwick Gazette: 3 women, 1 man, 1 unknown, 2 not a person, 1 without a speaker.
    Eastmoor Courier: 2 women, 3 men, 1 unknown, 1 not a person.
    """
    halloran = person("Nora Halloran", FEMALE, "honorific")
    okafor = person("Desmond Okafor", MALE, "honorific")
    with Store(path) as store:
        store.add(
            story(
                "ferry-fares",
                FERRY,
                [
                    ("Fares will rise by a fifth in April,", halloran),  # woman
                    ("We held them for three years,", halloran),  # woman
                    ("It will hurt my trade,", okafor),  # man
                    ("The new fares are fair,", Entity("Harwick Port Authority", ORG)),  # not
                ],
                outlet=GAZETTE,
                published="2025-03-04T09:30:00+00:00",
            )
        )
        store.add(
            story(
                "clinic-hours",
                CLINIC,
                [
                    ("We were told nothing,", person("Margaret Ellery", FEMALE, "first name")),
                    # An unnamed woman: a description of its own, counted as a woman.
                    (
                        "The queue went round the block.",
                        person("witness", FEMALE, "noun", resolved=False),
                    ),
                    (
                        "We will write to the board,",
                        Entity("Kim and Clark Moran", GROUP, members=("Kim Moran", "Clark Moran")),
                    ),  # a group: not a person
                    ("It is a temporary measure,", person("Peter Quinlan", MALE, "first name")),
                ],
                outlet=COURIER,
                published="2025-04-10",
                confidence={"The queue went round the block.": 0.4},
            )
        )
        store.add(
            story(
                "library",
                LIBRARY,
                [
                    ("Nobody asked the readers,", person("Quillon Ardsby")),  # unknown
                    ("We will keep the room open,", person("Tamsin Vray", FEMALE, "first name")),
                    ("The hours will be reviewed,", Entity("Harwick Library Trust", ORG)),
                    ("Closed on Sundays,", None),  # no speaker
                ],
                outlet=GAZETTE,
                published="2025-04-22",
            )
        )
        store.add(
            story(
                "harbour-wall",
                HARBOUR_WALL,
                [
                    ("The wall will hold,", okafor),  # man
                    ("Repairs start next week,", person("spokesman", MALE, "noun", resolved=False)),
                ],
                outlet=COURIER,
                published=None,  # undated
            )
        )
        store.add(
            story(
                "moorings",
                MOORINGS,
                # As a record loaded from Parquet has it: "unknown", not empty.
                [("The moorings are full,", person("Ines Mardle", Gender.UNKNOWN))],
                outlet=COURIER,
                published="2025-03-28",
            )
        )
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gender_store(tmp_path_factory.mktemp("gender") / "news.db")


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with Store(db, read_only=True) as opened:
        yield opened


def counts(row: GenderCount) -> tuple[int, int, int, int, int, int]:
    return row.female, row.male, row.unknown, row.persons, row.not_person, row.no_speaker


# -- the counting rules -------------------------------------------------------------------


def test_by_outlet_counts_people_only_and_reports_the_rest(store: Store) -> None:
    report = gender_counts(store, by=GenderGrouping.OUTLET)
    assert [(r.key, r.outlet, r.month) for r in report.rows] == [
        (COURIER, COURIER, None),  # most quotes by people first
        (GAZETTE, GAZETTE, None),
    ]
    courier, gazette = report.rows
    assert counts(gazette) == (3, 1, 1, 5, 2, 1)
    assert counts(courier) == (2, 3, 1, 6, 1, 0)
    assert gazette.share_female == 0.75 and courier.share_female == 0.4
    assert report.overall.key == "all" and counts(report.overall) == (5, 4, 2, 11, 3, 1)
    assert report.overall.share_female == 0.5556


def test_an_unresolved_person_counts_and_a_group_does_not(store: Store) -> None:
    only = gender_counts(store, QuoteFilter(article_id=_article(store, "clinic-hours")))
    # Margaret Ellery and the unnamed witness (a woman); Peter Quinlan; the Morans are a group.
    assert counts(only.overall) == (2, 1, 0, 3, 1, 0)


def test_a_loaded_unknown_gender_is_unknown(store: Store) -> None:
    only = gender_counts(store, QuoteFilter(article_id=_article(store, "moorings")))
    assert counts(only.overall) == (0, 0, 1, 1, 0, 0) and only.overall.share_female is None


def test_by_month_in_order_with_undated_last(store: Store) -> None:
    report = gender_counts(store, by=GenderGrouping.MONTH)
    assert [(r.key, r.month, r.outlet) for r in report.rows] == [
        ("2025-03", "2025-03", None),
        ("2025-04", "2025-04", None),
        ("undated", None, None),
    ]
    march, april, undated = report.rows
    assert counts(march) == (2, 1, 1, 4, 1, 0) and march.share_female == 0.6667
    assert counts(april) == (3, 1, 1, 5, 2, 1) and april.share_female == 0.75
    assert counts(undated) == (0, 2, 0, 2, 0, 0) and undated.share_female == 0.0
    assert counts(report.overall) == (5, 4, 2, 11, 3, 1)


def test_by_outlet_and_month(store: Store) -> None:
    report = gender_counts(store, by=GenderGrouping.BOTH)
    assert [r.key for r in report.rows] == [
        "Eastmoor Courier · 2025-03",
        "Eastmoor Courier · 2025-04",
        "Eastmoor Courier · undated",
        "Harwick Gazette · 2025-03",
        "Harwick Gazette · 2025-04",
    ]
    assert [counts(r) for r in report.rows] == [
        (0, 0, 1, 1, 0, 0),
        (2, 1, 0, 3, 1, 0),
        (0, 2, 0, 2, 0, 0),
        (2, 1, 0, 3, 1, 0),
        (1, 0, 1, 2, 1, 1),
    ]
    assert sum(r.persons for r in report.rows) == report.overall.persons == 11


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (QuoteFilter(outlet="eastmoor courier"), (2, 3, 1, 6, 1, 0)),
        (QuoteFilter(since="2025-04-01"), (3, 1, 1, 5, 2, 1)),  # undated articles are out
        (QuoteFilter(until="2025-03-31"), (2, 1, 1, 4, 1, 0)),
        (QuoteFilter(min_confidence=0.5), (4, 4, 2, 10, 3, 1)),  # the witness was 0.4
        (QuoteFilter(outlet=GAZETTE, since="2025-04-01"), (1, 0, 1, 2, 1, 1)),
        (QuoteFilter(outlet="Nowhere Times"), (0, 0, 0, 0, 0, 0)),
    ],
)
def test_filters(store: Store, where: QuoteFilter, expected: tuple[int, ...]) -> None:
    assert counts(gender_counts(store, where).overall) == expected


def test_bad_dates_say_which_option(store: Store) -> None:
    with pytest.raises(SearchError, match="--since takes a date as YYYY-MM-DD"):
        gender_counts(store, QuoteFilter(since="last spring"))


def test_an_empty_store_has_no_rows_and_no_share(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db") as empty:
        report = gender_counts(empty, by=GenderGrouping.MONTH)
    assert report.rows == [] and counts(report.overall) == (0, 0, 0, 0, 0, 0)
    assert report.overall.share_female is None


def test_search_by_gender_agrees_with_the_counts(store: Store) -> None:
    totals = {g: search_quotes(store, QuoteFilter(gender=g)).total for g in Gender}
    assert totals == {Gender.FEMALE: 5, Gender.MALE: 4, Gender.UNKNOWN: 2}
    women = search_quotes(store, QuoteFilter(gender=FEMALE), limit=10).hits
    assert {h.speaker_entity for h in women} == {
        "Nora Halloran",
        "Margaret Ellery",
        "witness",
        "Tamsin Vray",
    }
    unknown = search_quotes(store, QuoteFilter(gender=Gender.UNKNOWN)).hits
    assert {h.speaker_entity for h in unknown} == {"Quillon Ardsby", "Ines Mardle"}


def test_speakers_list_hides_unresolved_descriptions_unless_asked(store: Store) -> None:
    named = top_speakers(store, limit=50)
    everyone = top_speakers(store, limit=50, unresolved=True)
    assert len(named) == speaker_total(store) == 10
    assert len(everyone) == speaker_total(store, unresolved=True) == 12
    assert {s.name for s in everyone} - {s.name for s in named} == {"witness", "spokesman"}
    genders = {s.name: s.gender for s in everyone}
    assert genders["Nora Halloran"] == "female" and genders["witness"] == "female"
    assert genders["Desmond Okafor"] == "male" and genders["Quillon Ardsby"] == "unknown"
    assert genders["Ines Mardle"] == "unknown" and genders["Harwick Port Authority"] is None
    assert speaker_total(store, name="Okafor") == 1 and speaker_total(store, name="Nobody") == 0


def test_the_charts_and_counts_doctests_pass() -> None:
    assert doctest.testmod(saidwhat.store.gender).failed == 0
    assert doctest.testmod(saidwhat.server.charts).failed == 0


def _article(store: Store, key: str) -> int:
    return int(
        store.conn.execute("SELECT id FROM articles WHERE input_id = ?", (key,)).fetchone()[0]
    )


# -- the command line ----------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "160"})  # one line a row
    return result.exit_code, result.stdout, result.stderr


def table_rows(out: str) -> list[list[str]]:
    """The cells of each row of a printed table (the header's lines are drawn with ┃)."""
    return [[c.strip() for c in line.split("│")] for line in out.splitlines() if "│" in line]


def test_cli_gender_table(db: Path) -> None:
    code, out, err = run("gender", "--db", str(db))
    assert code == 0, err
    assert "who gets quoted, by outlet" in out
    assert table_rows(out) == [
        [COURIER, "2", "3", "1", "6", "40%", "1", "0"],
        [GAZETTE, "3", "1", "1", "5", "75%", "2", "1"],
        ["all", "5", "4", "2", "11", "56%", "3", "1"],
    ]
    assert "% women: of the quotes whose speaker's gender is known" in err
    code, out, _ = run("gender", "--db", str(db), "--by", "both", "--outlet", COURIER)
    assert code == 0 and "who gets quoted, by outlet and month" in out
    assert table_rows(out) == [
        [COURIER, "2025-03", "0", "0", "1", "1", "–", "0", "0"],
        [COURIER, "2025-04", "2", "1", "0", "3", "67%", "1", "0"],
        [COURIER, "undated", "0", "2", "0", "2", "0%", "0", "0"],
        ["all", "", "2", "3", "1", "6", "40%", "1", "0"],
    ]


def test_cli_gender_jsonl_by_month(db: Path) -> None:
    code, out, err = run("gender", "--db", str(db), "--by", "month", "-f", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["key"] for r in rows] == ["2025-03", "2025-04", "undated", "all"]
    assert rows[0] == {
        "key": "2025-03",
        "outlet": None,
        "month": "2025-03",
        "female": 2,
        "male": 1,
        "unknown": 1,
        "persons": 4,
        "not_person": 1,
        "no_speaker": 0,
        "share_female": 0.6667,
    }


def test_cli_gender_csv_with_filters(db: Path) -> None:
    code, out, err = run(
        "gender", "--db", str(db), "--outlet", GAZETTE, "--since", "2025-04-01", "-f", "csv"
    )
    assert code == 0, err
    assert out.splitlines() == [
        "key,outlet,month,female,male,unknown,persons,not_person,no_speaker,share_female",
        "Harwick Gazette,Harwick Gazette,,1,0,1,2,1,1,1.0",
        "all,,,1,0,1,2,1,1,1.0",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "weekday"], "'weekday' is not one of"),
        (["--since", "last spring"], "--since takes a date as YYYY-MM-DD, not 'last spring'"),
        (["--until", "2025-02-30"], "--until takes a date"),
        (["--min-confidence", "2"], "--min-confidence"),
    ],
)
def test_cli_gender_bad_input_is_a_clear_error(db: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["gender", "--db", str(db), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_cli_gender_with_no_quotes_by_people_says_so(tmp_path: Path, db: Path) -> None:
    empty = tmp_path / "empty.db"
    Store(empty).close()
    code, out, err = run("gender", "--db", str(empty))
    assert code == 0 and out == ""
    assert "no quotes by people in" in err
    code, out, err = run("gender", "--db", str(db), "--outlet", "Nowhere Times")
    assert code == 0 and "no quotes by people in" in err and "match the filters" in err
    code, out, _ = run("gender", "--db", str(empty), "-f", "jsonl")
    assert code == 0 and json.loads(out)["share_female"] is None


def test_cli_search_by_gender(db: Path) -> None:
    code, out, err = run("search", "--db", str(db), "--gender", "female", "-f", "jsonl")
    assert code == 0, err
    hits = [json.loads(line) for line in out.splitlines()]
    assert len(hits) == 5 and {h["speaker_entity"] for h in hits} >= {"witness", "Tamsin Vray"}
    code, out, _ = run("search", "--db", str(db), "--gender", "unknown", "--outlet", COURIER)
    assert code == 0 and re.search(r"\b1 quote\b", out) and "Ines Mardle" in out
    result = runner.invoke(app, ["search", "--db", str(db), "--gender", "woman"])
    assert result.exit_code == 2 and "'woman' is not one of" in " ".join(result.output.split())
    code, out, _ = run("search", "--help")
    assert "honorifics" in " ".join(out.split()) and "first-name dictionary" in " ".join(
        out.split()
    )


def test_cli_speakers_gender_column_and_all(db: Path) -> None:
    code, out, err = run("speakers", "--db", str(db), "-n", "50")
    assert code == 0, err
    assert "10 speakers by quotes" in out and "gender" in out
    assert "witness" not in out and "spokesman" not in out
    okafor = next(line for line in out.splitlines() if "Desmond Okafor" in line)
    assert okafor.split()[3:5] == ["person", "male"]  # #, name (two words), kind, gender
    code, out, _ = run("speakers", "--db", str(db), "-n", "50", "--all")
    assert code == 0 and "12 speakers by quotes" in out
    assert "witness (unresolved)" in out
    code, out, _ = run("speakers", "--db", str(db), "--all", "-f", "jsonl", "-n", "50")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 12 and {r["name"] for r in rows if not r["resolved"]} == {
        "witness",
        "spokesman",
    }
    code, out, err = run("speakers", "--db", str(db), "-n", "4")
    assert code == 0 and "showing 1–4 of 10" in err


def test_help_lists_gender_after_speakers() -> None:
    code, out, _ = run("--help")
    assert code == 0 and out.index("speakers") < out.index("gender") < out.index("export")


# -- the API -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as test_client:
        yield test_client


def test_api_gender_by_outlet(client: TestClient) -> None:
    data = client.get("/api/gender").json()
    assert data["by"] == "outlet"
    assert [(r["key"], r["female"], r["male"], r["unknown"]) for r in data["rows"]] == [
        (COURIER, 2, 3, 1),
        (GAZETTE, 3, 1, 1),
    ]
    assert data["overall"]["persons"] == 11 and data["overall"]["not_person"] == 3
    assert data["overall"]["share_female"] == 0.5556


@pytest.mark.parametrize(
    ("params", "keys", "persons"),
    [
        ({"by": "month"}, ["2025-03", "2025-04", "undated"], 11),
        ({"by": "month", "outlet": COURIER}, ["2025-03", "2025-04", "undated"], 6),
        (
            {"by": "both", "since": "2025-04-01"},
            [f"{COURIER} · 2025-04", f"{GAZETTE} · 2025-04"],
            5,
        ),
        ({"until": "2025-03-31"}, [GAZETTE, COURIER], 4),  # 3 quotes by people, then 1
        ({"min_confidence": 0.5}, [COURIER, GAZETTE], 10),
        ({"outlet": "Nowhere Times"}, [], 0),
    ],
)
def test_api_gender_groupings_and_filters(
    client: TestClient, params: dict[str, Any], keys: list[str], persons: int
) -> None:
    response = client.get("/api/gender", params=params)
    assert response.status_code == 200
    data = response.json()
    assert [r["key"] for r in data["rows"]] == keys and data["overall"]["persons"] == persons


@pytest.mark.parametrize(
    "params",
    [{"by": "weekday"}, {"since": "last spring"}, {"until": "2025-02-30"}, {"min_confidence": 2}],
)
def test_api_gender_refuses_bad_parameters(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/api/gender", params=params)
    assert response.status_code == 422 and response.json()["detail"]


def test_api_quotes_by_gender(client: TestClient) -> None:
    for gender, total in (("female", 5), ("male", 4), ("unknown", 2)):
        assert client.get("/api/quotes", params={"gender": gender}).json()["total"] == total
    males = client.get("/api/quotes", params={"gender": "male", "outlet": COURIER}).json()
    assert {h["speaker_entity"] for h in males["items"]} == {
        "Desmond Okafor",
        "Peter Quinlan",
        "spokesman",
    }
    assert client.get("/api/quotes", params={"gender": "woman"}).status_code == 422


def test_api_speakers_all_and_totals(client: TestClient) -> None:
    named = client.get("/api/speakers", params={"limit": 4}).json()
    assert named["total"] == 10 and len(named["items"]) == 4
    assert all(s["resolved"] for s in named["items"])
    everyone = client.get("/api/speakers", params={"all": "true", "limit": 50}).json()
    assert everyone["total"] == len(everyone["items"]) == 12
    witness = next(s for s in everyone["items"] if s["name"] == "witness")
    assert witness["gender"] == "female" and witness["resolved"] is False
    assert client.get("/api/speakers", params={"name": "Okafor"}).json()["total"] == 1


# -- the pages -----------------------------------------------------------------------------


def test_gender_page_has_the_charts_and_the_numbers(client: TestClient) -> None:
    html = client.get("/gender").text
    assert '<a href="/gender">Who gets quoted</a>' in html
    assert 'id="headline"' in html and "<strong>56%</strong>" in html
    assert '<svg class="gender-bars" id="gender-bars"' in html
    assert html.count('<rect class="seg female"') == 2 and html.count('<rect class="seg male"') == 2
    assert "women 33% · men 50% · unknown 17% of 6 quotes by people" in html  # the Courier
    assert '<svg class="share-timeline" id="share-timeline"' in html
    assert html.count('<rect class="share-bar"') == 2  # March and April; undated is not drawn
    assert "2 quotes by people in undated articles not shown" in html
    assert 'id="gender-by-outlet"' in html and 'id="gender-by-month"' in html


def test_gender_page_filters_and_errors(client: TestClient) -> None:
    html = client.get("/gender", params={"outlet": GAZETTE}).text
    assert "women 60% · men 20% · unknown 20% of 5 quotes by people" in html
    assert COURIER not in html.split('id="gender-bars"')[1].split("</svg>")[0]
    empty = client.get("/gender", params={"outlet": "Nowhere Times"})
    assert empty.status_code == 200 and "No quotes by people match these filters." in empty.text
    bad = client.get("/gender", params={"since": "last spring"})
    assert bad.status_code == 400 and "since takes a date as YYYY-MM-DD" in bad.text
    assert client.get("/gender", params={"min_confidence": "lots"}).status_code == 400


def test_gender_page_of_an_empty_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    Store(empty).close()
    with TestClient(create_app(empty)) as fresh:
        response = fresh.get("/gender")
    assert response.status_code == 200
    assert "No quotes by people in the store yet." in response.text
    assert "<svg" not in response.text


def test_search_page_filters_by_gender(client: TestClient) -> None:
    html = client.get("/", params={"gender": "unknown"}).text
    assert '<p class="count" id="count">2 quotes</p>' in html
    assert '<option value="unknown" selected>unknown</option>' in html
    bad = client.get("/", params={"gender": "woman"})
    assert bad.status_code == 400 and "gender must be one of female, male, unknown" in bad.text


def test_speakers_page_gender_column_and_all(client: TestClient) -> None:
    html = client.get("/speakers").text
    assert "<th>gender</th>" in html and ">witness</a>" not in html
    assert "1–10 of 10 speakers" in html
    everyone = client.get("/speakers", params={"all": "1"}).text
    assert ">witness</a>" in everyone and "1–12 of 12 speakers" in everyone
    assert '<span class="unresolved">unresolved</span>' in everyone
    assert 'name="all" value="1" checked' in everyone


# -- the real extraction -------------------------------------------------------------------


ARTICLES = [
    {
        "id": "fares",
        "outlet": GAZETTE,
        "published": "2025-03-04",
        "text": "Harwick ferry fares to rise\n\n"
        "“We held fares for three years and cannot hold them any longer,” Ms Nora Halloran, "
        "the harbour board's chair, said on Tuesday.\n\n"
        "“Half my customers come over on the early boat,” said Mr Desmond Okafor, who runs "
        "the Eastside cafe.\n\n"
        "The Harwick Port Authority said in a statement that the new fares were fair.",
    },
    {
        "id": "clinic",
        "outlet": COURIER,
        "published": "2025-04-10",
        "text": "Clinic hours cut\n\n"
        "“We were told nothing until the letter came,” said Margaret Ellery, a patient at "
        "the Brookside clinic.\n\n"
        "One witness, a woman who lives on Mill Lane, said: “The queue went round the "
        "block.”\n\n"
        "“It is a temporary measure,” said Peter Quinlan, the clinic's manager.",
    },
    {
        "id": "library",
        "outlet": GAZETTE,
        "published": "2025-04-22",
        "text": "Library to close early\n\n"
        "“Nobody asked the readers,” said Quillon Ardsby, who volunteers at the library.\n\n"
        "“We will keep the room open,” said Tamsin Vray.\n\n"
        "The Harwick Library Trust said the hours would be reviewed.",
    },
]


def test_ingested_articles_are_counted_by_gender(tmp_path: Path) -> None:
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    db = tmp_path / "news.db"
    result = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    code, out, err = run("gender", "--db", str(db), "-f", "jsonl")
    assert code == 0, err
    rows = {r["key"]: r for r in map(json.loads, out.splitlines())}
    # Ms Halloran (honorific), Tamsin Vray (first name); Mr Okafor; Quillon Ardsby (unknown);
    # the Port Authority and the Library Trust are not people.
    gazette = rows[GAZETTE]
    assert (gazette["female"], gazette["male"], gazette["unknown"]) == (2, 1, 1)
    assert gazette["not_person"] == 2
    # Margaret Ellery (first name) and the unnamed witness, a woman; Peter Quinlan.
    courier = rows[COURIER]
    assert (courier["female"], courier["male"], courier["unknown"], courier["not_person"]) == (
        2,
        1,
        0,
        0,
    )
    code, out, _ = run("search", "--db", str(db), "--gender", "female", "-f", "jsonl")
    women = {json.loads(line)["speaker_entity"] for line in out.splitlines()}
    assert women == {"Nora Halloran", "Margaret Ellery", "witness", "Tamsin Vray"}
    code, out, _ = run("speakers", "--db", str(db), "-f", "jsonl")
    assert "witness" not in {json.loads(line)["name"] for line in out.splitlines()}
