"""A bounded property-based run against PostHog's own published OpenAPI document.

The document is ``tests/contract/posthog_openapi_subset.json``: PostHog/posthog's
``frontend/src/generated/openapi.yaml`` at the commit in its ``info.x-posthog-commit``, cut by
``scripts/posthog_openapi_subset.py`` to the operations the sandbox serves (batch exports, their
runs, backfills and logs, app metrics, PostHog AI conversations, customer profile configs, the
query API, saved insights, and the identity endpoints PostHog's tools read: ``users/@me``,
``organizations/@current``, ``projects/``; file downloads are left out, see the subset's
``x-envnb-left-out``, and the serializers in its ``x-envnb-elided`` are kept as bare objects).
Operations newer than the document are added: ``query/{kind}/`` (``NEWER_OPERATIONS``, from the
document's ``query/``), and the file-download exports and ``personal_api_keys/@current`` from
``posthog_newer_operations.json`` (written from PostHog's source, contract §13: not PostHog's
document). The GET operations and ``query/`` run a second time under the deprecated
``/api/environments/`` alias. Schemathesis generates requests — JSON, form-encoded and multipart
bodies, as the document declares — and every answer is checked:

1. never a 5xx;
2. never a destination secret (the seeded ones start with ``sandbox-secret-``) nor the API key;
3. a 2xx answer (to valid or to schemathesis' invalid data) has a status code and content
   type the document lists and a body matching its schema. PostHog's document lists success
   answers only (drf-spectacular does not infer its 400/401/403/404/409/429), so 4xx answers
   are held to 1 and 2 only.

Operations whose documented 2xx PostHog itself does not give are held to 1 and 2 as well, each
named with its reason in ``NOT_AS_DOCUMENTED``: drf-spectacular infers a custom action's answer
from the viewset's serializer, and these views answer otherwise (contract §6, §7, §16; the
sandbox follows PostHog's code, which the other contract tests check).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup

from envnb.sandbox import Sandbox
from envnb.sandbox.batch_exports.seed import SECRETS
from envnb.sandbox.forms import FORM_TYPES

DOCUMENT = Path(__file__).with_name("posthog_openapi_subset.json")
FROM_SOURCE = Path(__file__).with_name("posthog_newer_operations.json")
# Per operation, valid and invalid data mixed: 38 operations x 20 requests took 30-55 s on the
# shared 2-core machine (150 per operation found nothing more in 4 minutes).
EXAMPLES = 20
# The environments alias answers from the same handlers: a few requests per operation show it
# is the same API (and keep the whole run within a minute or two).
ALIAS_EXAMPLES = 4

NOT_AS_DOCUMENTED = {
    # PostHog streams text/event-stream with 200 (documented: 201 Message).
    "conversations_create": "answers a 200 event stream",
    # PostHog answers 201 {"id"} (documented: 200 MessageMinimal).
    "conversations_append_message_create": "answers 201 with the message id",
    # PostHog answers 204 without a body (documented: 200 Conversation).
    "conversations_cancel_partial_update": "answers 204",
    # Newest PostHog lists ConversationMinimalSerializer (contract §16); the document's commit
    # still listed the full Conversation.
    "conversations_list": "lists the minimal serializer (newer than the document)",
    # The queue actions answer the queue {messages, max_queue_messages}, 200 (documented: the
    # Conversation serializer, and 204 for destroy) [src: PH:ee/api/conversation.py queue].
    "conversations_queue_retrieve": "answers the queue",
    "conversations_queue_create": "answers the queue",
    "conversations_queue_partial_update": "answers the queue",
    "conversations_queue_destroy": "answers 200 with the queue",
    "conversations_queue_clear_create": "answers the queue",
    # Newest PostHog answers 200 {"message"} (documented: 204) [contract §14].
    "query_destroy": "answers 200 with a message (newer than the document)",
    # retry is a backfill of one run: 201 {"backfill_id"} (documented: 200, no body).
    "batch_exports_runs_retry_create": "answers 201 with the backfill id",
    # create answers 201 {"backfill_id"} (documented: the BatchExportBackfill serializer).
    "batch_exports_backfills_create": "answers 201 with the backfill id",
}
# Properties whose documented schema PostHog's own answers do not follow, corrected here.
CORRECTIONS: dict[tuple[str, str], dict[str, Any]] = {
    # An unannotated SerializerMethodField, which drf-spectacular documents as a string;
    # get_progress answers {total_runs, finished_runs, progress} (PostHog's backfill tests).
    ("BatchExportBackfill", "progress"): {"readOnly": True},
}
# Enums that PostHog's newest source has grown since the document's commit (contract §12):
# where the document is not PostHog's current one, the current values are allowed too.
NEWER_ENUMS = {
    "IntervalEnum": ["hour", "day", "week", "every 5 minutes", "every 15 minutes"],
    "ModelEnum": ["events", "persons", "sessions", "hogql"],
    "BatchExportDestinationTypeEnum": [
        *("S3", "AwsS3", "S3Compatible", "Snowflake", "Postgres", "Redshift", "BigQuery"),
        *("Databricks", "AzureBlob", "Workflows", "HTTP", "NoOp", "FileDownload"),
    ],
}
# Newest PostHog's query API (contract §14) answers 202 with the status while a run is going on,
# and its status has grown these fields since the document's commit.
NEWER_RESPONSES = {
    "query_create": "202",
    "query_retrieve": "202",
}
NEWER_STATUS_FIELDS: dict[str, Any] = {
    "error_code": {"type": "string", "nullable": True},
    "bytes_read": {"type": "integer", "nullable": True},
    "budget_remaining_bytes": {"type": "integer", "nullable": True},
    "cache_key": {"type": "string", "nullable": True},
    "query_scan": {"nullable": True},
}
# Operations newer than the document: ``query/{kind}/`` takes query/'s body for one kind [contract
# §14], written from the document's query_create.
NEWER_OPERATIONS = {
    ("/api/projects/{project_id}/query/{kind}/", "post"): (
        "/api/projects/{project_id}/query/",
        "post",
    )
}
# The sandbox's clock is fixed, so a valid file-export interval (at most 7 days, not in the
# future) is a literal.
CLOCK = datetime(2026, 11, 27, 12, tzinfo=UTC)
INTERVAL = {
    "data_interval_start": "2026-11-26T00:00:00Z",
    "data_interval_end": "2026-11-27T00:00:00Z",
}
RUNNABLE = [
    {"kind": "HogQLQuery", "query": "select event, count() from events group by event"},
    {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]},
]
# Body fields given real values in some cases (the interval is set per sandbox in the test).
REAL_FIELDS: dict[str, dict[str, list[Any]]] = {
    "query_create": {"query": RUNNABLE},
    "query_create_kind": {"query": RUNNABLE},
    "query_upgrade_create": {"query": RUNNABLE},
    "file_download_batch_exports_create": {
        "model": ["events", "persons", "sessions"],
        "file": [{"format": "Parquet"}, {"format": "JSONLines", "max_size_mb": None}],
        **{k: [v] for k, v in INTERVAL.items()},
    },
    "file_download_batch_exports_count_rows_create": {
        "model": ["hogql"],
        "hogql_query": ["SELECT event FROM events WHERE timestamp >= {data_interval_start}"],
        **{k: [v] for k, v in INTERVAL.items()},
    },
}
PROJECT = "/api/projects/{project_id}/"
ALIAS = "/api/environments/{project_id}/"
ALIAS_SUFFIX = "_environments"
SUCCESS_CHECKS = [
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
# DELETE last: deleting the seeded rows early would leave the other operations 404s only.
ORDER = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}


@pytest.fixture(scope="module")
def posthog_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own: generated requests change and delete its rows."""
    with Sandbox(stream_delay=0, conversations=20, clock=CLOCK) as sb:
        yield sb


def _ids(sb: Sandbox) -> dict[str, list[Any]]:
    """Real ids for each path parameter, so generated requests reach seeded objects."""
    base = f"{sb.url}/api/projects/{sb.project_id}/"
    with httpx.Client(headers={"Authorization": f"Bearer {sb.api_key}"}, timeout=30) as http:

        def ids(path: str) -> list[str]:
            return [row["id"] for row in http.get(base + path).json()["results"]]

        rows = http.get(base + "batch_exports/").json()["results"]
        hourly = next(row["id"] for row in rows if row["interval"] == "hour")
        backfill = http.post(
            f"{base}batch_exports/{hourly}/backfills/",
            json={"start_at": "2026-01-01T00:00:00Z", "end_at": "2026-01-01T03:00:00Z"},
        ).json()["backfill_id"]
        running = http.post(
            base + "query/",
            json={"query": {"kind": "HogQLQuery", "query": "select 1"}, "refresh": "async"},
        ).json()["query_status"]["id"]
        organization = http.get(f"{sb.url}/api/organizations/@current/").json()["id"]
        file_run = http.post(
            base + "file_download_batch_exports/",
            json={"model": "events", "file": {"format": "Parquet"}, **INTERVAL},
        ).json()["id"]
        conversations = ids("conversations/")[:3]
        queue = http.post(f"{base}conversations/{conversations[0]}/queue/", json={"content": "hi"})
        queued = queue.json()["messages"][0]["id"]
        return {
            "batch_export_id": [hourly],
            "id": [row["id"] for row in rows]
            + ids(f"batch_exports/{hourly}/runs/")[:3]
            + [backfill]
            + ids("customer_profile_configs/"),
            "conversation": conversations,
            "queue_id": [queued],
            "uuid": ["@me"],
            "organization_id": ["@current", organization],
            "kind": ["HogQLQuery", "TrendsQuery", "EventsQuery"],
            "insights/id": ids("insights/"),
            "query/id": [running],
            "file_download_batch_exports/id": [file_run],
            "projects/id": [sb.project_id, "@current"],
            "organizations/id": ["@current", organization],
            "personal_api_keys/id": ["@current"],
        }


@dataclass
class Tally:
    """What the run saw, over all operations."""

    answered: dict[int, int] = field(default_factory=dict)  # by status code
    accepted: dict[str, int] = field(default_factory=dict)  # 2xx by request media type
    failures: dict[str, str] = field(default_factory=dict)  # first of each kind per operation


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_text())
    schemas = document["components"]["schemas"]
    for (component, prop), corrected in CORRECTIONS.items():
        schemas[component]["properties"][prop] = corrected
    for component, values in NEWER_ENUMS.items():
        schemas[component]["enum"] = values
    schemas["QueryStatus"]["properties"].update(NEWER_STATUS_FIELDS)
    paths = document["paths"]
    newer = json.loads(FROM_SOURCE.read_text())
    paths.update(newer["paths"])
    schemas.update(newer["components"]["schemas"])
    for (path, method), (source, source_method) in NEWER_OPERATIONS.items():
        operation = copy.deepcopy(paths[source][source_method])
        operation["operationId"] += "_kind"
        operation["parameters"].append(
            {"in": "path", "name": "kind", "required": True, "schema": {"type": "string"}}
        )
        paths.setdefault(path, {})[method] = operation
    for item in paths.values():
        for operation in item.values():
            name = operation["operationId"].removesuffix("_kind")
            if name in NEWER_RESPONSES:
                operation["responses"][NEWER_RESPONSES[name]] = {
                    "content": {"application/json": {"schema": _status_response()}}
                }
    # The deprecated alias: every GET and query/ again under /api/environments/.
    for path, item in list(paths.items()):
        if not path.startswith(PROJECT):
            continue
        kept = {
            method: {**op, "operationId": op["operationId"] + ALIAS_SUFFIX}
            for method, op in item.items()
            if method == "get" or op["operationId"] == "query_create"
        }
        if kept:
            paths[ALIAS + path.removeprefix(PROJECT)] = kept
    return document


def _status_response() -> dict[str, Any]:
    return {"$ref": "#/components/schemas/QueryStatusResponse"}


def _check(sb: Sandbox, name: str, case: Any, response: Any, tally: Tally) -> None:
    alias = name.endswith(ALIAS_SUFFIX)
    name = name.removesuffix(ALIAS_SUFFIX)
    status = response.status_code
    tally.answered[status] = tally.answered.get(status, 0) + 1
    if status < 300 and case.media_type:
        tally.accepted[case.media_type] = tally.accepted.get(case.media_type, 0) + 1
    text = response.text + str(dict(response.headers))
    found = []
    if status >= 500:
        found.append(f"5xx: {response.text[:300]}")
    if SECRETS in text or sb.api_key in text:
        found.append(f"secret: {text[:300]}")
    if alias and "deprecation" not in {key.lower() for key in response.headers}:
        found.append("the environments alias answered without its Deprecation header")
    if 200 <= status < 300 and name not in NOT_AS_DOCUMENTED:
        try:
            case.validate_response(response, checks=SUCCESS_CHECKS)
        except FailureGroup as group:
            found += [str(failure)[:600] for failure in group.exceptions]
    seen = f"{name} {case.method} {case.formatted_path} -> {status}"
    for failure in found:
        tally.failures.setdefault(f"{name}: {failure.splitlines()[0]}", f"{seen}\n{failure}")


def _real(ids: dict[str, list[Any]], path: str, name: str) -> list[Any]:
    """Real values for a path parameter: those of its collection (``insights/{id}``), else
    those of its name."""
    collection = path.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
    return ids.get(f"{collection}/{name}") or ids[name]


def _run(sb: Sandbox, operation: Any, ids: dict[str, list[Any]], tally: Tally) -> None:
    name = operation.definition.raw["operationId"]
    names = [p.name for p in operation.path_parameters if p.name != "project_id"]
    fields = REAL_FIELDS.get(name.removesuffix(ALIAS_SUFFIX), {})
    headers = {"Authorization": f"Bearer {sb.api_key}"}

    @given(
        case=st.one_of(
            operation.as_strategy(),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        ),
        real=st.fixed_dictionaries(
            {n: st.sampled_from(_real(ids, operation.path, n)) for n in names}
        ),
        real_fields=st.fixed_dictionaries({f: st.sampled_from(v) for f, v in fields.items()}),
        use_real=st.integers(0, 3),
    )
    @settings(
        max_examples=ALIAS_EXAMPLES if name.endswith(ALIAS_SUFFIX) else EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any, real: dict[str, str], real_fields: dict[str, Any], use_real: int) -> None:
        # Mostly seeded objects; one case in four keeps the generated (unknown) ids. A JSON
        # body gets real values in the fields a random one never gets right (a runnable
        # query, an interval of the last day), so the run reaches the 2xx answers too.
        chosen = real if use_real else {}
        case.path_parameters = {**(case.path_parameters or {}), **chosen, "project_id": 1}
        if use_real and isinstance(case.body, dict) and case.media_type == "application/json":
            case.body = {**case.body, **real_fields}
        _check(sb, name, case, case.call(headers=headers), tally)

    run()


def test_sandbox_answers_as_posthogs_published_document(posthog_sandbox: Sandbox) -> None:
    schema = schemathesis.openapi.from_dict(_document())
    schema.config.update(base_url=posthog_sandbox.url)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (ORDER[op.method.lower()], op.path, op.method),
    )
    ids = _ids(posthog_sandbox)
    tally = Tally()
    for operation in operations:
        _run(posthog_sandbox, operation, ids, tally)
    assert not tally.failures, "\n\n".join(tally.failures.values())
    # 49 cut from the document, query/{kind}/, 6 from PostHog's source (file downloads,
    # personal_api_keys/@current) and 21 again under /api/environments/.
    assert len(operations) == 77, len(operations)
    # The run reached real objects, not only 404s, with bodies of all three media types.
    assert sum(n for status, n in tally.answered.items() if status < 300) >= 60, tally.answered
    assert set(tally.accepted) == {"application/json", *FORM_TYPES}, tally.accepted
