"""Helpers for the widget tests: plain HTTP reads of the sandbox and widget-state walks."""

from __future__ import annotations

import json
from typing import Any

import httpx

from envnb.widgets._base import iter_widgets

# tests/ is on sys.path (tests/conftest.py): one definition of what counts as a leak.
from security.secrets_helpers import pieces

SEEDED_SECRET = "sandbox-secret-"  # prefix of every seeded destination secret


def api_get(sb: Any, path: str) -> Any:
    """GET a project path from the sandbox with plain httpx (no envnb client involved)."""
    url = f"{sb.url}/api/projects/{sb.project_id}/{path.lstrip('/')}"
    resp = httpx.get(url, headers={"Authorization": f"Bearer {sb.api_key}"}, timeout=10)
    resp.raise_for_status()
    return resp.json()


def all_state(panel: Any) -> str:
    """Every synced trait of every widget in the panel, as one JSON text."""
    states = [w.get_state() for w in iter_widgets(panel.widget)]
    return json.dumps(states, default=str)


def assert_no_secrets(panel: Any, *secrets: str) -> None:
    """No 8-character piece of a key, no seeded destination secret in any synced state."""
    dump = all_state(panel)
    for secret in secrets:
        found = [piece for piece in pieces(secret) if piece in dump]
        assert not found, f"pieces of a secret in the widget state: {found}"
    assert SEEDED_SECRET not in dump


def html_of(panel: Any) -> str:
    """All HTML widget values of the panel joined (what the browser would render)."""
    return "\n".join(str(w.value) for w in iter_widgets(panel.widget) if type(w).__name__ == "HTML")


def writes(sb: Any, op: str) -> int:
    """How many times the sandbox performed side effect ``op``."""
    return int(sb.stats()["writes"].get(op, 0))


def client_for(sb: Any, **kw: Any) -> Any:
    """An envnb.Client for ``sb``; ``api_key=`` gives a client with another (scoped) key."""
    import envnb

    settings = {"host": sb.url, "api_key": sb.api_key, "project_id": sb.project_id, **kw}
    return envnb.Client(**settings)
