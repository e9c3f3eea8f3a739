"""PostHog's query API (``POST query/``, ``GET query/{id}/``): HogQL, Trends, any other kind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import anyio

from ..errors import BadRequestError
from ..query.endpoints import QueryEndpoints as Endpoints
from ..query.insights.actors import actor_rows, actors_frame
from ..query.kinds import actors_plan, source_of
from ..query.results import AsyncQueryResult, QueryResult, Visualization, query_body
from ..query.run import Poll, QueryRun
from ._transport import AsyncTransport

if TYPE_CHECKING:
    import pandas as pd


class AsyncQueries:
    """Runs queries: one POST, then status reads while PostHog runs it asynchronously."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def run(self, query: object, refresh: str | None = None) -> QueryResult:
        """The query's QueryResult (see ``_queryrun`` for the polling rules).

        Raises RequestValidationError for a bad ``query``/``refresh`` before sending,
        BadRequestError with PostHog's message for a query it refuses or that failed,
        APITimeoutError when an async run outlasts the deadline.
        """
        run = QueryRun(query, refresh)
        answer = await self._transport.request(Endpoints.run.request(body=run.body()))
        step = run.on_answer(answer)
        while isinstance(step, Poll):
            await anyio.sleep(step.wait)
            try:
                answer = await self._transport.request(Endpoints.status.request({"id": step.id}))
            except BadRequestError as err:
                raise run.on_failed_status(err) from None
            step = run.on_answer(answer)
        return step

    def bind(self, result: QueryResult) -> AsyncQueryResult:
        """``result`` able to read the people behind its numbers through this client
        (``result.actors_df(...)``, awaited on an AsyncClient)."""
        return AsyncQueryResult(result.query, result.raw, _aactors=self.actors)

    async def frames(self, queries: Sequence[Visualization]) -> list[pd.DataFrame]:
        """Each visualization's DataFrame, in order."""
        out = []
        for viz in queries:
            result = await self.run(viz.body())
            result.warn_if_truncated()
            out.append(result.df)
        return out

    async def actors(
        self,
        query: object,
        point: dict[str, object],
        frame: pd.DataFrame | None = None,
        properties: bool | list[str] = False,
    ) -> pd.DataFrame:
        """The people behind one point of ``query`` (see ``query.insights.actors``): the
        ActorsQuery is checked locally, then read page by page while PostHog has more."""
        plan = actors_plan(source_of(query_body(query)), dict(point), frame)
        body, rows = plan.query, []
        while True:
            page = (await self.run(body)).raw
            found = actor_rows(page)
            rows += found
            if page.get("hasMore") is not True or not found:
                break
            body = {**body, "offset": int(body["offset"]) + len(found)}
        if plan.keep is not None:
            rows = [row for row in rows if plan.keep(row)]
        return actors_frame(rows, properties)
