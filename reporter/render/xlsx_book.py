"""The workbook machinery: typed cells, sheets written as tables, a deterministic save.

Workbooks are built in openpyxl's write-only mode. A sheet is closed as soon as
it is complete and its XML is compressed into the archive at once, so a
workbook with thousands of customer sheets holds one sheet at a time, plus the
compressed archive.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from copy import copy
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from reporter.render.xlsx_cells import clean_text, excel_datetime, http_url, looks_like_formula
from reporter.view.posture import Level

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONTH_FORMAT = "yyyy-mm"
PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "0.0"
SIGNED_FORMAT = "+0.0;-0.0;0.0"

TITLE_HEIGHT = 21
"""Points: a row holding a title (14 pt type)."""
MAX_WIDTH = 60
"""Widest a fitted column gets; longer text wraps."""

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill(fill_type="solid", start_color="1F3A5F", end_color="1F3A5F")
_LINK = Font(color="0563C1", underline="single")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")

Cell = Any
"""An openpyxl write-only cell (openpyxl has no type hints)."""


_RGB = re.compile(r"#?[0-9A-Fa-f]{6}")


def hex_colour(colour: str) -> str:
    return colour.lstrip("#").upper()


_FONTS = {"bold": _BOLD, "title": _TITLE, "header": _HEADER, "link": _LINK}
_FILLS = {"header": _HEADER_FILL}
_ALIGNMENTS = {"wrap": _WRAP, "top": _TOP}

Look = tuple[str | None, str | None, str | None, str | None, bool]
"""A cell's style by name: font, fill, alignment, number format, quote prefix."""


def _level_text(level: Level) -> str:
    return "000000" if level in (Level.LOW, Level.NO_DATA) else "FFFFFF"


for _level in Level:
    _colour = _level.colour.lstrip("#").upper()
    _FILLS[f"level-{_level.key}"] = PatternFill(fill_type="solid", start_color=_colour, end_color=_colour)
    _FONTS[f"level-{_level.key}"] = Font(bold=True, color=_level_text(_level))


class Cells:
    """Makes the cells of one sheet: every string is cleaned and can never become a formula.

    Styles are cached by name per workbook: openpyxl hashes a style object each
    time one is assigned, which would dominate the time of a large workbook.
    """

    def __init__(self, ws: Any, styles: dict[Look, Any], fills: dict[str, Any] | None = None) -> None:
        self.ws = ws
        self._styles = styles
        self._fills = fills or _FILLS

    def _cell(self, value: object) -> Cell:
        return WriteOnlyCell(self.ws, value=value)

    def _dress(
        self,
        cell: Cell,
        font: str | None = None,
        fill: str | None = None,
        alignment: str | None = None,
        number_format: str | None = None,
        quote: bool = False,
    ) -> Cell:
        alignment = alignment or "top"  # rows with wrapped text read best when every cell starts at the top
        look: Look = (font, fill, alignment, number_format, quote)
        style = self._styles.get(look)
        if style is not None:
            cell._style = copy(style)
            return cell
        if font:
            cell.font = _FONTS[font]
        if fill:
            cell.fill = self._fills[fill]
        if alignment:
            cell.alignment = _ALIGNMENTS[alignment]
        if number_format:
            cell.number_format = number_format
        if quote:
            cell.quotePrefix = True
        self._styles[look] = copy(cell._style)
        return cell

    def text(
        self, value: str | None, *, font: str | None = None, fill: str | None = None, alignment: str | None = None
    ) -> Cell:
        if value is None or value == "":
            return None
        text = clean_text(value)
        cell = self._cell(None)
        cell.value = text
        cell.data_type = "s"  # never "f", whatever the first character is
        if len(text) > MAX_WIDTH or "\n" in text:
            alignment = "wrap"
        # The quote prefix keeps formula-like text as text even when someone edits the cell later.
        return self._dress(cell, font, fill, alignment, None, looks_like_formula(text))

    def title(self, value: str) -> Cell:
        return self.text(value, font="title")

    def header(self, value: str) -> Cell:
        """A column heading; an empty one is still a cell in the headings' colours."""
        if not value:
            return self._dress(self._cell(None), "header", "header", "top")
        return self.text(value, font="header", fill="header", alignment="top")

    def level(self, level: Level, label: str) -> Cell:
        """An attention level, shown as ``label`` and coloured as the PDFs colour it."""
        name = f"level-{level.key}"
        return self.text(label, font=name, fill=name)

    def number(self, value: float | None, number_format: str = INTEGER_FORMAT) -> Cell:
        if value is None:
            return None
        return self._dress(self._cell(value), number_format=number_format)

    def percent(self, value: float | None) -> Cell:
        return self.number(value, PERCENT_FORMAT)

    def decimal(self, value: float | None) -> Cell:
        return self.number(value, DECIMAL_FORMAT)

    def day(self, value: date | datetime | None, number_format: str = DATE_FORMAT) -> Cell:
        if value is None:
            return None
        if isinstance(value, datetime):
            value = excel_datetime(value)
        return self._dress(self._cell(value), number_format=number_format)

    def timestamp(self, value: datetime | None) -> Cell:
        return self.day(value, DATETIME_FORMAT)

    def link(self, label: str, url: str | None) -> Cell:
        """A clickable link; nothing when ``url`` is not an http(s) URL that is safe to link."""
        target = http_url(url)
        if target is None:
            return None
        cell = self.text(label, font="link")
        if cell is not None:
            cell.hyperlink = Hyperlink(ref="", target=target)
        return cell

    def jump(self, label: str, location: str) -> Cell:
        """A link to a place in this workbook (``'Sheet'!A1``)."""
        cell = self.text(label, font="link")
        cell.hyperlink = Hyperlink(ref="", location=location)
        return cell


def _display_width(cell: Cell) -> int:
    if cell is None:
        return 0
    value = cell.value
    if isinstance(value, str):
        return max((len(line) for line in value.split("\n")), default=0)
    if isinstance(value, datetime):
        return 16 if cell.number_format == DATETIME_FORMAT else 10
    if isinstance(value, date):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, float):
        return 6 if cell.number_format == PERCENT_FORMAT else len(f"{value:,.1f}")
    return len(str(value))


def _lines(cell: Cell, ws: Any, column: int) -> int:
    """How many lines a wrapped text cell needs at its column's width."""
    if cell is None or not isinstance(cell.value, str):
        return 1
    text = cell.value
    if len(text) <= MAX_WIDTH and "\n" not in text:
        return 1
    width = max(1, int(ws.column_dimensions[get_column_letter(column)].width) - 1)
    return sum(max(1, -(-len(part) // width)) for part in text.split("\n"))


class SharedCells:
    """Written cells that recur from sheet to sheet (labels, headings, months), each made once per workbook.

    A write-only sheet writes a cell the moment its row is appended, reading its value
    and style, and the place it is given then; a cell without a link (which openpyxl
    files with the sheet the cell was made for) can therefore stand in many places.
    The least recently used are dropped beyond ``size``, so values that occur once
    (names, figures) do not pile up: memory stays flat however many sheets there are.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._cells: OrderedDict[Hashable, Cell] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], Cell]) -> Cell:
        cells = self._cells
        try:
            cell = cells[key]
        except KeyError:
            cell = cells[key] = make()
            if len(cells) > self.size:
                cells.popitem(last=False)
            return cell
        cells.move_to_end(key)
        return cell


class _MemoryWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's sheet writer, into memory instead of a temporary file."""

    def __init__(self, ws: Any) -> None:
        super().__init__(ws, out=io.BytesIO())

    def cleanup(self) -> None:
        self.out = io.BytesIO()


class _StreamedSheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """A write-only sheet with a final name, streamed into the ZIP the moment it is closed.

    Names come from :class:`reporter.render.xlsx_names.SheetNamer`, valid and
    unique already (openpyxl's own check scans every other name, which makes
    thousands of sheets quadratic). Once closed, the sheet's XML is compressed
    into the archive and dropped, so a workbook of thousands of sheets holds
    only the sheet being written.
    """

    _writer: Any = None

    def __init__(self, book: Book, title: str) -> None:
        self._final_title = title
        self._book = book
        super().__init__(book.workbook, title)

    @property
    def title(self) -> str:
        return self._final_title

    @title.setter
    def title(self, value: str) -> None:
        if value != self._final_title:
            raise ValueError(f"sheet {self._final_title!r} cannot be renamed")

    def _get_writer(self) -> None:
        if self._writer is None:
            writer = _MemoryWriter(self)
            writer.write_top()
            self._writer = writer

    def close(self) -> None:
        super().close()
        self._book._stream(self)


class Sheet:
    """One sheet: optional lines above a table, the table, then written in one go."""

    def __init__(self, book: Book, title: str) -> None:
        self.ws = book._add(title)
        self.book = book
        self.cells = Cells(self.ws, book.styles, book.fills)
        self._rows: list[Sequence[Cell]] = []
        self._header_row: int | None = None
        self._columns = 0
        self._level_columns: list[int] = []
        self._labels: Sequence[tuple[Level, str]] = ()
        self._table_end = 0
        self._tall: set[int] = set()
        self._scale: tuple[int, int, float] | None = None

    @property
    def next_row(self) -> int:
        return len(self._rows) + 1

    def line(self, *cells: Cell, title: bool = False) -> None:
        """A row outside the table; ``title``: it holds a title, and is made tall enough for it."""
        if title:
            self._tall.add(len(self._rows) + 1)
        self._rows.append(cells)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Cell]],
        *,
        level_columns: Sequence[int] = (),
        level_labels: Sequence[tuple[Level, str]] = (),
    ) -> None:
        """The sheet's table: a header row (frozen, filtered) and its rows.

        ``level_columns`` (0-based) are coloured by a rule per level, matching the text ``level_labels`` gives it.
        """
        self._header_row = self.next_row
        self._columns = len(headers)
        self._rows.append([self.cells.header(h) for h in headers])
        self._rows.extend(rows)
        self._table_end = len(self._rows)
        self._level_columns = [index + 1 for index in level_columns]
        self._labels = level_labels

    def colour_scale(self, first_column: int, last_column: int, middle: float) -> None:
        """Colour the table's cells in these columns (0-based) from red (0) through amber (``middle``) to green (1)."""
        self._scale = (first_column + 1, last_column + 1, middle)

    def write(self, min_widths: Sequence[int] = (), freeze: str | None = None) -> Any:
        """Fit the columns, freeze (``freeze``, else below the header) and filter the header, write the rows.

        Lines written after the table (``line`` once ``table`` is given) sit under it, outside its filter.
        """
        ws = self.ws
        widths: dict[int, int] = {}
        for row in self._rows:
            for index, cell in enumerate(row, 1):
                widths[index] = max(widths.get(index, 0), _display_width(cell))
        for index, width in widths.items():
            floor = min_widths[index - 1] if index <= len(min_widths) else 0
            ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(8, floor, width + 2))
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True  # printed one page wide
        ws.sheet_view.rightToLeft = self.book.right_to_left or None
        if freeze is not None:
            ws.freeze_panes = freeze
        if self._header_row is not None:
            header, end = self._header_row, self._table_end
            if freeze is None:
                ws.freeze_panes = f"A{header + 1}"
            last = get_column_letter(self._columns)
            ws.auto_filter.ref = f"A{header}:{last}{max(end, header)}"
            for index in self._level_columns if end > header else ():
                column = get_column_letter(index)
                add_level_rules(ws, f"{column}{header + 1}:{column}{end}", self._labels)
            if self._scale is not None and end > header:
                first, final, middle = self._scale
                ref = f"{get_column_letter(first)}{header + 1}:{get_column_letter(final)}{end}"
                add_colour_scale(ws, ref, middle)
        for number, row in enumerate(self._rows, 1):
            lines = max((_lines(cell, ws, index) for index, cell in enumerate(row, 1)), default=1)
            if lines > 1:  # spreadsheet programs do not all grow a row to fit wrapped text on opening
                ws.row_dimensions[number].height = min(409, 15 * lines)
            elif number in self._tall:  # nor to fit a title's larger type
                ws.row_dimensions[number].height = TITLE_HEIGHT
            ws.append(list(row))
        self._rows = []
        return ws


def add_level_rules(ws: Any, ref: str, labels: Sequence[tuple[Level, str]]) -> None:
    """Colour attention levels (the same colours as the PDFs) wherever ``ref`` shows one of ``labels``."""
    for level, label in labels:
        colour = hex_colour(level.colour)
        text = _level_text(level)
        quoted = label.replace('"', '""')
        rule = CellIsRule(
            operator="equal",
            formula=[f'"{quoted}"'],
            fill=PatternFill(fill_type="solid", start_color=colour, end_color=colour, bgColor=colour),
            font=Font(color=text, bold=True),
        )
        ws.conditional_formatting.add(ref, rule)


SCALE_LOW, SCALE_MIDDLE, SCALE_HIGH = "F8696B", "FFEB84", "63BE7B"
"""The colour scale's red, amber and green: light enough for black figures to read on them."""


def add_colour_scale(ws: Any, ref: str, middle: float) -> None:
    """Colour the shares in ``ref``: red at 0, amber at ``middle``, green at 1 (empty cells stay white)."""
    rule = ColorScaleRule(
        start_type="num",
        start_value=0,
        start_color=SCALE_LOW,
        mid_type="num",
        mid_value=middle,
        mid_color=SCALE_MIDDLE,
        end_type="num",
        end_value=1,
        end_color=SCALE_HIGH,
    )
    ws.conditional_formatting.add(ref, rule)


class _StampedZip(zipfile.ZipFile):
    """A ZIP whose entries all carry one fixed time, so equal workbooks are equal bytes."""

    def __init__(self, file: io.BytesIO, stamp: datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        moment = excel_datetime(stamp) or datetime(1980, 1, 1)
        self._stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
        self.streamed: set[str] = set()

    def writestr(  # type: ignore[override]
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: bytes | str, *args: Any, **kwargs: Any
    ) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        super().writestr(info, data)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        """openpyxl hands over each sheet here; a sheet already streamed is not written twice."""
        if arcname in self.streamed:
            return
        if isinstance(filename, io.BytesIO):
            self.writestr(arcname, filename.getvalue())
            return
        with open(filename, "rb") as handle:
            self.writestr(arcname or str(filename), handle.read())


class Book:
    """A workbook being written: its sheets, and the ZIP they stream into."""

    def __init__(
        self,
        *,
        title: str,
        creator: str,
        stamp: datetime,
        header_colour: str | None = None,
        right_to_left: bool = False,
        identifier: str = "",
    ) -> None:
        self.workbook = Workbook(write_only=True)
        self.right_to_left = right_to_left
        """Every sheet laid out right to left (an Arabic workbook)."""
        props = self.workbook.properties
        props.title = clean_text(title)[:255]
        props.creator = clean_text(creator)[:255]
        props.lastModifiedBy = props.creator
        props.identifier = clean_text(identifier)[:255] or None
        props.created = excel_datetime(stamp)
        props.modified = excel_datetime(stamp)
        self.styles: dict[Look, Any] = {}
        self.fills = dict(_FILLS)
        if header_colour and _RGB.fullmatch(header_colour):
            colour = hex_colour(header_colour)
            self.fills["header"] = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        self.shared = SharedCells()
        """Cells without a link that recur across the workbook's sheets."""
        self._buffer = io.BytesIO()
        self._zip = _StampedZip(self._buffer, stamp)

    @property
    def sheet_names(self) -> list[str]:
        return [ws.title for ws in self.workbook.worksheets]

    def _add(self, title: str) -> Any:
        ws = _StreamedSheet(self, title)
        ws._id = len(self.workbook._sheets) + 1
        self.workbook._add_sheet(ws)
        return ws

    def _stream(self, ws: Any) -> None:
        """Put a closed sheet's XML into the archive, where openpyxl would put it on saving."""
        name = ws.path[1:]
        self._zip.writestr(name, ws._writer.out.getvalue())
        self._zip.streamed.add(name)
        ws._writer.out = io.BytesIO()

    def save(self) -> bytes:
        """The workbook's bytes; unlike ``Workbook.save`` this keeps the modified time given."""
        ExcelWriter(self.workbook, self._zip).save()
        data: bytes = self._buffer.getvalue()
        return data
