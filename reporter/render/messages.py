"""``messages/<slug>.json`` for each customer and ``messages/summary.json``: the words of each e-mail, rendered once.

``reporter send`` sends these files as they are and never renders: each holds
``{"html": ..., "subject": ..., "text": ...}`` (``reporter.message_file``), the
same bytes for the same snapshot, and is listed in the manifest like every
other file of the run (``customer-message`` with the customer's tenant id,
``summary-message``). A customer's message file has the stem of its PDF
(``customers/<slug>.pdf``); no customer's stem is ``summary``, since every stem
ends in a part of the tenant id.

The HTML is autoescaped; the plain text is not escaped, and holds only the
one-line texts the view gives (``reporter.view.message``).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Template, select_autoescape

from reporter.manifest import Artifact, ArtifactKind, write_artifact
from reporter.message_file import MessageFile, message_bytes
from reporter.render.jinja import environment
from reporter.render.options import RenderOptions
from reporter.view import ReportContext, language
from reporter.view.message import Message, customer_message, summary_message

FOLDER = Path("messages")
SUMMARY = FOLDER / "summary.json"


def customer_path(slug: str) -> Path:
    """Where the message of the customer whose PDF is ``customers/<slug>.pdf`` is written."""
    return FOLDER / f"{slug}.json"


class MessageRenderer:
    """The four mail templates, compiled once: HTML autoescaped, plain text not."""

    def __init__(self, folder: Path | None = None) -> None:
        env = environment(folder).overlay(
            autoescape=select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",))
        )
        self._customer = (env.get_template("mail/customer.txt.j2"), env.get_template("mail/customer.html.j2"))
        self._summary = (env.get_template("mail/summary.txt.j2"), env.get_template("mail/summary.html.j2"))

    def customer(self, message: Message) -> bytes:
        return _file_bytes(message, *self._customer)

    def summary(self, message: Message) -> bytes:
        return _file_bytes(message, *self._summary)


def _file_bytes(message: Message, text: Template, html: Template) -> bytes:
    return message_bytes(MessageFile(message.subject, text.render(m=message), html.render(m=message)))


def render(context: ReportContext, out_dir: Path, options: RenderOptions) -> list[Artifact]:
    """The summary's message, and each customer's when the customers' PDFs are written (it says one is attached)."""
    renderer = MessageRenderer()
    with language.use(context.language):
        summary = renderer.summary(summary_message(context))
    artifacts = [write_artifact(out_dir, SUMMARY, summary, ArtifactKind.SUMMARY_MESSAGE)]
    if not options.customer_reports:
        return artifacts
    for row in context.rows:
        view = context.customer_view(row)
        with language.use(view.language):  # the customer's own language, for the words and the templates
            data = renderer.customer(customer_message(context, view, workbook=options.customer_workbooks))
        artifacts.append(
            write_artifact(
                out_dir, customer_path(row.slug), data, ArtifactKind.CUSTOMER_MESSAGE, row.customer.tenant_id
            )
        )
    return artifacts
