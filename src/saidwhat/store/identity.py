"""Who is who across articles: name normalisation and a user's knowledge base.

Inside one article the resolver already turns "Rutte", "Mr Rutte" and "the
NATO chief" into "Mark Rutte". Across articles the store must decide that
"Mark Rutte" in one outlet and "M. Rutte" in another are one person, and
that "No10" and "Number 10" are one institution. People match on surname
plus a compatible first name or initial, titles ignored; organisations match
on their names and the alias table. A knowledge base a user supplies wins
over all of this guessing, and its ids (Wikidata QIDs, say) are kept.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from saidwhat.errors import BadInput, BadRecord
from saidwhat.lexicon import lexicon_for
from saidwhat.model import EntityKind
from saidwhat.outputs import open_whole

# Names across articles are matched with the English lexicon's titles and aliases.
_LEXICON = lexicon_for("en")
_HONORIFICS = {t.rstrip(".") for t in _LEXICON.titles} | {"hon", "rt", "the"}
_JOB_TITLES = _LEXICON.job_titles
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mp", "mep", "qc", "kc"}
_ORG_ALIAS_INDEX = {
    alias: row[0] for row in _LEXICON.organisation_aliases for alias in row
}  # display forms; keyed by normalised form below


def normalise(name: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in letters.replace("’", "'"))
    return " ".join(cleaned.split())


_ORG_CANONICAL = {normalise(alias): canonical for alias, canonical in _ORG_ALIAS_INDEX.items()}


def canonical_organisation(name: str) -> str:
    """The canonical name of an institution known by several ("No10" → "Downing Street")."""
    return _ORG_CANONICAL.get(normalise(name), name)


@dataclass(frozen=True, slots=True)
class PersonName:
    """The parts of a person's name that matching uses (normalised)."""

    given: str | None  # first given name or initial, e.g. "mark" or "m"
    surname: str


def person_name(name: str) -> PersonName | None:
    """Surname and first given name of ``name``, titles and suffixes dropped.

    >>> person_name("Mr. Mark Rutte")
    PersonName(given='mark', surname='rutte')
    >>> person_name("Rutte")
    PersonName(given=None, surname='rutte')
    """
    words = normalise(name).split()
    while words and (words[0] in _HONORIFICS or words[0] in _JOB_TITLES):
        words = words[1:]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words = words[:-1]
    if not words:
        return None
    surname = words[-1]
    if len(words) >= 2 and words[-2] in {"van", "von", "de", "der", "den", "da", "di", "le", "la"}:
        surname = " ".join(words[-2:])
        words = words[:-1]
    given = words[0] if len(words) > 1 else None
    return PersonName(given, surname)


def given_names_agree(a: str | None, b: str | None) -> bool:
    """Whether two given names can be one person's: equal, or one is the other's initial."""
    if a is None or b is None:
        return True
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) == 1 and longer.startswith(shorter)


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """One entry of a user's knowledge base."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: EntityKind = EntityKind.UNKNOWN
    description: str | None = None
    hidden: bool = False  # left out of speaker lists and searches (a user's curation)


def _kind(value: object, where: str, source: str) -> EntityKind:
    text = str(value or "").strip().lower()
    aliases = {"org": "organisation", "organization": "organisation", "": "unknown"}
    text = aliases.get(text, text)
    try:
        return EntityKind(text)
    except ValueError:
        known = ", ".join(k.value for k in EntityKind)
        raise BadRecord(source, f"kind '{value}' is not one of {known}", where) from None


def _aliases(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        items = [str(v) for v in value]
    else:
        items = str(value).replace(";", "|").split("|")
    return tuple(a.strip() for a in items if a.strip())


def _flag(value: object) -> bool:
    """A yes/no cell: JSON true, or (CSV) true, yes, 1."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "yes", "1")


def _entry(record: dict[str, object], where: str, source: str) -> KnownEntity:
    entity_id = str(record.get("id") or "").strip()
    name = str(record.get("name") or "").strip()
    if not entity_id or not name:
        raise BadRecord(source, "every entry needs an 'id' and a 'name'", where)
    description = record.get("description")
    return KnownEntity(
        id=entity_id,
        name=name,
        aliases=_aliases(record.get("aliases")),
        kind=_kind(record.get("kind"), where, source),
        description=str(description).strip() if description else None,
        hidden=_flag(record.get("hidden")),
    )


def read_knowledge_base(path: str | Path) -> Iterator[KnownEntity | BadRecord]:
    """The entries of a CSV or JSON Lines knowledge base; a BadRecord per bad row.

    Columns (CSV header) or keys (JSONL): ``id``, ``name``, ``aliases``
    (CSV: separated by ``|`` or ``;``; JSONL: a list), ``kind`` (person,
    organisation), ``description`` and ``hidden`` (true: left out of lists
    and searches). ``write_knowledge_base`` writes the same format.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise BadInput(f"{source}: no such knowledge base file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"id", "name"} - set(reader.fieldnames or [])
            if missing:
                raise BadInput(f"{source}: the CSV header lacks {', '.join(sorted(missing))}")
            for number, row in enumerate(reader, start=2):
                try:
                    yield _entry(dict(row), f"line {number}", source)
                except BadRecord as bad:
                    yield bad
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise BadRecord(source, "not a JSON object", f"line {number}")
                    yield _entry(record, f"line {number}", source)
                except json.JSONDecodeError as exc:
                    yield BadRecord(source, f"invalid JSON ({exc.msg})", f"line {number}")
                except BadRecord as bad:
                    yield bad
    else:
        raise BadInput(f"{source}: a knowledge base is a .csv or .jsonl file")


KB_COLUMNS = ("id", "name", "aliases", "kind", "description", "hidden")


def write_knowledge_base(entries: Iterable[KnownEntity], path: str | Path) -> int:
    """Write ``entries`` as a knowledge base ``read_knowledge_base`` reads; return how many.

    JSON Lines for ``.jsonl``/``.ndjson``, CSV (aliases joined by ``|``) for ``.csv``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise BadInput(f"{path}: a knowledge base is a .csv or .jsonl file")
    count = 0
    with open_whole(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=KB_COLUMNS) if suffix == ".csv" else None
        if writer is not None:
            writer.writeheader()
        for entry in entries:
            count += 1
            record: dict[str, object] = {
                "id": entry.id,
                "name": entry.name,
                "aliases": list(entry.aliases),
                "kind": entry.kind.value,
                "description": entry.description,
                "hidden": entry.hidden,
            }
            if writer is None:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                record["aliases"] = "|".join(entry.aliases)
                record["hidden"] = "true" if entry.hidden else ""
                writer.writerow(record)
    return count
