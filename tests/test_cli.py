"""The saidwhat command: extract, evaluate, bad input, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saidwhat.cli import app
from tests.conftest import gold_file

runner = CliRunner()

ARTICLE = (
    "Harbour bridge to open in May\n"
    "Mayor Elena Varga said: “The bridge will open in May and it is on budget.”\n"
    "“We listened to every objection,” she added.\n"
)


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_the_commands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("extract", "evaluate"):
        assert command in out


def test_extract_text_file_prints_a_listing(tmp_path: Path) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out, err = run("extract", str(path))
    assert code == 0, err
    assert "Elena Varga" in out
    assert "The bridge will open in May" in out
    assert "1 article, 2 quotes, 0 skipped" in err


def test_extract_jsonl_writes_gold_format(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    records = [
        {
            "id": "a1",
            "text": ARTICLE,
            "outlet": "Harbour Gazette",
            "url": "https://gazette.example/1",
        },
        {"id": "a2", "text": "Nothing was said today."},
    ]
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    out_path = tmp_path / "out.jsonl"
    code, _, err = run("extract", str(source), "-o", str(out_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2"]
    assert rows[0]["outlet"] == "Harbour Gazette"
    assert rows[0]["url"] == "https://gazette.example/1"
    first = rows[0]["quotes"][0]
    start, end = first["content"]
    assert rows[0]["text"][start:end] == first["content_text"]
    assert first["speaker_entity"] == "Elena Varga"
    assert first["type"] == "direct"
    assert set(first) >= {"speaker", "cue", "confidence", "evidence", "speaker_entity"}
    assert rows[1]["quotes"] == []


def test_extract_reads_standard_input() -> None:
    code, out, err = run("extract", "-", stdin=ARTICLE.encode("utf-8"))
    assert code == 0, err
    assert "Elena Varga" in out


def test_bad_records_are_named_and_skipped(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        json.dumps({"id": "ok", "text": ARTICLE})
        + "\n{not json\n"
        + json.dumps({"id": "x"})
        + "\n",
        encoding="utf-8",
    )
    out_path = tmp_path / "out.jsonl"
    code, _, err = run(
        "extract", str(good), str(empty), str(binary), str(broken), "-o", str(out_path)
    )
    assert code == 0, err
    assert "empty.txt" in err
    assert "image.txt" in err
    assert "broken.jsonl:line 2" in err
    assert "broken.jsonl:line 3" in err
    assert "2 articles" in err and "4 skipped" in err
    assert len(out_path.read_text(encoding="utf-8").splitlines()) == 2


def test_invalid_utf8_is_still_processed(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(ARTICLE.encode("utf-8").replace(b"budget", b"budg\xff\xfet"))
    code, out, err = run("extract", str(path))
    assert code == 0, err
    assert "Elena Varga" in out


def test_nothing_processed_exits_non_zero(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, _, err = run("extract", str(empty), str(tmp_path / "missing.txt"))
    assert code == 1
    assert "missing.txt" in err
    assert "nothing could be processed" in err


def test_gigantic_article_is_reported_and_the_rest_processed(tmp_path: Path) -> None:
    paragraph = "The council met again on Tuesday to discuss the harbour budget. " * 12 + "\n"
    huge = tmp_path / "huge.txt"
    huge.write_text(ARTICLE + paragraph * (5_100_000 // len(paragraph)), encoding="utf-8")
    assert huge.stat().st_size > 5_000_000
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    out_path = tmp_path / "out.jsonl"
    code, _, err = run("extract", str(huge), str(good), "-o", str(out_path))
    assert code == 0, err
    assert "huge: article has 5,0" in err and "--max-article-chars" in err
    [row] = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert row["id"] == "good"


def test_long_article_is_parsed_in_pieces_with_offsets_kept(tmp_path: Path) -> None:
    filler = "The council met again on Tuesday to discuss the harbour budget.\n" * 40
    text = ARTICLE + filler + ARTICLE
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    out_path = tmp_path / "out.jsonl"
    from saidwhat.model import Article
    from saidwhat.pipeline import extract_articles
    from saidwhat.settings import Settings

    [result] = extract_articles([Article(id="long", text=text)], Settings(parse_piece_chars=500))
    assert len(result.quotes) == 4
    for quote in result.quotes:
        assert text[quote.start : quote.end] == quote.content[0].text or len(quote.content) > 1
        assert quote.speaker is not None and quote.speaker.entity is not None
        assert quote.speaker.entity.name == "Elena Varga"
    del out_path


def test_evaluate_prints_the_metrics() -> None:
    gold = gold_file("seed.gold.jsonl")
    code, out, err = run("evaluate", str(gold))
    assert code == 0, err
    assert "quote F1 (overlap)" in out
    assert "speaker accuracy" in out
    assert "end-to-end" in out


def test_evaluate_json_on_a_prediction_file(tmp_path: Path) -> None:
    gold = gold_file("seed.gold.jsonl")
    code, out, _ = run("evaluate", str(gold), "--pred", str(gold), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["overlap"]["overall"]["f1"] == 1.0


def test_evaluate_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    code, _, err = run("evaluate", str(bad))
    assert code == 2
    assert "bad.jsonl" in err


def test_user_cue_file_extends_the_lexicon(tmp_path: Path) -> None:
    text = (
        "Rafael Quint runs the harbour.\n"
        "“The gates held all night and nobody got wet,” the engineer grumbletweeted.\n"
    )
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("extract", str(path))
    assert code == 0, err
    assert "grumbletweeted" not in out  # not a cue: no cue shown
    cues = tmp_path / "cues.tsv"
    cues.write_text("# house style\ngrumbletweet\tspeech\n", encoding="utf-8")
    code, out, err = run("extract", str(path), "--cues", str(cues))
    assert code == 0, err
    assert "— grumbletweeted" in out
    assert "engineer" in out


def test_bad_cue_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    cues = tmp_path / "cues.tsv"
    cues.write_text("mutter\tgossip\n", encoding="utf-8")
    code, _, err = run("extract", str(path), "--cues", str(cues))
    assert code == 2
    assert "cues.tsv:1" in err and "gossip" in err


def test_evaluate_compares_scopes() -> None:
    gold = gold_file("seed.gold.jsonl")
    code, out, err = run("evaluate", str(gold), "--compare-scopes")
    assert code == 0, err
    assert "with --scope attributions" in out


def test_error_messages_are_text_not_markup(tmp_path: Path) -> None:
    """A path with brackets in an error is printed as written, not eaten as rich markup."""
    missing = tmp_path / "crawl[bold].db"
    result = runner.invoke(app, ["search", "x", "--db", str(missing)])
    assert result.exit_code == 2
    assert "crawl[bold].db" in result.output


def test_evaluate_statements_links_the_gold_in_a_fresh_store(tmp_path: Path) -> None:
    """`evaluate --statements`: the same words by one speaker in two outlets are one statement."""
    records = []
    for n, (outlet, day) in enumerate(
        [("Harwick Post", "2025-03-01"), ("Tamsey Courier", "2025-03-02")]
    ):
        text = (
            f"Councillor Ilse Varga spoke at the town hall on Monday, the {outlet} reports.\n\n"
            "“The footbridge will connect the old town to the station by next spring,” "
            "Varga said."
        )
        start = text.index("The footbridge")
        end = text.index(",” Varga")
        records.append(
            {
                "id": f"a{n}",
                "outlet": outlet,
                "published": day,
                "text": text,
                "quotes": [{"content": [start, end], "type": "direct", "statement": "S1"}],
            }
        )
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code, out, _ = run("evaluate", str(gold), "--statements", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["quotes"] == 2 and report["unmapped"] == 0
    assert report["strict"]["gold"] == 1 and report["strict"]["matched_gold"] == 1


def test_statements_show_flags_a_misquote_and_relink_rebuilds(tmp_path: Path) -> None:
    """A changed word is marked (in plain text when piped); a reported form is listed apart."""
    said = "to walkers before the spring fair"
    bodies = [
        ("Harwick Post", f"“The footbridge will open {said},” Varga said."),
        ("Tamsey Courier", f"“The footbridge will reopen {said},” Varga said."),
        (
            "Lindby Star",
            "Varga said walkers would be able to use the footbridge before the spring fair.",
        ),
    ]
    records = [
        {
            "id": f"a{n}",
            "outlet": outlet,
            "published": f"2025-03-0{n + 1}",
            "text": f"Councillor Ilse Varga spoke at the town hall on Monday.\n\n{body}",
        }
        for n, (outlet, body) in enumerate(bodies)
    ]
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "news.db"
    code, _, err = run("ingest", str(corpus), "--db", str(db), "--no-progress")
    assert code == 0, err
    code, out, _ = run("statements", "--db", str(db), "-f", "jsonl")
    [statement] = [json.loads(line) for line in out.splitlines()]
    assert statement["articles"] == 3 and statement["speaker_entity"] == "Ilse Varga"
    code, out, _ = run("statements", "--db", str(db), "--show", str(statement["statement_id"]))
    assert code == 0
    assert "POSSIBLE MISQUOTE (open → reopen)" in out and "[-open] [+reopen]" in out
    assert "reported (Lindby Star, 2025-03-03): Varga said" not in out  # its content, not the cue
    assert "reported (Lindby Star, 2025-03-03): walkers would be able" in out
    code, out, err = run("statements", "--db", str(db), "--relink", "-f", "jsonl")
    assert code == 0 and "relinked 3 quotes into 1 statement" in err
    assert [json.loads(line)["articles"] for line in out.splitlines()] == [3]


def test_counts_read_as_english_and_db_help_is_true(tmp_path: Path) -> None:
    from saidwhat.cli.common import plural

    assert [plural(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]
    assert (
        plural(1, "speech", "speeches") == "1 speech"
        and plural(3, "speech", "speeches")[-8:] == "speeches"
    )

    def help_text(command: str) -> str:  # rich wraps help in boxes: read it as one line
        code, out, _ = run(command, "--help")
        assert code == 0
        return re.sub(r"[\s│]+", " ", out)

    for command in ("search", "speakers", "gender", "export", "statements"):
        text = help_text(command)
        assert "created when missing" not in text and "(it must exist)" in text, command
    assert "(created when missing)" in help_text("ingest")


def test_stats_says_what_a_store_holds(tmp_path: Path) -> None:
    records = [
        {"id": "a1", "outlet": "Harwick Post", "published": "2025-03-01", "text": ARTICLE},
        {
            "id": "a2",
            "outlet": "Tamsey Courier",
            "published": "2025-03-10T08:00:00Z",
            "text": "“The ferry will run all winter,” said Tomas Berg, the harbour master.",
        },
        {"id": "a3", "text": "Nothing was said today."},
    ]
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "news.db"
    assert run("ingest", str(corpus), "--db", str(db), "--no-progress")[0] == 0
    code, out, _ = run("stats", "--db", str(db), "-f", "jsonl")
    assert code == 0
    figures = json.loads(out)
    assert (figures["articles"], figures["quotes"], figures["outlets"]) == (3, 3, 2)
    assert (figures["first_day"], figures["last_day"]) == ("2025-03-01", "2025-03-10")
    assert figures["undated_articles"] == 1 and figures["quotes_per_day"] == 0.3
    assert (figures["busiest_day"], figures["busiest_day_quotes"]) == ("2025-03-01", 2)
    code, out, _ = run("stats", "--db", str(db))
    assert code == 0 and "2025-03-01 to 2025-03-10" in out
    code, _, err = run("stats", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no such store" in err


def test_an_empty_search_says_no_quotes_match(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    corpus.write_text(json.dumps({"id": "a1", "text": ARTICLE}) + "\n", encoding="utf-8")
    db = tmp_path / "news.db"
    assert run("ingest", str(corpus), "--db", str(db), "--no-progress")[0] == 0
    code, out, err = run("search", "submarine", "--db", str(db))
    assert code == 0 and out == "" and "no quotes match 'submarine'" in err
    code, out, _ = run("search", "submarine", "--db", str(db), "-f", "jsonl")
    assert code == 0 and out == ""  # scripts get an empty list, not a sentence
    code, out, _ = run("search", "bridge", "--db", str(db))
    assert code == 0 and "1 quote for 'bridge'" in out


def test_outlet_and_published_options_set_a_single_files_metadata(tmp_path: Path) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    out_file = tmp_path / "out.jsonl"
    code, _, err = run(
        "extract", str(path), "-o", str(out_file),
        "--outlet", "Harwick Courier", "--published", "2026-04-01",
    )  # fmt: skip
    assert code == 0, err
    record = json.loads(out_file.read_text(encoding="utf-8"))
    assert (record["outlet"], record["published"]) == ("Harwick Courier", "2026-04-01")
    assert record["title"] == "Harbour bridge to open in May"
    db = tmp_path / "news.db"
    code, _, err = run("ingest", str(path), "--db", str(db), "--outlet", "Harwick Courier")
    assert code == 0, err
    code, out, _ = run("search", "bridge", "--db", str(db), "--format", "jsonl")
    assert code == 0
    assert {json.loads(line)["outlet"] for line in out.splitlines()} == {"Harwick Courier"}


def test_a_published_that_is_no_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, _, err = run("extract", str(path), "--published", "last Tuesday")
    assert code == 2
    assert "takes a date as YYYY-MM-DD" in err and "'last Tuesday'" in err


def test_the_progress_bar_has_a_total_when_the_inputs_can_be_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from saidwhat.cli import common

    lines = [json.dumps({"id": f"a{n}", "text": ARTICLE}) for n in range(3)]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(common.err, "_force_terminal", True)
    code, _, err = run("extract", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert code == 0, err
    assert "3/3" in err and "left" in err
    code, _, err = run("extract", "-", "-o", str(tmp_path / "out2.jsonl"), stdin=ARTICLE)
    assert code == 0, err
    assert "/3" not in err and "left" not in err  # standard input: no total to show


def test_listings_fit_80_columns_with_whole_headers(tmp_path: Path) -> None:
    from saidwhat.cli.serve import SAMPLES

    db = tmp_path / "news.db"
    assert run("ingest", str(SAMPLES), "--db", str(db), "--no-progress")[0] == 0
    headers = {
        "speakers": ["#", "speaker", "kind", "gender", "quotes", "articles", "outlets", "aliases"],
        "statements": ["#", "speaker", "earliest wording", "articles", "outlets", "first"],
        "search": ["speaker", "quote", "outlet, date", "type"],
    }
    for command, words in headers.items():
        args = [command, *(["the"] if command == "search" else []), "--db", str(db)]
        result = runner.invoke(app, args, env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert max(len(line.rstrip()) for line in lines) <= 80, command
        header = next(line for line in lines if " speaker " in f" {line} ")
        cells = re.split(r"\s{2,}|[┃│]", header.strip())
        assert [c.strip() for c in cells if c.strip()] == words, (command, header)
    out = runner.invoke(app, ["speakers", "--db", str(db)], env={"COLUMNS": "80"}).stdout
    first_row = out.splitlines()[3].split()
    _, page, _ = run("speakers", "--db", str(db), "--format", "jsonl", "--limit", "1")
    assert first_row[0] == str(json.loads(page)["speaker_id"])  # the id curation takes
