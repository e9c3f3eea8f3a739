"""Records → pandas DataFrames from a declared list of columns (generic: no model knows here).

Frames are built straight from the raw JSON dicts (no per-row pydantic objects), one page
at a time: :class:`FrameBuilder` keeps only the declared columns' values, so a long fetch
holds column lists rather than every record. An empty result has the same columns and
dtypes as a full one. The column maps of each resource are in ``envnb.frames``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._notebook import Progress, progress_bar

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported inside the functions that build frames: ``import envnb`` stays quick.

DATETIME = "datetime64[ns, UTC]"


@dataclass(frozen=True)
class Column:
    """One frame column: its name, pandas dtype, and how to read it from a record."""

    name: str
    dtype: str  # "string" | "boolean" | "Int64" | "Float64" | DATETIME | "category" | "object"
    path: tuple[str | int, ...] = ()
    categories: tuple[str, ...] = ()
    derive: Callable[[dict[str, Any]], Any] | None = None

    def get(self, record: dict[str, Any]) -> Any:
        """Read this column's raw value from a record (None when absent)."""
        if self.derive is not None:
            return self.derive(record)
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
            if col.derive is None and len(col.path) <= 1:
                key = col.path[0] if col.path else col.name
                values.extend([r.get(key) for r in records])  # type: ignore[arg-type]
            else:
                values.extend([col.get(r) for r in records])
        self.rows += len(records)
        return len(records)

    def build(self) -> pd.DataFrame:
        """Return the DataFrame with the declared dtypes (same columns when empty)."""
        import pandas as pd

        data: dict[str, Any] = {}
        for i, col in enumerate(self.columns):
            data[col.name] = _convert(col, self._values[i])
            self._values[i] = []  # release as we go: keeps the peak low
        return pd.DataFrame(data, copy=False)


def _convert(col: Column, values: list[Any]) -> Any:
    import pandas as pd

    dtype: Any = col.dtype  # a string from the declared map; pandas-stubs wants literals
    if col.dtype == DATETIME:
        if not values:
            return pd.Series([], dtype=DATETIME)
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601").astype(
            dtype
        )
    if col.dtype == "category":
        known = list(col.categories)
        seen = set(known)
        extra = sorted({v for v in values if v is not None and v not in seen}, key=str)
        cats = pd.CategoricalDtype([*known, *extra])
        return pd.Series(pd.Categorical(values, dtype=cats))
    if col.dtype == "string":
        return pd.array(
            [v if v is None or isinstance(v, str) else str(v) for v in values], dtype="string"
        )
    if col.dtype == "object":
        return pd.Series(values, dtype=object)
    return pd.array(values, dtype=dtype)


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

    def close(self) -> None:
        """Close the progress bar (call in ``finally``)."""
        if self.bar is not None:
            self.bar.close()


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
