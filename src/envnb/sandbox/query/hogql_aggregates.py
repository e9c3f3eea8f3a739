"""The function table's aggregates (each also as ``xIf``, see ``hogql_functions``) and
window functions: ``groupArray`` skips NULLs, ``sum`` of no rows is 0, ``quantile(p)(x)``
and ``quantiles(…)(x)`` are parametric, ``lagInFrame`` without a default gives the type's
default like ClickHouse.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from .hogql_library import Build, Fn, _n, _s, call
from .hogql_types import E, Settings, number


def _quantile(args: list[E], s: Settings, p: list[E]) -> E:
    level = p[0].sql if p else _n(0.5)
    return E(call("quantile_cont", number(args[0]), level), "float")


def _quantiles(args: list[E], s: Settings, p: list[E]) -> E:
    return E(
        call("quantile_cont", number(args[0]), exp.Array(expressions=[x.sql for x in p])), "array"
    )


def _group_array(distinct: bool) -> Build:
    def build(a: list[E], s: Settings, p: list[E]) -> E:
        value = a[0].sql
        inner: exp.Expr = exp.Distinct(expressions=[value]) if distinct else value
        listed = exp.Filter(
            this=call("list", inner),
            expression=exp.Where(
                this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
            ),
        )
        return E(exp.func("COALESCE", listed, exp.Array(expressions=[])), "array")

    return build


def _agg(
    build: Callable[..., exp.Expr],
    t: str | None = None,
    lo: int = 1,
    hi: int | None = 1,
    empty: exp.Expr | None = None,
) -> Fn:
    return Fn(
        lo,
        hi,
        lambda a, s, p: E(build(*[number(x) for x in a]), t or (a[0].t if a else "uint")),
        aggregate=True,
        empty=empty,
    )


def _count(*args: exp.Expr) -> exp.Expr:
    return exp.Count(this=args[0] if args else exp.Star())


def _uniq(*args: exp.Expr) -> exp.Expr:
    return exp.Count(this=exp.Distinct(expressions=list(args)))


def _lag(duck: str) -> Build:
    """lagInFrame/leadInFrame: without a default, the type's default (0, '') like ClickHouse."""

    def build(a: list[E], s: Settings, p: list[E]) -> E:
        offset = a[1].sql if len(a) > 1 else _n(1)
        default = a[2].sql if len(a) > 2 else _type_default(a[0].t)
        args = [a[0].sql, offset] + ([default] if default is not None else [])
        return E(call(duck, *args), a[0].t)

    return build


def _type_default(tag: str) -> exp.Expr | None:
    return {"str": _s(""), "int": _n(0), "uint": _n(0), "float": _n(0)}.get(tag)


def _first_last(duck: str) -> Build:
    def build(a: list[E], s: Settings, p: list[E]) -> E:
        return E(call(duck, a[0].sql), a[0].t)

    return build


AGGREGATES: dict[str, Fn] = {
    "count": _agg(_count, "uint", 0, 1),
    "countDistinct": _agg(_uniq, "uint", 1, None),
    "uniq": _agg(_uniq, "uint", 1, None),
    "uniqExact": _agg(_uniq, "uint", 1, None),
    "uniqHLL12": _agg(_uniq, "uint", 1, None),
    "uniqCombined": _agg(_uniq, "uint", 1, None),
    "sum": _agg(lambda x: exp.Sum(this=x), empty=_n(0)),
    "avg": _agg(lambda x: exp.Avg(this=x), "float"),
    "min": _agg(lambda x: exp.Min(this=x)),
    "max": _agg(lambda x: exp.Max(this=x)),
    "any": _agg(lambda x: call("any_value", x)),
    "anyLast": _agg(lambda x: call("last", x)),
    "argMax": _agg(lambda a, b: call("arg_max", a, b), None, 2, 2),
    "argMin": _agg(lambda a, b: call("arg_min", a, b), None, 2, 2),
    "median": _agg(lambda x: call("quantile_cont", x, _n(0.5)), "float"),
    "stddevPop": _agg(lambda x: call("stddev_pop", x), "float"),
    "stddevSamp": _agg(lambda x: call("stddev_samp", x), "float"),
    "varPop": _agg(lambda x: call("var_pop", x), "float"),
    "varSamp": _agg(lambda x: call("var_samp", x), "float"),
    "corr": _agg(lambda x, y: call("corr", x, y), "float", 2, 2),
    "groupArray": Fn(1, 1, _group_array(False), aggregate=True),
    "groupUniqArray": Fn(1, 1, _group_array(True), aggregate=True),
    "quantile": Fn(1, 1, _quantile, aggregate=True, min_params=1, max_params=1),
    "quantileExact": Fn(1, 1, _quantile, aggregate=True, min_params=1, max_params=1),
    "quantiles": Fn(1, 1, _quantiles, aggregate=True, min_params=1, max_params=None),
}

WINDOW_ONLY: dict[str, Fn] = {
    "row_number": Fn(0, 0, lambda a, s, p: E(call("row_number"), "uint")),
    "rank": Fn(0, 0, lambda a, s, p: E(call("rank"), "uint")),
    "dense_rank": Fn(0, 0, lambda a, s, p: E(call("dense_rank"), "uint")),
    "lagInFrame": Fn(1, 3, _lag("lag")),
    "leadInFrame": Fn(1, 3, _lag("lead")),
    "first_value": Fn(1, 1, _first_last("first_value")),
    "last_value": Fn(1, 1, _first_last("last_value")),
    "nth_value": Fn(2, 2, lambda a, s, p: E(call("nth_value", a[0].sql, a[1].sql), a[0].t)),
}
