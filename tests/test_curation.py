"""Curation: a researcher merges, renames, splits and hides speakers, and the edits stay.

The store is built by hand (``Store.add`` of ``ExtractedArticle``s, as
``tests/test_server.py`` does) from fictional people and outlets; each test
edits it, then checks that a new article, ``relink()`` and a knowledge-base
round trip all keep the edit.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from saidwhat.cli import app as cli_app
from saidwhat.model import EntityKind, ExtractedArticle
from saidwhat.server import create_app
from saidwhat.store import Store
from saidwhat.store.curation import (
    SpeakerEditError,
    hide,
    knowledge_base,
    merge,
    rename,
    resolve_speaker,
    split,
)
from saidwhat.store.export import ExportFormat, export_store
from saidwhat.store.identity import read_knowledge_base, write_knowledge_base
from saidwhat.store.schema import MIGRATIONS, _statements
from saidwhat.store.search import QuoteFilter, search_quotes, top_speakers
from tests.test_server import TOKEN, XSS, article, said

BRIDGE = "“The bridge will open in May,” said councillor Ilse Varga on Monday."
WINTER = "“The ferry must run all winter,” I. Varga said. “Nobody will be stranded,” she added."
FERRY_AGAIN = "Ilse Varga repeated: “The ferry must run all winter.”"
COUNCIL = "“Rents will be frozen until spring,” Harwick Council said in a statement."
BOROUGH = "Harwick Borough Council said: “Rents will be frozen until spring.”"
BERG = "“The harbour dues will not rise,” said Tomas Berg, the harbour master."


def _articles() -> list[ExtractedArticle]:
    """Five stories of fictional Harwick: two Vargas taken for one, one council taken for two."""
    return [
        article(
            "bridge",
            BRIDGE,
            [said(BRIDGE, "The bridge will open in May,", "Ilse Varga", mention="Ilse Varga")],
            published="2025-03-03",
        ),
        article(
            "winter",
            WINTER,
            [
                said(WINTER, "The ferry must run all winter,", "I. Varga", mention="I. Varga"),
                said(WINTER, "Nobody will be stranded,", "I. Varga", mention="she"),
            ],
            outlet="Eastmoor Courier",
            published="2025-03-05",
        ),
        article(
            "ferry-again",
            FERRY_AGAIN,
            [said(FERRY_AGAIN, "The ferry must run all winter.", "Ilse Varga", mention="Ilse")],
            published="2025-03-06",
        ),
        article(
            "council",
            COUNCIL,
            [
                said(
                    COUNCIL,
                    "Rents will be frozen until spring,",
                    "Harwick Council",
                    kind=EntityKind.ORGANISATION,
                    mention="Harwick Council",
                )
            ],
            published="2025-03-07",
        ),
        article(
            "borough",
            BOROUGH,
            [
                said(
                    BOROUGH,
                    "Rents will be frozen until spring.",
                    "Harwick Borough Council",
                    kind=EntityKind.ORGANISATION,
                    mention="Harwick Borough Council",
                )
            ],
            outlet="Eastmoor Courier",
            published="2025-03-08",
        ),
        article(
            "berg",
            BERG,
            [said(BERG, "The harbour dues will not rise,", "Tomas Berg", mention="Tomas Berg")],
            published="2025-03-09",
        ),
    ]


def _store(path: Path) -> Store:
    store = Store(path)
    for item in _articles():
        store.add(item)
    return store


def _later(key: str, name: str, kind: EntityKind = EntityKind.PERSON) -> ExtractedArticle:
    """A new article, after the edit, that names ``name``."""
    text = f"“We have heard nothing new from the ministry about {key},” said {name}."
    content = f"We have heard nothing new from the ministry about {key},"
    return article(
        f"later-{key}", text, [said(text, content, name, kind=kind, mention=name)], published=None
    )


def _speaker_of(store: Store, input_id: str) -> tuple[int, str]:
    row = store.conn.execute(
        "SELECT s.id, s.name FROM quotes q JOIN articles a ON a.id = q.article_id"
        " JOIN speakers s ON s.id = q.speaker_id WHERE a.input_id = ? ORDER BY q.seq LIMIT 1",
        (input_id,),
    ).fetchone()
    return int(row["id"]), row["name"]


def _quotes_by_speaker(store: Store) -> dict[str, int]:
    return {
        r["name"]: int(r["n"])
        for r in store.conn.execute(
            "SELECT s.name, count(q.id) AS n FROM speakers s JOIN quotes q ON q.speaker_id = s.id"
            " GROUP BY s.id"
        )
    }


def _statements_of(store: Store, speaker_id: int) -> list[tuple[int, int]]:
    """(quotes, articles) of each statement of the speaker."""
    return sorted(
        (int(r["quotes"]), int(r["articles"]))
        for r in store.conn.execute(
            "SELECT quotes, articles FROM statements WHERE speaker_id = ?", (speaker_id,)
        )
    )


def _assert_statements_consistent(store: Store) -> None:
    """Every quote in one statement, counted there, and no statement across two speakers."""
    assert (
        store.conn.execute("SELECT count(*) FROM quotes WHERE statement_id IS NULL").fetchone()[0]
        == 0
    )
    for row in store.conn.execute("SELECT id, speaker_id, quotes, articles FROM statements"):
        members = store.conn.execute(
            "SELECT count(*), count(DISTINCT article_id) FROM quotes WHERE statement_id = ?",
            (row["id"],),
        ).fetchone()
        assert tuple(members) == (row["quotes"], row["articles"]), dict(row)
        speakers = {
            r[0]
            for r in store.conn.execute(
                "SELECT DISTINCT speaker_id FROM quotes WHERE statement_id = ? AND speaker_id"
                " IS NOT NULL",
                (row["id"],),
            )
        }
        assert speakers <= {row["speaker_id"]}, dict(row)
    keyed = store.conn.execute(
        "SELECT count(*) FROM speaker_keys k JOIN quotes q ON q.id = k.quote_id"
        " WHERE k.speaker_id IS NOT q.speaker_id"
    ).fetchone()[0]
    assert keyed == 0  # a quote's keys are under its speaker now


def test_the_machine_got_it_wrong_before_any_edit(tmp_path: Path) -> None:
    """What the edits below fix: I. Varga taken for Ilse, one council stored as two."""
    with _store(tmp_path / "news.db") as store:
        assert _quotes_by_speaker(store) == {
            "Ilse Varga": 4,
            "Harwick Council": 1,
            "Harwick Borough Council": 1,
            "Tomas Berg": 1,
        }


def test_merge_moves_quotes_joins_statements_and_survives_ingest_and_relink(
    tmp_path: Path,
) -> None:
    with _store(tmp_path / "news.db") as store:
        council = resolve_speaker(store, "Harwick Council")
        borough = resolve_speaker(store, "Harwick Borough Council")
        assert len(_statements_of(store, council) + _statements_of(store, borough)) == 2
        edit = merge(store, council, [borough])
        assert edit.message == f"merged 1 speaker into Harwick Council (#{council}): 1 quote moved"
        assert _quotes_by_speaker(store)["Harwick Council"] == 2
        assert "Harwick Borough Council" not in _quotes_by_speaker(store)
        assert _statements_of(store, council) == [(2, 2)]  # one statement now, in two articles
        _assert_statements_consistent(store)
        store.add(_later("rents", "Harwick Borough Council", EntityKind.ORGANISATION))
        assert _speaker_of(store, "later-rents") == (council, "Harwick Council")
        store.relink()
        assert _statements_of(store, council) == [(1, 1), (2, 2)]
        assert _quotes_by_speaker(store)["Harwick Council"] == 3
        [logged] = store.conn.execute(
            "SELECT action, speaker_id, other_id, detail FROM speaker_edits"
        )
        assert tuple(logged)[:3] == ("merge", council, borough)
        assert json.loads(logged["detail"])["quotes_moved"] == 1


def test_a_merged_away_name_lands_on_its_speaker_whatever_kind_an_article_guesses(
    tmp_path: Path,
) -> None:
    """The council once taken for a person: merged into the council, it stays the council's."""
    with _store(tmp_path / "news.db") as store:
        store.add(_later("parking", "Harwick Town Hall"))  # taken for a person
        town_hall = resolve_speaker(store, "Harwick Town Hall")
        council = resolve_speaker(store, "Harwick Council")
        merge(store, council, [town_hall])
        store.add(_later("bins", "Harwick Town Hall"))  # a person again, to this article
        assert _speaker_of(store, "later-bins") == (council, "Harwick Council")


def test_split_moves_the_alias_quotes_splits_statements_and_keeps_landing(
    tmp_path: Path,
) -> None:
    with _store(tmp_path / "news.db") as store:
        ilse = resolve_speaker(store, "Ilse Varga")
        assert _statements_of(store, ilse) == [(1, 1), (1, 1), (2, 2)]  # the ferry, said twice
        edit = split(store, ilse, "I. Varga")
        ivo = edit.new_speaker_id
        assert ivo is not None and edit.quotes_moved == 2  # "I. Varga" and her "she"
        assert edit.message == (
            f"split 'I. Varga' off Ilse Varga (#{ilse}) as I. Varga (#{ivo}): 2 quotes moved"
        )
        assert _quotes_by_speaker(store) == {
            "Ilse Varga": 2,
            "I. Varga": 2,
            "Harwick Council": 1,
            "Harwick Borough Council": 1,
            "Tomas Berg": 1,
        }
        # The ferry statement was one speaker's; now it is two speakers' two statements.
        assert _statements_of(store, ilse) == [(1, 1), (1, 1)]
        assert _statements_of(store, ivo) == [(1, 1), (1, 1)]
        _assert_statements_consistent(store)
        store.add(_later("tolls", "I. Varga"))
        assert _speaker_of(store, "later-tolls") == (ivo, "I. Varga")
        store.add(_later("buses", "Ilse Varga"))
        assert _speaker_of(store, "later-buses") == (ilse, "Ilse Varga")
        store.relink()
        assert _quotes_by_speaker(store)["I. Varga"] == 3
        _assert_statements_consistent(store)
        assert _statements_of(store, ilse) == [(1, 1), (1, 1), (1, 1)]


def test_rename_keeps_the_new_name_when_an_article_uses_the_old(tmp_path: Path) -> None:
    with _store(tmp_path / "news.db") as store:
        berg = resolve_speaker(store, "Tomas Berg")
        edit = rename(store, berg, "Tomas Berg-Lund")
        assert edit.message == f"renamed Tomas Berg (#{berg}) to 'Tomas Berg-Lund'"
        store.add(_later("dues", "Tomas Berg"))
        assert _speaker_of(store, "later-dues") == (berg, "Tomas Berg-Lund")
        store.relink()
        [row] = top_speakers(store, name="Tomas Berg-Lund")
        assert (row.name, row.quotes, row.aliases) == ("Tomas Berg-Lund", 2, ["Tomas Berg"])
        assert resolve_speaker(store, "Tomas Berg") == berg  # the old name still finds him


def test_a_renamed_initial_is_not_renamed_back_by_a_fuller_name(tmp_path: Path) -> None:
    """Without the edit, "Ivo Varga" would upgrade a speaker known as "I. Varga" (store.py)."""
    with _store(tmp_path / "news.db") as store:
        ivo = split(store, resolve_speaker(store, "Ilse Varga"), "I. Varga").new_speaker_id
        assert ivo is not None
        rename(store, ivo, "I. M. Varga")
        store.add(_later("moorings", "Ivo Varga"))  # lands on I. M. Varga: the same initial
        assert _speaker_of(store, "later-moorings") == (ivo, "I. M. Varga")


def test_hide_leaves_a_speaker_out_but_keeps_its_quotes_and_new_ones(tmp_path: Path) -> None:
    with _store(tmp_path / "news.db") as store:
        berg = resolve_speaker(store, "Tomas Berg")
        edit = hide(store, berg)
        assert edit.message == f"hid Tomas Berg (#{berg}): 1 quote left out of lists and searches"
        assert "Tomas Berg" not in {r.name for r in top_speakers(store)}
        assert "Tomas Berg" in {r.name for r in top_speakers(store, hidden=True)}
        assert [r.hidden for r in top_speakers(store, name="Tomas Berg")] == [True]  # by name
        assert search_quotes(store, QuoteFilter(text="harbour dues")).total == 0
        assert search_quotes(store, QuoteFilter(speaker="Tomas Berg")).total == 1  # asked by name
        store.add(_later("cranes", "Tomas Berg"))
        assert _speaker_of(store, "later-cranes") == (berg, "Tomas Berg")
        store.relink()
        assert search_quotes(store, QuoteFilter(text="ministry")).total == 0
        export_store(store, ExportFormat.JSONL, tmp_path / "out", ["speakers"])
        exported = (tmp_path / "out" / "speakers.jsonl").read_text(encoding="utf-8").splitlines()
        assert {(r["name"], r["hidden"]) for r in map(json.loads, exported)} >= {
            ("Tomas Berg", True),
            ("Ilse Varga", False),
        }
        assert hide(store, berg).message == f"Tomas Berg (#{berg}) was hidden already"
        shown = hide(store, berg, hidden=False)
        assert (
            shown.message
            == f"showed Tomas Berg (#{berg}) again: 2 quotes back in lists and searches"
        )
        assert search_quotes(store, QuoteFilter(text="ministry")).total == 1


def test_resolve_speaker_names_one_speaker_or_says_why_not(tmp_path: Path) -> None:
    with _store(tmp_path / "news.db") as store:
        ilse = resolve_speaker(store, "Ilse Varga")
        assert resolve_speaker(store, str(ilse)) == resolve_speaker(store, f"#{ilse}") == ilse
        split(store, ilse, "I. Varga")
        with pytest.raises(SpeakerEditError, match=r"'Varga' could be Ilse Varga \(#\d+\), I\."):
            resolve_speaker(store, "Varga")
        with pytest.raises(SpeakerEditError, match="no speaker called 'Mara Quist'") as missing:
            resolve_speaker(store, "Mara Quist")
        assert missing.value.status == 404
        with pytest.raises(SpeakerEditError, match="no speaker with id 999"):
            resolve_speaker(store, "999")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s, i: merge(s, i, [i]), "into itself"),
        (lambda s, i: merge(s, i, []), "at least one speaker"),
        (lambda s, i: rename(s, i, "  "), "the new name is empty"),
        (lambda s, i: rename(s, i, "Tomas Berg"), r"Tomas Berg \(#\d+\) is also called"),
        (lambda s, i: split(s, i, "Ilse Varga"), "is the name of Ilse Varga"),
        (lambda s, i: split(s, i, "Mara Quist"), r"has no alias 'Mara Quist' \(its aliases: I\."),
    ],
)
def test_an_edit_that_cannot_be_made_changes_nothing(
    tmp_path: Path, edit: object, message: str
) -> None:
    with _store(tmp_path / "news.db") as store:
        ilse = resolve_speaker(store, "Ilse Varga")
        before = _quotes_by_speaker(store)
        with pytest.raises(SpeakerEditError, match=message):
            edit(store, ilse)  # type: ignore[operator]
        assert _quotes_by_speaker(store) == before
        assert store.conn.execute("SELECT count(*) FROM speaker_edits").fetchone()[0] == 0


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_the_curated_speakers_round_trip_through_a_knowledge_base(
    tmp_path: Path, suffix: str
) -> None:
    """Curate store A, export its KB, load it into fresh store B with the same articles."""
    with _store(tmp_path / "a.db") as a:
        ilse = resolve_speaker(a, "Ilse Varga")
        split(a, ilse, "I. Varga")
        merge(
            a,
            resolve_speaker(a, "Harwick Council"),
            [resolve_speaker(a, "Harwick Borough Council")],
        )
        rename(a, resolve_speaker(a, "Tomas Berg"), "Tomas Berg-Lund")
        hide(a, ilse)
        kb = tmp_path / f"a-kb{suffix}"
        assert write_knowledge_base(knowledge_base(a), kb) == 4
        curated = {(r.name, r.quotes, r.hidden) for r in top_speakers(a, hidden=True)}
    entries = list(read_knowledge_base(kb))
    assert all(not isinstance(e, Exception) for e in entries)
    with Store(tmp_path / "b.db") as b:
        b.load_knowledge_base(entries)  # type: ignore[arg-type]
        for item in _articles():
            b.add(item)
        assert {(r.name, r.quotes, r.hidden) for r in top_speakers(b, hidden=True)} == curated
    assert curated == {
        ("Ilse Varga", 2, True),
        ("I. Varga", 2, False),
        ("Harwick Council", 2, False),
        ("Tomas Berg-Lund", 1, False),
    }


def test_a_schema_5_store_takes_the_curation_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:5]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    conn.execute(
        "INSERT INTO speakers (id, name, kind, surname, given) VALUES"
        " (1, 'Ilse Varga', 'person', 'varga', 'ilse')"
    )
    conn.execute("INSERT INTO speaker_aliases VALUES (1, 'Ilse Varga', 'ilse varga')")
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 6
        [row] = top_speakers(store, hidden=True) or [None]  # no quotes yet: not listed
        assert row is None
        assert store.conn.execute("SELECT hidden, named_by_user FROM speakers").fetchone()[:] == (
            0,
            0,
        )
        rename(store, 1, "Ilse Varga-Horn")
        assert resolve_speaker(store, "Ilse Varga") == 1
        store.add(_later("ferries", "Ilse Varga"))
        assert _speaker_of(store, "later-ferries") == (1, "Ilse Varga-Horn")


# -- the command line ------------------------------------------------------------------------

NEWS = [
    {
        "id": "c1",
        "outlet": "Harwick Gazette",
        "published": "2025-03-03",
        "text": "Harwick Borough Council said on Monday that rents in the harbour flats would be"
        " frozen until spring.\n“Nobody will be asked to pay more this winter,” said councillor"
        " Ilse Varga, who chairs the housing committee.",
    },
    {
        "id": "c2",
        "outlet": "Eastmoor Courier",
        "published": "2025-03-04",
        "text": "“Nobody will be asked to pay more this winter,” Ms Varga told the Courier.\n"
        "Harbour master Tomas Berg said the ferry timetable would change next month.",
    },
    {
        "id": "c3",
        "outlet": "Eastmoor Courier",
        "published": "2025-03-05",
        "text": "“The dues will not rise,” said Mr T. Berg, speaking at the quay.\n"
        "Harwick Council said the flats would be repainted in April.",
    },
]

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(cli_app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("news") / "news.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in NEWS), encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def ingested(news: Path) -> Path:
    """The three stories, ingested once by the real extractor (copied by each test)."""
    db = news.parent / "ingested.db"
    code, _, err = run("ingest", news, "--db", db, "--no-progress")
    assert code == 0, err
    return db


@pytest.fixture
def db(ingested: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "news.db"
    shutil.copy(ingested, copy)
    return copy


def listed(db: Path, *options: str) -> dict[str, tuple[int, bool]]:
    """The speakers ``saidwhat speakers`` lists: name → (quotes, hidden)."""
    code, out, err = run("speakers", "--db", db, "-f", "jsonl", *options)
    assert code == 0, err
    return {r["name"]: (r["quotes"], r["hidden"]) for r in map(json.loads, out.splitlines())}


def test_the_listing_lists_as_before_the_commands(db: Path) -> None:
    assert listed(db) == {
        "Ilse Varga": (2, False),
        "Tomas Berg": (2, False),
        "Harwick Borough Council": (1, False),
        "Harwick Council": (1, False),
    }
    code, out, _ = run("speakers", "--db", db, "-n", "2")
    assert code == 0 and "4 speakers by quotes" in out


def test_cli_merge_rename_split_and_hide_each_say_what_changed(db: Path) -> None:
    with Store(db, read_only=True) as store:
        council = resolve_speaker(store, "Harwick Council")
        borough = resolve_speaker(store, "Harwick Borough Council")
        berg = resolve_speaker(store, "Tomas Berg")
    code, out, err = run("speakers", "merge", borough, "Harwick Council", "--db", db)
    assert (code, out) == (
        0,
        f"merged 1 speaker into Harwick Borough Council (#{borough}): 1 quote moved\n",
    ), err
    code, out, _ = run("speakers", "rename", "Ilse Varga", "Ilse Varga-Horn", "--db", db)
    assert code == 0 and out.startswith("renamed Ilse Varga (#") and "'Ilse Varga-Horn'" in out
    code, out, _ = run("speakers", "split", f"#{berg}", "T. Berg", "--db", db)
    assert code == 0 and out.startswith(f"split 'T. Berg' off Tomas Berg (#{berg}) as T. Berg")
    assert out.endswith(": 1 quote moved\n")
    code, out, _ = run("speakers", "hide", "T. Berg", "--db", db)
    assert code == 0 and out.startswith("hid T. Berg (#")
    assert listed(db) == {
        "Ilse Varga-Horn": (2, False),
        "Harwick Borough Council": (2, False),
        "Tomas Berg": (1, False),
    }
    assert listed(db, "--hidden")["T. Berg"] == (1, True)
    code, out, _ = run("speakers", "--db", db, "--hidden")
    berg_row = out[out.index("T. Berg") :]  # the name's cell wraps at 80 columns
    assert code == 0 and "(hidden)" in berg_row[: berg_row.index("Tomas Berg")]
    code, out, _ = run("speakers", "hide", "T. Berg", "--undo", "--db", db)
    assert code == 0 and out.startswith("showed T. Berg (#") and "T. Berg" in listed(db)
    with Store(db, read_only=True) as store:  # the merged-away id is given to no one else
        ids = {int(r[0]) for r in store.conn.execute("SELECT id FROM speakers")}
        assert council not in ids and resolve_speaker(store, "T. Berg") > council


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("merge", "Ilse Varga", "Berg"), "'Berg' could be Tomas Berg (#"),  # after the split
        (("rename", "Mara Quist", "Mara Quist-Lee"), "no speaker called 'Mara Quist'"),
        (("hide", "404"), "no speaker with id 404"),
        (("split", "Ilse Varga", "Tomas Berg"), "Ilse Varga (#"),
    ],
)
def test_cli_errors_name_the_problem_and_exit_2(
    db: Path, args: tuple[str, ...], message: str
) -> None:
    assert run("speakers", "split", "Tomas Berg", "T. Berg", "--db", db)[0] == 0
    code, out, err = run("speakers", *args, "--db", db)
    assert code == 2 and out == ""
    assert message in " ".join(err.split()), err


def test_cli_listing_options_before_a_command_are_refused(db: Path) -> None:
    code, _, err = run("speakers", "--db", db, "hide", "Tomas Berg")
    assert code == 2 and "--db goes after the command: saidwhat speakers hide ... --db" in err
    assert listed(db)["Tomas Berg"] == (2, False)


def test_cli_edits_need_an_existing_store(tmp_path: Path) -> None:
    code, _, err = run("speakers", "hide", "Ilse Varga", "--db", tmp_path / "none.db")
    assert code == 2 and "no such store" in err and not (tmp_path / "none.db").exists()


def test_cli_help_explains_each_command() -> None:
    for command, words in [
        ("merge", "INTO keeps its name"),
        ("rename", "the old one stays an alias"),
        ("split", "later articles that use ALIAS are the new speaker's"),
        ("hide", "nothing is deleted"),
        ("export-kb", "saidwhat ingest --kb"),
    ]:
        code, out, _ = run("speakers", command, "--help")
        text = re.sub(r"[\s│]+", " ", out)
        assert code == 0 and words in text, (command, text)
        if command != "export-kb":
            assert "The store to change" in text


def test_cli_knowledge_base_round_trip(db: Path, news: Path, tmp_path: Path) -> None:
    """Curate a store, export its KB, ingest the same articles into a fresh store with --kb."""
    for edit in (
        ("merge", "Harwick Borough Council", "Harwick Council"),
        ("rename", "Ilse Varga", "Ilse Varga-Horn"),
        ("split", "Tomas Berg", "T. Berg"),
        ("hide", "Tomas Berg"),
    ):
        code, _, err = run("speakers", *edit, "--db", db)
        assert code == 0, err
    kb = tmp_path / "harwick-kb.jsonl"
    code, _, err = run("speakers", "export-kb", kb, "--db", db)
    assert code == 0 and f"wrote {kb} (4 speakers)" in err
    entries = [json.loads(line) for line in kb.read_text(encoding="utf-8").splitlines()]
    assert all(e["id"].startswith("saidwhat:") for e in entries)
    fresh = tmp_path / "fresh.db"
    code, _, err = run("ingest", news, "--db", fresh, "--kb", kb, "--no-progress")
    assert code == 0 and "knowledge base: 4 entries" in err, err
    curated = listed(db, "--hidden")
    assert (
        listed(fresh, "--hidden")
        == curated
        == {
            "Ilse Varga-Horn": (2, False),
            "Harwick Borough Council": (2, False),
            "Tomas Berg": (1, True),
            "T. Berg": (1, False),
        }
    )


# -- the server ------------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    """A server with the ingest token over a fresh hand-built store."""
    path = tmp_path / "served.db"
    _store(path).close()
    with TestClient(create_app(path, ingest_token=TOKEN)) as client:
        yield client, path


BEARER = {"Authorization": f"Bearer {TOKEN}"}


def _id(path: Path, name: str) -> int:
    with Store(path, read_only=True) as store:
        return resolve_speaker(store, name)


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("merge", {"others": [1]}),
        ("rename", {"name": "Ilse Varga-Horn"}),
        ("split", {"alias": "I. Varga"}),
        ("hide", {}),
    ],
)
def test_api_edits_need_the_token(
    served: tuple[TestClient, Path], action: str, body: dict[str, object]
) -> None:
    client, path = served
    berg = _id(path, "Tomas Berg")
    before = listed_api(client)
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TOKEN}):
        response = client.post(f"/api/speakers/{berg}/{action}", json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert "Authorization: Bearer" in response.json()["detail"]
    assert listed_api(client) == before and len(before) == 4  # nothing changed
    with Store(path, read_only=True) as store:
        assert store.conn.execute("SELECT count(*) FROM speaker_edits").fetchone()[0] == 0


def listed_api(client: TestClient, **params: str) -> dict[str, int]:
    response = client.get("/api/speakers", params={"limit": "50", **params})
    assert response.status_code == 200
    return {item["name"]: item["quotes"] for item in response.json()["items"]}


def test_api_edits_with_the_token_change_the_store(served: tuple[TestClient, Path]) -> None:
    client, path = served
    documented = client.get("/openapi.json").json()["paths"]
    for action in ("merge", "rename", "split", "hide"):
        assert f"/api/speakers/{{speaker_id}}/{action}" in documented
    council, borough = _id(path, "Harwick Council"), _id(path, "Harwick Borough Council")
    ilse, berg = _id(path, "Ilse Varga"), _id(path, "Tomas Berg")
    merged = client.post(
        f"/api/speakers/{council}/merge", json={"others": [borough]}, headers=BEARER
    )
    assert merged.status_code == 200 and merged.json()["quotes_moved"] == 1
    assert merged.json()["message"].startswith("merged 1 speaker into Harwick Council")
    split_off = client.post(
        f"/api/speakers/{ilse}/split", json={"alias": "I. Varga"}, headers=BEARER
    )
    assert split_off.status_code == 200
    new = split_off.json()["new_speaker_id"]
    assert client.get(f"/api/speakers/{new}").json()["name"] == "I. Varga"
    renamed = client.post(
        f"/api/speakers/{berg}/rename", json={"name": "Tomas Berg-Lund"}, headers=BEARER
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Tomas Berg-Lund"
    hidden = client.post(f"/api/speakers/{berg}/hide", json={}, headers=BEARER)
    assert hidden.status_code == 200 and hidden.json()["action"] == "hide"
    assert listed_api(client) == {"Ilse Varga": 2, "I. Varga": 2, "Harwick Council": 2}
    assert listed_api(client, hidden="true")["Tomas Berg-Lund"] == 1
    assert client.get("/api/quotes", params={"q": "harbour dues"}).json()["total"] == 0
    shown = client.post(f"/api/speakers/{berg}/hide", json={"hidden": False}, headers=BEARER)
    assert shown.status_code == 200 and "Tomas Berg-Lund" in listed_api(client)


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        ("/api/speakers/999/rename", {"name": "Mara Quist"}, 404, "no speaker with id 999"),
        ("/api/speakers/{ilse}/merge", {"others": ["{ilse}"]}, 400, "into itself"),
        ("/api/speakers/{ilse}/rename", {"name": "Tomas Berg"}, 409, "merge the two speakers"),
        ("/api/speakers/{ilse}/split", {"alias": "Mara"}, 400, "has no alias 'Mara'"),
        ("/api/speakers/{ilse}/rename", {"name": ""}, 422, None),
        ("/api/speakers/{ilse}/merge", {"others": []}, 422, None),
        ("/api/speakers/{ilse}/hide", {"hidden": True, "why": "x"}, 422, None),
    ],
)
def test_api_edit_errors_carry_their_status(
    served: tuple[TestClient, Path],
    path: str,
    body: dict[str, object],
    status: int,
    detail: str | None,
) -> None:
    client, db = served
    ilse = str(_id(db, "Ilse Varga"))
    filled = json.loads(json.dumps(body).replace('"{ilse}"', ilse))
    response = client.post(path.replace("{ilse}", ilse), json=filled, headers=BEARER)
    assert response.status_code == status, response.text
    if detail is not None:
        assert detail in response.json()["detail"]


def test_api_edits_do_not_exist_without_a_token(tmp_path: Path) -> None:
    path = tmp_path / "read-only.db"
    _store(path).close()
    with TestClient(create_app(path)) as client:
        response = client.post("/api/speakers/1/rename", json={"name": "X"}, headers=BEARER)
        assert response.status_code in (404, 405)
        assert (
            "/api/speakers/{speaker_id}/rename" not in client.get("/openapi.json").json()["paths"]
        )
        page = client.post("/speakers/1/curate", data={"action": "hide", "token": TOKEN})
        assert page.status_code == 403 and "start it with --ingest-token" in page.text


def test_the_speaker_page_form_edits_with_the_token(served: tuple[TestClient, Path]) -> None:
    client, path = served
    berg = _id(path, "Tomas Berg")
    page = client.get(f"/speakers/{berg}")
    assert page.status_code == 200 and f'action="/speakers/{berg}/curate"' in page.text
    form = {"action": "rename", "value": "Tomas Berg-Lund"}
    refused = client.post(f"/speakers/{berg}/curate", data={**form, "token": "guess"})
    assert refused.status_code == 401 and "not this server" in refused.text
    done = client.post(f"/speakers/{berg}/curate", data={**form, "token": TOKEN})
    assert done.status_code == 200 and "renamed Tomas Berg (#" in done.text
    assert f'href="/speakers/{berg}"' in done.text
    assert "Tomas Berg-Lund" in client.get(f"/speakers/{berg}").text
    bad = client.post(f"/speakers/{berg}/curate", data={"action": "split", "token": TOKEN})
    assert bad.status_code == 400 and "split needs the alias" in bad.text
    ilse = _id(path, "Ilse Varga")
    split_off = client.post(
        f"/speakers/{ilse}/curate", data={"action": "split", "value": "I. Varga", "token": TOKEN}
    )
    assert split_off.status_code == 200 and 'id="new-speaker"' in split_off.text
    escaped = client.post(
        f"/speakers/{ilse}/curate", data={"action": "rename", "value": XSS, "token": TOKEN}
    )
    assert escaped.status_code == 200 and "<script>" not in escaped.text
    assert "<script>" not in client.get(f"/speakers/{ilse}").text


def test_the_pages_say_a_speaker_is_hidden_and_can_list_it(served: tuple[TestClient, Path]) -> None:
    client, path = served
    berg = _id(path, "Tomas Berg")
    assert 'id="hidden"' not in client.get(f"/speakers/{berg}").text
    assert client.post(f"/api/speakers/{berg}/hide", json={}, headers=BEARER).status_code == 200
    page = client.get(f"/speakers/{berg}").text
    assert 'id="hidden"' in page and "Hidden by a curator" in page
    assert f'href="/speakers/{berg}"' not in client.get("/speakers").text
    listing = client.get("/speakers", params={"hidden": "1"}).text
    assert f'href="/speakers/{berg}"' in listing and 'class="unresolved hidden"' in listing
    assert 'name="hidden" value="1" checked' in listing


def test_the_form_edits_the_store_off_the_event_loop(
    served: tuple[TestClient, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit writes the store (it can wait on a lock): the other pages go on meanwhile."""
    import asyncio

    import saidwhat.server.curation as curation_module

    loops: list[bool] = []
    original = curation_module._edit

    def edit(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            loops.append(True)
        except RuntimeError:  # a worker thread runs no event loop
            loops.append(False)
        return original(*args, **kwargs)

    monkeypatch.setattr(curation_module, "_edit", edit)
    client, path = served
    berg = _id(path, "Tomas Berg")
    form = {"action": "rename", "value": "Tomas Berg-Lund", "token": TOKEN}
    assert client.post(f"/speakers/{berg}/curate", data=form).status_code == 200
    assert loops == [False]
