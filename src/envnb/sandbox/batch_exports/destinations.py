"""Destination types of batch exports: config fields, validation, secret stripping.

Their test steps are in :mod:`.destination_tests`.

Follows the docs-era ``BatchExportDestinationSerializer`` (PostHog/posthog
``posthog/batch_exports/http.py``). The sandbox keeps the docs-era behaviour of accepting
new ``S3`` exports (the newest code refuses them in favour of ``AwsS3``/``S3Compatible``,
issue #65834); that is what the published docs describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import errors

DESTINATION_TYPES = (
    "S3",
    "Snowflake",
    "Postgres",
    "Redshift",
    "BigQuery",
    "Databricks",
    "AzureBlob",
    "Workflows",
    "HTTP",
    "NoOp",
)

# Fields every destination accepts (BaseBatchExportInputs and friends).
COMMON_FIELDS: dict[str, type] = {"exclude_events": list, "include_events": list}
COMMON_FIELDS_ALL: dict[str, type] = {**COMMON_FIELDS, "integration_id": int}


@dataclass(frozen=True)
class DestinationSpec:
    """Config fields of one destination type; ``types`` maps field -> python type."""

    required: tuple[str, ...]
    optional: dict[str, Any]
    secret: frozenset[str]
    types: dict[str, type] = field(default_factory=dict)

    def field_names(self) -> set[str]:
        """All config keys this destination accepts."""
        return set(self.required) | set(self.optional) | set(COMMON_FIELDS_ALL)

    def field_type(self, name: str) -> type:
        """The declared python type of a config field (str unless declared)."""
        return self.types.get(name) or COMMON_FIELDS_ALL.get(name) or str


_PG_OPTIONAL = {
    "schema": "public",
    "table_name": "events",
    "port": 5432,
    "has_self_signed_cert": False,
}

SPECS: dict[str, DestinationSpec] = {
    "S3": DestinationSpec(
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
        },
        secret=frozenset({"aws_access_key_id", "aws_secret_access_key"}),
        types={"max_file_size_mb": int, "use_virtual_style_addressing": bool},
    ),
    "Snowflake": DestinationSpec(
        required=("account", "user", "database", "warehouse", "schema"),
        optional={
            "table_name": "events",
            "authentication_type": "password",
            "password": None,
            "private_key": None,
            "private_key_passphrase": None,
            "role": None,
        },
        secret=frozenset({"user", "password", "private_key", "private_key_passphrase"}),
    ),
    "Postgres": DestinationSpec(
        required=("user", "password", "host", "database"),
        optional=dict(_PG_OPTIONAL),
        secret=frozenset({"user", "password"}),
        types={"port": int, "has_self_signed_cert": bool},
    ),
    "Redshift": DestinationSpec(
        required=("user", "password", "host", "database"),
        optional={
            **_PG_OPTIONAL,
            "port": 5439,
            "properties_data_type": "varchar",
            "mode": "INSERT",
            "copy_inputs": None,
        },
        secret=frozenset({"user", "password", "aws_access_key_id", "aws_secret_access_key"}),
        types={"port": int, "has_self_signed_cert": bool, "copy_inputs": dict},
    ),
    "BigQuery": DestinationSpec(
        required=(
            "project_id",
            "dataset_id",
            "private_key",
            "private_key_id",
            "token_uri",
            "client_email",
        ),
        optional={"table_id": "events", "use_json_type": False},
        secret=frozenset({"private_key", "private_key_id", "client_email", "token_uri"}),
        types={"use_json_type": bool},
    ),
    "Databricks": DestinationSpec(
        required=("http_path", "catalog", "schema", "table_name"),
        optional={"use_variant_type": True, "use_automatic_schema_evolution": True},
        secret=frozenset(),
        types={"use_variant_type": bool, "use_automatic_schema_evolution": bool},
    ),
    "AzureBlob": DestinationSpec(
        required=("container_name",),
        optional={
            "prefix": None,
            "compression": None,
            "file_format": "JSONLines",
            "max_file_size_mb": None,
        },
        secret=frozenset(),
        types={"max_file_size_mb": int},
    ),
    "Workflows": DestinationSpec(required=(), optional={}, secret=frozenset()),
    "HTTP": DestinationSpec(required=("url", "token"), optional={}, secret=frozenset({"token"})),
    "NoOp": DestinationSpec(required=(), optional={"arg": None}, secret=frozenset()),
}

# Destinations whose config lives in an integration (the serializer demands one).
NEEDS_INTEGRATION = frozenset({"Databricks", "AzureBlob"})

SUPPORTED_COMPRESSIONS: dict[str, list[str]] = {
    "Parquet": ["zstd", "lz4", "snappy", "gzip", "brotli"],
    "JSONLines": ["gzip", "brotli"],
}

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
    dest: Any, *, is_patch: bool, existing_config: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Validate a ``destination`` payload; return ``{type, config, integration_id}``."""
    if not isinstance(dest, dict):
        raise errors.validation(
            f"Invalid data. Expected a dictionary, but got {type(dest).__name__}.",
            "destination__non_field_errors",
        )
    dtype = dest.get("type")
    if dtype is None:
        raise errors.required("destination__type")
    if dtype not in SPECS:
        raise errors.invalid_choice(dtype, "destination__type")
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
    spec = SPECS[dtype]
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
        if value is not None and not _type_ok(value, target):
            value, ok = _cast(value, target)
            if not ok:
                raise errors.validation(
                    "Configuration has invalid type: got "
                    f"'{type(config[name]).__name__}', expected '{target.__name__}'",
                    attr,
                )
        clean[name] = value
    integration_id = dest.get("integration_id", dest.get("integration"))
    _validate_specifics(dtype, clean, existing_config or {}, integration_id)
    return {"type": dtype, "config": clean, "integration_id": integration_id}


def _validate_specifics(
    dtype: str, config: dict[str, Any], existing: dict[str, Any], integration_id: Any
) -> None:
    """The per-type checks of ``BatchExportSerializer.validate_destination``."""
    if dtype == "Snowflake":
        merged = {**existing, **config}
        auth = config.get("authentication_type")
        if auth == "password" and merged.get("password") is None:
            raise errors.validation(
                "Password is required if authentication type is password", "destination"
            )
        if auth == "keypair" and merged.get("private_key") is None:
            raise errors.validation(
                "Private key is required if authentication type is key pair", "destination"
            )
    if dtype == "S3":
        file_format = config.get("file_format", "JSONLines")
        if file_format not in SUPPORTED_COMPRESSIONS:
            raise errors.validation(
                f"File format {file_format} is not supported. Supported file formats are "
                f"{list(SUPPORTED_COMPRESSIONS)}",
                "destination",
            )
        compression = config.get("compression")
        if compression and compression not in SUPPORTED_COMPRESSIONS[file_format]:
            raise errors.validation(
                f"Compression {compression} is not supported for file format {file_format}. "
                f"Supported compressions are {SUPPORTED_COMPRESSIONS[file_format]}",
                "destination",
            )
    if dtype == "Redshift":
        _validate_redshift_copy(deep_merge(existing, config))
    if dtype in NEEDS_INTEGRATION and integration_id is None and not existing:
        raise errors.validation(f"integration is required for {dtype} batch exports", "destination")


def _validate_redshift_copy(merged: dict[str, Any]) -> None:
    """The docs-era checks of a Redshift ``mode: COPY`` config, with PostHog's messages."""
    if merged.get("mode") != "COPY":
        return
    copy_inputs = merged.get("copy_inputs") or {}
    if not copy_inputs:
        raise errors.validation("Missing required inputs for 'COPY'", "destination")
    if {"s3_bucket", "region_name", "authorization", "bucket_credentials"} - copy_inputs.keys():
        raise errors.validation("Missing required input for 'COPY'", "destination")
    credential_keys = {"aws_access_key_id", "aws_secret_access_key"}
    bucket_credentials = copy_inputs["bucket_credentials"]
    if not isinstance(bucket_credentials, dict) or credential_keys - bucket_credentials.keys():
        raise errors.validation("Missing required bucket credentials for 'COPY'", "destination")
    authorization = copy_inputs.get("authorization")
    if isinstance(authorization, dict) and credential_keys - authorization.keys():
        raise errors.validation("Missing required credentials for 'COPY'", "destination")
    if isinstance(authorization, str) and not authorization.strip():
        raise errors.validation("Missing required IAM role for 'COPY'", "destination")


def public_config(dtype: str, config: dict[str, Any]) -> dict[str, Any]:
    """The config as responses show it: secret fields stripped."""
    secret = SPECS[dtype].secret if dtype in SPECS else frozenset()

    # PostHog's remove_secret_fields_recursive: nested dicts (Redshift copy_inputs) too.
    def strip(mapping: dict[str, Any]) -> dict[str, Any]:
        return {
            k: strip(v) if isinstance(v, dict) else v for k, v in mapping.items() if k not in secret
        }

    return strip(config)


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge ``patch`` into ``base`` recursively (dicts merge, everything else replaces)."""
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
