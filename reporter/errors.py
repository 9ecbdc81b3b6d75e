"""The one exception root of reporter.

Every error a user can cause is a ``ReporterError``; the CLI catches only this
root and prints ``str(error)`` (one line: the cause, then what to do).
Anything else escaping is a bug.

    ReporterError
    ├── ConfigError        bad or missing configuration, unreadable brand or mapping file
    ├── DataError          a snapshot or a Graph payload that cannot be interpreted
    ├── AuthError          Entra ID refused a token (wrong secret, unknown tenant, no consent)
    ├── GraphError         Graph answered with an error, or could not be reached
    ├── OutputError        an output folder or file that cannot be written
    ├── SendError          a message could not be handed over (reporter.send.transport has its kinds)
    └── SignError          a document could not be signed (the timestamp authority failed, say)
"""

from __future__ import annotations


class ReporterError(Exception):
    """Root of every error a user can cause. ``hint`` says what to do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        one_line = " ".join(self.message.split())
        if self.hint:
            return f"{one_line} ({' '.join(self.hint.split())})"
        return one_line


class ConfigError(ReporterError):
    """The configuration, a brand file or a customers file is wrong."""


class DataError(ReporterError):
    """A snapshot or a Graph payload cannot be interpreted."""


class AuthError(ReporterError):
    """Entra ID refused to issue a token."""


class GraphError(ReporterError):
    """Microsoft Graph answered with an error or could not be reached."""

    reached = True
    """False when the request certainly never reached Graph (no connection was made, or no time was left)."""


class OutputError(ReporterError):
    """An output file or folder cannot be written."""


class SendError(ReporterError):
    """A message could not be sent: the mail service refused it, or could not be reached."""


class SignError(ReporterError):
    """A document could not be signed: the timestamp authority refused or could not be reached."""
