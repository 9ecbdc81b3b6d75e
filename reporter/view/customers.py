"""Customers as rows, and what the partner's customer base looks like in aggregate."""

from __future__ import annotations

import hashlib
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from reporter.model import Alert, Customer, Snapshot
from reporter.view import wording
from reporter.view.fmt import format_percent
from reporter.view.posture import Level, Policy, Posture, assess


@dataclass(frozen=True, slots=True)
class CustomerRow:
    customer: Customer
    posture: Posture
    slug: str
    """File-name stem of this customer's own documents, unique ignoring case: ``<name-slug>-<tenant id prefix>``
    (or the whole id, then ``-2``… where crafted names or ids would still clash; see ``customer_slugs``)."""

    @property
    def name(self) -> str:
        return self.customer.label

    @property
    def coverage_text(self) -> str:
        return format_percent(self.posture.coverage)

    @property
    def domain(self) -> str:
        """The tenant's default domain, or empty."""
        return self.customer.default_domain_name or ""

    @property
    def level(self) -> Level:
        return self.posture.level

    @property
    def policy_label(self) -> str:
        return wording.policy_label(self.posture.policy)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(wording.finding_reason(f) for f in self.posture.findings)


@dataclass(frozen=True, slots=True)
class Bucket:
    low: int
    """The band's lowest whole percent."""
    high: int
    """The band's highest whole percent (equal to ``low`` for a one-value band such as 100%)."""
    count: int

    @property
    def label(self) -> str:
        """``"25–49%"`` (``"25–49 %"`` in French), in the active language."""
        return wording.percent_band(self.low, self.high)


@dataclass(frozen=True, slots=True)
class BaseStats:
    """The customer base in aggregate: nothing here names a customer."""

    customers: int
    with_data: int
    median_coverage: float | None
    coverage_buckets: tuple[Bucket, ...]
    policy_mix: tuple[tuple[Policy, int], ...]
    levels: tuple[tuple[Level, int], ...]
    sorted_coverages: tuple[float, ...]

    @property
    def with_policy(self) -> int:
        return sum(n for p, n in self.policy_mix if p in (Policy.CONDITIONAL_ACCESS, Policy.SECURITY_DEFAULTS))


_BUCKETS = ((0.0, 0.25, 0, 24), (0.25, 0.5, 25, 49), (0.5, 0.75, 50, 74), (0.75, 0.9, 75, 89))


def bucket_index(coverage: float | None) -> int | None:
    """Which of ``BaseStats.coverage_buckets`` a coverage falls in (``None``: no coverage)."""
    if coverage is None:
        return None
    for index, (lo, hi, _low, _high) in enumerate(_BUCKETS):
        if lo <= coverage < hi:
            return index
    return len(_BUCKETS) if coverage < 1.0 else len(_BUCKETS) + 1


_UNSAFE = re.compile(r"[^a-z0-9]+")
_TENANT_PREFIX = 8
_TENANT_LIMIT = 64


def _safe(text: str) -> str:
    """``text`` as lower-case ASCII letters, digits and single hyphens, none at either end."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", ascii_text.lower()).strip("-")


def _tenant_part(tenant_id: str, *, full_id: bool) -> str:
    """The tenant id as a file name can carry it: a GUID as it is, anything else made harmless.

    An id that is not already safe (or is longer than a GUID needs) keeps what is
    safe of it plus a hash of the whole id, so two such ids never share a part.
    """
    safe = _safe(tenant_id)
    if not full_id:
        return safe[:_TENANT_PREFIX].strip("-") or _digest(tenant_id)
    if safe == tenant_id.lower() and len(safe) <= _TENANT_LIMIT:
        return safe
    kept = safe[: _TENANT_LIMIT - 13].strip("-")
    return f"{kept}-{_digest(tenant_id)}" if kept else _digest(tenant_id)


def _digest(tenant_id: str) -> str:
    return hashlib.sha256(tenant_id.lower().encode("utf-8", "surrogatepass")).hexdigest()[:12]


def slug(customer: Customer, *, full_id: bool = False) -> str:
    """A file-name stem of only ``[a-z0-9-]``: ``<name-slug>-<tenant id prefix>`` (or the whole id).

    Whatever the tenant id or name holds (``/``, ``..``, NUL, any script), the
    stem cannot leave the folder it is written in.
    """
    stem = _safe(customer.display_name or "")[:40].strip("-") or "customer"
    return f"{stem}-{_tenant_part(customer.tenant_id, full_id=full_id)}"


def customer_slugs(customers: Sequence[Customer]) -> list[str]:
    """The file-name stem of each customer, in the order given: distinct ignoring case, by construction.

    A customer keeps ``<name-slug>-<tenant id prefix>`` when no other customer
    wants it; customers sharing one carry their whole tenant id instead. Crafted
    names and ids can still spell another customer's stem (``a`` of ``b-c`` and
    ``a-b`` of ``c``, ids that differ only in case, a repeated id), so the final
    set is checked: a stem wanted twice goes to the first in tenant-id order and
    the others get ``-2``, ``-3``… (skipping any stem another customer holds).
    Neither rule depends on the order of the snapshot, only on its content.
    """
    preferred = [slug(c) for c in customers]
    repeated = {k for k, n in Counter(s.casefold() for s in preferred).items() if n > 1}
    wanted = [
        slug(c, full_id=True) if p.casefold() in repeated else p for c, p in zip(customers, preferred, strict=True)
    ]
    counts = Counter(w.casefold() for w in wanted)
    taken = {w.casefold() for w in wanted}
    stems = list(wanted)
    order = sorted(
        range(len(customers)),
        key=lambda i: (wanted[i], customers[i].tenant_id.lower(), customers[i].tenant_id, i),
    )
    seen: set[str] = set()
    for index in order:
        stem = wanted[index]
        if counts[stem.casefold()] == 1:
            continue
        if stem.casefold() not in seen:  # the first of those who want it keeps it
            seen.add(stem.casefold())
            continue
        number = 2
        while f"{stem}-{number}".casefold() in taken:
            number += 1
        stems[index] = f"{stem}-{number}"
        taken.add(stems[index].casefold())
    return stems


def alerts_by_tenant(alerts: Sequence[Alert]) -> dict[str, list[Alert]]:
    grouped: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        if alert.customer_tenant_id:
            grouped[alert.customer_tenant_id.lower()].append(alert)
    return grouped


def customer_rows(snapshot: Snapshot) -> tuple[CustomerRow, ...]:
    """Every customer with its posture, most urgent first, then by name."""
    grouped = alerts_by_tenant(snapshot.alerts)
    slugs = customer_slugs(snapshot.customers)
    rows = [
        CustomerRow(c, assess(c, grouped.get(c.tenant_id.lower(), [])), stem)
        for c, stem in zip(snapshot.customers, slugs, strict=True)
    ]
    rows.sort(key=lambda r: (-r.posture.level, _sort_coverage(r), r.name.casefold(), r.customer.tenant_id))
    return tuple(rows)


def _sort_coverage(row: CustomerRow) -> float:
    return row.posture.coverage if row.posture.coverage is not None else 2.0


def base_stats(rows: Sequence[CustomerRow]) -> BaseStats:
    coverages = sorted(r.posture.coverage for r in rows if r.posture.coverage is not None)
    buckets = [Bucket(low, high, sum(1 for c in coverages if lo <= c < hi)) for lo, hi, low, high in _BUCKETS]
    buckets.append(Bucket(90, 99, sum(1 for c in coverages if 0.9 <= c < 1.0)))
    buckets.append(Bucket(100, 100, sum(1 for c in coverages if c >= 1.0)))
    policies = Counter(r.posture.policy for r in rows)
    levels = Counter(r.posture.level for r in rows)
    return BaseStats(
        customers=len(rows),
        with_data=sum(1 for r in rows if r.posture.has_data),
        median_coverage=statistics.median(coverages) if coverages else None,
        coverage_buckets=tuple(buckets),
        policy_mix=tuple((p, policies.get(p, 0)) for p in Policy),
        levels=tuple((lv, levels.get(lv, 0)) for lv in sorted(Level, reverse=True)),
        sorted_coverages=tuple(coverages),
    )
