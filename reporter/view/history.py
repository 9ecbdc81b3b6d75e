"""The score over time: Graph writes a history point only when something changed,
so a monthly series carries each value forward until the next point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reporter.model import HistoryPoint, PartnerScore


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: str
    """``YYYY-MM``."""
    score: float
    changed: bool
    """True when a history point (or the current score) falls in this month."""

    @property
    def first_day(self) -> date:
        """The month as a date (its first day), for charts and spreadsheets."""
        return date(int(self.month[:4]), int(self.month[5:7]), 1)


@dataclass(frozen=True, slots=True)
class ScoreChange:
    previous: float | None
    previous_at: datetime | None
    delta: float | None


def _months_between(first: datetime, last: datetime) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_series(history: tuple[HistoryPoint, ...], score: PartnerScore, until: datetime) -> tuple[MonthPoint, ...]:
    """One point per month from the first known score to ``until``, forward-filled.

    Points whose score Graph did not report (NaN) are skipped. The current score
    counts as a point at its ``updatedDateTime`` (or at ``until``).
    """
    known = [(p.created_date_time, p.score) for p in history if p.score is not None]
    if score.current_score is not None:
        known.append((score.updated_date_time or until, score.current_score))
    known = sorted(k for k in known if k[0] <= until)
    if not known:
        return ()
    series: list[MonthPoint] = []
    index, value = 0, known[0][1]
    for year, month in _months_between(known[0][0], until):
        changed = False
        while index < len(known) and (known[index][0].year, known[index][0].month) <= (year, month):
            value = known[index][1]
            index += 1
            changed = True
        series.append(MonthPoint(f"{year:04d}-{month:02d}", value, changed))
    return tuple(series)


def change_since_previous(history: tuple[HistoryPoint, ...], score: PartnerScore) -> ScoreChange:
    """The current score against the last history point before it changed."""
    current = score.current_score
    points = sorted((p for p in history if p.score is not None), key=lambda p: p.created_date_time)
    if score.updated_date_time is not None:
        points = [p for p in points if p.created_date_time < score.updated_date_time]
    if points and current is not None and points[-1].score == current and len(points) > 1:
        points = points[:-1]  # the last point is the current score itself
    if not points or current is None:
        return ScoreChange(None, None, None)
    prev = points[-1]
    assert prev.score is not None
    return ScoreChange(prev.score, prev.created_date_time, current - prev.score)
