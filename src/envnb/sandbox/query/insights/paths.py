"""PathsQuery over the seeded events (PH:posthog/hogql_queries/insights/paths_query_runner.py):
the page-to-page links of people's paths.

Rules (each as ``paths_per_person_query`` and ``to_query`` compute it):
1. A person's ``$pageview`` pages in the range — each the event's ``$current_url`` with one
   trailing ``/`` dropped (``construct_event_hogql``: ``https://hedgebox.example/`` is
   ``https://hedgebox.example``), not its pathname — in time order, are cut into sessions
   wherever 30 minutes (PostHog's ``SESSION_TIME_THRESHOLD_DEFAULT_SECONDS``) pass between two
   pageviews; each session is one path.
2. Repeats of one page in a row collapse to the last of them (its time is the step's time).
3. ``startPoint``: the path begins at its first visit of that page; ``endPoint``: it ends at its
   first visit of that page; a path without the page is left out. A trailing ``/`` of the
   point is dropped (``…/pricing/`` is ``…/pricing``), as PostHog does.
4. A path keeps its first ``stepLimit`` (5) steps — its last ones with an ``endPoint``; with
   both points a path longer than the limit keeps its first and last ``stepLimit // 2`` steps
   around a ``...`` step.
5. A link ``{n}_{page}`` → ``{n+1}_{next}`` counts the paths that took it (a person with two
   sessions can count twice); ``average_conversion_time`` is in milliseconds. Links outside
   ``minEdgeWeight``/``maxEdgeWeight`` are dropped (PostHog's HAVING), the rest ranked by
   count (then source, target), cut at ``edgeLimit`` (50), and only links reachable from a
   ``1_`` step are kept (PostHog's ``validate_results``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..events import EventsDB
from ..trends import _end, _floor, _parse_date
from ._hogql import absent_fields, bad, every_row, instant, moment

SESSION_GAP = timedelta(seconds=1800)
# pathsFilter options that change which pages a path has: refused rather than ignored
UNEMULATED = ("excludeEvents", "pathGroupings", "localPathCleaningFilters", "funnelPaths")
Step = tuple[str, datetime]


def _sessions(found: list[dict[str, Any]]) -> list[list[Step]]:
    """Rules 1–2: every person's sessions, repeats collapsed to the last visit."""
    out: list[list[Step]] = []
    person, last = None, None
    for row in found:
        at = instant(row["timestamp"])
        if at is None:
            continue
        page = _page(row["page"])
        if row["person_id"] != person or last is None or at - last >= SESSION_GAP:
            out.append([])
        person, last = row["person_id"], at
        session = out[-1]
        if session and session[-1][0] == page:
            session[-1] = (page, at)
        else:
            session.append((page, at))
    return out


def _page(url: Any) -> str:
    """Rule 1: ``replaceRegexpAll(ifNull($current_url, ''), '(.)/$', '\\1')``."""
    text = "" if url is None else str(url)
    return text[:-1] if len(text) > 1 and text.endswith("/") else text


def _point(spec: dict[str, Any], name: str) -> str | None:
    value = spec.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise bad(f"pathsFilter.{name} must be a page URL such as 'https://example.com/pricing'")
    return _page(value)


def _first(path: list[Step], page: str) -> int | None:
    return next((i for i, (p, _) in enumerate(path) if p == page), None)


def _cut(path: list[Step], start: str | None, end: str | None, limit: int) -> list[Step] | None:
    """Rules 3–4 for one session; None when the session is left out."""
    if start is not None:
        at = _first(path, start)
        if at is None:
            return None
        path = path[at:]
    if end is not None:
        at = _first(path, end)
        if at is None:
            return None
        path = path[: at + 1]
    if start is not None and end is not None:
        if len(path) > limit:
            half = limit // 2
            middle = ("...", path[half][1])  # PostHog keeps the time of the step it stands for
            path = [*path[:half], middle, *path[len(path) - half :]]
        return path
    return path[-limit:] if end is not None else path[:limit]


def _reachable(links: list[tuple[str, str, list[float]]]) -> list[tuple[str, str, list[float]]]:
    """Rule 5's last part: the links a walk from the ``1_`` steps reaches."""
    edges: dict[str, list[str]] = {}
    for source, target, _ in links:
        edges.setdefault(source, []).append(target)
    seen: set[str] = set()
    stack = [source for source, _, _ in links if source.startswith("1_")]
    while stack:
        node = stack.pop()
        seen.add(node)
        stack += [t for t in edges.get(node, []) if t not in seen]
    return [link for link in links if link[0] in seen]


def run_paths(db: EventsDB, query: dict[str, Any]) -> dict[str, Any]:
    """``results``: ``[{source, target, value, average_conversion_time}]``."""
    absent_fields(query)
    spec = query.get("pathsFilter") or {}
    if not isinstance(spec, dict):
        raise bad("pathsFilter must be an object")
    kinds = spec.get("includeEventTypes") or ["$pageview"]
    if kinds != ["$pageview"]:
        raise bad("pathsFilter.includeEventTypes: the sandbox follows $pageview paths only")
    start_point, end_point = _point(spec, "startPoint"), _point(spec, "endPoint")
    steps = spec.get("stepLimit") or 5
    edges = spec.get("edgeLimit") or 50
    for name, number in (("stepLimit", steps), ("edgeLimit", edges)):
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise bad(f"pathsFilter.{name} must be a whole number of at least 1")
    for name in UNEMULATED:
        if spec.get(name):
            raise bad(f"pathsFilter.{name}: not emulated by the sandbox")
    low, high = spec.get("minEdgeWeight") or 1, spec.get("maxEdgeWeight")
    if not isinstance(low, int) or (high is not None and not isinstance(high, int)):
        raise bad("pathsFilter.minEdgeWeight/maxEdgeWeight must be whole numbers")
    now = db.now()
    date_range = query.get("dateRange") or {}
    start = _floor(_parse_date(date_range.get("date_from") or "-7d", now, "date_from"), "day")
    end = _end(date_range.get("date_to"), now, "day")
    found = every_row(
        db,
        "SELECT person_id, properties.$current_url AS page, timestamp FROM events "
        f"WHERE event = '$pageview' AND timestamp >= {moment(start)} "
        f"AND timestamp <= {moment(end)} ORDER BY person_id, timestamp, uuid",
        "a paths insight",
    )
    links: dict[tuple[str, str], list[float]] = {}
    for session in _sessions(found):
        path = _cut(session, start_point, end_point, steps)
        for n in range(1, len(path or [])):
            (a, at), (b, bt) = path[n - 1], path[n]  # type: ignore[index]
            links.setdefault((f"{n}_{a}", f"{n + 1}_{b}"), []).append(
                (bt - at).total_seconds() * 1000
            )
    weighed = {k: v for k, v in links.items() if low <= len(v) and (high is None or len(v) <= high)}
    ranked = sorted(weighed.items(), key=lambda item: (-len(item[1]), item[0]))[:edges]
    kept = _reachable([(s, t, times) for (s, t), times in ranked])
    return {
        "results": [
            {
                "source": s,
                "target": t,
                "value": len(times),
                "average_conversion_time": sum(times) / len(times),
            }
            for s, t, times in kept
        ]
    }
