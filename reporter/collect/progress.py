"""Telling the user how collection goes: a progress bar on a terminal, plain lines otherwise.

Every method may be called from any fetching thread. Nothing here ever sees a
secret or a header: only source names, counts and the retry notices the
retrier writes (method, path, status and request ids).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text


class CollectProgress(Protocol):
    def start(self, source: str) -> None: ...

    def page(self, source: str, items: int) -> None: ...

    def done(self, source: str) -> None: ...

    def failed(self, source: str, reason: str) -> None: ...

    def note(self, message: str) -> None: ...


class NullProgress:
    def start(self, source: str) -> None:
        pass

    def page(self, source: str, items: int) -> None:
        pass

    def done(self, source: str) -> None:
        pass

    def failed(self, source: str, reason: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass


class _Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: dict[str, int] = {}
        self.items: dict[str, int] = {}

    def add(self, source: str, items: int) -> tuple[int, int]:
        with self.lock:
            self.pages[source] = self.pages.get(source, 0) + 1
            self.items[source] = self.items.get(source, 0) + items
            return self.pages[source], self.items[source]

    def get(self, source: str) -> tuple[int, int]:
        with self.lock:
            return self.pages.get(source, 0), self.items.get(source, 0)


class LineProgress:
    """One line per event on ``stream`` (for logs and pipes)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._counts = _Counts()

    def _write(self, text: str) -> None:
        with self._lock:
            self._stream.write(f"collect: {text}\n")
            self._stream.flush()

    def start(self, source: str) -> None:
        self._write(f"{source}: fetching")

    def page(self, source: str, items: int) -> None:
        pages, total = self._counts.add(source, items)
        self._write(f"{source}: page {pages}, {total} items")

    def done(self, source: str) -> None:
        pages, total = self._counts.get(source)
        self._write(f"{source}: done ({total} items in {pages} pages)" if pages else f"{source}: done")

    def failed(self, source: str, reason: str) -> None:
        self._write(f"{source}: not collected: {reason}")

    def note(self, message: str) -> None:
        self._write(message)


class BarProgress:
    """A rich progress display, one row per source; use as a context manager."""

    def __init__(self, stream: TextIO) -> None:
        self._console = Console(file=stream)
        self._bars = Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(bar_width=None),
            TextColumn("{task.fields[pages]} pages, {task.fields[items]} items"),
            TimeElapsedColumn(),
            console=self._console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._counts = _Counts()
        self._lock = threading.Lock()

    def __enter__(self) -> BarProgress:
        self._bars.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._bars.stop()

    def start(self, source: str) -> None:
        with self._lock:
            self._tasks[source] = self._bars.add_task(source, total=None, pages=0, items=0)

    def page(self, source: str, items: int) -> None:
        pages, total = self._counts.add(source, items)
        self._bars.update(self._task(source), pages=pages, items=total)

    def done(self, source: str) -> None:
        pages, total = self._counts.get(source)
        task = self._task(source)
        self._bars.update(task, total=1, completed=1, pages=pages, items=total)

    def failed(self, source: str, reason: str) -> None:
        self._bars.update(self._task(source), description=f"{source} (failed)", total=1, completed=0)
        self._bars.console.print(Text.assemble((f"{source}: not collected: ", "yellow"), reason), highlight=False)

    def note(self, message: str) -> None:
        self._bars.console.print(message, markup=False, highlight=False)

    def _task(self, source: str) -> TaskID:
        with self._lock:
            if source not in self._tasks:
                self._tasks[source] = self._bars.add_task(source, total=None, pages=0, items=0)
            return self._tasks[source]


@contextmanager
def progress_for(stream: TextIO) -> Iterator[CollectProgress]:
    """A bar when ``stream`` is a terminal, plain lines when it is not."""
    if stream.isatty():
        with BarProgress(stream) as bar:
            yield bar
    else:
        yield LineProgress(stream)
