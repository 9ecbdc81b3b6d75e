"""Who gets what from a run folder: one planned delivery per customer, and one for the partner.

The run folder's manifest says which files belong to which customer (``tenantId``);
the customers file says who receives them. Nothing is sent that the manifest does
not list, and a file is read once, checked against the manifest's SHA-256, and
those very bytes are what is sent (``load``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reporter.customers import CustomerDirectory
from reporter.errors import DataError
from reporter.files import read_regular_file
from reporter.manifest import ArtifactKind, read_manifest
from reporter.message_file import MAX_MESSAGE_BYTES, MessageFile, parse_message, tenant_problem
from reporter.model import is_guid
from reporter.send.message import PARTNER_KEY, Attachment, Delivery, message_id
from reporter.send.transport import DeliveryRefused

MAX_ATTACHMENT_BYTES = 150 << 20
"""The largest file attached: Exchange Online's own maximum message size."""

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ATTACHED = {
    ArtifactKind.CUSTOMER_PDF.value,
    ArtifactKind.CUSTOMER_WORKBOOK.value,
    ArtifactKind.SUMMARY_PDF.value,
    ArtifactKind.WORKBOOK.value,
}
CUSTOMER_MESSAGE = ArtifactKind.CUSTOMER_MESSAGE.value
SUMMARY_MESSAGE = ArtifactKind.SUMMARY_MESSAGE.value


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file of the run folder as the manifest lists it."""

    path: str
    kind: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Planned:
    """One delivery to make, or the reason it is not made (``not_sent``)."""

    key: str
    customer: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    attachments: tuple[FileRef, ...] = ()
    message: FileRef | None = None
    not_sent: str | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc


@dataclass(frozen=True)
class RunFolder:
    folder: Path
    period: str
    files: tuple[FileRef, ...]
    tenants: Mapping[str, str]
    """The tenant id each listed path belongs to."""


def read_run(folder: Path) -> RunFolder:
    """The run folder's manifest, checked (``reporter.manifest.read_manifest``)."""
    document = read_manifest(folder)
    period = document.get("period")
    if not isinstance(period, str):
        raise DataError(f"{folder}: its manifest names no period", "render the period again")
    files: list[FileRef] = []
    tenants: dict[str, str] = {}
    seen: set[str] = set()
    raw_files = document["files"]
    assert isinstance(raw_files, list)
    for entry in raw_files:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("path", "kind", "sha256")):
            raise DataError(f"{folder}: its manifest lists an entry that is not a file", "render the period again")
        path = PurePosixPath(entry["path"])
        if path.is_absolute() or ".." in path.parts:
            raise DataError(f"{folder}: its manifest lists {entry['path']!r:.80}, outside the folder")
        if entry["path"] in seen:
            raise DataError(f"{folder}: its manifest lists {entry['path']!r:.80} twice", "render the period again")
        seen.add(entry["path"])
        files.append(FileRef(entry["path"], entry["kind"], entry["sha256"]))
        tenant = entry.get("tenantId")
        if tenant is not None:
            if not isinstance(tenant, str) or not is_guid(tenant) or tenant != tenant.lower():
                raise DataError(
                    f"{folder}: its manifest names {str(tenant)!r:.60} as a tenant", "render the period again"
                )
            tenants[entry["path"]] = tenant
    return RunFolder(folder, period, tuple(files), tenants)


def plan(
    run: RunFolder,
    directory: CustomerDirectory | None,
    partner_to: tuple[str, ...],
    *,
    only: Collection[str] = (),
) -> list[Planned]:
    """The partner's delivery first, then one per customer of the run, in tenant order; ``only`` narrows it."""
    by_tenant: dict[str, list[FileRef]] = {}
    partner: list[FileRef] = []
    partner_message: FileRef | None = None
    messages: dict[str, FileRef] = {}
    for ref in run.files:
        tenant = run.tenants.get(ref.path)
        if ref.kind == CUSTOMER_MESSAGE and tenant:
            messages[tenant] = ref
        elif ref.kind == SUMMARY_MESSAGE:
            partner_message = ref
        elif ref.kind in _ATTACHED:
            if tenant and ref.kind in (ArtifactKind.CUSTOMER_PDF.value, ArtifactKind.CUSTOMER_WORKBOOK.value):
                by_tenant.setdefault(tenant, []).append(ref)
            elif not tenant and ref.kind in (ArtifactKind.SUMMARY_PDF.value, ArtifactKind.WORKBOOK.value):
                partner.append(ref)
    planned: list[Planned] = []
    wanted = {t.lower() for t in only}
    if not wanted or PARTNER_KEY in wanted:
        if not partner_to:
            planned.append(Planned(PARTNER_KEY, "the partner", not_sent="no recipient ([send] partner_to)"))
        else:
            planned.append(Planned(PARTNER_KEY, "the partner", partner_to, (), _sorted(partner), partner_message))
    for tenant in sorted(by_tenant):
        if wanted and tenant not in wanted:
            continue
        entry = directory.entries.get(tenant) if directory is not None else None
        name = (entry.name or entry.domain or tenant) if entry is not None else tenant
        files = _sorted(by_tenant[tenant])
        if entry is None or not entry.to:
            planned.append(Planned(tenant, name, attachments=files, not_sent="no recipient"))
        elif tenant not in messages:
            planned.append(Planned(tenant, name, attachments=files, not_sent="no message in the run (render again)"))
        else:
            planned.append(Planned(tenant, name, entry.to, entry.cc, files, messages[tenant]))
    if directory is not None and not wanted:
        for tenant, entry in sorted(directory.entries.items()):
            if entry.to and tenant not in by_tenant:
                name = entry.name or entry.domain or tenant
                planned.append(Planned(tenant, name, not_sent="not in this period's reports"))
    missing = wanted - {p.key for p in planned}
    if missing:
        raise DataError(
            f"--only {sorted(missing)[0]}: no such customer in the run {run.folder}",
            "give the tenant id of a customer in this period's reports, or 'partner'",
        )
    return planned


def _sorted(refs: list[FileRef]) -> tuple[FileRef, ...]:
    """PDF first, then the workbook."""
    return tuple(sorted(refs, key=lambda r: (not r.path.endswith(".pdf"), r.path)))


def load(run: RunFolder, item: Planned, sender: str, *, resend: int = 0) -> Delivery:
    """The delivery of ``item`` with its files' bytes, each checked against the manifest.

    A file that is missing, not a regular file or changed since it was rendered raises
    ``DeliveryRefused``: it is never sent.
    """
    if item.message is None:
        raise DeliveryRefused(f"{item.customer}: no message in the run", "render the period again")
    words = _words(run, item.message)
    attachments = tuple(
        Attachment(_attachment_name(ref.path, run.period), _content_type(ref.path), _read(run, ref), ref.sha256)
        for ref in item.attachments
    )
    if item.key != PARTNER_KEY:
        _check_names_only(item, words)
        _check_own_reports(item, attachments)
    return Delivery(
        key=item.key,
        period=run.period,
        sender=sender,
        to=item.to,
        cc=item.cc,
        subject=words.subject,
        text=words.text,
        html=words.html,
        attachments=attachments,
        message_id=planned_message_id(run, item, sender, resend),
        customer=item.customer,
    )


def planned_message_id(run: RunFolder, item: Planned, sender: str, resend: int = 0) -> str:
    """The ``Message-ID`` ``load`` gives ``item``, from the manifest alone (no file read): its words count too."""
    contents = tuple(r.sha256 for r in item.attachments) + ((item.message.sha256,) if item.message else ())
    return message_id(run.period, item.key, item.recipients, contents, sender, resend)


def _read(run: RunFolder, ref: FileRef, limit: int = MAX_ATTACHMENT_BYTES) -> bytes:
    try:
        data = read_regular_file(run.folder / ref.path, "report file", limit, DataError)
    except DataError as exc:
        raise DeliveryRefused(f"{ref.path}: {exc.message}; not sent", "render the period again") from None
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise DeliveryRefused(
            f"{ref.path} was changed since it was rendered (its SHA-256 does not match the manifest); not sent",
            "render the period again, or check the folder with reporter verify",
        )
    return data


def _words(run: RunFolder, ref: FileRef) -> MessageFile:
    data = _read(run, ref, MAX_MESSAGE_BYTES)
    try:
        return parse_message(data, ref.path)
    except DataError as exc:
        raise DeliveryRefused(f"{exc.message}; not sent", exc.hint) from None


def _check_names_only(item: Planned, words: MessageFile) -> None:
    """A customer's message names its own tenant, and no other: a message swapped between customers is refused."""
    name = item.message.path if item.message else item.key
    if tenant_problem(words, name, item.key):
        raise DeliveryRefused(
            f"{name}: the message is not {item.customer}'s own; not sent",
            "render the period again, or check the folder with reporter verify",
        )


def _check_own_reports(item: Planned, attachments: tuple[Attachment, ...]) -> None:
    """Each customer PDF and workbook carries that customer's own data (as ``reporter verify`` checks), in the
    very bytes to be sent: a manifest whose tenant ids were changed to send one customer another's report is
    refused."""
    from reporter.verify import customer_pdf_problems, customer_workbook_problems  # pypdf, openpyxl: only here

    for ref, attachment in zip(item.attachments, attachments, strict=True):
        problems = []
        if ref.kind == ArtifactKind.CUSTOMER_PDF.value:
            problems = customer_pdf_problems(attachment.data, ref.path, item.key)
        elif ref.kind == ArtifactKind.CUSTOMER_WORKBOOK.value:
            problems = customer_workbook_problems(attachment.data, ref.path, item.key)
        if problems:
            raise DeliveryRefused(f"{problems[0]}; not sent", "check the folder with reporter verify")


def _attachment_name(path: str, period: str) -> str:
    name = PurePosixPath(path)
    return f"{name.stem}-{period}{name.suffix}"


def _content_type(path: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")
