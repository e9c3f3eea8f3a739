"""PostHog's own CLI against the sandbox: what nobody here wrote, run as a user would.

`@posthog/cli` (npm) ships its agent API tools as ``lib/posthog-api-cli.mjs``, run by node:
``posthog-cli api call [--json] [--confirm] <tool> '<json>'``, configured by ``POSTHOG_HOST``,
``POSTHOG_API_KEY`` and ``POSTHOG_PROJECT_ID``. Before each tool it reads the caller's
identity (``personal_api_keys/@current``, ``users/@me``, ``organizations/{id}/``,
``projects/{id}/``) and logs any look-up that fails to stderr, so a clean stderr here also
says the sandbox serves those.

`make posthog-cli` installs the version below into ``.cache/posthog-cli`` (``.ci/run`` does);
without node or the package these tests skip. Each call starts node on a 180,000-line bundle
(2-7 s on a loaded machine), so the tests are few and each checks a lot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from envnb.errors import NotFoundError
from envnb.sandbox import Sandbox

CLI_VERSION = "0.18.3"  # the version `make posthog-cli` pins and these tests were written for
ROOT = Path(__file__).resolve().parents[2]
CLI = Path(
    os.environ.get("ENVNB_POSTHOG_CLI")
    or ROOT / ".cache/posthog-cli/node_modules/@posthog/cli/lib/posthog-api-cli.mjs"
)
NODE = shutil.which("node")
CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)  # on D of the tiny population (docs/sandbox.md)


def _why_skip() -> str | None:
    if NODE is None:
        return "node is not installed (`make posthog-cli` installs nodejs and PostHog's CLI)"
    if not CLI.is_file():
        return f"PostHog's CLI is not installed at {CLI} (run `make posthog-cli`)"
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=False)
    major = re.match(r"v(\d+)", version.stdout)
    if major is None or int(major[1]) < 18:
        return f"PostHog's CLI needs node >= 18 (global fetch); found {version.stdout.strip()!r}"
    return None


pytestmark = pytest.mark.skipif(_why_skip() is not None, reason=_why_skip() or "")


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.code == 0, f"exit {self.code}: {self.stderr}"
        return json.loads(self.stdout)


@dataclass
class PostHogCLI:
    sb: Sandbox
    home: Path

    def call(self, tool: str, args: dict[str, Any], *flags: str) -> Ran:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.home),  # no ~/.posthog credentials of whoever runs the tests
            "NODE_NO_WARNINGS": "1",  # node 18 warns that fetch is experimental
            "POSTHOG_HOST": self.sb.url,
            "POSTHOG_API_KEY": self.sb.api_key,
            "POSTHOG_PROJECT_ID": str(self.sb.project_id),
        }  # and no POSTHOG_ANALYTICS_*: the CLI's own usage analytics stay off
        command = [str(NODE), str(CLI), "call", "--json", *flags, tool, json.dumps(args)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[PostHogCLI]:
    with Sandbox(batch_exports=3, conversations=2, events="tiny", clock=CLOCK) as sb:
        yield PostHogCLI(sb, tmp_path)


def _reference(text: str, tag: str) -> Any:
    """The JSON inside the CLI's "informational only" boundary (user-written titles and
    messages come back wrapped so an agent does not follow instructions inside them)."""
    found = re.search(rf"<{tag} [^>]*>\n(.*)\n</{tag}>", text, re.S)
    assert found is not None, text
    return json.loads(found[1])


def test_batch_exports_list_and_get(cli: PostHogCLI) -> None:
    client = cli.sb.client()
    listed = cli.call("batch-exports-list", {"limit": 100})
    assert listed.stderr == ""
    page = listed.json()
    assert page["count"] == 3
    names = [e["name"] for e in page["results"]]
    assert names == ["BigQuery events", "Warehouse sync", "Events archive"]
    assert [e["id"] for e in page["results"]] == [e.id for e in client.batch_exports.list()]
    export_id = page["results"][0]["id"]
    got = cli.call("batch-export-get", {"id": export_id})
    assert got.stderr == ""
    body = got.json()
    assert (body["id"], body["name"], body["destination"]["type"]) == (
        export_id,
        "BigQuery events",
        "BigQuery",
    )
    assert body["latest_runs"], "the get tool shows the export's latest runs"


def test_batch_export_create_awss3_with_an_integration(cli: PostHogCLI) -> None:
    # The CLI's create schema requires integration_id on every typed destination; it finds
    # one with integrations-list, as its description tells an agent to.
    integrations = cli.call("integrations-list", {}).json()
    aws = [i for i in integrations["results"] if i["kind"] == "aws-s3"]
    assert aws, integrations
    created = cli.call(
        "batch-export-create",
        {
            "name": "Made by PostHog's CLI",
            "model": "events",
            "interval": "hour",
            "destination": {
                "type": "AwsS3",
                "integration_id": aws[0]["id"],
                "config": {"bucket_name": "cli-bucket", "region": "eu-west-1", "prefix": "cli/"},
            },
        },
    )
    assert created.stderr == ""
    body = created.json()
    export = cli.sb.client().batch_exports.get(body["id"])
    assert (export.name, export.destination.type) == ("Made by PostHog's CLI", "AwsS3")
    assert export.destination.config["bucket_name"] == "cli-bucket"


def test_batch_export_update(cli: PostHogCLI) -> None:
    client = cli.sb.client()
    export = list(client.batch_exports.list())[1]
    assert (export.name, export.paused) == ("Warehouse sync", False)
    updated = cli.call("batch-export-update", {"id": export.id, "name": "Renamed", "paused": True})
    assert updated.stderr == ""
    assert (updated.json()["name"], updated.json()["paused"]) == ("Renamed", True)
    after = client.batch_exports.get(export.id)
    assert (after.name, after.paused) == ("Renamed", True)


def test_batch_export_delete_needs_confirm_then_deletes(cli: PostHogCLI) -> None:
    client = cli.sb.client()
    export_id = list(client.batch_exports.list())[2].id
    refused = cli.call("batch-export-delete", {"id": export_id})
    assert refused.code == 1
    assert refused.stderr.startswith('Error: Tool "batch-export-delete" is destructive.')
    assert client.batch_exports.get(export_id).id == export_id  # nothing was sent
    deleted = cli.call("batch-export-delete", {"id": export_id}, "--confirm")
    assert (deleted.code, deleted.stderr, deleted.json()) == (0, "", {})
    with pytest.raises(NotFoundError):
        client.batch_exports.get(export_id)
    assert [e.name for e in client.batch_exports.list()] == ["BigQuery events", "Warehouse sync"]


def test_conversations_list_and_retrieve(cli: PostHogCLI) -> None:
    client = cli.sb.client()
    listed = cli.call("conversations-list", {"limit": 10})
    assert listed.stderr == ""
    page = _reference(listed.json()["content"], "conversation-reference")
    assert page["count"] == 2
    assert [c["id"] for c in page["results"]] == [c.id for c in client.conversations.list()]
    first = page["results"][0]
    got = cli.call("conversations-retrieve", {"conversation": first["id"]})
    assert got.stderr == ""
    thread = _reference(got.json()["content"], "conversation-reference")
    expected = client.conversations.get(first["id"])
    assert (thread["id"], thread["title"]) == (first["id"], first["title"])
    assert [m["id"] for m in thread["messages"]] == [m.id for m in expected.messages]
    assert thread["messages"][0]["type"] == "human"


def test_query_trends(cli: PostHogCLI) -> None:
    # The tiny population's $pageviews from D-7 (2026-02-23) to D, counted by hand from its
    # table in docs/sandbox.md: D-7 Dan 08:00, 08:02 and Alice 15:00; D-2 Bob; D-1 Bob and
    # Carol; D Alice at midnight and Bob at the clock.
    query = {"series": [{"kind": "EventsNode", "event": "$pageview"}]}
    ran = cli.call("query-trends", {**query, "dateRange": {"date_from": "-7d"}})
    assert ran.stderr == ""
    (series,) = ran.json()["results"]
    assert series["days"] == [
        "2026-02-23", "2026-02-24", "2026-02-25", "2026-02-26",
        "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02",
    ]  # fmt: skip
    assert series["data"] == [3, 0, 0, 0, 0, 1, 2, 2]
    assert series["count"] == 8
