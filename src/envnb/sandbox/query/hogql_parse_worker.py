"""PostHog's HogQL parser in a worker process, with a time limit.

Why: the parser (ANTLR's adaptive prediction in C++) takes time that grows steeply and
erratically with nesting — measured here: ``SELECT ((…(1)…))`` 200 deep 56 s, and in a
process that had parsed ``abs(abs(…))`` 2 to 7 deep, 8 deep took 59 s — and holds the GIL
while it runs, so in-process one such query froze every other request of the sandbox.
Rules:
1. One worker per process (``python -m`` this module: no ``__main__`` of the caller is
   re-run, unlike multiprocessing's spawn), started on first use; one JSON line each way.
2. A parse that outlasts ``PARSE_SECONDS`` is refused (``HogQLError``) and the worker is
   killed; the next parse starts a fresh one (which also drops the parser's grown caches).
3. One exchange at a time (a lock); a reader thread makes the wait portable (no select()).
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import IO

from .hogql_errors import HogQLError

_CHILD = "envnb.sandbox.query.hogql_parse_child"  # never imported here: runpy would warn
PARSE_SECONDS = 10.0  # PostHog's query time limit; no real query takes a tenth of it
START_SECONDS = 120.0  # a cold interpreter on a loaded CI machine
_lock = threading.Lock()


class _Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="surrogatepass",
        )
        self.lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        try:  # starting Python and loading the parser is not part of any query's time
            self.lines.get(timeout=START_SECONDS)
        except queue.Empty:
            self.stop()
            raise HogQLError(
                "The sandbox's HogQL parser did not start", "hogql_query_error"
            ) from None

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put("")  # the worker ended

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


_worker: _Worker | None = None


def parse_select_json(text: str) -> tuple[str, str]:
    """("ok", the parser's JSON) or ("error", its message); HogQLError past the limit."""
    global _worker
    with _lock:
        if _worker is None or _worker.process.poll() is not None:
            _worker = _Worker()
        worker = _worker
        try:
            assert worker.process.stdin is not None
            worker.process.stdin.write(json.dumps(text) + "\n")
            worker.process.stdin.flush()
            line = worker.lines.get(timeout=PARSE_SECONDS)
        except queue.Empty:
            worker.stop()
            _worker = None
            raise HogQLError(
                f"The query could not be parsed within {PARSE_SECONDS:g} s: PostHog's parser "
                "slows down steeply with deeply nested brackets and calls; flatten the "
                "expression (e.g. drop redundant parentheses)",
                "hogql_syntax_error",
            ) from None
        except OSError:
            line = ""
        if not line:  # the worker died (e.g. the parser crashed on this text)
            worker.stop()
            _worker = None
            return "error", "The query could not be parsed"
        status, answer = json.loads(line)
        return str(status), str(answer)
