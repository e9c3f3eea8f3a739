"""Code outside ``envnb.widgets`` uses the panels' public kit (``envnb.widgets.kit``), never
their private modules: the kit is the one seam, so a widget module can move or split freely."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "envnb"


def private_widget_imports(root: Path) -> list[str]:
    """``file: module`` for every import of a ``widgets._private`` module outside widgets/."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "widgets" in path.relative_to(root).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            private = [n for n in names if _private(n)]
            if private:  # one line per import statement
                found.append(f"{path.relative_to(root)}: {private[0]}")
    return found


def _private(name: str) -> bool:
    parts = name.split(".")
    at = parts.index("widgets") if "widgets" in parts else len(parts)
    return at + 1 < len(parts) and parts[at + 1].startswith("_")


def test_nothing_outside_widgets_imports_a_private_widget_module() -> None:
    assert private_widget_imports(SRC) == []


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    (tmp_path / "magics.py").write_text("from .widgets._chat_asks import decide_hint\n")
    (tmp_path / "results.py").write_text("def f():\n    from ..widgets import _charts\n")
    (tmp_path / "ok.py").write_text("from .widgets.kit import decide_hint\n")
    (tmp_path / "widgets").mkdir()
    (tmp_path / "widgets" / "chat.py").write_text("from ._chat_asks import decide_hint\n")
    assert private_widget_imports(tmp_path) == [
        "magics.py: widgets._chat_asks",
        "results.py: widgets._charts",
    ]
