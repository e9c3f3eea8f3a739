"""The fault matrix as data: every sandbox fault × every kind of call, with what envnb must do.

``test_fault_matrix.py`` runs each row against a sandbox; ``docs/reliability.md`` holds the
same rows as a table rendered by :func:`render_table` (``python -m tests.reliability.fault_cases``
rewrites it; ``test_matrix_doc.py`` fails when the two differ).
"""

from __future__ import annotations

from dataclasses import dataclass

from envnb.errors import (
    APIConnectionError,
    APITimeoutError,
    EnvnbError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

CLIENT_TIMEOUT = 0.6  # seconds; the latency fault must exceed it
LATENCY = 1.0
RETRY_AFTER = 1

# The injected fault: a label and the rule's action fields (route/method/times are added
# per call, and times=1 makes every case deterministic).
FAULTS: dict[str, str] = {
    "500": "status=500",
    "502": "status=502",
    "503": "status=503",
    "429 + Retry-After": f"status=429,retry_after={RETRY_AFTER}",
    "latency > timeout": f"latency={LATENCY}",
    "drop=body": "drop=body",
    "cut_after=3": "cut_after=3",
    "malformed=json": "malformed=json",
    "html=502": "html=502",
    "html=200": "html=200",
}


@dataclass(frozen=True)
class Call:
    """A kind of call: the fault rule's scope and the side effect it performs (if any)."""

    name: str
    route: str
    method: str
    write: str | None  # the sandbox's writes counter this call increments once on success
    retry_safe: bool
    description: str


CALLS: dict[str, Call] = {
    c.name: c
    for c in (
        Call("list page", "batch_exports", "GET", None, True, "`batch_exports.list(limit=3)`"),
        Call("get", "batch_exports", "GET", None, True, "`batch_exports.get(id)`"),
        Call("pause", "/pause", "POST", "batch_export.pause", True, "`batch_exports.pause(id)`"),
        Call(
            "unpause",
            "/unpause",
            "POST",
            "batch_export.unpause",
            True,
            "`batch_exports.unpause(id)`",
        ),
        Call(
            "cancel", "/cancel", "PATCH", "conversation.cancel", True, "`conversations.cancel(id)`"
        ),
        Call(
            "create",
            "batch_exports",
            "POST",
            "batch_export.create",
            False,
            "`batch_exports.create(...)`",
        ),
        Call(
            "append",
            "append_message",
            "POST",
            "conversation.append",
            False,
            "`conversations.append_message(id, text)`",
        ),
        Call(
            "stream",
            "conversations",
            "POST",
            "conversation.message",
            False,
            '`conversations.ask("lorem 30")`',
        ),
    )
}


@dataclass(frozen=True)
class Expect:
    """What envnb must do: succeed (how) or fail (which error, which words in its message)."""

    outcome: str  # "retried", "unaffected", "resumed", "refetched", "fails"
    requests: int | tuple[int, ...]  # HTTP requests the sandbox sees (or the allowed counts)
    writes: int  # times the side effect happened (0 or 1: never a duplicate)
    error: type[EnvnbError] | None = None
    message: tuple[str, ...] = ()  # words a person needs in str(error)


RETRIED = Expect("retried", 2, 1)
UNAFFECTED = Expect("unaffected", 1, 1)

# Reads and idempotent actions (pause, unpause, cancel): every transient fault is retried.
RETRY_SAFE: dict[str, Expect] = {
    "500": RETRIED,
    "502": RETRIED,
    "503": RETRIED,
    "429 + Retry-After": RETRIED,
    "latency > timeout": RETRIED,
    "drop=body": RETRIED,
    "cut_after=3": UNAFFECTED,  # not an event stream: the rule passes the response through
    "malformed=json": RETRIED,
    "html=502": RETRIED,
    # A 200 HTML page (a proxy's or a login page) is not what was asked for: not retried.
    "html=200": Expect("fails", 1, 0, UnexpectedResponseError, ("200", "text/html")),
}

# create / append are never retried (a retry could duplicate them). A fault after the server
# acted (slow answer, dropped or truncated body) leaves the write applied exactly once.
WRITE: dict[str, Expect] = {
    "500": Expect("fails", 1, 0, ServerError, ("500", "POST")),
    "502": Expect("fails", 1, 0, ServerError, ("502", "POST")),
    "503": Expect("fails", 1, 0, ServerError, ("503", "POST")),
    "429 + Retry-After": Expect("fails", 1, 0, RateLimitError, ("429", "throttled")),
    "latency > timeout": Expect("fails", 1, 1, APITimeoutError, ("timed out", "POST")),
    "drop=body": Expect("fails", 1, 1, APIConnectionError, ("connection", "POST")),
    "cut_after=3": UNAFFECTED,
    "malformed=json": Expect("fails", 1, 1, APIConnectionError, ("malformed JSON", "POST")),
    "html=502": Expect("fails", 1, 0, ServerError, ("502", "HTML error page")),
    "html=200": Expect("fails", 1, 0, UnexpectedResponseError, ("200", "text/html")),
}

# A streamed chat turn: the human message is stored once; a broken stream resumes once.
STREAM: dict[str, Expect] = {
    "500": Expect("fails", 1, 0, ServerError, ("500", "POST")),
    "502": Expect("fails", 1, 0, ServerError, ("502", "POST")),
    "503": Expect("fails", 1, 0, ServerError, ("503", "POST")),
    "429 + Retry-After": Expect("fails", 1, 0, RateLimitError, ("429", "throttled")),
    # No answer at all to the first POST, which the slow server stores later: the client
    # asks (a resume) before anything else; the server has no such conversation yet, so
    # the timeout is raised — the message is not sent again (it is on its way).
    "latency > timeout": Expect("fails", 2, 1, APITimeoutError, ("timed out", "POST")),
    # Resumed while the reply is still running: 2 requests; on a loaded machine the reply may
    # finish first, and the resume's "idle" answer sends the client to read it (3).
    "drop=body": Expect("resumed", (2, 3), 1),
    "cut_after=3": Expect("resumed", (2, 3), 1),
    # A 200 whose body stops halfway ends the stream early; the resume finds the turn finished
    # (400 idle) and the client reads the stored reply instead.
    "malformed=json": Expect("refetched", 3, 1),
    "html=502": Expect("fails", 1, 0, ServerError, ("502", "HTML error page")),
    # An HTML page is not an event stream: not parsed, not resumed, and nothing was stored.
    "html=200": Expect("fails", 1, 0, UnexpectedResponseError, ("200", "text/html")),
}


@dataclass(frozen=True)
class Case:
    """One row of the matrix."""

    call: Call
    fault: str
    expect: Expect

    @property
    def id(self) -> str:
        """A pytest id."""
        return f"{self.call.name}-{self.fault}".replace(" ", "_")

    def rule(self) -> str:
        """The sandbox fault rule for this case (fires once)."""
        return f"{FAULTS[self.fault]},route={self.call.route},method={self.call.method},times=1"

    def request_counts(self) -> tuple[int, ...]:
        """The HTTP request counts this case allows."""
        r = self.expect.requests
        return r if isinstance(r, tuple) else (r,)

    def writes(self) -> int:
        """Expected count of the call's side effect (reads have none)."""
        return self.expect.writes if self.call.write else 0


# A 204 has no body to cut: dropping "mid-body" leaves a complete response.
CANCEL = {**RETRY_SAFE, "drop=body": UNAFFECTED}


def _table(call: Call) -> dict[str, Expect]:
    if call.name == "stream":
        return STREAM
    if call.name == "cancel":
        return CANCEL
    return RETRY_SAFE if call.retry_safe else WRITE


CASES: list[Case] = [
    Case(call, fault, _table(call)[fault]) for call in CALLS.values() for fault in FAULTS
]

_OUTCOME_TEXT = {
    "retried": "retried, succeeded",
    "unaffected": "succeeded (fault does not apply)",
    "resumed": "stream resumed, full reply",
    "refetched": "stream resumed, reply re-read",
    "fails": "fails",
}

BEGIN = "<!-- fault-matrix:begin (generated by tests/reliability/fault_cases.py) -->"
END = "<!-- fault-matrix:end -->"


def render_table() -> str:
    """The matrix as a Markdown table (the block between BEGIN and END in the doc)."""
    lines = [
        BEGIN,
        "| call | fault | outcome | error raised | message mentions | HTTP requests | "
        "side effects |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        e = case.expect
        err = f"`{e.error.__name__}`" if e.error else "—"
        words = ", ".join(f"“{w}”" for w in e.message) or "—"
        effect = f"{case.call.write} × {e.writes}" if case.call.write else "none (read)"
        requests = (
            " or ".join(map(str, e.requests)) if isinstance(e.requests, tuple) else e.requests
        )
        lines.append(
            f"| {case.call.description} | {case.fault} | {_OUTCOME_TEXT[e.outcome]} | {err} | "
            f"{words} | {requests} | {effect} |"
        )
    lines.append(END)
    return "\n".join(lines)


def sync_doc(path: str, *, write: bool) -> bool:
    """Whether the doc at ``path`` holds the current table; rewrite it when ``write``."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    current = text[start:end]
    table = render_table()
    if write and current != table:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text[:start] + table + text[end:])
    return current == table


if __name__ == "__main__":
    import pathlib

    doc = pathlib.Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
    print("up to date" if sync_doc(str(doc), write=True) else f"rewrote {doc}")
