"""App-only sign-in with msal: one application object per run, its HTTP through our client.

msal talks to Entra ID through ``MsalHttp``, an adapter over the run's
``httpx.Client`` (so the configured CA bundle is the only trust anchor,
Entra ID's throttling is retried like Graph's, and its answers are read within
the same bounds: ``MAX_SIGN_IN_RESPONSE_BYTES`` and the run's time budget). msal answers errors with a
dictionary; ``describe_msal_error`` turns the common ones into one line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
import msal

from reporter.clock import Clock
from reporter.errors import AuthError
from reporter.graph.bounded import MAX_SIGN_IN_RESPONSE_BYTES, read_bounded
from reporter.graph.credentials import msal_credential
from reporter.graph.retry import Retrier, describe_network_error
from reporter.graph.settings import GRAPH_SCOPE, GraphSettings

log = logging.getLogger(__name__)

_MICROSOFT_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    }
)


class TokenSource(Protocol):
    """Bearer tokens for Graph. ``refresh`` replaces a token Graph refused."""

    def token(self) -> str: ...

    def refresh(self, refused: str) -> str: ...


class MsalHttp:
    """msal's ``http_client`` interface (``post``/``get``/``close``) over an ``httpx.Client``."""

    def __init__(self, http: httpx.Client, retrier: Retrier) -> None:
        self._http = http
        self._retrier = retrier

    def post(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        form = _form(data) if isinstance(data, Mapping) else None
        content = data if isinstance(data, str | bytes) else None
        return self._exchange(
            lambda: self._http.build_request(
                "POST", url, params=_params(params), data=form, content=content, headers=dict(headers or {})
            ),
            f"POST {_where(url)}",
        )

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        return self._exchange(
            lambda: self._http.build_request("GET", url, params=_params(params), headers=dict(headers or {})),
            f"GET {_where(url)}",
        )

    def _exchange(self, build: Callable[[], httpx.Request], what: str) -> httpx.Response:
        def attempt() -> httpx.Response:
            return read_bounded(
                self._http,
                build(),
                limit=MAX_SIGN_IN_RESPONSE_BYTES,
                budget=self._retrier.budget,
                what=what,
                error=AuthError,
            )

        response = self._retrier.run(attempt, what)
        if 300 <= response.status_code < 400:
            location = response.headers.get("Location", "")
            to = f" to {_where(str(response.request.url.join(location)))}" if location else " without a Location"
            raise AuthError(
                f"{what}: the sign-in service answered with a redirect (HTTP {response.status_code}{to})",
                "redirects are not followed; check the authority URL, or a proxy between here and Entra ID",
            )
        return response

    def close(self) -> None:
        """The client belongs to the run, which closes it."""


def _form(data: Mapping[str, Any]) -> dict[str, Any]:
    """msal's form fields as httpx encodes them (msal gives the client assertion as bytes)."""
    return {
        key: value.decode() if isinstance(value, bytes) else value for key, value in data.items() if value is not None
    }


def _params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(params) if params else None


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


class MsalTokenSource:
    """Tokens from one ``ConfidentialClientApplication``, cached until they expire or Graph refuses one."""

    def __init__(self, app: msal.ConfidentialClientApplication, settings: GraphSettings, clock: Clock) -> None:
        self._app = app
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def token(self) -> str:
        with self._lock:
            if self._token is not None and self._clock.monotonic() < self._renew_at:
                return self._token
            return self._acquire()

    def refresh(self, refused: str) -> str:
        """A new token, unless another thread already replaced ``refused``."""
        with self._lock:
            if self._token is not None and self._token != refused:
                return self._token
            cache = self._app.token_cache
            for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(item)
            return self._acquire()

    def _acquire(self) -> str:
        started = self._clock.monotonic()
        try:
            result = self._app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except httpx.RequestError as exc:
            raise _unreachable(self._settings, exc) from None
        except (ValueError, msal.exceptions.MsalServiceError) as exc:
            raise AuthError(
                f"sign-in at {_host(self._settings.authority_url)} failed: {_first_line(str(exc))}"
            ) from None
        if "access_token" not in result:
            raise AuthError(*describe_msal_error(result, self._settings))
        self._token = str(result["access_token"])
        lifetime = float(result.get("expires_in", 3600))
        self._renew_at = started + (lifetime - 300 if lifetime > 600 else lifetime)
        log.debug("got a token for app %s (valid for %.0f s)", self._settings.client_id, lifetime)
        return self._token


def create_token_source(settings: GraphSettings, http: httpx.Client, retrier: Retrier, clock: Clock) -> MsalTokenSource:
    """Build the run's msal application (this fetches the authority's OIDC metadata)."""
    credential = msal_credential(settings)
    host = _host(settings.authority_url)
    try:
        app = msal.ConfidentialClientApplication(
            settings.client_id,
            client_credential=credential,
            authority=settings.authority,
            http_client=MsalHttp(http, retrier),
            instance_discovery=None if host in _MICROSOFT_AUTHORITY_HOSTS else False,
            token_cache=msal.TokenCache(),
        )
    except httpx.RequestError as exc:
        raise _unreachable(settings, exc) from None
    except ValueError:
        raise AuthError(
            f"tenant {settings.tenant_id} is unknown to {host} (its OpenID configuration could not be read)",
            "check REPORTER_TENANT_ID / [graph] tenant_id and the authority URL",
        ) from None
    return MsalTokenSource(app, settings, clock)


def _unreachable(settings: GraphSettings, exc: httpx.RequestError) -> AuthError:
    return AuthError(
        f"cannot reach the sign-in service: {describe_network_error(exc)}",
        "check the authority URL, the network and the CA bundle",
    )


def _host(url: str) -> str:
    return urlsplit(url).netloc


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


_KNOWN_ERRORS: dict[int, tuple[str, str]] = {
    7000215: ("Entra ID rejected the client secret", "check REPORTER_CLIENT_SECRET; create a new secret if it expired"),
    7000222: ("the client secret has expired", "create a new secret in the app registration"),
    90002: ("tenant {tenant} does not exist", "check REPORTER_TENANT_ID / [graph] tenant_id"),
    900023: ("tenant {tenant} is not a valid tenant id", "check REPORTER_TENANT_ID / [graph] tenant_id"),
    90023: ("tenant {tenant} is not a valid tenant id", "check REPORTER_TENANT_ID / [graph] tenant_id"),
    700016: (
        "app {client} is not registered in tenant {tenant}",
        "check REPORTER_CLIENT_ID and that the app is registered in the partner tenant",
    ),
    65001: (
        "app {client} has no consent for Microsoft Graph in tenant {tenant}",
        "grant admin consent to PartnerSecurity.Read.All for the app",
    ),
    700027: (
        "Entra ID rejected the certificate",
        "upload the certificate to the app registration, or check that it has not expired",
    ),
    7000274: ("Entra ID rejected the certificate", "upload the certificate to the app registration"),
    700024: ("the certificate assertion is out of its validity window", "check the system clock"),
    500011: ("Microsoft Graph is not available in tenant {tenant}", "check the tenant id"),
}


def describe_msal_error(result: Mapping[str, Any], settings: GraphSettings) -> tuple[str, str | None]:
    """Message and hint for an msal error dictionary."""
    error = str(result.get("error", "unknown_error"))
    description = str(result.get("error_description", ""))
    codes = [int(code) for code in result.get("error_codes", []) if str(code).isdigit()]
    if not codes and description.startswith("AADSTS"):
        digits = description[6:].split(":", 1)[0]
        codes = [int(digits)] if digits.isdigit() else []
    correlation = result.get("correlation_id")
    suffix = f" (AADSTS{codes[0]}" if codes else f" ({error}"
    suffix += f", correlation id {correlation})" if correlation else ")"
    for code in codes:
        if code in _KNOWN_ERRORS:
            message, hint = _KNOWN_ERRORS[code]
            return message.format(tenant=settings.tenant_id, client=settings.client_id) + suffix, hint
    if error == "invalid_client":
        return "Entra ID rejected the app's credential" + suffix, "check the client id and its secret or certificate"
    if "consent" in description.lower():
        return (
            f"app {settings.client_id} has no consent in tenant {settings.tenant_id}{suffix}",
            "grant admin consent to PartnerSecurity.Read.All for the app",
        )
    detail = _first_line(description) or error
    return f"Entra ID refused a token: {detail}{suffix}", None
