"""``Fleet``: many projects (and regions) read as one frame.

Rules:

1. Members are fetched concurrently, at most ``per_host`` at once against one host, so
   ten projects on one region cost about one project's wall time without flooding it.
2. A member that fails (an envnb error: a revoked key, a 5xx, a timeout) becomes one row
   carrying ``error``, and a :class:`FleetWarning` names it; the other members' rows stay.
   Anything else (a bug) is raised.
3. Every frame starts with ``project``, ``region`` and ``project_id`` and ends with
   ``error`` (missing on good rows); rows keep the members' order.
4. Each member has its own client, so a key only ever goes to its own host (the transport
   checks every URL against the client's origin).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..errors import ConfigurationError, EnvnbError, FleetWarning
from . import identity
from .profile_file import get_profile, region_of

if TYPE_CHECKING:
    import pandas as pd

    from .._client import Client

R = TypeVar("R")


@dataclass(frozen=True)
class Member:
    """One project of a fleet: its label, region, id and the client that reads it."""

    project: str
    region: str
    project_id: str
    client: Client

    @property
    def host(self) -> str:
        """The base URL the member's key goes to (and only there)."""
        return self.client.host


class Fleet:
    """Several projects, possibly in several regions, read together.

    ``Fleet(["prod-us", "prod-eu"])`` takes profile names (a profile listing several
    project ids adds each), Clients, or a ``{label: profile-or-Client}`` mapping;
    :meth:`every_project` takes every project a key can see. ``per_host`` bounds the
    concurrent calls against one host (rule 1).
    """

    def __init__(
        self,
        members: Iterable[str | Client] | Mapping[str, str | Client],
        *,
        per_host: int = 6,
    ) -> None:
        if isinstance(per_host, bool) or not isinstance(per_host, int) or per_host < 1:
            raise ConfigurationError(f"per_host must be a whole number >= 1, got {per_host!r}")
        self.per_host = per_host
        self._owned: list[Client] = []
        items = members.items() if isinstance(members, Mapping) else [(None, m) for m in members]
        built: list[Member] = []
        try:
            for label, item in items:
                built.extend(self._members_of(label, item))
        except BaseException:
            self.close()
            raise
        if not built:
            raise ConfigurationError("a Fleet needs at least one profile or Client")
        labels = [m.project for m in built]
        repeated = sorted({x for x in labels if labels.count(x) > 1})
        if repeated:
            self.close()
            raise ConfigurationError(
                f"two fleet members are both labelled {repeated[0]!r}; pass a mapping "
                "{label: profile_or_client} to name them apart"
            )
        self.members: tuple[Member, ...] = tuple(built)

    @classmethod
    def every_project(cls, client: Client, *, per_host: int = 6) -> Self:
        """Every project ``client``'s key can see (``GET /api/projects/``), by name.

        The projects share the client's host and key; a key limited to some projects
        sees (and so reaches) only those.
        """
        projects = identity.visible_projects(client)
        if not projects:
            raise ConfigurationError(f"the key for {client.host} can see no project")
        names = [p.name for p in projects]
        clients = {
            (p.name if names.count(p.name) == 1 else f"{p.name} #{p.id}"): _client_for(
                client, str(p.id)
            )
            for p in projects
        }
        try:
            fleet = cls(clients, per_host=per_host)
        except BaseException:
            for made in clients.values():
                made.close()
            raise
        fleet._owned.extend(clients.values())  # made here, so closed with the fleet
        return fleet

    def _members_of(self, label: str | None, item: object) -> list[Member]:
        from .._client import Client

        if isinstance(item, Client):
            region = region_of(item.host)
            name = label or f"{region}/{item.project_id}"
            return [Member(name, region, item.project_id, item)]
        if isinstance(item, str):
            profile = get_profile(item)
            if not profile.project_ids:
                raise ConfigurationError(f"profile {item!r} has no project_id")
            several = len(profile.project_ids) > 1
            out = []
            for pid in profile.project_ids:
                client = profile.client(pid)
                self._owned.append(client)
                name = label or profile.name
                out.append(
                    Member(f"{name}/{pid}" if several else name, profile.region, pid, client)
                )
            return out
        raise ConfigurationError(
            f"a Fleet member must be a profile name or an envnb.Client, not {type(item).__name__}"
        )

    def __repr__(self) -> str:
        listed = ", ".join(f"{m.project} ({m.region})" for m in self.members)
        return f"<Fleet of {len(self.members)} projects: {listed}>"

    def __len__(self) -> int:
        return len(self.members)

    def close(self) -> None:
        """Close the clients the fleet made (not the ones it was given)."""
        for client in getattr(self, "_owned", []):
            client.close()
        self._owned = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- frames ------------------------------------------------------------------------

    def projects_df(self) -> pd.DataFrame:
        """One row per member: its name, organization and timezone as PostHog reports them."""
        from .._core.framing import frame_from_records

        def read(client: Client) -> pd.DataFrame:
            found = identity.project(client)
            return frame_from_records(
                [found.model_dump(mode="json")], identity.PROJECT_COLUMNS
            ).drop(columns=["project_id"])

        return self._frame("projects_df", read)

    def batch_exports_df(self) -> pd.DataFrame:
        """Every member's batch exports (``client.batch_exports.list_df()``) in one frame."""
        return self._frame("batch_exports_df", lambda c: c.batch_exports.list_df(progress=False))

    def health(self, since: Any = "-30d") -> pd.DataFrame:
        """Every member's export health (``client.batch_exports.health(since)``) in one frame."""
        return self._frame("health", lambda c: c.batch_exports.health(since))

    def profile_configs_df(self) -> pd.DataFrame:
        """Every member's customer profile configs in one frame."""
        return self._frame(
            "profile_configs_df", lambda c: c.profile_configs.list_df(progress=False)
        )

    def conversations_df(self) -> pd.DataFrame:
        """Every member's PostHog AI conversations (the key's user's) in one frame."""
        return self._frame("conversations_df", lambda c: c.conversations.list_df(progress=False))

    def query_df(self, query: object, refresh: str | None = None) -> pd.DataFrame:
        """The same query run in every member, one frame (columns may differ by member)."""
        return self._frame("query_df", lambda c: c.query_df(query, refresh))

    # ---- machinery -----------------------------------------------------------------------

    def map(self, fetch: Callable[[Client], R]) -> list[R | EnvnbError]:
        """``fetch(client)`` for every member concurrently (rule 1); an envnb error is
        returned in the member's place (rule 2), anything else raised."""
        gates: dict[str, threading.Semaphore] = {}
        for member in self.members:
            gates.setdefault(member.host, threading.Semaphore(self.per_host))

        def one(member: Member) -> R | EnvnbError:
            with gates[member.host]:
                try:
                    return fetch(member.client)
                except EnvnbError as err:
                    return err

        workers = min(len(self.members), self.per_host * len(gates), 32)
        with ThreadPoolExecutor(workers, thread_name_prefix="envnb-fleet") as pool:
            return list(pool.map(one, self.members))

    def _frame(self, what: str, fetch: Callable[[Client], pd.DataFrame]) -> pd.DataFrame:
        results = self.map(fetch)
        return combine(what, self.members, results)


def combine(
    what: str, members: Sequence[Member], results: Sequence[pd.DataFrame | EnvnbError]
) -> pd.DataFrame:
    """Members' frames (or errors) as one frame by rule 3; warns once per failed member."""
    import pandas as pd

    template = next((r.iloc[:0] for r in results if not isinstance(r, EnvnbError)), None)
    parts = []
    for member, result in zip(members, results, strict=True):
        if isinstance(result, EnvnbError):
            message = f"{type(result).__name__}: {result}"
            warnings.warn(
                FleetWarning(
                    f"{what}: project {member.project!r} ({member.region}) failed — {message}; "
                    "its row carries the error, the other projects are complete"
                ),
                stacklevel=4,  # combine <- _frame <- the frame method <- the caller
            )
            base = template.reindex(range(1)) if template is not None else pd.DataFrame(index=[0])
            errors: list[str | None] = [message]
        else:
            base = result.reset_index(drop=True)
            errors = [None] * len(base)
        n = len(base)
        labels = pd.DataFrame(
            {
                "project": pd.array([member.project] * n, dtype="string"),
                "region": pd.array([member.region] * n, dtype="string"),
                "project_id": pd.array([member.project_id] * n, dtype="string"),
            }
        )
        body = base.drop(columns=[c for c in ("project", "region", "project_id") if c in base])
        part = pd.concat([labels, body], axis=1)
        part["error"] = pd.array(errors, dtype="string")
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    # pandas turns a category column into plain text when the members' categories differ
    # (health's destination_type: each project has its own destinations); keep the dtype
    # the single-project frame has, over the union of the categories.
    declared = {} if template is None else dict(template.dtypes)
    for column, dtype in declared.items():
        if isinstance(dtype, pd.CategoricalDtype) and not isinstance(
            out[column].dtype, pd.CategoricalDtype
        ):
            seen = [p[column].cat.categories for p in parts if p[column].dtype == "category"]
            union = list(dict.fromkeys(value for found in seen for value in found))
            out[column] = pd.Categorical(out[column], categories=union)
    return out


def _client_for(client: Client, project_id: str) -> Client:
    """A client like ``client`` (host, key, timeouts) for another project of the same host."""
    from .._client import Client

    settings = replace(client._settings, project_id=project_id)
    return Client(
        settings.base_url,
        settings.api_key,
        project_id,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        stream_idle_timeout=settings.stream_idle_timeout,
    )


__all__ = ["Fleet", "FleetWarning", "Member"]
