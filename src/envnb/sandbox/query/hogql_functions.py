"""HogQL function calls: the table of functions, aggregates and their -If combinator.

Rules of this module:
1. A function is an entry of ``FUNCTIONS`` (name -> ``Fn``: arity and a builder of the
   sqlglot expression); dates and times are in ``hogql_dates``, the rest in
   ``hogql_library``, ``hogql_collections`` and ``hogql_aggregates``. There is no branch
   per function name here.
2. Names are matched as PostHog does: exactly, then case-insensitively.
3. ``xIf(args…, cond)`` is ``x(args…)`` over the rows where ``cond`` holds (FILTER), for
   every aggregate ``x``; ``f(DISTINCT x)`` is the aggregate over distinct values.
4. An unknown function is refused in PostHog's words, naming it:
   ``Unsupported function call 'f(...)'``; a wrong arity as PostHog's
   ``Function 'f' expects 1 argument, found 2``.
5. ``sum`` of no rows is 0 (ClickHouse); inside a window the aggregate is left bare.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .hogql_aggregates import AGGREGATES, WINDOW_ONLY
from .hogql_collections import COLLECTIONS
from .hogql_dates import DATE_FUNCTIONS
from .hogql_errors import HogQLError
from .hogql_library import LIBRARY, Fn
from .hogql_types import E, Node, Scope, boolean

if TYPE_CHECKING:
    from .hogql_compile import SelectCompiler

FUNCTIONS: dict[str, Fn] = {**LIBRARY, **COLLECTIONS, **DATE_FUNCTIONS}
_LOWER = {name.lower(): fn for name, fn in {**FUNCTIONS, **AGGREGATES}.items()}


def known_names() -> list[str]:
    """Every function name the engine runs (for the docs and the refusal hints)."""
    return sorted({*FUNCTIONS, *AGGREGATES, *WINDOW_ONLY, *(f"{a}If" for a in AGGREGATES)})


def _find(name: str) -> tuple[Fn | None, bool]:
    """The function for ``name`` and whether it is an aggregate (exact, then any case)."""
    if name in AGGREGATES:
        return AGGREGATES[name], True
    if name in FUNCTIONS:
        return FUNCTIONS[name], False
    found = _LOWER.get(name.lower())
    if found is not None:
        return found, found.aggregate
    return None, False


def _arity(name: str, fn: Fn, count: int, term: str = "argument", extra: int = 0) -> None:
    low, high = fn.min_args, fn.max_args
    if term == "parameter":
        low, high = fn.min_params, fn.max_params
    # An -If combinator takes its aggregate's arguments plus the condition, and PostHog counts
    # the condition too ("sumIf" is 2..2 in PH:posthog/hogql/functions/mapping.py).
    low, high = low + extra, None if high is None else high + extra
    plural = lambda n: f"{n} {term}{'s' if n != 1 else ''}"  # noqa: E731
    if low == high and count != low:
        raise HogQLError(f"Function '{name}' expects {plural(low)}, found {count}")
    if count < low:
        raise HogQLError(f"Function '{name}' expects at least {plural(low)}, found {count}")
    if high is not None and count > high:
        raise HogQLError(f"Function '{name}' expects at most {plural(high)}, found {count}")


def unsupported(name: str) -> HogQLError:
    close = get_close_matches(name, known_names(), 1)
    hint = f" Perhaps you meant '{close[0]}(...)'?" if close else ""
    return HogQLError(f"Unsupported function call '{name}(...)'.{hint}".replace(".. ", ". "))


def compile_call(c: SelectCompiler, node: Node, scope: Scope) -> E:
    name = str(node["name"])
    raw_args = node.get("args") or []
    if len(raw_args) == 1 and raw_args[0].get("node") == "Field" and raw_args[0]["chain"] == ["*"]:
        raw_args = []  # count(*)
    fn, aggregate = _find(name)
    condition: E | None = None
    if fn is None and name.endswith("If") and name[:-2] in AGGREGATES:
        fn, aggregate = AGGREGATES[name[:-2]], True
        _arity(name, fn, len(raw_args), extra=1)
        condition = c.expr(raw_args[-1], scope)
        raw_args = raw_args[:-1]
    if fn is None:
        raise unsupported(name)
    _arity(name, fn, len(raw_args))
    params = [c.expr(p, scope) for p in node.get("params") or []]
    if fn.max_params or fn.min_params:
        _arity(name, fn, len(params), "parameter")
    elif node.get("params") is not None:
        raise HogQLError(f"Function '{name}' does not take parameters")
    args = [c.expr(a, scope) for a in raw_args]
    built = fn.build(args, c.settings, params)
    if aggregate and node.get("distinct") and isinstance(built.sql, exp.Func):
        first = built.sql.this if isinstance(built.sql.this, exp.Expr) else None
        if isinstance(built.sql, exp.Count) and args:
            built = E(exp.Count(this=exp.Distinct(expressions=[a.sql for a in args])), built.t)
        elif first is not None:
            built.sql.set("this", exp.Distinct(expressions=[first]))
    if condition is not None:
        built = E(
            exp.Filter(this=built.sql, expression=exp.Where(this=boolean(condition))), built.t
        )
    if aggregate and fn.empty is not None and not c.in_window:
        built = E(exp.func("COALESCE", built.sql, fn.empty), built.t)
    return built


def compile_window(c: SelectCompiler, node: Node, scope: Scope) -> E:
    name = str(node["name"])
    fn = WINDOW_ONLY.get(name) or AGGREGATES.get(name)
    if fn is None:
        raise unsupported(name)
    exprs = [c.expr(a, scope) for a in node.get("exprs") or []]
    params = [c.expr(a, scope) for a in node.get("args") or []]
    _arity(name, fn, len(exprs))
    c.in_window = True
    try:
        built = fn.build(exprs, c.settings, params)
    finally:
        c.in_window = False
    over = node.get("over_expr")
    if over is None and node.get("over_identifier"):
        over = scope.windows.get(str(node["over_identifier"]))
        if over is None:
            raise HogQLError(f"Window {node['over_identifier']} not found")
    window = _window(c, built.sql, over or {}, scope)
    return E(window, built.t)


def _window(c: SelectCompiler, func: exp.Expr, over: Node, scope: Scope) -> exp.Expr:
    args: dict[str, Any] = {"this": func}
    if over.get("partition_by"):
        args["partition_by"] = [c.expr(p, scope).sql for p in over["partition_by"]]
    if over.get("order_by"):
        args["order"] = exp.Order(expressions=[c.ordered(o, scope) for o in over["order_by"]])
    if over.get("frame_method"):
        spec: dict[str, Any] = {"kind": str(over["frame_method"]).upper()}
        for end, key in (("start", "frame_start"), ("end", "frame_end")):
            frame = over.get(key)
            if frame is None:
                if end == "end":
                    spec["end"] = "CURRENT ROW"
                continue
            if frame.get("frame_type") == "CURRENT ROW":
                spec[end] = "CURRENT ROW"
                continue
            value = frame.get("frame_value")
            spec[end] = "UNBOUNDED" if value is None else exp.Literal.number(value)
            spec[f"{end}_side"] = frame.get("frame_type")
        args["spec"] = exp.WindowSpec(**spec)
    return exp.Window(**args)
