"""The key goes only to the configured origin: never over plain http to a non-loopback host,
never to another host named by a ``next`` link or a redirect. Observed at httpx's transport
seam, with a second loopback sandbox standing in for "another host".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

import envnb
from envnb.errors import APIError, ConfigurationError
from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(60)
FAKE_KEY = "phx_FAKE0123456789abcdef0123456789abcdef01"


@dataclass
class Seen:
    """One request as it left the client."""

    url: str
    authorized: bool


class Recording(httpx.BaseTransport):
    """Records every request; optionally rewrites the first page's ``next`` or answers 302."""

    def __init__(self, next_url: str | None = None, redirect_to: str | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: list[Seen] = []
        self.next_url = next_url
        self.redirect_to = redirect_to

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(Seen(str(request.url), "authorization" in request.headers))
        if self.redirect_to is not None:
            return httpx.Response(302, headers={"Location": self.redirect_to}, request=request)
        response = self.inner.handle_request(request)
        response.read()
        return _rewrite_next(request, response, self.next_url)


def _rewrite_next(
    request: httpx.Request, response: httpx.Response, link: str | None
) -> httpx.Response:
    """Point the first page's ``next`` at ``link``, keeping its page parameters."""
    if link is None or request.url.params.get("offset") not in (None, "0"):
        return response
    page = json.loads(response.content)
    if not page.get("next"):
        return response
    # The foreign link keeps the real page parameters, so paging can still complete.
    page["next"] = link + "?" + httpx.URL(page["next"]).query.decode()
    return httpx.Response(200, json=page, request=request)


class AsyncRecording(httpx.AsyncBaseTransport):
    """The async twin of :class:`Recording` (next-link rewriting only)."""

    def __init__(self, next_url: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: list[Seen] = []
        self.next_url = next_url

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(Seen(str(request.url), "authorization" in request.headers))
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return _rewrite_next(request, response, self.next_url)


@pytest.fixture(scope="module")
def other() -> Iterator[Sandbox]:
    """ "Another host": a second sandbox on its own port (a different origin)."""
    with Sandbox(seed=1) as sb:
        yield sb


def _foreign_links(sb: Sandbox, other: Sandbox) -> list[str]:
    path = f"/api/projects/{sb.project_id}/batch_exports/"
    host = sb.url.removeprefix("http://")
    return [
        other.url + path,  # same host, another port
        "https://" + host + path,  # scheme change
        "http://evil.example" + path,  # another host
        f"http://{host}@evil.example{path}",  # userinfo trick
        "//evil.example" + path,  # scheme-relative
    ]


def _own_origin(sb: Sandbox, seen: list[Seen]) -> None:
    for s in seen:
        if s.authorized:
            assert s.url.startswith(sb.url + "/"), s.url


def test_next_link_to_another_origin_never_gets_the_key(sandbox: Sandbox, other: Sandbox) -> None:
    with sandbox.client() as plain:
        expected = {e.id for e in plain.batch_exports.list()}
    for link in _foreign_links(sandbox, other):
        other.reset_stats()
        transport = Recording(next_url=link)
        with envnb.Client(
            sandbox.url, sandbox.api_key, sandbox.project_id, transport=transport
        ) as c:
            ids = {e.id for e in c.batch_exports.list(page_size=5)}
        assert ids == expected, link  # every page still arrived, from the configured origin
        assert len(transport.seen) >= 3
        assert all(s.url.startswith(sandbox.url + "/") for s in transport.seen), link
        _own_origin(sandbox, transport.seen)
        assert other.stats()["requests"] == 0


@pytest.mark.anyio
async def test_async_next_link_to_another_origin(sandbox: Sandbox, other: Sandbox) -> None:
    transport = AsyncRecording(other.url + f"/api/projects/{sandbox.project_id}/batch_exports/")
    other.reset_stats()
    async with envnb.AsyncClient(
        sandbox.url, sandbox.api_key, sandbox.project_id, transport=transport
    ) as c:
        items = [e async for e in c.batch_exports.list(page_size=5)]
    assert len(items) >= 10
    _own_origin(sandbox, transport.seen)
    assert all(s.url.startswith(sandbox.url + "/") for s in transport.seen)
    assert other.stats()["requests"] == 0


def test_redirect_to_another_host_is_not_followed(sandbox: Sandbox, other: Sandbox) -> None:
    other.reset_stats()
    transport = Recording(redirect_to=other.url + "/api/projects/1/batch_exports/")
    c = envnb.Client(sandbox.url, sandbox.api_key, sandbox.project_id, transport=transport)
    with c, pytest.raises(APIError) as info:
        c.batch_exports.get("anything")
    assert info.value.status == 302
    assert [s.url.startswith(sandbox.url) for s in transport.seen] == [True]
    assert other.stats()["requests"] == 0
    assert sandbox.api_key not in str(info.value)


@pytest.mark.parametrize(
    "host",
    [
        "http://example.com",
        "http://10.0.0.8:8000",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://[2001:db8::1]",
    ],
)
def test_plain_http_to_a_non_loopback_host_is_refused(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = Recording()
    with pytest.raises(ConfigurationError) as info:
        envnb.Client(host, FAKE_KEY, 1, transport=transport)
    assert "plain http" in str(info.value) and FAKE_KEY not in str(info.value)
    monkeypatch.setenv("POSTHOG_HOST", host)
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", FAKE_KEY)
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "1")
    with pytest.raises(ConfigurationError):
        envnb.connect()
    assert transport.seen == []


@pytest.mark.parametrize("host", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"])
def test_plain_http_to_loopback_is_allowed(host: str) -> None:
    envnb.Client(host, FAKE_KEY, 1).close()
