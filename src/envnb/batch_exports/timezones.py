"""The timezone names PostHog accepts for a batch export (contract §10).

``timezone`` is a fixed enum of 596 IANA names in PostHog's published schema, not whatever
the local tz database knows [src: PH:frontend/src/generated/openapi.yaml @1404d6c
``TimezoneEnum``; the same list in
PH:products/batch_exports/frontend/generated/api.schemas.ts ``TimezoneEnumApi``]. The names
are stored one per line in ``timezones.txt`` beside this module.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def posthog_timezones() -> frozenset[str]:
    """The 596 timezone names PostHog's schema allows."""
    text = resources.files(__package__).joinpath("timezones.txt").read_text("utf-8")
    return frozenset(name for name in text.split("\n") if name)
