"""Export-operations arguments: checked before sending, with the field named."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from envnb.batch_exports.ops_arguments import (
    instant_of,
    levels,
    log_limit,
    moment,
    run_window,
    statuses,
    time_window,
)
from envnb.errors import RequestValidationError

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_runs_always_send_after_thirty_days_back_by_default() -> None:
    assert run_window(None, None, NOW) == {"after": "2026-10-31T12:00:00+00:00"}
    assert run_window("-90d", date(2026, 11, 1), NOW) == {
        "after": "-90d",
        "before": "2026-11-01",
    }
    assert run_window(timedelta(hours=6), None, NOW) == {"after": "2026-11-30T06:00:00+00:00"}


def test_bad_times_are_refused_naming_the_argument() -> None:
    with pytest.raises(RequestValidationError) as info:
        moment("after", datetime(2026, 11, 1), NOW)
    assert info.value.attr == "after" and "is naive" in str(info.value)
    with pytest.raises(RequestValidationError) as info:
        run_window(None, "last tuesday", NOW)
    assert info.value.attr == "before" and str(info.value).startswith(
        "before: 'last tuesday' is not a time"
    )
    assert instant_of("since", "-30d", NOW) == datetime(2026, 10, 31, 12, tzinfo=UTC)
    assert instant_of("since", "2026-11-01", NOW) == datetime(2026, 11, 1, tzinfo=UTC)


def test_statuses_levels_and_limit() -> None:
    assert statuses("Failed,FailedRetryable") == ["Failed", "FailedRetryable"]
    assert statuses(None) == []
    with pytest.raises(RequestValidationError) as info:
        statuses(["Failed", "Broken"])
    assert info.value.attr == "status" and "'Broken' is not allowed" in str(info.value)
    assert levels("warn,error") == ["WARN", "ERROR"]
    with pytest.raises(RequestValidationError):
        levels(["FATAL"])
    assert log_limit(None) is None and log_limit(500) == 500
    for bad in (0, 501, True, "10"):
        with pytest.raises(RequestValidationError) as info:
            log_limit(bad)
        assert info.value.attr == "limit"


def test_future_starts_and_reversed_windows_are_refused() -> None:
    """A window that can hold nothing is an error naming the argument, not an empty frame."""
    with pytest.raises(RequestValidationError) as info:
        time_window("since", "2099-01-01", "until", None, NOW)
    assert info.value.attr == "since" and "is in the future" in str(info.value)
    assert time_window("since", NOW, "until", None, NOW) == ("2026-11-30T12:00:00+00:00", None)
    with pytest.raises(RequestValidationError) as info:
        run_window("-2d", "-3d", NOW)
    assert info.value.attr == "before" and "swap them?" in str(info.value)
    # A date as the end means that whole day: after noon on the 29th, before the 29th is fine.
    assert run_window("2026-11-29T12:00:00+00:00", date(2026, 11, 29), NOW) == {
        "after": "2026-11-29T12:00:00+00:00",
        "before": "2026-11-29",
    }
    with pytest.raises(RequestValidationError):
        run_window("2026-11-29T12:00:00+00:00", date(2026, 11, 28), NOW)


def test_relative_units_count_back_from_now() -> None:
    assert instant_of("since", "-2w", NOW) == datetime(2026, 11, 16, 12, tzinfo=UTC)
    assert instant_of("since", "-3h", NOW) == datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert instant_of("since", "-90M", NOW) == datetime(2026, 11, 30, 10, 30, tzinfo=UTC)
    assert instant_of("since", "-1m", NOW) == datetime(2026, 10, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize("value", ["-99999999999d", "-999999999h", "-9999999y"])
def test_a_relative_value_past_year_one_names_the_argument(value: str) -> None:
    # timedelta/datetime arithmetic overflows here; it used to escape as a bare OverflowError.
    with pytest.raises(RequestValidationError, match="year 1") as caught:
        instant_of("start", value, NOW)
    assert caught.value.attr == "start"
