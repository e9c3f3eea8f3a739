"""The API facts the sandbox states, read from its own tables, for the agreement test.

The client states the same facts in its own tables (its endpoints, ``DESTINATIONS``,
``QUERY_KINDS``, refresh modes); tests/contract/test_tables_agree.py compares the two sides
and names the entry that differs. Nothing here imports client code: the sandbox stays the
independent check of the client.
"""

from __future__ import annotations

from typing import NamedTuple

from .batch_exports.destinations import DESTINATIONS
from .query.api import KINDS, REFRESH
from .routes import RouteRow, route_rows


class DestinationRow(NamedTuple):
    """What the sandbox accepts for one destination type."""

    required: tuple[str, ...]  # config fields a new export must send
    secret: frozenset[str]  # never returned
    test_steps: tuple[str, ...] | None  # step names; None: no test (404)
    integration: str | None  # the kind of integration it names
    integration_required: bool  # whether a new export must name one
    models: tuple[str, ...] | None  # None: every model


def routes() -> list[RouteRow]:
    """Every operation served: (method, path template, scope, project_scoped)."""
    return route_rows()


def destinations() -> dict[str, DestinationRow]:
    """Every destination type the sandbox accepts on create, by type."""
    return {
        name: DestinationRow(
            required=d.required,
            secret=d.secret,
            test_steps=None if d.test_steps is None else tuple(s.name for s in d.test_steps),
            integration=d.integration,
            integration_required=d.integration is not None and d.integration_required is not None,
            models=d.models,
        )
        for name, d in DESTINATIONS.items()
    }


def query_kinds() -> tuple[str, ...]:
    """The ``query.kind`` values ``POST query/`` runs."""
    return tuple(KINDS)


def refresh_modes() -> tuple[str, ...]:
    """The ``refresh`` values ``POST query/`` accepts."""
    return REFRESH
