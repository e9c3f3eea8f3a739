"""PostHog's tables as HogQL sees them, over the sandbox's DuckDB tables.

Rules of this module:
1. A table's columns are the DuckDB table's own (read once per connection), in PostHog's
   order where PostHog fixes one (``events``: uuid, event, properties, timestamp,
   distinct_id, elements_chain, created_at, $session_id, $window_id, person_id); columns
   the sandbox keeps for itself (``hidden``) are never visible.
2. Lazy joins (``person``, ``pdi``, ``poe``, ``session`` on events; ``person`` on
   person_distinct_ids and sessions) are a key on this table and a key on another table:
   the compiler reads them as a keyed lookup, so a missing row reads as NULL like PostHog's
   LEFT JOIN.
3. ``properties.x`` reads JSON as a string; a property PostHog's property definitions type
   as Numeric reads as a Float (``PROPERTY_TYPES``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb

from .events import PROPERTIES


@dataclass(frozen=True)
class LazyJoin:
    """``<name>.x`` on a row of this table reads ``x`` of the ``table`` row whose ``to``
    equals this row's ``key``."""

    table: str
    key: str
    to: str


@dataclass(frozen=True)
class TableSpec:
    """How one PostHog table maps onto a DuckDB table."""

    duck: str
    order: tuple[str, ...] = ()  # PostHog's column order (others follow in table order)
    hidden: frozenset[str] = frozenset()
    renames: dict[str, str] = field(default_factory=dict)  # HogQL name -> DuckDB column
    joins: dict[str, LazyJoin] = field(default_factory=dict)
    json: frozenset[str] = frozenset({"properties"})


EVENT_COLUMNS = (
    "uuid",
    "event",
    "properties",
    "timestamp",
    "distinct_id",
    "elements_chain",
    "created_at",
    "$session_id",
    "$window_id",
    "person_id",
)
_TO_PERSON = LazyJoin("persons", "person_id", "id")
TABLES: dict[str, TableSpec] = {
    "events": TableSpec(
        "events",
        order=EVENT_COLUMNS,
        # The sandbox's flat property columns (read by TrendsQuery) are not PostHog's.
        hidden=frozenset(col for col, _ in PROPERTIES.values()),
        joins={
            "person": _TO_PERSON,
            "poe": _TO_PERSON,
            "pdi": LazyJoin("person_distinct_ids", "distinct_id", "distinct_id"),
            "session": LazyJoin("sessions", "$session_id", "session_id"),
        },
    ),
    "persons": TableSpec("persons", order=("id", "created_at", "properties", "is_identified")),
    "person_distinct_ids": TableSpec(
        "person_distinct_ids", order=("distinct_id", "person_id"), joins={"person": _TO_PERSON}
    ),
    "sessions": TableSpec(
        "sessions", order=("session_id",), joins={"person": _TO_PERSON}, json=frozenset()
    ),
    "groups": TableSpec(
        "groups",
        order=("index", "key", "created_at", "properties"),
        renames={"index": "group_type_index", "key": "group_key"},
    ),
    # Written for the calling project before a query that names them (system_tables.py).
    "system.batch_exports": TableSpec("system_batch_exports", json=frozenset()),
    "system.batch_export_backfills": TableSpec("system_batch_export_backfills", json=frozenset()),
}
_EVENT_TAGS = {
    "uuid": "uuid",
    "event": "str",
    "properties": "json",
    "timestamp": "datetime",
    "distinct_id": "str",
    "elements_chain": "str",
    "created_at": "datetime",
    "$session_id": "str",
    "$window_id": "str",
    "person_id": "uuid",
}
# Event properties PostHog's seeded property definitions type (others read as String).
PROPERTY_TYPES: dict[str, str] = {"amount": "float", "$session_duration": "float"}
# DuckDB column types -> the engine's type tags.
_TAGS = {
    "VARCHAR": "str",
    "JSON": "str",
    "UUID": "uuid",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIMESTAMP": "datetime",
    "DATE": "date",
    "BIGINT": "int",
    "INTEGER": "int",
    "SMALLINT": "int",
    "TINYINT": "int",
    "HUGEINT": "uint",  # the population's counts (sessions.$pageview_count): UInt64
    "UBIGINT": "uint",
    "UINTEGER": "uint",
    "DOUBLE": "float",
    "FLOAT": "float",
    "BOOLEAN": "bool",
}


@dataclass(frozen=True)
class Column:
    name: str  # as HogQL names it
    duck: str  # the DuckDB column
    tag: str  # the engine's type tag ("str", "datetime", "json", …)


@dataclass(frozen=True)
class Table:
    """A table of the catalog: its visible columns in order, and its lazy joins."""

    name: str
    spec: TableSpec
    columns: dict[str, Column]


class Catalog:
    """The tables present in one DuckDB connection (read once, then cached); without a
    connection, PostHog's ``events`` as the sandbox builds it (to check a query early)."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None) -> None:
        self._con = con
        self._tables: dict[str, Table | None] = {}
        self._lock = threading.Lock()

    def table(self, name: str) -> Table | None:
        with self._lock:
            if name not in self._tables:
                self._tables[name] = self._read(name)
            return self._tables[name]

    def _read(self, name: str) -> Table | None:
        spec = TABLES.get(name)
        if spec is None:
            return None
        if self._con is None:
            if name != "events":
                return None
            return Table(name, spec, {c: Column(c, c, _EVENT_TAGS[c]) for c in EVENT_COLUMNS})
        rows = self._con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [spec.duck],
        ).fetchall()
        if not rows:
            return None
        physical = {str(col): str(kind) for col, kind in rows}
        back = {duck: hog for hog, duck in spec.renames.items()}
        names = [back.get(col, col) for col in physical if col not in spec.hidden]
        ordered = [n for n in spec.order if n in names] + [n for n in names if n not in spec.order]
        columns: dict[str, Column] = {}
        for hog in ordered:
            duck = spec.renames.get(hog, hog)
            tag = "json" if hog in spec.json else _TAGS.get(physical[duck], "any")
            columns[hog] = Column(hog, duck, tag)
        return Table(name, spec, columns)


_catalogs: dict[int, tuple[Any, Catalog]] = {}
_catalogs_lock = threading.Lock()


def catalog(con: duckdb.DuckDBPyConnection | None) -> Catalog:
    """The catalog of ``con`` (one per live connection)."""
    if con is None:
        return Catalog(None)
    with _catalogs_lock:
        found = _catalogs.get(id(con))
        if found is None or found[0] is not con:
            found = (con, Catalog(con))
            _catalogs[id(con)] = found
        return found[1]
