"""The client and the sandbox state the same API facts from their own tables; they agree.

Each side lists its facts without importing the other (``envnb.api_facts`` for the client,
``envnb.sandbox.facts`` for the sandbox). Every difference is reported by name: a route or
endpoint as ``METHOD path``, a destination type by its name, a query kind, a refresh mode.
What only one side has on purpose is listed here, literally, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from envnb import api_facts
from envnb.sandbox import facts as sandbox_facts

# Routes the sandbox serves that the client never calls (PostHog serves them too).
SANDBOX_ONLY_ROUTES = {
    "PUT batch_exports/{}/",  # the client PATCHes
    "PUT customer_profile_configs/{}/",  # the client PATCHes
    "DELETE query/{}/",  # cancelling a query run: not in the client yet
    "GET file_download_batch_exports/{}/download/",  # the client asks for each part
    "GET /api/users/@me/",  # the client reads identity from projects/organizations
}
# Destination types the client knows (PostHog's newest code) that the sandbox does not create.
CLIENT_ONLY_DESTINATIONS = {"AwsS3", "S3Compatible", "FileDownload"}


def _key(method: str, path: str, project_scoped: bool) -> str:
    shape = re.sub(r"\{\w+\}", "{}", path)  # placeholder names differ ({run} / {run_id})
    return f"{method} {shape}" if project_scoped else f"{method} /api/{shape}"


def route_differences(client: Iterable[Any], sandbox: Iterable[Any]) -> list[str]:
    """Every endpoint missing on one side or declared with another scope, by name."""
    ours = {_key(r.method, r.path, r.project_scoped): r.scope for r in client}
    theirs = {_key(r.method, r.path, r.project_scoped): r.scope for r in sandbox}
    out = [f"client calls {k} but the sandbox has no such route" for k in ours if k not in theirs]
    out += [
        f"{k}: client scope {ours[k]!r}, sandbox scope {theirs[k]!r}"
        for k in ours
        if k in theirs and ours[k] != theirs[k]
    ]
    extra = {k for k in theirs if k not in ours}
    out += [
        f"sandbox serves {k}, which the client never calls" for k in extra - SANDBOX_ONLY_ROUTES
    ]
    out += [
        f"{k} is listed as sandbox-only but the sandbox does not serve it"
        for k in SANDBOX_ONLY_ROUTES - set(theirs)
    ]
    out += [
        f"{k} is listed as sandbox-only but the client calls it"
        for k in SANDBOX_ONLY_ROUTES & set(ours)
    ]
    return sorted(out)


def destination_differences(client: Mapping[str, Any], sandbox: Mapping[str, Any]) -> list[str]:
    """Every destination type missing on one side or stated differently, by type and field."""
    out = [
        f"destination type {t}: the client knows it, the sandbox does not"
        for t in client
        if t not in sandbox and t not in CLIENT_ONLY_DESTINATIONS
    ]
    out += [
        f"destination type {t}: the sandbox accepts it, the client does not"
        for t in sandbox
        if t not in client
    ]
    for name in sorted(set(client) & set(sandbox)):
        ours, theirs = client[name], sandbox[name]
        for field in ("required", "integration", "models"):
            mine, other = getattr(ours, field), getattr(theirs, field)
            if mine != other:
                out.append(f"{name}.{field}: client {mine!r}, sandbox {other!r}")
        if set(ours.secret) != set(theirs.secret):
            out.append(
                f"{name}.secret: client {sorted(ours.secret)}, sandbox {sorted(theirs.secret)}"
            )
        # The client's () means "has a test whose step names it does not fix".
        steps_differ = (ours.test_steps is None) != (theirs.test_steps is None) or (
            bool(ours.test_steps) and tuple(ours.test_steps) != tuple(theirs.test_steps)
        )
        if steps_differ:
            out.append(
                f"{name}.test_steps: client {ours.test_steps!r}, sandbox {theirs.test_steps!r}"
            )
    out += [
        f"destination type {t} is listed as client-only but the sandbox accepts it"
        for t in CLIENT_ONLY_DESTINATIONS & set(sandbox)
    ]
    return out


def named_differences(what: str, client: Iterable[str], sandbox: Iterable[str]) -> list[str]:
    ours, theirs = list(client), list(sandbox)
    out = [f"{what} {k}: in the client only" for k in ours if k not in theirs]
    out += [f"{what} {k}: in the sandbox only" for k in theirs if k not in ours]
    return out


def test_every_endpoint_agrees_on_method_path_and_scope() -> None:
    assert route_differences(api_facts.endpoints(), sandbox_facts.routes()) == []


def test_destination_types_agree() -> None:
    assert destination_differences(api_facts.destinations(), sandbox_facts.destinations()) == []


def test_query_kinds_agree() -> None:
    assert (
        named_differences("query kind", api_facts.query_kinds(), sandbox_facts.query_kinds()) == []
    )


def test_refresh_modes_agree_in_order() -> None:
    assert api_facts.refresh_modes() == sandbox_facts.refresh_modes()


# ---- the checks name what differs (each side changed by one entry) ----------------------------


def test_a_route_missing_from_the_sandbox_is_named() -> None:
    routes = [r for r in sandbox_facts.routes() if r.path != "batch_exports/{id}/pause/"]
    assert route_differences(api_facts.endpoints(), routes) == [
        "client calls POST batch_exports/{}/pause/ but the sandbox has no such route"
    ]


def test_an_endpoint_removed_from_the_client_is_named() -> None:
    ours = [
        e
        for e in api_facts.endpoints()
        if e.path != "customer_profile_configs/{id}/" or e.method != "DELETE"
    ]
    assert route_differences(ours, sandbox_facts.routes()) == [
        "sandbox serves DELETE customer_profile_configs/{}/, which the client never calls"
    ]


def test_a_changed_scope_is_named() -> None:
    ours = [
        e._replace(scope="query:write") if e.path == "query/" else e for e in api_facts.endpoints()
    ]
    assert route_differences(ours, sandbox_facts.routes()) == [
        "POST query/: client scope 'query:write', sandbox scope 'query:read'"
    ]


def test_a_destination_type_missing_on_either_side_is_named() -> None:
    client = api_facts.destinations()
    sandbox = sandbox_facts.destinations()
    without_http = {k: v for k, v in sandbox.items() if k != "HTTP"}
    assert destination_differences(client, without_http) == [
        "destination type HTTP: the client knows it, the sandbox does not"
    ]
    without_noop = {k: v for k, v in client.items() if k != "NoOp"}
    assert destination_differences(without_noop, sandbox) == [
        "destination type NoOp: the sandbox accepts it, the client does not"
    ]


def test_a_query_kind_missing_on_one_side_is_named() -> None:
    kinds = [k for k in api_facts.query_kinds() if k != "PathsQuery"]
    assert named_differences("query kind", kinds, sandbox_facts.query_kinds()) == [
        "query kind PathsQuery: in the sandbox only"
    ]
