"""A big synthetic store, written straight into the tables: the bench's bulk path.

``build_bulk_store(path, quotes, seed)`` makes a store of any size (ten
million quotes in minutes) without parsing or statement linking: articles,
speakers with aliases, quotes and statements are generated from a fixed
fictional vocabulary with a seeded RNG and inserted with ``executemany`` in
large transactions. The store is created by ``saidwhat.store.Store`` first,
so its schema and version are the real ones; every trigger but the two
full-text ones runs as rows go in, and the full-text indexes are built in
bulk at the end (``fts="rebuild"``) or kept by their triggers
(``fts="trigger"``).

The shape follows news: ~10 quotes an article, 200 outlets and 2,000
speakers with a Zipf-like share (the top speaker has ~1% of the quotes),
people and organisations, dates over five years in publication order, one
word (``HALF_WORD``) in about half the quotes and a long tail of rare words,
and ~20% of quotes repeats of an earlier quote (same speaker, same words)
sharing its statement.

``quote_grams`` and ``speaker_keys`` (the statement linking indexes) are
left empty unless ``linking_index=True``: then each quote gets the keys
``Store.add`` would have written for it (``saidwhat.store.store.index_keys``,
worked out in the generator process), staged in a side file as rows go in
and written into the two indexes in key order at the end, so a ``Store.add``
on top of the store reads posting lists as long as an ingest would have
left them.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import Stemmer

from saidwhat.store import Store
from saidwhat.store.identity import normalise, person_name
from saidwhat.store.rows import published_at
from saidwhat.store.schema import MIGRATIONS, migrate
from saidwhat.store.store import index_keys

SEED = 17
QUOTES_PER_ARTICLE = (6, 14)  # uniform: ~10 an article
WORDS_PER_QUOTE = (6, 25)
REPEAT_SHARE = 0.2
HALF_WORD = "velkarin"  # in about half the quotes
HALF_SHARE = 0.5
N_WORDS = 20_000
N_SPEAKERS = 2_000
N_OUTLETS = 200
SPEAKER_SKEW = 0.5  # share ∝ 1 / rank**0.5: the top speaker has ~1% of the quotes
FIRST_DAY = 738_156  # date(2022, 1, 1).toordinal(); five years from there
DAYS = 5 * 365
POOL_SLOTS = 50_000  # recent quotes a repeat is drawn from (a viral one holds many slots)
BATCH_QUOTES = 50_000  # quotes per transaction
FTS_TRIGGERS = ("quotes_fts_insert", "articles_fts_insert")

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "kr")
_VOWELS = ("a", "e", "i", "o", "u")
_CODAS = ("sk", "rn", "lt", "nd", "rv", "th")
_OUTLET_KINDS = ("Herald", "Courier", "Gazette", "Ledger", "Tribune", "Dispatch", "Post", "Review")
_ORG_KINDS = ("Council", "Ministry", "Union", "Authority", "Federation", "Institute")
_CUES = ("said", "warned", "insisted", "told reporters", "added", "claimed", "argued")
_TYPES = ("direct", "direct", "direct", "direct", "indirect", "indirect", "indirect", "mixed")


def _fictional_words(rng: random.Random, n: int, syllables: int) -> list[str]:
    """``n`` distinct made-up words: consonant-vowel syllables and a closing cluster."""
    cells = ["".join(p) for p in itertools.product(_ONSETS, _VOWELS)]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(cells) for _ in range(syllables)) + rng.choice(_CODAS))
    return sorted(words)


def _cumulative(n: int, skew: float) -> list[float]:
    """Cumulative Zipf-like weights of ranks 0..n-1 (share ∝ 1 / (rank + 1) ** skew)."""
    return list(itertools.accumulate(1 / (rank + 1) ** skew for rank in range(n)))


@dataclass(frozen=True, slots=True)
class Speaker:
    speaker_id: int
    name: str
    kind: str  # person | organisation
    gender: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Everything the generator draws from, by rank (most frequent first); fixed by the seed."""

    words: list[str]
    word_weights: list[float]
    speakers: list[Speaker]
    speaker_weights: list[float]
    outlets: list[str]
    outlet_weights: list[float]


def _speakers(rng: random.Random) -> list[Speaker]:
    """``N_SPEAKERS`` fictional people (4 in 5) and organisations, most quoted first."""
    given = [w.capitalize() for w in _fictional_words(rng, 300, 2)]
    surnames = [w.capitalize() for w in _fictional_words(rng, 1_500, 3)]
    places = [w.capitalize() for w in _fictional_words(rng, 400, 2)]
    names: set[str] = set()
    speakers: list[Speaker] = []
    while len(speakers) < N_SPEAKERS:
        speaker_id = len(speakers) + 1
        if speaker_id == 1 or rng.random() < 0.8:  # the most quoted is a person
            name = f"{rng.choice(given)} {rng.choice(surnames)}"
            gender = rng.choice(("female", "male", "female", "male", None))
            title = {"female": "Ms", "male": "Mr", None: None}[gender]
            surname = name.split()[-1]
            aliases = (name, f"{title} {surname}") if title else (name,)
            kind = "person"
        else:
            name = f"{rng.choice(places)} {rng.choice(_ORG_KINDS)}"
            gender, kind = None, "organisation"
            aliases = (name, "".join(w[0] for w in name.split()).upper() + " office")
        if name not in names:
            names.add(name)
            speakers.append(Speaker(speaker_id, name, kind, gender, aliases))
    return speakers


def vocabulary(seed: int = SEED) -> Vocabulary:
    """The words, speakers and outlets of the synthetic stores of ``seed``."""
    rng = random.Random(seed)
    words = [w for w in _fictional_words(rng, N_WORDS + 1, 2) if w != HALF_WORD][:N_WORDS]
    rng.shuffle(words)  # ranks at random, not alphabetical
    outlets = [
        f"The {w.capitalize()} {rng.choice(_OUTLET_KINDS)}"
        for w in _fictional_words(rng, N_OUTLETS, 2)
    ]
    rng.shuffle(outlets)
    return Vocabulary(
        words=words,
        word_weights=_cumulative(N_WORDS, 1.0),
        speakers=_speakers(rng),
        speaker_weights=_cumulative(N_SPEAKERS, SPEAKER_SKEW),
        outlets=outlets,
        outlet_weights=_cumulative(N_OUTLETS, 1.0),
    )


# The columns each table gets, by name: triggers and columns added by later migrations
# (defaults, counters kept by triggers) stay the schema's business.
ARTICLE_COLUMNS = (
    "id", "content_hash", "url", "input_id", "source", "outlet", "published", "title",
    "language", "text", "ingested_at",
)  # fmt: skip
QUOTE_COLUMNS = (
    "id", "article_id", "seq", "content_start", "content_end", "content_text", "content_parts",
    "type", "cue_text", "cue_start", "cue_end", "speaker_id", "speaker_text", "speaker_start",
    "speaker_end", "confidence", "evidence", "rule", "speaker_name", "statement_id",
    "published_at",
)  # fmt: skip
STATEMENT_COLUMNS = ("id", "speaker_id", "first_quote_id", "quotes", "articles", "outlets")
SPEAKER_COLUMNS = (
    "id", "name", "kind", "surname", "given", "gender", "gender_evidence", "resolved",
)  # fmt: skip
ALIAS_COLUMNS = ("speaker_id", "alias", "norm")


@dataclass
class Batch:
    """Rows to insert, one tuple per row in the order of the ``*_COLUMNS``."""

    speakers: list[tuple[object, ...]] = field(default_factory=list)
    aliases: list[tuple[object, ...]] = field(default_factory=list)
    articles: list[tuple[object, ...]] = field(default_factory=list)
    statements: list[tuple[object, ...]] = field(default_factory=list)
    quotes: list[tuple[object, ...]] = field(default_factory=list)
    repeated: list[tuple[int]] = field(default_factory=list)  # statements given a repeat
    grams: list[tuple[int, int]] = field(default_factory=list)  # (hash, quote_id)
    keys: list[tuple[int, int, int]] = field(default_factory=list)  # (speaker_id, key, quote_id)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def write_batch(conn: sqlite3.Connection, batch: Batch) -> None:
    """Insert one batch in one transaction: every write of the build goes through here.

    Plain INSERTs by column name, parents first (speakers, articles and
    statements before the quotes that refer to them), so the triggers of each
    table see a complete store. A column a later migration adds is one name
    in the ``*_COLUMNS`` and one value in the generator's tuple.
    """
    conn.execute("BEGIN")
    conn.executemany(_insert_sql("speakers", SPEAKER_COLUMNS), batch.speakers)
    conn.executemany(_insert_sql("speaker_aliases", ALIAS_COLUMNS), batch.aliases)
    conn.executemany(_insert_sql("articles", ARTICLE_COLUMNS), batch.articles)
    conn.executemany(_insert_sql("statements", STATEMENT_COLUMNS), batch.statements)
    conn.executemany(_insert_sql("quotes", QUOTE_COLUMNS), batch.quotes)
    conn.executemany(
        "INSERT OR IGNORE INTO temp.repeated (statement_id) VALUES (?)", batch.repeated
    )
    if batch.grams or batch.keys:
        conn.executemany("INSERT INTO staged.grams VALUES (?, ?)", batch.grams)
        conn.executemany("INSERT INTO staged.keys VALUES (?, ?, ?)", batch.keys)
    conn.execute("COMMIT")


def speaker_batch(speakers: Sequence[Speaker]) -> Batch:
    """The speakers and their aliases (normalised as the store matches them)."""
    batch = Batch()
    for s in speakers:
        person = person_name(s.name) if s.kind == "person" else None
        evidence = f"pronoun {'she' if s.gender == 'female' else 'he'}" if s.gender else None
        batch.speakers.append(
            (s.speaker_id, s.name, s.kind, person.surname if person else None,
             person.given if person else None, s.gender, evidence, 1)
        )  # fmt: skip
        norms = {normalise(alias): alias for alias in s.aliases}
        batch.aliases.extend((s.speaker_id, alias, norm) for norm, alias in norms.items())
    return batch


@dataclass
class Generator:
    """Articles and their quotes, in publication order, from a seeded RNG."""

    vocab: Vocabulary
    n_quotes: int
    rng: random.Random
    linking_index: bool = False  # also the quote_grams and speaker_keys rows of each quote
    pool: list[tuple[int, int, str]] = field(default_factory=list)  # statement, speaker, text
    quote_id: int = 0
    article_id: int = 0
    statement_id: int = 0
    stemmer: Stemmer.Stemmer = field(default_factory=lambda: Stemmer.Stemmer("english"))
    # The keys of the statements in the pool, so a repeat's are not worked out again.
    pool_keys: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)

    def _index(self, batch: Batch, statement: int, speaker_id: int, words: str) -> None:
        """The linking index rows of quote ``quote_id``, as ``Store.add`` writes them."""
        known = self.pool_keys.get(statement)
        if known is None:
            indexed = index_keys(words, True, self.stemmer)
            known = (tuple(indexed.grams), tuple(indexed.keys))
            if len(self.pool_keys) > 2 * POOL_SLOTS:  # forget statements the pool dropped
                live = {said[0] for said in self.pool}
                self.pool_keys = {s: k for s, k in self.pool_keys.items() if s in live}
            self.pool_keys[statement] = known
        grams, keys = known
        batch.grams.extend((g, self.quote_id) for g in grams)
        batch.keys.extend((speaker_id, k, self.quote_id) for k in keys)

    def _words(self) -> str:
        k = self.rng.randint(*WORDS_PER_QUOTE)
        words = self.rng.choices(self.vocab.words, cum_weights=self.vocab.word_weights, k=k)
        if self.rng.random() < HALF_SHARE:
            words[self.rng.randrange(k)] = HALF_WORD
        return " ".join(words).capitalize() + "."

    def _said(self, batch: Batch) -> tuple[int, int, str]:
        """(statement, speaker, words) of quote ``quote_id``: a repeat or a new statement."""
        rng = self.rng
        if self.pool and rng.random() < REPEAT_SHARE:
            said = self.pool[rng.randrange(len(self.pool))]
            batch.repeated.append((said[0],))
            return said
        self.statement_id += 1
        (speaker,) = rng.choices(self.vocab.speakers, cum_weights=self.vocab.speaker_weights)
        said = (self.statement_id, speaker.speaker_id, self._words())
        batch.statements.append((self.statement_id, speaker.speaker_id, self.quote_id, 1, 1, 1))
        # A few statements go viral: they hold many slots of the pool repeats come from.
        for _ in range(min(300, int(rng.paretovariate(1.5)))):
            if len(self.pool) < POOL_SLOTS:
                self.pool.append(said)
            else:
                self.pool[rng.randrange(POOL_SLOTS)] = said
        return said

    def article(self, batch: Batch) -> None:
        """Add one article and its quotes (the last article takes what is left) to ``batch``."""
        rng, vocab = self.rng, self.vocab
        self.article_id += 1
        n = min(rng.randint(*QUOTES_PER_ARTICLE), self.n_quotes - self.quote_id)
        day = FIRST_DAY + DAYS * self.quote_id // max(1, self.n_quotes)
        hour, minute = rng.randrange(24), rng.randrange(60)
        published = f"{date.fromordinal(day).isoformat()}T{hour:02d}:{minute:02d}:00Z"
        (outlet,) = rng.choices(vocab.outlets, cum_weights=vocab.outlet_weights)
        title = f"Article {self.article_id}: {' '.join(rng.choices(vocab.words[:500], k=5))}"
        text = title + "\n\n"
        for seq in range(n):
            self.quote_id += 1
            statement, speaker_id, words = self._said(batch)
            if self.linking_index:
                self._index(batch, statement, speaker_id, words)
            speaker = vocab.speakers[speaker_id - 1]
            cue = rng.choice(_CUES)
            kind = rng.choice(_TYPES)
            if kind == "direct":  # “Words.” Name said.
                content_start = len(text) + 1
                speaker_start = content_start + len(words) + 2
                cue_start = speaker_start + len(speaker.name) + 1
                text += f"“{words}” {speaker.name} {cue}.\n\n"
                rule, evidence = "quote-marks", f"quotation marks, cue '{cue}' after the quote"
            else:  # Name said that words.
                speaker_start = len(text)
                cue_start = speaker_start + len(speaker.name) + 1
                content_start = cue_start + len(cue) + 6
                text += f"{speaker.name} {cue} that {words}\n\n"
                rule, evidence = "reported-speech", f"cue '{cue}' with a that-clause"
            batch.quotes.append(
                (self.quote_id, self.article_id, seq, content_start, content_start + len(words),
                 words, None, kind, cue, cue_start, cue_start + len(cue), speaker_id,
                 speaker.name, speaker_start, speaker_start + len(speaker.name),
                 round(0.5 + rng.random() / 2, 3), evidence, rule, speaker.name, statement,
                 published_at(published))
            )  # fmt: skip
        text = text.rstrip()
        slug = outlet.lower().replace(" ", "-")
        batch.articles.append(
            (self.article_id, hashlib.sha256(text.encode()).hexdigest(),
             f"https://{slug}.example/{published[:10]}/{self.article_id}",
             f"bulk-{self.article_id}", "bench/bulk_store.py", outlet, published, title, "en",
             text, "2026-12-01T00:00:00Z")
        )  # fmt: skip


@dataclass
class BuildReport:
    """Where the seconds of a bulk build went, and what it made."""

    quotes: int
    articles: int = 0
    statements: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # phase: seconds
    size_mb: float = 0.0
    linking_index: bool = False

    @property
    def total_s(self) -> float:
        return sum(self.seconds.values())

    def describe(self) -> str:
        phases = ", ".join(f"{phase} {s:.1f}s" for phase, s in self.seconds.items())
        return (
            f"built {self.quotes:,} quotes, {self.articles:,} articles, {self.statements:,}"
            f" statements in {self.total_s:.1f}s ({phases}); {self.size_mb:,.0f} MB;"
            + (
                " quote_grams and speaker_keys as Store.add writes them"
                if self.linking_index
                else " quote_grams and speaker_keys left empty (no statement-linking index)"
            )
        )


def _generate(
    seed: int, quotes: int, linking_index: bool, queue: multiprocessing.Queue[Batch | None]
) -> None:
    """Put batches of about ``BATCH_QUOTES`` quotes on ``queue`` until there are ``quotes``;
    then None. Runs in a process of its own, so generating overlaps inserting."""
    generator = Generator(vocabulary(seed), quotes, random.Random(seed), linking_index)
    while generator.quote_id < quotes:
        batch = Batch()
        while len(batch.quotes) < BATCH_QUOTES and generator.quote_id < quotes:
            generator.article(batch)
        queue.put(batch)
    queue.put(None)


def _batches(seed: int, quotes: int, report: BuildReport) -> Iterator[Batch]:
    """The batches of ``_generate``, made in a second process (at most two waiting)."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[Batch | None] = context.Queue(maxsize=2)
    args = (seed, quotes, report.linking_index, queue)
    process = context.Process(target=_generate, args=args, daemon=True)
    process.start()
    try:
        while True:
            start = time.perf_counter()
            batch = queue.get()
            report.seconds["wait for generator"] = report.seconds.get("wait for generator", 0.0) + (
                time.perf_counter() - start
            )
            if batch is None:
                break
            yield batch
    finally:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()


def _fix_statement_counts(conn: sqlite3.Connection) -> None:
    """The counts and first quote of each statement that got repeats, from its quotes."""
    conn.execute("BEGIN")
    conn.execute(
        "UPDATE statements SET quotes = c.quotes, articles = c.articles, outlets = c.outlets"
        " FROM (SELECT q.statement_id AS id, count(*) AS quotes,"
        "       count(DISTINCT q.article_id) AS articles, count(DISTINCT a.outlet) AS outlets"
        "       FROM temp.repeated r JOIN quotes q ON q.statement_id = r.statement_id"
        "       JOIN articles a ON a.id = q.article_id GROUP BY q.statement_id) c"
        " WHERE statements.id = c.id"
    )
    conn.execute("COMMIT")


def _drop_fts_triggers(conn: sqlite3.Connection) -> list[str]:
    """Drop the full-text insert triggers; the SQL that recreates them as the schema has them."""
    rows = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        f" AND name IN ({', '.join('?' * len(FTS_TRIGGERS))})",
        FTS_TRIGGERS,
    ).fetchall()
    for name, _ in rows:
        conn.execute(f"DROP TRIGGER {name}")
    return [sql for _, sql in rows]


def _rebuild_fts(conn: sqlite3.Connection, triggers: list[str]) -> None:
    """Fill both full-text indexes from their tables, then put their triggers back."""
    conn.execute("BEGIN")
    conn.execute("INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    for sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")


def _stage_linking_index(conn: sqlite3.Connection, staging: Path) -> None:
    """A side file for the linking index rows, appended to as batches go in."""
    staging.unlink(missing_ok=True)
    conn.execute("ATTACH DATABASE ? AS staged", (str(staging),))
    for pragma in ("journal_mode = OFF", "synchronous = OFF"):
        conn.execute(f"PRAGMA staged.{pragma}")
    conn.execute("CREATE TABLE staged.grams (hash INTEGER, quote_id INTEGER)")
    conn.execute("CREATE TABLE staged.keys (speaker_id INTEGER, key INTEGER, quote_id INTEGER)")


def _write_linking_index(conn: sqlite3.Connection, staging: Path) -> None:
    """The staged rows into ``quote_grams`` and ``speaker_keys``, each in its key order (an
    append to the B-tree, not a random insert per row); the side file then goes."""
    conn.execute("PRAGMA temp_store = FILE")  # the sort spills to disk, not to memory
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO quote_grams (hash, quote_id)"
        " SELECT hash, quote_id FROM staged.grams ORDER BY hash, quote_id"
    )
    conn.execute(
        "INSERT INTO speaker_keys (speaker_id, key, quote_id)"
        " SELECT speaker_id, key, quote_id FROM staged.keys ORDER BY speaker_id, key, quote_id"
    )
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE staged")
    staging.unlink()


def build_bulk_store(
    path: Path,
    quotes: int,
    seed: int = SEED,
    *,
    fts: str = "rebuild",
    linking_index: bool = False,
) -> BuildReport:
    """A fresh store of ``quotes`` synthetic quotes at ``path`` (see the module docstring).

    ``fts``: ``rebuild`` drops the full-text insert triggers and rebuilds both
    indexes at the end; ``trigger`` keeps the triggers, so the indexes grow
    as rows go in. ``linking_index`` fills ``quote_grams`` and ``speaker_keys``
    too (see the module docstring). A second process generates the rows while
    this one inserts them. The build runs unjournalled; the store is left in
    WAL mode as ``Store`` makes it.
    """
    report = BuildReport(quotes, linking_index=linking_index)
    staging = path.with_name(path.name + ".staging")
    start = time.perf_counter()
    Store(path).close()  # the schema, its triggers and its version, as saidwhat makes them
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode = DELETE", "journal_mode = OFF", "synchronous = OFF",
                       "cache_size = -524288", "temp_store = MEMORY"):  # fmt: skip
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("CREATE TEMP TABLE repeated (statement_id INTEGER PRIMARY KEY)")
        if linking_index:
            _stage_linking_index(conn, staging)
        triggers = _drop_fts_triggers(conn) if fts == "rebuild" else []
        vocab = vocabulary(seed)
        write_batch(conn, speaker_batch(vocab.speakers))
        report.seconds["setup"] = time.perf_counter() - start
        for batch in _batches(seed, quotes, report):
            phase = time.perf_counter()
            write_batch(conn, batch)
            report.seconds["insert"] = report.seconds.get("insert", 0.0) + (
                time.perf_counter() - phase
            )
        phase = time.perf_counter()
        _fix_statement_counts(conn)
        report.seconds["statement counts"] = time.perf_counter() - phase
        if linking_index:
            phase = time.perf_counter()
            _write_linking_index(conn, staging)
            report.seconds["linking index"] = time.perf_counter() - phase
        if fts == "rebuild":
            phase = time.perf_counter()
            _rebuild_fts(conn, triggers)
            report.seconds["fts rebuild"] = time.perf_counter() - phase
        counts = conn.execute(
            "SELECT (SELECT max(id) FROM articles), (SELECT max(id) FROM statements)"
        ).fetchone()
        report.articles, report.statements = int(counts[0] or 0), int(counts[1] or 0)
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
        staging.unlink(missing_ok=True)
    report.size_mb = path.stat().st_size / 2**20
    return report


def _schema(path: Path) -> tuple[int, set[tuple[str, str]]]:
    """The schema version of the store at ``path`` and its tables, indexes and triggers with
    their SQL, read without migrating it (a base older than this saidwhat is left as it
    is: each copy a bench makes is migrated when it is opened)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return version, {(r[0], r[1]) for r in rows}
    finally:
        conn.close()


def _current_schema(path: Path) -> bool:
    """Whether the store at ``path`` has the schema its version had when this saidwhat made
    it (a migration edited since an earlier run built it means building it again; one
    added since is run on each copy)."""
    version, schema = _schema(path)
    if version > len(MIGRATIONS):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        empty = sqlite3.connect(Path(tmp) / "empty.db", isolation_level=None)
        try:
            migrate(empty, up_to=version)
        finally:
            empty.close()
        return schema == _schema(Path(tmp) / "empty.db")[1]


def bulk_store_at(
    path: Path, quotes: int, seed: int = SEED, *, fts: str = "rebuild", linking_index: bool = False
) -> str:
    """The store at ``path``, built unless an earlier run left it there with the current
    schema; how it came to be."""
    if path.exists() and _current_schema(path):
        version = _schema(path)[0]
        older = f", schema {version} of {len(MIGRATIONS)}" if version < len(MIGRATIONS) else ""
        return f"reused {path} ({path.stat().st_size / 2**20:,.0f} MB{older})"
    path.unlink(missing_ok=True)
    partial = path.with_name(path.stem + ".partial.db")
    partial.unlink(missing_ok=True)
    report = build_bulk_store(partial, quotes, seed, fts=fts, linking_index=linking_index)
    partial.rename(path)  # only a finished build has the name a later run reuses
    return report.describe()
