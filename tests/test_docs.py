"""The docs describe what is there: every field, every rule, the version, the metrics."""

from __future__ import annotations

import re
from pathlib import Path

from saidwhat import __version__
from saidwhat.model import ARTICLE_FIELDS, QUOTE_FIELDS, Rule
from saidwhat.store.export import TABLES as EXPORT_TABLES

ROOT = Path(__file__).resolve().parents[1]
DATA_MODEL = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
METRICS = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")


def _named(doc: str) -> set[str]:
    """Every name written as code in a document."""
    return set(re.findall(r"`([a-z_]+)`", doc))


def test_the_data_model_names_every_field_and_rule() -> None:
    named = _named(DATA_MODEL)
    fields = {f.name for f in (*QUOTE_FIELDS, *ARTICLE_FIELDS)}
    assert fields <= named, sorted(fields - named)
    rules = {r.value for r in Rule}
    assert rules <= named, sorted(rules - named)


def test_the_data_model_names_every_exported_column() -> None:
    named = _named(DATA_MODEL)
    for table, (_, schema) in EXPORT_TABLES.items():
        missing = [c for c in schema.names if c not in named and c not in {"quotes"}]
        assert not missing, (table, missing)


def test_the_changelog_has_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__} " in changelog


def test_metrics_doc_covers_every_figure_evaluate_prints() -> None:
    for figure in ("quote F1 (overlap)", "quote F1 (exact)", "speaker accuracy", "cue accuracy"):
        assert figure in METRICS, figure
    assert "--by-rule" in METRICS and "end-to-end" in METRICS


def test_readme_and_help_point_to_the_docs_not_the_design() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/data-model.md" in readme and "docs/metrics.md" in readme
    assert "DESIGN.md" not in readme
    from saidwhat.cli.extract import evaluate

    assert evaluate.__doc__ is not None and "docs/metrics.md" in evaluate.__doc__
