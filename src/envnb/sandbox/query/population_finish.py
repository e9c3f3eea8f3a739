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
_OS = "CASE browser WHEN 'Safari' THEN 'Mac OS X' WHEN 'Firefox' THEN 'Linux' WHEN 'Opera' THEN 'Android' WHEN 'Chrome' THEN 'Windows' WHEN 'Edge' THEN 'Windows' END"  # noqa: E501
_DEVICE = "CASE WHEN browser = 'Opera' THEN 'Mobile' WHEN browser IS NOT NULL THEN 'Desktop' END"

_MACROS = (
    "CREATE OR REPLACE TEMP MACRO _m1(x) AS (xor(x, x >> 16) * 2146121005) & 4294967295",
    "CREATE OR REPLACE TEMP MACRO _m2(x) AS (xor(x, x >> 15) * 739982445) & 4294967295",
    "CREATE OR REPLACE TEMP MACRO _lb(x) AS xor(_m2(_m1(x)), _m2(_m1(x)) >> 16)",
    # 32 bits of a row key (any BIGINT >= 0) mixed with a salt.
    "CREATE OR REPLACE TEMP MACRO _h(key, salt) AS "
    "_lb((xor((key) & 4294967295, (salt) & 4294967295) + ((key) >> 32) * 40503) & 4294967295)",
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
_STAGING = ("_days", "_pq", "_ad", "_s0", "_ss", "_pe", "_pg", "_pf", "_sf", "_src", "_chains")


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
    for sql in (_PERSON_FACTS, _SESSION_FACTS, _EVENTS, _SESSIONS, _PERSONS, _PDI, _GROUPS):
        con.execute(sql.format(now=now_sql, host=HOST, os=_OS, device=_DEVICE, **salt))


_TEXT = "',\"{key}\":\"' || {value} || '\"'"
_NUMBER = "',\"{key}\":' || {value}"
_NUMBERS = ("amount", "employee_count")


def _parts(*pairs: tuple[str, str]) -> str:
    """``,"key":"value"`` parts for ``concat`` (which skips a NULL part: PostHog stores no
    ``"key": null``). Values are pasted between quotes unescaped: every text value comes from
    this module's own tables and ids (no quote, backslash or control character), and
    ``concat`` of plain strings is 5x faster than ``to_json`` per value."""
    return ", ".join(
        (_NUMBER if k in _NUMBERS else _TEXT).format(key=k, value=v) if k else v for k, v in pairs
    )


def _props(*pairs: tuple[str, str]) -> str:
    """SQL for a JSON object of the non-NULL values; the first value is never NULL."""
    return f"'{{{{' || substr(concat({_parts(*pairs)}), 2) || '}}}}'"


# Per person: the UUID and the ``$set`` their signed_up event carries.
_PERSON_FACTS = (
    """
CREATE TEMP TABLE _pf AS
SELECT i, id::UUID AS person_id, """
    + _props(("email", "email"), ("name", "name"), ("plan", "plan"))
    + """ AS person_set
FROM _pq
"""
)

# Per session, in one pass over the events: ids (UUIDv7 of the first event's millisecond),
# PostHog's session columns, where it came from, the first 24 hex digits of its events'
# UUIDs, and the JSON part every event of the session shares (browser and country are the
# person's).
_SESSION_FACTS = (
    """
CREATE TEMP TABLE _sf AS
SELECT x.* EXCLUDE (ms), s.* EXCLUDE (source),
  printf('%08x-%04x-7%03x-%04x-', ms >> 16, ms & 65535, _h(skey, {ev}) & 4095,
         32768 + (_h(skey, {ev} + 1) & 16383)) AS uuid_prefix,
  substr(concat("""
    + _parts(
        ("$host", "'{host}'"),
        ("$lib", "'web'"),
        ("$session_id", "session_id"),
        ("$window_id", "window_id"),
        ("$geoip_country_code", "country"),
        ("$browser", "browser"),
        ("$os", "os"),
        ("$device_type", "device"),
    )
    + """), 2) AS shared
FROM (
  SELECT *, _uuid7(ms, skey, {ses}) AS session_id, _uuid7(ms, skey, {win}) AS window_id,
    {os} AS os, {device} AS device
  FROM (SELECT skey, epoch_ms(min(ts)) AS ms, arg_min(source, k) AS source,
          any_value(browser) AS browser, any_value(country) AS country,
          arg_min(distinct_id, ts) AS distinct_id, any_value(i) AS i,
          min(ts) AS "$start_timestamp", max(ts) AS "$end_timestamp",
          date_diff('second', min(ts), max(ts)) AS duration,
          arg_min(pathname, ts) AS entry, arg_max(pathname, ts) AS exit,
          count_if(event = '$pageview')::BIGINT AS pageviews,
          count_if(event = '$autocapture')::BIGINT AS autocaptures
        FROM _pe GROUP BY skey)
) x LEFT JOIN _src s USING (source)
"""
)

_EVENTS = (
    """
CREATE TABLE events AS
SELECT uuid::UUID AS uuid, event,
  concat('{{"$current_url":"', url, '","$pathname":"', path, '",', shared,
    """
    + _parts(
        ("", "CASE WHEN event = '$autocapture' THEN ',\"$event_type\":\"click\"' END"),
        (
            "",
            "CASE WHEN k = 0 THEN concat("
            + _parts(
                ("utm_source", "utm_source"),
                ("utm_medium", "utm_medium"),
                ("utm_campaign", "utm_campaign"),
                ("$referring_domain", "referring_domain"),
            )
            + ") END",
        ),
        ("plan", "plan"),
        ("$group_0", "org"),
        ("amount", "amount"),
        ("", "CASE WHEN event = 'signed_up' THEN ',\"$set\":' || person_set END"),
    )
    + """, '}}') AS properties,
  ts AS timestamp, distinct_id, coalesce(elements, '') AS elements_chain,
  least(ts + to_microseconds(200000 + h2 % 4800000), {now}) AS created_at,
  session_id AS "$session_id", window_id AS "$window_id", person_id,
  browser AS p_browser, os AS p_os, device AS p_device_type, url AS p_current_url,
  path AS p_pathname, 'web' AS p_lib, plan AS p_plan, amount AS p_amount
FROM (
  SELECT e.*, f.person_id, f.person_set,
    s.session_id, s.window_id, s.os, s.device, s.shared, s.utm_source, s.utm_medium,
    s.utm_campaign, s.referring_domain,
    'https://{host}' || e.pathname AS url, e.pathname AS path, c.elements,
    -- a session's events share the first 24 hex digits (one UUID string per event is the
    -- costly part); the next 4 are unique in the session (k times an odd number, mod 2^16)
    s.uuid_prefix || printf('%04x%08x', ((h2 >> 16) + k * 40503) & 65535, h2) AS uuid
  FROM (SELECT *, _h(skey * 64 + k, {ev} + 2) AS h2 FROM _pe) e
  JOIN _pf f USING (i) JOIN _sf s USING (skey) LEFT JOIN _chains c USING (chain)
)
"""
)

# As PostHog's sessions table: one row per $session_id, aggregated from its events.
_SESSIONS = """
CREATE TABLE sessions AS
SELECT session_id, distinct_id, person_id, "$start_timestamp", "$end_timestamp",
  duration, duration AS "$session_duration",
  'https://{host}' || entry AS "$entry_current_url", entry AS "$entry_pathname",
  'https://{host}' || exit AS "$end_current_url", exit AS "$end_pathname",
  utm_source AS "$entry_utm_source", utm_medium AS "$entry_utm_medium",
  utm_campaign AS "$entry_utm_campaign", referring_domain AS "$entry_referring_domain",
  pageviews AS "$pageview_count", autocaptures AS "$autocapture_count",
  NOT (pageviews > 1 OR autocaptures > 0 OR duration >= 10) AS "$is_bounce",
  channel AS "$channel_type"
FROM _sf JOIN _pf USING (i)
ORDER BY "$start_timestamp", session_id
"""

_PERSONS = (
    """
CREATE TABLE persons AS
SELECT f.person_id AS id, coalesce(p.created_pre, first_ts) AS created_at,
  """
    + _props(
        ("$geoip_country_code", "p.country"),
        ("email", "CASE WHEN identified THEN p.email END"),
        ("name", "CASE WHEN identified THEN p.name END"),
        ("plan", "CASE WHEN identified THEN p.plan END"),
        ("$initial_utm_source", "s.utm_source"),
        ("$initial_referring_domain", "s.referring_domain"),
        ("$initial_current_url", "'https://{host}' || e.entry"),
    )
    + """ AS properties,
  identified AS is_identified
FROM _pq p JOIN _pf f USING (i) JOIN (
  SELECT i, min(ts) AS first_ts, arg_min(skey, ts) AS skey,
    arg_min(pathname, ts) AS entry, bool_or(event = 'signed_up') AS signed
  FROM _pe GROUP BY i
) e USING (i) JOIN _sf s USING (skey),
LATERAL (SELECT p.pre OR e.signed AS identified)
ORDER BY created_at, id
"""
)

_PDI = """
CREATE TABLE person_distinct_ids AS
SELECT DISTINCT distinct_id, person_id FROM (SELECT DISTINCT i, distinct_id FROM _pe)
JOIN _pf USING (i) ORDER BY person_id, distinct_id
"""

_GROUPS = (
    """
CREATE TABLE groups AS
SELECT 0 AS group_type_index, g.key AS group_key, e.created_at,
  """
    + _props(
        ("name", "g.name"),
        ("industry", "g.industry"),
        ("employee_count", "g.employees"),
    )
    + """ AS properties
FROM _pg g JOIN (SELECT org, min(ts) AS created_at FROM _pe GROUP BY org) e ON e.org = g.key
ORDER BY g.key
"""
)
