"""HogQL over persons, person_distinct_ids, sessions and groups, and the lazy joins from
events (``person.*``, ``pdi.*``, ``poe.*``, ``session.*``), against the seeded population over
HTTP. Every expected answer is computed independently with plain SQL on the sandbox's DuckDB
tables (joins written out by hand), never through the HogQL engine.

Query shapes from PostHog's ``posthog/hogql/test/test_query.py`` (test_query_joins_simple,
test_query_joins_pdi_person_properties, test_events_sessions_table,
test_query_joins_events_first_to_persons) and posthog.com/docs/sql (persons, sessions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Api
from envnb.sandbox import Sandbox
from hogql_corpus.cases import CLOCK

PROPS = "json_extract_string(p.properties, '$.{}')"
CASES = [
    ("SELECT count() FROM persons", "SELECT count(*) FROM persons"),
    (
        "SELECT properties.plan AS plan, count() FROM persons GROUP BY plan ORDER BY plan",
        f"SELECT {PROPS.format('plan')} AS plan, count(*) FROM persons p GROUP BY 1 "
        "ORDER BY 1 NULLS LAST",
    ),
    (
        "SELECT person.properties.plan AS plan, count() FROM events WHERE event = 'purchase' "
        "GROUP BY plan ORDER BY plan",
        f"SELECT {PROPS.format('plan')}, count(*) FROM events e LEFT JOIN persons p "
        "ON p.id = e.person_id WHERE e.event = 'purchase' GROUP BY 1 ORDER BY 1 NULLS LAST",
    ),
    (
        "SELECT poe.properties.email IS NOT NULL AS known, count() FROM events "
        "GROUP BY known ORDER BY known",
        f"SELECT ({PROPS.format('email')} IS NOT NULL)::INT, count(*) FROM events e "
        "LEFT JOIN persons p ON p.id = e.person_id GROUP BY 1 ORDER BY 1",
    ),
    (  # posthog.com/docs/sql's own shape: the lazy field repeated in GROUP BY, no alias
        "SELECT person.properties.email, count() FROM events "
        "GROUP BY person.properties.email ORDER BY count() DESC, person.properties.email LIMIT 5",
        f"SELECT {PROPS.format('email')}, count(*) FROM events e LEFT JOIN persons p "
        "ON p.id = e.person_id GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST LIMIT 5",
    ),
    ("SELECT count() FROM person_distinct_ids", "SELECT count(*) FROM person_distinct_ids"),
    (
        "SELECT pdi.person_id = person_id AS same, count() FROM events GROUP BY same",
        "SELECT 1, count(*) FROM events",
    ),
    (
        "SELECT pdi.distinct_id, pdi.person.properties.email FROM person_distinct_ids pdi "
        "ORDER BY pdi.distinct_id LIMIT 5",
        f"SELECT d.distinct_id, {PROPS.format('email')} FROM person_distinct_ids d "
        "LEFT JOIN persons p ON p.id = d.person_id ORDER BY 1 LIMIT 5",
    ),
    (
        "SELECT events.event, persons.properties.email FROM events "
        "JOIN persons ON events.person_id = persons.id WHERE events.event = 'signed_up' "
        "ORDER BY events.timestamp, events.uuid LIMIT 5",
        f"SELECT e.event, {PROPS.format('email')} FROM events e JOIN persons p "
        "ON e.person_id = p.id WHERE e.event = 'signed_up' ORDER BY e.timestamp, e.uuid LIMIT 5",
    ),
    (
        "SELECT session.$session_duration AS d, count() FROM events "
        "WHERE event = '$pageview' GROUP BY d ORDER BY count() DESC, d LIMIT 5",
        'SELECT s."$session_duration", count(*) FROM events e LEFT JOIN sessions s '
        "ON s.session_id = e.\"$session_id\" WHERE e.event = '$pageview' "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5",
    ),
    (
        "SELECT $channel_type, count() AS n FROM sessions WHERE {filters} "
        "GROUP BY $channel_type ORDER BY n DESC, $channel_type",
        'SELECT "$channel_type", count(*) FROM sessions GROUP BY 1 ORDER BY 2 DESC, 1',
    ),
    (
        "SELECT round(avg($session_duration), 3) FROM sessions",
        'SELECT round(avg("$session_duration"), 3) FROM sessions',
    ),
    ("SELECT count() FROM groups", "SELECT count(*) FROM groups"),
]


@pytest.fixture(scope="module")
def qsb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, stream_delay=0.001) as sb:
        yield sb


@pytest.fixture(scope="module")
def qapi(qsb: Sandbox) -> Iterator[Api]:
    client = Api(qsb, prefix="projects")
    yield client
    client.http.close()


def _plain(sb: Sandbox, sql: str) -> list[list[Any]]:
    db = sb.state.events
    with db.lock:
        rows = db.connection().execute(sql).fetchall()
    return [[_norm(v) for v in row] for row in rows]


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "hex") and hasattr(value, "version"):  # a UUID
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


@pytest.fixture(scope="module")
def population(qsb: Sandbox) -> None:
    tables = _plain(qsb, "SELECT table_name FROM information_schema.tables")
    if ["persons"] not in tables:
        pytest.skip("the seeded population (persons, sessions…) is not in this build yet")


@pytest.mark.usefixtures("population")
@pytest.mark.parametrize(("hogql", "plain"), CASES)
def test_people_and_sessions(qsb: Sandbox, qapi: Api, hogql: str, plain: str) -> None:
    r = qapi.post("query/", json={"query": {"kind": "HogQLQuery", "query": hogql}})
    assert r.status_code == 200, r.json()
    assert r.json()["results"] == _plain(qsb, plain)


@pytest.mark.usefixtures("population")
def test_persons_star_is_posthogs_columns(qapi: Api) -> None:
    r = qapi.post(
        "query/", json={"query": {"kind": "HogQLQuery", "query": "SELECT * FROM persons LIMIT 1"}}
    )
    assert r.json()["columns"] == ["id", "created_at", "properties", "is_identified"]


@pytest.mark.usefixtures("population")
def test_lazy_field_repeated_in_group_by_is_one_column(qapi: Api) -> None:
    hogql = (
        "SELECT person.properties.plan, count() FROM events "
        "GROUP BY person.properties.plan ORDER BY person.properties.plan LIMIT 1"
    )
    r = qapi.post("query/", json={"query": {"kind": "HogQLQuery", "query": hogql}})
    assert r.status_code == 200, r.json()
    assert r.json()["columns"] == ["person.properties.plan", "count()"]
