"""Geometry of the server-rendered SVG charts (the templates draw them; no JS library)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from saidwhat.store.gender import GenderCount
from saidwhat.store.queries import WeekCount

CHART_WIDTH = 720
CHART_HEIGHT = 120
AXIS = 18  # room under the bars for the first and last week's labels
MAX_SLOT = 48.0  # a few weeks make a few bars, not a wall


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    week: str
    quotes: int


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: int
    baseline: int
    peak: int
    bars: list[Bar]
    end: float  # x where the last bar ends (the last label's anchor)


def weekly_timeline(weeks: Sequence[WeekCount]) -> Timeline | None:
    """Bars of quotes per week, scaled to the chart (None when nothing is dated).

    >>> t = weekly_timeline([WeekCount("2025-03-03", 2), WeekCount("2025-03-10", 0)])
    >>> [(b.week, b.height) for b in t.bars], t.peak
    ([('2025-03-03', 102.0), ('2025-03-10', 0.0)], 2)
    >>> t.end
    96.0
    """
    if not weeks:
        return None
    peak = max(w.quotes for w in weeks) or 1
    baseline = CHART_HEIGHT - AXIS
    slot = min(CHART_WIDTH / len(weeks), MAX_SLOT)
    gap = min(2.0, slot * 0.2)
    bars = []
    for index, week in enumerate(weeks):
        height = round(baseline * week.quotes / peak, 2)
        bars.append(
            Bar(
                x=round(index * slot + gap / 2, 2),
                y=round(baseline - height, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=height,
                week=week.week,
                quotes=week.quotes,
            )
        )
    return Timeline(CHART_WIDTH, CHART_HEIGHT, baseline, peak, bars, round(slot * len(weeks), 2))


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
