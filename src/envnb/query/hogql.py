"""HogQL literals and ``{var}`` substitution for ``%%hogql``. Pure: no I/O.

Rules:
1. A value becomes a HogQL *literal*, never SQL text: strings are single-quoted with
   backslash escapes as PostHog's ``escape_hogql_string`` writes them
   (PH:posthog/hogql/escape_sql.py), so a value containing a quote cannot end the literal
   and change the query.
2. Only ``{name}`` outside string literals and comments is replaced; ``'{name}'`` inside
   quotes is refused (it would be pasted text), as is a name the notebook does not define.
3. Values without a faithful literal (NaN, infinity, ``pd.NaT``, empty lists, objects) are
   refused with a RequestValidationError naming the variable — nothing is sent.
4. A negative number is written in parentheses, ``(-5)``: pasted after a minus sign a bare
   ``-5`` would make ``10--5``, and ``--`` starts a comment that eats the rest of the line.
5. An aware datetime names its zone, ``toDateTime('… UTC-time …', 'UTC')``: PostHog reads a
   zone-less string in the *project's* timezone (PH:posthog/hogql/escape_sql.py,
   ``visit_datetime``, converts to the project zone before writing one), which envnb does
   not know. A naive datetime stays zone-less: it means the project's time, as in PostHog.
6. numpy and pandas scalars (``np.bool_``, ``np.int64``, ``np.float32``, ``pd.Timestamp``)
   are written like the Python values they stand for.
7. ``{filters}`` is PostHog's own placeholder (a SQL insight's filters; ``true`` outside a
   dashboard, contract §15) and ``{variables.x}`` names an insight variable: both are sent
   unchanged for PostHog to fill, so the docs' SQL-insight templates run as written.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

from ..errors import RequestValidationError

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\b": "\\b",
    "\f": "\\f",
    "\r": "\\r",
    "\n": "\\n",
    "\t": "\\t",
    "\0": "\\0",
    "\a": "\\a",
    "\v": "\\v",
}
_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in _ESCAPES))

_TOKENS = re.compile(
    r"(?P<string>'(?:[^'\\]|\\.|'')*'?)"
    r"|(?P<quoted>\"(?:[^\"\\]|\\.)*\"?|`(?:[^`\\]|\\.)*`?)"
    r"|(?P<comment>--[^\r\n]*|/\*.*?(?:\*/|$))"
    r"|(?P<var>\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\})",
    re.S,
)
# Placeholders PostHog fills itself (PH:posthog/hogql/placeholders.py); never notebook values.
_POSTHOG_PLACEHOLDERS = frozenset({"filters"})
_IN_STRING = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


def quote_string(text: str) -> str:
    """``it's`` -> ``'it\\'s'``."""
    return "'" + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text) + "'"


def literal(value: Any, name: str = "value") -> str:
    """The HogQL literal for a Python value (str, int, float, bool, None, date, datetime,
    Decimal, or a non-empty list/tuple/set of those -> a tuple for ``IN``)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool) or _dtype_kind(value) == "b":  # np.bool_ is no bool
        return "true" if value else "false"
    if isinstance(value, str):
        return quote_string(value)
    if _is_missing_time(value):
        raise _bad(name, value, "it is a missing time (NaT); filter it out or use None")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return f"toDateTime({quote_string(value.isoformat(sep=' '))})"
        utc = value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"toDateTime({quote_string(utc.isoformat(sep=' '))}, 'UTC')"
    if isinstance(value, dt.date):
        return f"toDate({quote_string(value.isoformat())})"
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise _bad(name, value, "it is not a finite number")
        return _signed(str(value))
    if isinstance(value, numbers.Integral):
        return _signed(str(int(value)))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise _bad(name, value, "HogQL has no literal for NaN or infinity")
        return _signed(repr(number))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
        if not items:
            raise _bad(name, value, "an empty list cannot be written as a HogQL tuple")
        return "(" + ", ".join(literal(item, name) for item in items) + ")"
    raise _bad(name, value, f"a {type(value).__name__} has no HogQL literal")


def _signed(number: str) -> str:
    """A number's text, in parentheses when negative (rule 4)."""
    return f"({number})" if number.startswith("-") else number


def _dtype_kind(value: Any) -> str | None:
    """numpy's kind letter of a numpy scalar ("b" bool, "M" datetime64…), else None."""
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    return kind if isinstance(kind, str) else None


def _is_missing_time(value: Any) -> bool:
    """``pd.NaT`` (a datetime that is not one) or ``np.datetime64("NaT")``."""
    if type(value).__name__ == "NaTType":
        return True
    return _dtype_kind(value) in ("M", "m") and value != value


def _bad(name: str, value: Any, why: str) -> RequestValidationError:
    shown = type(value).__name__
    return RequestValidationError(f"{{{name}}}: cannot use this {shown} in HogQL: {why}", attr=name)


def substitute(text: str, namespace: Mapping[str, Any]) -> str:
    """Replace each ``{name}`` in HogQL ``text`` with the literal of ``namespace[name]``."""

    def replace(match: re.Match[str]) -> str:
        if match["string"] is not None:
            inside = _IN_STRING.search(match["string"])
            if inside:
                var = inside[1]
                raise RequestValidationError(
                    f"{{{var}}} is inside quotes; write {{{var}}} without quotes — envnb "
                    "quotes the value itself",
                    attr=var,
                )
            return match.group(0)
        if match["var"] is None:
            return match.group(0)
        name = match["name"]
        if name in _POSTHOG_PLACEHOLDERS:
            return match.group(0)
        if name not in namespace:
            raise RequestValidationError(
                f"{{{name}}}: no notebook variable named {name!r}", attr=name
            )
        return literal(namespace[name], name)

    return _TOKENS.sub(replace, text)
