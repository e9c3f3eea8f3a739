"""HogQL as PostHog runs it, over the sandbox's DuckDB tables.

PostHog's own parser reads the text (``hogql_parse``), the tree is compiled to sqlglot
expressions with HogQL's semantics (``hogql_compile``), sqlglot writes DuckDB SQL, DuckDB
runs it, and the answer is shaped as PostHog's ``HogQLQueryResponse``.

Rules:
1. Each top-level SELECT (each member of a top-level UNION) without LIMIT gets LIMIT 100;
   an explicit LIMIT is capped at 50,000. A lone SELECT without LIMIT says ``hasMore``.
2. Every refusal is a ``HogQLError`` in PostHog's words; DuckDB's own error text never
   reaches a response (``_refusal`` turns it into a message about the query).
3. A query running longer than ``MAX_SECONDS`` is interrupted, like PostHog's limit.
4. Booleans are ClickHouse's UInt8 0/1 in results.
"""

from __future__ import annotations

import datetime as dt
import decimal
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import duckdb

from . import hogql_print
from .events import EventsDB
from .hogql_compile import Output, SelectCompiler, big_number
from .hogql_errors import HogQLError, located
from .hogql_filters import replace_filters
from .hogql_parse import parse_select
from .hogql_schema import catalog
from .hogql_types import Settings

__all__ = ["HogQLError", "compile_hogql", "run_hogql"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 50_000
MAX_SECONDS = 10.0

_TYPES = {
    "uint": "UInt64",
    "int": "Int64",
    "float": "Float64",
    "str": "String",
    "bool": "UInt8",
    "date": "Date",
    "uuid": "UUID",
    "json": "String",
}
_DUCK_TYPES = {
    "VARCHAR": "String",
    "BIGINT": "Int64",
    "INTEGER": "Int32",
    "SMALLINT": "Int16",
    "TINYINT": "Int8",
    "UBIGINT": "UInt64",
    "HUGEINT": "Int128",
    "DOUBLE": "Float64",
    "FLOAT": "Float32",
    "BOOLEAN": "UInt8",
    "DATE": "Date",
    "UUID": "UUID",
    "DECIMAL": "Float64",
}


@dataclass(frozen=True)
class Compiled:
    """A checked query: DuckDB SQL, the HogQL PostHog echoes, its columns, paging."""

    sql: str
    hogql: str
    outputs: tuple[Output, ...]
    paginated: bool

    @property
    def names(self) -> dict[str, str]:
        """DuckDB output column -> the name PostHog shows, where they differ."""
        return {o.name: o.hogql for o in self.outputs if o.name != o.hogql}


def _limited(node: dict[str, Any], paginated: bool) -> dict[str, Any]:
    """A top-level SELECT with PostHog's LIMIT rules (one row more when paginating)."""
    node = dict(node)
    limit = node.get("limit")
    if limit is None:
        default = DEFAULT_LIMIT + 1 if paginated else DEFAULT_LIMIT
        node["limit"] = {"node": "Constant", "value": default}
    elif (given := big_number(limit)) is not None:
        # PostHog's printer: a constant top-level LIMIT becomes min(limit, 50,000), however
        # large (PH:posthog/hogql/printer.py, MAX_SELECT_RETURNED_ROWS).
        node["limit"] = {"node": "Constant", "value": min(given, MAX_LIMIT)}
    return node


def _echo(node: dict[str, Any]) -> str:
    """The HogQL PostHog echoes: the query with the LIMITs it ran with."""
    if node.get("node") == "SelectSetQuery":
        copy = dict(node)
        copy["initial_select_query"] = _limited(node["initial_select_query"], False)
        copy["subsequent_select_queries"] = [
            {**item, "select_query": _limited(item["select_query"], False)}
            for item in node.get("subsequent_select_queries") or []
        ]
        return hogql_print.select(copy)
    return hogql_print.select(_limited(node, False))


def compile_hogql(
    text: str,
    now: dt.datetime,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    values: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
    timezone: str = "UTC",
    week_start: int = 0,
) -> Compiled:
    """Parse and compile ``text``; raises HogQLError with PostHog's code and message."""
    tree = replace_filters(parse_select(text), filters, now)
    paginated = tree.get("node") == "SelectQuery" and tree.get("limit") is None
    settings = Settings(now, timezone, week_start, dict(values or {}), dict(variables or {}))
    compiler = SelectCompiler(settings, catalog(con))
    with located(tree):
        query, outputs = compiler.query(tree, {}, lambda n: _limited(n, paginated))
    return Compiled(query.sql("duckdb"), _echo(tree), tuple(outputs), paginated)


def _json_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        text = value.astimezone(dt.UTC).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return [_json_value(v) for v in value.values()]
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)  # anything else DuckDB answers: as text, never a 500


def _type(output: Output, duck_type: str, values: list[Any]) -> str:
    tag = output.e.t
    if tag == "datetime":
        base = "DateTime64(6, 'UTC')"
    elif tag in _TYPES:
        base = _TYPES[tag]
    else:
        base = _DUCK_TYPES.get(duck_type.split("(")[0], duck_type)
        if "TIME ZONE" in duck_type or duck_type.startswith("TIMESTAMP"):
            base = "DateTime64(6, 'UTC')"
        elif duck_type.endswith("[]"):
            base = "Array"
    if output.e.nullable or any(v is None for v in values):
        return f"Nullable({base})"
    return base


def _refusal(err: duckdb.Error) -> HogQLError:
    """A DuckDB error as a message about the query (DuckDB's text is never shown)."""
    text = str(err)
    if isinstance(err, duckdb.BinderException) and "GROUP BY" in text:
        return HogQLError(
            "Every selected column that is not an aggregate must be in GROUP BY",
            "hogql_query_error",
        )
    if isinstance(err, duckdb.InvalidInputException) and "Division by zero" in text:
        # ClickHouse's ILLEGAL_DIVISION: integer division and modulo by 0 fail (``/`` is
        # a Float64 division and gives inf or nan instead).
        return HogQLError(
            "Division by zero: intDiv and % of integers cannot divide by 0 "
            "(divide, or /, answers inf or nan)",
            "hogql_query_error",
        )
    if isinstance(err, duckdb.ConversionException | duckdb.InvalidInputException):
        return HogQLError(
            "A value in this query cannot be converted to the type it is used as "
            "(check the types of the compared values and function arguments)",
            "hogql_query_error",
        )
    if isinstance(err, duckdb.OutOfRangeException):
        return HogQLError("A value in this query is out of range for its type")
    if isinstance(err, duckdb.BinderException):
        return HogQLError(
            "Illegal types of arguments in this query: a function or operator was given "
            "values of a type it does not take"
        )
    return HogQLError("The query could not be run: check its functions and their arguments")


def run_hogql(
    db: EventsDB,
    text: str,
    *,
    values: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run HogQL and answer PostHog's ``HogQLQueryResponse`` fields (columns, types as
    ``[name, ClickHouseType]`` pairs, results, hasMore/limit/offset when paginated, hogql)."""
    with db.lock:
        con = db.connection()
        zone = getattr(db, "timezone", "UTC") or "UTC"  # the team's timezone
        compiled = compile_hogql(
            text,
            db.now(),
            con,
            values=values,
            variables=variables,
            filters=filters,
            timezone=zone,
        )
        # PostHog stops a query after its execution-time limit; so does the sandbox.
        timer = threading.Timer(MAX_SECONDS, con.interrupt)
        timer.start()
        try:
            cursor = con.execute(compiled.sql)
            rows = cursor.fetchall()
            description = cursor.description or []
        except duckdb.InterruptException:
            raise HogQLError(
                f"Query exceeded the maximum execution time ({MAX_SECONDS:g} s)",
                "hogql_query_error",
            ) from None
        except duckdb.Error as err:
            raise _refusal(err) from None
        finally:
            timer.cancel()
    columns = [o.hogql for o in compiled.outputs]
    types = [
        [o.hogql, _type(o, str(d[1]), [row[i] for row in rows])]
        for i, (o, d) in enumerate(zip(compiled.outputs, description, strict=False))
    ]
    results = [[_json_value(v) for v in row] for row in rows]
    answer: dict[str, Any] = {"columns": columns, "types": types, "hogql": compiled.hogql}
    if compiled.paginated:
        answer.update(
            results=results[:DEFAULT_LIMIT],
            hasMore=len(results) > DEFAULT_LIMIT,
            limit=DEFAULT_LIMIT,
            offset=0,
        )
    else:
        answer["results"] = results
    return answer
