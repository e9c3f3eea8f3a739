"""Destination tests and integrations asked for the wrong way say what is wrong: arguments
that are not dicts, a type without a test, an integration kind spelt as a destination type."""

from __future__ import annotations

from typing import Any

import pytest

from envnb.errors import RequestValidationError
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.mark.parametrize("export", ["Snowflake", None, [("name", "x")], 5])
async def test_run_test_step_new_needs_a_dict(fresh_sandbox: Sandbox, export: Any) -> None:
    c = fresh_sandbox.async_client()
    before = fresh_sandbox.stats()["requests"]
    try:
        with pytest.raises(RequestValidationError, match=r"^export: must be a dict") as err:
            await c.batch_exports.run_test_step_new(0, export)
        assert err.value.attr == "export"
    finally:
        await c.aclose()
    assert fresh_sandbox.stats()["requests"] == before  # nothing was sent


@pytest.mark.parametrize(
    ("override", "attr"),
    [
        ({"destination": "Snowflake"}, "destination"),
        ({"destination": {"config": "database=x"}}, "destination__config"),
    ],
)
async def test_run_test_step_overrides_must_be_dicts(
    fresh_sandbox: Sandbox, override: dict[str, Any], attr: str
) -> None:
    c = fresh_sandbox.async_client()
    try:
        exports = [e async for e in c.batch_exports.list() if e.destination.type == "Snowflake"]
        export = exports[0]
        with pytest.raises(RequestValidationError, match=r"must be a dict, got str") as err:
            await c.batch_exports.run_test_step(export.id, 0, **override)
        assert err.value.attr == attr
    finally:
        await c.aclose()


@pytest.mark.parametrize("destination_type", ["Postgres", "Redshift", "HTTP"])
async def test_a_type_without_a_test_is_named_not_a_bare_404(
    fresh_sandbox: Sandbox, destination_type: str
) -> None:
    # PostHog answers 404 "not found" for these, which read as if the export were missing.
    c = fresh_sandbox.async_client()
    words = rf"^destination_type: {destination_type} destinations have no connection test"
    try:
        with pytest.raises(RequestValidationError, match=words) as err:
            await c.batch_exports.test_steps(destination_type)
        assert err.value.attr == "destination_type"
        exports = [e async for e in c.batch_exports.list()]
        seeded = next(e for e in exports if e.destination.type == destination_type)
        with pytest.raises(RequestValidationError, match=words):
            await c.batch_exports.run_test_step(seeded.id, 0)
        assert [s.name for s in await c.batch_exports.test_steps("AzureBlob")] == [
            "Check Azure Blob container exists"
        ]
    finally:
        await c.aclose()


async def test_an_integration_kind_spelt_as_a_destination_type_says_which_kind(
    fresh_sandbox: Sandbox,
) -> None:
    # integrations("bigquery") found nothing with a list of kinds but no word that BigQuery
    # destinations name a 'google-cloud-service-account' integration.
    c = fresh_sandbox.async_client()
    try:
        hint = "(BigQuery destinations name one of kind 'google-cloud-service-account')"
        with pytest.warns(UserWarning, match=r"no integration of kind 'bigquery' \(BigQuery"):
            assert await c.batch_exports.integrations("bigquery") == []
        with pytest.warns(UserWarning) as seen:
            assert await c.batch_exports.integrations("nope") == []
        assert hint not in str(seen[0].message) and "(" not in str(seen[0].message)
        assert [i.id for i in await c.batch_exports.integrations("google-cloud-service-account")]
    finally:
        await c.aclose()
