"""Helpers of the client contract tests (generated into ``../_sync/`` like the tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

T = TypeVar("T")


async def head(items: AsyncIterator[T], n: int) -> list[T]:
    """The first ``n`` items (fewer if it ends first), leaving the iterator open."""
    out: list[T] = []
    async for item in items:
        out.append(item)
        if len(out) >= n:
            break
    return out
