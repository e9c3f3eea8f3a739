"""The sandbox's product folders keep moto's split (docs/INTERFACES.md, "Sandbox layout"):
``routes*.py`` is HTTP only (parse, call the backend, serialise) and holds no SQL; a
``backend*.py`` or ``seed*.py`` is state and rules and never imports Starlette."""

from __future__ import annotations

import re
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[2] / "src" / "envnb" / "sandbox"
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.I)
# Known, not yet moved to their backend (named so the list is short and visible).
SQL_IN_ROUTES_FOR_NOW = {"integrations/routes.py"}


def layer_breaks(root: Path) -> list[str]:
    """``file: what`` for each routes file with SQL and each backend/seed file on Starlette."""
    out = []
    for path in sorted(root.glob("*/*.py")):
        name, text = path.relative_to(root).as_posix(), path.read_text()
        stem = path.stem
        http = stem == "routes" or stem.endswith("_routes")
        if http and SQL.search(text) and name not in SQL_IN_ROUTES_FOR_NOW:
            out.append(f"{name}: SQL in an HTTP module (move it to the backend)")
        if stem.startswith(("backend", "seed")) and "starlette" in text:
            out.append(f"{name}: Starlette in a backend or seed module")
    return out


def test_routes_hold_no_sql_and_backends_no_starlette() -> None:
    assert layer_breaks(SANDBOX) == []


def test_the_check_sees_both_breaks(tmp_path: Path) -> None:
    (tmp_path / "things").mkdir()
    (tmp_path / "things" / "routes.py").write_text('rows = read("SELECT * FROM things")\n')
    (tmp_path / "things" / "backend.py").write_text("from starlette.responses import Response\n")
    (tmp_path / "things" / "urls.py").write_text('SUMMARY = "select one from the list"\n')
    assert layer_breaks(tmp_path) == [
        "things/backend.py: Starlette in a backend or seed module",
        "things/routes.py: SQL in an HTTP module (move it to the backend)",
    ]
