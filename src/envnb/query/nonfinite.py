"""NaN and infinities back into a query answer (pure).

JSON has no NaN or infinity, so PostHog's renderer (PH:posthog/renderers.py
``SafeJSONRenderer``) sends each as ``null`` and marks where it was beside the value's key:
``"results::inf!": {"0": {"1": true}}`` (row 0, column 1 of ``results`` was infinite),
``"results::nan!"`` likewise. Read as plain JSON, ``SELECT 1/0`` would be a missing value;
restored, it is ``inf`` as ClickHouse computed it. PostHog's marker keeps no sign: ``-1/0``
comes back as ``inf`` too (nothing on the wire says otherwise).
"""

from __future__ import annotations

import math
from typing import Any

_VALUES = {"::nan!": math.nan, "::inf!": math.inf}


def _apply(target: Any, marker: Any, value: float) -> Any:
    """``target`` with the marked positions set to ``value``."""
    if marker is True:
        return value
    if isinstance(marker, dict) and isinstance(target, list):
        for index, inner in marker.items():
            position = int(index) if str(index).isdigit() else -1
            if 0 <= position < len(target):
                target[position] = _apply(target[position], inner, value)
    return target


def restore_non_finite(data: Any) -> Any:
    """``data`` with PostHog's NaN/inf markers applied and removed (in place; returned)."""
    if isinstance(data, list):
        for item in data:
            restore_non_finite(item)
    elif isinstance(data, dict):
        for key in [k for k in data if isinstance(k, str) and k[-6:] in _VALUES]:
            marker = data.pop(key)
            base = key[:-6]
            if base in data:
                data[base] = _apply(data[base], marker, _VALUES[key[-6:]])
        for value in data.values():
            restore_non_finite(value)
    return data
