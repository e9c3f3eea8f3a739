"""The pure rules of file-download exports: the ≤ 7-day split, the run bodies, names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from envnb.errors import RequestValidationError
from envnb.file_exports import rules

NOW = datetime(2026, 12, 6, 19, 15, 42, tzinfo=UTC)


def _plan(**kwargs: object) -> rules.Plan:
    options = rules.file_options(
        kwargs.pop("format", "Parquet"), kwargs.pop("compression", None), 1024
    )
    args = {"model": "events", "start": "-30d", "end": None, "hogql": None}
    args.update(kwargs)
    return rules.plan(
        args["model"], args["start"], args["end"], hogql=args["hogql"], options=options,
        include=None, exclude=None, now=NOW,
    )  # fmt: skip


def test_thirty_days_to_this_hour_are_five_runs() -> None:
    plan = _plan()
    assert [(s.start.isoformat(), s.end.isoformat()) for s in plan.spans] == [
        ("2026-11-06T19:00:00+00:00", "2026-11-13T19:00:00+00:00"),
        ("2026-11-13T19:00:00+00:00", "2026-11-20T19:00:00+00:00"),
        ("2026-11-20T19:00:00+00:00", "2026-11-27T19:00:00+00:00"),
        ("2026-11-27T19:00:00+00:00", "2026-12-04T19:00:00+00:00"),
        ("2026-12-04T19:00:00+00:00", "2026-12-06T19:00:00+00:00"),
    ]
    assert plan.relative == "-30d → now"


def test_relative_bounds_count_from_the_hour_and_absolute_ones_are_kept() -> None:
    # "now" and end=None are the same request; a timedelta is relative too.
    assert _plan(start="-1d", end="now").spans == _plan(start="-1d").spans
    assert _plan(start="-1d").start.isoformat() == "2026-12-05T19:00:00+00:00"
    assert _plan(start=timedelta(hours=2)).relative == "-7200s → now"
    # An absolute end inside the current hour, before now, is not "in the future".
    late = _plan(start="2026-12-06T10:00:00Z", end="2026-12-06T19:15:00Z")
    assert late.end.isoformat() == "2026-12-06T19:15:00+00:00"
    assert late.relative is None
    assert _plan(start="2026-12-01", end="now").relative == "2026-12-01 → now"


def test_exactly_seven_days_is_one_run_and_an_empty_range_none() -> None:
    assert len(_plan(start="2026-11-01", end="2026-11-08").spans) == 1
    assert _plan(start="2026-11-01", end="2026-11-01").spans == ()


def test_file_names_and_bodies() -> None:
    plan = _plan(start="2026-11-01", end="2026-11-08", format="JSONLines", compression="zstd")
    span = plan.spans[0]
    assert plan.file_name(span, 3) == "events_20261101T000000Z-20261108T000000Z_0003.jsonl.zst"
    assert plan.body(span) == {
        "model": "events",
        "file": {"format": "JSONLines", "max_size_mb": 1024, "compression": "zstd"},
        "data_interval_start": "2026-11-01T00:00:00+00:00",
        "data_interval_end": "2026-11-08T00:00:00+00:00",
    }


@pytest.mark.parametrize(
    ("kwargs", "attr", "words"),
    [
        ({"model": "pageviews"}, "model", "pageviews"),
        ({"start": "2026-12-07"}, "start", "in the future"),
        ({"start": "2026-12-01", "end": "2026-11-01"}, "start", "is after end"),
        ({"model": "hogql", "hogql": "SELECT 1"}, "hogql", "{data_interval_start}"),
        ({"model": "hogql"}, "hogql", "needs hogql="),
        ({"hogql": "SELECT 1"}, "model", "only used with model='hogql'"),
        ({"start": "last tuesday"}, "start", "is not a time"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], attr: str, words: str) -> None:
    with pytest.raises(RequestValidationError, match=words.replace("{", r"\{")) as caught:
        _plan(**kwargs)
    assert caught.value.attr == attr


def test_a_query_with_both_placeholders_is_planned() -> None:
    hogql = "SELECT 1 FROM events WHERE timestamp >= {data_interval_start} AND timestamp < {data_interval_end}"  # noqa: E501
    plan = _plan(model="hogql", hogql=hogql, start="2026-11-01", end="2026-11-20")
    assert len(plan.spans) == 3
    assert plan.body(plan.spans[0])["hogql_query"] == hogql


def test_run_bodies_hold_at_most_seven_days_and_nothing_in_the_future() -> None:
    options = rules.file_options("Parquet", None, 0)

    def body(start: object, end: object) -> dict[str, object]:
        return rules.create_body(
            "events", start, end, hogql=None, options=options, include=None, exclude=None,
            now=NOW,
        )  # fmt: skip

    week = body("2026-11-01", "2026-11-08")
    assert (week["data_interval_start"], week["data_interval_end"]) == (
        "2026-11-01T00:00:00+00:00",
        "2026-11-08T00:00:00+00:00",
    )
    with pytest.raises(RequestValidationError, match="at most seven days") as caught:
        body("2026-11-01", "2026-11-08T00:01:00+00:00")
    assert caught.value.attr == "end"
    with pytest.raises(RequestValidationError, match="in the future") as caught:
        body("2026-12-06", "2026-12-06T19:16:00+00:00")
    assert caught.value.attr == "end"


def test_bad_sizes_and_blank_queries_are_refused() -> None:
    assert rules.file_options("Parquet", None, 0).max_size_mb == 0
    for bad in (-1, 2.5, True):
        with pytest.raises(RequestValidationError) as caught:
            rules.file_options("Parquet", None, bad)
        assert caught.value.attr == "max_size_mb"
    with pytest.raises(RequestValidationError) as caught:
        _plan(model="hogql", hogql="   ")
    assert caught.value.attr == "hogql" and "needs hogql=, a SELECT query" in str(caught.value)


@pytest.mark.parametrize("value", ["$pageview", [5], {"$pageview"}])
def test_event_filters_must_be_lists_of_names(value: object) -> None:
    # "$pageview" read as a list is its letters: the run exported nothing and said nothing.
    options = rules.file_options("Parquet", None, 1024)
    common = {"hogql": None, "options": options, "now": NOW}
    for name in ("include", "exclude"):
        filters = {"include": None, "exclude": None, name: value}
        with pytest.raises(RequestValidationError, match=rf"^{name}: a list of event names") as e:
            rules.plan("events", "-1d", None, **common, **filters)  # type: ignore[arg-type]
        assert e.value.attr == name
        with pytest.raises(RequestValidationError, match=rf"^{name}: a list of event names"):
            rules.create_body("events", "-1d", "now", **common, **filters)  # type: ignore[arg-type]
    plan = rules.plan("events", "-1d", None, **common, include=["$pageview"], exclude=("x",))
    assert (plan.include, plan.exclude) == (("$pageview",), ("x",))
