"""`reporter run`: two months from the emulator, exit codes, idempotency, reproducible files, history.

The two-month run (``two_month_run``) is made once per session and shared, read-only,
with tests/test_verify.py and tests/test_evidence_pdf.py: October and November of one
emulated partner (same seed, the world evolving between the two), collected by the real
client over HTTPS and rendered by ``reporter run``. Expected changes are worked out here
from the two archived snapshots' raw JSON, not with the code under test.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from click.testing import CliRunner, Result

from reporter import snapshot as snapshot_io
from reporter._version import __version__
from reporter.archive import Archive
from reporter.atomic import replace_folder
from reporter.cli import cli
from reporter.collect.collector import collect
from reporter.demo import CollectionClock
from reporter.emulator import Emulator, EmulatorOptions, Faults
from reporter.errors import ConfigError, OutputError
from reporter.model import Snapshot
from reporter.monthly import read_past, run_period
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view.trends import Periods
from tests.collect_helpers import emulator_env, emulator_settings
from tests.conftest import EmulatorFactory

ROOT = Path(__file__).resolve().parent.parent
SEED = 3
CUSTOMERS = 12
# Two months that have begun (a run refuses a period in the future), a month apart.
FIRST_MONTH, SECOND_MONTH = "2026-10", "2026-11"
AS_OF = {FIRST_MONTH: datetime(2026, 10, 1, tzinfo=UTC), SECOND_MONTH: datetime(2026, 11, 1, tzinfo=UTC)}
THIS_MONTH = datetime.now(UTC).strftime("%Y-%m")
"""The only month `reporter run` collects: the tests of one collected period run it through the CLI."""
ARROW, MINUS = "\u2192", "\u2212"

Json = dict[str, Any]


# --- running reporter -------------------------------------------------------------------------


def reporter(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """``reporter ARGS`` in this process, as cron would run it (no terminal)."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def run_env(emulator: Emulator, folder: Path, **changes: str) -> dict[str, str]:
    """The environment ``reporter run`` needs to reach ``emulator`` (its CA file kept out of OUT)."""
    folder.mkdir(parents=True, exist_ok=True)
    return emulator_env(emulator, folder, **changes)


def run_args(out: Path, period: str, *extra: str) -> list[str | Path]:
    config = out.parent / "empty.toml"  # no ./reporter.toml of the working folder can leak in
    config.touch()
    return ["run", "--config", config, "--period", period, "--out", out, *extra]


def archived(archive: Path) -> dict[str, str]:
    """Period → SHA-256, read straight from the archive's SQLite index."""
    index = archive / "index.sqlite"
    if not index.exists():
        return {}
    with sqlite3.connect(index) as db:
        return dict(db.execute("SELECT period, sha256 FROM periods"))


def archived_json(archive: Path, digest: str) -> Json:
    """An archived snapshot as raw JSON, from its object file."""
    data = gzip.decompress((archive / "objects" / digest[:2] / f"{digest}.json.gz").read_bytes())
    result: Json = json.loads(data)
    return result


def leftovers(out: Path) -> list[str]:
    """Hidden staging or retired folders of the monthly run."""
    return sorted(p.name for p in out.glob(".*") if p.is_dir())


# --- the shared two-month run -------------------------------------------------------------------


def once_per_session(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Json]
) -> tuple[Path, Json]:
    """``make(folder)`` run once per test session, even with several xdist workers; its JSON result kept.

    The workers of one session share the parent of their temporary folders; a lock
    there lets the first worker make the files and the others read them.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder, state = root / name, root / f"{name}.json"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not state.exists():
            shutil.rmtree(folder, ignore_errors=True)  # from a worker that failed halfway
            folder.mkdir()
            state.write_text(json.dumps(make(folder)))
    result: Json = json.loads(state.read_text())
    return folder, result


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str


@dataclass(frozen=True)
class TwoMonths:
    out: Path
    archive: Path
    results: dict[str, Outcome]
    snapshots: dict[str, Json]
    """Period → the archived snapshot's raw JSON."""
    digests: dict[str, str]

    def folder(self, period: str) -> Path:
        return self.out / period


def _run_two_months(base: Path) -> Json:
    """Each month collected while it is the current one: the library's ``run_period`` told which month it is."""
    results = {}
    archive = Archive(base / "reports" / "archive")
    for period in (FIRST_MONTH, SECOND_MONTH):
        options = EmulatorOptions(customers=CUSTOMERS, seed=SEED, as_of=AS_OF[period])
        with Emulator(options) as emulator:
            settings = emulator_settings(emulator, base)
            clock = CollectionClock(AS_OF[period] + timedelta(hours=6))
            result = run_period(
                period,
                base / "reports",
                archive,
                lambda settings=settings, clock=clock: collect(settings, clock=clock),
                default_brand(),
                RenderOptions(workers=2),
                this_month=period,
            )
            since = f", changes since {result.previous_period}" if result.previous_period else ""
            results[period] = {"exit_code": result.exit_code, "output": f"{result.period}: {result.folder}{since}"}
    return results


def two_month_run(tmp_path_factory: pytest.TempPathFactory) -> TwoMonths:
    """October, then November, run once per session and shared read-only."""
    base, results = once_per_session(tmp_path_factory, "two-months", _run_two_months)
    out = base / "reports"
    digests = archived(out / "archive")
    snapshots = {period: archived_json(out / "archive", digest) for period, digest in digests.items()}
    outcomes = {period: Outcome(**result) for period, result in results.items()}
    return TwoMonths(out, out / "archive", outcomes, snapshots, digests)


@pytest.fixture(scope="session")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> TwoMonths:
    return two_month_run(tmp_path_factory)


# --- what changed, worked out from raw snapshot JSON ------------------------------------------------

POLICY_FIELDS = (
    ("Security defaults", "securityDefaultsStatus"),
    ("Conditional Access", "mfaConditionalAccessPolicyStatus"),
    ("Per-user MFA", "legacyPerUserMfaStatus"),
)
ON_OFF = {"enabled": "On", "disabled": "Off"}


def coverage_of(customer: Json) -> float | None:
    """Non-admins with MFA over users who are not MFA-registered admins, at most 1."""
    mfa = customer.get("mfa") or {}
    total, admins, others = (
        mfa.get("totalUsersCount"),
        mfa.get("compliantAdminsCount"),
        mfa.get("compliantNonAdminsCount"),
    )
    if total is None or others is None or total - (admins or 0) <= 0:
        return None
    return float(min(1.0, others / (total - (admins or 0))))


def strongest_policy(customer: Json) -> str:
    mfa = customer.get("mfa") or {}
    for label, key in (
        ("Conditional Access", "mfaConditionalAccessPolicyStatus"),
        ("Security defaults", "securityDefaultsStatus"),
        ("Per-user MFA only", "legacyPerUserMfaStatus"),
    ):
        if mfa.get(key) == "enabled":
            return label
    return "No MFA policy"


def whole(share: float) -> int:
    return math.floor(share * 100 + 0.5)


def coverage_text(before: float, after: float) -> str:
    """``93% → 75% (−18 pts)``, as a reader would write it from the two figures shown."""
    points = whole(after) - whole(before)
    sign = "±" if points == 0 else "+" if points > 0 else MINUS
    unit = "pt" if abs(points) == 1 else "pts"
    return f"{whole(before)}% {ARROW} {whole(after)}% ({sign}{abs(points)} {unit})"


@dataclass(frozen=True)
class Expected:
    tenant_id: str
    name: str | None
    """The display name, when the tenant has one."""
    coverage_before: float
    coverage_after: float
    policy_changes: tuple[str, ...]
    """``"Security defaults: On → Off"`` and the like."""

    @property
    def coverage_text(self) -> str:
        return coverage_text(self.coverage_before, self.coverage_after)


def by_tenant(snapshot: Json) -> dict[str, Json]:
    return {c["tenantId"].lower(): c for c in snapshot["customers"]}


def expected_changes(before: Json, after: Json) -> dict[str, Expected]:
    """Customers in both months whose coverage moved half a point or more, or whose MFA policy changed."""
    old, new = by_tenant(before), by_tenant(after)
    result = {}
    for tenant in sorted(old.keys() & new.keys()):
        a, b = old[tenant], new[tenant]
        cov_a, cov_b = coverage_of(a), coverage_of(b)
        if cov_a is None or cov_b is None:
            continue
        policies = []
        if strongest_policy(a) != strongest_policy(b):
            policies.append(f"MFA policy: {strongest_policy(a)} {ARROW} {strongest_policy(b)}")
        for label, key in POLICY_FIELDS:
            was, now = (ON_OFF.get((c.get("mfa") or {}).get(key), "Unknown") for c in (a, b))
            if was != now:
                policies.append(f"{label}: {was} {ARROW} {now}")
        if abs(cov_b - cov_a) >= 0.005 or policies:
            result[tenant] = Expected(b["tenantId"], b.get("displayName"), cov_a, cov_b, tuple(policies))
    return result


def pick(changes: dict[str, Expected]) -> tuple[Expected, Expected]:
    """A customer whose MFA policy changed, and one whose coverage alone moved (the world must have both)."""
    with_policy = [c for c in changes.values() if c.policy_changes]
    coverage_only = [c for c in changes.values() if not c.policy_changes]
    assert with_policy, "the emulated world changed no customer's MFA policy between the months"
    assert coverage_only, "the emulated world changed no customer's coverage alone between the months"
    return with_policy[0], coverage_only[0]


@pytest.fixture(scope="session")
def expected(two_months: TwoMonths) -> dict[str, Expected]:
    return expected_changes(two_months.snapshots[FIRST_MONTH], two_months.snapshots[SECOND_MONTH])


# --- reading the outputs ------------------------------------------------------------------------------


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """Every row of ``sheet``, as wide as the sheet (empty cells are ``None``)."""
    return [tuple(row) for row in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def customer_sheet_rows(path: Path, tenant_id: str) -> list[tuple[Any, ...]]:
    """The rows of the sheet whose ``Tenant id`` is ``tenant_id``."""
    for sheet in openpyxl.load_workbook(path).worksheets:
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        if any(row[:3] == ("Customer", "Tenant id", tenant_id) for row in rows):
            return rows
    raise AssertionError(f"no sheet for tenant {tenant_id}")


def pdf_words(path: Path) -> str:
    """The text of a PDF with runs of white space made one space (wrapped lines still match)."""
    text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def manifest_files(folder: Path) -> dict[str, Json]:
    return {entry["path"]: entry for entry in json.loads((folder / "manifest.json").read_bytes())["files"]}


def customer_pdf(folder: Path, tenant_id: str) -> Path:
    paths = [p for p, e in manifest_files(folder).items() if e.get("tenantId") == tenant_id and p.endswith(".pdf")]
    assert len(paths) == 1, paths
    return folder / paths[0]


# --- two months, month over month ---------------------------------------------------------------------


def test_both_months_complete_with_exit_0_and_one_archive_entry_each(two_months: TwoMonths) -> None:
    for period in (FIRST_MONTH, SECOND_MONTH):
        result = two_months.results[period]
        assert result.exit_code == 0, result.output
        assert f"{period}: " in result.output
        folder = two_months.folder(period)
        listed = manifest_files(folder)
        on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
        assert set(listed) == on_disk
        assert sum(1 for p in listed if p.startswith("customers/")) == CUSTOMERS
    assert f"changes since {FIRST_MONTH}" in two_months.results[SECOND_MONTH].output
    assert sorted(two_months.digests) == [FIRST_MONTH, SECOND_MONTH]
    for period, digest in two_months.digests.items():  # the folder's snapshot is the archived one, byte for byte
        data = (two_months.folder(period) / "snapshot.json").read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert json.loads(data) == two_months.snapshots[period]
    first, second = (
        json.loads((two_months.folder(p) / "manifest.json").read_bytes()) for p in (FIRST_MONTH, SECOND_MONTH)
    )
    assert (first["period"], first["snapshotSha256"]) == (FIRST_MONTH, two_months.digests[FIRST_MONTH])
    assert (second["period"], second["snapshotSha256"]) == (SECOND_MONTH, two_months.digests[SECOND_MONTH])
    assert "previousSnapshotSha256" not in first
    assert second["previousSnapshotSha256"] == two_months.digests[FIRST_MONTH]  # what the changes were counted from
    assert first["toolVersion"] == second["toolVersion"] == __version__
    assert leftovers(two_months.out) == []


def test_the_changes_sheet_lists_what_changed_between_the_archived_snapshots(
    two_months: TwoMonths, expected: dict[str, Expected]
) -> None:
    before, after = two_months.snapshots[FIRST_MONTH], two_months.snapshots[SECOND_MONTH]
    rows = sheet_rows(two_months.folder(SECOND_MONTH) / "workbook.xlsx", "Changes")
    assert rows[0][0] == f"Changes since {FIRST_MONTH}"
    header = rows.index(
        ("Change", "Name", "Tenant id", "Before", "After", "Coverage before", "Coverage after", "Details")
    )
    body = rows[header + 1 :]

    old, new = by_tenant(before), by_tenant(after)
    gained = {r[2].lower() for r in body if r[0] == "New customer"}
    lost = {r[2].lower() for r in body if r[0] == "Customer gone"}
    assert gained == new.keys() - old.keys()
    assert lost == old.keys() - new.keys()
    assert gained, "the emulated world gained no customer between the months"
    assert lost, "the emulated world lost no customer between the months"

    changed = {r[2].lower(): r for r in body if r[0] == "Customer changed"}
    assert expected.keys() <= changed.keys()
    for tenant, change in expected.items():
        row = changed[tenant]
        assert row[1] == change.name or change.name is None
        assert row[5] == pytest.approx(change.coverage_before)
        assert row[6] == pytest.approx(change.coverage_after)
        details = row[7].split("\n") if row[7] else []
        assert [d for d in details if not d.startswith(("New: ", "Resolved: "))] == list(change.policy_changes)
    pick(expected)  # both kinds of change were checked

    requirements_before = {r["requirementTypeName"]: r for r in before["requirements"]}
    moved = [
        r
        for r in after["requirements"]
        if (old_r := requirements_before.get(r["requirementTypeName"])) is not None
        and (old_r["score"] != r["score"] or old_r["complianceStatus"] != r["complianceStatus"])
    ]
    requirement_rows = [r for r in body if r[0] == "Requirement changed"]
    assert len(requirement_rows) == len(moved)
    assert sorted(r[7] for r in requirement_rows) == sorted(
        f"Score {requirements_before[r['requirementTypeName']]['score']:g} {ARROW} {r['score']:g}" for r in moved
    )


def test_the_summary_sheet_counts_the_changes(two_months: TwoMonths, expected: dict[str, Expected]) -> None:
    before, after = two_months.snapshots[FIRST_MONTH], two_months.snapshots[SECOND_MONTH]
    figures = dict(r[:2] for r in sheet_rows(two_months.folder(SECOND_MONTH) / "workbook.xlsx", "Summary") if r[0])
    old, new = by_tenant(before), by_tenant(after)
    assert figures["Compared with the period"] == FIRST_MONTH
    assert figures["Score change since that period"] == pytest.approx(
        float(after["score"]["currentScore"]) - float(before["score"]["currentScore"])
    )
    assert figures["New customers since that period"] == len(new.keys() - old.keys())
    assert figures["Customers gone since that period"] == len(old.keys() - new.keys())
    assert figures["Customers whose posture changed"] >= len(expected)
    first = dict(r[:2] for r in sheet_rows(two_months.folder(FIRST_MONTH) / "workbook.xlsx", "Summary") if r[0])
    assert "Compared with the period" not in first  # nothing archived before the first month


def test_each_customer_sheet_shows_its_own_change(two_months: TwoMonths, expected: dict[str, Expected]) -> None:
    workbook = two_months.folder(SECOND_MONTH) / "workbook.xlsx"
    since = f"Since {FIRST_MONTH}"
    for change in pick(expected):
        rows = customer_sheet_rows(workbook, change.tenant_id)
        own = {r[1]: r[2] for r in rows if r[0] == since}
        assert own["Share of non-admin users with MFA"] == change.coverage_text
        for line in change.policy_changes:
            what, _, values = line.partition(": ")
            assert own[what] == values
    old, new = by_tenant(two_months.snapshots[FIRST_MONTH]), by_tenant(two_months.snapshots[SECOND_MONTH])
    newcomer = sorted(new.keys() - old.keys())[0]
    rows = customer_sheet_rows(workbook, new[newcomer]["tenantId"])
    assert [r[1] for r in rows if r[0] == since] == ["New customer this period"]
    alerted = {
        str(a.get("customerTenantId", "")).lower()
        for snap in (two_months.snapshots[FIRST_MONTH], two_months.snapshots[SECOND_MONTH])
        for a in snap["alerts"]
    }  # a new alert is a change of its own
    unchanged = sorted(
        t for t in old.keys() & new.keys() if old[t] == new[t] and t not in expected and t not in alerted
    )
    for tenant in unchanged:
        rows = customer_sheet_rows(workbook, new[tenant]["tenantId"])
        assert "Share of non-admin users with MFA" not in [r[1] for r in rows if r[0] == since]


def test_the_summary_pdf_shows_the_changes(two_months: TwoMonths, expected: dict[str, Expected]) -> None:
    text = pdf_words(two_months.folder(SECOND_MONTH) / "summary.pdf")
    assert "Since October 2026" in text
    old, new = by_tenant(two_months.snapshots[FIRST_MONTH]), by_tenant(two_months.snapshots[SECOND_MONTH])
    for change in expected.values():
        assert change.name is None or change.name in text
        assert change.coverage_text in text
        for line in change.policy_changes:
            assert line in text
    for tenant in new.keys() - old.keys():
        assert new[tenant]["displayName"] in text
    for tenant in old.keys() - new.keys():
        assert old[tenant]["displayName"] in text
    assert two_months.digests[FIRST_MONTH] in text  # the archived snapshot compared with
    assert "Customers whose posture changed" not in pdf_words(two_months.folder(FIRST_MONTH) / "summary.pdf")


def test_each_customer_pdf_shows_only_its_own_changes(two_months: TwoMonths, expected: dict[str, Expected]) -> None:
    folder = two_months.folder(SECOND_MONTH)
    for change in expected.values():
        text = pdf_words(customer_pdf(folder, change.tenant_id))
        assert "Since October 2026" in text
        assert change.coverage_text in text
        for line in change.policy_changes:
            assert line in text
        for other in expected.values():
            if other.tenant_id != change.tenant_id:
                assert other.name is None or other.name not in text
                assert other.coverage_text == change.coverage_text or other.coverage_text not in text
    old, new = by_tenant(two_months.snapshots[FIRST_MONTH]), by_tenant(two_months.snapshots[SECOND_MONTH])
    for tenant in new.keys() - old.keys():
        assert "this is the first report for this tenant" in pdf_words(customer_pdf(folder, new[tenant]["tenantId"]))


def test_history_lists_the_archived_periods(two_months: TwoMonths) -> None:
    result = reporter("history", "--archive", two_months.archive)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[0] == "period"
    rows = [line.split() for line in lines[1:]]
    assert [row[0] for row in rows] == [FIRST_MONTH, SECOND_MONTH]
    for row in rows:
        assert row[-1] == two_months.digests[row[0]]
        assert int(row[-3]) == len(two_months.snapshots[row[0]]["customers"])


def test_history_of_an_empty_archive_says_so(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    result = reporter("history", "--archive", tmp_path / "archive")
    assert result.exit_code == 0
    assert "no archived snapshots yet" in result.output


# --- exit codes, failures, idempotency --------------------------------------------------------------


@pytest.mark.parametrize(
    "faults",
    [Faults(contracts_forbidden=True), Faults(alerts_failing=True)],
    ids=["contracts-forbidden", "alerts-failing"],
)
def test_a_data_gap_completes_with_exit_2(emulator_factory: EmulatorFactory, tmp_path: Path, faults: Faults) -> None:
    emulator = emulator_factory(customers=6, faults=faults)
    out = tmp_path / "reports"
    result = reporter(*run_args(out, THIS_MONTH, "--no-customer-reports"), env=run_env(emulator, tmp_path / "ca"))
    assert result.exit_code == 2, result.output
    assert "1 data gap(s)" in result.output
    assert (out / THIS_MONTH / "manifest.json").is_file()
    assert list(archived(out / "archive")) == [THIS_MONTH]
    again = reporter(*run_args(out, THIS_MONTH, "--no-customer-reports"), env=run_env(emulator, tmp_path / "ca"))
    assert again.exit_code == 2, again.output  # from the archive, the gap is still there


def test_a_failed_run_writes_nothing_of_the_period(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emulator = emulator_factory(customers=6)
    out = tmp_path / "reports"
    env = run_env(emulator, tmp_path / "ca", REPORTER_CLIENT_SECRET="not-the-secret")
    result = reporter(*run_args(out, THIS_MONTH), env=env)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("reporter: error: ")]
    assert len(errors) == 1
    assert "Traceback" not in result.output
    assert not (out / THIS_MONTH).exists()
    assert leftovers(out) == []
    assert archived(out / "archive") == {}


def test_running_a_period_again_reuses_its_snapshot_and_force_collects_again(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emulator = emulator_factory(customers=6)
    out = tmp_path / "reports"
    env = run_env(emulator, tmp_path / "ca")
    args = run_args(out, THIS_MONTH, "--no-customer-reports")

    first = reporter(*args, env=env)
    assert first.exit_code == 0, first.output
    assert "snapshot collected" in first.output
    served = emulator.stats.total_requests
    digest = archived(out / "archive")[THIS_MONTH]
    (out / THIS_MONTH / "stale.txt").write_text("a file of the user's, added later")

    refused = reporter(*args, env=env)  # the folder is no longer provably ours: it is not replaced
    assert refused.exit_code == 1, refused.output
    assert f"{out / THIS_MONTH} is not a folder reporter wrote (stale.txt is not listed" in refused.output
    assert (out / THIS_MONTH / "stale.txt").is_file()
    (out / THIS_MONTH / "stale.txt").unlink()

    again = reporter(*args, env=env)
    assert again.exit_code == 0, again.output
    assert "snapshot from the archive" in again.output
    assert emulator.stats.total_requests == served  # not one Graph or token request
    assert archived(out / "archive") == {THIS_MONTH: digest}
    assert json.loads((out / THIS_MONTH / "manifest.json").read_bytes())["snapshotSha256"] == digest

    forced = reporter(*args, "--force", env=env)
    assert forced.exit_code == 0, forced.output
    assert "snapshot collected" in forced.output
    assert emulator.stats.total_requests > served
    entries = archived(out / "archive")
    assert list(entries) == [THIS_MONTH]
    assert json.loads((out / THIS_MONTH / "manifest.json").read_bytes())["snapshotSha256"] == entries[THIS_MONTH]
    objects = list((out / "archive" / "objects").rglob("*.json.gz"))
    assert len(objects) == (1 if entries[THIS_MONTH] == digest else 2)  # every snapshot collected is kept
    assert leftovers(out) == []


HOLD_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "a") as handle:
    fcntl.lockf(handle, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_run_on_the_same_folder_fails_at_once(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    """A timer firing while a run is still going: the second run neither collects nor touches the first's files."""
    emulator = emulator_factory(customers=6)
    out = tmp_path / "reports"
    out.mkdir()
    lock = out / ".reporter-run.lock"
    with subprocess.Popen([sys.executable, "-c", HOLD_LOCK, lock], stdout=subprocess.PIPE) as running:
        try:
            assert running.stdout is not None
            assert running.stdout.readline() == b"locked\n"
            result = reporter(*run_args(out, THIS_MONTH), env=run_env(emulator, tmp_path / "ca"))
        finally:
            running.kill()
    assert result.exit_code == 1, result.output
    assert f"reporter: error: another reporter run is writing to {out}" in result.output
    assert emulator.stats.total_requests == 0
    assert sorted(p.name for p in out.iterdir()) == [lock.name]
    again = reporter(*run_args(out, THIS_MONTH, "--no-customer-reports"), env=run_env(emulator, tmp_path / "ca"))
    assert again.exit_code == 0, again.output  # the lock went with the process that held it


def test_a_damaged_archive_index_is_a_one_line_error(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emulator = emulator_factory(customers=6)
    out = tmp_path / "reports"
    (out / "archive").mkdir(parents=True)
    (out / "archive" / "index.sqlite").write_bytes(b"this is not a database, it was overwritten" * 100)
    for result in (
        reporter("history", "--archive", out / "archive"),
        reporter(*run_args(out, THIS_MONTH), env=run_env(emulator, tmp_path / "ca")),
    ):
        assert result.exit_code == 1, result.output
        assert result.output.startswith("reporter: error: the archive index "), result.output
        assert len(result.output.strip().splitlines()) == 1
    assert emulator.stats.total_requests == 0
    assert not (out / THIS_MONTH).exists()


def test_documents_killed_between_the_two_renames_are_brought_back(tmp_path: Path) -> None:
    """A run killed after moving the old documents aside, before moving the new ones in."""
    folder = tmp_path / FIRST_MONTH
    retired = tmp_path / f".{FIRST_MONTH}.old"
    retired.mkdir()
    (retired / "manifest.json").write_text("the last complete documents")
    (tmp_path / f".{FIRST_MONTH}.partial").mkdir()

    def fail(staging: Path) -> list[Any]:
        staging.mkdir(exist_ok=True)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_folder(folder, fail)
    assert (folder / "manifest.json").read_text() == "the last complete documents"
    assert leftovers(tmp_path) == []


# --- the previous period is the archive's, whenever the snapshots were collected ------------------


def _sample(name: str) -> Snapshot:
    return snapshot_io.loads((ROOT / "samples" / name / "snapshot.json").read_bytes())


def test_changes_are_counted_from_the_archived_period_not_the_collection_month(tmp_path: Path) -> None:
    """A catch-up run: September and October both collected in November."""
    snapshot = _sample("edge-zero-users")
    collected = datetime(2026, 11, 5, tzinfo=UTC)

    def at(when: datetime) -> Snapshot:
        return snapshot.model_copy(update={"provenance": snapshot.provenance.model_copy(update={"collected_at": when})})

    archive = Archive(tmp_path / "archive")
    options = RenderOptions(customer_reports=False)
    run_period("2026-09", tmp_path, archive, lambda: at(collected), default_brand(), options, this_month="2026-09")
    later = collected + timedelta(hours=1)
    result = run_period("2026-10", tmp_path, archive, lambda: at(later), default_brand(), options, this_month="2026-10")
    assert result.previous_period == "2026-09"
    assert sheet_rows(result.folder / "workbook.xlsx", "Changes")[0][0] == "Changes since 2026-09"


# --- reproducible files ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rendered_again(two_months: TwoMonths, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The second month rendered a second time from its archived snapshot, in one process (the run used a pool of two),
    into a folder of another name and depth."""
    archive = Archive(two_months.archive)
    current = archive.get(two_months.digests[SECOND_MONTH])
    past = read_past(archive, SECOND_MONTH, current)
    assert past.periods == Periods(SECOND_MONTH, FIRST_MONTH, (FIRST_MONTH, SECOND_MONTH))
    folder = tmp_path_factory.mktemp("render-again") / "a" / "deeper" / "folder"
    render_all(
        current,
        folder,
        default_brand(),
        RenderOptions(workers=1),
        periods=past.periods,
        previous=past.previous,
        trends=past.trends,
    )
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_renders_of_one_snapshot_are_byte_identical(two_months: TwoMonths, rendered_again: Path) -> None:
    """So restoring a past period from the archive gives back exactly the files that were handed out."""
    first, second = files_of(two_months.folder(SECOND_MONTH)), files_of(rendered_again)
    assert sorted(first) == sorted(second)
    assert {"summary.pdf", "workbook.xlsx", "manifest.json", "snapshot.json"} <= first.keys()
    assert sum(1 for name in first if name.startswith("customers/") and name.endswith(".pdf")) == CUSTOMERS
    assert sorted(name for name in first if first[name] != second[name]) == []


# --- collecting is only for the current month ------------------------------------------------------------


def _never() -> Snapshot:
    raise AssertionError("collected")


def test_a_past_period_not_in_the_archive_is_refused_not_collected(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    with pytest.raises(ConfigError) as caught:
        run_period("2024-03", tmp_path, archive, _never, default_brand(), this_month="2026-12")
    assert str(caught.value).startswith(
        f"2024-03 is not in the archive {tmp_path / 'archive'}; collecting is only for the current month (2026-12)"
    )
    assert not (tmp_path / "2024-03").exists()
    assert archive.entries() == []


def test_force_on_a_past_period_and_a_period_not_begun_are_refused(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    options = RenderOptions(customer_reports=False)
    run_period(
        "2026-09", tmp_path, archive, lambda: _sample("edge-zero-users"), default_brand(), options, this_month="2026-09"
    )
    digest = archived(tmp_path / "archive")["2026-09"]
    with pytest.raises(ConfigError, match="--force would file today's data as 2026-09"):
        run_period("2026-09", tmp_path, archive, _never, default_brand(), options, force=True, this_month="2026-12")
    with pytest.raises(ConfigError, match="period 2027-01 has not begun yet"):
        run_period("2027-01", tmp_path, archive, _never, default_brand(), options, this_month="2026-12")
    again = run_period("2026-09", tmp_path, archive, _never, default_brand(), options, this_month="2026-12")
    assert not again.collected  # a past period in the archive is rendered again from it
    assert archived(tmp_path / "archive") == {"2026-09": digest}


def test_run_refuses_a_past_period_before_signing_in(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emulator = emulator_factory(customers=6)
    out = tmp_path / "reports"
    result = reporter(*run_args(out, "2024-03"), env=run_env(emulator, tmp_path / "ca"))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("reporter: error: 2024-03 is not in the archive"), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert emulator.stats.total_requests == 0
    assert archived(out / "archive") == {}


def test_a_period_folder_that_is_not_ours_is_refused_before_collecting(tmp_path: Path) -> None:
    (tmp_path / "2026-12").mkdir()
    (tmp_path / "2026-12" / "manifest.json").write_text("{}")
    (tmp_path / "2026-12" / "board-minutes.docx").write_bytes(b"PK")
    with pytest.raises(OutputError, match="is not a folder reporter wrote"):
        run_period("2026-12", tmp_path, Archive(tmp_path / "archive"), _never, default_brand(), this_month="2026-12")
    assert sorted(p.name for p in (tmp_path / "2026-12").iterdir()) == ["board-minutes.docx", "manifest.json"]


def test_run_send_renders_then_emails_each_customer_its_report(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emulator = emulator_factory(customers=4)
    tenants = sorted(str(c["tenantId"]).lower() for c in emulator.world.customer_insights)
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "tenantId,name,to\n" + "".join(f"{t},,it@c{i}.example\n" for i, t in enumerate(tenants)), encoding="utf-8"
    )
    config = tmp_path / "reporter.toml"
    config.write_text(
        f'[collect]\ncustomers_file = "{customers}"\n'
        f'[send]\nsender = "{emulator.mailbox}"\npartner_to = ["security@partner.example"]\nrate_per_minute = 6000\n',
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    args = ["run", "--config", config, "--period", THIS_MONTH, "--out", out, "--send"]
    result = reporter(*args, env=run_env(emulator, tmp_path / "ca"))
    assert result.exit_code == 0, result.output
    delivered = [str(m["X-Reporter-Delivery"]) for m in emulator.mail.delivered()]
    assert sorted(delivered) == sorted([*tenants, "partner"])
    assert (out / "deliveries.sqlite").is_file()  # beside the period folders, not in them
    again = reporter(*args, env=run_env(emulator, tmp_path / "ca"))  # the period from the archive: nothing twice
    assert again.exit_code == 0, again.output
    assert "already sent: 5" in again.output
    assert len(emulator.mail.delivered()) == len(delivered)
