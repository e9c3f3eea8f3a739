"""The sandbox's insight runners read every row of a HogQL query, past PostHog's largest LIMIT
(50,000), in pages: a count is never made from a cut list."""

from __future__ import annotations

import pytest

from envnb.sandbox.query.events import EventsDB
from envnb.sandbox.query.hogql import HogQLError
from envnb.sandbox.query.insights._hogql import every_row, rows


@pytest.fixture(scope="module")
def db() -> EventsDB:
    return EventsDB(seed=0, clock=None, pinned=False, events=0)


def test_every_row_pages_past_the_largest_limit(db: EventsDB) -> None:
    found = every_row(db, "SELECT number AS n FROM numbers(120000) ORDER BY n", "a test")
    assert len(found) == 120_000
    assert [r["n"] for r in found[49_999:50_002]] == [49_999, 50_000, 50_001]
    assert found[-1]["n"] == 119_999
    assert len(rows(db, "SELECT number AS n FROM numbers(120000) ORDER BY n")) == 50_000


def test_past_the_cap_is_a_400_not_a_cut_list(db: EventsDB) -> None:
    text = "SELECT number AS n FROM numbers(120000) ORDER BY n"
    with pytest.raises(HogQLError, match="too many events for a test"):
        every_row(db, text, "a test", cap=100_000)
