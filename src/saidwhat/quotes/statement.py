"""Whether what a cue reports is someone's statement: the test of the ``statements`` scope.

A cue can govern a clause without anyone having said it:

- the verb is no act of communication: "Auditors found that …", "she
  realised that …", "Figures show …";
- the act is negated or refused: "Haddad did not say whether …", "he
  declined to say what …";
- the words were put *to* the subject: "Asked whether she would stand, Amara
  said …" (the question is not Amara's statement; the answer is), "He was
  told that …";
- the source is evidence, not an agent: data, figures, a survey, a report
  ("according to court filings").

PolNeAR annotates all of these as attributions, so the ``attributions`` scope
keeps them; the ``statements`` scope, the product's default, drops them.
"""

from __future__ import annotations

from spacy.tokens import Token

from saidwhat.lexicon import Lexicon

_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "expl")
# Words that may stand before a participle opening its sentence ("But asked …").
_OPENER_DEPS = ("cc", "advmod", "punct", "mark", "prep", "npadvmod")


def not_a_statement(cue: Token, subject: Token | None, lexicon: Lexicon) -> str | None:
    """Why what ``cue`` reports is no statement of ``subject``'s, or None when it is one."""
    if cue.pos_ in ("VERB", "AUX"):
        if cue.lemma_.lower() in lexicon.non_communication_verbs:
            return f"“{cue.text}” reports a finding or a perception, not speech"
        if _negated(cue, lexicon):
            return f"“{cue.text}” is negated or refused: nothing was said"
        if (
            _passive(cue)
            or _participle_opener(cue)
            or any(
                c.dep_ == "ccomp" and c.i < cue.i and _participle_opener(c) for c in cue.children
            )
        ):
            return f"“{cue.text}” puts the words to its subject (a question or remark to them)"
    if subject is not None and is_evidence(subject, lexicon):
        return f"“{subject.text}” is evidence (data, a survey, a report), not a speaker"
    return None


def is_evidence(head: Token, lexicon: Lexicon) -> bool:
    """Whether a source's head noun is evidence rather than an agent ("figures", "a survey")."""
    return head.pos_ == "NOUN" and (
        head.lower_ in lexicon.evidence_nouns or head.lemma_.lower() in lexicon.evidence_nouns
    )


def _negated(cue: Token, lexicon: Lexicon) -> bool:
    """ "did not say whether", "would never say", "declined to say", "refused to confirm"."""
    if any(child.dep_ == "neg" for child in cue.children):
        return True
    head = cue.head
    return (
        cue.dep_ == "xcomp"
        and head is not cue
        and (
            head.lemma_.lower() in lexicon.refusal_verbs
            or any(child.dep_ == "neg" for child in head.children)
        )
    )


def _passive(cue: Token) -> bool:
    """ "He was told that …": the subject was addressed. "It was announced that …" says no one."""
    children = list(cue.children)
    if not any(c.dep_ in ("auxpass", "nsubjpass") for c in children):
        return False
    return not any(c.dep_ == "nsubjpass" and c.lower_ in ("it", "this") for c in children)


def _participle_opener(verb: Token) -> bool:
    """ "Asked whether …, she said", "Told that …, he laughed": no subject, no object, first.

    "Told reporters that …" has an object: the one who told them speaks.
    """
    if verb.tag_ not in ("VBN", "VBD") or any(
        c.dep_ in (*_SUBJECT_DEPS, "aux", "dobj", "dative") for c in verb.children
    ):
        return False
    return all(t.dep_ in _OPENER_DEPS or t.is_punct for t in verb.doc[verb.sent.start : verb.i])
