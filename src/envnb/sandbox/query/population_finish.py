"""The second half of the population: from the staging tables to PostHog's five tables.

Both the generated and the tiny population stage the same two tables, and everything PostHog
derives is derived here, once, so the two can never disagree in shape:

* ``_pq`` — one row per person: ``i``, ``id`` (UUID text), ``pre`` (existed before the
  window), ``created_pre``, ``email``, ``name``, ``plan``, ``country``;
* ``_pe`` — one row per event: ``i``, ``skey`` (session key), ``k`` (slot in the session),
  ``event``, ``ts``, ``distinct_id``, ``pathname``, ``chain`` (index into ``CHAINS``),
  ``amount``, ``source`` (index into ``SOURCES``, on a session's first event), ``browser``,
  ``country``, ``plan``, ``org`` (the ``$group_0`` key);
* ``_pg`` — one row per organisation: ``key``, ``name``, ``industry``, ``employees``.
"""

from __future__ import annotations

import zlib
from datetime import datetime

import duckdb

HOST = "hedgebox.example"
# (utm_source, utm_medium, utm_campaign, referring domain, PostHog's default channel type)
SOURCES = (
    ("google", "cpc", "spring_sale", "www.google.com", "Paid Search"),
    (None, None, None, "www.google.com", "Organic Search"),
    ("newsletter", "email", "march_digest", "$direct", "Email"),
    (None, None, None, "t.co", "Organic Social"),
    (None, None, None, "$direct", "Direct"),
    (None, None, None, "news.ycombinator.com", "Referral"),
)
# (page, elements_chain) in PostHog's format: elements innermost first, ';'-separated; each
# tag, sorted classes, then its attributes sorted by name (posthog/models/element/element.py).
CHAINS = (
    (
        "/",
        'a.btn.btn-primary:attr__class="btn btn-primary"attr__href="/signup"href="/signup"'
        'nth-child="1"nth-of-type="1"text="Sign up";nav.hero:attr__class="hero"'
        'nth-child="2"nth-of-type="1";body:nth-child="2"nth-of-type="1"',
    ),
    (
        "/pricing",
        'button.cta:attr__class="cta"attr__data-plan="pro"nth-child="3"nth-of-type="2"'
        'text="Choose Pro";div.plans:attr__class="plans"nth-child="1"nth-of-type="1";'
        'body:nth-child="2"nth-of-type="1"',
    ),
    (
        "/docs",
        'a:attr__href="/docs/api"href="/docs/api"nth-child="4"nth-of-type="4"text="API";'
        'ul.sidebar:attr__class="sidebar"nth-child="1"nth-of-type="1";'
        'body:nth-child="2"nth-of-type="1"',
    ),
    (
        "/dashboard",
        'button:attr__id="new-file"attr_id="new-file"nth-child="1"nth-of-type="1"'
        'text="New file";header:nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"',
    ),
    (
        "/dashboard",
        'span:nth-child="2"nth-of-type="1"text="Share";button.share:attr__class="share"'
        'nth-child="2"nth-of-type="2";header:nth-child="1"nth-of-type="1";'
        'body:nth-child="2"nth-of-type="1"',
    ),
    (
        "/features",
        'img:attr__alt="Demo"attr__src="/demo.png"nth-child="1"nth-of-type="1";'
        'section.demo:attr__class="demo"nth-child="3"nth-of-type="2";'
        'body:nth-child="2"nth-of-type="1"',
    ),
)
_OS = "CASE w.browser WHEN 'Safari' THEN 'Mac OS X' WHEN 'Firefox' THEN 'Linux' WHEN 'Opera' THEN 'Android' WHEN 'Chrome' THEN 'Windows' WHEN 'Edge' THEN 'Windows' END"  # noqa: E501
_DEVICE = "CASE WHEN w.browser = 'Opera' THEN 'Mobile' WHEN w.browser IS NOT NULL THEN 'Desktop' END"

_MACROS = (
    "CREATE OR REPLACE TEMP MACRO _m1(x) AS (xor(x, x >> 16) * 2146121005) & 4294967295",
    "CREATE OR REPLACE TEMP MACRO _m2(x) AS (xor(x, x >> 15) * 739982445) & 4294967295",
    "CREATE OR REPLACE TEMP MACRO _lb(x) AS xor(_m2(_m1(x)), _m2(_m1(x)) >> 16)",
    # 32 bits of a row key (any BIGINT >= 0) mixed with a salt.
    "CREATE OR REPLACE TEMP MACRO _h(key, salt) AS "
    "_lb(xor((key) & 4294967295, (salt) & 4294967295) + ((key) >> 32) * 40503)",
    "CREATE OR REPLACE TEMP MACRO _r(key, salt) AS _h(key, salt) / 4294967296.0",
    "CREATE OR REPLACE TEMP MACRO _uuid4(key, salt) AS printf("
    "'%08x-%04x-4%03x-%04x-%04x%08x', _h(key, salt), _h(key, salt + 1) & 65535, "
    "_h(key, salt + 2) & 4095, 32768 + (_h(key, salt + 3) & 16383), "
    "_h(key, salt + 4) & 65535, _h(key, salt + 5))",
    # A UUIDv7 as posthog-js makes for events and sessions: 48 bits of Unix milliseconds.
    "CREATE OR REPLACE TEMP MACRO _uuid7(ms, key, salt) AS printf("
    "'%08x-%04x-7%03x-%04x-%04x%08x', ms >> 16, ms & 65535, _h(key, salt) & 4095, "
    "32768 + (_h(key, salt + 1) & 16383), _h(key, salt + 2) & 65535, _h(key, salt + 3))",
)
_STAGING = ("_days", "_pq", "_ad", "_s0", "_ss", "_pe", "_pg", "_pw", "_src", "_chains")


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The hash macros the staging SQL uses (dropped again by ``drop_staging``)."""
    for sql in _MACROS:
        con.execute(sql)


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every staging table and macro: queries see only the five tables."""
    for table in _STAGING:
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    for name in ("_uuid7", "_uuid4", "_r", "_h", "_lb", "_m2", "_m1"):
        con.execute(f"DROP MACRO IF EXISTS {name}")


def _lit(value: object) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def _values(rows: tuple[tuple[object, ...], ...]) -> str:
    return ", ".join(
        "(" + ", ".join([str(n), *(_lit(v) for v in row)]) + ")" for n, row in enumerate(rows)
    )


def finish(con: duckdb.DuckDBPyConnection, *, seed: int, now: datetime) -> None:
    """Build ``events``, ``sessions``, ``persons``, ``person_distinct_ids``, ``groups``."""
    salt = {name: zlib.crc32(f"{seed}:{name}".encode()) for name in ("ev", "ses", "win", "lag")}
    now_sql = f"TIMESTAMPTZ '{now.isoformat()}'"
    con.execute(
        f"CREATE TEMP TABLE _src AS SELECT * FROM (VALUES {_values(SOURCES)}) "
        "v(source, utm_source, utm_medium, utm_campaign, referring_domain, channel)"
    )
    con.execute(
        f"CREATE TEMP TABLE _chains AS SELECT * FROM (VALUES {_values(CHAINS)}) "
        "v(chain, page, elements)"
    )
    con.execute(_WIDE.format(host=HOST, os=_OS, device=_DEVICE, **salt))
    for sql in (_EVENTS, _SESSIONS, _PERSONS, _PDI, _GROUPS):
        con.execute(sql.format(now=now_sql, host=HOST, **salt))


_TEXT = "',\"{key}\":\"' || {value} || '\"'"
_NUMBER = "',\"{key}\":' || {value}"
_NUMBERS = ("amount", "employee_count")


def _props(*pairs: tuple[str, str]) -> str:
    """SQL for a JSON object of the non-NULL values (PostHog stores no ``"key": null``); the
    first value must never be NULL. ``concat`` skips NULL parts, so a missing value drops its
    whole ``,"key":"value"`` part.

    Values are pasted between quotes unescaped: every text value comes from this module's own
    tables and ids (no quote, backslash or control character); ``concat`` of plain strings
    is 5x faster than ``to_json`` or ``concat_ws`` per value."""
    parts = ", ".join(
        (_NUMBER if k in _NUMBERS else _TEXT).format(key=k, value=v) if k else v
        for k, v in pairs
    )
    return f"'{{{{' || substr(concat({parts}), 2) || '}}}}'"


_SET = _props(("email", "p.email"), ("name", "p.name"), ("plan", "p.plan"))
_EVENT_PROPS = _props(
    ("$current_url", "url"),
    ("$pathname", "path"),
    ("$host", "'{host}'"),
    ("$lib", "'web'"),
    ("$session_id", "session_id"),
    ("$window_id", "window_id"),
    ("$geoip_country_code", "country"),
    ("$browser", "browser"),
    ("$os", "os"),
    ("$device_type", "device"),
    ("", "CASE WHEN event = '$autocapture' THEN ',\"$event_type\":\"click\"' END"),
    ("utm_source", "utm_source"),
    ("utm_medium", "utm_medium"),
    ("utm_campaign", "utm_campaign"),
    ("$referring_domain", "referring_domain"),
    ("plan", "plan"),
    ("$group_0", "org"),
    ("amount", "amount"),
    ("", "CASE WHEN event = 'signed_up' THEN ',\"$set\":' || person_set END"),
)

_WIDE = (
    """
CREATE TEMP TABLE _pw AS
SELECT w.*, 'https://{host}' || path AS url, {os} AS os, {device} AS device,
  printf('%08x-%04x-7%03x-%04x-%04x%08x', ms >> 16, ms & 65535, h1 & 4095,
         32768 + ((h1 >> 12) & 16383), h2 & 65535, h3) AS uuid,
  to_microseconds(200000 + h2 % 4800000) AS lag
FROM (
  SELECT e.*, coalesce(e.pathname, c.page) AS path, p.id::UUID AS person_id,
    CASE WHEN e.event = 'signed_up' THEN """
    + _SET
    + """ END AS person_set,
    epoch_ms(e.ts) AS ms, _h(e.skey * 64 + e.k, {ev}) AS h1, _h(e.skey * 64 + e.k, {ev} + 1) AS h2,
    _h(e.skey * 64 + e.k, {ev} + 2) AS h3, x.session_id, x.window_id,
    s.utm_source, s.utm_medium, s.utm_campaign, s.referring_domain, s.channel, c.elements
  FROM _pe e JOIN (SELECT i, id, email, name, plan FROM _pq) p USING (i)
  JOIN (
    SELECT skey, _uuid7(ms, skey, {ses}) AS session_id, _uuid7(ms, skey, {win}) AS window_id
    FROM (SELECT skey, epoch_ms(min(ts)) AS ms FROM _pe GROUP BY skey)
  ) x USING (skey)
  LEFT JOIN _src s USING (source)
  LEFT JOIN _chains c USING (chain)
) w
"""
)

_EVENTS = (
    """
CREATE TABLE events AS
SELECT uuid::UUID AS uuid, event, """
    + _EVENT_PROPS
    + """ AS properties,
  ts AS timestamp, distinct_id, coalesce(elements, '') AS elements_chain,
  least(ts + lag, {now}) AS created_at, session_id AS "$session_id",
  window_id AS "$window_id", person_id
FROM _pw ORDER BY timestamp, uuid
"""
)

# As PostHog's sessions table: one row per $session_id, aggregated from its events.
_SESSIONS = """
CREATE TABLE sessions AS
SELECT session_id, arg_min(distinct_id, ts) AS distinct_id, any_value(person_id) AS person_id,
  min(ts) AS "$start_timestamp", max(ts) AS "$end_timestamp",
  date_diff('second', min(ts), max(ts)) AS duration,
  date_diff('second', min(ts), max(ts)) AS "$session_duration",
  arg_min(url, ts) AS "$entry_current_url", arg_min(path, ts) AS "$entry_pathname",
  arg_max(url, ts) AS "$end_current_url", arg_max(path, ts) AS "$end_pathname",
  arg_min(utm_source, ts) AS "$entry_utm_source",
  arg_min(utm_medium, ts) AS "$entry_utm_medium",
  arg_min(utm_campaign, ts) AS "$entry_utm_campaign",
  arg_min(referring_domain, ts) AS "$entry_referring_domain",
  count_if(event = '$pageview') AS "$pageview_count",
  count_if(event = '$autocapture') AS "$autocapture_count",
  NOT (count_if(event = '$pageview') > 1 OR count_if(event = '$autocapture') > 0
       OR date_diff('second', min(ts), max(ts)) >= 10) AS "$is_bounce",
  arg_min(channel, ts) AS "$channel_type"
FROM _pw GROUP BY session_id ORDER BY "$start_timestamp", session_id
"""

_PERSONS = (
    """
CREATE TABLE persons AS
SELECT p.id::UUID AS id, coalesce(p.created_pre, f.first_ts) AS created_at,
  """
    + _props(
        ("$geoip_country_code", "p.country"),
        ("email", "CASE WHEN f.identified THEN p.email END"),
        ("name", "CASE WHEN f.identified THEN p.name END"),
        ("plan", "CASE WHEN f.identified THEN p.plan END"),
        ("$initial_utm_source", "f.utm_source"),
        ("$initial_referring_domain", "f.referring_domain"),
        ("$initial_current_url", "f.url"),
    )
    + """ AS properties,
  f.identified AS is_identified
FROM _pq p JOIN (
  SELECT i, min(ts) AS first_ts, arg_min(utm_source, ts) AS utm_source,
    arg_min(referring_domain, ts) AS referring_domain, arg_min(url, ts) AS url,
    bool_or(event = 'signed_up') OR bool_or(pre) AS identified
  FROM _pw JOIN (SELECT i, pre FROM _pq) USING (i) GROUP BY i
) f USING (i)
ORDER BY created_at, id
"""
)

_PDI = """
CREATE TABLE person_distinct_ids AS
SELECT DISTINCT distinct_id, person_id FROM _pw ORDER BY person_id, distinct_id
"""

_GROUPS = (
    """
CREATE TABLE groups AS
SELECT 0 AS group_type_index, g.key AS group_key, min(e.ts) AS created_at,
  """
    + _props(
        ("name", "any_value(g.name)"),
        ("industry", "any_value(g.industry)"),
        ("employee_count", "any_value(g.employees)"),
    )
    + """ AS properties
FROM _pg g JOIN _pw e ON e.org = g.key GROUP BY g.key ORDER BY g.key
"""
)
