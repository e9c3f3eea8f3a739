"""mypy refuses the mistakes the old ``Any``-typed AsyncClient let through.

``tests/typing/check_clients.py`` (checked in ``make typecheck``) proves the right types are
accepted; this runs mypy on wrong code and asserts each mistake is an error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import envnb

mypy_api = pytest.importorskip("mypy.api")

WRONG = """
import envnb
from envnb.batch_exports.models import BatchExport


async def forgot(ac: envnb.AsyncClient, c: envnb.Client) -> None:
    export: BatchExport = ac.batch_exports.get("e")
    ac.batch_exports.pause("e")
    (await ac.batch_exports.get("e")).nmae
    ac.conversations.lisst()
    for conversation in ac.conversations.list():
        pass
    await c.batch_exports.get("e")
    (await ac.query("SELECT 1")).actors_df(step=1)
"""


def test_mypy_refuses_a_forgotten_await_and_misspelled_names(tmp_path: Path) -> None:
    snippet = tmp_path / "wrong.py"
    snippet.write_text(WRONG, encoding="utf-8")
    src = Path(envnb.__file__).resolve().parent.parent  # the envnb under test, not a copy
    env_before = os.environ.get("MYPYPATH")
    # mypy raises the process's recursion limit and leaves it raised; later tests (JSON
    # nested past the limit) must see the interpreter's own limit, in any order.
    recursion_limit = sys.getrecursionlimit()
    os.environ["MYPYPATH"] = str(src)
    try:
        out, err, status = mypy_api.run(
            [
                str(snippet),
                "--python-version=3.11",
                "--ignore-missing-imports",
                "--show-error-codes",
                "--no-error-summary",
                "--no-incremental",
                f"--cache-dir={tmp_path / 'cache'}",
            ]
        )
    finally:
        sys.setrecursionlimit(recursion_limit)
        if env_before is None:
            del os.environ["MYPYPATH"]
        else:
            os.environ["MYPYPATH"] = env_before
    errors = [line.split(": error: ", 1)[1] for line in out.splitlines() if ": error: " in line]
    assert status == 1, out + err
    assert errors == [
        'Incompatible types in assignment (expression has type "Coroutine[Any, Any, '
        'BatchExport]", variable has type "BatchExport")  [assignment]',
        'Value of type "Coroutine[Any, Any, PauseResult]" must be used  [unused-coroutine]',
        '"BatchExport" has no attribute "nmae"  [attr-defined]',
        '"AsyncConversations" has no attribute "lisst"  [attr-defined]',
        '"AsyncIterator[Conversation]" has no attribute "__iter__"; maybe "__aiter__"? '
        "(not iterable)  [attr-defined]",
        'Incompatible types in "await" (actual type "BatchExport", expected type '
        '"Awaitable[Any]")  [misc]',
        'Value of type "Coroutine[Any, Any, DataFrame]" must be used  [unused-coroutine]',
    ], out
