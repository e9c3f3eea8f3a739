"""The client uses /api/projects/ and warns once when PostHog answers with Deprecation headers."""

from __future__ import annotations

import warnings

import httpx
import pytest

from envnb.errors import APIDeprecationWarning
from envnb.sandbox import Sandbox


class _ViaEnvironments(httpx.HTTPTransport):
    """Real HTTP to the sandbox, sent to the deprecated /api/environments/ alias (as a user's
    old proxy or gateway might do): the sandbox then answers with PostHog's headers."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            path=request.url.path.replace("/api/projects/", "/api/environments/", 1)
        )
        return super().handle_request(request)


def test_client_paths_are_projects_and_no_notice_there(sandbox: Sandbox) -> None:
    seen: list[str] = []
    with sandbox.client() as client, warnings.catch_warnings():
        warnings.simplefilter("error", APIDeprecationWarning)
        client._transport.http.event_hooks["request"].append(lambda r: seen.append(r.url.path))
        list(client.batch_exports.list(limit=3))
    assert seen and all(path.startswith("/api/projects/") for path in seen)


def test_deprecation_headers_warn_once_per_client(sandbox: Sandbox) -> None:
    with (
        sandbox.client(transport=_ViaEnvironments()) as client,
        pytest.warns(APIDeprecationWarning) as caught,
    ):
        list(client.batch_exports.list(limit=3))
        list(client.conversations.list(limit=2))
    notices = [w for w in caught if issubclass(w.category, APIDeprecationWarning)]
    assert len(notices) == 1
    text = str(notices[0].message)
    assert "/api/environments/" in text and "Fri, 31 Jul 2026 00:00:00 GMT" in text
    assert sandbox.api_key not in text
    with (
        sandbox.client(transport=_ViaEnvironments()) as second,
        pytest.warns(APIDeprecationWarning),
    ):
        list(second.batch_exports.list(limit=1))  # a new client is told again
