"""Records → pandas DataFrames from a declared list of columns (generic: no model knows here).

Frames are built straight from the raw JSON dicts (no per-row pydantic objects), one page
at a time: :class:`FrameBuilder` keeps only the declared columns' values, so a long fetch
holds column lists rather than every record. An empty result has the same columns and
dtypes as a full one. The column maps of each resource are in ``envnb.batch_exports.frames``.

Rule 1: the frame is never lost to one odd value. A value from the server that does not
fit its column's type is read the way the typed objects of ``list()`` / ``get()`` read it
(``envnb._core.models``, Rule 1): converted as pydantic's lax mode does (``paused: 0`` →
False, ``3.0`` → 3) or else read as missing (``offset_hour: 3.5``, an integer beyond
int64, a date that does not parse). One :class:`envnb.errors.DataWarning` per column names
the rows (position and id), the column, the values and what they became.
Rule 2: datetime columns are ``datetime64[us, UTC]``: microsecond resolution holds every
date PostHog can return (years 1-9999, e.g. the ``9999-12-31T23:59:59Z`` "forever"
sentinel), where nanoseconds stop in 2262.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any

from ..errors import DataWarning
from .models import describe_misfit, fit_value
from .notebook import Progress, progress_bar

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported inside the functions that build frames: ``import envnb`` stays quick.

DATETIME = "datetime64[us, UTC]"


@dataclass(frozen=True)
class Column:
    """One frame column: its name, pandas dtype, and how to read it from a record."""

    name: str
    dtype: str  # "string" | "boolean" | "Int64" | "Float64" | DATETIME | "category" | "object"
    path: tuple[str | int, ...] = ()
    categories: tuple[str, ...] = ()
    each: Callable[[Any], Any] | None = None  # applied to the value at ``path`` unless None

    def get(self, record: dict[str, Any]) -> Any:
        """Read this column's value from a record (None when absent)."""
        value = self.at_path(record)
        return value if value is None or self.each is None else self.each(value)

    def at_path(self, record: dict[str, Any]) -> Any:
        """The record's value at this column's path, before ``each`` (None when absent)."""
        value: Any = record
        for key in self.path or (self.name,):
            if isinstance(key, int):
                value = value[key] if isinstance(value, list) and len(value) > key else None
            else:
                value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                return None
        return value


class FrameBuilder:
    """Accumulates pages of records as per-column value lists; ``build()`` makes the frame."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self._values: list[list[Any]] = [[] for _ in self.columns]
        self.rows = 0

    def add(self, records: Iterable[dict[str, Any]]) -> int:
        """Take the declared columns from these records; return how many were added."""
        records = records if isinstance(records, list) else list(records)
        for col, values in zip(self.columns, self._values, strict=True):
            read = _read(col, records)
            if col.each is not None:  # called only where there is a value (often none is)
                read = [None if v is None else col.each(v) for v in read]
            values.extend(read)
        self.rows += len(records)
        return len(records)

    def build(self) -> pd.DataFrame:
        """Return the DataFrame with the declared dtypes (same columns when empty).

        Values that do not fit their column become missing, with a :class:`DataWarning`.
        """
        import pandas as pd

        names = [c.name for c in self.columns]
        # The id list itself, not a copy (a copy touches 20,000 strings): the loop below
        # only rebinds its slot, so the list stays whole for the warnings.
        ids = self._values[names.index("id")] if "id" in names else None
        data: dict[str, Any] = {}
        for i, col in enumerate(self.columns):
            data[col.name], bad = _convert(col, self._values[i])
            self._values[i] = []  # release as we go: keeps the peak low
            if bad:
                warnings.warn(DataWarning(_misfit_message(col, bad, ids)), stacklevel=2)
        return pd.DataFrame(data, copy=False)


def _read(col: Column, records: list[dict[str, Any]]) -> Any:
    """The raw values of ``col`` in ``records`` (before ``each``), without a call per row."""
    path = col.path or (col.name,)
    if len(path) == 1 and type(path[0]) is str:
        # map(dict.get, …) is about twice as fast as a comprehension calling r.get.
        return map(dict.get, records, repeat(path[0]))
    if len(path) == 2 and type(path[0]) is str and type(path[1]) is str:
        # A nested field (``user.email``): dict.get mapped twice while every outer value
        # is an object (dict.get refuses anything else), else one comprehension.
        outer: list[Any] = list(map(dict.get, records, repeat(path[0])))
        try:
            return list(map(dict.get, outer, repeat(path[1])))
        except TypeError:
            return [v.get(path[1]) if type(v) is dict else None for v in outer]
    return [col.at_path(r) for r in records]


# The Python type each column holds (None is always missing); values of another type are
# read one by one with models.common.fit_value, the same rule as the typed objects.
_KIND: dict[str, type] = {
    "string": str,
    "category": str,
    "boolean": bool,
    "Int64": int,
    "Float64": float,
    DATETIME: str,  # the wire form; parsed below
}
_ALSO_EXACT: dict[str, set[type]] = {"Float64": {int}, DATETIME: {datetime}}
_INT64 = (-(2**63), 2**63 - 1)
_SHOWN = 5  # misfits quoted per warning

Misfit = tuple[int, Any, Any]  # (row, the server's value, what it was read as: None = missing)


def _convert(col: Column, values: list[Any]) -> tuple[Any, list[Misfit]]:
    """The column's array, and the values that did not fit (converted or read as missing)."""
    import pandas as pd

    if col.dtype == "object":
        return pd.Series(values, dtype=object), []
    if col.dtype == "string" and (texts := _arrow_texts(values)) is not None:
        return texts, []
    distinct = _distinct(values) if col.dtype == "category" else None
    kinds = set(map(type, values if distinct is None else distinct))
    kinds.discard(type(None))
    if kinds <= {_KIND[col.dtype]} | _ALSO_EXACT.get(col.dtype, set()):
        try:
            return _array(col, values, distinct), []
        except (TypeError, ValueError, OverflowError):  # out of range, or an odd date
            pass
    fitted, bad = _fit_each(col, values)
    return (_datetimes(fitted) if col.dtype == DATETIME else _array(col, fitted)), bad


def _arrow_texts(values: list[Any]) -> Any:
    """A "string" column in one pass of pyarrow's when pandas keeps strings in pyarrow and
    every value is text or None; else None (read by type below). Checking the types first
    and then converting passes over every value twice, and each pass costs a cache miss a
    value on a long column. (A ``str`` subclass, such as an enum member, is read as its
    text here; JSON has none.)"""
    import pandas as pd
    import pyarrow as pa

    if pd.StringDtype().storage != "pyarrow":
        return None
    try:
        texts = pa.array(values)  # infers: text only → string; bytes → binary; else raises
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    if texts.type != pa.string():
        return None  # all None (null), bytes (binary), a long column (large_string): below
    return pd.array(texts, dtype="string")


def _distinct(values: list[Any]) -> set[Any] | None:
    """The distinct values (None when one is unhashable). Each value of a long column is
    its own object somewhere in memory: a category's types are read from its few distinct
    values, one pass over the column fewer."""
    try:
        return set(values)
    except TypeError:  # a list or an object where a name belongs: read value by value
        return None


def _array(col: Column, values: list[Any], distinct: set[Any] | None = None) -> Any:
    import pandas as pd

    dtype: Any = col.dtype  # a string from the declared map; pandas-stubs wants literals
    if col.dtype == DATETIME:
        parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
        return parsed.astype(dtype)
    if col.dtype == "category":
        import numpy as np

        known = list(col.categories)
        extra = sorted((set(values) if distinct is None else distinct).difference(known, (None,)))
        names = [*known, *extra]
        # Codes by one dict lookup a value: several times faster than pd.Categorical(values).
        code = {name: i for i, name in enumerate(names)}
        codes = np.fromiter(map(code.get, values, repeat(-1)), dtype=np.int32, count=len(values))
        return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(names)))
    if col.dtype in _MASKED:
        return _masked(values, *_MASKED[col.dtype])
    return pd.array(values, dtype=dtype)


# Masked columns built from a values array and a missing mask: pd.array() reads a list
# holding None value by value (about 2 ms for 20,000 rows, nothing when there is no None).
_MASKED = {"Int64": ("int64", "IntegerArray"), "boolean": ("bool", "BooleanArray")}


def _masked(values: list[Any], numpy_dtype: str, array: str) -> Any:
    """``values`` (all of the column's kind, or None) as a pandas masked array."""
    import numpy as np
    import pandas as pd

    objects = np.array(values, dtype=object)
    missing = objects == None  # noqa: E711 (elementwise: a bool array)
    # A Python int beyond int64 raises OverflowError here: _convert reads it as missing.
    data = np.where(missing, 0, objects).astype(numpy_dtype)
    return getattr(pd.arrays, array)(data, missing)


def _fit_each(col: Column, values: list[Any]) -> tuple[list[Any], list[Misfit]]:
    """Read value by value; each that is not of the column's type is noted."""
    kind = datetime if col.dtype == DATETIME else _KIND[col.dtype]
    out: list[Any] = []
    bad: list[Misfit] = []
    for row, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        fitted, converted = fit_value(kind, value)
        if kind is datetime and fitted is not None:
            converted = not isinstance(value, str | datetime)  # ISO text is the wire form
        elif kind is int and fitted is not None and not _INT64[0] <= fitted <= _INT64[1]:
            fitted, converted = None, True
        if converted:
            bad.append((row, value, fitted))
        out.append(fitted)
    return out, bad


def _datetimes(values: list[Any]) -> Any:
    """A ``datetime64[us, UTC]`` series from datetimes and None (any year 1-9999)."""
    import numpy as np
    import pandas as pd

    naive = [None if v is None else _utc_naive(v) for v in values]
    return pd.Series(np.array(naive, dtype="datetime64[us]")).dt.tz_localize("UTC")


def _utc_naive(when: datetime) -> datetime | None:
    if when.tzinfo is None:
        return when  # no offset: read as UTC, as pandas does
    try:
        return when.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # an offset that moves it past year 1 or 9999
        return None


def _misfit_message(col: Column, bad: list[Misfit], ids: list[Any] | None) -> str:
    shown = []
    for row, value, became in bad[:_SHOWN]:
        where = f"row {row}" + (f" (id {ids[row]!r})" if ids is not None else "")
        shown.append(f"{where}: {describe_misfit(value, became)}")
    more = f"; and {len(bad) - _SHOWN} more" if len(bad) > _SHOWN else ""
    return (
        f"column {col.name!r} ({col.dtype}): {len(bad)} value(s) from the server did not fit: "
        f"{'; '.join(shown)}{more}"
    )


class FrameSink:
    """Pages in, one DataFrame out: a :class:`FrameBuilder` and, optionally, a progress bar."""

    def __init__(self, columns: Sequence[Column], progress: bool | None) -> None:
        """``progress``: show a tqdm bar (None: only in a notebook)."""
        self.builder = FrameBuilder(columns)
        self.progress = progress
        self.bar: Progress | None = None

    def start(self, total: int | None) -> None:
        """The first page arrived: ``total`` rows to expect (None when unknown)."""
        self.bar = progress_bar(self.progress, total, "fetching")

    def add(self, rows: list[dict[str, Any]]) -> None:
        """One page's rows."""
        added = self.builder.add(rows)
        if self.bar is not None:
            self.bar.update(added)

    def reset(self) -> None:
        """Forget every row added (the list is read again from the start)."""
        self.builder = FrameBuilder(self.builder.columns)
        self.close()
        self.bar = None

    def close(self) -> None:
        """Close the progress bar (call in ``finally``)."""
        if self.bar is not None:
            self.bar.close()


def read_column(name: str, dtype: str, values: list[Any]) -> Any:
    """One column of a declared dtype from raw values, by Rule 1 (a DataWarning per misfit)."""
    col = Column(name, dtype)
    array, bad = _convert(col, values)
    if bad:
        warnings.warn(DataWarning(_misfit_message(col, bad, None)), stacklevel=3)
    return array


def frame_from_records(
    records: Iterable[dict[str, Any]], columns: Sequence[Column]
) -> pd.DataFrame:
    """Build a frame from records in one go."""
    builder = FrameBuilder(columns)
    builder.add(records)
    return builder.build()


def dtypes_of(columns: Sequence[Column]) -> dict[str, str]:
    """The declared column→dtype map (for docs and tests)."""
    return {c.name: c.dtype for c in columns}


def len_or_none(value: Any) -> int | None:
    """How many items a list or dict field holds (a count column); None for anything else."""
    return len(value) if isinstance(value, list | dict) else None
