"""envnb: PostHog's Environments API in a notebook.

``envnb.Client()`` / ``envnb.AsyncClient()`` / ``envnb.connect()``; errors in
``envnb.errors``. Importing envnb does not import the sandbox (starlette, uvicorn) or the
widgets; ``%load_ext envnb`` and ``envnb.last_reply()`` load the magics on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from . import errors
    from ._async._stream import AsyncEventStream
    from ._client import AsyncClient, Client, connect
    from ._sync._stream import EventStream
    from .conversations.streaming import AskResult, StreamAssembler
    from .projects.fleet import Fleet
    from .projects.plan import diff
    from .projects.profile_file import profiles

# Loaded on first use, so `envnb sandbox` (which imports envnb.sandbox) starts without
# paying for the client, pydantic models and httpx.
_LAZY = {
    "errors": ("envnb.errors", None),
    "AsyncClient": ("envnb._client", "AsyncClient"),
    "Client": ("envnb._client", "Client"),
    "connect": ("envnb._client", "connect"),
    "Fleet": ("envnb.projects.fleet", "Fleet"),
    "diff": ("envnb.projects.plan", "diff"),
    "profiles": ("envnb.projects.profile_file", "profiles"),
    "AskResult": ("envnb.conversations.streaming", "AskResult"),
    "AsyncEventStream": ("envnb._async._stream", "AsyncEventStream"),
    "EventStream": ("envnb._sync._stream", "EventStream"),
    "StreamAssembler": ("envnb.conversations.streaming", "StreamAssembler"),
}


def __getattr__(name: str) -> Any:
    """Import the public names on first access (PEP 562)."""
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'envnb' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Public names, including the lazily imported ones."""
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext envnb``: register the ``%%chat`` cell magic."""
    from .magics import load_ipython_extension as _load

    _load(ipython)


def last_reply() -> str | None:
    """The text of the latest ``%%chat`` reply in this kernel (None before the first)."""
    from .magics import last_reply as _last

    return _last()


__all__ = [
    "AskResult",
    "AsyncClient",
    "AsyncEventStream",
    "Client",
    "EventStream",
    "Fleet",
    "StreamAssembler",
    "__version__",
    "connect",
    "diff",
    "errors",
    "last_reply",
    "load_ipython_extension",
    "profiles",
]
