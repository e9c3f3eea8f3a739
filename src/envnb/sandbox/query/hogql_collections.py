"""The function table's JSON, array and lambda entries (``arrayMap(x -> …, arr)``…), with
ClickHouse's behaviour: ``JSONExtractString`` of a missing key is '', ``JSONExtractInt`` 0,
lambdas come first (DuckDB wants them last), ``indexOf`` is 0 when absent.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from .hogql_errors import HogQLError
from .hogql_library import Build, Fn, _n, _s, _try, call, fn
from .hogql_types import E, Settings, json_path, never_null

# (the document, the JSON path, the value there as text) -> the function's answer
JsonAnswer = Callable[[exp.Expr, exp.Expr, exp.Expr], E]


def _json(answer: JsonAnswer) -> Build:
    """JSONExtract*: ClickHouse answers the type's default when the path is missing."""

    def build(a: list[E], s: Settings, p: list[E]) -> E:
        keys = []
        for key in a[1:]:
            if not isinstance(key.sql, exp.Literal):
                raise HogQLError("JSON paths must be constants in the sandbox")
            keys.append(int(key.sql.name) if not key.sql.is_string else key.sql.name)
        path = _s(json_path(keys))
        return answer(a[0].sql, path, call("json_extract_string", a[0].sql, path))

    return build


def _json_number(to: str, tag: str) -> JsonAnswer:
    return lambda doc, path, text: E(exp.func("COALESCE", _try(text, to), _n(0)), tag)


def _json_string(doc: exp.Expr, path: exp.Expr, text: exp.Expr) -> E:
    return E(exp.func("COALESCE", text, _s("")), "str")


def _json_has(doc: exp.Expr, path: exp.Expr, text: exp.Expr) -> E:
    return E(never_null(call("json_exists", doc, path)), "bool")


def _json_raw(doc: exp.Expr, path: exp.Expr, text: exp.Expr) -> E:
    raw = exp.cast(call("json_extract", doc, path.copy()), "VARCHAR")
    return E(exp.func("COALESCE", raw, _s("")), "str")


def _json_bool(doc: exp.Expr, path: exp.Expr, text: exp.Expr) -> E:
    return E(exp.func("COALESCE", exp.cast(_try(text, "BOOLEAN"), "INTEGER"), _n(0)), "int")


def _json_length(doc: exp.Expr, path: exp.Expr, text: exp.Expr) -> E:
    return E(exp.func("COALESCE", call("json_array_length", doc, path), _n(0)), "uint")


def _lambda_first(duck: str, t: str, post: Callable[[exp.Expr], exp.Expr] = lambda x: x) -> Fn:
    """arrayMap(x -> …, arr) style: the lambda first, then the array (DuckDB: the reverse)."""

    def build(a: list[E], s: Settings, p: list[E]) -> E:
        if a[0].t != "lambda":
            raise HogQLError(f"The first argument of {duck} must be a lambda, e.g. x -> x + 1")
        return E(post(call(duck, a[1].sql, a[0].sql)), t)

    return Fn(2, 2, build)


def _count_equal(args: list[E], s: Settings, p: list[E]) -> E:
    var = exp.to_identifier("__x")
    test = exp.Lambda(
        this=exp.NullSafeEQ(this=exp.column("__x"), expression=args[1].sql), expressions=[var]
    )
    return E(call("len", call("list_filter", args[0].sql, test)), "uint")


def _range(args: list[E], s: Settings, p: list[E]) -> E:
    return E(call("range", *[exp.cast(a.sql, "BIGINT") for a in args]), "array")


def _slice(args: list[E], s: Settings, p: list[E]) -> E:
    arr, start = args[0].sql, args[1].sql
    if len(args) == 2:
        return E(call("list_slice", arr, start, call("len", arr.copy())), "array")
    end = exp.Sub(this=exp.Add(this=start.copy(), expression=args[2].sql), expression=_n(1))
    return E(call("list_slice", arr, start, end), "array")


_STR = "str"
COLLECTIONS: dict[str, Fn] = {
    # JSON
    "JSONExtractString": Fn(1, None, _json(_json_string)),
    "JSONExtractInt": Fn(1, None, _json(_json_number("BIGINT", "int"))),
    "JSONExtractUInt": Fn(1, None, _json(_json_number("BIGINT", "int"))),
    "JSONExtractFloat": Fn(1, None, _json(_json_number("DOUBLE", "float"))),
    "JSONExtractBool": Fn(1, None, _json(_json_bool)),
    "JSONExtractRaw": Fn(1, None, _json(_json_raw)),
    "JSONHas": Fn(2, None, _json(_json_has)),
    "JSONLength": Fn(1, None, _json(_json_length)),
    "JSONExtractKeys": fn(1, 1, "array", lambda x: call("json_keys", x)),
    # arrays and lambdas
    "array": fn(0, None, "array", lambda *x: exp.Array(expressions=list(x))),
    "tuple": fn(1, None, "tuple", lambda *x: call("row", *x)),
    "tupleElement": fn(2, 2, "any", lambda t, i: exp.Bracket(this=t, expressions=[i], offset=1)),
    "range": Fn(1, 3, _range),
    "has": fn(2, 2, "bool", lambda a, x: never_null(call("list_contains", a, x))),
    "hasAll": fn(2, 2, "bool", lambda a, b: call("list_has_all", a, b)),
    "hasAny": fn(2, 2, "bool", lambda a, b: call("list_has_any", a, b)),
    "indexOf": fn(
        2, 2, "uint", lambda a, x: exp.func("COALESCE", call("list_position", a, x), _n(0))
    ),
    "countEqual": Fn(2, 2, _count_equal),
    "arrayElement": fn(2, 2, "any", lambda a, i: exp.Bracket(this=a, expressions=[i], offset=1)),
    "arrayConcat": fn(1, None, "array", lambda *x: call("flatten", exp.Array(expressions=list(x)))),
    "arraySlice": Fn(2, 3, _slice),
    "arraySort": fn(1, 1, "array", lambda a: call("list_sort", a)),
    "arrayReverseSort": fn(1, 1, "array", lambda a: call("list_reverse_sort", a)),
    "arrayReverse": fn(1, 1, "array", lambda a: call("list_reverse", a)),
    "arrayDistinct": fn(1, 1, "array", lambda a: call("list_distinct", a)),
    "arrayUniq": fn(1, 1, "uint", lambda a: call("len", call("list_distinct", a))),
    "arrayCompact": fn(1, 1, "array", lambda a: call("list_distinct", a)),
    "arrayFlatten": fn(1, 1, "array", lambda a: call("flatten", a)),
    "flatten": fn(1, 1, "array", lambda a: call("flatten", a)),
    "arrayZip": fn(2, None, "array", lambda *x: call("list_zip", *x)),
    "arraySum": fn(1, 1, "any", lambda a: exp.func("COALESCE", call("list_sum", a), _n(0))),
    "arrayAvg": fn(1, 1, "float", lambda a: call("list_avg", a)),
    "arrayMin": fn(1, 1, "any", lambda a: call("list_min", a)),
    "arrayMax": fn(1, 1, "any", lambda a: call("list_max", a)),
    "arrayStringConcat": fn(
        1, 2, _STR, lambda a, sep=None: call("array_to_string", a, sep or _s(""))
    ),
    "arrayPushBack": fn(2, 2, "array", lambda a, x: call("list_append", a, x)),
    "arrayPushFront": fn(2, 2, "array", lambda a, x: call("list_prepend", x, a)),
    "arrayJoin": fn(1, 1, "any", lambda a: call("unnest", a)),
    "arrayMap": _lambda_first("list_transform", "array"),
    "arrayFilter": _lambda_first("list_filter", "array"),
    "arrayCount": _lambda_first("list_filter", "uint", lambda e: call("len", e)),
    "arrayExists": _lambda_first(
        "list_filter", "bool", lambda e: exp.GT(this=call("len", e), expression=_n(0))
    ),
    "arrayFirst": _lambda_first(
        "list_filter", "any", lambda e: exp.Bracket(this=e, expressions=[_n(1)], offset=1)
    ),
}
