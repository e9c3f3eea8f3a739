"""envnb: PostHog's Environments API in a notebook.

``envnb.Client()`` / ``envnb.AsyncClient()`` / ``envnb.connect()``; errors in
``envnb.errors``. Importing envnb does not import the sandbox (starlette, uvicorn) or the
widgets; ``%load_ext envnb`` and ``envnb.last_reply()`` load the magics on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import Any

from . import errors
from ._client import AsyncClient, Client, connect
from ._executor import AskResult, AsyncEventStream, EventStream
from .streaming import StreamAssembler


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
    "StreamAssembler",
    "__version__",
    "connect",
    "errors",
    "last_reply",
    "load_ipython_extension",
]
