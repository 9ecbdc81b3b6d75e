"""The command group and the error translation every command shares.

Commands are thin: parse, build settings, make one library call, translate
errors. Only ``ReporterError`` is caught; it becomes one line on stderr and a
non-zero exit code. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reporter", message="%(prog)s %(version)s")
def cli() -> None:
    """Reports on the Microsoft Graph partner security score."""
