"""Geometry of the server-rendered SVG charts (the templates draw them; no JS library)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
