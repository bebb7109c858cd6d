"""What every command of ``saidwhat`` shares: the app, the console, options and errors.

Command modules (``extract``, ``train``, ``store``, ``serve``, ``spark``)
import this one and register their commands on ``app``; nothing here imports
them, and they never import each other.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer.core import TyperGroup

from saidwhat.settings import Scope, Settings
from saidwhat.version import __version__

if TYPE_CHECKING:  # the command line starts without loading spaCy
    from saidwhat.ingest import IngestSummary
    from saidwhat.store import Store

app = typer.Typer(
    help=(
        "saidwhat — who said what in the news. Finds every quotation in news articles "
        "(direct, reported, mixed, multi-paragraph), the cue that introduced it and its "
        "speaker resolved to a person or institution."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)

# The commands under `saidwhat speakers` (merge, rename, split, hide, export-kb): the
# curation module registers them here; `SpeakersGroup` puts them under the listing.
speaker_commands = typer.Typer()


class SpeakersGroup(TyperGroup):
    """``saidwhat speakers``: the listing when no command follows, else that command.

    A command of ``app`` (not an ``add_typer`` group), so ``--help`` lists it
    where it was registered, and ``saidwhat speakers --db X`` lists as before.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(
            invoke_without_command=True, subcommand_metavar="[COMMAND [ARGS]...]", **attrs
        )
        for name, command in typer.main.get_group(speaker_commands).commands.items():
            self.add_command(command, name)


ModelOption = Annotated[
    str, typer.Option("--model", help="spaCy pipeline to load (package name or path).")
]
BatchOption = Annotated[
    int, typer.Option("--batch-size", min=1, help="Articles per nlp.pipe batch.")
]
ProcessesOption = Annotated[
    int, typer.Option("--processes", "-p", min=1, help="Worker processes (one model load each).")
]
ScopeOption = Annotated[
    Scope,
    typer.Option(
        "--scope",
        help="statements: what someone said as a proposition (default); attributions: "
        "also reported acts with a bare object or infinitive, as PolNeAR annotates them.",
    ),
]
CuesOption = Annotated[
    Path | None,
    typer.Option(
        "--cues",
        help="Extra cue lemmas: one a line, optionally a tab and speech|cognition|evidence.",
    ),
]
CacheOption = Annotated[
    Path | None, typer.Option("--cache", help="Keep the parses here (a spaCy DocBin).")
]
TrainInput = Annotated[Path, typer.Argument(help="Annotated JSON Lines (PolNeAR train).")]
ProgressOption = Annotated[
    bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
]
BulkOption = Annotated[
    bool,
    typer.Option(
        "--bulk/--no-bulk",
        help="Commit articles in groups (about 2 seconds of writes each) for a big load; "
        "a kill loses at most the last group, which a re-run stores.",
    ),
]
CheckOption = Annotated[
    bool,
    typer.Option(
        "--check",
        help="First check that the store file is whole (SQLite's quick_check of every page: "
        "seconds a gigabyte); a damaged store is refused, not written to.",
    ),
]
MaxArticleCharsOption = Annotated[
    int, typer.Option("--max-article-chars", min=1, help="Skip (and report) longer articles.")
]
MinConfidenceOption = Annotated[
    float,
    typer.Option("--min-confidence", min=0.0, max=1.0, help="Drop quotes below this confidence."),
]


def _published(value: str | None) -> str | None:
    if value is not None:
        from datetime import date

        try:
            date.fromisoformat(value[:10])
        except ValueError:
            raise typer.BadParameter(
                f"takes a date as YYYY-MM-DD (optionally a time after it), not {value!r}"
            ) from None
    return value


OutletOption = Annotated[
    str | None,
    typer.Option(
        "--outlet",
        help="The outlet of every article read, over what the input says (front matter, "
        "a sidecar .json, a JSON Lines field).",
    ),
]
PublishedOption = Annotated[
    str | None,
    typer.Option(
        "--published",
        callback=_published,
        help="The date (YYYY-MM-DD) of every article read, over what the input says: "
        "for a single file.",
    ),
]


def input_progress(
    verb: str, detail: str, *, total: int | None, show: bool, **fields: Any
) -> tuple[Progress, TaskID]:
    """A progress display on stderr over the inputs of a run, and its task.

    With the number of records known (``saidwhat.read.count_records``) it is a
    bar with the count, the time taken and the time left; without it, a
    spinner and the count so far, so it never looks full while work goes on.
    ``detail`` is a rich format of the task's ``fields``.
    """
    columns: list[ProgressColumn | str]
    if total is None:
        columns = [SpinnerColumn(), TextColumn(f"[bold]{verb}"), TextColumn("{task.completed}")]
    else:
        columns = [TextColumn(f"[bold]{verb}"), BarColumn(), MofNCompleteColumn()]
    columns += [TextColumn(detail), TimeElapsedColumn()]
    if total is not None:
        columns += [TextColumn("left"), TimeRemainingColumn()]
    bar = Progress(*columns, console=err, disable=not show)
    return bar, bar.add_task(verb, total=total, **fields)


def fail(message: object, code: int = 2) -> typer.Exit:
    """Print an error for the user (as text, never as markup) and the exit to raise.

    A fault of the store or of a file (``saidwhat.store.faults.StoreFault``: a
    full disk, a read-only file, a lock held too long, …) says what to do about
    it, and exits with 1: the command was right, the machine was not.
    """
    to_go_on = getattr(message, "to_go_on", None)
    text = f"{message}; {to_go_on}" if to_go_on else str(message)
    err.print(f"[red]error:[/red] {escape(text)}", highlight=False)
    return typer.Exit(1 if to_go_on else code)


@contextlib.contextmanager
def stored_before_a_fault(store: Store, inputs_total: Callable[[], int | None]) -> Iterator[None]:
    """Say what a run into ``store`` kept when a fault stops it (``saidwhat.store.faults``).

    The articles stored are counted in the store (before the run and after
    the fault: in a bulk load, SQLite may have rolled the open group back),
    out of ``inputs_total()`` records when the inputs can be counted. Each
    article is whole or absent, so running the same command again goes on.
    """
    from saidwhat.store import StoreFault

    before = store.counts()["articles"]
    try:
        yield
    except StoreFault as fault:
        try:
            stored: int | None = store.counts()["articles"] - before
        except (sqlite3.Error, StoreFault):
            stored = None  # a damaged or vanished store says so in the fault
        if stored is None:
            raise fail(fault) from fault
        total = inputs_total()
        kept = f"stored {stored} of {total}" if total is not None else f"stored {stored}"
        raise fail(
            f"{fault}; {kept} articles before it, each whole; {fault.to_go_on}", 1
        ) from fault


def extraction_settings(
    model: str,
    batch_size: int,
    min_confidence: float,
    max_article_chars: int,
    scope: Scope,
    cues: Path | None = None,
    processes: int = 1,
) -> Settings:
    """The Settings of a command's extraction options (extract, ingest, spark)."""
    return Settings(
        model=model,
        batch_size=batch_size,
        processes=processes,
        min_confidence=min_confidence,
        max_article_chars=max_article_chars,
        scope=scope,
        cue_file=str(cues) if cues else None,
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"saidwhat {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """saidwhat — who said what in the news."""


DEFAULT_DB = Path("saidwhat.db")

DbOption = Annotated[
    Path, typer.Option("--db", help="The store: one SQLite file (created when missing).")
]
StoreDbOption = Annotated[
    Path,
    typer.Option(
        "--db", help="The store to read: one SQLite file `saidwhat ingest` made (it must exist)."
    ),
]
EditDbOption = Annotated[
    Path,
    typer.Option(
        "--db", help="The store to change: one SQLite file `saidwhat ingest` made (it must exist)."
    ),
]


def open_existing(db: Path, *, write: bool = False) -> Store:
    """An existing store (never created here), read-only unless the command writes."""
    from saidwhat.errors import SaidwhatError
    from saidwhat.store import Store

    if write and not db.exists():
        raise fail(ValueError(f"{db}: no such store (create one with `saidwhat ingest`)"))
    try:
        return Store(db, read_only=not write)
    except SaidwhatError as exc:
        raise fail(exc) from exc


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count and its noun as English has them: '1 article', '2 articles', '0 speeches'."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="Rows to show.")]
OffsetOption = Annotated[int, typer.Option("--offset", min=0, help="Rows to skip (paging).")]


class ListFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"
    CSV = "csv"


FormatOption = Annotated[
    ListFormat,
    typer.Option("--format", "-f", help="table (readable), jsonl or csv (for scripts)."),
]


def print_run_summary(summary: IngestSummary, db: Path, totals: dict[str, int]) -> None:
    """The closing lines of a run into a store (ingest, load, demo): one summary, one wording."""
    elapsed = summary.seconds
    known = f" ({summary.known_errors} kept before)" if summary.known_errors else ""
    err.print(
        f"read {plural(summary.read, 'article')}: {summary.stored} stored, "
        f"{summary.duplicates} already stored; {plural(summary.quotes, 'quote')}, "
        f"{plural(summary.new_speakers, 'new speaker')}; "
        f"{plural(summary.skipped_total, 'record')} skipped{known}; {elapsed:.1f}s "
        f"({summary.rate():.1f} articles/s)",
        highlight=False,
    )
    for reason, count in summary.skipped.most_common():
        err.print(f"  skipped {count}× {escape(reason)}", highlight=False)
    if summary.failed:
        err.print(f"  extraction failed on {summary.failed} (stored without quotes)")
    err.print(
        f"{escape(str(db))}: {plural(totals['articles'], 'article')}, "
        f"{plural(totals['quotes'], 'quote')}, {plural(totals['speakers'], 'speaker')}",
        highlight=False,
    )
