"""The Spark job end to end: a small crawl and JSON Lines in, Parquet out, then ``load``.

One run of ``saidwhat spark --master local[2]`` (a subprocess: its own JVM)
serves the whole module. Its output, loaded into a store, must hold the same
quotes, speakers and statements as ``saidwhat ingest`` of the same inputs.
Every text is fictional (the Harwick Gazette and its councillors).

Skipped, with the reason, where pyspark or Java is missing.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped, unused-ignore]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped, unused-ignore]

from saidwhat.cli import app
from saidwhat.errors import BadInput
from saidwhat.ingest import ingest_records
from saidwhat.load import load_output
from saidwhat.model import display_text
from saidwhat.pipeline import Extractor
from saidwhat.read import read_inputs
from saidwhat.settings import Settings
from saidwhat.store import Store
from tests.news_pages import news_page

pytestmark = [pytest.mark.slow, pytest.mark.spark]

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

GAZETTE = "https://harwick-gazette.example/news"
FOOTBRIDGE = "The footbridge will connect the old town to the station before the winter."


def page(title: str, paragraphs: list[str], published: str | None = None) -> bytes:
    return news_page(title, paragraphs, published).encode()


COUNCIL = page(
    "Council backs the footbridge",
    [
        f"Councillor Ilse Varga said: “{FOOTBRIDGE}”",
        "“We listened to every objection,” she said, adding that the town had waited a decade "
        "for a safe crossing over the river.",
        "The plan passed by nine votes to four after a long debate in the council chamber.",
    ],
    published="2024-02-28",
)
FERRY = page(  # no date on the page: the WARC-Date's day
    "Ferry timetable to change",
    [
        "Harbourmaster Tomas Brandt said the winter ferry timetable would start a week early "
        "this year because of repairs at the northern pier.",
        "“Passengers should check the notice boards before they travel,” Brandt said.",
    ],
)
SCHOOL = page(
    "School roof repairs begin",
    [
        "Head teacher Maren Holt said the roof of Harwick Primary would be mended over the "
        "summer holidays.",
        "“The children deserve a dry classroom,” Holt told parents on Friday.",
    ],
    published="2024-04-02",
)
EMPTY = b"<!DOCTYPE html><html><head><title>Gallery</title></head><body></body></html>"

LIBRARY_TEXT = (
    "Library to reopen in May\n"
    "Councillor Ilse Varga said the town library would reopen in May after the flood repairs.\n"
    "“We kept our promise to the readers of Harwick,” Varga said on Monday."
)
ARTICLES = [
    {
        "id": "hg-library",
        "url": f"{GAZETTE}/library-to-reopen",
        "outlet": "Harwick Gazette",
        "published": "2024-03-01T08:00:00Z",
        "title": "Library to reopen in May",
        "text": LIBRARY_TEXT,
    },
    {  # no id (news-2) and no date (published_date=unknown)
        "outlet": "Harwick Post",
        "text": "Sea wall holds\n“The harbour wall will hold through the storms,” said "
        "engineer Petra Sand, who inspected it on Sunday.",
    },
    {  # the same words as the council page: one statement across outlets
        "id": "hp-footbridge",
        "outlet": "Harwick Post",
        "published": "2024-02-29",
        "text": f"Footbridge approved\n“{FOOTBRIDGE[:-1]},” Councillor Ilse Varga said on "
        "Tuesday evening after the vote.",
    },
]


def warc(records: list[tuple[str, bytes]], date: str = "2024-03-05T10:00:00Z") -> bytes:
    """A gzipped WARC of 200 responses (URI, page), each after its request record."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for uri, body in records:
        request = writer.create_warc_record(
            uri,
            "request",
            payload=io.BytesIO(b"GET / HTTP/1.1\r\nHost: harwick-gazette.example\r\n\r\n"),
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(request)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        response = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(response)
    return out.getvalue()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """crawl.warc.gz (two pages and an empty one), news.jsonl (with a bad line and a repeat)
    and remote/damaged.warc.gz (one page, then cut short), read through a file:// URI."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "crawl.warc.gz").write_bytes(
        warc(
            [
                (f"{GAZETTE}/council-backs-footbridge", COUNCIL),
                (f"{GAZETTE}/gallery", EMPTY),
                (f"{GAZETTE}/ferry-timetable", FERRY),
            ]
        )
    )
    lines = [json.dumps(ARTICLES[0]), json.dumps(ARTICLES[1]), '{"id": "hg-broken", "text": ']
    lines += ["", json.dumps({**ARTICLES[0], "id": "hg-library-copy"}), json.dumps(ARTICLES[2])]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    remote = folder / "remote"
    remote.mkdir()
    whole = warc([(f"{GAZETTE}/school-roof", SCHOOL), (f"{GAZETTE}/ferry-again", FERRY)])
    (remote / "damaged.warc.gz").write_bytes(whole[:-200])
    return folder


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


def run_spark(inputs: list[str], output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``saidwhat spark`` in local[2] with a small, quiet Spark."""
    command = [sys.executable, "-m", "saidwhat", "spark", *inputs, "--output", str(output)]
    command += ["--master", "local[2]", "--batch-size", "4", *extra]
    for conf in (
        "spark.ui.enabled=false",
        "spark.sql.shuffle.partitions=2",
        "spark.driver.memory=1g",
    ):
        command += ["--conf", conf]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def output(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of one Spark run over the local inputs and the file:// folder."""
    missing = _spark_missing()
    if missing:
        pytest.skip(missing)
    out = tmp_path_factory.mktemp("spark") / "out"
    local = [str(inputs / "crawl.warc.gz"), str(inputs / "news.jsonl")]
    result = run_spark([*local, (inputs / "remote").as_uri()], out)
    assert result.returncode == 0, result.stderr[-4000:]
    (out / "stderr.txt").write_text(result.stderr, encoding="utf-8")
    return out


def rows(output: Path, table: str) -> list[dict[str, Any]]:
    data = ds.dataset(output / table, format="parquet", partitioning="hive")
    return list(data.to_table().to_pylist())


def _source(source: str) -> str:
    """A file:// URI as Hadoop spells it (file:/x) made the local path ingest names."""
    return source.removeprefix("file:")


# -- the Parquet output ---------------------------------------------------------------


def test_tables_are_partitioned_by_publication_day(output: Path) -> None:
    days = {p.name for p in (output / "articles").iterdir() if p.is_dir()}
    assert days == {
        "published_date=2024-02-28",  # the council page's own date
        "published_date=2024-02-29",
        "published_date=2024-03-01",
        "published_date=2024-03-05",  # the ferry page: its WARC-Date's day
        "published_date=2024-04-02",
        "published_date=unknown",  # the JSON line without a date
    }
    for table in ("quotes", "speakers", "errors"):
        assert any(p.name.startswith("published_date=") for p in (output / table).iterdir())
    assert "6 articles" in (output / "stderr.txt").read_text()


def test_articles_are_each_text_once(output: Path) -> None:
    articles = rows(output, "articles")
    ids = sorted(a["input_id"] for a in articles)
    # six texts: three pages, three JSON lines (the repeated library text kept once, first copy)
    assert len(ids) == 6 and "hg-library" in ids and "hg-library-copy" not in ids
    assert "news-2" in ids  # no id: <file stem>-<line>, as ingest names it
    undated = next(a for a in articles if a["input_id"] == "news-2")
    assert undated["published_date"] == "unknown" and undated["published"] is None
    for article in articles:
        assert len(article["content_hash"]) == 64 and article["text"]
    school = next(a for a in articles if "school-roof" in (a["url"] or ""))
    assert school["input"].startswith("file:") and school["outlet"] == "Harwick Gazette"


def test_quotes_keep_offsets_and_speakers(output: Path) -> None:
    texts = {a["content_hash"]: a["text"] for a in rows(output, "articles")}
    quotes = rows(output, "quotes")
    assert quotes
    for quote in quotes:
        text = texts[quote["content_hash"]]
        parts = quote["content_parts"]
        pieces = [text[p["start"] : p["end"]] for p in parts]
        assert display_text(pieces) == quote["content_text"]
        assert parts[0]["start"] == quote["content_start"]
        assert parts[-1]["end"] == quote["content_end"]
        if quote["cue_start"] is not None:
            assert text[quote["cue_start"] : quote["cue_end"]] == quote["cue_text"]
        if quote["speaker_start"] is not None:
            assert text[quote["speaker_start"] : quote["speaker_end"]] == quote["speaker_text"]
        assert quote["rule"]
    varga = [q for q in quotes if q["speaker_entity"] == "Ilse Varga"]
    assert any("footbridge will connect" in q["content_text"] for q in varga)
    assert any(q["outlet"] == "Harwick Post" for q in varga)
    assert all(q["speaker_kind"] == "person" and 0 < q["confidence"] <= 1 for q in varga)
    names = {(s["speaker_entity"], s["speaker_kind"]) for s in rows(output, "speakers")}
    assert {("Ilse Varga", "person"), ("Maren Holt", "person"), ("Tomas Brandt", "person")} <= names


def test_errors_hold_every_bad_record(output: Path, inputs: Path) -> None:
    errors = rows(output, "errors")
    assert all(e["kind"] == "record" and e["published_date"] == "unknown" for e in errors)
    found = {(_source(e["source"]), e["location"], e["reason"].split(":")[0]) for e in errors}
    assert found == {
        (str(inputs / "news.jsonl"), "line 3", "not JSON"),
        (str(inputs / "crawl.warc.gz"), "record 4", "no main text found"),
        (str(inputs / "remote" / "damaged.warc.gz"), "record 4", "file truncated or corrupt"),
    }


# -- load, against ingest ----------------------------------------------------------------


def _contents(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    quotes = Counter(
        conn.execute(
            "SELECT q.content_text, s.name FROM quotes q"
            " LEFT JOIN speakers s ON s.id = q.speaker_id"
        ).fetchall()
    )
    speakers = Counter(conn.execute("SELECT name, kind, role FROM speakers").fetchall())
    statements = Counter(
        tuple(sorted(json.loads(group)))
        for (group,) in conn.execute(
            "SELECT json_group_array(content_text) FROM quotes GROUP BY statement_id"
        )
    )
    articles = Counter(
        conn.execute("SELECT input_id, url, outlet, published, title, extra FROM articles")
    )
    errors = Counter(
        (_source(s), loc, reason)
        for s, loc, reason in conn.execute("SELECT source, location, reason FROM ingest_errors")
    )
    conn.close()
    return {
        "quotes": quotes,
        "speakers": speakers,
        "statements": statements,
        "articles": articles,
        "errors": errors,
    }


@pytest.fixture(scope="module")
def ingested(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("ingest") / "ingest.db"
    names = [str(inputs / n) for n in ("crawl.warc.gz", "news.jsonl", "remote")]
    with Store(db) as store:
        ingest_records(read_inputs(names), store, Extractor())
    return _contents(db)


def test_load_gives_what_ingest_gives(
    output: Path, ingested: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "loaded.db"
    with Store(db) as store:
        summary = load_output(output, store)
    assert (summary.read, summary.stored, summary.duplicates) == (6, 6, 0)
    assert summary.skipped_total == 3 and summary.failed == 0 and summary.known_errors == 0
    loaded = _contents(db)
    assert any("dry classroom" in q and who == "Maren Holt" for q, who in loaded["quotes"])
    for part in ("quotes", "speakers", "statements", "articles", "errors"):
        assert loaded[part] == ingested[part], part
    # the footbridge quote of the Gazette and the Post is one statement
    assert any(len(group) == 2 for group in loaded["statements"])


def test_loading_twice_changes_nothing(output: Path, tmp_path: Path) -> None:
    db = tmp_path / "twice.db"
    first = runner.invoke(app, ["load", str(output), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "6 stored" in first.output and "3 records skipped;" in first.output
    before = _contents(db)
    again = runner.invoke(app, ["load", str(output), "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert "0 stored, 6 already stored" in again.output
    assert "3 records skipped (3 kept before)" in again.output
    assert _contents(db) == before


# -- the command's own checks ---------------------------------------------------------------


def test_existing_output_is_not_overwritten_without_asking(output: Path, inputs: Path) -> None:
    result = runner.invoke(app, ["spark", str(inputs / "news.jsonl"), "--output", str(output)])
    assert result.exit_code == 2 and "--overwrite" in result.output


def test_missing_java_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, inputs: Path, tmp_path: Path
) -> None:
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed: the command stops at that first")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = runner.invoke(
        app, ["spark", str(inputs / "news.jsonl"), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "Java" in result.output and "openjdk-17-jre-headless" in result.output


def test_missing_pyspark_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "pyspark" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    result = runner.invoke(app, ["spark", "x.jsonl", "--output", str(tmp_path / "o")])
    assert result.exit_code == 2 and "pip install 'saidwhat[spark]'" in result.output


def test_job_refuses_a_saidwhat_without_its_data_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Shipped in a zip (--py-files), saidwhat would silently lose its lexicon and model."""
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    import saidwhat.quotes.learned
    from saidwhat.spark import extract_partition

    inside_zip = tmp_path / "saidwhat.zip" / "saidwhat" / "data" / "attribution_model.json"
    monkeypatch.setattr(saidwhat.quotes.learned, "MODEL_PATH", inside_zip)
    with pytest.raises(BadInput, match="do not ship it with --py-files"):
        list(extract_partition([], Settings()))


def test_a_task_error_reaches_the_driver_as_its_message() -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    from saidwhat.spark import saidwhat_error

    java = (
        "An error occurred while calling o93.fold.\n: org.apache.spark.SparkException: Job "
        'aborted\nTraceback (most recent call last):\n  File "worker.py"\n'
        "saidwhat.errors.BadInput: cannot load the spaCy pipeline 'en_x': no such package\n"
        "\tat org.apache.spark.api.python.BasePythonRunner"
    )
    assert saidwhat_error(RuntimeError(java)) == (
        "cannot load the spaCy pipeline 'en_x': no such package"
    )
    assert saidwhat_error(RuntimeError("java.lang.OutOfMemoryError")) is None
