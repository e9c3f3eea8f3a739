"""ProfileConfigEditor against the sandbox: load, edit, save changes, create, conflicts, errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from widget_helpers import api_get, assert_no_secrets, client_for, html_of, writes

from envnb.sandbox import Sandbox
from envnb.widgets import ProfileConfigEditor

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def _editor(sb: Any, **kw: Any) -> ProfileConfigEditor:
    ed = ProfileConfigEditor(client_for(sb, **kw))
    await ed.wait()
    return ed


async def _open_first(ed: ProfileConfigEditor) -> dict[str, Any]:
    first = ed.rows[0]
    ed.select(first["id"])
    await ed.wait()
    assert ed.loaded is not None
    return ed.loaded


def _server_patch(sb: Any, config_id: str, body: dict[str, Any]) -> None:
    url = f"{sb.url}/api/projects/{sb.project_id}/customer_profile_configs/{config_id}/"
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    httpx.patch(url, json=body, headers=headers, timeout=10).raise_for_status()


async def test_list_and_load(sandbox: Sandbox) -> None:
    ed = await _editor(sandbox)
    server = api_get(sandbox, "customer_profile_configs/?limit=100")["results"]
    assert [r["id"] for r in ed.rows] == [c["id"] for c in server]
    assert all(
        r["scope"] in label for r, (label, _) in zip(ed.rows, ed.list_select.options, strict=True)
    )
    loaded = await _open_first(ed)
    assert ed.mode == "edit" and not ed.dirty
    assert ed.scope.value == loaded["scope"] == server[0]["scope"]
    assert json.loads(ed.content.value) == server[0]["content"]
    assert json.loads(ed.sidebar.value) == server[0]["sidebar"]
    assert "valid JSON" in ed.content_feedback.value
    assert_no_secrets(ed, sandbox.api_key)


async def test_live_json_feedback_and_dirty_marker(sandbox: Sandbox) -> None:
    ed = await _editor(sandbox)
    await _open_first(ed)
    ed.content.value = '{\n  "a": 1,\n  "b": \n}'
    assert ed.dirty and "unsaved changes" in ed.dirty_html.value
    assert "error at line 4, column 1" in ed.content_feedback.value
    ed.discard_button.click()
    await ed.wait()
    assert not ed.dirty and ed.dirty_html.value == ""
    assert "valid JSON" in ed.content_feedback.value


async def test_invalid_json_is_never_sent_and_text_stays(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb)
    await _open_first(ed)
    bad = '{"layout": [1, 2'
    ed.content.value = bad
    sb.reset_stats()
    ed.save_button.click()
    await ed.wait()
    assert writes(sb, "profile_config.update") == 0
    assert ed.content.value == bad and "Fix the JSON errors" in ed.status


async def test_save_patches_changes_and_server_has_them(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb)
    loaded = await _open_first(ed)
    ed.sidebar.value = json.dumps({"widgets": ["notes", "<b>x</b>"]})
    ed.save_button.click()
    assert ed.save_button.disabled
    ed.save_button.click()  # double click while saving: ignored
    await ed.wait()
    assert writes(sb, "profile_config.update") == 1
    assert ed.status == "Saved (sidebar)." and not ed.dirty
    server = api_get(sb, f"customer_profile_configs/{loaded['id']}/")
    assert server["sidebar"] == {"widgets": ["notes", "<b>x</b>"]}
    assert server["content"] == loaded["content"]
    assert ed.loaded is not None and ed.loaded["updated_at"] == server["updated_at"]


async def test_new_creates(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb)
    before = len(ed.rows)
    ed.new_button.click()
    assert ed.mode == "new" and ed.dirty
    ed.scope.value = "group_2"
    ed.content.value = '{"sections": []}'
    ed.sidebar.value = "[]"
    ed.save_button.click()
    await ed.wait()
    assert writes(sb, "profile_config.create") == 1
    assert ed.mode == "edit" and not ed.dirty and len(ed.rows) == before + 1
    assert ed.loaded is not None and ed.list_select.value == ed.loaded["id"]
    server = api_get(sb, f"customer_profile_configs/{ed.loaded['id']}/")
    assert (server["scope"], server["content"], server["sidebar"]) == (
        "group_2",
        {"sections": []},
        [],
    )


async def test_conflict_does_not_overwrite_and_offers_both(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb)
    loaded = await _open_first(ed)
    _server_patch(sb, loaded["id"], {"content": {"someone": "else"}})
    mine = '{"mine": true}'
    ed.content.value = mine
    sb.reset_stats()
    ed.save_button.click()
    await ed.wait()
    assert writes(sb, "profile_config.update") == 0
    assert ed.conflict is not None and ed.conflict["content"] == {"someone": "else"}
    assert ed.conflict_box.layout.display == "flex"
    assert "Server&#x27;s version" in ed.conflict_html.value or "Server's version" in (
        ed.conflict_html.value
    )
    assert "someone" in ed.conflict_html.value and "mine" in ed.conflict_html.value
    assert ed.content.value == mine and ed.dirty
    assert api_get(sb, f"customer_profile_configs/{loaded['id']}/")["content"] == {
        "someone": "else"
    }
    ed.keep_mine_button.click()
    await ed.wait()
    assert writes(sb, "profile_config.update") == 1
    assert api_get(sb, f"customer_profile_configs/{loaded['id']}/")["content"] == {"mine": True}
    assert ed.conflict is None and not ed.dirty


async def test_overwrite_with_mine_makes_the_server_hold_exactly_the_editors_text(
    fresh_sandbox: Sandbox,
) -> None:
    # The other writer changed the sidebar too, which this user never touched: overwriting
    # means the server ends with the editor's sidebar, so the diff must be taken against the
    # server's version (a diff against the stale loaded version would keep "theirs").
    sb = fresh_sandbox
    ed = await _editor(sb)
    loaded = await _open_first(ed)
    shown_sidebar = json.loads(ed.sidebar.value)
    assert shown_sidebar == loaded["sidebar"] and shown_sidebar != ["theirs"]
    _server_patch(sb, loaded["id"], {"content": {"someone": "else"}, "sidebar": ["theirs"]})
    ed.content.value = '{"mine": true}'
    ed.save_button.click()
    await ed.wait()
    assert ed.conflict is not None and ed.conflict["sidebar"] == ["theirs"]
    ed.keep_mine_button.click()
    await ed.wait()
    server = api_get(sb, f"customer_profile_configs/{loaded['id']}/")
    assert server["content"] == {"mine": True}
    assert server["sidebar"] == shown_sidebar
    assert ed.loaded is not None and ed.loaded["sidebar"] == shown_sidebar and not ed.dirty


async def test_conflict_take_the_servers_version(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb)
    loaded = await _open_first(ed)
    _server_patch(sb, loaded["id"], {"sidebar": ["theirs"]})
    ed.sidebar.value = '["mine"]'
    ed.save_button.click()
    await ed.wait()
    assert ed.conflict is not None
    ed.take_server_button.click()
    assert json.loads(ed.sidebar.value) == ["theirs"] and not ed.dirty
    assert api_get(sb, f"customer_profile_configs/{loaded['id']}/")["sidebar"] == ["theirs"]


async def test_server_and_network_errors_keep_the_text(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb, max_retries=0)
    loaded = await _open_first(ed)
    mine = '{"kept": "yes"}'
    ed.content.value = mine
    sb.set_faults("status=500,method=PATCH")
    ed.save_button.click()
    await ed.wait()
    assert "500" in ed.status and ed.content.value == mine and ed.dirty
    sb.set_faults("drop=body,method=GET,route=customer_profile_configs/")
    ed.save_button.click()
    await ed.wait()
    sb.set_faults(None)
    assert "Not saved" in ed.status and ed.content.value == mine and ed.dirty
    assert "Traceback" not in html_of(ed)
    ed.save_button.click()
    await ed.wait()
    assert api_get(sb, f"customer_profile_configs/{loaded['id']}/")["content"] == {"kept": "yes"}


async def test_switching_away_with_unsaved_edits_is_refused(sandbox: Sandbox) -> None:
    ed = await _editor(sandbox)
    loaded = await _open_first(ed)
    ed.content.value = '{"draft": 1}'
    ed.list_select.value = ed.rows[1]["id"]
    await ed.wait()
    assert ed.list_select.value == loaded["id"]
    assert ed.content.value == '{"draft": 1}' and "unsaved changes" in ed.status


class _RefusesSidebar(httpx.AsyncHTTPTransport):
    """The sandbox, except a PATCH gets PostHog's field error for ``sidebar`` (a rule a newer
    server might add that the client does not know)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            body = {
                "type": "validation_error",
                "code": "invalid_input",
                "detail": "Invalid value for field 'sidebar'",
                "attr": "sidebar",
            }
            return httpx.Response(400, json=body, request=request)
        return await super().handle_async_request(request)


async def test_field_error_is_shown_at_the_field(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb, transport=httpx.HTTPTransport(), async_transport=_RefusesSidebar())
    loaded = await _open_first(ed)
    ed.sidebar.value = '{"x": 1}'
    ed.save_button.click()
    await ed.wait()
    assert list(ed.errors) == ["sidebar"]
    field_error = "400: Invalid value for field 'sidebar' (field 'sidebar')"
    assert ed.errors["sidebar"].startswith(field_error)
    assert "Invalid value for field" in ed.sidebar_feedback.value
    assert "Invalid value" not in ed.content_feedback.value
    assert ed.status == "Not saved: the server rejected 'sidebar'."
    assert ed.sidebar.value == '{"x": 1}' and ed.dirty
    assert api_get(sb, f"customer_profile_configs/{loaded['id']}/")["sidebar"] == loaded["sidebar"]


async def test_limited_key_cannot_write_and_says_so(sandbox: Sandbox) -> None:
    key = sandbox.create_key(scopes=["customer_profile_config:read"])
    ed = await _editor(sandbox, api_key=key)
    await _open_first(ed)
    ed.content.value = '{"x": 2}'
    ed.save_button.click()
    await ed.wait()
    assert "403" in ed.status and "customer_profile_config:write" in ed.status
    assert ed.content.value == '{"x": 2}'
    assert_no_secrets(ed, key, sandbox.api_key)


async def test_list_shows_updated_time_in_utc(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    ed = await _editor(sb)
    first = ed.rows[0]["id"]
    # A server answering with an offset: 12:30 at +02:00 is 10:30 UTC.
    with sb.store.tx() as db:
        db.execute(
            "UPDATE profile_configs SET updated_at = '2026-11-20T12:30:00+02:00' WHERE id = ?",
            (first,),
        )
    ed.refresh_button.click()
    await ed.wait()
    label = dict((v, k) for k, v in ed.list_select.options)[first]
    assert "updated 2026-11-20 10:30 UTC" in label


async def test_two_editors_saving_one_config_at_once_lose_no_edit(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    first, second = await _editor(sb), await _editor(sb)
    loaded = await _open_first(first)
    await _open_first(second)
    first.content.value, second.content.value = '{"by": "first"}', '{"by": "second"}'
    first.save_button.click()
    second.save_button.click()  # both before either call ran: the two saves race
    await first.wait()
    await second.wait()
    saved = [ed for ed in (first, second) if ed.status.startswith("Saved")]
    conflicted = [ed for ed in (first, second) if ed.conflict is not None]
    assert len(saved) == 1 and len(conflicted) == 1, (first.status, second.status)
    (winner,), (loser,) = saved, conflicted
    assert loser.status == "Conflict: choose which version to keep."
    assert loser.content.value == f'{{"by": "{"second" if winner is first else "first"}"}}'
    server = api_get(sb, f"customer_profile_configs/{loaded['id']}/")["content"]
    assert server == json.loads(winner.content.value)  # the saved edit is the server's
    assert writes(sb, "profile_config.update") == 1
