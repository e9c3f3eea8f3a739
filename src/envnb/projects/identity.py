"""Who a key is and what it can see: PostHog's project, organization and user endpoints.

These live under ``/api/`` rather than under one project (contract §11): ``projects/`` lists
the projects the key can see (a key limited to some projects sees only those; PostHog filters
the list by the key's ``scoped_teams``), ``projects/{id}/`` is one project.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .._core.framing import Column
from .._core.models import APIModel
from .._core.request import Endpoint, RequestSpec

if TYPE_CHECKING:
    from .._client import Client


class Project(APIModel):
    """A project as ``GET /api/projects/{id}/`` returns it (unknown fields kept)."""

    id: int
    name: str
    organization: str | None = None
    timezone: str | None = None


class IdentityEndpoints:
    """Endpoints under ``/api/`` (paths relative to it, not to a project)."""

    projects = Endpoint("GET", "projects/", "project:read", Project.model_validate, paging="offset")
    project = Endpoint("GET", "projects/{id}/", "project:read", Project.model_validate)


PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("project_id", "Int64", ("id",)),
    Column("name", "string"),
    Column("organization", "string"),
    Column("timezone", "string"),
)


def _at_api(client: Client, spec: RequestSpec[Any]) -> RequestSpec[Any]:
    # The transport sends to the spec's absolute URL; the key still goes only to the
    # client's own origin (the Wire checks every URL).
    return replace(spec, url=f"{client.host}/api/{spec.path}")


def visible_projects(client: Client) -> list[Project]:
    """Every project the client's key can see (``GET /api/projects/``, all pages)."""
    spec = _at_api(client, IdentityEndpoints.projects.request())
    return list(client._transport.items(spec, None, 100))


def project(client: Client, project_id: int | str | None = None) -> Project:
    """One project (the client's own by default)."""
    pid = client.project_id if project_id is None else project_id
    return client._transport.request(
        _at_api(client, IdentityEndpoints.project.request({"id": pid}))
    )
