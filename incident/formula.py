"""Compensation formulas from the configuration, e.g.
``min(amount_at_stake * 0.1, 100)``: arithmetic over a customer's numbers,
parsed once and evaluated without ``eval`` (the file is operator input).

Evaluated in Decimal, never float: the numbers in the formula are taken as
written (0.1 is one tenth exactly) and the result is rounded to the cent
half up (四舍五入, incident/money.py); ``round(x, n)`` rounds half up too,
unlike Python's half-to-even ``round``."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

from incident.money import ROUNDING, MoneyError, to_money

NAMES = ("amount_at_stake", "declared_value")
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _round(x: Decimal, places: Decimal = Decimal(0)) -> Decimal:
    if places != places.to_integral_value() or not 0 <= places <= 2:
        raise FormulaError("round() takes 0, 1 or 2 places")
    return x.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUNDING)


_FUNCS: dict[str, Callable[..., Decimal]] = {"min": min, "max": max, "round": _round}


class FormulaError(ValueError):
    pass


Env = Mapping[str, Decimal | None]
Formula = Callable[[Env], Decimal]


def compile_formula(source: str) -> Formula:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"syntax error at column {exc.offset}") from None

    def build(node: ast.AST) -> Callable[[Env], Decimal]:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            # The literal as written: repr of the parsed float is the text.
            value = Decimal(repr(node.value))
            return lambda env: value
        if isinstance(node, ast.Name):
            if node.id not in NAMES:
                raise FormulaError(f"unknown name {node.id!r} (known: {', '.join(NAMES)})")
            name = node.id
            return lambda env: Decimal(env.get(name) or 0)
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
            if fn is _round and len(args) > 2:
                raise FormulaError("round() takes a number and at most the places")
            return lambda env: fn(*(a(env) for a in args))
        raise FormulaError(
            f"not allowed: {ast.unparse(node)!r} (use numbers, {', '.join(NAMES)}, + - * /, min, max, round)"
        )

    body = build(tree.body)

    def evaluate(env: Env) -> Decimal:
        # 28 significant digits (Decimal's default) for the intermediate
        # steps; one rounding, to the cent, at the end.
        with localcontext() as dec:
            dec.traps[DivisionByZero] = True
            dec.traps[InvalidOperation] = True
            try:
                return to_money(body(env))
            except (DivisionByZero, ZeroDivisionError):
                raise FormulaError("division by zero") from None
            except (InvalidOperation, MoneyError):
                raise FormulaError("not a finite amount") from None

    return evaluate
