"""Saved insights: which one a user means, from an id, a short id or a pasted URL.

PostHog (PH:posthog/api/insight.py): ``GET insights/{id}/`` by numeric id, ``GET
insights/?short_id=AbC123`` by the short id the web app shows in its URLs
(``https://us.posthog.com/project/1/insights/AbC123``, optionally ``/edit``, a query string or
a fragment). The insight's ``query`` is the source a notebook can run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..._core.config import is_loopback
from ...errors import RequestValidationError

_SHORT_ID = re.compile(r"^[A-Za-z0-9]{4,16}$")
_URL_PATH = re.compile(r"/insights/([A-Za-z0-9]+)(?:/[a-z]*)?/?$")


@dataclass(frozen=True)
class InsightRef:
    """One of: a numeric ``id``, or a ``short_id``; ``project_id`` when a URL named one."""

    id: int | None = None
    short_id: str | None = None
    project_id: int | None = None
    host: str | None = None  # the URL's host, when a URL was given


def insight_ref(value: object) -> InsightRef:
    """Read an insight id, short id or URL; RequestValidationError (attr ``insight``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return InsightRef(id=value)
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(
            "insight: give a saved insight's id, short id or URL "
            "(https://us.posthog.com/project/1/insights/AbC123)",
            attr="insight",
        )
    text = value.strip()
    if text.isdigit():
        return InsightRef(id=int(text))
    if "/" in text:
        parts = urlsplit(text)
        found = _URL_PATH.search(parts.path)
        if found is None:
            raise RequestValidationError(
                f"insight: {text!r} is not an insight URL (…/project/<id>/insights/<short id>)",
                attr="insight",
            )
        project = re.search(r"/project/(\d+)/", parts.path)
        return InsightRef(
            short_id=found[1],
            project_id=int(project[1]) if project else None,
            host=parts.hostname,
        )
    if _SHORT_ID.match(text):
        return InsightRef(short_id=text)
    raise RequestValidationError(
        f"insight: {text!r} is not an insight id or short id", attr="insight"
    )


def check_same_project(ref: InsightRef, base_url: str, project_id: str) -> None:
    """A URL of another project or another PostHog is refused before anything is sent.

    Short ids are looked up in the client's project: followed blindly, a URL pasted from
    another project (or region) would answer with whatever insight — or nothing — has that
    short id here, with no sign. A client on loopback is the sandbox, which stands in for any
    PostHog host, so only the project is compared there.
    """
    if ref.project_id is not None and project_id.isdigit() and int(project_id) != ref.project_id:
        raise RequestValidationError(
            f"insight: the URL is an insight of project {ref.project_id}, but this client reads "
            f"project {project_id}; connect with project_id={ref.project_id} (or its profile)",
            attr="insight",
        )
    mine = urlsplit(base_url).hostname or ""
    if ref.host and not is_loopback(mine) and ref.host.lower() != mine.lower():
        raise RequestValidationError(
            f"insight: the URL is on {ref.host}, but this client talks to {mine}; connect to "
            f"https://{ref.host} (or its profile) to read it",
            attr="insight",
        )


def insight_query(data: dict[str, Any]) -> dict[str, Any]:
    """The query a saved insight runs; RequestValidationError when it has none (an old,
    filters-only insight)."""
    query = data.get("query")
    if not isinstance(query, dict) or not isinstance(query.get("kind"), str):
        raise RequestValidationError(
            f"insight: {data.get('short_id') or data.get('id')} has no query to run", attr="insight"
        )
    return query
