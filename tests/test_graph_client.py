"""GraphClient against a scripted Graph (httpx.MockTransport): paging, retries, token refresh, errors."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.collect.collector import PARTNER_SECURITY_HINT
from reporter.collect.config import Settings
from reporter.errors import DataError, GraphError
from reporter.graph.client import GraphClient, Page
from reporter.graph.http import build_http_client
from reporter.graph.retry import Retrier, RetryPolicy, RunBudget, parse_retry_after
from tests.collect_helpers import GRAPH, SCORE, Answer, FakeClock, FakeCloud, customer_id, fake_settings, response

INSIGHTS = "/security/partner/securityScore/customerInsights"


class CloudTokens:
    """Tokens straight from the fake cloud, counting refreshes."""

    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud
        self.current = self._new()
        self.refreshes = 0

    def _new(self) -> str:
        self.cloud.tokens_issued += 1
        token = f"token-{self.cloud.tokens_issued}"
        self.cloud.valid_tokens.add(token)
        return token

    def token(self) -> str:
        return self.current

    def refresh(self, refused: str) -> str:
        self.refreshes += 1
        self.current = self._new()
        return self.current


def make_client(
    cloud: FakeCloud, clock: FakeClock, budget: float = 60.0, settings: Settings | None = None
) -> tuple[GraphClient, CloudTokens]:
    settings = settings or fake_settings()
    http = build_http_client(settings, cloud.transport())
    retrier = Retrier(RunBudget(clock, budget), RetryPolicy(rng=random.Random(7)))
    tokens = CloudTokens(cloud)
    return GraphClient(http, GRAPH, tokens, retrier, page_size=settings.page_size), tokens


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_paging_follows_the_whole_next_link_and_returns_every_item_once(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=1234, page_size=100)
    client, _ = make_client(cloud, clock)
    pages: list[Page] = []
    items = client.get_paged(INSIGHTS, on_page=pages.append)
    assert [item["tenantId"] for item in items] == [customer_id(i) for i in range(1234)]
    assert [page.items for page in pages] == [100] * 12 + [34]
    assert [page.first_index for page in pages] == list(range(0, 1300, 100))
    assert pages[1].request.startswith(f"GET {SCORE}/customerInsights?$skiptoken=100 (client-request-id ")
    urls = [str(r.url) for r in cloud.seen]
    assert urls[0] == f"{GRAPH}{SCORE}/customerInsights"
    assert urls[1] == f"{GRAPH}{SCORE}/customerInsights?$skiptoken=100"


def test_next_link_is_sent_exactly_as_given(clock: FakeClock) -> None:
    cloud = FakeCloud()
    link = f"{GRAPH}{SCORE}/customerInsights?$skiptoken=abc%2Fdef%3D%3D&x=1"
    cloud.script[f"{SCORE}/customerInsights"] = [
        response(200, {"value": [{"tenantId": "a"}], "@odata.nextLink": link}),
        response(200, {"value": [{"tenantId": "b"}]}),
    ]
    client, _ = make_client(cloud, clock)
    assert [i["tenantId"] for i in client.get_paged(INSIGHTS)] == ["a", "b"]
    assert str(cloud.seen[1].url) == link


def test_a_repeated_next_link_stops_paging(clock: FakeClock) -> None:
    cloud = FakeCloud()
    link = f"{GRAPH}{SCORE}/customerInsights?$skiptoken=1"
    cloud.script[f"{SCORE}/customerInsights"] = [
        response(200, {"value": [{"tenantId": "a"}], "@odata.nextLink": link}),
        response(200, {"value": [{"tenantId": "b"}], "@odata.nextLink": link}),
    ]
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError, match=r"nextLink that was already followed .*skiptoken=1\) after 2 items"):
        client.get_paged(INSIGHTS)
    assert len(cloud.seen) == 2


def test_a_next_link_to_another_host_is_not_followed(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[f"{SCORE}/customerInsights"] = [
        response(200, {"value": [], "@odata.nextLink": "https://evil.test/steal?$skiptoken=1"}),
    ]
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError, match=r"does not point to https://graph.test"):
        client.get_paged(INSIGHTS)
    assert [r.url.host for r in cloud.seen] == ["graph.test"]


def test_every_request_has_a_fresh_client_request_id_and_is_recorded(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=300)
    cloud.script[f"{SCORE}/customerInsights"] = [response(503, headers={"Retry-After": "0"})]
    client, _ = make_client(cloud, clock)
    client.get_paged(INSIGHTS)
    sent = [r.headers["client-request-id"] for r in cloud.seen]
    assert len(sent) == len(set(sent)) == 4
    records = client.request_log.records()
    assert [r.client_request_id for r in records] == sent
    assert [r.status for r in records] == [503, 200, 200, 200]
    assert records[1].path == f"{SCORE}/customerInsights"
    assert records[2].path == f"{SCORE}/customerInsights?$skiptoken=100"
    assert all(r.request_id for r in records[1:])
    assert all("graph.test" not in r.path for r in records)


def test_429_waits_the_whole_retry_after(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=10)
    cloud.script[f"{SCORE}/customerInsights"] = [response(429, headers={"Retry-After": "17"})]
    client, _ = make_client(cloud, clock)
    assert len(client.get_paged(INSIGHTS)) == 10
    assert clock.sleeps == [17.0]


def test_retry_after_as_an_http_date(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=10)
    when = format_datetime(clock.wall + timedelta(seconds=42), usegmt=True)
    cloud.script[f"{SCORE}/customerInsights"] = [response(503, headers={"Retry-After": when})]
    client, _ = make_client(cloud, clock)
    assert len(client.get_paged(INSIGHTS)) == 10
    assert clock.sleeps == [42.0]


def test_without_retry_after_backoff_is_exponential_with_full_jitter(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=10)
    cloud.script[f"{SCORE}/customerInsights"] = [response(503), response(504), response(429), response(503)]
    client, _ = make_client(cloud, clock)
    assert len(client.get_paged(INSIGHTS)) == 10
    assert len(clock.sleeps) == 4
    for attempt, slept in enumerate(clock.sleeps):
        assert 0 <= slept <= 0.5 * 2**attempt


def test_a_wait_beyond_the_run_budget_fails_with_both_ids(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[SCORE] = [response(429, headers={"Retry-After": "120", "request-id": "rid-1"})]
    client, _ = make_client(cloud, clock, budget=100)
    with pytest.raises(GraphError) as caught:
        client.get_json(SCORE.removeprefix("/beta"))
    message = str(caught.value)
    assert "time budget of 100 s" in message
    assert "HTTP 429" in message
    assert "request-id rid-1" in message
    assert f"client-request-id {cloud.seen[0].headers['client-request-id']}" in message
    assert clock.sleeps == []


def test_the_budget_is_shared_by_the_whole_run(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=10)
    cloud.script[SCORE] = [response(429, headers={"Retry-After": "60"})]
    cloud.script[f"{SCORE}/customerInsights"] = [response(429, headers={"Retry-After": "60"})]
    client, _ = make_client(cloud, clock, budget=100)
    client.get_json("/security/partner/securityScore")
    with pytest.raises(GraphError, match="time budget"):
        client.get_paged(INSIGHTS)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ReadTimeout("timed out"),
        httpx.ReadError("connection reset"),
    ],
    ids=["connect", "dropped", "read-timeout", "reset"],
)
def test_network_failures_are_retried(clock: FakeClock, failure: Exception) -> None:
    cloud = FakeCloud(customers=250)
    cloud.script[f"{SCORE}/customerInsights"] = [failure, failure]
    client, _ = make_client(cloud, clock)
    assert len(client.get_paged(INSIGHTS)) == 250
    assert len(clock.sleeps) == 2


def test_a_host_that_stays_unreachable_fails_naming_it(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[SCORE] = [httpx.ConnectError("[Errno 111] Connection refused")] * 10
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError, match=r"cannot connect to graph.test.*Connection refused.*client-request-id"):
        client.get_json("/security/partner/securityScore")
    assert len(cloud.seen) == RetryPolicy().max_network_attempts


def test_401_gets_a_new_token_once_and_retries(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=250)
    client, tokens = make_client(cloud, clock)
    first = client.get_paged(INSIGHTS, on_page=lambda _: cloud.expire_tokens() if tokens.refreshes == 0 else None)
    assert len(first) == 250
    assert tokens.refreshes == 1
    statuses = [r.status for r in client.request_log.records()]
    assert statuses == [200, 401, 200, 200]


def test_a_second_401_is_an_error(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[SCORE] = [response(401), response(401, headers={"request-id": "rid-2"})]
    client, tokens = make_client(cloud, clock)
    with pytest.raises(GraphError, match=r"refused the app's token twice.*request-id rid-2"):
        client.get_json("/security/partner/securityScore")
    assert tokens.refreshes == 1


def test_403_names_the_permission_and_the_partner_center_roles(clock: FakeClock) -> None:
    cloud = FakeCloud()
    body = {"error": {"code": "Forbidden", "message": "Insufficient privileges"}}
    cloud.script[SCORE] = [response(403, body, headers={"request-id": "rid-3"})]
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError) as caught:
        client.get_json("/security/partner/securityScore", forbidden_hint=PARTNER_SECURITY_HINT)
    message = str(caught.value)
    for needed in ("HTTP 403", "Forbidden: Insufficient privileges", "PartnerSecurity.Read.All", "Admin Agent"):
        assert needed in message
    assert "Security Administrator" in message
    assert "Security Reader" in message
    assert "request-id rid-3" in message
    assert "client-request-id " in message
    assert "\n" not in message


def test_a_malformed_page_names_the_url_and_both_ids(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=250)
    cloud.script[f"{SCORE}/customerInsights"] = [
        response(
            200, {"value": [{"tenantId": "a"}], "@odata.nextLink": f"{GRAPH}{SCORE}/customerInsights?$skiptoken=1"}
        ),
        response(200, b'{"value": [{"tenantId": "b"', headers={"request-id": "rid-4"}),
    ]
    client, _ = make_client(cloud, clock)
    with pytest.raises(
        DataError, match=r"customerInsights\?\$skiptoken=1: the answer is not valid JSON.*request-id rid-4"
    ):
        client.get_paged(INSIGHTS)


def test_a_2xx_answer_that_is_not_json_names_its_content_type(clock: FakeClock) -> None:
    cloud = FakeCloud()
    page = b"<html><body>Please sign in to the proxy</body></html>"
    cloud.script[SCORE] = [response(200, page, headers={"Content-Type": "text/html; charset=utf-8"})]
    client, _ = make_client(cloud, clock)
    with pytest.raises(
        DataError, match=r"securityScore: the answer is not JSON but text/html \(HTTP 200; client-request-id"
    ):
        client.get_json("/security/partner/securityScore")


def test_a_redirect_names_where_it_points_and_is_not_followed(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[SCORE] = [response(301, b"", headers={"Location": "https://graph.example.org/beta/x?y=1"})]
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError, match=r"a redirect \(HTTP 301 to graph.example.org/beta/x;") as caught:
        client.get_json("/security/partner/securityScore")
    assert caught.value.hint is not None
    assert "graph_url" in caught.value.hint
    assert cloud.paths("/beta/x") == []


def test_a_page_without_a_value_list_is_a_data_error(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[f"{SCORE}/customerInsights"] = [response(200, {"items": []})]
    client, _ = make_client(cloud, clock)
    with pytest.raises(DataError, match="not a collection"):
        client.get_paged(INSIGHTS)


def test_other_errors_show_graphs_code_and_message(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[SCORE] = [response(400, {"error": {"code": "BadRequest", "message": "Invalid\nrequest"}})]
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError, match=r"HTTP 400, BadRequest: Invalid request \(client-request-id"):
        client.get_json("/security/partner/securityScore")


def test_throttling_that_never_ends_gives_up_after_max_attempts(clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.script[SCORE] = [response(503, headers={"Retry-After": "0"})] * 30
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError, match="still throttling or unavailable"):
        client.get_json("/security/partner/securityScore")
    assert len(cloud.seen) == RetryPolicy().max_attempts


def test_page_size_is_a_prefer_header_hint(clock: FakeClock) -> None:
    cloud = FakeCloud(customers=5)
    client, _ = make_client(cloud, clock, settings=fake_settings(page_size=50))
    client.get_paged(INSIGHTS)
    assert cloud.seen[0].headers["Prefer"] == "odata.maxpagesize=50"
    assert "$top" not in str(cloud.seen[0].url)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("0", 0.0),
        ("5", 5.0),
        ("Sat, 28 Nov 2026 12:00:30 GMT", 30.0),
        ("Sat, 28 Nov 2026 11:59:00 GMT", 0.0),
        ("soon", None),
        ("-3", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, FakeClock().wall) == expected


def test_an_untrusted_certificate_is_not_retried(clock: FakeClock) -> None:
    cloud = FakeCloud()
    failure = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")
    cloud.script[SCORE] = [failure] * 5
    client, _ = make_client(cloud, clock)
    with pytest.raises(GraphError, match=r"graph.test: TLS failed .*CERTIFICATE_VERIFY_FAILED.*CA bundle"):
        client.get_json("/security/partner/securityScore")
    assert len(cloud.seen) == 1


@settings(max_examples=40, deadline=None)
@given(
    customers=st.integers(min_value=0, max_value=450),
    page_size=st.integers(min_value=1, max_value=120),
    faults=st.lists(st.sampled_from(["429", "503", "504", "drop", "reset", "401"]), max_size=12),
)
def test_paging_under_any_mix_of_transient_faults_returns_every_item_once(
    customers: int, page_size: int, faults: list[str]
) -> None:
    cloud = FakeCloud(customers=customers, page_size=page_size)
    answers: dict[str, Callable[[], Answer]] = {
        "429": lambda: response(429, headers={"Retry-After": "1"}),
        "503": lambda: response(503),
        "504": lambda: response(504, headers={"Retry-After": "0"}),
        "drop": lambda: httpx.RemoteProtocolError("peer closed connection"),
        "reset": lambda: httpx.ReadError("connection reset"),
        "401": lambda: response(401),
    }
    # at most two network failures in a row, so every request can succeed within its attempts,
    # and one 401 (a second one for the same request is an error by design)
    script: list[Answer] = []
    for index, fault in enumerate(faults):
        network = sum(1 for a in script[-2:] if isinstance(a, Exception))
        repeated_401 = fault == "401" and "401" in faults[:index]
        script.append(answers["429" if (fault in ("drop", "reset") and network == 2) or repeated_401 else fault]())
    cloud.script[f"{SCORE}/customerInsights"] = script
    client, _ = make_client(cloud, FakeClock(), budget=3600.0)  # twelve backoffs can add up to more than a minute
    items = client.get_paged(INSIGHTS)
    assert [item["tenantId"] for item in items] == [customer_id(i) for i in range(customers)]
