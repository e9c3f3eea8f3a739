"""Checks of the sandbox's port and count arguments: one place for ``Sandbox(...)`` and the
``envnb sandbox`` command line, so both refuse the same values with the same words.

Each check takes the value as given (an int from Python, the text from the command line) and
returns the int, or raises ValueError. A bool is not a number here (``True`` is not 1 export).
"""

from __future__ import annotations


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
