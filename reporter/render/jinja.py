"""The template environment: autoescaped, loud about any name it does not know, and translated.

Every sentence a template writes itself goes through ``_()`` (or ``ngettext``), which
ask the active language (``reporter.view.language.use``) at render time.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from reporter.resources import templates_dir
from reporter.view import language, wording
from reporter.view.fmt import LRI, isolated_pieces, plain, plain_keeping_isolates

_BREAK_AFTER = re.compile(r"([.@/_-])")


def breakable(text: str) -> Markup:
    """``text`` escaped, with a line-break opportunity after each dot, at sign, slash, dash or underscore.

    Domains and e-mail addresses then wrap at their natural joints instead of
    mid-word when a column is too narrow.
    """
    return Markup(_BREAK_AFTER.sub(r"\1<wbr>", str(escape(plain(text)))))  # noqa: S704 (escaped first)


def ltr(text: object) -> Markup:
    """``text`` escaped and set apart left to right (a domain, a tenant id, a URL, a digest).

    Inside a right-to-left document its dots and hyphens would otherwise take the
    paragraph's direction and turn the pieces around (``com.contoso``). WeasyPrint lays
    out each inline element on its own, so ``dir="ltr"`` on a span sets it apart (it knows
    no ``unicode-bidi``).
    """
    shown = text if isinstance(text, Markup) else escape(plain(str(text)))
    return Markup('<span class="ltr" dir="ltr">') + shown + Markup("</span>")


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@pass_eval_context
def template_gettext(eval_context: EvalContext, message: str, **values: object) -> str:
    """A template's sentence in the active language, with its ``%(name)s`` placeholders filled in.

    Unlike Jinja's own new-style gettext, the sentence itself is text, never markup (a
    partner's wording cannot add tags), only the named placeholders are filled (a ``%``
    in a translation is just a percent sign), and ``%%`` reads ``%``. Values are escaped
    unless they are markup the template built.
    """
    return _fill(eval_context, language.gettext(message), values)


@pass_eval_context
def template_ngettext(eval_context: EvalContext, singular: str, plural: str, num: int, **values: object) -> str:
    """The form of a template's sentence that agrees with ``num`` (also a placeholder: ``%(num)s``)."""
    values.setdefault("num", num)
    return _fill(eval_context, language.ngettext(singular, plural, num), values)


def _fill(eval_context: EvalContext, sentence: str, values: dict[str, object]) -> str:
    if not eval_context.autoescape:  # plain text: nothing to escape
        return _PLACEHOLDER.sub(lambda m: "%" if m.group(0) == "%%" else str(values[m.group(1)]), sentence)
    shown = Markup("")
    position = 0
    for match in _PLACEHOLDER.finditer(sentence):
        shown += escape(plain(sentence[position : match.start()]))
        if match.group(0) == "%%":
            shown += "%"
        else:
            value = values[match.group(1)]
            shown += value if isinstance(value, Markup) else escape(finalize(eval_context, value))
        position = match.end()
    return shown + escape(plain(sentence[position:]))


def direction(text: object) -> str:
    """``"ltr"`` or ``"rtl"`` by the first strong character of ``text`` (as HTML's ``dir="auto"``, which
    WeasyPrint does not know); ``"auto"`` when it has none."""
    for char in str(text):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "auto"


@pass_eval_context
def finalize(eval_context: EvalContext, value: object) -> object:
    """Every value a template prints: text without controls or bidi formatting (markup we built is kept).

    A balanced left-to-right isolate (``fmt.isolate``: a figure in right-to-left text)
    becomes a left-to-right span, which WeasyPrint lays out (it ignores the characters'
    own meaning); everything else of the kind is dropped. A balanced isolate can
    reorder nothing outside itself, whoever wrote it.
    """
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    if not eval_context.autoescape:  # plain text (an e-mail's text part): the isolate characters themselves
        return plain_keeping_isolates(value)
    if "\u2066" not in value and "\u2068" not in value:
        return plain(value)
    shown = Markup("")
    for piece, kind in isolated_pieces(value):
        if kind is None:
            shown += escape(piece)
        elif kind == LRI:
            shown += ltr(piece)
        else:
            opening = Markup(f'<span dir="{direction(piece)}">')  # noqa: S704 (ltr, rtl or auto: no data)
            shown += opening + escape(piece) + Markup("</span>")
    return shown


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
    # ``_("Since %(period)s", period=p)``: the sentence in the active language, its values put in (escaped).
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.filters["breakable"] = breakable
    env.filters["ltr"] = ltr
    env.filters["direction"] = direction
    env.filters["text"] = plain  # where markup cannot go (a <title>): isolates dropped, not made spans
    # The view's words for its own values, in the active language: a level's or policy's label, a finding's
    # sentence, an action's step.
    env.filters["label"] = wording.label
    env.filters["reason"] = wording.finding_reason
    env.filters["action"] = wording.action_text
    return env
