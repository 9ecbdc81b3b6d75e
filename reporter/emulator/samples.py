"""The sample data in ``samples/``: raw Graph pages as the emulator serves them, and the snapshots built from them.

    python -m reporter.emulator.samples samples      # (re)write every sample folder

Each sample folder holds ``sample.json`` (how it was generated), ``raw/`` (one
file per Graph response body, paged as Graph pages them, links under
https://graph.microsoft.com; indented for reading, otherwise byte for byte
what the emulator sends) and ``snapshot.json`` (``snapshot_from_raw`` of the
folder). Everything is deterministic: regenerating changes nothing.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reporter import snapshot as snapshot_io
from reporter._version import __version__
from reporter.collect.parse import GraphPayloads, build_snapshot
from reporter.emulator.customers import CustomerOverride, PartnerKind
from reporter.emulator.graph import SCORE_PATH, GraphResources
from reporter.emulator.options import Quirks
from reporter.emulator.quirks import apply_quirks
from reporter.emulator.timeline import stable_uuid
from reporter.emulator.wire import PUBLIC_GRAPH_URL
from reporter.emulator.world import build_world
from reporter.model import Provenance, RequestRecord, Snapshot

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
LONG_NAME = (
    "The Extraordinarily Long-Named Consolidated Regional Association of Independent Veterinary, "
    "Agricultural, Horticultural and Rural Land Management Cooperatives and Allied Trades of the North Riding Ltd"
)[:200]


@dataclass(frozen=True)
class SampleSpec:
    folder: str
    partner: str
    description: str
    seed: int
    customers: int
    kind: PartnerKind = "typical"
    page_size: int = 15
    quirks: Quirks = field(default_factory=Quirks)
    overrides: tuple[CustomerOverride, ...] = ()


SAMPLES: tuple[SampleSpec, ...] = (
    SampleSpec(
        "northwind-partners",
        "Northwind Partners",
        "A typical partner: 40 customers of every size and MFA posture, 18 months of sparse history, "
        "alerts of every severity and status (test alerts included), contracts that miss a few tenants.",
        seed=20261102,
        customers=40,
    ),
    SampleSpec(
        "summit-secure-partners",
        "Summit Secure Partners",
        "An exemplary partner meeting every requirement; the score singleton arrives wrapped in "
        '{"value": {...}} and without numbers as strings.',
        seed=4242,
        customers=6,
        kind="exemplary",
        page_size=4,
        quirks=Quirks(wrapped_singleton=True, numbers_as_strings=False),
    ),
    SampleSpec(
        "edge-no-customers",
        "Lonely Reseller",
        "A struggling partner with no customers at all: empty customerInsights, contracts and alerts.",
        seed=7,
        customers=0,
        kind="struggling",
    ),
    SampleSpec(
        "edge-zero-users",
        "Tiny Tenants Co",
        "Three customers, one of which has no users at all (and so no admins).",
        seed=11,
        customers=3,
        kind="struggling",
        overrides=(
            CustomerOverride(name="Empty Shell Holdings Ltd", users=0, in_contracts=True),
            CustomerOverride(users=4, in_contracts=True),
            CustomerOverride(in_contracts=True),
        ),
    ),
    SampleSpec(
        "edge-unicode-names",
        "Polyglot Partners",
        "Names in many scripts, right-to-left Arabic and Hebrew among them, emoji, and a 200-character name.",
        seed=12,
        customers=10,
        kind="struggling",
        overrides=tuple(
            CustomerOverride(name=name, in_contracts=True)
            for name in (
                "شركة النخيل للتجارة",
                "חברת אורן טכנולוגיות בע״מ",
                "Cedar شركة Holdings (عربي / English)",
                "株式会社サクラ物流",
                "Сибирские Логистические Системы",
                "Müller & Söhne GmbH",
                "Société Générale de Café Ltée",
                "Ærø Økonomi AS",
                "Rocket 🚀 Labs",
                LONG_NAME,
            )
        ),
    ),
    SampleSpec(
        "edge-injection-names",
        "Hostile Names Ltd",
        "Names that are HTML or spreadsheet formulas, start with a tab or contain a control character: "
        "every output must show them as inert text.",
        seed=13,
        customers=10,
        kind="struggling",
        overrides=tuple(
            CustomerOverride(name=name, in_contracts=True)
            for name in (
                "<script>alert(1)</script>",
                "<b>Bold</b> & Co",
                '=HYPERLINK("http://evil.example","click")',
                "+cmd",
                "-2+3",
                "@SUM(A1)",
                "\tTabbed Start Ltd",
                "Bell\x07Ringers Control Character Inc",
                "Robert'); DROP TABLE customers;--",
                "'Quoted' \"Double\" & Ampersand Ltd",
            )
        ),
    ),
)

_FILE = re.compile(r"^(?P<name>[A-Za-z]+)-page-(?P<page>[0-9]+)\.json$")
_COLLECTION_FIELDS = {
    "requirements": "requirements",
    "history": "history",
    "customerInsights": "customer_insights",
    "securityAlerts": "alerts",
    "contracts": "contracts",
}


def raw_responses(spec: SampleSpec) -> dict[str, Any]:
    """File name -> Graph response body, for every request a collection makes."""
    world = apply_quirks(
        build_world(spec.seed, spec.customers, AS_OF, kind=spec.kind, overrides=spec.overrides), spec.quirks
    )
    resources = GraphResources(world, PUBLIC_GRAPH_URL, spec.page_size, wrapped_singleton=spec.quirks.wrapped_singleton)
    files: dict[str, Any] = {"securityScore.json": resources.score()}
    for collection in resources.collections.values():
        for number, page in enumerate(resources.pages(collection), start=1):
            files[f"{collection.name}-page-{number}.json"] = page
    return files


def sample_info(spec: SampleSpec) -> dict[str, Any]:
    world = build_world(spec.seed, spec.customers, AS_OF, kind=spec.kind, overrides=spec.overrides)
    return {
        "partner": spec.partner,
        "description": spec.description,
        "partnerTenantId": world.partner_tenant_id,
        "asOf": AS_OF.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": spec.seed,
        "customers": spec.customers,
        "kind": spec.kind,
        "pageSize": spec.page_size,
    }


def snapshot_from_raw(folder: Path) -> Snapshot:
    """The snapshot a collection reading exactly ``folder/raw`` would write."""
    info = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
    raw = folder / "raw"
    score = json.loads((raw / "securityScore.json").read_text(encoding="utf-8"))
    items: dict[str, list[Any]] = {name: [] for name in _COLLECTION_FIELDS}
    requests = [_request(folder.name, "securityScore.json", SCORE_PATH)]
    for path in sorted(raw.glob("*-page-*.json"), key=_page_order):
        match = _FILE.match(path.name)
        if match is None:
            continue
        body = json.loads(path.read_text(encoding="utf-8"))
        items[match["name"]].extend(body["value"])
        requests.append(_request(folder.name, path.name, _requested_path(match["name"], int(match["page"]), raw)))
    provenance = Provenance(
        collected_at=datetime.fromisoformat(info["asOf"]),
        api_base=PUBLIC_GRAPH_URL,
        api_version="beta",
        tool_version=__version__,
        partner_tenant_id=info["partnerTenantId"],
        requests=tuple(requests),
        data_gaps=(),
    )
    payloads = GraphPayloads(score=score, **{field: items[name] for name, field in _COLLECTION_FIELDS.items()})
    return build_snapshot(payloads, provenance)


def _page_order(path: Path) -> tuple[str, int]:
    match = _FILE.match(path.name)
    return (match["name"], int(match["page"])) if match else (path.name, 0)


def _requested_path(name: str, page: int, raw: Path) -> str:
    """The path and query that fetched page ``page``: the collection, then the previous page's nextLink."""
    if page == 1:
        first = json.loads((raw / f"{name}-page-1.json").read_text(encoding="utf-8"))
        context = str(first["@odata.context"])
        version = context.removeprefix(PUBLIC_GRAPH_URL).split("/")[1]
        return f"/{version}/{context.split('#', 1)[1]}"
    previous = json.loads((raw / f"{name}-page-{page - 1}.json").read_text(encoding="utf-8"))
    return str(previous["@odata.nextLink"]).removeprefix(PUBLIC_GRAPH_URL)


def _request(sample: str, file: str, path: str) -> RequestRecord:
    return RequestRecord(
        method="GET",
        path=path,
        status=200,
        client_request_id=stable_uuid("sample", sample, file, "client"),
        request_id=stable_uuid("sample", sample, file, "server"),
    )


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_sample(spec: SampleSpec, root: Path) -> Path:
    folder = root / spec.folder
    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for stale in raw.glob("*.json"):
        stale.unlink()
    for name, body in raw_responses(spec).items():
        (raw / name).write_text(_json_text(body), encoding="utf-8")
    (folder / "sample.json").write_text(_json_text(sample_info(spec)), encoding="utf-8")
    (folder / "snapshot.json").write_bytes(snapshot_io.dumps(snapshot_from_raw(folder)))
    return folder


def write_all(root: Path, specs: Sequence[SampleSpec] = SAMPLES) -> list[Path]:
    return [write_sample(spec, root) for spec in specs]


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m reporter.emulator.samples OUTPUT_FOLDER", file=sys.stderr)
        return 2
    for folder in write_all(Path(argv[0])):
        print(f"wrote {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
