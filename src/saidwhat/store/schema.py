"""The store's schema, as an ordered list of migrations.

``PRAGMA user_version`` records how many migrations a database has had, so
opening an older store brings it up to date in place, and opening a store
made by a newer saidwhat fails clearly instead of misreading it. A new
migration is appended, never edited: stores in the field already ran the old
ones.
"""

from __future__ import annotations

import sqlite3

from saidwhat.errors import SaidwhatError

MIGRATIONS: tuple[str, ...] = (
    # 1: articles, speakers with aliases, quotes, full-text indexes, ingest errors.
    """
    CREATE TABLE articles (
        id           INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,   -- sha256 of the text: one row per article
        url          TEXT,
        source_id    TEXT NOT NULL,          -- the id the input gave it
        source       TEXT,                   -- file or URL it was read from
        outlet       TEXT,
        published    TEXT,                   -- ISO date or date-time as given
        title        TEXT,
        language     TEXT NOT NULL DEFAULT 'en',
        text         TEXT NOT NULL,
        extra        TEXT,                   -- JSON of the input's other fields
        error        TEXT,                   -- why extraction failed, when it did
        ingested_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_outlet ON articles(outlet);

    CREATE TABLE speakers (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,           -- person | organisation | unknown
        role        TEXT,
        external_id TEXT UNIQUE,             -- from a knowledge base (e.g. a Wikidata QID)
        description TEXT,
        surname     TEXT,                    -- normalised, for people: matching across articles
        given       TEXT                     -- normalised first given name, for people
    );
    CREATE INDEX speakers_surname ON speakers(surname);

    CREATE TABLE speaker_aliases (
        speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
        alias      TEXT NOT NULL,
        norm       TEXT NOT NULL,
        PRIMARY KEY (speaker_id, norm)
    );
    CREATE INDEX speaker_aliases_norm ON speaker_aliases(norm);

    CREATE TABLE quotes (
        id            INTEGER PRIMARY KEY,
        article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        seq           INTEGER NOT NULL,      -- order in the article
        start         INTEGER NOT NULL,
        end           INTEGER NOT NULL,
        content       TEXT NOT NULL,         -- the quoted words: its parts joined by a space
        parts         TEXT,                  -- JSON [[start, end], ...] when in several pieces
        type          TEXT NOT NULL,
        cue           TEXT,
        cue_start     INTEGER,
        cue_end       INTEGER,
        speaker_id    INTEGER REFERENCES speakers(id),
        mention       TEXT,
        mention_start INTEGER,
        mention_end   INTEGER,
        confidence    REAL NOT NULL,
        evidence      TEXT,
        UNIQUE (article_id, seq)
    );
    CREATE INDEX quotes_speaker ON quotes(speaker_id);
    CREATE INDEX quotes_article ON quotes(article_id);

    CREATE VIRTUAL TABLE quotes_fts USING fts5(
        content, content='quotes', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts(rowid, content) VALUES (new.id, new.content);
    END;
    CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, content) VALUES ('delete', old.id, old.content);
    END;

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END;

    CREATE TABLE ingest_errors (
        id       INTEGER PRIMARY KEY,
        source   TEXT NOT NULL,
        location TEXT,
        reason   TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    """,
    # 2: statements — the same quotation across articles — and the gram index that finds them.
    """
    CREATE TABLE statements (
        id             INTEGER PRIMARY KEY,
        speaker_id     INTEGER REFERENCES speakers(id),
        first_quote_id INTEGER,               -- earliest published, then earliest ingested
        quotes         INTEGER NOT NULL DEFAULT 0,
        articles       INTEGER NOT NULL DEFAULT 0,
        outlets        INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX statements_carried ON statements(articles DESC, quotes DESC, id);
    CREATE INDEX statements_speaker ON statements(speaker_id, articles DESC, quotes DESC, id);
    ALTER TABLE quotes ADD COLUMN statement_id INTEGER REFERENCES statements(id);
    CREATE INDEX quotes_statement ON quotes(statement_id);

    CREATE TABLE quote_grams (
        hash     INTEGER NOT NULL,            -- a word 3-gram of the quote (see linking.py)
        quote_id INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
        PRIMARY KEY (hash, quote_id)
    ) WITHOUT ROWID;
    """,
    # 3: the record's names (saidwhat.model.QUOTE_FIELDS, ARTICLE_FIELDS) for the columns,
    # each quote's rule, and the quote index on the renamed column.
    """
    DROP TRIGGER quotes_fts_insert;
    DROP TRIGGER quotes_fts_delete;
    DROP TABLE quotes_fts;
    ALTER TABLE articles RENAME COLUMN source_id TO input_id;
    ALTER TABLE quotes RENAME COLUMN start TO content_start;
    ALTER TABLE quotes RENAME COLUMN end TO content_end;
    ALTER TABLE quotes RENAME COLUMN content TO content_text;
    ALTER TABLE quotes RENAME COLUMN parts TO content_parts;
    ALTER TABLE quotes RENAME COLUMN cue TO cue_text;
    ALTER TABLE quotes RENAME COLUMN mention TO speaker_text;
    ALTER TABLE quotes RENAME COLUMN mention_start TO speaker_start;
    ALTER TABLE quotes RENAME COLUMN mention_end TO speaker_end;
    ALTER TABLE quotes ADD COLUMN rule TEXT;
    CREATE VIRTUAL TABLE quotes_fts USING fts5(
        content_text, content='quotes', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild');
    CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts(rowid, content_text) VALUES (new.id, new.content_text);
    END;
    CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, content_text)
        VALUES ('delete', old.id, old.content_text);
    END;
    """,
    # 4: a speaker's gender (with its evidence), a group's members, and whether it is
    # anyone at all (an unresolved description is kept per article, out of the list).
    """
    ALTER TABLE speakers ADD COLUMN gender TEXT;
    ALTER TABLE speakers ADD COLUMN gender_evidence TEXT;
    ALTER TABLE speakers ADD COLUMN members TEXT;
    ALTER TABLE speakers ADD COLUMN resolved INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX speakers_gender ON speakers(gender);
    """,
    # 5: each quote with a resolved speaker keyed by that speaker and its content stems
    # (saidwhat.linking.speaker_keys), so a variant with a word changed is still found.
    # Quotes stored before this have no keys until `saidwhat statements --relink`.
    """
    CREATE TABLE speaker_keys (
        speaker_id INTEGER NOT NULL,
        key        INTEGER NOT NULL,
        quote_id   INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
        PRIMARY KEY (speaker_id, key, quote_id)
    ) WITHOUT ROWID;
    """,
    # 6: a researcher's curation (saidwhat.store.curation). Aliases a user pinned to one
    # speaker (a merged-away or split-off name) win over every guess at the next ingest; a
    # hidden speaker is left out of lists and searches; a name set by hand is kept; each
    # quote keeps the name its article resolved the speaker to (what a split goes by);
    # and every edit is logged.
    """
    ALTER TABLE speakers ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE speakers ADD COLUMN named_by_user INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE speaker_aliases ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE quotes ADD COLUMN speaker_name TEXT;
    CREATE TABLE speaker_edits (
        id         INTEGER PRIMARY KEY,
        action     TEXT NOT NULL,             -- merge | rename | split | hide | unhide
        speaker_id INTEGER NOT NULL,          -- the speaker it left standing
        other_id   INTEGER,                   -- merge: the speaker merged away; split: the new
                                              -- one (no references: a merged one is gone, and
                                              -- its id is never given to another speaker)
        detail     TEXT NOT NULL,             -- JSON: what changed
        at         TEXT NOT NULL
    );
    """,
    # 7: what the lists read kept up to date instead of counted at every read: each
    # speaker's quotes, articles and outlets, and its quotes per outlet (speaker_outlets),
    # kept by triggers on quotes whatever moves them (ingest, curation); each quote's
    # article date (published_at, ISO only), so date filters and date order use an index;
    # outlets indexed as searched (case-blind); and the speaker in the full-text index.
    """
    ALTER TABLE quotes ADD COLUMN published_at TEXT;  -- its article's published, when ISO
    UPDATE quotes SET published_at = (
        SELECT a.published FROM articles a WHERE a.id = quotes.article_id
        AND a.published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
    );
    CREATE INDEX quotes_published ON quotes(published_at, id);
    CREATE INDEX quotes_speaker_published ON quotes(speaker_id, published_at, id);
    CREATE INDEX articles_outlet_nocase ON articles(outlet COLLATE NOCASE);

    -- The full-text index also holds each quote's speaker as a token (s<id>), so words
    -- said by one speaker are one match over the index (a speaker with 100,000 quotes
    -- and a word half the store has cost what their intersection costs).
    ALTER TABLE quotes ADD COLUMN speaker_key TEXT
        GENERATED ALWAYS AS ('s' || speaker_id) VIRTUAL;
    DROP TRIGGER quotes_fts_insert;
    DROP TRIGGER quotes_fts_delete;
    DROP TABLE quotes_fts;
    CREATE VIRTUAL TABLE quotes_fts USING fts5(
        content_text, speaker_key, content='quotes', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild');
    CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts(rowid, content_text, speaker_key)
        VALUES (new.id, new.content_text, new.speaker_key);
    END;
    CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, content_text, speaker_key)
        VALUES ('delete', old.id, old.content_text, old.speaker_key);
    END;
    CREATE TRIGGER quotes_fts_move AFTER UPDATE OF speaker_id ON quotes
    WHEN old.speaker_id IS NOT new.speaker_id BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, content_text, speaker_key)
        VALUES ('delete', old.id, old.content_text, old.speaker_key);
        INSERT INTO quotes_fts(rowid, content_text, speaker_key)
        VALUES (new.id, new.content_text, new.speaker_key);
    END;

    CREATE TABLE speaker_outlets (
        speaker_id INTEGER NOT NULL,
        outlet     TEXT NOT NULL,            -- the article's outlet, '' when it has none
        quotes     INTEGER NOT NULL,
        articles   INTEGER NOT NULL,
        PRIMARY KEY (speaker_id, outlet)
    ) WITHOUT ROWID;
    INSERT INTO speaker_outlets (speaker_id, outlet, quotes, articles)
        SELECT q.speaker_id, coalesce(a.outlet, ''), count(*), count(DISTINCT q.article_id)
        FROM quotes q JOIN articles a ON a.id = q.article_id
        WHERE q.speaker_id IS NOT NULL GROUP BY q.speaker_id, coalesce(a.outlet, '');

    ALTER TABLE speakers ADD COLUMN quotes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE speakers ADD COLUMN articles INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE speakers ADD COLUMN outlets INTEGER NOT NULL DEFAULT 0;  -- named ones
    UPDATE speakers SET
        quotes = (SELECT coalesce(sum(o.quotes), 0) FROM speaker_outlets o
                  WHERE o.speaker_id = speakers.id),
        articles = (SELECT coalesce(sum(o.articles), 0) FROM speaker_outlets o
                    WHERE o.speaker_id = speakers.id),
        outlets = (SELECT count(*) FROM speaker_outlets o
                   WHERE o.speaker_id = speakers.id AND o.outlet != '');
    CREATE INDEX speakers_by_quotes ON speakers(quotes DESC, name);
    CREATE INDEX speakers_hidden ON speakers(id) WHERE hidden;

    CREATE TRIGGER speaker_outlets_insert AFTER INSERT ON speaker_outlets
    WHEN new.outlet != '' BEGIN
        UPDATE speakers SET outlets = outlets + 1 WHERE id = new.speaker_id;
    END;
    CREATE TRIGGER speaker_outlets_delete AFTER DELETE ON speaker_outlets
    WHEN old.outlet != '' BEGIN
        UPDATE speakers SET outlets = outlets - 1 WHERE id = old.speaker_id;
    END;
    CREATE TRIGGER quotes_count_insert AFTER INSERT ON quotes
    WHEN new.speaker_id IS NOT NULL BEGIN
        INSERT INTO speaker_outlets (speaker_id, outlet, quotes, articles)
        SELECT new.speaker_id, coalesce(a.outlet, ''), 1, NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = new.article_id
            AND o.speaker_id = new.speaker_id AND o.id != new.id
        ) FROM articles a WHERE a.id = new.article_id
        ON CONFLICT (speaker_id, outlet) DO UPDATE
        SET quotes = quotes + 1, articles = articles + excluded.articles;
        UPDATE speakers SET quotes = quotes + 1, articles = articles + NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = new.article_id
            AND o.speaker_id = new.speaker_id AND o.id != new.id
        ) WHERE id = new.speaker_id;
    END;
    CREATE TRIGGER quotes_count_delete AFTER DELETE ON quotes
    WHEN old.speaker_id IS NOT NULL BEGIN
        UPDATE speaker_outlets SET quotes = quotes - 1, articles = articles - NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = old.article_id
            AND o.speaker_id = old.speaker_id
        ) WHERE speaker_id = old.speaker_id AND outlet = (
            SELECT coalesce(a.outlet, '') FROM articles a WHERE a.id = old.article_id
        );
        DELETE FROM speaker_outlets WHERE speaker_id = old.speaker_id AND quotes <= 0;
        UPDATE speakers SET quotes = quotes - 1, articles = articles - NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = old.article_id
            AND o.speaker_id = old.speaker_id
        ) WHERE id = old.speaker_id;
    END;
    CREATE TRIGGER quotes_count_move AFTER UPDATE OF speaker_id ON quotes
    WHEN old.speaker_id IS NOT new.speaker_id BEGIN
        UPDATE speaker_outlets SET quotes = quotes - 1, articles = articles - NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = old.article_id
            AND o.speaker_id = old.speaker_id
        ) WHERE old.speaker_id IS NOT NULL AND speaker_id = old.speaker_id AND outlet = (
            SELECT coalesce(a.outlet, '') FROM articles a WHERE a.id = old.article_id
        );
        DELETE FROM speaker_outlets WHERE speaker_id = old.speaker_id AND quotes <= 0;
        UPDATE speakers SET quotes = quotes - 1, articles = articles - NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = old.article_id
            AND o.speaker_id = old.speaker_id
        ) WHERE id = old.speaker_id;
        INSERT INTO speaker_outlets (speaker_id, outlet, quotes, articles)
        SELECT new.speaker_id, coalesce(a.outlet, ''), 1, NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = new.article_id
            AND o.speaker_id = new.speaker_id AND o.id != new.id
        ) FROM articles a WHERE new.speaker_id IS NOT NULL AND a.id = new.article_id
        ON CONFLICT (speaker_id, outlet) DO UPDATE
        SET quotes = quotes + 1, articles = articles + excluded.articles;
        UPDATE speakers SET quotes = quotes + 1, articles = articles + NOT EXISTS (
            SELECT 1 FROM quotes o WHERE o.article_id = new.article_id
            AND o.speaker_id = new.speaker_id AND o.id != new.id
        ) WHERE id = new.speaker_id;
    END;
    """,
    # 8: the facets of a search (its quotes counted by outlet, type, speaker kind and
    # gender) read each quote found in a narrow copy of the columns they need rather than
    # in its whole row (a quote's row holds its text): in a big store the quotes found
    # are spread over the file, and the copy is a tenth of its pages. And each speaker's
    # quotes per day, kept by triggers as speaker_outlets is, for the speaker page's
    # timeline (a speaker quoted 100,000 times has at most a row a day).
    """
    CREATE INDEX quotes_facets ON quotes(id, type, speaker_id, article_id);
    CREATE INDEX articles_outlets ON articles(id, outlet);

    CREATE TABLE speaker_days (
        speaker_id INTEGER NOT NULL,
        day        TEXT NOT NULL,            -- the quotes' published_at day, '' when undated
        quotes     INTEGER NOT NULL,
        PRIMARY KEY (speaker_id, day)
    ) WITHOUT ROWID;
    INSERT INTO speaker_days (speaker_id, day, quotes)
        SELECT speaker_id, coalesce(substr(published_at, 1, 10), ''), count(*)
        FROM quotes WHERE speaker_id IS NOT NULL GROUP BY 1, 2;
    CREATE TRIGGER speaker_days_insert AFTER INSERT ON quotes
    WHEN new.speaker_id IS NOT NULL BEGIN
        INSERT INTO speaker_days (speaker_id, day, quotes)
        VALUES (new.speaker_id, coalesce(substr(new.published_at, 1, 10), ''), 1)
        ON CONFLICT (speaker_id, day) DO UPDATE SET quotes = quotes + 1;
    END;
    CREATE TRIGGER speaker_days_delete AFTER DELETE ON quotes
    WHEN old.speaker_id IS NOT NULL BEGIN
        UPDATE speaker_days SET quotes = quotes - 1
        WHERE speaker_id = old.speaker_id AND day = coalesce(substr(old.published_at, 1, 10), '');
        DELETE FROM speaker_days WHERE speaker_id = old.speaker_id AND quotes <= 0;
    END;
    CREATE TRIGGER speaker_days_move AFTER UPDATE OF speaker_id, published_at ON quotes
    WHEN old.speaker_id IS NOT new.speaker_id OR old.published_at IS NOT new.published_at
    BEGIN
        UPDATE speaker_days SET quotes = quotes - 1
        WHERE speaker_id = old.speaker_id AND day = coalesce(substr(old.published_at, 1, 10), '');
        DELETE FROM speaker_days WHERE speaker_id = old.speaker_id AND quotes <= 0;
        INSERT INTO speaker_days (speaker_id, day, quotes)
        SELECT new.speaker_id, coalesce(substr(new.published_at, 1, 10), ''), 1
        WHERE new.speaker_id IS NOT NULL
        ON CONFLICT (speaker_id, day) DO UPDATE SET quotes = quotes + 1;
    END;
    """,
)


class StoreVersionError(SaidwhatError):
    """The store was written by a newer saidwhat than this one."""


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, up_to: int = len(MIGRATIONS)) -> int:
    """Apply the migrations ``conn`` has not had yet (up to number ``up_to``); return the
    new version.

    Each migration runs in its own transaction with the version bump, so a
    crash mid-migration leaves the store at the previous version.
    """
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise StoreVersionError(
            f"the store has schema version {version}, but this saidwhat knows only "
            f"{len(MIGRATIONS)}; upgrade saidwhat to open it"
        )
    for number, script in enumerate(MIGRATIONS[version:up_to], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= number:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return schema_version(conn)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers hold ``;`` inside BEGIN … END)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
