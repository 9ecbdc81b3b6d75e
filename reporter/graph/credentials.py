"""The app's credential in the form msal takes: a client secret, or a certificate's key and thumbprint.

Certificates are read by ``reporter.keyfile`` (PEM with key and certificate, or
PFX/PKCS#12 with a passphrase), so that a wrong passphrase or a file without a
key is a clear ``ConfigError`` before anything goes on the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization

from reporter.errors import ConfigError
from reporter.graph.settings import GraphSettings
from reporter.keyfile import read_key_file
from reporter.secret import Secret


def msal_credential(settings: GraphSettings) -> str | dict[str, Any]:
    """``client_credential`` for ``msal.ConfidentialClientApplication``."""
    if settings.certificate is not None:
        return certificate_credential(settings.certificate, settings.certificate_password)
    if settings.client_secret is None:
        raise ConfigError("no credential configured", "set REPORTER_CLIENT_SECRET or a certificate")
    return settings.client_secret.reveal()


def certificate_credential(path: Path, password: Secret | None) -> dict[str, Any]:
    """Private key (unencrypted PEM, in memory only), SHA-1 thumbprint and public certificate."""
    found = read_key_file(path, password, "REPORTER_CERTIFICATE_PASSWORD")
    key_pem = found.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cert = found.certificate
    return {
        "private_key": key_pem,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 (x5t is SHA-1 by definition)
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }
