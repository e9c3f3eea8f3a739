"""The previous HogQL engine (sqlglot's ClickHouse reader), kept only so bench/hogql_engine.py can
measure the new engine against it in the same run (a baseline, like bench/baseline_events.py:
it lives here, not in src, so the package ships one engine). Nothing else imports it.


sqlglot parses the text as ClickHouse; the tree is checked against what the sandbox can
answer, rewritten for DuckDB (property access, ClickHouse date functions, the sandbox's
clock for ``now()``), run, and the answer shaped as PostHog's ``HogQLQueryResponse``.

Rules:
1. Only SELECT (and UNION of SELECTs) over ``events`` runs; anything else is a
   ``HogQLError`` with PostHog's code (``hogql_syntax_error`` / ``hogql_query_error``) and a
   message that says what the sandbox supports.
2. A top-level SELECT without LIMIT returns 100 rows with ``hasMore`` (PostHog's
   ``HogQLHasMorePaginator``); an explicit LIMIT is capped at 50,000.
3. ``properties.<name>`` reads one of ``events.PROPERTIES``; an unknown property is NULL,
   as in PostHog.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError

from envnb.sandbox._util import first_line
from envnb.sandbox.query.events import COLUMNS, PROPERTIES, EventsDB

DEFAULT_LIMIT = 100
MAX_LIMIT = 50_000
MAX_SECONDS = 10.0
SUPPORTED = (
    "The sandbox runs SELECT queries over `events` (uuid, event, distinct_id, person_id, "
    "timestamp, properties.<name>) with WHERE, GROUP BY, ORDER BY, LIMIT and functions such "
    "as count(), uniq(), toStartOfDay/Week/Month(), now(), INTERVAL."
)


class HogQLError(Exception):
    """A query PostHog would refuse with a 400; ``code`` is PostHog's ``code_name``."""

    def __init__(self, message: str, code: str = "hogql_query_error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Compiled:
    """A checked query: DuckDB SQL, the HogQL as PostHog echoes it, and paging facts."""

    sql: str
    hogql: str
    names: dict[str, str]  # DuckDB output alias -> HogQL column name
    types: dict[str, str]  # DuckDB output alias -> known HogQL type (property reads)
    paginated: bool
    counts: frozenset[str]  # aliases of count()/uniq() columns (ClickHouse UInt64)


_TOKENS = re.compile(
    r"""(?P<skip>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|--[^\n]*|/\*.*?\*/)"""
    r"""|(?P<dollar>\$[A-Za-z_][A-Za-z0-9_$]*)""",
    re.S,
)


def _quote_dollars(text: str) -> str:
    """HogQL allows ``properties.$browser``; ClickHouse syntax needs ``properties.`$browser```."""
    return _TOKENS.sub(lambda m: m["skip"] or f"`{m['dollar']}`", text)


def _parse(text: str) -> exp.Query:
    if not text.strip():
        raise HogQLError("Empty query", "hogql_syntax_error")
    try:
        statements = [s for s in sqlglot.parse(_quote_dollars(text), read="clickhouse") if s]
    except (ParseError, TokenError) as err:
        errors = getattr(err, "errors", None) or []
        if errors:
            first = errors[0]
            where = f"line {first.get('line')}, column {first.get('col')}"
            raise HogQLError(
                f"Syntax error at {where}: {first.get('description')}", "hogql_syntax_error"
            ) from None
        summary = first_line(str(err))
        raise HogQLError(f"Syntax error: {summary}", "hogql_syntax_error") from None
    if len(statements) != 1:
        raise HogQLError("Only one query can be run at a time.", "hogql_syntax_error")
    tree = statements[0]
    if not isinstance(tree, exp.Select | exp.Union):
        kind = tree.key.upper()
        raise HogQLError(
            f"Only SELECT queries can be run; got {kind}. {SUPPORTED}", "hogql_syntax_error"
        )
    return tree


def _check_tables(tree: Any) -> None:
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        name = ".".join(part.name for part in table.parts)
        if name not in ctes and name != "events":
            raise HogQLError(f"Unknown table `{name}`. {SUPPORTED}")


def _property(name: str, qualifier: str | None) -> exp.Expression:
    known = PROPERTIES.get(name)
    if known is None:
        return exp.cast(exp.null(), "VARCHAR")
    return exp.column(known[0], table=qualifier)


def _rewrite_columns(tree: Any) -> None:
    aliases = {a.alias for a in tree.find_all(exp.Alias)} | {
        t.alias for t in tree.find_all(exp.TableAlias) if t.name
    }
    aliases |= {c.alias_or_name for c in tree.find_all(exp.CTE)}
    for column in list(tree.find_all(exp.Column)):
        parts = [p.name for p in column.parts]
        if "properties" in parts[:-1]:
            at = parts.index("properties")
            qualifier = parts[at - 1] if at > 0 else None
            rest = parts[at + 1 :]
            new = _property(rest[0], qualifier) if len(rest) == 1 else exp.null()
            column.replace(new)
            continue
        name = parts[-1]
        if name in COLUMNS or name in aliases:
            continue
        raise HogQLError(f"Unable to resolve field: {name}")


def _week_start(arg: Any, mode: Any) -> Any:
    monday = mode is not None and mode.name in {"1", "3"}
    if monday:
        truncated: Any = exp.func("DATE_TRUNC", exp.Literal.string("week"), arg)
    else:  # ClickHouse mode 0 (the default): weeks start on Sunday
        shifted = exp.Add(
            this=arg, expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY"))
        )
        truncated = exp.Sub(
            this=exp.func("DATE_TRUNC", exp.Literal.string("week"), shifted),
            expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY")),
        )
    return exp.cast(truncated, "DATE")


def _trunc(unit: str, as_date: bool) -> Any:
    def build(args: list[Any], now: dt.datetime) -> Any:
        truncated = exp.func("DATE_TRUNC", exp.Literal.string(unit), args[0])
        return exp.cast(truncated, "DATE") if as_date else truncated

    return build


def _ts(value: dt.datetime) -> exp.Expression:
    return exp.cast(exp.Literal.string(value.isoformat()), "TIMESTAMPTZ")


def _cast(to: str) -> Any:
    return lambda args, now: exp.cast(args[0], to)


def _call(name: str) -> Any:
    return lambda args, now: exp.func(name, *args)


_FUNCTIONS: dict[str, Any] = {
    "now": lambda args, now: _ts(now),
    "today": lambda args, now: exp.cast(exp.Literal.string(now.date().isoformat()), "DATE"),
    "yesterday": lambda args, now: exp.cast(
        exp.Literal.string((now.date() - dt.timedelta(days=1)).isoformat()), "DATE"
    ),
    "tostartofminute": _trunc("minute", False),
    "tostartofhour": _trunc("hour", False),
    "tostartofday": _trunc("day", False),
    "tostartofweek": lambda args, now: _week_start(args[0], args[1] if len(args) > 1 else None),
    "tomonday": lambda args, now: _week_start(args[0], exp.Literal.number(1)),
    "tostartofmonth": _trunc("month", True),
    "tostartofquarter": _trunc("quarter", True),
    "tostartofyear": _trunc("year", True),
    "todate": _cast("DATE"),
    "todatetime": _cast("TIMESTAMPTZ"),
    "tostring": _cast("VARCHAR"),
    "toint": _cast("BIGINT"),
    "toint64": _cast("BIGINT"),
    "tofloat": _cast("DOUBLE"),
    "tofloat64": _cast("DOUBLE"),
    "uniqexact": lambda args, now: exp.Count(this=exp.Distinct(expressions=args)),
    "toyear": _call("YEAR"),
    "tomonth": _call("MONTH"),
    "tohour": _call("HOUR"),
    "todayofweek": _call("ISODOW"),
}


def _rewrite_functions(tree: Any, now: dt.datetime) -> set[int]:
    """Rewrite ClickHouse calls for DuckDB; return ids of the nodes that count rows."""
    counting: set[int] = set()
    for node in list(tree.find_all(exp.Anonymous, exp.AnonymousAggFunc, exp.ApproxDistinct)):
        if isinstance(node, exp.ApproxDistinct):  # uniq(): PostHog's is approximate; ours exact
            new: exp.Expression = exp.Count(this=exp.Distinct(expressions=[node.this]))
        else:
            build = _FUNCTIONS.get(node.name.lower())
            if build is None:
                raise HogQLError(f"Unsupported function call `{node.name}(...)`. {SUPPORTED}")
            new = build(list(node.expressions), now)
        node.replace(new)
    for node in tree.find_all(exp.Count, exp.CountIf):
        counting.add(id(node))
    return counting


def _hogql_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Alias):
        return node.alias
    if isinstance(node, exp.Column):
        return ".".join(p.name for p in node.parts)
    return node.sql("clickhouse").replace("`", "")


def compile_hogql(text: str, now: dt.datetime) -> Compiled:
    """Check and translate ``text``; raises HogQLError with PostHog's code and a message."""
    tree = _parse(text)
    _check_tables(tree)
    paginated = isinstance(tree, exp.Select) and tree.args.get("limit") is None
    limit = tree.args.get("limit")
    limit_added = limit is None
    if limit is None:
        tree.set("limit", exp.Limit(expression=exp.Literal.number(DEFAULT_LIMIT)))
    else:
        _cap_limit(limit)
    # PostHog echoes the query it ran, LIMIT included.
    hogql = text.strip().rstrip(";").rstrip()
    if limit_added:
        hogql += f"\nLIMIT {DEFAULT_LIMIT}"
    if paginated:  # one row more than shown tells whether there are more
        tree.args["limit"].set("expression", exp.Literal.number(DEFAULT_LIMIT + 1))
    first = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    assert first is not None
    names: dict[str, str] = {}
    types: dict[str, str] = {}
    counts: set[str] = set()
    for i, node in enumerate(list(first.expressions)):
        if isinstance(node, exp.Star):
            continue
        inner = node.this if isinstance(node, exp.Alias) else node
        alias = node.alias if isinstance(node, exp.Alias) else f"__hogql_col_{i}"
        names[alias] = _hogql_name(node)
        if isinstance(inner, exp.Column):
            parts = [p.name for p in inner.parts]
            if "properties" in parts[:-1]:
                known = PROPERTIES.get(parts[-1])
                if known:
                    types[alias] = known[1]
            elif parts[-1] in COLUMNS:
                types[alias] = COLUMNS[parts[-1]]
        if isinstance(inner, exp.Count | exp.CountIf | exp.ApproxDistinct) or (
            isinstance(inner, exp.Anonymous | exp.AnonymousAggFunc)
            and inner.name.lower() == "uniqexact"
        ):
            counts.add(alias)
        if not isinstance(node, exp.Alias):
            node.replace(exp.alias_(node.copy(), alias))
    _rewrite_columns(tree)
    _rewrite_functions(tree, now)
    _hide_property_columns(tree)
    return Compiled(tree.sql("duckdb"), hogql, names, types, paginated, frozenset(counts))


def _cap_limit(limit: exp.Limit) -> None:
    value = limit.expression
    if isinstance(value, exp.Literal) and not value.is_string and int(value.name) > MAX_LIMIT:
        limit.set("expression", exp.Literal.number(MAX_LIMIT))


def _hide_property_columns(tree: Any) -> None:
    """``SELECT *`` over events shows PostHog's columns, not the sandbox's flat property ones."""
    hidden = [exp.column(col) for col, _ in PROPERTIES.values()]
    for select in tree.find_all(exp.Select):
        source = select.args.get("from") or select.args.get("from_")
        if source is None or not isinstance(source.this, exp.Table) or select.args.get("joins"):
            continue
        if source.this.name != "events":
            continue
        for star in select.find_all(exp.Star):
            if star.parent_select is select:
                star.set("except_", [c.copy() for c in hidden])


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
    "BOOLEAN": "Bool",
    "DATE": "Date",
    "TIMESTAMP WITH TIME ZONE": "DateTime64(6, 'UTC')",
    "TIMESTAMP": "DateTime64(6, 'UTC')",
    "UUID": "UUID",
}


def _json_value(value: Any) -> Any:
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
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def run_hogql(db: EventsDB, text: str) -> dict[str, Any]:
    """Run HogQL and answer PostHog's ``HogQLQueryResponse`` fields (columns, types as
    ``[name, ClickHouseType]`` pairs, results, hasMore/limit/offset when paginated, hogql)."""
    try:
        compiled = compile_hogql(text, db.now())
    except SqlglotError as err:
        summary = first_line(str(err))
        raise HogQLError(f"Syntax error: {summary}", "hogql_syntax_error") from None
    with db.lock:
        con = db.connection()
        # PostHog stops a query after 10 s of execution; so does the sandbox.
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
            first = first_line(str(err))
            raise HogQLError(
                f"The sandbox could not run this query: {first}. {SUPPORTED}"
            ) from None
        finally:
            timer.cancel()
    columns: list[str] = []
    types: list[list[str]] = []
    for index, column in enumerate(description):
        alias = str(column[0])
        columns.append(compiled.names.get(alias, alias))
        known = compiled.types.get(alias) or (
            COLUMNS.get(alias) if alias not in compiled.names else None
        )
        if known:
            types.append([columns[-1], known])
            continue
        if alias in compiled.counts:
            base = "UInt64"
        else:
            base = _DUCK_TYPES.get(str(column[1]), str(column[1]))
        if any(row[index] is None for row in rows):
            base = f"Nullable({base})"
        types.append([columns[-1], base])
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
