"""Query answers as tidy, typed DataFrames (pure): one function per answer shape.

``QUERY_KINDS`` (``kinds.py``) says which one each query kind uses. HogQL columns are typed
from ``types``; the insight kinds' frames are in ``insights/``.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from .._core.framing import DATETIME as FRAME_DATETIME
from .._core.framing import read_column

if TYPE_CHECKING:
    import pandas as pd

# Microseconds, not nanoseconds: DateTime64 reaches 2299 and Date32 2299, past the year
# 2262 where nanoseconds stop (frames.py, Rule 2).
DATETIME = FRAME_DATETIME
DATE = "datetime64[us]"


# ---- HogQL column types -> pandas dtypes ------------------------------------------------------

_WRAPPERS = re.compile(r"^(?:Nullable|LowCardinality)\((.*)\)$")


def base_type(clickhouse_type: str) -> str:
    """``Nullable(LowCardinality(String))`` -> ``String``."""
    text = clickhouse_type.strip()
    while (found := _WRAPPERS.match(text)) is not None:
        text = found[1].strip()
    return text


def dtype_for(clickhouse_type: str) -> str:
    """The pandas dtype for a ClickHouse type: DateTime* -> UTC datetimes, Date -> dates,
    integers -> nullable ``Int64``, floats/decimals -> ``Float64``, Bool -> ``boolean``,
    strings/UUIDs/enums -> ``string``, anything else (arrays, maps, tuples) -> ``object``."""
    base = base_type(clickhouse_type)
    if base.startswith("DateTime"):
        return DATETIME
    if base in ("Date", "Date32"):
        return DATE
    if re.fullmatch(r"U?Int\d+", base):
        return "Int64"
    if re.fullmatch(r"Float\d+", base) or base.startswith("Decimal"):
        return "Float64"
    if base in ("Bool", "Boolean"):
        return "boolean"
    if base in ("String", "UUID") or base.startswith(("FixedString", "Enum")):
        return "string"
    return "object"


def _series(name: str, values: list[Any], dtype: str) -> pd.Series:
    """A typed column; a value that does not fit is read by frames' Rule 1 (with a warning)."""
    import pandas as pd

    if dtype == DATE:  # no time zone: read as UTC, then dropped
        return pd.Series(read_column(name, DATETIME, values)).dt.tz_localize(None)
    if dtype == "Int64":
        try:
            numbers = [None if v is None else int(v) for v in values]  # UInt64 may come as text
        except (TypeError, ValueError, OverflowError):
            return pd.Series(read_column(name, dtype, values))
        if any(n is not None and n > 2**63 - 1 for n in numbers):
            # only past Int64's range: keep the exact value
            return pd.Series(pd.Series(numbers, dtype="object").astype("UInt64"))
        values = numbers
    if dtype == "Float64" and any(isinstance(v, float) and math.isnan(v) for v in values):
        return _with_nan(name, values)
    return pd.Series(read_column(name, dtype, values))


def _with_nan(name: str, values: list[Any]) -> pd.Series:
    """A Float64 column holding NaN as a value (ClickHouse's 0/0, restored from PostHog's
    ``::nan!`` marker), apart from the missing ones: pandas reads NaN as NA otherwise."""
    import numpy as np
    import pandas as pd

    try:
        data = np.array([math.nan if v is None else float(v) for v in values], dtype="float64")
    except (TypeError, ValueError):
        return pd.Series(read_column(name, "Float64", values))
    mask = np.array([v is None for v in values], dtype=bool)
    return pd.Series(pd.arrays.FloatingArray(data, mask))


def hogql_frame(raw: dict[str, Any], query: dict[str, Any] | None = None) -> pd.DataFrame:
    """A HogQL answer as a typed DataFrame (columns from ``columns``, dtypes from ``types``)."""
    import pandas as pd

    columns = [str(c) for c in raw.get("columns") or []]
    types = {str(pair[0]): str(pair[1]) for pair in raw.get("types") or [] if len(pair) == 2}
    rows = raw.get("results") or []
    data = {}
    for index, name in enumerate(columns):
        values = [row[index] if index < len(row) else None for row in rows]
        data[index] = _series(name, values, dtype_for(types.get(name, "")))
    frame = pd.DataFrame(data)
    frame.columns = pd.Index(columns)  # duplicate names (``SELECT 1, 1``) stay as PostHog sent them
    return frame


# ---- TrendsQuery -> one row per series x breakdown x bucket ------------------------------------


def other_frame(raw: dict[str, Any], query: dict[str, Any] | None = None) -> pd.DataFrame:
    """Kinds without a tidy frame (EventsQuery, …): their ``results`` as PostHog sent them."""
    import pandas as pd

    results = raw.get("results")
    if isinstance(results, list) and results and all(isinstance(r, dict) for r in results):
        return pd.json_normalize(results)
    if isinstance(results, list):
        return pd.DataFrame({"result": pd.Series(results, dtype="object")})
    return pd.DataFrame({"result": pd.Series([results], dtype="object")})
