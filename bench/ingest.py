"""What the store costs: ingest against extraction alone, memory, search and page latency.

    python bench/ingest.py [--corpus CORPUS.jsonl] [--repeat N] [--quotes 100000 [N ...]]
                           [--db-dir DIR] [--cap-s 60] [--fts rebuild|trigger]

Prints, from one run (the machines are noisy, so compare only within a run):

1. articles/s of ``extract_articles`` alone and of ``ingest_records`` into a
   fresh store on the same articles, and the ratio (target ≥ 0.9);
2. peak RSS of an ingest of the corpus and of ten times as many articles,
   each in a fresh process, and the ratio (target < 1.2);
3. median and p95 latency of ``search_quotes`` over a store of ``--quotes``
   quotes (target: median < 100 ms) for a set of typical queries;
4. statement linking of ``--quotes`` quotes, with and without;
5. for each of the ``--quotes`` sizes, a bulk synthetic store
   (``bench/bulk_store.py``: ten million quotes in minutes) and the median and
   p95 latency of each kind of search and page on it (``bench/query_kinds.py``),
   then p95 by kind and size against the target (< 100 ms).

Sections 3 and 4 store quotes one article at a time through ``Store.add``
(100,000 take minutes), so they run at the smallest of the ``--quotes`` sizes.

The corpus defaults to PolNeAR dev when ../shared is beside the project, else
to the bundled samples. Copies of an article get a distinct first line, since
the store would rightly skip a repeated text.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import DEV, SAMPLES, run_snippet
from bulk_store import SEED, bulk_store_at, vocabulary
from query_kinds import (
    KindTiming,
    print_plans,
    print_size_table,
    print_summary,
    query_kinds,
    time_kind,
)

from saidwhat.ingest import ingest_records
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
from saidwhat.pipeline import Extractor, extract_articles
from saidwhat.store import Store
from saidwhat.store.search import QuoteFilter, search_quotes


def load(path: Path, copies: int) -> list[Article]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        Article(id=f"{r['id']}-{k}", text=f"Edition {k}.\n\n{r['text']}", outlet=r.get("outlet"))
        for k in range(copies)
        for r in records
    ]


def _ingest_seconds(articles: list[Article], link: bool) -> float:
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store(Path(tmp) / "bench.db", link_statements=link) as store,
    ):
        start = time.perf_counter()
        summary = ingest_records(articles, store, Extractor())
        seconds = time.perf_counter() - start
    assert summary.stored == len(articles), summary
    return seconds


def throughput(articles: list[Article]) -> None:
    """Extraction alone, ingest (extraction + store + statement linking), and ingest unlinked."""
    list(extract_articles(articles[:1]))  # load the model outside the timing
    start = time.perf_counter()
    quotes = sum(len(r.quotes) for r in extract_articles(articles))
    extract_s = time.perf_counter() - start
    ingest_s = _ingest_seconds(articles, link=True)
    unlinked_s = _ingest_seconds(articles, link=False)
    n = len(articles)
    print(f"articles: {n}, quotes: {quotes}")
    print(f"extract alone           : {n / extract_s:7.2f} articles/s")
    print(f"ingest (store, linking) : {n / ingest_s:7.2f} articles/s")
    print(f"ingest without linking  : {n / unlinked_s:7.2f} articles/s")
    print(f"ingest / extract = {extract_s / ingest_s:.3f}  (target >= 0.9)")
    print(f"ingest with linking / without = {ingest_s / unlinked_s:.3f}  (time; target < 2)")


_RSS = """
import json, resource, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from ingest import load
from saidwhat.ingest import ingest_records
from saidwhat.pipeline import Extractor
from saidwhat.store import Store
articles = iter(load(Path(sys.argv[2]), int(sys.argv[3])))
with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "rss.db") as store:
    summary = ingest_records(articles, store, Extractor())
print(json.dumps({"stored": summary.stored,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def peak_rss(corpus: Path, copies: int) -> tuple[int, float]:
    data = run_snippet(_RSS, Path(__file__).parent, corpus, copies)
    return int(data["stored"]), float(data["rss_mb"])


def memory(corpus: Path, copies: int) -> None:
    small_n, small = peak_rss(corpus, copies)
    large_n, large = peak_rss(corpus, copies * 10)
    print(f"peak RSS ingesting {small_n:6} articles: {small:7.1f} MB")
    print(f"peak RSS ingesting {large_n:6} articles: {large:7.1f} MB")
    print(f"ratio = {large / small:.3f}  (target < 1.2)")


_TOPIC_WORDS = (
    "we will not accept the plan bridge harbour council budget ferry school clinic tax "
    "minister mayor election vote police strike winter energy prices war peace talks "
    "russia ukraine nato target threat border trade deal jobs housing rent water rail "
    "road safety climate flood storm court judge law reform health nurses doctors pay"
)
_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "an", "or", "el", "um", "is"]
# News text has a vocabulary of thousands with a few very common words: the topic
# words first (most frequent), then made-up words, ranked for a Zipf-like draw.
_WORDS = (
    _TOPIC_WORDS.split()
    + sorted({a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES})[:4000]
)
_NAMES = [f"{g} {s}" for g in ("Ilse", "Tomas", "Maren", "Oskar", "Petra", "Jon", "Ada")
          for s in ("Varga", "Berg", "Holt", "Lund", "Sand", "Moen", "Falk", "Dahl")]  # fmt: skip


def _variant(rng: random.Random, words: list[str]) -> list[str]:
    """How outlets alter a quote: trim its end, excerpt it, or change one word."""
    kind = rng.randrange(3)
    if kind == 0 and len(words) > 8:
        return words[: len(words) - rng.randint(1, 3)]
    if kind == 1 and len(words) > 10:
        start = rng.randrange(len(words) // 3)
        return words[start : start + max(6, int(len(words) * 0.6))]
    altered = list(words)
    altered[rng.randrange(len(altered))] = rng.choice(_WORDS)
    return altered


@dataclass
class Planted:
    """Which stored quotes repeat which, to check the linking found them."""

    groups: list[int] = field(default_factory=list)  # per quote (in insert order): its group
    repeats: int = 0


# The heavy pages of bench/serve.py: one statement carried by 300 articles, one speaker
# quoted 5,000 times over two years (fictional people; neither is in ``_NAMES``).
WIDE_SPEAKER = "Liv Orren"
WIDE_STATEMENT = (
    "The harbour levy will stay where it is until the new quay is built and paid for in full."
)
WIDE_CARRIERS = 300
BUSY_SPEAKER = "Aurel Tansy"
BUSY_QUOTES = 5_000


def _store_article(
    store: Store,
    key: str,
    said: list[tuple[str, str]],
    outlet: str,
    day: str,
    confidences: list[float],
) -> float:
    """Store one synthetic article of (sentence, speaker) pairs; the seconds it took."""
    text = f"Article {key}\n\n" + "\n\n".join(sentence for sentence, _ in said)
    quotes = []
    offset = 0
    for (sentence, name), confidence in zip(said, confidences, strict=True):
        start = text.index(sentence, offset)
        offset = start + len(sentence)
        quotes.append(
            Quote(
                content=(Span.of(text, start, start + len(sentence)),),
                type=QuoteType.INDIRECT,
                speaker=Speaker(None, Entity(name, EntityKind.PERSON)),
                confidence=confidence,
            )
        )
    article = Article(id=key, text=text, outlet=outlet, published=day)
    start = time.perf_counter()
    store.add(ExtractedArticle(article, tuple(quotes)))
    return time.perf_counter() - start


def _plant_heavy_pages(store: Store, rng: random.Random) -> None:
    """A statement carried by ``WIDE_CARRIERS`` articles (20 outlets, three wordings) and
    ``BUSY_SPEAKER`` quoted ``BUSY_QUOTES`` times, ten quotes an article, over two years."""
    words = WIDE_STATEMENT.split()
    for n in range(WIDE_CARRIERS):
        wording = words if n % 5 else words[: len(words) - 4]  # a fifth trim the end
        sentence = " ".join(wording).rstrip(".") + "."
        day = f"2025-06-{1 + n // 20:02d}"
        said = [(sentence, WIDE_SPEAKER)]
        _store_article(store, f"wide-{n}", said, f"Outlet {n % 20}", day, [0.9])
    weights = [1 / (rank + 1) for rank in range(len(_WORDS))]
    for a in range(BUSY_QUOTES // 10):
        said = [
            (" ".join(rng.choices(_WORDS, weights, k=rng.randint(8, 25))).capitalize() + ".",
             BUSY_SPEAKER)
            for _ in range(10)
        ]  # fmt: skip
        day = f"{2024 + a // 250}-{1 + a % 12:02d}-{1 + a % 28:02d}"
        confidences = [rng.random() for _ in said]
        _store_article(store, f"busy-{a}", said, f"Outlet {a % 25}", day, confidences)


def build_search_store(
    path: Path,
    n_quotes: int,
    *,
    link: bool = True,
    repeat_share: float = 0.3,
    seed: int = 11,
    timings: list[float] | None = None,
    heavy_pages: bool = False,
) -> Planted:
    """A store of ``n_quotes`` synthetic quotes (no parsing), some repeated across articles.

    ``repeat_share`` of the quotes are variants of an earlier quote by the
    same speaker, as outlets carry them (see ``_variant``). ``timings``, when
    given, gets the seconds each article took to store. ``heavy_pages``
    first plants the heaviest pages (``_plant_heavy_pages``: 5,300 of the
    ``n_quotes``); without it the store is the same as ever.
    """
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(_WORDS))]  # Zipf-like, as text is
    per_article = 10
    pool: list[tuple[list[str], str, int]] = []  # words, speaker, group
    planted = Planted()
    with Store(path, link_statements=link) as store:
        if heavy_pages:
            _plant_heavy_pages(store, random.Random(seed + 1))
            n_quotes = max(0, n_quotes - WIDE_CARRIERS - BUSY_QUOTES)
        for a in range(n_quotes // per_article):
            said: list[tuple[str, str]] = []
            for _ in range(per_article):
                if pool and rng.random() < repeat_share:
                    words, name, group = rng.choice(pool)
                    words = _variant(rng, words)
                    planted.repeats += 1
                else:
                    words = rng.choices(_WORDS, weights, k=rng.randint(6, 25))
                    name, group = rng.choice(_NAMES), len(pool)
                    pool.append((words, name, group))
                said.append((" ".join(words).capitalize() + ".", name))
                planted.groups.append(group)
            day = f"2025-{1 + a % 12:02d}-{1 + a % 28:02d}"
            confidences = [rng.random() for _ in said]  # after the words, as always
            seconds = _store_article(store, str(a), said, f"Outlet {a % 25}", day, confidences)
            if timings is not None:
                timings.append(seconds)
    return planted


def linking(n_quotes: int) -> None:
    """Time to store ``n_quotes`` with and without statement linking, and what it found."""
    with tempfile.TemporaryDirectory() as tmp:
        timings = {}
        per_article: dict[bool, list[float]] = {False: [], True: []}
        for link in (False, True):
            start = time.perf_counter()
            planted = build_search_store(
                Path(tmp) / f"link-{link}.db", n_quotes, link=link, timings=per_article[link]
            )
            timings[link] = time.perf_counter() - start
        with Store(Path(tmp) / "link-True.db", read_only=True) as store:
            statements = [
                int(r[0]) for r in store.conn.execute("SELECT statement_id FROM quotes ORDER BY id")
            ]
    # Pairs of quotes in one planted group should share a statement, and no others.
    first_statement: dict[int, int] = {}
    linked = missed = 0
    for group, statement in zip(planted.groups, statements, strict=True):
        if group not in first_statement:
            first_statement[group] = statement
        elif first_statement[group] == statement:
            linked += 1
        else:
            missed += 1
    owner: dict[int, int] = {}
    wrong = 0
    for group, statement in zip(planted.groups, statements, strict=True):
        if owner.setdefault(statement, group) != group:
            wrong += 1
    print(
        f"linking {n_quotes} quotes: {timings[True]:.1f}s with, {timings[False]:.1f}s without; "
        f"ratio {timings[True] / timings[False]:.2f}  (target < 2)"
    )
    # What linking adds per quote, early in the build and at its end (flat is the target).
    tenth = max(1, len(per_article[True]) // 10)
    per_quote = n_quotes / len(per_article[True])

    def linking_ms(part: slice) -> float:
        return (
            (sum(per_article[True][part]) - sum(per_article[False][part]))
            / (tenth * per_quote)
            * 1000
        )

    early, late = linking_ms(slice(0, tenth)), linking_ms(slice(-tenth, None))
    print(
        f"linking per quote: {early:.3f} ms in the first tenth of the store, {late:.3f} ms in "
        f"the last; ratio {late / early:.2f}  (target: flat, < 1.5)"
    )
    print(
        f"planted repeats: {planted.repeats}; joined to their original's statement: "
        f"{linked / max(1, linked + missed):.1%}; quotes joined to another's statement: {wrong}"
    )


def search_latency(n_quotes: int) -> None:
    queries = [
        QuoteFilter(text="next target"),
        QuoteFilter(text='"peace talks"'),
        QuoteFilter(text="nurses pay"),
        QuoteFilter(text="flood OR storm"),
        QuoteFilter(speaker="Ilse Varga"),
        QuoteFilter(text="budget", speaker="Berg", since="2025-06-01"),
        QuoteFilter(text="bridge", outlet="Outlet 3"),
        QuoteFilter(text="harb*", min_confidence=0.5),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.db"
        start = time.perf_counter()
        build_search_store(path, n_quotes)
        print(f"built a store of {n_quotes} quotes in {time.perf_counter() - start:.1f}s")
        with Store(path, read_only=True) as store:
            timings = []
            for _ in range(5):
                for query in queries:
                    start = time.perf_counter()
                    search_quotes(store, query, limit=20)
                    timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"search over {n_quotes} quotes: median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms  (target: median < 100 ms)"
    )


def bulk_latency(
    sizes: list[int], db_dir: Path | None, cap_s: float, seed: int, fts: str, plans: int
) -> None:
    """Latency of each query kind over a bulk store of each size; p95 by kind and size; the
    query plans of the ``plans`` slowest kinds on the largest store."""
    results: dict[int, list[KindTiming]] = {}
    vocab = vocabulary(seed)
    with tempfile.TemporaryDirectory() as tmp:
        directory = db_dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        for n_quotes in sizes:
            path = directory / f"bulk-{n_quotes}.db"
            print(f"bulk store of {n_quotes:,} quotes: {path.name} ...", flush=True)
            build = bulk_store_at(path, n_quotes, seed, fts=fts)
            print(f"  {build}", flush=True)
            with Store(path, read_only=True) as store:
                kinds = query_kinds(store, vocab)
                timings = [time_kind(store, k, cap_s) for k in kinds]
                results[n_quotes] = timings
                print_size_table(n_quotes, timings)
                if plans and n_quotes == sizes[-1]:
                    print_plans(store, kinds, timings, plans, cap_s)
    print_summary(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEV if DEV.exists() else SAMPLES)
    parser.add_argument("--repeat", type=int, default=1, help="copies of the corpus (throughput)")
    parser.add_argument(
        "--quotes",
        type=int,
        nargs="+",
        default=[100_000],
        metavar="N",
        help="quotes in the search stores: one size or several (search and linking: the smallest)",
    )
    parser.add_argument(
        "--db-dir",
        type=Path,
        metavar="DIR",
        help="keep the bulk stores here as bulk-N.db, and reuse those an earlier run left"
        " (rebuilt when the schema changed since)",
    )
    parser.add_argument(
        "--cap-s",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="stop a query kind after this long and report it as '> X ms' (default 60)",
    )
    parser.add_argument(
        "--fts",
        choices=["rebuild", "trigger"],
        default="rebuild",
        help="bulk stores: rebuild the full-text indexes at the end, or keep them by trigger",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="of the bulk stores' generator")
    parser.add_argument(
        "--plans",
        type=int,
        default=2,
        metavar="N",
        help="print the query plans of the N slowest kinds on the largest bulk store (default 2)",
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["throughput", "memory", "search", "linking", "kinds"],
    )
    args = parser.parse_args()
    print(f"corpus: {args.corpus}")
    if "throughput" not in args.skip:
        throughput(load(args.corpus, args.repeat))
    if "memory" not in args.skip:
        memory(args.corpus, args.repeat)
    if "search" not in args.skip:
        search_latency(min(args.quotes))
    if "linking" not in args.skip:
        linking(min(args.quotes))
    if "kinds" not in args.skip:
        bulk_latency(sorted(args.quotes), args.db_dir, args.cap_s, args.seed, args.fts, args.plans)


if __name__ == "__main__":
    main()
