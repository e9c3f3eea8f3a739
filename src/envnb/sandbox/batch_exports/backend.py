"""Batch exports' state and PostHog's rules for them: the serializer's checks, the rows
written by create/update/pause/unpause, the JSON shape, destination test steps. No HTTP here:
``routes`` parses the request, calls these and serialises the answer.
"""

from __future__ import annotations

import json
import random
import sqlite3
from typing import Any

from .. import errors
from .. import validate as v
from .._util import dumps, iso, seeded_uuid
from ..clock import Clock, parse_stamp
from ..store import Store
from . import destination_tests, export_rules, hogql_model, sim
from . import destinations as dest
from .destination_integrations import KindOf
from .destination_rules import deep_merge
from .runs import run_json
from .timezones import timezones

INTERVALS = ("hour", "day", "week", "every 5 minutes", "every 15 minutes")
MODELS = ("events", "persons", "sessions", hogql_model.HOGQL)
_ids = random.Random()  # ids of objects created at runtime (not part of the seed)


def serialize(
    row: sqlite3.Row, runs: list[sqlite3.Row], source: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A BatchExport as the API returns it (secret config fields stripped).

    ``source``: the hogql fields (:mod:`.hogql_model`); null on every other model.
    """
    interval, offset = row["interval"], row["interval_offset"]
    offset_day = offset_hour = None
    if interval == "week":
        offset_day, offset_hour = (offset or 0) // 86400, ((offset or 0) % 86400) // 3600
    elif interval == "day":
        offset_hour = (offset or 0) // 3600
    config = json.loads(row["dest_config"])
    out = {
        "id": row["id"],
        "team_id": row["team_id"],
        "name": row["name"],
        "model": row["model"],
        "destination": {
            "type": row["dest_type"],
            "config": dest.public_config(row["dest_type"], config),
            "integration": row["integration"],
        },
        "interval": interval,
        "paused": bool(row["paused"]),
        "created_at": row["created_at"],
        "last_updated_at": row["last_updated_at"],
        "last_paused_at": row["last_paused_at"],
        "start_at": row["start_at"],
        "end_at": row["end_at"],
        "latest_runs": [run_json(run) for run in runs],
        "hogql_query": row["hogql_query"],
        **(source or dict.fromkeys(hogql_model.SOURCE_FIELDS)),
        "schema": json.loads(row["schema"]) if row["schema"] else None,
        "filters": json.loads(row["filters"]) if row["filters"] else None,
        "timezone": row["timezone"] or "UTC",
        "offset_day": offset_day,
        "offset_hour": offset_hour,
    }
    if out["hogql_query"] is None:
        # An optional string, never null, in PostHog's schema: the key is left out.
        del out["hogql_query"]
    return out


def export(store: Store, export_id: str) -> sqlite3.Row:
    """The row of an export that exists (just written or just read)."""
    row = store.one("SELECT * FROM batch_exports WHERE id = ?", (export_id,))
    assert row is not None
    return row


def sources(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The hogql source fields of each export (all null for exports without one)."""
    with store.tx() as db:
        return {export_id: hogql_model.stored_source(db, export_id) for export_id in ids}


def latest_runs(store: Store, ids: list[str]) -> dict[str, list[sqlite3.Row]]:
    """The 10 newest runs of each export (one index seek each: exports have months of runs)."""
    return {
        export_id: store.read(
            "SELECT * FROM runs WHERE batch_export_id = ? ORDER BY created_at DESC, id DESC "
            "LIMIT 10",
            (export_id,),
        )
        for export_id in ids
    }


def _offset_seconds(
    interval: str, day: int | None, hour: int | None, current: int | None
) -> int | None:
    if interval == "week":
        cur_day, cur_hour = ((current or 0) // 86400, ((current or 0) % 86400) // 3600)
        return (cur_day if day is None else day) * 86400 + (
            cur_hour if hour is None else hour
        ) * 3600
    if interval == "day":
        # The hour of day only: a weekly offset's days do not carry over to a daily export.
        return (((current or 0) % 86400) // 3600 if hour is None else hour) * 3600
    return None


def validate(
    data: Any,
    instance: sqlite3.Row | None,
    partial: bool,
    store: Any = None,
    kind_of: KindOf = lambda number: None,
    events: Any = None,
) -> dict[str, Any]:
    """Run the BatchExportSerializer checks in field order; return the columns to write.

    ``store``: read for a hogql export's stored source; ``kind_of``: the kind of one of the
    project's integrations; ``events``: the EventsDB a hogql export's query compiles against.
    """
    data = v.json_object(data)
    creating = not partial
    out: dict[str, Any] = {}
    name = v.string(data, "name", required=creating)
    if name is not None:
        out["name"] = name
    if "model" in data:
        out["model"] = v.choice(data, "model", MODELS, required=False, allow_null=True)
        export_rules.same_model(instance, out["model"])
    if "destination" in data or creating:
        if "destination" not in data:
            raise errors.required("destination")
        existing = json.loads(instance["dest_config"]) if instance is not None else None
        clean = dest.validate_destination(
            data["destination"],
            is_patch=partial,
            existing_config=existing,
            existing_type=instance["dest_type"] if instance is not None else None,
            existing_integration=instance["integration"] if instance is not None else None,
            kind_of=kind_of,
        )
        out["destination"] = clean
    interval = v.choice(data, "interval", INTERVALS, required=creating)
    if interval is not None:
        out["interval"] = interval
    paused = v.boolean(data, "paused")
    if paused is not None:
        out["paused"] = paused
    for field in ("start_at", "end_at"):
        if field in data:
            out[field] = v.moment(data, field)
    model = out.get("model") or (instance["model"] if instance is not None else "events")
    if model == hogql_model.HOGQL:
        stored = sources(store, [instance["id"]])[instance["id"]] if instance is not None else None
        out.update(hogql_model.validate(data, instance, stored, events))
    elif "hogql_query" in data:
        # A CharField without allow_null (openapi.yaml @1404d6c): null is refused.
        query = v.string(data, "hogql_query", required=False)
        out["hogql_query"] = query
        out["schema"] = export_rules.events_query(query or "")
    if model != hogql_model.HOGQL:
        hogql_model.refuse_on_other_model(data, model)
    if "last_paused_at" in data:
        # Writable on create and update (openapi.yaml @1404d6c); unpause's backfill
        # starts from it.
        out["last_paused_at"] = v.moment(data, "last_paused_at")
    if "filters" in data:
        out["filters"] = export_rules.filters(data["filters"])
    if "timezone" in data:
        # PostHog's TimezoneEnum: a fixed list of 596 names, not the host's tz database.
        out["timezone"] = v.choice(data, "timezone", timezones(), required=False, allow_null=True)
    effective = interval or (instance["interval"] if instance is not None else None)
    day, hour = export_rules.offsets(data, effective)
    if day is None:
        day = v.integer(data, "offset_day", 0, 6)
    if day is not None and effective != "week":
        raise errors.validation(
            "offset_day is not applicable for non-weekly intervals", "offset_day"
        )
    if hour is None:
        hour = v.integer(data, "offset_hour", 0, 23)
    if hour is not None and effective not in ("day", "week"):
        raise errors.validation(
            "offset_hour is not applicable for non-daily/weekly intervals", "offset_hour"
        )
    current = instance["interval_offset"] if instance is not None else None
    if effective is not None and (interval is not None or day is not None or hour is not None):
        out["interval_offset"] = _offset_seconds(effective, day, hour, current)
    # BatchExportSerializer.validate looks only at this request's attrs: a PATCH that sends
    # just `model` (or just `destination`) is not checked against the stored half.
    destination = (
        dest.DESTINATIONS.get(out["destination"]["type"]) if "destination" in out else None
    )
    model = out.get("model")
    if destination and destination.models and model is not None and model not in destination.models:
        kinds = " and ".join(destination.models)
        raise errors.validation(
            f"{out['destination']['type']} batch exports only support the {kinds} model"
        )
    return out


def _now(clock: Clock) -> str:
    # Exports are stamped on the clock their runs are scheduled by: after Sandbox.advance(),
    # a wall-clock created_at or last_paused_at lay hours behind it (runs were scheduled
    # before the export existed; an unpause backfilled the advanced hours too).
    return iso(clock.now()) or ""


def insert(store: Store, clock: Clock, project_id: int, values: dict[str, Any]) -> str:
    """Write a new export from :func:`validate`'s columns; its id."""
    stamp = _now(clock)
    export_id = seeded_uuid(_ids)
    destination = values["destination"]
    with store.tx() as db:
        db.execute(
            f"INSERT INTO batch_exports VALUES ({','.join('?' * 20)})",
            (
                export_id,
                project_id,
                values["name"],
                values.get("model", "events"),
                destination["type"],
                dumps(destination["config"]),
                destination["integration_id"],
                values["interval"],
                values.get("interval_offset"),
                int(values.get("paused", False)),
                stamp,
                stamp,
                values.get("last_paused_at", stamp if values.get("paused") else None),
                values.get("start_at"),
                values.get("end_at"),
                values.get("hogql_query"),
                dumps(values["schema"]) if "schema" in values else None,
                dumps(values["filters"]) if values.get("filters") is not None else None,
                values.get("timezone"),
                0,
            ),
        )
        if "source" in values:
            hogql_model.write_source(db, export_id, values["source"])
    return export_id


def update(store: Store, clock: Clock, row: sqlite3.Row, values: dict[str, Any]) -> None:
    """Write :func:`validate`'s columns over an export (destination config deep-merged)."""
    sets: dict[str, Any] = {}
    for column in (
        "name",
        "model",
        "interval",
        "start_at",
        "end_at",
        "hogql_query",
        "timezone",
        "interval_offset",
        "last_paused_at",
    ):
        if column in values:
            sets[column] = values[column]
    if "schema" in values:
        sets["schema"] = dumps(values["schema"])
    if "filters" in values:
        sets["filters"] = None if values["filters"] is None else dumps(values["filters"])
    if "paused" in values:
        sets["paused"] = int(values["paused"])
    if "destination" in values:
        destination = values["destination"]
        sets["dest_type"] = destination["type"]
        sets["dest_config"] = dumps(
            deep_merge(json.loads(row["dest_config"]), destination["config"])
        )
        if destination["integration_id"] is not None:
            sets["integration"] = destination["integration_id"]
    sets["last_updated_at"] = _now(clock)
    with store.tx() as db:
        if "source" in values:
            hogql_model.write_source(db, row["id"], values["source"])
        assignments = ", ".join(f"{column} = ?" for column in sets)
        db.execute(
            f"UPDATE batch_exports SET {assignments} WHERE id = ?", (*sets.values(), row["id"])
        )


def soft_delete(store: Store, clock: Clock, export_id: str) -> None:
    """PostHog keeps a deleted export's row (``deleted``)."""
    with store.tx() as db:
        db.execute(
            "UPDATE batch_exports SET deleted = 1, last_updated_at = ? WHERE id = ?",
            (_now(clock), export_id),
        )


def pause(store: Store, clock: Clock, export_id: str) -> None:
    """Pause an export that runs (``last_paused_at`` is the moment of the pause)."""
    stamp = _now(clock)
    with store.tx() as db:
        db.execute(
            "UPDATE batch_exports SET paused = 1, last_paused_at = ?, "
            "last_updated_at = ? WHERE id = ?",
            (stamp, stamp, export_id),
        )


def unpause(store: Store, ops: sim.OpsState, row: sqlite3.Row, backfill: bool) -> None:
    """Unpause a paused export; ``backfill``: a backfill of last_paused_at..now."""
    stamp = _now(ops.clock)
    with store.tx() as db:
        db.execute(
            "UPDATE batch_exports SET paused = 0, last_updated_at = ? WHERE id = ?",
            (stamp, row["id"]),
        )
        # Scheduled runs resume with the first interval that ends after now.
        db.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            (f"resumed:{row['id']}", str(ops.clock.epoch())),
        )
        if backfill:
            start = row["last_paused_at"] or row["created_at"]
            sim.create_backfill(
                db,
                backfill_id=seeded_uuid(_ids),
                export=row,
                start=parse_stamp(start),
                end=ops.clock.epoch(),
                started=ops.clock.epoch(),
                pace=ops.backfill_pace,
                stamps=(start, stamp),
            )


def test_steps(dtype: str | None) -> list[dict[str, Any]]:
    """The steps of a destination type's test, not run (empty-body 400/404 as PostHog)."""
    if not dtype:
        raise errors.ApiError(400, None)
    destination = dest.DESTINATIONS.get(dtype)
    if destination is None or destination.test_steps is None:
        raise errors.ApiError(404, None)
    return [
        {"name": s.name, "description": s.description, "result": None}
        for s in destination.test_steps
    ]


def run_test_step(
    data: Any,
    row: sqlite3.Row | None,
    kind_of: KindOf = lambda number: None,
    events: Any = None,
) -> dict[str, Any]:
    """Run one step of a destination test; ``row``: the saved export (None: a new one)."""
    data = v.json_object(data)
    v.string(data, "name", required=True)
    v.choice(data, "interval", INTERVALS, required=True)
    if "destination" not in data:
        # PostHog reads request.data["destination"] before validating (a KeyError, a 500, on a
        # saved export); the sandbox answers a 400: it never 500s on a body (issue 22).
        raise errors.required("destination")
    stored = json.loads(row["dest_config"]) if row is not None else None
    clean = dest.validate_destination(
        data["destination"],
        is_patch=row is not None,
        existing_config=stored,
        existing_type=row["dest_type"] if row is not None else None,
        existing_integration=row["integration"] if row is not None else None,
        kind_of=kind_of,
    )
    # PostHog runs the whole serializer: the rest of the export (timezone, offsets, filters,
    # query) must be valid too.
    rest = {k: x for k, x in data.items() if k != "destination"}
    validate(rest, None, partial=True, events=events)
    config = {**(stored or {}), **clean["config"]}
    steps = dest.DESTINATIONS[clean["type"]].test_steps
    if steps is None:
        raise errors.ApiError(404, None)
    index = v.integer(data, "step", 0, len(steps) - 1) or 0
    return destination_tests.run_step(steps[index], config)
