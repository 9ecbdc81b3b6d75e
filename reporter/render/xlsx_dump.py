"""A text dump of a workbook (values, types, number formats, links, filters, frozen panes).

Goldens compare this dump, never XLSX bytes: a change in the dump is a change a
reader of the workbook would see.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook


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
            lines.append(f"conditional {rng.sqref}: {formulas}")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    lines.append(_value(cell))
    workbook.close()
    return "\n".join(lines) + "\n"
