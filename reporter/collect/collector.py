"""One collection: sign in, fetch every source concurrently, build the snapshot.

The score, its requirements and history, customer insights, alerts and
contracts are fetched at the same time, each in its own thread over the run's
shared ``httpx.Client`` (one keep-alive connection each). The customer insights
chain is the longest (its pages can only be read one after the other), so the
run takes about as long as that chain alone.

Requirements and history are read from their own endpoints rather than through
``$expand=requirements,history`` on the score: they are collections and may be
paged, which an expanded navigation property never is; in parallel the two extra
requests cost no time.

Score, requirements, history and customer insights are required: if one fails,
the run fails and no snapshot is made. Alerts and contracts are optional: a
failure becomes a ``DataGap`` in the snapshot and the run goes on.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import httpx

from reporter._version import __version__
from reporter.clock import Clock, SystemClock
from reporter.collect.config import Settings
from reporter.collect.parse import CustomerName, GraphPayloads, build_snapshot
from reporter.collect.progress import CollectProgress, NullProgress
from reporter.customers import load_customers_file
from reporter.errors import DataError, ReporterError
from reporter.graph.auth import TokenSource, create_token_source
from reporter.graph.client import GraphClient, Page
from reporter.graph.http import build_http_client
from reporter.graph.retry import Retrier, RetryPolicy, RunBudget
from reporter.model import DataGap, NameSource, Provenance, Snapshot

log = logging.getLogger(__name__)

API_VERSION = "beta"
SCORE = "/security/partner/securityScore"


PARTNER_SECURITY_HINT = (
    "the app needs the Microsoft Graph application permission PartnerSecurity.Read.All with admin consent, "
    "and the partner's Partner Center roles that see the score are Admin Agent, Security Administrator "
    "and Security Reader"
)
DIRECTORY_HINT = (
    "reading /v1.0/contracts needs a directory read permission such as Directory.Read.All with admin consent"
)


@dataclass(frozen=True)
class Source:
    """One thing to fetch: ``paged`` collections follow nextLink; ``required`` failures fail the run."""

    name: str
    path: str
    paged: bool
    required: bool
    version: str = API_VERSION
    forbidden_hint: str = PARTNER_SECURITY_HINT


SOURCES: tuple[Source, ...] = (
    Source("customerInsights", f"{SCORE}/customerInsights", paged=True, required=True),
    Source("score", SCORE, paged=False, required=True),
    Source("requirements", f"{SCORE}/requirements", paged=True, required=True),
    Source("history", f"{SCORE}/history", paged=True, required=True),
    Source("alerts", "/security/partner/securityAlerts", paged=True, required=False),
    Source("contracts", "/contracts", paged=True, required=False, version="v1.0", forbidden_hint=DIRECTORY_HINT),
)


@dataclass(frozen=True)
class Fetched:
    """What the sources returned: raw JSON by source name, and the optional ones that failed."""

    bodies: Mapping[str, Any]
    gaps: tuple[DataGap, ...]
    pages: Mapping[str, list[Page]]
    """Where each page of each collection came from, to point at the request behind a bad item."""

    def payloads(self) -> GraphPayloads:
        score = self.bodies["score"]
        if not isinstance(score, dict):
            raise DataError(f"GET /beta{SCORE}: the answer is not a JSON object")
        return GraphPayloads(
            score=score,
            requirements=self.bodies["requirements"],
            history=self.bodies["history"],
            customer_insights=self.bodies["customerInsights"],
            alerts=self.bodies.get("alerts"),
            contracts=self.bodies.get("contracts"),
        )


class _Stopped(Exception):
    """Raised inside a fetch thread when another required source already failed."""


def collect(
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
    progress: CollectProgress | None = None,
    clock: Clock | None = None,
    retry_policy: RetryPolicy | None = None,
) -> Snapshot:
    """Collect a snapshot from Graph as ``settings`` say; raises a ``ReporterError`` on failure."""
    clock = clock or SystemClock()
    progress = progress or NullProgress()
    names: dict[str, CustomerName] | None = None
    if settings.customers_file is not None:
        directory = load_customers_file(settings.customers_file)  # a bad file fails before any request
        names = {
            tenant: CustomerName(tenant, entry.name, entry.domain, NameSource.CUSTOMERS_FILE)
            for tenant, entry in directory.items()
            if entry.name or entry.domain  # a row may only give recipients: Graph's names stand
        }
    collected_at = clock.now()
    budget = RunBudget(clock, settings.time_budget)
    with build_http_client(settings, transport, remaining=budget.remaining) as http:
        retrier = Retrier(budget, retry_policy, notice=_notice(progress))
        tokens = create_token_source(settings, http, retrier, clock)
        graph = GraphClient(http, settings.graph_url, tokens, retrier, page_size=settings.page_size)
        fetched = fetch_all(graph, tokens, settings, progress)
    provenance = Provenance(
        collected_at=collected_at,
        api_base=settings.graph_url,
        api_version=API_VERSION,
        tool_version=__version__,
        partner_tenant_id=settings.tenant_id,
        requests=graph.request_log.records(),
        data_gaps=fetched.gaps,
    )
    try:
        return build_snapshot(fetched.payloads(), provenance, names)
    except DataError as exc:
        raise _with_origin(exc, fetched.pages) from None


_PARSED_AS = {"securityAlerts": "alerts"}
"""Where ``parse`` names an item differently from our source name."""
_ITEM = re.compile(r"^(\w+)\[(\d+)\]")


def _with_origin(error: DataError, pages: Mapping[str, list[Page]]) -> DataError:
    """``error`` about ``customerInsights[1234]...``, plus the request of the page that held item 1234."""
    found = _ITEM.match(error.message)
    if found is None:
        return error
    source, index = _PARSED_AS.get(found[1], found[1]), int(found[2])
    holding = [page for page in pages.get(source, []) if page.first_index <= index]
    if not holding:
        return error
    return DataError(f"{error.message} (in the answer to {holding[-1].request})", error.hint)


def _notice(progress: CollectProgress) -> Callable[[str], None]:
    def notice(message: str) -> None:
        log.info("%s", message)
        progress.note(message)

    return notice


def fetch_all(graph: GraphClient, tokens: TokenSource, settings: Settings, progress: CollectProgress) -> Fetched:
    """Fetch every source at once; the first required failure stops the others and is raised."""
    tokens.token()  # sign in once, before the concurrent requests all need a token
    sources = [
        s for s in SOURCES if (s.name != "alerts" or settings.alerts) and (s.name != "contracts" or settings.contracts)
    ]
    stop = threading.Event()
    bodies: dict[str, Any] = {}
    gaps: list[DataGap] = []
    with ThreadPoolExecutor(max_workers=len(sources), thread_name_prefix="collect") as pool:
        pages: dict[str, list[Page]] = {source.name: [] for source in sources}
        futures = {
            source.name: pool.submit(_fetch, graph, source, progress, stop, pages[source.name]) for source in sources
        }
        required = [futures[source.name] for source in sources if source.required]
        wait(required, return_when=FIRST_EXCEPTION)
        for future in required:
            error = future.exception() if future.done() else None
            if error is not None:
                stop.set()  # the other fetches end at their next page
                raise error
        for source in sources:
            try:
                bodies[source.name] = futures[source.name].result()
            except ReporterError as exc:
                if source.required:
                    raise
                gaps.append(DataGap(source=source.name, reason=str(exc)))
                progress.failed(source.name, str(exc))
    return Fetched(bodies=bodies, gaps=tuple(gaps), pages=pages)


def _fetch(
    graph: GraphClient, source: Source, progress: CollectProgress, stop: threading.Event, pages: list[Page]
) -> Any:
    if stop.is_set():
        raise _Stopped
    progress.start(source.name)
    if not source.paged:
        body = graph.get_json(source.path, version=source.version, forbidden_hint=source.forbidden_hint)
        progress.done(source.name)
        return body

    def on_page(page: Page) -> None:
        pages.append(page)
        progress.page(source.name, page.items)
        if stop.is_set():
            raise _Stopped

    result = graph.get_paged(source.path, version=source.version, on_page=on_page, forbidden_hint=source.forbidden_hint)
    progress.done(source.name)
    return result
