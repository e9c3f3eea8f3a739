"""Local checks of a batch export's ``hogql`` model fields, with PostHog's messages.

Rules (contract §12; PostHog's ``BatchExportSerializer._validate_hogql``):
1. ``hogql_modifiers``, ``primary_key``, ``version_key`` and ``incremental_mode`` belong to the
   ``hogql`` model: sent for another model they are refused naming the model.
2. A ``hogql`` export needs a ``hogql_query`` and takes no ``filters``.
3. ``primary_key``/``version_key`` are non-empty lists of column names; ``MERGE`` needs a
   ``primary_key``. Whether the names are the query's columns is the server's check (it
   compiles the query).
Rule 1 runs where the model is known (on create, and on an update that names it); rules 2
and 3 on create only (an update may rely on the stored query and keys).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ..errors import RequestValidationError

HOGQL = "hogql"
SOURCE_FIELDS = ("hogql_modifiers", "primary_key", "version_key", "incremental_mode")


class IncrementalMode(StrEnum):
    """How a ``hogql`` export writes into its destination."""

    APPEND = "APPEND"  # the default: every run appends its rows
    MERGE = "MERGE"  # rows replace those with the same primary_key (newest version_key wins)


def check_keys(name: str, value: list[str] | None) -> list[str] | None:
    """A key list: None, or a non-empty list of non-blank column names."""
    if value is None:
        return None
    if not value:
        raise RequestValidationError(
            f"{name}: must list at least one column of the query (PostHog: 'This list may not "
            "be empty.')",
            attr=name,
        )
    blank = [column for column in value if not column.strip()]
    if blank:
        raise RequestValidationError(f"{name}: column names must not be blank", attr=name)
    return value


def check_model_fields(model: str, fields: dict[str, Any], creating: bool) -> None:
    """Rules 1–3 for an export whose model is ``model`` (``fields``: what is being sent)."""
    if model != HOGQL:
        for name in SOURCE_FIELDS:
            if fields.get(name) is not None:
                raise RequestValidationError(
                    f"'{name}' is only supported for 'hogql' not '{model}' model", attr=name
                )
        return
    if not creating:
        return
    if not fields.get("hogql_query"):
        raise RequestValidationError(
            "'hogql_query' is required when 'model' is 'hogql'", attr="hogql_query"
        )
    if fields.get("filters"):
        raise RequestValidationError(
            "'filters' are not supported when 'model' is 'hogql'", attr="filters"
        )
    if fields.get("incremental_mode") == IncrementalMode.MERGE and not fields.get("primary_key"):
        raise RequestValidationError(
            "'primary_key' is required when 'incremental_mode' is 'MERGE'", attr="primary_key"
        )
