"""What only the sync Client has: its async twin (to_async), and no key in any of its reprs."""

from __future__ import annotations

from typing import Any

import pytest

from envnb import errors
from envnb.sandbox import Sandbox

pytestmark = [pytest.mark.timeout(60)]


def test_local_errors_and_secrets_in_reprs(sandbox: Sandbox) -> None:
    with pytest.raises(errors.ConfigurationError, match="POSTHOG_PERSONAL_API_KEY"):
        sandbox.client(api_key="")
    c = sandbox.client()
    try:
        before = sandbox.stats()["requests"]
        with pytest.raises(errors.RequestValidationError) as rv:
            c.batch_exports.create("x", {"type": "NoOp"}, "fortnightly")
        assert rv.value.attr == "interval" and "week" in str(rv.value)
        with pytest.raises(errors.RequestValidationError) as sc:
            c.profile_configs.create("group_9")
        assert sc.value.attr == "scope"
        assert sandbox.stats()["requests"] == before  # refused locally: nothing was sent
        texts = [repr(c), str(c), repr(c._settings), repr(c.batch_exports), repr(c.to_async())]
        df = c.batch_exports.list_df()
        texts.append(df.to_csv())
        for text in texts:
            assert sandbox.api_key not in text
    finally:
        c.close()


@pytest.mark.anyio
async def test_to_async_shares_settings(sandbox: Sandbox) -> None:
    c = sandbox.client()
    a = c.to_async()
    try:
        assert a.host == c.host and a.project_id == c.project_id
        got: Any = await a.batch_exports.list_df(limit=2)
        assert len(got) == 2
    finally:
        c.close()
        await a.aclose()
