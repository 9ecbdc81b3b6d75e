"""The `reporter` command. Each module below adds its commands to the group."""

from __future__ import annotations

from reporter.cli import (  # noqa: F401  (each registers its commands)
    collect_cmds,
    demo_cmds,
    emulate_cmds,
    evidence_cmds,
    render_cmds,
    run_cmds,
    snapshot_cmds,
)
from reporter.cli._base import cli


def main() -> None:
    cli(prog_name="reporter")


__all__ = ["cli", "main"]
