"""A researcher's fixes to the speakers: merge, rename, split an alias off, hide.

The store is the user's: what the machine got wrong about who is who is
put right here, and stays right. Each edit runs in one write transaction,
moves quotes, aliases and statement keys together, links the statements of
the quotes it moved again (statements never cross speakers), and is logged
in ``speaker_edits``. It survives the next ingest because the names it
settles are *pinned* aliases (``Store.find_speaker`` takes a pinned alias
before any guess), a renamed speaker's name is marked as set by hand, and a
hidden speaker is a flag, not a deletion. ``Store.relink`` rebuilds
statements from the quotes' speakers, so it keeps every edit.

``knowledge_base`` turns the curated speakers into knowledge-base entries
(``saidwhat.store.identity.write_knowledge_base``) that ``ingest --kb``
reads back into another store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from saidwhat.errors import SaidwhatError
from saidwhat.model import Entity, EntityKind
from saidwhat.store.identity import KnownEntity, normalise, person_name
from saidwhat.store.store import Store, _now

EXTERNAL_ID_PREFIX = "saidwhat:"  # the id of an exported speaker that had none


class SpeakerEditError(SaidwhatError):
    """An edit that cannot be made as asked; the message says why, ``status`` as HTTP has it."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Edit:
    """What one edit did, and the one line that says so."""

    action: str  # merge | rename | split | hide | unhide
    speaker_id: int  # the speaker left standing (for a split: the one split from)
    name: str  # its name after the edit
    quotes_moved: int
    message: str
    new_speaker_id: int | None = None  # a split's new speaker


@dataclass(frozen=True, slots=True)
class QuoteNames:
    """How one quote of a speaker named it: the article's resolved name and the mention."""

    quote_id: int
    article_id: int
    speaker_name: str | None  # None for quotes stored before schema 6
    speaker_text: str | None


def label(name: str, speaker_id: int) -> str:
    """How an edit's message names a speaker: 'Ilse Varga (#3)'."""
    return f"{name} (#{speaker_id})"


def resolve_speaker(store: Store, ref: str) -> int:
    """The one speaker ``ref`` (an id, '#id', a name, an alias or a KB id) means.

    SpeakerEditError (404) when it means no one; (400) listing the candidates
    when it could be several.
    """
    text = ref.strip()
    if text.lstrip("#").isdigit():
        return int(_speaker(store, int(text.lstrip("#")))["id"])
    rows = store.conn.execute(
        "SELECT DISTINCT s.id, s.name FROM speakers s"
        " LEFT JOIN speaker_aliases a ON a.speaker_id = s.id"
        " WHERE s.resolved AND (s.external_id = ? OR a.norm = ?) ORDER BY s.id",
        (text, normalise(text)),
    ).fetchall()
    if not rows:
        from saidwhat.store.search import speaker_ids  # the names a search understands

        ids = speaker_ids(store, text)
        rows = [_speaker(store, i) for i in ids]
    if not rows:
        raise SpeakerEditError(f"no speaker called {text!r}", 404)
    if len(rows) > 1:
        candidates = ", ".join(label(r["name"], int(r["id"])) for r in rows)
        raise SpeakerEditError(f"{text!r} could be {candidates}: give the id")
    return int(rows[0]["id"])


def merge(store: Store, into: int, others: Sequence[int]) -> Edit:
    """Make ``others`` one speaker with ``into``: their quotes, names and ids move to it.

    Their names are pinned to ``into``, so an article naming one of them
    later is ``into``'s quote.
    """
    with store._write():
        target = _speaker(store, into)
        gone = list(dict.fromkeys(others))
        if not gone:
            raise SpeakerEditError("name at least one speaker to merge in")
        if into in gone:
            raise SpeakerEditError(f"cannot merge {label(target['name'], into)} into itself")
        if not target["resolved"]:
            raise SpeakerEditError(
                f"{label(target['name'], into)} is a description no article tied to anyone: "
                "merge it into a speaker, not a speaker into it"
            )
        rows = [_speaker(store, other) for other in gone]
        marks = ",".join("?" * len(gone))
        quotes = [
            int(q[0])
            for q in store.conn.execute(
                f"SELECT id FROM quotes WHERE speaker_id IN ({marks})", gone
            )
        ]
        moved = 0
        for row in rows:
            other = int(row["id"])
            if row["resolved"]:  # a description ("the council") names no one else
                store.conn.execute(
                    "INSERT INTO speaker_aliases (speaker_id, alias, norm, pinned)"
                    " SELECT ?, alias, norm, 1 FROM speaker_aliases WHERE speaker_id = ?"
                    " ON CONFLICT (speaker_id, norm) DO UPDATE SET pinned = 1",
                    (into, other),
                )
            count = store.conn.execute(
                "UPDATE quotes SET speaker_id = ? WHERE speaker_id = ?", (into, other)
            ).rowcount
            moved += count
            _log(store, "merge", into, {"merged": row["name"], "quotes_moved": count}, other)
            store.conn.execute(
                "UPDATE statements SET speaker_id = ? WHERE speaker_id = ?", (into, other)
            )
            store.conn.execute("DELETE FROM speakers WHERE id = ?", (other,))
            # What the merged speaker knew and the one kept did not: its id, gender.
            store.conn.execute(
                "UPDATE speakers SET external_id = coalesce(external_id, ?),"
                " gender = coalesce(gender, ?), gender_evidence = coalesce(gender_evidence, ?),"
                " role = coalesce(role, ?), description = coalesce(description, ?) WHERE id = ?",
                (
                    row["external_id"],
                    row["gender"],
                    row["gender_evidence"],
                    row["role"],
                    row["description"],
                    into,
                ),
            )
        store.relink_quotes(quotes)
    message = (
        f"merged {len(rows)} speaker{'s' if len(rows) != 1 else ''} into "
        f"{label(target['name'], into)}: {_quotes(moved)} moved"
    )
    return Edit("merge", into, target["name"], moved, message)


def rename(store: Store, speaker: int, new_name: str) -> Edit:
    """Give ``speaker`` the name ``new_name``; its old name stays an alias.

    Both names are pinned to it, and the new one is marked as set by hand,
    so no later article renames it.
    """
    name = " ".join(new_name.split())
    if not normalise(name):
        raise SpeakerEditError("the new name is empty")
    with store._write():
        row = _speaker(store, speaker)
        old = row["name"]
        if name == old:
            raise SpeakerEditError(f"{label(old, speaker)} is called that already")
        clash = store.conn.execute(
            "SELECT s.id, s.name FROM speaker_aliases a JOIN speakers s ON s.id = a.speaker_id"
            " WHERE a.norm = ? AND s.id != ? AND s.resolved ORDER BY s.id LIMIT 1",
            (normalise(name), speaker),
        ).fetchone()
        if clash is not None:
            raise SpeakerEditError(
                f"{label(clash['name'], int(clash['id']))} is also called {name!r}: "
                "merge the two speakers instead",
                409,
            )
        person = person_name(name) if row["kind"] == EntityKind.PERSON.value else None
        store.conn.execute(
            "UPDATE speakers SET name = ?, surname = ?, given = ?, named_by_user = 1 WHERE id = ?",
            (name, person.surname if person else None, person.given if person else None, speaker),
        )
        for alias in (old, name):
            _pin(store, speaker, alias)
        _log(store, "rename", speaker, {"from": old, "to": name})
    return Edit("rename", speaker, name, 0, f"renamed {label(old, speaker)} to {name!r}")


def quotes_to_split(quotes: Sequence[QuoteNames], alias: str, names: set[str]) -> list[int]:
    """The quotes of a speaker that a split of ``alias`` moves (``names``: its other names).

    A quote goes when its article named the speaker ``alias``; a quote
    stored before the store kept that name goes by its mention, and one
    whose mention is none of the speaker's names ("she", "the councillor")
    follows the named quotes of its article.

    >>> q = [QuoteNames(1, 7, None, "I. Varga"), QuoteNames(2, 7, None, "she"),
    ...      QuoteNames(3, 8, None, "Ilse Varga"), QuoteNames(4, 9, "I. Varga", "Varga")]
    >>> quotes_to_split(q, "i varga", {"ilse varga"})
    [1, 2, 4]
    """
    moved = {
        q.quote_id
        for q in quotes
        if normalise((q.speaker_text if q.speaker_name is None else q.speaker_name) or "") == alias
    }
    articles = {q.article_id for q in quotes if q.quote_id in moved}
    for q in quotes:
        if q.speaker_name is None and q.article_id in articles:
            mention = normalise(q.speaker_text or "")
            if mention != alias and mention not in names:
                moved.add(q.quote_id)
    return sorted(moved)


def split(store: Store, speaker: int, alias: str) -> Edit:
    """Split ``alias`` off ``speaker`` as a speaker of its own, with the quotes that name it.

    The alias is pinned to the new speaker, so the next article that uses
    it is the new speaker's.
    """
    norm = normalise(alias)
    with store._write():
        row = _speaker(store, speaker)
        aliases = {
            a["norm"]: a["alias"]
            for a in store.conn.execute(
                "SELECT alias, norm FROM speaker_aliases WHERE speaker_id = ?", (speaker,)
            )
        }
        if norm == normalise(row["name"]):
            raise SpeakerEditError(
                f"{alias!r} is the name of {label(row['name'], speaker)}: rename it instead"
            )
        if norm not in aliases:
            known = ", ".join(sorted(v for k, v in aliases.items() if k != normalise(row["name"])))
            raise SpeakerEditError(
                f"{label(row['name'], speaker)} has no alias {alias!r}"
                + (f" (its aliases: {known})" if known else " (it has no other names)")
            )
        quotes = [
            QuoteNames(int(q["id"]), int(q["article_id"]), q["speaker_name"], q["speaker_text"])
            for q in store.conn.execute(
                "SELECT id, article_id, speaker_name, speaker_text FROM quotes"
                " WHERE speaker_id = ? ORDER BY id",
                (speaker,),
            )
        ]
        moving = quotes_to_split(quotes, norm, set(aliases) - {norm})
        name = aliases[norm]
        kind = EntityKind(row["kind"])
        person = person_name(name) if kind is EntityKind.PERSON else None
        new_id = store._insert_speaker(Entity(name, kind), name, person)
        store.conn.execute(
            "DELETE FROM speaker_aliases WHERE speaker_id = ? AND norm = ?", (speaker, norm)
        )
        _pin(store, new_id, name)
        store.conn.executemany(
            "UPDATE quotes SET speaker_id = ? WHERE id = ?", [(new_id, q) for q in moving]
        )
        store.relink_quotes(moving)
        _log(store, "split", speaker, {"alias": name, "quotes_moved": len(moving)}, new_id)
    message = (
        f"split {name!r} off {label(row['name'], speaker)} as {label(name, new_id)}: "
        f"{_quotes(len(moving))} moved"
    )
    return Edit("split", speaker, row["name"], len(moving), message, new_id)


def hide(store: Store, speaker: int, hidden: bool = True) -> Edit:
    """Leave ``speaker`` out of speaker lists and searches (``hidden=False``: show it again).

    Nothing is deleted: its quotes stay, and new ones still go to it.
    """
    action = "hide" if hidden else "unhide"
    with store._write():
        row = _speaker(store, speaker)
        quotes = int(
            store.conn.execute(
                "SELECT count(*) FROM quotes WHERE speaker_id = ?", (speaker,)
            ).fetchone()[0]
        )
        was = bool(row["hidden"])
        store.conn.execute("UPDATE speakers SET hidden = ? WHERE id = ?", (int(hidden), speaker))
        _log(store, action, speaker, {"was_hidden": was})
    who = label(row["name"], speaker)
    if was == hidden:
        message = f"{who} was {'hidden' if hidden else 'shown'} already"
    elif hidden:
        message = f"hid {who}: {_quotes(quotes)} left out of lists and searches"
    else:
        message = f"showed {who} again: {_quotes(quotes)} back in lists and searches"
    return Edit(action, speaker, row["name"], 0, message)


def knowledge_base(store: Store) -> Iterator[KnownEntity]:
    """Every resolved speaker as a knowledge-base entry, curated names and flags included.

    A speaker without an external id gets ``saidwhat:<id>``, so a store
    loaded from the file can tell the entries apart.
    """
    rows = store.conn.execute(
        "SELECT id, name, kind, external_id, description, hidden FROM speakers"
        " WHERE resolved ORDER BY id"
    ).fetchall()
    for row in rows:
        names = {normalise(row["name"])}
        aliases = []
        for a in store.conn.execute(
            "SELECT alias, norm FROM speaker_aliases WHERE speaker_id = ? ORDER BY alias",
            (row["id"],),
        ):
            if a["norm"] not in names:
                names.add(a["norm"])
                aliases.append(a["alias"])
        yield KnownEntity(
            id=row["external_id"] or f"{EXTERNAL_ID_PREFIX}{row['id']}",
            name=row["name"],
            aliases=tuple(aliases),
            kind=EntityKind(row["kind"]),
            description=row["description"],
            hidden=bool(row["hidden"]),
        )


def _speaker(store: Store, speaker_id: int) -> sqlite3.Row:
    """The speaker's row; SpeakerEditError (404) when there is none."""
    row: sqlite3.Row | None = store.conn.execute(
        "SELECT * FROM speakers WHERE id = ?", (speaker_id,)
    ).fetchone()
    if row is None:
        raise SpeakerEditError(f"no speaker with id {speaker_id}", 404)
    return row


def _pin(store: Store, speaker_id: int, alias: str) -> None:
    """Make ``alias`` this speaker's name for good: the match every later ingest takes first."""
    store.conn.execute(
        "INSERT INTO speaker_aliases (speaker_id, alias, norm, pinned) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (speaker_id, norm) DO UPDATE SET pinned = 1",
        (speaker_id, alias, normalise(alias)),
    )


def _log(
    store: Store,
    action: str,
    speaker_id: int,
    detail: dict[str, object],
    other_id: int | None = None,
) -> None:
    """Keep the edit in ``speaker_edits``: what was done, to whom, when."""
    store.conn.execute(
        "INSERT INTO speaker_edits (action, speaker_id, other_id, detail, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (action, speaker_id, other_id, json.dumps(detail, ensure_ascii=False), _now()),
    )


def _quotes(count: int) -> str:
    return f"{count} quote{'' if count == 1 else 's'}"
