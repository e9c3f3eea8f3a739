"""The code of a pinned cell: a reply's queries re-run with ``client.query_df`` — so a
papermill/nbconvert re-run of the report refreshes the numbers with no PostHog AI call.
Pure: it returns source text; creating the cell is the caller's business.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Sequence

from .results import Visualization

_LINES = re.compile(r"\r\n|\r|\n")


def conversation_link(host: str, project_id: int | str, conversation_id: str) -> str:
    """PostHog's web address of a conversation (its ``max`` scene, ``?chat=<id>``)."""
    return f"{host.rstrip('/')}/project/{project_id}/max?chat={conversation_id}"


def _comment(text: str) -> list[str]:
    # Every line break Python's tokenizer knows ends a comment; none may survive into code.
    return ["# " + line if line.strip() else "#" for line in _LINES.split(text)]


def python_literal(value: object, indent: int = 0) -> str:
    """``value`` (JSON data) as Python source, one key or item per line when nested."""
    pad, inner = " " * indent, " " * (indent + 4)
    if isinstance(value, dict) and value:
        items = [f"{inner}{k!r}: {python_literal(v, indent + 4)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        if all(not isinstance(v, dict | list) for v in value):
            flat = "[" + ", ".join(repr(v) for v in value) + "]"
            if len(flat) + indent <= 88:
                return flat
        items = [f"{inner}{python_literal(v, indent + 4)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{pad}]"
    return repr(value)


def variable_name(title: str, taken: set[str]) -> str:
    """A snake_case identifier for a chart title, unique among ``taken`` (which it extends)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    name = re.sub(r"[^0-9a-zA-Z]+", "_", ascii_text).strip("_").lower()[:40].rstrip("_")
    if not name or name[0].isdigit() or keyword.iskeyword(name) or name in {"client", "envnb"}:
        name = f"df_{name}" if name else "df"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _client_lines(client_name: str | None, sandbox: bool) -> tuple[str, list[str]]:
    """The name the cell's queries use, and the lines that make sure it exists.

    Rule: a pinned cell never starts a sandbox the notebook did not use. With the user's
    own client variable known, the cell uses it and says so when it is missing; without
    it, the cell connects as the asking client did: to envnb's implicit sandbox only when
    that is where the reply came from, else to PostHog from the ``POSTHOG_*`` settings
    (``envnb.Client()`` raises ConfigurationError without them).
    """
    if client_name is not None:
        why = [
            f"this pinned cell re-runs its queries with `{client_name}`, the client made ",
            "earlier in this notebook: run that cell first (a pinned cell never connects ",
            "on its own)",
        ]
        return client_name, [
            f'if "{client_name}" not in globals():',
            "    raise NameError(",
            *(f"        {part!r}" for part in why),
            "    )",
        ]
    if sandbox:
        return "client", [
            "import envnb",
            "",
            "client = envnb.connect()  # the reply came from envnb's local sandbox",
        ]
    return "client", [
        "import envnb",
        "",
        "client = envnb.Client()  # PostHog from the POSTHOG_* settings (never a sandbox)",
    ]


def pin_code(
    question: str,
    charts: Sequence[Visualization],
    *,
    link: str | None = None,
    client_name: str | None = None,
    sandbox: bool = False,
) -> str:
    """Source of a cell that re-runs ``charts`` (each as ``name = client.query_df({...})``),
    with the question and the conversation link as comments.

    ``client_name``: the notebook's variable holding the asking client, when known;
    ``sandbox``: the reply came from the sandbox ``envnb.connect()`` started (see
    ``_client_lines``)."""
    lines = ["# Pinned from PostHog AI — re-running this cell refreshes the data, no AI call."]
    lines += _comment(f"Question: {question.strip()}")
    if link:
        lines += _comment(f"Conversation: {link}")
    client, setup = _client_lines(client_name, sandbox)
    lines += setup
    taken: set[str] = {client}
    names = []
    for chart in charts:
        name = variable_name(chart.title, taken)
        names.append(name)
        body = python_literal(chart.body())
        lines.append("")
        lines += _comment(chart.title)
        lines.append(f"{name} = {client}.query_df({body})")
    if names:
        lines += ["", names[-1] if len(names) == 1 else ", ".join(names)]
    return "\n".join(lines) + "\n"
