"""The test steps of batch export destinations (the "Test destination" button), simulated.

Step names follow PostHog's ``destination_tests`` (contract §GET ``test/``); each destination
type names its steps in ``destinations.DESTINATIONS``, as PostHog keys its tests by type. No
step touches the network: a step fails when a key it exercises is unset or contains one of
:data:`FAIL_WORDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StepSpec:
    """One step of a destination test and the config keys it exercises."""

    name: str
    description: str
    keys: tuple[str, ...]
    failure: str


SNOWFLAKE_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "Establish connection to Snowflake",
        "Attempt to connect to Snowflake with the provided credentials.",
        ("account", "user"),
        "Could not connect to Snowflake account '{account}'.",
    ),
    StepSpec(
        "Verify Snowflake warehouse",
        "Ensure the configured Snowflake warehouse exists and we have access to it.",
        ("warehouse",),
        "Warehouse '{warehouse}' does not exist or is not accessible.",
    ),
    StepSpec(
        "Verify Snowflake database",
        "Ensure the configured Snowflake database exists and we have access to it.",
        ("database",),
        "Database '{database}' does not exist or is not accessible.",
    ),
    StepSpec(
        "Verify Snowflake schema",
        "Ensure the configured Snowflake schema exists and we have access to it.",
        ("schema",),
        "Schema '{schema}' does not exist or is not accessible.",
    ),
)


BIGQUERY_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "Impersonate BigQuery service account",
        "Attempt to impersonate the configured BigQuery service account.",
        ("client_email",),
        "Could not impersonate the service account.",
    ),
    StepSpec(
        "Verify BigQuery service account ownership",
        "Ensure the service account belongs to your organization.",
        ("client_email",),
        "The service account is not owned by your organization.",
    ),
    StepSpec(
        "Verify BigQuery project",
        "Ensure the configured BigQuery project exists and we have access to it.",
        ("project_id",),
        "Project '{project_id}' does not exist or is not accessible.",
    ),
    StepSpec(
        "Verify BigQuery dataset",
        "Ensure the configured BigQuery dataset exists and we have access to it.",
        ("dataset_id",),
        "Dataset '{dataset_id}' does not exist or is not accessible.",
    ),
    StepSpec(
        "Verify BigQuery table",
        "Ensure the configured BigQuery table exists or can be created.",
        ("table_id",),
        "Table '{table_id}' cannot be created or written to.",
    ),
)


S3_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "Check S3 bucket exists",
        "Ensure the configured S3 bucket exists and that we can access it.",
        ("bucket_name", "region"),
        "Bucket '{bucket_name}' does not exist.",
    ),
)

# An AwsS3 export first assumes the integration's role (the sandbox's always can).
AWS_S3_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "Ensure we can assume provided AWS role",
        "Attempt to assume the AWS role configured in the integration.",
        (),
        "Could not assume the AWS role.",
    ),
    *S3_STEPS,
)


DATABRICKS_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "Establish connection to Databricks",
        "Attempt to connect to Databricks with the provided integration.",
        ("http_path",),
        "Could not connect to Databricks at '{http_path}'.",
    ),
    StepSpec(
        "Verify Databricks catalog",
        "Ensure the configured catalog exists and we have access to it.",
        ("catalog",),
        "Catalog '{catalog}' does not exist or is not accessible.",
    ),
    StepSpec(
        "Verify Databricks schema",
        "Ensure the configured schema exists and we have access to it.",
        ("schema",),
        "Schema '{schema}' does not exist or is not accessible.",
    ),
)


AZURE_BLOB_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "Check Azure Blob container exists",
        "Ensure the configured container exists and that we can access it.",
        ("container_name",),
        "Container '{container_name}' does not exist.",
    ),
)


# Config values containing these words make the sandbox's step fail (deterministic demo).
FAIL_WORDS = ("missing", "fail")


def run_step(step: StepSpec, config: dict[str, Any]) -> dict[str, Any]:
    """Run one step against a config: Passed, or Failed with a message (no network)."""
    result: dict[str, str | None]
    if any(config.get(key) in (None, "") for key in step.keys):
        result = {
            "status": "Failed",
            "message": "The test step cannot run as it's not configured.",
        }
    else:
        bad = [
            key
            for key in step.keys
            if any(word in str(config.get(key, "")).lower() for word in FAIL_WORDS)
        ]
        if bad:
            values = {key: config.get(key) for key in step.keys}
            result = {
                "status": "Failed",
                "message": step.failure.format(**values),
            }
        else:
            result = {"status": "Passed", "message": None}
    return {"name": step.name, "description": step.description, "result": result}
