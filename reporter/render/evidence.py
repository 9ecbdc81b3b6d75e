"""What makes a PDF audit evidence: the data it was made from, embedded, and its hashes.

Every PDF carries one JSON attachment (the whole snapshot in the summary, the
customer's own slice in a customer report) and, in its document information and
XMP, the period, the snapshot's SHA-256, the attachment's SHA-256 and the tool
version. ``reporter verify`` reads them back.
"""

from __future__ import annotations

from reporter.model import Snapshot

SUMMARY_ATTACHMENT = "snapshot.json"
CUSTOMER_ATTACHMENT = "customer-data.json"

INFO_PERIOD = "ReporterPeriod"
INFO_SNAPSHOT_SHA256 = "ReporterSnapshotSha256"
INFO_ATTACHMENT_SHA256 = "ReporterAttachmentSha256"
INFO_TOOL_VERSION = "ReporterToolVersion"


def customer_slice(snapshot: Snapshot, tenant_id: str) -> Snapshot:
    """The part of ``snapshot`` that is one customer's own: no other customer appears.

    The partner's requirements and history are left out (they aggregate over all
    customers); the request log is left out (it is the partner's).
    """
    key = tenant_id.lower()
    return snapshot.model_copy(
        update={
            "provenance": snapshot.provenance.model_copy(update={"requests": ()}),
            "requirements": (),
            "history": (),
            "customers": tuple(c for c in snapshot.customers if c.tenant_id.lower() == key),
            "alerts": tuple(a for a in snapshot.alerts if (a.customer_tenant_id or "").lower() == key),
        }
    )
