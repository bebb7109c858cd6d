"""Fuzzing the readers (fuzz/fuzz_readers.py), and the crashes it found, kept as tests.

The slow tests run each atheris target for a bounded time (SAIDWHAT_FUZZ_SECONDS,
20 by default), two at a time, and fail on any crash, hang or out-of-memory the
fuzzer reports. They skip when atheris is not installed. The fast tests need no
atheris: the seed corpus is valid, the contract check catches what it should,
and every crashing input the fuzzer found reads without raising.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from saidwhat.errors import BadRecord
from saidwhat.model import Article
from saidwhat.read import read_path, read_stdin
from saidwhat.read.feed import read_feed_bytes

FUZZ_SCRIPT = Path(__file__).resolve().parents[1] / "fuzz" / "fuzz_readers.py"
SECONDS = int(os.environ.get("SAIDWHAT_FUZZ_SECONDS", "20"))


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_readers", FUZZ_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = _load_harness()


# --- the harness itself (no atheris needed) ------------------------------------------


# Target → (articles, bad records) the seeds of each kind give.
SEED_RESULTS = {
    "html": {"page.html": (1, 0), "page-cp1252.html": (1, 0), "fragment.html": (0, 1)},
    "warc": {"two.warc": (2, 0), "two.warc.gz": (2, 0), "cut.warc.gz": (1, 1)},
    "feed": {"feed.rss": (2, 0), "feed.atom": (2, 0)},
    # An empty or blank JSON Lines file is one bad record ("empty file"), as in every reader.
    "jsonl": {"articles.jsonl": (3, 2), "utf16.jsonl": (3, 2), "empty": (0, 1), "blank": (0, 1)},
    "text": {name: (1, 0) for name in harness.text_seeds()},
    "stdin": {"stdin.html": (1, 0), "stdin.jsonl": (3, 2), "stdin.txt": (1, 0)},
}


@pytest.mark.parametrize("target", harness.TARGETS)
def test_seed_corpus_is_good_input_and_passes_the_contract(target: str, tmp_path: Path) -> None:
    """The fuzzer starts from inputs that read as intended, so its mutations reach deep."""
    one_input = harness.make_target(target, tmp_path)
    seeds = harness.seeds(target)
    assert set(SEED_RESULTS[target]) <= set(seeds)
    for name, data in seeds.items():
        one_input(data)  # raises on a broken contract
        if target == "stdin":
            records = list(read_stdin(io.BytesIO(data)))
        else:
            path = tmp_path / f"seed{harness._SUFFIXES[target]}"
            path.write_bytes(data)
            records = list(read_path(path))
        counts = (
            sum(isinstance(r, Article) for r in records),
            sum(isinstance(r, BadRecord) for r in records),
        )
        assert counts == SEED_RESULTS[target].get(name, (0, 1)), name


def test_seeds_and_dictionaries_are_written(tmp_path: Path) -> None:
    for target in harness.TARGETS:
        corpus = harness.write_seeds(target, tmp_path / target)
        assert len(list(corpus.iterdir())) == len(harness.seeds(target))
        entries = harness.write_dictionary(target, tmp_path / f"{target}.dict").read_text()
        assert all(re.fullmatch(r'"(\\x[0-9a-f]{2})+"', line) for line in entries.splitlines())


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (Article(id="a", text="  \n"), "blank text"),
        (Article(id="a", text="one\x0btwo"), "control character"),
        (Article(id="", text="text"), "article id"),
        (BadRecord("elsewhere.txt", "empty file"), "names 'elsewhere.txt'"),
        (BadRecord("input.txt", ""), "''"),
        ("not a record", "reader yielded str"),
    ],
)
def test_contract_check_catches_broken_records(record: object, message: str) -> None:
    with pytest.raises(AssertionError, match=re.escape(message)):
        harness.check_records([record], "input.txt")


def test_contract_check_lets_json_lines_text_through_as_given() -> None:
    assert harness.check_records([Article(id="a", text="one\x0btwo")], "x", cleaned=False) == 1


# --- crashes the fuzzer found -------------------------------------------------------------

# `fuzz_readers.py text` within seconds (crash-98cedface0b95656bf7cb1ae981611b60ef80b02):
# charset_normalizer's best guess is utf_16_be, and text._is_latin_code_page asks
# charset_normalizer.cd.encoding_languages about it, which raises OSError for every
# multi-byte code page. Nothing caught it: `saidwhat ingest` stopped with a traceback.
CRASH_MULTI_BYTE_GUESS = b"\xcc \r\n\t\n"

# The same crash from real text: a GBK news sentence, no byte-order mark and no charset,
# which charset_normalizer rightly guesses as GB18030.
HARBOUR_ZH = "港口委员会周二再次开会讨论修复码头的计划。渡轮将继续按冬季时刻表运行。"
HARBOUR_GBK = (
    b"\xb8\xdb\xbf\xda\xce\xaf\xd4\xb1\xbb\xe1\xd6\xdc\xb6\xfe\xd4\xd9\xb4\xce\xbf\xaa\xbb\xe1"
    b"\xcc\xd6\xc2\xdb\xd0\xde\xb8\xb4\xc2\xeb\xcd\xb7\xb5\xc4\xbc\xc6\xbb\xae\xa1\xa3\xb6\xc9"
    b"\xc2\xd6\xbd\xab\xbc\xcc\xd0\xf8\xb0\xb4\xb6\xac\xbc\xbe\xca\xb1\xbf\xcc\xb1\xed\xd4\xcb"
    b"\xd0\xd0\xa1\xa3"
)


def test_crash_input_is_read_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "crash.txt"
    path.write_bytes(CRASH_MULTI_BYTE_GUESS)
    assert harness.check_records(read_path(path), str(path)) == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("harbour.txt", HARBOUR_GBK),
        (
            "harbour.html",
            b"<html><body><article><p>" + HARBOUR_GBK + b"</p></article></body></html>",
        ),
    ],
    ids=["txt", "html"],
)
def test_gbk_text_is_decoded(tmp_path: Path, name: str, data: bytes) -> None:
    assert HARBOUR_ZH.encode("gbk") == HARBOUR_GBK
    path = tmp_path / name
    path.write_bytes(data)
    [article] = read_path(path)
    assert isinstance(article, Article) and article.text == HARBOUR_ZH


def test_gbk_line_does_not_end_a_json_lines_file(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": "zh-1", "text": "' + HARBOUR_GBK + b'"}\n'
        b'{"id": "en-2", "text": "The ferry keeps its winter timetable."}\n'
    )
    records = list(read_path(path))
    assert [(type(r).__name__, getattr(r, "id", None)) for r in records] == [
        ("Article", "zh-1"),
        ("Article", "en-2"),
    ]
    assert isinstance(records[0], Article) and records[0].text == HARBOUR_ZH


def test_gbk_on_standard_input() -> None:
    [article] = read_stdin(io.BytesIO(HARBOUR_GBK))
    assert isinstance(article, Article) and article.text == HARBOUR_ZH


# `fuzz_readers.py feed` (minimised by hand; same traceback): a feed entry whose HTML holds
# a control character. lxml parses it, but feed._plain_text then assigns element.text and
# lxml refuses the character: ValueError("All strings must be XML compatible ...").
def _rss(description: bytes) -> bytes:
    return (
        b'<rss version="2.0"><channel><title>Dunmore Courier</title><item>'
        b"<description>" + description + b"</description></item></channel></rss>"
    )


_QUOTE = b"&lt;p&gt;\xe2\x80\x9cThe pier will reopen,\xe2\x80\x9d said Orla"
CRASH_FEED_CONTROL = _rss(_QUOTE + b"\x01 Fenwick.&lt;/p&gt;")
CRASH_FEED_NONCHARACTER = _rss(_QUOTE + b"\xef\xbf\xbe Fenwick.&lt;/p&gt;")  # U+FFFE, raw
# U+FFFE as a character reference in the escaped HTML: lxml itself makes the character.
CRASH_FEED_REFERENCE = _rss(_QUOTE + b"&amp;#xFFFE; Fenwick.&lt;/p&gt;")


@pytest.mark.parametrize(
    "data", [CRASH_FEED_CONTROL, CRASH_FEED_NONCHARACTER], ids=["control", "noncharacter"]
)
def test_feed_entry_with_a_character_xml_refuses_keeps_its_text(data: bytes) -> None:
    [article] = read_feed_bytes(data, "courier.xml")
    assert isinstance(article, Article)
    assert article.text == "“The pier will reopen,” said Orla Fenwick."


def test_feed_entry_with_a_reference_xml_refuses_is_not_a_crash() -> None:
    assert harness.check_records(read_feed_bytes(CRASH_FEED_REFERENCE, "c.xml"), "c.xml") == 1


# --- fuzzing (slow; needs atheris) ----------------------------------------------------------


@dataclass
class FuzzRun:
    target: str
    returncode: int
    output: str
    seconds: float
    findings: list[Path]  # crash-*, timeout-*, oom-*, leak-* files libFuzzer wrote

    def executions(self) -> int:
        done = re.findall(r"^#(\d+)\s+DONE", self.output, re.MULTILINE)
        return int(done[-1]) if done else 0


def run_target(target: str, workdir: Path) -> FuzzRun:
    """One bounded fuzzing run of ``target`` in a subprocess, findings written to ``workdir``."""
    log = workdir / "fuzz.log"
    command = [
        sys.executable,
        str(FUZZ_SCRIPT),
        target,
        f"-max_total_time={SECONDS}",
        "-timeout=15",
        "-rss_limit_mb=2048",
        f"-artifact_prefix={workdir}/",
        "-print_final_stats=1",
    ]
    started = time.perf_counter()
    with log.open("wb") as out:
        returncode = subprocess.run(
            command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, timeout=SECONDS + 180
        ).returncode
    findings = sorted(
        p for p in workdir.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-", "leak-"))
    )
    return FuzzRun(
        target,
        returncode,
        log.read_text(encoding="utf-8", errors="replace"),
        time.perf_counter() - started,
        findings,
    )


@pytest.fixture(scope="module")
def fuzz_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[FuzzRun]]]:
    """Every selected target's run, started together and run two at a time (2 cores)."""
    pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris==3.0.0)")
    selected = [
        item.callspec.params["target"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_fuzzing_finds_no_crash"
        and hasattr(item, "callspec")
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        yield {
            target: pool.submit(run_target, target, tmp_path_factory.mktemp(f"fuzz-{target}"))
            for target in dict.fromkeys(selected)
        }


@pytest.mark.slow
@pytest.mark.parametrize("target", harness.TARGETS)
def test_fuzzing_finds_no_crash(
    target: str, fuzz_runs: dict[str, Future[FuzzRun]], tmp_path: Path
) -> None:
    future = fuzz_runs.get(target)
    run = future.result() if future is not None else run_target(target, tmp_path)
    print(f"\n{target}: {run.executions()} inputs in {run.seconds:.0f} s")
    report = run.output[-6000:]
    assert not run.findings, (
        f"{target}: the fuzzer found {[p.name for p in run.findings]}\n{report}"
    )
    assert "Uncaught Python exception" not in run.output, report
    assert run.returncode == 0, f"{target}: exit code {run.returncode}\n{report}"
    assert run.executions() >= 100, f"{target}: the fuzzer hardly ran\n{report}"
