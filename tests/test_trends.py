"""Trends from the archive, end to end: several months of the emulator's timeline archived, the last one rendered.

The months are the emulator's worlds of one partner (the same seed, a month apart:
customers join and leave, coverage ramps up or falls, policies switch), turned into
snapshots as a collection parses Graph's answers, archived by period with one month
left out (a gap), and the latest rendered by the monthly run. What the customer PDFs
and the summary show is checked against the archived snapshots' raw JSON, worked out
here without the code under test (except the attention level, see ``levels``).
"""

from __future__ import annotations

import shutil
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from reporter._version import __version__
from reporter.archive import Archive
from reporter.collect.parse import GraphPayloads, build_snapshot
from reporter.emulator.options import Quirks
from reporter.emulator.quirks import apply_quirks
from reporter.emulator.wire import PUBLIC_GRAPH_URL
from reporter.emulator.world import build_world
from reporter.model import Provenance, Snapshot
from reporter.monthly import run_period
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.view.customers import customer_rows
from reporter.view.posture import Level
from tests.test_run import Json, archived, archived_json, coverage_of, files_of, once_per_session, whole

SEED, CUSTOMERS = 1, 10
MONTHS = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
NOT_ARCHIVED = "2026-07"
CURRENT = MONTHS[-1]
SHORT = {"05": "May", "06": "Jun", "07": "Jul", "08": "Aug", "09": "Sep", "10": "Oct", "11": "Nov", "12": "Dec"}
LONG = {"05": "May", "06": "June", "07": "July", "08": "August", "09": "September", "10": "October"}
DASH = "–"


def world_snapshot(period: str, seed: int = SEED, customers: int = CUSTOMERS) -> Snapshot:
    """The emulator's world of ``period`` (its first day), parsed as a collection on that day would parse it."""
    as_of = datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)
    world = apply_quirks(build_world(seed, customers, as_of), Quirks())
    payloads = GraphPayloads(
        score=world.score,
        requirements=world.requirements,
        history=world.history,
        customer_insights=world.customer_insights,
        alerts=world.alerts,
        contracts=world.contracts,
    )
    provenance = Provenance(
        collected_at=as_of + timedelta(hours=6),
        api_base=PUBLIC_GRAPH_URL,
        api_version="beta",
        tool_version=__version__,
        partner_tenant_id=world.partner_tenant_id,
        requests=(),
        data_gaps=(),
    )
    return build_snapshot(payloads, provenance)


def _archive_and_render(base: Path) -> Json:
    archive = Archive(base / "archive")
    for month in MONTHS[:-1]:
        if month != NOT_ARCHIVED:
            archive.put(month, world_snapshot(month))
    result = run_period(
        CURRENT,
        base / "reports",
        archive,
        lambda: world_snapshot(CURRENT),
        default_brand(),
        RenderOptions(workers=2),
        this_month=CURRENT,
    )
    return {"previous": result.previous_period, "trend_months": result.trend_months}


@dataclass(frozen=True)
class Months:
    folder: Path
    raw: dict[str, Json]
    """Archived period → the snapshot's raw JSON."""
    result: Json

    def customers(self, period: str) -> dict[str, Json]:
        return {c["tenantId"].lower(): c for c in self.raw[period]["customers"]} if period in self.raw else {}


@pytest.fixture(scope="session")
def months(tmp_path_factory: pytest.TempPathFactory) -> Months:
    base, result = once_per_session(tmp_path_factory, "trend-months", _archive_and_render)
    digests = archived(base / "archive")
    raw = {period: archived_json(base / "archive", digest) for period, digest in digests.items()}
    return Months(base / "reports" / CURRENT, raw, result)


# --- what the months say, from raw JSON ------------------------------------------------------------------------------


def percent(share: float | None) -> str:
    """As the documents print a share: whole percent, half up, a shortfall never 100%."""
    if share is None:
        return DASH
    shown = whole(share)
    return f"{min(shown, 99) if share < 1 else shown}%"


def admins(customer: Json | None) -> str:
    mfa = (customer or {}).get("mfa") or {}
    count = mfa.get("compliantAdminsCount")
    return DASH if count is None else str(count)


def policy(customer: Json) -> str:
    mfa = customer.get("mfa")
    if not mfa:
        return "Unknown"
    statuses = [
        mfa.get(k) for k in ("mfaConditionalAccessPolicyStatus", "securityDefaultsStatus", "legacyPerUserMfaStatus")
    ]
    for label, status in zip(("Conditional Access", "Security defaults", "Per-user MFA only"), statuses, strict=True):
        if status == "enabled":
            return label
    return "No MFA policy" if all(s == "disabled" for s in statuses) else "Unknown"


def runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """Consecutive equal labels as (label, first column, last column)."""
    found: list[tuple[str, int, int]] = []
    for index, label in enumerate(labels):
        if found and found[-1][0] == label:
            found[-1] = (label, found[-1][1], index)
        else:
            found.append((label, index, index))
    return found


def levels(snapshot: Json) -> dict[str, Level]:
    """Each customer's attention level that month, as the summary of that month counts it.

    The one figure taken from the library (``view.customers``, tested on its own): the
    level weighs every finding and open alert, which this test does not restate.
    """
    from reporter import snapshot as snapshot_io

    loaded = snapshot_io.loads(snapshot_io.canonical_json(snapshot))
    return {r.customer.tenant_id.lower(): r.posture.level for r in customer_rows(loaded)}


# --- reading the documents -------------------------------------------------------------------------------------------

Word = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """A table of the PDF read by position: a column per month, rows found by their label."""

    words: list[Word]
    centres: list[float]
    header_bottom: float

    @property
    def bounds(self) -> list[tuple[float, float]]:
        edges = [(a + b) / 2 for a, b in zip(self.centres, self.centres[1:], strict=False)]
        lefts = [self.centres[0] - (edges[0] - self.centres[0] if edges else 50), *edges]
        rights = [*edges, self.centres[-1] + (self.centres[-1] - edges[-1] if edges else 50)]
        return list(zip(lefts, rights, strict=True))

    def row_top(self, label: str) -> float:
        first = label.split()[0]
        tops = [
            w["top"]
            for w in self.words
            if w["text"] == first
            and w["top"] > self.header_bottom
            and w["x1"] < self.bounds[0][0]
            and self._label_at(w["top"]).startswith(label)
        ]
        assert tops, f"no row {label!r}"
        return min(tops)

    def _label_at(self, top: float) -> str:
        return " ".join(
            w["text"]
            for w in sorted(self.words, key=lambda w: w["x0"])
            if abs(w["top"] - top) < 2 and w["x1"] < self.bounds[0][0]
        )

    def cells(self, label: str) -> list[str]:
        """The row's text in each month column (one line)."""
        top = self.row_top(label)
        line = [w for w in self.words if abs(w["top"] - top) < 2 and w["x0"] >= self.bounds[0][0] - 2]
        cells = []
        for left, right in self.bounds:
            cells.append(" ".join(w["text"] for w in line if left <= (w["x0"] + w["x1"]) / 2 < right))
        return cells

    def spans(self, after: str, below: float) -> list[str]:
        """Each column's words between the row ``after`` and ``below`` (a row whose cells wrap), in reading order."""
        top = self.row_top(after) + 4
        band = [w for w in self.words if top <= w["top"] < below and w["x0"] >= self.bounds[0][0] - 2]
        ordered = sorted(band, key=lambda w: (round(w["top"]), w["x0"]))
        return [
            " ".join(w["text"] for w in ordered if left <= (w["x0"] + w["x1"]) / 2 < right)
            for left, right in self.bounds
        ]


def pdf_words(path: Path) -> list[list[Word]]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_words(keep_blank_chars=False, use_text_flow=False) for page in pdf.pages]


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def month_headings(words: list[Word], names: list[str], after: float = 0.0) -> list[Word] | None:
    """The words heading the month columns (``names``, left to right), the first of them one line higher (its year
    is under it): the first such row below ``after``."""
    for start in sorted((w for w in words if w["text"] == names[0] and w["top"] > after), key=lambda w: w["top"]):
        row = sorted(
            (w for w in words if w["text"] in names and start["top"] - 1 <= w["top"] < start["top"] + 12),
            key=lambda w: w["x0"],
        )
        if [w["text"] for w in row] == names:
            return row
    return None


def progress_table(path: Path, months: list[str]) -> tuple[Table, list[Word]]:
    """The customer's "Your progress" table: the page that has it, its month columns located by their headings."""
    names = [SHORT[m[5:]] for m in months]
    for words in pdf_words(path):
        heading = [w for w in words if w["text"] == "progress"]
        row = month_headings(words, names, heading[0]["top"]) if heading else None
        if row:
            centres = [(w["x0"] + w["x1"]) / 2 for w in row]
            return Table(words, centres, max(w["bottom"] for w in row)), words
    raise AssertionError(f"no progress table in {path.name}")


# --- the customer reports --------------------------------------------------------------------------------------------


def test_the_archive_holds_the_months_but_one_and_the_run_reads_them(months: Months) -> None:
    assert sorted(months.raw) == [m for m in MONTHS if m != NOT_ARCHIVED]
    assert months.result == {"previous": "2026-09", "trend_months": len(MONTHS)}


def test_the_timeline_has_customers_improving_worsening_joining_and_leaving(months: Months) -> None:
    """The scenario the other tests rely on, from the raw JSON alone."""
    first, current = months.customers(MONTHS[0]), months.customers(CURRENT)
    assert set(first) - set(current), "someone left"
    assert set(current) - set(months.customers("2026-09")), "someone joined this month"
    assert (set(current) - set(first)) & set(months.customers("2026-08")), "someone joined during the months"
    moved = []
    for tenant, _customer in current.items():
        known = [coverage_of(months.customers(m)[tenant]) for m in months.raw if tenant in months.customers(m)]
        shares = [c for c in known if c is not None]
        if len(shares) > 1:
            moved.append(whole(shares[-1]) - whole(shares[0]))
    assert any(m > 0 for m in moved)
    assert any(m < 0 for m in moved)


def expected_progress(months: Months, tenant: str) -> dict[str, list[str]]:
    """The progress table of ``tenant`` as the archived snapshots give it: one value per month, dashes for gaps."""
    coverage, admin, policies = [], [], []
    for month in MONTHS:
        customer = months.customers(month).get(tenant)
        coverage.append(percent(coverage_of(customer)) if customer else DASH)
        admin.append(admins(customer))
        policies.append(policy(customer) if customer else DASH)
    return {"coverage": coverage, "admins": admin, "policy": policies}


def expected_sentence(months: Months, tenant: str) -> str:
    known = [
        (m, share)
        for m in MONTHS
        if (customer := months.customers(m).get(tenant)) is not None and (share := coverage_of(customer)) is not None
    ]
    (start, first), (end, last) = known[0], known[-1]
    a, b = percent(first), percent(last)
    if a == b:
        return f"MFA coverage stayed at {b} from {LONG[start[5:]]} to {LONG[end[5:]]}."
    verb = "rose" if whole(last) > whole(first) else "fell"
    return f"MFA coverage {verb} from {a} in {LONG[start[5:]]} to {b} in {LONG[end[5:]]}."


def customer_pdfs(months: Months) -> dict[str, Path]:
    """Tenant id → its PDF, from the run's manifest."""
    import json

    manifest = json.loads((months.folder / "manifest.json").read_text())
    return {f["tenantId"].lower(): months.folder / f["path"] for f in manifest["files"] if f["kind"] == "customer-pdf"}


def test_each_customer_pdf_shows_its_own_months_with_gaps_as_gaps(months: Months) -> None:
    pdfs = customer_pdfs(months)
    current = months.customers(CURRENT)
    assert sorted(pdfs) == sorted(current)
    checked = 0
    for tenant, path in sorted(pdfs.items()):
        present = [m for m in MONTHS if tenant in months.customers(m)]
        text = " ".join(pdf_text(path).split())
        if len(present) < 2:
            assert "Progress will show from next month." in text
            assert "MFA coverage of users" not in text
            continue
        expected = expected_progress(months, tenant)
        table, words = progress_table(path, list(MONTHS))
        assert table.cells("MFA coverage of users") == expected["coverage"], path.name
        assert table.cells("Admins registered for MFA") == expected["admins"], path.name
        note = min(w["top"] for w in words if w["text"] == "dash")
        shown = table.spans("Admins registered for MFA", note)
        for label, first, last in runs(expected["policy"]):
            assert " ".join(c for c in shown[first : last + 1] if c) == label, (path.name, label, shown)
        assert expected_sentence(months, tenant) in text
        # The month that is not archived, and the months before the customer came, are gaps: never a zero.
        gap = MONTHS.index(NOT_ARCHIVED)
        assert expected["coverage"][gap] == DASH
        assert table.cells("MFA coverage of users")[gap] == DASH
        assert "A dash (–) marks a month without figures" in text
        checked += 1
    assert checked >= len(pdfs) - 2


def test_a_customer_new_this_month_gets_no_chart_only_the_promise(months: Months) -> None:
    new = set(months.customers(CURRENT)) - set(months.customers("2026-09"))
    assert new
    for tenant in new:
        path = customer_pdfs(months)[tenant]
        text = " ".join(pdf_text(path).split())
        assert "Your progress Progress will show from next month. How you compare" in text
        assert "Admins registered for MFA" not in text


def test_a_customer_who_joined_during_the_months_has_dashes_before_it_came(months: Months) -> None:
    joined = (set(months.customers(CURRENT)) - set(months.customers(MONTHS[0]))) & set(months.customers("2026-08"))
    assert joined
    for tenant in joined:
        table, _ = progress_table(customer_pdfs(months)[tenant], list(MONTHS))
        cells = table.cells("MFA coverage of users")
        first_seen = min(MONTHS.index(m) for m in MONTHS if tenant in months.customers(m))
        assert cells[:first_seen] == [DASH] * first_seen
        assert "0%" not in cells[:first_seen]


def test_customers_who_left_have_no_report_but_are_counted_as_departed(months: Months) -> None:
    left = set(months.customers("2026-09")) - set(months.customers(CURRENT))
    pdfs = customer_pdfs(months)
    assert not left & set(pdfs)


# --- the summary -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The summary's portfolio table: right-aligned figures under right-aligned month headings."""

    table: Table
    rights: list[float]

    def row(self, label: str) -> list[str]:
        """Each month's figure on the row ``label``: the text that ends where the month's heading ends."""
        top = self.table.row_top(label)
        line = [w for w in self.table.words if abs(w["top"] - top) < 2]
        return [" ".join(w["text"] for w in line if abs(w["x1"] - right) < 2) for right in self.rights]


def summary_table(months: Months) -> Figures:
    names = [SHORT[m[5:]] for m in MONTHS]
    for words in pdf_words(months.folder / "summary.pdf"):
        trend = [w for w in words if w["text"] == "departed"]
        row = month_headings(words, names, trend[0]["top"] - 200) if trend else None
        if row:
            table = Table(words, [(w["x0"] + w["x1"]) / 2 for w in row], max(w["bottom"] for w in row))
            return Figures(table, [w["x1"] for w in row])
    raise AssertionError("no portfolio trend in the summary")


def test_the_summary_shows_the_portfolio_month_by_month(months: Months) -> None:
    figures = summary_table(months)
    customers, gained, lost, median, attention = [], [], [], [], []
    for index, month in enumerate(MONTHS):
        if month not in months.raw:
            for column in (customers, gained, lost, median, attention):
                column.append(DASH)
            continue
        now = months.customers(month)
        before = months.customers(MONTHS[index - 1]) if index and MONTHS[index - 1] in months.raw else None
        customers.append(str(len(now)))
        gained.append(DASH if before is None else str(len(set(now) - set(before))))
        lost.append(DASH if before is None else str(len(set(before) - set(now))))
        shares = [s for c in now.values() if (s := coverage_of(c)) is not None]
        median.append(percent(statistics.median(shares)) if shares else DASH)
        attention.append(str(sum(1 for level in levels(months.raw[month]).values() if level > Level.NO_DATA)))
    assert figures.row("Customers") == customers
    assert figures.row("new") == gained
    assert figures.row("departed") == lost
    assert figures.row("Median MFA coverage of users") == median
    assert figures.row("Customers needing attention") == attention
    assert any(g not in (DASH, "0") for g in gained)
    assert any(x not in (DASH, "0") for x in lost)
    by_policy = {
        label: []
        for label in ("Conditional Access", "Security defaults", "Per-user MFA only", "No MFA policy", "Unknown")
    }
    for month in MONTHS:
        for label, counts in by_policy.items():
            if month not in months.raw:
                counts.append(DASH)
            else:
                counts.append(str(sum(1 for c in months.customers(month).values() if policy(c) == label)))
    for label, counts in by_policy.items():
        assert figures.row(label) == counts, label


def score_at_month_end(snapshot: Json, month: str) -> float | None:
    """The partner score Graph's history gives at the end of ``month`` (the current score from its update on)."""
    points = [(p["createdDateTime"], p["score"]) for p in snapshot["history"] if p.get("score") is not None]
    score = snapshot["score"]
    if score.get("currentScore") is not None:
        points.append((score.get("updatedDateTime") or snapshot["provenance"]["collectedAt"], score["currentScore"]))
    known = [value for when, value in sorted(points) if when[:7] <= month]
    return known[-1] if known else None


def test_the_score_beside_the_trend_comes_from_graphs_own_history(months: Months) -> None:
    figures = summary_table(months)
    current = months.raw[CURRENT]
    expected = []
    for month in MONTHS:
        value = score_at_month_end(current, month)
        expected.append(DASH if value is None else (f"{value:g}" if float(value).is_integer() else f"{value:.1f}"))
    assert figures.row("Partner security score (from Microsoft)") == expected
    assert expected[MONTHS.index(NOT_ARCHIVED)] != DASH  # Graph knows the month the archive lacks


def test_the_summary_says_how_median_coverage_moved(months: Months) -> None:
    text = " ".join(pdf_text(months.folder / "summary.pdf").split())
    medians = {}
    for month in months.raw:
        shares = [s for c in months.customers(month).values() if (s := coverage_of(c)) is not None]
        medians[month] = statistics.median(shares)
    first, last = medians[MONTHS[0]], medians[CURRENT]
    verb = "rose" if whole(last) > whole(first) else "fell" if whole(last) < whole(first) else "stayed"
    if verb == "stayed":
        assert f"Median MFA coverage stayed at {percent(last)} from May to October." in text
    else:
        assert f"Median MFA coverage {verb} from {percent(first)} in May to {percent(last)} in October." in text
    assert "Portfolio trend" in text


# --- re-rendering a past period --------------------------------------------------------------------------------------


def _never() -> Snapshot:
    raise AssertionError("collected")


def test_re_rendering_a_past_period_gives_the_same_bytes_after_later_months_are_archived(tmp_path: Path) -> None:
    """Archive A and B, render B; archive C; render B again from the archive: every file byte for byte."""
    a, b, c = "2026-08", "2026-09", "2026-10"
    archive = Archive(tmp_path / "archive")
    archive.put(a, world_snapshot(a, customers=4))
    options = RenderOptions(workers=1)
    first = run_period(
        b, tmp_path / "first", archive, lambda: world_snapshot(b, customers=4), default_brand(), options, this_month=b
    )
    assert first.trend_months == 2
    before = files_of(first.folder)
    archive.put(c, world_snapshot(c, customers=4))
    again = run_period(b, tmp_path / "again", archive, _never, default_brand(), options, this_month=c)
    assert again.collected is False
    assert again.trend_months == 2
    after = files_of(again.folder)
    assert sorted(before) == sorted(after)
    assert {"summary.pdf", "workbook.xlsx"} <= before.keys()
    assert [name for name in before if before[name] != after[name]] == []
    assert "October" not in " ".join(pdf_text(again.folder / "summary.pdf").split())
    shutil.rmtree(tmp_path / "first")
