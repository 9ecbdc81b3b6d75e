"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from reporter.errors import OutputError


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Only a regular file is ever replaced: a device, a folder or a symbolic link
    at ``path`` is refused (as root, renaming over ``/dev/null`` would replace it).
    """
    folder = path.parent
    check_output_file(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write to {folder}: {exc.strerror}", "choose a folder you can write to") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())  # as an ordinary open() would, not mkstemp's 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror}", "check the free space and permissions") from None


def check_output_file(path: Path) -> None:
    """Fail now, not after a long collection, if ``path`` cannot be written as a file."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}", "choose another output path") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(f"{path} exists and is not a regular file", "give the path of a new or ordinary file")
    parent = path.parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: {existing or parent} is not a writable folder", "choose another path")


T = TypeVar("T")


def replace_folder(folder: Path, build: Callable[[Path], T]) -> T:
    """Make ``folder`` with ``build(staging)``, then rename it into place.

    ``folder`` appears complete or not at all; a folder already there is replaced
    only once the new one is complete. A build that was killed leaves a hidden
    ``.NAME.partial`` (removed by the next call) and, if killed between the two
    renames, the previous folder as ``.NAME.old``, which the next call restores.
    """
    parent = folder.parent
    staging = parent / f".{folder.name}.partial"
    retired = parent / f".{folder.name}.old"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if retired.exists() and not folder.exists():
            os.replace(retired, folder)
        for leftover in (staging, retired):
            if leftover.exists():
                shutil.rmtree(leftover)
    except OSError as exc:
        raise OutputError(f"cannot write to {parent}: {exc.strerror}", "choose a folder you can write to") from None
    try:
        result = build(staging)
        if folder.exists():
            os.replace(folder, retired)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not folder.exists():
            os.replace(retired, folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return result


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` can only set it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022
