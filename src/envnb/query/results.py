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
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import RequestValidationError
from .kinds import ASSISTANT_KINDS, REFRESH_MODES, ChartStyle, query_kind, tidy_frame

if TYPE_CHECKING:
    import pandas as pd


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
    body["kind"] = ASSISTANT_KINDS.get(body["kind"], body["kind"])
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
    # Set by the Client that ran the query: reads the people behind a point (``actors_df``).
    _actors: Callable[..., pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    @property
    def kind(self) -> str:
        """The query's ``kind``."""
        return str(self.query.get("kind"))

    @property
    def df(self) -> pd.DataFrame:
        """The answer as a DataFrame (built once; a copy is returned so edits stay local)."""
        if not self._frame:
            frame = tidy_frame(self.raw, self.query)
            frame.attrs["has_more"] = self.has_more
            self._frame.append(frame)
        return self._frame[0].copy()

    def actors_df(self, *, properties: bool | list[str] = False, **point: object) -> pd.DataFrame:
        """The people behind one number of this answer (points as ``Client.actors_df``);
        days, breakdown values and cohorts are checked against this answer first.
        An AsyncClient's answer (an AsyncQueryResult) is awaited:
        ``await result.actors_df(**point)``."""
        if self._actors is None:
            raise _unbound()
        return self._actors(self.query, point, self.df, properties)

    @property
    def columns(self) -> list[str]:
        """Column names of ``df``."""
        return [str(c) for c in self.df.columns]

    @property
    def chart(self) -> ChartStyle | None:
        """How the widgets draw ``df`` (None: a table only); from the kind's entry."""
        return query_kind(self.query, self.raw).chart

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
            from ..widgets.kit import result_html
        except ImportError:  # without the notebook extra: the table alone
            return str(self.df.head(20).to_html(index=False, escape=True, border=0, na_rep=""))
        return result_html(self)

    def __repr__(self) -> str:
        rows = len(self.results) if isinstance(self.results, list) else 0
        more = ", more rows on the server (add a LIMIT)" if self.has_more else ""
        return f"<QueryResult {self.kind}: {rows} result{'s' if rows != 1 else ''}{more}>"


@dataclass(frozen=True, repr=False)
class AsyncQueryResult(QueryResult):
    """An AsyncClient's QueryResult: the same answer, whose one network read — the people
    behind a number — is awaited: ``await result.actors_df(step=2, dropped=True)``."""

    _aactors: Callable[..., Awaitable[pd.DataFrame]] | None = field(
        default=None, repr=False, compare=False
    )

    # The one method that differs from a sync result: it reads the network, so it is a
    # coroutine here (as each AsyncClient method is the awaited twin of the Client's).
    async def actors_df(  # type: ignore[override]
        self, *, properties: bool | list[str] = False, **point: object
    ) -> pd.DataFrame:
        """The people behind one number of this answer (points as ``AsyncClient.actors_df``);
        days, breakdown values and cohorts are checked against this answer first."""
        if self._aactors is None:
            raise _unbound()
        return await self._aactors(self.query, point, self.df, properties)


def _unbound() -> RequestValidationError:
    return RequestValidationError(
        "actors_df: this result was made by hand, not returned by a client's query(); "
        "use client.actors_df(result.query, **point)",
        attr="query",
    )


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


def _viz_answer(message: Any) -> Iterator[tuple[Any, Any]]:
    yield _field(message, "answer"), _field(message, "query")


def _multi_viz(message: Any) -> Iterator[tuple[Any, Any]]:
    for item in _field(message, "visualizations") or []:
        if isinstance(item, dict):
            yield item.get("answer"), item.get("query")


def _artifact(message: Any) -> Iterator[tuple[Any, Any]]:
    content = _field(message, "content")
    if isinstance(content, dict) and content.get("content_type") == "visualization":
        yield content.get("query"), content.get("name")


# Message type → the (query, title) pairs a message of that type carries.
VIZ_MESSAGES: dict[str, Callable[[Any], Iterator[tuple[Any, Any]]]] = {
    "ai/viz": _viz_answer,
    "ai/multi_viz": _multi_viz,
    "ai/artifact": _artifact,
}


def visualizations(messages: Iterable[Any]) -> list[Visualization]:
    """Every query the messages carry, in order: each ``ai/viz`` answer, each ``ai/multi_viz``
    visualization, each visualization artifact's query (models or plain dicts)."""
    out: list[Visualization] = []
    for message in messages:
        found = VIZ_MESSAGES.get(str(_field(message, "type")))
        if found is None:
            continue
        message_id = _field(message, "id")
        for query, title in found(message):
            viz = _viz(query, title, message_id)
            if viz is not None:
                out.append(viz)
    return out
