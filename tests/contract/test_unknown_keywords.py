"""A keyword envnb does not know is refused by name, before anything is sent (issue 24, QA).

``client.batch_exports.list_df(nosuch=1)`` used to send ``?nosuch=1``; PostHog ignores
unknown query parameters, so the whole list came back as if filtered."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from envnb.sandbox import Sandbox

RESOURCES = ("batch_exports", "conversations", "profile_configs", "file_exports")
# Every method of a resource that lists or frames, with the arguments it needs besides.
CALLS: list[tuple[str, str, tuple[Any, ...]]] = [
    *[(resource, method, ()) for resource in RESOURCES for method in ("list", "list_df")],
    ("batch_exports", "runs", ("EXPORT",)),
    ("batch_exports", "runs_df", ()),
    ("batch_exports", "backfills", ("EXPORT",)),
    ("batch_exports", "backfills_df", ()),
    ("batch_exports", "logs_df", ("EXPORT",)),
    ("batch_exports", "metrics_df", ("EXPORT",)),
    ("batch_exports", "health", ()),
    ("conversations", "messages_df", ("CONVERSATION",)),
]


@pytest.fixture(scope="module")
def sandbox() -> Any:
    """Its own sandbox: the request counts below see no other test's traffic."""
    with Sandbox(conversations=5, events="tiny") as sb:
        yield sb


def _call(client: Any, resource: str, method: str, args: tuple[Any, ...]) -> Any:
    return getattr(getattr(client, resource), method)(*args, nosuch=1)


@pytest.mark.parametrize(
    ("resource", "method", "args"), CALLS, ids=[f"{r}.{m}" for r, m, _ in CALLS]
)
def test_an_unknown_keyword_is_a_type_error_naming_it_and_nothing_is_sent(
    sandbox: Sandbox, resource: str, method: str, args: tuple[Any, ...]
) -> None:
    before = sandbox.stats()["requests"]
    with sandbox.client() as client, pytest.raises(TypeError, match=r"'nosuch'"):
        _call(client, resource, method, args)
    assert sandbox.stats()["requests"] == before


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("resource", "method", "args"), CALLS, ids=[f"{r}.{m}" for r, m, _ in CALLS]
)
async def test_the_async_client_refuses_it_the_same_way(
    sandbox: Sandbox, resource: str, method: str, args: tuple[Any, ...]
) -> None:
    before = sandbox.stats()["requests"]
    client = sandbox.async_client()
    try:
        with pytest.raises(TypeError, match=r"'nosuch'"):
            result = _call(client, resource, method, args)
            if inspect.isawaitable(result):
                await result
    finally:
        await client.aclose()
    assert sandbox.stats()["requests"] == before


def test_the_lists_still_page_with_the_keywords_they_know(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        assert len(list(client.batch_exports.list(limit=5, page_size=2))) == 5
        assert len(client.profile_configs.list_df(limit=3, progress=False, page_size=2)) == 3


@pytest.mark.parametrize(
    ("method", "typo", "meant"),
    [("update", "pasued", "paused"), ("update", "intervall", "interval")],
)
def test_a_misspelt_export_field_is_refused_with_the_field_meant(
    sandbox: Sandbox, method: str, typo: str, meant: str
) -> None:
    """PostHog ignores a body field it does not know: ``update(id, pasued=True)`` answered
    200 and changed nothing (QA). It is refused by name, before anything is sent."""
    from envnb.errors import RequestValidationError

    with sandbox.client() as client:
        export = next(iter(client.batch_exports.list()))
        before = sandbox.stats()["requests"]
        with pytest.raises(RequestValidationError) as info:
            getattr(client.batch_exports, method)(export.id, **{typo: True})
        assert sandbox.stats()["requests"] == before
    assert info.value.attr == typo
    assert str(info.value).startswith(
        f"{typo}: not a field of this request (did you mean {meant!r}?); fields: destination, "
    )


def test_create_refuses_an_unknown_field_too(sandbox: Sandbox) -> None:
    from envnb.errors import RequestValidationError

    body = {
        "type": "AwsS3",
        "config": {"bucket_name": "b", "region": "eu-west-1", "prefix": "p/"},
        "integration_id": 1,
    }
    with sandbox.client() as client, pytest.raises(RequestValidationError) as info:
        client.batch_exports.create("Typo", body, "hour", colour="red")
    assert info.value.attr == "colour"
    assert "colour: not a field of this request; fields:" in str(info.value)
