"""``Client`` and ``AsyncClient`` (identical resources, different executors) and ``connect()``."""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any, Self

import httpx

from ._config import ENV_HOST, ENV_KEY, ENV_PROJECT, Settings, resolve
from ._executor import AsyncExecutor, SyncExecutor
from ._secret import ApiKey
from .errors import ConfigurationError
from .resources import BatchExports, Conversations, ProfileConfigs


class _ClientBase:
    """Settings and resources shared by both clients."""

    _settings: Settings

    @property
    def host(self) -> str:
        """Base URL of the PostHog instance (or sandbox)."""
        return self._settings.base_url

    @property
    def project_id(self) -> str:
        """The project every call is scoped to."""
        return self._settings.project_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(host={self.host!r}, project_id={self.project_id!r}, "
            "api_key='[secure]')"
        )

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} cannot be pickled (it holds an API key)")


class Client(_ClientBase):
    """Synchronous PostHog Environments API client.

    Each setting falls back to ``POSTHOG_HOST`` / ``POSTHOG_PERSONAL_API_KEY`` /
    ``POSTHOG_PROJECT_ID``. ``host`` may be ``"us"``, ``"eu"``, a URL or a self-hosted host.
    """

    def __init__(
        self,
        host: str | None = None,
        api_key: str | ApiKey | None = None,
        project_id: int | str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        progress: bool | None = None,
    ) -> None:
        self._settings = resolve(
            host, api_key, project_id, timeout=timeout, max_retries=max_retries
        )
        self._progress = progress
        self._custom_transport = transport is not None
        self._async_transport = async_transport
        self._executor = SyncExecutor(self._settings, transport, progress)
        self.batch_exports = BatchExports(self._executor)
        self.conversations = Conversations(self._executor)
        self.profile_configs = ProfileConfigs(self._executor)

    def to_async(self) -> AsyncClient:
        """An AsyncClient with the same settings, secret and ``async_transport``.

        The panels use it. A custom sync ``transport`` cannot be carried over, so rather than
        silently bypass it (a proxy, say), this asks for its async twin.
        """
        if self._custom_transport and self._async_transport is None:
            raise ConfigurationError(
                "this Client has a custom transport=, which an AsyncClient cannot use: "
                "pass async_transport= as well (e.g. httpx.AsyncHTTPTransport(proxy=...))"
            )
        return AsyncClient._from_settings(
            self._settings, self._async_transport, progress=self._progress
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._executor.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """Asynchronous client: same resources; every method is awaitable, iterators are async."""

    def __init__(
        self,
        host: str | None = None,
        api_key: str | ApiKey | None = None,
        project_id: int | str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        progress: bool | None = None,
    ) -> None:
        settings = resolve(host, api_key, project_id, timeout=timeout, max_retries=max_retries)
        self._setup(settings, transport, progress)

    def _setup(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None, progress: bool | None
    ) -> None:
        self._settings = settings
        self._executor = AsyncExecutor(settings, transport, progress)
        # The same resource classes; their methods return awaitables here, and the
        # annotations describe the sync values, so these are typed Any.
        self.batch_exports: Any = BatchExports(self._executor)
        self.conversations: Any = Conversations(self._executor)
        self.profile_configs: Any = ProfileConfigs(self._executor)

    @classmethod
    def _from_settings(
        cls,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        progress: bool | None = None,
    ) -> AsyncClient:
        obj = cls.__new__(cls)
        obj._setup(settings, transport, progress)
        return obj

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._executor.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


# ---- connect(): real PostHog if configured, else a sandbox --------------------------------

_sandbox: Any = None
_sandbox_lock = threading.Lock()


def connect(
    host: str | None = None,
    api_key: str | None = None,
    project_id: int | str | None = None,
    **kwargs: Any,
) -> Client:
    """A Client for PostHog if configured (args or env); otherwise start a local sandbox.

    A partial configuration (say a host without a key) raises ConfigurationError naming
    what is missing, rather than silently falling back to fake data.
    """
    given = [host, api_key, project_id]
    configured = any(v is not None for v in given) or any(
        os.environ.get(name) for name in (ENV_HOST, ENV_KEY, ENV_PROJECT)
    )
    if configured:
        return Client(host, api_key, project_id, **kwargs)
    sb = _shared_sandbox()
    print(f"envnb: no PostHog settings found — using a local sandbox with sample data at {sb.url}")
    client: Client = sb.client(**kwargs)
    return client


def _shared_sandbox() -> Any:
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            from .sandbox import Sandbox  # lazy: starlette/uvicorn only when needed

            sb = Sandbox()
            sb.start()
            atexit.register(sb.stop)
            _sandbox = sb
        return _sandbox


__all__ = ["AsyncClient", "Client", "ConfigurationError", "connect"]
