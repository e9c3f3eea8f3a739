"""The timezone names PostHog accepts for a batch export (contract §10).

``timezone`` is a fixed enum of 596 IANA names in PostHog's published schema
[src: PH:frontend/src/generated/openapi.yaml @1404d6c ``TimezoneEnum``], stored one per line
in ``timezones.txt`` beside this module. The sandbox keeps its own copy of the list rather
than the client's: it is the independent check of the client, and
tests/contract/test_tables_agree.py compares the two.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def timezones() -> frozenset[str]:
    """The 596 timezone names PostHog's schema allows."""
    text = resources.files(__package__).joinpath("timezones.txt").read_text("utf-8")
    return frozenset(name for name in text.split("\n") if name)
