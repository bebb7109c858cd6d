"""The faults a store (or a file written beside it) meets in the field, in a user's words.

A full disk, a read-only file or folder, no permission, a store another
process keeps locked, a damaged file: SQLite and the OS raise each as an
error code. ``fault_of`` names the fault; ``StoreFault`` carries it with the
file it happened to, one line that says what happened and what to do, so
that each command can print it (and what it kept) instead of a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from saidwhat.errors import SaidwhatError


class StoreError(SaidwhatError):
    """The store cannot be opened or used (not a database, read-only, locked too long)."""


class FaultKind(StrEnum):
    """A fault a user can act on."""

    NO_SPACE = "no space"
    READ_ONLY = "read-only"
    PERMISSION = "permission denied"
    LOCKED = "locked"
    DAMAGED = "damaged"
    NOT_A_STORE = "not a store"
    DISK = "disk error"


WHAT: dict[FaultKind, str] = {
    FaultKind.NO_SPACE: "no space left: the disk (or a limit on the file's size) is full",
    FaultKind.READ_ONLY: "the file or its folder is read-only",
    FaultKind.PERMISSION: "permission denied: this user cannot write the file or its folder",
    FaultKind.LOCKED: "another process kept the store locked for longer than saidwhat waits",
    FaultKind.DAMAGED: "the store file is damaged",
    FaultKind.NOT_A_STORE: "not a saidwhat store: not an SQLite database",
    FaultKind.DISK: "the disk failed a read or a write (full, over a size limit, or failing)",
}
"""What happened, as the line after the file's name says it."""

RESTORE = "restore the store from a copy (`sqlite3 FILE .recover` may save what it held)"

TO_GO_ON: dict[FaultKind, str] = {
    FaultKind.NO_SPACE: "free space and run the same command again to go on",
    FaultKind.READ_ONLY: (
        "make the file and its folder writable (or copy the store where you can write) "
        "and run the same command again to go on"
    ),
    FaultKind.PERMISSION: (
        "run as a user who can write the file and its folder, or change their permissions, "
        "and run the same command again to go on"
    ),
    FaultKind.LOCKED: (
        "run the same command again when the other writer is done (`fuser` or `lsof` "
        "on the file names it)"
    ),
    FaultKind.DAMAGED: f"{RESTORE}; `saidwhat check --db FILE` lists what is wrong",
    FaultKind.NOT_A_STORE: "give the path of a store `saidwhat ingest` made",
    FaultKind.DISK: (
        "check the disk (its free space, `dmesg`) and run the same command again to go on"
    ),
}
"""What the user can do about it, and that a re-run goes on where the fault stopped it."""

_SQLITE_FAULTS: tuple[tuple[str, FaultKind], ...] = (
    ("SQLITE_FULL", FaultKind.NO_SPACE),
    ("SQLITE_READONLY", FaultKind.READ_ONLY),  # and _DIRECTORY, _CANTLOCK, …
    ("SQLITE_PERM", FaultKind.PERMISSION),
    ("SQLITE_CANTOPEN", FaultKind.PERMISSION),
    ("SQLITE_BUSY", FaultKind.LOCKED),
    ("SQLITE_LOCKED", FaultKind.LOCKED),
    ("SQLITE_CORRUPT", FaultKind.DAMAGED),
    ("SQLITE_NOTADB", FaultKind.NOT_A_STORE),
    ("SQLITE_IOERR", FaultKind.DISK),  # e.g. a write over RLIMIT_FSIZE (EFBIG)
)

_OS_FAULTS: dict[int, FaultKind] = {
    errno.ENOSPC: FaultKind.NO_SPACE,
    errno.EDQUOT: FaultKind.NO_SPACE,
    errno.EFBIG: FaultKind.NO_SPACE,  # a limit on a file's size (RLIMIT_FSIZE, a quota)
    errno.EROFS: FaultKind.READ_ONLY,
    errno.EACCES: FaultKind.PERMISSION,
    errno.EPERM: FaultKind.PERMISSION,
    errno.EIO: FaultKind.DISK,
}


def fault_of(exc: BaseException) -> FaultKind | None:
    """The fault ``exc`` reports (an SQLite error code, an OS errno), or None: another error.

    >>> fault_of(OSError(28, "No space left on device"))
    <FaultKind.NO_SPACE: 'no space'>
    >>> fault_of(ValueError("bad date")) is None
    True
    """
    if isinstance(exc, StoreFault):
        return exc.kind
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        for prefix, kind in _SQLITE_FAULTS:
            if name == prefix or name.startswith(prefix + "_"):
                return kind
        message = str(exc)  # errors raised before a code is known (a closed database, …)
        if "database is locked" in message:
            return FaultKind.LOCKED
        if "disk is full" in message:
            return FaultKind.NO_SPACE
        if "readonly database" in message:
            return FaultKind.READ_ONLY
        return None
    if isinstance(exc, OSError) and exc.errno is not None:
        return _OS_FAULTS.get(exc.errno)
    return None


class StoreFault(StoreError):
    """A fault of ``path`` a user can act on: ``kind``, and SQLite's or the OS's words."""

    def __init__(self, path: str | Path, kind: FaultKind, detail: str) -> None:
        self.path = Path(path)
        self.kind = kind
        self.detail = detail
        super().__init__(f"{path}: {WHAT[kind]} ({detail})")

    @property
    def to_go_on(self) -> str:
        """What the user can do about it."""
        return TO_GO_ON[self.kind].replace("FILE", str(self.path))


def as_fault(path: str | Path, exc: BaseException) -> StoreFault | None:
    """``exc`` as the StoreFault of ``path`` when it is one a user can act on, else None."""
    if isinstance(exc, StoreFault):
        return exc
    kind = fault_of(exc)
    if kind is None:
        return None
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StoreFault(path, kind, detail)


@contextlib.contextmanager
def faults_of(
    path: str | Path, errors: tuple[type[Exception], ...] = (sqlite3.Error, OSError)
) -> Iterator[None]:
    """Raise the ``errors`` of the block a user can act on as the StoreFault of ``path``;
    any other error as it is."""
    try:
        yield
    except errors as exc:
        fault = as_fault(path, exc)
        if fault is None:
            raise
        raise fault from exc
