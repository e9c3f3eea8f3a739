"""Batch exports as PostHog has them now (contract §12): refusals, messages, no 500, no secret.

Re-expressed from PostHog's own API tests where one exists (named in each test's comment;
products/batch_exports/backend/tests/api/).
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Api
from envnb.sandbox.batch_exports.seed import SECRETS

S3_CONFIG = {"bucket_name": "my-bucket", "region": "us-east-1", "prefix": "events/"}
SECRET = SECRETS + "new"  # every secret this file writes starts with the seed's leak marker


def _seeded(api: Api, dtype: str) -> dict[str, Any]:
    rows = api.get("batch_exports/").json()["results"]
    return next(row for row in rows if row["destination"]["type"] == dtype)


def _new_s3(api: Api, **overrides: Any) -> Any:
    payload: dict[str, Any] = {
        "name": "S3 export",
        "interval": "day",
        # The legacy S3 type can no longer be created: AwsS3 on the seeded aws-s3 integration.
        "destination": {"type": "AwsS3", "config": dict(S3_CONFIG), "integration": 1},
    }
    payload.update(overrides)
    return api.post("batch_exports/", json=payload)


def _detail(response: Any) -> str:
    assert response.status_code == 400, response.text
    return str(response.json()["detail"])


def test_changing_destination_type_is_refused_and_no_secret_leaks(fresh_api: Api) -> None:
    # PostHog: BatchExportSerializer.validate_destination ("Cannot change destination type").
    redshift = _seeded(fresh_api, "Redshift")
    url = f"batch_exports/{redshift['id']}/"
    to_s3 = {"destination": {"type": "S3", "config": dict(S3_CONFIG)}}
    expected = (
        "Cannot change destination type from 'Redshift' to 'S3'. Delete this batch export "
        "and create a new one with the new destination type."
    )
    patched = fresh_api.patch(url, json=to_s3)
    assert _detail(patched) == expected
    put = fresh_api.request("PUT", url, json={"name": "x", "interval": "day", **to_s3})
    assert _detail(put) == expected
    tested = fresh_api.post(f"{url}run_test_step/", json={"name": "x", "interval": "day", **to_s3})
    assert _detail(tested) == expected
    after = fresh_api.get(url).json()
    assert after["destination"]["type"] == "Redshift"
    assert "password" not in after["destination"]["config"]
    assert SECRETS not in fresh_api.get("batch_exports/").text


def test_changing_model_is_refused(fresh_api: Api) -> None:
    export = _seeded(fresh_api, "S3")
    response = fresh_api.patch(f"batch_exports/{export['id']}/", json={"model": "persons"})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Changing models is not supported. Create a new batch export instead."
    )
    assert response.json()["attr"] == "model"
    same = fresh_api.patch(f"batch_exports/{export['id']}/", json={"model": "events"})
    assert same.status_code == 200, same.text


BAD_VALUES: list[Any] = [None, 7, 1.5, "x", [1, "a"], {"k": 1}, True, 10**20]


def test_wrong_typed_values_anywhere_are_400_never_500_and_never_a_secret(
    fresh_api: Api,
) -> None:
    """Every field of every body, every JSON type: status < 500, no secret in any answer."""
    from envnb.sandbox.batch_exports.destinations import DESTINATIONS

    rows = fresh_api.get("batch_exports/").json()["results"]
    seeded = {row["destination"]["type"]: row for row in rows}
    top = {
        "name": "n",
        "model": "events",
        "interval": "day",
        "paused": False,
        "start_at": None,
        "end_at": None,
        "hogql_query": "SELECT event FROM events",
        "last_paused_at": None,
        "filters": [],
        "timezone": "UTC",
        "offset_day": None,
        "offset_hour": 1,
        "step": 0,
    }
    # The hogql model's own fields, wrong-typed on a hogql export (each refused naming it).
    hogql_top = {
        **top,
        "model": "hogql",
        "hogql_query": "SELECT event, count() AS n FROM events GROUP BY event",
        "filters": None,
        "hogql_modifiers": {},
        "primary_key": ["event"],
        "version_key": ["n"],
        "incremental_mode": "MERGE",
    }
    kinds = {row["kind"]: row["id"] for row in fresh_api.get("integrations/").json()["results"]}
    checked = 0

    def send(method: str, path: str, body: Any) -> None:
        nonlocal checked
        response = fresh_api.request(method, path, json=body)
        checked += 1
        assert response.status_code < 500, (method, path, body, response.text)
        assert SECRETS not in response.text, (method, path, body)

    for dtype, spec in DESTINATIONS.items():
        config = {name: SECRET if name in spec.secret else "v" for name in spec.required}
        integration = kinds.get(spec.integration or "", 1)
        destination: dict[str, Any] = {
            "type": dtype,
            "config": config,
            "integration_id": integration,
        }
        base = {**top, "destination": destination}
        existing = seeded.get(dtype)
        targets = [("POST", "batch_exports/"), ("POST", "batch_exports/run_test_step_new/")]
        if existing is not None:
            one = f"batch_exports/{existing['id']}/"
            targets += [("PATCH", one), ("PUT", one), ("POST", f"{one}run_test_step/")]
        fields = [*spec.required, *spec.optional, "integration_id", "exclude_events"]
        for bad in BAD_VALUES:
            bodies: list[Any] = [bad]  # the body itself of a wrong type
            bodies += [{**base, name: bad} for name in top]
            bodies += [{**base, "destination": bad}]
            bodies += [{**base, "destination": {**destination, key: bad}} for key in destination]
            bodies += [
                {**base, "destination": {**destination, "config": {**config, name: bad}}}
                for name in fields
            ]
            hogql_base = {**hogql_top, "destination": destination}
            bodies += [{**hogql_base, name: bad} for name in hogql_top]
            for method, path in targets:
                for body in bodies:
                    send(method, path, body)
    assert checked > 2000  # the loop really ran over every field


def test_offset_hour_null_resets_and_week_to_day_is_valid(fresh_api: Api) -> None:
    created = _new_s3(fresh_api, interval="week", offset_day=2, offset_hour=5).json()
    url = f"batch_exports/{created['id']}/"
    daily = fresh_api.patch(url, json={"interval": "day"}).json()
    assert daily["offset_hour"] == 5 and daily["offset_day"] is None
    reset = fresh_api.patch(url, json={"offset_hour": None}).json()
    assert reset["offset_hour"] == 0


def _patch_old_s3(api: Api, config: dict[str, Any]) -> Any:
    """PATCH the seeded legacy S3 export (older ones keep working; new ones are refused)."""
    url = f"batch_exports/{_seeded(api, 'S3')['id']}/"
    return api.patch(url, json={"destination": {"type": "S3", "config": config}})


def test_s3_endpoint_url_on_a_private_address_is_refused(fresh_api: Api) -> None:
    # PostHog: test_creating_s3_family_batch_export_fails_if_using_invalid_endpoint_url
    # (test_create_s3.py before integrations were required; only an older legacy S3 export
    # still has an endpoint_url in its config).
    for endpoint in ("http://localhost:9000", "http://127.0.0.1", "http://10.1.2.3:9000"):
        response = _patch_old_s3(fresh_api, {"endpoint_url": endpoint})
        assert f"Invalid endpoint_url: '{endpoint}'" in _detail(response)
    public = _patch_old_s3(fresh_api, {"endpoint_url": "https://storage.example.com"})
    assert public.status_code == 200, public.text


def test_empty_aws_keys_are_refused(fresh_api: Api) -> None:
    # PostHog: _assert_empty_inputs_rejected (test_update_s3.py).
    response = _patch_old_s3(fresh_api, {"aws_access_key_id": "", "aws_secret_access_key": ""})
    assert _detail(response) == (
        "The following inputs are empty: ['aws_access_key_id', 'aws_secret_access_key']"
    )


def test_filters_must_be_a_list_of_filters(fresh_api: Api) -> None:
    # PostHog: products/batch_exports/backend/filters.py validate_batch_export_filters.
    response = _new_s3(fresh_api, filters={"key": "$browser"})
    assert _detail(response) == "'filters' should be an array of filters"
    assert response.json()["attr"] == "filters"
    assert _detail(_new_s3(fresh_api, filters=["x"])) == "Each filter must be an object"
    good = [{"key": "$browser", "operator": "exact", "type": "event", "value": ["Firefox"]}]
    assert _new_s3(fresh_api, filters=good).json()["filters"] == good


def test_postgres_schema_null_is_refused(fresh_api: Api) -> None:
    export = _seeded(fresh_api, "Postgres")
    body = {"destination": {"type": "Postgres", "config": {"schema": None}}}
    response = fresh_api.patch(f"batch_exports/{export['id']}/", json=body)
    assert response.status_code == 400
    assert "schema" in response.json()["detail"]
    assert (
        fresh_api.get(f"batch_exports/{export['id']}/").json()["destination"]["config"]["schema"]
        == "public"
    )


def test_unparsable_hogql_query_fails_to_parse(fresh_api: Api) -> None:
    for query in ("SELECT FROM events WHERE (", "SELEC event FROM events", "SELECT event FROM"):
        assert _detail(_new_s3(fresh_api, hogql_query=query)) == "Failed to parse query"


def test_workflows_exports_are_hidden_from_the_list(fresh_api: Api) -> None:
    created = fresh_api.post(
        "batch_exports/",
        json={"name": "wf", "interval": "hour", "destination": {"type": "Workflows", "config": {}}},
    )
    assert created.status_code == 201, created.text
    ids = [row["id"] for row in fresh_api.get("batch_exports/?limit=500").json()["results"]]
    assert created.json()["id"] not in ids
    assert fresh_api.get(f"batch_exports/{created.json()['id']}/").status_code == 200


def test_run_test_step_validates_the_whole_export(fresh_api: Api) -> None:
    body = {
        "name": "x",
        "interval": "day",
        "timezone": "Mars/Olympus",
        "destination": {"type": "AwsS3", "config": dict(S3_CONFIG), "integration": AWS_S3},
    }
    response = fresh_api.post("batch_exports/run_test_step_new/", json=body)
    assert response.status_code == 400
    assert response.json()["attr"] == "timezone"


# The seeded integrations' ids (the sandbox seeds one of each kind, in this order).
AWS_S3, S3_COMPATIBLE, SNOWFLAKE, DATABRICKS, AZURE_BLOB, GCP, POSTGRESQL, AWS_REDSHIFT = range(
    1, 9
)
# type -> (config of a new export, its integration, one of another kind, PostHog's messages)
INTEGRATION_BACKED = {
    "BigQuery": (
        {"dataset_id": "posthog"},
        GCP,
        AWS_S3,
        "Integration is required for BigQuery batch exports",
        "Integration is not a Google Cloud service account integration.",
    ),
    "Snowflake": (
        {"database": "d", "warehouse": "w", "schema": "s"},
        SNOWFLAKE,
        AWS_S3,
        "Integration is required for Snowflake batch exports",
        "Integration is not a Snowflake integration.",
    ),
    "Postgres": (
        {"database": "analytics", "table_name": "events"},
        POSTGRESQL,
        AWS_REDSHIFT,
        "Integration is required for Postgres batch exports",
        "Integration is not a PostgreSQL integration.",
    ),
    "Redshift": (
        {"database": "dev", "host": "acme.redshift.amazonaws.com"},
        AWS_REDSHIFT,
        POSTGRESQL,
        "Integration is required for Redshift batch exports",
        "Integration is not a Redshift integration.",
    ),
    "Databricks": (
        {"http_path": "/sql/1.0/warehouses/x", "catalog": "c", "schema": "s", "table_name": "t"},
        DATABRICKS,
        AZURE_BLOB,
        "Integration is required for Databricks batch exports",
        "Integration is not a Databricks integration.",
    ),
    "AzureBlob": (
        {"container_name": "exports"},
        AZURE_BLOB,
        DATABRICKS,
        "Integration is required for Azure Blob batch exports",
        "Integration is not an Azure Blob integration.",
    ),
    "AwsS3": (
        dict(S3_CONFIG),
        AWS_S3,
        S3_COMPATIBLE,
        "Integration is required for AwsS3 batch exports",
        "Integration provided is not an AWS S3 integration (got kind='s3-compatible')",
    ),
    "S3Compatible": (
        dict(S3_CONFIG),
        S3_COMPATIBLE,
        AWS_S3,
        "Integration is required for S3Compatible batch exports",
        "Integration provided is not an AWS S3 integration (got kind='aws-s3')",
    ),
}


def _create_on(api: Api, dtype: str, **destination: Any) -> Any:
    config = dict(INTEGRATION_BACKED[dtype][0])
    body = {"type": dtype, "config": config, **destination}
    return api.post("batch_exports/", json={"name": dtype, "interval": "day", "destination": body})


@pytest.mark.parametrize("dtype", sorted(INTEGRATION_BACKED))
def test_every_integration_backed_type_needs_an_integration_of_its_kind(
    fresh_api: Api, dtype: str
) -> None:
    # PostHog: test_create_s3_family_batch_export_requires_an_integration,
    # test_create_s3_family_batch_export_rejects_mismatched_integration_kind (test_create_s3.py),
    # test_create_snowflake_batch_export_rejects_mismatched_integration_kind
    # (test_create_snowflake.py), test_creating_postgres_batch_export_without_integration_is_
    # rejected and test_creating_postgres_batch_export_using_integration (test_create_postgres.py).
    _config, right, wrong, required, mismatch = INTEGRATION_BACKED[dtype]
    assert _detail(_create_on(fresh_api, dtype)) == required
    assert _detail(_create_on(fresh_api, dtype, integration=None)) == required
    assert _detail(_create_on(fresh_api, dtype, integration_id=wrong)) == mismatch
    made = _create_on(fresh_api, dtype, integration=right)
    assert made.status_code == 201, made.text
    assert made.json()["destination"]["integration"] == right
    shown = fresh_api.get(f"batch_exports/{made.json()['id']}/")
    assert shown.json()["destination"]["integration"] == right
    assert SECRETS not in made.text + shown.text


def test_snowflake_inline_credentials_are_refused_without_an_integration(fresh_api: Api) -> None:
    # PostHog: test_create_snowflake_batch_export_with_inline_credentials_is_rejected.
    for auth, credentials in (
        ("password", {"password": SECRET}),
        ("keypair", {"private_key": SECRET}),
    ):
        config = {
            **INTEGRATION_BACKED["Snowflake"][0],
            "account": "my-account",
            "user": "user",
            "authentication_type": auth,
            **credentials,
        }
        body = {"type": "Snowflake", "config": config}
        response = fresh_api.post(
            "batch_exports/", json={"name": "sf", "interval": "hour", "destination": body}
        )
        assert _detail(response) == "Integration is required for Snowflake batch exports"
    assert SECRETS not in fresh_api.get("batch_exports/").text


@pytest.mark.parametrize("dtype", ["Postgres", "Redshift"])
def test_an_old_inline_credential_export_is_still_updatable(fresh_api: Api, dtype: str) -> None:
    # PostHog: test_updating_inline_credential_postgres_export_still_accepts_them
    # (test_update_postgres.py). The seeded Postgres and Redshift exports predate
    # integrations: no integration, credentials inline.
    seeded = _seeded(fresh_api, dtype)
    assert seeded["destination"]["integration"] is None
    url = f"batch_exports/{seeded['id']}/"
    rotated = {"destination": {"type": dtype, "config": {"password": SECRET}}}
    patched = fresh_api.patch(url, json=rotated)
    assert patched.status_code == 200, patched.text
    assert patched.json()["destination"]["integration"] is None
    assert "password" not in patched.json()["destination"]["config"]
    renamed = fresh_api.patch(
        url, json={"destination": {"type": dtype, "config": {"table_name": "v2"}}}
    )
    assert renamed.json()["destination"]["config"]["table_name"] == "v2"
    # It may take an integration of its kind, and not one of another.
    other = POSTGRESQL if dtype == "Redshift" else AWS_REDSHIFT
    wrong = {"destination": {"type": dtype, "config": {}, "integration": other}}
    assert _detail(fresh_api.patch(url, json=wrong)) == INTEGRATION_BACKED[dtype][4]
    assert SECRETS not in fresh_api.get(url).text + fresh_api.get("batch_exports/").text


def test_kept_always_and_sticky_integrations_on_a_patch(fresh_api: Api) -> None:
    # PostHog's validate_destination: a PATCH without `integration` keeps Snowflake's and the
    # S3 family's; BigQuery (like Databricks, AzureBlob) must name it again; a Redshift export
    # that has one may not drop it.
    bigquery = _seeded(fresh_api, "BigQuery")
    assert bigquery["destination"]["integration"] == GCP
    url = f"batch_exports/{bigquery['id']}/"
    bare = {"destination": {"type": "BigQuery", "config": {"table_id": "events_v2"}}}
    assert _detail(fresh_api.patch(url, json=bare)) == (
        "Integration is required for BigQuery batch exports"
    )
    named = {"destination": {**bare["destination"], "integration": GCP}}
    assert fresh_api.patch(url, json=named).json()["destination"]["config"]["table_id"] == (
        "events_v2"
    )
    # A change that leaves the destination out is not a write of it.
    assert fresh_api.patch(url, json={"name": "BigQuery renamed"}).status_code == 200
    redshift = _create_on(fresh_api, "Redshift", integration=AWS_REDSHIFT).json()
    url = f"batch_exports/{redshift['id']}/"
    dropped = {"destination": {"type": "Redshift", "config": {"table_name": "t2"}}}
    assert _detail(fresh_api.patch(url, json=dropped)) == (
        "Cannot remove the integration from a Redshift batch export that uses one. "
        "Re-send its `integration` to keep it (or a different one to swap)."
    )
    aws = _create_on(fresh_api, "AwsS3", integration=AWS_S3).json()
    config_only = {"destination": {"type": "AwsS3", "config": {"prefix": "p2/"}}}
    kept = fresh_api.patch(f"batch_exports/{aws['id']}/", json=config_only)
    assert kept.status_code == 200 and kept.json()["destination"]["integration"] == AWS_S3


def test_redshift_on_an_aws_integration_needs_a_host(fresh_api: Api) -> None:
    # PostHog's validate_destination: an AWS-flavoured Redshift integration (the seeded one
    # keeps an account id, no host) gets credentials for an endpoint the config must name.
    body = {"type": "Redshift", "config": {"database": "dev"}, "integration": AWS_REDSHIFT}
    response = fresh_api.post(
        "batch_exports/", json={"name": "rs", "interval": "day", "destination": body}
    )
    assert _detail(response) == (
        "A 'host' is required when using an AWS Redshift integration: set it to the cluster "
        "or workgroup endpoint."
    )
    assert _create_on(fresh_api, "Redshift", integration=AWS_REDSHIFT).status_code == 201
