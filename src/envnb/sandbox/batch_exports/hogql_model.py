"""Exports of ``model: "hogql"``: the query, its modifiers and its keys (contract §12).

Rules of this module:
1. A ``hogql`` export exports the rows of ``hogql_query``, which may use only the
   ``{data_interval_start}`` and ``{data_interval_end}`` placeholders; every top-level column
   is a field or has an alias; the query must compile against the sandbox's tables (with both
   bounds filled in, as a run fills them) [src: PH:products/batch_exports/backend/hogql_source.py
   ``validate_hogql_query_for_batch_export``].
2. ``hogql_modifiers`` (an object), ``primary_key`` and ``version_key`` (non-empty lists of the
   query's column names) and ``incremental_mode`` (``APPEND`` by default on create, or
   ``MERGE``, which needs a ``primary_key``) belong to that model only; on any other model
   they are refused naming the model.
3. A request that leaves a field out keeps the stored value (the export's "source", kept in
   the ``batch_export_sources`` table as PostHog keeps ``BatchExportSource``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from envnb.sandbox.query.hogql import compile_hogql
from envnb.sandbox.query.hogql_errors import HogQLError
from envnb.sandbox.query.hogql_parse import parse_select

from .. import errors
from .. import validate as v

HOGQL = "hogql"
# The source fields only a hogql export takes, in PostHog's field order.
SOURCE_FIELDS = ("hogql_modifiers", "primary_key", "version_key", "incremental_mode")
INCREMENTAL_MODES = ("APPEND", "MERGE")
INTERVAL_PLACEHOLDERS = ("data_interval_start", "data_interval_end")
_SUPPORTED = "{data_interval_start} and {data_interval_end}"
# Any bounds do to check a query (PostHog fills in 2000-01-01..02 too).
_CHECK_BOUNDS = {"data_interval_start": "2000-01-01 00:00:00", "data_interval_end": "2000-01-02"}


def stored_source(db: Any, export_id: str) -> dict[str, Any]:
    """The source fields stored for an export (all null when it has none)."""
    row = db.execute(
        "SELECT * FROM batch_export_sources WHERE batch_export_id = ?", (export_id,)
    ).fetchone()
    if row is None:
        return dict.fromkeys(SOURCE_FIELDS)
    return {name: json.loads(row[name]) if row[name] else None for name in SOURCE_FIELDS}


def write_source(db: Any, export_id: str, source: dict[str, Any]) -> None:
    """Store an export's source fields (replacing what was there)."""
    db.execute(
        "INSERT OR REPLACE INTO batch_export_sources VALUES (?, ?, ?, ?, ?)",
        (export_id, *(json.dumps(source.get(name)) for name in SOURCE_FIELDS)),
    )


def _placeholders(node: Any, found: list[Any]) -> list[Any]:
    """Every ``Placeholder`` node's expression in a parsed tree."""
    if isinstance(node, dict):
        if node.get("node") == "Placeholder":
            found.append(node.get("expr"))
        for value in node.values():
            _placeholders(value, found)
    elif isinstance(node, list):
        for item in node:
            _placeholders(item, found)
    return found


def _first_select(tree: dict[str, Any]) -> dict[str, Any]:
    """The SELECT that names a UNION's columns (the first)."""
    while tree.get("node") == "SelectSetQuery":
        tree = tree["initial_select_query"]
    return tree


def _compile(query: str, events: Any) -> Any:
    """Compile against the sandbox's tables (``events``: its EventsDB; None: ``events`` only,
    as a unit check without a database)."""
    if events is None:
        return compile_hogql(query, dt.datetime.now(dt.UTC), values=_CHECK_BOUNDS)
    with events.lock:
        return compile_hogql(
            query,
            events.now(),
            events.connection(),
            values=_CHECK_BOUNDS,
            timezone=events.timezone,
        )


def check_query(query: str, events: Any = None) -> list[str]:
    """The query's output column names; a 400 on ``hogql_query`` in PostHog's words.

    ``events``: the sandbox's EventsDB, whose tables (persons, sessions, …) the query may read.
    """
    attr = "hogql_query"
    try:
        tree = parse_select(query)
    except HogQLError as err:
        raise errors.validation(f"Failed to parse HogQL query: {err}", attr) from None
    for expr in _placeholders(tree, []):
        field = isinstance(expr, dict) and expr.get("node") == "Field"
        chain = expr.get("chain") if field else None
        if chain is None or chain == ["filters"]:
            raise errors.validation(
                f"Unsupported placeholder. Only {_SUPPORTED} are supported in batch export queries",
                attr,
            )
        if len(chain) != 1 or chain[0] not in INTERVAL_PLACEHOLDERS:
            name = ".".join(str(part) for part in chain)
            raise errors.validation(
                f"Unknown placeholder '{{{name}}}'. Only {_SUPPORTED} are supported in batch "
                "export queries",
                attr,
            )
    for column in _first_select(tree).get("select") or []:
        if column.get("node") not in ("Field", "Alias"):
            raise errors.validation(
                "Every column in the SELECT clause must be a field or have an alias "
                "(e.g. `count() AS event_count`)",
                attr,
            )
    try:
        compiled = _compile(query, events)
    except HogQLError as err:
        raise errors.validation(f"Invalid HogQL query: {err}", attr) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as err:
        # A tree the engine cannot read (as the query API does): still a 400, never a 500.
        raise errors.validation(f"Invalid HogQL query: {err}", attr) from None
    return [output.hogql for output in compiled.outputs]


def _keys(data: dict[str, Any], name: str) -> list[str] | None:
    """A nullable ListField of non-blank strings that may not be empty."""
    if name not in data or data[name] is None:
        return None
    value = data[name]
    if not isinstance(value, list):
        raise errors.validation(
            f'Expected a list of items but got type "{type(value).__name__}".', name, "not_a_list"
        )
    if not value:
        raise errors.validation("This list may not be empty.", name, "empty")
    return [str(v.string({name: item}, name, required=True)) for item in value]


def _modifiers(data: dict[str, Any]) -> dict[str, Any] | None:
    value = data.get("hogql_modifiers")
    if value is not None and not isinstance(value, dict):
        raise errors.validation(
            f'Expected a dictionary of items but got type "{type(value).__name__}".',
            "hogql_modifiers",
            "not_a_dict",
        )
    return value


def refuse_on_other_model(data: dict[str, Any], model: str) -> None:
    """The hogql-only fields, sent (non-null) for an export of another model."""
    for name in SOURCE_FIELDS:
        if data.get(name) is not None:
            raise errors.validation(
                f"'{name}' is only supported for '{HOGQL}' not '{model}' model", name
            )


def validate(
    data: dict[str, Any],
    instance: sqlite3.Row | None,
    stored: dict[str, Any] | None,
    events: Any = None,
) -> dict[str, Any]:
    """Check a hogql export's fields; the columns and source fields to write.

    ``instance``/``stored``: the export and its source when updating (None on create);
    ``events``: the sandbox's EventsDB the query is compiled against.
    """
    if data.get("filters"):
        raise errors.validation("'filters' are not supported when 'model' is 'hogql'", "filters")
    query = v.string(data, "hogql_query", required=False, allow_null=True)
    if query is None and "hogql_query" not in data and instance is not None:
        query = instance["hogql_query"]
    if not query:
        raise errors.validation("'hogql_query' is required when 'model' is 'hogql'", "hogql_query")
    before = stored or dict.fromkeys(SOURCE_FIELDS)
    source = {
        "hogql_modifiers": _modifiers(data)
        if "hogql_modifiers" in data
        else before["hogql_modifiers"],
        "primary_key": _keys(data, "primary_key")
        if "primary_key" in data
        else before["primary_key"],
        "version_key": _keys(data, "version_key")
        if "version_key" in data
        else before["version_key"],
        "incremental_mode": before["incremental_mode"] or "APPEND",
    }
    if "incremental_mode" in data:
        source["incremental_mode"] = v.choice(
            data, "incremental_mode", INCREMENTAL_MODES, required=False, allow_null=True
        ) or ("APPEND" if instance is None else before["incremental_mode"] or "APPEND")
    columns = check_query(query, events)
    for name in ("primary_key", "version_key"):
        missing = [key for key in source[name] or () if key not in columns]
        if missing:
            raise errors.validation(
                f"'{name}' contains columns that are not present in the query: "
                + ",".join(missing),
                name,
            )
    if source["incremental_mode"] == "MERGE" and not source["primary_key"]:
        raise errors.validation(
            "'primary_key' is required when 'incremental_mode' is 'MERGE'", "primary_key"
        )
    return {"hogql_query": query, "schema": None, "source": source}
