"""Chart questions for the responder: "show daily pageviews for the last 14 days" becomes an
``ai/viz`` message whose ``answer`` is a TrendsQuery (or HogQLQuery) the query API runs.

PostHog AI answers an insight question the same way (contract §8): ``query`` holds the title,
``answer`` the query object, ``plan`` the reasoning; the web app draws the chart by sending the
``answer`` to the query API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# word in the question -> (event, how a title names it)
_EVENTS = (
    (r"page ?views?", "$pageview", "pageviews"),
    (r"sign[- ]?ups?|signed up|registrations?", "signed_up", "sign-ups"),
    (r"purchases?|orders?|sales", "purchase", "purchases"),
    (r"invites?|invitations?", "invite_sent", "invites sent"),
    (r"clicks?|autocapture", "$autocapture", "clicks"),
)
_INTERVALS = (
    (r"\bhourly\b|\bper hour\b|\bby hour\b|\beach hour\b", "hour"),
    (r"\bweekly\b|\bper week\b|\bby week\b|\beach week\b|\ba week\b", "week"),
    (r"\bmonthly\b|\bper month\b|\bby month\b|\beach month\b", "month"),
    (r"\bdaily\b|\bper day\b|\bby day\b|\beach day\b|\ba day\b", "day"),
)
_BREAKDOWNS = (
    ("browser", "$browser"),
    ("os", "$os"),
    ("operating system", "$os"),
    ("plan", "plan"),
    ("device", "$device_type"),
    ("page", "$pathname"),
    ("url", "$current_url"),
)
_UNITS = {"hour": "h", "day": "d", "week": "w", "month": "m"}


@dataclass(frozen=True)
class Chart:
    """One visualization: the title (``ai/viz`` ``query``), the plan and the query object."""

    title: str
    plan: str
    query: dict[str, Any]

    def message(self, message_id: str, initiator: str | None) -> dict[str, Any]:
        """The ``ai/viz`` message carrying this chart."""
        return {
            "type": "ai/viz",
            "id": message_id,
            "query": self.title,
            "plan": self.plan,
            "answer": self.query,
            "initiator": initiator,
        }


def _period(low: str, interval: str) -> tuple[str, str]:
    """(date_from, words for the title) for the period the question names."""
    found = re.search(r"last (\d+) (hour|day|week|month)s?", low)
    if found:
        n, unit = int(found[1]), found[2]
        return f"-{n}{_UNITS[unit]}", f"last {n} {unit}{'s' if n != 1 else ''}"
    if "this month" in low:
        return "mStart", "this month"
    if "this year" in low:
        return "yStart", "this year"
    if "today" in low:
        return "dStart", "today"
    if "this week" in low or "last week" in low:
        return "-7d", "last 7 days"
    default = {"hour": ("-24h", "last 24 hours"), "week": ("-90d", "last 90 days")}
    return default.get(
        interval, ("-30d", "last 30 days") if interval != "month" else ("-90d", "last 90 days")
    )


def _top_pages(low: str) -> Chart | None:
    if not re.search(r"\btop pages\b|\bmost (viewed|visited) pages\b|\bpopular pages\b", low):
        return None
    found = re.search(r"\btop (\d+)\b", low)
    n = min(int(found[1]), 50) if found else 10
    sql = (
        "SELECT properties.$pathname AS page, count() AS pageviews, "
        "uniq(distinct_id) AS visitors\nFROM events\n"
        "WHERE event = '$pageview' AND timestamp >= now() - INTERVAL 30 DAY\n"
        f"GROUP BY page\nORDER BY pageviews DESC\nLIMIT {n}"
    )
    return Chart(
        f"Top {n} pages by pageviews, last 30 days",
        "Count $pageview events per $pathname over 30 days with SQL; keep the top pages.",
        {"kind": "HogQLQuery", "query": sql},
    )


def charts_for(content: str) -> list[Chart]:
    """The charts a question asks for; empty when it is not a chart question."""
    from .insight_charts import insight_for  # it reads this module's event words

    low = content.lower()
    insight = insight_for(content)
    if insight is not None:
        return [insight]
    pages = _top_pages(low)
    if pages is not None:
        return [pages]
    if "overview" in low or "dashboard" in low:
        return [
            trend("$pageview", "pageviews", "day", low),
            trend("signed_up", "sign-ups", "week", low),
        ]
    for pattern, event, noun in _EVENTS:
        if re.search(rf"\b(?:{pattern})\b", low):
            interval = next((i for p, i in _INTERVALS if re.search(p, low)), "day")
            return [trend(event, noun, interval, low)]
    return []


def trend(event: str, noun: str, interval: str, low: str) -> Chart:
    """A TrendsQuery chart of ``event`` per ``interval`` over the period ``low`` names."""
    date_from, period = _period(low, interval)
    unique = bool(re.search(r"\bunique\b|\busers\b|\bpeople\b|\bvisitors\b", low))
    series: dict[str, Any] = {"kind": "EventsNode", "event": event, "name": event}
    series["math"] = "dau" if unique else "total"
    query: dict[str, Any] = {
        "kind": "TrendsQuery",
        "series": [series],
        "interval": interval,
        "dateRange": {"date_from": date_from, "date_to": None},
        "trendsFilter": {"display": "ActionsLineGraph"},
    }
    by = ""
    for word, prop in _BREAKDOWNS:
        if re.search(rf"\bby {word}s?\b|\bper {word}\b", low):
            query["breakdownFilter"] = {"breakdown": prop, "breakdown_type": "event"}
            by = f" by {word}"
            break
    every = {"hour": "Hourly", "day": "Daily", "week": "Weekly", "month": "Monthly"}[interval]
    what = f"unique users with {noun}" if unique else noun
    title = f"{every} {what}{by}, {period}"
    plan = (
        f"Series: {event} ({'unique users' if unique else 'total count'}); interval: {interval}; "
        f"date range: {date_from}"
        + (f"; breakdown: {query['breakdownFilter']['breakdown']}" if by else "")
    )
    return Chart(title, plan, query)


def describe(charts: list[Chart]) -> str:
    """The assistant's text after the charts (Markdown)."""
    if len(charts) == 1:
        chart = charts[0]
        kind = chart.query["kind"]
        return (
            f"Here is **{chart.title}**. It is a {kind} — the chart above is drawn from it, and "
            "you can run the same query yourself through the query API to get the numbers."
        )
    titles = "\n".join(f"- **{c.title}**" for c in charts)
    return f"Here is an overview in {len(charts)} charts:\n\n{titles}\n"
