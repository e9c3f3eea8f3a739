"""HogQL text of a parsed tree, printed as PostHog's HogQL printer prints it.

Used for the names of unaliased result columns (``count()``, ``toStartOfMonth(timestamp)``,
``equals(a, b)``) and for the ``hogql`` a response echoes (the query with its LIMITs).
Operators print as the functions PostHog prints them as (``plus``, ``equals``, ``and``…).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Node = dict[str, Any]

COMPARE_FUNCTIONS = {
    "==": "equals",
    "!=": "notEquals",
    "<": "less",
    ">": "greater",
    "<=": "lessOrEquals",
    ">=": "greaterOrEquals",
    "like": "like",
    "ilike": "ilike",
    "not like": "notLike",
    "not ilike": "notILike",
    "in": "in",
    "not in": "notIn",
    "global in": "globalIn",
    "global not in": "globalNotIn",
    "=~": "match",
    "!~": "notMatch",
    "=~*": "imatch",
    "!~*": "notIMatch",
    "in cohort": "inCohort",
    "not in cohort": "notInCohort",
}
ARITHMETIC_FUNCTIONS = {"+": "plus", "-": "minus", "*": "multiply", "/": "divide", "%": "modulo"}
_SIMPLE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def identifier(name: str | int) -> str:
    """An identifier as HogQL writes it: bare when simple, else in backticks."""
    text = str(name)
    if isinstance(name, int) or text == "*" or _SIMPLE.match(text):
        return text
    return "`" + text.replace("\\", "\\\\").replace("`", "\\`") + "`"


def string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _constant(node: Node) -> str:
    value = node.get("value")
    if value is None:
        return "NULL"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if node.get("value_type") == "number":
        return {"Infinity": "Inf", "-Infinity": "-Inf", "NaN": "NaN"}.get(str(value), str(value))
    if isinstance(value, str):
        return string(value)
    return repr(value) if isinstance(value, float) else str(value)


def _args(nodes: list[Node] | None) -> str:
    return ", ".join(expr(n) for n in nodes or [])


def _call(node: Node) -> str:
    params = node.get("params")
    head = f"{node['name']}({_args(params)})" if params is not None else node["name"]
    distinct = "DISTINCT " if node.get("distinct") else ""
    return f"{head}({distinct}{_args(node.get('args'))})"


def _window(node: Node) -> str:
    over = node.get("over_identifier") or ""
    if node.get("over_expr") is not None:
        over = f"({window_spec(node['over_expr'])})"
    exprs = f"({_args(node.get('exprs'))})"
    args = f"({_args(node.get('args'))})" if node.get("args") else ""
    return f"{node['name']}{exprs}{args} OVER {over}"


def window_spec(node: Node) -> str:
    parts = []
    if node.get("partition_by"):
        parts.append(f"PARTITION BY {_args(node['partition_by'])}")
    if node.get("order_by"):
        parts.append("ORDER BY " + ", ".join(_order(o) for o in node["order_by"]))
    if node.get("frame_method"):
        start, end = node.get("frame_start"), node.get("frame_end")
        frame = _frame(start) if end is None else f"BETWEEN {_frame(start)} AND {_frame(end)}"
        parts.append(f"{node['frame_method']} {frame}")
    return " ".join(parts)


def _frame(node: Node | None) -> str:
    if node is None or node.get("frame_type") == "CURRENT ROW":
        return "CURRENT ROW"
    value = node.get("frame_value")
    return f"{'UNBOUNDED' if value is None else value} {node['frame_type']}"


def _order(node: Node) -> str:
    return f"{expr(node['expr'])} {node.get('order', 'ASC')}"


_PRINTERS: dict[str, Callable[[Node], str]] = {
    "Constant": _constant,
    "Field": lambda n: ".".join(identifier(p) for p in n["chain"]),
    "Alias": lambda n: f"{expr(n['expr'])} AS {identifier(n['alias'])}",
    "Call": _call,
    "WindowFunction": _window,
    "CompareOperation": lambda n: (
        f"{COMPARE_FUNCTIONS.get(n['op'], n['op'])}({expr(n['left'])}, {expr(n['right'])})"
    ),
    "ArithmeticOperation": lambda n: (
        f"{ARITHMETIC_FUNCTIONS[n['op']]}({expr(n['left'])}, {expr(n['right'])})"
    ),
    "And": lambda n: f"and({_args(n['exprs'])})",
    "Or": lambda n: f"or({_args(n['exprs'])})",
    "Not": lambda n: f"not({expr(n['expr'])})",
    "Array": lambda n: f"[{_args(n['exprs'])}]",
    "Tuple": lambda n: f"tuple({_args(n['exprs'])})",
    "ArrayAccess": lambda n: f"{expr(n['array'])}[{expr(n['property'])}]",
    "TupleAccess": lambda n: f"{expr(n['tuple'])}.{n['index']}",
    "Lambda": lambda n: (
        f"{n['args'][0] if len(n['args']) == 1 else '(' + ', '.join(n['args']) + ')'}"
        f" -> {expr(n['expr'])}"
    ),
    # {filters} is replaced before printing (hogql_filters), as PostHog echoes it.
    "Placeholder": lambda n: "{" + expr(n["expr"]) + "}",
    "BetweenExpr": lambda n: (
        f"{expr(n['expr'])} {'NOT ' if n.get('negated') else ''}BETWEEN "
        f"{expr(n['low'])} AND {expr(n['high'])}"
    ),
    "OrderExpr": _order,
    "SelectQuery": lambda n: f"({select(n)})",
    "SelectSetQuery": lambda n: f"({select(n)})",
}


def expr(node: Node | None) -> str:
    """HogQL text of an expression node (unknown nodes print as their kind)."""
    if node is None:
        return "NULL"
    printer = _PRINTERS.get(node.get("node", ""))
    return printer(node) if printer else str(node.get("node"))


def _join(node: Node | None) -> str:
    out = []
    while node is not None:
        table = node.get("table")
        text = expr(table) if table and table.get("node") != "Field" else ""
        if table and table.get("node") == "Field":
            text = ".".join(identifier(p) for p in table["chain"])
        elif table and table.get("node") == "Call":
            text = _call(table)
        if node.get("alias") and node["alias"] != text:
            text += f" AS {identifier(node['alias'])}"
        if node.get("join_type"):
            text = f"{node['join_type']} {text}"
        constraint = node.get("constraint")
        if constraint:
            text += f" {constraint.get('constraint_type', 'ON')} {expr(constraint['expr'])}"
        out.append(text)
        node = node.get("next_join")
    return " ".join(out)


def select(node: Node) -> str:
    """HogQL text of a SELECT or a set of SELECTs (as PostHog echoes it in ``hogql``)."""
    if node.get("node") == "SelectSetQuery":
        parts = [select(node["initial_select_query"])]
        for item in node.get("subsequent_select_queries") or []:
            parts.append(f"{item['set_operator']} {select(item['select_query'])}")
        return " ".join(parts)
    out = []
    if node.get("ctes"):
        ctes = node["ctes"].values() if isinstance(node["ctes"], dict) else node["ctes"]
        out.append("WITH " + ", ".join(f"{c['name']} AS ({select(c['expr'])})" for c in ctes))
    out.append(("SELECT DISTINCT " if node.get("distinct") else "SELECT ") + _args(node["select"]))
    if node.get("select_from"):
        out.append("FROM " + _join(node["select_from"]))
    clauses = (("where", "WHERE"), ("prewhere", "PREWHERE"), ("having", "HAVING"))
    for key, word in clauses[:2]:
        if node.get(key) is not None:
            out.append(f"{word} {expr(node[key])}")
    if node.get("group_by"):
        out.append("GROUP BY " + _args(node["group_by"]))
    if node.get("having") is not None:
        out.append(f"HAVING {expr(node['having'])}")
    if node.get("order_by"):
        out.append("ORDER BY " + ", ".join(_order(o) for o in node["order_by"]))
    if node.get("limit_by"):
        by = node["limit_by"]
        out.append(f"LIMIT {expr(by['n'])} BY {_args(by['exprs'])}")
    if node.get("limit") is not None:
        out.append(f"LIMIT {expr(node['limit'])}")
    if node.get("offset") is not None:
        out.append(f"OFFSET {expr(node['offset'])}")
    return " ".join(out)
