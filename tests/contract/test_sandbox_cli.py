"""The `envnb sandbox` command: starts, prints what a client needs, serves, persists."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from envnb.sandbox import Sandbox


@contextmanager
def _serve(*args: str) -> Iterator[dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "envnb.cli", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        printed: dict[str, str] = {}
        for line in process.stdout:
            if line.startswith("envnb sandbox serving at http://127.0.0.1:"):
                # Printed only once listening: one connection attempt, no retry, succeeds.
                port = int(line.rsplit(":", 1)[1])
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            if line.startswith("  export "):
                name, _, value = line[len("  export ") :].strip().partition("=")
                printed[name] = value
            if "Ctrl-C" in line:
                break
        assert process.poll() is None, "the sandbox exited"
        yield printed
    finally:
        process.terminate()
        process.wait(10)


def _get(env: dict[str, str], path: str) -> httpx.Response:
    return httpx.get(
        f"{env['POSTHOG_HOST']}/api/environments/{env['POSTHOG_PROJECT_ID']}/{path}",
        headers={"Authorization": f"Bearer {env['POSTHOG_PERSONAL_API_KEY']}"},
    )


def test_cli_prints_url_key_project_and_serves_seeded_data() -> None:
    with _serve("--seed", "2") as env:
        assert env["POSTHOG_HOST"].startswith("http://127.0.0.1:")
        assert env["POSTHOG_PERSONAL_API_KEY"].startswith("phx_")
        page = _get(env, "conversations/").json()
        assert page["count"] == 600 and page["results"][0]["title"]


def test_cli_db_persists_across_restarts(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with _serve("--db", db) as env:
        export = _get(env, "batch_exports/").json()["results"][0]
        response = httpx.patch(
            f"{env['POSTHOG_HOST']}/api/projects/{env['POSTHOG_PROJECT_ID']}/batch_exports/"
            f"{export['id']}/",
            json={"name": "Renamed via CLI"},
            headers={"Authorization": f"Bearer {env['POSTHOG_PERSONAL_API_KEY']}"},
        )
        assert response.status_code == 200
    with _serve("--db", db) as again:
        assert again["POSTHOG_PERSONAL_API_KEY"] == env["POSTHOG_PERSONAL_API_KEY"]
        assert _get(again, f"batch_exports/{export['id']}/").json()["name"] == "Renamed via CLI"


def test_cli_faults() -> None:
    with _serve("--faults", "status=503,route=batch_exports") as env:
        assert _get(env, "batch_exports/").status_code == 503
        assert _get(env, "conversations/").status_code == 200


def test_cli_rejects_a_bad_fault_spec() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "envnb.cli", "sandbox", "--port", "0", "--faults", "boom"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0 and "bad --faults" in result.stderr


def _refused(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envnb.cli", "sandbox", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_refuses_a_second_sandbox_on_the_same_db(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with _serve("--db", db) as env:
        second = _refused("--db", db)
        assert second.returncode == 1 and "Traceback" not in second.stderr
        assert second.stderr.strip() == (
            f"envnb: bad --db: sandbox database {db} is in use by another running sandbox; "
            "stop it, or pass another --db file"
        )
        assert _get(env, "conversations/").status_code == 200  # the first one is untouched


def test_cli_refuses_another_programs_database_and_leaves_it_alone(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    before = db.read_bytes()
    result = _refused("--db", str(db))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"envnb: bad --db: {db} is not an envnb sandbox database (it holds the tables notes); "
        "it was left unchanged — pass a new file name, or a file a sandbox created"
    )
    assert db.read_bytes() == before  # no tables added, not switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


def test_cli_names_the_file_of_every_database_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    missing = tmp_path / "no-such-folder" / "state.db"
    not_sqlite = "the file is not an SQLite database, or it is corrupt"
    cases = {
        str(corrupt): f"sandbox database {corrupt}: {not_sqlite}",
        str(text): f"sandbox database {text}: {not_sqlite}",
        str(missing): f"sandbox database {missing}: the folder {missing.parent} does not exist",
    }
    for db, message in cases.items():
        result = _refused("--db", db)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"envnb: bad --db: {message}"), result.stderr


def test_cli_port_in_use_is_one_clear_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _refused("--port", str(port))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"envnb: cannot listen on 127.0.0.1:{port}: Address already in use; pick another "
        "--port (0: any free port) or a local --host such as 127.0.0.1"
    )


def test_cli_out_of_range_port_and_negative_counts_are_usage_errors() -> None:
    for args, words in (
        (
            ("--port", "99999"),
            "argument --port: '99999' is not a port; use 0 (any free port) to 65535",
        ),
        (("--port", "-1"), "argument --port: '-1' is not a port"),
        (("--conversations", "-5"), "argument --conversations: '-5' is not a count"),
        (("--batch-exports", "x"), "argument --batch-exports: 'x' is not a count"),
    ):
        result = _refused(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert words in result.stderr, result.stderr


def test_cli_interval_lists_and_backfill_pace_are_one_line_or_accepted() -> None:
    for args, words in (
        (("--backfill-pace", "nan"), "argument --backfill-pace: 'nan' is not a number of seconds"),
        (("--backfill-pace", "inf"), "argument --backfill-pace: 'inf' is not a number of seconds"),
        (("--backfill-pace", "-1"), "argument --backfill-pace: '-1' is not a number of seconds"),
        (("--stream-delay", "nan"), "argument --stream-delay: 'nan' is not a number of seconds"),
        (
            ("--intervals", "hour, fortnight"),
            "argument --intervals: 'fortnight' is not an interval",
        ),
        (("--intervals", " , "), "argument --intervals: no interval given"),
    ):
        result = _refused(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert words in result.stderr, result.stderr


def test_sandbox_refuses_what_the_cli_refuses() -> None:
    for kwargs, words in (
        ({"backfill_pace": float("nan")}, "Sandbox(backfill_pace=...): nan is not a number of"),
        ({"backfill_pace": -0.5}, "Sandbox(backfill_pace=...): -0.5 is not a number of seconds"),
        ({"export_intervals": ("hour", "fortnight")}, "'fortnight' is not an interval"),
    ):
        with pytest.raises(ValueError, match=re.escape(words)):
            Sandbox(**kwargs)


def test_spaces_in_an_interval_list_are_accepted() -> None:
    with Sandbox(export_intervals=("hour", " day", "every 5 minutes ")) as sb:
        intervals = [e["interval"] for e in _exports(sb)]
    assert intervals[:3] == ["hour", "day", "every 5 minutes"]


def _exports(sb: Sandbox) -> list[dict[str, str]]:
    url = f"{sb.url}/api/projects/{sb.project_id}/batch_exports/?limit=100"
    resp = httpx.get(url, headers={"Authorization": f"Bearer {sb.api_key}"}, timeout=10)
    return sorted(resp.json()["results"], key=lambda e: e["created_at"])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("status=999", "status=999 is not an HTTP error status; use 400 to 599"),
        ("status=200", "status=200 is not an HTTP error status; use 400 to 599"),
        ("html=42", "html=42 is not an HTTP status an HTML page can carry; use 200 to 599"),
        ("latency=nan", "latency=nan is not a number of seconds >= 0"),
        ("latency=-1", "latency=-1.0 is not a number of seconds >= 0"),
        ("status=503,times=0", "times=0 is not a number of requests >= 1"),
        ("status=429,retry_after=-5", "retry_after=-5 is not a number of seconds >= 0"),
    ],
)
def test_cli_refuses_a_fault_number_http_cannot_carry_in_one_line(spec: str, message: str) -> None:
    # status=999 used to start, then answer every request with a status line no client reads.
    result = _refused("--faults", spec)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"envnb: bad --faults: fault rule: {message}"
    with pytest.raises(ValueError, match=re.escape(message)):
        Sandbox(faults=spec)


def test_cli_on_all_interfaces_prints_a_url_a_client_can_open() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "envnb.cli", "sandbox", "--port", "0", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C" in line:
                break
        first = re.fullmatch(r"envnb sandbox serving at http://127\.0\.0\.1:(\d+)", lines[0])
        assert first, lines  # not http://0.0.0.0:PORT, which browsers refuse to open
        port = first.group(1)
        assert lines[1] == (
            f"  listening on all interfaces (--host 0.0.0.0); from another machine use "
            f"http://{socket.gethostname()}:{port} or this machine's IP address"
        )
        assert f"  export POSTHOG_HOST=http://127.0.0.1:{port}" in lines
        assert httpx.get(f"http://127.0.0.1:{port}/api/schema/", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(10)
