"""The signatures ``reporter verify`` checks: every signature in a PDF, and the manifest's own (``manifest.json.p7s``).

Checked with pyHanko's validation API against the roots of ``--trust`` (one or more
PEM certificates; without it nothing is trusted), at the time of the check, with no
network access (no revocation or issuer fetching):

- a PDF signature: the digest of its byte range matches the signature (intact) and
  the signature verifies with the signer's certificate (valid); the byte range covers
  the whole file but the signature's own ``/Contents``, whose bytes after the DER
  signature are the zero padding they were written as. A signature that covers only
  its own revision is accepted when every later revision is validation data (a DSS
  update) and nothing follows the last one. A timestamp token, when there is one,
  must be intact and valid for the signature; its time is the signing time then.
- ``manifest.json.p7s``: a detached CMS signature whose digest is that of the
  manifest's exact bytes, valid for the signer's certificate.
- in both, what a CMS signature carries but does not sign: it is strict DER; its
  version numbers, digest algorithm list and unsigned attributes are of the kinds
  written; the certificates it carries are the signer's chain as issued (each
  issues the one before, a root's signature of itself holds). So no byte of a
  signature changes unnoticed (a timestamp token's own parts are checked alike).

A signature that does not hold is a problem of its file. A chain that reaches no
trusted root (no ``--trust``, another CA, an expired certificate...) is a warning:
the bytes are as signed, but by whom is not shown. Alike warnings (one signer, one
reason) become one line however many files they concern.

In a signed run folder ``reporter.verify`` also asks: signed by the certificate the
manifest names (``certificate_sha256``), and the signature is the update appended to
exactly the unsigned document the manifest records (``Unsigned``).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

from reporter.errors import ConfigError, ReporterError
from reporter.files import read_regular_file
from reporter.render.sign import signer_name

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import SignatureStatus
    from pyhanko_certvalidator import ValidationContext

MAX_TRUST_BYTES = 4 << 20
"""A CA bundle of a few hundred certificates is far below this."""

_TRUST_HINT = "give --trust a PEM file with the certificate of the CA that issued the signing certificate"
_MAX_DER_DEPTH = 64
"""A CMS signature nests a few dozen elements deep at most."""
_QUIET_LOGGERS = ("pyhanko", "pyhanko_certvalidator")
"""pyHanko logs every chain it cannot build, with a traceback; the report says it once, in one line."""


@dataclass(frozen=True)
class Trust:
    """The roots a signer's chain must reach: the certificates of the ``--trust`` files (none: nothing is trusted)."""

    roots: tuple[Any, ...] = ()
    """asn1crypto certificates, as pyHanko takes them."""
    files: tuple[Path, ...] = ()


def load_trust(paths: Sequence[Path]) -> Trust:
    """The certificates of the PEM files ``paths``; ``ConfigError`` in one line for a missing or non-PEM file."""
    from asn1crypto import x509 as asn1_x509

    roots: list[Any] = []
    for path in paths:
        data = read_regular_file(path, "trust file", MAX_TRUST_BYTES, ConfigError, hint="check the --trust path")
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError:
            raise ConfigError(f"trust file {path}: holds no PEM certificate that can be read", _TRUST_HINT) from None
        roots.extend(asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certificates)
    return Trust(tuple(roots), tuple(paths))


class Findings(Protocol):
    """Where the checks write: ``reporter.verify.Report``."""

    checked: list[str]
    problems: list[str]
    signatures: list[str]


@dataclass(frozen=True, slots=True)
class Unsigned:
    """What the manifest records of a signed PDF: its first ``size`` bytes are the unsigned document, of ``sha256``."""

    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class _Held:
    """A signature that holds: how the report names it, and the statuses whose trust is to be noted."""

    line: str
    trust: list[tuple[Any, str]]


class SignatureChecks:
    """Checks signatures against one set of trust roots and gathers what is untrusted, for ``warnings``."""

    def __init__(self, trust: Trust) -> None:
        self.trust = trust
        self._untrusted: dict[str, list[str]] = {}
        """The files of each reason a signer or timestamp authority is not trusted, in the order met."""

    # --- PDFs ---------------------------------------------------------------------------------------------------

    def check_pdf(
        self,
        data: bytes,
        name: str,
        out: Findings,
        *,
        certificate_sha256: str | None = None,
        unsigned: Unsigned | None = None,
        required: bool = False,
    ) -> int:
        """Check every signature of the PDF ``data`` (the file ``name``); return how many it has.

        ``required``: a run folder whose manifest names a signature, so the PDF must carry
        exactly one, by ``certificate_sha256``, appended to the ``unsigned`` document.
        """
        with _quiet():
            try:
                reader = _reader(data)
                embedded = list(reader.embedded_signatures)
            except Exception as exc:  # a damaged file makes pyHanko fail in many ways: a finding here
                out.problems.append(f"{name}: its signature cannot be read ({_why(exc)})")
                return 0
            if not embedded:
                if required:
                    out.problems.append(f"{name}: not signed, but the manifest says every PDF of this run is")
                return 0
            if required and len(embedded) != 1:
                out.problems.append(f"{name}: carries {len(embedded)} signatures, where reporter writes one")
            for signature in embedded:
                self._check_embedded(reader, data, signature, embedded, name, out, certificate_sha256)
            if unsigned is not None:
                _check_unsigned(reader, data, embedded[0], name, unsigned, out)
        return len(embedded)

    def _check_embedded(
        self,
        reader: PdfFileReader,
        data: bytes,
        signature: EmbeddedPdfSignature,
        embedded: list[EmbeddedPdfSignature],
        name: str,
        out: Findings,
        certificate_sha256: str | None,
    ) -> None:
        try:
            found = self._embedded(reader, data, signature, embedded, certificate_sha256)
        except Exception as exc:  # a malformed signature makes pyHanko and asn1crypto fail in many ways: a finding
            out.problems.append(f"{name}: its signature is malformed ({_why(exc)})")
            return
        self._record(found, name, out)

    def _embedded(
        self,
        reader: PdfFileReader,
        data: bytes,
        signature: EmbeddedPdfSignature,
        embedded: list[EmbeddedPdfSignature],
        certificate_sha256: str | None,
    ) -> _Held | str:
        from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp

        if signature.sig_object_type == "/DocTimeStamp":
            status: Any = validate_pdf_timestamp(signature, self._context())
        else:
            status = validate_pdf_signature(signature, self._context(), key_usage_settings=_usage())
        broken = _broken(status, signature, self.trust.roots) or _coverage_problem(
            reader, data, signature, status, embedded
        )
        if broken:
            return broken
        signer = _name_of(status.signing_cert)
        if signature.sig_object_type == "/DocTimeStamp":
            return _Held(
                f"document timestamp: {signer}, {_when(status.timestamp)}", [(status, f"timestamped by {signer}")]
            )
        mismatch = _certificate_mismatch(status.signing_cert, certificate_sha256)
        if mismatch:
            return mismatch
        stamp = status.timestamp_validity
        details = [signer, _when(stamp.timestamp if stamp is not None else status.signer_reported_dt)]
        trust = [(status, f"signed by {signer}")]
        if stamp is not None:
            details.append("timestamped")
            trust.append((stamp, f"timestamped by {_name_of(stamp.signing_cert)}"))
        details.append(_coverage(status))
        return _Held(f"signature: {', '.join(details)}", trust)

    def _record(self, found: _Held | str, name: str, out: Findings) -> None:
        if isinstance(found, str):
            out.problems.append(f"{name}: {found}")
            return
        out.signatures.append(f"{name} ({found.line})")
        out.checked.append(f"{name} (signature)")
        for status, what in found.trust:
            if not status.trusted:
                self._untrusted.setdefault(f"{what}, untrusted: {self._reason(status)}", []).append(name)

    # --- the manifest's detached signature ------------------------------------------------------------------------

    def check_detached(
        self, content: bytes, signature: bytes, name: str, signed: str, out: Findings, *, certificate_sha256: str
    ) -> None:
        """``signature`` (the file ``name``) is a detached CMS signature of ``content`` (the file ``signed``)."""
        with _quiet():
            try:
                found = self._detached(content, signature, signed, certificate_sha256)
            except Exception as exc:  # a damaged file makes asn1crypto and pyHanko fail in many ways: a finding
                out.problems.append(f"{name}: not a detached signature of {signed} that can be read ({_why(exc)})")
                return
        self._record(found, name, out)

    def _detached(self, content: bytes, signature: bytes, signed: str, certificate_sha256: str) -> _Held | str:
        from asn1crypto import cms
        from pyhanko.sign.validation import async_validate_detached_cms

        info = cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            return "not a CMS signature"
        if not _is_der(signature):
            return "not in DER, as it was written (a length in it was changed)"
        status = asyncio.run(
            async_validate_detached_cms(
                content, info["content"], signer_validation_context=self._context(), key_usage_settings=_usage()
            )
        )
        if not status.intact:
            return f"does not match {signed} (the manifest or its signature was changed)"
        if not status.valid:
            return "the signature does not verify with its certificate (it was changed)"
        problem = _carried_problem(info["content"], status.signing_cert, self.trust.roots) or _certificate_mismatch(
            status.signing_cert, certificate_sha256
        )
        if problem:
            return problem
        signer = _name_of(status.signing_cert)
        return _Held(
            f"signature of {signed}: {signer}, {_when(status.signer_reported_dt)}", [(status, f"signed by {signer}")]
        )

    # --- trust ----------------------------------------------------------------------------------------------------

    def _context(self) -> ValidationContext:
        """A fresh context for each file: what one file's signature carries never helps another's chain."""
        from pyhanko_certvalidator import ValidationContext

        return ValidationContext(trust_roots=list(self.trust.roots), allow_fetching=False)

    def _reason(self, status: SignatureStatus) -> str:
        from pyhanko.sign.ades.report import AdESIndeterminate

        problem = status.trust_problem_indic
        if status.revoked:
            return "its certificate (or an issuer's) was revoked"
        if problem is AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
            if not self.trust.files:
                return "no --trust file was given, so no certificate is trusted"
            files = ", ".join(str(p) for p in self.trust.files)
            return f"its certificate does not chain to a root in {files}"
        if problem is AdESIndeterminate.OUT_OF_BOUNDS_NO_POE:
            cert = status.signing_cert
            valid = cert["tbs_certificate"]["validity"]
            start, end = valid["not_before"].native, valid["not_after"].native
            return f"its certificate is valid from {_when(start)} to {_when(end)}, not now"
        if problem is AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE:
            return "its certificate chain breaks a constraint (a key usage, or a CA's limits)"
        return f"its certificate chain does not validate ({problem.standard_name if problem else 'no reason given'})"

    def warnings(self) -> list[str]:
        """One line for each signer and reason, naming the files (the first few, and how many)."""
        lines = []
        for why, names in self._untrusted.items():
            if len(names) == 1:
                lines.append(f"{names[0]}: {why}")
                continue
            shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
            lines.append(f"{len(names)} files ({shown}): {why}")
        return lines


# --- a signature that does not hold ----------------------------------------------------------------------------


def _broken(status: Any, signature: EmbeddedPdfSignature, roots: tuple[Any, ...]) -> str | None:
    """Why the signature ``status`` does not hold (its digest, its cryptography, its timestamp), or None."""
    if not status.intact:
        return "the signed bytes were changed (their digest does not match the signature)"
    if not status.valid:
        return "the signature does not verify with its certificate (it was changed)"
    contents = _contents_problem(signature)
    if contents:
        return contents
    carried = _carried_problem(signature.signed_data, status.signing_cert, roots)
    if carried:
        return carried
    stamp = getattr(status, "timestamp_validity", None)
    if stamp is not None:
        if not (stamp.intact and stamp.valid):
            return "its timestamp token does not match the signature (it was changed)"
        tokens = [t["content"] for t in _attributes(signature.signer_info, "signature_time_stamp_token")]
        carried = next((p for t in tokens if (p := _carried_problem(t, stamp.signing_cert, roots))), None)
        if carried:
            return f"its timestamp token: {carried}"
    return None


def _attributes(signer_info: Any, kind: str) -> list[Any]:
    attributes = signer_info["unsigned_attrs"]
    if not attributes:
        return []
    return [value for a in attributes if a["type"].native == kind for value in a["values"]]


def _carried_problem(signed_data: Any, signer: Any, roots: tuple[Any, ...]) -> str | None:
    """Why the parts of a CMS signature that it does not sign are not as written, or None.

    The version numbers and the list of digest algorithms must be what RFC 5652 has
    for one signer. The certificates it carries must be the signer's own chain as
    issued: each issues the one before it, from the signer's up; the last one's own
    signature holds when it claims to be a root (self-issued, or no authority key
    identifier but its own), and under a ``--trust`` root that bears its issuer's name
    otherwise, so no byte of theirs changes unnoticed while a root is known.
    """
    structure = _structure_problem(signed_data)
    if structure:
        return structure
    choices = list(signed_data["certificates"] or [])
    if any(choice.name != "certificate" for choice in choices):
        return "it carries something other than X.509 certificates"
    if any(choice.chosen["signature_value"].contents[:1] != b"\x00" for choice in choices):
        return "a certificate it carries was changed (its signature is not a whole number of bytes)"
    try:
        with warnings.catch_warnings():  # a changed certificate may be one cryptography warns of: a finding here
            warnings.simplefilter("ignore")
            return _chain_problem(
                [x509.load_der_x509_certificate(choice.chosen.dump()) for choice in choices],
                x509.load_der_x509_certificate(signer.dump()),
                [x509.load_der_x509_certificate(root.dump()) for root in roots],
            )
    except (ValueError, x509.InvalidVersion):  # cryptography parses the fields of a certificate when asked
        return "a certificate it carries cannot be read (it was changed)"


def _structure_problem(signed_data: Any) -> str | None:
    (signer_info,) = signed_data["signer_infos"]
    if any(len(part) > len(part._fields) for part in (signed_data, signer_info)):
        return "it holds an element of no known field (it was changed)"  # asn1crypto keeps such aside, unread
    sid = signer_info["sid"].name
    expected = "v1" if sid == "issuer_and_serial_number" else "v3"
    if signer_info["version"].native != expected or signed_data["version"].native not in ("v1", "v3"):
        return "its version numbers are not those of its kind (it was changed)"
    digests = [a.dump() for a in signed_data["digest_algorithms"]]
    if digests != [signer_info["digest_algorithm"].dump()]:
        return "its list of digest algorithms is not the signer's (it was changed)"
    unsigned = signer_info["unsigned_attrs"]
    if unsigned and any(a["type"].native == a["type"].dotted for a in unsigned):
        return "it carries an unsigned attribute of an unknown kind (it was changed)"
    return None


def _chain_problem(
    carried: list[x509.Certificate], current: x509.Certificate, roots: list[x509.Certificate]
) -> str | None:
    rest = [c for c in carried if c != current]
    while (issuer := next((c for c in rest if _issued(current, c)), None)) is not None:
        rest.remove(issuer)
        current = issuer
    if rest:
        return "it carries a certificate that is not of the signer's chain (a certificate was changed)"
    if _claims_root(current):
        if not _issued(current, current):
            return "the root certificate it carries does not verify (it was changed)"
        return None
    named = [root for root in roots if root.subject == current.issuer]
    if named and not any(_issued(current, root) for root in named):
        return "the last certificate of the chain it carries does not verify under its issuer (it was changed)"
    return None


def _claims_root(cert: x509.Certificate) -> bool:
    if cert.issuer == cert.subject:
        return True
    try:
        authority = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    except x509.ExtensionNotFound:
        return True
    try:
        own = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return False
    return authority == own


def _issued(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _certificate_mismatch(cert: Any, certificate_sha256: str | None) -> str | None:
    found = _sha256(cert)
    if certificate_sha256 is None or found == certificate_sha256.lower():
        return None
    return (
        f"signed by {_name_of(cert)} (certificate SHA-256 {found}), "
        f"not by the certificate the manifest names ({certificate_sha256})"
    )


def _contents_problem(signature: EmbeddedPdfSignature) -> str | None:
    """Why the ``/Contents`` string is not the DER signature then zeros, as written, or None.

    pyHanko reads the signature from the start of the string and no further.
    """
    from asn1crypto import cms

    raw = signature.pkcs7_content
    used = len(cms.ContentInfo.load(raw).dump())
    if raw[used:].strip(b"\x00"):
        return "the bytes of its /Contents after the signature were changed"
    if not _is_der(raw[:used]):
        return "its signature is not in DER, as it was written (a length in it was changed)"
    return None


def _is_der(signature: bytes) -> bool:
    """``signature`` is one DER element: each length definite, minimal, and the length of what it holds.

    A changed length that still parses (the signature then reads some of its zero
    padding, say) is found here. Only the structure is walked; the values are the
    signature's and the certificates' to vouch for.
    """
    try:
        return _der_end(signature, 0, len(signature), 0) == len(signature)
    except ValueError:
        return False


def _der_end(data: bytes, start: int, end: int, depth: int) -> int:
    """Where the DER element at ``start`` ends (its children walked too); ``ValueError`` if it is not DER."""
    if depth > _MAX_DER_DEPTH or start + 2 > end:
        raise ValueError("too deep, or cut short")
    tag, pos = data[start], start + 1
    if tag == 0:
        raise ValueError("end-of-contents marker")
    if tag & 0x1F == 0x1F:  # a tag number above 30, in base 128
        while pos < end and data[pos] & 0x80:
            pos += 1
        pos += 1
    if pos >= end:
        raise ValueError("cut short")
    first, pos = data[pos], pos + 1
    if first == 0x80 or first == 0xFF:
        raise ValueError("indefinite length")
    length = first
    if first > 0x80:
        size = first & 0x7F
        length = int.from_bytes(data[pos : pos + size], "big")
        if size > 4 or pos + size > end or data[pos] == 0 or length < 0x80:
            raise ValueError("length not minimal")
        pos += size
    if pos + length > end:
        raise ValueError("longer than what holds it")
    if tag & 0x20:  # constructed: its children fill it exactly
        child = pos
        while child < pos + length:
            child = _der_end(data, child, pos + length, depth + 1)
    return pos + length


def _coverage_problem(
    reader: PdfFileReader,
    data: bytes,
    signature: EmbeddedPdfSignature,
    status: Any,
    embedded: list[EmbeddedPdfSignature],
) -> str | None:
    """Why the signed byte range does not cover what it must, or None.

    The whole file but the ``/Contents``, or the signature's revision followed only by
    validation data (DSS updates) and nothing after the last one.
    """
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return None
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return "bytes outside the signed range were changed (it does not cover the file)"
    later = signature.signed_revision < reader.xrefs.total_revisions - 1
    diff = status.diff_result
    if (
        not later
        or not isinstance(diff, DiffResult)
        or diff.modification_level > ModificationLevel.LTA_UPDATES
        or diff.changed_form_fields
        or any(other.signed_revision > signature.signed_revision for other in embedded)
    ):
        return "it was changed after it was signed (bytes or an update that is not validation data follow it)"
    end = data.rfind(b"%%EOF")
    if end < 0 or data[end + 5 :] not in (b"", b"\n", b"\r\n", b"\r"):
        return "bytes were added after its last update"
    return None


def _coverage(status: Any) -> str:
    from pyhanko.sign.validation import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "covers the whole file"
    return "covers its revision; only validation data (DSS) was added after it"


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")


def _check_unsigned(
    reader: PdfFileReader, data: bytes, signature: EmbeddedPdfSignature, name: str, unsigned: Unsigned, out: Findings
) -> None:
    """The first ``unsigned.size`` bytes are the unsigned document, and the signature the update right after it."""
    if not 0 < unsigned.size <= len(data) or hashlib.sha256(data[: unsigned.size]).hexdigest() != unsigned.sha256:
        out.problems.append(f"{name}: does not begin with the unsigned document the manifest records")
        return
    revision = signature.signed_revision
    found = _STARTXREF.search(data[max(0, unsigned.size - 1024) : unsigned.size])
    try:
        follows = (
            revision >= 1
            and found is not None
            and reader.xrefs.get_startxref_for_revision(revision - 1) == int(found.group(1))
            and reader.xrefs.get_xref_container_info(revision).start_location >= unsigned.size
        )
    except Exception:  # pyHanko's bookkeeping of a damaged file fails in many ways: the answer is no
        follows = False
    if not follows:
        out.problems.append(f"{name}: its signature is not the update appended to the unsigned document")
        return
    out.checked.append(f"{name} (unsigned revision is the reproducible document)")


# --- small helpers ------------------------------------------------------------------------------------------------


def _reader(data: bytes) -> PdfFileReader:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data))


def _usage() -> Any:
    """The signer's certificate must allow signing (either bit, as ``reporter.render.sign`` asks of it)."""
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    return KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})


def _name_of(cert: Any) -> str:
    return signer_name(x509.load_der_x509_certificate(cert.dump()))


def _sha256(cert: Any) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "no signing time"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, ReporterError):
        return text
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


@contextmanager
def _quiet() -> Iterator[None]:
    loggers = [logging.getLogger(n) for n in _QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
