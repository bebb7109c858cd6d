"""``python -m saidwhat``: the same command as ``saidwhat``."""

from saidwhat.cli import app

app(prog_name="saidwhat")
