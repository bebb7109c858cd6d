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
    ".venv/bin/saidwhat extract src/saidwhat/samples/"
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
def test_readme_run_command_works_on_the_samples() -> None:
    """The run command's last step, with the interpreter running these tests."""
    result = subprocess.run(
        [sys.executable, "-m", "saidwhat.cli", "extract", "src/saidwhat/samples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "0 skipped" in result.stderr
    assert "Elena Varga" in result.stdout
