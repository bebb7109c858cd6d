"""What each rule is worth: the confidence a quote starts with, keyed by ``Rule``.

A fixed figure is the rule's precision measured on PolNeAR train (share of
its quotes matching a gold quote), rounded down. Reported-speech rules
without a figure here take theirs from the model's probability or the
cue's learned weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from saidwhat.lexicon import USER_CUE_WEIGHT
from saidwhat.model import Rule

RULE_CONFIDENCE: Mapping[Rule, float] = MappingProxyType(
    {
        Rule.CUE_AFTER_QUOTE: 0.87,
        Rule.CUE_BEFORE_QUOTE: 0.80,
        Rule.CUE_ENDING_PREVIOUS_PARAGRAPH: 0.85,
        Rule.DASH_AFTER_QUOTE: 0.85,
        Rule.QUOTE_WITHOUT_CUE: 0.5,
        Rule.QUOTED_FRAGMENT: 0.5,
        Rule.USER_CUE_CLAUSE: USER_CUE_WEIGHT,
        Rule.ACCORDING_TO: 0.82,
        Rule.NAME_COLON: 0.6,  # a name and a colon: often a statement, sometimes a label
    }
)

# Reported speech: a cue and the clause it governs. A quotation inside one of
# these belongs to it, and one coordinated with it continues it.
REPORTED_RULES = frozenset(
    {
        Rule.MODEL_CLAUSE,
        Rule.MODEL_PHRASE,
        Rule.MODEL_NOUN_CLAUSE,
        Rule.LEXICON_CLAUSE,
        Rule.USER_CUE_CLAUSE,
        Rule.CUE_INSIDE_STATEMENT,
        Rule.ACCORDING_TO,
    }
)

# A cue whose subject the parse did not give: the speaker is a guess.
NO_SUBJECT_FACTOR = 0.85
# The same for a clause's cue.
CLAUSE_NO_SUBJECT_FACTOR = 0.75
# Precision of speaker carry-over to a cue-less quote on PolNeAR train.
CARRY_OVER_CONFIDENCE = 0.6
# A quote whose speaker resolved to no entity is worth this much of its confidence.
NO_ENTITY_FACTOR = 0.8
