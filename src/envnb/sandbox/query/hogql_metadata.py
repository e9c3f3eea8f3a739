"""A refused HogQLQuery as PostHog answers it now: the error enriched by a metadata pass.

PostHog (posthog/api/query.py, ``enrich_hogql_validation_error`` in posthog/hogql/metadata.py):
1. Only a ``HogQLQuery`` sent as the query itself (not inside a wrapper) whose error is one of
   HogQL's own (parse or resolution: PostHog's ``ExposedHogQLError``) is enriched; an error of
   the database that runs it (PostHog's ClickHouse errors) keeps its bare message.
2. The query is analysed again as ``HogQLMetadata``: its ``errors`` are notices
   ``{message, start, end}`` (offsets into the query; an end before the start is swapped, and
   a parse error at the end of the text reads "Unexpected end of query"), ``table_names`` the
   tables its FROM clauses name (CTE names excluded).
3. ``detail`` is the error's message, then one ``Hint: <fix>`` line per notice with a fix, then
   ``Tables referenced: a, b`` when there are tables; the body gains
   ``extra: {"hogql_metadata": <the metadata, None fields dropped>}``.
4. The order of ``table_names`` is PostHog's set order (arbitrary); the sandbox lists them in
   the order the query names them. The sandbox's metadata pass sees the query's ``values`` and
   ``variables`` (PostHog's does not pass them on), so it reports the error the run met.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from .events import EventsDB
from .hogql import compile_hogql
from .hogql_errors import HogQLError
from .hogql_parse import parse_select

# cpp-json (ANTLR) and the Rust parser word the end of the text differently; PostHog's
# metadata says this for both.
_END_OF_QUERY = ("mismatched input '<EOF>' expecting", "unexpected token in expression: Eof")


def refusal(events: EventsDB, query: dict[str, Any], err: HogQLError) -> errors.ApiError:
    """The 400 for ``err`` raised while running the top-level ``query`` (rules 1 and 3)."""
    body = errors.body("validation_error", err.code, err.message)
    text = query.get("query")
    if query.get("kind") != "HogQLQuery" or not isinstance(text, str) or not text:
        return errors.ApiError(400, body)
    found = metadata(events, text, query)
    if found is None:  # the query compiles: the database refused it (rule 1)
        return errors.ApiError(400, body)
    lines = [err.message]
    for notice in [*found["errors"], *found["warnings"], *found["notices"]]:
        hint = notice.get("fix")
        if hint and hint not in lines:
            lines.append(f"Hint: {hint}")
    if found["table_names"]:
        lines.append(f"Tables referenced: {', '.join(found['table_names'])}")
    body["detail"] = "\n".join(lines)
    body["extra"] = {"hogql_metadata": found}
    return errors.ApiError(400, body)


def metadata(events: EventsDB, text: str, query: dict[str, Any]) -> dict[str, Any] | None:
    """PostHog's ``HogQLMetadataResponse`` of a query that does not compile (rule 2), or None
    when it compiles."""
    found: dict[str, Any] = {
        "errors": [],
        "isValid": True,
        "notices": [],
        "query": text,
        "table_names": [],
        "warnings": [],
    }
    try:
        found["table_names"] = table_names(parse_select(text))
        with events.lock:
            compile_hogql(
                text,
                events.now(),
                events.connection(),
                values=query.get("values"),
                variables=query.get("variables"),
                filters=query.get("filters"),
                timezone=getattr(events, "timezone", "UTC") or "UTC",
            )
    except HogQLError as err:
        found["errors"].append(_notice(err))
    if not found["errors"]:
        return None
    found["isValid"] = False
    return found


def _notice(err: HogQLError) -> dict[str, Any]:
    message = err.message
    if any(marker in message for marker in _END_OF_QUERY):
        message = "Unexpected end of query"
    notice: dict[str, Any] = {"message": message}
    start, end = err.start, err.end
    if start is not None and end is not None:
        notice.update(start=min(start, end), end=max(start, end))
    return notice


def table_names(tree: Any) -> list[str]:
    """The tables the FROM clauses of a parsed query name, CTE names excluded (PostHog's
    ``TableCollector``), each once, in the order they appear."""
    names: list[str] = []
    ctes: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if node.get("node") == "CTE":
            ctes.add(str(node.get("name")))
        table = node.get("table") if node.get("node") == "JoinExpr" else None
        if isinstance(table, dict) and table.get("node") == "Field":
            name = ".".join(str(part) for part in table.get("chain") or [])
            if name not in names:
                names.append(name)
        for value in node.values():
            walk(value)

    walk(tree)
    return [name for name in names if name not in ctes]
