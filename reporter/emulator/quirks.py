"""The oddities real Graph shows, applied to a clean world (see ``Quirks``)."""

from __future__ import annotations

import copy
import dataclasses

from reporter.emulator.options import Quirks
from reporter.emulator.wire import JsonObject
from reporter.emulator.world import World


def apply_quirks(world: World, quirks: Quirks) -> World:
    """A copy of ``world`` as the real service would show it. Deterministic; ``world`` is not changed."""
    score = copy.deepcopy(world.score)
    requirements = copy.deepcopy(list(world.requirements))
    history = copy.deepcopy(list(world.history))
    insights = list(world.customer_insights)
    if quirks.noncomplaint:
        for requirement in requirements:
            if requirement["complianceStatus"] == "nonCompliant":
                requirement["complianceStatus"] = "noncomplaint"
    if quirks.numbers_as_strings:
        score["currentScore"] = _single_text(score["currentScore"])
        if history:
            history[len(history) // 2]["score"] = "NaN"
            history[-1]["score"] = _single_text(history[-1]["score"])
        for requirement in requirements:
            if "averageResponseTimeInHours" in requirement:
                requirement["averageResponseTimeInHours"] = _single_text(requirement["averageResponseTimeInHours"])
    if quirks.unknown_future_value:
        score["partnerTenantInsightsVersion"] = "2"  # an extra property a client must ignore
        disabled = [i for i, item in enumerate(insights) if item["mfa"]["legacyPerUserMfaStatus"] == "disabled"]
        if disabled:
            changed: JsonObject = copy.deepcopy(insights[disabled[-1]])
            changed["mfa"]["legacyPerUserMfaStatus"] = "unknownFutureValue"
            insights[disabled[-1]] = changed
    return dataclasses.replace(
        world,
        score=score,
        requirements=tuple(requirements),
        history=tuple(history),
        customer_insights=tuple(insights),
    )


def _single_text(value: object) -> object:
    """A Single as Graph sometimes writes it: as a string ("71.5", "80")."""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return value
