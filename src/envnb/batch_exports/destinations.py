"""Destination types: one entry per type in ``DESTINATIONS``, looked up, never branched on.

An entry says what the client needs to know of a type (contract §2 "Destinations", PostHog's
``products/batch_exports/backend/api/destination_tests/__init__.py`` keys its tests the same
way):

- ``required``: config keys a new export must send (the server's config model; checked
  locally before sending, the server has the last word on everything else);
- ``secret``: config keys PostHog keeps write-only (stripped from every answer);
- ``test_steps``: the names of its connection-test steps (``GET batch_exports/test``), ``()``
  when it has a test whose steps are not fixed here, None when it has none (PostHog: 404);
- ``integration``: the kind of integration it names (``batch_exports.integrations()``), None if
  it names none;
- ``integration_required``: whether a new export must name one (PostHog's
  ``validate_destination``: every integration-backed type; older Postgres/Redshift exports
  keep inline credentials, and when an update needs one is the server's to say);
- ``create_refusal``: PostHog's refusal of a type that can no longer be created (the legacy
  ``S3``: use ``AwsS3`` or ``S3Compatible``), empty when it can;
- ``models``: the export models it accepts, None for every model.

To add a destination type: a member of ``DestinationType`` and an entry in ``DESTINATIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DestinationType(StrEnum):
    """Where an export writes."""

    S3 = "S3"
    SNOWFLAKE = "Snowflake"
    POSTGRES = "Postgres"
    REDSHIFT = "Redshift"
    BIGQUERY = "BigQuery"
    DATABRICKS = "Databricks"
    AZURE_BLOB = "AzureBlob"
    WORKFLOWS = "Workflows"
    HTTP = "HTTP"
    NOOP = "NoOp"
    AWS_S3 = "AwsS3"
    S3_COMPATIBLE = "S3Compatible"
    FILE_DOWNLOAD = "FileDownload"


@dataclass(frozen=True)
class DestinationFacts:
    """What the client knows of one destination type (see the module docstring)."""

    required: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()
    test_steps: tuple[str, ...] | None = None
    integration: str | None = None
    integration_required: bool = True
    create_refusal: str = ""
    models: tuple[str, ...] | None = None
    label: str = ""  # how PostHog's messages spell the type, when not as its name


_AWS_KEYS = ("aws_access_key_id", "aws_secret_access_key")
_S3_STEPS = ("Check S3 bucket exists",)
_S3_REQUIRED = ("bucket_name", "region", "prefix")

DESTINATIONS: dict[DestinationType, DestinationFacts] = {
    # Older exports of the legacy type keep working (with an integration); new ones are
    # refused [src: PH#64350].
    DestinationType.S3: DestinationFacts(
        required=_S3_REQUIRED,
        secret=_AWS_KEYS,
        test_steps=_S3_STEPS,
        integration="aws-s3",
        create_refusal="The 'S3' destination type is deprecated and can no longer be created. "
        "Use 'AwsS3' for AWS S3, or 'S3Compatible' for S3-compatible storage.",
    ),
    # The newest S3 family (contract §12): credentials (and an S3-compatible provider's
    # endpoint) in the integration, not in the config.
    DestinationType.AWS_S3: DestinationFacts(
        required=_S3_REQUIRED,
        test_steps=("Ensure we can assume provided AWS role", *_S3_STEPS),
        integration="aws-s3",
    ),
    DestinationType.S3_COMPATIBLE: DestinationFacts(
        required=_S3_REQUIRED, test_steps=_S3_STEPS, integration="s3-compatible"
    ),
    # Account, user and credentials: the integration's.
    DestinationType.SNOWFLAKE: DestinationFacts(
        required=("database", "warehouse", "schema"),
        secret=("user", "password", "private_key", "private_key_passphrase"),
        test_steps=(
            "Establish connection to Snowflake",
            "Verify Snowflake warehouse",
            "Verify Snowflake database",
            "Verify Snowflake schema",
        ),
        integration="snowflake",
    ),
    # Host, port, user and password: the integration's (inline on older exports only).
    DestinationType.POSTGRES: DestinationFacts(
        required=("database",),
        secret=("user", "password"),
        integration="postgresql",
    ),
    DestinationType.REDSHIFT: DestinationFacts(
        required=("database",),
        secret=("user", "password", *_AWS_KEYS),
        integration="aws-redshift",
    ),
    # The service account (project, key, e-mail): the integration's.
    DestinationType.BIGQUERY: DestinationFacts(
        required=("dataset_id",),
        secret=("private_key", "private_key_id", "client_email", "token_uri"),
        test_steps=(
            "Impersonate BigQuery service account",
            "Verify BigQuery service account ownership",
            "Verify BigQuery project",
            "Verify BigQuery dataset",
            "Verify BigQuery table",
        ),
        integration="google-cloud-service-account",
    ),
    # Docs era: the config names the table, the credentials are the integration's.
    DestinationType.DATABRICKS: DestinationFacts(
        required=("http_path", "catalog", "schema", "table_name"),
        test_steps=(),
        integration="databricks",
    ),
    DestinationType.AZURE_BLOB: DestinationFacts(
        required=("container_name",),
        test_steps=(),
        integration="azure-blob",
        label="Azure Blob",
    ),
    DestinationType.WORKFLOWS: DestinationFacts(),
    DestinationType.HTTP: DestinationFacts(
        required=("url", "token"), secret=("token",), models=("events",)
    ),
    DestinationType.NOOP: DestinationFacts(),
    DestinationType.FILE_DOWNLOAD: DestinationFacts(),
}


def testable_types() -> tuple[str, ...]:
    """The destination types with a connection test, in table order."""
    return tuple(str(t) for t, d in DESTINATIONS.items() if d.test_steps is not None)


def destination(destination_type: str) -> DestinationFacts:
    """The entry of a type as PostHog names it; an unknown type (newer than this table)
    gets an empty entry: nothing is checked locally, the server has the last word."""
    try:
        return DESTINATIONS[DestinationType(destination_type)]
    except ValueError:
        return DestinationFacts()
