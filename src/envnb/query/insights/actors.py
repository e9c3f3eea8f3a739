"""The people behind one number of an insight: the ActorsQuery to send, and its rows.

PostHog's shapes (PH:frontend/src/queries/schema/schema-general.ts ``ActorsQuery``,
``InsightActorsQuery``, ``FunnelsActorsQuery``; PH:posthog/hogql_queries/actors_query_runner.py):
an ``ActorsQuery`` with ``source`` = ``InsightActorsQuery {source, day, series, breakdown,
compare, status, interval}`` or ``FunnelsActorsQuery {source, funnelStep,
funnelStepBreakdown}`` answers ``{columns, results, hasMore, limit, offset}``; its ``actor``
column holds ``{id, distinct_ids, properties, created_at, is_identified}``.

Rule 1: a point is checked before anything is sent; a wrong one is a RequestValidationError
naming the argument (a step the funnel does not have, a day outside the answer's range).
Rule 2: ``funnelStep`` is 1-based; negative means "dropped off before this step", so
``step=2, dropped=True`` is ``funnelStep: -2`` (reached step 1, never step 2).
Rule 3: a retention point is a cohort and an interval: PostHog's ``interval`` picks the
cohort (its row) and each person's ``appearances`` say which intervals they came back in, so
the rows are the cohort's people whose appearances include the asked interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..._core.framing import DATETIME, Column
from ...errors import RequestValidationError
from ._columns import FUNNEL_NULL, NULL, breakdown_names, build, label, sentinel

if TYPE_CHECKING:
    import pandas as pd

PAGE = 100  # PostHog's default page of actors; the client pages past it
ACTOR_COLUMNS = (
    Column("id", "string"),
    Column("distinct_ids", "object"),
    Column("created_at", DATETIME),
    Column("is_identified", "boolean"),
)


@dataclass(frozen=True)
class ActorsPlan:
    """The ActorsQuery to page through, and which of its rows are the point's people."""

    query: dict[str, Any]
    keep: Callable[[dict[str, Any]], bool] | None = None


def point_error(
    arg: str, message: str, allowed: tuple[Any, ...] | None = None
) -> RequestValidationError:
    return RequestValidationError(f"{arg}: {message}", attr=arg, allowed=allowed)


def _check_keys(point: dict[str, Any], allowed: tuple[str, ...], kind: str) -> None:
    for key in point:
        if key not in allowed:
            raise point_error(key, f"a {kind} point takes {', '.join(allowed)}", allowed)


def _day(value: Any, arg: str = "day") -> datetime:
    import pandas as pd

    if not isinstance(value, str | date | datetime):
        raise point_error(arg, f"must be a date such as '2026-11-10', not {type(value).__name__}")
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        raise point_error(arg, f"cannot read the date {value!r}") from None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()


def _in_frame(frame: pd.DataFrame | None, column: str, value: Any, arg: str) -> None:
    """A day/cohort/interval the answer has (skipped when the answer is not at hand)."""
    if frame is None or column not in frame.columns:
        return
    known = [v for v in frame[column].dropna().unique()]
    if column in ("date", "cohort"):
        known_days = sorted({_day(v.isoformat()) for v in known})
        if value not in known_days:
            first, last = (known_days[0], known_days[-1]) if known_days else (None, None)
            raise point_error(
                arg, f"{value:%Y-%m-%d %H:%M} is outside the answer's range {first} … {last}"
            )
    elif value not in [int(v) for v in known]:
        raise point_error(
            arg, f"{value} is not one of the answer's values {sorted(int(v) for v in known)}"
        )


def _breakdown(
    query: dict[str, Any], frame: pd.DataFrame | None, value: Any, null: str = NULL
) -> Any:
    if value is None:
        return None
    names = breakdown_names(query)
    values = value if isinstance(value, list | tuple) else [value]
    if len(values) != len(names) and (len(names) > 1 or len(values) > 1):
        raise point_error(
            "breakdown", f"this query breaks down by {len(names)} level(s); got {len(values)}"
        )
    if frame is not None and all(n in frame.columns for n in names):
        for name, item in zip(names, values, strict=True):
            seen = {str(v) for v in frame[name].dropna().unique()}
            if seen and label(item, null) not in seen:
                raise point_error(
                    "breakdown",
                    f"{item!r} is not a breakdown value of the answer",
                    tuple(sorted(seen)),
                )
    sent = [sentinel(str(v), null) for v in values]
    return sent if len(names) > 1 else sent[0]


def _series_count(query: dict[str, Any]) -> int:
    series = query.get("series")
    return len(series) if isinstance(series, list) else 0


def _series_index(query: dict[str, Any], value: Any) -> int:
    count = _series_count(query)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < max(count, 1):
        raise point_error("series", f"must be a series index 0…{max(count - 1, 0)}; got {value!r}")
    return value


def _day_text(moment: datetime, query: dict[str, Any]) -> str:
    hourly = query.get("interval") in ("hour", "minute")
    return f"{moment:%Y-%m-%d %H:%M:%S}" if hourly else f"{moment:%Y-%m-%d}"


def _insight(source: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "kind": "InsightActorsQuery",
        "source": source,
        **{k: v for k, v in fields.items() if v is not None},
    }


def trends_point(
    query: dict[str, Any], point: dict[str, Any], frame: pd.DataFrame | None
) -> ActorsPlan:
    _check_keys(point, ("day", "series", "breakdown", "compare"), query["kind"])
    return ActorsPlan(_insight(query, **_series_point(query, point, frame)))


def _series_point(
    query: dict[str, Any], point: dict[str, Any], frame: pd.DataFrame | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"series": _series_index(query, point.get("series", 0))}
    if point.get("day") is not None:
        moment = _day(point["day"])
        _in_frame(frame, "date", moment, "day")
        out["day"] = _day_text(moment, query)
    compare = point.get("compare")
    if compare is not None and compare not in ("current", "previous"):
        raise point_error("compare", "must be 'current' or 'previous'", ("current", "previous"))
    out["compare"] = compare
    out["breakdown"] = _breakdown(query, frame, point.get("breakdown"))
    return out


def lifecycle_point(
    query: dict[str, Any], point: dict[str, Any], frame: pd.DataFrame | None
) -> ActorsPlan:
    from .lifecycle import STATUSES

    _check_keys(point, ("day", "series", "breakdown", "status"), query["kind"])
    status = point.get("status")
    if status is not None and status not in STATUSES:
        raise point_error(
            "status", f"must be one of {', '.join(STATUSES)}; got {status!r}", STATUSES
        )
    fields = _series_point(query, {k: v for k, v in point.items() if k != "status"}, frame)
    return ActorsPlan(_insight(query, **fields, status=status))


def stickiness_point(
    query: dict[str, Any], point: dict[str, Any], frame: pd.DataFrame | None
) -> ActorsPlan:
    _check_keys(point, ("day", "series", "breakdown", "compare"), query["kind"])
    day = point.get("day")
    if not isinstance(day, int) or isinstance(day, bool) or day < 1:
        raise point_error(
            "day", f"a stickiness point's day is a number of intervals (1, 2, …); got {day!r}"
        )
    _in_frame(frame, "interval", day, "day")
    fields = _series_point(query, {k: v for k, v in point.items() if k != "day"}, frame)
    return ActorsPlan(_insight(query, day=day, **fields))


def funnels_point(
    query: dict[str, Any], point: dict[str, Any], frame: pd.DataFrame | None
) -> ActorsPlan:
    _check_keys(point, ("step", "dropped", "breakdown"), query["kind"])
    steps = _series_count(query)
    step, dropped = point.get("step"), point.get("dropped", False)
    if not isinstance(step, int) or isinstance(step, bool) or not 1 <= step <= steps:
        raise point_error("step", f"this funnel has steps 1…{steps}; got {step!r}")
    if not isinstance(dropped, bool):
        raise point_error("dropped", f"must be True or False; got {dropped!r}")
    if dropped and step == 1:
        raise point_error("dropped", "nobody drops off before step 1: ask for step=2 or later")
    body: dict[str, Any] = {
        "kind": "FunnelsActorsQuery",
        "source": query,
        "funnelStep": -step if dropped else step,
    }
    breakdown = _breakdown(query, frame, point.get("breakdown"), FUNNEL_NULL)
    if breakdown is not None:
        body["funnelStepBreakdown"] = breakdown
    return ActorsPlan(body)


def retention_point(
    query: dict[str, Any], point: dict[str, Any], frame: pd.DataFrame | None
) -> ActorsPlan:
    _check_keys(point, ("cohort", "interval", "breakdown"), query["kind"])
    if point.get("cohort") is None:
        raise point_error("cohort", "a retention point needs the cohort's date")
    cohort = _day(point["cohort"], "cohort")
    interval = point.get("interval", 0)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 0:
        raise point_error("interval", f"must be 0, 1, 2, …; got {interval!r}")
    if frame is None:
        raise point_error(
            "cohort", "a retention point is read from the answer: use result.actors_df"
        )
    cohorts = sorted({_day(v.isoformat()) for v in frame["cohort"].dropna().unique()})
    _in_frame(frame, "cohort", cohort, "cohort")
    row = frame[frame["cohort"].dt.tz_localize(None) == cohort]
    if interval > int(row["interval"].max()):
        raise point_error(
            "interval",
            f"the cohort of {cohort:%Y-%m-%d} has intervals 0…{int(row['interval'].max())}",
        )
    breakdown = _breakdown(query, frame, point.get("breakdown"))
    body = _insight(query, interval=cohorts.index(cohort), breakdown=breakdown)
    return ActorsPlan(body, lambda row: interval in (row.get("appearances") or []))


PointRule = Callable[[dict[str, Any], dict[str, Any], "pd.DataFrame | None"], ActorsPlan]


def actors_body(plan: ActorsPlan) -> ActorsPlan:
    """The ActorsQuery around a point's source query, first page (the client pages on)."""
    select = ["actor", "appearances"] if plan.keep is not None else ["actor"]
    body = {
        "kind": "ActorsQuery",
        "source": plan.query,
        "select": select,
        "orderBy": [],
        "limit": PAGE,
        "offset": 0,
    }
    return ActorsPlan(body, plan.keep)


def actor_rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    """One ActorsQuery page as dicts by column name."""
    columns = [str(c) for c in page.get("columns") or []]
    rows = page.get("results") or []
    return [dict(zip(columns, row, strict=False)) for row in rows if isinstance(row, list)]


def actors_query_frame(raw: dict[str, Any], query: dict[str, Any]) -> pd.DataFrame:
    """An ActorsQuery answer run through ``client.query``: one row per person."""
    return actors_frame(actor_rows(raw))


def actors_frame(rows: list[dict[str, Any]], properties: bool | list[str] = False) -> pd.DataFrame:
    """One row per person: ``id, distinct_ids, created_at, is_identified`` and any other
    selected column; ``properties=True`` (or a list of names) adds ``properties.<name>``
    columns with pandas' best dtype for each."""
    seen: set[Any] = set()
    records: list[dict[str, Any]] = []
    extra: list[str] = []
    for row in rows:
        actor = row.get("actor") if isinstance(row.get("actor"), dict) else row.get("person")
        actor = actor if isinstance(actor, dict) else {}
        if actor.get("id") in seen:  # a person on two pages (the list moved): once
            continue
        seen.add(actor.get("id"))
        record = {**{k: v for k, v in row.items() if k not in ("actor", "person")}, **actor}
        record["id"] = None if actor.get("id") is None else str(actor["id"])
        extra += [k for k in row if k not in ("actor", "person") and k not in extra]
        records.append(record)
    frame = build(records, [*ACTOR_COLUMNS, *(Column(k, "object") for k in extra)])
    if properties:
        import pandas as pd

        props: list[dict[str, Any]] = []
        for record in records:
            found = record.get("properties")
            props.append(found if isinstance(found, dict) else {})
        names = (
            properties if isinstance(properties, list) else sorted({k for p in props for k in p})
        )
        for name in names:
            values = pd.Series([p.get(name) for p in props], dtype="object")
            frame[f"properties.{name}"] = values.convert_dtypes()
    return frame
