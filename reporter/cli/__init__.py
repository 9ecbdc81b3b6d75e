"""The `reporter` command. Each module below adds its commands to the group."""

from __future__ import annotations

from reporter.cli import snapshot_cmds  # noqa: F401  (registers its commands)
from reporter.cli._base import cli


def main() -> None:
    cli(prog_name="reporter")


__all__ = ["cli", "main"]
