"""The public names of DESIGN.md exist, with those parameter names, on both clients."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

import envnb
from envnb.errors import ConfigurationError

# (resource, method, the leading parameters DESIGN.md shows, in order)
SURFACE: list[tuple[str, str, list[str]]] = [
    ("batch_exports", "list", []),
    ("batch_exports", "list_df", []),
    ("batch_exports", "get", ["id"]),
    ("batch_exports", "create", []),
    ("batch_exports", "update", ["id"]),
    ("batch_exports", "pause", ["id"]),
    ("batch_exports", "unpause", ["id", "backfill"]),
    ("batch_exports", "test_steps", ["destination_type"]),
    ("batch_exports", "run_test_step", ["id", "step", "**overrides"]),
    ("batch_exports", "run_test_step_new", ["step", "export"]),
    ("conversations", "list", []),
    ("conversations", "list_df", []),
    ("conversations", "get", ["id"]),
    # check_first (keyword-only): ask PostHog before sending (issue 10 #4).
    ("conversations", "stream", ["content", "conversation", "check_first", "**options"]),
    ("conversations", "resume", ["conversation"]),
    ("conversations", "ask", ["content"]),
    ("conversations", "append_message", ["id", "content"]),
    ("conversations", "cancel", ["id"]),
    ("profile_configs", "list", []),
    ("profile_configs", "list_df", []),
    ("profile_configs", "get", ["id"]),
    ("profile_configs", "create", ["scope", "content", "sidebar"]),
    ("profile_configs", "update", ["id"]),
    ("profile_configs", "delete", ["id"]),
    ("profile_configs", "for_scope", ["scope"]),
]


def _params(fn: Any) -> list[str]:
    out = []
    for p in inspect.signature(fn).parameters.values():
        out.append(f"**{p.name}" if p.kind is p.VAR_KEYWORD else p.name)
    return out


@pytest.fixture(params=["Client", "AsyncClient"])
def client(request: pytest.FixtureRequest) -> Any:
    """Either client, configured but never used to send anything."""
    cls = getattr(envnb, request.param)
    return cls(host="https://us.posthog.com", api_key="phx_" + "k" * 40, project_id=1)


@pytest.mark.parametrize(("resource", "method", "leading"), SURFACE)
def test_design_names_on_both_clients(
    client: Any, resource: str, method: str, leading: list[str]
) -> None:
    fn = getattr(getattr(client, resource), method)
    params = _params(fn)
    assert params[: len(leading)] == leading, f"{resource}.{method}{params}"
    for name in leading:
        if name.startswith("**"):
            assert name in params


def test_design_defaults() -> None:
    c = envnb.Client(host="eu", api_key="phx_" + "k" * 40, project_id="2")
    sig = inspect.signature
    assert sig(c.batch_exports.unpause).parameters["backfill"].default is False
    assert sig(c.conversations.stream).parameters["conversation"].default is None
    assert c.host == "https://eu.posthog.com"
    for name in ("host", "api_key", "project_id", "timeout", "max_retries"):
        assert name in sig(envnb.Client).parameters
        assert name in sig(envnb.AsyncClient).parameters
    assert callable(envnb.connect)


def test_async_methods_are_awaitable_and_iterators_async() -> None:
    a = envnb.AsyncClient(host="us", api_key="phx_" + "k" * 40, project_id=1)
    coro = a.batch_exports.get("x")
    assert inspect.isawaitable(coro)
    coro.close()  # never awaited: nothing is sent
    assert hasattr(a.conversations.list(), "__aiter__")


def test_missing_project_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTHOG_PROJECT_ID", raising=False)
    with pytest.raises(ConfigurationError, match="POSTHOG_PROJECT_ID"):
        envnb.Client(host="us", api_key="phx_" + "k" * 40)


@pytest.mark.parametrize(
    ("kw", "attr"),
    [({"limit": -1}, "limit"), ({"limit": "5"}, "limit"), ({"page_size": 0}, "page_size")],
)
def test_bad_paging_arguments_refused_before_sending(
    client: Any, kw: dict[str, Any], attr: str
) -> None:
    from envnb.errors import RequestValidationError

    for call in (client.conversations.list, client.batch_exports.list_df):
        with pytest.raises(RequestValidationError, match=">= ") as err:
            result = call(**kw)
            if inspect.iscoroutine(result):
                asyncio.run(result)  # AsyncClient: raised when awaited, still before sending
        assert err.value.attr == attr
