"""The integration a destination names, and the Parquet file-name setting of object stores.

Rules of this module (PostHog's ``BatchExportSerializer.validate_destination`` and
``destinations.py`` [src: PH:products/batch_exports/backend/presentation/views/batch_export/]):
1. ``integration``/``integration_id`` is a primary key of one of the project's integrations
   (DRF's ``PrimaryKeyRelatedField`` messages otherwise).
2. A destination type's ``integration_required`` says when it needs one [PostHog's
   ``validate_destination``]: "always" on every write of its destination (Databricks,
   AzureBlob, BigQuery: a PATCH must name it again); "kept" likewise, except that a PATCH
   leaving the field out keeps the export's (Snowflake and the S3 family; an explicit null is
   a removal, refused like a missing one); "on_create" only for a new export (Postgres,
   Redshift: older exports keep inline credentials and stay editable without one). A type
   with ``integration_sticky`` (Redshift) refuses an update that drops the one it has.
3. The integration's kind must be the type's (``integration`` in the table), else the type's
   ``integration_mismatch`` message naming the kind it got.
4. A type with ``integration_host`` (Redshift) needs a ``host`` in its config when the
   integration it names keeps none (an AWS-flavoured Redshift integration gets temporary
   credentials for a cluster endpoint that stays in the export's config).
5. ``legacy_parquet_extension`` may stay on only for an export that already writes the codec
   into its Parquet file names; a new export starts with it off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from .. import errors

Policy = Literal["always", "kept", "on_create"]
# policy -> whether a write needs an integration: (creating, field given, export has one).
_NEEDS: dict[str, Callable[[bool, bool, bool], bool]] = {
    "always": lambda creating, given, has_one: True,
    "kept": lambda creating, given, has_one: creating or given or not has_one,
    "on_create": lambda creating, given, has_one: creating,
}
# integration id -> its (kind, public config) in this project, or None
KindOf = Callable[[int], tuple[str, dict[str, Any]] | None]
Found = tuple[int | None, str | None, dict[str, Any]]  # (id, kind, config) of the one named
LEGACY_PARQUET = "legacy_parquet_extension"
# PostHog's integration ids are bigint primary keys.
_MAX_PK = 2**63 - 1


def _missing(value: Any, attr: str) -> errors.ApiError:
    detail = f'Invalid pk "{value}" - object does not exist.'
    return errors.validation(detail, attr, "does_not_exist")


def integration_id(dest: dict[str, Any], kind_of: KindOf) -> Found:
    """The destination's integration pk, kind and config, (None, None, {}) when not given; a
    400 when it is not one of the project's integrations."""
    key = "integration_id" if "integration_id" in dest else "integration"
    value = dest.get(key)
    if value is None:
        return None, None, {}
    attr = f"destination__{key}"
    if isinstance(value, bool) or not isinstance(value, int | str):
        # DRF PrimaryKeyRelatedField's wording.
        raise errors.validation(
            f"Incorrect type. Expected pk value, received {type(value).__name__}.",
            attr,
            "incorrect_type",
        )
    number = int(value) if isinstance(value, int) or value.isdigit() else None
    if number is None or not 1 <= number <= _MAX_PK:
        raise _missing(value, attr)
    found = kind_of(number)
    if found is None:
        raise _missing(value, attr)
    return number, found[0], found[1]


def check_integration(
    spec: Any,
    dtype: str,
    dest: dict[str, Any],
    found: Found,
    existing_integration: int | None,
    creating: bool,
    merged: dict[str, Any],
) -> None:
    """Rules 2, 3 and 4 for a validated destination (``found`` from :func:`integration_id`,
    ``merged``: the stored config with the request's over it)."""
    number, kind, config = found
    if spec.integration is None:
        return
    given = "integration_id" in dest or "integration" in dest
    has_one = existing_integration is not None
    if number is None and spec.integration_sticky and not creating and has_one:
        raise errors.validation(spec.integration_sticky, "destination")
    policy = spec.integration_required
    if number is None and policy is not None and _NEEDS[policy](creating, given, has_one):
        label = spec.label or dtype
        raise errors.validation(f"Integration is required for {label} batch exports", "destination")
    if kind is not None and kind != spec.integration:
        raise errors.validation(spec.integration_mismatch.format(kind=kind), "destination")
    no_host = "host" not in config and not merged.get("host")
    if number is not None and spec.integration_host and no_host:
        raise errors.validation(spec.integration_host, "destination")


def _writes_compressed_parquet(config: dict[str, Any]) -> bool:
    return config.get("file_format") == "Parquet" and config.get("compression") is not None


def legacy_parquet(clean: dict[str, Any], existing: dict[str, Any] | None, creating: bool) -> None:
    """Rule 5 on a validated config of an object-store type (updates ``clean`` in place)."""
    stored = existing or {}
    if LEGACY_PARQUET in stored:
        uses_legacy = bool(stored[LEGACY_PARQUET])
    else:
        # An export from before the setting uses the legacy names if it writes compressed
        # Parquet; that is pinned before this request's config merges over it.
        uses_legacy = not creating and _writes_compressed_parquet(stored)
    if clean.get(LEGACY_PARQUET) is True and not uses_legacy:
        raise errors.validation(
            "'legacy_parquet_extension' can only stay on for an export that already writes the "
            "compression codec into its Parquet file names. It cannot be turned on for a new "
            "export, or turned back on once an export moved to the standard '.parquet' "
            "extension.",
            "destination",
        )
    if LEGACY_PARQUET not in stored:
        clean.setdefault(LEGACY_PARQUET, uses_legacy)
