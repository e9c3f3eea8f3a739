"""Ask the sandbox directly over plain HTTP (what the server holds, not what a panel shows)."""

from __future__ import annotations

from typing import Any

import httpx


class SandboxHTTP:
    """A tiny httpx wrapper over one project's API: the tests' independent witness."""

    def __init__(self, env: dict[str, str]) -> None:
        """Build from ``sb.env()`` (host, key, project id)."""
        self.base = f"{env['POSTHOG_HOST']}/api/projects/{env['POSTHOG_PROJECT_ID']}"
        self.headers = {"Authorization": f"Bearer {env['POSTHOG_PERSONAL_API_KEY']}"}

    def get(self, path: str, **params: Any) -> Any:
        """GET ``path`` (relative to the project) and return the JSON body."""
        r = httpx.get(f"{self.base}/{path}", headers=self.headers, params=params, timeout=10)
        r.raise_for_status()
        return r.json()

    def all(self, path: str) -> list[dict[str, Any]]:
        """Every result of a paginated list."""
        return list(self.get(path, limit=1000)["results"])
