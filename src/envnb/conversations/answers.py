"""What ``ask()`` results and ``%%chat`` replies share: their queries, frames and pinning.

``queries`` are the visualizations a reply carries (``results.visualizations``);
``frames()`` runs them through the query API in order; ``pin()`` writes, as the notebook's
next cell, code that re-runs them with ``client.query_df`` (``pin.pin_code``) — through
IPython's own ``set_next_input``, the mechanism ``%load`` and ``%recall`` use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import RequestValidationError
from ..query.pin import conversation_link, pin_code
from ..query.results import Visualization

if TYPE_CHECKING:
    import pandas as pd


def run_frames(client: Any, queries: Sequence[Visualization]) -> list[pd.DataFrame]:
    """Each query's DataFrame, in order (``client.query_df``); raises the first APIError."""
    return [client.query_df(viz.body()) for viz in queries]


def link_for(client: Any, conversation_id: str | None) -> str | None:
    """The conversation's address in PostHog's app, when the client knows its host."""
    host, project = getattr(client, "host", None), getattr(client, "project_id", None)
    if not conversation_id or not isinstance(host, str) or project is None:
        return None
    return conversation_link(host, project, conversation_id)


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def create_next_cell(code: str) -> bool:
    """Put ``code`` in a new cell below the running one; False outside IPython."""
    shell = _shell()
    if shell is None:
        return False
    shell.set_next_input(code, replace=False)
    return True


def client_name(host: str, project_id: str) -> str | None:
    """The notebook's variable holding an ``envnb.Client`` of ``host`` and ``project_id``
    (``client`` when several do), or None outside IPython or when none does."""
    shell = _shell()
    if shell is None:
        return None
    from .._client import Client  # at call time: the client imports this module

    names = sorted(
        name
        for name, value in list(shell.user_ns.items())
        if isinstance(value, Client)
        and name.isidentifier()
        and not name.startswith("_")
        and value.host == host
        and str(value.project_id) == str(project_id)
    )
    return "client" if "client" in names else next(iter(names), None)


def from_implicit_sandbox(host: str) -> bool:
    """True when ``host`` is the sandbox ``envnb.connect()`` started (no PostHog settings)."""
    from .. import _client

    implicit = _client._sandbox
    return implicit is not None and host.rstrip("/") == str(implicit.url).rstrip("/")


def pin(
    question: str,
    queries: Sequence[Visualization],
    link: str | None,
    source: tuple[str, str] | None = None,
) -> str:
    """Write the pinned cell (see the module docstring) and return its code. With no
    queries in the reply there is nothing to re-run: RequestValidationError says so.

    ``source``: host and project of the client that asked — the cell re-runs the queries
    with the notebook's variable holding that client (``pin.pin_code``)."""
    if not queries:
        raise RequestValidationError(
            "this reply has no charts or queries to pin; ask for a chart "
            "(e.g. 'show daily pageviews for the last 14 days')"
        )
    name = client_name(*source) if source else None
    sandbox = source is not None and from_implicit_sandbox(source[0])
    code = pin_code(question, queries, link=link, client_name=name, sandbox=sandbox)
    create_next_cell(code)
    return code
