"""The `reporter` command. Each module below adds its commands to the group."""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from reporter.cli import (  # noqa: F401  (each registers its commands)
    collect_cmds,
    demo_cmds,
    evidence_cmds,
    pack_cmds,
    render_cmds,
    run_cmds,
    send_cmds,
    snapshot_cmds,
)
from reporter.cli._base import LazyCommand, cli

# The emulator (TLS, the world generator) is imported only by `reporter emulate` itself.
EMULATE_HELP = "Serve an emulated Entra ID and Graph, Exchange Online mail included, over HTTPS until Ctrl-C."
cli.add_command(LazyCommand("emulate", "reporter.cli.emulate_cmds", EMULATE_HELP))


STOP_GRACE = 10.0
"""Seconds a stopped run has to unwind (clean up its scratch folders) before it exits regardless."""

_stopping = threading.Event()


def main() -> None:
    # A service manager stops a run with SIGTERM: unwind like Ctrl-C does, so that
    # half-made folders and scratch files are cleaned up on the way out.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    cli(prog_name="reporter")


def _stop(signum: int, frame: FrameType | None) -> None:
    """Unwind on the first signal, but never wait on a network read that will not end.

    Collection threads may sit in a read from a server that trickles its answer;
    unwinding waits for them. So the first signal also starts a watchdog that ends
    the process after ``STOP_GRACE`` seconds; a second signal ends it at once.
    """
    if _stopping.is_set():
        os._exit(128 + signum)
    _stopping.set()
    watchdog = threading.Timer(STOP_GRACE, _give_up, args=(signum,))
    watchdog.daemon = True
    watchdog.start()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _give_up(signum: int) -> None:
    sys.stderr.write(f"reporter: stopped: still waiting on the network {STOP_GRACE:g} s after the signal\n")
    sys.stderr.flush()
    os._exit(128 + signum)


__all__ = ["cli", "main"]
