"""A message file (``messages/<slug>.json``, ``messages/summary.json``): written by render, read by verify and send.

One JSON object of exactly three strings, ``{"html": ..., "subject": ..., "text": ...}``,
UTF-8 with sorted keys, an indent of 2 and a final newline: the same words always
give the same bytes. The subject is one line of plain text: no line break (CR, LF,
U+2028...) and no other control character, but for balanced left-to-right or first-strong
isolates (U+2066 or U+2068 ... U+2069), which keep a name or a figure in order in a
right-to-left subject and can reorder nothing outside themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from reporter.errors import DataError
from reporter.model import CONTROL_CHARACTERS

KEYS = frozenset({"html", "subject", "text"})
MAX_MESSAGE_BYTES = 1 << 20
"""Far above any message reporter writes (a few kB); a bigger file is not one of ours."""

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_HINT = "render the run folder again (reporter render or reporter run)"
_ISOLATED = re.compile("[\u2066\u2068]([^\u2066-\u2069]*)\u2069")


@dataclass(frozen=True, slots=True)
class MessageFile:
    subject: str
    text: str
    html: str


def message_bytes(message: MessageFile) -> bytes:
    """The file's bytes: deterministic, and readable back by ``parse_message``."""
    document = {"html": message.html, "subject": message.subject, "text": message.text}
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def parse_message(data: bytes, name: str) -> MessageFile:
    """The message in ``data`` (the file ``name``), or ``DataError`` saying why it is not one reporter wrote."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise DataError(f"{name}: is larger than a message reporter writes", _HINT)
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise DataError(f"{name}: is not valid JSON", _HINT) from None
    if (
        not isinstance(document, dict)
        or set(document) != KEYS
        or not all(isinstance(document[key], str) for key in KEYS)
    ):
        raise DataError(f"{name}: is not a message (an object of exactly html, subject and text, all text)", _HINT)
    subject = document["subject"]
    bare = _ISOLATED.sub(r"\1", subject)  # a balanced isolate keeps a name or figure in order in right-to-left text
    if (subject and subject.splitlines() != [subject]) or CONTROL_CHARACTERS.search(bare):
        raise DataError(f"{name}: its subject is not one line of plain text", _HINT)
    return MessageFile(subject, document["text"], document["html"])


def tenant_problem(message: MessageFile, name: str, tenant: str) -> str | None:
    """Why ``message`` is not ``tenant``'s own, or None: it must name that tenant (text and HTML), and no other.

    Tenant ids are GUIDs: every GUID in a customer's message must be its own, so a
    message swapped with another customer's, hashes made to agree, names the other.
    """
    words = "\n".join((message.subject, message.text, message.html)).lower()
    others = sorted({g.lower() for g in _GUID.findall(words)} - {tenant.lower()})
    if others:
        return f"{name}: names tenant {', '.join(others)}, not only tenant {tenant} the manifest names"
    if tenant.lower() not in message.text.lower() or tenant.lower() not in message.html.lower():
        return f"{name}: does not name tenant {tenant}, which the manifest names"
    return None
