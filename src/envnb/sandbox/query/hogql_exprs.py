"""HogQL expressions -> sqlglot expressions with HogQL's (ClickHouse's) semantics.

Rules of this module:
1. Each node kind of PostHog's JSON AST has one entry in ``ExprCompiler.KINDS``.
2. Comparisons are null-safe and never NULL (``null = null`` is 1, ``null < 2`` is 0), as
   PostHog prints them (``ifNull(equals(a, b), 0)``); they are DuckDB booleans here and
   become 0/1 in the response.
3. A compiled expression carries a type tag (``E.t``) so that functions can pick the
   ClickHouse behaviour for their argument type (``toDate`` of a string vs a timestamp).
4. Field names resolve through ``Scope`` (select aliases first, then tables, then lazy
   joins), as PostHog's resolver does.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlglot import exp

from .hogql_errors import HogQLError, located
from .hogql_fields import FieldResolver
from .hogql_schema import Catalog
from .hogql_types import (
    E,
    Node,
    Scope,
    Settings,
    anon,
    boolean,
    constant,
    never_null,
    number,
    property_read,
)


class ExprCompiler(FieldResolver):
    """Compiles expressions within a scope. ``SelectCompiler`` adds SELECT (subqueries)."""

    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings = settings
        self.catalog = catalog
        self._aliases = 0
        self.in_window = False

    def fresh(self, prefix: str) -> str:
        self._aliases += 1
        return f"__{prefix}{self._aliases}"

    # ---- dispatch ---------------------------------------------------------------------

    def expr(self, node: Node, scope: Scope) -> E:
        kind = node.get("node", "")
        handler = self.KINDS.get(kind)
        if handler is None:
            raise HogQLError(f"Unsupported expression: {kind}")
        with located(node):
            result: E = handler(self, node, scope)
        return result

    def subquery(self, node: Node, scope: Scope) -> tuple[exp.Expr, list[tuple[str, E]]]:
        raise NotImplementedError  # SelectCompiler

    def call(self, node: Node, scope: Scope) -> E:
        raise NotImplementedError  # SelectCompiler (via hogql_functions)

    def window_function(self, node: Node, scope: Scope) -> E:
        raise NotImplementedError  # SelectCompiler

    # ---- node kinds -------------------------------------------------------------------

    def _constant(self, node: Node, scope: Scope) -> E:
        return constant(node.get("value"), node)

    def _alias(self, node: Node, scope: Scope) -> E:
        return self.expr(node["expr"], scope)

    def _compare(self, node: Node, scope: Scope) -> E:
        op = node["op"]
        left = self.expr(node["left"], scope)
        if op in ("in", "not in", "global in", "global not in"):
            inside = self._in(left, node["right"], scope)
            return E(exp.Not(this=inside) if "not" in op else inside, "bool")
        right = self.expr(node["right"], scope)
        a, b = number(left), number(right)
        if op == "==":
            return E(exp.NullSafeEQ(this=a, expression=b), "bool")
        if op == "!=":
            return E(exp.NullSafeNEQ(this=a, expression=b), "bool")
        ordered = {"<": exp.LT, ">": exp.GT, "<=": exp.LTE, ">=": exp.GTE}.get(op)
        if ordered is not None:
            return E(never_null(ordered(this=a, expression=b)), "bool")
        matcher = _MATCHERS.get(op.replace("not ", "").replace("!~", "=~"))
        if matcher is None:
            raise HogQLError(f"Unsupported comparison operator: {op}")
        both_null = exp.and_(
            exp.Is(this=a, expression=exp.Null()), exp.Is(this=b, expression=exp.Null())
        )
        positive = exp.Case(
            ifs=[exp.If(this=both_null, true=exp.true())], default=never_null(matcher(a, b))
        )
        negated = op.startswith("not ") or op.startswith("!")
        return E(exp.Not(this=exp.Paren(this=positive)) if negated else positive, "bool")

    def _in(self, left: E, right: Node, scope: Scope) -> exp.Expr:
        kind = right.get("node")
        if kind in ("SelectQuery", "SelectSetQuery"):
            query, _ = self.subquery(right, scope)
            return never_null(exp.In(this=left.sql, query=exp.Subquery(this=query)))
        if kind in ("Tuple", "Array"):
            items = [self.expr(n, scope).sql for n in right["exprs"]]
        elif kind == "Constant" and isinstance(right.get("value"), list):
            items = [constant(v, {}).sql for v in right["value"]]
        else:
            other = self.expr(right, scope)
            if other.t == "array":
                return never_null(anon("list_contains", other.sql, left.sql))
            items = [other.sql]
        if not items:
            return exp.false()
        # transform_null_in=1 (PostHog's setting): NULL IN (NULL) is true.
        has_null = any(isinstance(i, exp.Null) for i in items)
        found = never_null(
            exp.In(
                this=left.sql,
                expressions=[i for i in items if not isinstance(i, exp.Null)] or [exp.Null()],
            )
        )
        if has_null:
            found = exp.or_(found, exp.Is(this=left.sql, expression=exp.Null()))
        return found

    def _between(self, node: Node, scope: Scope) -> E:
        value, low, high = (self.expr(node[k], scope) for k in ("expr", "low", "high"))
        test = exp.Between(this=number(value), low=number(low), high=number(high))
        if node.get("negated"):
            return E(never_null(exp.Not(this=test)), "bool")
        return E(never_null(test), "bool")

    def _arithmetic(self, node: Node, scope: Scope) -> E:
        left, right = self.expr(node["left"], scope), self.expr(node["right"], scope)
        op = node["op"]
        kind = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div, "%": exp.Mod}[op]
        if op == "-" and left.t == right.t and left.t in ("datetime", "date"):
            # ClickHouse: DateTime - DateTime is seconds, Date - Date is days (integers).
            unit = exp.Literal.string("second" if left.t == "datetime" else "day")
            return E(anon("date_diff", unit, right.sql, left.sql), "int")
        built: exp.Expr = kind(this=_paren(number(left)), expression=_paren(number(right)))
        tag = _arith_type(op, left.t, right.t)
        if tag == "date" and op in "+-" and {left.t, right.t} & {"interval"}:
            built = exp.cast(built, "DATE")
        return E(built, tag)

    def _logic(self, node: Node, scope: Scope) -> E:
        parts = [boolean(self.expr(n, scope)) for n in node["exprs"]]
        join = exp.and_ if node["node"] == "And" else exp.or_
        return E(exp.Paren(this=join(*parts)), "bool")

    def _not(self, node: Node, scope: Scope) -> E:
        return E(exp.Not(this=exp.Paren(this=boolean(self.expr(node["expr"], scope)))), "bool")

    def _array(self, node: Node, scope: Scope) -> E:
        return E(exp.Array(expressions=[self.expr(n, scope).sql for n in node["exprs"]]), "array")

    def _tuple(self, node: Node, scope: Scope) -> E:
        return E(anon("row", *[self.expr(n, scope).sql for n in node["exprs"]]), "tuple")

    def _array_access(self, node: Node, scope: Scope) -> E:
        index = node["property"]
        if index.get("node") == "Constant" and index.get("value") == 0:
            raise HogQLError("SQL indexes start from one, not from zero. E.g: array[1]")
        base = node["array"]
        keys = self._property_keys(node, scope)
        if keys is not None:
            return keys
        target = self.expr(base, scope)
        key = self.expr(index, scope)
        if target.t in ("json", "str") and key.t == "str":
            return property_read(target.sql, [index.get("value")])
        return E(exp.Bracket(this=target.sql, expressions=[key.sql], offset=1), "any")

    def _property_keys(self, node: Node, scope: Scope) -> E | None:
        """``properties.a[1]['b']``: one JSON path when the access starts at a property."""
        keys: list[Any] = []
        current = node
        while current.get("node") in ("ArrayAccess", "TupleAccess"):
            if current["node"] == "TupleAccess":
                keys.insert(0, int(current["index"]))
                current = current["tuple"]
                continue
            index = current["property"]
            if index.get("node") != "Constant":
                return None
            keys.insert(0, index.get("value"))
            current = current["array"]
        if current.get("node") != "Field":
            return None
        chain = list(current["chain"])
        if "properties" not in [str(c) for c in chain]:
            return None
        resolved = self.field(chain, scope, keys=keys)
        return resolved

    def _tuple_access(self, node: Node, scope: Scope) -> E:
        index = int(node["index"])
        if index == 0:
            raise HogQLError("SQL indexes start from one, not from zero. E.g: array.1")
        keys = self._property_keys(node, scope)
        if keys is not None:
            return keys
        target = self.expr(node["tuple"], scope)
        return E(
            exp.Bracket(this=target.sql, expressions=[exp.Literal.number(index)], offset=1), "any"
        )

    def _lambda(self, node: Node, scope: Scope) -> E:
        names = [str(a) for a in node["args"]]
        scope.lambdas.append(set(names))
        try:
            body = self.expr(node["expr"], scope)
        finally:
            scope.lambdas.pop()
        params = [exp.to_identifier(n) for n in names]
        return E(exp.Lambda(this=body.sql, expressions=params), "lambda")

    def _placeholder(self, node: Node, scope: Scope) -> E:
        chain = [str(p) for p in (node.get("expr") or {}).get("chain") or []]
        if len(chain) == 2 and chain[0] == "variables":
            return constant(self._variable(chain[1]), {})
        if len(chain) == 1 and chain[0] in self.settings.values:
            return constant(self.settings.values[chain[0]], {})
        name = ".".join(chain)
        raise HogQLError(f"Placeholder {{{name}}} is not available in this context.")

    def _variable(self, code_name: str) -> Any:
        known: dict[str, Any] = {}
        for key, item in self.settings.variables.items():
            if isinstance(item, dict):
                known[str(item.get("code_name") or key)] = item.get("value")
        if code_name in known:
            return known[code_name]
        hint = f" Did you mean: {', '.join(sorted(known))}?" if known else ""
        raise HogQLError(f"Variable {code_name} is missing from query.{hint}")

    def _type_cast(self, node: Node, scope: Scope) -> E:
        """``x::Date`` / ``CAST(x AS String)``: the conversion function of that type."""
        name = _CASTS.get(str(node.get("type_name", "")).lower())
        if name is None:
            raise HogQLError(f"Unsupported type cast: {node.get('type_name')}")
        return self.call({"node": "Call", "name": name, "args": [node["expr"]]}, scope)

    def _field_node(self, node: Node, scope: Scope) -> E:
        return self.field(list(node["chain"]), scope)

    KINDS: ClassVar[dict[str, Any]] = {
        "Constant": _constant,
        "Alias": _alias,
        "CompareOperation": _compare,
        "BetweenExpr": _between,
        "ArithmeticOperation": _arithmetic,
        "And": _logic,
        "Or": _logic,
        "Not": _not,
        "Array": _array,
        "Tuple": _tuple,
        "ArrayAccess": _array_access,
        "TupleAccess": _tuple_access,
        "Lambda": _lambda,
        "Placeholder": _placeholder,
        "Field": _field_node,
        "TypeCast": _type_cast,
        "Call": lambda self, n, s: self.call(n, s),
        "WindowFunction": lambda self, n, s: self.window_function(n, s),
        "SelectQuery": lambda self, n, s: self._scalar(n, s),
        "SelectSetQuery": lambda self, n, s: self._scalar(n, s),
    }

    def _scalar(self, node: Node, scope: Scope) -> E:
        query, columns = self.subquery(node, scope)
        tag = columns[0][1].t if len(columns) == 1 else "any"
        return E(exp.Subquery(this=query), tag)


_CASTS = {
    "date": "toDate",
    "datetime": "toDateTime",
    "datetime64": "toDateTime",
    "timestamp": "toDateTime",
    "string": "toString",
    "text": "toString",
    "varchar": "toString",
    "uuid": "toUUID",
    "bool": "toBool",
    "boolean": "toBool",
    **{t: "toInt" for t in ("int", "integer", "int8", "int16", "int32", "int64", "bigint")},
    **{t: "toInt" for t in ("uint8", "uint16", "uint32", "uint64")},
    **{t: "toFloat" for t in ("float", "float32", "float64", "double", "decimal")},
}


def _paren(e: exp.Expr) -> exp.Expr:
    simple = (exp.Column, exp.Literal, exp.Paren, exp.Func, exp.Null, exp.Boolean, exp.Cast)
    return e if isinstance(e, simple) else exp.Paren(this=e)


def _arith_type(op: str, a: str, b: str) -> str:
    if "datetime" in (a, b):
        return "datetime"
    if "date" in (a, b):
        return "date"
    if op == "/" or "float" in (a, b):
        return "float"
    if a in ("int", "uint", "bool") and b in ("int", "uint", "bool"):
        return "int"
    return "any"


def _like(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Like(this=a, expression=b)


def _ilike(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.ILike(this=a, expression=b)


def _regex(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return anon("regexp_matches", a, b)


def _iregex(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return anon("regexp_matches", a, b, exp.Literal.string("i"))


_MATCHERS = {"like": _like, "ilike": _ilike, "=~": _regex, "=~*": _iregex}
