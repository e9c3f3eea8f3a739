"""Fault injection in the sandbox: every action kind, matching, rate, times, switching."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from conftest import Api, parse_sse
from envnb.sandbox import FaultSpecError, Sandbox


def test_status_times_and_route(fresh_api: Api) -> None:
    sb = fresh_api.sb
    sb.set_faults("status=503,times=2,route=batch_exports")
    assert fresh_api.get("conversations/").status_code == 200  # other route untouched
    first, second, third = (fresh_api.get("batch_exports/") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json() == {
        "type": "server_error",
        "code": "error",
        "detail": "A server error occurred.",
        "attr": None,
    }
    assert sb.stats()["faults"] == {"status": 2}


def test_429_with_retry_after(fresh_api: Api) -> None:
    fresh_api.sb.set_faults("status=429,retry_after=7,times=1")
    response = fresh_api.get("customer_profile_configs/")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json() == {
        "type": "throttled_error",
        "code": "throttled",
        "detail": "Request was throttled. Expected available in 7 seconds.",
        "attr": None,
    }
    assert fresh_api.get("customer_profile_configs/").status_code == 200


def test_method_filter_and_switching_off(fresh_api: Api) -> None:
    sb = fresh_api.sb
    sb.set_faults([{"status": 500, "method": "post", "route": "customer_profile_configs"}])
    assert fresh_api.get("customer_profile_configs/").status_code == 200
    assert fresh_api.post("customer_profile_configs/", json={"scope": "person"}).status_code == 500
    assert "profile_config.create" not in sb.stats()["writes"]  # nothing happened
    sb.set_faults(None)
    assert fresh_api.post("customer_profile_configs/", json={"scope": "person"}).status_code == 201


def test_latency_then_normal_answer(fresh_api: Api) -> None:
    fresh_api.sb.set_faults("latency=0.05,times=1")
    assert fresh_api.get("batch_exports/").status_code == 200
    assert fresh_api.sb.stats()["faults"] == {"latency": 1}


def test_drop_body_breaks_the_connection_mid_body(fresh_api: Api) -> None:
    fresh_api.sb.set_faults("drop=body,times=1,route=batch_exports")
    with pytest.raises(httpx.RemoteProtocolError):
        fresh_api.get("batch_exports/")
    assert fresh_api.get("batch_exports/").status_code == 200


def test_malformed_json(fresh_api: Api) -> None:
    fresh_api.sb.set_faults("malformed=json,times=1")
    response = fresh_api.get("batch_exports/")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_html_error_page(fresh_api: Api) -> None:
    fresh_api.sb.set_faults("html=502,times=1")
    response = fresh_api.get("conversations/")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text


def test_cut_after_n_events_then_resume_gets_the_rest() -> None:
    with Sandbox(
        stream_delay=0.01, faults="cut_after=6,route=conversations,method=POST,times=1"
    ) as sb:
        api = Api(sb)
        conversation = str(uuid.uuid4())
        body = {"content": "lorem 40", "conversation": conversation, "trace_id": str(uuid.uuid4())}
        received = b""
        with (
            pytest.raises(httpx.RemoteProtocolError),
            api.http.stream("POST", api.url("conversations/"), json=body) as response,
        ):
            assert response.status_code == 200
            for chunk in response.iter_bytes():
                received += chunk
        assert len(parse_sse(received)) == 6
        resumed = api.post("conversations/", json={**body, "content": None})
        frames = parse_sse(resumed.content)
        assert frames[-1].event == "conversation"
        assert len(frames[-2].data["content"].split()) == 40
        assert sb.stats()["faults"] == {"cut_after": 1}


def test_rate_is_seeded_and_deterministic() -> None:
    def pattern(seed: int) -> list[int]:
        with Sandbox(seed=seed, faults="status=500,rate=0.5,route=batch_exports") as sb:
            api = Api(sb)
            return [api.get("batch_exports/").status_code for _ in range(20)]

    first = pattern(1)
    assert first == pattern(1)
    assert 0 < first.count(500) < 20


def test_first_matching_rule_wins(fresh_api: Api) -> None:
    fresh_api.sb.set_faults("status=404,route=conversations;status=503")
    assert fresh_api.get("conversations/").status_code == 404
    assert fresh_api.get("batch_exports/").status_code == 503


@pytest.mark.parametrize(
    "spec",
    [
        "status=abc",
        "latency=1,status=500",
        "route=x",
        "drop=all",
        "colour=red,status=500",
        "status",
        "rate=2,status=500",
    ],
)
def test_bad_specs_are_rejected(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        Sandbox(faults=spec)


def test_drop_body_on_a_stream(fresh_api: Api) -> None:
    fresh_api.sb.set_faults("drop=body,route=conversations,method=POST,times=1")
    with pytest.raises(httpx.RemoteProtocolError):
        fresh_api.chat("lorem 5")
    assert fresh_api.sb.stats()["faults"] == {"drop": 1}


def test_latency_request_lands_even_when_the_client_gives_up(fresh_api: Api) -> None:
    sb = fresh_api.sb
    sb.set_faults("latency=0.4,route=customer_profile_configs,method=POST,times=1")
    with pytest.raises(httpx.ReadTimeout):
        fresh_api.post("customer_profile_configs/", json={"scope": "person"}, timeout=0.05)
    assert sb.stats()["writes"].get("profile_config.create") is None  # still in the fault
    assert sb.wait_idle(10)  # the event itself: the server finished handling the request
    assert sb.stats()["writes"].get("profile_config.create") == 1
    assert fresh_api.get("customer_profile_configs/").json()["count"] == 9
