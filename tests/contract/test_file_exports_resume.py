"""A download killed mid-file resumes: finished runs reused, the unfinished one fetched again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from envnb.errors import FileExportError
from envnb.file_exports import rules
from envnb.sandbox import Sandbox

pytestmark = pytest.mark.timeout(120)

CLOCK = datetime(2026, 11, 27, tzinfo=UTC)
RANGE = ("2026-11-13T00:00:00Z", "2026-11-27T00:00:00Z")  # two runs of seven days
FIRST = "events_20261113T000000Z-20261120T000000Z_0000.parquet"
FIRST_KEY = "20261113T000000Z-20261120T000000Z"
SECOND = "events_20261120T000000Z-20261127T000000Z_0000.parquet"

SCRIPT = textwrap.dedent(
    """
    import sys
    import envnb
    client = envnb.Client()
    client.file_exports.download("events", sys.argv[1], sys.argv[2], folder=sys.argv[3])
    """
)


def test_a_killed_download_resumes(tmp_path: Path) -> None:
    with Sandbox(seed=0, clock=CLOCK, conversations=5) as sb:
        backend = sb.file_exports
        backend.start_delay = backend.duration = 0.0
        backend.stall_request, backend.stall_bytes = 2, 4096  # the second file hangs mid-way
        env = {**os.environ, **sb.env()}
        child = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, *RANGE, str(tmp_path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert backend.stalled.wait(90), "the second file was never requested"
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        finally:
            child.kill()
            backend.release.set()
        backend.stall_request = None

        # Killed mid-file: the first run is landed and listed, the second only partial.
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        assert list(manifest["runs"]) == ["20261113T000000Z-20261120T000000Z"]
        assert sorted(p.name for p in tmp_path.glob("*.parquet")) == [FIRST]
        # The server had sent 4096 bytes of the second file; whatever of them reached the
        # disk is under .partial/, never under the file's own name.
        partial = tmp_path / ".partial" / SECOND
        assert not partial.exists() or partial.stat().st_size <= 4096

        client = sb.client()
        dl = client.file_exports.download("events", *RANGE, folder=tmp_path)
        client.close()
        assert [p.name for p in dl.files] == [FIRST, SECOND]
        dl.verify()
        # Two runs started by the killed download, one more for the unfinished span only.
        assert sb.stats()["writes"]["file_export.create"] == 3
        assert not (tmp_path / ".partial").exists()

        # One of those weeks again: reused from the manifest, and only its file is the answer.
        again = sb.client()
        week = again.file_exports.download("events", "2026-11-20", "2026-11-27", folder=tmp_path)
        again.close()
        assert [p.name for p in week.files] == [SECOND]
        assert week.records == dl.records - manifest["runs"][FIRST_KEY]["records_completed"]
        assert sb.stats()["writes"]["file_export.create"] == 3


def _client_clock(monkeypatch: pytest.MonkeyPatch, at: datetime) -> list[datetime]:
    """The client's clock reads ``at`` until the test sets ``clock[0]`` (the sandbox keeps
    its own clock)."""
    clock = [at]
    monkeypatch.setattr(rules, "now_utc", lambda: clock[0])
    return clock


def test_a_relative_download_repeated_minutes_later_reuses_its_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 00:10:30, then 00:47:05: another minute, the same hour.
    clock = _client_clock(monkeypatch, CLOCK.replace(minute=10, second=30))
    with Sandbox(seed=0, clock=CLOCK, conversations=5) as sb:
        sb.file_exports.start_delay = sb.file_exports.duration = 0.0
        client = sb.client()
        try:
            first = client.file_exports.download("events", "-7d", "now", folder=tmp_path)
            clock[0] = CLOCK.replace(minute=47, second=5)
            again = client.file_exports.download("events", "-7d", "now", folder=tmp_path)
        finally:
            client.close()
        assert sb.stats()["writes"]["file_export.create"] == 1  # the second one reused it
    assert (
        [p.name for p in again.files]
        == [p.name for p in first.files]
        == ["events_20261120T000000Z-20261127T000000Z_0000.parquet"]
    )
    assert again.records == first.records > 0


def test_an_interrupted_relative_download_resumes_its_window_in_a_later_hour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Started at 00:10 and failed; asked again at 01:20, when "-8d" → "now" means another hour.
    clock = _client_clock(monkeypatch, CLOCK.replace(minute=10))
    with Sandbox(seed=0, clock=CLOCK, conversations=5) as sb:
        sb.file_exports.start_delay = sb.file_exports.duration = 0.0
        sb.file_exports.fail_runs = 1
        client = sb.client()
        try:
            with pytest.raises(FileExportError, match="ended Failed"):
                client.file_exports.download("events", "-8d", "now", folder=tmp_path)
            manifest = json.loads((tmp_path / "manifest.json").read_text())
            assert manifest["windows"] == {
                "-8d → now": ["2026-11-19T00:00:00+00:00", "2026-11-27T00:00:00+00:00"]
            }
            clock[0] = CLOCK.replace(hour=1, minute=20)
            dl = client.file_exports.download("events", "-8d", "now", folder=tmp_path)
        finally:
            client.close()
    assert [p.name for p in dl.files] == [
        "events_20261119T000000Z-20261126T000000Z_0000.parquet",
        "events_20261126T000000Z-20261127T000000Z_0000.parquet",
    ]
    dl.verify()


DISK_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    import envnb
    from envnb.errors import FileExportError
    # A file-size limit: the kernel refuses the write past it (EFBIG), as a full disk would
    # (ENOSPC); Python ignores SIGXFSZ, so the write fails instead of killing the process.
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[4]), int(sys.argv[4])))
    client = envnb.Client()
    try:
        client.file_exports.download("events", sys.argv[1], sys.argv[2], folder=sys.argv[3])
    except FileExportError as exc:
        print(exc)
        sys.exit(3)
    """
)


def test_a_full_disk_is_a_clear_error_and_leaves_no_file_that_looks_complete(
    tmp_path: Path,
) -> None:
    with Sandbox(seed=0, clock=CLOCK, conversations=5) as sb:
        sb.file_exports.start_delay = sb.file_exports.duration = 0.0
        env = {**os.environ, **sb.env()}
        done = subprocess.run(
            [sys.executable, "-c", DISK_SCRIPT, *RANGE, str(tmp_path), str(64 * 1024)],
            env=env,
            capture_output=True,
            text=True,
            timeout=100,
        )
        # The two files the sandbox wrote, by run start: the first one that did not fit.
        runs = sorted(sb.file_exports.runs.values(), key=lambda run: run.start)
        size = runs[0].files[0][1].stat().st_size
        assert size > 64 * 1024
        assert done.returncode == 3, done.stderr[-2000:]
        message = done.stdout
        assert f"{tmp_path}: no room to write file 0 of run " in message
        assert f"it needs {size:,} bytes" in message
        assert "File too large" in message
        assert "Traceback" not in done.stderr
        # Nothing with a final name, no manifest entry, no piece of the file left.
        assert not list(tmp_path.glob("*.parquet"))
        assert json.loads((tmp_path / "manifest.json").read_text())["runs"] == {}
        assert not list(tmp_path.glob(".partial/*"))

        # Room again: the same call lands everything.
        client = sb.client()
        try:
            dl = client.file_exports.download("events", *RANGE, folder=tmp_path)
        finally:
            client.close()
    assert [p.name for p in dl.files] == [FIRST, SECOND]
    dl.verify()
