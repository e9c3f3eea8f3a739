"""The query API's statuses and routes as PostHog has them now (contract §14;
PH:posthog/api/query.py)."""

from __future__ import annotations

from conftest import Api

HOGQL = {"kind": "HogQLQuery", "query": "SELECT count() FROM events"}


def test_query_status_fields_and_show_progress(fresh_api: Api) -> None:
    started = fresh_api.post("query/", json={"query": HOGQL, "refresh": "async"})
    assert started.status_code == 202
    status = started.json()["query_status"]
    for name in ("error_code", "bytes_read", "budget_remaining_bytes", "cache_key", "query_scan"):
        assert name in status, name
    assert status["cache_key"].startswith("cache_")
    plain = fresh_api.get(f"query/{status['id']}/")
    assert plain.status_code == 202 and plain.json()["query_status"]["query_progress"] is None
    done = fresh_api.get(f"query/{status['id']}/", params={"show_progress": "true"})
    assert done.status_code == 200
    progress = done.json()["query_status"]["query_progress"]
    assert set(progress) >= {"active_cpu_time", "bytes_read", "estimated_rows_total", "rows_read"}
    cancelled = fresh_api.request("DELETE", f"query/{status['id']}/")
    assert cancelled.status_code == 200 and isinstance(cancelled.json()["message"], str)


def test_failed_run_is_400_with_error_message_and_code(fresh_api: Api) -> None:
    bad = {"kind": "HogQLQuery", "query": "SELECT nosuchcolumn FROM events"}
    run_id = fresh_api.post("query/", json={"query": bad, "refresh": "async"}).json()[
        "query_status"
    ]["id"]
    fresh_api.get(f"query/{run_id}/")
    failed = fresh_api.get(f"query/{run_id}/")
    assert failed.status_code == 400
    status = failed.json()["query_status"]
    assert status["error"] is True and status["error_message"]
    assert status["error_code"]


def test_query_kind_in_the_path_must_match_the_body(fresh_api: Api) -> None:
    ok = fresh_api.post("query/HogQLQuery/", json={"query": HOGQL})
    assert ok.status_code == 200 and ok.json()["results"]
    mismatch = fresh_api.post("query/TrendsQuery/", json={"query": HOGQL})
    assert mismatch.status_code == 400
    assert mismatch.json()["detail"] == (
        'Query kind mismatch: path kind "TrendsQuery" does not match body kind "HogQLQuery".'
    )


def test_upgrade_returns_the_query_without_running_it(fresh_api: Api) -> None:
    answer = fresh_api.post("query/upgrade/", json={"query": HOGQL})
    assert answer.status_code == 200
    assert answer.json() == {"query": HOGQL}


def test_unsupported_and_unknown_kinds(fresh_api: Api) -> None:
    unsupported = fresh_api.post("query/", json={"query": {"kind": "WebOverviewQuery"}})
    assert unsupported.status_code == 400
    assert unsupported.json()["detail"] == "Unsupported query kind: WebOverviewQuery"
    unknown = fresh_api.post("query/", json={"query": {"kind": "NoSuchQuery"}})
    assert unknown.status_code == 400 and unknown.json()["code"] == "parse_error"
