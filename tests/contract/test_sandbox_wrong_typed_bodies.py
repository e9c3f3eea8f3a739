"""Wrong-typed values to every field of the query, file-export, approval and profile-config
bodies: never a 5xx, never a secret, and a 400 names the wrong field.

The batch-export bodies have their own sweep
(test_sandbox_batch_exports_newest.py::test_wrong_typed_values_anywhere_are_400_never_500_and_never_a_secret)
and so do the conversation and queue bodies
(test_sandbox_conversation_queue.py::test_wrong_typed_values_in_conversation_bodies_are_400_never_500).
The defects PostHog's published schema found here are pinned with literal answers at the end.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from conftest import Api, seeded_hour
from envnb.sandbox import Sandbox
from envnb.sandbox.batch_exports.seed import SECRETS

pytestmark = pytest.mark.timeout(300)

BAD_VALUES: list[Any] = [None, 7, 1.5, "x", [1, "a"], {"k": 1}, True, 10**20]
HOGQL = {
    "kind": "HogQLQuery",
    "query": "select event, count() from events group by event",
    "values": {},
    "variables": {},
    "filters": {},
}
EVENTS = {"kind": "EventsNode", "event": "$pageview"}
TRENDS = {
    "kind": "TrendsQuery",
    "series": [EVENTS],
    "interval": "day",
    "dateRange": {"date_from": "-7d"},
    "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
    "trendsFilter": {},
    "properties": [],
    "filterTestAccounts": False,
}
REQUEST = {
    "refresh": "blocking",
    "client_query_id": "wrong-typed",
    "name": "n",
    "async": False,
    "filters_override": {},
    "variables_override": {},
    "limit_context": "posthog_ai",
}


class Sweep:
    """Sends each body, checks each answer, counts them."""

    def __init__(self, api: Api) -> None:
        self.api, self.sent = api, 0

    def send(self, method: str, path: str, body: Any, field: str | None) -> None:
        response = self.api.request(method, path, json=body)
        self.sent += 1
        seen = (method, path, body, response.text[:300])
        assert response.status_code < 500, seen
        assert SECRETS not in response.text and self.api.sb.api_key not in response.text, seen
        if response.status_code == 400 and field is not None:
            # The wrong field is the one named (or a field inside it, or the object holding
            # it), or a rule of the whole body answered.
            attr = response.json().get("attr")
            assert (
                attr is None
                or f"{attr}__".startswith(f"{field}__")
                or field.startswith(f"{attr}__")
            ), seen

    def fields(self, method: str, path: str, base: dict[str, Any], nested: str = "") -> None:
        """The body itself, then each field of ``base`` (or of ``base[nested]``), wrong-typed."""
        inner = base[nested] if nested else base
        for bad in BAD_VALUES:
            if not nested:
                self.send(method, path, bad, None)
            for name in inner:
                changed = {**inner, name: bad}
                body = {**base, nested: changed} if nested else changed
                self.send(method, path, body, f"{nested}__{name}" if nested else name)


def test_query_bodies(fresh_api: Api) -> None:
    sweep = Sweep(fresh_api)
    for path in ("query/", "query/HogQLQuery/"):
        sweep.fields("POST", path, {"query": HOGQL, **REQUEST})
        sweep.fields("POST", path, {"query": HOGQL, **REQUEST}, nested="query")
    sweep.fields("POST", "query/", {"query": TRENDS, **REQUEST}, nested="query")
    sweep.fields("POST", "query/upgrade/", {"query": TRENDS})
    sweep.fields("POST", "query/upgrade/", {"query": TRENDS}, nested="query")
    assert sweep.sent == 8 * (2 * (1 + 8 + 5) + 8 + 1 + 1 + 8)


def test_file_export_bodies(fresh_sandbox: Sandbox) -> None:
    end = seeded_hour(fresh_sandbox)
    bounds = {
        "data_interval_start": (end - timedelta(days=1)).isoformat(),
        "data_interval_end": end.isoformat(),
    }
    events = {
        "model": "events",
        "file": {"format": "Parquet", "compression": "zstd", "max_size_mb": 10},
        **bounds,
        "include": ["$pageview"],
        "exclude": [],
    }
    hogql = {
        "model": "hogql",
        "file": {"format": "JSONLines"},
        "hogql_query": "SELECT event FROM events WHERE timestamp >= {data_interval_start}",
        "hogql_modifiers": {},
        **bounds,
    }
    api = Api(fresh_sandbox)
    sweep = Sweep(api)
    sweep.fields("POST", "file_download_batch_exports/", events)
    sweep.fields("POST", "file_download_batch_exports/", events, nested="file")
    sweep.fields("POST", "file_download_batch_exports/", hogql)
    sweep.fields("POST", "file_download_batch_exports/count_rows/", hogql)
    api.http.close()
    assert sweep.sent == 8 * ((1 + 6) + 3 + (1 + 6) * 2)


def test_profile_config_bodies(fresh_api: Api) -> None:
    sweep = Sweep(fresh_api)
    created = fresh_api.post("customer_profile_configs/", json={"scope": "person"}).json()
    one = f"customer_profile_configs/{created['id']}/"
    body = {"scope": "group_0", "content": [{"type": "notes"}], "sidebar": {"collapsed": True}}
    sweep.fields("POST", "customer_profile_configs/", body)
    sweep.fields("PATCH", one, body)
    sweep.fields("PUT", one, body)
    assert sweep.sent == 3 * 8 * (1 + 3)


def test_approval_decision_bodies(fresh_api: Api) -> None:
    sweep = Sweep(fresh_api)
    response, frames = fresh_api.chat("Please pause all exports for tonight")
    assert response.status_code == 200
    [approval] = [frame.data for frame in frames if frame.event == "approval"]
    base = {
        "content": None,
        "conversation": frames[0].data["id"],
        "trace_id": str(uuid.uuid4()),
        "resume_payload": {"action": "reject", "proposal_id": str(uuid.uuid4())},
    }
    sweep.fields("POST", "conversations/", base, nested="resume_payload")
    for bad in BAD_VALUES:
        sweep.send("POST", "conversations/", {**base, "resume_payload": bad}, "resume_payload")
    # The proposal is still waiting: no wrong-typed decision decided it.
    waiting = fresh_api.get(f"conversations/{base['conversation']}/").json()
    assert [p["proposal_id"] for p in waiting["pending_approvals"]] == [approval["proposal_id"]]
    assert sweep.sent == 8 * 2 + 8


# Defects the property run against PostHog's document found (each was a 500 or a silent 200).


def test_a_project_id_beyond_bigint_is_not_found(sandbox: Sandbox) -> None:
    response = httpx.get(
        f"{sandbox.url}/api/projects/99999999999999999999/",
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    assert response.status_code == 404
    assert response.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Not found.",
        "attr": None,
    }


DICT, STR, BOOL = (
    f"Input should be a valid {name}" for name in ("dictionary", "string", "boolean")
)


@pytest.mark.parametrize(
    ("body", "detail", "attr"),
    [
        ({"query": {**HOGQL, "values": 5}}, DICT, "query__values"),
        ({"query": {**HOGQL, "variables": [1]}}, DICT, "query__variables"),
        ({"query": HOGQL, "name": 5}, STR, "name"),
        ({"query": HOGQL, "client_query_id": 5, "refresh": "async"}, STR, "client_query_id"),
        ({"query": HOGQL, "async": "x"}, BOOL, "async"),
        ({"query": HOGQL, "filters_override": 5}, DICT, "filters_override"),
        ({"query": HOGQL, "variables_override": "x"}, DICT, "variables_override"),
        ({"query": HOGQL, "limit_context": 5}, STR, "limit_context"),
    ],
)
def test_a_wrong_typed_query_request_field_is_a_400_naming_it(
    api: Api, body: dict[str, Any], detail: str, attr: str
) -> None:
    response = api.post("query/", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "parse_error",
        "detail": detail,
        "attr": attr,
    }


def test_a_form_encoded_boolean_is_still_a_boolean(api: Api) -> None:
    # Form bodies carry text: "true" is PostHog's (pydantic's) boolean, not a wrong type.
    response = api.post("query/", json={"query": HOGQL, "async": "true"})
    assert response.status_code == 200, response.text


def test_upgrade_refuses_a_kind_outside_posthogs_schema(api: Api) -> None:
    response = api.post("query/upgrade/", json={"query": {"kind": "__not_in_enum__"}})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "parse_error",
        "detail": "Input tag '__not_in_enum__' found using 'kind' does not match any of the "
        "expected tags",
        "attr": "query__kind",
    }
    kept = api.post("query/upgrade/", json={"query": {"kind": "EventsQuery", "select": ["*"]}})
    assert kept.status_code == 200
    assert kept.json() == {"query": {"kind": "EventsQuery", "select": ["*"]}}


@pytest.mark.parametrize("size", [None, 0])
def test_one_file_exports_complete(fresh_sandbox: Sandbox, size: int | None) -> None:
    # max_size_mb 0 or null means one file (contract §13); the run used to fail to finish and
    # every later request to file exports answered 500.
    fresh_sandbox.file_exports.start_delay = 0.0
    fresh_sandbox.file_exports.duration = 0.0
    end = seeded_hour(fresh_sandbox)
    api = Api(fresh_sandbox)
    created = api.post(
        "file_download_batch_exports/",
        json={
            "model": "events",
            "file": {"format": "JSONLines", "max_size_mb": size},
            "data_interval_start": (end - timedelta(hours=1)).isoformat(),
            "data_interval_end": end.isoformat(),
        },
    )
    assert created.status_code == 202, created.text
    run = api.get(f"file_download_batch_exports/{created.json()['id']}/").json()
    assert run["status"] == "Completed"
    assert len(run["files"]) == 1
    assert api.get("file_download_batch_exports/").status_code == 200
    api.http.close()


def test_a_list_file_format_is_an_invalid_choice(fresh_api: Api) -> None:
    response = fresh_api.post(
        "file_download_batch_exports/", json={"model": "events", "file": {"format": [1, "a"]}}
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_choice",
        "detail": "\"[1, 'a']\" is not a valid choice.",
        "attr": "file__format",
    }


def test_a_list_approval_action_is_not_a_decision(fresh_api: Api) -> None:
    _, frames = fresh_api.chat("Please pause all exports for tonight")
    [approval] = [frame.data for frame in frames if frame.event == "approval"]
    cid = frames[0].data["id"]
    payload = {"action": ["approve"], "proposal_id": approval["proposal_id"]}
    answer, _ = fresh_api.chat(None, cid, resume_payload=payload)
    assert answer.status_code < 500, answer.text
    waiting = fresh_api.get(f"conversations/{cid}/").json()["pending_approvals"]
    assert [p["proposal_id"] for p in waiting] == [approval["proposal_id"]]


@pytest.mark.parametrize(
    ("query", "detail", "attr"),
    [
        (
            {**TRENDS, "series": [{"kind": "EventsNode", "event": 5}]},
            STR,
            "query__series__0__event",
        ),
        ({**TRENDS, "series": ["$pageview"]}, DICT, "query__series__0"),
        (
            {**TRENDS, "series": {"kind": "EventsNode"}},
            "Input should be a valid list",
            "query__series",
        ),
        ({**TRENDS, "dateRange": "-7d"}, DICT, "query__dateRange"),
        ({**TRENDS, "filterTestAccounts": "maybe"}, BOOL, "query__filterTestAccounts"),
        ({**TRENDS, "breakdownFilter": []}, DICT, "query__breakdownFilter"),
        # These answered a 400 naming no field, a Python error ("'str' object has no
        # attribute 'get'"), or ran (lifecycleFilter/stickinessFilter of 5: 200).
        ({**TRENDS, "interval": 5}, STR, "query__interval"),
        (
            {**TRENDS, "interval": "fortnight"},
            "Input should be 'second', 'minute', 'hour', 'day', 'week' or 'month'",
            "query__interval",
        ),
        ({**TRENDS, "dateRange": {"date_from": 5}}, STR, "query__dateRange__date_from"),
        ({**TRENDS, "dateRange": {"date_to": True}}, STR, "query__dateRange__date_to"),
        ({**TRENDS, "properties": "x"}, "Input should be a valid list", "query__properties"),
        ({**TRENDS, "trendsFilter": "x"}, DICT, "query__trendsFilter"),
        ({**TRENDS, "compareFilter": 5}, DICT, "query__compareFilter"),
        ({"kind": "RetentionQuery", "retentionFilter": "x"}, DICT, "query__retentionFilter"),
        (
            {**TRENDS, "kind": "LifecycleQuery", "lifecycleFilter": 5},
            DICT,
            "query__lifecycleFilter",
        ),
        (
            {**TRENDS, "kind": "StickinessQuery", "stickinessFilter": 5},
            DICT,
            "query__stickinessFilter",
        ),
        ({"kind": "HogQLQuery", "query": 5}, STR, "query__query"),
    ],
)
def test_a_wrong_typed_insight_field_is_a_400_naming_it(
    api: Api, query: dict[str, Any], detail: str, attr: str
) -> None:
    # A series event of 5 used to run and answer a series labelled 5 (PostHog: a 400).
    response = api.post("query/", json={"query": query})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "parse_error",
        "detail": detail,
        "attr": attr,
    }
