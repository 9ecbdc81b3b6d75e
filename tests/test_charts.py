"""Charts are deterministic image bytes with no metadata that changes between runs."""

from __future__ import annotations

import io

from PIL import Image

from reporter.render import charts
from reporter.view.history import MonthPoint

POINTS = (
    MonthPoint("2025-11", 40.0, True),
    MonthPoint("2025-12", 40.0, False),
    MonthPoint("2026-01", 52.0, True),
    MonthPoint("2026-02", 52.0, False),
    MonthPoint("2026-03", 67.0, True),
)
BARS = (
    charts.Bar("High", 4, "4", "#C62828"),
    charts.Bar("Medium", 2, "2", "#EF6C00"),
    charts.Bar("Low", 0, "0", "#F9A825"),
)


def test_history_chart_is_the_same_svg_every_time_without_a_date() -> None:
    first = charts.history_chart(POINTS, 100.0, "#1F3A5F")
    second = charts.history_chart(POINTS, 100.0, "#1F3A5F")
    assert first == second
    assert first.startswith(b"<?xml")
    assert b"<dc:date>" not in first
    assert b"Matplotlib" not in first


def test_bar_chart_uses_patterns_as_well_as_colours_for_greyscale_print() -> None:
    svg = charts.bar_chart(BARS)
    assert svg == charts.bar_chart(BARS)
    assert b"<pattern" in svg
    assert b"<pattern" not in charts.bar_chart(BARS, patterns=False)


def test_png_charts_are_deterministic_have_a_fixed_size_and_no_software_tag() -> None:
    first = charts.bar_chart(
        BARS, horizontal=False, highlight=1, highlight_text="You", width=3.3, height=1.65, fmt="png"
    )
    assert first == charts.bar_chart(
        BARS, horizontal=False, highlight=1, highlight_text="You", width=3.3, height=1.65, fmt="png"
    )
    image = Image.open(io.BytesIO(first))
    assert image.size == (round(3.3 * charts.PNG_DPI), round(1.65 * charts.PNG_DPI))
    assert "Software" not in image.info


def test_charts_draw_empty_and_single_point_data() -> None:
    assert charts.history_chart(POINTS[:1], None, "#1F3A5F")
    assert charts.bar_chart([charts.Bar("None", 0, "0", "#9E9E9E")])


def test_data_uri_names_the_image_type() -> None:
    assert charts.data_uri(charts.bar_chart(BARS)).startswith("data:image/svg+xml;base64,")
    assert charts.data_uri(charts.bar_chart(BARS, fmt="png")).startswith("data:image/png;base64,")
