"""Charts: functions from view data to SVG bytes.

Built on ``matplotlib.figure.Figure`` and its SVG backend, never on
pyplot's global state. Output is deterministic: fixed sizes, matplotlib's own
DejaVu Sans (the face the documents use), text drawn as paths, a fixed hash
salt for element ids and no date or software metadata. Every series is told
apart by pattern, marker or direct label as well as colour, so a chart still
reads when printed in greyscale.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType
from PIL import Image

from reporter.view.history import MonthPoint

INK = "#1B1F24"
MUTED = "#5F6B7A"
GRID = "#D5DAE1"

_RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
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


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(_RC):
        yield


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
                f"{ys[-1]:g}",
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
                f"maximum {maximum:g}",
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
        ax.set_xticks(xs[::step], [_month_label(p.month) for p in points[::step]])
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        return _save(fig, fmt)


def _month_label(month: str) -> str:
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    year, number = month.split("-")
    return f"{names[int(number) - 1]}\n{year}" if number == "01" or month.endswith("-01") else names[int(number) - 1]


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
            drawn = ax.barh(
                positions, values, color=[b.colour for b in bars], height=0.62, edgecolor=INK, linewidth=0.5
            )
            ax.invert_yaxis()
            ax.set_yticks(positions, [b.label for b in bars])
            ax.set_xticks([])
            ax.set_xlim(0, top * 1.45)
            ax.spines["bottom"].set_visible(False)
            for i, b in enumerate(bars):
                ax.text(b.value + top * 0.03, i, b.text, va="center", ha="left", fontsize=8, color=INK)
        else:
            drawn = ax.bar(positions, values, color=[b.colour for b in bars], width=0.66, edgecolor=INK, linewidth=0.5)
            ax.set_xticks(positions, [b.label for b in bars], fontsize=6.8)
            ax.set_yticks([])
            ax.set_ylim(0, top * (1.55 if highlight is not None else 1.3))
            for i, b in enumerate(bars):
                ax.text(i, b.value + top * 0.03, b.text, va="bottom", ha="center", fontsize=8, color=INK)
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
