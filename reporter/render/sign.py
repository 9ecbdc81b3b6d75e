"""Signing finished documents: a PAdES signature on each PDF, a detached CMS signature on the manifest.

Signing is a last step on finished bytes, after layout and before the manifest is
written: the unsigned PDF stays what the same snapshot, configuration and version
always give, and the signature is an incremental update appended to it, so the
signed file begins with the unsigned one byte for byte (``Signed.unsigned_size``).

- ``[sign] certificate``: a PEM (key and chain) or PFX file, its passphrase only from
  ``REPORTER_SIGN_PASSWORD``; ``signing_identity`` refuses, before any rendering, a
  certificate that is expired, not yet valid, without its key, or not allowed to sign.
- ``[sign] tsa_url``: an RFC 3161 timestamp on each signature (PAdES B-T; B-B without).
- ``[sign] level = "B-LT"``: also the validation data (chain and revocation
  information, where reachable) in the signature's own revision.

PDFs are signed with pyHanko; the manifest with ``cryptography``'s PKCS#7 builder
(a DER CMS that ``openssl cms -verify`` checks).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reporter.errors import ConfigError, SignError
from reporter.keyfile import read_key_file
from reporter.secret import Secret

PASSWORD_VARIABLE = "REPORTER_SIGN_PASSWORD"  # noqa: S105 (the name of the variable, not a password)
SIGNATURE_FIELD = "Signature"
TSA_TIMEOUT = 10.0
"""Seconds a timestamp authority has to answer one request."""
MAX_TSA_RESPONSE = 256 << 10
"""A timestamp response carries a token and perhaps the authority's chain: far below this."""
MIN_RSA_BITS = 2048

_SIGNING_USAGES = frozenset(
    {
        "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
        ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string,
        "1.2.840.113583.1.1.5",  # Adobe Authentic Documents Trust
        "1.3.6.1.4.1.311.10.3.12",  # Microsoft Document Signing
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string,
    }
)
"""Extended key usages that allow signing documents; a certificate with none of them (but some other) cannot."""


class Level(StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"


@dataclass(frozen=True, slots=True)
class SignSettings:
    """The ``[sign]`` table, checked (``reporter.render.sign_config``)."""

    certificate: Path
    level: Level
    tsa_url: str | None = None


@dataclass(frozen=True)
class SigningIdentity:
    """The key, its certificate and the rest of its chain (signer first, issuers after)."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    """The issuers found in the file, in order from the signer's issuer up; the root last when it is there."""
    settings: SignSettings
    name: str = field(init=False)
    """Who signs, as the documents say it: the certificate's common name, else its organisation."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", signer_name(self.certificate))

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return (self.certificate, *self.chain)


def signer_name(cert: x509.Certificate) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        values = cert.subject.get_attributes_for_oid(oid)
        if values and str(values[0].value).strip():
            return " ".join(str(values[0].value).split())
    return cert.subject.rfc4514_string()


def signing_identity(
    settings: SignSettings, environ: Mapping[str, str], now: datetime | None = None
) -> SigningIdentity:
    """The identity ``settings`` name, checked now: valid today, with its key, allowed to sign.

    Raises ``ConfigError`` in one line naming the file and what is wrong.
    """
    password = environ.get(PASSWORD_VARIABLE)
    found = read_key_file(settings.certificate, Secret(password) if password else None, PASSWORD_VARIABLE)
    cert, path = found.certificate, settings.certificate
    now = now or datetime.now(UTC)
    if cert.not_valid_after_utc < now:
        raise ConfigError(
            f"signing certificate {path}: expired on {cert.not_valid_after_utc:%Y-%m-%d}",
            "renew it, or remove [sign] to write unsigned documents",
        )
    if cert.not_valid_before_utc > now:
        raise ConfigError(
            f"signing certificate {path}: not valid until {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC",
            "check the machine's clock, or use a certificate that is valid today",
        )
    why = _not_for_signing(cert)
    if why:
        raise ConfigError(f"signing certificate {path}: not allowed to sign documents ({why})", _ASK_FOR)
    key = found.key
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise ConfigError(f"signing certificate {path}: its RSA key has {key.key_size} bits", _ASK_FOR)
    elif not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigError(f"signing certificate {path}: its key is not RSA or ECDSA", _ASK_FOR)
    chain = issuers(cert, found.others)
    top = chain[-1] if chain else cert
    if settings.level is Level.B_LT and top.issuer != top.subject:  # no root in the file
        raise ConfigError(
            f"signing certificate {path}: B-LT needs the chain up to its root in the file",
            'append the issuing and root certificates to the PEM, or set level = "B-T"',
        )
    return SigningIdentity(key, cert, chain, settings)


_ASK_FOR = "use a certificate issued for document signing (RSA of 2048 bits or more, or ECDSA)"


def _not_for_signing(cert: x509.Certificate) -> str | None:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        if constraints.ca:
            return "it is a CA certificate"
    except x509.ExtensionNotFound:
        pass
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            return "its key usage allows neither digital signature nor non-repudiation"
    except x509.ExtensionNotFound:
        pass
    try:
        extended = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if not {oid.dotted_string for oid in extended} & _SIGNING_USAGES:
            return "its extended key usage names neither document signing nor e-mail protection"
    except x509.ExtensionNotFound:
        pass
    return None


def _issuer_of(cert: x509.Certificate, others: Sequence[x509.Certificate]) -> x509.Certificate | None:
    for candidate in others:
        if candidate is not cert and candidate.subject == cert.issuer:
            try:
                cert.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return candidate
    return None


def issuers(cert: x509.Certificate, others: Sequence[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """The issuers of ``cert`` among ``others`` (each checked to have signed the one below), up to a root or as far
    as ``others`` go."""
    chain: list[x509.Certificate] = []
    current = cert
    while current.issuer != current.subject and len(chain) < len(others):
        issuer = _issuer_of(current, others)
        if issuer is None or issuer in chain:
            break
        chain.append(issuer)
        current = issuer
    return tuple(chain)


# --- the manifest: a detached CMS signature -----------------------------------------------------------------


def sign_detached(identity: SigningIdentity, data: bytes) -> bytes:
    """A DER CMS (PKCS#7) detached signature of ``data``, carrying the signer's chain."""
    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(identity.certificate, identity.key, hashes.SHA256())
    )
    for cert in identity.chain:
        builder = builder.add_certificate(cert)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])


# --- PDFs: PAdES with pyHanko --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signed:
    data: bytes
    """The signed PDF: the unsigned one, then an incremental update with the signature."""
    unsigned_sha256: str
    unsigned_size: int


class PdfSigning:
    """Signs PDFs with one identity. Built once per process; pyHanko is set up on first use.

    Workers of the PDF pool inherit it (fork) and sign the bytes their engine finished.
    """

    def __init__(self, identity: SigningIdentity) -> None:
        self.identity = identity
        self._pyhanko: _PyHanko | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()

    @property
    def level(self) -> Level:
        return self.identity.settings.level

    @property
    def timestamped(self) -> bool:
        """Each signature waits for a timestamp authority's answer."""
        return self.identity.settings.tsa_url is not None

    def sign(self, data: bytes) -> Signed:
        with self._lock:
            if self._pyhanko is None or self._pid != os.getpid():  # a pool worker: its own client, not the parent's
                self._pyhanko = _PyHanko(self.identity)
                self._pid = os.getpid()
            signer = self._pyhanko
        signed = signer.sign(data)
        if signed[: len(data)] != data:  # an incremental update never rewrites what it follows
            raise SignError("signing rewrote the document instead of appending to it", "report this as a bug")
        return Signed(signed, hashlib.sha256(data).hexdigest(), len(data))


_CONSTANT_ATTRIBUTES = frozenset({"content_type", "signing_certificate_v2", "cms_algorithm_protection"})


class _PyHanko:
    """pyHanko's signer, metadata and timestamper for one identity, and what they learn on the first PDF."""

    def __init__(self, identity: SigningIdentity) -> None:
        self.identity = identity
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign import fields, signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        der = [c.public_bytes(serialization.Encoding.DER) for c in identity.certificates]
        certs = [asn1_x509.Certificate.load(d) for d in der]
        key_info = keys.PrivateKeyInfo.load(
            identity.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        self.signer = _signer_class()(
            identity.key,
            signing_cert=certs[0],
            signing_key=key_info,
            cert_registry=SimpleCertificateStore.from_certs(certs[1:]),  # type: ignore[no-untyped-call]
        )
        settings = identity.settings
        self.timestamper = _timestamper(settings.tsa_url) if settings.tsa_url else None
        extra: dict[str, Any] = {}
        if settings.level is Level.B_LT:
            extra = _long_term(identity, certs)
        self.meta = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            name=identity.name,
            **extra,
        )
        self.reserved: int | None = None
        """Bytes kept for the signature: pyHanko estimates it on the first PDF, the others reuse it."""

    def sign(self, data: bytes) -> bytes:
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign import signers
        from pyhanko.sign.general import SigningError
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError
        from pyhanko_certvalidator.errors import PathError, ValidationError

        try:
            out = io.BytesIO()
            pdf_signer = signers.PdfSigner(self.meta, signer=self.signer, timestamper=self.timestamper)
            try:
                pdf_signer.sign_pdf(_writer(data), output=out, bytes_reserved=self.reserved)
            except SigningError:
                if self.reserved is None:
                    raise
                self.reserved = None  # a bigger timestamp token than the first one: estimate again
                out = io.BytesIO()
                pdf_signer.sign_pdf(_writer(data), output=out)
        except TimestampRequestError as exc:
            raise SignError(
                f"timestamp authority {self.identity.settings.tsa_url}: {_cause(exc)}",
                "check [sign] tsa_url and that the authority is reachable, or remove it to sign without a timestamp",
            ) from None
        except (SigningError, PdfError) as exc:
            raise SignError(f"cannot sign the PDF: {_cause(exc)}", "report this as a bug") from None
        except (PathError, ValidationError) as exc:  # B-LT: the validation data could not be gathered
            raise SignError(
                f"cannot gather the validation data for B-LT: {_cause(exc)}",
                'set level = "B-T", or use a timestamp authority and certificate whose roots this machine trusts',
            ) from None
        signed = out.getvalue()
        if self.reserved is None:
            self.reserved = _reserved(signed)
        return signed


def _writer(data: bytes) -> Any:
    """pyHanko's incremental writer over ``data``, with the document information ready to stay PDF/A.

    On writing, pyHanko sets the XMP ``pdf:Producer`` to its own name but appends that
    name to the information dictionary's ``/Producer`` ("WeasyPrint …; pyHanko …"):
    the two would disagree, which PDF/A forbids. Without a ``/Producer`` to append to,
    both say pyHanko, the program that wrote this last revision.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    reference = writer.trailer_view.raw_get("/Info")
    info = reference.get_object() if reference is not None else None
    if info is not None and "/Producer" in info:
        del info["/Producer"]
        writer.update_container(info)
    return writer


def _cause(exc: BaseException) -> str:
    while exc.__cause__ is not None and str(exc.__cause__):
        exc = exc.__cause__
    return " ".join(str(exc).split()) or type(exc).__name__


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _reserved(signed: bytes) -> int | None:
    """The size pyHanko kept for the signature in ``signed`` (the hex string between the byte ranges)."""
    ranges = list(_BYTE_RANGE.finditer(signed))
    if not ranges:
        return None
    _, length, start, _ = (int(g) for g in ranges[-1].groups())
    return start - length - 2


def _long_term(identity: SigningIdentity, certs: list[Any]) -> dict[str, Any]:
    """B-LT: the validation data of the signer's chain, in the signature's own revision."""
    from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    usage: set[str] = set()
    try:
        key_usage = identity.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        usage = {"digital_signature"} if key_usage.digital_signature else {"non_repudiation"}
    except x509.ExtensionNotFound:
        pass
    context = ValidationContext(
        trust_roots=[*_public_roots(), certs[-1]],  # a public timestamp authority's root, and the signer's
        other_certs=certs[1:-1],
        allow_fetching=True,
        revocation_mode="soft-fail",
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=int(TSA_TIMEOUT)),
    )
    return {
        "embed_validation_info": True,
        "validation_context": context,
        "signer_key_usage": usage,
        "dss_settings": DSSContentSettings(
            placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
        ),
    }


def _public_roots() -> list[Any]:
    """The public roots httpx trusts (certifi's bundle), for the timestamp authority's chain under B-LT."""
    import certifi
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    with open(certifi.where(), "rb") as handle:
        bundle = handle.read()
    return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(bundle, multiple=True)]


def _signer_class() -> type[Any]:
    """pyHanko's in-memory signer, with the key loaded once and the constant signed attributes built once.

    pyHanko loads the key again for every signature (a tenth of a second for RSA 3072)
    and rebuilds the signer's certificate reference in asn1crypto each time (most of the
    rest); for a thousand reports that was a third of the render. Only the message
    digest changes from one PDF to the next.
    """
    from asn1crypto import cms
    from pyhanko.sign import signers

    class _Signer(signers.SimpleSigner):
        def __init__(self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._key = key
            self._constant: list[bytes] | None = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            key = self._key
            if digest_algorithm == "sha256" and mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
            if digest_algorithm == "sha256" and mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(data, ec.ECDSA(hashes.SHA256()))
            signature: bytes = super().sign_raw(data, digest_algorithm)
            return signature

        async def signed_attrs(self, data_digest: bytes, digest_algorithm: str, *args: Any, **kwargs: Any) -> Any:
            if self._constant is None:
                attributes = await super().signed_attrs(data_digest, digest_algorithm, *args, **kwargs)
                types = {a["type"].native for a in attributes}
                if kwargs.get("dry_run") or not types - {"message_digest"} <= _CONSTANT_ATTRIBUTES:
                    return attributes
                self._constant = [a.dump() for a in attributes if a["type"].native != "message_digest"]
            return cms.CMSAttributes(
                [
                    *(cms.CMSAttribute.load(der) for der in self._constant),
                    cms.CMSAttribute({"type": "message_digest", "values": [data_digest]}),
                ]
            )

    return _Signer


def _timestamper(url: str) -> Any:
    """An RFC 3161 client for ``url`` over httpx: bounded in time and in the bytes it reads.

    One HTTP client per process, kept open: building one costs more than the request
    (it loads the system's certificates). ``PdfSigning`` builds this anew in each process.
    """
    import httpx
    from asn1crypto import core, tsp
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    client = httpx.Client(timeout=TSA_TIMEOUT, follow_redirects=False)

    class _HttpxTimeStamper(TimeStamper):
        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]

        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            deadline = time.monotonic() + TSA_TIMEOUT
            headers = {"Content-Type": "application/timestamp-query"}
            try:
                with client.stream("POST", url, content=req.dump(), headers=headers) as response:
                    if response.status_code != 200:
                        raise TimestampRequestError(f"answered HTTP {response.status_code}")
                    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
                    if kind != "application/timestamp-reply":
                        raise TimestampRequestError(f"answered {kind or 'no content type'}, not a timestamp reply")
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_TSA_RESPONSE:
                            raise TimestampRequestError(f"answered more than {MAX_TSA_RESPONSE >> 10} KiB")
                        if time.monotonic() > deadline:
                            raise TimestampRequestError(f"took more than {TSA_TIMEOUT:g} s to answer")
            except httpx.HTTPError as exc:
                raise TimestampRequestError(f"cannot be reached ({type(exc).__name__})") from None
            return _granted(bytes(body))

    class _Reply(core.Sequence):  # type: ignore[misc]
        """``TimeStampResp`` with its token optional, as RFC 3161 has it: a refusal carries none."""

        _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", core.Any, {"optional": True})]  # noqa: RUF012

    def _granted(body: bytes) -> tsp.TimeStampResp:
        """The authority's reply, when it granted a timestamp; its refusal, or junk, in one line."""
        try:
            reply = _Reply.load(body, strict=True)
            status = reply["status"]["status"].native
            said = " ".join(str(s) for s in (reply["status"]["status_string"].native or ()))
            has_token = not isinstance(reply["time_stamp_token"], core.Void)
        except (ValueError, TypeError, KeyError):
            raise TimestampRequestError("answered something that is not a timestamp reply") from None
        if status not in ("granted", "granted_with_mods"):
            raise TimestampRequestError(f"refused to timestamp ({status}{': ' + said[:200] if said else ''})")
        if not has_token:
            raise TimestampRequestError("granted a timestamp but sent no token")
        try:
            return tsp.TimeStampResp.load(body, strict=True)
        except ValueError:
            raise TimestampRequestError("answered something that is not a timestamp reply") from None

    return _HttpxTimeStamper()


def chain_from_p7s(data: bytes) -> list[x509.Certificate]:
    """The certificates a detached signature (``manifest.json.p7s``) carries, as written."""
    return list(pkcs7.load_der_pkcs7_certificates(data))
