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

from collections.abc import Mapping
from dataclasses import dataclass, field

from reporter.view.posture import Level, Policy

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
