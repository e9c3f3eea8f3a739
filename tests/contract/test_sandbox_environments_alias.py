"""`/api/environments/*` is a deprecated alias of `/api/projects/*` (contract §11).

Re-expressed from PostHog's tests of ``EnvironmentsRewriteMiddleware``
(posthog/test/test_middleware.py: no redirect, ``Deprecation: true``, the successor ``Link``,
``test_sunset_header_is_http_date``).
"""

from __future__ import annotations

import httpx

from envnb.sandbox import Sandbox


def test_environments_alias_answers_in_place_with_deprecation_headers(sandbox: Sandbox) -> None:
    auth = {"Authorization": f"Bearer {sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.url, headers=auth, follow_redirects=False) as http:
        path = f"/api/environments/{sandbox.project_id}/batch_exports/"
        alias = http.get(path, params={"limit": 2})
        projects = http.get(
            f"/api/projects/{sandbox.project_id}/batch_exports/", params={"limit": 2}
        )
        assert alias.status_code == 200 and "Location" not in alias.headers
        assert alias.json()["results"] == projects.json()["results"]
        assert alias.headers["Deprecation"] == "true"
        assert alias.headers["Sunset"] == "Fri, 31 Jul 2026 00:00:00 GMT"
        assert alias.headers["Link"] == (
            f'</api/projects/{sandbox.project_id}/batch_exports/>; rel="successor-version"'
        )
        for header in ("Deprecation", "Sunset", "Link"):
            assert header not in projects.headers
        # errors and the identity routes carry them too
        missing = http.get("/api/environments/@current/batch_exports/not-a-uuid/")
        assert missing.status_code == 404 and missing.headers["Deprecation"] == "true"
        assert missing.headers["Link"] == (
            '</api/projects/@current/batch_exports/not-a-uuid/>; rel="successor-version"'
        )
