"""The embedded store (SQLite): articles, quotes, speakers, search and export."""

from saidwhat.store.faults import FaultKind, StoreError, StoreFault
from saidwhat.store.store import Added, Store, content_hash

__all__ = ["Added", "FaultKind", "Store", "StoreError", "StoreFault", "content_hash"]
