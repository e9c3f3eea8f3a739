"""File-download exports' request rules (Rule 3 of ``backend``): PostHog's checks of a
create or count_rows body, with its words, and the DuckDB SQL of an export's HogQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlglot
from sqlglot import exp

from envnb.sandbox.query.hogql import HogQLError, compile_hogql

from .. import errors
from ..validate import parse_moment
from .writer import FORMATS, FileSpec

MAX_RANGE = timedelta(days=7)
MODELS = ("events", "persons", "sessions", "hogql")
COMPRESSIONS = ("zstd", "gzip", "brotli", "lz4", "snappy")
RUNNING = ("Starting", "Running")
FAILED = ("Failed", "FailedRetryable", "FailedBilling", "Terminated", "TimedOut")
PLACEHOLDERS = ("data_interval_start", "data_interval_end")


@dataclass
class Request:
    """A create or count_rows body, validated."""

    model: str
    spec: FileSpec
    start: datetime | None
    end: datetime | None
    hogql: str | None
    include: list[str] | None
    exclude: list[str] | None


# ---- validation (Rule 3) ----------------------------------------------------------------


def _file_spec(data: dict[str, Any]) -> FileSpec:
    file = data.get("file")
    if file is None:
        raise errors.required("file")
    if not isinstance(file, dict):
        raise errors.validation(
            f"Invalid data. Expected a dictionary, but got {type(file).__name__}.", "file"
        )
    fmt = file.get("format", "Parquet")
    if not isinstance(fmt, str) or fmt not in FORMATS:  # a list is unhashable: check the type
        raise errors.invalid_choice(fmt, "file__format")
    compression = file.get("compression")
    if compression is not None and (
        not isinstance(compression, str) or compression not in COMPRESSIONS
    ):
        raise errors.invalid_choice(compression, "file__compression")
    size = file.get("max_size_mb", 1024)
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, int | str):
            raise errors.validation("A valid integer is required.", "file__max_size_mb")
        try:
            size = int(size)
        except ValueError:
            raise errors.validation("A valid integer is required.", "file__max_size_mb") from None
        if size < 0:
            raise errors.validation(
                "Ensure this value is greater than or equal to 0.", "file__max_size_mb", "min_value"
            )
    return FileSpec(format=fmt, compression=compression, max_size_mb=size)


def placeholders(hogql: str) -> list[str]:
    """The interval placeholders a query references, sorted."""
    return sorted(name for name in PLACEHOLDERS if "{" + name + "}" in hogql)


def _interval(
    start: datetime | None, end: datetime | None, hogql: str | None, now: datetime
) -> None:
    if hogql is not None:
        for name in placeholders(hogql):
            if {"data_interval_start": start, "data_interval_end": end}[name] is None:
                raise errors.validation(
                    f"'{name}' is required because the query references '{{{name}}}'.", name
                )
    elif start is None or end is None:
        raise errors.validation(
            "'data_interval_start' and 'data_interval_end' are required. Provide both bounds."
        )
    if start is not None and end is not None:
        if start > end:
            raise errors.validation("'data_interval_end' must occur after 'data_interval_start'")
        if end - start > MAX_RANGE:
            raise errors.validation(
                "data interval range too big. Choose an interval of at most seven days."
            )
    for name, value in (("data_interval_start", start), ("data_interval_end", end)):
        if value is not None and value > now:
            raise errors.validation(f"The provided '{name}' ({value.isoformat()}) is in the future")


def parse_create(data: dict[str, Any], now: datetime, *, counting: bool = False) -> Request:
    """A create (or, with ``counting``, a count_rows) body checked as PostHog checks it."""
    model = data.get("model")
    if model is None:
        raise errors.required("model")
    allowed = ("hogql",) if counting else MODELS
    if model not in allowed:
        raise errors.invalid_choice(model, "model")
    spec = FileSpec() if counting else _file_spec(data)
    start, end = parse_moment(data, "data_interval_start"), parse_moment(data, "data_interval_end")
    hogql = data.get("hogql_query")
    include, exclude = data.get("include"), data.get("exclude")
    if model == "hogql":
        if not hogql:
            if counting:
                raise errors.required("hogql_query")
            raise errors.validation("'hogql_query' is required when 'model' is 'hogql'")
        if not isinstance(hogql, str):
            raise errors.validation("Not a valid string.", "hogql_query")
        if include is not None or exclude is not None:
            raise errors.validation(
                "'include' and 'exclude' are not supported when 'model' is 'hogql'"
            )
    else:
        if hogql is not None:
            raise errors.validation("'hogql_query' is only supported when 'model' is 'hogql'")
        if data.get("hogql_modifiers") is not None:
            raise errors.validation("'hogql_modifiers' are only supported when 'model' is 'hogql'")
        for name, value in (("include", include), ("exclude", exclude)):
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                raise errors.validation(
                    f'Expected a list of items but got type "{type(value).__name__}".', name
                )
    _interval(start, end, hogql, now)
    if hogql is not None:
        try:  # a query the engine cannot read is refused now, as PostHog's validation does
            hogql_sql(hogql, start, end, now)
        except HogQLError as exc:
            raise errors.validation(exc.message, "hogql_query") from None
    if model != "events":
        include = exclude = None
    return Request(model, spec, start, end, hogql, include, exclude)


# ---- HogQL ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(data_interval_start|data_interval_end)\}")


def hogql_sql(hogql: str, start: datetime | None, end: datetime | None, now: datetime) -> str:
    """DuckDB SQL of an export's HogQL: bounds put in, and no LIMIT added (an export is
    every row, unlike the query API's 100-row default)."""
    bounds = {"data_interval_start": start, "data_interval_end": end}

    def literal(found: re.Match[str]) -> str:
        value = bounds[found.group(1)]
        assert value is not None  # parse_create refused a missing bound
        return f"toDateTime('{value.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}')"

    compiled = compile_hogql(_PLACEHOLDER.sub(literal, hogql), now)
    sql = compiled.sql
    if compiled.paginated:  # no LIMIT of its own: drop the one the query API adds
        tree = sqlglot.parse_one(sql, read="duckdb")
        assert isinstance(tree, exp.Select)
        tree.set("limit", None)
        sql = tree.sql("duckdb")
    if not compiled.names:
        return sql
    # The engine names columns by position; the files carry the names the query gave them.
    renames = ", ".join(
        f"{_quote(alias)} AS {_quote(name)}" for alias, name in compiled.names.items()
    )
    return f"SELECT * RENAME ({renames}) FROM ({sql})"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
