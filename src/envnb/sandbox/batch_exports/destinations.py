"""Destination types of batch exports: config fields, validation, secret stripping.

To add a destination type: one ``Destination`` entry in ``DESTINATIONS`` (its test steps in
:mod:`.destination_tests`, a rule of its own in :mod:`.destination_rules`).

Follows PostHog's newest ``BatchExportDestinationSerializer`` and ``validate_destination``
[src: PH:products/batch_exports/backend/presentation/views/batch_export/{destinations,exports}.py]:
credentials live in an integration (``destination_integrations`` says when one is required),
and the inline credential fields of Snowflake, BigQuery, Postgres and Redshift stay declared
but optional, because exports made before integrations keep them in their stored config. The
legacy ``S3`` type can no longer be created (PH#64350, issue PH#65834); older ones keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from . import destination_integrations as integrations
from . import destination_rules as rules
from . import destination_tests as tests
from .destination_tests import StepSpec

# Fields every destination accepts (BaseBatchExportInputs and friends).
COMMON_FIELDS: dict[str, type] = {"exclude_events": list, "include_events": list}
COMMON_FIELDS_ALL: dict[str, type] = {**COMMON_FIELDS, "integration_id": int}

DEFAULT_THROUGHPUT = (5_000, 20)
Check = Callable[[dict[str, Any], dict[str, Any]], None]  # (config, existing config) -> 400


@dataclass(frozen=True, kw_only=True)
class Destination:
    """One destination type: its config fields, secrets, test steps and rules."""

    required: tuple[str, ...] = ()
    optional: Mapping[str, Any] = field(default_factory=dict)  # field -> default
    secret: frozenset[str] = frozenset()  # never returned, at any depth
    types: Mapping[str, type] = field(default_factory=dict)  # field -> type (str if absent)
    test_steps: tuple[StepSpec, ...] | None = None  # None: no test (GET test/ answers 404)
    integration: str | None = None  # the kind of integration it names
    # When it must name one (rule 2 of destination_integrations): "always", "kept" (a PATCH
    # that leaves it out keeps the export's), "on_create"; None: only checked when given.
    integration_required: integrations.Policy | None = None
    # The refusal when an update drops the integration an export has (rule 2, Redshift).
    integration_sticky: str = ""
    # The refusal when neither its integration nor its config has a host (rule 4, Redshift).
    integration_host: str = ""
    integration_mismatch: str = "Integration provided is of the wrong kind (got kind='{kind}')"
    create_refusal: str = ""  # a type that can no longer be created: PostHog's refusal
    checks: tuple[Check, ...] = ()  # type-specific rules after the field checks
    models: tuple[str, ...] | None = None  # the export models it takes; None: every model
    # The simulated runs: (records per second, seconds of setup) — how long a run takes.
    throughput: tuple[int, int] = DEFAULT_THROUGHPUT
    label: str = ""  # how PostHog's messages spell the type, when not as its key

    @property
    def object_store(self) -> bool:
        """Writes files (the ``legacy_parquet_extension`` setting applies)."""
        return integrations.LEGACY_PARQUET in self.optional

    def field_names(self) -> set[str]:
        """All config keys this destination accepts."""
        return set(self.required) | set(self.optional) | set(COMMON_FIELDS_ALL)

    def nullable(self, name: str) -> bool:
        """Whether a config field may be null: an optional one whose default is null."""
        if name in self.optional:
            return self.optional[name] is None
        return name in COMMON_FIELDS_ALL

    def field_type(self, name: str) -> type:
        """The declared python type of a config field (str unless declared)."""
        return self.types.get(name) or COMMON_FIELDS_ALL.get(name) or str


_FILE_TYPES = {"max_file_size_mb": int, "legacy_parquet_extension": bool}
_S3_FAMILY_OPTIONAL = {
    "compression": None,
    "file_format": "JSONLines",
    "max_file_size_mb": None,
    "legacy_parquet_extension": False,
}
_S3_MISMATCH = "Integration provided is not an AWS S3 integration (got kind='{kind}')"

# The inline credentials of exports from before integrations.
_PG_INLINE = {"user": None, "password": None, "host": None}
_PG_OPTIONAL = {
    "schema": "public",
    "table_name": "events",
    "port": 5432,
    "has_self_signed_cert": False,
}

DESTINATIONS: dict[str, Destination] = {
    "S3": Destination(
        required=("bucket_name", "region", "prefix"),
        optional={
            "aws_access_key_id": None,
            "aws_secret_access_key": None,
            "compression": None,
            "encryption": None,
            "kms_key_id": None,
            "endpoint_url": None,
            "file_format": "JSONLines",
            "max_file_size_mb": None,
            "use_virtual_style_addressing": False,
            "legacy_parquet_extension": False,
        },
        secret=frozenset({"aws_access_key_id", "aws_secret_access_key"}),
        types=_FILE_TYPES | {"use_virtual_style_addressing": bool},
        test_steps=tests.S3_STEPS,
        checks=(rules.file_format, rules.s3_inputs),
        # PostHog keeps it in S3_FAMILY_TYPES: an existing legacy export needs an integration
        # of the AWS S3 kind too (validate_destination); new ones are refused (PH#64350).
        integration="aws-s3",
        integration_required="kept",
        integration_mismatch=_S3_MISMATCH,
        create_refusal="The 'S3' destination type is deprecated and can no longer be created. "
        "Use 'AwsS3' for AWS S3, or 'S3Compatible' for S3-compatible storage.",
        throughput=(60_000, 25),
    ),
    # Account, user and credentials live in the integration; the inline fields stay declared
    # (exports from before integrations hold them) but no new export needs them.
    "Snowflake": Destination(
        required=("database", "warehouse", "schema"),
        optional={
            "account": None,
            "user": None,
            "table_name": "events",
            "authentication_type": "password",
            "password": None,
            "private_key": None,
            "private_key_passphrase": None,
            "role": None,
        },
        secret=frozenset({"user", "password", "private_key", "private_key_passphrase"}),
        test_steps=tests.SNOWFLAKE_STEPS,
        integration="snowflake",
        integration_required="kept",
        integration_mismatch="Integration is not a Snowflake integration.",
        throughput=(9_000, 70),
    ),
    # New ones name an integration (it holds host, port, user and password); older exports
    # keep their inline credentials and stay editable without one.
    "Postgres": Destination(
        required=("database",),
        optional={**_PG_INLINE, **_PG_OPTIONAL},
        secret=frozenset({"user", "password"}),
        types={"port": int, "has_self_signed_cert": bool},
        integration="postgresql",
        integration_required="on_create",
        integration_mismatch="Integration is not a PostgreSQL integration.",
        throughput=(5_000, 10),
    ),
    "Redshift": Destination(
        required=("database",),
        optional={
            **_PG_INLINE,
            **_PG_OPTIONAL,
            "port": 5439,
            "properties_data_type": "varchar",
            "mode": "INSERT",
            "copy_inputs": None,
        },
        secret=frozenset({"user", "password", "aws_access_key_id", "aws_secret_access_key"}),
        types={"port": int, "has_self_signed_cert": bool, "copy_inputs": dict},
        checks=(rules.redshift_copy,),
        integration="aws-redshift",
        integration_required="on_create",
        integration_sticky="Cannot remove the integration from a Redshift batch export that "
        "uses one. Re-send its `integration` to keep it (or a different one to swap).",
        integration_host="A 'host' is required when using an AWS Redshift integration: set it "
        "to the cluster or workgroup endpoint.",
        integration_mismatch="Integration is not a Redshift integration.",
        throughput=(3_000, 90),
    ),
    # The service account (project, key, e-mail) lives in the integration, which every
    # write of its destination must name (PostHog does not keep the stored one on a PATCH).
    "BigQuery": Destination(
        required=("dataset_id",),
        optional={
            "project_id": None,
            "private_key": None,
            "private_key_id": None,
            "token_uri": None,
            "client_email": None,
            "table_id": "events",
            "use_json_type": False,
        },
        secret=frozenset({"private_key", "private_key_id", "client_email", "token_uri"}),
        types={"use_json_type": bool},
        test_steps=tests.BIGQUERY_STEPS,
        integration="google-cloud-service-account",
        integration_required="always",
        integration_mismatch="Integration is not a Google Cloud service account integration.",
        throughput=(12_000, 45),
    ),
    # Their credentials live in an integration (the serializer demands one).
    "Databricks": Destination(
        required=("http_path", "catalog", "schema", "table_name"),
        optional={"use_variant_type": True, "use_automatic_schema_evolution": True},
        types={"use_variant_type": bool, "use_automatic_schema_evolution": bool},
        test_steps=tests.DATABRICKS_STEPS,
        integration="databricks",
        integration_required="always",
        integration_mismatch="Integration is not a Databricks integration.",
    ),
    "AzureBlob": Destination(
        required=("container_name",),
        optional={"prefix": None, **_S3_FAMILY_OPTIONAL},
        types=_FILE_TYPES,
        checks=(rules.file_format,),
        test_steps=tests.AZURE_BLOB_STEPS,
        integration="azure-blob",
        integration_required="always",
        integration_mismatch="Integration is not an Azure Blob integration.",
        label="Azure Blob",
    ),
    # The S3 family of the newest PostHog: credentials (and an S3-compatible provider's
    # endpoint) live in the integration, so the config has no keys and no endpoint_url.
    "AwsS3": Destination(
        required=("bucket_name", "region", "prefix"),
        optional={**_S3_FAMILY_OPTIONAL, "encryption": None, "kms_key_id": None},
        types=_FILE_TYPES,
        test_steps=tests.AWS_S3_STEPS,
        checks=(rules.file_format, rules.s3_inputs),
        integration="aws-s3",
        integration_required="kept",
        integration_mismatch=_S3_MISMATCH,
        throughput=(60_000, 25),
    ),
    "S3Compatible": Destination(
        required=("bucket_name", "region", "prefix"),
        optional={**_S3_FAMILY_OPTIONAL, "use_virtual_style_addressing": False},
        types=_FILE_TYPES | {"use_virtual_style_addressing": bool},
        test_steps=tests.S3_STEPS,
        checks=(rules.file_format, rules.s3_inputs),
        integration="s3-compatible",
        integration_required="kept",
        integration_mismatch=_S3_MISMATCH,
        throughput=(60_000, 25),
    ),
    "Workflows": Destination(),
    "HTTP": Destination(
        required=("url", "token"),
        secret=frozenset({"token"}),
        models=("events",),
        throughput=(2_500, 5),
    ),
    "NoOp": Destination(optional={"arg": None}),
}
DESTINATION_TYPES = tuple(DESTINATIONS)


_TRUE = {"y", "yes", "t", "true", "on", "1"}
_FALSE = {"n", "no", "f", "false", "off", "0"}


def _cast(value: Any, target: type) -> tuple[Any, bool]:
    """PostHog's ``try_cast``: str -> int/bool only; returns (value, ok)."""
    if target is bool and isinstance(value, str):
        low = value.lower()
        if low in _TRUE:
            return True, True
        if low in _FALSE:
            return False, True
        return value, False
    if target is int and isinstance(value, str):
        try:
            return int(value), True
        except ValueError:
            return value, False
    return value, False


def _type_ok(value: Any, target: type) -> bool:
    if target is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, target)


def validate_destination(
    dest: Any,
    *,
    is_patch: bool,
    existing_config: dict[str, Any] | None = None,
    existing_type: str | None = None,
    existing_integration: int | None = None,
    kind_of: integrations.KindOf = lambda number: None,
) -> dict[str, Any]:
    """Validate a ``destination`` payload; return ``{type, config, integration_id}``.

    ``existing_type``: the stored export's type, which no request may change (PostHog now
    refuses it, so a config of one type never carries another type's secrets).
    ``existing_integration``: the stored export's integration; ``kind_of``: the kind of one of
    the project's integrations (:mod:`.destination_integrations`).
    """
    if not isinstance(dest, dict):
        raise errors.validation(
            f"Invalid data. Expected a dictionary, but got {type(dest).__name__}.",
            "destination__non_field_errors",
        )
    dtype = dest.get("type")
    if dtype is None:
        raise errors.required("destination__type")
    if not isinstance(dtype, str) or dtype not in DESTINATIONS:
        raise errors.invalid_choice(dtype, "destination__type")
    if existing_type is not None and dtype != existing_type:
        raise errors.validation(
            f"Cannot change destination type from '{existing_type}' to '{dtype}'. "
            "Delete this batch export and create a new one with the new destination type.",
            "destination",
        )
    config = dest.get("config", {}) if "config" in dest else None
    if config is None:
        if not is_patch:
            raise errors.required("destination__config")
        config = {}
    if not isinstance(config, dict):
        raise errors.validation(
            f'Expected a dictionary of items but got type "{type(config).__name__}".',
            "destination__config",
            "not_a_dict",
        )
    spec = DESTINATIONS[dtype]
    if spec.create_refusal and existing_type is None:
        raise errors.validation(spec.create_refusal, "destination")
    attr = "destination__non_field_errors"
    extra = set(config) - spec.field_names()
    if extra:
        names = ", ".join(f"'{name}'" for name in sorted(extra))
        raise errors.validation(f"Configuration has unknown field/s: {names}", attr)
    clean: dict[str, Any] = {}
    for name in (*spec.required, *spec.optional, *COMMON_FIELDS_ALL):
        if name not in config:
            if name in spec.required and not is_patch:
                raise errors.validation(f"Configuration missing required field: '{name}'", attr)
            continue
        value = config[name]
        target = spec.field_type(name)
        if value is None and not spec.nullable(name):
            # Only a field whose default is null may be null (Postgres ``schema`` may not).
            raise errors.validation(
                f"Configuration has invalid type: got 'NoneType', expected "
                f"'{target.__name__}' for '{name}'",
                attr,
            )
        if value is not None and not _type_ok(value, target):
            value, ok = _cast(value, target)
            if not ok:
                raise errors.validation(
                    "Configuration has invalid type: got "
                    f"'{type(config[name]).__name__}', expected '{target.__name__}'",
                    attr,
                )
        clean[name] = value
    found = integrations.integration_id(dest, kind_of)
    existing = existing_config or {}
    creating = existing_config is None
    # PostHog checks the integration before the type's own rules.
    merged = rules.deep_merge(existing, clean)
    integrations.check_integration(spec, dtype, dest, found, existing_integration, creating, merged)
    for check in spec.checks:
        check(clean, existing)
    if spec.object_store:
        integrations.legacy_parquet(clean, existing_config, creating=creating)
    return {"type": dtype, "config": clean, "integration_id": found[0]}


def public_config(dtype: str, config: dict[str, Any]) -> dict[str, Any]:
    """The config as responses show it: secret fields stripped."""
    spec = DESTINATIONS.get(dtype)
    secret = spec.secret if spec else frozenset()

    # PostHog's remove_secret_fields_recursive: nested dicts (Redshift copy_inputs) too.
    def strip(mapping: dict[str, Any]) -> dict[str, Any]:
        return {
            k: strip(v) if isinstance(v, dict) else v for k, v in mapping.items() if k not in secret
        }

    return strip(config)
