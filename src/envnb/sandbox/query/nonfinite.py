"""NaN and infinities in a query answer, sent as PostHog sends them.

ClickHouse answers ``1/0`` with ``inf`` and ``0/0`` with ``nan``; JSON has neither. PostHog's
renderer (PH:posthog/renderers.py ``SafeJSONRenderer``, the default renderer of its API)
replaces each by ``null`` and records where, beside the value's key in the same object:
``"results::inf!": {"0": {"1": true}}`` says row 0, column 1 of ``results`` was infinite
(its sign is not kept), ``::nan!`` likewise for NaN; ``true`` when the value itself was.
Rules:
1. Markers describe list positions only: an object inside a list carries its own markers.
2. The answer is changed in place, as PostHog's renderer does.
"""

from __future__ import annotations

import math
from typing import Any

Marker = bool | dict[int, "Marker"]


def scrub(data: Any) -> tuple[Marker, Marker]:
    """Replace NaN/inf under ``data`` by None; the (nan, inf) markers for its parent."""
    if isinstance(data, float):
        return math.isnan(data), math.isinf(data)
    if isinstance(data, list):
        found: tuple[dict[int, Marker], dict[int, Marker]] = ({}, {})
        for index, item in enumerate(data):
            for kind, marker in zip(found, scrub(item), strict=True):
                if marker:
                    kind[index] = marker
                    if marker is True:
                        data[index] = None
        return found
    if isinstance(data, dict):
        markers: dict[str, Marker] = {}
        for key, value in list(data.items()):
            for suffix, marker in zip(("::nan!", "::inf!"), scrub(value), strict=True):
                if marker:
                    markers[f"{key}{suffix}"] = marker
                    if marker is True:
                        data[key] = None
        data.update(markers)
    return False, False
