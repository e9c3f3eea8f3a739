"""Batch exports of the newest PostHog (contract §12): the ``hogql`` model, ``every 15
minutes``, integration-backed destinations, ``integrations/`` and ``legacy_parquet_extension``.

Re-expressed from PostHog's own API tests where one exists (each named in its test's comment;
products/batch_exports/backend/tests/api/ and products/batch_exports/backend/tests/).
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest

from conftest import Api
from envnb.sandbox.integrations.backend import SECRETS

S3 = {"bucket_name": "my-bucket", "region": "us-east-1", "prefix": "events/"}
# The seeded integrations of project 1, in id order (GET integrations/ below says so).
AWS_S3, S3_COMPATIBLE, SNOWFLAKE = 1, 2, 3
QUERY = (
    "SELECT event, count() AS n FROM events WHERE timestamp >= {data_interval_start} "
    "AND timestamp < {data_interval_end} GROUP BY event"
)


def _hogql(api: Api, **fields: Any) -> Any:
    body: dict[str, Any] = {
        "name": "HogQL export",
        "interval": "hour",
        "model": "hogql",
        "hogql_query": QUERY,
        "destination": {"type": "AwsS3", "config": dict(S3), "integration_id": AWS_S3},
    }
    body.update(fields)
    return api.post("batch_exports/", json=body)


def _refusal(response: Any) -> tuple[str, str]:
    assert response.status_code == 400, response.text
    return response.json()["attr"], response.json()["detail"]


def test_a_hogql_export_keeps_its_query_keys_and_mode(fresh_api: Api) -> None:
    created = _hogql(
        fresh_api,
        interval="every 15 minutes",
        hogql_modifiers={"personsOnEventsMode": "person_id_no_override_properties_on_events"},
        primary_key=["event"],
        version_key=["n"],
        incremental_mode="MERGE",
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("model", "interval", "hogql_query", "schema", "filters")} == {
        "model": "hogql",
        "interval": "every 15 minutes",
        "hogql_query": QUERY,
        "schema": None,
        "filters": None,
    }
    assert {k: body[k] for k in ("primary_key", "version_key", "incremental_mode")} == {
        "primary_key": ["event"],
        "version_key": ["n"],
        "incremental_mode": "MERGE",
    }
    assert body["hogql_modifiers"] == {
        "personsOnEventsMode": "person_id_no_override_properties_on_events"
    }
    url = f"batch_exports/{body['id']}/"
    # A PATCH that leaves the source fields out keeps them (PostHog's BatchExportSource).
    renamed = fresh_api.patch(url, json={"name": "Renamed"}).json()
    assert (renamed["primary_key"], renamed["incremental_mode"]) == (["event"], "MERGE")
    assert fresh_api.get(url).json()["version_key"] == ["n"]
    # ... and the column check reads the stored query.
    assert _refusal(fresh_api.patch(url, json={"version_key": ["nope"]})) == (
        "version_key",
        "'version_key' contains columns that are not present in the query: nope",
    )


def test_incremental_mode_is_append_by_default_and_every_export_shows_the_fields(
    fresh_api: Api,
) -> None:
    created = _hogql(fresh_api).json()
    assert (created["incremental_mode"], created["primary_key"]) == ("APPEND", None)
    for row in fresh_api.get("batch_exports/").json()["results"]:
        fields = ("hogql_modifiers", "primary_key", "version_key", "incremental_mode")
        assert set(fields) <= set(row)
        if row["model"] != "hogql":
            assert [row[name] for name in fields] == [None, None, None, None]


BAD_HOGQL: list[tuple[dict[str, Any], tuple[str, str]]] = [
    # PostHog: test_rejects_invalid_requests (the file-download API tests; ids missing-query,
    # placeholder-query, unaliased-expression-column, unknown-table), whose checks are
    # hogql_source.validate_hogql_query_for_batch_export, the one BatchExportSerializer runs;
    # the messages are hogql_source.py's newest.
    ({"hogql_query": None}, ("hogql_query", "'hogql_query' is required when 'model' is 'hogql'")),
    (
        {"hogql_query": "SELECT count() FROM events"},
        (
            "hogql_query",
            "Every column in the SELECT clause must be a field or have an alias "
            "(e.g. `count() AS event_count`)",
        ),
    ),
    (
        {"hogql_query": "SELECT event FROM events WHERE {filters}"},
        (
            "hogql_query",
            "Unsupported placeholder. Only {data_interval_start} and {data_interval_end} are "
            "supported in batch export queries",
        ),
    ),
    (
        {"hogql_query": "SELECT event FROM events WHERE timestamp > {since}"},
        (
            "hogql_query",
            "Unknown placeholder '{since}'. Only {data_interval_start} and {data_interval_end} "
            "are supported in batch export queries",
        ),
    ),
    (
        {"hogql_query": "SELECT x AS x FROM no_such_table"},
        ("hogql_query", "Invalid HogQL query: Unknown table `no_such_table`."),
    ),
    (
        {"primary_key": ["event", "a", "b"]},
        ("primary_key", "'primary_key' contains columns that are not present in the query: a,b"),
    ),
    (
        {"incremental_mode": "MERGE"},
        ("primary_key", "'primary_key' is required when 'incremental_mode' is 'MERGE'"),
    ),
    ({"incremental_mode": "UPSERT"}, ("incremental_mode", '"UPSERT" is not a valid choice.')),
    ({"primary_key": []}, ("primary_key", "This list may not be empty.")),
    ({"primary_key": "event"}, ("primary_key", 'Expected a list of items but got type "str".')),
    (
        {"hogql_modifiers": ["x"]},
        ("hogql_modifiers", 'Expected a dictionary of items but got type "list".'),
    ),
    (
        {"filters": [{"key": "$browser", "type": "event", "operator": "exact", "value": ["x"]}]},
        ("filters", "'filters' are not supported when 'model' is 'hogql'"),
    ),
]


@pytest.mark.parametrize(("fields", "expected"), BAD_HOGQL)
def test_hogql_export_refusals(
    fresh_api: Api, fields: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert _refusal(_hogql(fresh_api, **fields)) == expected


def test_the_hogql_fields_belong_to_the_hogql_model(fresh_api: Api) -> None:
    destination = {"type": "AwsS3", "config": dict(S3), "integration": AWS_S3}
    base = {"name": "e", "interval": "day", "destination": destination}
    for name, value in (
        ("primary_key", ["event"]),
        ("version_key", ["event"]),
        ("incremental_mode", "APPEND"),
        ("hogql_modifiers", {}),
    ):
        response = fresh_api.post("batch_exports/", json={**base, name: value})
        assert _refusal(response) == (
            name,
            f"'{name}' is only supported for 'hogql' not 'events' model",
        )
    persons = fresh_api.post(
        "batch_exports/", json={**base, "model": "persons", "primary_key": ["a"]}
    )
    assert _refusal(persons)[1] == "'primary_key' is only supported for 'hogql' not 'persons' model"


def test_every_15_minutes_runs_four_times_an_hour(fresh_api: Api) -> None:
    # Created 10 s after a quarter, the case that once failed at random (~1 run in 11): a
    # run is created 20-80 s after its interval ends, so the hour's last quarter has a run
    # only once the clock is 80 s past it, not at creation + 1 h.
    fresh_api.sb.advance(910 - fresh_api.sb.state.ops.clock.epoch() % 900)
    created = _hogql(fresh_api, interval="every 15 minutes").json()
    fresh_api.sb.advance(3600 + 80)
    runs = fresh_api.get(f"batch_exports/{created['id']}/runs/").json()["results"]
    # Counted in the hour after creation: the clock keeps moving while the test runs, and on
    # a loaded machine it may pass one more quarter before the runs are read.
    start = datetime.fromisoformat(created["created_at"])
    ends = sorted(
        end
        for end in (datetime.fromisoformat(run["data_interval_end"]) for run in runs)
        if (end - start).total_seconds() <= 3600
    )
    assert len(ends) == 4
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(ends)] == [900.0] * 3
    assert {end.minute % 15 for end in ends} == {0}


def test_integrations_are_listed_without_their_secrets(fresh_api: Api) -> None:
    body = fresh_api.get("integrations/").json()
    assert body["count"] == 8 and body["next"] is None
    assert [(row["id"], row["kind"], row["display_name"]) for row in body["results"]] == [
        (1, "aws-s3", "acme-exports (access key, AWS account 123456789012)"),
        (2, "s3-compatible", "acme-r2 (access key, https://acme.r2.cloudflarestorage.com)"),
        (3, "snowflake", "ID: acme-warehouse"),
        (4, "databricks", "acme.cloud.databricks.com"),
        (5, "azure-blob", "ID: acmeexports"),
        (6, "google-cloud-service-account", "exporter@acme.iam.gserviceaccount.com"),
        (7, "postgresql", "ID: db.acme.example"),
        (8, "aws-redshift", "ID: acme-redshift"),
    ]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "kind",
        "config",
        "created_at",
        "created_by",
        "errors",
        "display_name",
    }
    assert first["config"] == {"auth_type": "access key", "aws_account_id": "123456789012"}
    assert first["created_by"]["email"] == "ada@example.com"
    assert SECRETS not in fresh_api.get("integrations/").text
    assert fresh_api.get("integrations/3/").json()["kind"] == "snowflake"
    assert fresh_api.get("integrations/99/").status_code == 404


def test_s3_family_exports_use_an_integration_of_their_kind(fresh_api: Api) -> None:
    # PostHog: test_create_s3_family_batch_export_using_integration and
    # test_create_s3_family_batch_export_rejects_mismatched_integration_kind (test_create_s3.py).
    def create(dtype: str, **destination: Any) -> Any:
        body = {"type": dtype, "config": dict(S3), **destination}
        return fresh_api.post(
            "batch_exports/", json={"name": "s3", "interval": "hour", "destination": body}
        )

    made = create("AwsS3", integration=AWS_S3)
    assert made.status_code == 201, made.text
    assert made.json()["destination"] == {
        "type": "AwsS3",
        "config": {**S3, "legacy_parquet_extension": False},
        "integration": AWS_S3,
    }
    assert create("S3Compatible", integration_id=S3_COMPATIBLE).status_code == 201
    assert _refusal(create("AwsS3", integration_id=S3_COMPATIBLE)) == (
        "destination",
        "Integration provided is not an AWS S3 integration (got kind='s3-compatible')",
    )
    assert _refusal(create("S3Compatible", integration=AWS_S3)) == (
        "destination",
        "Integration provided is not an AWS S3 integration (got kind='aws-s3')",
    )
    assert _refusal(create("AwsS3")) == (
        "destination",
        "Integration is required for AwsS3 batch exports",
    )
    assert _refusal(create("AwsS3", integration_id=99)) == (
        "destination__integration_id",
        'Invalid pk "99" - object does not exist.',
    )
    # PostHog: test_create_s3_family_batch_export_rejects_inapplicable_fields.
    for dtype, extra in (
        ("AwsS3", {"endpoint_url": "https://storage.example.com"}),
        ("AwsS3", {"use_virtual_style_addressing": True}),
        ("S3Compatible", {"kms_key_id": "alias/test"}),
        ("S3Compatible", {"encryption": "aws:kms"}),
    ):
        response = create(dtype, integration=AWS_S3 if dtype == "AwsS3" else S3_COMPATIBLE)
        assert response.status_code == 201
        body = {"type": dtype, "config": {**S3, **extra}, "integration": AWS_S3}
        refused = fresh_api.post(
            "batch_exports/", json={"name": "s3", "interval": "hour", "destination": body}
        )
        assert _refusal(refused)[1] == f"Configuration has unknown field/s: '{next(iter(extra))}'"


def test_snowflake_needs_an_integration_and_keeps_it_on_patch(fresh_api: Api) -> None:
    config = {
        "account": "acme",
        "user": "u",
        "password": "p",
        "database": "d",
        "warehouse": "w",
        "schema": "s",
    }
    body = {"name": "sf", "interval": "day", "destination": {"type": "Snowflake", "config": config}}
    assert _refusal(fresh_api.post("batch_exports/", json=body)) == (
        "destination",
        "Integration is required for Snowflake batch exports",
    )
    wrong = {**body, "destination": {**body["destination"], "integration_id": AWS_S3}}
    assert _refusal(fresh_api.post("batch_exports/", json=wrong))[1] == (
        # PostHog: test_create_snowflake_batch_export_rejects_mismatched_integration_kind.
        "Integration is not a Snowflake integration."
    )
    seeded = next(
        row
        for row in fresh_api.get("batch_exports/").json()["results"]
        if row["destination"]["type"] == "Snowflake"
    )
    assert seeded["destination"]["integration"] == SNOWFLAKE
    url = f"batch_exports/{seeded['id']}/"
    # A PATCH may send config alone (the stored integration stays) ...
    kept = fresh_api.patch(url, json={"destination": {"type": "Snowflake", "config": {}}})
    assert kept.status_code == 200 and kept.json()["destination"]["integration"] == SNOWFLAKE
    # ... an explicit null removes it, which is refused.
    removal = {"destination": {"type": "Snowflake", "config": {}, "integration": None}}
    assert _refusal(fresh_api.patch(url, json=removal))[1] == (
        "Integration is required for Snowflake batch exports"
    )


LEGACY_REFUSED = (
    "'legacy_parquet_extension' can only stay on for an export that already writes the "
    "compression codec into its Parquet file names. It cannot be turned on for a new export, or "
    "turned back on once an export moved to the standard '.parquet' extension."
)


def test_legacy_parquet_extension_cannot_be_turned_back_on(fresh_api: Api) -> None:
    new = _hogql(
        fresh_api,
        destination={
            "type": "AwsS3",
            "config": {**S3, "legacy_parquet_extension": True},
            "integration_id": AWS_S3,
        },
    )
    assert _refusal(new) == ("destination", LEGACY_REFUSED)
    # The seeded S3 export writes zstd Parquet from before the setting: it may keep the old
    # names, and once it leaves them it cannot go back.
    seeded = next(
        row
        for row in fresh_api.get("batch_exports/").json()["results"]
        if row["destination"]["type"] == "S3"
    )
    url = f"batch_exports/{seeded['id']}/"

    def patch(value: bool) -> Any:
        config = {"legacy_parquet_extension": value}
        return fresh_api.patch(url, json={"destination": {"type": "S3", "config": config}})

    assert patch(True).json()["destination"]["config"]["legacy_parquet_extension"] is True
    assert patch(False).json()["destination"]["config"]["legacy_parquet_extension"] is False
    assert _refusal(patch(True)) == ("destination", LEGACY_REFUSED)


def test_a_hogql_export_may_read_every_table_of_the_sandbox(fresh_api: Api) -> None:
    # The query is compiled against the sandbox's tables (persons, sessions, lazy joins), as
    # PostHog resolves it against its database.
    query = (
        "SELECT person.properties.email AS email, count() AS n FROM events "
        "WHERE timestamp >= {data_interval_start} GROUP BY email"
    )
    made = _hogql(fresh_api, hogql_query=query, primary_key=["email"])
    assert made.status_code == 201, made.text
    assert made.json()["primary_key"] == ["email"]
    sessions = _hogql(fresh_api, hogql_query="SELECT session_id FROM sessions")
    assert sessions.status_code == 201, sessions.text


def test_exports_are_stamped_on_the_clock_their_runs_follow(fresh_api: Api) -> None:
    """After Sandbox.advance(), created_at and last_paused_at are read off the simulated
    clock: on the wall clock (hours behind it) an unpause backfilled the advanced hours too,
    and a new export got runs for intervals before it existed."""
    sb = fresh_api.sb
    sb.advance(5 * 3600)
    created = _hogql(fresh_api).json()
    made = datetime.fromisoformat(created["created_at"]).timestamp()
    assert abs(made - sb.state.ops.clock.epoch()) < 60
    assert fresh_api.get(f"batch_exports/{created['id']}/runs/").json()["results"] == []
    fresh_api.post(f"batch_exports/{created['id']}/pause/")
    paused_at = fresh_api.get(f"batch_exports/{created['id']}/").json()["last_paused_at"]
    sb.advance(3 * 3600)
    fresh_api.post(f"batch_exports/{created['id']}/unpause/", json={"backfill": True})
    [backfill] = fresh_api.get(f"batch_exports/{created['id']}/backfills/").json()["results"]
    assert backfill["start_at"] == paused_at
    span = datetime.fromisoformat(backfill["end_at"]) - datetime.fromisoformat(paused_at)
    assert 3 * 3600 <= span.total_seconds() < 3 * 3600 + 60  # the paused 3 h, not 8 h
