"""PostHog's own HogQL parser (PyPI ``hogql-parser``), loaded and cached.

Rules of this module:
1. ``hogql_parser`` (PostHog's C++/ANTLR parser) imports ``posthog.hogql.errors`` when it is
   loaded. When no real ``posthog.hogql`` is importable, a minimal stand-in is put in
   ``sys.modules`` for the duration of that import only and removed afterwards, so a real
   ``posthog`` package (PostHog's analytics SDK is also called ``posthog``) is never shadowed
   and nothing of the stand-in stays visible.
2. ``hogql-parser-rs`` (same JSON, Python >= 3.12) is preferred when it imports.
3. Parsed trees are cached by text: the parser is slower than the rest of a warm query.
   User texts are parsed in a worker process with a time limit (``hogql_parse_worker``).
4. A syntax error is a ``HogQLError`` with PostHog's message, code and offsets.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import threading
import types
from functools import lru_cache
from typing import Any

from . import hogql_parse_worker
from .hogql_errors import HogQLError

_STANDIN = ("posthog", "posthog.hogql", "posthog.hogql.errors")
_ERROR_CLASSES = (
    "BaseHogQLError",
    "ExposedHogQLError",
    "InternalHogQLError",
    "SyntaxError",
    "QueryError",
    "NotImplementedError",
    "ParsingError",
    "ImpossibleASTError",
    "ResolutionError",
)
_lock = threading.Lock()
_parser: Any = None


class _StandInError(Exception):
    """The shape of PostHog's ``BaseHogQLError``: a message and optional offsets."""

    def __init__(
        self,
        message: str,
        *,
        start: int | None = None,
        end: int | None = None,
        node: Any = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.start, self.end, self.fix = start, end, fix


def _standin_modules() -> dict[str, types.ModuleType]:
    errors = types.ModuleType("posthog.hogql.errors")
    for name in _ERROR_CLASSES:
        setattr(errors, name, type(name, (_StandInError,), {}))
    hogql = types.ModuleType("posthog.hogql")
    hogql.__path__ = []
    hogql.errors = errors  # type: ignore[attr-defined]
    modules = {"posthog.hogql": hogql, "posthog.hogql.errors": errors}
    if importlib.util.find_spec("posthog") is None:
        root = types.ModuleType("posthog")
        root.__path__ = []
        root.hogql = hogql  # type: ignore[attr-defined]
        modules["posthog"] = root
    return modules


def _has_real_errors_module() -> bool:
    try:
        importlib.import_module("posthog.hogql.errors")
    except ImportError:
        return False
    return True


def _load() -> Any:
    """Import a HogQL parser; the stand-in errors module lives only during the import."""
    try:  # the Rust build: same JSON, no posthog import needed
        return importlib.import_module("hogql_parser_rs")
    except ImportError:
        pass
    if "hogql_parser" in sys.modules or _has_real_errors_module():
        return importlib.import_module("hogql_parser")
    added = {k: v for k, v in _standin_modules().items() if k not in sys.modules}
    sys.modules.update(added)
    try:
        return importlib.import_module("hogql_parser")
    finally:
        for name in added:
            sys.modules.pop(name, None)


def parser() -> Any:
    """The loaded parser module (imported once, thread-safe)."""
    global _parser
    with _lock:
        if _parser is None:
            try:
                _parser = _load()
            except ImportError:
                raise HogQLError(
                    "The sandbox reads HogQL with PostHog's parser: "
                    "pip install 'envnb[sandbox]' (hogql-parser)",
                    "hogql_query_error",
                ) from None
        return _parser


@lru_cache(maxsize=512)
def _parse_text(text: str) -> str:
    status, answer = hogql_parse_worker.parse_select_json(text)
    if status != "ok":
        raise HogQLError(answer, "hogql_syntax_error")
    return answer


def parse_expr(text: str) -> dict[str, Any]:
    """PostHog's JSON AST of one expression the sandbox wrote itself (e.g. ``{filters}``),
    without offsets: they would point into the sandbox's text, not the user's query (PostHog
    builds these nodes without locations too)."""
    tree = json.loads(str(parser().parse_expr_json(text)))
    if tree.get("error"):
        raise HogQLError(str(tree.get("message")), "hogql_syntax_error")
    return dict(_unlocated(tree))


def _unlocated(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _unlocated(v)
            for k, v in node.items()
            if not (k in ("start", "end") and isinstance(v, dict) and "offset" in v)
        }
    if isinstance(node, list):
        return [_unlocated(v) for v in node]
    return node


def parse_select(text: str) -> dict[str, Any]:
    """PostHog's JSON AST of a SELECT (or UNION), or a ``hogql_syntax_error``."""
    if not text.strip():
        raise HogQLError("Empty query", "hogql_syntax_error")
    try:
        tree = json.loads(_parse_text(text))
    except HogQLError:
        raise
    except Exception as err:  # the C++ parser's own exception classes
        message = getattr(err, "args", ("",))[0] or "Syntax error"
        raise HogQLError(str(message), "hogql_syntax_error") from None
    if tree.get("error"):
        start = (tree.get("start") or {}).get("offset")
        end = (tree.get("end") or {}).get("offset")
        raise HogQLError(str(tree.get("message")), "hogql_syntax_error", start=start, end=end)
    return dict(tree)
