"""One HTTP exchange within bounds: the answer's size under a cap, its time within the run's budget.

Every answer, from Graph or from Entra ID, is read as a stream: a Content-Length
above the cap is refused before any of the body is read, and a body that keeps
coming is cut off at the cap, so memory stays bounded whatever a server (or
something posing as one) sends. The run's deadline is checked between chunks
too (the transport also clips every socket wait to it).
"""

from __future__ import annotations

import httpx

from reporter.errors import ReporterError
from reporter.graph.retry import RunBudget, request_ids

MIB = 1024 * 1024

MAX_GRAPH_RESPONSE_BYTES = 64 * MIB
"""The largest Graph answer read. The largest real pages are collections of up to 999 items
(``$top`` on securityAlerts; Graph's own ceiling per page): an alert with its activity logs and
affected resources is a few kilobytes, so such a page is a few megabytes, and customerInsights
pages (about 300 bytes a customer, server-side paging) are far smaller. 64 MiB is more than ten
times any real page, yet a bound a run can hold in memory."""

MAX_SIGN_IN_RESPONSE_BYTES = 1 * MIB
"""The largest Entra ID answer read: its OpenID configuration and token answers are a few kilobytes."""


def _size(count: int) -> str:
    return f"{count // MIB} MiB" if count % MIB == 0 else f"{count} bytes"


def read_bounded(
    http: httpx.Client,
    request: httpx.Request,
    *,
    limit: int,
    budget: RunBudget,
    what: str,
    error: type[ReporterError],
) -> httpx.Response:
    """Send ``request`` and read its answer whole, or raise ``error`` naming ``what`` and the request ids.

    The answer returned has its body in ``content`` (decoded, so its Content-Encoding and
    Content-Length headers are dropped). Network errors are raised as httpx raises them, for
    the retrier to judge.
    """
    response = http.send(request, stream=True)
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise error(
                f"{what}: the answer announced {declared} bytes, larger than {_size(limit)} "
                f"(HTTP {response.status_code}; {request_ids(request, response)})",
                "a real answer is far smaller; check the URL, or a proxy between here and the service",
            )
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise error(
                        f"{what}: the answer is larger than {_size(limit)}; stopped reading "
                        f"(HTTP {response.status_code}; {request_ids(request, response)})",
                        "a real answer is far smaller; check the URL, or a proxy between here and the service",
                    )
                budget.check(what, request_ids(request, response))
        except httpx.TransportError:
            budget.check(what, request_ids(request, response))  # the transport stopped at the deadline
            raise
    finally:
        response.close()
    dropped = {"content-encoding", "content-length", "transfer-encoding"}
    headers = [(name, value) for name, value in response.headers.multi_items() if name.lower() not in dropped]
    return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=request)
