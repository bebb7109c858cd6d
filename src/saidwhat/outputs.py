"""Files a command writes, written whole or not at all.

An export, a knowledge base, extracted JSON Lines, a trained model: each is
written under a temporary name beside its final one and renamed to it only
once complete (a rename within a folder is atomic), so a run stopped by a
full disk, a kill or an error leaves no file under the final name that
looks finished, and whatever was there before stays until the new one is
whole.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

PARTIAL = ".partial"
"""The mark of a file being written: ``.<name>.partial-<pid>`` beside ``<name>``."""


def partial_path(path: Path) -> Path:
    """Where ``path`` is written until it is whole: hidden, beside it, this process's."""
    return path.with_name(f".{path.name}{PARTIAL}-{os.getpid()}")


@contextlib.contextmanager
def written_whole(path: str | Path) -> Iterator[Path]:
    """The temporary path to write ``path`` at: renamed to ``path`` when the block ends,
    removed when it raises (a file or a folder, e.g. a Spark table's).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with written_whole(folder / "quotes.csv") as partial:
    ...     _ = partial.write_text("id\\n1\\n")
    ...     sorted(p.name for p in folder.iterdir()) == [partial.name]
    True
    >>> sorted(p.name for p in folder.iterdir())
    ['quotes.csv']
    """
    final = Path(path)
    partial = partial_path(final)
    try:
        yield partial
    except BaseException:
        _remove(partial)
        raise
    if partial.is_dir() and final.is_dir():
        shutil.rmtree(final)  # a folder is not replaced by a rename: the old one goes first
    os.replace(partial, final)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


@contextlib.contextmanager
def open_whole(path: str | Path) -> Iterator[TextIO]:
    """``path`` opened to write text (UTF-8), whole under its name once the block ends."""
    with written_whole(path) as partial, partial.open("w", encoding="utf-8", newline="") as out:
        yield out
