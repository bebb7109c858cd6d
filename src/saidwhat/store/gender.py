"""Who gets quoted: quotes counted by their speaker's gender, per outlet and per month.

The headline figure of the Gender Gap Tracker: of the quotes whose speaker
is a person, how many are by women, by men, and by people the articles do
not show a gender for. The counting rules:

- A quote counts when its speaker is a person (``kind`` 'person'), named or
  not: "one witness", whom the article calls a woman, is a woman quoted.
- Its category is the gender the articles show for that speaker (pronouns,
  honorifics, gendered nouns, else a first-name dictionary): ``female``,
  ``male``, or ``unknown`` for a person they do not show one for.
- Quotes of organisations, groups and speakers of unknown kind are counted
  apart as ``not_person``, and quotes without a speaker as ``no_speaker``:
  they show how much of the coverage the shares speak for, and are in no
  share.
- ``share_female`` is of the quotes whose speaker's gender is known:
  female / (female + male), None when there are none.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from saidwhat.model import Gender
from saidwhat.store.search import GENDER_CONDITIONS, QuoteFilter, fts_refusal, select_quotes
from saidwhat.store.store import Store

OVERALL = "all"
NO_OUTLET = "unknown outlet"
UNDATED = "undated"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class GenderGrouping(StrEnum):
    """What one row of the counts covers."""

    OUTLET = "outlet"
    MONTH = "month"
    BOTH = "both"  # one outlet in one month


@dataclass(frozen=True, slots=True)
class GenderCount:
    """The quotes of one outlet, one month, or both (or of everything: the overall row).

    ``outlet`` and ``month`` are None when the rows are not grouped by them,
    or when the articles have no outlet or no date; ``key`` says which: the
    outlet, the month (YYYY-MM), both joined by " · ", "unknown outlet",
    "undated", or "all" for the overall row.
    """

    key: str
    outlet: str | None
    month: str | None
    female: int
    male: int
    unknown: int
    persons: int  # female + male + unknown
    not_person: int  # quotes of organisations, groups and speakers of unknown kind
    no_speaker: int
    share_female: float | None  # female / (female + male); None when neither

    @classmethod
    def of(
        cls,
        key: str,
        *,
        outlet: str | None = None,
        month: str | None = None,
        female: int = 0,
        male: int = 0,
        unknown: int = 0,
        not_person: int = 0,
        no_speaker: int = 0,
    ) -> GenderCount:
        """The row of these counts, with its ``persons`` and ``share_female``.

        >>> GenderCount.of("Harwick Gazette", female=1, male=3, not_person=2).share_female
        0.25
        """
        return cls(
            key=key,
            outlet=outlet,
            month=month,
            female=female,
            male=male,
            unknown=unknown,
            persons=female + male + unknown,
            not_person=not_person,
            no_speaker=no_speaker,
            share_female=share_female(female, male),
        )


@dataclass(frozen=True, slots=True)
class GenderReport:
    by: GenderGrouping
    rows: list[GenderCount]
    overall: GenderCount


def share_female(female: int, male: int) -> float | None:
    """Women's share of the quotes whose speaker's gender is known (None: there are none).

    >>> share_female(1, 3), share_female(0, 0)
    (0.25, None)
    """
    gendered = female + male
    return round(female / gendered, 4) if gendered else None


def month_of(published: str | None) -> str | None:
    """The month (YYYY-MM) of a stored ``published`` value; None when it has no usable date.

    >>> month_of("2025-03-04T09:30:00+01:00"), month_of("2025-13-01"), month_of(None)
    ('2025-03', None, None)
    """
    month = (published or "")[:7]
    return month if _MONTH.fullmatch(month) else None


def _key(outlet: str | None, month: str | None, by: GenderGrouping) -> str:
    outlet_label = outlet if outlet is not None else NO_OUTLET
    month_label = month if month is not None else UNDATED
    if by is GenderGrouping.OUTLET:
        return outlet_label
    if by is GenderGrouping.MONTH:
        return month_label
    return f"{outlet_label} · {month_label}"


def _count(key: str, outlet: str | None, month: str | None, tally: list[int]) -> GenderCount:
    female, male, unknown, not_person, no_speaker = tally
    return GenderCount.of(
        key,
        outlet=outlet,
        month=month,
        female=female,
        male=male,
        unknown=unknown,
        not_person=not_person,
        no_speaker=no_speaker,
    )


# What each count of a row counts, in the order of ``_count``'s tally.
_COUNTED = (
    GENDER_CONDITIONS[Gender.FEMALE],
    GENDER_CONDITIONS[Gender.MALE],
    GENDER_CONDITIONS[Gender.UNKNOWN],
    "s.id IS NOT NULL AND s.kind != 'person'",
    "s.id IS NULL",
)


def gender_counts(
    store: Store, where: QuoteFilter | None = None, by: GenderGrouping = GenderGrouping.OUTLET
) -> GenderReport:
    """Quotes by speaker gender for each outlet, month or both, and overall.

    ``where`` selects the quotes as search does (outlet, dates, confidence
    …); SearchError when one of its values cannot be used. Outlets come
    with the most quotes by people first; months in order, undated last.
    """
    where = where or QuoteFilter()
    tallies: dict[tuple[str | None, str | None], list[int]] = {}
    overall = [0] * len(_COUNTED)
    selection = select_quotes(store, where)
    if selection is not None:
        counted = ", ".join(f"count(CASE WHEN {c} THEN 1 END)" for c in _COUNTED)
        sql = (
            f"SELECT a.outlet, substr(a.published, 1, 7), {counted} {selection.body()}"
            " GROUP BY 1, 2"
        )
        try:
            found = store.conn.execute(sql, selection.params).fetchall()
        except sqlite3.OperationalError as exc:
            refusal = fts_refusal(where, exc)
            if refusal is not None:
                raise refusal from exc
            raise
        for outlet, published, *counts in found:
            # Every unusable date is the one "undated" month, so rows are folded here.
            group = (
                outlet if by is not GenderGrouping.MONTH else None,
                month_of(published) if by is not GenderGrouping.OUTLET else None,
            )
            tally = tallies.setdefault(group, [0] * len(_COUNTED))
            for index, count in enumerate(counts):
                tally[index] += int(count)
                overall[index] += int(count)
    rows = [
        _count(_key(outlet, month, by), outlet, month, tally)
        for (outlet, month), tally in tallies.items()
    ]
    rows.sort(key=lambda row: _sort_key(row, by))
    return GenderReport(by, rows, _count(OVERALL, None, None, overall))


def _sort_key(row: GenderCount, by: GenderGrouping) -> tuple[int, bool, str, bool, str]:
    """Outlets most quoted people first; months in order, undated last; both: outlet, month."""
    outlet = (row.outlet is None, row.outlet or "")
    month = (row.month is None, row.month or "")
    if by is GenderGrouping.OUTLET:
        return (-row.persons, *outlet, False, "")
    if by is GenderGrouping.MONTH:
        return (0, False, "", *month)
    return (0, *outlet, *month)
