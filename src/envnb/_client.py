"""``Client`` and ``AsyncClient`` (the same resources, sync and async) and ``connect()``.

``AsyncClient`` is written in ``_async/_client.py``; ``SyncClient`` is generated from it, and
``Client`` adds what only a sync client has: an async twin for the panels (``to_async``).
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

import httpx

from ._async._client import AsyncClient
from ._core.config import ENV_HOST, ENV_KEY, ENV_PROJECT, missing_message, missing_settings
from ._core.secret import ApiKey
from ._sync._client import SyncClient
from .errors import ConfigurationError


class Client(SyncClient):
    """PostHog Environments API client: ``batch_exports``, ``conversations``, ``profile_configs``.

    Each setting falls back to ``POSTHOG_HOST`` / ``POSTHOG_PERSONAL_API_KEY`` /
    ``POSTHOG_PROJECT_ID``; ``host`` may be ``"us"``, ``"eu"``, a URL or a self-hosted host.
    ConfigurationError names what is missing or invalid. ``transport``: an httpx transport
    (tests, proxies), ``async_transport`` its async twin for :meth:`to_async`;
    ``progress``: list_df's progress bar (None: only in notebooks).
    """

    def __init__(
        self,
        host: str | None = None,
        api_key: str | ApiKey | None = None,
        project_id: int | str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        stream_idle_timeout: float = 300.0,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        progress: bool | None = None,
    ) -> None:
        super().__init__(
            host,
            api_key,
            project_id,
            timeout=timeout,
            max_retries=max_retries,
            stream_idle_timeout=stream_idle_timeout,
            transport=transport,
            progress=progress,
        )
        self._custom_transport = transport is not None
        self._async_transport = async_transport

    def to_async(self) -> AsyncClient:
        """An AsyncClient with the same settings, secret and ``async_transport``.

        The panels use it. A custom sync ``transport`` cannot be carried over, so rather than
        silently bypass it (a proxy, say), this asks for its async twin (ConfigurationError).
        """
        if self._custom_transport and self._async_transport is None:
            raise ConfigurationError(
                "this Client has a custom transport=, which an AsyncClient cannot use: "
                "pass async_transport= as well (e.g. httpx.AsyncHTTPTransport(proxy=...))"
            )
        return AsyncClient._from_settings(self._settings, self._async_transport, self._progress)


# ---- connect(): real PostHog if configured, else a sandbox --------------------------------

_sandbox: Any = None
_sandbox_lock = threading.Lock()


def connect(
    host: str | None = None,
    api_key: str | None = None,
    project_id: int | str | None = None,
    *,
    profile: str | None = None,
    quiet: bool = False,
    **kwargs: Any,
) -> Client:
    """A Client for PostHog if configured (args or env); otherwise start a local sandbox.

    ``profile``: a named profile (``envnb.profiles()``; ``ENVNB_PROFILE`` names one when
    nothing else is configured); ``project_id`` then picks one of its projects.
    A partial configuration (say a host without a key) raises ConfigurationError naming
    what is missing, rather than silently falling back to fake data. Starting a sandbox
    prints one line saying so, unless ``quiet`` (a report states its data source itself).
    """
    from .projects.profile_file import ENV_PROFILE, get_profile

    nothing_given = host is None and api_key is None and project_id is None
    if profile is None and nothing_given and not _env_configured():
        profile = os.environ.get(ENV_PROFILE) or None
    if profile is not None:
        if host is not None or api_key is not None:
            raise ConfigurationError(
                "pass either profile= or host=/api_key=, not both (a profile has its own)"
            )
        return get_profile(profile).client(project_id, **kwargs)
    given = [host, api_key, project_id]
    configured = any(v is not None for v in given) or _env_configured()
    if configured:
        missing = missing_settings(host, api_key, project_id, os.environ)
        if missing:
            raise ConfigurationError(missing_message(missing, sandbox_hint=True))
        return Client(host, api_key, project_id, **kwargs)
    sb = _shared_sandbox()
    if not quiet:
        print(
            f"envnb: no PostHog settings found — using a local sandbox with sample data at {sb.url}"
        )
    client: Client = sb.client(**kwargs)
    return client


def _env_configured() -> bool:
    return any(os.environ.get(name) for name in (ENV_HOST, ENV_KEY, ENV_PROJECT))


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
