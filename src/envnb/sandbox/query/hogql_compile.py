"""HogQL SELECTs -> sqlglot SELECTs: FROM items, joins, CTEs, star expansion, clauses.

Rules of this module:
1. Every output column gets a name: its alias, else the field's last name (what an outer
   query refers to it by); ``Output.hogql`` is what PostHog shows for it (the printed
   expression, e.g. ``toStartOfMonth(timestamp)``).
2. ``SELECT *`` lists the FROM items' visible columns (for ``events``, PostHog's ten).
3. Table functions: ``numbers(n)`` / ``numbers(a, n)``; a table given arguments it does not
   take is refused with PostHog's words.
4. ``LIMIT n BY x`` keeps the first n rows of each x in the query's order (QUALIFY
   row_number()).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from . import hogql_functions as functions
from . import hogql_print
from .hogql_errors import HogQLError, located
from .hogql_exprs import ExprCompiler
from .hogql_types import E, Node, Scope, Source, anon, boolean, table_source

# ClickHouse counts rows in UInt64; DuckDB's LIMIT/OFFSET take a BIGINT. A count beyond it
# means "every row" (LIMIT) or "past the last row" (OFFSET) on any table the sandbox holds.
_MAX_ROW_COUNT = 2**63 - 1


def big_number(node: Node) -> int | None:
    """An integer constant, also one the parser hands over as text (beyond 64 bits)."""
    if node.get("node") != "Constant":
        return None
    value = node.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if node.get("value_type") == "number" and str(value).isdigit():
        return int(str(value))
    return None


def row_count(node: Node) -> Node:
    """A LIMIT/OFFSET constant beyond DuckDB's BIGINT, clamped (never a type error)."""
    value = big_number(node)
    if value is None or value <= _MAX_ROW_COUNT:
        return node
    return {"node": "Constant", "value": _MAX_ROW_COUNT}


_JOINS = {
    "JOIN": ("", "INNER"),
    "INNER JOIN": ("", "INNER"),
    "LEFT JOIN": ("LEFT", ""),
    "LEFT OUTER JOIN": ("LEFT", "OUTER"),
    "RIGHT JOIN": ("RIGHT", ""),
    "RIGHT OUTER JOIN": ("RIGHT", "OUTER"),
    "FULL JOIN": ("FULL", ""),
    "FULL OUTER JOIN": ("FULL", "OUTER"),
    "CROSS JOIN": ("", "CROSS"),
    ",": ("", "CROSS"),
}


@dataclass
class Output:
    """One result column: the name outer queries use, the name PostHog shows, its type."""

    name: str
    hogql: str
    e: E


def _ref_name(node: Node) -> str:
    if node.get("node") == "Alias":
        return str(node["alias"])
    if node.get("node") == "Field":
        return str(node["chain"][-1])
    return hogql_print.expr(node)


class SelectCompiler(ExprCompiler):
    """Compiles a SELECT / UNION tree (``compile``) and nested queries."""

    def call(self, node: Node, scope: Scope) -> E:
        return functions.compile_call(self, node, scope)

    def window_function(self, node: Node, scope: Scope) -> E:
        return functions.compile_window(self, node, scope)

    def subquery(self, node: Node, scope: Scope) -> tuple[exp.Expr, list[tuple[str, E]]]:
        query, outputs = self.query(node, dict(scope.ctes))
        return query, [(o.name, o.e) for o in outputs]

    # ---- queries ----------------------------------------------------------------------

    def query(
        self, node: Node, ctes: dict[str, list[tuple[str, E]]], limit: Any = None
    ) -> tuple[exp.Expr, list[Output]]:
        """A SELECT or set of SELECTs; ``limit(select_node) -> node`` may add a LIMIT."""
        if node.get("node") == "SelectSetQuery":
            first, outputs = self.query(node["initial_select_query"], ctes, limit)
            built: exp.Expr = first
            for item in node.get("subsequent_select_queries") or []:
                other, _ = self.query(item["select_query"], ctes, limit)
                op = str(item.get("set_operator", "UNION ALL")).upper()
                kind = {
                    "UNION ALL": (exp.Union, False),
                    "UNION DISTINCT": (exp.Union, True),
                    "INTERSECT": (exp.Intersect, True),
                    "EXCEPT": (exp.Except, True),
                    "INTERSECT DISTINCT": (exp.Intersect, True),
                    "EXCEPT DISTINCT": (exp.Except, True),
                }.get(op)
                if kind is None:
                    raise HogQLError(f"Unsupported set operator: {op}")
                built = kind[0](this=_wrap(built), expression=_wrap(other), distinct=kind[1])
            return built, outputs
        if node.get("node") != "SelectQuery":
            raise HogQLError(f"Unsupported query: {node.get('node')}")
        if limit is not None:
            node = limit(node)
        return self.select(node, ctes)

    def select(
        self, node: Node, ctes: dict[str, list[tuple[str, E]]]
    ) -> tuple[exp.Select, list[Output]]:
        scope = Scope(ctes=dict(ctes))
        withs: list[exp.CTE] = []
        for cte in _ctes(node):
            if cte.get("cte_type") == "column":
                scope.aliases[cte["name"]] = cte["expr"]
                continue
            query, columns = self.query(cte["expr"], scope.ctes)
            scope.ctes[cte["name"]] = [(o.name, o.e) for o in columns]
            withs.append(
                exp.CTE(
                    this=query,
                    alias=exp.TableAlias(this=exp.to_identifier(cte["name"], quoted=True)),
                )
            )
        select = exp.Select()
        if node.get("select_from"):
            self._from(select, node["select_from"], scope)
        if node.get("array_join_list"):
            self._array_join(select, node, scope)
        for name, window in (node.get("window_exprs") or {}).items():
            scope.windows[name] = window
        items = self._expand(node["select"], scope)
        for item in items:
            if item.get("node") == "Alias":
                scope.aliases.setdefault(item["alias"], item["expr"])
        outputs: list[Output] = []
        for item in items:
            name = _ref_name(item)
            if item.get("node") == "Alias":
                e = (
                    self._alias_ref(item["alias"], scope)
                    if not item.get("hidden")
                    else self.expr(item["expr"], scope)
                )
                shown = str(item["alias"])
            else:
                e = self.expr(item, scope)
                shown = item.get("_shown") or hogql_print.expr(item)
            outputs.append(Output(name, shown, e))
            select = select.select(
                exp.alias_(e.sql, exp.to_identifier(name, quoted=True)), copy=False
            )
        conditions = [node[k] for k in ("prewhere", "where") if node.get(k) is not None]
        for cond in conditions:
            select = select.where(boolean(self.expr(cond, scope)), copy=False)
        if node.get("group_by"):
            select = select.group_by(
                *[self.expr(g, scope).sql for g in node["group_by"]], copy=False
            )
        if node.get("having") is not None:
            select = select.having(boolean(self.expr(node["having"], scope)), copy=False)
        order = [self.ordered(o, scope) for o in node.get("order_by") or []]
        if order:
            select = select.order_by(*order, copy=False)
        if node.get("distinct"):
            select.set("distinct", exp.Distinct())
        if node.get("limit_by"):
            select.set("qualify", exp.Qualify(this=self._limit_by(node["limit_by"], order, scope)))
        if node.get("limit") is not None:
            select = select.limit(self.expr(row_count(node["limit"]), scope).sql, copy=False)
        if node.get("offset") is not None:
            select = select.offset(self.expr(row_count(node["offset"]), scope).sql, copy=False)
        if withs:
            select.set("with_", exp.With(expressions=withs))
        return select, outputs

    def ordered(self, node: Node, scope: Scope) -> exp.Ordered:
        desc = str(node.get("order", "ASC")).upper() == "DESC"
        value = self.expr(node["expr"], scope).sql
        return exp.Ordered(this=value, desc=desc, nulls_first=False)

    def _limit_by(self, node: Node, order: list[exp.Ordered], scope: Scope) -> exp.Expr:
        partition = [self.expr(e, scope).sql for e in node["exprs"]]
        spec = exp.Order(expressions=[o.copy() for o in order]) if order else None
        number = exp.Window(this=anon("row_number"), partition_by=partition, order=spec)
        limit = self.expr(node["n"], scope).sql
        if node.get("offset_value") is not None:
            offset = self.expr(node["offset_value"], scope).sql
            return exp.and_(
                exp.GT(this=number.copy(), expression=offset),
                exp.LTE(this=number, expression=exp.Add(this=offset.copy(), expression=limit)),
            )
        return exp.LTE(this=number, expression=limit)

    # ---- FROM -------------------------------------------------------------------------

    def _from(self, select: exp.Select, join: Node | None, scope: Scope) -> None:
        first = True
        while join is not None:
            with located(join):
                source, table_expr = self._source(join, scope)
            constraint = join.get("constraint")
            if first:
                select.set("from_", exp.From(this=table_expr))
                scope.sources.append(source)
            else:
                side, kind = _JOINS.get(
                    str(join.get("join_type") or "JOIN")
                    .upper()
                    .replace("ALL ", "")
                    .replace("ANY ", ""),
                    ("", ""),
                )
                args: dict[str, Any] = {"this": table_expr}
                if side:
                    args["side"] = side
                if kind:
                    args["kind"] = kind
                scope.sources.append(source)
                if constraint and constraint.get("constraint_type") == "USING":
                    exprs = constraint["expr"]
                    names = [exprs] if exprs.get("node") == "Field" else exprs.get("exprs", [])
                    args["using"] = [
                        exp.to_identifier(str(f["chain"][-1]), quoted=True) for f in names
                    ]
                elif constraint:
                    args["on"] = boolean(self.expr(constraint["expr"], scope))
                select.append("joins", exp.Join(**args))
            first = False
            join = join.get("next_join")

    def _array_join(self, select: exp.Select, node: Node, scope: Scope) -> None:
        """``[LEFT] ARRAY JOIN arr AS x``: one row per element (arrays given together are
        zipped), as a lateral unnest; LEFT keeps rows whose array is empty."""
        alias = self.fresh("arrayjoin")
        items, columns = [], {}
        for item in node["array_join_list"]:
            if item.get("node") != "Alias":
                raise HogQLError(
                    "ARRAY JOIN needs an alias for each array, e.g. ARRAY JOIN arr AS x"
                )
            name = str(item["alias"])
            value = self.expr(item["expr"], scope)
            items.append(
                exp.alias_(anon("unnest", value.sql), exp.to_identifier(name, quoted=True))
            )
            columns[name] = E(exp.column(name, table=alias, quoted=True), "any")
        lateral = exp.Subquery(
            this=exp.Select(expressions=items),
            alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
        )
        left = str(node.get("array_join_op", "")).upper().startswith("LEFT")
        join = (
            exp.Join(this=lateral, side="LEFT", on=exp.true())
            if left
            else exp.Join(this=lateral, kind="CROSS")
        )
        select.append("joins", join)
        scope.sources.append(Source(alias, {alias}, columns))

    def _source(self, join: Node, scope: Scope) -> tuple[Source, exp.Expr]:
        table = join.get("table") or {}
        alias = join.get("alias")
        kind = table.get("node")
        if kind in ("SelectQuery", "SelectSetQuery"):
            query, outputs = self.query(table, scope.ctes)
            name = alias or self.fresh("sub")
            return self._derived(name, {name}, outputs, exp.Subquery(this=query))
        if kind != "Field":
            raise HogQLError(f"Unsupported FROM item: {kind}")
        name = ".".join(str(p) for p in table["chain"])
        if join.get("table_args") is not None or name == "numbers":
            return self._table_function(name, join.get("table_args"), alias, scope)
        if name in scope.ctes:
            duck = alias or name
            columns = {
                n: E(exp.column(n, table=duck, quoted=True), e.t, e.nullable)
                for n, e in scope.ctes[name]
            }
            target = exp.Table(
                this=exp.to_identifier(name, quoted=True),
                alias=exp.TableAlias(this=exp.to_identifier(duck, quoted=True)),
            )
            return Source(duck, {duck, name}, columns), target
        found = self.catalog.table(name)
        if found is None:
            raise HogQLError(f"Unknown table `{name}`.")
        duck = alias or name
        target = exp.Table(
            this=exp.to_identifier(found.spec.duck, quoted=True),
            alias=exp.TableAlias(this=exp.to_identifier(duck, quoted=True)),
        )
        return table_source(found, duck, {duck, name}), target

    def _derived(
        self, name: str, names: set[str], outputs: list[Output], query: exp.Expr
    ) -> tuple[Source, exp.Expr]:
        columns = {
            o.name: E(exp.column(o.name, table=name, quoted=True), o.e.t, o.e.nullable)
            for o in outputs
        }
        query.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        return Source(name, names, columns), query

    def _table_function(
        self, name: str, args: list[Node] | None, alias: str | None, scope: Scope
    ) -> tuple[Source, exp.Expr]:
        if name != "numbers":
            if self.catalog.table(name) is not None:
                raise HogQLError(f"Table '{name}' does not accept arguments")
            raise HogQLError(f"Unknown table `{name}`.")
        if args is None:
            raise HogQLError("Table function 'numbers' requires arguments")
        if not args:
            raise HogQLError("Table function 'numbers' requires at least 1 argument")
        if len(args) > 2:
            raise HogQLError("Table function 'numbers' requires at most 2 arguments")
        values = [self.expr(a, scope).sql for a in args]
        start, count = (
            (values[0], values[1]) if len(values) == 2 else (exp.Literal.number(0), values[0])
        )
        end = exp.Add(this=exp.Paren(this=start.copy()), expression=exp.Paren(this=count))
        duck = alias or "numbers"
        rows = exp.Table(
            this=anon("range", exp.cast(start, "BIGINT"), exp.cast(end, "BIGINT")),
            alias=exp.TableAlias(
                this=exp.to_identifier(duck, quoted=True), columns=[exp.to_identifier("number")]
            ),
        )
        column = {"number": E(exp.column("number", table=duck, quoted=True), "uint")}
        return Source(duck, {duck, "numbers"}, column), rows

    def _expand(self, items: list[Node], scope: Scope) -> list[Node]:
        """``*`` and ``t.*`` as the FROM items' columns (as Field nodes)."""
        out: list[Node] = []
        for item in items:
            chain = item.get("chain") if item.get("node") == "Field" else None
            if not chain or str(chain[-1]) != "*":
                out.append(item)
                continue
            sources = scope.sources
            if len(chain) > 1:
                sources = [s for s in scope.sources if str(chain[0]) in s.names]
                if not sources:
                    raise HogQLError(f"Unable to resolve field: {chain[0]}")
            if not sources:
                raise HogQLError("Cannot use '*' without a FROM clause")
            for source in sources:
                prefix = [source.alias] if len(scope.sources) > 1 else []
                for column in source.columns:
                    out.append({"node": "Field", "chain": [*prefix, column], "_shown": column})
        return out


def _ctes(node: Node) -> list[Node]:
    ctes = node.get("ctes") or []
    return list(ctes.values()) if isinstance(ctes, dict) else list(ctes)


def _wrap(query: exp.Expr) -> exp.Expr:
    """A SELECT with its own LIMIT/ORDER inside a UNION keeps them (parenthesised)."""
    if isinstance(query, exp.Select) and (query.args.get("limit") or query.args.get("order")):
        return exp.Subquery(this=query)
    return query
