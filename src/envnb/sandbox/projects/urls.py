"""The identity operations under ``/api/`` itself, not under one project: the projects a key
can see, one project, the organization, the user (``project_scoped=False``). They are not in
the OpenAPI document of the project-scoped routes.
"""

from __future__ import annotations

from ..auth import SELF_ACCESS
from ..route import Route
from . import routes

PROJECT_READ = "project:read"
TAG = "core"

ROUTES: tuple[Route, ...] = (
    Route(
        name="projects_list",
        method="GET",
        path="projects",
        handler=routes.list_projects,
        scope=PROJECT_READ,
        tag=TAG,
        project_scoped=False,
        summary="Projects the key can see",
        response="Project",
        paginated=True,
    ),
    Route(
        name="projects_retrieve",
        method="GET",
        path="projects/{id}",
        handler=routes.get_project,
        scope=PROJECT_READ,
        tag=TAG,
        project_scoped=False,
        summary="One project",
        response="Project",
    ),
    Route(
        name="organizations_projects_list",
        method="GET",
        path="organizations/@current/projects",
        handler=routes.list_projects,
        scope=PROJECT_READ,
        tag=TAG,
        project_scoped=False,
        summary="Projects of the current organization",
        response="Project",
        paginated=True,
    ),
    Route(
        name="organizations_retrieve",
        method="GET",
        path="organizations/@current",
        handler=routes.get_organization,
        scope="organization:read",
        tag=TAG,
        project_scoped=False,
        summary="The current organization",
        response="Organization",
    ),
    Route(
        # PostHog's CLI reads the organization by the id users/@me names, on every call.
        name="organizations_retrieve_by_id",
        method="GET",
        path="organizations/{organization_id}",
        handler=routes.get_organization,
        scope="organization:read",
        tag=TAG,
        project_scoped=False,
        summary="The organization, by its id (or @current)",
        response="Organization",
    ),
    Route(
        name="personal_api_keys_current",
        method="GET",
        path="personal_api_keys/@current",
        handler=routes.current_key,
        scope=SELF_ACCESS,  # PostHog's viewset has no scope object: a key may read itself
        tag=TAG,
        project_scoped=False,
        summary="The calling personal API key (scopes, scoped projects), never its value",
        response="PersonalAPIKey",
    ),
    Route(
        name="users_me",
        method="GET",
        path="users/@me",
        handler=routes.get_me,
        scope="user:read",
        tag=TAG,
        project_scoped=False,
        summary="The key's user",
        response="User",
    ),
)
