"""The one error the HogQL engine raises: a query PostHog would refuse with a 400."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class HogQLError(Exception):
    """``code`` is PostHog's ``code_name`` (``hogql_syntax_error``, ``hogql_query_error``…);
    ``start``/``end`` are character offsets into the query when PostHog's parser gives them."""

    def __init__(
        self,
        message: str,
        code: str = "hogql_query_error",
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.start = start
        self.end = end


def _offset(node: Mapping[str, Any], key: str) -> int | None:
    where = node.get(key)
    offset = where.get("offset") if isinstance(where, Mapping) else None
    return offset if isinstance(offset, int) else None


@contextmanager
def located(node: Mapping[str, Any]) -> Iterator[None]:
    """An error raised while compiling ``node`` without a place of its own gets the node's
    offsets, as PostHog's ``Visitor.visit`` gives it (posthog/hogql/visitor.py): the
    innermost node being compiled is where the error points."""
    try:
        yield
    except HogQLError as err:
        if err.start is None or err.end is None:
            err.start, err.end = _offset(node, "start"), _offset(node, "end")
        raise
