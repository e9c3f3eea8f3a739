"""The API facts the client states, listed from its own tables, for the agreement test.

The sandbox states the same facts from its tables (``envnb.sandbox.facts``);
tests/contract/test_tables_agree.py compares the two and names the entry that differs.
Rule 1: every endpoint the client calls is an ``Endpoint`` attribute of one namespace class
in ``NAMESPACES``; its ``scope`` is the one PostHog requires (``INTERNAL``: no scoped key;
None: an action without ``required_scopes``, which scoped keys cannot call).
Rule 2: nothing here is read by the client at run time; it only lists.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._core.request import Endpoint
from .batch_exports.destinations import DESTINATIONS, DestinationFacts
from .batch_exports.endpoints import BatchExportEndpoints, ExportOpsEndpoints
from .conversations.endpoints import ConversationEndpoints, TaskRunEndpoints
from .file_exports.endpoints import FileExportEndpoints
from .profile_configs.endpoints import ProfileConfigEndpoints
from .projects.identity import IdentityEndpoints
from .query.endpoints import InsightEndpoints, QueryEndpoints
from .query.kinds import QUERY_KINDS, REFRESH_MODES


class EndpointRow(NamedTuple):
    """One endpoint: method, path template ({name} placeholders), scope, and whether the path
    is under ``/api/projects/{project_id}/`` (else under ``/api/``)."""

    method: str
    path: str
    scope: str | None
    project_scoped: bool


# Each namespace of endpoints, and whether its paths are relative to the project.
NAMESPACES: tuple[tuple[type[Any], bool], ...] = (
    (BatchExportEndpoints, True),
    (ExportOpsEndpoints, True),
    (ConversationEndpoints, True),
    (TaskRunEndpoints, True),
    (ProfileConfigEndpoints, True),
    (QueryEndpoints, True),
    (InsightEndpoints, True),
    (FileExportEndpoints, True),
    (IdentityEndpoints, False),
)


def endpoints() -> list[EndpointRow]:
    """Every endpoint the client calls, once each, in declaration order."""
    rows: dict[EndpointRow, None] = {}
    for namespace, project_scoped in NAMESPACES:
        for value in vars(namespace).values():
            if isinstance(value, Endpoint):
                rows[EndpointRow(value.method, value.path, value.scope, project_scoped)] = None
    return list(rows)


def destinations() -> dict[str, DestinationFacts]:
    """What the client knows of each destination type, by type."""
    return {str(name): facts for name, facts in DESTINATIONS.items()}


def query_kinds() -> tuple[str, ...]:
    """The query kinds the client tidies, charts or unwraps (``QUERY_KINDS``)."""
    return tuple(QUERY_KINDS)


def refresh_modes() -> tuple[str, ...]:
    """The ``refresh`` values the client accepts for ``query()``."""
    return REFRESH_MODES
