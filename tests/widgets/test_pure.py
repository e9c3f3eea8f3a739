"""The pure parts of the panels, tested without widgets or a server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from envnb.render import render_markdown
from envnb.widgets._base import utc_minutes
from envnb.widgets._configdiff import changed_fields, server_changed
from envnb.widgets._jsontext import check_json, dump_json
from envnb.widgets._markdown import IncrementalMarkdown
from envnb.widgets._steps import FAILED, PASSED, PENDING, RUNNING, SKIPPED, StepRun
from envnb.widgets._throttle import Pacer, Throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_limits_rate_and_keeps_last_value() -> None:
    clock, seen = FakeClock(), []
    th: Throttle[str] = Throttle(seen.append, interval=0.1, clock=clock)
    for i in range(100):  # 100 pushes over 1 s
        th.push(f"v{i}")
        clock.now += 0.01
    th.close()
    assert seen[0] == "v0"
    assert seen[-1] == "v99"
    assert 9 <= len(seen) <= 12
    assert th.flushes == len(seen)
    assert not th.pending


def test_throttle_close_without_pending_is_quiet() -> None:
    seen: list[int] = []
    th: Throttle[int] = Throttle(seen.append, interval=1.0, clock=FakeClock())
    th.close()
    th.push(1)
    th.push(2)
    assert seen == [1] and th.pending
    th.close()
    th.close()
    assert seen == [1, 2]


@pytest.mark.anyio
async def test_throttle_timer_delivers_trailing_value() -> None:
    seen: list[str] = []
    th: Throttle[str] = Throttle(seen.append, interval=0.05)
    th.push("a")
    th.push("b")  # inside the interval: held, timer set
    assert seen == ["a"]
    await asyncio.sleep(0.15)
    assert seen == ["a", "b"] and not th.pending


def test_throttle_not_ready_defers_until_ready() -> None:
    clock, seen = FakeClock(), []
    th: Throttle[str] = Throttle(seen.append, interval=0.1, clock=clock)
    th.push("a", ready=False)  # interval passed, but more frames are waiting
    assert seen == [] and th.pending
    th.push("b", ready=True)
    assert seen == ["b"]


@pytest.mark.anyio
async def test_throttle_timer_delivers_a_deferred_value() -> None:
    seen: list[str] = []
    th: Throttle[str] = Throttle(seen.append, interval=0.05)
    th.push("a", ready=False)  # and then the stream goes quiet
    await asyncio.sleep(0.15)
    assert seen == ["a"] and not th.pending


@pytest.mark.anyio
async def test_pacer_catches_up_on_a_gap() -> None:
    clock = FakeClock()
    pacer = Pacer(0.001, gap=0.003, drain=1.0, clock=clock)
    assert pacer.caught_up()  # before any nap there is nothing to catch up on
    await pacer.nap()
    clock.now += 0.001
    assert not pacer.caught_up()  # frames back to back: more are buffered
    clock.now += 0.004
    assert pacer.caught_up()  # this one had to be waited for


@pytest.mark.anyio
async def test_pacer_nap_resets_the_gap_and_caps_the_drain() -> None:
    pacer = Pacer(0.02, gap=1.0, drain=0.03)
    await pacer.nap()
    assert pacer.naps == 1
    assert not pacer.caught_up()  # right after waking: buffered frames come first
    await asyncio.sleep(0.04)
    assert pacer.caught_up()  # drained long enough (the 1 s gap alone would not say so)


def test_pacer_blocking_nap_also_resets_the_gap() -> None:
    pacer = Pacer(0.01, gap=1.0, drain=1.0)
    pacer.nap_blocking()
    assert pacer.naps == 1 and not pacer.caught_up()


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [('{"a": 1,}', 1, 9), ('{\n  "a": 1\n  "b": 2\n}', 3, 3), ("[1, 2", 1, 6)],
)
def test_check_json_errors_name_line_and_column(text: str, line: int, column: int) -> None:
    res = check_json(text)
    assert not res.ok
    assert (res.line, res.column) == (line, column)
    assert res.message.startswith(f"error at line {line}, column {column}")


def test_check_json_values() -> None:
    assert check_json('{"a": [1]}').value == {"a": [1]}
    assert check_json("[]").ok
    assert check_json("  ").value == {}
    bad = check_json("42", field="content")
    assert not bad.ok and "content must be a JSON object or array" in bad.message
    assert not check_json("null").ok
    assert dump_json(None) == "{}"
    assert check_json(dump_json({"é": [1, {"x": None}]})).value == {"é": [1, {"x": None}]}


def test_changed_fields_only_edited() -> None:
    loaded = {"scope": "person", "content": {"a": 1}, "sidebar": {}, "updated_at": "t"}
    assert changed_fields(loaded, {"scope": "person", "content": {"a": 1}, "sidebar": {}}) == {}
    assert changed_fields(loaded, {"scope": "group_1", "content": {"a": 1}, "sidebar": []}) == {
        "scope": "group_1",
        "sidebar": [],
    }


def test_server_changed() -> None:
    base = {"scope": "person", "content": {"a": 1}, "sidebar": None, "updated_at": "t1"}
    assert not server_changed(base, {**base, "sidebar": {}})
    assert server_changed(base, {**base, "updated_at": "t2"})
    assert server_changed(base, {**base, "content": {"a": 2}})


def test_step_run_skips_after_failure() -> None:
    run = StepRun.of([("one", ""), ("two", ""), ("three", "")])
    assert [s.status for s in run.steps] == [PENDING] * 3
    i = run.next_index()
    assert i == 0
    run.start(0)
    assert run.steps[0].status == RUNNING and not run.done
    run.finish(0, PASSED)
    run.start(1)
    run.finish(1, FAILED, "bucket missing")
    assert [s.status for s in run.steps] == [PASSED, FAILED, SKIPPED]
    assert run.steps[1].message == "bucket missing"
    assert run.next_index() is None and run.done and not run.passed


def test_step_run_all_pass_and_odd_status() -> None:
    run = StepRun.of([("one", "d")])
    run.start(0)
    run.finish(0, PASSED)
    assert run.passed
    odd = StepRun.of([("a", ""), ("b", "")])
    odd.finish(0, "Weird")
    assert odd.steps[0].status == FAILED and "Weird" in odd.steps[0].message
    assert odd.steps[1].status == SKIPPED


def _grow(im: IncrementalMarkdown, text: str, step: int) -> str:
    for i in range(1, len(text) + 1, step):
        im.render(text[:i])
    return im.render(text)


@pytest.mark.parametrize(
    "text",
    [
        " ".join(["lorem", "ipsum", "dolor", "sit", "amet"] * 800),
        "Intro **bold** and `code`, [a link](https://x.y). " * 150,
        "# Title\n\nFirst para.\n\n```\ncode\n\nstill code\n```\n\n- a\n- b\n\n| x |\n|---|\n| 1 |",
        "<script>alert(1)</script> " * 100 + "\n\n" + "tail " * 400,
    ],
)
def test_incremental_markdown_matches_one_pass(text: str) -> None:
    assert _grow(IncrementalMarkdown(), text, 97) == render_markdown(text)
    assert IncrementalMarkdown().render(text, final=True) == render_markdown(text)


def test_incremental_markdown_keeps_script_tags_inert() -> None:
    assert "<script" not in _grow(IncrementalMarkdown(), "<script>x</script> " * 300, 211)


def test_utc_minutes_converts_offsets_and_keeps_odd_text() -> None:
    plus2 = timezone(timedelta(hours=2))
    assert utc_minutes(datetime(2026, 11, 20, 12, 30, tzinfo=plus2)) == "2026-11-20 10:30 UTC"
    assert utc_minutes("2026-11-20T12:30:00+02:00") == "2026-11-20 10:30 UTC"
    assert utc_minutes("2026-11-20T12:30:00Z") == "2026-11-20 12:30 UTC"
    assert utc_minutes(datetime(2026, 11, 20, 12, 30)) == "2026-11-20 12:30 UTC"  # naive: UTC
    assert utc_minutes(datetime(2026, 11, 20, 12, 30, tzinfo=UTC)) == "2026-11-20 12:30 UTC"
    assert utc_minutes(None) == "" and utc_minutes("") == ""
    assert utc_minutes("yesterday") == "yesterday"


def test_step_run_summary_says_what_happened() -> None:
    assert StepRun.of([]).summary.startswith("The server listed no test steps")
    run = StepRun.of([("a", ""), ("b", "")])
    run.finish(0, PASSED)
    run.finish(1, PASSED)
    assert run.summary == "All steps passed."
    run = StepRun.of([("a", ""), ("b", "")])
    run.finish(0, FAILED, "no")
    assert run.summary == "The destination test did not pass."


def test_widget_leak_check_finds_a_short_piece_of_the_key() -> None:
    import ipywidgets as W
    from widget_helpers import assert_no_secrets

    key = "phx_0123456789abcdef0123456789abcdef01234567"

    class Fake:
        widget = W.VBox([W.HTML(value=f"token …{key[17:29]}…")])

    with pytest.raises(AssertionError, match="pieces of a secret"):
        assert_no_secrets(Fake(), key)
    Fake.widget = W.VBox([W.HTML(value=f"key …{key[-4:]}")])
    assert_no_secrets(Fake(), key)  # the last-4 hint is not a leak
