"""Fictional company names and their ``onmicrosoft.com`` domains.

Small worlds draw from a curated list of plausible names; large worlds compose
names from words (tens of thousands of combinations). Every name here is
invented; any resemblance to a real company is accidental.
"""

from __future__ import annotations

import random
import re

CURATED_NAMES: tuple[str, ...] = (
    "Harbor Freight Logistics Ltd",
    "Alder Creek Dental Group",
    "Bluewater Marine Services",
    "Cobalt Ridge Engineering",
    "Driftwood Hospitality Inc",
    "Elmstead Family Practice",
    "Fenwick & Hale Solicitors",
    "Granite Peak Construction",
    "Hollowbrook Veterinary Clinic",
    "Ironvale Manufacturing GmbH",
    "Juniper Lane Bakery",
    "Kestrel Aviation Parts",
    "Lakeshore Property Management",
    "Meadowgate Primary School",
    "Northbank Credit Union",
    "Oakhurst Accounting LLP",
    "Pinecrest Senior Living",
    "Quarry Hill Builders Merchants",
    "Redfern Architecture Studio",
    "Saltmarsh Fisheries Co-op",
    "Thornbury Motor Group",
    "Upland Agricultural Supplies",
    "Vantage Point Surveyors",
    "Westmoor Medical Imaging",
    "Yarrow Organic Foods",
    "Zephyr Wind Energy BV",
    "Amberline Print & Packaging",
    "Birchwood Physiotherapy",
    "Castlegate Insurance Brokers",
    "Dunmore Textile Mills",
    "Eastbridge Freight Forwarding",
    "Foxglove Garden Centres",
    "Greystone Legal Partners",
    "Highfield Optometrists",
    "Inglewood Community Trust",
    "Jetstream Travel Agency",
    "Kingsmere Estate Agents",
    "Larkspur Event Catering",
    "Millbrook Water Utilities",
    "Nettlebed Brewing Company",
    "Orchard Street Pharmacy",
    "Pembrook Wealth Advisers",
    "Queensway Car Rentals",
    "Riverside Cold Storage",
    "Stonechat Software Ltd",
    "Tidewater Shipping Agency",
    "Underhill Plumbing & Heating",
    "Valebridge Dairy Farms",
    "Wexford Precision Tools",
    "Yellowhammer Recruitment",
    "Ashgrove Orthodontics",
    "Brackenridge Outdoor Gear",
    "Clearbrook Laboratories",
    "Deepwell Drilling Services",
    "Evergreen Landscaping Ltd",
    "Fairhaven Care Homes",
    "Goldcrest Jewellers",
    "Heathrow Lane Logistics Hub",
    "Ivywood Interiors",
    "Lanternfish Media Group",
)
"""About sixty hand-picked names for small worlds."""

_PREFIXES = (
    "Harbor", "Alder", "Blue", "Cobalt", "Drift", "Elm", "Fen", "Granite", "Hollow", "Iron", "Juniper",
    "Kestrel", "Lake", "Meadow", "North", "Oak", "Pine", "Quarry", "Red", "Salt", "Thorn", "Upland",
    "Vantage", "West", "Yarrow", "Zephyr", "Amber", "Birch", "Castle", "Dun", "East", "Fox", "Grey",
    "High", "Ingle", "Jet", "King", "Lark", "Mill", "Nettle", "Orchard", "Queen", "River",
    "Stone", "Tide", "Vale", "Wex", "Yellow", "Ash", "Bracken", "Clear", "Deep", "Ever",
    "Fair", "Gold", "Heath", "Ivy", "Lantern", "Silver", "Summit", "Copper", "Maple", "Cedar",
    "Willow", "Falcon", "Heron", "Osprey", "Brook", "Crest", "Glen", "Moor", "South", "Bright",
)  # fmt: skip
_SUFFIXES = (
    "gate", "field", "wood", "water", "ridge", "stone", "brook", "ford", "haven", "mere", "wick",
    "hurst", "dale", "well", "side", "point", "bridge", "view", "croft", "marsh",
)  # fmt: skip
_TRADES = (
    "Logistics", "Dental Group", "Marine Services", "Engineering", "Hospitality", "Family Practice",
    "Solicitors", "Construction", "Veterinary Clinic", "Manufacturing", "Bakery", "Aviation Parts",
    "Property Management", "Academy", "Credit Union", "Accounting", "Senior Living", "Builders",
    "Architects", "Fisheries", "Motor Group", "Agricultural Supplies", "Surveyors", "Medical Imaging",
    "Foods", "Energy", "Print & Packaging", "Physiotherapy", "Insurance Brokers", "Textiles",
    "Freight", "Garden Centres", "Legal Partners", "Optometrists", "Community Trust", "Travel",
    "Estate Agents", "Catering", "Water Utilities", "Brewing Company", "Pharmacy", "Wealth Advisers",
    "Car Rentals", "Cold Storage", "Software", "Shipping", "Plumbing & Heating", "Dairy", "Tools",
    "Recruitment", "Orthodontics", "Outdoor Gear", "Laboratories", "Drilling", "Landscaping",
    "Care Homes", "Jewellers", "Interiors", "Media", "Consulting", "Data Centres", "Clinics",
)  # fmt: skip
_LEGAL_FORMS = ("", "", "", "Ltd", "Inc", "LLC", "LLP", "GmbH", "BV", "Co", "Group", "Pty Ltd")

_LEGAL_WORDS = frozenset(w.lower() for w in _LEGAL_FORMS if w) | {"pty", "co-op", "company"}
_DOMAIN_PREFIX_MAX = 27
"""Entra ID limits the initial domain's prefix to 27 characters."""


def composed_name(rng: random.Random) -> str:
    """A name composed from words, e.g. "Stonebrook Cold Storage LLC"."""
    stem = rng.choice(_PREFIXES) + rng.choice(_SUFFIXES)
    form = rng.choice(_LEGAL_FORMS)
    return f"{stem} {rng.choice(_TRADES)} {form}".strip()


def domain_for(name: str) -> str:
    """The initial domain Entra ID would suggest: letters and digits, then ``.onmicrosoft.com``."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
    kept = [w for w in words if w.lower() not in _LEGAL_WORDS] or words
    prefix = "".join(kept).lower()[:_DOMAIN_PREFIX_MAX] or "tenant"
    return f"{prefix}.onmicrosoft.com"


class NameBook:
    """Hands out unique names and domains within one world."""

    def __init__(self, curated: bool) -> None:
        self._curated = curated
        self._names: set[str] = set()
        self._domains: set[str] = set()

    def take(self, rng: random.Random, wanted: str | None = None) -> tuple[str, str]:
        """A name (``wanted`` if given) and a unique domain for it."""
        name = wanted if wanted is not None else self._new_name(rng)
        self._names.add(name)
        return name, self._unique_domain(domain_for(name))

    def release(self, name: str, domain: str) -> None:
        """Make ``name`` and ``domain`` free to be handed out again."""
        self._names.discard(name)
        self._domains.discard(domain)

    def _new_name(self, rng: random.Random) -> str:
        if self._curated:
            start = rng.randrange(len(CURATED_NAMES))
            for step in range(len(CURATED_NAMES)):
                candidate = CURATED_NAMES[(start + step) % len(CURATED_NAMES)]
                if candidate not in self._names:
                    return candidate
        for _ in range(50):
            candidate = composed_name(rng)
            if candidate not in self._names:
                return candidate
        base = composed_name(rng)
        number = 2
        while f"{base} {number}" in self._names:
            number += 1
        return f"{base} {number}"

    def _unique_domain(self, domain: str) -> str:
        if domain not in self._domains:
            self._domains.add(domain)
            return domain
        prefix = domain.removesuffix(".onmicrosoft.com")
        number = 2
        while True:
            tail = str(number)
            candidate = f"{prefix[: _DOMAIN_PREFIX_MAX - len(tail)]}{tail}.onmicrosoft.com"
            if candidate not in self._domains:
                self._domains.add(candidate)
                return candidate
            number += 1
