"""The workbook's trends, read back with openpyxl against the ``Trends`` value they were made from.

The partner workbook gains a Trends sheet (the portfolio's months, two native line
charts, each customer's coverage by month under a colour scale) and each customer's
sheet its months; a customer's own workbook gains its own months and nobody else's.
A month not archived, or one a customer was not in, is an empty cell, never 0.
"""

from __future__ import annotations

import statistics
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from reporter.model import Snapshot
from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.render.xlsx_dump import dump_workbook
from reporter.render.xlsx_names import MAX_SHEET_NAME, clean_sheet_name, utf16_len
from reporter.view import Brand, ReportContext, build_context, language
from reporter.view.posture import COVERAGE_TARGET, Level, Policy
from reporter.view.trends import CustomerTrend, MonthFigures, Periods, PortfolioMonth, Trends
from reporter.view.workbook import WORDS, fixed_names
from tests import factories as f
from tests.test_xlsx import FORMULA, sample_snapshot, sheet_xml
from tests.test_xlsx_golden import check

BRAND = Brand(name="Fabrikam Partners")
MONTHS = ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
NOT_ARCHIVED = "2026-08"
CONTOSO = "aaaaaaaa-0000-4000-8000-000000000001"
NORTHWIND = "bbbbbbbb-0000-4000-8000-000000000002"
WOODGROVE = "cccccccc-0000-4000-8000-000000000003"
DELTA = "dddddddd-0000-4000-8000-000000000004"
"""A customer of June and July, gone since: in the portfolio's figures, in no row."""
F = MonthFigures


def now(context: ReportContext, tenant_id: str) -> MonthFigures:
    """The period's own figures, as the Customers sheet shows them."""
    p = next(r.posture for r in context.rows if r.customer.tenant_id == tenant_id)
    return F(p.coverage, p.compliant_admins, p.policy, p.level)


def customer_months(context: ReportContext) -> dict[str, tuple[MonthFigures | None, ...]]:
    """Contoso every archived month (one without MFA data); Northwind since September; Woodgrove new."""
    return {
        CONTOSO: (
            F(0.10, 0, Policy.NONE, Level.HIGH),
            F(0.15, 0, Policy.PER_USER_ONLY, Level.HIGH),
            None,
            F(None, None, Policy.UNKNOWN, Level.NO_DATA),
            F(0.12, 0, Policy.NONE, Level.CRITICAL),
            now(context, CONTOSO),
        ),
        NORTHWIND: (None, None, None, F(0.5, 1, Policy.SECURITY_DEFAULTS, Level.MEDIUM), None, now(context, NORTHWIND)),
        WOODGROVE: (None, None, None, None, None, now(context, WOODGROVE)),
        DELTA: (F(0.95, 3, Policy.CONDITIONAL_ACCESS, Level.OK), F(0.97, 3, Policy.CONDITIONAL_ACCESS, Level.OK))
        + (None,) * 4,
    }


def portfolio(months: dict[str, tuple[MonthFigures | None, ...]]) -> tuple[PortfolioMonth, ...]:
    """The portfolio's figures from the customers' months (a month not archived has none)."""
    result: list[PortfolioMonth] = []
    before: set[str] | None = None
    for index, period in enumerate(MONTHS):
        if period == NOT_ARCHIVED:
            result.append(PortfolioMonth(period, False, None, None, None, None, None, None))
            before = None
            continue
        present = {t: m[index] for t, m in months.items() if m[index] is not None}
        shares = [m.coverage for m in present.values() if m is not None and m.coverage is not None]
        result.append(
            PortfolioMonth(
                period,
                True,
                len(present),
                statistics.median(shares) if shares else None,
                sum(1 for m in present.values() if m is not None and m.level >= Level.LOW),
                tuple((p, sum(1 for m in present.values() if m is not None and m.policy is p)) for p in Policy),
                None if before is None else len(set(present) - before),
                None if before is None else len(before - set(present)),
            )
        )
        before = set(present)
    return tuple(result)


def trends_of(context: ReportContext, months: Sequence[str] = MONTHS) -> Trends:
    every = customer_months(context)
    current = {t.lower() for t in (CONTOSO, NORTHWIND, WOODGROVE)}
    customers = {t: CustomerTrend(t, m) for t, m in every.items() if t in current}
    return Trends(Periods(months[-1], months[-2], tuple(months)), customers, portfolio(every))


@dataclass(frozen=True)
class Rendered:
    folder: Path
    context: ReportContext
    trends: Trends

    def book(self) -> Any:
        return load_workbook(self.folder / "workbook.xlsx")

    def customer_book(self, tenant_id: str) -> Any:
        row = next(r for r in self.context.rows if r.customer.tenant_id == tenant_id)
        return load_workbook(self.folder / "customers" / f"{row.slug}.xlsx")


def render(folder: Path, snapshot: Snapshot | None = None, trends: bool = True, **options: Any) -> Rendered:
    plain = build_context(snapshot or sample_snapshot(), BRAND, **options)
    built = trends_of(plain)
    context = build_context(snapshot or sample_snapshot(), BRAND, trends=built if trends else None, **options)
    xlsx.render(context, folder, RenderOptions(customer_workbooks=True))
    return Rendered(folder, context, built)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(tmp_path_factory.mktemp("trends"))


@pytest.fixture(scope="module")
def book(rendered: Rendered) -> Any:
    return rendered.book()


def row_of(ws: Any, label: str) -> int:
    """The row whose first cell reads ``label``."""
    return next(row[0].row for row in ws.iter_rows() if row[0].value == label)


def values(ws: Any, row: int, first: int, count: int) -> list[Any]:
    return [ws.cell(row=row, column=first + i).value for i in range(count)]


# ---------------------------------------------------------------------------------------------------------------
# The Trends sheet.


def test_the_trends_sheet_follows_the_customers_sheet(book: Any) -> None:
    assert book.sheetnames[:5] == ["Summary", "Requirements", "Score history", "Customers", "Trends"]


def test_each_customer_has_a_row_of_coverage_by_month_headed_yyyy_mm_with_gaps_empty(
    rendered: Rendered, book: Any
) -> None:
    ws = book["Trends"]
    header = next(row[0].row for row in ws.iter_rows() if row[0].value == "Customer")
    assert values(ws, header, 1, 2 + len(MONTHS)) == ["Customer", "Tenant id", *MONTHS]
    assert all(ws.cell(row=header, column=3 + i).data_type == "s" for i in range(len(MONTHS)))
    shown = {}
    for number in range(header + 1, header + 1 + len(rendered.context.rows)):
        name, tenant = values(ws, number, 1, 2)
        shown[tenant] = name
        trend = rendered.trends.of(tenant)
        assert trend is not None
        for index, figures in enumerate(trend.months):
            cell = ws.cell(row=number, column=3 + index)
            if figures is None or figures.coverage is None:
                assert cell.value is None, (tenant, MONTHS[index])  # a gap: empty, never 0
            else:
                assert cell.value == pytest.approx(figures.coverage)
                assert cell.number_format == "0%"
    assert shown == {r.customer.tenant_id: r.name for r in rendered.context.rows}
    assert ws.cell(row=header + 1 + len(rendered.context.rows), column=1).value is None
    assert DELTA not in shown


def test_this_months_column_holds_what_the_customers_sheet_holds(rendered: Rendered, book: Any) -> None:
    trends, customers = book["Trends"], book["Customers"]
    header = row_of(trends, "Customer")
    column = 2 + len(MONTHS)
    coverage = [c.value for c in customers[1]].index("Non-admin coverage") + 1
    tenant = [c.value for c in customers[1]].index("Tenant id") + 1
    expected = {
        customers.cell(row=r, column=tenant).value: customers.cell(row=r, column=coverage)
        for r in range(2, 2 + len(rendered.context.rows))
    }
    assert len(expected) == len(rendered.context.rows)
    for number in range(header + 1, header + 1 + len(rendered.context.rows)):
        cell = trends.cell(row=number, column=column)
        source = expected[trends.cell(row=number, column=2).value]
        assert (cell.value, cell.number_format) == (source.value, source.number_format)


def test_the_portfolio_figures_sit_above_the_customers_one_column_per_month(rendered: Rendered, book: Any) -> None:
    ws = book["Trends"]
    headings = row_of(ws, "All customers")
    assert values(ws, headings, 3, len(MONTHS)) == list(MONTHS)
    p = rendered.trends.portfolio

    def figures(label: str) -> list[Any]:
        return values(ws, row_of(ws, label), 3, len(MONTHS))

    assert figures("Month in the archive") == ["No" if m == NOT_ARCHIVED else "Yes" for m in MONTHS]
    assert figures("Customers") == [m.customers for m in p]
    assert figures("Median share of non-admin users with MFA") == [m.median_coverage for m in p]
    assert figures("Customers needing attention") == [m.needing_attention for m in p]
    assert figures("New customers since the month before") == [m.gained for m in p]
    assert figures("Customers gone since the month before") == [m.lost for m in p]
    after_gap = MONTHS.index(NOT_ARCHIVED) + 1
    assert figures("Customers gone since the month before")[after_gap] is None  # unknown after a gap, not 0
    assert figures("Customers gone since the month before")[after_gap + 1] == 1  # Northwind, in October
    for policy in Policy:
        label = f"Strongest MFA policy: {language.load('en').gettext(_policy_label(policy))}"
        assert figures(label) == [None if m.by_policy is None else dict(m.by_policy)[policy] for m in p]
    gap = MONTHS.index(NOT_ARCHIVED) + 3
    assert [ws.cell(row=r, column=gap).value for r in range(headings + 2, row_of(ws, "Customer"))] == [None] * (
        row_of(ws, "Customer") - headings - 2
    )
    assert ws.cell(row=row_of(ws, "Median share of non-admin users with MFA"), column=3).number_format == "0%"


def _policy_label(policy: Policy) -> str:
    return {
        Policy.CONDITIONAL_ACCESS: "Conditional Access",
        Policy.SECURITY_DEFAULTS: "Security defaults",
        Policy.PER_USER_ONLY: "Per-user MFA only",
        Policy.NONE: "No MFA policy",
        Policy.UNKNOWN: "Unknown",
    }[policy]


def test_a_colour_scale_covers_the_month_columns_of_every_customer(rendered: Rendered, book: Any) -> None:
    ws = book["Trends"]
    header = row_of(ws, "Customer")
    last = header + len(rendered.context.rows)
    rules = [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]
    assert [(ref, rule.type) for ref, rule in rules] == [(f"C{header + 1}:H{last}", "colorScale")]
    scale = rules[0][1].colorScale
    assert [(v.type, v.val) for v in scale.cfvo] == [("num", 0), ("num", COVERAGE_TARGET), ("num", 1)]
    assert [c.rgb[-6:] for c in scale.color] == ["F8696B", "FFEB84", "63BE7B"]


def test_the_header_is_filtered_and_the_months_headings_and_names_stay_in_view(rendered: Rendered, book: Any) -> None:
    ws = book["Trends"]
    header = row_of(ws, "Customer")
    assert ws.auto_filter.ref == f"A{header}:H{header + len(rendered.context.rows)}"
    assert ws.freeze_panes == f"B{row_of(ws, 'All customers') + 1}"


def test_native_line_charts_draw_the_portfolio_figures_from_the_sheet(book: Any) -> None:
    ws = book["Trends"]
    charts = ws._charts
    assert [type(c).__name__ for c in charts] == ["LineChart", "LineChart"]
    months = f"'Trends'!$C${row_of(ws, 'All customers')}:$H${row_of(ws, 'All customers')}"

    def series(chart: Any) -> list[tuple[str, str, str]]:
        return [(s.tx.strRef.f, s.val.numRef.f, s.cat.strRef.f) for s in chart.series]

    def drawn(label: str) -> tuple[str, str, str]:
        row = row_of(ws, label)
        return f"'Trends'!$A${row}", f"'Trends'!$C${row}:$H${row}", months

    assert series(charts[0]) == [drawn("Median share of non-admin users with MFA")]
    assert series(charts[1]) == [
        drawn("Customers needing attention"),
        drawn("New customers since the month before"),
        drawn("Customers gone since the month before"),
    ]
    assert charts[0].y_axis.number_format.formatCode == "0%"
    assert (charts[0].y_axis.scaling.min, charts[0].y_axis.scaling.max) == (0, 1)
    assert all(c.display_blanks == "gap" for c in charts)  # a month not archived is no zero
    assert all(s.marker.symbol == "circle" for c in charts for s in c.series)  # a month between gaps shows


# ---------------------------------------------------------------------------------------------------------------
# Each customer's months.


def customer_sheets(book: Any) -> dict[str, Any]:
    """Each customer's sheet of the partner workbook, by tenant id (its "Tenant id" row)."""
    found = {}
    for ws in book.worksheets[len(book.sheetnames) - 3 :]:
        found[next(r[2].value for r in ws.iter_rows(min_row=4) if r[1].value == "Tenant id")] = ws
    return found


def months_below(ws: Any) -> list[tuple[Any, ...]]:
    """The rows under "Progress by month", up to the first empty one."""
    start = row_of(ws, "Progress by month")
    rows = []
    for row in ws.iter_rows(min_row=start + 1, max_col=4, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(row)
    return rows


def expected_months(trends: Trends, tenant_id: str) -> list[tuple[Any, ...]]:
    trend = trends.of(tenant_id)
    assert trend is not None
    rows: list[tuple[Any, ...]] = [
        ("Month", "Share of non-admin users with MFA", "Admins registered for MFA", "MFA policy in force")
    ]
    for period, figures in zip(MONTHS, trend.months, strict=True):
        month = datetime.strptime(period, "%Y-%m")
        if figures is None:
            rows.append((month, None, None, "Not available"))
        else:
            rows.append((month, figures.coverage, figures.admins_registered, _policy_label(figures.policy)))
    return rows


def test_each_customer_sheet_lists_its_months_under_its_table(rendered: Rendered, book: Any) -> None:
    sheets = customer_sheets(book)
    assert set(sheets) == {CONTOSO, NORTHWIND, WOODGROVE}
    for tenant in (CONTOSO, NORTHWIND):
        ws = sheets[tenant]
        assert months_below(ws) == expected_months(rendered.trends, tenant)
        title = row_of(ws, "Progress by month")
        assert int(ws.auto_filter.ref.split(":")[1][1:]) < title  # under the table, outside its filter
        assert ws.row_dimensions[title].height == 21  # tall enough for the title's type
        assert ws.cell(row=title + 2, column=1).number_format == "yyyy-mm"
        assert ws.cell(row=title + 1 + len(MONTHS), column=2).number_format == "0%"
    assert months_below(sheets[WOODGROVE]) == [("Progress will show from next month", None, None, None)]


def test_a_customer_workbook_holds_its_own_months_and_nobody_elses(rendered: Rendered) -> None:
    for tenant in (CONTOSO, NORTHWIND):
        workbook = rendered.customer_book(tenant)
        assert workbook.sheetnames == ["Overview", "About"]
        assert months_below(workbook["Overview"]) == expected_months(rendered.trends, tenant)
        row = next(r for r in rendered.context.rows if r.customer.tenant_id == tenant)
        with zipfile.ZipFile(rendered.folder / "customers" / f"{row.slug}.xlsx") as archive:
            raw = "\n".join(archive.read(n).decode() for n in archive.namelist())
        others = [r for r in rendered.context.rows if r is not row]
        for other in others:
            assert other.customer.tenant_id not in raw
            assert other.name not in raw
        assert DELTA not in raw
        assert "All customers" not in raw  # no portfolio figure: it could reveal other customers'
    woodgrove = rendered.customer_book(WOODGROVE)["Overview"]
    assert months_below(woodgrove) == [("Progress will show from next month", None, None, None)]


# ---------------------------------------------------------------------------------------------------------------
# No trends yet.


def test_one_archived_month_shows_no_trends_only_that_progress_will_show_from_next_month(tmp_path: Path) -> None:
    snapshot = sample_snapshot()
    plain = build_context(snapshot, BRAND)
    single = Trends(
        Periods("2026-11", None, ("2026-11",)),
        {t.lower(): CustomerTrend(t, (now(plain, t),)) for t in (CONTOSO, NORTHWIND, WOODGROVE)},
        (PortfolioMonth("2026-11", True, 3, 0.5, 2, tuple((p, 0) for p in Policy), None, None),),
    )
    xlsx.render(build_context(snapshot, BRAND, trends=single), tmp_path, RenderOptions(customer_workbooks=True))
    book = load_workbook(tmp_path / "workbook.xlsx")
    assert "Trends" not in book.sheetnames
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=4)}
    assert summary["Progress"] == "Progress will show from next month"
    for ws in customer_sheets(book).values():
        assert months_below(ws) == [("Progress will show from next month", None, None, None)]
    for path in (tmp_path / "customers").glob("*.xlsx"):
        overview = load_workbook(path)["Overview"]
        assert months_below(overview) == [("Progress will show from next month", None, None, None)]


def test_without_an_archive_the_workbook_says_nothing_of_months(tmp_path: Path) -> None:
    render(tmp_path, trends=False)
    texts = [
        str(cell.value)
        for path in (tmp_path / "workbook.xlsx", *(tmp_path / "customers").glob("*.xlsx"))
        for ws in load_workbook(path).worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert "Trends" not in load_workbook(tmp_path / "workbook.xlsx").sheetnames
    assert not [t for t in texts if t.startswith("Progress")]


# ---------------------------------------------------------------------------------------------------------------
# Safety, languages, the golden dump.


def test_names_that_look_like_formulas_stay_text_on_the_trends_sheet(tmp_path: Path) -> None:
    hostile = ('=HYPERLINK("http://x","y")', "@SUM(A1)", "+cmd")
    tenants = (CONTOSO, NORTHWIND, WOODGROVE)
    snapshot = f.snapshot(customers=tuple(f.customer(t, name) for t, name in zip(tenants, hostile, strict=True)))
    rendered = render(tmp_path, snapshot)
    ws = rendered.book()["Trends"]
    names = {c.value: c for c in ws["A"] if c.value in hostile}
    assert set(names) == set(hostile)
    assert all(c.data_type == "s" and c.quotePrefix for c in names.values())
    for name, xml in sheet_xml(tmp_path / "workbook.xlsx"):
        assert not FORMULA.search(xml), name


def test_an_arabic_workbook_lays_its_trends_out_right_to_left(tmp_path: Path) -> None:
    arabic = language.load("ar")
    rendered = render(tmp_path, partner_language=arabic, languages={CONTOSO: "ar"})
    book = rendered.book()
    name = arabic.gettext("Trends")
    assert name != "Trends"
    assert name in book.sheetnames
    assert all(ws.sheet_view.rightToLeft for ws in book.worksheets)
    ws = book[name]
    header = next(row[0].row for row in ws.iter_rows() if row[1].value == arabic.gettext("Tenant id"))
    assert values(ws, header, 3, len(MONTHS)) == list(MONTHS)  # headed YYYY-MM in every language
    assert [s.tx.strRef.f.split("!")[0] for c in ws._charts for s in c.series] == [f"'{name}'"] * 4
    own = rendered.customer_book(CONTOSO)
    assert all(ws.sheet_view.rightToLeft for ws in own.worksheets)
    overview = own.worksheets[0]
    start = row_of(overview, arabic.gettext("Progress by month"))
    assert overview.cell(row=start + 1, column=1).value == arabic.gettext("Month")
    assert overview.cell(row=start + 1 + MONTHS.index(NOT_ARCHIVED) + 1, column=4).value == arabic.gettext(
        "Not available"
    )


@pytest.mark.parametrize("tag", language.LANGUAGES)
def test_the_trends_sheet_name_is_a_sheet_name_in_every_language(tag: str) -> None:
    with language.use(language.load(tag)):
        words = language.translated(WORDS)
    assert clean_sheet_name(words.trends) == words.trends
    assert 1 <= utf16_len(words.trends) <= MAX_SHEET_NAME
    assert len({n.casefold() for n in fixed_names(words)}) == len(fixed_names(words))


def _sections(dump: str, wanted: Sequence[str]) -> Iterator[str]:
    head, *sheets = dump.split("\n== ")
    yield head
    for sheet in sheets:
        if sheet.split("\n", 1)[0] in wanted:
            yield "== " + sheet


def test_the_trends_match_their_golden_dump(rendered: Rendered) -> None:
    workbook = dump_workbook(rendered.folder / "workbook.xlsx")
    first = rendered.context.rows[0]
    wanted = ("Trends", next(name for name in rendered.book().sheetnames if name.startswith(first.name)))
    own = dump_workbook(rendered.folder / "customers" / f"{first.slug}.xlsx")
    check("xlsx-trends.txt", "\n".join([*_sections(workbook, wanted), *_sections(own, ("Overview",))]))


def test_the_same_trends_give_the_same_bytes(tmp_path: Path, rendered: Rendered) -> None:
    again = render(tmp_path)
    for path in ("workbook.xlsx", *(p.relative_to(rendered.folder) for p in rendered.folder.glob("customers/*"))):
        assert (again.folder / path).read_bytes() == (rendered.folder / path).read_bytes(), path
