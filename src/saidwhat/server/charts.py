"""Geometry of the server-rendered SVG charts (the templates draw them; no JS library)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from saidwhat.store.gender import GenderCount
from saidwhat.store.queries import DayCount

CHART_WIDTH = 720
AXIS = 18  # room under the bars for the first and last month's labels
MAX_SLOT = 48.0  # a few weeks make a few bars, not a wall

# -- counts over time (a speaker's quotes, a statement's carriers) -------------------------

TIME_HEIGHT = 160
TIME_LEFT = 40  # room for the y scale's labels
TIME_TOP = 10
TIME_RIGHT = 8
TIME_AXIS = 22  # room under the bars for the time labels
MAX_X_TICKS = 8
LABEL_CHAR = 6.5  # px per character of an 11px label: a label that would overflow is left out
DAY_SPAN_MAX = 62  # days: up to two months in days
WEEK_SPAN_MAX = 730  # up to two years in weeks
MONTH_SPAN_MAX = 3653  # up to ten years in months; longer in years
MAX_BINS = 150  # a stray date centuries back must not make a thousand slivers: the latest


class TimeUnit(StrEnum):
    """The width of one bar of a time chart."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


def time_unit(first: date, last: date) -> TimeUnit:
    """The bar width that fits the span from ``first`` to ``last``: a few to ~120 bars.

    >>> [time_unit(date(2025, 3, 1), date(2025, 3, d)).value for d in (1, 10)]
    ['day', 'day']
    >>> time_unit(date(2025, 1, 1), date(2025, 12, 31)).value
    'week'
    >>> time_unit(date(2020, 1, 1), date(2024, 12, 31)).value
    'month'
    >>> time_unit(date(1990, 1, 1), date(2024, 12, 31)).value
    'year'
    """
    span = (last - first).days
    if span <= DAY_SPAN_MAX:
        return TimeUnit.DAY
    if span <= WEEK_SPAN_MAX:
        return TimeUnit.WEEK
    if span <= MONTH_SPAN_MAX:
        return TimeUnit.MONTH
    return TimeUnit.YEAR


def bin_start(day: date, unit: TimeUnit) -> date:
    """The first day of the bar ``day`` falls in (weeks start on Monday).

    >>> bin_start(date(2025, 3, 5), TimeUnit.WEEK), bin_start(date(2025, 3, 5), TimeUnit.MONTH)
    (datetime.date(2025, 3, 3), datetime.date(2025, 3, 1))
    """
    if unit is TimeUnit.WEEK:
        return day - timedelta(days=day.weekday())
    if unit is TimeUnit.MONTH:
        return day.replace(day=1)
    if unit is TimeUnit.YEAR:
        return day.replace(month=1, day=1)
    return day


def next_bin(start: date, unit: TimeUnit) -> date:
    """The first day of the bar after the one starting on ``start``."""
    if unit is TimeUnit.DAY:
        return start + timedelta(days=1)
    if unit is TimeUnit.WEEK:
        return start + timedelta(weeks=1)
    if unit is TimeUnit.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def _tick_label(start: date, unit: TimeUnit) -> str:
    """What a tick at a bar says: its day, or the month (weeks) or year (months, years) it opens."""
    if unit is TimeUnit.DAY:
        return start.isoformat()
    if unit is TimeUnit.WEEK:
        return start.isoformat()[:7] if start.day <= 7 else ""
    return str(start.year) if start.month == 1 or unit is TimeUnit.YEAR else ""


def _bar_name(start: date, unit: TimeUnit) -> str:
    """What a bar covers, in words: '2025-03-03', 'week of 2025-03-03', '2025-03', '2025'."""
    if unit is TimeUnit.WEEK:
        return f"week of {start.isoformat()}"
    if unit is TimeUnit.MONTH:
        return start.isoformat()[:7]
    if unit is TimeUnit.YEAR:
        return str(start.year)
    return start.isoformat()


def nice_step(peak: int, max_ticks: int = 4) -> int:
    """A step of 1, 2 or 5 times a power of ten that puts at most ``max_ticks`` above 0.

    >>> [nice_step(n) for n in (1, 3, 4, 7, 12, 95, 5000)]
    [1, 1, 1, 2, 5, 25, 2000]
    """
    magnitude = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * magnitude
            if step == int(step) and math.ceil(peak / step) <= max_ticks:
                return int(step)
        magnitude *= 10


@dataclass(frozen=True, slots=True)
class TimeBar:
    x: float
    y: float
    width: float
    height: float
    start: str  # the bar's first day, YYYY-MM-DD
    label: str  # "week of 2025-03-03"
    count: int


@dataclass(frozen=True, slots=True)
class Tick:
    at: float  # x of a time tick, y of a count tick
    label: str


@dataclass(frozen=True, slots=True)
class TimeChart:
    """Bars of counts per day, week, month or year, with a time axis and a count scale."""

    width: int
    height: int
    left: int  # x where the bars start
    right: int  # x where they end
    top: int  # y of the scale's maximum
    baseline: int  # y of 0
    unit: TimeUnit
    peak: int  # the highest bar's count
    scale_max: int  # the count at ``top``
    bars: list[TimeBar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def _bins(counts: Sequence[DayCount]) -> tuple[TimeUnit, list[tuple[date, int]]] | None:
    """Every bar from the first dated count's to the last's, empty ones included."""
    dated: list[tuple[date, int]] = []
    for item in counts:
        try:
            dated.append((date.fromisoformat(item.day[:10]), item.count))
        except ValueError:
            continue
    if not dated:
        return None
    unit = time_unit(min(d for d, _ in dated), max(d for d, _ in dated))
    per_bin: Counter[date] = Counter()
    for day, count in dated:
        per_bin[bin_start(day, unit)] += count
    bins = []
    start, last = min(per_bin), max(per_bin)
    while start <= last:
        bins.append((start, per_bin.get(start, 0)))
        start = next_bin(start, unit)
    return unit, bins[-MAX_BINS:]


def time_chart(counts: Sequence[DayCount], noun: str = "quote") -> TimeChart | None:
    """Counts per day binned to fit their span, as bars on a time axis (None: nothing dated).

    >>> c = time_chart([DayCount("2025-03-03", 2), DayCount("2025-03-05", 1)])
    >>> c.unit.value, [(b.start, b.count) for b in c.bars]
    ('day', [('2025-03-03', 2), ('2025-03-04', 0), ('2025-03-05', 1)])
    >>> [t.label for t in c.x_ticks], [t.label for t in c.y_ticks]
    (['2025-03-03', '2025-03-04', '2025-03-05'], ['0', '1', '2'])
    """
    binned = _bins(counts)
    if binned is None:
        return None
    unit, bins = binned
    right = CHART_WIDTH - TIME_RIGHT
    baseline = TIME_HEIGHT - TIME_AXIS
    peak = max(count for _, count in bins)
    step = nice_step(max(peak, 1))
    scale_max = step * max(1, math.ceil(peak / step))
    slot = (right - TIME_LEFT) / len(bins)
    width = min(slot * 0.8 if slot > 4 else slot - 0.5, MAX_SLOT)
    bars = []
    for index, (start, count) in enumerate(bins):
        height = round((baseline - TIME_TOP) * count / scale_max, 2)
        x = TIME_LEFT + index * slot + (slot - width) / 2
        bars.append(
            TimeBar(
                x=round(x, 2),
                y=round(baseline - height, 2),
                width=round(width, 2),
                height=height,
                start=start.isoformat(),
                label=f"{_bar_name(start, unit)}: {count} {noun}{'' if count == 1 else 's'}",
                count=count,
            )
        )
    candidates = [
        Tick(round(TIME_LEFT + index * slot, 2), label)
        for index, (start, _) in enumerate(bins)
        if (label := _tick_label(start, unit))
    ]
    if not candidates:  # a span inside one month or year: its first bar says when
        candidates = [Tick(float(TIME_LEFT), bins[0][0].isoformat())]
    every = math.ceil(len(candidates) / MAX_X_TICKS)
    x_ticks = [
        tick
        for tick in candidates[::every]
        if tick.at + len(tick.label) * LABEL_CHAR / 2 <= CHART_WIDTH
    ]
    y_ticks = [
        Tick(round(baseline - (baseline - TIME_TOP) * value / scale_max, 2), str(value))
        for value in range(0, scale_max + 1, step)
    ]
    return TimeChart(
        width=CHART_WIDTH,
        height=TIME_HEIGHT,
        left=TIME_LEFT,
        right=right,
        top=TIME_TOP,
        baseline=baseline,
        unit=unit,
        peak=peak,
        scale_max=scale_max,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


# -- who gets quoted ----------------------------------------------------------------------

GENDER_LABELS = {"female": "women", "male": "men", "unknown": "unknown"}
ROW_NAME = 16  # the line with an outlet's name and its shares, above its bar
ROW_BAR = 22
ROW_GAP = 12
SEGMENT_LABEL_MIN = 34.0  # narrower segments carry no percentage (the line above has it)
SHARE_HEIGHT = 170
SHARE_TOP = 18  # room above a full column for its percentage
SHARE_LEFT = 40  # room for the 0%, 50% and 100% labels
MONTH_LABEL_MIN = 56.0  # a slot this wide has room for its month under it
VALUE_LABEL_MIN = 28.0  # and this wide for its percentage above it
MAX_SHARE_MONTHS = 240  # twenty years of columns


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage ('–' of nothing).

    >>> percent(1, 3), percent(2, 3), percent(0, 0)
    ('33%', '67%', '–')
    """
    return f"{round(100 * part / whole)}%" if whole else "–"


@dataclass(frozen=True, slots=True)
class Segment:
    gender: str  # female, male or unknown: the CSS class
    label: str  # women, men, unknown
    quotes: int
    percent: str  # of the row's quotes by people
    x: float
    width: float
    labelled: bool  # wide enough to carry its percentage inside

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True, slots=True)
class GenderBar:
    key: str  # the outlet, as the row names it
    name_y: float  # baseline of the line above the bar
    bar_y: float
    persons: int
    not_person: int
    segments: list[Segment]
    summary: str  # the shares in words: "women 40% · men 50% · unknown 10% of 10 quotes…"


@dataclass(frozen=True, slots=True)
class GenderBars:
    width: int
    height: int
    bar_height: int
    bars: list[GenderBar]


def gender_bars(rows: Sequence[GenderCount]) -> GenderBars | None:
    """One stacked bar per row: the shares of its quotes by people (None: no quotes at all).

    >>> bars = gender_bars([GenderCount.of("Harwick Gazette", female=2, male=1, unknown=1)])
    >>> [(s.label, s.percent, s.x, s.width) for s in bars.bars[0].segments]
    [('women', '50%', 0.0, 360.0), ('men', '25%', 360.0, 180.0), ('unknown', '25%', 540.0, 180.0)]
    >>> bars.bars[0].summary
    'women 50% · men 25% · unknown 25% of 4 quotes by people'
    """
    if not rows:
        return None
    out = []
    row_height = ROW_NAME + ROW_BAR + ROW_GAP
    for index, row in enumerate(rows):
        top = index * row_height
        segments = []
        x = 0.0
        for gender, quotes in (
            ("female", row.female),
            ("male", row.male),
            ("unknown", row.unknown),
        ):
            if not quotes:
                continue
            width = round(CHART_WIDTH * quotes / row.persons, 2)
            segments.append(
                Segment(
                    gender=gender,
                    label=GENDER_LABELS[gender],
                    quotes=quotes,
                    percent=percent(quotes, row.persons),
                    x=round(x, 2),
                    width=width,
                    labelled=width >= SEGMENT_LABEL_MIN,
                )
            )
            x += width
        if row.persons:
            shares = " · ".join(
                f"{GENDER_LABELS[g]} {percent(n, row.persons)}"
                for g, n in (("female", row.female), ("male", row.male), ("unknown", row.unknown))
            )
            summary = f"{shares} of {row.persons} quote{'' if row.persons == 1 else 's'} by people"
        else:
            summary = "no quotes by people"
        out.append(
            GenderBar(
                key=row.key,
                name_y=top + ROW_NAME - 4,
                bar_y=top + ROW_NAME,
                persons=row.persons,
                not_person=row.not_person,
                segments=segments,
                summary=summary,
            )
        )
    return GenderBars(CHART_WIDTH, len(rows) * row_height - ROW_GAP, ROW_BAR, out)


def months_between(first: str, last: str, max_months: int = MAX_SHARE_MONTHS) -> list[str]:
    """Every month (YYYY-MM) from ``first`` to ``last``, at most the last ``max_months``.

    >>> months_between("2024-11", "2025-02")
    ['2024-11', '2024-12', '2025-01', '2025-02']
    """

    def index(month: str) -> int:
        year, number = month.split("-")
        return int(year) * 12 + int(number) - 1

    end = index(last)
    start = max(index(first), end - max_months + 1)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start, end + 1)]


@dataclass(frozen=True, slots=True)
class ShareColumn:
    month: str
    x: float
    width: float
    y: float
    height: float  # 0 when the month has no quotes by people of known gender
    female: int
    gendered: int  # female + male
    percent: str  # women's share ('–' when there are none)

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True, slots=True)
class ShareTimeline:
    width: int
    height: int
    left: int  # x where the columns start
    top: int  # y of 100%
    half: float  # y of 50%
    baseline: int  # y of 0%
    columns: list[ShareColumn]
    month_labels: bool  # room for every month's label (else the first and last only)
    value_labels: bool  # room for every column's percentage (else the table has them)
    end: float  # x where the last column ends


def female_share_timeline(rows: Sequence[GenderCount]) -> ShareTimeline | None:
    """Women's share of each month's gendered quotes, empty months filled (None: no dates).

    >>> january = GenderCount.of("2025-01", month="2025-01", female=1, male=3)
    >>> march = GenderCount.of("2025-03", month="2025-03", female=2, male=2, unknown=1)
    >>> t = female_share_timeline([january, march])
    >>> [(c.month, c.percent, c.height) for c in t.columns]
    [('2025-01', '25%', 33.5), ('2025-02', '–', 0.0), ('2025-03', '50%', 67.0)]
    """
    dated = {row.month: row for row in rows if row.month is not None}
    if not dated:
        return None
    months = months_between(min(dated), max(dated))
    baseline = SHARE_HEIGHT - AXIS
    span = baseline - SHARE_TOP
    slot = min((CHART_WIDTH - SHARE_LEFT) / len(months), MAX_SLOT * 2)
    gap = min(4.0, slot * 0.2)
    columns = []
    for index, month in enumerate(months):
        row = dated.get(month)
        female, male = (row.female, row.male) if row else (0, 0)
        share = female / (female + male) if female + male else 0.0
        height = round(span * share, 2)
        columns.append(
            ShareColumn(
                month=month,
                x=round(SHARE_LEFT + index * slot + gap / 2, 2),
                width=round(max(slot - gap, 0.5), 2),
                y=round(baseline - height, 2),
                height=height,
                female=female,
                gendered=female + male,
                percent=percent(female, female + male),
            )
        )
    return ShareTimeline(
        width=CHART_WIDTH,
        height=SHARE_HEIGHT,
        left=SHARE_LEFT,
        top=SHARE_TOP,
        half=baseline - span / 2,
        baseline=baseline,
        columns=columns,
        month_labels=slot >= MONTH_LABEL_MIN,
        value_labels=slot >= VALUE_LABEL_MIN,
        end=round(SHARE_LEFT + slot * len(months), 2),
    )
