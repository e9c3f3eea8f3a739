"""What ``envnb.diff`` compares, one entry per kind of object (no ``if kind ==`` branches).

Each :class:`DiffKind` says how objects are matched (exports by ``name``, profile configs by
``scope``), which fields define one, and how to create, update and delete one in the
target. Rules:

1. Only fields a user configures are compared: never ids, timestamps, runs, or ``paused``
   (pausing is an operation, not configuration, and apply must not unpause what it paused).
2. Secret destination fields (``DESTINATIONS[type].secret``) are never read, compared or copied. An
   export whose destination needs one is created paused, with the missing fields named.
3. A missing value and ``None`` are the same, so clearing a field is idempotent.
4. Where PostHog cannot change a field in place (``IMMUTABLE``), the change is not sent;
   the row says so.
5. Config keys PostHog decides per export from its own history (``PER_EXPORT_CONFIG``) are
   not compared or copied: another project's export has another history.
6. An integration belongs to its project: a created export whose type needs one names the
   target's own integration of that kind (there must be exactly one; otherwise the row says
   so and nothing is created). An integration id is never compared or copied.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..batch_exports.destinations import destination
from ..errors import RequestValidationError
from ..profile_configs.layout import ProfileLayout, spec_for, strip_render_fields

if TYPE_CHECKING:
    from .._client import Client

Record = dict[str, Any]

# Fields PostHog refuses to change on an existing export (contract §12), and what to do.
IMMUTABLE = {
    "model": "PostHog cannot change an export's model: delete the target's export and apply again",
    "destination.type": (
        "PostHog cannot change a destination's type: delete the target's export and apply again"
    ),
}
# legacy_parquet_extension says whether this export's files already carry the codec in their
# names; PostHog sets it itself and refuses turning it on for a new export (contract §12).
PER_EXPORT_CONFIG = frozenset({"legacy_parquet_extension"})
_EXPORT_FIELDS = (
    "model",
    "interval",
    "timezone",
    "offset_day",
    "offset_hour",
    "hogql_query",
    "filters",
    "start_at",
    "end_at",
)


@dataclass(frozen=True)
class DiffKind:
    """How one kind of object is read, compared and written."""

    name: str
    key: str  # the field objects are matched by
    read: Callable[[Client], list[Record]]
    fields: Callable[[Record], dict[str, Any]]  # the compared fields, flattened (rule 1)
    create: Callable[[Client, Record, tuple[str, ...]], None]
    update: Callable[[Client, str, Record, tuple[str, ...]], None]
    delete: Callable[[Client, str], None]
    needs: Callable[[Record], tuple[str, ...]]  # what the target must be given by hand
    flags: Callable[[Record], str]  # what may not work in the target, "" if nothing


# ---- batch exports ---------------------------------------------------------------------------


def _destination_type(record: Record) -> str:
    return str((record.get("destination") or {}).get("type"))


def _export_fields(record: Record) -> dict[str, Any]:
    out = {name: record.get(name) for name in _EXPORT_FIELDS}
    dest = record.get("destination") or {}
    dtype = _destination_type(record)
    out["destination.type"] = dtype
    secret = destination(dtype).secret
    for key, value in (dest.get("config") or {}).items():
        if key not in secret and key not in PER_EXPORT_CONFIG:  # rules 2 and 5
            out[f"destination.config.{key}"] = value
    return {k: v for k, v in out.items() if v is not None}  # rule 3


def _export_needs(record: Record) -> tuple[str, ...]:
    dtype = _destination_type(record)
    facts = destination(dtype)
    return tuple(k for k in facts.required if k in facts.secret)


def _export_body(record: Record, fields: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {k: v for k, v in fields.items() if "." not in k}
    config = {
        k.removeprefix("destination.config."): v
        for k, v in fields.items()
        if k.startswith("destination.config.")
    }
    if config or "destination.type" in fields:
        body["destination"] = {"type": _destination_type(record), "config": config}
    return body


def _target_integration(client: Client, dtype: str) -> int | None:
    """The target's own integration for a type that needs one (rule 6), else None."""
    facts = destination(dtype)
    if facts.integration is None or not facts.integration_required:
        return None
    with warnings.catch_warnings():  # "none of this kind" is said below, with the remedy
        warnings.simplefilter("ignore")
        found = client.batch_exports.integrations(facts.integration)
    if len(found) == 1:
        return found[0].id
    raise RequestValidationError(
        f"destination.integration_id: a {dtype} export needs an integration of kind "
        f"{facts.integration!r} and the target project has {len(found)}; integrations belong "
        "to a project and are never copied: "
        + ("connect one in the target" if not found else "create this export by hand naming one"),
        attr="destination__integration_id",
    )


def _create_export(client: Client, record: Record, needs: tuple[str, ...]) -> None:
    body = {"name": record["name"], **_export_body(record, _export_fields(record))}
    # PostHog wants every required key present; the secret ones are left empty for the
    # user to fill in, and the export starts paused so it never runs without them.
    body["destination"]["config"].update(dict.fromkeys(needs, ""))
    integration = _target_integration(client, _destination_type(record))
    if integration is not None:
        body["destination"]["integration_id"] = integration
    body["paused"] = bool(needs) or bool(record.get("paused"))
    client.batch_exports.create(**body)


def _update_export(client: Client, target_id: str, record: Record, names: tuple[str, ...]) -> None:
    wanted = _export_fields(record)
    # A field the source does not set is cleared (rule 3); the server deep-merges config.
    changes = {name: wanted.get(name) for name in names if name not in IMMUTABLE}
    body = _export_body(record, changes)
    if "destination" in body:
        body["destination"]["type"] = _destination_type(record)
    if body:
        client.batch_exports.update(target_id, **body)


def _read_exports(client: Client) -> list[Record]:
    return [e.model_dump(mode="json", by_alias=True) for e in client.batch_exports.list()]


BATCH_EXPORTS = DiffKind(
    name="batch_exports",
    key="name",
    read=_read_exports,
    fields=_export_fields,
    create=_create_export,
    update=_update_export,
    delete=lambda client, id: client.batch_exports.delete(id),
    needs=_export_needs,
    flags=lambda record: "",
)


# ---- profile configs -------------------------------------------------------------------------


def _config_fields(record: Record) -> dict[str, Any]:
    out = {
        "content": strip_render_fields(record.get("content")),
        "sidebar": strip_render_fields(record.get("sidebar"), sidebar=True),
    }
    return {k: v for k, v in out.items() if v not in (None, {}, [])}


def _config_flags(record: Record) -> str:
    scope = str(record.get("scope"))
    layout = ProfileLayout.from_config(scope, record.get("content"), record.get("sidebar"))
    notes = [
        f"{p.type}: unknown panel type, kept; the target may not render it"
        for p in layout.unknown()
    ]
    for panel in layout.panels:
        spec = spec_for(scope, panel.type)
        if spec is not None and spec.only_when:
            notes.append(f"{panel.type}: shown {spec.only_when}")
    return "; ".join(notes)


def _create_config(client: Client, record: Record, needs: tuple[str, ...]) -> None:
    fields = _config_fields(record)
    client.profile_configs.create(
        str(record["scope"]), fields.get("content", []), fields.get("sidebar", [])
    )


def _update_config(client: Client, target_id: str, record: Record, names: tuple[str, ...]) -> None:
    fields = _config_fields(record)
    client.profile_configs.update(target_id, **{name: fields.get(name, []) for name in names})


def _read_configs(client: Client) -> list[Record]:
    return [c.model_dump(mode="json", by_alias=True) for c in client.profile_configs.list()]


PROFILE_CONFIGS = DiffKind(
    name="profile_configs",
    key="scope",
    read=_read_configs,
    fields=_config_fields,
    create=_create_config,
    update=_update_config,
    delete=lambda client, id: client.profile_configs.delete(id),
    needs=lambda record: (),
    flags=_config_flags,
)

KINDS = {kind.name: kind for kind in (BATCH_EXPORTS, PROFILE_CONFIGS)}
