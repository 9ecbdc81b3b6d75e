"""A throwaway PKI for signing tests: a root CA, signing certificates, and a local RFC 3161 timestamp authority.

Nothing here is of reporter: certificates are made with ``cryptography``; the
timestamp authority is pyHanko's own test authority (``DummyTimeStamper``) behind a
``http.server`` on loopback, so reporter's HTTP client talks to a real server.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNER = "Northwind Cloud Partners"
NOW = dt.datetime.now(dt.UTC)

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _name(common: str, organisation: str = SIGNER) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common), x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)]
    )


def _usage(*, sign: bool, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=not sign and not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Authority:
    key: Key
    cert: x509.Certificate

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(
        self,
        common: str = SIGNER,
        *,
        key: Key | None = None,
        kind: str = "ec",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        sign: bool = True,
        extended: tuple[x509.ObjectIdentifier, ...] | None = None,
        ca: bool = False,
    ) -> tuple[Key, x509.Certificate]:
        """A key (``kind``: ``"ec"`` P-256 or ``"rsa"`` 3072) and its certificate issued by this authority."""
        if key is None:
            key = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 3072)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - dt.timedelta(days=1))
            .not_valid_after(not_after or NOW + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(_usage(sign=sign, ca=ca), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
        )
        if extended is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended)), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())


def root_authority(common: str = "Northwind Test Root CA") -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=2))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def key_pem(key: Key, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def write_pem(
    path: Path, key: Key | None, cert: x509.Certificate, *chain: x509.Certificate, password: bytes | None = None
) -> Path:
    """A PEM file as partners keep them: the key (unless None), the certificate, then its chain."""
    data = key_pem(key, password) if key is not None else b""
    for c in (cert, *chain):
        data += c.public_bytes(serialization.Encoding.PEM)
    path.write_bytes(data)
    return path


def write_pfx(path: Path, key: Key, cert: x509.Certificate, *chain: x509.Certificate, password: bytes) -> Path:
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signing", key, cert, list(chain) or None, serialization.BestAvailableEncryption(password)
        )
    )
    return path


DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH


@dataclass
class Pki:
    """What a signing test needs: the CA file, RSA and ECDSA signing files, and the faulty ones."""

    folder: Path
    root: Authority
    ca_file: Path
    ecdsa: Path
    rsa: Path
    expired: Path
    not_yet_valid: Path
    no_sign_usage: Path
    server_only: Path
    without_key: Path
    pfx: Path
    pfx_password: str = "pfx-passphrase"


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    root = root_authority()
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(root.pem())
    ec_key, ec_cert = root.issue(kind="ec", extended=(DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION))
    rsa_key, rsa_cert = root.issue(kind="rsa")
    old_key, old_cert = root.issue(not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=35))
    new_key, new_cert = root.issue(not_before=NOW + dt.timedelta(days=3))
    bad_key, bad_cert = root.issue(sign=False)
    web_key, web_cert = root.issue(extended=(SERVER_AUTH,))
    return Pki(
        folder=folder,
        root=root,
        ca_file=ca_file,
        ecdsa=write_pem(folder / "signing-ecdsa.pem", ec_key, ec_cert, root.cert),
        rsa=write_pem(folder / "signing-rsa.pem", rsa_key, rsa_cert, root.cert),
        expired=write_pem(folder / "expired.pem", old_key, old_cert, root.cert),
        not_yet_valid=write_pem(folder / "not-yet-valid.pem", new_key, new_cert, root.cert),
        no_sign_usage=write_pem(folder / "no-sign-usage.pem", bad_key, bad_cert, root.cert),
        server_only=write_pem(folder / "server-only.pem", web_key, web_cert, root.cert),
        without_key=write_pem(folder / "without-key.pem", None, ec_cert, root.cert),
        pfx=write_pfx(folder / "signing.pfx", rsa_key, rsa_cert, root.cert, password=b"pfx-passphrase"),
    )


# --- a local RFC 3161 timestamp authority ----------------------------------------------------------------------


@dataclass
class TimestampAuthority:
    url: str
    requests: list[int]
    """The size of each request it answered."""
    seconds: list[float]
    """How long it took to answer each request (its own work, not the network's)."""
    most_at_once: list[int]
    """``[n]``: the most requests it held at one time."""
    ca_file: Path
    """The timestamp authority's own root, for tests that check the token's chain."""


@contextmanager
def timestamp_authority(
    folder: Path, *, behaviour: str = "ok", issuer: Authority | None = None, delay: float = 0.0
) -> Iterator[TimestampAuthority]:
    """pyHanko's test authority over HTTP on loopback.

    ``behaviour``: ``"error"`` answers 500, ``"junk"`` garbage, ``"rejection"`` a refusal, ``"no-token"`` a grant
    without its token.

    ``issuer``: the authority that certifies it (by default a root of its own); ``delay``: seconds it
    waits before answering, as a far-away authority would.
    """
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    folder.mkdir(parents=True, exist_ok=True)
    root = issuer or root_authority("Test Timestamp Root")
    tsa_key, tsa_cert = root.issue(  # pyHanko's test authority signs with RSA only
        "Test Timestamp Authority",
        key=rsa.generate_private_key(65537, 2048),  # it loads its key for every request: the smallest RSA key
        extended=(ExtendedKeyUsageOID.TIME_STAMPING,),
    )
    (folder / "tsa-ca.pem").write_bytes(root.pem())
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        certs_to_embed=[asn1_x509.Certificate.load(root.cert.public_bytes(serialization.Encoding.DER))],
    )
    seen: list[int] = []
    spent: list[float] = []
    held, most, lock = [0], [0], threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                held[0] += 1
                most[0] = max(most[0], held[0])
            try:
                self.answer(body)
            finally:
                with lock:
                    held[0] -= 1

        def answer(self, body: bytes) -> None:
            time.sleep(delay)
            started = time.perf_counter()
            seen.append(len(body))
            if behaviour == "error":
                self.send_response(500)
                self.end_headers()
                return
            if behaviour == "junk":
                payload = b"not a timestamp"
            elif behaviour == "rejection":  # PKIStatusInfo {status rejection(2)}, no token: a policy refusal
                payload = bytes.fromhex("30053003020102")
            elif behaviour == "no-token":  # granted(0), yet no token
                payload = bytes.fromhex("30053003020100")
            else:
                payload = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            spent.append(time.perf_counter() - started)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
        yield TimestampAuthority(url, seen, spent, most, folder / "tsa-ca.pem")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- a signed run folder --------------------------------------------------------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-partners" / "snapshot.json"


def signed_render(
    out: Path,
    certificate: Path,
    *,
    tsa_url: str | None = None,
    level: str | None = None,
    snapshot: Path = SAMPLE,
    extra: tuple[str, ...] = ("--customer-workbooks",),
    env: dict[str, str] | None = None,
) -> Path:
    """``reporter render`` of ``snapshot`` into ``out`` with a ``[sign]`` table naming ``certificate``.

    Runs the real command in a child process (the PDF pool forks); returns ``out``.
    """
    import os
    import subprocess
    import sys

    config = out.parent / f"{out.name}-reporter.toml"
    lines = ["[sign]", f"certificate = {str(certificate)!r}"]
    if tsa_url:
        lines.append(f"tsa_url = {tsa_url!r}")
    if level:
        lines.append(f"level = {level!r}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "reporter", "render", str(snapshot), "--config", str(config), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out
