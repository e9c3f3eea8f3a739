"""``envnb.diff(source, target, kind)``: what differs between two projects, and how to fix it.

Rules:

1. Objects are matched by their kind's key (exports by name, profile configs by scope).
   Where a key repeats in a project, the first in PostHog's list order is the one compared
   (for profile configs, the one PostHog's UI shows); a delete removes every one.
2. ``apply()`` reads both sides again and acts on what differs *then*, so a second apply
   finds everything ``same`` and does nothing (and never creates a duplicate).
3. Deleting asks first: ``confirm=True`` deletes, ``False`` skips, ``None`` asks at the
   prompt (no prompt available: skipped, with a warning).
4. Nothing secret is read, shown or copied (see ``kinds``): the plan holds only what
   PostHog's API returns, which has secret destination fields stripped.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, EnvnbError, RequestValidationError
from .kinds import IMMUTABLE, KINDS, DiffKind, Record
from .profile_file import get_profile

if TYPE_CHECKING:
    import pandas as pd

    from .._client import Client

ACTIONS = ("create", "update", "delete", "same")


@dataclass(frozen=True)
class Change:
    """One row of a plan."""

    key: str
    action: str  # one of ACTIONS
    fields: tuple[str, ...] = ()  # the compared fields that differ
    needs: tuple[str, ...] = ()  # fields the target must be given by hand (secrets)
    note: str = ""
    source_id: str | None = None
    target_ids: tuple[str, ...] = ()
    record: Record | None = None  # the source object (secret fields already stripped)


class Plan:
    """What ``apply()`` would do to make ``target`` match ``source`` for one kind.

    ``df``: one row per object key with ``action`` (create/update/delete/same), the
    ``fields`` that differ, the secret fields a created export ``needs`` (it is created
    paused), a ``note`` (flags such as panels the target may not render) and the ids.
    """

    def __init__(self, kind: DiffKind, source: Client, target: Client) -> None:
        self.kind = kind
        self.source = source
        self.target = target
        self.changes = compare(kind, kind.read(source), kind.read(target))

    def __repr__(self) -> str:
        counts = {a: sum(c.action == a for c in self.changes) for a in ACTIONS}
        listed = ", ".join(f"{n} {a}" for a, n in counts.items() if n)
        return f"<Plan {self.kind.name} {self.source.host} → {self.target.host}: {listed}>"

    @property
    def df(self) -> pd.DataFrame:
        """The plan as a frame (no secrets: see rule 4)."""
        return plan_frame(self.kind, self.changes)

    def _repr_html_(self) -> str:
        return str(self.df.to_html(index=False, na_rep=""))

    def apply(self, confirm: bool | None = None) -> pd.DataFrame:
        """Make the target match the source (rules 2, 3); returns the plan applied with a
        ``result`` column per row (``created``, ``updated``, ``deleted``, ``same``,
        ``skipped: …`` or the error). One failing row does not stop the others."""
        if confirm is not None and not isinstance(confirm, bool):
            raise RequestValidationError(
                "confirm: must be True, False or None (ask)", attr="confirm"
            )
        self.changes = compare(self.kind, self.kind.read(self.source), self.kind.read(self.target))
        deletes = [c for c in self.changes if c.action == "delete"]
        allowed = bool(deletes) and _confirm(confirm, self.kind, deletes, self.target)
        results = [self._apply_one(change, allowed) for change in self.changes]
        frame = self.df
        frame["result"] = results
        frame["result"] = frame["result"].astype("string")
        return frame

    def _apply_one(self, change: Change, deletes_allowed: bool) -> str:
        kind, target = self.kind, self.target
        try:
            if change.action == "create":
                assert change.record is not None
                kind.create(target, change.record, change.needs)
                return (
                    "created (paused: fill in " + ", ".join(change.needs) + ")"
                    if change.needs
                    else "created"
                )
            if change.action == "update":
                assert change.record is not None
                sendable = tuple(f for f in change.fields if f not in IMMUTABLE)
                if not sendable:
                    return "skipped: " + change.note
                kind.update(target, change.target_ids[0], change.record, sendable)
                return "updated"
            if change.action == "delete":
                if not deletes_allowed:
                    return "skipped: not confirmed"
                for target_id in change.target_ids:
                    kind.delete(target, target_id)
                return "deleted"
        except EnvnbError as err:
            return f"error: {type(err).__name__}: {err}"
        return "same"


def diff(source: Client | str, target: Client | str, kind: str) -> Plan:
    """Compare ``kind`` (``"batch_exports"`` or ``"profile_configs"``) between two projects.

    ``source`` and ``target`` are Clients or profile names. Returns a :class:`Plan`; nothing
    is changed until ``plan.apply()``.
    """
    entry = KINDS.get(kind) if isinstance(kind, str) else None
    if entry is None:
        raise RequestValidationError(
            f"kind: {kind!r} is not allowed; allowed values: {', '.join(KINDS)}",
            attr="kind",
            allowed=tuple(KINDS),
        )
    return Plan(entry, _client(source, "source"), _client(target, "target"))


def compare(kind: DiffKind, source: list[Record], target: list[Record]) -> list[Change]:
    """The changes that make ``target`` match ``source`` (pure; rule 1)."""
    src = _first_by_key(kind, source)
    dst: dict[str, list[Record]] = {}
    for record in target:
        dst.setdefault(str(record.get(kind.key)), []).append(record)
    changes = []
    for key, record in src.items():
        flags = kind.flags(record)
        if key not in dst:
            needs = kind.needs(record)
            note = "; ".join(filter(None, [_needs_note(needs), flags]))
            changes.append(Change(key, "create", (), needs, note, record.get("id"), (), record))
            continue
        shown = dst[key][0]
        want, have = kind.fields(record), kind.fields(shown)
        differing = tuple(sorted(f for f in set(want) | set(have) if want.get(f) != have.get(f)))
        blocked = [IMMUTABLE[f] for f in differing if f in IMMUTABLE]
        note = "; ".join(filter(None, [*blocked, flags if differing else ""]))
        changes.append(
            Change(
                key,
                "update" if differing else "same",
                differing,
                (),
                note,
                record.get("id"),
                (str(shown.get("id")),),
                record,
            )
        )
    for key, records in dst.items():
        if key not in src:
            ids = tuple(str(r.get("id")) for r in records)
            changes.append(Change(key, "delete", (), (), "", None, ids, None))
    order = {a: i for i, a in enumerate(ACTIONS)}
    return sorted(changes, key=lambda c: (order[c.action], c.key))


def plan_frame(kind: DiffKind, changes: list[Change]) -> pd.DataFrame:
    """The frame of a plan: key, action, fields, needs, note, source_id, target_id."""
    import pandas as pd

    rows = [
        {
            kind.key: c.key,
            "action": c.action,
            "fields": ", ".join(c.fields),
            "needs": ", ".join(c.needs),
            "note": c.note,
            "source_id": c.source_id,
            "target_id": ", ".join(c.target_ids) or None,
        }
        for c in changes
    ]
    columns = [kind.key, "action", "fields", "needs", "note", "source_id", "target_id"]
    frame = pd.DataFrame(rows, columns=columns).astype("string")
    frame["action"] = pd.Categorical(frame["action"].astype(object), categories=list(ACTIONS))
    return frame


def _first_by_key(kind: DiffKind, records: list[Record]) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for record in records:
        out.setdefault(str(record.get(kind.key)), record)
    return out


def _needs_note(needs: tuple[str, ...]) -> str:
    if not needs:
        return ""
    return "created paused: secrets are never copied; set " + ", ".join(needs) + " in the target"


def _client(value: Any, role: str) -> Client:
    from .._client import Client

    if isinstance(value, Client):
        return value
    if isinstance(value, str):
        return get_profile(value).client()
    raise ConfigurationError(
        f"{role} must be an envnb.Client or a profile name, not {type(value).__name__}"
    )


def _confirm(confirm: bool | None, kind: DiffKind, deletes: list[Change], target: Client) -> bool:
    if confirm is not None:
        return confirm
    names = ", ".join(c.key for c in deletes)
    question = (
        f"Delete {len(deletes)} {kind.name.replace('_', ' ')} in {target.host} project "
        f"{target.project_id} ({names})? [y/N] "
    )
    try:
        answer = input(question)
    except (EOFError, OSError, NotImplementedError):
        # No prompt here (a script, or a notebook run without stdin, e.g. nbval).
        warnings.warn(
            f"deletes skipped ({names}): no prompt to ask at; pass apply(confirm=True)",
            UserWarning,
            stacklevel=4,
        )
        return False
    return answer.strip().lower() in ("y", "yes")


__all__ = ["Change", "Plan", "compare", "diff"]
