"""The Spark job: web archives and JSON Lines in, Parquet tables of quotes out.

    saidwhat spark crawl/ extra.jsonl --output out/ --master 'local[4]'
    spark-submit --master yarn "$(python -c 'import saidwhat.cli as m; print(m.main_file())')" \\
        spark s3a://bucket/crawl/ --output s3a://bucket/quotes/

The job has one command line, ``saidwhat spark``; under ``spark-submit`` the
file to submit is saidwhat's ``__main__.py``, followed by the same command.

Then ``saidwhat load out/ --db news.db`` puts the output in a store
(``saidwhat.load``, which also defines the tables).

How the work is split:

- Inputs are local paths (files or directories, read as ``saidwhat ingest``
  reads them) or Hadoop URIs (``file://``, ``hdfs://``, ``s3a://`` …, globs
  allowed). The driver lists the files; nothing is read on the driver.
- A WARC file cannot be split: each is read whole by one task. A local one is
  streamed from disk by the WARC reader; one behind a URI arrives as the
  file's bytes (``binaryFiles``: PySpark hands over bytes, not a stream) and
  is streamed from them, so only the compressed file is ever in memory.
- JSON Lines files are split by lines (``textFile``), so a big file is read
  by many tasks; the line numbers that name a bad line and give an article
  without ``id`` its id are those ``saidwhat ingest`` gives.
- Articles are then shuffled by the hash of their text: a text seen twice
  (crawls repeat pages) is extracted once, the copy kept being the first by
  file name and place in the file.
- Each task runs ``extract_articles`` in batches; the spaCy model is loaded
  once per executor Python process (``load_pipeline`` caches it, and PySpark
  reuses its workers). An article whose extraction fails is kept with its
  error; a record that cannot be read becomes an ``errors`` row. Neither
  stops the job.

Nothing here finds quotes: extraction is ``saidwhat.pipeline``'s.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
from pyspark import RDD, SparkContext, StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from saidwhat.errors import BadInput, BadRecord
from saidwhat.ingest import IngestSummary, ingest_stream, reason_kind
from saidwhat.lexicon import lexicon_for, read_user_cues
from saidwhat.load import (
    EXTRACTION_ERROR,
    PARTITION,
    TABLES,
    error_row,
    output_rows,
)
from saidwhat.model import Article, ExtractedArticle
from saidwhat.outputs import written_whole
from saidwhat.pipeline import Extractor
from saidwhat.read import (
    READERS,
    FileFormat,
    LineReader,
    files_below,
    format_of,
    read_bytes,
    read_path,
    registered_suffix,
)
from saidwhat.settings import DEFAULT_SETTINGS, Settings
from saidwhat.store import Added, FaultKind, StoreFault, content_hash
from saidwhat.store.faults import as_fault

MAX_ROWS_PER_FILE = 200_000  # one Parquet file per day and task, cut at this many rows

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")
_GLOB_CHARS = re.compile(r"([\\{}\[\]*?,])")

# Read stage: (key, ((source, position), record)), the record an Article or an errors row.
Order = tuple[str, int]
Keyed = tuple[str, tuple[Order, Any]]
# Extraction stage: the rows of one input record, one list per table in TABLES order.
Bundle = tuple[list[dict[str, Any]], ...]


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file the job reads: where (a local path or a Hadoop URI), and how it is read."""

    location: str
    file_format: FileFormat
    local: bool


# -- the driver: inputs → files -----------------------------------------------------------


def is_uri(item: str) -> bool:
    """Whether ``item`` is a URI (``file:``, ``hdfs://``, ``s3a://``) rather than a local path."""
    return bool(_URI.match(item))


def readable_endings() -> list[str]:
    """The file name endings the job reads, sorted: those of ``READERS`` that need no fetching.

    Feeds and ``.urls`` files need fetching, which executors should not do:
    those are for ``saidwhat ingest``.
    """
    return sorted(suffix for suffix, file_format in READERS.items() if not file_format.fetches)


def _readable_format(name: str) -> FileFormat | None:
    """How the job reads a file of this name; None for one it does not read."""
    file_format = format_of(Path(name))
    return None if file_format is None or file_format.fetches else file_format


def _unsupported(source: str, name: str) -> BadRecord:
    suffix = registered_suffix(Path(name))
    if suffix:
        return BadRecord(
            source,
            f"'{suffix}' files need fetching, which the Spark job does not do; "
            "read them with saidwhat ingest",
        )
    known = ", ".join(readable_endings())
    return BadRecord(source, f"unknown file type; the Spark job reads {known}")


def _jvm(sc: SparkContext) -> tuple[Any, Any]:
    """The JVM view and the Hadoop configuration of ``sc``."""
    ctx = cast(Any, sc)
    return ctx._jvm, ctx._jsc.hadoopConfiguration()


def _hadoop_files(sc: SparkContext, uri: str) -> list[tuple[str, bool]] | None:
    """The files a URI names: ``(uri, named)`` for each, ``named`` False when found in a folder.

    The URI is a file, a directory (read recursively, hidden entries and
    ``_SUCCESS``-like ones skipped), or a glob. None when it names nothing.
    """
    jvm, conf = _jvm(sc)
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(conf)
    statuses = fs.globStatus(path)
    if not statuses:
        return None
    found: list[tuple[str, bool]] = []
    for status in statuses:
        if not status.isDirectory():
            found.append((status.getPath().toString(), True))
            continue
        root = status.getPath().toString().rstrip("/") + "/"
        below: list[str] = []
        files = fs.listFiles(status.getPath(), True)
        while files.hasNext():
            name = files.next().getPath().toString()
            parts = name.removeprefix(root).split("/")
            if not any(p.startswith((".", "_")) for p in parts):
                below.append(name)
        found.extend((name, False) for name in sorted(below))
    return found


def _local_files(item: str) -> list[tuple[str, bool]] | None:
    """``_hadoop_files`` for a local path, listed as ``saidwhat ingest`` lists it."""
    path = Path(item).absolute()
    if path.is_dir():
        return [(str(file), False) for file in files_below(path)]
    return [(str(path), True)] if path.exists() else None


def plan_inputs(sc: SparkContext, inputs: Sequence[str]) -> tuple[list[InputFile], list[BadRecord]]:
    """The files to read, in order and each once, and a BadRecord for each input that has none.

    Local paths are listed as ``saidwhat ingest`` lists them (files below a
    directory sorted, hidden ones skipped), URIs through Hadoop. A file of a
    kind the job does not read is reported when named, or when it is a feed
    or a URL list (which ``ingest`` would have read); other files in a
    directory are passed over, as ``ingest`` passes them over.
    """
    files: list[InputFile] = []
    seen: set[str] = set()
    bad: list[BadRecord] = []
    for item in inputs:
        if item == "-" or item.lower().startswith(("http://", "https://")):
            raise BadInput(
                f"{item}: the Spark job reads files, not standard input or web pages; "
                "use saidwhat ingest for those"
            )
        local = not is_uri(item)
        listed = _local_files(item) if local else _hadoop_files(sc, item)
        source = str(Path(item).absolute()) if local else item
        if listed is None:
            bad.append(BadRecord(source, "no such file or directory"))
            continue
        chosen, reported = 0, len(bad)
        for name, named in listed:
            file_format = _readable_format(name)
            if file_format is not None:
                chosen += 1
                if name not in seen:
                    seen.add(name)
                    files.append(InputFile(name, file_format, local))
            elif named or registered_suffix(Path(name)):
                bad.append(_unsupported(name, name))
        if not chosen and len(bad) == reported:
            known = ", ".join(readable_endings())
            bad.append(BadRecord(source, f"no files ending in {known} in this directory"))
    return files, bad


# -- the executors: files → records ------------------------------------------------------


def _keyed(order: Order, record: Article | BadRecord) -> Keyed:
    """Key an Article by its text (so repeats meet), an error by its place (so none do).

    BadRecords travel as rows: an exception with its own ``__init__`` does
    not survive pickling.
    """
    if isinstance(record, Article):
        return "a" + content_hash(record.text), (order, record)
    return f"e{order[0]}\0{order[1]}", (order, error_row(record))


def _guarded(records: Iterable[Article | BadRecord], source: str) -> Iterator[Article | BadRecord]:
    """``records``, ended by a BadRecord if reading raises: one odd file never fails the task."""
    try:
        yield from records
    except Exception as exc:
        yield BadRecord(source, f"read failed: {type(exc).__name__}: {exc}")


def _read_local(location: str) -> Iterator[Keyed]:
    """The records of a local file, streamed from disk by its ``saidwhat.read`` reader."""
    records = _guarded(read_path(Path(location)), location)
    for position, record in enumerate(records):
        yield _keyed((location, position), record)


def _read_bytes(item: tuple[str, bytes]) -> Iterator[Keyed]:
    """The records of one file that ``binaryFiles`` read (its URI and bytes)."""
    source, data = item
    for position, record in enumerate(_guarded(read_bytes(data, source), source)):
        yield _keyed((source, position), record)


def _read_line(item: tuple[bytes, int], read_line: LineReader, source: str) -> list[Keyed]:
    """The record of one line that ``textFile`` read (its bytes and index), if it is not blank."""
    raw, index = item
    try:
        record = read_line(raw, source, index + 1)
    except Exception as exc:
        record = BadRecord(source, f"read failed: {type(exc).__name__}: {exc}", f"line {index + 1}")
    return [] if record is None else [_keyed((source, index + 1), record)]


def _hadoop_literal(location: str) -> str:
    """``location`` with Hadoop's glob and list characters escaped, so it names one file."""
    return _GLOB_CHARS.sub(r"\\\1", location)


def read_records(sc: SparkContext, files: Sequence[InputFile]) -> RDD[Keyed]:
    """One RDD of every record of ``files``, keyed for the deduplicating shuffle."""
    parts: list[RDD[Keyed]] = []
    whole = [f for f in files if f.file_format.read_line is None]  # one task a file
    local = [f.location for f in whole if f.local]
    if local:
        rdd = sc.parallelize(local, len(local))
        parts.append(rdd.flatMap(_read_local))
    remote = [_hadoop_literal(f.location) for f in whole if not f.local]
    if remote:
        binary = sc.binaryFiles(",".join(remote), len(remote))
        parts.append(binary.flatMap(_read_bytes))
    for file in files:
        read_line = file.file_format.read_line
        if read_line is not None:  # split by lines, read by many tasks
            uri = Path(file.location).as_uri() if file.local else file.location
            lines = sc.textFile(_hadoop_literal(uri), use_unicode=False).zipWithIndex()
            read = partial(_read_line, read_line=read_line, source=file.location)
            parts.append(lines.flatMap(read))
    if not parts:
        return sc.emptyRDD()
    return parts[0] if len(parts) == 1 else sc.union(parts)


# -- the executors: records → rows -------------------------------------------------------


def _bundle(rows: dict[str, list[dict[str, Any]]]) -> Bundle:
    return tuple(rows.get(name, []) for name in TABLES)


def check_package_data() -> None:
    """Raise ``BadInput`` when saidwhat's data files cannot be read where it runs.

    saidwhat shipped in a zip (``spark-submit --py-files``) imports, but its
    cue lexicon and attribution model, read from the package folder, are
    then missing, and extraction would silently fall back to rules alone.
    """
    from saidwhat.lexicon import LEXICON_PATH
    from saidwhat.quotes.learned import MODEL_PATH

    for path in (LEXICON_PATH, MODEL_PATH):
        if not path.is_file():
            raise BadInput(
                f"saidwhat's data file {path} cannot be read on this executor: install "
                "saidwhat on every node (a wheel or a packed environment), do not ship it "
                "with --py-files"
            )


class TableRows:
    """The job's sink for the ingest loop: each article becomes rows of the output tables.

    Nothing is ever stored already: the shuffle has met repeated texts.
    """

    def __init__(self) -> None:
        self.bundles: list[Bundle] = []
        self.inputs: dict[int, str] = {}  # id of an article → the file it was read from

    def has_article(self, article: Article) -> bool:
        return False

    def add(self, result: ExtractedArticle, source: str | None = None) -> Added:
        """The rows of ``result`` (no store id: ``article_id`` 0)."""
        rows = output_rows(result, self.inputs.pop(id(result.article), ""))
        self.bundles.append(_bundle(rows))
        return Added(0, len(result.quotes))

    def add_error(self, bad: BadRecord, *, once: bool = False) -> bool:
        self.bundles.append(_bundle({"errors": [error_row(bad)]}))
        return True

    def refused_at(self, article: Article) -> tuple[str, str | None]:
        """Where a refused article was read: its file, and the article."""
        return self.inputs.pop(id(article), article.id), f"article {article.id}"

    def drain(self) -> Iterator[Bundle]:
        yield from self.bundles
        self.bundles.clear()


def extract_partition(
    items: Iterable[Keyed], settings: Settings, user_cues: Mapping[str, str] | None = None
) -> Iterator[Bundle]:
    """The table rows of each record of one partition, through the ingest loop.

    One ``Extractor`` a partition (the spaCy model is loaded once per
    executor process); ``user_cues`` are the ``--cues`` the driver read.
    """
    check_package_data()
    lexicon = lexicon_for("en").with_user_cues(user_cues or {})
    extractor = Extractor(replace(settings, cue_file=None), lexicon=lexicon)
    sink = TableRows()

    def records() -> Iterator[Article | BadRecord]:
        for _, ((source, _), record) in items:
            if isinstance(record, Article):
                sink.inputs[id(record)] = source
                yield record
            else:  # an errors row, as it crossed the shuffle
                yield BadRecord(record["source"], record["reason"], record["location"])

    stream = ingest_stream(records(), sink, extractor, IngestSummary(), place_of=sink.refused_at)
    for _ in stream:
        yield from sink.drain()
    yield from sink.drain()


def _first(a: tuple[Order, Any], b: tuple[Order, Any]) -> tuple[Order, Any]:
    return a if a[0] <= b[0] else b


def _counts(bundle: Bundle) -> IngestSummary:
    """What one record's rows add to the run's summary."""
    articles, quotes, _, errors = bundle
    failed = sum(1 for e in errors if e["kind"] == EXTRACTION_ERROR)
    skipped = Counter(
        reason_kind(BadRecord(e["source"], e["reason"]))
        for e in errors
        if e["kind"] != EXTRACTION_ERROR
    )
    return IngestSummary(
        read=len(articles), stored=len(articles), quotes=len(quotes), failed=failed, skipped=skipped
    )


def _sum(a: IngestSummary, b: IngestSummary) -> IngestSummary:
    return IngestSummary(
        read=a.read + b.read,
        stored=a.stored + b.stored,
        quotes=a.quotes + b.quotes,
        failed=a.failed + b.failed,
        skipped=a.skipped + b.skipped,
    )


# -- the job ---------------------------------------------------------------------------


_TASK_ERROR = re.compile(r"saidwhat\.errors\.\w+: (.+)")


def saidwhat_error(exc: BaseException) -> str | None:
    """The message of a saidwhat error that failed a task, from the job's exception; else None.

    A task's Python exception reaches the driver as text inside a Java one.
    """
    found = _TASK_ERROR.findall(str(exc))
    return found[-1].strip() if found else None


def spark_type(arrow: pa.DataType) -> DataType:
    """The Spark type of a column type of ``TABLES``."""
    if pa.types.is_string(arrow):
        return StringType()
    if pa.types.is_int64(arrow):
        return LongType()
    if pa.types.is_float64(arrow):
        return DoubleType()
    if pa.types.is_boolean(arrow):
        return BooleanType()
    if pa.types.is_list(arrow):
        return ArrayType(spark_type(arrow.value_type))
    if pa.types.is_struct(arrow):
        return StructType([StructField(f.name, spark_type(f.type)) for f in arrow])
    raise TypeError(f"no Spark type for {arrow}")


def spark_schema(table: str) -> StructType:
    """The Spark schema of one output table: its ``TABLES`` columns and the partition column."""
    fields = [StructField(f.name, spark_type(f.type)) for f in TABLES[table]]
    return StructType([*fields, StructField(PARTITION, StringType(), nullable=False)])


def output_location(output: str) -> str:
    """Where Spark writes: a URI as given, a local path made absolute (tasks start elsewhere)."""
    return output.rstrip("/") if is_uri(output) else str(Path(output).absolute())


def _existing_tables(sc: SparkContext, output: str) -> list[str]:
    jvm, conf = _jvm(sc)
    root = jvm.org.apache.hadoop.fs.Path(output)
    fs = root.getFileSystem(conf)
    return [t for t in TABLES if fs.exists(jvm.org.apache.hadoop.fs.Path(root, t))]


def run_job(
    spark: SparkSession,
    inputs: Sequence[str],
    output: str,
    settings: Settings = DEFAULT_SETTINGS,
    *,
    partitions: int | None = None,
    overwrite: bool = False,
) -> IngestSummary:
    """Read ``inputs``, extract every article, write the tables of ``saidwhat.load`` to ``output``.

    ``partitions``: tasks of the extraction stage (default: the cluster's
    cores, or the number of input splits when that is more).
    """
    started = time.perf_counter()
    sc = spark.sparkContext
    output = output_location(output)
    existing = _existing_tables(sc, output)
    if existing and not overwrite:
        raise BadInput(
            f"{output} already has {', '.join(existing)}/; pass --overwrite to replace them"
        )
    settings = replace(settings, processes=1)  # Spark's tasks are the processes
    # The driver reads the user's cue file; executors get its words, not its path.
    user_cues = read_user_cues(settings.cue_file) if settings.cue_file else {}
    settings = replace(settings, cue_file=None)
    files, bad = plan_inputs(sc, inputs)
    records = read_records(sc, files)
    if bad:
        planned = [(f"e\0{i}", (("", i), error_row(b))) for i, b in enumerate(bad)]
        records = sc.union([records, sc.parallelize(planned, 1)])
    count = partitions or max(sc.defaultParallelism, records.getNumPartitions())
    bundles = (
        records.reduceByKey(_first, count)
        .mapPartitions(partial(extract_partition, settings=settings, user_cues=user_cues))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        totals = bundles.map(_counts).fold(IngestSummary(), _sum)
        # A local output's tables are written under temporary names and renamed once all
        # are whole (a failed job leaves none); a cluster's (a URI) are whole when Spark
        # has written their _SUCCESS.
        local = not is_uri(output)
        with contextlib.ExitStack() as whole:
            for index, table in enumerate(TABLES):
                target = f"{output}/{table}"
                if local:
                    target = str(whole.enter_context(written_whole(Path(target))))
                rows = bundles.flatMap(itemgetter(index))
                frame = spark.createDataFrame(rows, spark_schema(table))
                (
                    frame.repartition(PARTITION)
                    .write.mode("overwrite" if overwrite or local else "errorifexists")
                    .option("maxRecordsPerFile", MAX_ROWS_PER_FILE)
                    .partitionBy(PARTITION)
                    .parquet(target)
                )
    except Exception as exc:
        fault = as_fault(output, exc)
        if fault is None and "No space left on device" in str(exc):  # said by the JVM
            fault = StoreFault(output, FaultKind.NO_SPACE, "No space left on device")
        if fault is not None:
            raise fault from exc
        reason = saidwhat_error(exc)
        if reason is None:
            raise
        raise BadInput(f"the Spark job failed: {reason}") from exc
    finally:
        bundles.unpersist()
    totals.files = len(files)
    totals.seconds = time.perf_counter() - started
    return totals


# -- starting Spark ---------------------------------------------------------------------


class SparkUnavailable(BadInput):
    """pyspark is installed but Spark cannot start here (no Java)."""


def check_java() -> None:
    """Raise ``SparkUnavailable`` with what to install when no Java runtime can be found."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and Path(java_home, "bin", "java").exists():
        return
    if shutil.which("java"):
        return
    raise SparkUnavailable(
        "Spark needs a Java runtime (17 or later) and none was found: install one "
        "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
    )


def start_session(
    master: str | None = None, config: dict[str, str] | None = None, app_name: str = "saidwhat"
) -> SparkSession:
    """A SparkSession; ``master`` None leaves it to ``spark-submit`` (or ``local[*]``).

    In local mode the workers run this Python unless ``PYSPARK_PYTHON`` says
    otherwise, so they see the same saidwhat and model as the driver. On a
    cluster, this Python's path means nothing on the nodes: Spark's own
    settings decide.
    """
    check_java()
    if master and master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session


def describe(summary: IngestSummary, output: str) -> str:
    """The closing lines of a run."""
    lines = [
        f"read {summary.files} files: {summary.stored} articles, {summary.quotes} quotes, "
        f"{summary.skipped_total} records skipped; {summary.seconds:.1f}s",
        f"wrote {', '.join(f'{t}/' for t in TABLES)} under {output}",
    ]
    if summary.failed:
        lines.insert(1, f"  extraction failed on {summary.failed} (kept without quotes)")
    return "\n".join(lines)
