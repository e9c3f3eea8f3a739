"""The HogQL compiler's shared pieces: a compiled expression with its type tag (``E``), the
query's settings (clock, team, parameters), FROM items and scopes, and the small builders
every part uses (null-safe conditions, JSON property reads).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlglot import exp

from .hogql_errors import HogQLError
from .hogql_schema import PROPERTY_TYPES, Table

Node = dict[str, Any]


@dataclass
class E:
    """A compiled expression and its type tag."""

    sql: exp.Expr
    t: str = "any"
    nullable: bool = False  # ClickHouse types it Nullable(…) whatever the rows hold


@dataclass
class Settings:
    """What a query may depend on besides its text: the clock, the team, its parameters."""

    now: datetime
    timezone: str = "UTC"
    week_start: int = 0  # 0: weeks start on Sunday (PostHog's default), 1: on Monday
    values: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass
class Source:
    """One FROM item: the DuckDB alias it has and what it can be referred to by."""

    alias: str
    names: set[str]
    columns: dict[str, E]  # HogQL name -> expression over the alias, in order
    table: Table | None = None


@dataclass
class Scope:
    """One SELECT's names: its FROM items, its aliases, the CTEs it can see, lambda args."""

    sources: list[Source] = field(default_factory=list)
    aliases: dict[str, Node] = field(default_factory=dict)
    compiled: dict[str, E] = field(default_factory=dict)
    busy: set[str] = field(default_factory=set)
    ctes: dict[str, list[tuple[str, E]]] = field(default_factory=dict)
    lambdas: list[set[str]] = field(default_factory=list)
    windows: dict[str, Node] = field(default_factory=dict)


def anon(name: str, *args: exp.Expr) -> exp.Expr:
    """A DuckDB function call by its exact name (sqlglot does not reinterpret it)."""
    return exp.Anonymous(this=name, expressions=list(args))


def boolean(e: E) -> exp.Expr:
    """``e`` as a condition (ClickHouse accepts numbers where a condition goes)."""
    if e.t == "bool":
        return e.sql
    return exp.cast(e.sql, "BOOLEAN")


def number(e: E) -> exp.Expr:
    """``e`` as a number (a comparison is a UInt8 0/1 in ClickHouse)."""
    return exp.cast(e.sql, "INTEGER") if e.t == "bool" else e.sql


def never_null(cond: exp.Expr) -> exp.Expr:
    return exp.func("COALESCE", cond, exp.false())


def constant(value: Any, node: Node) -> E:
    if value is None:
        return E(exp.Null(), "null")
    if isinstance(value, bool):
        return E(exp.Boolean(this=value), "bool")
    if node.get("value_type") == "number":  # Infinity / NaN
        text = {"Infinity": "inf", "-Infinity": "-inf"}.get(str(value), "nan")
        return E(exp.cast(exp.Literal.string(text), "DOUBLE"), "float")
    if isinstance(value, int):
        return E(exp.Literal.number(value), "int")
    if isinstance(value, float):
        return E(exp.Literal.number(repr(value)), "float")
    if isinstance(value, str):
        return E(exp.Literal.string(value), "str")
    if isinstance(value, list):
        return E(exp.Array(expressions=[constant(v, {}).sql for v in value]), "array")
    raise HogQLError(f"Unsupported constant: {value!r}")


def json_path(keys: list[Any]) -> str:
    """A DuckDB JSON path: keys in double quotes, HogQL's 1-based indexes as 0-based."""
    path = "$"
    for key in keys:
        if isinstance(key, int):
            path += f"[{key - 1}]"
        else:
            path += "." + json.dumps(str(key))
    return path


def property_read(column: exp.Expr, keys: list[Any], tag: str = "str") -> E:
    """``properties.a.b`` as PostHog reads it: the JSON value as text, NULL when missing or
    JSON null; a typed property (``PROPERTY_TYPES``) cast (bad values NULL)."""
    for key in keys:
        if isinstance(key, int) and key == 0:
            raise HogQLError("SQL indexes start from one, not from zero. E.g: array.1")
    text = anon("json_extract_string", column, exp.Literal.string(json_path(keys)))
    kind = PROPERTY_TYPES.get(str(keys[0])) if len(keys) == 1 and tag == "str" else None
    if kind == "float":
        return E(exp.TryCast(this=text, to=exp.DataType.build("DOUBLE")), "float", True)
    return E(text, "str", True)


def chain_key(part: Any) -> Any:
    """A chain element as a JSON key: ``.1`` in ``properties.arr.1`` is an index."""
    if isinstance(part, int):
        return part
    if isinstance(part, str) and part.isdigit():
        return int(part)
    return part


def _columns(table: Table, alias: str) -> dict[str, E]:
    return {
        name: E(exp.column(col.duck, table=alias, quoted=True), col.tag)
        for name, col in table.columns.items()
    }


def table_source(table: Table, alias: str, names: set[str]) -> Source:
    """A FROM item over a catalog table, referred to by ``alias`` or any of ``names``."""
    return Source(alias, names, _columns(table, alias), table)
