"""``batch_exports.create(model="hogql", ...)``, integration-backed destinations and
``batch_exports.integrations()`` on both clients, against the sandbox over loopback HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from envnb.batch_exports.models import Integration
from envnb.errors import BadRequestError, RequestValidationError
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

S3 = {"bucket_name": "acme", "region": "us-east-1", "prefix": "hogql/"}
AWS_S3 = {"type": "AwsS3", "config": S3, "integration_id": 1}  # the seeded aws-s3 integration
QUERY = (
    "SELECT event, count() AS n FROM events WHERE timestamp >= {data_interval_start} GROUP BY event"
)


async def test_create_a_hogql_export_on_an_integration(fresh_sandbox: Sandbox) -> None:
    c = fresh_sandbox.async_client()
    try:
        aws = await c.batch_exports.integrations("aws-s3")
        assert len(aws) == 1 and isinstance(aws[0], Integration)
        assert (aws[0].id, aws[0].kind, aws[0].display_name, aws[0].config) == (
            1,
            "aws-s3",
            "acme-exports (access key, AWS account 123456789012)",
            {"auth_type": "access key", "aws_account_id": "123456789012"},
        )
        listed = (
            r"^no integration of kind 'aws_s3'; this project has: aws-redshift, aws-s3, "
            r"azure-blob, databricks, google-cloud-service-account, postgresql, "
            r"s3-compatible, snowflake$"
        )
        with pytest.warns(UserWarning, match=listed):
            assert await c.batch_exports.integrations("aws_s3") == []
        kinds = [i.kind for i in await c.batch_exports.integrations()]
        assert kinds == [
            "aws-s3",
            "s3-compatible",
            "snowflake",
            "databricks",
            "azure-blob",
            "google-cloud-service-account",
            "postgresql",
            "aws-redshift",
        ]
        made = await c.batch_exports.create(
            "Events by name",
            {"type": "AwsS3", "config": S3, "integration": aws[0].id},
            "every 15 minutes",
            model="hogql",
            hogql_query=QUERY,
            hogql_modifiers={},
            primary_key=["event"],
            version_key=["n"],
            incremental_mode="MERGE",
        )
        assert (made.model, made.interval, made.hogql_query) == ("hogql", "every 15 minutes", QUERY)
        assert (made.primary_key, made.version_key, made.incremental_mode) == (
            ["event"],
            ["n"],
            "MERGE",
        )
        assert made.destination.integration == 1
        assert made.destination.config == {**S3, "legacy_parquet_extension": False}
        frame = await c.batch_exports.list_df()
        row = frame[frame["id"] == made.id].iloc[0]
        assert (row["integration"], row["incremental_mode"]) == (1, "MERGE")
        # The column check is the server's (it compiles the query): PostHog's message.
        with pytest.raises(BadRequestError) as refused:
            await c.batch_exports.update(made.id, primary_key=["event", "a", "b"])
        assert str(refused.value.detail) == (
            "'primary_key' contains columns that are not present in the query: a,b"
        )
        ran = await c.batch_exports.run_test_step(made.id, 1)
        assert ran.name == "Check S3 bucket exists"
    finally:
        await c.aclose()


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"model": "hogql"}, "hogql_query", "'hogql_query' is required when 'model' is 'hogql'"),
    (
        {"model": "hogql", "hogql_query": QUERY, "incremental_mode": "MERGE"},
        "primary_key",
        "'primary_key' is required when 'incremental_mode' is 'MERGE'",
    ),
    (
        {"primary_key": ["event"]},
        "primary_key",
        "'primary_key' is only supported for 'hogql' not 'events' model",
    ),
    (
        {"model": "sessions", "incremental_mode": "APPEND"},
        "incremental_mode",
        "'incremental_mode' is only supported for 'hogql' not 'sessions' model",
    ),
    (
        {"model": "hogql", "hogql_query": QUERY, "filters": [{"type": "event"}]},
        "filters",
        "'filters' are not supported when 'model' is 'hogql'",
    ),
    (
        {"model": "hogql", "hogql_query": QUERY, "incremental_mode": "UPSERT"},
        "incremental_mode",
        "incremental_mode: 'UPSERT' is not allowed; allowed values: 'APPEND' or 'MERGE'",
    ),
    (
        {"model": "hogql", "hogql_query": QUERY, "primary_key": []},
        "primary_key",
        "primary_key: must list at least one column of the query (PostHog: 'This list may "
        "not be empty.')",
    ),
    (
        {"model": "hogql", "hogql_query": QUERY, "version_key": "n"},
        "version_key",
        "version_key: Input should be a valid list",
    ),
    (
        {"model": "hogql", "hogql_query": QUERY, "hogql_modifiers": ["x"]},
        "hogql_modifiers",
        "hogql_modifiers: Input should be a valid dictionary",
    ),
]


@pytest.mark.parametrize(("fields", "attr", "message"), BAD)
async def test_hogql_fields_are_checked_before_sending(
    fresh_sandbox: Sandbox, fields: dict[str, Any], attr: str, message: str
) -> None:
    c = fresh_sandbox.async_client()
    before = fresh_sandbox.stats()["requests"]
    try:
        with pytest.raises(RequestValidationError) as refused:
            await c.batch_exports.create("x", AWS_S3, "hour", **fields)
        assert (refused.value.attr, str(refused.value)) == (attr, message)
        assert fresh_sandbox.stats()["requests"] == before  # nothing was sent
    finally:
        await c.aclose()


async def test_an_integration_backed_destination_needs_its_integration(
    fresh_sandbox: Sandbox,
) -> None:
    c = fresh_sandbox.async_client()
    before = fresh_sandbox.stats()["requests"]
    try:
        with pytest.raises(RequestValidationError) as refused:
            await c.batch_exports.create(
                "x", {"type": "AzureBlob", "config": {"container_name": "c"}}, "day"
            )
        assert refused.value.attr == "destination__integration_id"
        assert str(refused.value) == (
            "Integration is required for Azure Blob batch exports (name one of kind "
            "'azure-blob': destination={..., 'integration_id': id}; "
            "batch_exports.integrations() lists them)"
        )
        assert fresh_sandbox.stats()["requests"] == before
        with pytest.raises(RequestValidationError) as kind:
            await c.batch_exports.integrations(kind=3)  # type: ignore[arg-type]
        assert kind.value.attr == "kind"
        # The server checks the integration's kind (PostHog's wording).
        wrong = {"type": "S3Compatible", "config": S3, "integration_id": 1}
        with pytest.raises(BadRequestError) as mismatch:
            await c.batch_exports.create("x", wrong, "day")
        assert str(mismatch.value.detail) == (
            "Integration provided is not an AWS S3 integration (got kind='aws-s3')"
        )
    finally:
        await c.aclose()


# type -> (config of a new export, the kind its integration is of): PostHog requires one for
# each on create (validate_destination), and the client says so before sending.
NEEDS_ONE = {
    "BigQuery": ({"dataset_id": "posthog"}, "google-cloud-service-account"),
    "Postgres": ({"database": "analytics"}, "postgresql"),
    "Redshift": ({"database": "dev", "host": "acme.redshift.amazonaws.com"}, "aws-redshift"),
    "Snowflake": ({"database": "d", "warehouse": "w", "schema": "s"}, "snowflake"),
}


@pytest.mark.parametrize("dtype", sorted(NEEDS_ONE))
async def test_new_warehouse_exports_name_an_integration(
    fresh_sandbox: Sandbox, dtype: str
) -> None:
    config, kind = NEEDS_ONE[dtype]
    c = fresh_sandbox.async_client()
    before = fresh_sandbox.stats()["requests"]
    try:
        with pytest.raises(RequestValidationError) as refused:
            await c.batch_exports.create("x", {"type": dtype, "config": config}, "day")
        assert refused.value.attr == "destination__integration_id"
        assert str(refused.value) == (
            f"Integration is required for {dtype} batch exports (name one of kind '{kind}': "
            "destination={..., 'integration_id': id}; batch_exports.integrations() lists them)"
        )
        assert fresh_sandbox.stats()["requests"] == before  # nothing was sent
        # The way that runs unchanged on PostHog: look the integration up by its kind.
        (integration,) = await c.batch_exports.integrations(kind)
        made = await c.batch_exports.create(
            "x", {"type": dtype, "config": config, "integration_id": integration.id}, "day"
        )
        assert made.destination.integration == integration.id
        # One of another kind is the server's to refuse (PostHog's wording).
        other = (await c.batch_exports.integrations("aws-s3"))[0].id
        if dtype == "Redshift":
            other = (await c.batch_exports.integrations("postgresql"))[0].id
        wrong = {"type": dtype, "config": config, "integration_id": other}
        with pytest.raises(BadRequestError) as mismatch:
            await c.batch_exports.create("x", wrong, "day")
        assert (
            str(mismatch.value.detail)
            == {
                "BigQuery": "Integration is not a Google Cloud service account integration.",
                "Postgres": "Integration is not a PostgreSQL integration.",
                "Redshift": "Integration is not a Redshift integration.",
                "Snowflake": "Integration is not a Snowflake integration.",
            }[dtype]
        )
    finally:
        await c.aclose()


async def test_an_old_inline_postgres_export_updates_without_an_integration(
    fresh_sandbox: Sandbox,
) -> None:
    # PostHog: test_updating_inline_credential_postgres_export_still_accepts_them.
    c = fresh_sandbox.async_client()
    try:
        postgres = [e async for e in c.batch_exports.list() if e.destination.type == "Postgres"]
        old = postgres[0]
        assert old.destination.integration is None
        rotated = {"type": "Postgres", "config": {"password": "rotated-pw", "table_name": "v2"}}
        updated = await c.batch_exports.update(old.id, destination=rotated)
        assert updated.destination.integration is None
        assert updated.destination.config["table_name"] == "v2"
        assert "password" not in updated.destination.config
        assert "rotated-pw" not in repr(updated)
    finally:
        await c.aclose()


async def test_a_new_legacy_s3_export_is_refused_before_sending(fresh_sandbox: Sandbox) -> None:
    # PostHog: test_create_legacy_s3_type_is_rejected (test_create_s3.py); the wording is the
    # one PostHog answered (issue PostHog#65834). Older S3 exports keep working.
    c = fresh_sandbox.async_client()
    before = fresh_sandbox.stats()["requests"]
    try:
        legacy = {"type": "S3", "config": S3, "integration_id": 1}
        with pytest.raises(RequestValidationError) as refused:
            await c.batch_exports.create("x", legacy, "day")
        assert (refused.value.attr, str(refused.value)) == (
            "destination__type",
            "The 'S3' destination type is deprecated and can no longer be created. Use 'AwsS3' "
            "for AWS S3, or 'S3Compatible' for S3-compatible storage.",
        )
        assert fresh_sandbox.stats()["requests"] == before  # nothing was sent
        old = [e async for e in c.batch_exports.list() if e.destination.type == "S3"][:1]
        renamed = await c.batch_exports.update(old[0].id, name="Events archive (old S3)")
        assert renamed.name == "Events archive (old S3)"
        assert renamed.destination.integration == 1
    finally:
        await c.aclose()
