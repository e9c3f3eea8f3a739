"""The seeded population behind the query API: one consistent set of persons, distinct ids,
organisations, sessions and events, checked with SQL written here (never with the generator's
own helpers): everything agrees, the behaviour every insight needs is there, the same seed
gives the same tables, ``events=N`` sizes it and the tiny population is exactly as documented
in docs/sandbox.md."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import duckdb
import pytest

from conftest import Api
from envnb.sandbox import Sandbox
from envnb.sandbox.query.population import build_population

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday, noon
EVENT_COLUMNS = [
    "uuid",
    "event",
    "properties",
    "timestamp",
    "distinct_id",
    "elements_chain",
    "created_at",
    "$session_id",
    "$window_id",
    "person_id",
]


def built(**kwargs: object) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    build_population(con, **{"seed": 0, "now": CLOCK, **kwargs})  # type: ignore[arg-type]
    con.execute("SET TimeZone = 'UTC'")
    return con


@pytest.fixture(scope="module")
def pop() -> Iterator[duckdb.DuckDBPyConnection]:
    con = built()
    # Read properties from the JSON, as a HogQL query would, not from the materialized columns.
    con.execute(
        "CREATE VIEW e AS SELECT *, json_extract_string(properties, '$.\"$browser\"') AS browser,"
        " TRY_CAST(json_extract(properties, '$.amount') AS DOUBLE) AS amount FROM events"
    )
    yield con
    con.close()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


# ---- one population: everything agrees ---------------------------------------------------


def test_events_have_posthogs_columns_in_order(pop: duckdb.DuckDBPyConnection) -> None:
    columns = [d[0] for d in pop.execute("SELECT * FROM events LIMIT 0").description]
    assert columns[:10] == EVENT_COLUMNS
    assert all(c.startswith("p_") for c in columns[10:])  # materialized properties only
    types = {
        table: [r[1] for r in pop.execute(f"DESCRIBE {table}").fetchall()]
        for table in ("events", "persons", "person_distinct_ids", "sessions", "groups")
    }
    assert types["events"][:10] == ["UUID", "VARCHAR", "VARCHAR", "TIMESTAMP WITH TIME ZONE",
        "VARCHAR", "VARCHAR", "TIMESTAMP WITH TIME ZONE", "VARCHAR", "VARCHAR", "UUID"]  # fmt: skip
    assert types["events"][-1] == "DOUBLE"  # p_amount
    assert types["persons"] == ["UUID", "TIMESTAMP WITH TIME ZONE", "VARCHAR", "BOOLEAN"]
    assert types["person_distinct_ids"] == ["VARCHAR", "UUID"]
    assert types["groups"] == ["INTEGER", "VARCHAR", "TIMESTAMP WITH TIME ZONE", "VARCHAR"]
    assert set(types["sessions"]) == {
        "VARCHAR", "UUID", "TIMESTAMP WITH TIME ZONE", "BIGINT", "BOOLEAN"}  # fmt: skip


def test_every_event_belongs_to_its_persons_distinct_id(pop: duckdb.DuckDBPyConnection) -> None:
    orphans = one(
        pop,
        "SELECT count(*) FROM events e LEFT JOIN person_distinct_ids d "
        "ON d.distinct_id = e.distinct_id WHERE d.person_id IS DISTINCT FROM e.person_id",
    )
    assert orphans == 0
    assert (
        one(pop, "SELECT count(*) FROM events WHERE person_id NOT IN (SELECT id FROM persons)") == 0
    )
    assert one(pop, "SELECT count(*) - count(DISTINCT distinct_id) FROM person_distinct_ids") == 0
    assert one(pop, "SELECT count(*) - count(DISTINCT uuid) FROM events") == 0
    # some persons were anonymous, then identified: two distinct ids, the anonymous one first
    two = pop.execute(
        "SELECT count(*) FROM (SELECT person_id, arg_min(distinct_id, timestamp) AS first, "
        "count(DISTINCT distinct_id) AS n FROM events GROUP BY person_id) "
        "WHERE n = 2 AND first NOT LIKE 'user-%'"
    ).fetchone()
    assert two is not None and two[0] > 100


def test_sessions_contain_their_events_and_count_them(pop: duckdb.DuckDBPyConnection) -> None:
    outside = one(
        pop,
        'SELECT count(*) FROM events e LEFT JOIN sessions s ON s.session_id = e."$session_id" '
        'WHERE s.session_id IS NULL OR e.timestamp < s."$start_timestamp" '
        'OR e.timestamp > s."$end_timestamp" OR s.person_id != e.person_id',
    )
    assert outside == 0
    wrong = one(
        pop,
        'SELECT count(*) FROM sessions s JOIN (SELECT "$session_id" AS id, count(*) FILTER '
        "(WHERE event = '$pageview') AS pv, min(timestamp) AS t0, max(timestamp) AS t1 "
        'FROM events GROUP BY 1) e ON e.id = s.session_id WHERE s."$pageview_count" != e.pv '
        "OR s.\"$start_timestamp\" != e.t0 OR s.duration != date_diff('second', e.t0, e.t1)",
    )
    assert wrong == 0
    assert one(pop, "SELECT count(*) FROM sessions") == one(
        pop, 'SELECT count(DISTINCT "$session_id") FROM events'
    )


def test_person_properties_are_their_set_and_first_session(pop: duckdb.DuckDBPyConnection) -> None:
    disagree = one(
        pop,
        "SELECT count(*) FROM events e JOIN persons p ON p.id = e.person_id "
        "WHERE e.event = 'signed_up' AND ("
        "json_extract_string(e.properties, '$.\"$set\".email') "
        "IS DISTINCT FROM json_extract_string(p.properties, '$.email') OR "
        "json_extract_string(e.properties, '$.\"$set\".plan') "
        "IS DISTINCT FROM json_extract_string(p.properties, '$.plan'))",
    )
    assert disagree == 0
    initial = one(
        pop,
        'SELECT count(*) FROM persons p JOIN (SELECT person_id, "$entry_utm_source" AS utm '
        "FROM sessions QUALIFY row_number() OVER "
        '(PARTITION BY person_id ORDER BY "$start_timestamp") = 1) s '
        "ON s.person_id = p.id WHERE s.utm IS DISTINCT FROM "
        "json_extract_string(p.properties, '$.\"$initial_utm_source\"')",
    )
    assert initial == 0
    assert one(pop, "SELECT count(*) FROM persons WHERE NOT is_identified") > 0
    groups = one(
        pop,
        "SELECT count(*) FROM events WHERE json_extract_string(properties, '$.\"$group_0\"') "
        "NOT IN (SELECT group_key FROM groups)",
    )
    assert groups == 0


# ---- behaviour that makes each insight mean something ----------------------------------------


def test_weekdays_beat_weekends_and_the_product_grows(pop: duckdb.DuckDBPyConnection) -> None:
    weekday, weekend = pop.execute(
        "SELECT avg(n) FILTER (WHERE dow BETWEEN 1 AND 5), avg(n) FILTER (WHERE dow IN (0, 6)) "
        "FROM (SELECT timestamp::DATE AS d, dayofweek(d) AS dow, count(*) AS n FROM events "
        "WHERE timestamp < '2026-03-02' GROUP BY d)"
    ).fetchone() or (0, 0)
    assert weekday > 1.8 * weekend
    first, last = pop.execute(
        "SELECT count(*) FILTER (WHERE timestamp < '2025-12-31'), "
        "count(*) FILTER (WHERE timestamp >= '2026-02-01') FROM events"
    ).fetchone() or (0, 0)
    assert last > 1.4 * first


def test_the_funnel_narrows_with_a_spread_of_conversion_times(
    pop: duckdb.DuckDBPyConnection,
) -> None:
    viewed, signed, bought = pop.execute(
        "WITH pv AS (SELECT person_id, min(timestamp) AS t FROM events "
        "WHERE event = '$pageview' GROUP BY 1), "
        "su AS (SELECT e.person_id, min(e.timestamp) AS t FROM events e JOIN pv USING "
        "(person_id) WHERE e.event = 'signed_up' AND e.timestamp >= pv.t GROUP BY 1), "
        "pu AS (SELECT DISTINCT e.person_id FROM events e JOIN su USING (person_id) "
        "WHERE e.event = 'purchase' AND e.timestamp >= su.t) "
        "SELECT (SELECT count(*) FROM pv), (SELECT count(*) FROM su), (SELECT count(*) FROM pu)"
    ).fetchone() or (0, 0, 0)
    assert 0.3 < signed / viewed < 0.5 and 0.2 < bought / signed < 0.4
    days = pop.execute(
        "SELECT count(DISTINCT date_diff('day', f.t, s.t)) FROM "
        "(SELECT person_id, min(timestamp) t FROM events GROUP BY 1) f JOIN "
        "(SELECT person_id, min(timestamp) t FROM events WHERE event = 'signed_up' GROUP BY 1) s "
        "USING (person_id)"
    ).fetchone()
    assert days is not None and days[0] >= 10  # same day, next day, … two weeks


def test_retention_decays_and_every_lifecycle_status_occurs(
    pop: duckdb.DuckDBPyConnection,
) -> None:
    shares = [
        r[1]
        for r in pop.execute(
            "WITH a AS (SELECT DISTINCT person_id, date_trunc('week', timestamp) AS w FROM events),"
            " c AS (SELECT person_id, min(w) AS w0 FROM a GROUP BY 1 "
            "HAVING min(w) BETWEEN '2025-12-08' AND '2025-12-29') "
            "SELECT (a.w - c.w0) AS k, count(*) / (SELECT count(*) FROM c) FROM a JOIN c "
            "USING (person_id) GROUP BY k ORDER BY k LIMIT 5"
        ).fetchall()
    ]
    assert shares[0] == 1.0 and shares[1] > shares[2] > shares[4]
    statuses = pop.execute(
        "WITH a AS (SELECT DISTINCT person_id, timestamp::DATE AS d FROM events), "
        "f AS (SELECT person_id, min(d) AS d0 FROM a GROUP BY 1) "
        "SELECT count(*) FILTER (WHERE a.d = f.d0), "
        "count(*) FILTER (WHERE y.d IS NOT NULL), "
        "count(*) FILTER (WHERE y.d IS NULL AND a.d > f.d0), "
        "(SELECT count(*) FROM a x WHERE NOT EXISTS (SELECT 1 FROM a z "
        "WHERE z.person_id = x.person_id AND z.d = x.d + 1)) "
        "FROM a JOIN f USING (person_id) LEFT JOIN a y "
        "ON y.person_id = a.person_id AND y.d = a.d - 1"
    ).fetchone()
    assert statuses is not None and all(n > 100 for n in statuses)  # new/returning/resurr./dormant


def test_data_that_tells_bugs_from_the_truth(pop: duckdb.DuckDBPyConnection) -> None:
    # repeat purchases by one person inside one hour: total != unique
    assert one(
        pop,
        "SELECT count(*) FROM (SELECT date_trunc('hour', timestamp) h, count(*) n, "
        "count(DISTINCT person_id) u FROM events WHERE event = 'purchase' GROUP BY h) "
        "WHERE n > u",
    )
    assert one(pop, "SELECT count(*) FROM e WHERE event = '$pageview' AND browser IS NULL")
    assert one(pop, "SELECT count(*) FROM e WHERE amount IS NOT NULL AND event != 'purchase'") == 0
    assert one(pop, "SELECT count(*) FROM e WHERE event = 'purchase' AND amount IS NULL") == 0
    assert one(pop, "SELECT count(*) FROM e WHERE event = 'purchase' AND amount = 0")
    chains = pop.execute(
        "SELECT event = '$autocapture', bool_and(elements_chain != ''), "
        "bool_or(elements_chain != '') FROM events GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert chains == [(False, False, False), (True, True, True)]
    assert (
        one(pop, "SELECT count(*) FROM events WHERE elements_chain LIKE 'a.btn.btn-primary:%'") > 0
    )
    edges = pop.execute(
        "SELECT timestamp FROM events WHERE timestamp IN "
        "('2026-03-02 00:00:00+00', '2026-03-02 12:00:00+00') ORDER BY 1"
    ).fetchall()
    assert [r[0].isoformat() for r in edges] == [
        "2026-03-02T00:00:00+00:00",
        "2026-03-02T12:00:00+00:00",
    ]
    assert one(pop, "SELECT max(timestamp) FROM events") == CLOCK


# ---- knobs: determinism, size, timezone ------------------------------------------------------


def _digest(con: duckdb.DuckDBPyConnection) -> list[object]:
    return [
        one(con, f"SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM {table} t")
        for table in ("events", "persons", "person_distinct_ids", "sessions", "groups")
    ]


def test_the_same_seed_gives_the_same_tables_and_another_seed_does_not() -> None:
    a, b, c = built(events=3000), built(events=3000), built(events=3000, seed=1)
    assert _digest(a) == _digest(b)
    assert all(x != y for x, y in zip(_digest(a), _digest(c), strict=True))


def test_events_sizes_the_population() -> None:
    for size in (1000, 20_000):
        count = one(built(events=size), "SELECT count(*) FROM events")
        assert abs(int(count) - size) < 0.1 * size  # type: ignore[call-overload]
    empty = built(events=0)
    for table in ("events", "persons", "person_distinct_ids", "sessions", "groups"):
        assert one(empty, f"SELECT count(*) FROM {table}") == 0


MESSAGE = "{} is not a number of events; use a whole number from 0 to 20,000,000 or 'tiny'"


@pytest.mark.parametrize("bad", [-1, 10**9, "lots", 2.5])
def test_a_bad_size_is_refused_by_name(bad: object) -> None:
    with pytest.raises(ValueError) as refused:
        Sandbox(events=bad)  # type: ignore[arg-type]
    assert str(refused.value) == f"Sandbox(events=...): {MESSAGE.format(bad)}"


@pytest.mark.parametrize("bad", ["-1", "1000000000", "lots"])
def test_the_cli_refuses_the_same_sizes_in_the_same_words(bad: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "envnb.cli", "sandbox", "--port", "0", "--events", bad],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument --events: {MESSAGE.format(bad)}" in result.stderr


def test_days_and_the_midnight_edge_follow_the_timezone() -> None:
    con = built(events="tiny", timezone="America/New_York")
    # 07:00 New York on the clock's day (EST, UTC-5): the midnight event is at 05:00 UTC
    edges = con.execute(
        "SELECT timestamp FROM events WHERE distinct_id = 'alice' ORDER BY timestamp DESC LIMIT 1"
    ).fetchone()
    assert edges is not None and edges[0].isoformat() == "2026-03-02T05:00:00+00:00"


# ---- the tiny population, exactly as docs/sandbox.md lists it ---------------------------------


@pytest.fixture(scope="module")
def tiny() -> Iterator[duckdb.DuckDBPyConnection]:
    con = built(events="tiny")
    yield con
    con.close()


def test_tiny_tables_row_by_row(tiny: duckdb.DuckDBPyConnection) -> None:
    counts = tiny.execute(
        "SELECT event, count(*), count(DISTINCT person_id) FROM events GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert counts == [
        ("$autocapture", 2, 2),
        ("$pageleave", 1, 1),
        ("$pageview", 14, 4),
        ("invite_sent", 1, 1),
        ("purchase", 3, 2),
        ("signed_up", 2, 2),
    ]
    assert tiny.execute(
        "SELECT distinct_id, right(person_id::VARCHAR, 1) FROM person_distinct_ids ORDER BY 2, 1"
    ).fetchall() == [
        ("alice", "1"),
        ("anon-alice", "1"),
        ("bob", "2"),
        ("anon-carol", "3"),
        ("anon-dan", "4"),
        ("dan", "4"),
    ]
    assert tiny.execute(
        "SELECT json_extract_string(properties, '$.email'), is_identified, created_at::VARCHAR "
        "FROM persons ORDER BY id"
    ).fetchall() == [
        ("alice@acme.example", True, "2026-02-16 09:00:00+00"),
        ("bob@acme.example", True, "2026-01-01 09:00:00+00"),
        (None, False, "2026-02-17 12:00:00+00"),
        ("dan@globex.example", True, "2026-02-23 08:00:00+00"),
    ]
    assert tiny.execute(
        'SELECT distinct_id, "$start_timestamp"::VARCHAR, duration, "$pageview_count", '
        '"$channel_type" FROM sessions ORDER BY "$start_timestamp" LIMIT 3'
    ).fetchall() == [
        ("anon-alice", "2026-02-16 09:00:00+00", 120, 2, "Paid Search"),
        ("bob", "2026-02-16 11:00:00+00", 0, 1, "Organic Search"),
        ("alice", "2026-02-17 10:00:00+00", 1200, 1, "Direct"),
    ]
    assert one(tiny, "SELECT count(*) FROM sessions") == 12
    assert tiny.execute("SELECT group_key, created_at::VARCHAR FROM groups").fetchall() == [
        ("org-0001", "2026-02-16 09:02:00+00"),
        ("org-0002", "2026-02-24 08:30:00+00"),
    ]


def test_tiny_over_http_answers_the_documented_numbers() -> None:
    with Sandbox(clock=CLOCK, events="tiny") as sb:
        api = Api(sb, prefix="projects")
        try:
            body = api.post(
                "query/",
                json={
                    "query": {
                        "kind": "HogQLQuery",
                        "query": "SELECT properties.$browser AS b, count() FROM events "
                        "WHERE event = '$pageview' GROUP BY b ORDER BY b",
                    }
                },
            ).json()
            assert body["results"] == [["Chrome", 5], ["Firefox", 2], ["Safari", 4], [None, 3]]
            purchases = api.post(
                "query/",
                json={
                    "query": {
                        "kind": "TrendsQuery",
                        "series": [
                            {"kind": "EventsNode", "event": "purchase", "math": "total"},
                            {"kind": "EventsNode", "event": "purchase", "math": "dau"},
                        ],
                        "interval": "day",
                        "dateRange": {
                            "date_from": "2026-02-17",
                            "date_to": "2026-02-17T23:59:59",
                        },
                    }
                },
            ).json()["results"]
            assert [s["count"] for s in purchases] == [2, 1]
        finally:
            api.http.close()
