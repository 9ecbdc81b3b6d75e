"""``--dry-run OUTBOX``: every message as an ``.eml`` file, and an index, instead of sending.

The outbox shows exactly what would be sent (the same bytes, recipients and
Message-ID), so a partner can review a month before trusting the tool with it.
Nothing is sent and the ledger is not touched. The folder is replaced only when
it is new, empty, or an earlier outbox (an ``index.csv`` of ours listing every
other file in it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from email.policy import SMTPUTF8
from pathlib import Path

from reporter.atomic import replace_folder, write_bytes
from reporter.errors import OutputError
from reporter.files import read_regular_file
from reporter.send.message import to_mime
from reporter.send.plan import Planned, RunFolder, load
from reporter.send.transport import DeliveryRefused

INDEX_NAME = "index.csv"
HEADER = ("file", "delivery", "customer", "to", "cc", "subject", "attachments", "message id", "note")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_outbox(
    outbox: Path, run: RunFolder, planned: Sequence[Planned], sender: str, now: datetime
) -> list[tuple[Planned, str]]:
    """Write the outbox; each planned delivery with the file written (or why none was)."""

    def build(staging: Path) -> list[tuple[Planned, str]]:
        rows: list[list[str]] = []
        written: list[tuple[Planned, str]] = []
        for number, item in enumerate(planned, start=1):
            if item.not_sent is not None:
                rows.append(["", item.key, item.customer, "", "", "", "", "", f"not sent: {item.not_sent}"])
                written.append((item, f"not sent: {item.not_sent}"))
                continue
            try:
                delivery = load(run, item, sender)
            except DeliveryRefused as refused:
                rows.append(["", item.key, item.customer, "", "", "", "", "", f"would fail: {refused}"])
                written.append((item, f"would fail: {refused}"))
                continue
            name = f"{number:04d}-{item.key}.eml"
            write_bytes(staging / name, to_mime(delivery, date=now).as_bytes(policy=SMTPUTF8))
            rows.append(
                [
                    name,
                    item.key,
                    item.customer,
                    "; ".join(delivery.to),
                    "; ".join(delivery.cc),
                    delivery.subject,
                    "; ".join(a.name for a in delivery.attachments),
                    delivery.message_id,
                    "",
                ]
            )
            written.append((item, name))
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows([[_cell(c) for c in row] for row in rows])
        write_bytes(staging / INDEX_NAME, text.getvalue().encode("utf-8-sig"))
        return written

    return replace_folder(outbox, build, check=_check_outbox)


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``=``, ``+``, ``-`` or ``@`` would make it a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _check_outbox(folder: Path) -> None:
    try:
        entries = sorted(p.name for p in folder.iterdir())
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot read {folder}: {exc.strerror}", "give another outbox folder") from None
    if not entries:
        return
    refusal = OutputError(
        f"{folder} is not an outbox reporter wrote; nothing was changed", "give a new or empty folder for --dry-run"
    )
    index = folder / INDEX_NAME
    if INDEX_NAME not in entries or index.is_symlink():
        raise refusal
    try:
        text = read_regular_file(index, "outbox index", 64 << 20, OutputError).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error):
        raise refusal from None
    if not rows or tuple(rows[0]) != HEADER:
        raise refusal
    listed = {row[0] for row in rows[1:] if row and row[0]}
    for name in entries:
        path = folder / name
        if name != INDEX_NAME and (
            name not in listed or not name.endswith(".eml") or not path.is_file() or path.is_symlink()
        ):
            raise refusal
