"""The embedded store: one SQLite file of articles, quotes and speakers.

Every article goes in with its quotes in one transaction, so a process
killed at any moment leaves either the whole article or none of it, and a
re-run picks up where it stopped: an article whose text (or URL) is already
stored is recognised and skipped before any parsing. WAL mode and a busy
timeout let two ingests share a store; readers never block writers.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import Stemmer

from saidwhat.errors import BadRecord
from saidwhat.linking import (
    PARAPHRASE_MIN,
    PARAPHRASE_SHARE,
    content_stems,
    gram_hashes,
    normalise_words,
    paraphrase_share,
    same_statement,
    similar_stems,
    speaker_keys,
)
from saidwhat.model import Article, Entity, EntityKind, ExtractedArticle, QuoteType
from saidwhat.store.faults import FaultKind, StoreError, StoreFault, as_fault, faults_of
from saidwhat.store.identity import (
    KnownEntity,
    PersonName,
    canonical_organisation,
    given_names_agree,
    normalise,
    person_name,
)
from saidwhat.store.rows import published_at, quote_row
from saidwhat.store.schema import MIGRATIONS, migrate, schema_version

BUSY_TIMEOUT_S = 60.0
CACHE_KIB = 65_536  # pages cached per connection
# A bulk load (Store.bulk_load) commits articles in groups: this many, or what this many
# seconds stored, whichever comes first, so another writer waits that long at most.
BULK_ARTICLES_PER_COMMIT = 200
BULK_SECONDS_PER_COMMIT = 2.0
# The WAL is copied back into the file (a checkpoint) when it holds this many pages: a
# thirty-second of the store's, and 8,000 at least, 100,000 at most (see wal_pages).
WAL_AUTOCHECKPOINT = 8_000  # pages
WAL_SHARE = 32
MAX_WAL_AUTOCHECKPOINT = 100_000  # pages (400 MB of WAL at most)
BULK_WAL_AUTOCHECKPOINT = 50_000  # pages: fewer, larger checkpoints, each with one fsync
_LOCK_RETRIES = 5
_SQLITE = (sqlite3.Error,)  # the errors of a store's writes that may be faults
_MAX_LOOKUP_GRAMS = 200  # grams of a new quote looked up in the index
# The latest quotes read per gram: a gram millions of quotes share ("we are going to") costs
# what one 256 quotes share does, so a lookup costs about the same at 100,000 quotes and at
# 10M. (At 10M, 64 lost 6 of 522 planted repeats of old quotes made of common words; 256
# lost 2, and reading all, 1: bench/linking_scale.py.)
_MAX_PER_GRAM = 256
_ROWS_PER_INSERT = 400  # quotes per INSERT (21 columns: well under SQLite's 32,766 parameters)
_MAX_CANDIDATES = 8  # quotes sharing the most grams, compared word by word
# A quote with this many index keys or more is compared only with quotes sharing two of them:
# one shared gram ("we are going") is chance, and in a big store it is what most candidates
# share. (Every candidate compared, on the batches of bench/linking_scale.py at 100,000 and
# 1M quotes: of ~25,000 sharing one key with a quote of five keys or more, none was the same
# statement; on statements-dev, 1 of 58, which its speaker's stems find too.)
_LONG_QUOTE_KEYS = 5
_LONG_QUOTE_SHARED = 2
_MAX_SPEAKER_CANDIDATES = 4  # the speaker's quotes sharing the most keys, compared
_MAX_PER_SPEAKER_KEY = 16  # a speaker's latest quotes looked up per key (bounds a busy speaker)


def wal_pages(store_pages: int) -> int:
    """The pages the WAL may hold before a checkpoint, for a store of ``store_pages``.

    A checkpoint writes each page the WAL holds back to its place in the
    file and syncs it: in a big store the index pages an ingest touches (the
    full-text index, the statement keys) lie far apart, and a page written
    in many commits is written back once per checkpoint, so rarer, larger
    checkpoints write fewer pages a quote. A WAL in proportion to the store
    (a thirty-second of it, 370 MB at most beside a 12 GB store of 10M
    quotes) keeps a small store's WAL small.

    >>> wal_pages(1_000), wal_pages(2_900_000), wal_pages(10**8)
    (8000, 90625, 100000)
    """
    return max(WAL_AUTOCHECKPOINT, min(MAX_WAL_AUTOCHECKPOINT, store_pages // WAL_SHARE))


def content_hash(text: str) -> str:
    """The key that makes the same article ingested twice one row."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class IndexKeys:
    """What statement linking reads of a quote's words, and the keys the store indexes it by."""

    words: list[str]  # normalise_words of its content
    stems: list[str]  # content_stems of those words
    grams: set[int]  # quote_grams keys (anyone's quote)
    keys: set[int]  # speaker_keys keys (only a quote with a speaker row is keyed)


def index_keys(content: str, has_speaker: bool, stemmer: Stemmer.Stemmer) -> IndexKeys:
    """The linking keys of a quote of ``content``: what ``Store.add`` writes for it.

    The one place the store derives them, so a store built by other means
    (``bench/bulk_store.py``) holds the keys an ingest would have written.
    """
    words = normalise_words(content)
    stems = content_stems(words, stemmer)
    keys = speaker_keys(stems) if has_speaker else set()
    return IndexKeys(words, stems, gram_hashes(words), keys)


def check_file(path: str | Path, *, full: bool = False) -> list[str]:
    """What is wrong with the store file at ``path`` (empty: nothing SQLite finds).

    ``quick_check`` reads every page and checks each is well formed; with
    ``full``, ``integrity_check`` also checks every index against its rows,
    and the full-text indexes against the quotes and articles (minutes for
    millions of quotes). Read-only. A StoreFault when the file is not a store
    or cannot be read at all.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such store (create one with `saidwhat ingest`)")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            rows = conn.execute(f"PRAGMA {'integrity_check' if full else 'quick_check'}(20)")
            lines = (line.strip() for r in rows for line in str(r[0]).splitlines())
            problems = [line for line in lines if line not in ("ok", "*** in database main ***")]
        finally:
            conn.close()
        if full and not problems and os.access(path, os.W_OK):
            problems += _full_text_problems(path)
        return problems
    except sqlite3.DatabaseError as exc:
        fault = as_fault(path, exc)
        if fault is not None and fault.kind is FaultKind.DAMAGED:
            return [str(exc)]
        raise fault or StoreError(f"{path}: cannot be checked ({exc})") from exc


def _full_text_problems(path: Path) -> list[str]:
    """FTS5's ``integrity-check`` of the quotes' and articles' indexes against their rows.

    It is a write statement to SQLite (though it changes nothing), so it runs
    in a transaction that is rolled back.
    """
    problems = []
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        for table in ("quotes_fts", "articles_fts"):
            conn.execute("BEGIN")
            try:
                conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as exc:
                problems.append(f"{table}: {exc}")
            finally:
                conn.execute("ROLLBACK")
    finally:
        conn.close()
    return problems


@dataclass(frozen=True, slots=True)
class Added:
    """What storing one article did: its row (None for a duplicate) and what it added."""

    article_id: int | None
    quotes: int = 0
    new_speakers: int = 0


class Store:
    """A saidwhat store at ``path`` (created, and migrated to the current schema, on open)."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        link_statements: bool = True,
        check: bool = False,
        busy_timeout_s: float | None = None,
    ) -> None:
        """Open (or create) the store; with ``check``, SQLite's ``quick_check`` of every page
        first (seconds a gigabyte), and a StoreFault when the file is damaged.
        ``busy_timeout_s``: how long a statement waits for another process's lock before
        it fails as LOCKED (``BUSY_TIMEOUT_S`` by default)."""
        self.path = Path(path)
        self._busy_timeout_s = BUSY_TIMEOUT_S if busy_timeout_s is None else busy_timeout_s
        if check and self.path.is_file():
            problems = check_file(self.path)
            if problems:
                raise StoreFault(self.path, FaultKind.DAMAGED, problems[0])
        self.link_statements = link_statements
        self._group: _Group | None = None  # the open bulk load, if any
        self._wal_pages = WAL_AUTOCHECKPOINT  # this store's (wal_pages), set on a writable open
        self._stemmer = Stemmer.Stemmer("english")  # for statement linking (content_stems)
        if read_only and not self.path.is_file():
            raise StoreError(f"{self.path}: no such store (create one with `saidwhat ingest`)")
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path}: no such folder {self.path.parent} (create it first)")
        try:
            self.conn = conn = self._connect(read_only)
            if not read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL: a killed process loses nothing committed; only a
                # power cut can drop the last transactions, never corrupt the file.
                conn.execute("PRAGMA synchronous = NORMAL")
                # Fewer, larger checkpoints: index pages hit again and again (full-text
                # and statement keys) are copied back to the file once, not each time.
                pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
                self._wal_pages = wal_pages(pages)
                conn.execute(f"PRAGMA wal_autocheckpoint = {self._wal_pages}")
                migrate(conn)
            else:
                conn.execute("SELECT count(*) FROM articles").fetchone()
                if schema_version(conn) < len(MIGRATIONS):  # reads need the current schema
                    conn.close()
                    self._upgrade()
                    self.conn = conn = self._connect(read_only)
                elif schema_version(conn) > len(MIGRATIONS):
                    migrate(conn)  # says that a newer saidwhat wrote it (StoreVersionError)
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(sqlite3.Error, AttributeError):
                self.conn.close()
            raise as_fault(self.path, exc) or StoreError(
                f"{self.path}: not a saidwhat store ({exc})"
            ) from exc

    def _connect(self, read_only: bool) -> sqlite3.Connection:
        if read_only:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(
                uri, uri=True, timeout=self._busy_timeout_s, isolation_level=None
            )
        else:
            conn = sqlite3.connect(self.path, timeout=self._busy_timeout_s, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        return conn

    def _upgrade(self) -> None:
        """Bring a store an older saidwhat wrote up to the current schema before reading it
        (each migration is one transaction), or say how when it cannot be written here."""
        try:
            Store(self.path, link_statements=self.link_statements).close()
        except (sqlite3.OperationalError, StoreError) as exc:
            raise StoreError(
                f"{self.path}: written by an older saidwhat; reading it needs its upgrade to"
                f" this one's schema, which needs write access to the file and its folder"
                f" ({exc}): run any saidwhat command on it once as a user who can write them"
            ) from exc

    # -- life cycle -----------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self) -> _Transaction:
        return _Transaction(self.conn, self.path, self._group)

    @contextlib.contextmanager
    def bulk_load(
        self,
        *,
        articles_per_commit: int = BULK_ARTICLES_PER_COMMIT,
        seconds_per_commit: float = BULK_SECONDS_PER_COMMIT,
    ) -> Iterator[None]:
        """Store many articles faster: inside, writes are committed in groups.

        Each ``add`` (and every other write) is a savepoint of a transaction
        committed every ``articles_per_commit`` writes or ``seconds_per_commit``
        seconds, and the WAL is checkpointed less often meanwhile (fewer, larger
        checkpoints; the page cache stays as it is, so memory does not grow).
        A group is atomic like one article: a process killed mid-group leaves
        the store as it was before the group, whole articles only, and a
        re-run stores what is missing. Nothing of the schema is dropped or
        changed. At the end the last group is committed (also when the load
        stops on an exception: what it stored is whole) and the settings of
        a normal connection come back.
        """
        if self._group is not None:
            yield  # already in one
            return
        bulk_pages = max(BULK_WAL_AUTOCHECKPOINT, self._wal_pages)
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {bulk_pages}")
        self._group = _Group(self.conn, self.path, articles_per_commit, seconds_per_commit)
        try:
            yield
        finally:
            group, self._group = self._group, None
            try:
                group.commit()
            finally:
                self.conn.execute(f"PRAGMA wal_autocheckpoint = {self._wal_pages}")

    # -- articles -------------------------------------------------------------------------

    def has_article(self, article: Article) -> bool:
        """Whether this article (same text, or same URL) is stored already."""
        row = self.conn.execute(
            "SELECT 1 FROM articles WHERE content_hash = ? OR (url IS NOT NULL AND url = ?)",
            (content_hash(article.text), article.url),
        ).fetchone()
        return row is not None

    def stored_article_id(self, article: Article) -> int | None:
        """The id of the stored article with this text (else this URL), or None."""
        key = content_hash(article.text)
        row = self.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ? OR (url IS NOT NULL AND url = ?)"
            " ORDER BY content_hash = ? DESC LIMIT 1",
            (key, article.url, key),
        ).fetchone()
        return int(row["id"]) if row is not None else None

    def add(self, result: ExtractedArticle, source: str | None = None) -> Added:
        """Store one article and its quotes in one transaction; a duplicate changes nothing.

        ``source``: where the input says the article came from (its ``source``
        field; ``api`` for the HTTP API).
        """
        for attempt in range(_LOCK_RETRIES):
            try:
                with self._write():
                    return self._add(result, source)
            except StoreFault as fault:
                if fault.kind is not FaultKind.LOCKED or attempt == _LOCK_RETRIES - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _add(self, result: ExtractedArticle, source: str | None) -> Added:
        article = result.article
        if self.has_article(article):
            return Added(None)
        row: dict[str, Any] = {
            **article.to_record(),
            "content_hash": content_hash(article.text),
            "source": source,
            "extra": json.dumps(article.extra, ensure_ascii=False, default=str)
            if article.extra
            else None,
            "error": result.error,
            "ingested_at": _now(),
        }
        cursor = self.conn.execute(_insert("articles", list(row)), list(row.values()))
        article_id = int(cursor.lastrowid or 0)
        new_speakers = 0
        speaker_ids: dict[Entity, int] = {}
        first_id = int(
            self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM quotes").fetchone()[0]
        )
        rows: list[dict[str, Any]] = []
        for seq, quote in enumerate(result.quotes):
            entity = quote.speaker.entity if quote.speaker else None
            speaker_id = None
            if entity is not None:
                if entity not in speaker_ids:
                    speaker_ids[entity], created = self._speaker_for(entity)
                    new_speakers += created
                speaker_id = speaker_ids[entity]
            rows.append(
                {
                    "id": first_id + seq,
                    "article_id": article_id,
                    "seq": seq,
                    **quote_row(quote),
                    "speaker_id": speaker_id,
                    "speaker_name": entity.name if entity else None,
                    "published_at": published_at(article.published),
                }
            )
        self._insert_quotes(rows)
        if self.link_statements and rows:
            # Linked in order, each seeing the article's quotes before it (as link_pending does).
            self._link_rows(
                self.conn.execute(
                    _UNLINKED + " WHERE q.article_id = ? ORDER BY q.id", (article_id,)
                ).fetchall()
            )
        return Added(article_id, len(result.quotes), new_speakers)

    def _insert_quotes(self, rows: list[dict[str, Any]]) -> None:
        """Insert an article's quotes (unlinked) in as few statements as can hold them.

        One statement for many rows, not one per row: SQLite opens a statement
        savepoint for each INSERT that fires triggers, and FTS5 writes what it
        holds to disk at every savepoint, so a row at a time would write a
        full-text segment (and do a share of merging) for every quote.
        """
        if not rows:
            return
        columns = list(rows[0])
        marks = "(" + ", ".join("?" * len(columns)) + ")"
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start : start + _ROWS_PER_INSERT]
            self.conn.execute(
                f"INSERT INTO quotes ({', '.join(columns)}) VALUES "
                + ", ".join([marks] * len(chunk)),
                [row[c] for row in chunk for c in columns],
            )

    # -- statements -----------------------------------------------------------------------

    def _statement_for(
        self,
        content: str,
        speaker_id: int | None,
        published: str | None,
        quote_id: int,
        outlet: str | None,
        *,
        reported: bool = False,
    ) -> _Link:
        """The statement quote ``quote_id`` repeats, or a new one with it as its first.

        First the quotes sharing runs of words with it (anyone's, so a quote
        with no resolved speaker is linked too); then, for a resolved speaker,
        that speaker's quotes sharing content stems, where a changed word, a
        tense or a reported paraphrase ("she said it would reopen") is found.
        """
        indexed = index_keys(content, speaker_id is not None, self._stemmer)
        words, stems, grams, keys = indexed.words, indexed.stems, indexed.grams, indexed.keys
        matches = self._matching_statements(quote_id, words, grams, speaker_id)
        if speaker_id is not None and keys:
            found = {int(m["statement_id"]) for m in matches}
            matches += self._speaker_statements(
                quote_id, words, stems, keys, speaker_id, reported, found
            )
        if not matches:
            cursor = self.conn.execute(
                "INSERT INTO statements (speaker_id, first_quote_id, quotes, articles, outlets)"
                " VALUES (?, ?, 1, 1, ?)",
                (speaker_id, quote_id, int(outlet is not None)),
            )
            return _Link(int(cursor.lastrowid or 0), True, grams, keys, speaker_id, new=True)
        match = matches[0]
        statement_id = int(match["statement_id"])
        # A quote that repeats two statements (the paraphrase one outlet ran and the
        # quotation another did) shows they were one: the others fold into the first.
        merge = tuple(
            dict.fromkeys(
                int(m["statement_id"]) for m in matches if m["statement_id"] != statement_id
            )
        )
        if speaker_id is not None and match["speaker_id"] is None:
            self.conn.execute(
                "UPDATE statements SET speaker_id = ? WHERE id = ?", (speaker_id, statement_id)
            )
        # The statement's first appearance, read for the one statement joined only.
        first_type, first_published = self.conn.execute(
            "SELECT fq.type, fa.published FROM statements s JOIN quotes fq"
            " ON fq.id = s.first_quote_id JOIN articles fa ON fa.id = fq.article_id"
            " WHERE s.id = ?",
            (statement_id,),
        ).fetchone()
        first_reported = first_type != QuoteType.DIRECT.value
        if reported != first_reported:
            first = first_reported  # the earliest verbatim quote stands for the statement
        else:
            first = _earlier(published, first_published)
        return _Link(statement_id, first, grams, keys, speaker_id, merge=merge)

    def _attach(self, quote_id: int, link: _Link, article_id: int, outlet: str | None) -> None:
        """Index the stored quote, count it in its statement, and make it first if it is.

        The statement keeps its own counts of quotes, articles and outlets so
        that listing statements, most carried first, is a walk down an index.
        """
        self.conn.executemany(
            "INSERT OR IGNORE INTO quote_grams (hash, quote_id) VALUES (?, ?)",
            [(g, quote_id) for g in link.grams],
        )
        if link.speaker_id is not None:
            self.conn.executemany(
                "INSERT OR IGNORE INTO speaker_keys (speaker_id, key, quote_id) VALUES (?, ?, ?)",
                [(link.speaker_id, key, quote_id) for key in link.keys],
            )
        if link.new:
            return  # counted when the statement was made
        new_article = (
            self.conn.execute(
                "SELECT count(*) FROM quotes WHERE statement_id = ? AND article_id = ?",
                (link.statement_id, article_id),
            ).fetchone()[0]
            == 1
        )
        new_outlet = outlet is not None and (
            new_article
            and self.conn.execute(
                "SELECT 1 FROM quotes q JOIN articles a ON a.id = q.article_id"
                " WHERE q.statement_id = ? AND a.outlet = ? AND q.article_id != ? LIMIT 1",
                (link.statement_id, outlet, article_id),
            ).fetchone()
            is None
        )
        self.conn.execute(
            "UPDATE statements SET quotes = quotes + 1, articles = articles + ?,"
            " outlets = outlets + ?, first_quote_id = CASE WHEN ? THEN ? ELSE first_quote_id END"
            " WHERE id = ?",
            (int(new_article), int(new_outlet), link.first, quote_id, link.statement_id),
        )
        if link.merge:
            self._merge_statements(link.statement_id, link.merge)

    def _merge_statements(self, into: int, others: tuple[int, ...]) -> None:
        """Fold ``others`` into statement ``into`` and count it again from its quotes."""
        marks = ",".join("?" * len(others))
        self.conn.execute(
            f"UPDATE quotes SET statement_id = ? WHERE statement_id IN ({marks})", (into, *others)
        )
        self.conn.execute(
            "UPDATE statements SET speaker_id = coalesce(speaker_id,"
            f" (SELECT max(speaker_id) FROM statements WHERE id IN ({marks}))) WHERE id = ?",
            (*others, into),
        )
        self.conn.execute(f"DELETE FROM statements WHERE id IN ({marks})", others)
        self.conn.execute(
            "UPDATE statements SET"
            " quotes = (SELECT count(*) FROM quotes WHERE statement_id = :id),"
            " articles = (SELECT count(DISTINCT article_id) FROM quotes WHERE statement_id = :id),"
            " outlets = (SELECT count(DISTINCT a.outlet) FROM quotes q"
            "            JOIN articles a ON a.id = q.article_id WHERE q.statement_id = :id),"
            " first_quote_id = (SELECT q.id FROM quotes q JOIN articles a ON a.id = q.article_id"
            "                   WHERE q.statement_id = :id"
            "                   ORDER BY q.type != 'direct', a.published IS NULL, a.published, q.id"
            "                   LIMIT 1)"
            " WHERE id = :id",
            {"id": into},
        )

    # A candidate's words and statement: what comparing it needs (its statement's first
    # appearance is read once a statement is joined: each row read is a page at 10M quotes).
    _CANDIDATE = (
        "SELECT c.shared, q.content_text, q.type, q.statement_id, s.speaker_id"
        " FROM ({ranked}) c"
        " JOIN quotes q ON q.id = c.quote_id"
        " JOIN statements s ON s.id = q.statement_id"
        " ORDER BY c.shared DESC, c.quote_id"
    )

    def _matching_statements(
        self,
        quote_id: int,
        words: list[str],
        grams: set[int],
        speaker_id: int | None,
    ) -> list[sqlite3.Row]:
        """The statements of indexed quotes sharing runs of words with this one, best first.

        Nearly all the shorter one's words, in order, in the longer: a mixed
        quote ("said the bridge “has to reopen”") whose words are the
        quotation's joins it here too, as a reported variant.
        """
        if not grams:
            return []
        keys = list(grams)[:_MAX_LOOKUP_GRAMS]
        slots = _gram_slots(len(keys))
        keys += [_NO_GRAM] * (slots - len(keys))
        params = [v for key in keys for v in (key, quote_id, _MAX_PER_GRAM)]
        needed = _LONG_QUOTE_SHARED if len(grams) >= _LONG_QUOTE_KEYS else 1
        candidates = self.conn.execute(
            self._CANDIDATE.format(ranked=_gram_ranked_sql(slots)),
            (*params, needed, _MAX_CANDIDATES),
        ).fetchall()
        return [
            candidate
            for candidate in candidates
            # the same words from someone else are another statement
            if (speaker_id is None or candidate["speaker_id"] in (None, speaker_id))
            and same_statement(words, normalise_words(candidate["content_text"]))
        ]

    def _speaker_statements(
        self,
        quote_id: int,
        words: list[str],
        stems: list[str],
        keys: set[int],
        speaker_id: int,
        reported: bool,
        found: set[int],
    ) -> list[sqlite3.Row]:
        """The statements of this speaker's quotes that this one repeats or reports, best first.

        Statements in ``found`` (already matched) are not tested again.

        Candidates are the speaker's quotes sharing the most keys, each key
        looked up among the speaker's latest ``_MAX_PER_SPEAKER_KEY`` quotes,
        so a speaker quoted 100,000 times costs what one quoted 100 times
        does. Two verbatim (or two reported) quotes are one statement when
        their words or their stems nearly agree in order (``same_statement``,
        ``similar_stems``); a reported
        quote and a verbatim one when most of the reported form's stems are
        the quotation's (``paraphrase_share``).
        """
        ranked = _speaker_ranked_sql(len(keys))
        params = [v for key in keys for v in (speaker_id, key, quote_id, _MAX_PER_SPEAKER_KEY)]
        needed = min(PARAPHRASE_MIN, len(keys))
        candidates = self.conn.execute(
            self._CANDIDATE.format(ranked=ranked), (*params, needed, _MAX_SPEAKER_CANDIDATES)
        ).fetchall()
        scored: list[tuple[float, int, sqlite3.Row]] = []
        for n, candidate in enumerate(candidates):
            if candidate["speaker_id"] not in (None, speaker_id):
                continue
            if candidate["statement_id"] in found:
                continue
            other_words = normalise_words(candidate["content_text"])
            other = content_stems(other_words, self._stemmer)
            if reported == (candidate["type"] != QuoteType.DIRECT.value):
                alike = same_statement(words, other_words) or similar_stems(stems, other)
                score = 1.0 if alike else 0.0
            elif reported:
                score = paraphrase_share(stems, other)
            else:
                score = paraphrase_share(other, stems)
            if score >= PARAPHRASE_SHARE:
                scored.append((-score, n, candidate))
        return [candidate for _, _, candidate in sorted(scored)]

    def relink(self, on_batch: Callable[[int, int], None] | None = None) -> int:
        """Rebuild every statement from the stored quotes, in the order they were stored.

        For a store whose speakers were merged or renamed since its quotes
        were linked, or one linked by an older saidwhat (without speaker
        keys). The old statements go in one transaction; the quotes are then
        linked again in batches (``link_pending``), so an interrupted relink
        goes on where it stopped at the next relink or ingest. ``on_batch``
        gets (quotes linked so far, quotes in all). Returns the quotes linked.
        """
        with self._write():
            self.conn.execute("UPDATE quotes SET statement_id = NULL")
            self.conn.execute("DELETE FROM statements")
            self.conn.execute("DELETE FROM quote_grams")
            self.conn.execute("DELETE FROM speaker_keys")
        return self.link_pending(on_batch)

    def link_pending(self, on_batch: Callable[[int, int], None] | None = None) -> int:
        """Link quotes stored before statements existed (or with linking off); return how many.

        ``on_batch`` gets (quotes linked so far, quotes to link in all) after each batch.
        """
        linked = 0
        total = (
            int(
                self.conn.execute(
                    "SELECT count(*) FROM quotes WHERE statement_id IS NULL"
                ).fetchone()[0]
            )
            if on_batch
            else 0
        )
        while True:
            with self._write():
                rows = self.conn.execute(
                    _UNLINKED + " WHERE q.statement_id IS NULL ORDER BY q.id LIMIT 500"
                ).fetchall()
                self._link_rows(rows)
            linked += len(rows)
            if on_batch:
                on_batch(linked, total)
            if len(rows) < 500:
                return linked

    def _link_rows(self, rows: Iterable[sqlite3.Row]) -> None:
        """Link each unlinked quote (rows of ``_UNLINKED``) into a statement, in order."""
        for row in rows:
            quote_id = int(row["id"])
            link = self._statement_for(
                row["content_text"],
                row["speaker_id"],
                row["published"],
                quote_id,
                row["outlet"],
                reported=row["type"] != QuoteType.DIRECT.value,
            )
            self.conn.execute(
                "UPDATE quotes SET statement_id = ? WHERE id = ?", (link.statement_id, quote_id)
            )
            self._attach(quote_id, link, int(row["article_id"]), row["outlet"])

    def relink_quotes(self, quote_ids: Iterable[int]) -> int:
        """Inside a write transaction: link again the statements these quotes are in.

        For an edit that moved quotes to another speaker (``saidwhat.store.curation``):
        statements never cross speakers, so each statement a moved quote is
        in is taken apart, and its quotes (moved or not, and any quote of no
        one's it had joined) are linked again under their speakers now: a
        merged speaker's quote joins its new speaker's statement, a split
        one leaves its old speaker's. The rest of the store keeps its
        statements. Returns the quotes linked.
        """
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS moved (id INTEGER PRIMARY KEY)")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS relinked (id INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM moved")
        self.conn.execute("DELETE FROM relinked")
        self.conn.executemany(
            "INSERT OR IGNORE INTO moved (id) VALUES (?)", [(i,) for i in quote_ids]
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO relinked (id) SELECT id FROM quotes"
            " WHERE id IN (SELECT id FROM moved) OR statement_id IN (SELECT statement_id"
            " FROM quotes WHERE id IN (SELECT id FROM moved) AND statement_id IS NOT NULL)"
        )
        doomed = [
            int(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT statement_id FROM quotes"
                " WHERE id IN (SELECT id FROM relinked) AND statement_id IS NOT NULL"
            )
        ]
        self.conn.execute(
            "UPDATE quotes SET statement_id = NULL WHERE id IN (SELECT id FROM relinked)"
        )
        self.conn.executemany("DELETE FROM statements WHERE id = ?", [(i,) for i in doomed])
        self.conn.execute("DELETE FROM quote_grams WHERE quote_id IN (SELECT id FROM relinked)")
        self.conn.execute("DELETE FROM speaker_keys WHERE quote_id IN (SELECT id FROM relinked)")
        if not self.link_statements:
            return 0  # left for link_pending, as this store's ingests leave theirs
        rows = self.conn.execute(
            _UNLINKED + " WHERE q.id IN (SELECT id FROM relinked) ORDER BY q.id"
        ).fetchall()
        self._link_rows(rows)
        return len(rows)

    def add_error(self, bad: BadRecord, *, once: bool = False) -> bool:
        """Keep a record that could not be used, so the store says what it is missing.

        Each run's bad records are kept as a log; with ``once``, a record
        (source, place, reason) already kept is not kept again, so loading
        the same output twice keeps each error once. True when it was added.
        """
        with self._write():
            if once:
                known = self.conn.execute(
                    "SELECT 1 FROM ingest_errors WHERE source = ? AND location IS ? AND reason = ?"
                    " LIMIT 1",
                    (bad.source, bad.location, bad.reason),
                ).fetchone()
                if known is not None:
                    return False
            self.conn.execute(
                "INSERT INTO ingest_errors (source, location, reason, at) VALUES (?, ?, ?, ?)",
                (bad.source, bad.location, bad.reason, _now()),
            )
        return True

    # -- speakers -------------------------------------------------------------------------

    def _speaker_for(self, entity: Entity) -> tuple[int, bool]:
        """The speaker row of ``entity`` (inside a write transaction); True when it is new.

        A person or an institution is one row across articles; a description
        its article left unresolved ("the council") is a row of its own each
        time, never matched by name, and out of the speakers list.
        """
        if not entity.resolved:
            return self._insert_speaker(entity, entity.name, None), True
        if entity.external_id:
            row = self.conn.execute(
                "SELECT id FROM speakers WHERE external_id = ?", (entity.external_id,)
            ).fetchone()
            if row is not None:
                return int(row["id"]), False
        name = entity.name
        if entity.kind is not EntityKind.PERSON:
            name = canonical_organisation(name)
        found = self.find_speaker(name, entity.kind)
        person = person_name(name) if entity.kind is EntityKind.PERSON else None
        if found is not None:
            self._add_alias(found, entity.name)
            if person is not None and person.given and len(person.given) > 1:
                # Known by an initial so far ("M. Rutte"); now the full name is known.
                self.conn.execute(
                    "UPDATE speakers SET name = ?, given = ? WHERE id = ? AND external_id IS NULL"
                    " AND length(given) = 1 AND NOT named_by_user",
                    (name, person.given, found),
                )
            if entity.gender is not None:  # the gender an article shows, kept once known
                self.conn.execute(
                    "UPDATE speakers SET gender = ?, gender_evidence = ? WHERE id = ?"
                    " AND gender IS NULL",
                    (entity.gender.value, entity.gender_evidence, found),
                )
            return found, False
        speaker_id = self._insert_speaker(entity, name, person)
        self._add_alias(speaker_id, name)
        if name != entity.name:
            self._add_alias(speaker_id, entity.name)
        return speaker_id, True

    def _insert_speaker(self, entity: Entity, name: str, person: PersonName | None) -> int:
        cursor = self.conn.execute(
            "INSERT INTO speakers (id, name, kind, role, external_id, surname, given, gender,"
            f" gender_evidence, members, resolved) VALUES ({_NEW_SPEAKER_ID},"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                entity.kind.value,
                entity.role,
                entity.external_id,
                person.surname if person else None,
                person.given if person else None,
                entity.gender.value if entity.gender else None,
                entity.gender_evidence,
                "|".join(entity.members) if entity.members else None,
                int(entity.resolved),
            ),
        )
        return int(cursor.lastrowid or 0)

    def _add_alias(self, speaker_id: int, alias: str) -> None:
        norm = normalise(alias)
        if norm:
            self.conn.execute(
                "INSERT OR IGNORE INTO speaker_aliases (speaker_id, alias, norm) VALUES (?, ?, ?)",
                (speaker_id, alias, norm),
            )

    def find_speaker(self, name: str, kind: EntityKind = EntityKind.UNKNOWN) -> int | None:
        """The stored speaker ``name`` refers to, or None.

        An exact name or alias wins (a knowledge-base entry first); then, for
        people, the same surname with a compatible first name or initial —
        a bare surname only when one person has it.
        """
        norm = normalise(name)
        rows = self.conn.execute(
            "SELECT s.id, s.kind, s.external_id, a.pinned FROM speaker_aliases a"
            " JOIN speakers s ON s.id = a.speaker_id WHERE a.norm = ? AND s.resolved"
            " ORDER BY a.pinned DESC, s.external_id IS NULL, s.id",
            (norm,),
        ).fetchall()
        for row in rows:
            # A name a user pinned to a speaker (a merge, a split) is that speaker's, whatever
            # the kind an article guessed.
            if row["pinned"] or _kinds_agree(kind, EntityKind(row["kind"])):
                return int(row["id"])
        if kind not in (EntityKind.PERSON, EntityKind.UNKNOWN):
            return None
        person = person_name(name)
        if person is None:
            return None
        candidates = self.conn.execute(
            "SELECT id, given, external_id FROM speakers"
            " WHERE surname = ? AND kind = ? AND resolved ORDER BY external_id IS NULL, id",
            (person.surname, EntityKind.PERSON.value),
        ).fetchall()
        agreeing = [c for c in candidates if given_names_agree(person.given, c["given"])]
        if person.given is None or len(person.given) == 1:
            # "Rutte" or "M. Rutte": only when it cannot be anyone else.
            distinct = {c["given"] for c in agreeing}
            if len(distinct) == 1 and (person.given is not None or kind is EntityKind.PERSON):
                return int(agreeing[0]["id"])
            return None
        exact = [c for c in agreeing if c["given"] == person.given]
        if exact:
            return int(exact[0]["id"])
        return int(agreeing[0]["id"]) if agreeing else None

    def load_knowledge_base(self, entries: Iterable[KnownEntity]) -> tuple[int, int]:
        """Add or update knowledge-base entries; return (entries, guessed speakers merged in).

        A speaker saidwhat guessed earlier whose name is one of an entry's
        names is merged into the entry: its quotes move over.
        """
        count = merged = 0
        with self._write():
            for entry in entries:
                count += 1
                person = person_name(entry.name) if entry.kind is EntityKind.PERSON else None
                row = self.conn.execute(
                    "SELECT id FROM speakers WHERE external_id = ?", (entry.id,)
                ).fetchone()
                values = (
                    entry.name,
                    entry.kind.value,
                    entry.description,
                    person.surname if person else None,
                    person.given if person else None,
                )
                if row is None:
                    cursor = self.conn.execute(
                        "INSERT INTO speakers (id, name, kind, description, surname, given,"
                        f" external_id) VALUES ({_NEW_SPEAKER_ID}, ?, ?, ?, ?, ?, ?)",
                        (*values, entry.id),
                    )
                    speaker_id = int(cursor.lastrowid or 0)
                else:
                    speaker_id = int(row["id"])
                    self.conn.execute(
                        "UPDATE speakers SET name = ?, kind = ?, description = ?, surname = ?,"
                        " given = ? WHERE id = ?",
                        (*values, speaker_id),
                    )
                if entry.hidden:
                    self.conn.execute("UPDATE speakers SET hidden = 1 WHERE id = ?", (speaker_id,))
                for alias in (entry.name, *entry.aliases):
                    self._add_alias(speaker_id, alias)
                    merged += self._merge_guessed(speaker_id, normalise(alias))
        return count, merged

    def _merge_guessed(self, into: int, norm: str) -> int:
        guessed = self.conn.execute(
            "SELECT DISTINCT s.id FROM speaker_aliases a JOIN speakers s ON s.id = a.speaker_id"
            " WHERE a.norm = ? AND s.external_id IS NULL AND s.id != ?",
            (norm, into),
        ).fetchall()
        for row in guessed:
            old = int(row["id"])
            self.conn.execute("UPDATE quotes SET speaker_id = ? WHERE speaker_id = ?", (into, old))
            self.conn.execute(
                "UPDATE statements SET speaker_id = ? WHERE speaker_id = ?", (into, old)
            )
            self.conn.execute(
                "UPDATE speaker_keys SET speaker_id = ? WHERE speaker_id = ?", (into, old)
            )
            self.conn.execute(
                "INSERT OR IGNORE INTO speaker_aliases (speaker_id, alias, norm)"
                " SELECT ?, alias, norm FROM speaker_aliases WHERE speaker_id = ?",
                (into, old),
            )
            self.conn.execute("DELETE FROM speakers WHERE id = ?", (old,))
        return len(guessed)

    # -- reading --------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """How many articles, quotes, speakers and recorded input errors the store holds."""
        out = {}
        for table in ("articles", "quotes", "speakers", "statements", "ingest_errors"):
            out[table] = int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        return out

    def rows(self, sql: str, params: Iterable[Any] = (), size: int = 2000) -> Iterator[sqlite3.Row]:
        """Stream the rows of a query in chunks (exports of any size in flat memory)."""
        cursor = self.conn.execute(sql, tuple(params))
        while chunk := cursor.fetchmany(size):
            yield from chunk


# A new speaker's id: past every speaker a user merged away (``speaker_edits``), so an
# old link or log entry never names someone else.
_NEW_SPEAKER_ID = (
    "(SELECT 1 + max(coalesce((SELECT max(id) FROM speakers), 0),"
    " coalesce((SELECT max(other_id) FROM speaker_edits), 0)))"
)

# The quotes to link (``Store._link_rows``), with what linking needs of their articles.
_UNLINKED = (
    "SELECT q.id, q.content_text, q.type, q.speaker_id, q.article_id, a.published, a.outlet"
    " FROM quotes q JOIN articles a ON a.id = q.article_id"
)


def _insert(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@dataclass(frozen=True, slots=True)
class _Link:
    """Where a quote goes: its statement, whether it is the first appearance, its index keys."""

    statement_id: int
    first: bool
    grams: set[int]
    keys: set[int]  # under the speaker (speaker_keys)
    speaker_id: int | None
    new: bool = False  # a statement made for this quote, already counted
    merge: tuple[int, ...] = ()  # other statements the quote shows to be this one


_NO_GRAM = -1  # pads a gram lookup to a size it shares with others (no key is negative)


def _gram_slots(n_grams: int) -> int:
    """The grams a lookup of ``n_grams`` is padded to: a few sizes of statement to prepare."""
    slots = 8
    while slots < n_grams:
        slots *= 2
    return min(slots, _MAX_LOOKUP_GRAMS)


@functools.cache
def _gram_ranked_sql(n_grams: int) -> str:
    """The quotes sharing the most of ``n_grams`` grams, each gram's latest quotes only.

    Parameters: (hash, quote_id, limit) per gram, then the grams a candidate
    must share, then how many candidates. Each gram is a backward walk of
    the ``quote_grams`` key from its newest quote, stopped at the limit:
    however common the gram, what it costs is bounded, and the quotes an
    outlet repeats (mostly recent) are found.
    """
    per_gram = " UNION ALL ".join(
        "SELECT quote_id FROM (SELECT quote_id FROM quote_grams"
        " WHERE hash = ? AND quote_id != ? ORDER BY quote_id DESC LIMIT ?)"
        for _ in range(n_grams)
    )
    return (
        f"SELECT quote_id, count(*) AS shared FROM ({per_gram})"
        " GROUP BY quote_id HAVING shared >= ? ORDER BY shared DESC, quote_id LIMIT ?"
    )


@functools.cache
def _speaker_ranked_sql(n_keys: int) -> str:
    """The speaker's quotes sharing the most of ``n_keys`` keys, each key bounded.

    Parameters: (speaker_id, key, quote_id, limit) per key, then the keys a
    candidate must share, then how many candidates.
    """
    per_key = " UNION ALL ".join(
        "SELECT quote_id FROM (SELECT quote_id FROM speaker_keys"
        " WHERE speaker_id = ? AND key = ? AND quote_id != ?"
        " ORDER BY quote_id DESC LIMIT ?)"
        for _ in range(n_keys)
    )
    return (
        f"SELECT quote_id, count(*) AS shared FROM ({per_key})"
        " GROUP BY quote_id HAVING shared >= ? ORDER BY shared DESC, quote_id LIMIT ?"
    )


def _earlier(published: str | None, than: str | None) -> bool:
    """Whether a date is earlier than another; an unknown date is never earlier."""
    return published is not None and (than is None or published < than)


def _kinds_agree(a: EntityKind, b: EntityKind) -> bool:
    return a == b or EntityKind.UNKNOWN in (a, b)


@dataclass
class _Group:
    """The open transaction of a bulk load: writes so far, and when it began."""

    conn: sqlite3.Connection
    path: Path
    max_writes: int
    max_seconds: float
    writes: int = 0
    started: float = field(default_factory=time.monotonic)

    def begin(self) -> None:
        """Open the group's transaction (taking the write lock) unless it is open."""
        if not self.conn.in_transaction:
            with faults_of(self.path, _SQLITE):
                self.conn.execute("BEGIN IMMEDIATE")
            self.writes, self.started = 0, time.monotonic()

    def wrote(self) -> None:
        """One write more; commit when the group is full or old enough."""
        self.writes += 1
        if self.writes >= self.max_writes or time.monotonic() - self.started >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        if self.conn.in_transaction:
            with faults_of(self.path, _SQLITE):
                self.conn.execute("COMMIT")


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (even KeyboardInterrupt).

    In a bulk load (``group``), a savepoint of the group's transaction instead:
    rolled back alone on an exception, the group's other writes kept. A fault
    a user can act on (``saidwhat.store.faults``) comes out as a StoreFault.
    SQLite itself may roll the whole transaction back on one (a full disk): then
    there is nothing left to roll back, and in a bulk load the open group is lost.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, group: _Group | None = None) -> None:
        self.conn = conn
        self.path = path
        self.group = group

    def __enter__(self) -> None:
        if self.group is None:
            with faults_of(self.path, _SQLITE):
                self.conn.execute("BEGIN IMMEDIATE")
            return
        self.group.begin()
        self.conn.execute("SAVEPOINT article")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with faults_of(self.path, _SQLITE):
            if kind is None:
                if self.group is None:
                    self.conn.execute("COMMIT")
                else:
                    self.conn.execute("RELEASE article")
                    self.group.wrote()
                return
            if self.conn.in_transaction:  # (a fault may have rolled it all back)
                if self.group is None:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute("ROLLBACK TO article")
                    self.conn.execute("RELEASE article")
        if isinstance(value, sqlite3.Error):
            fault = as_fault(self.path, value)
            if fault is not None:
                raise fault from value
