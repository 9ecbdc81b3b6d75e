"""What makes a PDF audit evidence: the data it was made from, embedded, and its hashes.

Every PDF carries one JSON attachment (the whole snapshot in the summary, the
customer's own slice in a customer report) and, in its document information and
XMP, the period, the snapshot's SHA-256, the attachment's SHA-256 and the tool
version. ``reporter verify`` reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable

from reporter.model import Alert, Customer, Snapshot
from reporter.view.documents import customer_gaps

SUMMARY_ATTACHMENT = "snapshot.json"
CUSTOMER_ATTACHMENT = "customer-data.json"

INFO_PERIOD = "ReporterPeriod"
INFO_SNAPSHOT_SHA256 = "ReporterSnapshotSha256"
INFO_ATTACHMENT_SHA256 = "ReporterAttachmentSha256"
INFO_TOOL_VERSION = "ReporterToolVersion"


def customer_slice(
    snapshot: Snapshot,
    tenant_id: str,
    *,
    customer: Customer | None = None,
    alerts: Iterable[Alert] | None = None,
) -> Snapshot:
    """The part of ``snapshot`` that is one customer's own: no other customer appears.

    The partner's requirements and history are left out (they aggregate over all
    customers); so are the request log and the customers-file rows Graph did not
    list (the partner's), and data gaps about other customers' items.

    ``customer`` and ``alerts``, when the caller has them at hand (the PDF renderer
    groups alerts by tenant once), save scanning the snapshot for every customer.
    """
    key = tenant_id.lower()
    provenance = snapshot.provenance.model_copy(
        update={
            "requests": (),
            "unmatched_customer_rows": (),
            "data_gaps": customer_gaps(snapshot.provenance.data_gaps, tenant_id),
        }
    )
    own = (customer,) if customer is not None else tuple(c for c in snapshot.customers if c.tenant_id.lower() == key)
    if alerts is None:
        alerts = (a for a in snapshot.alerts if (a.customer_tenant_id or "").lower() == key)
    return snapshot.model_copy(
        update={
            "provenance": provenance,
            "requirements": (),
            "history": (),
            "customers": own,
            "alerts": tuple(alerts),
        }
    )
