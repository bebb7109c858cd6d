"""The README stays true: its commands exist and work, every CLI command is in it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from saidwhat.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/pytest"
RUN_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && "
    ".venv/bin/saidwhat ingest src/saidwhat/samples/ --db news.db && "
    ".venv/bin/saidwhat speakers --db news.db && .venv/bin/saidwhat search --db news.db"
)


def test_readme_has_the_two_commands() -> None:
    assert TEST_COMMAND in README
    assert RUN_COMMAND in README


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_cli_command_is_documented() -> None:
    names = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]
    assert names
    for name in names:
        assert f"saidwhat {name}" in README, name


@pytest.mark.slow
def test_readme_run_command_works_on_the_samples(tmp_path: Path) -> None:
    """The run command's steps after set-up, with the interpreter running these tests."""
    db = str(tmp_path / "news.db")
    outputs = []
    for step in (
        ["ingest", "src/saidwhat/samples/", "--db", db],
        ["speakers", "--db", db],
        ["search", "--db", db],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "saidwhat", *step],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result)
    assert "9 stored" in outputs[0].stderr and "0 records skipped" in outputs[0].stderr
    assert "Aldric Penhallow" in outputs[1].stdout
    assert "quotes" in outputs[2].stdout
