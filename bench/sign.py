"""Signing: what PAdES signatures add to a thousand customer reports.

Each repetition is one child process: the view-model of 1,000 customers, a throwaway PKI
(RSA 3072 and ECDSA P-256 signing certificates) and a local RFC 3161 timestamp authority
on loopback (the tests' own), then ``render_customers`` with a worker per core, as
``reporter render`` runs it: unsigned, and signed with each key at B-B and at B-T.
The unsigned render is the reference, measured in the same process just before. The
timestamp authority answers from a thread of the same process, so its
work is counted against us, as a slow authority would be.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._core import Benchmark, Row, Settings, log
from bench._data import snapshot_file

TARGET = 1.10
"""Signing may add at most a tenth to the render."""
CONFIGS = (("rsa", "B-B"), ("rsa", "B-T"), ("ecdsa", "B-B"), ("ecdsa", "B-T"))
_NAMES = {"rsa": "RSA 3072", "ecdsa": "ECDSA P-256"}


def sign_rows(settings: Settings) -> list[Row]:
    count = settings.size(1000, 24)
    return [
        Row(
            f"sign.{key}.{level.lower()}",
            f"{count:,} customer report PDFs signed, {_NAMES[key]}, {level}",
            "s",
            "ratio",
            TARGET,
            reference_label="unsigned",
        )
        for key, level in CONFIGS
    ]


def sign_run(settings: Settings, rows: list[Row]) -> None:
    from bench._core import job

    snapshot = snapshot_file(settings, settings.size(1000, 24))
    for _ in range(settings.repeats(2)):
        result = job("bench.sign:signed_reports", {"snapshot": str(snapshot)}, settings.scratch).result
        for row, (key, level) in zip(rows, CONFIGS, strict=True):
            seconds = result[f"{key} {level}"]
            authority = result["authority_seconds"][f"{key} {level}"]
            row.add(
                seconds,
                result["unsigned"],
                reports=result["reports"],
                workers=result["workers"],
                authority_seconds=authority,
            )
            log(
                f"{row.name}: {seconds:.1f} s, unsigned {result['unsigned']:.1f} s; the timestamp authority "
                f"took {authority:.1f} s to answer, its requests' times added up"
            )


def signed_reports(snapshot: str) -> dict[str, Any]:
    from reporter import snapshot as snapshot_io
    from reporter.render.brand_config import default_brand
    from reporter.render.options import RenderOptions
    from reporter.render.pdf import render_customers
    from reporter.render.sign import Level, PdfSigning, SignSettings, signing_identity
    from reporter.view import build_context
    from tests.sign_helpers import make_pki, timestamp_authority

    workers = os.cpu_count() or 1
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        pki = make_pki(Path(scratch) / "pki")
        files = {"rsa": pki.rsa, "ecdsa": pki.ecdsa}
        loaded = snapshot_io.load(Path(snapshot))
        with timestamp_authority(Path(scratch) / "tsa", issuer=pki.root) as tsa:
            runs: list[tuple[str, PdfSigning | None]] = [("unsigned", None)]
            for key, level in CONFIGS:
                settings = SignSettings(files[key], Level(level), tsa.url if level != "B-B" else None)
                runs.append((f"{key} {level}", PdfSigning(signing_identity(settings, {}))))
            reports = 0
            stamped: dict[str, float] = {}
            for name, signing in runs:
                answered = len(tsa.seconds)
                # The view-model names the signer on the last page, as a signed run's does.
                context = build_context(loaded, default_brand(), signed_by=signing.identity.name if signing else None)
                out = Path(scratch) / name.replace(" ", "-")
                out.mkdir()
                started = time.perf_counter()
                artifacts = render_customers(context, out, RenderOptions(workers=workers, signing=signing))
                results[name] = time.perf_counter() - started
                stamped[name] = sum(tsa.seconds[answered:])
                reports = len(artifacts)
    return {**results, "reports": reports, "workers": workers, "authority_seconds": stamped}


BENCHMARKS = [Benchmark("sign.many", sign_rows, sign_run)]
