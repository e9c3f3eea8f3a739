"""Schemathesis against the sandbox's own /api/schema/: generated requests get answers
that match the document (status codes, content types, response bodies)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from envnb.sandbox import Sandbox


@pytest.fixture(scope="module")
def fuzz_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own: generated requests create and change data."""
    with Sandbox(stream_delay=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def sandbox_schema(fuzz_sandbox: Sandbox) -> Any:
    """The sandbox's OpenAPI document, loaded by schemathesis."""
    document = httpx.get(f"{fuzz_sandbox.url}/api/schema/").json()
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=fuzz_sandbox.url)
    return schema


CHECKS = [
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
SKIP = {"conversations/", "PUT", "DELETE"}


def _skipped(operation: Any) -> bool:
    # Streams (POST conversations) are checked event by event elsewhere; PUT/DELETE are
    # left out so that fuzzing does not delete the seeded rows the other operations use.
    return operation.method.upper() in SKIP or (
        operation.method.upper() == "POST" and operation.path.endswith("/conversations/")
    )


def test_sandbox_answers_match_its_schema(fuzz_sandbox: Sandbox, sandbox_schema: Any) -> None:
    headers = {"Authorization": f"Bearer {fuzz_sandbox.api_key}"}
    checked = 0
    for result in sandbox_schema.get_all_operations():
        operation = result.ok()
        if _skipped(operation):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=5,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            case.path_parameters = {**(case.path_parameters or {}), "project_id": 1}
            response = case.call(headers=headers)
            # 500 is PostHog parity only for run_test_step's out-of-range step index.
            if response.status_code >= 500:
                assert "run_test_step" in case.path, (case.path, response.text)
                return
            # The document is looser than the server's validation (destination configs are
            # validated per type), so "schema-valid data accepted" is not checked; what is
            # checked is that every answer is documented and matches its declared body.
            case.validate_response(response, checks=CHECKS)

        run()
        checked += 1
    assert checked >= 20
