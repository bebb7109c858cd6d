"""What one more quote costs through ``Store.add``, statement linking on, as the store grows.

    python bench/linking_scale.py [--quotes 100000 1000000 10000000] [--db-dir DIR]
                                  [--batch 10000] [--against GIT-REF] [--rounds 1] [--bulk]
                                  [--ingest FILE] [--unlinked]

For each size N, a bulk store of N quotes (``bench/bulk_store.py`` with
``linking_index=True``: ``quote_grams`` and ``speaker_keys`` as ingests
would have left them) is copied, and a fixed batch of synthetic articles
(~10 quotes each, the bulk store's words, speakers and outlets) goes in
through ``Store.add`` in a fresh process. A fifth of the batch's quotes
repeat a quote of the base store (half of them one of its first 100,000
quotes, half one of its last 100,000; half word for word, half trimmed or
with a word changed) and some repeat a quote earlier in the batch, so
linking finds matches as it does in news.

Prints, per size: ms per quote (all of ``Store.add``: speakers, quotes,
counters, full-text index, linking, and the checkpoint of what the batch
left in the WAL), the fastest of ``--rounds`` runs and their median, the
process's peak RSS, and how many planted repeats joined the statement of
the quote they repeat; then the ratio of the largest size's ms per quote to
the smallest's (target ≤ 1.5), of the fastest runs and of the medians.
The rounds go size by size in turn, so a machine that is slower for a
while slows each size's runs alike.
With ``--against REF`` the batch also goes into another copy through the
code of commit REF (exported with ``git archive``), in the same run, and the
two runs' statements are compared quote by quote; with ``--bulk`` the batch
also goes in through ``Store.bulk_load`` (commits in groups). With
``--ingest FILE`` a real ingest is timed too: ``saidwhat ingest FILE`` (reading,
parsing, extraction and the store, as a user runs it) on another copy of
each base, and its wall time per stored quote compared across the sizes.
With ``--unlinked`` the batch also goes in with statement linking off
(``Store(link_statements=False)``): what the rest of the store costs, and so
what linking's own share is at each size.

The bases are kept in ``--db-dir`` as ``linked-N.db`` and reused (rebuilt
when a migration they had was changed; one added since runs on each copy,
before the timing, so a base is never written); copies are made next to
them and removed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _common import ROOT, run_snippet
from bulk_store import SEED, Generator, bulk_store_at, vocabulary

from saidwhat.model import (
    Article,
    Entity,
    EntityKind,
    ExtractedArticle,
    Quote,
    QuoteType,
    Span,
    Speaker,
)

TARGET_RATIO = 1.5
# How the batch goes in: one article a transaction, in a Store.bulk_load, or unlinked.
ONE_BY_ONE, BULK, UNLINKED = "one by one", "bulk", "unlinked"
REPEAT_SHARE = 0.2  # of the batch's quotes: a base quote again
BATCH_REPEAT_SHARE = 0.05  # a quote earlier in the batch again
WINDOW = 100_000  # the oldest and the newest quotes of the base a repeat is drawn from

# Runs in a fresh process: ``Store.add`` of every article of the batch into the copy, timed.
_ADD = """
import contextlib, json, resource, sys, time
if sys.argv[4]:
    sys.path.insert(0, sys.argv[4])
from saidwhat.model import Article, ExtractedArticle, Quote
from saidwhat.store import Store
records = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
batch = [
    ExtractedArticle(
        Article.from_dict(r), tuple(Quote.from_dict(q, r["text"]) for q in r["quotes"])
    )
    for r in records
]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def peak_mb():
    with open("/proc/self/status") as status:  # the peak since it was last reset
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
with Store(sys.argv[1], link_statements=sys.argv[5] != "unlinked") as store:
    # The copy's migration (a base older than this tree) is not the adds' memory.
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    first = int(store.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM quotes").fetchone()[0])
    start, cpu = time.perf_counter(), time.process_time()
    with store.bulk_load() if sys.argv[5] == "bulk" else contextlib.nullcontext():
        quotes = sum(store.add(a).quotes for a in batch)
    # What the adds left in the WAL is theirs to write back too: a WAL that checkpoints
    # less often would otherwise leave more of its cost to the close, untimed.
    store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rss = peak_mb()  # of the adds, not the checks
    # Each batch quote's statement, named by its smallest quote id (the same in any run).
    label = {}
    rows = store.conn.execute(
        "SELECT q.id, (SELECT min(o.id) FROM quotes o WHERE o.statement_id = q.statement_id)"
        " FROM quotes q WHERE q.id >= ? ORDER BY q.id", (first,)
    ).fetchall()
    labels = [int(r[1]) if r[1] is not None else -1 for r in rows]  # -1: no statement
    planted = json.loads(open(sys.argv[3], encoding="utf-8").read())
    joined = {}
    for kind, pairs in planted.items():
        same = 0
        for new, old in pairs:
            a, b = store.conn.execute(
                "SELECT (SELECT statement_id FROM quotes WHERE id = ?),"
                " (SELECT statement_id FROM quotes WHERE id = ?)", (first + new, old)
            ).fetchone()
            same += a is not None and a == b
        joined[kind] = [same, len(pairs)]
print(json.dumps({"quotes": quotes, "seconds": seconds, "cpu": cpu, "labels": labels,
                  "joined": joined, "rss_mb": rss, "rss_before_mb": before}))
"""


@dataclass(frozen=True, slots=True)
class Run:
    """One batch through one tree's ``Store.add`` on one copy of a base."""

    ms_per_quote: float
    cpu_ms_per_quote: float  # the process's own CPU: less of the other loads on the machine
    rss_mb: float
    joined: dict[str, tuple[int, int]]  # kind of planted repeat: (joined, planted)
    labels: list[int]


def _said(text: str, words: str, entity: Entity, direct: bool) -> tuple[Quote, str]:
    """A direct or reported sentence of ``words`` by ``entity`` after ``text``; the quote."""
    start, name = len(text), entity.name
    if direct:
        sentence = f"“{words}” {name} said."
        content = start + 1
        mention = content + len(words) + 2
        cue = mention + len(name) + 1
        kind = QuoteType.DIRECT
    else:
        sentence = f"{name} said that {words}"
        mention, cue, content = start, start + len(name) + 1, start + len(name) + 11
        kind = QuoteType.INDIRECT
    full = text + sentence
    return Quote(
        content=(Span.of(full, content, content + len(words)),),
        type=kind,
        cue=Span.of(full, cue, cue + 4),
        speaker=Speaker(Span.of(full, mention, mention + len(name)), entity),
        confidence=0.9,
        evidence="bench",
    ), sentence


def _variant(rng: random.Random, words: str, vocab_words: list[str]) -> str:
    """A base quote as another outlet runs it: the same, its end trimmed, or a word changed."""
    parts = words.rstrip(".").split()
    kind = rng.randrange(4)
    if kind == 2 and len(parts) > 8:
        parts = parts[: len(parts) - rng.randint(1, 2)]
    elif kind == 3 and len(parts) > 8:
        parts[rng.randrange(1, len(parts))] = rng.choice(vocab_words[:2000])
    else:
        return words
    return " ".join(parts) + "."


def make_batch(base: Path, n_quotes: int, seed: int) -> tuple[list[dict[str, object]], dict]:
    """The batch's articles (gold-format records) and its planted repeats, by kind:
    [(batch quote index, base quote id)], quote indexes counted from the batch's first."""
    vocab = vocabulary(seed)
    rng = random.Random(seed + 1)
    words_of = Generator(vocab, n_quotes, random.Random(seed + 2))  # new words as the base's
    conn = sqlite3.connect(f"{base.resolve().as_uri()}?mode=ro", uri=True)
    total = int(conn.execute("SELECT max(id) FROM quotes").fetchone()[0])
    speakers = {s.name: s for s in vocab.speakers}
    planted: dict[str, list[tuple[int, int]]] = {"old": [], "recent": [], "batch": []}
    batch_said: list[tuple[str, str]] = []
    records: list[dict[str, object]] = []
    index = 0
    while index < n_quotes:
        n = min(rng.randint(6, 14), n_quotes - index)
        title = f"Batch article {len(records)}"
        text = title + "\n\n"
        quotes: list[Quote] = []
        for _ in range(n):
            roll = rng.random()
            if roll < REPEAT_SHARE:
                kind = "old" if roll < REPEAT_SHARE / 2 else "recent"
                low = 1 if kind == "old" else max(1, total - WINDOW + 1)
                quote_id = rng.randint(low, min(total, low + WINDOW - 1))
                words, name = conn.execute(
                    "SELECT content_text, speaker_name FROM quotes WHERE id = ?", (quote_id,)
                ).fetchone()
                words = _variant(rng, words, vocab.words)
                planted[kind].append((index, quote_id))
            elif roll < REPEAT_SHARE + BATCH_REPEAT_SHARE and batch_said:
                words, name = rng.choice(batch_said)
            else:
                (speaker,) = rng.choices(vocab.speakers, cum_weights=vocab.speaker_weights)
                words, name = words_of._words(), speaker.name
                batch_said.append((words, name))
            person = speakers[name].kind == "person"
            entity = Entity(name, EntityKind.PERSON if person else EntityKind.ORGANISATION)
            quote, sentence = _said(text, words, entity, direct=rng.random() < 0.6)
            quotes.append(quote)
            text += sentence + "\n\n"
            index += 1
        day = f"2027-{1 + len(records) % 12:02d}-{1 + len(records) % 28:02d}"
        (outlet,) = rng.choices(vocab.outlets, cum_weights=vocab.outlet_weights)
        article = Article(id=f"batch-{len(records)}", text=text.rstrip(), outlet=outlet,
                          published=day, title=title)  # fmt: skip
        records.append(ExtractedArticle(article, tuple(quotes)).to_dict())
    conn.close()
    # the batch repeats planted among themselves are checked by the comparison of runs
    del planted["batch"]
    return records, planted


def _export(ref: str, into: Path) -> Path:
    """The ``src`` of commit ``ref`` under ``into`` (``git archive``: no worktree)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


_COPY_CHUNK = 64 * 2**20  # bytes


def _copy(base: Path, to: Path) -> None:
    """A copy of a closed base store (its file alone: no WAL is left after a clean close),
    on disk before it returns: the kernel writing a 12 GB copy back while a batch runs
    would be timed as the batch's. The base leaves the OS cache as it is read, so the
    copy stays in it whole: a 12 GB base and its copy do not fit in 24 GiB together, and
    the pages of the copy that fell out were read from disk in the batch's time."""
    for suffix in ("-wal", "-shm"):
        Path(str(to) + suffix).unlink(missing_ok=True)
    with open(base, "rb") as source, open(to, "wb") as copied:
        offset = 0
        while chunk := source.read(_COPY_CHUNK):
            copied.write(chunk)
            os.posix_fadvise(source.fileno(), offset, len(chunk), os.POSIX_FADV_DONTNEED)
            offset += len(chunk)
        copied.flush()
        os.fsync(copied.fileno())


def _remove(copy: Path) -> None:
    """A copy of a base, gone with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)


def run_batch(base: Path, work: Path, batch: Path, planted: Path, src: str, mode: str) -> Run:
    """The batch through the ``Store.add`` of ``src`` ('' for this tree) on a copy of base,
    ``mode`` ONE_BY_ONE, BULK or UNLINKED."""
    _copy(base, work)
    try:
        out = run_snippet(_ADD, work, batch, planted, src, mode)
    finally:
        _remove(work)
    return Run(
        ms_per_quote=1000 * float(out["seconds"]) / max(1, int(out["quotes"])),
        cpu_ms_per_quote=1000 * float(out["cpu"]) / max(1, int(out["quotes"])),
        rss_mb=float(out["rss_mb"]),
        joined={k: (int(v[0]), int(v[1])) for k, v in out["joined"].items()},
        labels=[int(x) for x in out["labels"]],
    )


def run_ingest(base: Path, work: Path, articles: Path) -> tuple[float, int]:
    """(seconds, quotes stored) of ``saidwhat ingest articles`` into a copy of base."""
    _copy(base, work)
    try:
        before = _quotes_in(work)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "saidwhat", "ingest", str(articles), "--db", str(work)],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        return seconds, _quotes_in(work) - before
    finally:
        _remove(work)


def _quotes_in(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM quotes").fetchone()[0])
    finally:
        conn.close()


def _joined(run: Run) -> str:
    return ", ".join(f"{k} {a}/{b}" for k, (a, b) in run.joined.items())


@dataclass(frozen=True, slots=True)
class Size:
    """One size of base store and the batch made for it."""

    quotes: int
    base: Path
    work: Path  # where a copy of the base is made for each run
    batch: Path
    planted: Path


def prepare(n_quotes: int, directory: Path, tmp: Path, seed: int, batch_quotes: int) -> Size:
    """The base of ``n_quotes`` quotes (built, or reused) and its batch, written to ``tmp``."""
    base = directory / f"linked-{n_quotes}.db"
    start = time.perf_counter()
    built = bulk_store_at(base, n_quotes, seed, linking_index=True)
    print(f"base of {n_quotes:,} quotes ({time.perf_counter() - start:.0f}s): {built}")
    records, planted = make_batch(base, batch_quotes, seed)
    batch = tmp / f"batch-{n_quotes}.jsonl"
    batch.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    planted_path = tmp / f"planted-{n_quotes}.json"
    planted_path.write_text(json.dumps(planted), encoding="utf-8")
    return Size(n_quotes, base, directory / f"linked-{n_quotes}.work.db", batch, planted_path)


def _fastest(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.ms_per_quote)


def _median(runs: list[Run]) -> float:
    return statistics.median(run.ms_per_quote for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quotes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db-dir", type=Path, metavar="DIR", help="keep the bases here")
    parser.add_argument("--batch", type=int, default=10_000, help="quotes added (default 10000)")
    parser.add_argument("--against", metavar="GIT-REF", help="also run the batch with this commit")
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs of each at each size, in turn (default 1)"
    )
    parser.add_argument(
        "--bulk", action="store_true", help="also run the batch in a Store.bulk_load (this tree)"
    )
    parser.add_argument(
        "--ingest", type=Path, metavar="FILE", help="also time `saidwhat ingest FILE` on each"
    )
    parser.add_argument(
        "--unlinked", action="store_true", help="also run the batch with linking off (this tree)"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    trees = [("this tree", "", ONE_BY_ONE)]
    if args.bulk:
        trees.append(("bulk", "", BULK))
    if args.unlinked:
        trees.append(("unlinked", "", UNLINKED))
    with tempfile.TemporaryDirectory() as tmp:
        if args.against:
            trees.insert(0, (args.against, str(_export(args.against, Path(tmp))), ONE_BY_ONE))
        directory = args.db_dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        sizes = [
            prepare(n, directory, Path(tmp), args.seed, args.batch) for n in sorted(args.quotes)
        ]
        runs: dict[str, dict[int, list[Run]]] = {name: {} for name, _, _ in trees}
        ingested: dict[int, list[float]] = {}  # size: ms per stored quote of each real ingest
        ingest_quotes: dict[int, int] = {}  # size: the quotes a real ingest stored
        # Round by round, each size and each tree in turn: a machine that slows down for a
        # while slows every figure, not those of one size (its ratio is what is read).
        for _ in range(args.rounds):
            for size in sizes:
                for name, src, mode in trees:
                    run = run_batch(size.base, size.work, size.batch, size.planted, src, mode)
                    runs[name].setdefault(size.quotes, []).append(run)
                if args.ingest:
                    seconds, stored = run_ingest(size.base, size.work, args.ingest)
                    ingested.setdefault(size.quotes, []).append(1000 * seconds / max(1, stored))
                    ingest_quotes[size.quotes] = stored
        for size in sizes:
            print(f"{size.quotes:,} quotes, the fastest of {args.rounds} (the median):")
            for name in runs:
                run, median = _fastest(runs[name][size.quotes]), _median(runs[name][size.quotes])
                print(
                    f"  {name:>12}: {run.ms_per_quote:7.3f} ms/quote ({median:.3f})"
                    f" ({run.cpu_ms_per_quote:.3f} CPU), peak RSS {run.rss_mb:6.0f}"
                    f" MB; repeats joined: {_joined(run)}"
                )
            if args.ingest:
                print(
                    f"  {'ingest':>12}: {min(ingested[size.quotes]):7.3f} ms/quote, wall of"
                    f" `saidwhat ingest {args.ingest.name}` ({ingest_quotes[size.quotes]:,} quotes)"
                )
            reference = runs[trees[0][0]][size.quotes][0].labels
            for name in list(runs)[1:]:
                if name == "unlinked":
                    continue  # no statements to compare
                labels = runs[name][size.quotes][0].labels
                same = sum(x == y for x, y in zip(reference, labels, strict=True))
                print(
                    f"  same statement in {trees[0][0]} and {name}: {same:,} of"
                    f" {len(reference):,} batch quotes"
                )
        small, large = sizes[0].quotes, sizes[-1].quotes
        for name, figures in runs.items():
            fast_small, fast_large = _fastest(figures[small]), _fastest(figures[large])
            wall = fast_large.ms_per_quote / fast_small.ms_per_quote
            cpu = fast_large.cpu_ms_per_quote / fast_small.cpu_ms_per_quote
            print(
                f"{name}: {large:,} / {small:,} = {wall:.2f} ms per quote ({cpu:.2f} CPU),"
                f" medians {_median(figures[large]) / _median(figures[small]):.2f},"
                f" peak RSS {fast_large.rss_mb / fast_small.rss_mb:.2f}"
                f"  (target <= {TARGET_RATIO}; flat)"
            )
        if "unlinked" in runs:
            own = {
                size.quotes: _median(runs["this tree"][size.quotes])
                - _median(runs["unlinked"][size.quotes])
                for size in sizes
            }
            print(
                "linking's own (the medians of this tree less unlinked): "
                + ", ".join(f"{n:,}: {ms:.3f} ms" for n, ms in own.items())
                + f"; {large:,} / {small:,} = {own[large] / own[small]:.2f}"
            )
        if ingested:
            ratio = min(ingested[large]) / min(ingested[small])
            print(
                f"ingest: {large:,} / {small:,} = {ratio:.2f} ms per quote, parsing"
                f" included (target <= {TARGET_RATIO})"
            )


if __name__ == "__main__":
    main()
