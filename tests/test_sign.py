"""Signing: the ``[sign]`` table, the certificate checks, and what signing does to the run folder and its PDFs.

Reading signatures back is ``reporter verify``'s (tests/test_verify_signatures.py); here the
PDFs are read with pikepdf and poppler's ``pdfsig``, the manifest signature with ``openssl``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner, Result

from reporter.cli import cli
from tests.sign_helpers import SIGNER, Pki, TimestampAuthority, make_pki, signed_render, timestamp_authority

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "samples" / "edge-zero-users" / "snapshot.json"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimestampAuthority]:
    with timestamp_authority(tmp_path_factory.mktemp("tsa")) as authority:
        yield authority


@pytest.fixture(scope="session")
def rsa_bt(tmp_path_factory: pytest.TempPathFactory, pki: Pki, tsa: TimestampAuthority) -> Path:
    """The northwind sample signed with RSA 3072 and timestamped (PAdES B-T)."""
    return signed_render(tmp_path_factory.mktemp("rsa-bt") / "out", pki.rsa, tsa_url=tsa.url)


def reporter(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("reporter: error: ")
    return lines[0]


def sign_config(folder: Path, certificate: Path, **keys: str) -> Path:
    config = folder / "reporter.toml"
    lines = ["[sign]", f"certificate = {str(certificate)!r}", *(f"{k} = {v!r}" for k, v in keys.items())]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def pdfsig(path: Path) -> str:
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    return result.stdout


def manifest_of(folder: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return document


def pdf_entries(folder: Path) -> list[dict[str, object]]:
    files = manifest_of(folder)["files"]
    assert isinstance(files, list)
    return [e for e in files if str(e["path"]).endswith(".pdf")]


# --- the certificate is checked before any rendering --------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("expired", "expired on"),
        ("not_yet_valid", "not valid until"),
        ("no_sign_usage", "not allowed to sign documents (its key usage"),
        ("server_only", "not allowed to sign documents (its extended key usage"),
        ("without_key", "no private key in the file"),
        ("ca_file", "no private key in the file"),
    ],
)
def test_a_certificate_that_cannot_sign_is_refused_before_rendering(
    tmp_path: Path, pki: Pki, which: str, message: str
) -> None:
    config = sign_config(tmp_path, getattr(pki, which))
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert message in err
    assert "signing certificate" in err or "certificate" in err
    assert not (tmp_path / "out").exists()


def test_a_missing_certificate_file_is_one_line(tmp_path: Path) -> None:
    config = sign_config(tmp_path, tmp_path / "nowhere.pem")
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert "nowhere.pem" in err
    assert not (tmp_path / "out").exists()


def test_a_pfx_opens_with_the_password_from_the_environment_only(tmp_path: Path, pki: Pki) -> None:
    config = sign_config(tmp_path, pki.pfx)
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert "REPORTER_SIGN_PASSWORD" in err
    wrong = reporter(
        "render", SMALL, "--config", config, "--out", tmp_path / "out", env={"REPORTER_SIGN_PASSWORD": "x"}
    )
    assert "check the passphrase in REPORTER_SIGN_PASSWORD" in one_line_error(wrong)
    good = reporter(
        "render", SMALL, "--config", config, "--out", tmp_path / "out", env={"REPORTER_SIGN_PASSWORD": pki.pfx_password}
    )
    assert good.exit_code == 0, good.output
    assert pki.pfx_password not in good.output
    assert "Signature is Valid." in pdfsig(tmp_path / "out" / "summary.pdf")


def test_the_password_is_never_read_from_the_config_file(tmp_path: Path, pki: Pki) -> None:
    config = sign_config(tmp_path, pki.pfx, password="hunter2")
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert "REPORTER_SIGN_PASSWORD" in err
    assert "hunter2" not in err


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"tsa_url": "ftp://tsa.example"}, "is not an http(s) URL"),
        ({"tsa_url": "https://user:pw@tsa.example"}, "must not carry a user name or password"),
        ({"level": "B-T"}, "level B-T needs a timestamp"),
        ({"level": "B-B", "tsa_url": "https://tsa.example"}, "level B-B has no timestamp"),
        ({"level": "LTA"}, "level must be one of B-B, B-T, B-LT"),
        ({"key": "x"}, "[sign] unknown key 'key'"),
    ],
)
def test_a_wrong_sign_table_is_one_line(tmp_path: Path, pki: Pki, keys: dict[str, str], message: str) -> None:
    config = sign_config(tmp_path, pki.ecdsa, **keys)
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert message in err
    assert "pw@" not in err


# --- a signed run folder -------------------------------------------------------------------------------------


def test_every_pdf_is_signed_and_pdfsig_finds_it_valid_and_whole(rsa_bt: Path) -> None:
    entries = pdf_entries(rsa_bt)
    assert len(entries) > 12  # the pool's workers signed too
    for entry in entries:
        report = pdfsig(rsa_bt / str(entry["path"]))
        assert "Signature Validation: Signature is Valid." in report, entry["path"]
        assert "Total document signed" in report, entry["path"]
        assert f"Signer Certificate Common Name: {SIGNER}" in report
        assert "Signature Type: ETSI.CAdES.detached" in report


def test_the_timestamp_authority_stamped_every_pdf(rsa_bt: Path, tsa: TimestampAuthority) -> None:
    assert len(tsa.requests) >= len(pdf_entries(rsa_bt))
    with pikepdf.open(rsa_bt / "summary.pdf") as pdf:
        (field,) = pdf.Root.AcroForm.Fields
        contents = bytes(field.V.Contents)
    assert b"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0e" in contents  # id-aa-signatureTimeStampToken


def test_the_signed_file_begins_with_the_unsigned_document(rsa_bt: Path) -> None:
    for entry in pdf_entries(rsa_bt):
        data = (rsa_bt / str(entry["path"])).read_bytes()
        size = entry["unsignedSize"]
        assert isinstance(size, int)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert hashlib.sha256(data[:size]).hexdigest() == entry["unsignedSha256"]
        assert data[:size].rstrip().endswith(b"%%EOF")
        assert size < len(data)


def test_signed_pdfs_stay_pdf_a_3b_with_their_data_attached(rsa_bt: Path) -> None:
    for entry in pdf_entries(rsa_bt):
        path = rsa_bt / str(entry["path"])
        with pikepdf.open(path) as pdf:
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                assert meta.get("pdfaid:part") == "3", path
                assert meta.get("pdfaid:conformance") == "B", path
                producer, modified = meta.get("pdf:Producer"), meta.get("xmp:ModifyDate")
            info = pdf.docinfo
            # PDF/A: what the information dictionary says, the XMP says alike
            assert str(info.get("/Producer")) == producer, path
            assert str(info["/ModDate"])[2:16] == str(modified).replace("-", "").replace("T", "").replace(":", "")[:14]
            assert len(pdf.attachments) == 1
            assert [i.get("/S") for i in pdf.Root.OutputIntents] == ["/GTS_PDFA1"]
            assert len(pdf.trailer.ID) == 2
            (field,) = pdf.Root.AcroForm.Fields
            assert list(field.Rect) == [0, 0, 0, 0]  # invisible
            assert int(pdf.Root.AcroForm.SigFlags) == 3
            assert "/Perms" not in pdf.Root  # an approval signature: no certification locking the document


def test_the_last_page_says_who_signed(rsa_bt: Path) -> None:
    import pdfplumber

    entry = next(e for e in pdf_entries(rsa_bt) if e.get("tenantId"))
    with pdfplumber.open(rsa_bt / str(entry["path"])) as pdf:
        text = " ".join((pdf.pages[-1].extract_text() or "").split())
    assert f"digitally signed by {SIGNER}" in text
    with pdfplumber.open(rsa_bt / "summary.pdf") as pdf:
        text = " ".join(" ".join((p.extract_text() or "") for p in pdf.pages).split())
    assert "Digital signature" in text


def test_the_manifest_names_its_signer_and_openssl_accepts_its_signature(rsa_bt: Path, pki: Pki) -> None:
    signature = manifest_of(rsa_bt)["signature"]
    assert isinstance(signature, dict)
    assert signature["signer"] == SIGNER
    assert signature["pdfLevel"] == "PAdES-B-T"
    assert signature["manifestSignature"] == "manifest.json.p7s"
    result = subprocess.run(
        [
            "openssl", "cms", "-verify", "-binary", "-inform", "DER",
            "-content", "manifest.json", "-in", "manifest.json.p7s", "-CAfile", str(pki.ca_file), "-out", os.devnull,
        ],
        cwd=rsa_bt, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_two_signed_renders_differ_only_in_their_signatures(
    tmp_path: Path, pki: Pki, tsa: TimestampAuthority, rsa_bt: Path
) -> None:
    again = signed_render(tmp_path / "again", pki.rsa, tsa_url=tsa.url)
    first = {e["path"]: e for e in pdf_entries(rsa_bt)}
    second = {e["path"]: e for e in pdf_entries(again)}
    assert first.keys() == second.keys()
    for path, entry in first.items():
        assert entry["unsignedSha256"] == second[path]["unsignedSha256"], path  # the reproducible document
        assert entry["sha256"] != second[path]["sha256"], path  # each signature is new


def test_a_signed_folder_is_ours_to_replace_but_not_with_a_foreign_signature(tmp_path: Path, pki: Pki) -> None:
    config = sign_config(tmp_path, pki.ecdsa)
    out = tmp_path / "out"
    assert reporter("render", SMALL, "--config", config, "--out", out).exit_code == 0
    assert (out / "manifest.json.p7s").is_file()
    assert reporter("render", SMALL, "--config", config, "--out", out).exit_code == 0  # provably ours: replaced
    (out / "manifest.json.p7s").write_bytes(b"0\x80 someone else's file")
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", out))
    assert "manifest.json.p7s is not listed" in err
    assert (out / "manifest.json.p7s").read_bytes() == b"0\x80 someone else's file"


def test_a_signed_folder_is_signed_again_by_a_new_process(tmp_path: Path, pki: Pki) -> None:
    """A new ``reporter`` process reads the old folder's signature before it signs (it once failed then)."""
    sample = ROOT / "samples" / "summit-secure-partners" / "snapshot.json"
    out = signed_render(tmp_path / "out", pki.ecdsa, snapshot=sample, extra=())
    first = (out / "manifest.json.p7s").read_bytes()
    signed_render(out, pki.ecdsa, snapshot=sample, extra=())
    assert (out / "manifest.json.p7s").read_bytes() != first
    assert "Signature is Valid." in pdfsig(out / "summary.pdf")


def test_an_unsigned_render_into_a_signed_folder_leaves_no_stale_signature(tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "out"
    assert reporter("render", SMALL, "--config", sign_config(tmp_path, pki.ecdsa), "--out", out).exit_code == 0
    (tmp_path / "plain.toml").write_text('[brand]\nname = "Plain"\n', encoding="utf-8")
    assert reporter("render", SMALL, "--config", tmp_path / "plain.toml", "--out", out).exit_code == 0
    assert not (out / "manifest.json.p7s").exists()
    assert "signature" not in manifest_of(out)


def test_a_far_away_timestamp_authority_is_awaited_while_the_next_reports_are_laid_out(
    tmp_path: Path, pki: Pki
) -> None:
    sample = ROOT / "samples" / "summit-secure-partners" / "snapshot.json"  # six customers: rendered in one process
    with timestamp_authority(tmp_path / "tsa", delay=0.3) as far:
        config = sign_config(tmp_path, pki.ecdsa, tsa_url=far.url)
        result = reporter("render", sample, "--config", config, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(far.requests) >= 7  # every PDF, and pyHanko's size estimate
    assert far.most_at_once[0] >= 2  # one process had several signatures waiting at once
    for entry in pdf_entries(tmp_path / "out"):
        assert "Signature is Valid." in pdfsig(tmp_path / "out" / str(entry["path"]))


# --- the timestamp authority misbehaves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("error", "answered HTTP 500"),
        ("junk", "not a timestamp"),
        ("rejection", "refused to timestamp (rejection)"),
        ("no-token", "sent no token"),
    ],
)
def test_a_failing_timestamp_authority_fails_the_render_in_one_line(
    tmp_path: Path, pki: Pki, behaviour: str, message: str
) -> None:
    with timestamp_authority(tmp_path / "tsa", behaviour=behaviour) as bad:
        config = sign_config(tmp_path, pki.ecdsa, tsa_url=bad.url)
        err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert "timestamp authority" in err
    assert message in err
    assert not (tmp_path / "out").exists()


def test_an_unreachable_timestamp_authority_fails_in_one_line(tmp_path: Path, pki: Pki) -> None:
    with timestamp_authority(tmp_path / "tsa") as gone:
        url = gone.url
    config = sign_config(tmp_path, pki.ecdsa, tsa_url=url)
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert "cannot be reached" in err
    assert not (tmp_path / "out").exists()


# --- B-LT -----------------------------------------------------------------------------------------------------


def test_b_lt_embeds_the_validation_data_in_the_signature_s_own_revision(tmp_path: Path, pki: Pki) -> None:
    with timestamp_authority(tmp_path / "tsa", issuer=pki.root) as tsa:  # both chains end at a root it knows
        config = sign_config(tmp_path, pki.ecdsa, tsa_url=tsa.url, level="B-LT")
        out = tmp_path / "out"
        result = reporter("render", SMALL, "--config", config, "--out", out)
    assert result.exit_code == 0, result.output
    pdf_path = out / "summary.pdf"
    report = pdfsig(pdf_path)
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    with pikepdf.open(pdf_path) as pdf:
        dss = pdf.Root.DSS
        assert len(dss.Certs) >= 2  # the signer and its root, for validation years from now
    assert manifest_of(out)["signature"]["pdfLevel"] == "PAdES-B-LT"  # type: ignore[index]


def test_b_lt_with_a_timestamp_authority_of_unknown_root_is_one_line(
    tmp_path: Path, pki: Pki, tsa: TimestampAuthority
) -> None:
    config = sign_config(tmp_path, pki.ecdsa, tsa_url=tsa.url, level="B-LT")
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert "cannot gather the validation data for B-LT" in err
    assert not (tmp_path / "out").exists()


def test_b_lt_without_the_root_in_the_file_is_refused(tmp_path: Path, pki: Pki, tsa: TimestampAuthority) -> None:
    lone = tmp_path / "lone.pem"
    text = pki.ecdsa.read_text(encoding="ascii")
    lone.write_text(text[: text.rindex("-----BEGIN CERTIFICATE-----")], encoding="ascii")  # key and signer only
    config = sign_config(tmp_path, lone, tsa_url=tsa.url, level="B-LT")
    err = one_line_error(reporter("render", SMALL, "--config", config, "--out", tmp_path / "out"))
    assert "B-LT needs the chain up to its root" in err


def test_b_b_signs_without_a_timestamp_authority(tmp_path: Path, pki: Pki) -> None:
    out = signed_render(tmp_path / "offline", pki.ecdsa, extra=("--no-customer-reports",))
    assert "Signature is Valid." in pdfsig(out / "summary.pdf")
    assert manifest_of(out)["signature"]["pdfLevel"] == "PAdES-B-B"  # type: ignore[index]
