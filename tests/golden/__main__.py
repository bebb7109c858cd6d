"""``python -m tests.golden``: rewrite the pinned output; ``--dump DIR``: write it all out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.golden import dump, write_pinned


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__)
    parser.add_argument("--dump", type=Path, help="write the full output of every set here")
    args = parser.parse_args()
    written = dump(args.dump) if args.dump else write_pinned()
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
