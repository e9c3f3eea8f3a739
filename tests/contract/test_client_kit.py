"""Helpers (no tests) so one test body drives both envnb.Client and envnb.AsyncClient."""

from __future__ import annotations

import inspect
from typing import Any

import envnb
from envnb.sandbox import Sandbox

KINDS = ["sync", "async"]


def make(sb: Sandbox, kind: str, **kw: Any) -> Any:
    """A Client or AsyncClient for the sandbox."""
    cls = envnb.Client if kind == "sync" else envnb.AsyncClient
    kw.setdefault("api_key", sb.api_key)
    return cls(host=sb.url, project_id=sb.project_id, **kw)


async def val(x: Any) -> Any:
    """The value of a sync result or an awaitable."""
    return await x if inspect.isawaitable(x) else x


async def items(it: Any) -> list[Any]:
    """All items of an iterator or async iterator."""
    if hasattr(it, "__aiter__"):
        return [x async for x in it]
    return list(it)


async def take(it: Any, n: int) -> list[Any]:
    """The first n items of an iterator or async iterator."""
    out = []
    if hasattr(it, "__aiter__"):
        async for x in it:
            out.append(x)
            if len(out) >= n:
                break
    else:
        for x in it:
            out.append(x)
            if len(out) >= n:
                break
    return out


async def close(obj: Any) -> None:
    """Close a client or an event stream of either kind."""
    if hasattr(obj, "aclose"):
        await obj.aclose()
    else:
        obj.close()
