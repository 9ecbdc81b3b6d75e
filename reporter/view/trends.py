"""Trends from the archive: each customer's own months, and the portfolio's. Pure: no I/O.

The archive holds one snapshot per month. ``month_figures`` reads what the trends
need from one snapshot (a few numbers per customer), so the caller can read twelve
archived months one at a time and keep only these; ``trends`` lines them up on
``Periods.months``. A month that is not archived, or in which a customer does not
appear, is a gap (``None``), never a zero.

This module is the contract between the archive (which feeds it), the view-model
(``documents``: the customer's "Your progress" block and the summary's portfolio trend)
and the workbook (the "Trends" sheet): they read these values and nothing else.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reporter.model import Snapshot
from reporter.view.customers import alerts_by_tenant
from reporter.view.posture import Level, Policy, assess

TREND_MONTHS = 12
"""The most months a trend shows, the period being rendered included."""


@dataclass(frozen=True, slots=True)
class Periods:
    """The period being rendered, its previous archived period, and the trend's months: one value.

    ``months`` runs over calendar months, oldest first, ending at ``current``: from the
    first archived month (or ``current`` less eleven months, whichever is later). Months
    the archive does not hold are in it too: they are the gaps. Only months up to
    ``current`` ever appear, so re-rendering a past period gives the same documents.
    """

    current: str
    """``YYYY-MM``."""
    previous: str | None = None
    """The archived period month-over-month changes count from (the latest archived before ``current``)."""
    months: tuple[str, ...] = ()
    """Calendar months of the trend, oldest first, ``current`` last (empty: no trend)."""


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """What one archived month says of one customer: the numbers its report and the workbook show."""

    coverage: float | None
    """Share of non-admin users registered for MFA (0–1), as the Customers sheet shows it; None: not reported."""
    admins_registered: int | None
    """Admins registered for MFA; None: not reported."""
    policy: Policy
    """The strongest MFA policy in force (``Policy.UNKNOWN`` when not reported)."""
    level: Level
    """The attention level the customer had that month."""


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """What ``month_figures`` keeps of one archived snapshot: per customer, and nothing else."""

    period: str
    customers: Mapping[str, MonthFigures] = field(default_factory=dict)
    """By lower-case tenant id."""


@dataclass(frozen=True, slots=True)
class CustomerTrend:
    tenant_id: str
    months: tuple[MonthFigures | None, ...]
    """One per ``Periods.months``; None where the month is not archived or the customer was not in it."""


@dataclass(frozen=True, slots=True)
class PortfolioMonth:
    """The portfolio in one month; every figure is None when the month is not archived."""

    period: str
    archived: bool
    customers: int | None
    median_coverage: float | None
    """Median of the customers' coverage that month (those with a coverage); None without any."""
    needing_attention: int | None
    """Customers above "no data" (``Level.LOW`` and up), as the summary counts them."""
    by_policy: tuple[tuple[Policy, int], ...] | None
    """Customers by strongest policy in force, every ``Policy`` listed in order."""
    gained: int | None
    """Customers in this month but not in the previous month; None for the first month or after a gap."""
    lost: int | None
    """Customers in the previous month but not in this one; None likewise."""


@dataclass(frozen=True)
class Trends:
    periods: Periods
    customers: Mapping[str, CustomerTrend]
    """By lower-case tenant id: every customer of the period being rendered."""
    portfolio: tuple[PortfolioMonth, ...]
    """One per ``Periods.months``."""

    def of(self, tenant_id: str) -> CustomerTrend | None:
        return self.customers.get(tenant_id.lower())


def shift_month(period: str, months: int) -> str:
    """``YYYY-MM`` moved by ``months`` calendar months (``shift_month("2026-01", -1) == "2025-12"``)."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> tuple[str, ...]:
    """Every calendar month from ``first`` to ``last``, both included (empty if ``first`` is later)."""
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = shift_month(month, 1)
    return tuple(months)


def trend_periods(current: str, archived: Iterable[str]) -> Periods:
    """The ``Periods`` of ``current``, given the archived periods (any order; those at or after ``current`` ignored).

    ``previous`` is the latest archived period before ``current``, however long ago;
    ``months`` start at the first archived month of the last ``TREND_MONTHS`` (or at
    ``current`` when none is archived) and end at ``current``.
    """
    earlier = sorted(p for p in set(archived) if p < current)
    window = shift_month(current, -(TREND_MONTHS - 1))
    first = next((p for p in earlier if p >= window), current)
    return Periods(current, earlier[-1] if earlier else None, month_range(first, current))


def month_figures(snapshot: Snapshot, period: str) -> MonthSummary:
    """What the trends keep of ``snapshot``, the snapshot of ``period``: each customer's figures, nothing else.

    A tenant listed twice keeps its first listing (as its own sheet and report do).
    """
    alerts = alerts_by_tenant(snapshot.alerts)
    customers: dict[str, MonthFigures] = {}
    for customer in snapshot.customers:
        key = customer.tenant_id.lower()
        if key in customers:
            continue
        posture = assess(customer, alerts.get(key, []))
        customers[key] = MonthFigures(posture.coverage, posture.compliant_admins, posture.policy, posture.level)
    return MonthSummary(period, customers)


def trends(periods: Periods, summaries: Iterable[MonthSummary], current_tenants: Iterable[str]) -> Trends:
    """Each customer of ``current_tenants`` and the portfolio, month by month over ``periods.months``.

    ``summaries`` are the archived months' (the current one's included); a month of
    ``periods.months`` without one is a gap, and so is a month a customer is not in.
    Summaries of months outside ``periods.months`` are ignored.
    """
    wanted = set(periods.months)
    by_period = {s.period: s for s in summaries if s.period in wanted}
    months = [by_period.get(month) for month in periods.months]
    customers = {}
    for tenant in current_tenants:
        key = tenant.lower()
        if key not in customers:
            customers[key] = CustomerTrend(tenant, tuple(s.customers.get(key) if s else None for s in months))
    portfolio = tuple(
        _portfolio_month(month, summary, months[i - 1] if i else None)
        for i, (month, summary) in enumerate(zip(periods.months, months, strict=True))
    )
    return Trends(periods, customers, portfolio)


def _portfolio_month(period: str, summary: MonthSummary | None, before: MonthSummary | None) -> PortfolioMonth:
    if summary is None:
        return PortfolioMonth(period, False, None, None, None, None, None, None)
    figures = summary.customers.values()
    coverages = [f.coverage for f in figures if f.coverage is not None]
    policies = dict.fromkeys(Policy, 0)
    for f in figures:
        policies[f.policy] += 1
    now = summary.customers.keys()
    return PortfolioMonth(
        period=period,
        archived=True,
        customers=len(summary.customers),
        median_coverage=statistics.median(coverages) if coverages else None,
        needing_attention=sum(1 for f in figures if f.level > Level.NO_DATA),
        by_policy=tuple(policies.items()),
        gained=len(now - before.customers.keys()) if before else None,
        lost=len(before.customers.keys() - now) if before else None,
    )
