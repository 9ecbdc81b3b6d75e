"""Benchmark: the partner workbook for a large customer base.

In ``make bench`` (``python -m bench --only workbook``) each repetition is a fresh child
process that loads the snapshot, builds the view-model and writes ``workbook.xlsx``, as
``reporter render`` does for the workbook; its peak RSS is that process's own
(``ru_maxrss``), so nothing else the benchmarks did counts. Target: 5,000 customers in at
most 15 s with a peak RSS of at most 400 MiB.

On its own, with the time of each step:

    python -m bench.workbook [--customers 5000] [--out DIR] [--synthetic]

The snapshot comes from the emulator's world generator (``--synthetic``: a simpler
generator built on the model alone) and is written to a file by a separate process.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._core import Benchmark, Row, Settings, job, log
from bench._data import snapshot_file, world_snapshot
from reporter import snapshot as snapshot_io
from reporter.model import (
    AdminsMfaDetails,
    Alert,
    AlertSeverity,
    AlertStatus,
    ComplianceStatus,
    Customer,
    CustomersMfaDetails,
    HistoryPoint,
    MfaInsight,
    PartnerScore,
    PolicyStatus,
    Provenance,
    Requirement,
    RequirementState,
    RequirementType,
    ResponseTimeDetails,
    SecurityContactDetails,
    Snapshot,
)
from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.view import Brand, build_context

COLLECTED = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
_WORDS = ("Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove", "Litware", "Adatum", "Proseware", "Wingtip")
_KINDS = ("Ltd", "GmbH", "Traders", "Health", "Logistics", "Bakery", "Legal LLP", "Dental Practice", "Études SARL")


def synthetic_snapshot(customers: int, seed: int = 7) -> Snapshot:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    statuses = (PolicyStatus.ENABLED, PolicyStatus.DISABLED, PolicyStatus.DISABLED, PolicyStatus.UNKNOWN)
    people = []
    for i in range(customers):
        tenant = f"{rng.getrandbits(32):08x}-{i:04x}-4000-8000-{rng.getrandbits(48):012x}"
        name = f"{rng.choice(_WORDS)} {rng.choice(_KINDS)} {i}" if i % 50 else f"=cmd|' /C calc'!A{i}"
        users = rng.randint(0, 3000)
        admins = rng.randint(0, 5)
        mfa = (
            None
            if i % 97 == 0
            else MfaInsight(
                compliant_admins_count=admins,
                compliant_non_admins_count=rng.randint(0, max(0, users - admins)),
                total_users_count=users,
                security_defaults_status=rng.choice(statuses),
                mfa_conditional_access_policy_status=rng.choice(statuses),
                legacy_per_user_mfa_status=rng.choice(statuses),
            )
        )
        domain = f"{name.split()[0].lower().strip('=')}{i}.onmicrosoft.com"
        people.append(Customer(tenant_id=tenant, display_name=name, default_domain_name=domain, mfa=mfa))
    alerts = tuple(
        Alert(
            id=f"alert-{n}",
            display_name="Unusual sign-in activity" if n % 3 else "Possible crypto-mining in Azure",
            description="A long description of what was observed. " * 5,
            alert_type="unusualActivity",
            severity=rng.choice(list(AlertSeverity)[:4]),
            status=rng.choice((AlertStatus.ACTIVE, AlertStatus.RESOLVED, AlertStatus.INVESTIGATING)),
            customer_tenant_id=rng.choice(people).tenant_id,
            detected_date_time=COLLECTED - timedelta(hours=rng.randint(1, 2000)),
            is_test=n % 41 == 0,
        )
        for n in range(customers // 2)
    )
    history = tuple(
        HistoryPoint(id=f"h{m}", created_date_time=COLLECTED - timedelta(days=30 * m), score=float(40 + m % 50))
        for m in range(24, 0, -2)
    )
    requirements = (
        Requirement(
            id="mfaEnforcedForAdmins",
            requirement_type=RequirementType.MFA_ENFORCED_FOR_ADMINS,
            requirement_type_name="mfaEnforcedForAdmins",
            compliance_status=ComplianceStatus.COMPLIANT,
            score=30,
            max_score=30,
            state=RequirementState.ACTIVE,
            action_url="https://partner.microsoft.com/dashboard/v2/security",
            details=AdminsMfaDetails(total_admins_count=5, mfa_enabled_admins_count=5),
        ),
        Requirement(
            id="customers",
            requirement_type=RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS,
            requirement_type_name="mfaEnforcedForAdminsOfCustomers",
            compliance_status=ComplianceStatus.NONCOMPLIANT,
            score=5,
            max_score=20,
            state=RequirementState.ACTIVE,
            details=CustomersMfaDetails(compliant_tenant_count=customers // 3, total_tenant_count=customers),
        ),
        Requirement(
            id="response",
            requirement_type=RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED,
            requirement_type_name="securityAlertsPromptlyResolved",
            compliance_status=ComplianceStatus.NONCOMPLIANT,
            score=0,
            max_score=20,
            state=RequirementState.ACTIVE,
            details=ResponseTimeDetails(average_response_time_in_hours=31.5),
        ),
        Requirement(
            id="contact",
            requirement_type=RequirementType.SECURITY_CONTACT_PROVIDED,
            requirement_type_name="securityContactProvided",
            compliance_status=ComplianceStatus.COMPLIANT,
            score=10,
            max_score=10,
            state=RequirementState.ACTIVE,
            details=SecurityContactDetails(),
        ),
    )
    return Snapshot(
        provenance=Provenance(
            collected_at=COLLECTED, api_base="https://graph.microsoft.com", api_version="beta", tool_version="0.1.0"
        ),
        score=PartnerScore(current_score=61.0, max_score=100.0, updated_date_time=COLLECTED - timedelta(days=3)),
        requirements=requirements,
        history=history,
        customers=tuple(people),
        alerts=alerts,
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_snapshot(path: Path, customers: int, synthetic: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        snap = synthetic_snapshot(customers) if synthetic else world_snapshot(customers, Path(tmp))
    path.write_bytes(snapshot_io.dumps(snap))


def rows(settings: Settings) -> list[Row]:
    count = settings.size(5000, 24)
    return [
        Row("workbook", f"Workbook, {count:,} customers", "s", "limit", 15.0),
        Row("workbook.rss", f"Workbook, {count:,} customers: peak RSS", "MiB", "limit", 400.0),
    ]


def run(settings: Settings, table_rows: list[Row]) -> None:
    wall, rss = table_rows
    snapshot = snapshot_file(settings, settings.size(5000, 24))
    for _ in range(settings.repeats(3)):
        measured = job("bench.workbook:workbook", {"snapshot": str(snapshot)}, settings.scratch)
        result = measured.result
        wall.add(result["seconds"], **result)
        rss.add(measured.peak_child_mib)
        log(f"{wall.name}: {result['seconds']:.2f} s, peak RSS {measured.peak_child_mib:.0f} MiB")


def workbook(snapshot: str) -> dict[str, float]:
    """In a child process: load, build the view-model, write the workbook; seconds of each."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        loaded = snapshot_io.load(Path(snapshot))
        read = time.perf_counter()
        context = build_context(loaded, Brand(name="Benchmark Partner Ltd"))
        built = time.perf_counter()
        xlsx.render(context, Path(tmp), RenderOptions())
        written = time.perf_counter()
    return {"seconds": written - started, "load": read - started, "view_model": built - read, "write": written - built}


BENCHMARKS = [Benchmark("workbook", rows, run)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=None, help="folder for workbook.xlsx (default: a temporary one)")
    parser.add_argument("--synthetic", action="store_true", help="generate customers without the emulator")
    parser.add_argument("--write-snapshot", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_snapshot:
        write_snapshot(args.write_snapshot, args.customers, args.synthetic)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "snapshot.json"
        command = [sys.executable, "-m", "bench.workbook", "--customers", str(args.customers)]
        command += ["--write-snapshot", str(source)] + (["--synthetic"] if args.synthetic else [])
        subprocess.run(command, check=True)
        started = time.perf_counter()
        snapshot = snapshot_io.load(source)
        loaded = time.perf_counter()
        context = build_context(snapshot, Brand(name="Benchmark Partner Ltd"))
        built = time.perf_counter()
        out = args.out or Path(tmp) / "out"
        artifacts = xlsx.render(context, out, RenderOptions())
        written = time.perf_counter()
        size = (out / artifacts[0].path).stat().st_size
    print(f"customers:        {len(snapshot.customers)} ({len(snapshot.alerts)} alerts)")
    print(f"snapshot loaded:  {loaded - started:6.2f} s")
    print(f"view-model built: {built - loaded:6.2f} s")
    print(f"workbook written: {written - built:6.2f} s ({size / 2**20:.1f} MiB, {len(context.rows) + 6} sheets)")
    print(f"total:            {written - started:6.2f} s")
    print(f"peak RSS:         {peak_rss_mib():6.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
