"""The sandbox's strict and unordered funnel walks on hand-made event streams (PostHog's funnel
UDF rules: PH:funnel-udf/src/steps.rs, unordered_steps.rs). Each event is (minute, steps it
is, 0-based); the answers are the times of the steps reached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from envnb.sandbox.query.insights.funnel_orders import (
    Event,
    _ordered_walk,
    _strict_walk,
    _unordered_walk,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def _events(*pairs: tuple[int, list[int]]) -> list[Event]:
    return [Event(_at(minute), steps) for minute, steps in pairs]


def test_strict_needs_the_next_step_to_be_the_very_next_event() -> None:
    # A(0) B(1) C(2): all three
    assert _strict_walk(_events((0, [0]), (1, [1]), (2, [2])), 3, HOUR) == [_at(0), _at(1), _at(2)]
    # A(0) x(1) B(2): the other event breaks the run after A
    assert _strict_walk(_events((0, [0]), (1, []), (2, [1])), 2, HOUR) == [_at(0)]
    # A(0) x(1) A(2) B(3): a new run from the second A
    assert _strict_walk(_events((0, [0]), (1, []), (2, [0]), (3, [1])), 2, HOUR) == [
        _at(2),
        _at(3),
    ]
    # the furthest run counts, with its own times: A B x A
    assert _strict_walk(_events((0, [0]), (5, [1]), (6, []), (7, [0])), 3, HOUR) == [
        _at(0),
        _at(5),
    ]


def test_strict_counts_the_window_from_the_entry() -> None:
    late = _events((0, [0]), (61, [1]))
    assert _strict_walk(late, 2, HOUR) == [_at(0)]
    assert _strict_walk(late, 2, 2 * HOUR) == [_at(0), _at(61)]
    assert _strict_walk(_events((0, []), (1, [1])), 2, HOUR) is None  # never step 1


def test_unordered_counts_different_steps_inside_one_window() -> None:
    # C(0) A(10) B(20): all three, in any order; times sorted
    assert _unordered_walk(_events((0, [2]), (10, [0]), (20, [1])), 3, HOUR) == [
        _at(0),
        _at(10),
        _at(20),
    ]
    # B(0) A(90): an hour apart is two windows, one step each
    assert _unordered_walk(_events((0, [1]), (90, [0])), 2, HOUR) == [_at(0)]
    # A(0) A(50) B(100): the window slides to the second A
    assert _unordered_walk(_events((0, [0]), (50, [0]), (100, [1])), 2, HOUR) == [
        _at(50),
        _at(100),
    ]
    # the same step twice is still one step
    assert _unordered_walk(_events((0, [0]), (1, [0])), 2, HOUR) == [_at(0)]


def test_a_strict_exclusion_takes_out_the_run_it_falls_in() -> None:
    # A(0) x!(1) B(2), the exclusion guarding step 1 → 2: x also breaks the strict run
    hit = [Event(_at(0), [0]), Event(_at(1), [], (1,)), Event(_at(2), [1])]
    assert _strict_walk(hit, 2, HOUR) is None
    # A(0) B(1) x!(2): the exclusion comes after the run reached step 2: it stays
    late = [Event(_at(0), [0]), Event(_at(1), [1]), Event(_at(2), [], (1,))]
    assert _strict_walk(late, 2, HOUR) == [_at(0), _at(1)]
    # A(0) x!(1) A(2) B(3): a new run after the exclusion converts
    again = [Event(_at(0), [0]), Event(_at(1), [], (1,)), Event(_at(2), [0]), Event(_at(3), [1])]
    assert _strict_walk(again, 2, HOUR) == [_at(2), _at(3)]


def test_an_unordered_event_of_two_steps_fills_the_first() -> None:
    # PostHog's UDF puts an event that is both steps into the first step's queue
    assert _unordered_walk(_events((0, [0, 1]), (1, [0, 1])), 2, HOUR) == [_at(0)]


def test_ordered_lets_a_later_entry_convert_and_times_it_from_there() -> None:
    # A(0) A(90) B(100), a one-hour window: the first A is too early, the second converts
    assert _ordered_walk(_events((0, [0]), (90, [0]), (100, [1])), 2, HOUR) == [
        _at(90),
        _at(100),
    ]
    # other events in between do not matter (unlike strict)
    assert _ordered_walk(_events((0, [0]), (1, []), (2, [1])), 2, HOUR) == [_at(0), _at(2)]
    # a step before its previous step does not count
    assert _ordered_walk(_events((0, [1]), (1, [0])), 2, HOUR) == [_at(1)]
