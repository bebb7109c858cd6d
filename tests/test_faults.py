"""The faults a store meets in the field, each injected without root: a full store, a
read-only copy, a folder without write permission, a second writer holding the lock, a
damaged file, a file system that fills under an export. Each says one line, exits 1,
leaves no traceback, keeps what was committed, and leaves nothing half-written."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from saidwhat.cli import app
from saidwhat.model import ExtractedArticle
from saidwhat.server import create_app
from saidwhat.store import FaultKind, Store, StoreFault
from saidwhat.store import store as store_module
from saidwhat.store.faults import as_fault, fault_of
from saidwhat.store.search import QuoteFilter, search_quotes
from saidwhat.store.store import check_file
from tests.test_ingest import _snapshot, make_corpus, write_jsonl

runner = CliRunner()
ARTICLES = 16


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("faults") / "news.jsonl", make_corpus(ARTICLES))


@pytest.fixture(scope="module")
def reference(corpus: Path) -> Path:
    """The store of one uninterrupted ingest of the corpus."""
    db = corpus.parent / "reference.db"
    result = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    return db


def _one_error_line(output: str) -> str:
    """The one error line of a command's output (and that there is no traceback)."""
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    return errors[0]


def _pages(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def pages_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Set ``[n]`` and every store opened meanwhile holds at most n pages (a full disk)."""
    limit: list[int] = []
    connect = Store._connect

    def limited(self: Store, read_only: bool) -> sqlite3.Connection:
        conn = connect(self, read_only)
        if limit:
            conn.execute(f"PRAGMA max_page_count = {limit[0]}")
        return conn

    monkeypatch.setattr(Store, "_connect", limited)
    yield limit


# -- what a fault is ------------------------------------------------------------------------


def test_faults_are_named_from_sqlite_codes_and_os_errors(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    Store(db).close()
    reader = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as read_only:
        reader.execute("DELETE FROM articles")
    assert fault_of(read_only.value) is FaultKind.READ_ONLY
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(db, timeout=0.05, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        other.execute("BEGIN IMMEDIATE")
    assert fault_of(locked.value) is FaultKind.LOCKED
    holder.execute("ROLLBACK")
    assert fault_of(OSError(errno.ENOSPC, "No space left on device")) is FaultKind.NO_SPACE
    assert fault_of(OSError(errno.EFBIG, "File too large")) is FaultKind.NO_SPACE
    assert fault_of(OSError(errno.EROFS, "Read-only file system")) is FaultKind.READ_ONLY
    assert fault_of(OSError(errno.EACCES, "Permission denied")) is FaultKind.PERMISSION
    assert fault_of(OSError(errno.ENOENT, "No such file")) is None
    assert fault_of(ValueError("no")) is None
    fault = as_fault(db, OSError(errno.ENOSPC, "No space left on device"))
    assert fault is not None and str(fault).startswith(f"{db}: no space left")
    assert "run the same command again" in fault.to_go_on


# -- a full store ---------------------------------------------------------------------------


@pytest.mark.parametrize("options", [(), ("--bulk",)], ids=["one-by-one", "bulk"])
def test_a_full_store_says_what_it_stored_and_a_rerun_ends_as_one_run(
    corpus: Path,
    reference: Path,
    tmp_path: Path,
    pages_allowed: list[int],
    options: tuple[str, ...],
) -> None:
    db = tmp_path / "news.db"
    Store(db).close()
    pages_allowed.append((_pages(db) + _pages(reference)) // 2)  # fills half way
    command = ["ingest", str(corpus), "--db", str(db), "--no-progress", *options]
    full = runner.invoke(app, command)
    assert full.exit_code == 1
    line = _one_error_line(full.output)
    assert f"{db}: no space left" in line and "database or disk is full" in line
    assert f"of {ARTICLES} articles before it" in line
    assert "free space and run the same command again to go on" in line
    stored = int(line.split("; stored ")[1].split(" of ")[0])
    with Store(db, read_only=True) as store:  # it opens, answers, and holds what it says
        assert store.counts()["articles"] == stored < ARTICLES
        assert check_file(db) == []
        if stored:
            assert search_quotes(store, QuoteFilter(text="winter")).total > 0
    pages_allowed.clear()  # space freed
    again = runner.invoke(app, command)
    assert again.exit_code == 0, again.output
    assert f"{ARTICLES - stored} stored, {stored} already stored" in again.output
    assert _snapshot(db) == _snapshot(reference)


def test_a_full_store_under_the_api_answers_507_and_keeps_what_it_had(
    tmp_path: Path, pages_allowed: list[int], reference: Path
) -> None:
    db = tmp_path / "news.db"
    shutil.copy(reference, db)
    before = _snapshot(db)
    pages_allowed.append(_pages(db))  # not one page more
    client = TestClient(create_app(db, ingest_token="t0ken"))
    body = {"id": "new", "text": "“The tide is late,” said Vera Quist, the ferry pilot." * 30}
    answer = client.post("/api/articles", json=body, headers={"Authorization": "Bearer t0ken"})
    assert answer.status_code == 507 and "disk is full" in answer.json()["detail"]
    assert answer.headers["Retry-After"]
    pages_allowed.clear()
    assert _snapshot(db) == before
    assert client.get("/?q=winter").status_code == 200


# -- a read-only store, a folder without write permission -----------------------------------


def _unprivileged(command: list[str]) -> list[str]:
    """``command`` run so that file permissions hold: root ignores them, so as root it runs
    without the capabilities that override them (``setpriv``); skipped when it cannot."""
    if os.geteuid() != 0:
        return command
    drop = "-dac_override,-dac_read_search,-fowner"
    prefix = ["setpriv", "--inh-caps", drop, "--bounding-set", drop, "--"]
    if shutil.which("setpriv") is None or subprocess.run([*prefix, "true"]).returncode != 0:
        pytest.skip("running as root without setpriv: file permissions cannot be enforced")
    return [*prefix, *command]


def _saidwhat(*args: str | Path, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "saidwhat", *map(str, args)]
    if unprivileged:
        command = _unprivileged(command)
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _more_news(n: int) -> list[dict[str, str]]:
    """Articles the corpus does not have (other keys, urls and texts)."""
    more = make_corpus(n, seed=99)
    for record in more:
        record["id"] += "-later"
        record["url"] += "-later"
        record["text"] += "\n\nThe council meets again next week."
    return more


def test_a_read_only_store_is_refused_in_one_line_and_left_as_it_was(
    corpus: Path, reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "read-only.db"
    shutil.copy(reference, db)
    extra = write_jsonl(tmp_path / "more.jsonl", _more_news(3))
    before = _snapshot(db)
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        refused = _saidwhat("ingest", extra, "--db", db, "--no-progress", unprivileged=True)
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert refused.returncode == 1, refused.stderr
    line = _one_error_line(refused.stderr)
    assert f"{db}: the file or its folder is read-only" in line
    assert "run the same command again to go on" in line
    assert _snapshot(db) == before
    assert _saidwhat("search", "winter", "--db", db).returncode == 0


def test_a_folder_without_write_permission_is_refused_in_one_line(
    corpus: Path, reference: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    shutil.copy(reference, folder / "news.db")
    before = _snapshot(folder / "news.db")
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        new = _saidwhat("ingest", corpus, "--db", folder / "new.db", unprivileged=True)
        existing = _saidwhat("ingest", corpus, "--db", folder / "news.db", unprivileged=True)
        export = _saidwhat("export", "--db", reference, "-o", folder / "out", unprivileged=True)
    finally:
        folder.chmod(stat.S_IRWXU)
    assert new.returncode == 1, new.stderr
    assert "permission denied" in _one_error_line(new.stderr)
    assert not (folder / "new.db").exists()
    assert existing.returncode == 1, existing.stderr
    assert "read-only" in _one_error_line(existing.stderr)  # the WAL cannot be made there
    assert _snapshot(folder / "news.db") == before
    assert export.returncode == 1, export.stderr
    assert "permission denied" in _one_error_line(export.stderr)
    assert not (folder / "out").exists()


# -- a second writer holding the lock -------------------------------------------------------


def test_a_store_locked_too_long_says_so_and_stores_after(
    corpus: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "news.db"
    Store(db).close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.1)
    monkeypatch.setattr(store_module, "_LOCK_RETRIES", 2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its transaction
    try:
        locked = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert locked.exit_code == 1
    line = _one_error_line(locked.output)
    assert "another process kept the store locked" in line
    assert f"stored 0 of {ARTICLES} articles" in line and "when the other writer is done" in line
    done = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"])
    assert done.exit_code == 0, done.output
    assert _snapshot(db) == _snapshot(reference)


# -- a damaged store ------------------------------------------------------------------------


def test_a_truncated_store_is_named_damaged_and_check_says_where(
    corpus: Path, reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    data = reference.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    ingest = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--no-progress"])
    assert ingest.exit_code == 1
    line = _one_error_line(ingest.output)
    assert "the store file is damaged" in line and "restore the store from a copy" in line
    check = runner.invoke(app, ["check", "--db", str(db)])
    assert check.exit_code == 1 and "damaged (quick_check" in _one_error_line(check.output)
    fine = runner.invoke(app, ["check", "--db", str(reference), "--full"])
    assert fine.exit_code == 0 and "whole (integrity_check" in fine.output
    assert f"{ARTICLES} articles" in fine.output
    not_a_store = tmp_path / "notes.db"
    not_a_store.write_bytes(b"minutes of the harbour board " * 200)
    refused = runner.invoke(app, ["ingest", str(corpus), "--db", str(not_a_store), "--check"])
    assert refused.exit_code == 1 and "not a saidwhat store" in _one_error_line(refused.output)


def test_check_on_open_refuses_a_damaged_page_before_writing(
    reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    data = bytearray(reference.read_bytes())
    page = 4096
    data[3 * page : 3 * page + 512] = b"\xff" * 512  # a page of a table, overwritten
    db.write_bytes(bytes(data))
    problems = check_file(db)
    assert problems
    with pytest.raises(StoreFault) as damaged:
        Store(db, check=True)
    assert damaged.value.kind is FaultKind.DAMAGED
    assert db.read_bytes() == bytes(data)  # nothing written


# -- an export onto a file system that fills ------------------------------------------------

_LIMITED = """
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
sys.argv = ["saidwhat", *sys.argv[2:]]
runpy.run_module("saidwhat", run_name="__main__")
"""


def _with_file_size_limit(limit: int, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``saidwhat ARGS`` in a process whose files cannot grow past ``limit`` bytes."""
    command = [sys.executable, "-c", _LIMITED, str(limit), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose quotes export to more than the file size limit below, whatever format."""
    db = tmp_path_factory.mktemp("archive") / "archive.db"
    with Store(db) as store, store.bulk_load():
        for extracted in _quay_articles(1_500):
            store.add(extracted)
    return db


def _quay_articles(n: int) -> list[ExtractedArticle]:
    """``n`` short articles, one quote each, extracted by hand (no model to load)."""
    from tests.test_server import article, said

    made = []
    for i in range(n):
        quote = f"The quay wall {i} will be rebuilt with stone from the Kell quarry by May"
        text = f"“{quote},” said Vera Quist, the harbour engineer, on day {i}."
        made.append(article(f"quay-{i}", text, [said(text, quote, "Vera Quist")]))
    return made


_LIMIT = 48 * 1024  # bytes a file may have: the store's -shm (32 KiB) must still fit


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_an_export_that_fills_the_disk_leaves_no_partial_file(
    archive: Path, tmp_path: Path, fmt: str
) -> None:
    whole = tmp_path / "whole"
    assert _saidwhat("export", "--db", archive, "-o", whole, "-f", fmt).returncode == 0
    sizes = {p.name: p.stat().st_size for p in whole.iterdir()}
    assert max(sizes.values()) > _LIMIT > min(sizes.values())
    out = tmp_path / "out"
    filled = _with_file_size_limit(_LIMIT, "export", "--db", archive, "-o", out, "-f", fmt)
    assert filled.returncode == 1, filled.stderr
    line = _one_error_line(filled.stderr)
    assert "no space left" in line and "run the same command again" in line
    left = {p.name: p.stat().st_size for p in out.iterdir()}
    assert not [name for name in left if name.startswith(".")]  # no temporary file left
    for name, size in left.items():
        assert size == sizes[name] and f"wrote {out / name}" in filled.stderr  # whole
    assert len(left) < len(sizes)


def test_extract_to_a_file_that_fills_leaves_no_partial_file(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "news.jsonl", make_corpus(40))
    out = tmp_path / "quotes.jsonl"
    filled = _with_file_size_limit(4096, "extract", corpus, "-o", out, "--no-progress")
    assert filled.returncode == 1, filled.stderr
    assert "no space left" in _one_error_line(filled.stderr)
    assert list(tmp_path.iterdir()) == [corpus]


# -- the server: a store locked, gone or damaged, and back ----------------------------------


def test_the_server_answers_503_while_its_store_is_gone_or_damaged_and_recovers(
    reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "news.db"
    shutil.copy(reference, db)
    kept = tmp_path / "kept.db"
    shutil.copy(reference, kept)
    with TestClient(create_app(db)) as client:
        assert client.get("/?q=winter").status_code == 200
        db.unlink()  # gone
        gone = client.get("/?q=winter")
        assert gone.status_code == 503 and "cannot be read right now" in gone.text
        assert "Traceback" not in gone.text and str(db) not in gone.text
        api = client.get("/api/quotes?q=winter")
        assert api.status_code == 503 and api.headers["Retry-After"]
        junk = tmp_path / "junk"
        junk.write_bytes(b"not a store at all " * 500)
        os.replace(junk, db)  # damaged
        damaged = client.get("/speakers")
        assert damaged.status_code == 503 and "not a store" in damaged.text
        shutil.copy(kept, tmp_path / "back.db")
        os.replace(tmp_path / "back.db", db)  # restored
        assert client.get("/?q=winter").status_code == 200
        assert client.get("/api/speakers").json()


def test_the_server_answers_503_while_another_process_locks_the_store_and_recovers(
    reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import saidwhat.server.state as state_module

    db = tmp_path / "news.db"
    shutil.copy(reference, db)
    assert (
        state_module.READ_BUSY_TIMEOUT_S < store_module.BUSY_TIMEOUT_S
    )  # a page never waits a minute
    monkeypatch.setattr(state_module, "READ_BUSY_TIMEOUT_S", 0.1)
    web = create_app(db)  # it has checked the store and keeps no connection yet
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # a writer that shuts readers out
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM ingest_errors")
    with TestClient(web) as client:
        try:
            busy = client.get("/api/speakers")
            page = client.get("/speakers")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert busy.status_code == 503 and "busy" in busy.json()["detail"]
        assert page.status_code == 503 and "another process holds it" in page.text
        assert "Traceback" not in page.text
        assert client.get("/api/speakers").status_code == 200  # and back


def test_a_load_into_a_full_store_says_what_it_stored_and_a_rerun_ends_as_one_run(
    tmp_path: Path, pages_allowed: list[int]
) -> None:
    from tests.test_load import write_output

    output = write_output(tmp_path / "out", _quay_articles(200))
    reference = tmp_path / "reference.db"
    assert runner.invoke(app, ["load", str(output), "--db", str(reference)]).exit_code == 0
    db = tmp_path / "news.db"
    Store(db).close()
    pages_allowed.append((_pages(db) + _pages(reference)) // 2)
    full = runner.invoke(app, ["load", str(output), "--db", str(db), "--no-progress"])
    assert full.exit_code == 1
    line = _one_error_line(full.output)
    assert "no space left" in line and "articles before it" in line
    assert "run the same command again to go on" in line
    pages_allowed.clear()
    assert runner.invoke(app, ["load", str(output), "--db", str(db)]).exit_code == 0
    assert _snapshot(db) == _snapshot(reference)
