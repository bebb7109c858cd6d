"""The ``saidwhat`` command: thin commands over the modules that do the work.

Each module here registers its commands on the one ``app`` of
``saidwhat.cli.common``; this package only imports them, in the order
``--help`` lists them.
"""

# ruff: noqa: I001  (the import order is the order of --help)
from saidwhat.cli.common import app
from saidwhat.cli import extract
from saidwhat.cli import store
from saidwhat.cli import curate
from saidwhat.cli import serve
from saidwhat.cli import spark
from saidwhat.cli import train

__all__ = ["app", "curate", "extract", "main_file", "serve", "spark", "store", "train"]


def main_file() -> str:
    """The path of ``saidwhat/__main__.py``: the file ``spark-submit`` runs the command from."""
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "__main__.py")
