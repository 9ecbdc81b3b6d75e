"""Entra ID for one app registration: OIDC discovery, the client-credentials token endpoint, token checks.

Errors have Entra's shape (``error``, ``error_description`` starting with an
AADSTS code, ``error_codes``, trace and correlation ids). As in Entra, a bad
client credential answers 401 ``invalid_client``; other request problems 400.
Tokens are opaque, but each carries the app's roles (``APP_ROLES``, without
Mail.Send under ``Faults(mail_access_denied="no-mail-send")``), which Graph checks.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from reporter.emulator.assertion import JWT_BEARER, check_assertion
from reporter.emulator.options import EmulatorOptions
from reporter.emulator.wire import GRAPH_SCOPE, Reply, json_reply

_RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})

MAIL_SEND = "Mail.Send"
MAIL_READ_WRITE = "Mail.ReadWrite"
APP_ROLES = frozenset({"PartnerSecurity.Read.All", MAIL_SEND, MAIL_READ_WRITE})
"""The application permissions the emulated app has been granted, with admin consent."""


@dataclass(frozen=True)
class TokenProblem:
    """Why Graph refuses a bearer token (code and message of Graph's 401 body)."""

    code: str
    message: str


class Entra:
    def __init__(self, options: EmulatorOptions, authority_url: str, clock: Callable[[], float] = time.time) -> None:
        self._options = options
        self._authority = authority_url.rstrip("/")
        self._clock = clock
        self._tokens: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()
        denied = options.faults.mail_access_denied == "no-mail-send"
        self._roles = APP_ROLES - {MAIL_SEND} if denied else APP_ROLES

    def token_endpoint(self, tenant: str) -> str:
        return f"{self._authority}/{tenant}/oauth2/v2.0/token"

    def openid_configuration(self, tenant: str) -> Reply:
        if tenant != self._options.tenant_id:
            return self._error(400, "invalid_tenant", 90002, _tenant_not_found(tenant))
        base = f"{self._authority}/{tenant}"
        return json_reply(
            200,
            {
                "token_endpoint": self.token_endpoint(tenant),
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{base}/v2.0",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "ver"],
                "tenant_region_scope": "EU",
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": "graph.microsoft.com",
            },
        )

    def token(self, tenant: str, form: Mapping[str, str]) -> Reply:
        """``POST {tenant}/oauth2/v2.0/token`` with a client-credentials grant."""
        options = self._options
        if tenant != options.tenant_id:
            return self._error(400, "invalid_request", 90002, _tenant_not_found(tenant))
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            return self._error(
                400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'."
            )
        client_id = form.get("client_id", "")
        if not client_id:
            return self._error(400, "invalid_request", 900144, _missing("client_id"))
        if client_id != options.client_id:
            return self._error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. "
                "This can happen if the application has not been installed by the administrator of the tenant "
                "or consented to by any user in the tenant. You may have sent your authentication request to "
                "the wrong tenant.",
            )
        problem = self._check_credentials(tenant, form)
        if problem is not None:
            return problem
        scope_problem = _check_scope(form.get("scope", ""))
        if scope_problem is not None:
            return self._error(400, *scope_problem)
        token = secrets.token_urlsafe(48)
        lifetime = options.token_lifetime
        with self._lock:
            self._tokens[token] = (self._clock() + lifetime, self._roles)
        seconds = max(0, int(lifetime))
        return json_reply(
            200,
            {"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds, "access_token": token},
        )

    def check_bearer(self, authorization: str | None) -> TokenProblem | None:
        """``None`` if ``authorization`` carries a live token this emulator issued."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return TokenProblem("InvalidAuthenticationToken", "Access token is empty.")
        with self._lock:
            expires, _ = self._tokens.get(token.strip(), (None, None))
        if expires is None:
            return TokenProblem(
                "InvalidAuthenticationToken",
                "IDX14100: JWT is not well formed, there are no dots (.). "
                "The token needs to be in JWS or JWE Compact Serialization Format.",
            )
        if expires <= self._clock():
            return TokenProblem("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
        return None

    def roles(self, authorization: str | None) -> frozenset[str]:
        """The roles of the token in ``authorization`` (none for a token this emulator did not issue)."""
        _, _, token = (authorization or "").partition(" ")
        with self._lock:
            _, roles = self._tokens.get(token.strip(), (0.0, frozenset[str]()))
        return roles

    def _check_credentials(self, tenant: str, form: Mapping[str, str]) -> Reply | None:
        options = self._options
        assertion = form.get("client_assertion")
        if assertion:
            if form.get("client_assertion_type") != JWT_BEARER:
                return self._error(
                    400,
                    "invalid_request",
                    50027,
                    f"Invalid client_assertion_type; expected '{JWT_BEARER}'.",
                )
            problem = check_assertion(
                assertion, options.client_certificate_pem, options.client_id, self.token_endpoint(tenant), self._clock()
            )
            if problem is not None:
                return self._error(401, "invalid_client", problem.code, problem.description)
            return None
        secret = form.get("client_secret")
        if not secret:
            return self._error(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
        if not hmac.compare_digest(secret.encode(), options.client_secret.encode()):
            return self._error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                f"secret value, not the client secret ID, for a secret added to app '{options.client_id}'.",
            )
        return None

    def _error(self, status: int, error: str, code: int, description: str) -> Reply:
        now = datetime.fromtimestamp(self._clock(), UTC)
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        return json_reply(
            status,
            {
                "error": error,
                "error_description": f"AADSTS{code}: {description} Trace ID: {trace} "
                f"Correlation ID: {correlation} Timestamp: {stamp}",
                "error_codes": [code],
                "timestamp": stamp,
                "trace_id": trace,
                "correlation_id": correlation,
                "error_uri": f"{self._authority}/error?code={code}",
            },
        )


def _tenant_not_found(tenant: str) -> str:
    return (
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
        "into the correct cloud. Check with your subscription administrator, this may happen if there are "
        "no active subscriptions for the tenant."
    )


def _missing(parameter: str) -> str:
    return f"The request body must contain the following parameter: '{parameter}'."


def _check_scope(scope: str) -> tuple[str, int, str] | None:
    scopes = [s for s in scope.split() if s not in _RESERVED_SCOPES]
    if not scopes:
        return ("invalid_request", 900144, _missing("scope"))
    if scopes == [GRAPH_SCOPE]:
        return None
    if not all(s.endswith("/.default") for s in scopes):
        return (
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows must have a scope "
            "value with /.default suffixed to the resource identifier (application ID URI).",
        )
    return (
        "invalid_resource",
        500011,
        f"The resource principal named {scopes[0].removesuffix('/.default')} was not found in the tenant.",
    )
