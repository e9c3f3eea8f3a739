"""PostHog's error bodies (drf-exceptions-hog ``{type, code, detail, attr}``) as one exception."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """An HTTP error answer; ``body`` None means an empty body (some PostHog views do that)."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> Response:
        """Render this error as a Starlette response."""
        if self.body is None:
            return Response(b"", status_code=self.status, headers=self.headers)
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def body(type_: str, code: str, detail: str, attr: str | None = None) -> dict[str, Any]:
    """Build a drf-exceptions-hog error body."""
    return {"type": type_, "code": code, "detail": detail, "attr": attr}


def validation(detail: str, attr: str | None = None, code: str = "invalid_input") -> ApiError:
    """400 validation_error (DRF's ``invalid`` code is reported as ``invalid_input``)."""
    return ApiError(400, body("validation_error", code, detail, attr))


def required(attr: str) -> ApiError:
    """400 for a missing required serializer field."""
    return validation("This field is required.", attr, "required")


def invalid_choice(value: object, attr: str) -> ApiError:
    """400 for a DRF ChoiceField value outside the choices."""
    return validation(f'"{value}" is not a valid choice.', attr, "invalid_choice")


def not_found() -> ApiError:
    """404 with PostHog's body."""
    return ApiError(404, body("invalid_request", "not_found", "Not found."))


def endpoint_not_found() -> ApiError:
    """404 for an unknown /api/ route."""
    return ApiError(404, body("invalid_request", "not_found", "Endpoint not found."))


def method_not_allowed(method: str) -> ApiError:
    """405 as DRF words it."""
    return ApiError(
        405, body("invalid_request", "method_not_allowed", f'Method "{method}" not allowed.')
    )


def permission_denied(detail: str) -> ApiError:
    """403 with PostHog's permission body."""
    return ApiError(403, body("authentication_error", "permission_denied", detail))


def not_authenticated() -> ApiError:
    """401 when no credentials were given."""
    return ApiError(
        401,
        body(
            "authentication_error",
            "not_authenticated",
            "Authentication credentials were not provided.",
        ),
        {"WWW-Authenticate": 'Bearer realm="api"'},
    )


def invalid_key() -> ApiError:
    """401 for an unknown personal API key."""
    return ApiError(
        401,
        body("authentication_error", "authentication_failed", "Invalid personal API key."),
        {"WWW-Authenticate": 'Bearer realm="api"'},
    )


def server_error() -> ApiError:
    """500 with drf-exceptions-hog's default body."""
    return ApiError(500, body("server_error", "error", "A server error occurred."))


def conflict(detail: str) -> ApiError:
    """409 (PostHog's Conflict falls through to type server_error)."""
    return ApiError(409, body("server_error", "conflict", detail))


def throttled(retry_after: int) -> ApiError:
    """429 with Retry-After."""
    return ApiError(
        429,
        body(
            "throttled_error",
            "throttled",
            f"Request was throttled. Expected available in {retry_after} seconds.",
        ),
        {"Retry-After": str(retry_after)},
    )


def plain_error(status: int, message: str) -> ApiError:
    """The ``{"error": ...}`` bodies some conversation views return."""
    return ApiError(status, {"error": message})


def for_status(status: int, retry_after: int = 1) -> ApiError:
    """PostHog's error body for an arbitrary status (used by fault injection)."""
    if status == 429:
        return throttled(retry_after)
    if status == 404:
        return not_found()
    if status == 401:
        return invalid_key()
    if status == 403:
        return permission_denied("You do not have permission to perform this action.")
    if status == 409:
        return conflict("Conflict.")
    if status == 402:
        return ApiError(402, body("server_error", "quota_limit_exceeded", "Quota limit exceeded."))
    if status == 400:
        return validation("Invalid input.")
    if status >= 500:
        return ApiError(status, body("server_error", "error", "A server error occurred."))
    return ApiError(status, body("invalid_request", "error", f"HTTP {status}."))
