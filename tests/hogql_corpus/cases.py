# ruff: noqa: E501  (queries stay on one line, as PostHog's tests and docs write them)
"""The corpus: HogQL queries with the answer PostHog states for them.

Each case records its source:
- ``TQ:<test>``: PostHog/posthog ``posthog/hogql/test/test_query.py``, that test's query and
  its asserted answer (or refusal).
- ``CH:<function>``: a function PostHog's SQL docs list (posthog.com/docs/sql, "Supported
  functions"), with the answer ClickHouse's reference gives for that call, which HogQL passes
  through.
- ``DOCS:<page>``: a query shape from posthog.com's SQL docs/tutorials (SQL insight templates
  with ``{filters}``); answers over the sandbox's data are counted independently in the test.
- ``CONTRACT:§15``: the facts of /work/shared/posthog-api-contract.md §15 (PostHog's printer).

The sandbox's clock is pinned at ``CLOCK`` (a Monday, noon UTC), so clock answers are literal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CLOCK = datetime(2026, 3, 2, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    source: str
    query: str
    rows: list[list[Any]] | None = None  # the expected ``results``
    error: tuple[str, str] | None = None  # (code, the detail's start)
    columns: list[str] | None = None
    types: list[list[str]] | None = None
    hogql: str | None = None  # the echoed query
    body: dict[str, Any] = field(default_factory=dict)  # extra fields of the HogQLQuery


_NULL_OPS = [
    ("null", "=", "2", 0),
    ("2", "=", "null", 0),
    ("3", "=", "3", 1),
    ("null", "=", "null", 1),
    ("null", "!=", "2", 1),
    ("null", "!=", "null", 0),
    ("3", "!=", "4", 1),
    ("null", "<", "2", 0),
    ("2", "<", "null", 0),
    ("3", "<", "4", 1),
    ("null", "<=", "null", 0),
    ("3", "<=", "3", 1),
    ("null", ">", "2", 0),
    ("4", ">", "3", 1),
    ("null", ">=", "2", 0),
    ("3", ">=", "3", 1),
    ("null", "like", "'2'", 0),
    ("null", "like", "null", 1),
    ("'3'", "like", "'3'", 1),
    ("null", "not like", "'2'", 1),
    ("'3'", "not like", "'3'", 0),
    ("null", "ilike", "null", 1),
    ("'2'", "not ilike", "null", 1),
    ("null", "=~", "'2'", 0),
    ("null", "=~", "null", 1),
    ("'3'", "=~", "'3'", 1),
    ("null", "!~", "'2'", 1),
    ("'3'", "!~", "'3'", 0),
    ("'3'", "=~*", "'3'", 1),
    ("null", "!~*", "null", 0),
]
_BETWEEN = [
    ("5 between 1 and 10", 1),
    ("1 between 1 and 10", 1),
    ("10 between 1 and 10", 1),
    ("0 between 1 and 10", 0),
    ("11 between 1 and 10", 0),
    ("5 not between 1 and 10", 0),
    ("0 not between 1 and 10", 1),
    ("10 not between 1 and 10", 0),
    ("null between 1 and 10", 0),
    ("5 between null and 10", 0),
    ("5 between 1 and null", 0),
]

CASES: list[Case] = [
    *[
        Case("TQ:test_null_equality", f"select {a} {op} {b}", [[res]])
        for a, op, b, res in _NULL_OPS
    ],
    *[
        Case(
            "TQ:test_null_equality (via a subquery)",
            f"select a {op} b from (select {a} as a, {b} as b)",
            [[res]],
        )
        for a, op, b, res in _NULL_OPS[:8]
    ],
    *[Case("TQ:test_between_operators", f"select {expr}", [[res]]) for expr, res in _BETWEEN],
    Case(
        "TQ:test_regex_functions",
        "SELECT 'kala' ~ '.*', 'kala' =~ '.*', 'kala' !~ '.*', 'kala' =~ 'a', 'kala' !~ 'a', "
        "'kala' =~ 'A', 'kala' !~ 'A', 'kala' ~* 'A', 'kala' =~* 'A', 'kala' !~* 'A'",
        [[1, 1, 0, 1, 0, 0, 1, 1, 1, 0]],
    ),
    Case(
        "TQ:test_nullish_coalescing",
        "SELECT null ?? 1, null ?? null ?? 2, 3 ?? null, null ?? 'string', 1 + (null ?? 2) + 3, "
        "1 + null ?? 2 + 3, 10 ?? true ? 20 : 30, 10 ?? 5 + 10",
        [[1, 2, 3, "string", 6, 5, 20, 10]],
    ),
    Case("TQ:test_numbers_table", "SELECT number from numbers(1, 4)", [[1], [2], [3], [4]]),
    Case("TQ:test_numbers_table", "SELECT * from numbers(1, 4)", [[1], [2], [3], [4]]),
    Case("TQ:test_numbers_table", "SELECT number from numbers(4)", [[0], [1], [2], [3]]),
    Case("TQ:test_numbers_table", "SELECT number from numbers(2 + 2)", [[0], [1], [2], [3]]),
    Case(
        "TQ:test_numbers_table",
        "SELECT number + number + 1 from numbers(2 + 2)",
        [[1], [3], [5], [7]],
    ),
    Case(
        "TQ:test_numbers_table",
        "SELECT number from numbers(assumeNotNull(dateDiff('day', "
        "toStartOfDay(toDateTime('2011-12-31 00:00:00')), toDateTime('2012-01-14 23:59:59'))))",
        [[i] for i in range(14)],
    ),
    Case(
        "TQ:test_numbers_table",
        "SELECT number from numbers()",
        error=("hogql_query_error", "Table function 'numbers' requires at least 1 argument"),
    ),
    Case(
        "TQ:test_numbers_table",
        "SELECT number from numbers(1,2,3)",
        error=("hogql_query_error", "Table function 'numbers' requires at most 2 arguments"),
    ),
    Case(
        "TQ:test_events_table_error_if_function",
        "SELECT * from events(1, 4)",
        error=("hogql_query_error", "Table 'events' does not accept arguments"),
    ),
    Case("TQ:test_hogql_arrays", "SELECT [1, 2, 3], [10,11,12][1]", [[[1, 2, 3], 10]]),
    Case("TQ:test_hogql_lambdas", "SELECT arrayMap(x -> x * 2, [1, 2, 3]), 1", [[[2, 4, 6], 1]]),
    Case(
        "TQ:test_property_access_with_arrays_zero_index_error",
        "SELECT properties.something[0] FROM events",
        error=("hogql_query_error", "SQL indexes start from one, not from zero. E.g: array[1]"),
    ),
    Case(
        "TQ:test_property_access_with_arrays_zero_index_error",
        "SELECT properties.something.0 FROM events",
        error=("hogql_query_error", "SQL indexes start from one, not from zero. E.g: array.1"),
    ),
    Case(
        "TQ:test_variables_missing_from_query_with_suggestion",
        "SELECT {variables.variable_two}",
        error=(
            "hogql_query_error",
            "Variable variable_two is missing from query. Did you mean: variable_one?",
        ),
        body={"variables": {"v1": {"code_name": "variable_one", "variableId": "v1", "value": "x"}}},
    ),
    Case(
        "TQ:test_variables (a variable's value)",
        "SELECT {variables.variable_one}",
        [["value"]],
        body={
            "variables": {"v1": {"code_name": "variable_one", "variableId": "v1", "value": "value"}}
        },
    ),
    Case(
        "TQ:test_hogql_query_filters_empty_true",
        "SELECT event from events where {filters}",
        hogql="SELECT event FROM events WHERE true LIMIT 100",
    ),
    Case(
        "TQ:test_hogql_union_all_limits",
        "SELECT event FROM events UNION ALL SELECT event FROM events",
        hogql="SELECT event FROM events LIMIT 100 UNION ALL SELECT event FROM events LIMIT 100",
    ),
    Case(
        "TQ:test_hogql_groupby_unnecessary_ifnull (alias shadows the column)",
        "select toDate(timestamp) as timestamp, count() as cnt from events "
        "where timestamp >= addDays(today(), -10) and timestamp < addDays(today(), -100) "
        "group by timestamp having cnt > 10 limit 1",
        [],
    ),
    Case(
        "TQ:test_tuple_access",
        "select (1, 'a').1, (1, 'a').2, tupleElement((5, 6), 2)",
        [[1, "a", 6]],
    ),
    # -- reserved words and the grammar (PostHog's parser) --
    Case(
        "PostHog parser: RESERVED_KEYWORDS (posthog/hogql/constants.py)",
        "select 1 as team_id",
        error=(
            "hogql_syntax_error",
            '"team_id" cannot be an alias or identifier, as it\'s a reserved keyword',
        ),
    ),
    Case(
        "PostHog parser: RESERVED_KEYWORDS",
        "select 1 as true",
        error=("hogql_syntax_error", '"true" cannot be an alias or identifier'),
    ),
    Case(
        "PostHog parser",
        "select 1 from events where",
        error=("hogql_syntax_error", "no viable alternative at input"),
    ),
    Case(
        "PostHog printer: unknown function",
        "select fooBarBaz(1)",
        error=("hogql_query_error", "Unsupported function call 'fooBarBaz(...)'"),
    ),
    Case(
        "PostHog functions/core.py validate_function_args",
        "select toStartOfDay()",
        error=("hogql_query_error", "Function 'toStartOfDay' expects at least 1 argument, found 0"),
    ),
    Case(
        "PostHog functions/core.py validate_function_args",
        "select if(1, 2)",
        error=("hogql_query_error", "Function 'if' expects 3 arguments, found 2"),
    ),
    Case(
        # mapping.py: "sumIf": HogQLFunctionMeta("sumIf", 2, 2), the condition counted.
        "PostHog functions/mapping.py sumIf 2..2",
        "select sumIf(number) from numbers(3)",
        error=("hogql_query_error", "Function 'sumIf' expects 2 arguments, found 1"),
    ),
    Case(
        "PostHog functions/mapping.py countIf 1..2",
        "select countIf() from numbers(3)",
        error=("hogql_query_error", "Function 'countIf' expects at least 1 argument, found 0"),
    ),
    Case(
        "PostHog resolver",
        "select nope from events",
        error=("hogql_query_error", "Unable to resolve field: nope"),
    ),
    Case(
        "PostHog database",
        "select 1 from nope_table",
        error=("hogql_query_error", "Unknown table `nope_table`."),
    ),
    # -- the clock (CONTRACT §15: now()/today() and what nests on them read the query clock) --
    Case("CONTRACT:§15 clock", "select now()", [["2026-03-02T12:00:00Z"]]),
    Case("CONTRACT:§15 clock", "select today(), yesterday()", [["2026-03-02", "2026-03-01"]]),
    Case(
        "CONTRACT:§15 clock + team week start (Sunday)",
        "select toStartOfWeek(now()), toStartOfWeek(now(), 1), toMonday(today())",
        [["2026-03-01", "2026-03-02", "2026-03-02"]],
    ),
    Case(
        "CONTRACT:§15 clock",
        "select toStartOfMonth(now()), toStartOfDay(now()), now() - interval 1 day",
        [["2026-03-01", "2026-03-02T00:00:00Z", "2026-03-01T12:00:00Z"]],
    ),
    Case(
        "CONTRACT:§15 clock",
        "select dateDiff('day', toDate('2026-01-01'), today())",
        [[60]],
    ),
    # -- Date results and PostHog's column names --
    Case(
        "CONTRACT:§15 toStartOfMonth is a Date named toStartOfMonth(timestamp)",
        "select toStartOfMonth(timestamp) from events where timestamp = "
        "(select min(timestamp) from events)",
        [["2025-12-01"]],
        columns=["toStartOfMonth(timestamp)"],
        types=[["toStartOfMonth(timestamp)", "Date"]],
    ),
    Case(
        "CONTRACT:§15 column names of unaliased expressions",
        "select count(), 1 + 2 from events where 0",
        [[0, 3]],
        columns=["count()", "plus(1, 2)"],
    ),
    Case(
        "CONTRACT:§15 comparisons are 0/1 named as PostHog prints them",
        "select event = '$pageleave', event != '$pageleave' from events "
        "where event = '$pageleave' limit 1",
        [[1, 0]],
        columns=["equals(event, '$pageleave')", "notEquals(event, '$pageleave')"],
    ),
    Case("CONTRACT:§15 sum of no rows is 0", "select sum(number) from numbers(0)", [[0]]),
    Case(
        "CONTRACT:§15 concat reads NULL as ''",
        "select concat('a', null, 'b'), concat(properties.nope, '-', event) from events "
        "where event = 'purchase' limit 1",
        [["ab", "-purchase"]],
    ),
    Case(
        "TQ:test_null_properties (missing property is NULL)",
        "select properties.undefined from events limit 1",
        [[None]],
        types=[["properties.undefined", "Nullable(String)"]],
    ),
    Case(
        "CONTRACT:§15 OrNull casts",
        "select toInt('12'), toInt('x'), toFloat('1.5'), toFloat('nope'), toDate('2024-02-30'), "
        "toDate('2024-02-29')",
        [[12, None, 1.5, None, None, "2024-02-29"]],
    ),
    # -- functions PostHog's SQL docs list, answers from ClickHouse's reference --
    Case("CH:dateName", "select dateName('month', toDate('2021-04-14'))", [["April"]]),
    Case("CH:dateName", "select dateName('year', toDate('2021-04-14'))", [["2021"]]),
    Case(
        "CH:toYear/toMonth",
        "select toYear(toDate('2023-04-21')), toMonth(toDate('2023-04-21'))",
        [[2023, 4]],
    ),
    Case("CH:toDayOfWeek", "select toDayOfWeek(toDate('2023-04-21'))", [[5]]),
    Case("CH:toHour", "select toHour(toDateTime('2023-04-21 10:20:30'))", [[10]]),
    Case(
        "CH:toStartOfHour",
        "select toStartOfHour(toDateTime('2023-04-21 10:20:30'))",
        [["2023-04-21T10:00:00Z"]],
    ),
    Case("CH:toStartOfQuarter", "select toStartOfQuarter(toDate('2023-05-21'))", [["2023-04-01"]]),
    Case("CH:toStartOfYear", "select toStartOfYear(toDate('2023-05-21'))", [["2023-01-01"]]),
    Case(
        "CH:toStartOfFifteenMinutes",
        "select toStartOfFifteenMinutes(toDateTime('2023-04-21 10:20:30'))",
        [["2023-04-21T10:15:00Z"]],
    ),
    Case(
        "CH:dateDiff", "select dateDiff('month', toDate('2024-01-31'), toDate('2024-02-01'))", [[1]]
    ),
    Case(
        "CH:dateDiff",
        "select dateDiff('hour', toDateTime('2024-01-01 00:00:00'), toDateTime('2024-01-01 05:59:59'))",
        [[5]],
    ),
    Case("CH:dateAdd", "select dateAdd('day', 3, toDate('2024-02-27'))", [["2024-03-01"]]),
    Case(
        "CH:addDays",
        "select addDays(toDate('2024-02-28'), 1), addMonths(toDate('2024-01-31'), 1)",
        [["2024-02-29", "2024-02-29"]],
    ),
    Case("CH:subtractDays", "select subtractDays(toDate('2024-03-01'), 1)", [["2024-02-29"]]),
    Case(
        "CH:fromUnixTimestamp", "select fromUnixTimestamp(1700000000)", [["2023-11-14T22:13:20Z"]]
    ),
    Case(
        "CH:toUnixTimestamp",
        "select toUnixTimestamp(toDateTime('2023-11-14 22:13:20'))",
        [[1700000000]],
    ),
    Case(
        "CH:toYYYYMM",
        "select toYYYYMM(toDate('2023-11-14')), toYYYYMMDD(toDate('2023-11-14'))",
        [[202311, 20231114]],
    ),
    Case(
        "CH:formatDateTime",
        "select formatDateTime(toDate('2023-11-14'), '%Y/%m/%d')",
        [["2023/11/14"]],
    ),
    Case("CH:lower/upper", "select lower('AbC'), upper('AbC')", [["abc", "ABC"]]),
    Case("CH:length", "select length('hello'), length([1, 2, 3]), length('')", [[5, 3, 0]]),
    Case(
        "CH:substring",
        "select substring('ClickHouse', 6), substring('ClickHouse', 1, 5)",
        [["House", "Click"]],
    ),
    Case("CH:replaceOne", "select replaceOne('a-b-c', '-', '+')", [["a+b-c"]]),
    Case("CH:replaceAll", "select replaceAll('a-b-c', '-', '+')", [["a+b+c"]]),
    Case(
        "CH:replaceRegexpOne",
        "select replaceRegexpOne('2020-01-31', '(\\\\d+)-(\\\\d+)-(\\\\d+)', '\\\\3/\\\\2/\\\\1')",
        [["31/01/2020"]],
    ),
    Case(
        "CH:replaceRegexpAll",
        "select replaceRegexpAll('Hello, World!', '.', 'x')",
        [["xxxxxxxxxxxxx"]],
    ),
    Case("CH:match", "select match('Hello World', 'W.rld'), match('Hello', '^x')", [[1, 0]]),
    Case(
        "CH:extract",
        "select extract('number: 123', '\\\\d+'), extract('key=val', 'key=(\\\\w+)')",
        [["123", "val"]],
    ),
    Case("CH:splitByChar", "select splitByChar(',', '1,2,3')", [[["1", "2", "3"]]]),
    Case("CH:trim", "select trim('  x  '), trimLeft('  x'), trimRight('x  ')", [["x", "x", "x"]]),
    Case(
        "CH:position", "select position('Hello, world!', 'world'), position('abc', 'z')", [[8, 0]]
    ),
    Case(
        "CH:startsWith/endsWith",
        "select startsWith('ClickHouse', 'Click'), endsWith('ClickHouse', 'house')",
        [[1, 0]],
    ),
    Case(
        "CH:empty/notEmpty",
        "select empty(''), notEmpty('a'), empty([]), notEmpty([1])",
        [[1, 1, 1, 1]],
    ),
    Case(
        "CH:like/ilike",
        "select like('Hello', 'H%'), ilike('Hello', 'h%'), 'Hello' not like 'x%'",
        [[1, 1, 1]],
    ),
    Case(
        "CH:domain/path",
        "select domain('https://posthog.com/docs/sql?x=1'), path('https://posthog.com/docs/sql?x=1')",
        [["posthog.com", "/docs/sql"]],
    ),
    Case(
        "CH:extractURLParameter",
        "select extractURLParameter('https://a.io/?utm_source=google&x=1', 'utm_source')",
        [["google"]],
    ),
    Case(
        "CH:JSONExtractString",
        'select JSONExtractString(\'{"a": "hello", "b": [-100, 200.0, 300]}\', \'a\')',
        [["hello"]],
    ),
    Case(
        "CH:JSONExtractInt",
        'select JSONExtractInt(\'{"a": "hello", "b": [-100, 200.0, 300]}\', \'b\', 1)',
        [[-100]],
    ),
    Case(
        "CH:JSONExtractFloat",
        'select JSONExtractFloat(\'{"a": "hello", "b": [-100, 200.0, 300]}\', \'b\', 2)',
        [[200.0]],
    ),
    Case(
        "CH:JSONHas",
        "select JSONHas('{\"a\": \"hello\", \"b\": [-100, 200.0, 300]}', 'b'), JSONHas('{\"a\": 1}', 'c')",
        [[1, 0]],
    ),
    Case(
        "CH:JSONLength",
        'select JSONLength(\'{"a": "hello", "b": [-100, 200.0, 300]}\', \'b\')',
        [[3]],
    ),
    Case(
        "CH:JSONExtractString (missing is '')",
        "select JSONExtractString('{\"a\": 1}', 'zz')",
        [[""]],
    ),
    Case(
        "CH:if/multiIf",
        "select if(1 > 2, 'a', 'b'), multiIf(1 > 2, 'x', 2 > 1, 'y', 'z')",
        [["b", "y"]],
    ),
    Case(
        "CH:coalesce/ifNull/nullIf",
        "select coalesce(null, null, 3), ifNull(null, 'd'), nullIf(1, 1), nullIf(1, 2)",
        [[3, "d", None, 1]],
    ),
    Case("CH:isNull/isNotNull", "select isNull(null), isNotNull(1)", [[1, 1]]),
    Case(
        "HogQL CASE (parsed to multiIf/transform)",
        "select case when 1 = 2 then 'a' else 'b' end, case 2 when 1 then 'one' when 2 then 'two' else 'many' end",
        [["b", "two"]],
    ),
    Case(
        "CH:round/floor/ceil",
        "select round(3.14159, 2), floor(2.7), ceil(2.1), abs(-3)",
        [[3.14, 2.0, 3.0, 3]],
    ),
    Case("CH:intDiv/modulo", "select intDiv(7, 2), 7 % 3, 7 / 2", [[3, 1, 3.5]]),
    Case("CH:greatest/least", "select greatest(1, 5, 3), least(4, 2, 8)", [[5, 2]]),
    Case("CH:arrayFilter", "select arrayFilter(x -> x > 1, [1, 2, 3])", [[[2, 3]]]),
    Case(
        "CH:arrayExists/arrayCount",
        "select arrayExists(x -> x = 2, [1, 2]), arrayCount(x -> x > 1, [1, 2, 3])",
        [[1, 2]],
    ),
    Case(
        "CH:has/indexOf",
        "select has([1, 2, 3], 2), has([1], 5), indexOf(['a', 'b'], 'b')",
        [[1, 0, 2]],
    ),
    Case("CH:range", "select range(5), range(1, 4)", [[[0, 1, 2, 3, 4], [1, 2, 3]]]),
    Case(
        "CH:arraySort/arrayReverse",
        "select arraySort([3, 1, 2]), arrayReverse([1, 2, 3])",
        [[[1, 2, 3], [3, 2, 1]]],
    ),
    Case(
        "CH:arraySum/arrayMax",
        "select arraySum([1, 2, 3]), arrayMax([1, 5, 2]), arrayMin([4, 2])",
        [[6, 5, 2]],
    ),
    Case("CH:arrayJoin", "select arrayJoin([1, 2, 3]) as x order by x", [[1], [2], [3]]),
    Case("CH:arrayStringConcat", "select arrayStringConcat(['a', 'b', 'c'], '-')", [["a-b-c"]]),
    Case("CH:arraySlice", "select arraySlice([1, 2, 3, 4, 5], 2, 3)", [[[2, 3, 4]]]),
    Case("CH:countEqual", "select countEqual([1, 2, 2, 3], 2)", [[2]]),
    Case(
        "CH:groupArray (skips NULL)",
        "select groupArray(x) from (select arrayJoin([1, null, 3]) as x)",
        [[[1, 3]]],
    ),
    Case(
        "CH:count/countIf/sumIf/avgIf",
        "select count(), countIf(number > 5), sumIf(number, number > 5), avgIf(number, number < 4) from numbers(10)",
        [[10, 4, 30, 1.5]],
    ),
    Case(
        "CH:uniq/uniqExact/count distinct",
        "select uniq(number % 3), uniqExact(number % 4), count(distinct number % 5) from numbers(10)",
        [[3, 4, 5]],
    ),
    Case(
        "CH:min/max/any/argMax",
        "select min(number), max(number), argMax(number * 10, number), argMin(number * 10, number) from numbers(5)",
        [[0, 4, 40, 0]],
    ),
    Case(
        "CH:quantile/median",
        "select quantile(0.5)(number), median(number) from numbers(5)",
        [[2.0, 2.0]],
    ),
    Case(
        "CH:quantiles",
        "select quantiles(0.0, 0.5, 1.0)(number) from numbers(5)",
        [[[0.0, 2.0, 4.0]]],
    ),
    Case(
        "CH:window row_number/lagInFrame",
        "select number, row_number() over (order by number), lagInFrame(number) over (order by number rows between unbounded preceding and unbounded following) from numbers(3)",
        [[0, 1, 0], [1, 2, 0], [2, 3, 1]],
    ),
    Case(
        "CH:window sum over",
        "select number, sum(number) over (order by number rows between unbounded preceding and current row) from numbers(4)",
        [[0, 0], [1, 1], [2, 3], [3, 6]],
    ),
    Case(
        "CH:LIMIT BY",
        "select number % 2 as k, number from numbers(6) order by number limit 2 by k",
        [[0, 0], [1, 1], [0, 2], [1, 3]],
    ),
    Case(
        "HogQL WITH (CTE)",
        "with a as (select number as n from numbers(3)) select sum(n) from a",
        [[3]],
    ),
    Case(
        "HogQL subquery alias",
        "select cnt from (select count() as cnt from numbers(7)) as c",
        [[7]],
    ),
    Case(
        "HogQL IN subquery",
        "select count() from numbers(10) where number in (select number from numbers(3))",
        [[3]],
    ),
    Case("HogQL NOT IN", "select count() from numbers(10) where number not in (1, 2)", [[8]]),
    Case(
        "HogQL JOIN",
        "select a.number, b.number from numbers(3) a join numbers(3) b on a.number = b.number + 1 order by a.number",
        [[1, 0], [2, 1]],
    ),
    Case("HogQL UNION ALL", "select 1 union all select 2", [[1], [2]]),
    Case(
        "HogQL DISTINCT", "select distinct number % 2 as x from numbers(5) order by x", [[0], [1]]
    ),
    Case(
        "HogQL HAVING",
        "select number % 3 as k, count() as c from numbers(10) group by k having c > 3",
        [[0, 4]],
    ),
    Case(
        "HogQL ORDER BY DESC LIMIT OFFSET",
        "select number from numbers(10) order by number desc limit 2 offset 1",
        [[8], [7]],
    ),
    Case(
        "HogQL toString",
        "select toString(123), toString(toDate('2024-01-02'))",
        [["123", "2024-01-02"]],
    ),
    Case(
        "HogQL type casts (x::Date, CAST(x AS String))",
        "select toDate('2024-05-17 10:00:00')::date, CAST(1 AS String), '12'::Int64",
        [["2024-05-17", "1", 12]],
    ),
    Case(
        "CH:toStartOfInterval",
        "select toStartOfInterval(toDateTime('2024-01-01 10:20:00'), INTERVAL 15 minute), toStartOfInterval(toDate('2024-05-17'), INTERVAL 1 month)",
        [["2024-01-01T10:15:00Z", "2024-05-01"]],
    ),
    Case(
        "CH: DateTime - DateTime is seconds, Date - Date is days",
        "select now() - toDateTime('2026-03-02 11:00:00'), today() - toDate('2026-02-28')",
        [[3600, 2]],
    ),
    Case(
        "CH:ARRAY JOIN clause (an empty array drops its row)",
        "select number, x from numbers(3) array join range(number) as x",
        [[1, 0], [2, 0], [2, 1]],
    ),
    Case("HogQL placeholder from values", "select {x} + 1", [[42]], body={"values": {"x": 41}}),
    Case(
        "HogQL placeholder missing",
        "select {nope}",
        error=("hogql_query_error", "Placeholder {nope} is not available in this context."),
    ),
]
