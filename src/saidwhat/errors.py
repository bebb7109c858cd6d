"""Errors a user can act on, shared by the readers, the CLI and the API."""

from __future__ import annotations


class SaidwhatError(Exception):
    """Base of every error saidwhat raises on purpose."""


class BadRecord(SaidwhatError):
    """One input record could not be used; the batch skips it and counts it.

    ``source`` names the file (or ``-`` for standard input), ``location`` the
    place inside it (``line 12``, ``record 3``) when there is one.
    """

    def __init__(self, source: str, reason: str, location: str | None = None) -> None:
        self.source = source
        self.reason = reason
        self.location = location
        where = f"{source}:{location}" if location else source
        super().__init__(f"{where}: {reason}")


class BadInput(SaidwhatError):
    """A whole input cannot be read at all (missing file, unknown format)."""
