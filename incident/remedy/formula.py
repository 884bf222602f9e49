"""Compensation formulas from the configuration, e.g.
``min(amount_at_stake * 0.1, 100)``: arithmetic over a customer's numbers,
parsed once and evaluated without ``eval`` (the file is operator input)."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping

NAMES = ("amount_at_stake", "declared_value")
_FUNCS: dict[str, Callable[..., float]] = {"min": min, "max": max, "round": round}
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class FormulaError(ValueError):
    pass


Formula = Callable[[Mapping[str, float | None]], float]


def compile_formula(source: str) -> Formula:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"syntax error at column {exc.offset}") from None

    def build(node: ast.AST) -> Callable[[Mapping[str, float | None]], float]:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            value = float(node.value)
            return lambda env: value
        if isinstance(node, ast.Name):
            if node.id not in NAMES:
                raise FormulaError(f"unknown name {node.id!r} (known: {', '.join(NAMES)})")
            name = node.id
            return lambda env: float(env.get(name) or 0.0)
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            op, left, right = _BIN[type(node.op)], build(node.left), build(node.right)
            return lambda env: op(left(env), right(env))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = build(node.operand)
            return lambda env: -inner(env)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCS
            and not node.keywords
        ):
            fn, args = _FUNCS[node.func.id], [build(a) for a in node.args]
            if not args:
                raise FormulaError(f"{node.func.id}() needs arguments")
            return lambda env: float(fn(*(a(env) for a in args)))
        raise FormulaError(
            f"not allowed: {ast.unparse(node)!r} (use numbers, {', '.join(NAMES)}, + - * /, min, max, round)"
        )

    body = build(tree.body)

    def evaluate(env: Mapping[str, float | None]) -> float:
        try:
            return round(body(env), 2)
        except ZeroDivisionError:
            raise FormulaError("division by zero") from None

    return evaluate
