"""Charts: functions from view data to SVG bytes.

Built on ``matplotlib.figure.Figure`` and its SVG backend, never on
pyplot's global state. Output is deterministic: fixed sizes, matplotlib's own
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
from matplotlib.ticker import Formatter
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
