"""What every request of one server shares: the store's path, the ingest token and lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from saidwhat.pipeline import Extractor
from saidwhat.settings import DEFAULT_SETTINGS, Settings
from saidwhat.store import Store

MAX_ID = 2**63 - 1  # SQLite's largest integer: a bigger id is a 422, not an overflow
MAX_OFFSET = 10_000_000
PAGE_SIZE = 20


@dataclass
class ServerState:
    db_path: Path
    ingest_token: str | None = None
    settings: Settings = DEFAULT_SETTINGS
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    _extractor: Extractor | None = field(default=None, init=False, repr=False)

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
        """A read-only connection for one request, closed after it.

        Opened and used in the thread that serves the request: a sqlite3
        connection must not cross threads, and a connection per request
        cannot be shared by two requests at once.
        """
        store = Store(self.db_path, read_only=True)
        try:
            yield store
        finally:
            store.close()
