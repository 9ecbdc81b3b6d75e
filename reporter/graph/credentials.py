"""The app's credential in the form msal takes: a client secret, or a certificate's key and thumbprint.

Certificates are read here with ``cryptography`` (PEM with key and certificate,
or PFX/PKCS#12 with a passphrase), so that a wrong passphrase or a file without
a key is a clear ``ConfigError`` before anything goes on the network.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from reporter.errors import ConfigError
from reporter.graph.settings import GraphSettings
from reporter.secret import Secret

_PFX_SUFFIXES = frozenset({".pfx", ".p12"})
_KEY_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.+?-----END \1PRIVATE KEY-----", re.DOTALL)


def msal_credential(settings: GraphSettings) -> str | dict[str, Any]:
    """``client_credential`` for ``msal.ConfidentialClientApplication``."""
    if settings.certificate is not None:
        return certificate_credential(settings.certificate, settings.certificate_password)
    if settings.client_secret is None:
        raise ConfigError("no credential configured", "set REPORTER_CLIENT_SECRET or a certificate")
    return settings.client_secret.reveal()


def certificate_credential(path: Path, password: Secret | None) -> dict[str, Any]:
    """Private key (unencrypted PEM, in memory only), SHA-1 thumbprint and public certificate."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"certificate {path}: cannot be read ({exc.strerror})") from None
    secret = password.reveal().encode() if password is not None else None
    if path.suffix.lower() in _PFX_SUFFIXES:
        key, cert = _load_pfx(path, data, secret)
    else:
        key, cert = _load_pem(path, data, secret)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "private_key": key_pem,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 (x5t is SHA-1 by definition)
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


def _load_pem(path: Path, data: bytes, password: bytes | None) -> tuple[PrivateKeyTypes, x509.Certificate]:
    if b"PRIVATE KEY-----" not in data:
        raise ConfigError(
            f"certificate {path}: no private key in the file", "give a PEM with the key and the certificate"
        )
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ConfigError(
            f"certificate {path}: no certificate in the file", "give a PEM with the key and the certificate"
        ) from None
    try:
        key = serialization.load_pem_private_key(_key_block(data), password=password)
    except TypeError:
        if password is None:
            raise ConfigError(
                f"certificate {path}: the private key is encrypted",
                "put its passphrase in REPORTER_CERTIFICATE_PASSWORD",
            ) from None
        raise ConfigError(f"certificate {path}: the private key is not encrypted, but a passphrase was given") from None
    except ValueError:
        raise ConfigError(
            f"certificate {path}: cannot read the private key",
            "check the passphrase in REPORTER_CERTIFICATE_PASSWORD" if password else None,
        ) from None
    return key, _matching(path, key, certs)


def _key_block(data: bytes) -> bytes:
    found = _KEY_BLOCK.search(data)
    return found.group(0) if found else data


def _load_pfx(path: Path, data: bytes, password: bytes | None) -> tuple[PrivateKeyTypes, x509.Certificate]:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError):
        raise ConfigError(
            f"certificate {path}: cannot open the PFX file",
            "check the passphrase in REPORTER_CERTIFICATE_PASSWORD",
        ) from None
    if key is None:
        raise ConfigError(f"certificate {path}: the PFX file holds no private key")
    certs = [cert, *extra] if cert is not None else list(extra)
    return key, _matching(path, key, certs)


def _matching(path: Path, key: PrivateKeyTypes, certs: list[x509.Certificate]) -> x509.Certificate:
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    for cert in certs:
        der = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if der == public:
            return cert
    raise ConfigError(f"certificate {path}: no certificate in the file matches its private key")
