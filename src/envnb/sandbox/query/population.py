"""The seeded population behind the query API: persons, their distinct ids, organisations,
sessions and events — one consistent product history, generated in DuckDB with SQL.

Rules of this module:
1. One population: every table is derived from the same persons. A person's events carry
   that person's distinct ids and ``person_id``; ``sessions`` is aggregated from the events
   (so its bounds, counts and entry/exit URLs agree with them); a person's ``email``, ``name``
   and ``plan`` are the ``$set`` of their ``signed_up`` event; ``$initial_*`` properties are
   those of their first session.
2. Deterministic and independent of DuckDB's version: randomness is an integer hash
   (``_r(key, salt)``, a 32-bit "lowbias" mixer) of a row key and a salt made from the seed,
   never ``random()``; the same seed, size, clock and timezone give the same tables.
3. Set-based: persons x days -> sessions -> event slots are joins and ``range()``; no Python
   loop over rows (a million events build in a few seconds; ``bench/population.py``).
4. Behaviour that makes every insight mean something (docs/sandbox.md): a weekly rhythm and
   growth, a narrowing funnel ``$pageview`` -> ``signed_up`` -> ``purchase`` with a spread of
   conversion times, decaying retention, repeat events inside one hour, a missing ``$browser``,
   ``amount`` only on purchases (sometimes 0), and events at the clock's midnight and at now.

``build_population(con, seed=…, events=N, now=…, timezone=…)`` creates ``events``,
``persons``, ``person_distinct_ids``, ``sessions`` and ``groups``; ``events="tiny"`` loads the
hand-written population of ``population_tiny`` instead.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import duckdb

from .. import arguments
from . import population_finish, population_tiny

DAYS = 90
EVENTS = 75_000
TINY: Literal["tiny"] = "tiny"
# Events per person over the window at the rates below (measured: 75,000 events asked,
# 75,521 built with seed 0; test_events_sizes_the_population holds sizes to 10 %).
EVENTS_PER_PERSON = 22.5
TABLES = ("events", "persons", "person_distinct_ids", "sessions", "groups")

Size = int | Literal["tiny"]


def check_events(value: object) -> Size:
    """The ``events`` knob, checked as ``envnb sandbox --events`` checks it (arguments.py)."""
    size = arguments.events(value)
    return TINY if size == TINY else int(size)


def _salt(seed: int, stream: str) -> int:
    return zlib.crc32(f"{seed}:{stream}".encode())


def _quantiles(table: tuple[tuple[object, float], ...], size: int = 100) -> str:
    """A SQL list whose uniform pick follows the weights (an inverse CDF in ``size`` steps)."""
    total = sum(w for _, w in table)
    out: list[object] = []
    for value, weight in table:
        out += [value] * round(size * weight / total)
    out = (out + [table[-1][0]] * size)[:size]
    return "[" + ", ".join("NULL" if v is None else repr(v) for v in out) + "]"


def _pick(table: tuple[tuple[object, float], ...], u: str) -> str:
    return f"{_quantiles(table)}[1 + floor({u} * 100)::INT]"


_HOURS = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 9, 10, 10, 10, 9, 8, 6, 5, 4, 3, 2, 1)
# Chance of a visit on Monday..Sunday for a fully engaged person.
_WEEKDAY = (0.30, 0.31, 0.31, 0.30, 0.27, 0.11, 0.10)
_BROWSERS = (("Chrome", 55), ("Safari", 22), ("Firefox", 10), ("Edge", 6), ("Opera", 2), (None, 5))
_COUNTRIES = (("US", 40), ("GB", 15), ("DE", 12), ("FR", 8), ("IN", 10), ("BR", 8), ("JP", 7))
_PLANS = (("free", 62), ("pro", 25), ("enterprise", 6), (None, 7))
_ENTRY = (("/", 40), ("/blog/launch", 15), ("/pricing", 20), ("/docs", 15), ("/features", 10))
_PAGES = (("/", 15), ("/pricing", 20), ("/docs", 20), ("/dashboard", 25), ("/features", 10))
_PAGES_2 = (("/settings", 10),)
_AMOUNTS = ((0.0, 8), (29.0, 40), (49.0, 30), (99.0, 17), (290.0, 5))
_CHAIN_PICK = tuple((c, 1.0) for c in range(len(population_finish.CHAINS)))
_FIRST = ("Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro",
          "Ines", "Jonas", "Kemi", "Liam", "Maya", "Noor", "Oscar", "Priya")  # fmt: skip
_LAST = ("Khan", "Smith", "Garcia", "Meyer", "Okafor", "Tanaka", "Rossi", "Silva",
         "Nguyen", "Kowalski", "Dubois", "Larsen", "Haddad", "Cohen", "Ivanova",
         "Patel")  # fmt: skip
_ORGS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries",
         "Wayne Enterprises", "Tyrell", "Soylent", "Cyberdyne", "Wonka", "Gringotts")  # fmt: skip
_INDUSTRIES = ("software", "retail", "finance", "health", "media")


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


# Index into population_finish.SOURCES (utm / referrer of a session's first event).
_SOURCE = ((0, 12), (1, 25), (2, 8), (3, 10), (4, 35), (5, 10))


def _days_sql(now: datetime, timezone: str) -> str:
    """The window's local days: index, start instant, length in seconds, weekday (Mon = 0)."""
    zone = ZoneInfo(timezone)
    last = now.astimezone(zone).date()
    rows = []
    for d in range(DAYS + 1):  # one more start: the end of the last day
        day = last - timedelta(days=DAYS - 1 - d)
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        rows.append((d, start, day.weekday()))
    values = ", ".join(
        f"({d}, TIMESTAMPTZ '{s.isoformat()}', {int((rows[d + 1][1] - s).total_seconds())}, {wd})"
        for d, s, wd in rows[:-1]
    )
    return f"SELECT * FROM (VALUES {values}) v(d, start, secs, wd)"


def build_population(
    con: duckdb.DuckDBPyConnection,
    *,
    seed: int = 0,
    events: Size = EVENTS,
    now: datetime,
    timezone: str = "UTC",
) -> None:
    """Create the five tables (``TABLES``) in ``con`` for the 90 local days ending at ``now``."""
    size = check_events(events)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    population_finish.define_macros(con)
    try:
        if isinstance(size, int):
            _stage(con, seed, size, now, timezone)
        else:
            population_tiny.stage(con, now=now, timezone=timezone)
        population_finish.finish(con, seed=seed, now=now)
    finally:
        population_finish.drop_staging(con)


def _stage(con: duckdb.DuckDBPyConnection, seed: int, size: int, now: datetime, tz: str) -> None:
    """Fill the staging tables ``_pq`` (persons), ``_pe`` (wide events), ``_pg`` (orgs)."""
    persons = 0 if size == 0 else max(1, round(size / EVENTS_PER_PERSON))
    parts = _sql_parts(seed)
    now_sql = f"TIMESTAMPTZ '{now.isoformat()}'"
    con.execute(f"CREATE TEMP TABLE _days AS {_days_sql(now, tz)}")
    for sql in (_PERSONS, _ACTIVE, _SESSIONS, _SESSIONS_2, _SLOTS, _EDGES, _GROUPS):
        con.execute(sql.format(n=persons, now=now_sql, weekday=list(_WEEKDAY), **parts))
    con.execute(f"DELETE FROM _pe WHERE ts > {now_sql}")


def _lo(column: str) -> str:
    return f"(({column} & 65535) / 65536.0)"


def _hi(column: str) -> str:
    return f"(({column} >> 16) / 65536.0)"


def _sql_parts(seed: int) -> dict[str, str]:
    """The random expressions of the staging SQL, by name. A statement hashes each row a few
    times (``_h`` columns named below, computed once in an inner SELECT) and slices each
    32-bit hash into two 16-bit uniforms: DuckDB's planner pays for every macro call."""

    def hashes(key: str, prefix: str, count: int) -> str:
        return ", ".join(
            f"_h({key}, {_salt(seed, f'{prefix}{n}')}) AS {prefix}{n}" for n in range(count)
        )

    return {
        "person_hashes": hashes("i", "hp", 10),
        "day_hashes": hashes("i * 128 + d", "hd", 1),
        "session_hashes": hashes("skey", "hs", 5),
        "slot_hashes": hashes("skey * 64 + k", "ht", 3),
        "chain_pages": _list(tuple(page for page, _ in population_finish.CHAINS)),
        "first": _list(_FIRST),
        "last": _list(_LAST),
        "orgs": _list(_ORGS),
        "industries": _list(_INDUSTRIES),
        "u_pre": _lo("hp0"),
        "u_join": _hi("hp0"),
        "u_eng": _lo("hp1"),
        "u_churn": _hi("hp1"),
        "u_signs": _lo("hp2"),
        "u_sdelay": _hi("hp2"),
        "u_buyer": _lo("hp3"),
        "u_pdelay": _hi("hp3"),
        "browser": _pick(_BROWSERS, _lo("hp4")),
        "country": _pick(_COUNTRIES, _hi("hp4")),
        "plan": _pick(_PLANS, _lo("hp5")),
        "u_org": _hi("hp5"),
        "u_created": _lo("hp6"),
        "u_active": _lo("hd0"),
        "u_two": _hi("hd0"),
        "u_nb": _lo("hs0"),
        "u_gap": _hi("hs0"),
        "hour": _pick(tuple((h, w) for h, w in enumerate(_HOURS)), _lo("hs1")),
        "u_minute": _hi("hs1"),
        "u_leave": _lo("hs2"),
        "u_repeat": _hi("hs2"),
        "u_invite": _lo("hs3"),
        "u_later": _hi("hs3"),
        "source": _pick(_SOURCE, _lo("hs4")),
        "u_start2": _hi("hs4"),
        "u_slot": _lo("ht0"),
        "entry": _pick(_ENTRY, _hi("ht0")),
        "page": _pick(_PAGES + _PAGES_2, _hi("ht0")),
        "chain": _pick(_CHAIN_PICK, _lo("ht1")),
        "amount": _pick(_AMOUNTS, _hi("ht1")),
        "u_jitter": _lo("ht2"),
    }


# Persons: a third predate the window (identified, active from day 0); the others first
# visit on a day drawn from a growing density (inverse CDF of 1 + 2d/90: x = 45(sqrt(1+8u)-1)).
# Person 0 predates the window and only carries the clock-edge events (see _EDGES).
_PERSONS = """
CREATE TEMP TABLE _pq AS
SELECT i, pre, j, eng, churn, signs, sdelay, buyer, pdelay, browser, country, plan, org,
  created_pre,
  printf('%08x-%04x-4%03x-%04x-%04x%08x', hp6, hp7 >> 16, hp7 & 4095,
         32768 + (hp8 & 16383), hp8 >> 16, xor(hp6, hp7)) AS id,
  printf('%08x-%04x-4%03x-%04x-%04x%08x', hp9, hp8 & 65535, (hp7 >> 4) & 4095,
         32768 + (hp9 & 16383), hp6 >> 16, xor(hp8, hp9)) AS anon_id,
  'user-' || lpad(i::VARCHAR, 5, '0') AS ident_id,
  {first}[1 + i % 16] || ' ' || {last}[1 + (i // 16) % 16] AS name,
  lower({first}[1 + i % 16] || '.' || {last}[1 + (i // 16) % 16]) || i::VARCHAR
      || '@' || lower(replace({orgs}[1 + org % 12], ' ', '')) || '.example' AS email,
  'org-' || lpad(org::VARCHAR, 4, '0') AS org_key
FROM (
  SELECT *,
    CASE WHEN pre THEN 0 ELSE least(89, floor(45 * (sqrt(1 + 8 * {u_join}) - 1)))::INT END
        AS j,
    0.4 + 0.9 * {u_eng} AS eng,
    floor(-ln(1 - {u_churn}) * 35)::INT AS churn,
    NOT pre AND {u_signs} < 0.62 AS signs,
    CASE WHEN {u_sdelay} < 0.45 THEN 0 ELSE 1 + floor({u_sdelay} * {u_sdelay} * 13)::INT END
        AS sdelay,
    {u_buyer} < CASE WHEN pre THEN 0.2 ELSE 0.32 END AS buyer,
    floor({u_pdelay} * {u_pdelay} * 15)::INT AS pdelay,
    CASE WHEN i = 0 THEN 'Chrome' ELSE {browser} END AS browser,
    {country} AS country, {plan} AS plan,
    floor({u_org} * greatest(1, {n} // 9))::INT AS org,
    CASE WHEN pre THEN (SELECT min(start) FROM _days)
         - to_seconds(86400 * 30 + floor({u_created} * 86400 * 400)::BIGINT) END AS created_pre
  FROM (
    SELECT *, i = 0 OR {u_pre} < 0.33 AS pre
    FROM (SELECT i, {person_hashes} FROM range({n}) t(i))
  )
)
"""

# Active days: the first visit, the sign-up day and the first purchase day always; otherwise
# a weekday-shaped chance scaled by engagement, decaying with age and falling after churn.
_ACTIVE = """
CREATE TEMP TABLE _ad AS
SELECT * EXCLUDE (hd0, wd),
  signs AND d = j + sdelay AS sign_day,
  buyer AND NOT pre AND signs AND d = j + sdelay + pdelay AS buy_day,
  (pre OR (signs AND d > j + sdelay)) AS known,
  (buyer AND (pre OR (signs AND d > j + sdelay + pdelay))) AS repeat_buyer,
  CASE WHEN {u_two} < 0.3 THEN 2 ELSE 1 END AS ns
FROM (SELECT *, {day_hashes} FROM _pq JOIN _days ON d >= j WHERE i > 0)
WHERE (d = j AND NOT pre)
  OR (signs AND d = j + sdelay)
  OR (buyer AND NOT pre AND signs AND d = j + sdelay + pdelay)
  OR {u_active} < {weekday}[wd + 1] * eng * CASE
       WHEN d - j > churn + 7 THEN 0.12
       ELSE 0.3 + 0.7 * exp(-(d - j + CASE WHEN pre THEN 40 ELSE 0 END) / 12.0) END
"""

# Sessions: up to two a day, three or more hours apart, never crossing the day's end. A
# session is slots: nb pageviews/clicks, then signed_up, purchases, an invite, a pageleave.
_SESSION_COLUMNS = """
SELECT *, nb + sig + pur + inv + lv AS n FROM (
 SELECT *,
  least(30, 1 + floor(-ln(1 - {u_nb}) * 3.2))::INT AS nb,
  (20 + floor({u_gap} * 200))::INT AS gap,
  (sign_day AND s = 0)::INT AS sig,
  CASE WHEN buy_day AND s = 0 THEN 1 + ({u_repeat} < 0.35)::INT + ({u_repeat} < 0.1)::INT
       WHEN repeat_buyer AND {u_later} < 0.07 THEN 1 + ({u_repeat} < 0.2)::INT
       ELSE 0 END AS pur,
  (known AND {u_invite} < 0.05)::INT AS inv,
  ({u_leave} < 0.6)::INT AS lv,
  {source} AS source
 FROM (SELECT *, {session_hashes} FROM (%s)))
"""
_HASHES = "hs0, hs1, hs2, hs3, hs4"
_SESSIONS = (
    """
CREATE TEMP TABLE _s0 AS
SELECT *, least({hour} * 3600 + floor({u_minute} * 3600)::INT, secs - 1 - n * gap) AS st
FROM ("""
    + _SESSION_COLUMNS % "SELECT *, 0 AS s, (i * 128 + d) * 2 AS skey FROM _ad"
    + ")"
)
_SECOND = f"""SELECT * EXCLUDE (nb, gap, sig, pur, inv, lv, source, n, st, s, skey, {_HASHES}),
  1 AS s, skey + 1 AS skey, st + n * gap + 10800 AS st0 FROM _s0 WHERE ns = 2"""
_SESSIONS_2 = (
    f"""
CREATE TEMP TABLE _ss AS
SELECT * EXCLUDE ({_HASHES}) FROM _s0
UNION ALL BY NAME
SELECT * EXCLUDE ({_HASHES}, st0) FROM (
  SELECT *, st0 + floor({{u_start2}} * 14400)::INT AS st FROM ("""
    + _SESSION_COLUMNS % _SECOND
    + """)
) WHERE st + n * gap < secs
"""
)

# Event slots of each session, in time order (slot k lies in [k*gap, k*gap + 0.8 gap)).
# From the sign-up slot on, a person is identified: their ident_id, plan and organisation.
_SLOTS = """
CREATE TEMP TABLE _pe AS
SELECT i, skey, k, ev AS event,
  start + to_microseconds(((st + k * gap) * 1000000
                           + floor({u_jitter} * gap * 800000))::BIGINT) AS ts,
  CASE WHEN known_now THEN ident_id ELSE anon_id END AS distinct_id,
  CASE ev WHEN '$autocapture' THEN {chain_pages}[1 + {chain}]
          WHEN 'signed_up' THEN '/signup' WHEN 'purchase' THEN '/checkout'
          WHEN 'invite_sent' THEN '/settings'
          ELSE CASE WHEN k = 0 THEN {entry} ELSE {page} END END AS pathname,
  CASE WHEN ev = '$autocapture' THEN {chain} END AS chain,
  CASE WHEN ev = 'purchase' THEN {amount}::DOUBLE END AS amount,
  CASE WHEN k = 0 THEN source END AS source,
  browser, country,
  CASE WHEN known_now THEN plan END AS plan,
  CASE WHEN known_now THEN org_key END AS org
FROM (
  SELECT *, CASE
    WHEN k = 0 THEN '$pageview'
    WHEN k < nb THEN CASE WHEN {u_slot} < 0.55 THEN '$pageview' ELSE '$autocapture' END
    WHEN k < nb + sig THEN 'signed_up'
    WHEN k < nb + sig + pur THEN 'purchase'
    WHEN k < nb + sig + pur + inv THEN 'invite_sent'
    ELSE '$pageleave' END AS ev,
    known OR (sign_day AND (k >= nb OR s = 1)) AS known_now
  FROM (SELECT *, {slot_hashes} FROM (SELECT *, unnest(range(n)) AS k FROM _ss))
)
"""

# Person 0's two one-pageview sessions: exactly at the clock's local midnight and at now.
_EDGES = """
INSERT INTO _pe BY NAME
SELECT p.i, e.skey, 0 AS k, '$pageview' AS event, e.ts, p.ident_id AS distinct_id,
       '/' AS pathname, NULL AS chain, NULL AS amount, 4 AS source, p.browser, p.country,
       p.plan, p.org_key AS org
FROM _pq p, (VALUES (1099511627776, (SELECT max(start) FROM _days)), (1099511627777, {now}))
     e(skey, ts)
WHERE p.i = 0
"""

# Organisations: the $group_0 of identified persons (created when first seen in events).
_GROUPS = """
CREATE TEMP TABLE _pg AS
SELECT DISTINCT org_key AS key,
  {orgs}[1 + org % 12] || CASE WHEN org >= 12 THEN ' ' || (org // 12 + 1) ELSE '' END AS name,
  {industries}[1 + org % 5] AS industry, 5 + (org * 37) % 495 AS employees
FROM _pq
"""
