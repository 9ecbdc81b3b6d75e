"""A private key and its certificates from one file: PEM (key and chain) or PFX/PKCS#12.

Read with ``cryptography``, so that a wrong passphrase, a file without a key or a
key no certificate matches is one clear ``ConfigError`` before any work. The Graph
credential (``reporter.graph.credentials``) and the signing identity
(``reporter.render.sign``) both read their files here; each names the environment
variable its passphrase comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from reporter.errors import ConfigError
from reporter.files import read_regular_file
from reporter.secret import Secret

PFX_SUFFIXES = frozenset({".pfx", ".p12"})
MAX_KEY_FILE_BYTES = 1 << 20
"""Far above a key with a long chain; a bigger file is not a certificate file."""
_KEY_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.+?-----END \1PRIVATE KEY-----", re.DOTALL)


@dataclass(frozen=True)
class KeyFile:
    """The key, the certificate that matches it, and every other certificate in the file (the chain)."""

    key: PrivateKeyTypes
    certificate: x509.Certificate
    others: tuple[x509.Certificate, ...]


def read_key_file(path: Path, password: Secret | None, variable: str, what: str = "certificate") -> KeyFile:
    """``path`` as a ``KeyFile``; ``variable`` is the environment variable the passphrase comes from."""
    data = read_regular_file(path, what, MAX_KEY_FILE_BYTES, ConfigError, hint="give a PEM or PFX file")
    secret = password.reveal().encode() if password is not None else None
    if path.suffix.lower() in PFX_SUFFIXES:
        key, certs = _load_pfx(path, data, secret, variable, what)
    else:
        key, certs = _load_pem(path, data, secret, variable, what)
    cert = _matching(path, key, certs, what)
    return KeyFile(key, cert, tuple(c for c in certs if c is not cert))


def _load_pem(
    path: Path, data: bytes, password: bytes | None, variable: str, what: str
) -> tuple[PrivateKeyTypes, list[x509.Certificate]]:
    if b"PRIVATE KEY-----" not in data:
        raise ConfigError(f"{what} {path}: no private key in the file", "give a PEM with the key and the certificate")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ConfigError(
            f"{what} {path}: no certificate in the file", "give a PEM with the key and the certificate"
        ) from None
    try:
        key = serialization.load_pem_private_key(_key_block(data), password=password)
    except TypeError:
        if password is None:
            raise ConfigError(
                f"{what} {path}: the private key is encrypted", f"put its passphrase in {variable}"
            ) from None
        raise ConfigError(
            f"{what} {path}: the private key is not encrypted, but a passphrase was given", f"unset {variable}"
        ) from None
    except ValueError:
        raise ConfigError(
            f"{what} {path}: cannot read the private key", f"check the passphrase in {variable}" if password else None
        ) from None
    return key, certs


def _key_block(data: bytes) -> bytes:
    found = _KEY_BLOCK.search(data)
    return found.group(0) if found else data


def _load_pfx(
    path: Path, data: bytes, password: bytes | None, variable: str, what: str
) -> tuple[PrivateKeyTypes, list[x509.Certificate]]:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError):
        raise ConfigError(f"{what} {path}: cannot open the PFX file", f"check the passphrase in {variable}") from None
    if key is None:
        raise ConfigError(f"{what} {path}: the PFX file holds no private key")
    return key, [cert, *extra] if cert is not None else list(extra)


def _matching(path: Path, key: PrivateKeyTypes, certs: list[x509.Certificate], what: str) -> x509.Certificate:
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    for cert in certs:
        der = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if der == public:
            return cert
    raise ConfigError(f"{what} {path}: no certificate in the file matches its private key")
