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
