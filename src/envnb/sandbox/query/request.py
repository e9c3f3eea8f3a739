"""The envelope of ``POST query/``: PostHog's ``QueryRequest`` refuses fields it does not have."""

from __future__ import annotations

from typing import Any

import pydantic

from .. import errors


# QueryRequest's pydantic model forbids other top-level fields (``additionalProperties:
# false`` [PH openapi.yaml @1404d6c QueryRequest]), and PostHog's ``PydanticModelMixin.get_model``
# turns the ValidationError into DRF's ParseError: 400 ``invalid_request``/``parse_error``, no
# ``attr``, detail "JSON parse error - " + pydantic's text [PH posthog/api/mixins.py,
# PostHog/drf-exceptions-hog handler.py].
class QueryRequest(pydantic.BaseModel):
    """QueryRequest's field names only (``api._check_types`` checks their types): pydantic
    itself words the refusal of the others, as it does in PostHog."""

    model_config = pydantic.ConfigDict(extra="forbid")
    query: Any = None
    refresh: Any = None
    async_: Any = pydantic.Field(None, alias="async")
    client_query_id: Any = None
    filters_override: Any = None
    limit_context: Any = None
    name: Any = None
    variables_override: Any = None


def check_extra(data: dict[str, Any]) -> None:
    """PostHog's 400 for top-level fields QueryRequest does not have."""
    try:
        QueryRequest.model_validate(data)
    except pydantic.ValidationError as exc:
        detail = f"JSON parse error - {exc}"
        raise errors.ApiError(400, errors.body("invalid_request", "parse_error", detail)) from None
