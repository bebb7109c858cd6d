"""Commands that find quotes without a store: extract, and evaluate against gold data."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.markup import escape

from saidwhat.cli.common import (
    BatchOption,
    CuesOption,
    MaxArticleCharsOption,
    MinConfidenceOption,
    ModelOption,
    OutletOption,
    ProcessesOption,
    ProgressOption,
    PublishedOption,
    ScopeOption,
    app,
    err,
    extraction_settings,
    fail,
    input_progress,
    plural,
)
from saidwhat.errors import BadRecord, SaidwhatError
from saidwhat.model import Article, ExtractedArticle
from saidwhat.outputs import open_whole
from saidwhat.settings import DEFAULT_MODEL, DEFAULT_SETTINGS, Scope, Settings
from saidwhat.store.faults import faults_of


class RunSummary:
    """Counts for the end-of-run line: read, skipped (with reasons), quotes."""

    def __init__(self) -> None:
        self.articles = 0
        self.quotes = 0
        self.skipped: list[BadRecord] = []

    def line(self, seconds: float) -> str:
        rate = self.articles / seconds if seconds > 0 else 0.0
        return (
            f"{plural(self.articles, 'article')}, {plural(self.quotes, 'quote')}, "
            f"{len(self.skipped)} skipped "
            f"in {seconds:.1f}s ({rate:.1f} articles/s)"
        )


def _articles(
    inputs: list[str], summary: RunSummary, outlet: str | None, published: str | None
) -> Iterator[Article]:
    from saidwhat.read import read_inputs
    from saidwhat.read.metadata import with_run_metadata

    for item in with_run_metadata(read_inputs(inputs), outlet=outlet, published=published):
        if isinstance(item, BadRecord):
            _skip(summary, item)
            continue
        yield item


def _skip(summary: RunSummary, bad: BadRecord, verb: str = "skipped") -> None:
    summary.skipped.append(bad)
    err.print(f"[yellow]{verb}[/yellow] {escape(str(bad))}", highlight=False)


def _write_listing(result: ExtractedArticle, out: TextIO) -> None:
    article = result.article
    out.write(f"== {article.id}" + (f" — {article.title}" if article.title else "") + "\n")
    if not result.quotes:
        out.write("   (no quotes found)\n\n")
        return
    for n, quote in enumerate(result.quotes, 1):
        speaker = quote.speaker
        who = "?"
        if speaker is not None and speaker.entity is not None:
            who = speaker.entity.name
            if speaker.mention is not None and speaker.mention.text != who:
                who += f" (“{speaker.mention.text}”)"
        elif speaker is not None and speaker.mention is not None:
            who = f"“{speaker.mention.text}”"
        cue = quote.cue.text if quote.cue else "—"
        text = quote.text.replace("\n\n", "\n     ")  # paragraphs stay paragraphs
        out.write(
            f"{n:3}. [{quote.type.value}] {who} — {cue} (confidence {quote.confidence:.2f})\n"
            f"     {text}\n"
        )
    out.write("\n")


@app.command()
def extract(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files (.txt .html .jsonl .warc .warc.gz .xml .rss .atom .urls), folders, "
            "http(s) URLs, or - for standard input.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write JSON Lines (one article a line, gold format) here."
        ),
    ] = None,
    model: ModelOption = DEFAULT_MODEL,
    batch_size: BatchOption = 16,
    processes: ProcessesOption = 1,
    min_confidence: MinConfidenceOption = 0.0,
    progress: ProgressOption = True,
    max_article_chars: MaxArticleCharsOption = DEFAULT_SETTINGS.max_article_chars,
    scope: ScopeOption = DEFAULT_SETTINGS.scope,
    cues: CuesOption = None,
    outlet: OutletOption = None,
    published: PublishedOption = None,
) -> None:
    """Find the quotes in articles: a readable listing, or JSON Lines with -o.

    A .txt file's title, outlet, url and date come from YAML front matter
    (between two --- lines at its top) or a sidecar .json of the same name;
    --outlet and --published set them for every article of the run.

    Bad records (empty or binary files, invalid JSON lines, records without
    text) are reported on stderr and skipped; the exit status is non-zero
    only when nothing at all could be processed.
    """
    from saidwhat.pipeline import Extractor

    settings = extraction_settings(
        model, batch_size, min_confidence, max_article_chars, scope, cues, processes
    )
    summary = RunSummary()
    started = time.perf_counter()
    # The bar goes to stderr; over a listing printed to the same terminal it would garble it.
    show_bar = progress and err.is_terminal and (output is not None or not sys.stdout.isatty())
    from saidwhat.read import count_records

    bar, task = input_progress(
        "extracting",
        "{task.fields[rate]} articles/s · {task.fields[quotes]} quotes",
        total=count_records(inputs) if show_bar else None,
        show=show_bar,
        rate="0.0",
        quotes=0,
    )
    articles = _articles(inputs, summary, outlet, published)
    try:
        # The output file is written under a temporary name and renamed once complete.
        with faults_of(output or "-", (OSError,)), contextlib.ExitStack() as whole, bar:
            out: TextIO = whole.enter_context(open_whole(output)) if output else sys.stdout
            for result in Extractor(settings).extract_articles(articles):
                if result.error:
                    bad = BadRecord(result.article.id, result.error)
                    _skip(summary, bad, "skipped" if result.refused else "failed")
                    continue
                summary.articles += 1
                summary.quotes += len(result.quotes)
                if output:
                    out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
                else:
                    _write_listing(result, out)
                elapsed = time.perf_counter() - started
                bar.update(
                    task,
                    completed=summary.articles + len(summary.skipped),
                    rate=f"{summary.articles / elapsed:.1f}" if elapsed else "0.0",
                    quotes=summary.quotes,
                )
            bar.update(task, completed=summary.articles + len(summary.skipped))
    except SaidwhatError as exc:  # a fault of the output file too (StoreFault)
        raise fail(exc) from exc
    err.print(summary.line(time.perf_counter() - started), highlight=False)
    if summary.articles == 0:
        raise fail("nothing could be processed", code=1)


@app.command()
def evaluate(
    gold: Annotated[
        Path, typer.Argument(help="Gold JSON Lines (e.g. ../shared/eval/seed.gold.jsonl).")
    ],
    pred: Annotated[
        Path | None,
        typer.Option("--pred", help="Score this prediction file instead of running extraction."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    errors: Annotated[
        int, typer.Option("--errors", min=0, help="List this many error cases after the table.")
    ] = 0,
    model: ModelOption = DEFAULT_MODEL,
    processes: ProcessesOption = 1,
    scope: ScopeOption = DEFAULT_SETTINGS.scope,
    cues: CuesOption = None,
    compare_scopes: Annotated[
        bool,
        typer.Option(
            "--compare-scopes",
            help="Also run the other scope and print what the scope decision costs.",
        ),
    ] = False,
    by_rule: Annotated[
        bool,
        typer.Option(
            "--by-rule",
            help="Also print, for each rule, how many quotes it made, its precision on the "
            "gold and the speaker accuracy of its matched quotes.",
        ),
    ] = False,
    statements: Annotated[
        bool,
        typer.Option(
            "--statements",
            help="Score statements instead: ingest the gold articles into a temporary store "
            "and print pairwise precision, recall and F1 of 'same statement' across "
            "articles, strict and broad (gold quotes need a 'statement' label, as in "
            "statements-dev.jsonl).",
        ),
    ] = False,
) -> None:
    """Score extraction against gold data (JSON Lines in the gold format).

    Quote F1 (overlap and exact) overall and by type, speaker and cue
    accuracy, end-to-end F1, how often predictions are right at each
    confidence level, and with --by-rule the same per rule. Runs extraction
    on the gold texts unless --pred is given. How quotes are matched and
    what each figure means: docs/metrics.md in the saidwhat repository.
    """
    from saidwhat.evaluate import evaluate as score
    from saidwhat.evaluate import load_jsonl
    from saidwhat.pipeline import extract_articles

    if statements:
        _evaluate_statements(gold, Settings(model=model, scope=scope), as_json)
        return
    try:
        gold_records = load_jsonl(gold)
        if pred is not None:
            predicted = load_jsonl(pred)
        else:
            articles = [Article(id=str(r["id"]), text=str(r["text"])) for r in gold_records]
            settings = Settings(
                model=model, processes=processes, scope=scope, cue_file=str(cues) if cues else None
            )
            predicted = [r.to_dict() for r in extract_articles(articles, settings)]
        report = score(gold_records, predicted)
        other_report = None
        if compare_scopes and pred is None:
            other = Scope.ATTRIBUTIONS if scope is Scope.STATEMENTS else Scope.STATEMENTS
            other_settings = Settings(
                model=model, processes=processes, scope=other, cue_file=settings.cue_file
            )
            other_predicted = [r.to_dict() for r in extract_articles(articles, other_settings)]
            other_report = (other, score(gold_records, other_predicted))
    except (SaidwhatError, OSError) as exc:
        raise fail(exc) from exc
    if as_json:
        data = report.to_dict()
        if not errors:
            data.pop("errors", None)
        if not by_rule:
            data.pop("by_rule", None)
        if other_report is not None:
            other, theirs = other_report
            data["scope"] = scope.value
            data["other_scope"] = {
                "scope": other.value,
                "overlap_f1": theirs.overlap.f1,
                "end_to_end_f1": theirs.end_to_end.f1,
            }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(report.render(max_errors=errors, by_rule=by_rule))
    if other_report is not None:
        other, theirs = other_report
        typer.echo(
            f"\nscope {scope.value}: quote F1 {report.overlap.f1:.3f}, end-to-end F1 "
            f"{report.end_to_end.f1:.3f}; with --scope {other.value}: quote F1 "
            f"{theirs.overlap.f1:.3f}, end-to-end F1 {theirs.end_to_end.f1:.3f} "
            f"(difference {report.overlap.f1 - theirs.overlap.f1:+.3f} quote F1)"
        )


def _evaluate_statements(gold: Path, settings: Settings, as_json: bool) -> None:
    """``evaluate --statements``: link the gold articles in a fresh store, then score."""
    import tempfile

    from saidwhat.evaluate import load_jsonl, score_statements
    from saidwhat.ingest import ingest_records
    from saidwhat.pipeline import Extractor
    from saidwhat.store import Store
    from saidwhat.store.statements import linked_articles

    try:
        gold_records = load_jsonl(gold)
        articles = [
            Article(
                id=str(r["id"]),
                text=str(r["text"]),
                outlet=r.get("outlet"),
                published=r.get("published"),
                title=r.get("title"),
            )
            for r in gold_records
        ]
        with (
            tempfile.TemporaryDirectory(prefix="saidwhat-statements-") as folder,
            Store(Path(folder) / "statements.db") as store,
        ):
            ingest_records(articles, store, Extractor(settings))
            linked = linked_articles(store)
        report = score_statements(gold_records, linked)
    except (SaidwhatError, OSError) as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.render())
