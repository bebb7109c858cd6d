"""What every request of one server shares: the store's path, the ingest token and lock,
and each worker thread's read-only connection."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from saidwhat.pipeline import Extractor
from saidwhat.settings import DEFAULT_SETTINGS, Settings
from saidwhat.store import Store
from saidwhat.store.faults import faults_of

MAX_ID = 2**63 - 1  # SQLite's largest integer: a bigger id is a 422, not an overflow
MAX_OFFSET = 10_000_000
PAGE_SIZE = 20
READ_BUSY_TIMEOUT_S = 5.0
"""How long a page waits for a process that shuts readers out (an EXCLUSIVE lock, which an
ingest never takes) before it answers 503 and Retry-After, rather than the store's minute."""


@dataclass
class ServerState:
    db_path: Path
    ingest_token: str | None = None
    settings: Settings = DEFAULT_SETTINGS
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    _extractor: Extractor | None = field(default=None, init=False, repr=False)
    _readers: threading.local = field(default_factory=threading.local, init=False, repr=False)

    def extractor(self) -> Extractor:
        """The server's one ``Extractor`` (of ``settings``), built at the first ingest.

        Call it holding ``ingest_lock``: a spaCy pipeline is not made to be
        shared between threads.
        """
        if self._extractor is None:
            self._extractor = Extractor(self.settings)
        return self._extractor

    @contextmanager
    def read(self) -> Iterator[Store]:
        """The read-only connection of the calling thread, opened at its first request and kept.

        Opening a store per request cost as much CPU as a light page's queries,
        and gave every request a cold page cache. A sqlite3 connection must
        stay in the thread that opened it, and a thread serves one request at
        a time, so no two requests share a connection. It is in autocommit
        mode, so each statement reads the latest commit of the WAL: what
        another process stores while the server runs is seen at the next
        request. A store file replaced by another (a new inode) is opened
        anew; a request that fails drops its connection, so the next one
        opens the store afresh.
        """
        readers = self._readers
        try:
            found = self.db_path.stat()
            file: tuple[int, int] | None = (found.st_dev, found.st_ino)
        except OSError:
            file = None  # gone: opening it says so (StoreError)
        store: Store | None = getattr(readers, "store", None)
        if store is not None and readers.file != file:
            readers.store = None
            store.close()
            store = None
        if store is None:
            store = Store(self.db_path, read_only=True, busy_timeout_s=READ_BUSY_TIMEOUT_S)
            readers.store, readers.file = store, file
        try:
            with faults_of(self.db_path, (sqlite3.Error,)):  # locked, damaged: a 503
                yield store
        except BaseException:
            readers.store = None
            store.close()
            raise
