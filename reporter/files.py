"""Reading a file the user named: a regular file only, never more than a limit, never a hang.

``read_regular_file`` refuses a FIFO, a folder, a device or a socket at once,
by kind, instead of blocking on it (opening a FIFO for reading waits for a
writer; reading ``/dev/zero`` never ends) or calling it "no such file". It
checks the kind before opening, opens with ``O_NONBLOCK`` (so that a path
swapped for a FIFO meanwhile cannot block the open) and checks again on the
open descriptor, then reads at most ``limit`` bytes.

Every refusal raises the ``ReporterError`` subclass the caller names
(``ConfigError`` for configuration, ``DataError`` for a snapshot or a manifest),
with a one-line message starting ``{what} {path}:``::

    data = read_regular_file(path, "config file", 1 << 20)                 # ConfigError
    data = read_regular_file(path, "snapshot", 256 << 20, error=DataError)

``check_regular_file`` makes the same checks without reading, for a path another
library opens later (a certificate, a CA bundle).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from reporter.errors import ConfigError, ReporterError

_CHUNK = 1 << 16
_NOT_A_FILE_HINT = "give the path of a regular file"


def read_regular_file(
    path: Path, what: str, limit: int, error: type[ReporterError] = ConfigError, *, hint: str | None = None
) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them, or ``error`` saying why not.

    ``what`` names the file in messages ("config file", "customers file"); ``hint``
    is added to the "no such file" message (say where the path comes from).
    """
    label = f"{what} {path}" if what else str(path)
    _refuse_kind(_stat(path, label, error, hint).st_mode, label, error)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(exc, label, error, hint) from None
    try:
        _refuse_kind(os.fstat(fd).st_mode, label, error)  # the path may have been swapped since the stat
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _os_error(exc, label, error, hint) from None
    finally:
        os.close(fd)
    if size > limit:
        raise error(f"{label}: is larger than {_size(limit)}, the most reporter reads of a {what or 'file'}")
    return b"".join(chunks)


def check_regular_file(
    path: Path, what: str, error: type[ReporterError] = ConfigError, *, hint: str | None = None
) -> None:
    """Raise ``error`` unless ``path`` exists and is a regular file (or a link to one); reads nothing."""
    label = f"{what} {path}" if what else str(path)
    _refuse_kind(_stat(path, label, error, hint).st_mode, label, error)


def _stat(path: Path, label: str, error: type[ReporterError], hint: str | None) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as exc:
        raise _os_error(exc, label, error, hint) from None
    except ValueError:  # a NUL byte in the path
        raise error(f"{label}: not a usable path") from None


def _refuse_kind(mode: int, label: str, error: type[ReporterError]) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISFIFO(mode):
        kind = "is a FIFO (named pipe), not a file"
    elif stat.S_ISDIR(mode):
        kind = "is a folder, not a file"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "is a device, not a file"
    elif stat.S_ISSOCK(mode):
        kind = "is a socket, not a file"
    else:
        kind = "is not a regular file"
    raise error(f"{label}: {kind}", _NOT_A_FILE_HINT)


def _os_error(exc: OSError, label: str, error: type[ReporterError], hint: str | None) -> ReporterError:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return error(f"{label}: no such file", hint)
    if exc.errno == errno.EISDIR:
        return error(f"{label}: is a folder, not a file", _NOT_A_FILE_HINT)
    return error(f"{label}: cannot be read ({exc.strerror or exc})")


def _size(limit: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if limit >= 1 << shift and limit % (1 << shift) == 0:
            return f"{limit >> shift} {unit}"
    return f"{limit} bytes"
