"""What changed since the previous period: per customer and per requirement.

Graph keeps no per-customer history, so these changes exist only because the
previous period's snapshot was archived. Pure: two snapshots in, changes out.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporter.model import Snapshot
from reporter.view import fmt
from reporter.view.customers import CustomerRow, customer_rows
from reporter.view.posture import Level, format_percent, whole_percent
from reporter.view.requirements import TITLES


@dataclass(frozen=True, slots=True)
class CustomerChange:
    tenant_id: str
    name: str
    coverage_before: float | None
    coverage_after: float | None
    level_before: Level
    level_after: Level
    policy_changes: tuple[tuple[str, str, str], ...]
    """(what, before, after), e.g. ("Security defaults", "Off", "On")."""
    new_items: tuple[str, ...]
    resolved_items: tuple[str, ...]

    @property
    def coverage_delta(self) -> float | None:
        if self.coverage_before is None or self.coverage_after is None:
            return None
        return self.coverage_after - self.coverage_before

    @property
    def coverage_change_text(self) -> str:
        """``"62% → 71% (+9 pts)"``, or the one known side."""
        before, after = self.coverage_before, self.coverage_after
        if before is None or after is None:
            return f"{format_percent(before)} → {format_percent(after)}"
        points = whole_percent(after) - whole_percent(before)  # adds up with the figures shown
        sign = "±" if points == 0 else "+" if points > 0 else "−"
        unit = "pt" if abs(points) == 1 else "pts"
        return f"{format_percent(before)} → {format_percent(after)} ({sign}{abs(points)} {unit})"

    @property
    def changed(self) -> bool:
        delta = self.coverage_delta
        moved = delta is not None and abs(delta) >= 0.005
        known_now = (self.coverage_before is None) != (self.coverage_after is None)
        return bool(
            moved
            or known_now
            or self.policy_changes
            or self.new_items
            or self.resolved_items
            or self.level_before != self.level_after
        )


@dataclass(frozen=True, slots=True)
class RequirementChange:
    key: str
    title: str
    status_before: str | None
    status_after: str | None
    score_before: int | None
    score_after: int | None

    @property
    def score_delta(self) -> int | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before

    @property
    def status_changed(self) -> bool:
        return self.status_before != self.status_after


@dataclass(frozen=True, slots=True)
class Changes:
    previous_period: str
    previous_sha256: str
    score_before: float | None
    score_after: float | None
    customers_gained: tuple[tuple[str, str], ...]
    """(tenant id, name) of customers new this period."""
    customers_lost: tuple[tuple[str, str], ...]
    customers: tuple[CustomerChange, ...]
    """Customers present in both periods whose posture changed."""
    requirements: tuple[RequirementChange, ...]
    """Requirements whose status or score changed, or that appeared or went."""

    @property
    def score_delta(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before

    @property
    def score_delta_text(self) -> str:
        return fmt.signed(self.score_delta)

    def for_customer(self, tenant_id: str) -> CustomerChange | None:
        key = tenant_id.lower()
        return next((c for c in self.customers if c.tenant_id.lower() == key), None)

    def is_new_customer(self, tenant_id: str) -> bool:
        key = tenant_id.lower()
        return any(t.lower() == key for t, _ in self.customers_gained)


def compare(
    previous: Snapshot,
    current: Snapshot,
    *,
    previous_sha256: str,
    previous_period: str | None = None,
    previous_rows: tuple[CustomerRow, ...] | None = None,
    current_rows: tuple[CustomerRow, ...] | None = None,
) -> Changes:
    before = {r.customer.tenant_id.lower(): r for r in previous_rows or customer_rows(previous)}
    after = {r.customer.tenant_id.lower(): r for r in current_rows or customer_rows(current)}
    gained = tuple(sorted(((r.customer.tenant_id, r.name) for t, r in after.items() if t not in before), key=_by_name))
    lost = tuple(sorted(((r.customer.tenant_id, r.name) for t, r in before.items() if t not in after), key=_by_name))
    changes = [_customer_change(before[t], after[t]) for t in after if t in before]
    changed = sorted((c for c in changes if c.changed), key=lambda c: (-c.level_after, c.name.casefold(), c.tenant_id))
    return Changes(
        previous_period=previous_period or previous.provenance.collected_at.strftime("%Y-%m"),
        previous_sha256=previous_sha256,
        score_before=previous.score.current_score,
        score_after=current.score.current_score,
        customers_gained=gained,
        customers_lost=lost,
        customers=tuple(changed),
        requirements=_requirement_changes(previous, current),
    )


def _by_name(item: tuple[str, str]) -> tuple[str, str]:
    return (item[1].casefold(), item[0])


def _customer_change(before: CustomerRow, after: CustomerRow) -> CustomerChange:
    b, a = before.posture, after.posture
    policies = (
        ("MFA policy", b.policy.label, a.policy.label),
        ("Security defaults", fmt.policy_status(b.security_defaults), fmt.policy_status(a.security_defaults)),
        ("Conditional Access", fmt.policy_status(b.conditional_access), fmt.policy_status(a.conditional_access)),
        ("Per-user MFA", fmt.policy_status(b.per_user_mfa), fmt.policy_status(a.per_user_mfa)),
    )
    keys_before = {f.key: f.reason for f in b.findings}
    keys_after = {f.key: f.reason for f in a.findings}
    return CustomerChange(
        tenant_id=after.customer.tenant_id,
        name=after.name,
        coverage_before=b.coverage,
        coverage_after=a.coverage,
        level_before=b.level,
        level_after=a.level,
        policy_changes=tuple(p for p in policies if p[1] != p[2]),
        new_items=tuple(reason for key, reason in keys_after.items() if key not in keys_before),
        resolved_items=tuple(reason for key, reason in keys_before.items() if key not in keys_after),
    )


def _requirement_changes(previous: Snapshot, current: Snapshot) -> tuple[RequirementChange, ...]:
    before = {r.requirement_type_name: r for r in previous.requirements}
    after = {r.requirement_type_name: r for r in current.requirements}
    result = []
    for key in [*after, *(k for k in before if k not in after)]:
        b, a = before.get(key), after.get(key)
        title_source = a or b
        assert title_source is not None
        change = RequirementChange(
            key=key,
            title=TITLES.get(title_source.requirement_type, key),
            status_before=fmt.compliance(b.compliance_status) if b else None,
            status_after=fmt.compliance(a.compliance_status) if a else None,
            score_before=b.score if b else None,
            score_after=a.score if a else None,
        )
        if change.status_changed or change.score_before != change.score_after:
            result.append(change)
    return tuple(result)
