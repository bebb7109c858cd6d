"""Search over stored quotes: full text, speaker, outlet, dates, type, confidence.

Users type queries like ``next target``, ``"next target"``, ``Russia's
threat``, ``nato OR alliance``, ``sanction*``. FTS5's own syntax rejects
an apostrophe or a hyphen in a bare word, so the query is rewritten: every
word becomes a quoted FTS5 string, and only ``AND``/``OR``/``NOT``, quoted
phrases and a trailing ``*`` keep their meaning. The result always goes to
SQLite as a parameter, never into the SQL text.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date

from saidwhat.errors import SaidwhatError
from saidwhat.model import EntityKind, Gender, QuoteType
from saidwhat.store.identity import person_name
from saidwhat.store.rows import QUOTE_CONTEXT, StoredQuote, quote_columns, stored_quote
from saidwhat.store.store import Store

_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


class SearchError(SaidwhatError):
    """A search the user asked for cannot run as written; the message says why."""


def _quoted(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


def fts_query(query: str) -> str:
    """The FTS5 query for what a user typed; SearchError when it cannot mean anything.

    >>> fts_query("Russia's next target")
    '"Russia\\'s" "next" "target"'
    >>> fts_query('"next target" OR sanction*')
    '"next target" OR "sanction"*'
    """
    if query.count('"') % 2:
        raise SearchError(f"unbalanced quotation mark in the query {query!r}: close the phrase")
    parts: list[str] = []
    previous_operator = True  # at the start an operator is as wrong as after another one
    for match in _TOKEN.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if word is not None and word in _OPERATORS:
            if previous_operator:
                raise SearchError(
                    f"'{word}' in {query!r} needs words on both sides (e.g. 'nato {word} alliance')"
                )
            parts.append(word)
            previous_operator = True
            continue
        if phrase is not None:
            if not phrase.strip():
                continue
            parts.append(_quoted(phrase))
        else:
            prefix = word.endswith("*") and len(word.strip("*")) > 0
            text = word.strip("*")
            if not any(c.isalnum() for c in text):
                continue  # punctuation alone matches nothing
            parts.append(_quoted(text) + ("*" if prefix else ""))
        previous_operator = False
    if not parts:
        raise SearchError(f"the query {query!r} has no words to search for")
    if previous_operator:
        raise SearchError(f"the query {query!r} ends with an operator: add the words it joins")
    return " ".join(parts)


def parse_day(value: str, option: str) -> str:
    """An ISO date from a ``--since``/``--until`` value, or SearchError naming the option."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise SearchError(f"{option} takes a date as YYYY-MM-DD, not {value!r}") from None


QuoteHit = StoredQuote
"""One quote found: its record, ids and article (``saidwhat.store.rows.StoredQuote``)."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: list[QuoteHit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QuoteFilter:
    """What to look for; every field is optional."""

    text: str | None = None
    speaker: str | None = None
    outlet: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    type: QuoteType | None = None
    min_confidence: float = 0.0
    article_id: int | None = None
    gender: Gender | None = None  # the speaker's, as the text shows it


def speaker_ids(store: Store, name: str) -> list[int]:
    """Stored speakers a user's name refers to: a knowledge-base id, a name or an alias."""
    rows = store.conn.execute(
        "SELECT id FROM speakers WHERE external_id = ?", (name.strip(),)
    ).fetchall()
    if rows:
        return [int(r["id"]) for r in rows]
    found = store.find_speaker(name, EntityKind.UNKNOWN)
    if found is not None:
        return [found]
    # A bare surname ("Rutte") means every person who has it.
    person = person_name(name)
    if person is None or person.given is not None:
        return []
    rows = store.conn.execute(
        "SELECT id FROM speakers WHERE surname = ? AND kind = ?",
        (person.surname, EntityKind.PERSON.value),
    ).fetchall()
    return [int(r["id"]) for r in rows]


# Which quotes' speakers have each gender: people only, and a person whose gender the
# articles do not show (NULL, or "unknown" from a loaded record) is unknown.
GENDER_CONDITIONS: dict[Gender, str] = {
    Gender.FEMALE: "s.kind = 'person' AND s.gender = 'female'",
    Gender.MALE: "s.kind = 'person' AND s.gender = 'male'",
    Gender.UNKNOWN: (
        "s.kind = 'person' AND (s.gender IS NULL OR s.gender NOT IN ('female', 'male'))"
    ),
}


@dataclass(frozen=True, slots=True)
class QuoteSelection:
    """The SQL after ``FROM quotes q`` that selects the quotes of a QuoteFilter.

    ``a`` is the quote's article, ``s`` its speaker (LEFT JOIN: NULL when it
    has none) and, when the filter has words, ``f`` the full-text match.
    """

    joins: list[str]
    conditions: list[str]
    params: list[object]

    def body(self) -> str:
        """``FROM quotes q …`` with the joins and the WHERE clause."""
        body = " ".join(["FROM quotes q", *self.joins])
        if self.conditions:
            body += " WHERE " + " AND ".join(self.conditions)
        return body


def select_quotes(store: Store, where: QuoteFilter) -> QuoteSelection | None:
    """The SQL that selects the quotes matching ``where`` (None: the speaker is no one).

    SearchError when the words or a date cannot be used.
    """
    joins = [
        "JOIN articles a ON a.id = q.article_id",
        "LEFT JOIN speakers s ON s.id = q.speaker_id",
    ]
    conditions: list[str] = []
    params: list[object] = []
    if where.text:
        joins.insert(0, "JOIN quotes_fts f ON f.rowid = q.id")
        conditions.append("quotes_fts MATCH ?")
        params.append(fts_query(where.text))
    if where.speaker:
        ids = speaker_ids(store, where.speaker)
        if not ids:
            return None
        conditions.append(f"q.speaker_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    else:  # a speaker a user hid is left out, unless asked for by name
        conditions.append("coalesce(s.hidden, 0) = 0")
    if where.outlet:
        conditions.append("a.outlet = ? COLLATE NOCASE")
        params.append(where.outlet)
    if where.since:
        conditions.append("substr(a.published, 1, 10) >= ?")
        params.append(parse_day(where.since, "--since"))
    if where.until:
        conditions.append("substr(a.published, 1, 10) <= ?")
        params.append(parse_day(where.until, "--until"))
    if where.type is not None:
        conditions.append("q.type = ?")
        params.append(where.type.value)
    if where.gender is not None:
        conditions.append(GENDER_CONDITIONS[where.gender])
    if where.min_confidence > 0:
        conditions.append("q.confidence >= ?")
        params.append(where.min_confidence)
    if where.article_id is not None:
        conditions.append("q.article_id = ?")
        params.append(where.article_id)
    return QuoteSelection(joins, conditions, params)


def search_quotes(
    store: Store, where: QuoteFilter, *, limit: int = 20, offset: int = 0
) -> SearchResult:
    """Quotes matching ``where``: best text matches first, else newest first."""
    selection = select_quotes(store, where)
    if selection is None:
        return SearchResult(0)
    order = "f.rank, q.id" if where.text else "a.published DESC, q.id DESC"
    body, params = selection.body(), selection.params
    select = f"SELECT {QUOTE_CONTEXT}, {quote_columns()} {body} ORDER BY {order} LIMIT ? OFFSET ?"
    try:
        total = int(store.conn.execute("SELECT count(*) " + body, params).fetchone()[0])
        rows = store.conn.execute(select, [*params, limit, offset]).fetchall()
    except sqlite3.OperationalError as exc:
        refusal = fts_refusal(where, exc)
        if refusal is not None:
            raise refusal from exc
        raise
    hits = [stored_quote(r) for r in rows]
    return SearchResult(total, hits)


def fts_refusal(where: QuoteFilter, exc: sqlite3.OperationalError) -> SearchError | None:
    """The SearchError of words SQLite's full-text index refused (None: another failure)."""
    if "fts5" in str(exc) or "MATCH" in str(exc):
        return SearchError(f"the query {where.text!r} cannot be searched: {exc}")
    return None


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    speaker_id: int
    name: str
    kind: str
    role: str | None
    external_id: str | None
    gender: str | None  # a person's: female, male or unknown; None for anyone else
    resolved: bool
    quotes: int
    articles: int
    outlets: int
    aliases: list[str]
    hidden: bool = False  # a user hid it (saidwhat.store.curation.hide)


def _speaker_selection(
    store: Store, name: str | None, unresolved: bool, hidden: bool = False
) -> tuple[str, list[object]] | None:
    """The WHERE clause over speakers ``s`` of the speakers list (None: the name is no one)."""
    conditions = [] if unresolved else ["s.resolved"]
    if not hidden and not name:  # a speaker a user hid is left out, unless asked for by name
        conditions.append("NOT s.hidden")
    params: list[object] = []
    if name:
        ids = speaker_ids(store, name)
        if not ids:
            return None
        conditions.append(f"s.id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    return ("WHERE " + " AND ".join(conditions)) if conditions else "", params


def _person_gender(kind: str, gender: str | None) -> str | None:
    """A speaker's gender as the records give it: a person's, or unknown; None for others."""
    if kind != EntityKind.PERSON.value:
        return None
    return gender if gender in (Gender.FEMALE.value, Gender.MALE.value) else Gender.UNKNOWN.value


def speaker_total(
    store: Store, *, name: str | None = None, unresolved: bool = False, hidden: bool = False
) -> int:
    """How many speakers ``top_speakers`` lists with the same filters."""
    selection = _speaker_selection(store, name, unresolved, hidden)
    if selection is None:
        return 0
    condition, params = selection
    return int(
        store.conn.execute(
            "SELECT count(DISTINCT s.id) FROM speakers s JOIN quotes q ON q.speaker_id = s.id "
            + condition,
            params,
        ).fetchone()[0]
    )


def top_speakers(
    store: Store,
    *,
    limit: int = 20,
    offset: int = 0,
    name: str | None = None,
    unresolved: bool = False,
    hidden: bool = False,
) -> list[SpeakerCount]:
    """Speakers by how often they are quoted (most first), optionally only those named.

    Descriptions an article left unresolved ("one witness", "the council")
    are left out unless ``unresolved``, speakers a user hid unless
    ``hidden`` or ``name``; ``speaker_total`` counts the same list.
    """
    selection = _speaker_selection(store, name, unresolved, hidden)
    if selection is None:
        return []
    condition, params = selection
    rows = store.conn.execute(
        "SELECT s.id, s.name, s.kind, s.role, s.external_id, s.gender, s.resolved, s.hidden,"
        " count(q.id) AS quotes,"
        " count(DISTINCT q.article_id) AS articles, count(DISTINCT a.outlet) AS outlets"
        " FROM speakers s JOIN quotes q ON q.speaker_id = s.id"
        " JOIN articles a ON a.id = q.article_id "
        + condition
        + " GROUP BY s.id ORDER BY quotes DESC, s.name LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    out = []
    for r in rows:
        aliases = [
            a["alias"]
            for a in store.conn.execute(
                "SELECT alias FROM speaker_aliases WHERE speaker_id = ? ORDER BY alias", (r["id"],)
            )
            if a["alias"] != r["name"]
        ]
        out.append(
            SpeakerCount(
                speaker_id=int(r["id"]),
                name=r["name"],
                kind=r["kind"],
                role=r["role"],
                external_id=r["external_id"],
                gender=_person_gender(r["kind"], r["gender"]),
                resolved=bool(r["resolved"]),
                quotes=int(r["quotes"]),
                articles=int(r["articles"]),
                outlets=int(r["outlets"]),
                aliases=aliases,
                hidden=bool(r["hidden"]),
            )
        )
    return out
