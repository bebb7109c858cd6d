"""Store commands: ingest, search, speakers, gender, export, statements.

They share the store options and output formats of ``saidwhat.cli.common``.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from saidwhat.cli.common import (
    DEFAULT_DB,
    BatchOption,
    BulkOption,
    CheckOption,
    CuesOption,
    DbOption,
    FormatOption,
    LimitOption,
    ListFormat,
    MaxArticleCharsOption,
    MinConfidenceOption,
    ModelOption,
    OffsetOption,
    OutletOption,
    ProcessesOption,
    ProgressOption,
    PublishedOption,
    ScopeOption,
    SpeakersGroup,
    StoreDbOption,
    app,
    err,
    extraction_settings,
    fail,
    input_progress,
    open_existing,
    plural,
    print_run_summary,
    stored_before_a_fault,
)
from saidwhat.errors import BadRecord, SaidwhatError
from saidwhat.model import EntityKind, Gender, QuoteType
from saidwhat.read.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from saidwhat.settings import DEFAULT_MODEL, DEFAULT_SETTINGS
from saidwhat.store.gender import GenderGrouping, GenderReport
from saidwhat.store.search import SearchOrder


def _csv_value(value: Any) -> Any:
    """A list as one CSV cell: names joined by |, anything else (offset pairs) as JSON."""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "|".join(value)
        return json.dumps(value)
    return value


def _print_records(records: list[dict[str, Any]], fmt: ListFormat, table: Table) -> None:
    if fmt is ListFormat.JSONL:
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt is ListFormat.CSV:
        if records:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]))
            writer.writeheader()
            for record in records:
                writer.writerow({k: _csv_value(v) for k, v in record.items()})
    else:
        from rich.console import Console

        Console(soft_wrap=False).print(table)


@app.command()
def ingest(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files (.txt .html .jsonl .warc .warc.gz .xml .rss .atom .urls), folders, "
            "http(s) URLs of pages or feeds, or - for standard input.",
            show_default=False,
        ),
    ],
    db: DbOption = DEFAULT_DB,
    kb: Annotated[
        Path | None,
        typer.Option(
            "--kb",
            help="Knowledge base (.csv or .jsonl: id, name, aliases, kind, description); "
            "its entries win over guessed speakers and their ids are kept.",
        ),
    ] = None,
    model: ModelOption = DEFAULT_MODEL,
    batch_size: BatchOption = 16,
    processes: ProcessesOption = 1,
    min_confidence: MinConfidenceOption = 0.0,
    scope: ScopeOption = DEFAULT_SETTINGS.scope,
    cues: CuesOption = None,
    max_article_chars: MaxArticleCharsOption = DEFAULT_SETTINGS.max_article_chars,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Let URLs reach private and loopback addresses (refused by default).",
        ),
    ] = False,
    fetch_timeout: Annotated[
        float, typer.Option("--fetch-timeout", min=0.1, help="Seconds allowed per URL fetched.")
    ] = DEFAULT_TIMEOUT,
    max_fetch_bytes: Annotated[
        int, typer.Option("--max-fetch-bytes", min=1, help="Largest response body read from a URL.")
    ] = DEFAULT_MAX_BYTES,
    progress: ProgressOption = True,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not list each skipped record.")
    ] = False,
    outlet: OutletOption = None,
    published: PublishedOption = None,
    bulk: BulkOption = False,
    check: CheckOption = False,
) -> None:
    """Read articles into the store (--db), with their quotes and speakers.

    A .txt file's title, outlet, url and date come from YAML front matter
    (between two --- lines at its top) or a sidecar .json of the same name;
    --outlet and --published set them for every article of the run.

    Ingesting the same article twice changes nothing (articles are keyed by
    their text and URL), so an interrupted run can simply be run again. Each
    article is committed with its quotes in one transaction (with --bulk, in
    groups of articles). Bad records are listed, counted by reason in the
    summary and kept in the store.
    """
    from saidwhat.ingest import IngestSummary, ingest_records
    from saidwhat.pipeline import Extractor
    from saidwhat.read import count_records, read_inputs
    from saidwhat.read.metadata import with_run_metadata
    from saidwhat.store import Store, StoreFault
    from saidwhat.store.identity import read_knowledge_base

    settings = extraction_settings(
        model, batch_size, min_confidence, max_article_chars, scope, cues, processes
    )
    try:
        store = Store(db, check=check)
    except SaidwhatError as exc:
        raise fail(exc) from exc
    with store, stored_before_a_fault(store, lambda: count_records(inputs)):
        if kb is not None:
            try:
                entries = []
                for entry in read_knowledge_base(kb):
                    if isinstance(entry, BadRecord):
                        err.print(f"[yellow]skipped[/yellow] {entry}", highlight=False)
                    else:
                        entries.append(entry)
            except StoreFault:
                raise  # said with what the run stored (stored_before_a_fault)
            except SaidwhatError as exc:
                raise fail(exc) from exc
            count, merged = store.load_knowledge_base(entries)
            err.print(f"knowledge base: {count} entries ({merged} guessed speakers merged in)")
            if merged:
                err.print(
                    "their quotes now share one speaker; `saidwhat statements --relink` "
                    "joins the statements that were apart because of it",
                    highlight=False,
                )

        pending = store.link_pending()  # quotes of a store made before statements existed
        if pending:
            err.print(f"linked {pending} earlier quotes into statements")

        show_bar = progress and err.is_terminal

        def on_bad(bad: BadRecord) -> None:
            if not quiet:
                err.print(f"[yellow]skipped[/yellow] {bad}", highlight=False)

        bar, task = input_progress(
            "ingesting",
            "{task.fields[stored]} stored · {task.fields[rate]} articles/s · "
            "{task.fields[quotes]} quotes · {task.fields[dups]} already stored",
            total=count_records(inputs) if show_bar else None,
            show=show_bar,
            stored=0,
            rate="0.0",
            quotes=0,
            dups=0,
        )
        with bar:

            def on_progress(summary: IngestSummary) -> None:
                bar.update(
                    task,
                    completed=summary.read + summary.skipped_total,
                    stored=summary.stored,
                    rate=f"{summary.rate():.1f}",
                    quotes=summary.quotes,
                    dups=summary.duplicates,
                )

            try:
                records = with_run_metadata(
                    read_inputs(
                        inputs,
                        allow_private=allow_private,
                        fetch_timeout=fetch_timeout,
                        max_fetch_bytes=max_fetch_bytes,
                    ),
                    outlet=outlet,
                    published=published,
                )
                with store.bulk_load() if bulk else contextlib.nullcontext():
                    summary = ingest_records(
                        records,
                        store,
                        Extractor(settings),
                        on_progress=on_progress,
                        on_bad_record=on_bad,
                    )
            except StoreFault:
                raise  # said with what the run stored (stored_before_a_fault)
            except SaidwhatError as exc:
                raise fail(exc) from exc
        totals = store.counts()
    print_run_summary(summary, db, totals)
    if summary.read == 0 and summary.skipped_total > 0:
        raise fail("nothing could be read", code=1)


def _paging_note(offset: int, shown: int, total: int, *, exact: bool = True) -> None:
    """Under a table: which rows of how many it shows, when there are more."""
    if total > offset + shown or not exact:
        of = str(total) if exact else f"more than {total:,}"
        err.print(
            f"showing {offset + 1}–{offset + shown} of {of}; see more with --offset/--limit",
            highlight=False,
        )


@app.command()
def search(
    query: Annotated[
        str | None,
        typer.Argument(
            help='Words in the quote: all must occur; "a phrase" in quotes; OR, NOT; '
            "prefix*. Leave out to list by the filters alone.",
        ),
    ] = None,
    db: StoreDbOption = DEFAULT_DB,
    speaker: Annotated[
        str | None,
        typer.Option("--speaker", "-s", help="Name, alias, surname or knowledge-base id."),
    ] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Published on or after (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Published on or before (YYYY-MM-DD).")
    ] = None,
    quote_type: Annotated[
        QuoteType | None, typer.Option("--type", help="direct, indirect or mixed.")
    ] = None,
    gender: Annotated[
        Gender | None,
        typer.Option(
            "--gender",
            help="Only quotes by people of this gender, as the articles show it: pronouns, "
            "honorifics (Ms, Mr), gendered nouns (spokeswoman), else a first-name dictionary; "
            "unknown: people they show no gender for.",
        ),
    ] = None,
    kind: Annotated[
        EntityKind | None,
        typer.Option("--kind", help="Only quotes by speakers of this kind."),
    ] = None,
    min_confidence: MinConfidenceOption = 0.0,
    sort: Annotated[
        SearchOrder | None,
        typer.Option(
            "--sort", help="relevance (the default with words), newest (else) or oldest first."
        ),
    ] = None,
    limit: LimitOption = 20,
    offset: OffsetOption = 0,
    fmt: FormatOption = ListFormat.TABLE,
) -> None:
    """Search the stored quotes: full text over the quote, with speaker, outlet and date."""
    from saidwhat.store.search import QuoteFilter, search_quotes

    with open_existing(db) as store:
        try:
            result = search_quotes(
                store,
                QuoteFilter(
                    text=query,
                    speaker=speaker,
                    outlet=outlet,
                    since=since,
                    until=until,
                    type=quote_type,
                    gender=gender,
                    kind=kind,
                    min_confidence=min_confidence,
                ),
                limit=limit,
                offset=offset,
                order=sort,
            )
        except SaidwhatError as exc:
            raise fail(exc) from exc
    records = [dataclasses.asdict(hit) for hit in result.hits]
    if fmt is ListFormat.TABLE and not result.hits:
        beyond = f" past row {offset}" if offset and result.total else ""
        err.print(f"no quotes match{beyond}" + (f" {query!r}" if query else ""), highlight=False)
        return
    found = plural(result.total, "quote") if result.exact else f"more than {result.total:,} quotes"
    table = Table(title=found + (f" for {query!r}" if query else ""))
    table.add_column("speaker", max_width=18)
    table.add_column("quote", ratio=1, min_width=24)
    table.add_column("outlet, date", max_width=16)
    table.add_column("type", no_wrap=True)
    for hit in result.hits:
        table.add_row(
            hit.speaker_entity or (f"“{hit.speaker_text}”" if hit.speaker_text else "?"),
            hit.content_text,
            "\n".join(x for x in (hit.outlet, (hit.published or "")[:10]) if x),
            hit.type,
        )
    _print_records(records, fmt, table)
    if fmt is ListFormat.TABLE:
        if result.ranked:
            err.print(f"best match first among the latest {result.ranked:,} matches")
        _paging_note(offset, len(result.hits), result.total, exact=result.exact)


# A group in a command's place (see SpeakersGroup); Typer builds it from the same arguments.
@app.command(cls=SpeakersGroup)  # type: ignore[arg-type]
def speakers(
    ctx: typer.Context,
    db: StoreDbOption = DEFAULT_DB,
    name: Annotated[
        str | None, typer.Option("--name", help="Only the speaker(s) this name refers to.")
    ] = None,
    include_unresolved: Annotated[
        bool,
        typer.Option(
            "--all",
            help='Also list the descriptions no article tied to anyone ("one witness", '
            '"the council"): one row for each article that has one.',
        ),
    ] = False,
    include_hidden: Annotated[
        bool,
        typer.Option("--hidden", help="Also list the speakers hidden with `speakers hide`."),
    ] = False,
    limit: LimitOption = 20,
    offset: OffsetOption = 0,
    fmt: FormatOption = ListFormat.TABLE,
) -> None:
    """Who is quoted most: quotes, articles and outlets per speaker, with gender and aliases.

    A person's gender is as the articles show it (pronouns, honorifics,
    gendered nouns, else a first-name dictionary), or unknown. The commands
    below fix what the machine got wrong (merge, rename, split, hide) and
    export the speakers as a knowledge base for `ingest --kb`.
    """
    from saidwhat.store.search import speaker_total, top_speakers

    if ctx.invoked_subcommand is not None:  # a curation command: it has its own options
        given = [
            name
            for name in ctx.params
            # typer carries its own click: the source's name, not click's enum
            if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"
        ]
        if given:
            where = f"saidwhat speakers {ctx.invoked_subcommand} ... --{given[0]}"
            raise fail(f"--{given[0]} goes after the command: {where}")
        return
    with open_existing(db) as store:
        rows = top_speakers(
            store,
            limit=limit,
            offset=offset,
            name=name,
            unresolved=include_unresolved,
            hidden=include_hidden,
        )
        total = speaker_total(
            store, name=name, unresolved=include_unresolved, hidden=include_hidden
        )
    table = _list_table(f"{plural(total, 'speaker')} by quotes")
    table.add_column("#", justify="right", no_wrap=True)  # the id other commands take
    table.add_column("speaker", ratio=2, min_width=12)
    table.add_column("kind", no_wrap=True)
    table.add_column("gender", no_wrap=True)
    for column in ("quotes", "articles", "outlets"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("aliases", ratio=1, min_width=len("aliases"), overflow="fold")
    with_kb_ids = any(row.external_id for row in rows)
    if with_kb_ids:
        table.add_column("kb id", overflow="fold")
    for row in rows:
        speaker = Text(row.name)
        if not row.resolved:
            speaker.append(" (unresolved)", style="dim")
        if row.hidden:
            speaker.append(" (hidden)", style="dim")
        cells: list[str | Text] = [
            str(row.speaker_id),
            speaker,
            row.kind,
            row.gender or "",
            str(row.quotes),
            str(row.articles),
            str(row.outlets),
            Text(", ".join(a for a in row.aliases[:5] if a != row.name)),
        ]
        if with_kb_ids:
            cells.append(Text(row.external_id or ""))
        table.add_row(*cells)
    _print_records([dataclasses.asdict(r) for r in rows], fmt, table)
    if fmt is ListFormat.TABLE:
        _paging_note(offset, len(rows), total)


def _list_table(title: str) -> Table:
    """A listing's table: a rule under the header and no side borders, to fit 80 columns."""
    return Table(
        title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True
    )


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


@app.command()
def gender(
    db: StoreDbOption = DEFAULT_DB,
    by: Annotated[
        GenderGrouping,
        typer.Option(
            "--by", help="A row for each outlet, each month, or (both) each outlet's months."
        ),
    ] = GenderGrouping.OUTLET,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Published on or after (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Published on or before (YYYY-MM-DD).")
    ] = None,
    min_confidence: MinConfidenceOption = 0.0,
    fmt: FormatOption = ListFormat.TABLE,
) -> None:
    """Who gets quoted: quotes by women, men and people of unknown gender, per outlet or month.

    Counts the quotes whose speaker is a person, named or not ("one
    witness", described as a woman, counts as a woman), by the gender the
    articles show: pronouns, honorifics, gendered nouns, else a first-name
    dictionary. Quotes of organisations and groups are counted apart (not a
    person), as are quotes without a speaker. The women's share is of the
    quotes whose speaker's gender is known. -f jsonl or csv print the rows,
    then the overall row (key "all").
    """
    from saidwhat.store.gender import gender_counts
    from saidwhat.store.search import QuoteFilter

    where = QuoteFilter(outlet=outlet, since=since, until=until, min_confidence=min_confidence)
    with open_existing(db) as store:
        try:
            report = gender_counts(store, where, by)
        except SaidwhatError as exc:
            raise fail(exc) from exc
    overall = report.overall
    if fmt is ListFormat.TABLE and overall.persons == 0:
        filtered = bool(outlet or since or until or min_confidence)
        others = overall.not_person + overall.no_speaker
        err.print(
            f"no quotes by people in {db}"
            + (" that match the filters" if filtered else "")
            + (
                f" ({overall.not_person} not by a person, {overall.no_speaker} without a speaker)"
                if others
                else ""
            ),
            highlight=False,
        )
        return
    rows = [*report.rows, overall]
    _print_records([dataclasses.asdict(r) for r in rows], fmt, _gender_table(report))
    if fmt is ListFormat.TABLE:
        err.print(
            "% women: of the quotes whose speaker's gender is known; "
            "not a person: organisations, groups and speakers of unknown kind",
            highlight=False,
        )


def _gender_table(report: GenderReport) -> Table:
    """The rows of a who-gets-quoted report, then the overall row, as a table."""
    from saidwhat.store.gender import NO_OUTLET, OVERALL, UNDATED

    by_outlet = report.by is not GenderGrouping.MONTH
    by_month = report.by is not GenderGrouping.OUTLET
    grouping = " and ".join(g for g, on in (("outlet", by_outlet), ("month", by_month)) if on)
    table = Table(title=f"who gets quoted, by {grouping}", show_edge=False, pad_edge=False)
    if by_outlet:
        table.add_column("outlet", min_width=8, overflow="fold")
    if by_month:
        table.add_column("month", no_wrap=True, min_width=len("2025-03"))
    for column in ("women", "men", "unknown", "people", "% women", "not a person", "no speaker"):
        # Wide enough for the header's longest word: headers wrap between words, never cut.
        table.add_column(column, justify="right", min_width=max(map(len, column.split())))
    for row in [*report.rows, report.overall]:
        labels = []
        if by_outlet:
            labels.append(Text(NO_OUTLET if row.outlet is None else row.outlet))
        if by_month:
            labels.append(Text(row.month or UNDATED))
        if row is report.overall:
            labels = [Text(OVERALL, style="bold"), *(Text("") for _ in labels[1:])]
        table.add_row(
            *labels,
            str(row.female),
            str(row.male),
            str(row.unknown),
            str(row.persons),
            _percent(row.share_female),
            str(row.not_person),
            str(row.no_speaker),
            end_section=bool(report.rows) and row is report.rows[-1],
        )
    return table


@app.command()
def export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write <table>.<format> files in.")
    ],
    db: StoreDbOption = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet, csv or jsonl.")] = "parquet",
    tables: Annotated[
        list[str] | None,
        typer.Option(
            "--table", "-t", help="quotes, articles, speakers, statements (default: all)."
        ),
    ] = None,
) -> None:
    """Export the store: quotes (with speaker and article fields), articles and speakers.

    Each file is written under a temporary name and renamed when complete, so
    a run a full disk (or anything else) stops leaves no file under a final
    name that is not whole; the files listed as written are.
    """
    from saidwhat.store import StoreFault
    from saidwhat.store.export import TABLES, ExportFormat, export_store

    try:
        export_format = ExportFormat(fmt.lower())
    except ValueError:
        raise fail(
            ValueError(f"--format must be one of parquet, csv, jsonl (not {fmt!r})")
        ) from None
    chosen = tables or list(TABLES)
    unknown = [t for t in chosen if t not in TABLES]
    if unknown:
        raise fail(ValueError(f"unknown table {', '.join(unknown)}; known: {', '.join(TABLES)}"))

    def wrote(path: Path, count: int) -> None:
        err.print(f"wrote {escape(str(path))} ({plural(count, 'row')})", highlight=False)

    with open_existing(db) as store:
        try:
            export_store(store, export_format, output, chosen, on_written=wrote)
        except StoreFault as fault:
            # a file is whole under its name or absent: the ones said above are complete
            raise fail(fault) from fault


@app.command()
def stats(db: StoreDbOption = DEFAULT_DB, fmt: FormatOption = ListFormat.TABLE) -> None:
    """What a store holds: articles, quotes, speakers, outlets, statements and dates.

    Also the quotes per day over the dates its articles span, and the busiest day.
    """
    from saidwhat.store.queries import store_stats

    with open_existing(db) as store:
        figures = store_stats(store)
    record = dataclasses.asdict(figures)
    table = Table(title=f"{db}", show_header=False)
    table.add_column("what")
    table.add_column("figure", justify="right")
    span = (
        f"{figures.first_day} to {figures.last_day}" if figures.first_day else "no dated articles"
    )
    per_day = f"{figures.quotes_per_day:.1f}" if figures.quotes_per_day is not None else "-"
    busiest = (
        f"{figures.busiest_day} ({plural(figures.busiest_day_quotes, 'quote')})"
        if figures.busiest_day
        else "-"
    )
    for what, value in [
        ("articles", f"{figures.articles:,}"),
        ("quotes", f"{figures.quotes:,}"),
        ("speakers", f"{figures.speakers:,}"),
        ("outlets", f"{figures.outlets:,}"),
        ("statements", f"{figures.statements:,}"),
        ("dates", span),
        ("undated articles", f"{figures.undated_articles:,}"),
        ("quotes per day", per_day),
        ("busiest day", busiest),
    ]:
        table.add_row(what, value)
    _print_records([record], fmt, table)


@app.command()
def check(
    db: StoreDbOption = DEFAULT_DB,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Also check every index against its rows, and the full-text indexes "
            "against the quotes and articles (minutes for millions of quotes).",
        ),
    ] = False,
) -> None:
    """Check that a store file is whole: SQLite reads every page and checks its form.

    Prints what is wrong and exits with 1 when the store is damaged (restore
    it from a copy; `sqlite3 FILE .recover` may save what it held), else
    says it is fine and what it holds. It only reads the store.
    """
    import os
    import time

    from saidwhat.store import FaultKind, StoreFault
    from saidwhat.store.faults import RESTORE
    from saidwhat.store.store import check_file

    started = time.perf_counter()
    try:
        problems = check_file(db, full=full)
    except SaidwhatError as exc:
        raise fail(exc) from exc
    seconds = time.perf_counter() - started
    how = "integrity_check" if full else "quick_check"
    if problems:
        damaged = StoreFault(db, FaultKind.DAMAGED, f"{how}: {problems[0]}")
        stop = fail(f"{damaged}; {RESTORE.replace('FILE', str(db))}", code=1)
        for problem in problems[1:]:  # the first 20 SQLite found
            err.print(f"  {escape(problem)}", highlight=False)
        raise stop
    if full and not os.access(db, os.W_OK):
        how += "; not the full-text indexes: their check needs write access"
    with open_existing(db) as store:
        totals = store.counts()
    err.print(
        f"{escape(str(db))}: whole ({how} in {seconds:.1f}s); "
        f"{plural(totals['articles'], 'article')}, {plural(totals['quotes'], 'quote')}, "
        f"{plural(totals['speakers'], 'speaker')}",
        highlight=False,
    )


@app.command()
def statements(
    db: StoreDbOption = DEFAULT_DB,
    speaker: Annotated[
        str | None, typer.Option("--speaker", "-s", help="Only this speaker's statements.")
    ] = None,
    min_articles: Annotated[
        int, typer.Option("--min-articles", min=1, help="Only statements carried this widely.")
    ] = 1,
    show: Annotated[
        int | None,
        typer.Option("--show", help="Show one statement: its variants, diffed with the earliest."),
    ] = None,
    relink: Annotated[
        bool,
        typer.Option(
            "--relink",
            help="Rebuild every statement of the store from its quotes (after merging "
            "speakers, or for a store linked by an older saidwhat), then list them.",
        ),
    ] = False,
    limit: LimitOption = 20,
    offset: OffsetOption = 0,
    fmt: FormatOption = ListFormat.TABLE,
) -> None:
    """Statements: one quotation as every article carried it, most carried first.

    Quotes are linked into statements as they are ingested: the same words
    after normalisation, near copies (trimmed, excerpted, a word or a number
    changed), and reported forms of the quotation (within one speaker).
    --show N lists one statement's variants with a word diff against its
    earliest appearance, marks a changed word as a possible misquote, and
    lists the reported forms apart. --relink rebuilds every statement of the
    store (after speakers were merged or renamed, or a store made by an
    older saidwhat).
    """
    from saidwhat.store.search import speaker_ids
    from saidwhat.store.statements import list_statements, statement_detail

    with open_existing(db, write=relink) as store:
        if relink:
            try:
                _relink(store)
            except SaidwhatError as exc:  # a fault: each batch is whole, a re-run goes on
                raise fail(exc) from exc
        if show is not None:
            detail = statement_detail(store, show)
            if detail is None:
                raise fail(ValueError(f"no statement {show} in {db}"))
            _print_statement(detail, fmt)
            return
        ids: list[int | None] = [None]
        if speaker:
            ids = list(speaker_ids(store, speaker))
            if not ids:
                raise fail(ValueError(f"no speaker called {speaker!r} in {db}"), code=1)
        rows = []
        total, exact = 0, True
        for speaker_id in ids:
            listed = list_statements(
                store,
                speaker_id=speaker_id,
                limit=limit,
                offset=offset,
                min_articles=min_articles,
            )
            total += listed.total
            exact = exact and listed.exact
            rows.extend(listed.items)
    counted = plural(total, "statement") if exact else f"more than {total:,} statements"
    table = _list_table(f"{counted}, most carried first")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("speaker", ratio=1, min_width=10)
    table.add_column("earliest wording", ratio=3, min_width=20)
    table.add_column("articles", justify="right", no_wrap=True)
    table.add_column("outlets", justify="right", no_wrap=True)
    table.add_column("first", no_wrap=True, min_width=len("2026-01-01"))
    for row in rows:
        table.add_row(
            str(row.statement_id),
            Text(row.speaker_entity or "?"),
            Text(row.content_text),
            str(row.articles),
            str(row.outlets),
            (row.first_published or "")[:10],
        )
    _print_records([dataclasses.asdict(r) for r in rows], fmt, table)


def _relink(store: Any) -> None:
    with Progress(
        TextColumn("relinking statements"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("relink", total=None)

        def on_batch(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        linked = store.relink(on_batch)
    count = store.counts()["statements"]
    err.print(
        f"relinked {plural(linked, 'quote')} into {plural(count, 'statement')}", highlight=False
    )


def _print_statement(detail: Any, fmt: ListFormat) -> None:
    summary = detail.summary
    if fmt is not ListFormat.TABLE:
        records = [dataclasses.asdict(v) for v in detail.variants]
        for record in records:
            record["diff"] = [(d["op"], d["text"]) for d in record["diff"]]
        _print_records(records, fmt, Table())
        return
    from rich.console import Console
    from rich.text import Text

    console = Console()
    console.print(
        f"[bold]statement {summary.statement_id}[/bold] — {summary.speaker_entity or '?'}: "
        f"{summary.articles} articles, {summary.outlets} outlets, first "
        f"{summary.first_published or 'undated'}",
        highlight=False,
    )
    plain = not console.is_terminal  # piped: mark the diff in the text itself
    marks = {"same": ("", ""), "added": ("[+", "]"), "removed": ("[-", "]")}
    for variant in detail.variants:
        where = f"{variant.outlet or '?'}, {(variant.published or 'undated')[:10]}"
        kind = "reported" if variant.reported else "variant"
        line = Text(f"\n{'earliest' if variant.is_earliest else kind} ({where}): ")
        if variant.possible_misquote:
            changed = ", ".join(f"{old} → {new}" for old, new in variant.changed_words)
            line.append(f"POSSIBLE MISQUOTE ({changed}) ", style="bold yellow")
        if variant.reported:
            line.append(variant.content_text)
        else:
            for op in variant.diff:
                if plain:
                    opening, closing = marks[op.op]
                    line.append(f"{opening}{op.text}{closing} ")
                    continue
                style = {"same": "", "added": "bold green", "removed": "strike red"}[op.op]
                line.append(op.text + " ", style=style)
        console.print(line)
    for echo in detail.echoes:
        console.print(
            f"\nsimilar words from {echo.speaker_entity or '?'} (statement "
            f"{echo.statement_id}, not this one): {echo.content_text}",
            highlight=False,
            markup=False,
        )
