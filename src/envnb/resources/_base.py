"""Shared base of the resource classes."""

from __future__ import annotations

from typing import Any


class Resource:
    """Holds the executor; subclasses only describe requests.

    Return annotations are the sync client's (what ``Client`` returns). On ``AsyncClient``
    the same methods return awaitables of those values (``list()`` / ``stream()`` return
    async iterators), so ``AsyncClient``'s resources are typed ``Any``.
    """

    def __init__(self, executor: Any) -> None:
        self._ex = executor

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self._ex).__name__}>"


def ident(value: Any) -> str:
    """An object id from an id string or a model with ``.id``."""
    return str(getattr(value, "id", value))
