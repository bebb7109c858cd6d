"""What the benchmarks share: where the corpora are, and running a timed snippet.

Each benchmark runs as ``python bench/NAME.py``, so this module is found next
to it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "polnear-dev.jsonl"
SAMPLES = ROOT / "src" / "saidwhat" / "samples" / "news.jsonl"


def run_snippet(code: str, *args: object, python: str = sys.executable) -> dict[str, Any]:
    """Run ``code`` in a fresh ``python`` with ``args``; the JSON object its last line prints.

    A fresh process per measurement: its peak memory and caches are its own.
    """
    out = subprocess.run(
        [python, "-c", code, *map(str, args)], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))
