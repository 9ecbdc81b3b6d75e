"""Writes a sheet of the workbook view as cells: types, number formats, widths, links, charts.

What a sheet shows, and every word of it, comes from :mod:`reporter.view.workbook`;
here each typed cell becomes an openpyxl cell, and each kind of sheet gets its
layout (column widths, where its chart sits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter

from reporter.render.xlsx_book import (
    DECIMAL_FORMAT,
    INTEGER_FORMAT,
    MONTH_FORMAT,
    PERCENT_FORMAT,
    SIGNED_FORMAT,
    Book,
    Cell,
    Cells,
    SharedCells,
    Sheet,
)
from reporter.render.xlsx_names import EXCEL_RESERVED, sheet_ref
from reporter.view import workbook as wb
from reporter.view.posture import Level

FIXED_SHEETS = (*wb.fixed_names(), *EXCEL_RESERVED)
"""Names no customer's sheet may take (the partner workbook's own, and those Excel reserves)."""

MIN_WIDTHS: Mapping[wb.SheetKind, tuple[int, ...]] = {
    wb.SheetKind.SUMMARY: (44, 16),
    wb.SheetKind.CUSTOMERS: (24,),
    wb.SheetKind.CHANGES: (20, 24),
    wb.SheetKind.ALERTS: (16,),
    wb.SheetKind.ABOUT: (38, 20),
    wb.SheetKind.CUSTOMER: (18, 40, 14),
    wb.SheetKind.TRENDS: (24, 20),
}
CHART_ANCHORS: Mapping[wb.SheetKind, str] = {wb.SheetKind.SUMMARY: "D3", wb.SheetKind.HISTORY: "E2"}


_LINKS = (wb.Link, wb.Jump, wb.CustomerSheetLink)
"""Cells written with a link: each is made for its own sheet, never shared."""


class CellWriter:
    """Turns the view's typed cells into the cells of one sheet.

    A cell without a link is made once per workbook (``shared``) and reused wherever
    the same typed cell recurs: the section and item labels of thousands of customer
    sheets, their months and headings.
    """

    def __init__(
        self,
        cells: Cells,
        labels: Sequence[tuple[Level, str]],
        customer_sheets: Sequence[str] = (),
        shared: SharedCells | None = None,
    ) -> None:
        self.cells = cells
        self.labels = dict(labels)
        self.customer_sheets = customer_sheets
        self.shared = shared or SharedCells()
        c = cells
        self._write: dict[type, Callable[[Any], Cell]] = {
            wb.Text: lambda v: c.text(v.value),
            wb.Title: lambda v: c.title(v.value),
            wb.Heading: lambda v: c.header(v.value),
            wb.Count: lambda v: c.number(v.value, INTEGER_FORMAT),
            wb.Score: lambda v: c.number(v.value, DECIMAL_FORMAT),
            wb.Delta: lambda v: c.number(v.value, SIGNED_FORMAT),
            wb.Percent: lambda v: c.number(v.value, PERCENT_FORMAT),
            wb.Day: lambda v: c.day(v.value),
            wb.Month: lambda v: c.day(v.value, MONTH_FORMAT),
            wb.Moment: lambda v: c.timestamp(v.value),
            wb.Link: lambda v: c.link(v.text, v.url),
            wb.Jump: lambda v: c.jump(v.text, sheet_ref(v.sheet)),
            wb.CustomerSheetLink: self._customer_sheet,
            wb.LevelCell: lambda v: c.level(v.level, self.labels[v.level]),
        }

    def _customer_sheet(self, cell: wb.CustomerSheetLink) -> Cell:
        name = self.customer_sheets[cell.index]
        return self.cells.jump(name, sheet_ref(name))

    def cell(self, cell: wb.Cell) -> Cell:
        make = self._write[type(cell)]
        if isinstance(cell, _LINKS):
            return make(cell)
        return self.shared.get(cell, lambda: make(cell))

    def _level_text(self, level: Level) -> Cell:
        label = self.labels[level]
        return self.shared.get(("level-text", level, label), lambda: self.cells.text(label))

    def row(self, row: wb.Row, level_columns: Sequence[int] = ()) -> list[Cell]:
        """The cells of ``row``; a level in one of ``level_columns`` is plain text, which that column's rule colours."""
        cell = self.cell
        if not level_columns:
            return [None if c is None else cell(c) for c in row]
        return [
            None
            if c is None
            else self._level_text(c.level)
            if index in level_columns and isinstance(c, wb.LevelCell)
            else cell(c)
            for index, c in enumerate(row)
        ]


def _has_title(line: wb.Row) -> bool:
    return any(isinstance(cell, wb.Title) for cell in line)


def write_sheet(
    book: Book,
    view: wb.SheetView,
    labels: Sequence[tuple[Level, str]],
    *,
    name: str | None = None,
    customer_sheets: Sequence[str] = (),
) -> Any:
    """Write ``view`` as the sheet ``name`` (else the view's own name); returns the worksheet, still open."""
    sheet = Sheet(book, name or view.name)
    writer = CellWriter(sheet.cells, labels, customer_sheets, book.shared)
    for line in view.lines:
        sheet.line(*writer.row(line), title=_has_title(line))
    columns = view.level_columns
    sheet.table(
        view.headers,
        (writer.row(row, columns) for row in view.rows),
        level_columns=columns,
        level_labels=labels,
    )
    for line in view.below:
        sheet.line(*writer.row(line), title=_has_title(line))
    if view.colour_scale is not None:
        scale = view.colour_scale
        sheet.colour_scale(scale.first_column, scale.last_column, scale.middle)
    freeze = None
    if view.frozen is not None:
        lines, frozen_columns = view.frozen
        freeze = f"{get_column_letter(frozen_columns + 1)}{lines + 1}"
    ws = sheet.write(min_widths=MIN_WIDTHS.get(view.kind, ()), freeze=freeze)
    if view.chart is not None:
        ws.add_chart(score_chart(view.chart), CHART_ANCHORS[view.kind])
    for index, chart in enumerate(view.charts):
        ws.add_chart(lines_chart(chart, ws.title), lines_chart_anchor(chart, index))
    return ws


def score_chart(view: wb.ChartView) -> Any:
    """A native line chart of the monthly score, drawn from the history sheet's rows 2..points+1."""
    quoted = view.history_sheet.replace("'", "''")
    points = view.points
    chart = LineChart()
    chart.title = view.title
    chart.y_axis.title = view.axis
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.x_axis.number_format = MONTH_FORMAT
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.height = 8
    chart.width = 18
    chart.add_data(Reference(range_string=f"'{quoted}'!$B$1:$B${points + 1}"), titles_from_data=True)
    chart.set_categories(Reference(range_string=f"'{quoted}'!$A$2:$A${points + 1}"))
    for series in chart.series:
        series.smooth = False  # a score moves in steps; a smoothed line would invent values
    return chart


LINES_CHART_ROWS = 18
"""Rows between the tops of two stacked line charts (a chart is 8 cm high: about 15 rows)."""


def lines_chart_anchor(view: wb.LinesChart, index: int) -> str:
    """Right of the charted columns, one column apart, below the frozen headings; stacked one under another."""
    column = get_column_letter(view.first_column + view.points + 2)
    return f"{column}{view.categories + 3 + index * LINES_CHART_ROWS}"


def lines_chart(view: wb.LinesChart, sheet: str) -> Any:
    """A native line chart of some of ``sheet``'s rows (line ``i`` of the view is row ``i + 1``).

    Empty cells are gaps in the lines: a month not archived is not drawn as zero.
    """
    quoted = sheet.replace("'", "''")
    first = get_column_letter(view.first_column + 1)
    last = get_column_letter(view.first_column + view.points)
    chart = LineChart()
    chart.title = view.title
    chart.y_axis.title = view.axis
    chart.y_axis.scaling.min = 0
    if view.percent:
        chart.y_axis.scaling.max = 1
        chart.y_axis.number_format = PERCENT_FORMAT
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    chart.height = 8
    chart.width = 16
    categories = view.categories + 1
    months = f"'{quoted}'!${first}${categories}:${last}${categories}"  # text headings: a text reference
    for line in view.series:
        row = line + 1
        series = Series(Reference(range_string=f"'{quoted}'!${first}${row}:${last}${row}"))
        series.tx = SeriesLabel(strRef=StrRef(f"'{quoted}'!$A${row}"))
        series.cat = AxDataSource(strRef=StrRef(months))
        series.smooth = False
        series.marker.symbol = "circle"  # a month between two gaps still shows
        series.marker.size = 6
        chart.series.append(series)
    if len(view.series) == 1:
        chart.legend = None
    else:
        chart.legend.position = "b"
    return chart
