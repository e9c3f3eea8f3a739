"""The function table (all but dates): strings, regex, JSON, arrays and lambdas,
conditionals, conversions, maths, aggregates and window functions.

Each entry says the arity and how to build the DuckDB expression with ClickHouse's
behaviour: ``concat`` reads NULL as '', ``toInt``/``toFloat`` are the OrNull forms,
``JSONExtractString`` of a missing key is '', ``groupArray`` skips NULLs, ``sum`` of no
rows is 0, ``lagInFrame`` without a default gives the type's default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from .hogql_errors import HogQLError
from .hogql_exprs import E, Settings, anon, boolean, json_path, never_null, number

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


def _json(kind: str) -> Build:
    """JSONExtract*: ClickHouse answers the type's default when the path is missing."""

    def build(a: list[E], s: Settings, p: list[E]) -> E:
        keys = []
        for key in a[1:]:
            if not isinstance(key.sql, exp.Literal):
                raise HogQLError("JSON paths must be constants in the sandbox")
            keys.append(int(key.sql.name) if not key.sql.is_string else key.sql.name)
        path = _s(json_path(keys))
        text = call("json_extract_string", a[0].sql, path)
        if kind == "string":
            return E(exp.func("COALESCE", text, _s("")), "str")
        if kind == "raw":
            return E(
                exp.func(
                    "COALESCE",
                    exp.cast(call("json_extract", a[0].sql, path.copy()), "VARCHAR"),
                    _s(""),
                ),
                "str",
            )
        if kind == "has":
            return E(never_null(call("json_exists", a[0].sql, path)), "bool")
        if kind == "length":
            return E(exp.func("COALESCE", call("json_array_length", a[0].sql, path), _n(0)), "uint")
        if kind == "bool":
            return E(exp.func("COALESCE", exp.cast(_try(text, "BOOLEAN"), "INTEGER"), _n(0)), "int")
        to, tag = ("BIGINT", "int") if kind == "int" else ("DOUBLE", "float")
        return E(exp.func("COALESCE", _try(text, to), _n(0)), tag)

    return build


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
    # JSON
    "JSONExtractString": Fn(1, None, _json("string")),
    "JSONExtractInt": Fn(1, None, _json("int")),
    "JSONExtractUInt": Fn(1, None, _json("int")),
    "JSONExtractFloat": Fn(1, None, _json("float")),
    "JSONExtractBool": Fn(1, None, _json("bool")),
    "JSONExtractRaw": Fn(1, None, _json("raw")),
    "JSONHas": Fn(2, None, _json("has")),
    "JSONLength": Fn(1, None, _json("length")),
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


def table_entries() -> dict[str, Any]:
    """Every name of the table (the docs list them; a test checks the docs against this)."""
    return {**LIBRARY, **AGGREGATES, **WINDOW_ONLY}
