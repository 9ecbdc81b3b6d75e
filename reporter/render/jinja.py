"""The template environment: autoescaped, loud about any name it does not know, and translated.

Every sentence a template writes itself goes through ``_()`` (or ``ngettext``), which
ask the active language (``reporter.view.language.use``) at render time.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from reporter.resources import templates_dir
from reporter.view import language
from reporter.view.fmt import plain

_BREAK_AFTER = re.compile(r"([.@/_-])")


def breakable(text: str) -> Markup:
    """``text`` escaped, with a line-break opportunity after each dot, at sign, slash, dash or underscore.

    Domains and e-mail addresses then wrap at their natural joints instead of
    mid-word when a column is too narrow.
    """
    return Markup(_BREAK_AFTER.sub(r"\1<wbr>", str(escape(plain(text)))))  # noqa: S704 (escaped first)


def finalize(value: object) -> object:
    """Every value a template prints: text without controls or bidi formatting (markup we built is kept)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return plain(value)
    return value


def environment(folder: Path | None = None) -> Environment:
    """Templates only loop and print; everything they show comes from the view-model."""
    env = Environment(
        loader=FileSystemLoader(folder or templates_dir()),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        finalize=finalize,
        extensions=["jinja2.ext.i18n"],
    )
    # New-style gettext: ``_("Since %(period)s", period=p)`` escapes its values and checks its placeholders.
    env.install_gettext_callables(language.gettext, language.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["breakable"] = breakable
    return env
