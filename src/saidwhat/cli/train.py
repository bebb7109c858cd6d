"""Commands that rebuild the shipped weights from gold data: train-cues, train-model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from saidwhat.cli.common import (
    CacheOption,
    ModelOption,
    TrainInput,
    app,
    err,
)
from saidwhat.settings import DEFAULT_MODEL


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
