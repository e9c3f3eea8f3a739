"""binder/start launches the sandbox, exports the three variables, then runs the command."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START = REPO / "binder" / "start"
VARS = ("POSTHOG_HOST", "POSTHOG_PERSONAL_API_KEY", "POSTHOG_PROJECT_ID")

# The "trivial command": report the variables it was given and what the sandbox answered.
PROBE = """
import json, os, httpx
env = {k: os.environ.get(k) for k in
       ("POSTHOG_HOST", "POSTHOG_PERSONAL_API_KEY", "POSTHOG_PROJECT_ID")}
url = f"{env['POSTHOG_HOST']}/api/projects/{env['POSTHOG_PROJECT_ID']}/batch_exports/"
r = httpx.get(url, headers={"Authorization": f"Bearer {env['POSTHOG_PERSONAL_API_KEY']}"})
print(json.dumps({"env": env, "status": r.status_code, "count": r.json().get("count")}))
"""


def _run(env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess[str]:
    """Run binder/start in its own process group and end that group (the sandbox) after."""
    proc = subprocess.Popen(
        [str(START), *cmd],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=90)
    finally:
        # The sandbox outlives the exec'd command by design (on Binder it lives with the
        # container); here it is ours to stop.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}
    env["ENVNB_PYTHON"] = sys.executable
    return env


def test_start_launches_sandbox_and_exports_variables() -> None:
    """Without POSTHOG_* set, the command sees the sandbox's variables and the sandbox answers."""
    result = _run(_base_env(), sys.executable, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    env = report["env"]
    assert env["POSTHOG_HOST"].startswith("http://127.0.0.1:")
    assert env["POSTHOG_PERSONAL_API_KEY"].startswith("phx_")
    assert env["POSTHOG_PROJECT_ID"].isdigit()
    assert report["status"] == 200
    assert report["count"] > 0
    assert "envnb sandbox at" in result.stderr


def test_start_leaves_real_posthog_settings_alone() -> None:
    """With POSTHOG_* set, no sandbox starts and the command gets the variables unchanged."""
    env = _base_env() | {
        "POSTHOG_HOST": "https://eu.posthog.com",
        "POSTHOG_PERSONAL_API_KEY": "phx_from_the_user",
        "POSTHOG_PROJECT_ID": "4242",
    }
    code = f"import os; print(','.join(os.environ[k] for k in {VARS!r}))"
    result = _run(env, sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://eu.posthog.com,phx_from_the_user,4242"
    assert "no sandbox" in result.stderr


def test_binder_badge_substitution_is_one_documented_command(tmp_path: Path) -> None:
    """The sed line in docs/notebooks.md points every Binder link at the published repo."""
    import re
    import shutil

    docs = (REPO / "docs" / "notebooks.md").read_text()
    command = re.search(r"^sed -i '(s#[^']+)' README\.md docs/notebooks\.md$", docs, re.M)
    assert command is not None
    for name in ("README.md", "docs/notebooks.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    subprocess.run(
        ["sed", "-i", command.group(1), "README.md", "docs/notebooks.md"], cwd=tmp_path, check=True
    )
    for name in ("README.md", "docs/notebooks.md"):
        links = re.findall(r"https://mybinder\.org/v2/gh/[^)\s]+", (tmp_path / name).read_text())
        assert links, name
        for link in links:
            assert link == (
                "https://mybinder.org/v2/gh/your-org/envnb/HEAD"
                "?urlpath=lab/tree/notebooks/01-quickstart.ipynb"
            )


def test_start_stops_its_sandbox_and_removes_its_folder_when_the_command_exits(
    tmp_path: Path,
) -> None:
    """After the command ends, the sandbox no longer answers and its temp folder is gone."""
    import re

    import httpx

    env = _base_env() | {"TMPDIR": str(tmp_path)}
    probe = "import os; print(os.environ['POSTHOG_HOST'])"
    result = _run(env, sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    host = result.stdout.strip().splitlines()[-1]
    found = re.search(r"\(pid (\d+), log (\S+)\)", result.stderr)
    assert found is not None, result.stderr
    pid, log = int(found.group(1)), Path(found.group(2))
    assert log.parent.parent == tmp_path
    assert not log.parent.exists() and list(tmp_path.iterdir()) == []
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"the sandbox (pid {pid}) is still running")
    try:
        httpx.get(f"{host}/api/schema/", timeout=2)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError(f"something still answers at {host}")


def test_start_passes_the_command_exit_status_and_still_cleans_up(tmp_path: Path) -> None:
    env = _base_env() | {"TMPDIR": str(tmp_path)}
    result = _run(env, sys.executable, "-c", "raise SystemExit(7)")
    assert result.returncode == 7, result.stderr
    assert list(tmp_path.iterdir()) == []
