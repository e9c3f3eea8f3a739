"""Checks of the sandbox's port, count, seconds and interval arguments: one place for
``Sandbox(...)`` and the ``envnb sandbox`` command line, so both refuse the same values with
the same words.

Each check takes the value as given (an int from Python, the text from the command line) and
returns the int, or raises ValueError. A bool is not a number here (``True`` is not 1 export).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .batch_exports.schedule import STEP


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def port(value: object) -> int:
    """A TCP port: 0 (any free port) to 65535."""
    number = _whole(value)
    if number is None or not 0 <= number <= 65535:
        raise ValueError(f"{value!r} is not a port; use 0 (any free port) to 65535")
    return number


def count(value: object, minimum: int = 0) -> int:
    """A number of things (seeded objects, projects): a whole number >= ``minimum``."""
    number = _whole(value)
    if number is None or number < minimum:
        raise ValueError(f"{value!r} is not a count; use a whole number >= {minimum}")
    return number


def positive(value: object) -> int:
    """A number of things there must be at least one of."""
    return count(value, minimum=1)


MAX_EVENTS = 20_000_000


def events(value: object) -> int | str:
    """The size of the query API's population: about this many events, or ``"tiny"``."""
    if value == "tiny":
        return "tiny"
    number = _whole(value)
    if number is None or not 0 <= number <= MAX_EVENTS:
        raise ValueError(
            f"{value} is not a number of events; use a whole number from 0 to "
            f"{MAX_EVENTS:,} or 'tiny'"
        )
    return number


def seconds(value: object) -> float:
    """A pause in seconds: a finite number >= 0 (NaN would make every later wait a 500)."""
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise ValueError(f"{value!r} is not a number of seconds; use a finite number >= 0")
    return number


def intervals(value: object) -> tuple[str, ...]:
    """The intervals seeded exports cycle through: a comma list (spaces around the commas are
    fine) or a sequence, each one PostHog's (``every 5 minutes`` keeps its inner spaces)."""
    if isinstance(value, str):
        parts: list[object] = list(value.split(","))
    elif isinstance(value, Iterable):
        parts = list(value)
    else:
        parts = [value]
    names = tuple(str(part).strip() for part in parts if str(part).strip())
    if not names:
        raise ValueError("no interval given; use a comma list like 'hour,day'")
    for name in names:
        if name not in STEP:
            raise ValueError(f"{name!r} is not an interval; use {', '.join(STEP)}")
    return names
