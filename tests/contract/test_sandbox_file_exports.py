"""The sandbox's file-download exports over plain HTTP: PostHog's answers, words and links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(120)

CLOCK = datetime(2026, 11, 27, tzinfo=UTC)
START, END = "2026-11-20T00:00:00Z", "2026-11-27T00:00:00Z"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=0, clock=CLOCK, conversations=5) as sandbox:
        sandbox.file_exports.start_delay = 0.0
        sandbox.file_exports.duration = 0.0
        yield sandbox


def _http(sb: Sandbox, key: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=f"{sb.url}/api/projects/{sb.project_id}/file_download_batch_exports/",
        headers={"Authorization": f"Bearer {key or sb.api_key}"},
    )


def _create(http: httpx.Client, **body: Any) -> httpx.Response:
    payload = {"model": "events", "file": {"format": "Parquet"}}
    payload.update(data_interval_start=START, data_interval_end=END)
    payload.update(body)
    return http.post("", json=payload)


def test_validation_errors_in_posthogs_words(sb: Sandbox) -> None:
    cases = [
        (
            {"data_interval_start": "2026-11-01T00:00:00Z"},
            "data interval range too big. Choose an interval of at most seven days.",
            None,
        ),
        (
            {"data_interval_start": "2026-11-26T00:00:00Z", "data_interval_end": START},
            "'data_interval_end' must occur after 'data_interval_start'",
            None,
        ),
        (
            {"data_interval_start": "2099-01-01T00:00:00Z", "data_interval_end": "2099-01-02"},
            "The provided 'data_interval_start' (2099-01-01T00:00:00+00:00) is in the future",
            None,
        ),
        ({"model": "clicks"}, '"clicks" is not a valid choice.', "model"),
        ({"file": {"format": "CSV"}}, '"CSV" is not a valid choice.', "file__format"),
        ({"hogql_query": "SELECT 1"}, "'hogql_query' is only supported when 'model' is 'hogql'",
         None),
        ({"model": "hogql"}, "'hogql_query' is required when 'model' is 'hogql'", None),
        (
            {
                "model": "hogql",
                "data_interval_start": None,
                "hogql_query": "SELECT event FROM events WHERE timestamp >= {data_interval_start}",
            },
            "'data_interval_start' is required because the query references "
            "'{data_interval_start}'.",
            "data_interval_start",
        ),
    ]  # fmt: skip
    with _http(sb) as http:
        for body, detail, attr in cases:
            resp = _create(http, **body)
            assert resp.status_code == 400, body
            assert resp.json() == {
                "type": "validation_error",
                "code": resp.json()["code"],
                "detail": detail,
                "attr": attr,
            }, body


def test_download_redirects_to_a_signed_link_that_needs_no_key(sb: Sandbox) -> None:
    with _http(sb) as http:
        created = _create(http)
        assert created.status_code == 202
        run_id = created.json()["id"]
        run = http.get(f"{run_id}/").json()
        assert sorted(run) == ["files", "records_completed", "status"]
        assert run["status"] == "Completed"
        redirect = http.get(f"{run_id}/download/")
        assert redirect.status_code == 302
        assert redirect.headers["cache-control"] == "no-store"
        location = redirect.headers["location"]
        by_id = http.get(f"{run_id}/download/{run['files'][0]}/")
        assert by_id.headers["location"].split("?")[0] == location.split("?")[0]
        assert http.get(f"{run_id}/download/5/").status_code == 404
    got = httpx.get(location)  # no Authorization header at all
    assert got.status_code == 200
    assert got.content[:4] == b"PAR1" and got.content[-4:] == b"PAR1"
    forged = location.replace("token=", "token=0")
    assert httpx.get(forged).status_code == 403
    sb.advance(3601)  # the link expires, like a presigned URL
    assert httpx.get(location).status_code == 403


def test_json_lines_split_at_max_size(sb: Sandbox) -> None:
    with _http(sb) as http:
        file = {"format": "JSONLines", "max_size_mb": 1}
        run_id = _create(http, file=file).json()["id"]
        run = http.get(f"{run_id}/").json()
        assert len(run["files"]) > 1
        lines = 0
        for index in range(len(run["files"])):
            location = http.get(f"{run_id}/download/{index}/").headers["location"]
            assert ".jsonl?" in location
            text = httpx.get(location).text
            rows = [json.loads(line) for line in text.splitlines()]
            lines += len(rows)
        assert lines == run["records_completed"]
        assert sorted(rows[0]) == sorted(
            ["uuid", "event", "properties", "distinct_id", "team_id", "timestamp", "created_at",
             "elements_chain", "person_id", "person_properties", "set", "set_once"]
        )  # fmt: skip


def test_in_progress_failed_cancelled_and_limits(sb: Sandbox) -> None:
    backend = sb.file_exports
    backend.duration, backend.max_concurrent = 3600.0, 2
    with _http(sb) as http:
        first, second = _create(http).json()["id"], _create(http).json()["id"]
        refused = _create(http)
        assert refused.status_code == 429
        assert refused.json() == {
            "type": "server_error",
            "code": "too_many_concurrent_file_downloads",
            "detail": "Too many concurrent file download batch exports for this team.",
            "attr": None,
        }
        assert http.get(f"{first}/").json() == {"status": "Running"}
        assert http.get(f"{first}/download/").json()["detail"] == (
            "Batch export run is still in progress"
        )
        assert http.post(f"{second}/cancel/").json() == {"status": "Cancelled"}
        assert http.get(f"{second}/download/").json()["detail"] == "Batch export run was cancelled"
        backend.fail_runs = 1
        sb.advance(3600)
        failed = http.get(f"{first}/").json()
        assert failed["status"] == "Failed" and failed["error"].startswith("An error occurred")
        assert http.get(f"{first}/download/").json()["detail"] == "Batch export run has failed"
        cancel_again = http.post(f"{second}/cancel/")
        assert cancel_again.json()["detail"] == "Cannot cancel a run that is in 'Cancelled' status"
        page = http.get("", params={"limit": 1}).json()
        assert page["count"] == 2 and page["results"] == [{"id": second, "status": "Cancelled"}]
        assert page["next"].endswith("limit=1&offset=1")


def test_count_rows_needs_write(sb: Sandbox) -> None:
    body = {
        "model": "hogql",
        "hogql_query": "SELECT event FROM events WHERE timestamp >= {data_interval_start} "
        "AND timestamp < {data_interval_end}",
        "data_interval_start": START,
        "data_interval_end": END,
    }
    with _http(sb, sb.create_key(["batch_export:read"])) as http:
        denied = http.post("count_rows/", json=body)
        assert denied.status_code == 403
        assert denied.json()["detail"] == "API key missing required scope 'batch_export:write'"
    with _http(sb, sb.create_key(["batch_export:write"])) as http:
        counted = http.post("count_rows/", json=body)
        assert counted.status_code == 200 and counted.json()["count"] > 0


def test_a_run_after_count_rows_completes(sb: Sandbox) -> None:
    # count_rows used to leave its one-row result unfinished on the shared DuckDB connection,
    # and the next run then failed with DuckDB's "connection has an unfinished result".
    body = {"model": "hogql", "hogql_query": "SELECT event FROM events"}
    with _http(sb) as http:
        assert http.post("count_rows/", json=body).status_code == 200
        run = _create(http).json()["id"]
        answer = http.get(f"{run}/").json()
        assert answer["status"] == "Completed", answer
