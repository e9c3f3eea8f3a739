"""PostHog's parser (hogql-parser) imports ``posthog.hogql.errors`` when loaded: the sandbox
gives it a stand-in for that import only. Each check runs in a fresh interpreter (a compiled
module loads once per process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from envnb.sandbox.query.hogql_parse import parse_select, parser
from envnb.sandbox.query.hogql_errors import HogQLError
parser()  # loaded here too (user texts are parsed in a worker process, the sandbox's own here)
tree = parse_select("select 1")
assert tree["node"] == "SelectQuery", tree
try:
    parse_select("select (")
except HogQLError as err:
    assert err.code == "hogql_syntax_error" and err.start == 8, (err.code, err.start)
else:
    raise AssertionError("no syntax error")
print(sorted(name for name in sys.modules if name == "posthog" or name.startswith("posthog.")))
"""


def _run(extra_path: str | None = None) -> str:
    env_path = [p for p in sys.path if p]
    if extra_path:
        env_path.insert(0, extra_path)
    code = f"import sys; sys.path[:0] = {env_path!r}\n" + CHECK
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_stand_in_is_gone_after_the_import() -> None:
    assert _run() == "[]"


def test_a_real_posthog_package_is_not_shadowed(tmp_path: Path) -> None:
    package = tmp_path / "posthog"
    package.mkdir()
    (package / "__init__.py").write_text("REAL = True\n")
    code = _run(str(tmp_path))
    # The real package was imported (it is the parent of the stand-in submodules) and stays;
    # the stand-in submodules are removed again.
    assert code == "['posthog']"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path)!r});"
            "from envnb.sandbox.query.hogql_parse import parser; parser();"
            "import posthog; print(posthog.REAL, hasattr(posthog, 'hogql'))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip() == "True False", done.stderr
