"""DELETE conversations/{id}/ soft-deletes (204); then 404 {"error": "Conversation does not
exist"} (contract §16; PostHog ee/api/conversation.py)."""

from __future__ import annotations

import pytest

from conftest import Api
from envnb.errors import NotFoundError
from envnb.sandbox import Sandbox


def test_delete_soft_deletes_then_404(fresh_api: Api) -> None:
    rows = fresh_api.get("conversations/").json()["results"]
    target = rows[0]["id"]
    gone = fresh_api.request("DELETE", f"conversations/{target}/")
    assert gone.status_code == 204 and gone.content == b""
    again = fresh_api.get(f"conversations/{target}/")
    assert again.status_code == 404
    assert again.json() == {"error": "Conversation does not exist"}
    listed = [row["id"] for row in fresh_api.get("conversations/?limit=500").json()["results"]]
    assert target not in listed
    assert fresh_api.request("DELETE", f"conversations/{target}/").status_code == 404


def test_client_delete(fresh_sandbox: Sandbox) -> None:
    with fresh_sandbox.client() as client:
        first = next(iter(client.conversations.list(limit=1)))
        assert client.conversations.delete(first.id) is None
        with pytest.raises(NotFoundError):
            client.conversations.get(first.id)
