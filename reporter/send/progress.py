"""Telling the user how a send goes: the estimate first, then a bar with the time left, or plain lines."""

from __future__ import annotations

import threading
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from reporter.send.runner import FAILED, PENDING, UNKNOWN, Outcome


def estimate(seconds: float) -> str:
    """``about 13 minutes``, ``less than a second``: how long a send will take, as people say it."""
    return duration(seconds) if seconds < 1 else f"about {duration(seconds)}"


def duration(seconds: float) -> str:
    """``13 minutes``, ``1 hour 7 minutes``, ``40 seconds``: a wait as people say it."""
    if seconds < 1:
        return "less than a second"
    seconds = round(seconds)
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} minutes"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} hour{'s' if hours != 1 else ''}" + (f" {minutes} minutes" if minutes else "")


class LineProgress:
    """One line for the estimate, one per delivery that did not go as planned, for logs and cron mail."""

    def __init__(self, stream: TextIO, rate: float) -> None:
        self._stream = stream
        self._rate = rate
        self._lock = threading.Lock()

    def begin(self, total: int, seconds: float) -> None:
        self._line(self._start(total, seconds))

    def done(self, outcome: Outcome) -> None:
        if outcome.status in (FAILED, UNKNOWN, PENDING):
            self._line(f"{outcome.customer}: {outcome.status}: {outcome.detail}")

    def notice(self, text: str) -> None:
        self._line(text)

    def _start(self, total: int, seconds: float) -> str:
        return f"sending {total} message(s) at {self._rate:g} a minute: {estimate(seconds)}"

    def end(self) -> None:
        pass

    def _line(self, text: str) -> None:
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()


class BarProgress(LineProgress):
    """A bar with the estimated time left, on a terminal."""

    def __init__(self, stream: TextIO, rate: float) -> None:
        super().__init__(stream, rate)
        self._console = Console(file=stream, highlight=False)
        self._bar = Progress(
            TextColumn("sending"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("·"),
            TimeRemainingColumn(),
            console=self._console,
            transient=True,
        )
        self._task = self._bar.add_task("send", total=0)

    def begin(self, total: int, seconds: float) -> None:
        self._console.print(self._start(total, seconds), markup=False)
        self._bar.update(self._task, total=total)
        self._bar.start()

    def done(self, outcome: Outcome) -> None:
        self._bar.advance(self._task)
        if outcome.status in (FAILED, UNKNOWN, PENDING):
            self._console.print(f"{outcome.customer}: {outcome.status}: {outcome.detail}", markup=False)

    def notice(self, text: str) -> None:
        self._console.print(text, markup=False)

    def end(self) -> None:
        self._bar.stop()


def progress_for(stream: TextIO, rate: float) -> LineProgress:
    return BarProgress(stream, rate) if stream.isatty() else LineProgress(stream, rate)
