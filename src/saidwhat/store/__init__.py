"""The embedded store (SQLite): articles, quotes, speakers, search and export."""

from saidwhat.store.store import Added, Store, StoreError, content_hash

__all__ = ["Added", "Store", "StoreError", "content_hash"]
