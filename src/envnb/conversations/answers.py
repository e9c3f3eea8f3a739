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


def create_next_cell(code: str) -> bool:
    """Put ``code`` in a new cell below the running one; False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_next_input(code, replace=False)
    return True


def pin(question: str, queries: Sequence[Visualization], link: str | None) -> str:
    """Write the pinned cell (see the module docstring) and return its code. With no
    queries in the reply there is nothing to re-run: RequestValidationError says so."""
    if not queries:
        raise RequestValidationError(
            "this reply has no charts or queries to pin; ask for a chart "
            "(e.g. 'show daily pageviews for the last 14 days')"
        )
    code = pin_code(question, queries, link=link)
    create_next_cell(code)
    return code
