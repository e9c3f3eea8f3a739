"""Trends formulas (``trendsFilter.formula`` / ``formulaNodes``): series combined bucket by
bucket, as PostHog's ``apply_formula`` does (PH:posthog/hogql_queries/insights/trends/
trends_query_runner.py, posthog/hogql_queries/utils/formula_ast.py).

Rules:
1. Letters name the query's series in order (A, B, …); ``+ - * /``, parentheses and numbers;
   a division by zero is 0, as in PostHog's FormulaAST.
2. Each formula answers one series per breakdown value (or per compare period) with
   ``label`` "Formula (A+B)" (or the node's ``custom_name``) and ``action`` null; the
   series it was computed from are not in the answer.
"""

from __future__ import annotations

import ast
import copy
import operator
from collections.abc import Callable
from typing import Any

from ._hogql import bad

_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: lambda a, b: a / b if b else 0.0,
}


def _value(node: ast.AST, series: dict[str, float]) -> float:
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_value(node.left, series), _value(node.right, series))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, series)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in series:
        return series[node.id]
    raise bad("trendsFilter.formula: letters of series (A, B, …), numbers, + - * / and ()")


def formulas(query: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The query's formulas and their custom names ([] without any)."""
    spec = query.get("trendsFilter") or {}
    nodes = spec.get("formulaNodes")
    if isinstance(nodes, list) and nodes:
        return [(str(n.get("formula")), n.get("custom_name")) for n in nodes if isinstance(n, dict)]
    if isinstance(spec.get("formula"), str) and spec["formula"].strip():
        return [(spec["formula"], None)]
    return []


def apply(query: dict[str, Any], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``results`` with the formulas applied (unchanged when there are none)."""
    found = formulas(query)
    if not found:
        return results
    count = len(query.get("series") or [])
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in results:
        key = repr((item.get("breakdown_value"), item.get("compare_label")))
        groups.setdefault(key, []).append(item)
    out = []
    for text, custom in found:
        try:
            tree = ast.parse(text.upper(), mode="eval").body
        except SyntaxError:
            raise bad(f"trendsFilter.formula {text!r} cannot be read") from None
        for members in groups.values():
            by_letter = {chr(65 + item["action"]["order"]): item for item in members}
            width = len(members[0].get("data") or [])
            for order in range(count):  # a value some series never had: zeros, as PostHog
                by_letter.setdefault(chr(65 + order), {"data": [0] * width, "aggregated_value": 0})
            base = copy.deepcopy(members[0])
            base.update(label=custom or f"Formula ({text})", action=None)
            if base.get("data"):
                data = [
                    _value(tree, {k: float(v["data"][i]) for k, v in by_letter.items()})
                    for i in range(len(base["data"]))
                ]
                base.update(data=data, count=float(sum(data)))
            else:
                values = {k: float(v.get("aggregated_value") or 0) for k, v in by_letter.items()}
                base["aggregated_value"] = _value(tree, values)
            out.append(base)
    return out
