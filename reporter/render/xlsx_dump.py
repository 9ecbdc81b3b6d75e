"""A text dump of a workbook (values, types, number formats, links, filters, frozen panes, charts).

Goldens compare this dump, never XLSX bytes: a change in the dump is a change a
reader of the workbook would see.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter


def _value(cell: Any) -> str:
    value = cell.value
    shown = value.isoformat() if isinstance(value, datetime | date) else repr(value)
    parts = [f"{cell.coordinate} {cell.data_type} {shown}"]
    if cell.number_format != "General":
        parts.append(f"fmt={cell.number_format}")
    if cell.quotePrefix:
        parts.append("quoted")
    link = cell.hyperlink
    if link is not None:
        parts.append(f"link={link.target or ''}#{link.location or ''}")
    return " ".join(parts)


def _colour_scale(rule: Any) -> str:
    scale = rule.colorScale
    stops = zip(scale.cfvo, scale.color, strict=True)
    return "colour scale " + ", ".join(f"{stop.type} {stop.val:g} {colour.rgb[-6:]}" for stop, colour in stops)


def _reference(source: Any) -> str:
    """The cells a chart's data source points at (a number or a text reference)."""
    if source is None:
        return "-"
    ref = source.numRef or source.strRef
    return ref.f if ref is not None else "-"


def _chart(chart: Any) -> list[str]:
    """A chart's kind, place, title and the cells each series draws."""
    marker = chart.anchor._from
    where = f"{get_column_letter(marker.col + 1)}{marker.row + 1}"
    title = chart.title
    runs = [run.t for p in title.tx.rich.p for run in (p.r or ())] if title and title.tx and title.tx.rich else []
    lines = [f"chart {type(chart).__name__} at {where}: {''.join(runs)!r}"]
    for series in chart.series:
        label = series.tx.strRef.f if series.tx and series.tx.strRef else "-"
        lines.append(f"  series {label}: {_reference(series.val)} by {_reference(series.cat)}")
    return lines


def dump_workbook(path: Path) -> str:
    """Every non-empty cell of every sheet, one line each, plus each sheet's filter and panes."""
    workbook = load_workbook(path)
    props = workbook.properties
    lines = [
        f"title: {props.title}",
        f"creator: {props.creator}",
        f"created: {props.created.isoformat() if props.created else None}",
        f"modified: {props.modified.isoformat() if props.modified else None}",
    ]
    for ws in workbook.worksheets:
        lines.append("")
        lines.append(f"== {ws.title}")
        lines.append(f"freeze={ws.freeze_panes} filter={ws.auto_filter.ref} charts={len(ws._charts)}")
        for rng in ws.conditional_formatting:
            formulas = ",".join(f for rule in rng.rules for f in rule.formula)
            scales = "; ".join(_colour_scale(rule) for rule in rng.rules if rule.type == "colorScale")
            lines.append(f"conditional {rng.sqref}: {formulas}{scales}")
        for chart in ws._charts:
            lines += _chart(chart)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    lines.append(_value(cell))
    workbook.close()
    return "\n".join(lines) + "\n"
