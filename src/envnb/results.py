"""Query API answers as data: the request body for a query, ``QueryResult`` and its frames,
and the queries carried by PostHog AI's chart messages. Pure: no I/O.

Shapes follow PostHog (posthog-api-contract §7–§8, PH:posthog/api/query.py,
PH:frontend/src/queries/schema/schema-general.ts):

- HogQLQuery answers ``columns``, ``types`` (``[name, ClickHouseType]`` pairs), ``results``
  (rows), and, when the query had no LIMIT, ``hasMore``/``limit``/``offset`` (100 rows).
- TrendsQuery answers ``results``: one object per series (and per breakdown value) with
  ``data`` per bucket, ``days`` (ISO dates), ``label``, ``action``, ``breakdown_value``;
  aggregated displays put the total in ``aggregated_value`` with empty ``data``.
- ``ai/viz`` carries the title in ``query`` and the query object in ``answer``;
  ``ai/multi_viz`` has ``visualizations`` of the same shape; a visualization
  ``ai/artifact`` has ``content = {content_type: "visualization", query, name?}``.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._framing import DATETIME as FRAME_DATETIME
from ._framing import read_column
from .errors import RequestValidationError
from .query.insights import insight_frame

if TYPE_CHECKING:
    import pandas as pd

REFRESH_MODES = (
    "blocking",
    "async",
    "force_blocking",
    "force_async",
    "force_cache",
    "lazy_async",
    "async_except_on_cache_miss",
)
ASYNC_MODES = ("async", "force_async", "lazy_async", "async_except_on_cache_miss")
# PostHog AI's own query kinds and the query-API kinds its web app sends in their place.
_ASSISTANT_KINDS = {
    "AssistantHogQLQuery": "HogQLQuery",
    "AssistantTrendsQuery": "TrendsQuery",
    "AssistantFunnelsQuery": "FunnelsQuery",
    "AssistantRetentionQuery": "RetentionQuery",
}
# Microseconds, not nanoseconds: DateTime64 reaches 2299 and Date32 2299, past the year
# 2262 where nanoseconds stop (frames.py, Rule 2).
DATETIME = FRAME_DATETIME
DATE = "datetime64[us]"


class TruncatedResultWarning(UserWarning):
    """PostHog returned only the first rows (``hasMore``): add a LIMIT (up to 50,000)."""


def query_body(query: object) -> dict[str, Any]:
    """The query object to send: a HogQL string becomes a HogQLQuery; PostHog AI's
    ``Assistant*Query`` kinds become the kinds the query API runs; any other ``kind`` is
    passed through. Raises RequestValidationError (attr ``query``) for anything else."""
    if isinstance(query, str):
        if not query.strip():
            raise RequestValidationError("query: the HogQL text is empty", attr="query")
        return {"kind": "HogQLQuery", "query": query}
    if not isinstance(query, dict) or not isinstance(query.get("kind"), str):
        raise RequestValidationError(
            "query must be a HogQL string or a query object with a 'kind' "
            f"(e.g. {{'kind': 'HogQLQuery', 'query': 'SELECT ...'}}), not {type(query).__name__}",
            attr="query",
        )
    body = copy.deepcopy(query)
    body["kind"] = _ASSISTANT_KINDS.get(body["kind"], body["kind"])
    return body


def check_refresh(refresh: object) -> str | None:
    """``refresh`` validated against PostHog's modes (None = the server's default)."""
    if refresh is None:
        return None
    if refresh not in REFRESH_MODES:
        raise RequestValidationError(
            f"refresh must be one of {', '.join(REFRESH_MODES)}; got {refresh!r}",
            attr="refresh",
            allowed=REFRESH_MODES,
        )
    return str(refresh)


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
    return pd.Series(read_column(name, dtype, values))


def hogql_frame(raw: dict[str, Any]) -> pd.DataFrame:
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


def other_frame(raw: dict[str, Any]) -> pd.DataFrame:
    """Kinds without a tidy frame (EventsQuery, …): their ``results`` as PostHog sent them."""
    import pandas as pd

    results = raw.get("results")
    if isinstance(results, list) and results and all(isinstance(r, dict) for r in results):
        return pd.json_normalize(results)
    if isinstance(results, list):
        return pd.DataFrame({"result": pd.Series(results, dtype="object")})
    return pd.DataFrame({"result": pd.Series([results], dtype="object")})


@dataclass(frozen=True)
class QueryResult:
    """One answer of the query API.

    ``query`` is the query object that was sent; ``raw`` the response JSON; ``df`` a tidy,
    typed DataFrame (HogQL: the rows, dtypes from ``types``; Trends: one row per series ×
    breakdown × bucket with ``date``, ``series``, ``breakdown_value``, ``value``);
    ``columns`` the frame's columns; ``results`` the raw ``results``; ``hogql`` the HogQL
    PostHog ran (None when it did not say); ``has_more`` True when PostHog kept rows back
    (its 100-row default: add a LIMIT, up to 50,000).
    """

    query: dict[str, Any]
    raw: dict[str, Any]
    _frame: list[pd.DataFrame] = field(default_factory=list, repr=False, compare=False)
    # Set by the sync Client: reads the people behind a point (``actors_df``).
    _actors: Callable[..., pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    @property
    def kind(self) -> str:
        """The query's ``kind``."""
        return str(self.query.get("kind"))

    @property
    def df(self) -> pd.DataFrame:
        """The answer as a DataFrame (built once; a copy is returned so edits stay local)."""
        if not self._frame:
            found = insight_frame(self.raw, self.query)
            if found is not None:
                frame = found
            elif self.kind == "HogQLQuery" or "types" in self.raw:
                frame = hogql_frame(self.raw)
            else:
                frame = other_frame(self.raw)
            frame.attrs["has_more"] = self.has_more
            self._frame.append(frame)
        return self._frame[0].copy()

    def actors_df(self, *, properties: bool | list[str] = False, **point: object) -> pd.DataFrame:
        """The people behind one number of this answer (points as ``Client.actors_df``);
        days, breakdown values and cohorts are checked against this answer first.
        On an AsyncClient's result use ``await aclient.actors_df(result.query, **point)``."""
        if self._actors is None:
            raise RequestValidationError(
                "actors_df: this result came from an AsyncClient; "
                "use `await aclient.actors_df(result.query, **point)`",
                attr="query",
            )
        return self._actors(self.query, point, self.df, properties)

    @property
    def columns(self) -> list[str]:
        """Column names of ``df``."""
        if "columns" in self.raw and (self.kind == "HogQLQuery" or "types" in self.raw):
            return [str(c) for c in self.raw["columns"]]
        return [str(c) for c in self.df.columns]

    @property
    def results(self) -> Any:
        """``results`` exactly as PostHog sent them."""
        return self.raw.get("results")

    @property
    def hogql(self) -> str | None:
        """The HogQL PostHog ran for this query, when it says."""
        value = self.raw.get("hogql")
        return value if isinstance(value, str) else None

    @property
    def has_more(self) -> bool:
        """True when PostHog returned only the first rows."""
        return self.raw.get("hasMore") is True

    def warn_if_truncated(self) -> None:
        """Say (as a TruncatedResultWarning) that rows were held back, instead of silently."""
        if self.has_more:
            limit = self.raw.get("limit") or 100
            warnings.warn(
                f"PostHog returned only the first {limit} rows of this {self.kind} (hasMore); "
                "add an explicit LIMIT (up to 50,000) to get more.",
                TruncatedResultWarning,
                stacklevel=3,
            )

    def _repr_html_(self) -> str:
        """In a notebook: the kind's chart, the first rows and the query (static HTML)."""
        try:
            from .widgets._charts import result_html
        except ImportError:  # without the notebook extra: the table alone
            return str(self.df.head(20).to_html(index=False, escape=True, border=0, na_rep=""))
        return result_html(self)

    def __repr__(self) -> str:
        rows = len(self.results) if isinstance(self.results, list) else 0
        more = ", more rows on the server (add a LIMIT)" if self.has_more else ""
        return f"<QueryResult {self.kind}: {rows} result{'s' if rows != 1 else ''}{more}>"


# ---- the queries PostHog AI's messages carry ---------------------------------------------------


@dataclass(frozen=True)
class Visualization:
    """One chart of a reply: its ``title``, the ``query`` object to run and the message id."""

    title: str
    query: dict[str, Any]
    message_id: str | None = None

    def body(self) -> dict[str, Any]:
        """The query as the query API takes it."""
        return query_body(self.query)


def _field(message: Any, name: str) -> Any:
    if isinstance(message, dict):
        return message.get(name)
    value = getattr(message, name, None)
    if value is None:
        extra = getattr(message, "model_extra", None) or {}
        value = extra.get(name)
    return value


def _viz(item: Any, title: Any, message_id: Any) -> Visualization | None:
    if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
        return None
    name = title if isinstance(title, str) and title.strip() else item["kind"]
    return Visualization(
        name, copy.deepcopy(item), message_id if isinstance(message_id, str) else None
    )


def visualizations(messages: Iterable[Any]) -> list[Visualization]:
    """Every query the messages carry, in order: each ``ai/viz`` answer, each ``ai/multi_viz``
    visualization, each visualization artifact's query (models or plain dicts)."""
    out: list[Visualization] = []
    for message in messages:
        kind = _field(message, "type")
        message_id = _field(message, "id")
        found: list[Visualization | None] = []
        if kind == "ai/viz":
            found.append(_viz(_field(message, "answer"), _field(message, "query"), message_id))
        elif kind == "ai/multi_viz":
            for item in _field(message, "visualizations") or []:
                if isinstance(item, dict):
                    found.append(_viz(item.get("answer"), item.get("query"), message_id))
        elif kind == "ai/artifact":
            content = _field(message, "content")
            if isinstance(content, dict) and content.get("content_type") == "visualization":
                found.append(_viz(content.get("query"), content.get("name"), message_id))
        out += [viz for viz in found if viz is not None]
    return out
