"""Ingest end to end: files in, a store out, and the CLI over it.

Includes the crash test: ``saidwhat ingest`` killed with SIGKILL mid-run and
run again gives the same store as one uninterrupted run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saidwhat.cli import app
from saidwhat.ingest import ingest_records
from saidwhat.pipeline import Extractor
from saidwhat.read import read_inputs
from saidwhat.store import Store
from saidwhat.store.search import QuoteFilter, search_quotes, top_speakers

SAMPLES = Path(__file__).resolve().parent.parent / "src" / "saidwhat" / "samples"
runner = CliRunner()

_PEOPLE = [
    ("Ilse Varga", "she", "councillor"),
    ("Tomas Berg", "he", "harbour master"),
    ("Maren Holt", "she", "head teacher"),
    ("Oskar Lund", "he", "ferry operator"),
    ("Petra Sand", "she", "nurse"),
]
_TOPICS = ["the bridge", "the ferry timetable", "the school roof", "the clinic", "the car park"]


def make_corpus(n: int, seed: int = 7) -> list[dict[str, str]]:
    """``n`` short fictional articles, each with a direct and a reported quote."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        name, pronoun, role = rng.choice(_PEOPLE)
        topic = rng.choice(_TOPICS)
        cost = rng.randint(2, 90)
        text = (
            f"Harwick votes on {topic}, item {i}\n\n"
            f"The town will spend {cost} thousand euros on {topic}, {role} {name} said on "
            f"Monday.\n\n"
            f"“We cannot wait another winter for {topic},” {name.split()[1]} told the Harwick "
            f"Gazette. “Every week costs us more.”\n\n"
            f"{pronoun.capitalize()} added that the work on {topic} would start in spring."
        )
        records.append(
            {
                "id": f"hg-{i}",
                "url": f"https://gazette.example/{i}",
                "outlet": "Harwick Gazette",
                "published": f"2025-0{1 + i % 9}-1{i % 10}",
                "text": text,
            }
        )
    return records


def write_jsonl(path: Path, records: list[dict[str, str]], bad_lines: int = 0) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    for k in range(bad_lines):
        lines.insert(1 + k * 3, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ingest_samples_then_again(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    first = runner.invoke(app, ["ingest", str(SAMPLES), "--db", str(db), "--no-progress"])
    assert first.exit_code == 0, first.output
    with Store(db) as store:
        counts = store.counts()
        assert counts["articles"] == 9 and counts["quotes"] > 40
    again = runner.invoke(app, ["ingest", str(SAMPLES), "--db", str(db), "--no-progress"])
    assert again.exit_code == 0
    assert "0 stored, 9 already stored" in again.output
    with Store(db) as store:
        assert store.counts() == counts


def test_bad_records_are_counted_and_kept(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", make_corpus(4), bad_lines=2)
    db = tmp_path / "news.db"
    result = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "4 stored" in result.output and "2 records skipped" in result.output
    assert "skipped 2× not JSON" in result.output
    with Store(db) as store:
        errors = store.conn.execute("SELECT source, location FROM ingest_errors").fetchall()
    assert [(Path(e["source"]).name, e["location"]) for e in errors] == [
        ("c.jsonl", "line 2"),
        ("c.jsonl", "line 5"),
    ]


def test_speakers_resolved_across_articles(tmp_path: Path) -> None:
    with Store(tmp_path / "news.db") as store:
        records = read_inputs([str(write_jsonl(tmp_path / "c.jsonl", make_corpus(12)))])
        summary = ingest_records(records, store, Extractor())
        assert summary.stored == 12 and summary.quotes >= 24
        names = {s.name for s in top_speakers(store, limit=50)}
        people = {p[0] for p in _PEOPLE}
        # Each fictional person is one speaker, however the articles name them.
        assert names & people == {s for s in people if any(s in r["text"] for r in make_corpus(12))}
        assert not any(n.split()[-1] in names for n in people)  # no bare-surname duplicates
        hits = search_quotes(store, QuoteFilter(text="another winter", speaker="Varga")).hits
        assert hits and all(h.speaker_entity == "Ilse Varga" for h in hits)


def test_cli_search_speakers_export(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    corpus = write_jsonl(tmp_path / "c.jsonl", make_corpus(6))
    assert (
        runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"]).exit_code == 0
    )

    found = runner.invoke(app, ["search", "another winter", "--db", str(db), "-f", "jsonl"])
    assert found.exit_code == 0, found.output
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert len(hits) == 6 and all("another winter" in h["content_text"] for h in hits)
    assert all(h["outlet"] == "Harwick Gazette" and h["speaker_entity"] for h in hits)

    table = runner.invoke(app, ["search", "winter", "--db", str(db), "--since", "2025-03-01"])
    assert table.exit_code == 0 and "quotes for 'winter'" in table.output

    bad = runner.invoke(app, ["search", '"unclosed', "--db", str(db)])
    assert bad.exit_code == 2 and "unbalanced quotation mark" in bad.output
    assert "Traceback" not in bad.output

    who = runner.invoke(app, ["speakers", "--db", str(db), "-f", "csv"])
    assert who.exit_code == 0 and who.stdout.startswith("speaker_id,name,kind")

    out = tmp_path / "out"
    exported = runner.invoke(app, ["export", "--db", str(db), "-f", "csv", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == [
        "articles.csv", "quotes.csv", "speakers.csv", "statements.csv"
    ]  # fmt: skip


def test_search_on_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no such store" in result.output


def test_knowledge_base_from_the_cli(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text(
        json.dumps({"id": "Q424242", "name": "Ilse Varga", "aliases": ["Councillor Varga"],
                    "kind": "person", "description": "Harwick councillor"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    db = tmp_path / "news.db"
    corpus = write_jsonl(tmp_path / "c.jsonl", make_corpus(8))
    result = runner.invoke(
        app, ["ingest", str(corpus), "--db", str(db), "--kb", str(kb), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    found = runner.invoke(app, ["search", "--speaker", "Q424242", "--db", str(db), "-f", "jsonl"])
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert hits and all(h["speaker_external_id"] == "Q424242" for h in hits)


def _snapshot(db: Path) -> tuple[list[tuple[object, ...]], ...]:
    """What the store holds, independent of row ids and ingest times."""
    conn = sqlite3.connect(db)
    try:
        articles = conn.execute("SELECT content_hash, url FROM articles ORDER BY 1").fetchall()
        quotes = conn.execute(
            "SELECT a.content_hash, q.seq, q.content_text, q.type, s.name FROM quotes q"
            " JOIN articles a ON a.id = q.article_id LEFT JOIN speakers s ON s.id = q.speaker_id"
            " ORDER BY 1, 2"
        ).fetchall()
        speakers = conn.execute("SELECT name, kind FROM speakers ORDER BY 1").fetchall()
        fts = conn.execute("SELECT count(*) FROM quotes_fts").fetchall()
    finally:
        conn.close()
    return articles, quotes, speakers, fts


def _ingest_command(corpus: Path, db: Path, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "saidwhat", "ingest", str(corpus), "--db", str(db),
        "--no-progress", "--quiet", "--batch-size", "2", *options,
    ]  # fmt: skip


KILLS = int(os.environ.get("SAIDWHAT_KILL_RUNS", "10"))


@pytest.mark.slow
@pytest.mark.parametrize("options", [(), ("--bulk",)], ids=["one-by-one", "bulk"])
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    # --bulk commits groups of articles: a kill mid-group must lose the group, whole.
    corpus = write_jsonl(tmp_path / "c.jsonl", make_corpus(300))
    reference = tmp_path / "reference.db"
    started = time.perf_counter()
    subprocess.run(_ingest_command(corpus, reference), check=True, capture_output=True)
    whole_run = time.perf_counter() - started
    expected = _snapshot(reference)
    assert len(expected[0]) == 300
    # How long a run takes before it writes anything (interpreter, model load),
    # so the kills fall in the writing whatever this machine's speed.
    one = write_jsonl(tmp_path / "one.jsonl", make_corpus(1))
    started = time.perf_counter()
    subprocess.run(_ingest_command(one, tmp_path / "one.db"), check=True, capture_output=True)
    start_up = time.perf_counter() - started
    writing = max(0.5, whole_run - start_up)

    db = tmp_path / "killed.db"
    rng = random.Random(2024)
    stored_after_kill = []
    for _ in range(KILLS):
        process = subprocess.Popen(
            _ingest_command(corpus, db, *options),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Past the model load, somewhere in the first half of what is left to write.
        left = 1 - (stored_after_kill[-1] if stored_after_kill else 0) / len(expected[0])
        time.sleep(start_up + rng.uniform(0.05, 0.5) * writing * max(left, 0.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if db.exists():
            stored_after_kill.append(len(_snapshot(db)[0]))
    # At least one kill landed mid-corpus, or the test proved nothing.
    assert any(0 < n < len(expected[0]) for n in stored_after_kill), stored_after_kill
    subprocess.run(_ingest_command(corpus, db, *options), check=True, capture_output=True)
    assert _snapshot(db) == expected


def test_cli_statements(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    corpus = write_jsonl(tmp_path / "c.jsonl", make_corpus(10))
    assert (
        runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"]).exit_code == 0
    )
    listed = runner.invoke(
        app, ["statements", "--db", str(db), "-f", "jsonl", "--min-articles", "2"]
    )
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    # "Every week costs us more." is said by the same person in several articles.
    assert rows and rows[0]["articles"] >= 2 and all(r["articles"] >= 2 for r in rows)
    assert rows == sorted(rows, key=lambda r: -r["articles"])
    shown = runner.invoke(
        app, ["statements", "--db", str(db), "--show", str(rows[0]["statement_id"])]
    )
    assert shown.exit_code == 0 and "earliest" in shown.stdout
    missing = runner.invoke(app, ["statements", "--db", str(db), "--show", "99999"])
    assert missing.exit_code == 2 and "no statement 99999" in missing.output


@pytest.mark.slow
@pytest.mark.parametrize("options", [(), ("--bulk",)], ids=["one-by-one", "bulk"])
def test_two_ingests_into_one_store_at_once_give_the_union(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    records = make_corpus(90, seed=3)
    first = write_jsonl(tmp_path / "first.jsonl", records[:60])
    second = write_jsonl(tmp_path / "second.jsonl", records[30:])
    reference = tmp_path / "reference.db"
    subprocess.run(_ingest_command(first, reference), check=True, capture_output=True)
    subprocess.run(_ingest_command(second, reference), check=True, capture_output=True)

    db = tmp_path / "shared.db"
    running = [
        subprocess.Popen(_ingest_command(corpus, db, *options), stderr=subprocess.PIPE, text=True)
        for corpus in (first, second)
    ]
    for process in running:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    articles, quotes, speakers, fts = _snapshot(db)
    assert len(articles) == 90 and len(set(articles)) == 90
    assert (articles, quotes, speakers, fts) == _snapshot(reference)
