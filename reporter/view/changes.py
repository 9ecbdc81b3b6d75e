"""What changed since the previous period: per customer and per requirement.

Graph keeps no per-customer history, so these changes exist only because the
previous period's snapshot was archived. Pure: two snapshots in, changes out.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporter.model import ComplianceStatus, PolicyStatus, RequirementType, Snapshot
from reporter.view import fmt, wording
from reporter.view.customers import CustomerRow, customer_rows
from reporter.view.posture import Finding, Level, Policy


@dataclass(frozen=True, slots=True)
class PolicyMove:
    """One policy of a customer that changed: ``subject`` is an id ``wording.policy_subject`` names."""

    subject: str
    before: Policy | PolicyStatus
    after: Policy | PolicyStatus

    @property
    def texts(self) -> tuple[str, str, str]:
        """(what, before, after) as documents print them, e.g. ("Security defaults", "Off", "On")."""
        return (wording.policy_subject(self.subject), _policy_text(self.before), _policy_text(self.after))


def _policy_text(value: Policy | PolicyStatus) -> str:
    return wording.policy_label(value) if isinstance(value, Policy) else wording.policy_status(value)


@dataclass(frozen=True, slots=True)
class CustomerChange:
    tenant_id: str
    name: str
    coverage_before: float | None
    coverage_after: float | None
    level_before: Level
    level_after: Level
    policy_moves: tuple[PolicyMove, ...]
    new_findings: tuple[Finding, ...]
    """This period's findings of a kind the previous period did not have."""
    resolved_findings: tuple[Finding, ...]
    """The previous period's findings of a kind this period no longer has."""

    @property
    def policy_changes(self) -> tuple[tuple[str, str, str], ...]:
        """(what, before, after), e.g. ("Security defaults", "Off", "On")."""
        return tuple(m.texts for m in self.policy_moves)

    @property
    def new_items(self) -> tuple[str, ...]:
        return tuple(wording.finding_reason(f) for f in self.new_findings)

    @property
    def resolved_items(self) -> tuple[str, ...]:
        return tuple(wording.finding_reason(f) for f in self.resolved_findings)

    @property
    def detail_lines(self) -> tuple[str, ...]:
        """Every policy change, new finding and resolved finding as one finished line each."""
        return (
            *(wording.policy_move(*texts) for texts in self.policy_changes),
            *(wording.new_item(reason) for reason in self.new_items),
            *(wording.resolved_item(reason) for reason in self.resolved_items),
        )

    @property
    def coverage_delta(self) -> float | None:
        if self.coverage_before is None or self.coverage_after is None:
            return None
        return self.coverage_after - self.coverage_before

    @property
    def coverage_change_text(self) -> str:
        """``"62% → 71% (+9 pts)"``, or the one known side."""
        return wording.coverage_change(self.coverage_before, self.coverage_after)

    @property
    def changed(self) -> bool:
        delta = self.coverage_delta
        moved = delta is not None and abs(delta) >= 0.005
        known_now = (self.coverage_before is None) != (self.coverage_after is None)
        return bool(
            moved
            or known_now
            or self.policy_moves
            or self.new_findings
            or self.resolved_findings
            or self.level_before != self.level_after
        )


@dataclass(frozen=True, slots=True)
class RequirementChange:
    key: str
    kind: RequirementType
    compliance_before: ComplianceStatus | None
    """``None``: the requirement was not there."""
    compliance_after: ComplianceStatus | None
    score_before: int | None
    score_after: int | None

    @property
    def title(self) -> str:
        return wording.requirement_title(self.kind) or self.key

    @property
    def status_before(self) -> str | None:
        return wording.compliance(self.compliance_before) if self.compliance_before else None

    @property
    def status_after(self) -> str | None:
        return wording.compliance(self.compliance_after) if self.compliance_after else None

    @property
    def score_delta(self) -> int | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before

    @property
    def status_changed(self) -> bool:
        return self.compliance_before != self.compliance_after


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
    moves = (
        PolicyMove("mfa-policy", b.policy, a.policy),
        PolicyMove("security-defaults", b.security_defaults, a.security_defaults),
        PolicyMove("conditional-access", b.conditional_access, a.conditional_access),
        PolicyMove("per-user-mfa", b.per_user_mfa, a.per_user_mfa),
    )
    keys_before = {f.key: f for f in b.findings}
    keys_after = {f.key: f for f in a.findings}
    return CustomerChange(
        tenant_id=after.customer.tenant_id,
        name=after.name,
        coverage_before=b.coverage,
        coverage_after=a.coverage,
        level_before=b.level,
        level_after=a.level,
        policy_moves=tuple(m for m in moves if m.before != m.after),
        new_findings=tuple(f for key, f in keys_after.items() if key not in keys_before),
        resolved_findings=tuple(f for key, f in keys_before.items() if key not in keys_after),
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
            kind=title_source.requirement_type,
            compliance_before=b.compliance_status if b else None,
            compliance_after=a.compliance_status if a else None,
            score_before=b.score if b else None,
            score_after=a.score if a else None,
        )
        if change.status_changed or change.score_before != change.score_after:
            result.append(change)
    return tuple(result)
