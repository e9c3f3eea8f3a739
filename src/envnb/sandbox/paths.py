"""Project-scoped API paths: ``/api/{environments|projects}/{id}/...`` split into id and rest.

Its own module so that the fault engine (which matches routes by path) needs nothing of
the route table.
"""

from __future__ import annotations

import re

_PROJECT = re.compile(
    r"^/api/(environments|projects)/(?P<project_id>\d+|@current)/(?P<rest>.*?)/?$", re.DOTALL
)
CURRENT = "@current"


def split_project(path: str) -> tuple[int | None, str] | None:
    """``/api/projects/1/batch_exports/`` -> (1, "batch_exports"); None if not a project path.

    The project id ``@current`` (-> None) means the caller's current project
    [src: PH:posthog/api/routing.py ``TeamAndOrgViewSetMixin``].
    """
    match = _PROJECT.match(path)
    if match is None:
        return None
    raw = match["project_id"]
    return (None if raw == CURRENT else int(raw)), match["rest"]
