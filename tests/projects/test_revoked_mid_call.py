"""Contract: a key revoked in the middle of one fleet call (between one project's requests,
after its first answer) fails that project alone, as one row carrying the error and a
warning; the other project's rows are whole. The revocation is made by the client's own
transport right after the answer, so the order is the event's, not a timer's."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

import envnb
from envnb.errors import FleetWarning
from envnb.sandbox import Sandbox


class AfterFirstAnswer(httpx.HTTPTransport):
    """An HTTP transport that calls ``then()`` once, after the first answer it receives."""

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self.then: Callable[[], None] | None = then
        self.answers = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.answers += 1
        if self.then is not None:
            self.then, then = None, self.then
            then()
        return response


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(projects=2, conversations=10) as made:
        yield made


def test_a_key_revoked_between_a_projects_requests_fails_only_that_project(
    sb: Sandbox,
) -> None:
    staging_key = sb.create_key(["batch_export:read"], projects=[1])
    production_key = sb.create_key(["batch_export:read"], projects=[2])
    revoke = AfterFirstAnswer(lambda: sb.revoke_key(production_key))
    with (
        sb.client(api_key=staging_key) as staging,
        sb.client(api_key=production_key, project_id=2, transport=revoke) as production,
    ):
        fleet = envnb.Fleet({"staging": staging, "production": production})
        with pytest.warns(FleetWarning, match="project 'production'") as caught:
            frame = fleet.health()
        # production's exports were listed (its first answer), then its key was revoked.
        assert revoke.answers >= 2
        rows = frame.groupby("project", sort=False).size().to_dict()
        assert rows == {"staging": 12, "production": 1}
        assert frame.loc[frame["project"] == "staging", "error"].isna().all()
        error = frame.loc[frame["project"] == "production", "error"].iloc[0]
        assert error.startswith("AuthenticationError: 401: Invalid personal API key.")
        shown = frame.to_string() + repr(fleet) + " ".join(str(w.message) for w in caught)
        assert staging_key not in shown and production_key not in shown
