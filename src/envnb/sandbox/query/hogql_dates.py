"""Date and time functions of the function table, with ClickHouse's behaviour.

Rules of this module:
1. Calendar functions work in the team's timezone (``Settings.timezone``): a timestamp is
   made local, truncated or taken apart, and (for DateTime results) made absolute again.
2. ``now()``/``today()``/``yesterday()`` read the query's one clock (``Settings.now``, the
   sandbox's pinned clock), never the host's.
3. ``toStartOfWeek`` without a mode uses the team's week start (Sunday by default);
   ``toStartOfWeek``/``Month``/``Quarter``/``Year``/``toMonday``/``toDate`` answer a Date.
4. ``toDate``/``toDateTime`` of a string that is not a date are NULL (PostHog's OrNull forms).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlglot import exp

from .hogql_errors import HogQLError
from .hogql_library import Fn, call
from .hogql_types import E, Settings

_UNITS = {
    "second": "second",
    "minute": "minute",
    "hour": "hour",
    "day": "day",
    "week": "week",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
    "ss": "second",
    "mi": "minute",
    "hh": "hour",
    "dd": "day",
    "wk": "week",
    "mm": "month",
    "qq": "quarter",
    "yy": "year",
    "yyyy": "year",
}
_INTERVALS = {
    "second": "to_seconds",
    "minute": "to_minutes",
    "hour": "to_hours",
    "day": "to_days",
    "week": "to_weeks",
    "month": "to_months",
    "quarter": "to_months",
    "year": "to_years",
}


def _s(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def _absolute(e: E, s: Settings) -> exp.Expr:
    """``e`` as an absolute TIMESTAMPTZ (a string or date is read in the team's timezone)."""
    if e.t == "datetime":
        return e.sql
    if e.t in ("str", "any", "null"):
        naive = exp.TryCast(this=e.sql, to=exp.DataType.build("TIMESTAMP"))
        return call("timezone", _s(s.timezone), naive)
    if e.t == "date":
        return call("timezone", _s(s.timezone), exp.cast(e.sql, "TIMESTAMP"))
    if e.t in ("int", "uint", "float"):
        return call("to_timestamp", e.sql)
    return e.sql


def _local(e: E, s: Settings) -> exp.Expr:
    """``e`` as a wall-clock TIMESTAMP in the team's timezone."""
    if e.t == "date":
        return exp.cast(e.sql, "TIMESTAMP")
    return call("timezone", _s(s.timezone), _absolute(e, s))


def _from_local(naive: exp.Expr, s: Settings) -> exp.Expr:
    return call("timezone", _s(s.timezone), naive)


def _unit(e: E) -> str:
    if not isinstance(e.sql, exp.Literal) or not e.sql.is_string:
        raise HogQLError("The unit of a date function must be a string constant such as 'day'")
    word = e.sql.name.lower()
    unit = _UNITS.get(word) or _UNITS.get(word.rstrip("s"))
    if unit is None:
        raise HogQLError(f"Unknown date unit '{e.sql.name}'")
    return unit


def _trunc(unit: str, as_date: bool) -> Fn:
    def build(a: list[E], s: Settings, p: list[E]) -> E:
        truncated = call("date_trunc", _s(unit), _local(a[0], s))
        if as_date:
            return E(exp.cast(truncated, "DATE"), "date")
        return E(_from_local(truncated, s), "datetime")

    return Fn(1, 2, build)


def _bucket(minutes: int) -> Fn:
    def build(a: list[E], s: Settings, p: list[E]) -> E:
        width = exp.Interval(this=_s(str(minutes)), unit=exp.var("MINUTE"))
        return E(_from_local(call("time_bucket", width, _local(a[0], s)), s), "datetime")

    return Fn(1, 2, build)


def _interval_start(a: list[E], s: Settings, p: list[E]) -> E:
    """toStartOfInterval(x, INTERVAL n unit): buckets counted from the epoch, as ClickHouse."""
    bucket = call("time_bucket", a[1].sql, _local(a[0], s), exp.cast(_s("1970-01-01"), "TIMESTAMP"))
    if a[0].t == "date":
        return E(exp.cast(bucket, "DATE"), "date")
    return E(_from_local(bucket, s), "datetime")


def _week(a: list[E], s: Settings, p: list[E]) -> E:
    mode = s.week_start
    if len(a) > 1:
        if not isinstance(a[1].sql, exp.Literal):
            raise HogQLError("The mode of toStartOfWeek must be a constant")
        mode = 1 if int(a[1].sql.name) % 2 else 0
    return E(_week_start(_local(a[0], s), mode), "date")


def _week_start(local: exp.Expr, monday: int) -> exp.Expr:
    day = exp.cast(local, "DATE")
    # DuckDB's dayofweek: Sunday 0 … Saturday 6; isodow: Monday 1 … Sunday 7.
    back = call("isodow", day.copy()) if monday else call("dayofweek", day.copy())
    shift = exp.Sub(this=back, expression=exp.Literal.number(1)) if monday else back
    return exp.cast(exp.Sub(this=day, expression=exp.cast(shift, "INTEGER")), "DATE")


def _to_date(a: list[E], s: Settings, p: list[E]) -> E:
    if a[0].t in ("str", "any", "null"):
        return E(exp.TryCast(this=a[0].sql, to=exp.DataType.build("DATE")), "date")
    if a[0].t in ("int", "uint"):  # days since 1970-01-01
        return E(exp.Add(this=exp.cast(_s("1970-01-01"), "DATE"), expression=a[0].sql), "date")
    return E(exp.cast(_local(a[0], s), "DATE"), "date")


def _to_datetime(a: list[E], s: Settings, p: list[E]) -> E:
    if a[0].t in ("str", "any", "null"):
        text = a[0].sql
        aware = exp.TryCast(this=text, to=exp.DataType.build("TIMESTAMPTZ"))
        has_zone = call("regexp_matches", text.copy(), _s(r"(Z|[+-]\d\d:?\d\d)$"))
        naive = _from_local(exp.TryCast(this=text.copy(), to=exp.DataType.build("TIMESTAMP")), s)
        return E(exp.Case(ifs=[exp.If(this=has_zone, true=aware)], default=naive), "datetime")
    return E(_absolute(a[0], s), "datetime")


def _part(name: str, t: str = "int") -> Fn:
    return Fn(1, 2, lambda a, s, p: E(call(name, _local(a[0], s)), t))


def _date_diff(a: list[E], s: Settings, p: list[E]) -> E:
    unit = _unit(a[0])
    start, end = _local(a[1], s), _local(a[2], s)
    return E(call("date_diff", _s(unit), start, end), "int")


def _interval(unit: str, n: exp.Expr) -> exp.Expr:
    count: exp.Expr = exp.cast(n, "BIGINT")
    if unit == "quarter":
        count = exp.Mul(this=count, expression=exp.Literal.number(3))
    return call(_INTERVALS[unit], count)


def _shift(unit: str | None, sign: int, order: str = "xn") -> Fn:
    """addDays(x, n) / dateAdd('day', n, x) / dateSub(…): a Date stays a Date."""

    def build(a: list[E], s: Settings, p: list[E]) -> E:
        if unit is None:
            u, n, x = _unit(a[0]), a[1], a[2]
            if order == "uxn" and a[2].t == "int" and a[1].t != "int":
                n, x = a[2], a[1]
        else:
            u, x, n = unit, a[0], a[1]
        interval = _interval(u, n.sql)
        base = x.sql if x.t in ("date", "datetime") else _absolute(x, s)
        moved: exp.Expr = (exp.Add if sign > 0 else exp.Sub)(this=base, expression=interval)
        if x.t == "date":
            return E(exp.cast(moved, "DATE"), "date")
        return E(moved, "datetime")

    return Fn(2 if unit else 3, 2 if unit else 3, build)


def _interval_fn(unit: str) -> Fn:
    return Fn(1, 1, lambda a, s, p: E(_interval(unit, a[0].sql), "interval"))


_MONTHS = exp.Array(
    expressions=[
        _s(m)
        for m in (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        )
    ]
)


def _date_name(a: list[E], s: Settings, p: list[E]) -> E:
    unit = (
        _unit(a[0])
        if not (isinstance(a[0].sql, exp.Literal) and a[0].sql.name == "weekday")
        else "weekday"
    )
    local = _local(a[1], s)
    if unit == "month":
        return E(call("monthname", local), "str")
    if unit == "weekday":
        return E(call("dayname", local), "str")
    return E(exp.cast(call("date_part", _s(unit), local), "VARCHAR"), "str")


def _now(a: list[E], s: Settings, p: list[E]) -> E:
    stamp = s.now.isoformat()
    return E(exp.cast(_s(stamp), "TIMESTAMPTZ"), "datetime")


def _today(days: int) -> Fn:
    def build(a: list[E], s: Settings, p: list[E]) -> E:
        from zoneinfo import ZoneInfo

        day = s.now.astimezone(ZoneInfo(s.timezone)).date() - timedelta(days=days)
        return E(exp.cast(_s(day.isoformat()), "DATE"), "date")

    return Fn(0, 0, build)


def _format(a: list[E], s: Settings, p: list[E]) -> E:
    return E(call("strftime", _local(a[0], s), a[1].sql), "str")


def _yyyymm(days: bool) -> Fn:
    def build(a: list[E], s: Settings, p: list[E]) -> E:
        local = _local(a[0], s)
        value: Any = exp.Add(
            this=exp.Mul(this=call("year", local), expression=exp.Literal.number(100)),
            expression=call("month", local.copy()),
        )
        if days:
            value = exp.Add(
                this=exp.Mul(this=exp.Paren(this=value), expression=exp.Literal.number(100)),
                expression=call("day", local.copy()),
            )
        return E(value, "int")

    return Fn(1, 2, build)


DATE_FUNCTIONS: dict[str, Fn] = {
    "now": Fn(0, 1, _now),
    "today": _today(0),
    "yesterday": _today(1),
    "toStartOfMinute": _trunc("minute", False),
    "toStartOfFiveMinutes": _bucket(5),
    "toStartOfTenMinutes": _bucket(10),
    "toStartOfFifteenMinutes": _bucket(15),
    "toStartOfHour": _trunc("hour", False),
    "toStartOfInterval": Fn(2, 3, _interval_start),
    "toStartOfDay": _trunc("day", False),
    "toStartOfWeek": Fn(1, 3, _week),
    "toMonday": Fn(1, 2, lambda a, s, p: E(_week_start(_local(a[0], s), 1), "date")),
    "toStartOfMonth": _trunc("month", True),
    "toStartOfQuarter": _trunc("quarter", True),
    "toStartOfYear": _trunc("year", True),
    "dateTrunc": Fn(
        2,
        3,
        lambda a, s, p: E(
            _from_local(call("date_trunc", _s(_unit(a[0])), _local(a[1], s)), s), "datetime"
        ),
    ),
    "date_trunc": Fn(
        2,
        3,
        lambda a, s, p: E(
            _from_local(call("date_trunc", _s(_unit(a[0])), _local(a[1], s)), s), "datetime"
        ),
    ),
    "toDate": Fn(1, 2, _to_date),
    "toDateOrNull": Fn(1, 1, _to_date),
    "toDateTime": Fn(1, 2, _to_datetime),
    "toDateTime64": Fn(1, 3, _to_datetime),
    "toDateTimeOrNull": Fn(1, 2, _to_datetime),
    "parseDateTimeBestEffort": Fn(1, 2, _to_datetime),
    "parseDateTimeBestEffortOrNull": Fn(1, 2, _to_datetime),
    "toTimeZone": Fn(2, 2, lambda a, s, p: E(_absolute(a[0], s), "datetime")),
    "fromUnixTimestamp": Fn(1, 1, lambda a, s, p: E(call("to_timestamp", a[0].sql), "datetime")),
    "fromUnixTimestamp64Milli": Fn(
        1, 1, lambda a, s, p: E(call("epoch_ms", exp.cast(a[0].sql, "BIGINT")), "datetime")
    ),
    "toUnixTimestamp": Fn(
        1, 2, lambda a, s, p: E(exp.cast(call("epoch", _absolute(a[0], s)), "BIGINT"), "int")
    ),
    "toYear": _part("year"),
    "toQuarter": _part("quarter"),
    "toMonth": _part("month"),
    "toDayOfMonth": _part("day"),
    "toDayOfWeek": _part("isodow"),
    "toDayOfYear": _part("dayofyear"),
    "toHour": _part("hour"),
    "toMinute": _part("minute"),
    "toSecond": _part("second"),
    "toISOWeek": _part("week"),
    "toISOYear": _part("isoyear"),
    "toYYYYMM": _yyyymm(False),
    "toYYYYMMDD": _yyyymm(True),
    "dateDiff": Fn(3, 4, _date_diff),
    "date_diff": Fn(3, 4, _date_diff),
    "dateAdd": _shift(None, 1, "uxn"),
    "date_add": _shift(None, 1, "uxn"),
    "dateSub": _shift(None, -1, "uxn"),
    "date_sub": _shift(None, -1, "uxn"),
    "dateName": Fn(2, 3, _date_name),
    "formatDateTime": Fn(2, 3, _format),
    **{f"add{u.title()}s": _shift(u, 1) for u in _INTERVALS},
    **{f"subtract{u.title()}s": _shift(u, -1) for u in _INTERVALS},
    **{f"toInterval{u.title()}": _interval_fn(u) for u in _INTERVALS},
}
