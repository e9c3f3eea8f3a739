"""docs/sandbox.md lists every function the HogQL engine runs (generated from its table)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from envnb.sandbox.query.hogql_functions import known_names

ROOT = Path(__file__).resolve().parents[2]


def _script() -> object:
    spec = importlib.util.spec_from_file_location(
        "hogql_functions_doc", ROOT / "scripts" / "hogql_functions_doc.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_list_every_function_of_the_table() -> None:
    text = (ROOT / "docs" / "sandbox.md").read_text()
    listed = text.split("<!-- hogql-functions -->")[1].split("<!-- /hogql-functions -->")[0]
    missing = [n for n in known_names() if not n.startswith("_") and f"`{n}`" not in listed]
    assert missing == []
    assert len(known_names()) >= 150


def test_the_block_is_what_the_script_writes() -> None:
    script = _script()
    text = (ROOT / "docs" / "sandbox.md").read_text()
    assert script.render(text) == text  # type: ignore[attr-defined]
