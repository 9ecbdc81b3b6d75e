"""The `reporter` command. Each module below adds its commands to the group."""

from __future__ import annotations

import signal
from types import FrameType

from reporter.cli import (  # noqa: F401  (each registers its commands)
    collect_cmds,
    demo_cmds,
    evidence_cmds,
    render_cmds,
    run_cmds,
    snapshot_cmds,
)
from reporter.cli._base import LazyCommand, cli

# The emulator (TLS, the world generator) is imported only by `reporter emulate` itself.
EMULATE_HELP = "Serve an emulated Entra ID and Graph over HTTPS until Ctrl-C."
cli.add_command(LazyCommand("emulate", "reporter.cli.emulate_cmds", EMULATE_HELP))


def main() -> None:
    # A service manager stops a run with SIGTERM: unwind like Ctrl-C does, so that
    # half-made folders and scratch files are cleaned up on the way out.
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="reporter")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


__all__ = ["cli", "main"]
