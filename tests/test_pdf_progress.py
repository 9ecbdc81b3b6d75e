"""The progress bar counts finished reports on a terminal and stays silent otherwise."""

from __future__ import annotations

import pytest

from reporter.render.pdf_progress import progress


def test_progress_is_silent_when_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    with progress(3, "Customer reports", enabled=False) as advance:
        for _ in range(3):
            advance()
    assert capsys.readouterr() == ("", "")


def test_progress_reports_on_stderr_when_enabled(capsys: pytest.CaptureFixture[str]) -> None:
    with progress(2, "Customer reports", enabled=True) as advance:
        advance()
        advance()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Customer reports" in captured.err
    assert "2/2" in captured.err
