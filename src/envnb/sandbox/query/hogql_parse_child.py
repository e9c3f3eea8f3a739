"""The worker process of ``hogql_parse_worker``: reads JSON texts, answers JSON lines."""

from __future__ import annotations

import json
import signal
import sys
from typing import Any


def serve() -> None:
    # A notebook's Interrupt (and Ctrl-C) reaches the kernel's whole process group: the
    # worker died of it with a KeyboardInterrupt traceback in the terminal. The parent
    # decides when a parse ends (its time limit kills the worker); the worker ends when its
    # stdin closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .hogql_parse import parser

    loaded: Any = None
    try:
        loaded = parser()
    finally:
        sys.stdout.write(json.dumps(["ready", ""]) + "\n")  # the parse limit starts now
        sys.stdout.flush()
    for line in sys.stdin:
        text = json.loads(line)
        try:
            loaded = loaded or parser()
            answer = ["ok", str(loaded.parse_select_json(text))]
        except Exception as err:  # the C++ parser's own exception classes, a missing parser
            answer = ["error", str(getattr(err, "args", ("",))[0] or "Syntax error")]
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
