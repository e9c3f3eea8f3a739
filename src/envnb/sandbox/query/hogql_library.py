"""The function table's building blocks (``Fn``) and its scalar part: conversions,
conditionals, comparisons as functions, maths, strings, regex and URLs. JSON and arrays are
in ``hogql_collections``, aggregates and window functions in ``hogql_aggregates``, dates in
``hogql_dates``.

Each entry says the arity and how to build the DuckDB expression with ClickHouse's
behaviour: ``concat`` reads NULL as '', ``toInt``/``toFloat`` are the OrNull forms,
``JSONExtractString`` of a missing key is '', ``groupArray`` skips NULLs, ``sum`` of no
rows is 0, ``lagInFrame`` without a default gives the type's default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from .hogql_errors import HogQLError
from .hogql_types import E, Settings, anon, boolean, never_null, number

Build = Callable[[list[E], Settings, list[E]], E]


@dataclass(frozen=True)
class Fn:
    min_args: int
    max_args: int | None
    build: Build
    aggregate: bool = False
    min_params: int = 0
    max_params: int | None = 0
    empty: exp.Expr | None = None  # an aggregate's value over no rows


call = anon  # a DuckDB function by its exact name


def same(duck: str, lo: int = 1, hi: int | None = 1, t: str | None = None) -> Fn:
    """A DuckDB function with ClickHouse's behaviour for the same arguments."""
    return Fn(
        lo,
        hi,
        lambda a, s, p: E(call(duck, *[number(x) for x in a]), t or (a[0].t if a else "any")),
    )


def fn(lo: int, hi: int | None, t: str, body: Callable[..., exp.Expr]) -> Fn:
    """An entry built by ``body(*sql_args)``; ``t`` is the result's type tag."""
    return Fn(lo, hi, lambda a, s, p: E(body(*[number(x) for x in a]), t))


def _s(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def _n(value: int | float) -> exp.Expr:
    return exp.Literal.number(value)


def _try(value: exp.Expr, to: str) -> exp.Expr:
    return exp.TryCast(this=value, to=exp.DataType.build(to))


def _to_int(args: list[E], s: Settings, p: list[E]) -> E:
    value = args[0]
    if value.t == "float":  # ClickHouse truncates toward zero
        return E(_try(call("trunc", value.sql), "BIGINT"), "int")
    if value.t in ("datetime", "date"):
        return E(exp.cast(call("epoch", value.sql), "BIGINT"), "int")
    return E(_try(number(value), "BIGINT"), "int")


def _or_zero(build: Build, zero: exp.Expr) -> Build:
    return lambda a, s, p: E(exp.func("COALESCE", build(a, s, p).sql, zero), build(a, s, p).t)


def _to_string(args: list[E], s: Settings, p: list[E]) -> E:
    value = args[0]
    if value.t == "datetime":
        local = call("timezone", _s(s.timezone), value.sql)
        return E(call("strftime", local, _s("%Y-%m-%d %H:%M:%S")), "str")
    if value.t == "bool":
        return E(exp.cast(exp.cast(value.sql, "INTEGER"), "VARCHAR"), "str")
    return E(exp.cast(value.sql, "VARCHAR"), "str")


def _concat(args: list[E], s: Settings, p: list[E]) -> E:
    # DuckDB's concat reads NULL as '' like PostHog's (which wraps each in ifNull(x, '')).
    return E(
        call(
            "concat",
            *[_to_string([a], s, p).sql if a.t in ("datetime", "bool") else a.sql for a in args],
        ),
        "str",
    )


def _if(args: list[E], s: Settings, p: list[E]) -> E:
    cond, yes, no = args
    tag = yes.t if yes.t != "null" else no.t
    return E(exp.Case(ifs=[exp.If(this=boolean(cond), true=number(yes))], default=number(no)), tag)


def _multi_if(args: list[E], s: Settings, p: list[E]) -> E:
    if len(args) % 2 == 0:
        raise HogQLError("Function 'multiIf' expects an odd number of arguments")
    pairs = [
        exp.If(this=boolean(args[i]), true=number(args[i + 1])) for i in range(0, len(args) - 1, 2)
    ]
    return E(exp.Case(ifs=pairs, default=number(args[-1])), args[1].t)


def _transform(args: list[E], s: Settings, p: list[E]) -> E:
    value, keys, values = args[0], args[1], args[2]
    at = call("list_position", keys.sql, value.sql)
    picked = exp.Bracket(this=values.sql, expressions=[at], offset=1)
    default = args[3].sql if len(args) > 3 else value.sql
    found = exp.Not(this=exp.Is(this=at.copy(), expression=exp.Null()))
    return E(exp.Case(ifs=[exp.If(this=found, true=picked)], default=default), "any")


def _case_with(args: list[E], s: Settings, p: list[E]) -> E:
    """``CASE x WHEN a THEN b … ELSE d END`` (PostHog's parser: _caseWithExpression)."""
    value, rest = args[0], args[1:]
    if len(rest) % 2 == 0:
        raise HogQLError("CASE needs an ELSE branch in HogQL")
    pairs = [
        exp.If(
            this=exp.NullSafeEQ(this=value.sql.copy(), expression=rest[i].sql), true=rest[i + 1].sql
        )
        for i in range(0, len(rest) - 1, 2)
    ]
    return E(exp.Case(ifs=pairs, default=rest[-1].sql), rest[1].t)


def _empty(args: list[E], s: Settings, p: list[E]) -> E:
    value = args[0]
    if value.t == "array":
        return E(exp.EQ(this=call("len", value.sql), expression=_n(0)), "bool")
    return E(never_null(exp.EQ(this=value.sql, expression=_s(""))), "bool")


def _length(args: list[E], s: Settings, p: list[E]) -> E:
    value = args[0]
    name = "len" if value.t == "array" else "strlen"
    return E(exp.func("COALESCE", call(name, value.sql), _n(0)), "uint")


def _replace_one(args: list[E], s: Settings, p: list[E]) -> E:
    text, old, new = (a.sql for a in args)
    at = call("strpos", text, old)
    head = call("substr", text.copy(), _n(1), exp.Sub(this=at.copy(), expression=_n(1)))
    tail = call(
        "substr", text.copy(), exp.Add(this=at.copy(), expression=call("strlen", old.copy()))
    )
    found = exp.and_(
        exp.GT(this=at.copy(), expression=_n(0)),
        exp.GT(this=call("strlen", old.copy()), expression=_n(0)),
    )
    return E(
        exp.Case(
            ifs=[exp.If(this=found, true=call("concat", head, new, tail))], default=text.copy()
        ),
        "str",
    )


def _regex_replace(all_: bool) -> Build:
    def build(a: list[E], s: Settings, p: list[E]) -> E:
        extra = [_s("g")] if all_ else []
        return E(call("regexp_replace", a[0].sql, a[1].sql, a[2].sql, *extra), "str")

    return build


def _extract(args: list[E], s: Settings, p: list[E]) -> E:
    pattern = args[1].sql
    group = 0
    if isinstance(pattern, exp.Literal) and re.search(r"(?<!\\)\((?!\?)", pattern.name):
        group = 1  # ClickHouse returns the first capturing group when there is one
    return E(call("regexp_extract", args[0].sql, pattern, _n(group)), "str")


_STR = "str"
LIBRARY: dict[str, Fn] = {
    # conversions (PostHog's toInt/toFloat/… are the OrNull forms)
    "toInt": Fn(1, 1, _to_int),
    "toIntOrNull": Fn(1, 1, _to_int),
    "toIntOrZero": Fn(1, 1, _or_zero(_to_int, _n(0))),
    "toInt64": Fn(1, 1, _to_int),
    "toInt32": Fn(1, 1, _to_int),
    "toUInt64": Fn(1, 1, _to_int),
    "toFloat": fn(1, 1, "float", lambda x: _try(x, "DOUBLE")),
    "toFloatOrNull": fn(1, 1, "float", lambda x: _try(x, "DOUBLE")),
    "toFloatOrZero": fn(1, 1, "float", lambda x: exp.func("COALESCE", _try(x, "DOUBLE"), _n(0))),
    "toDecimal": fn(1, 2, "float", lambda x, *r: _try(x, "DOUBLE")),
    "toString": Fn(1, 1, _to_string),
    "toUUID": fn(1, 1, "uuid", lambda x: _try(x, "UUID")),
    "toBool": fn(1, 1, "bool", lambda x: _try(x, "BOOLEAN")),
    "toJSONString": fn(1, 1, _STR, lambda x: exp.cast(call("to_json", x), "VARCHAR")),
    # conditionals and NULL
    "if": Fn(3, 3, _if),
    "multiIf": Fn(3, None, _multi_if),
    "transform": Fn(3, 4, _transform),
    "_caseWithExpression": Fn(4, None, _case_with),
    "coalesce": Fn(
        1, None, lambda a, s, p: E(exp.func("COALESCE", *[number(x) for x in a]), a[0].t)
    ),
    "ifNull": Fn(2, 2, lambda a, s, p: E(exp.func("COALESCE", number(a[0]), number(a[1])), a[0].t)),
    "nullIf": Fn(2, 2, lambda a, s, p: E(exp.Nullif(this=a[0].sql, expression=a[1].sql), a[0].t)),
    "isNull": fn(1, 1, "bool", lambda x: exp.Is(this=x, expression=exp.Null())),
    "isNotNull": fn(1, 1, "bool", lambda x: exp.Not(this=exp.Is(this=x, expression=exp.Null()))),
    "assumeNotNull": Fn(1, 1, lambda a, s, p: a[0]),
    "toNullable": Fn(1, 1, lambda a, s, p: a[0]),
    "greatest": same("greatest", 1, None),
    "least": same("least", 1, None),
    # comparisons and logic as functions
    "equals": fn(2, 2, "bool", lambda a, b: exp.NullSafeEQ(this=a, expression=b)),
    "notEquals": fn(2, 2, "bool", lambda a, b: exp.NullSafeNEQ(this=a, expression=b)),
    "less": fn(2, 2, "bool", lambda a, b: never_null(exp.LT(this=a, expression=b))),
    "greater": fn(2, 2, "bool", lambda a, b: never_null(exp.GT(this=a, expression=b))),
    "lessOrEquals": fn(2, 2, "bool", lambda a, b: never_null(exp.LTE(this=a, expression=b))),
    "greaterOrEquals": fn(2, 2, "bool", lambda a, b: never_null(exp.GTE(this=a, expression=b))),
    "and": Fn(1, None, lambda a, s, p: E(exp.and_(*[boolean(x) for x in a]), "bool")),
    "or": Fn(1, None, lambda a, s, p: E(exp.or_(*[boolean(x) for x in a]), "bool")),
    "not": Fn(1, 1, lambda a, s, p: E(exp.Not(this=boolean(a[0])), "bool")),
    # maths
    "plus": fn(2, 2, "any", lambda a, b: exp.Add(this=a, expression=b)),
    "minus": fn(2, 2, "any", lambda a, b: exp.Sub(this=a, expression=b)),
    "multiply": fn(2, 2, "any", lambda a, b: exp.Mul(this=a, expression=b)),
    "divide": fn(2, 2, "float", lambda a, b: exp.Div(this=a, expression=b)),
    "modulo": fn(2, 2, "int", lambda a, b: exp.Mod(this=a, expression=b)),
    "intDiv": fn(2, 2, "int", lambda a, b: exp.IntDiv(this=a, expression=b)),
    "negate": fn(1, 1, "any", lambda a: exp.Neg(this=a)),
    "abs": same("abs"),
    "round": Fn(
        1,
        2,
        lambda a, s, p: E(
            call("round", *[number(x) for x in a]), "float" if a[0].t != "int" else "int"
        ),
    ),
    "floor": same("floor", 1, 2),
    "ceil": same("ceil", 1, 2),
    "ceiling": same("ceil", 1, 2),
    "trunc": same("trunc", 1, 2),
    "sqrt": same("sqrt", t="float"),
    "exp": same("exp", t="float"),
    "log": same("ln", t="float"),
    "ln": same("ln", t="float"),
    "log2": same("log2", t="float"),
    "log10": same("log10", t="float"),
    "pow": same("pow", 2, 2, "float"),
    "power": same("pow", 2, 2, "float"),
    "sign": same("sign", t="int"),
    "pi": same("pi", 0, 0, "float"),
    # strings
    "concat": Fn(1, None, _concat),
    "lower": same("lower"),
    "upper": same("upper"),
    "lowerUTF8": same("lower"),
    "upperUTF8": same("upper"),
    "length": Fn(1, 1, _length),
    "lengthUTF8": fn(1, 1, "uint", lambda x: call("length", x)),
    "empty": Fn(1, 1, _empty),
    "notEmpty": Fn(1, 1, lambda a, s, p: E(exp.Not(this=_empty(a, s, p).sql), "bool")),
    "reverse": same("reverse"),
    "substring": same("substr", 2, 3),
    "substr": same("substr", 2, 3),
    "mid": same("substr", 2, 3),
    "left": same("left", 2, 2),
    "right": same("right", 2, 2),
    "trim": same("trim", 1, 2),
    "trimBoth": same("trim", 1, 2),
    "trimLeft": same("ltrim", 1, 2),
    "trimRight": same("rtrim", 1, 2),
    "ltrim": same("ltrim", 1, 2),
    "rtrim": same("rtrim", 1, 2),
    "leftPad": same("lpad", 3, 3),
    "rightPad": same("rpad", 3, 3),
    "repeat": same("repeat", 2, 2),
    "position": fn(2, 2, "uint", lambda h, n: call("strpos", h, n)),
    "locate": fn(2, 2, "uint", lambda h, n: call("strpos", h, n)),
    "positionCaseInsensitive": fn(
        2, 2, "uint", lambda h, n: call("strpos", call("lower", h), call("lower", n))
    ),
    "startsWith": fn(2, 2, "bool", lambda a, b: never_null(call("starts_with", a, b))),
    "endsWith": fn(2, 2, "bool", lambda a, b: never_null(call("ends_with", a, b))),
    "replace": same("replace", 3, 3),
    "replaceAll": same("replace", 3, 3),
    "replaceOne": Fn(3, 3, _replace_one),
    "replaceRegexpOne": Fn(3, 3, _regex_replace(False)),
    "replaceRegexpAll": Fn(3, 3, _regex_replace(True)),
    "match": fn(2, 2, "bool", lambda a, b: never_null(call("regexp_matches", a, b))),
    "like": fn(2, 2, "bool", lambda a, b: never_null(exp.Like(this=a, expression=b))),
    "ilike": fn(2, 2, "bool", lambda a, b: never_null(exp.ILike(this=a, expression=b))),
    "notLike": fn(
        2, 2, "bool", lambda a, b: exp.Not(this=never_null(exp.Like(this=a, expression=b)))
    ),
    "notILike": fn(
        2, 2, "bool", lambda a, b: exp.Not(this=never_null(exp.ILike(this=a, expression=b)))
    ),
    "extract": Fn(2, 2, _extract),
    "extractAll": fn(2, 2, "array", lambda a, b: call("regexp_extract_all", a, b)),
    "splitByChar": fn(2, 2, "array", lambda sep, x: call("string_split", x, sep)),
    "splitByString": fn(2, 2, "array", lambda sep, x: call("string_split", x, sep)),
    "splitByRegexp": fn(2, 2, "array", lambda sep, x: call("regexp_split_to_array", x, sep)),
    "base64Encode": fn(1, 1, _STR, lambda x: call("to_base64", exp.cast(x, "BLOB"))),
    "base64Decode": fn(1, 1, _STR, lambda x: exp.cast(call("from_base64", x), "VARCHAR")),
    "encodeURLComponent": same("url_encode"),
    "decodeURLComponent": same("url_decode"),
    "domain": fn(
        1,
        1,
        _STR,
        lambda u: call(
            "regexp_extract", u, _s(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//([^/?#:]+)"), _n(1)
        ),
    ),
    "domainWithoutWWW": fn(
        1,
        1,
        _STR,
        lambda u: call(
            "regexp_extract", u, _s(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:www\.)?([^/?#:]+)"), _n(1)
        ),
    ),
    "protocol": fn(
        1, 1, _STR, lambda u: call("regexp_extract", u, _s(r"^([a-zA-Z][a-zA-Z0-9+.-]*):"), _n(1))
    ),
    "path": fn(
        1,
        1,
        _STR,
        lambda u: call(
            "regexp_extract", u, _s(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)?([^?#]*)"), _n(1)
        ),
    ),
    "queryString": fn(1, 1, _STR, lambda u: call("regexp_extract", u, _s(r"\?([^#]*)"), _n(1))),
    "cutQueryString": fn(1, 1, _STR, lambda u: call("regexp_replace", u, _s(r"\?[^#]*"), _s(""))),
    "extractURLParameter": fn(
        2,
        2,
        _STR,
        lambda u, k: call(
            "regexp_extract", u, call("concat", _s("[?&]"), k, _s("=([^&#]*)")), _n(1)
        ),
    ),
    "md5": same("md5"),
    "cityHash64": fn(1, None, "uint", lambda *x: call("hash", *x)),
    "isValidJSON": fn(1, 1, "bool", lambda x: never_null(call("json_valid", x))),
}
