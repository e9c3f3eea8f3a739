"""Error tree: status mapping, readable messages, no secrets; ApiKey never shows itself."""

from __future__ import annotations

import pickle

import pytest

from envnb import errors
from envnb._core.secret import ApiKey


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (402, errors.QuotaExceededError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (503, errors.ServerError),
        (418, errors.APIError),
    ],
)
def test_status_mapping(status: int, cls: type[errors.APIError]) -> None:
    err = errors.error_from_response(status, {"detail": "d"})
    assert type(err) is cls and err.status == status and isinstance(err, errors.EnvnbError)


def test_scope_message_is_human() -> None:
    err = errors.error_from_response(
        403,
        {
            "type": "authentication_error",
            "code": "permission_denied",
            "detail": "API key missing required scope 'INTERNAL'",
            "attr": None,
        },
        request=errors.RequestInfo("GET", "https://us.posthog.com/api/projects/1/x"),
    )
    text = str(err)
    assert text.startswith("403: API key missing required scope 'INTERNAL' — destination tests")
    assert err.type == "authentication_error" and err.code == "permission_denied"


def test_error_key_bodies_and_html_and_empty() -> None:
    assert "Cannot access" in str(
        errors.error_from_response(400, {"error": "Cannot access other users' conversations"})
    )
    html = errors.error_from_response(502, None, text="<html><body>Bad gateway</body></html>")
    assert "HTML error page" in str(html)
    assert str(errors.error_from_response(404, None)).startswith("404: not found")
    rl = errors.error_from_response(429, {"detail": "slow"}, retry_after=3.0)
    assert isinstance(rl, errors.RateLimitError) and rl.retry_after == 3.0


def test_field_error_names_attr() -> None:
    err = errors.error_from_response(
        400,
        {"type": "validation_error", "code": "invalid_choice", "detail": "bad", "attr": "scope"},
    )
    assert err.attr == "scope" and "field 'scope'" in str(err)


def test_redact_url() -> None:
    url = "https://user:pw@h.example/api?personal_api_key=phx_secret&limit=2"
    red = errors.redact_url(url)
    assert "phx_secret" not in red and "pw" not in red and "limit=2" in red


def test_api_key_hidden() -> None:
    key = ApiKey("phx_supersecretvalue123")
    for text in (repr(key), str(key), f"{key}", f"{key!r}", repr([key]), repr({"k": key})):
        assert "supersecret" not in text
    assert key.reveal() == "phx_supersecretvalue123"
    assert key == ApiKey("phx_supersecretvalue123")
    with pytest.raises(TypeError):
        pickle.dumps(key)


@pytest.mark.parametrize(
    ("status", "detail", "hint"),
    [
        (400, "Cannot continue streaming from an idle conversation", "conversations.get(id)"),
        (409, "Cannot resume streaming with a new message", "cancel(id)"),
    ],
)
def test_conversation_errors_say_what_to_do(status: int, detail: str, hint: str) -> None:
    body = {"type": "invalid_request", "code": "conflict", "detail": detail, "attr": None}
    err = errors.error_from_response(status, body)
    assert str(err).startswith(f"{status}: {detail} — ") and hint in str(err)
