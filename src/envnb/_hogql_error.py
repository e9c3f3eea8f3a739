"""Where a refused HogQL query went wrong, as PostHog's query API says it.

PostHog answers a HogQL parse or resolution error with a 400 ``validation_error`` whose
``code`` is the error's ``code_name`` (``hogql_syntax_error``, ``hogql_query_error``,
``hogql_error``…), whose ``detail`` is the message plus ``Hint: …`` and ``Tables referenced:
…`` lines, and — for a HogQLQuery — ``extra.hogql_metadata``: PostHog's
``HogQLMetadataResponse`` of the query, whose ``errors`` are notices ``{message, start, end,
fix?}`` with character offsets into ``query`` (PH:posthog/api/query.py,
``enrich_hogql_validation_error`` in PH:posthog/hogql/metadata.py). Older PostHog versions
send the code without ``extra``: then there is no position to show.

``HogQLDetails`` reads that body; ``envnb.errors.HogQLQueryError`` is a ``BadRequestError``
with these properties. Pure: no I/O, and nothing here imports ``envnb.errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_CODE_PREFIX = "hogql_"


@dataclass(frozen=True)
class HogQLNotice:
    """One notice of PostHog's HogQL metadata: ``start``/``end`` are character offsets into
    the query (None when PostHog could not place it); ``fix`` is text PostHog suggests."""

    message: str
    start: int | None = None
    end: int | None = None
    fix: str | None = None


def is_hogql_refusal(body: Any) -> bool:
    """True for a query-API body that is a HogQL error (by code, or by its metadata)."""
    if not isinstance(body, Mapping):
        return False
    code = body.get("code")
    return (isinstance(code, str) and code.startswith(_CODE_PREFIX)) or _metadata(body) is not None


def _metadata(body: Any) -> Mapping[str, Any] | None:
    extra = body.get("extra") if isinstance(body, Mapping) else None
    found = extra.get("hogql_metadata") if isinstance(extra, Mapping) else None
    return found if isinstance(found, Mapping) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _notices(items: Any) -> tuple[HogQLNotice, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        HogQLNotice(
            str(item.get("message", "")),
            _int(item.get("start")),
            _int(item.get("end")),
            item.get("fix") if isinstance(item.get("fix"), str) else None,
        )
        for item in items
        if isinstance(item, Mapping)
    )


def pointer(query: str, start: int, end: int) -> str:
    """The line of ``query`` holding offset ``start``, with ``^`` under ``start..end`` (at
    least one; a span running past the line is cut at its end), after a ``line L, column C:``
    heading (both 1-based)."""
    start = max(0, min(start, len(query)))
    line_start = query.rfind("\n", 0, start) + 1
    line_end = query.find("\n", start)
    if line_end == -1:
        line_end = len(query)
    text = query[line_start:line_end]
    column = start - line_start
    width = max(1, min(end, line_end) - start)
    line = query.count("\n", 0, start) + 1
    return f"line {line}, column {column + 1}:\n{text}\n{' ' * column}{'^' * width}"


class HogQLDetails:
    """Properties of a HogQL refusal, read from the response ``body`` (a mixin of
    ``envnb.errors.HogQLQueryError``)."""

    body: Any

    @property
    def hogql_metadata(self) -> Mapping[str, Any] | None:
        """PostHog's ``extra.hogql_metadata`` as sent, or None (older PostHog, a wrapper)."""
        return _metadata(self.body)

    @property
    def query(self) -> str | None:
        """The HogQL PostHog analysed (``hogql_metadata.query``)."""
        text = (self.hogql_metadata or {}).get("query")
        return text if isinstance(text, str) else None

    @property
    def notices(self) -> tuple[HogQLNotice, ...]:
        """The metadata's errors (each with its offsets when PostHog has them)."""
        return _notices((self.hogql_metadata or {}).get("errors"))

    @property
    def table_names(self) -> tuple[str, ...]:
        """The tables the query names (``Tables referenced:`` in the detail)."""
        names = (self.hogql_metadata or {}).get("table_names")
        return tuple(str(n) for n in names) if isinstance(names, list) else ()

    @property
    def start(self) -> int | None:
        """Offset in ``query`` where the first placed error starts, or None."""
        placed = self._placed()
        return None if placed is None else placed.start

    @property
    def end(self) -> int | None:
        """Offset in ``query`` where the first placed error ends, or None."""
        placed = self._placed()
        return None if placed is None else placed.end

    def _placed(self) -> HogQLNotice | None:
        return next((n for n in self.notices if n.start is not None and n.end is not None), None)

    def pointer(self) -> str:
        """``line L, column C:``, the query's line and ``^`` under the error; "" when PostHog
        did not say where."""
        placed, query = self._placed(), self.query
        if placed is None or query is None or placed.start is None or placed.end is None:
            return ""
        return pointer(query, placed.start, placed.end)
