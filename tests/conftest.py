"""Shared test helpers: where the gold data lives (absent in a user's clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def gold_file(name: str) -> Path:
    """Path of a gold file in ../shared/eval, or skip the test when it is absent."""
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not here (a fresh clone has no ../shared)")
    return path
