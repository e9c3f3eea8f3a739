"""``AsyncClient``: the resources over one async transport (``SyncClient`` is generated from it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

import httpx

from .._core.client_base import ClientBase
from .._core.config import Settings, resolve
from .._core.secret import ApiKey
from ..query.insights.saved import insight_query
from ..query.kinds import needs_answer
from ._transport import AsyncTransport
from .batch_exports import AsyncBatchExports
from .conversations import AsyncConversations
from .file_exports import AsyncFileExports
from .insights import AsyncInsights
from .profile_configs import AsyncProfileConfigs
from .queries import AsyncQueries

if TYPE_CHECKING:
    import pandas as pd

    from ..query.results import AsyncQueryResult


class AsyncClient(ClientBase):
    """PostHog Environments API client: ``batch_exports``, ``conversations``, ``profile_configs``.

    Each setting falls back to ``POSTHOG_HOST`` / ``POSTHOG_PERSONAL_API_KEY`` /
    ``POSTHOG_PROJECT_ID``; ``host`` may be ``"us"``, ``"eu"``, a URL or a self-hosted host.
    ConfigurationError names what is missing or invalid. ``transport``: an httpx transport
    (tests, proxies); ``progress``: list_df's progress bar (None: only in notebooks).
    """

    batch_exports: AsyncBatchExports
    conversations: AsyncConversations
    file_exports: AsyncFileExports
    profile_configs: AsyncProfileConfigs
    insights: AsyncInsights

    def __init__(
        self,
        host: str | None = None,
        api_key: str | ApiKey | None = None,
        project_id: int | str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        stream_idle_timeout: float = 300.0,
        transport: httpx.AsyncBaseTransport | None = None,
        progress: bool | None = None,
    ) -> None:
        settings = resolve(
            host,
            api_key,
            project_id,
            timeout=timeout,
            max_retries=max_retries,
            stream_idle_timeout=stream_idle_timeout,
        )
        self._setup(settings, transport, progress)

    @classmethod
    def _from_settings(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None, progress: bool | None
    ) -> Self:
        client = cls.__new__(cls)
        client._setup(settings, transport, progress)
        return client

    def _setup(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None, progress: bool | None
    ) -> None:
        self._settings = settings
        self._progress = progress
        self._transport = AsyncTransport(settings, transport)
        self.batch_exports = AsyncBatchExports(self._transport, progress)
        self.conversations = AsyncConversations(self._transport, progress)
        self.file_exports = AsyncFileExports(self._transport, progress)
        self.profile_configs = AsyncProfileConfigs(self._transport, progress)
        self._queries = AsyncQueries(self._transport)
        self.insights = AsyncInsights(self._transport)

    async def query(self, query: object, refresh: str | None = None) -> AsyncQueryResult:
        """Run ``query`` through PostHog's query API (``POST query/``, scope ``query:read``).

        ``query``: a HogQL string, or a query object with a ``kind`` (HogQLQuery, TrendsQuery;
        other kinds are passed through; PostHog AI's ``Assistant*Query`` kinds are sent as
        the query-API kind). ``refresh``: one of PostHog's modes (``blocking``, ``async``,
        ``force_blocking``, ...); an async run is polled until it completes. Returns a
        QueryResult (``.df``, ``.columns``, ``.results``, ``.raw``, ``.hogql``, ``.query``,
        and ``.actors_df(**point)``, awaited on an AsyncClient) and warns
        (TruncatedResultWarning) when PostHog kept rows back (``hasMore``).
        Raises RequestValidationError before sending; BadRequestError with PostHog's
        message for a query it refuses or that failed.
        """
        result = await self._queries.run(query, refresh)
        result.warn_if_truncated()
        return self._queries.bind(result)

    async def query_df(self, query: object, refresh: str | None = None) -> pd.DataFrame:
        """The answer of :meth:`query` as a tidy, typed DataFrame (``QueryResult.df``)."""
        return (await self.query(query, refresh)).df

    async def actors_df(
        self, query: object, *, properties: bool | list[str] = False, **point: object
    ) -> pd.DataFrame:
        """The people behind one number of ``query``, one row per person (``id``,
        ``distinct_ids``, ``created_at``, ``is_identified``; ``properties=True`` or a list of
        names adds ``properties.<name>`` columns), read past PostHog's 100-row pages.

        ``point``: Trends/Lifecycle ``day=``, ``series=``, ``breakdown=`` (and ``status=`` /
        ``compare=``); Stickiness ``day=`` (a number of intervals); Funnels ``step=`` (1-based),
        ``dropped=``, ``breakdown=``; Retention ``cohort=`` (its date) and ``interval=``.
        A point the query cannot have raises RequestValidationError naming the argument
        before anything is sent (a retention point runs the insight first to find its cohort).
        """
        frame = None
        if needs_answer(query):
            frame = (await self.query(query)).df
        return await self._queries.actors(query, point, frame, properties)

    async def insight_df(self, insight: int | str) -> pd.DataFrame:
        """Run a saved insight (id, short id or URL) and return its tidy frame."""
        found = await self.insights.get(insight)
        return (await self.query(insight_query(found.model_dump()))).df

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
