"""Checking a certificate client assertion (RFC 7523 JWT, RS256 or PS256) the way Entra ID does."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class AssertionProblem:
    code: int
    description: str


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def check_assertion(
    assertion: str, certificate_pem: bytes | None, client_id: str, audience: str, now: float
) -> AssertionProblem | None:
    """``None`` if ``assertion`` is valid for ``client_id`` and ``audience``, else what Entra would say."""
    try:
        header_part, payload_part, signature_part = assertion.split(".")
        header: Any = json.loads(_b64decode(header_part))
        claims: Any = json.loads(_b64decode(payload_part))
        signature = _b64decode(signature_part)
    except (ValueError, binascii.Error):
        return AssertionProblem(50027, "JWT token is invalid or malformed.")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return AssertionProblem(50027, "JWT token is invalid or malformed.")
    certificate = x509.load_pem_x509_certificate(certificate_pem) if certificate_pem else None
    thumbprint = str(header.get("x5t#S256") or header.get("x5t") or "").rstrip("=")
    if certificate is None or thumbprint not in (
        _b64encode(certificate.fingerprint(hashes.SHA256())),
        _b64encode(certificate.fingerprint(hashes.SHA1())),  # noqa: S303  (x5t is SHA-1 by definition)
    ):
        return AssertionProblem(
            700027,
            "Client assertion failed signature validation. [Reason - The key was not found., "
            f"Thumbprint of key used by client: '{thumbprint}']",
        )
    public_key = certificate.public_key()
    algorithm = header.get("alg")
    if not isinstance(public_key, rsa.RSAPublicKey) or algorithm not in ("RS256", "PS256"):
        return AssertionProblem(700027, f"Client assertion failed signature validation. [Reason - alg {algorithm}]")
    scheme: padding.AsymmetricPadding = (
        padding.PKCS1v15()
        if algorithm == "RS256"
        else padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
    )
    try:
        public_key.verify(signature, f"{header_part}.{payload_part}".encode(), scheme, hashes.SHA256())
    except InvalidSignature:
        return AssertionProblem(700027, "Client assertion failed signature validation.")
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        return AssertionProblem(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
    if claims.get("aud") != audience:
        return AssertionProblem(50012, "Client assertion audience claim does not match Realm issuer.")
    expires = claims.get("exp")
    not_before = claims.get("nbf", 0)
    if (
        not isinstance(expires, int | float)
        or expires <= now
        or not isinstance(not_before, int | float)
        or (not_before > now + 300)
    ):
        return AssertionProblem(700024, "Client assertion is not within its valid time range.")
    return None
