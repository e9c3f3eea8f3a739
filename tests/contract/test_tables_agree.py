"""The client and the sandbox state the same API facts apart; this test says they agree.

The client's side: ``envnb.api_facts`` — every ``Endpoint`` of its products' endpoint
tables, ``DESTINATIONS``, ``QUERY_KINDS`` and ``REFRESH_MODES``. The sandbox's side:
``envnb.sandbox.facts``, read from its own route table and destination table (the sandbox
imports no client code, so it stays an independent check). A difference is reported by
name — the route, the destination type and the field, the query kind — and the tests below
show that deleting or changing one entry on either side is caught. What one side has on
purpose and the other lacks is listed here, with the reason; an entry of those lists that
stops being a difference fails too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from envnb import api_facts
from envnb.query.kinds import QUERY_KINDS, REFRESH_MODES
from envnb.sandbox import facts

Route = tuple[str, str]  # (method, path with every {name} written {})

SERVED_NOT_CALLED: dict[Route, str] = {
    ("GET", "integrations/{}/"): "the client lists a project's integrations",
    ("PUT", "batch_exports/{}/"): "the client updates with PATCH",
    ("PUT", "customer_profile_configs/{}/"): "the client updates with PATCH",
    ("DELETE", "query/{}/"): "the client lets async runs finish",
    ("GET", "file_download_batch_exports/{}/download/"): "the client asks for each file by part",
    ("GET", "users/@me/"): "the client reads the projects a key can see, not the user",
    ("GET", "personal_api_keys/@current/"): "read by PostHog's own tools; the client reads "
    "the projects a key can see",
    ("GET", "organizations/@current/"): "the client reads the projects a key can see",
    ("GET", "organizations/{}/"): "read by PostHog's CLI with the id users/@me names",
    ("GET", "organizations/@current/projects/"): "the client lists projects/ instead",
}
CALLED_NOT_SERVED: dict[Route, str] = {}
CLIENT_ONLY_DESTINATIONS = {
    "FileDownload": "file downloads have their own endpoints (file_download_batch_exports/)",
}


def _shape(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def client_routes() -> dict[Route, str | None]:
    """Every endpoint the client declares (``envnb.api_facts.endpoints()``: each product's
    endpoint table and the identity endpoints of ``envnb.projects``), by (method, path
    shape) -> scope."""
    return {(e.method, _shape(e.path)): e.scope for e in api_facts.endpoints()}


def sandbox_routes() -> dict[Route, str | None]:
    """Every route the sandbox serves, by (method, path shape) -> scope."""
    return {(row.method, _shape(row.path)): row.scope for row in facts.routes()}


def route_differences(
    client: Mapping[Route, str | None], sandbox: Mapping[Route, str | None]
) -> list[str]:
    """One sentence per route the two sides disagree on, beyond the listed ones."""
    out = []
    for route in sorted(set(client) | set(sandbox)):
        name = " ".join(route)
        if route not in sandbox and route not in CALLED_NOT_SERVED:
            out.append(f"{name}: the client calls it, the sandbox does not serve it")
        elif route not in client and route not in SERVED_NOT_CALLED:
            out.append(f"{name}: the sandbox serves it, the client does not call it")
        elif route in client and route in sandbox and client[route] != sandbox[route]:
            out.append(f"{name}: scope {client[route]!r} (client) != {sandbox[route]!r} (sandbox)")
    for route in sorted(SERVED_NOT_CALLED):
        if route in client or route not in sandbox:
            out.append(f"{' '.join(route)}: listed in SERVED_NOT_CALLED but is not that any more")
    for route in sorted(CALLED_NOT_SERVED):
        if route in sandbox or route not in client:
            out.append(f"{' '.join(route)}: listed in CALLED_NOT_SERVED but is not that any more")
    return out


def _destination_fields(entry: Any) -> dict[str, Any]:
    steps = entry.test_steps
    return {
        "required": tuple(entry.required),
        "secret": frozenset(entry.secret),
        # The client writes () for a test whose step names it does not fix.
        "test_steps": None if steps is None else (tuple(steps) or "some"),
        "integration": entry.integration,
        "integration_required": entry.integration is not None and entry.integration_required,
        "models": None if entry.models is None else tuple(entry.models),
    }


def destination_differences(client: Mapping[str, Any], sandbox: Mapping[str, Any]) -> list[str]:
    """One sentence per destination type (or field of one) the two sides disagree on."""
    out = []
    for name in sorted(set(client) | set(sandbox)):
        if name not in sandbox:
            if name not in CLIENT_ONLY_DESTINATIONS:
                out.append(f"destination {name}: the client knows it, the sandbox does not")
            continue
        if name not in client:
            out.append(f"destination {name}: the sandbox accepts it, the client does not know it")
            continue
        ours, theirs = _destination_fields(client[name]), _destination_fields(sandbox[name])
        for field, value in ours.items():
            other = theirs[field]
            if field == "test_steps" and "some" in (value, other) and None not in (value, other):
                continue  # both have a test; the client does not fix its step names
            if value != other:
                out.append(f"destination {name}.{field}: {value!r} (client) != {other!r} (sandbox)")
    for name in sorted(CLIENT_ONLY_DESTINATIONS):
        if name in sandbox or name not in client:
            out.append(f"destination {name}: listed in CLIENT_ONLY_DESTINATIONS but is not that")
    return out


def name_differences(what: str, client: Iterable[str], sandbox: Iterable[str]) -> list[str]:
    """One sentence per name (query kind, refresh mode) only one side has."""
    ours, theirs = set(client), set(sandbox)
    return [f"{what} {name}: only the client has it" for name in sorted(ours - theirs)] + [
        f"{what} {name}: only the sandbox has it" for name in sorted(theirs - ours)
    ]


def _client_destinations() -> dict[str, Any]:
    return dict(api_facts.destinations())


def test_every_client_endpoint_is_a_sandbox_route_with_the_same_scope() -> None:
    assert len(client_routes()) >= 40  # the walk found the product tables
    assert route_differences(client_routes(), sandbox_routes()) == []


def test_destination_tables_agree() -> None:
    assert destination_differences(_client_destinations(), facts.destinations()) == []


def test_query_kinds_and_refresh_modes_agree() -> None:
    assert name_differences("query kind", api_facts.query_kinds(), facts.query_kinds()) == []
    assert name_differences("refresh mode", api_facts.refresh_modes(), facts.refresh_modes()) == []


def test_a_route_deleted_or_changed_on_either_side_is_named() -> None:
    client, sandbox = client_routes(), sandbox_routes()
    pause = ("POST", "batch_exports/{}/pause/")
    without = {k: v for k, v in client.items() if k != pause}
    assert route_differences(without, sandbox) == [
        "POST batch_exports/{}/pause/: the sandbox serves it, the client does not call it"
    ]
    without = {k: v for k, v in sandbox.items() if k != pause}
    assert route_differences(client, without) == [
        "POST batch_exports/{}/pause/: the client calls it, the sandbox does not serve it"
    ]
    rescoped = {**sandbox, ("GET", "conversations/"): "conversation:write"}
    assert route_differences(client, rescoped) == [
        "GET conversations/: scope 'conversation:read' (client) != 'conversation:write' (sandbox)"
    ]
    # A listed difference that is gone is named too (the list must follow the code).
    called = {**client, ("PUT", "batch_exports/{}/"): "batch_export:write"}
    assert route_differences(called, sandbox) == [
        "PUT batch_exports/{}/: listed in SERVED_NOT_CALLED but is not that any more"
    ]


def test_a_destination_deleted_or_changed_on_either_side_is_named() -> None:
    client, sandbox = _client_destinations(), facts.destinations()
    assert destination_differences(
        {k: v for k, v in client.items() if k != "Snowflake"}, sandbox
    ) == ["destination Snowflake: the sandbox accepts it, the client does not know it"]
    assert destination_differences(
        client, {k: v for k, v in sandbox.items() if k != "Snowflake"}
    ) == ["destination Snowflake: the client knows it, the sandbox does not"]
    leaky = {**sandbox, "HTTP": sandbox["HTTP"]._replace(secret=frozenset())}
    assert destination_differences(client, leaky) == [
        "destination HTTP.secret: frozenset({'token'}) (client) != frozenset() (sandbox)"
    ]
    untested = {**sandbox, "BigQuery": sandbox["BigQuery"]._replace(test_steps=None)}
    assert destination_differences(client, untested) == [
        "destination BigQuery.test_steps: ('Impersonate BigQuery service account', "
        "'Verify BigQuery service account ownership', 'Verify BigQuery project', "
        "'Verify BigQuery dataset', 'Verify BigQuery table') (client) != None (sandbox)"
    ]


def test_a_query_kind_or_refresh_mode_on_one_side_only_is_named() -> None:
    kinds = [k for k in QUERY_KINDS if k != "FunnelsQuery"]
    assert name_differences("query kind", kinds, facts.query_kinds()) == [
        "query kind FunnelsQuery: only the sandbox has it"
    ]
    modes = [m for m in facts.refresh_modes() if m != "force_cache"]
    assert name_differences("refresh mode", REFRESH_MODES, modes) == [
        "refresh mode force_cache: only the client has it"
    ]
