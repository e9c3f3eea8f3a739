"""The one error the HogQL engine raises: a query PostHog would refuse with a 400."""

from __future__ import annotations


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
