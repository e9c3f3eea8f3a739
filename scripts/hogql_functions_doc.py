"""Write the HogQL function list of docs/sandbox.md from the engine's function table.

    .venv/bin/python scripts/hogql_functions_doc.py          # rewrite the block
    .venv/bin/python scripts/hogql_functions_doc.py --check  # exit 1 when it is stale

The block sits between ``<!-- hogql-functions -->`` and ``<!-- /hogql-functions -->``;
tests/unit/test_hogql_docs.py runs ``--check``'s logic.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from envnb.sandbox.query.hogql_functions import known_names

DOC = Path(__file__).resolve().parent.parent / "docs" / "sandbox.md"
START, END = "<!-- hogql-functions -->", "<!-- /hogql-functions -->"


def block() -> str:
    """The generated list: every function name the engine runs, in backticks."""
    names = [n for n in known_names() if not n.startswith("_")]
    return START + "\n" + ", ".join(f"`{n}`" for n in names) + "\n" + END


def render(text: str) -> str:
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block(), text, flags=re.S)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    check = parser.parse_args().check
    text = DOC.read_text()
    fresh = render(text)
    if check:
        return 0 if fresh == text else 1
    DOC.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
