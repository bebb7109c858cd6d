"""The ``saidwhat`` command: thin commands over the modules that do the work."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from saidwhat import __version__
from saidwhat.errors import BadRecord, SaidwhatError
from saidwhat.model import Article, ExtractedArticle
from saidwhat.settings import DEFAULT_MODEL, DEFAULT_SETTINGS, Scope, Settings

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
MaxArticleCharsOption = Annotated[
    int, typer.Option("--max-article-chars", min=1, help="Skip (and report) longer articles.")
]
MinConfidenceOption = Annotated[
    float,
    typer.Option("--min-confidence", min=0.0, max=1.0, help="Drop quotes below this confidence."),
]


def fail(message: object, code: int = 2) -> typer.Exit:
    """Print an error for the user (as text, never as markup) and the exit to raise."""
    err.print(f"[red]error:[/red] {escape(str(message))}", highlight=False)
    return typer.Exit(code)


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


class RunSummary:
    """Counts for the end-of-run line: read, skipped (with reasons), quotes."""

    def __init__(self) -> None:
        self.articles = 0
        self.quotes = 0
        self.skipped: list[BadRecord] = []

    def line(self, seconds: float) -> str:
        rate = self.articles / seconds if seconds > 0 else 0.0
        return (
            f"{self.articles} articles, {self.quotes} quotes, {len(self.skipped)} skipped "
            f"in {seconds:.1f}s ({rate:.1f} articles/s)"
        )


def _articles(inputs: list[str], summary: RunSummary, max_chars: int) -> Iterator[Article]:
    from saidwhat.read import read_inputs

    for item in read_inputs(inputs):
        if isinstance(item, Article) and len(item.text) > max_chars:
            item = BadRecord(
                item.id,
                f"article has {len(item.text):,} characters, over the limit of {max_chars:,} "
                "(raise it with --max-article-chars)",
            )
        if isinstance(item, BadRecord):
            summary.skipped.append(item)
            err.print(f"[yellow]skipped[/yellow] {item}", highlight=False, markup=True)
            continue
        yield item


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
        text = " … ".join(part.text for part in quote.content).replace("\n", " ¶ ")
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
) -> None:
    """Find the quotes in articles: a readable listing, or JSON Lines with -o.

    Bad records (empty or binary files, invalid JSON lines, records without
    text) are reported on stderr and skipped; the exit status is non-zero
    only when nothing at all could be processed.
    """
    from saidwhat.pipeline import extract_articles

    settings = extraction_settings(
        model, batch_size, min_confidence, max_article_chars, scope, cues, processes
    )
    summary = RunSummary()
    started = time.perf_counter()
    out: TextIO = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    # The bar goes to stderr; over a listing printed to the same terminal it would garble it.
    show_bar = progress and err.is_terminal and (output is not None or not sys.stdout.isatty())
    try:
        with Progress(
            TextColumn("[bold]extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} articles/s · {task.fields[quotes]} quotes"),
            TimeElapsedColumn(),
            console=err,
            disable=not show_bar,
            transient=False,
        ) as bar:
            task = bar.add_task("extract", total=None, rate="0.0", quotes=0)
            for result in extract_articles(
                _articles(inputs, summary, settings.max_article_chars), settings
            ):
                if result.error:
                    bad = BadRecord(result.article.id, result.error)
                    summary.skipped.append(bad)
                    err.print(f"[yellow]failed[/yellow] {bad}", highlight=False)
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
                    advance=1,
                    rate=f"{summary.articles / elapsed:.1f}" if elapsed else "0.0",
                    quotes=summary.quotes,
                )
    except SaidwhatError as exc:
        raise fail(exc) from exc
    finally:
        if output:
            out.close()
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
) -> None:
    """Score extraction against gold data with the metrics of DESIGN.md.

    Quote F1 (overlap and exact) overall and by type, speaker and cue
    accuracy, end-to-end F1, and how often predictions are right at each
    confidence level. Runs extraction on the gold texts unless --pred is given.
    """
    from saidwhat.evaluate import evaluate as score
    from saidwhat.evaluate import load_jsonl
    from saidwhat.pipeline import extract_articles

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
    typer.echo(report.render(max_errors=errors))
    if other_report is not None:
        other, theirs = other_report
        typer.echo(
            f"\nscope {scope.value}: quote F1 {report.overlap.f1:.3f}, end-to-end F1 "
            f"{report.end_to_end.f1:.3f}; with --scope {other.value}: quote F1 "
            f"{theirs.overlap.f1:.3f}, end-to-end F1 {theirs.end_to_end.f1:.3f} "
            f"(difference {report.overlap.f1 - theirs.overlap.f1:+.3f} quote F1)"
        )


@app.command("train-cues")
def train_cues(
    train: TrainInput,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the lexicon TSV.")
    ] = None,
    cache: CacheOption = None,
    model: ModelOption = DEFAULT_MODEL,
) -> None:
    """Rebuild the learned cue lexicon (weights of clause-governing verbs) from gold data."""
    from saidwhat.evaluate import load_jsonl
    from saidwhat.train_cues import LEXICON_PATH, count_clausal_cues, file_sha256, write_lexicon

    records = load_jsonl(train)
    counts = count_clausal_cues(_parsed_records(records, model, cache))
    target = output or LEXICON_PATH
    write_lexicon(
        counts,
        target,
        [
            f"source: {train.name} sha256 {file_sha256(train)} ({len(records)} articles)",
            f"model: {model}",
            "command: saidwhat train-cues " + train.name,
            "columns: verbs governing a clause outside quotation marks (total), "
            "and how many were annotated cues of that clause (positive)",
        ],
    )
    err.print(f"wrote {target} ({sum(1 for c in counts if c.total >= 3)} lemmas)")


def _parsed_records(
    records: list[dict[str, Any]], model: str, cache: Path | None
) -> list[tuple[Any, dict[str, Any]]]:
    """Parse gold texts once; with ``cache``, keep the parses in a DocBin file."""
    from spacy.tokens import DocBin

    from saidwhat.nlp import load_pipeline

    nlp = load_pipeline(model)
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(records):
            return list(zip(docs, records, strict=True))
    docs = []
    with Progress(
        TextColumn("[bold]parsing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("parse", total=len(records))
        for doc in nlp.pipe((str(r["text"]) for r in records), batch_size=16):
            docs.append(doc)
            bar.advance(task)
    if cache is not None:
        bin_ = DocBin(store_user_data=False)
        for doc in docs:
            bin_.add(doc)
        bin_.to_disk(cache)
    return list(zip(docs, records, strict=True))


@app.command("train-model")
def train_model(
    train: TrainInput,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the model JSON.")
    ] = None,
    cache: CacheOption = None,
    c_value: Annotated[float, typer.Option("--c", help="Inverse regularisation strength.")] = 0.5,
    model: ModelOption = DEFAULT_MODEL,
) -> None:
    """Train the reported-speech model from gold data.

    Needs scikit-learn: install the package with its "train" extra.
    """
    from saidwhat.evaluate import load_jsonl
    from saidwhat.quotes.learned import MODEL_PATH
    from saidwhat.train_cues import file_sha256
    from saidwhat.train_model import build_examples
    from saidwhat.train_model import train as fit

    records = load_jsonl(train)
    pairs = _parsed_records(records, model, cache)
    examples = build_examples(pairs)
    trained = fit(
        examples,
        {
            "source": f"{train.name} sha256 {file_sha256(train)} ({len(records)} articles)",
            "spacy_model": model,
            "command": f"saidwhat train-model {train.name} --c {c_value}",
        },
        c_value=c_value,
        pairs=pairs,
    )
    target = output or MODEL_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(trained.to_json() + "\n", encoding="utf-8")
    err.print(f"wrote {target}: {len(trained.weights)} weights, threshold {trained.threshold}")
    err.print(json.dumps(trained.meta, indent=2), highlight=False)


# The store commands (ingest, search, speakers, export) register themselves on ``app``.
import saidwhat.cli_serve  # noqa: E402, F401  (the server commands: serve, demo)
from saidwhat import cli_spark as _spark_commands  # noqa: E402, F401  (spark, load)
from saidwhat import cli_store  # noqa: E402, F401
