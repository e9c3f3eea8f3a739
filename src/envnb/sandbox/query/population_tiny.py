"""The tiny population (``events="tiny"``): four persons, twelve sessions, 23 events, written
by hand so that tests can state every number literally (docs/sandbox.md lists them).

Times are local to the population's timezone on the clock's day ``D`` (``D-14`` is fourteen
days earlier); ``"now"`` is the clock itself. An event after the clock is dropped, as in the
generated population, so the full table needs a clock at or after 18:00 on D-1 — any clock
on day D does. It is built to discriminate: a funnel $pageview → signed_up → purchase of
4 → 2 → 1 persons, two purchases by one person inside one hour (total ≠ dau), every lifecycle
status, an anonymous person without ``$browser``, ``amount`` 0 and 49 and 99, a person with
two distinct ids, an event exactly at D's midnight and one exactly at now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb

# i, id, name, email, plan, country, browser, org, anonymous id, identified id, created
# (only for a person who existed before the window: days before D, local time).
PERSONS = (
    (1, "Alice Khan", "alice@acme.example", "pro", "US", "Chrome", "org-0001", "anon-alice",
     "alice", None),
    (2, "Bob Smith", "bob@acme.example", "free", "GB", "Safari", "org-0001", None, "bob",
     (60, "09:00:00")),
    (3, "Carol Garcia", None, None, "DE", None, None, "anon-carol", None, None),
    (4, "Dan Okafor", "dan@globex.example", None, "FR", "Firefox", "org-0002", "anon-dan", "dan",
     None),
)  # fmt: skip
ORGS = (("org-0001", "Acme", "software", 40), ("org-0002", "Globex", "retail", 250))

# person, session, slot, day (D + n), local time or "now", event, distinct id, pathname,
# elements chain (index into population_finish.CHAINS), amount, source (index into SOURCES).
EVENTS = (
    (1, 1, 0, -14, "09:00:00", "$pageview", "anon-alice", "/", None, None, 0),
    (1, 1, 1, -14, "09:00:30", "$autocapture", "anon-alice", "/", 0, None, None),
    (1, 1, 2, -14, "09:01:00", "$pageview", "anon-alice", "/signup", None, None, None),
    (1, 1, 3, -14, "09:02:00", "signed_up", "alice", "/signup", None, None, None),
    (1, 2, 0, -13, "10:00:00", "$pageview", "alice", "/pricing", None, None, 4),
    (1, 2, 1, -13, "10:05:00", "purchase", "alice", "/checkout", None, 49.0, None),
    (1, 2, 2, -13, "10:20:00", "purchase", "alice", "/checkout", None, 0.0, None),
    (1, 3, 0, -7, "15:00:00", "$pageview", "alice", "/dashboard", None, None, 4),
    (1, 3, 1, -7, "15:10:00", "$pageleave", "alice", "/dashboard", None, None, None),
    (1, 4, 0, 0, "00:00:00", "$pageview", "alice", "/dashboard", None, None, 4),
    (2, 5, 0, -14, "11:00:00", "$pageview", "bob", "/", None, None, 1),
    (2, 6, 0, -2, "09:00:00", "$pageview", "bob", "/docs", None, None, 4),
    (2, 6, 1, -2, "09:00:40", "$autocapture", "bob", "/docs", 2, None, None),
    (2, 7, 0, -1, "09:00:00", "$pageview", "bob", "/pricing", None, None, 4),
    (2, 7, 1, -1, "09:03:00", "purchase", "bob", "/checkout", None, 99.0, None),
    (2, 8, 0, 0, "now", "$pageview", "bob", "/", None, None, 4),
    (3, 9, 0, -13, "12:00:00", "$pageview", "anon-carol", "/", None, None, 5),
    (3, 9, 1, -13, "12:01:00", "$pageview", "anon-carol", "/pricing", None, None, None),
    (3, 10, 0, -1, "18:00:00", "$pageview", "anon-carol", "/blog/launch", None, None, 3),
    (4, 11, 0, -7, "08:00:00", "$pageview", "anon-dan", "/features", None, None, 2),
    (4, 11, 1, -7, "08:02:00", "$pageview", "anon-dan", "/signup", None, None, None),
    (4, 12, 0, -6, "08:30:00", "signed_up", "dan", "/signup", None, None, 4),
    (4, 12, 1, -6, "08:31:00", "invite_sent", "dan", "/settings", None, None, None),
)  # fmt: skip


def _sql(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return f"TIMESTAMPTZ '{value.isoformat()}'"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _rows(rows: Sequence[tuple[object, ...]]) -> str:
    return ", ".join("(" + ", ".join(_sql(v) for v in row) + ")" for row in rows)


def stage(con: duckdb.DuckDBPyConnection, *, now: datetime, timezone: str) -> None:
    """Stage ``_pq``, ``_pe`` and ``_pg`` (population_finish's inputs) for the clock ``now``."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()

    def at(days_back: int, clock: str) -> datetime:
        day = today - timedelta(days=days_back)
        return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone)

    persons = [
        (i, f"00000000-0000-4000-8000-{i:012d}", name, email, plan, country, browser, org,
         anon or ident, ident, created is not None, at(*created) if created else None)
        for i, name, email, plan, country, browser, org, anon, ident, created in PERSONS
    ]  # fmt: skip
    con.execute(
        f"CREATE TEMP TABLE _pq AS SELECT * FROM (VALUES {_rows(persons)}) v(i, id, name, "
        "email, plan, country, browser, org_key, anon_id, ident_id, pre, created_pre)"
    )
    events = [
        (i, s, k, now if when == "now" else at(-day, when), event, did, path, chain, amount, src)
        for i, s, k, day, when, event, did, path, chain, amount, src in EVENTS
    ]
    con.execute(
        f"CREATE TEMP TABLE _tiny AS SELECT * FROM (VALUES {_rows(events)}) v(i, skey, k, ts, "
        "event, distinct_id, pathname, chain, amount, source)"
    )
    # Identified from the sign-up on: their plan and organisation travel with their events.
    con.execute(
        "CREATE TEMP TABLE _pe AS SELECT e.i, e.skey, e.k, e.event, e.ts, e.distinct_id, "
        "e.pathname, e.chain::INT AS chain, e.amount::DOUBLE AS amount, "
        "e.source::INT AS source, p.browser, p.country, "
        "CASE WHEN e.distinct_id = p.ident_id THEN p.plan END AS plan, "
        "CASE WHEN e.distinct_id = p.ident_id THEN p.org_key END AS org "
        f"FROM _tiny e JOIN _pq p USING (i) WHERE e.ts <= {_sql(now)}"
    )
    con.execute("DROP TABLE _tiny")
    con.execute(
        f"CREATE TEMP TABLE _pg AS SELECT * FROM (VALUES {_rows(list(ORGS))}) "
        "v(key, name, industry, employees)"
    )
