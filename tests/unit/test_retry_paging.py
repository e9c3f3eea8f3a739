"""Retry policy and page planner: pure decisions, no I/O."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from envnb._core.paging import PageCheck, RowBudget, first_page_size, plan_pages
from envnb._core.retry import (
    Attempts,
    Done,
    Fail,
    Retry,
    RetryPolicy,
    TransportFailure,
    parse_retry_after,
)
from envnb._core.wire import failure_of
from envnb.errors import APIConnectionError, APITimeoutError, RequestInfo, ServerError


def _policy() -> RetryPolicy:
    return RetryPolicy(max_retries=3, base=0.5, cap=4.0, max_wait=30.0, rng=random.Random(1))


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_back_off_within_bounds(status: int) -> None:
    p = _policy()
    for attempt in (1, 2, 3):
        wait = p.after_status(attempt, status, None, retryable=True)
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        assert wait is not None and ceiling / 2 <= wait <= ceiling
    assert p.after_status(4, status, None, retryable=True) is None


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 422])
def test_client_errors_never_retried(status: int) -> None:
    assert _policy().after_status(1, status, None, retryable=True) is None


def test_unsafe_requests_never_retried() -> None:
    p = _policy()
    assert p.after_status(1, 503, None, retryable=False) is None
    assert p.after_status(1, 429, "1", retryable=False) is None
    assert p.after_error(1, retryable=False) is None
    assert p.after_error(1, retryable=True) is not None


def test_retry_after_honoured_and_capped() -> None:
    p = _policy()
    assert p.after_status(1, 429, "2", retryable=True) == 2.0
    assert p.after_status(1, 429, "3600", retryable=True) is None  # too long: surface it
    assert p.after_status(1, 429, "30", retryable=True) == 30.0  # max_wait itself is kept
    assert p.after_status(1, 429, "31", retryable=True) is None
    assert parse_retry_after("soon") is None
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("-3") == 0.0


def _first(n: int, count: int | None, size: int = 100) -> dict[str, object]:
    nxt = f"http://h/api/x/?limit={size}&offset={size}" if n >= size else None
    return {"count": count, "next": nxt, "results": [{}] * n}


def test_plan_concurrent_when_count_known() -> None:
    plan = plan_pages(_first(100, 350), page_size=100)
    assert plan.offsets == (100, 200, 300) and not plan.follow_next


def test_plan_respects_limit_and_server_clamp() -> None:
    assert plan_pages(_first(100, 350), page_size=100, limit=150).offsets == (100,)
    assert plan_pages(_first(100, 350), page_size=100, limit=100).nothing_left
    # The limit reached on the first page: no `next` walk either, even with no count.
    assert plan_pages(_first(100, None), page_size=100, limit=100).nothing_left
    # Asked for 1000, server clamped to 100: offsets follow what the server serves.
    clamped = plan_pages(_first(100, 250, size=100), page_size=1000)
    assert clamped.offsets == (100, 200)


def test_plan_follow_next_without_count_and_single_page() -> None:
    assert plan_pages(_first(100, None), page_size=100).follow_next
    assert plan_pages(_first(7, 7), page_size=100).nothing_left
    assert plan_pages({"results": []}, page_size=100).nothing_left


def _attempts(safe: bool, retries: int = 2) -> Attempts[object]:
    return Attempts(
        lambda body: body,
        safe,
        RetryPolicy(max_retries=retries, rng=random.Random(0)),
        RequestInfo("GET", "https://h/x"),
    )


def test_attempts_decisions() -> None:
    ok = _attempts(True).on_response(200, {}, b'{"a": 1}')
    assert isinstance(ok, Done) and ok.value == {"a": 1}
    assert isinstance(_attempts(True).on_response(204, {}, b""), Done)
    assert isinstance(_attempts(True).on_response(503, {}, b""), Retry)
    unsafe = _attempts(False).on_response(503, {}, b"")
    assert isinstance(unsafe, Fail) and isinstance(unsafe.error, ServerError)
    rl = _attempts(True).on_response(429, {"retry-after": "2"}, b"{}")
    assert isinstance(rl, Retry) and rl.wait == 2.0
    assert isinstance(_attempts(True).on_response(200, {}, b'{"trunc'), Retry)
    bad = _attempts(False).on_response(200, {}, b'{"trunc')
    assert isinstance(bad, Fail) and isinstance(bad.error, APIConnectionError)
    redirect = _attempts(True).on_response(302, {}, b"")
    assert isinstance(redirect, Fail) and redirect.error.status == 302


def test_attempts_give_up_after_max_retries() -> None:
    a = _attempts(True, retries=2)
    outcomes = [a.on_error(TransportFailure.BROKEN, "ReadError") for _ in range(3)]
    assert [type(o) for o in outcomes] == [Retry, Retry, Fail]
    last = outcomes[-1]
    assert isinstance(last, Fail) and type(last.error) is APIConnectionError
    timeout = _attempts(False).on_error(TransportFailure.TIMED_OUT, "ReadTimeout")
    assert isinstance(timeout, Fail) and isinstance(timeout.error, APITimeoutError)


@pytest.mark.parametrize(
    ("exc", "maybe_applied"),
    [
        (httpx.RemoteProtocolError("x"), True),  # dropped after sending: may have happened
        (httpx.ReadTimeout("x"), True),
        (httpx.ConnectError("x"), False),  # never left this machine
        (httpx.ConnectTimeout("x"), False),
    ],
)
def test_lost_write_says_whether_it_may_have_been_applied(
    exc: httpx.RequestError, maybe_applied: bool
) -> None:
    kind = failure_of(exc)
    out = _attempts(False).on_error(kind, type(exc).__name__)
    assert isinstance(out, Fail)
    assert ("may have applied it" in str(out.error)) is maybe_applied
    # A read that runs out of retries has nothing to warn about.
    read = _attempts(True, retries=0).on_error(kind, type(exc).__name__)
    assert isinstance(read, Fail) and "may have applied" not in str(read.error)


def test_truncated_write_answer_may_have_been_applied() -> None:
    bad = _attempts(False).on_response(200, {}, b'{"trunc')
    assert isinstance(bad, Fail) and "may have applied it" in str(bad.error)


def test_rate_limit_error_reports_retry_after_in_either_form() -> None:
    from email.utils import format_datetime

    from envnb.errors import RateLimitError

    secs = _attempts(False).on_response(429, {"retry-after": "7"}, b"{}")
    assert isinstance(secs, Fail) and isinstance(secs.error, RateLimitError)
    assert secs.error.retry_after == 7.0
    when = format_datetime(datetime.now(UTC).replace(microsecond=0), usegmt=True)
    dated = _attempts(False).on_response(429, {"retry-after": when}, b"{}")
    assert isinstance(dated, Fail) and isinstance(dated.error, RateLimitError)
    assert dated.error.retry_after is not None and 0.0 <= dated.error.retry_after <= 1.0
    junk = _attempts(False).on_response(429, {"retry-after": "nan"}, b"{}")
    assert isinstance(junk, Fail) and junk.error.retry_after is None


# ---- numbers from the server are bounded (issue 10 #8) -------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "inf",
        "Infinity",
        "-inf",
        "nan",
        "1e400",
        "86401",
        "9" * 400,
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ],
)
def test_an_unusable_retry_after_is_none_not_a_number(header: str) -> None:
    # The instance: Retry-After: inf gave RateLimitError.retry_after == inf, and a user's
    # time.sleep(err.retry_after) hung.
    assert parse_retry_after(header) is None
    out = _attempts(safe=False).on_response(429, {"retry-after": header}, b"{}")
    assert isinstance(out, Fail) and out.error.retry_after is None  # type: ignore[attr-defined]


def test_a_retry_after_up_to_a_day_is_kept() -> None:
    assert parse_retry_after("86400") == 86400.0
    assert parse_retry_after("0.25") == 0.25


@pytest.mark.parametrize("count", [True, 3.5e9, "350", -1, 50, 10**15, None])
def test_an_odd_count_is_not_used_to_plan_pages(count: object) -> None:
    plan = plan_pages({**_first(100, None), "count": count}, page_size=100)
    assert plan.follow_next and plan.offsets == ()


@pytest.mark.parametrize("limit", ["0", "-100", "10000000000000", "x"])
def test_an_odd_limit_in_the_next_link_steps_by_the_page_length(limit: str) -> None:
    first = {"count": 350, "next": f"http://h/x/?limit={limit}&offset=100", "results": [{}] * 100}
    assert plan_pages(first, page_size=100).offsets == (100, 200, 300)


def test_a_page_without_rows_but_with_next_is_followed() -> None:
    plan = plan_pages(
        {"count": 350, "next": "http://h/x/?limit=0&offset=0", "results": []}, page_size=100
    )
    assert plan.follow_next and plan.offsets == ()


def test_a_row_budget_stops_at_the_limit_and_counts_what_to_expect() -> None:
    budget = RowBudget(5)
    assert budget.total({"count": 12}) == 5 and RowBudget(None).total({"count": 12}) == 12
    assert budget.total({"count": 3}) == 3 and budget.total({}) == 5
    assert budget.take({"results": [1, 2, 3]}) == [1, 2, 3] and not budget.full
    assert budget.take({"results": [4, 5, 6]}) == [4, 5] and budget.full
    assert budget.take({"results": [7]}) == []
    assert (first_page_size(100, 3), first_page_size(100, None), first_page_size(100, 500)) == (
        3,
        100,
        100,
    )


def test_a_count_that_changes_between_pages_is_a_moved_list() -> None:
    """No id repeats, but the count went 3 -> 4: a row was added while the list was read."""
    check = PageCheck()
    check.fresh({"count": 3, "results": [{"id": 1}, {"id": 2}]})
    assert not check.moved
    check.fresh({"count": 4, "results": [{"id": 3}]})
    assert check.moved
    assert "its count went 3 → 4" in check.message("persons", "kept what was read")
