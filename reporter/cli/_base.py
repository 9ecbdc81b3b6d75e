"""The command group and the error translation every command shares.

Commands are thin: parse, build settings, make one library call, translate
errors. Only ``ReporterError`` is caught; it becomes one line on stderr and a
non-zero exit code. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from reporter._version import __version__
from reporter.errors import ReporterError

P = ParamSpec("P")
R = TypeVar("R")


def translate_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``ReporterError`` into ``reporter: error: ...`` and its exit code."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ReporterError as exc:
            click.echo(f"reporter: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file [default: ./reporter.toml if it exists].",
)
"""``--config FILE``: the option of every command that reads reporter.toml."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reporter", message="%(prog)s %(version)s")
def cli() -> None:
    """Reports on the Microsoft Graph partner security score."""


class LazyCommand(click.Command):
    """A command whose module is imported only when the command runs (or shows its own help).

    ``reporter --help`` lists it by its short help without importing it: for a command
    whose module is heavy to import (the emulator's, with its TLS and world generator).
    The module defines the real command, named ``name``, with ``@cli.command()``.
    """

    def __init__(self, name: str, module: str, short_help: str) -> None:
        super().__init__(name, short_help=short_help, help=short_help)
        self.module = module

    def real(self) -> click.Command:
        command = getattr(importlib.import_module(self.module), str(self.name))
        assert isinstance(command, click.Command)
        return command

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        return self.real().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        return ctx.command.invoke(ctx)
