"""Field resolution for the HogQL compiler, as PostHog's resolver does it: lambda arguments,
then the SELECT's aliases (an alias shadows a column, except inside its own definition),
then the FROM items by name, then their columns and lazy joins. A lazy join
(``person.properties.email`` on events) is a keyed lookup on the other table, so a missing
row reads NULL like PostHog's LEFT JOIN.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .hogql_errors import HogQLError
from .hogql_schema import Catalog, LazyJoin
from .hogql_types import E, Node, Scope, Source, chain_key, constant, property_read, table_source


class FieldResolver:
    """The field half of ``ExprCompiler`` (which provides ``expr`` and ``fresh``)."""

    catalog: Catalog

    def expr(self, node: Node, scope: Scope) -> E:
        raise NotImplementedError

    def fresh(self, prefix: str) -> str:
        raise NotImplementedError

    def field(self, chain: list[Any], scope: Scope, keys: list[Any] | None = None) -> E:
        """Resolve a field chain: lambda args, select aliases, FROM items, lazy joins."""
        keys = keys or []
        head = str(chain[0])
        if head == "*":
            raise HogQLError("Cannot use '*' here")
        if len(chain) == 1 and any(head in names for names in scope.lambdas):
            return E(exp.column(head), "any")
        if len(chain) == 1 and not keys and head in scope.aliases and head not in scope.busy:
            return self._alias_ref(head, scope)
        for source in scope.sources:
            if len(chain) > 1 and head in source.names:
                return self._in_source(source, chain[1:], keys)
        for source in scope.sources:
            if head in source.columns or (source.table and head in source.table.spec.joins):
                return self._in_source(source, chain, keys)
        if head in scope.aliases:
            return self._alias_ref(head, scope)
        raise HogQLError(f"Unable to resolve field: {head}")

    def _alias_ref(self, name: str, scope: Scope) -> E:
        if name not in scope.compiled:
            scope.busy.add(name)
            try:
                scope.compiled[name] = self.expr(scope.aliases[name], scope)
            finally:
                scope.busy.discard(name)
        found = scope.compiled[name]
        return E(found.sql.copy(), found.t, found.nullable)

    def _in_source(self, source: Source, rest: list[Any], keys: list[Any]) -> E:
        head = str(rest[0])
        table = source.table
        if head in source.columns:
            column = source.columns[head]
            tail = [chain_key(p) for p in rest[1:]] + keys
            if not tail:
                return E(column.sql.copy(), column.t, column.nullable)
            if column.t in ("json", "str"):
                return property_read(column.sql.copy(), tail)
            built = column.sql.copy()
            for key in tail:
                built = exp.Bracket(this=built, expressions=[constant(key, {}).sql], offset=1)
            return E(built, "any")
        if table is not None and head in table.spec.joins:
            if len(rest) == 1:
                raise HogQLError(f"Cannot select the lazy table `{head}` as a column")
            return self._lazy(source, table.spec.joins[head], rest[1:], keys)
        raise HogQLError(f"Unable to resolve field: {head}")

    def _lazy(self, source: Source, join: LazyJoin, rest: list[Any], keys: list[Any]) -> E:
        """A lazy join as a keyed lookup: (SELECT x FROM other WHERE other.to = this.key)."""
        other = self.catalog.table(join.table)
        if other is None:
            raise HogQLError(f"Unknown table `{join.table}`.")
        # One alias per (FROM item, join), not a fresh one per mention: DuckDB matches a
        # selected `person.properties.email` to the same GROUP BY expression only when the
        # two lookups are written identically.
        alias = f"{source.alias}__{join.table}"
        inner = table_source(other, alias, {join.table})
        value = self._in_source(inner, rest, keys)
        mine = source.columns.get(join.key)
        if mine is None:
            raise HogQLError(f"Unable to resolve field: {join.key}")
        where = exp.EQ(this=inner.columns[join.to].sql, expression=mine.sql.copy())
        lookup = (
            exp.Select(expressions=[value.sql])
            .from_(
                exp.Table(
                    this=exp.to_identifier(other.spec.duck),
                    alias=exp.TableAlias(this=exp.to_identifier(alias)),
                )
            )
            .where(where)
            .limit(1)
        )
        return E(exp.Subquery(this=lookup), value.t)
