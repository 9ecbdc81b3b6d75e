"""What makes a PDF audit evidence: the data it was made from, embedded, and its hashes.

Every PDF carries one JSON attachment (the whole snapshot in the summary, the
customer's own slice in a customer report) and, in its document information and
XMP, the period, the snapshot's SHA-256, the attachment's SHA-256 and the tool
version. ``reporter verify`` reads them back.
"""

from __future__ import annotations

from reporter.model import Provenance, Snapshot
from reporter.view.documents import customer_gaps

SUMMARY_ATTACHMENT = "snapshot.json"
CUSTOMER_ATTACHMENT = "customer-data.json"

INFO_PERIOD = "ReporterPeriod"
INFO_SNAPSHOT_SHA256 = "ReporterSnapshotSha256"
INFO_ATTACHMENT_SHA256 = "ReporterAttachmentSha256"
INFO_TOOL_VERSION = "ReporterToolVersion"


def customer_slice(snapshot: Snapshot, tenant_id: str) -> Snapshot:
    """The part of ``snapshot`` that is one customer's own: no other customer appears.

    The partner's requirements and history are left out (they aggregate over all
    customers); so are the request log and the customers-file rows Graph did not
    list (the partner's), and data gaps about other customers' items.
    """
    key = tenant_id.lower()
    return snapshot.model_copy(
        update={
            "provenance": customer_provenance(snapshot.provenance, tenant_id),
            "requirements": (),
            "history": (),
            "customers": tuple(c for c in snapshot.customers if c.tenant_id.lower() == key),
            "alerts": tuple(a for a in snapshot.alerts if (a.customer_tenant_id or "").lower() == key),
        }
    )


def customer_provenance(provenance: Provenance, tenant_id: str) -> Provenance:
    """The provenance a customer's slice carries: no request log, no customers-file rows, no other item's gaps."""
    return provenance.model_copy(
        update={
            "requests": (),
            "unmatched_customer_rows": (),
            "data_gaps": customer_gaps(provenance.data_gaps, tenant_id),
        }
    )
