"""Writing files so that a reader never sees half of one, and folders replaced whole, one writer at a time."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from reporter.errors import OutputError

KERNEL_FILE_SYSTEMS = frozenset(
    {"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "configfs"}
    | {"pstore", "bpf", "mqueue", "hugetlbfs", "fusectl", "binfmt_misc", "efivarfs", "autofs"}
)
"""File systems the kernel makes up: their files are views of its state, never a place for ours."""

PARTIAL_SUFFIX = ".partial"
LOCK_SUFFIX = ".lock"


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
        raise OutputError(f"cannot write to {folder}: {_cause(exc)}", "choose a folder you can write to") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~file_mode_mask())  # as an ordinary open() would, not mkstemp's 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_cause(exc)}", "check the free space and permissions") from None


def check_output_file(path: Path) -> None:
    """Fail now, not after a long collection, if ``path`` cannot be written as a file.

    The message names the cause: not a regular file, inside a file, a kernel file
    system such as ``/proc``, a read-only file system, or no permission.
    """
    mode = _mode(path, "choose another output path")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(f"{path} exists and is not a regular file", "give the path of a new or ordinary file")
    _check_kernel_file_system(path)
    check_writable_parent(path, "choose another output path")


def check_output_folder(folder: Path) -> None:
    """Fail at once, naming the cause, if ``folder`` cannot be made or replaced as a folder of ours."""
    mode = _mode(folder, "choose another output folder")
    if mode is not None and not stat.S_ISDIR(mode):
        raise OutputError(f"{folder} exists and is not a folder", "give a new folder or one reporter wrote")
    _check_kernel_file_system(folder)
    check_writable_parent(folder, "choose another output folder")


def check_writable_parent(path: Path, hint: str) -> None:
    """The nearest existing folder above ``path`` must be a folder we may write to."""
    existing = next((p for p in (path.parent, *path.parent.parents) if _exists(p)), None)
    if existing is None:
        raise OutputError(f"cannot write {path}: none of the folders above it exists", hint)
    if not existing.is_dir():
        raise OutputError(f"cannot write {path}: it is inside a file, not a folder ({existing} is a file)", hint)
    if _read_only(existing):
        raise OutputError(f"cannot write {path}: {existing} is on a read-only file system", hint)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: permission denied in {existing}", hint)


def _mode(path: Path, hint: str) -> int | None:
    try:
        return path.lstat().st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        blocker = next((p for p in path.parents if p.is_file()), path.parent)
        inside = f"it is inside a file, not a folder ({blocker} is a file)"
        raise OutputError(f"cannot write {path}: {inside}", hint) from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_cause(exc)}", hint) from None


def _exists(path: Path) -> bool:
    try:
        path.lstat()
    except OSError:
        return False
    return True


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _check_kernel_file_system(path: Path) -> None:
    kind = file_system_type(path)
    if kind in KERNEL_FILE_SYSTEMS:
        raise OutputError(
            f"cannot write {path}: it is on the kernel's {kind} file system, which holds no ordinary files",
            "choose a path on an ordinary disk",
        )


def file_system_type(path: Path) -> str | None:
    """The type of the file system ``path`` is (or would be) on, from ``/proc/self/mounts``; None if unknown."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as handle:
            mounts = handle.read(1 << 20).splitlines()
    except OSError:
        return None
    target = os.path.abspath(path)
    best, kind = "", None
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def _cause(exc: OSError) -> str:
    """The operating system's reason, in words a user recognises."""
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


@contextmanager
def exclusive_lock(lock_file: Path, busy: OutputError) -> Iterator[None]:
    """An exclusive POSIX record lock on ``lock_file`` (created if need be, left in place); ``busy`` if held.

    The kernel releases it when the process ends, however it ends (SIGKILL too), and
    unlike ``flock`` it is not shared with forked children: worker processes orphaned
    by a killed run cannot keep the next one out. The file is never deleted: removing
    a lock file another process has open would let a third lock a new one.
    """
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_file.open("a")
    except OSError as exc:
        raise OutputError(
            f"cannot write to {lock_file.parent}: {_cause(exc)}", "choose a folder you can write to"
        ) from None
    with handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # EAGAIN or EACCES: another process holds it
            raise busy from None
        yield


T = TypeVar("T")


def replace_folder(
    folder: Path,
    build: Callable[[Path], T],
    *,
    check: Callable[[Path], None] | None = None,
    before_swap: Callable[[], None] | None = None,
) -> T:
    """Make ``folder`` with ``build(staging)``, then rename it into place.

    ``folder`` appears complete or not at all; a folder already there is replaced
    only once the new one is complete, and only if ``check(folder)`` (called before
    locking, under the lock before building, and again before the swap) does not raise. ``before_swap()`` runs once
    the new folder is complete, just before it replaces the old one.

    One writer at a time: a record lock on ``.NAME.lock`` beside ``folder`` (kept
    between calls) makes a second call fail at once. Each build has its own staging
    folder, ``.NAME.<random>.partial`` beside ``folder``. A build that was killed
    leaves its staging folder (removed by the next call) and, if killed between the
    two renames, the previous folder as ``.NAME.old``, which the next call restores:
    the old folder or the new one is there, never neither.
    """
    check_output_folder(folder)
    if check:
        check(folder)  # a folder that is not to be replaced gets not even a lock file beside it
    parent = folder.parent
    busy = OutputError(f"another reporter is writing to {folder}", "wait for it to finish, or give another --out")
    with exclusive_lock(parent / f".{folder.name}{LOCK_SUFFIX}", busy):
        retired = parent / f".{folder.name}.old"
        try:
            if retired.exists() and not folder.exists():
                os.replace(retired, folder)
            for leftover in (*staging_leftovers(folder), retired):
                if leftover.exists():
                    shutil.rmtree(leftover)
        except OSError as exc:
            raise OutputError(f"cannot write to {parent}: {_cause(exc)}", "choose a folder you can write to") from None
        if check:
            check(folder)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=PARTIAL_SUFFIX, dir=parent))
            staging.chmod(0o777 & ~file_mode_mask())  # as an ordinary mkdir would, not mkdtemp's 0700
        except OSError as exc:
            raise OutputError(f"cannot write to {parent}: {_cause(exc)}", "choose a folder you can write to") from None
        try:
            result = build(staging)
            if check:
                check(folder)
            if before_swap:
                before_swap()
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


def staging_leftovers(folder: Path) -> list[Path]:
    """Staging folders of ``folder`` left by killed builds.

    ``.NAME.<8 random>.partial``, or the older ``.NAME.partial``.

    The exact shape ``tempfile.mkdtemp`` gives keeps the staging of a sibling (``NAME.x``) out.
    """
    shape = re.compile(rf"\.{re.escape(folder.name)}(\.[a-z0-9_]{{8}})?{re.escape(PARTIAL_SUFFIX)}")
    try:
        names = [entry.name for entry in os.scandir(folder.parent) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    return [folder.parent / name for name in names if shape.fullmatch(name)]


def file_mode_mask() -> int:
    """The process's umask, read without changing it (``os.umask`` can only set it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022
