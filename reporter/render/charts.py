"""Charts: functions from view data to SVG bytes.

Built on ``matplotlib.figure.Figure`` and its SVG backend, never on
pyplot's global state (all but ``progress_chart``, a few shapes written by hand:
every customer report draws one). Output is deterministic: fixed sizes, matplotlib's own
DejaVu Sans (the face the documents use), text drawn as paths, a fixed hash
salt for element ids and no date or software metadata. Every series is told
apart by pattern, marker or direct label as well as colour, so a chart still
reads when printed in greyscale.

Charts are drawn in the active language (:func:`reporter.view.language.use`):
month names and numbers come from its locale, sentences from its catalogue.
What DejaVu Sans lacks comes glyph by glyph from the bundled Noto Sans Arabic
and Droid Sans Fallback (Chinese, Japanese, Korean); matplotlib shapes Arabic
itself (libraqm). In a right-to-left language, horizontal bar charts are
mirrored and numbers inside sentences are isolated so they keep reading left
to right.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

import matplotlib
from babel.dates import format_skeleton, get_month_names
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator
from matplotlib.typing import RcKeyType
from PIL import Image

from reporter.resources import assets_dir
from reporter.view import fmt as formats
from reporter.view import language
from reporter.view.history import MonthPoint

INK = "#1B1F24"
MUTED = "#5F6B7A"
GRID = "#D5DAE1"

FONT_FILES = ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "DroidSansFallbackFull.ttf")
"""The bundled fonts (in ``assets/fonts``) matplotlib falls back to for what DejaVu Sans lacks."""
FAMILIES = ("DejaVu Sans", "Noto Sans Arabic", "Droid Sans Fallback")
"""Tried glyph by glyph, in this order. DejaVu Sans draws Latin and digits, as in the PDFs, and the Arabic
letters it has (the PDFs of Arabic documents take those from Noto Sans Arabic, which has other digits)."""
_NO_BOLD = "Droid Sans Fallback"
LRI, PDI = formats.LRI, formats.PDI
"""Left-to-right isolate and its end: a number in a right-to-left sentence keeps its own order (``80%``)."""

_RC: dict[RcKeyType, Any] = {
    "font.family": list(FAMILIES),
    "font.size": 8.5,
    "svg.fonttype": "path",
    "svg.hashsalt": "reporter",
    "svg.image_inline": True,
    "path.simplify": False,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "hatch.linewidth": 0.8,
}
ImageFormat = Literal["svg", "png"]
"""PNG (at ``PNG_DPI``) is what the PDFs embed: WeasyPrint draws it far faster than matplotlib's SVG."""
_HATCHES = ("", "////", "....", "xxx", "\\\\\\\\", "ooo", "---")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value, the text printed beside it and its colour."""

    label: str
    value: float
    text: str
    colour: str


@cache
def register_fonts() -> None:
    """Make the bundled fallback fonts known to matplotlib (once per process).

    They go first in the font list, so a font of the same name installed on the
    system cannot take their place and change the charts' bytes. Droid Sans
    Fallback has no bold: its regular face is registered as the bold too, so bold
    text finds it without a warning (as in the PDFs, which also draw it regular).
    """
    manager = font_manager.fontManager
    paths = {str(assets_dir() / "fonts" / name) for name in FONT_FILES}
    known = {entry.fname for entry in manager.ttflist}
    for path in sorted(paths - known):
        manager.addfont(path)  # also empties findfont's cache: no lookup happens before the reordering below
    ours = [entry for entry in manager.ttflist if entry.fname in paths]
    bold = [dataclasses.replace(entry, weight=700) for entry in ours if entry.name == _NO_BOLD and entry.weight == 400]
    others = [entry for entry in manager.ttflist if entry.fname not in paths]
    manager.ttflist[:] = [*ours, *bold, *others]


@contextmanager
def _style() -> Iterator[None]:
    register_fonts()
    with matplotlib.rc_context(_RC):
        yield


def _isolated(text: str) -> str:
    """``text`` as a left-to-right island when the active language is written right to left."""
    return formats.isolate(formats.plain(text))  # figures the formatter isolated already: one island


def _figure(value: float) -> str:
    """A score as the active locale writes it: whole numbers without decimals, others with one."""
    number = float(value)  # not a NumPy scalar, whose repr the formatter cannot read
    return formats.number(number, 0 if number.is_integer() else 1)


class _Ticks(Formatter):
    """Axis ticks as the active locale writes them (``2,5`` in German), all with as many decimals as the
    finest needs (``0.0 0.5 1.0``), as matplotlib's own formatter writes them.
    """

    digits = 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self.digits = max((_decimals(float(value)) for value in locs), default=0)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return formats.number(float(x), self.digits)  # float: matplotlib passes NumPy scalars


def _decimals(value: float, most: int = 3) -> int:
    return next((d for d in range(most) if round(value, d) == round(value, most)), most)


PNG_DPI = 220
_METADATA: dict[str, dict[str, str | None]] = {
    "svg": {"Date": None, "Creator": None, "Format": None, "Type": None},
    "png": {"Software": None},
}
_MIME = {"svg": "image/svg+xml", "png": "image/png"}


def _save(fig: Figure, fmt: ImageFormat) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=_METADATA[fmt])
    if fmt == "svg":
        return buffer.getvalue()
    # Opaque RGB: no alpha channel for the PDF to carry as a soft mask.
    opaque = io.BytesIO()
    Image.open(buffer).convert("RGB").save(opaque, format="PNG")
    return opaque.getvalue()


def data_uri(image: bytes) -> str:
    """The image as a ``data:`` URI (its format read from its first bytes)."""
    mime = _MIME["png"] if image.startswith(b"\x89PNG") else _MIME["svg"]
    return f"data:{mime};base64," + base64.b64encode(image).decode("ascii")


def _clean(ax: object) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)


def history_chart(
    points: Sequence[MonthPoint], maximum: float | None, colour: str, width: float = 6.6, fmt: ImageFormat = "svg"
) -> bytes:
    """The monthly score, forward-filled: filled markers where the score changed, hollow where carried."""
    with _style():
        fig = Figure(figsize=(width, 2.3), layout="constrained")
        ax = fig.add_subplot()
        _clean(ax)
        xs = list(range(len(points)))
        ys = [p.score for p in points]
        top = max([maximum or 0.0, *ys, 1.0])
        ax.step(xs, ys, where="post", color=colour, linewidth=1.8, zorder=2) if len(xs) > 1 else None
        ax.plot(xs, ys, linestyle="none", marker="o", markersize=5, markerfacecolor="white", color=colour, zorder=3)
        changed = [i for i, p in enumerate(points) if p.changed]
        ax.plot(changed, [ys[i] for i in changed], linestyle="none", marker="o", markersize=5.5, color=colour, zorder=4)
        if points:
            ax.annotate(
                _isolated(_figure(ys[-1])),
                (xs[-1], ys[-1]),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=9.5,
                fontweight="bold",
                color=INK,
            )
        if maximum:
            ax.axhline(maximum, color=MUTED, linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
            ax.annotate(
                language.gettext("maximum {value}").format(value=_isolated(_figure(maximum))),
                (0, maximum),
                xytext=(0, 3),
                textcoords="offset points",
                va="bottom",
                ha="left",
                fontsize=7.5,
                color=MUTED,
            )
        ax.set_ylim(0, top * 1.15)
        ax.set_xlim(-0.5, max(len(xs) - 0.5, 0.5) + 0.4)
        step = max(1, (len(points) + 11) // 12)
        ax.set_xticks(xs[::step], [month_label(p.month) for p in points[::step]])
        ax.yaxis.set_major_formatter(_Ticks())
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        return _save(fig, fmt)


def month_label(month: str) -> str:
    """The tick label of ``"2026-03"`` in the active language: the month's short name (``"Mar"``,
    ``"Mär"``, ``"3月"``), and in January the year below it (``"Jan\\n2026"``, ``"1月\\n2026年"``).
    """
    year, number = (int(part) for part in month.split("-"))
    locale = language.active().locale
    name = get_month_names("abbreviated", context="stand-alone", locale=locale)[number]
    if number != 1:
        return formats.plain(name)
    return formats.plain(f"{name}\n{format_skeleton('y', date(year, number, 1), locale=locale)}")


def bar_chart(
    bars: Sequence[Bar],
    *,
    horizontal: bool = True,
    highlight: int | None = None,
    highlight_text: str = "",
    width: float = 3.2,
    height: float | None = None,
    patterns: bool = True,
    fmt: ImageFormat = "svg",
) -> bytes:
    """Bars with their values printed beside them, each in its own colour and pattern."""
    with _style():
        size = (width, height or (0.32 * len(bars) + 0.35 if horizontal else 2.2))
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        _clean(ax)
        values = [b.value for b in bars]
        top = max([*values, 1.0])
        positions = list(range(len(bars)))
        hatches = [_HATCHES[i % len(_HATCHES)] if patterns else "" for i in positions]
        if horizontal:
            rtl = language.active().rtl  # mirrored: labels on the right, bars growing to the left
            drawn = ax.barh(
                positions, values, color=[b.colour for b in bars], height=0.62, edgecolor=INK, linewidth=0.5
            )
            ax.invert_yaxis()
            ax.set_yticks(positions, [b.label for b in bars])
            ax.set_xticks([])
            ax.set_xlim(0, top * 1.45)
            ax.spines["bottom"].set_visible(False)
            if rtl:
                ax.invert_xaxis()
                ax.yaxis.tick_right()
            for i, b in enumerate(bars):
                ax.text(
                    b.value + top * 0.03,
                    i,
                    _isolated(b.text),
                    va="center",
                    ha="right" if rtl else "left",
                    fontsize=8,
                    color=INK,
                )
        else:
            drawn = ax.bar(positions, values, color=[b.colour for b in bars], width=0.66, edgecolor=INK, linewidth=0.5)
            ax.set_xticks(positions, [b.label for b in bars], fontsize=6.8)
            ax.set_yticks([])
            ax.set_ylim(0, top * (1.55 if highlight is not None else 1.3))
            for i, b in enumerate(bars):
                ax.text(i, b.value + top * 0.03, _isolated(b.text), va="bottom", ha="center", fontsize=8, color=INK)
        for patch, hatch in zip(drawn, hatches, strict=True):
            patch.set_hatch(hatch)
        if highlight is not None and 0 <= highlight < len(bars):
            patch = drawn[highlight]
            patch.set_linewidth(1.8)
            patch.set_edgecolor(INK)
            if not horizontal and highlight_text:
                ax.text(
                    highlight,
                    bars[highlight].value + top * 0.16,
                    f"{highlight_text}\n▼",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    fontweight="bold",
                    color=INK,
                    linespacing=1.0,
                )
        return _save(fig, fmt)


# --- trends ---------------------------------------------------------------------------------------------------------

SURFACE = "#F3F5F8"
"""The pale band a month without figures is drawn as."""


def progress_chart(
    values: Sequence[float | None], colour: str, *, width: float, height: float, rtl: bool = False
) -> bytes:
    """A customer's MFA coverage month by month (shares 0–1), as a small SVG drawn over its table's month columns.

    Sized in millimetres (``width`` × ``height``), so each month's point sits at the
    centre of its column: month ``i`` of ``n`` at ``(i + 0.5) / n`` of the width, from
    the right in a right-to-left document (whose table runs from the right). A month
    without a figure is a pale band with nothing on it, never a zero; a line joins
    consecutive months only. Gridlines mark 0%, 50% and 100%. No text: the table
    below gives every figure, in the document's language and fonts.

    Written by hand, not with matplotlib: a customer report of a partner of thousands
    draws one each, and this costs microseconds where a matplotlib figure costs a
    tenth of a second. The bytes depend on the arguments alone.
    """
    count = len(values)
    column = width / count if count else width
    pad = 1.6
    plot = height - 2 * pad

    def x(index: int) -> float:
        centre = (index + 0.5) * column
        return width - centre if rtl else centre

    def y(share: float) -> float:
        return pad + (1 - min(1.0, max(0.0, share))) * plot

    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{_n(width)}mm" height="{_n(height)}mm" viewBox="0 0 {_n(width)} {_n(height)}">'
    ]
    for index, value in enumerate(values):
        if value is None:
            left = x(index) - column / 2
            parts.append(
                f'<rect x="{_n(left + 0.4)}" y="0" width="{_n(column - 0.8)}" height="{_n(height)}" fill="{SURFACE}"/>'
            )
    for share, dash in ((0.0, ""), (0.5, ' stroke-dasharray="0.8 0.8"'), (1.0, "")):
        parts.append(
            f'<line x1="0" y1="{_n(y(share))}" x2="{_n(width)}" y2="{_n(y(share))}" '
            f'stroke="{GRID}" stroke-width="0.2"{dash}/>'
        )
    run: list[tuple[float, float]] = []
    runs = []
    for index, value in enumerate(values):
        if value is None:
            runs.append(run)
            run = []
        else:
            run.append((x(index), y(value)))
    runs.append(run)
    for points in runs:
        if len(points) > 1:
            drawn = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
            parts.append(
                f'<polyline points="{drawn}" fill="none" stroke="{colour}" stroke-width="0.6" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    for points in runs:
        for px, py in points:
            parts.append(
                f'<circle cx="{_n(px)}" cy="{_n(py)}" r="0.85" fill="{colour}" stroke="#FFFFFF" stroke-width="0.3"/>'
            )
    parts.append("</svg>")
    return "".join(parts).encode()


def _n(value: float) -> str:
    """A coordinate with two decimals at most, the same on every machine."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def trend_line_chart(
    months: Sequence[str],
    values: Sequence[float | None],
    colour: str,
    *,
    percent: bool = False,
    maximum: float | None = None,
    integer: bool = False,
    width: float = 3.3,
    height: float = 1.9,
    fmt: ImageFormat = "svg",
) -> bytes:
    """One figure month by month: a line with a marker per month that has it, broken (and a pale band) where it
    has none.

    ``percent``: shares 0–1 on a 0–100% axis; else counts or scores from 0, with
    ``maximum`` as a dashed line when given (``integer``: whole-number ticks, for counts).
    The latest figure is written above its point.
    """
    with _style():
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
        _clean(ax)
        xs = list(range(len(months)))
        ys = [float("nan") if v is None else float(v) for v in values]
        known = [v for v in values if v is not None]
        _gap_bands(ax, [v is None for v in values])
        ax.plot(xs, ys, color=colour, linewidth=1.6, marker="o", markersize=4, zorder=3)
        if known:
            last = max(i for i, v in enumerate(values) if v is not None)
            shown = values[last]
            assert shown is not None
            text = formats.format_percent(shown) if percent else _figure(shown)
            ax.annotate(
                _isolated(text),
                (xs[last], ys[last]),
                xytext=(0, 6),
                textcoords="offset points",
                ha="center",
                fontsize=8.5,
                fontweight="bold",
                color=INK,
            )
        if percent:
            ax.set_ylim(0, 1.15)
            ax.set_yticks([0, 0.5, 1.0], [formats.format_percent(v) for v in (0.0, 0.5, 1.0)])
        else:
            top = max([maximum or 0.0, *known, 1.0])
            ax.set_ylim(0, top * 1.15)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=integer))
            ax.yaxis.set_major_formatter(_Ticks())
            if maximum:
                ax.axhline(maximum, color=MUTED, linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
        _month_axis(ax, months)
        return _save(fig, fmt)


def _gap_bands(ax: Any, gaps: Sequence[bool]) -> None:
    """A pale band over each month without a figure: a gap, which a reader must not take for a zero."""
    for index, gap in enumerate(gaps):
        if gap:
            ax.axvspan(index - 0.45, index + 0.45, color=SURFACE, zorder=0, linewidth=0)


def _month_axis(ax: Any, months: Sequence[str]) -> None:
    ax.set_xlim(-0.6, len(months) - 0.4)
    step = max(1, (len(months) + 5) // 6)
    ticks = list(range(len(months)))[::step]
    ax.set_xticks(ticks, [month_label(months[i]) for i in ticks])
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def stacked_month_chart(
    months: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int | None]]],
    *,
    width: float = 6.6,
    height: float = 2.3,
    fmt: ImageFormat = "svg",
) -> bytes:
    """Counts month by month, stacked: ``series`` are (label, colour, one count per month or None).

    A month whose counts are None has no bar but a pale band (a gap, not zero). Each series has its
    pattern as well as its colour; the legend below names the series that have any count.
    """
    with _style():
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
        _clean(ax)
        xs = list(range(len(months)))
        _gap_bands(ax, [all(counts[i] is None for _, _, counts in series) for i in xs])
        bottom = [0.0] * len(months)
        handles = []
        for index, (label, colour, counts) in enumerate(series):
            heights = [float(c) if c is not None else 0.0 for c in counts]
            if not any(heights):
                continue
            bars = ax.bar(
                xs,
                heights,
                bottom=bottom,
                color=colour,
                width=0.62,
                edgecolor=INK,
                linewidth=0.4,
                hatch=_HATCHES[index % len(_HATCHES)],
                label=label,
            )
            handles.append(bars)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        top = max([*bottom, 1.0])
        ax.set_ylim(0, top * 1.1)
        ax.yaxis.set_major_formatter(_Ticks())
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        _month_axis(ax, months)
        if handles:
            fig.legend(
                handles=handles,
                loc="outside lower center",
                ncols=min(len(handles), 2),
                frameon=False,
                fontsize=7.5,
                handlelength=1.4,
                columnspacing=1.2,
            )
        return _save(fig, fmt)
