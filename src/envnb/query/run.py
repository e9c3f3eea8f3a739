"""One run of the query API, sans-I/O: the body to POST, then what each answer means.

Rule 1: the body is ``{"query": <query object>, "refresh"?: <mode>}``; a HogQL string and
PostHog AI's ``Assistant*Query`` kinds are turned into query-API kinds first (``query_body``).
Rule 2: an answer with ``query_status`` that is not complete means PostHog runs it
asynchronously: poll ``GET query/{id}/`` after 0.1, 0.2, 0.4, 0.8 s, then every 1 s, until
it is complete — at most ``deadline`` seconds (PostHog keeps an async status 10 minutes).
Rule 3: a complete status carries the answer in ``results``; a failed one (HTTP 400 with
``error_message``) becomes a BadRequestError with that message as its detail.
Rule 4: any other answer is the result itself (a blocking run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    HogQLQueryError,
)
from .nonfinite import restore_non_finite
from .results import QueryResult, check_refresh, query_body

POLL_WAITS = (0.1, 0.2, 0.4, 0.8)
POLL_EVERY = 1.0
DEADLINE = 600.0


@dataclass(frozen=True)
class Poll:
    """Read the run's status (``GET query/{id}/``) after ``wait`` seconds."""

    id: str
    wait: float


class QueryRun:
    """Decisions for one ``client.query`` call (make one per call)."""

    def __init__(self, query: object, refresh: object = None, deadline: float = DEADLINE) -> None:
        """Validate ``query`` and ``refresh`` before anything is sent (RequestValidationError)."""
        self.query = query_body(query)
        self.refresh = check_refresh(refresh)
        self.deadline = deadline
        self.waited = 0.0
        self.polls = 0

    def body(self) -> dict[str, Any]:
        """The JSON body of ``POST query/``."""
        body: dict[str, Any] = {"query": self.query}
        if self.refresh is not None:
            body["refresh"] = self.refresh
        return body

    def on_answer(self, raw: Any) -> QueryResult | Poll:
        """The POST's answer or a status read's: the result, or when to look again."""
        if not isinstance(raw, dict):
            raise APIConnectionError(f"the query API answered {type(raw).__name__}, not an object")
        status = raw.get("query_status")
        if not isinstance(status, dict):
            return self._result(raw)
        if status.get("complete"):
            results = status.get("results")
            if not isinstance(results, dict):
                raise APIConnectionError("the query finished without results")
            return self._result(results)
        run_id = status.get("id")
        if not isinstance(run_id, str) or not run_id:
            raise APIConnectionError("the query API started an async run without an id")
        wait = POLL_WAITS[self.polls] if self.polls < len(POLL_WAITS) else POLL_EVERY
        if self.waited + wait > self.deadline:
            raise APITimeoutError(
                f"the query was still running after {self.deadline:g} s (run {run_id}); "
                "read it later with client.query(..., refresh='async') or narrow it"
            )
        self.polls += 1
        self.waited += wait
        return Poll(run_id, wait)

    def on_failed_status(self, err: APIError) -> APIError:
        """A failed status read as an error that says why the query failed (Rule 3)."""
        body = err.body if isinstance(err.body, dict) else {}
        status = body.get("query_status")
        message = status.get("error_message") if isinstance(status, dict) else None
        if not message:
            return err
        # PostHog's status names the HogQL error's code_name (hogql_query_error, …): typed as
        # such, though an async run's status carries no metadata to point with.
        code = status.get("error_code") if isinstance(status, dict) else None
        hogql = isinstance(code, str) and code.startswith("hogql_")
        return (HogQLQueryError if hogql else BadRequestError)(
            status=err.status,
            type="validation_error",
            code=code if hogql else "query_error",
            detail=str(message),
            request=err.request,
            body=err.body,
        )

    def _result(self, raw: dict[str, Any]) -> QueryResult:
        return QueryResult(self.query, restore_non_finite(raw))
