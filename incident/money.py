"""Money: exact amounts to the cent (分), as :class:`~decimal.Decimal`.

Every amount of 元 the product handles — what is at stake for a customer,
a declared value (保价), a ledger entry, the caps, the budget, the approval
thresholds — is a ``Decimal`` quantized to 0.01 in code and a
``NUMERIC(14, 2)`` column in the database, never a binary float: a ledger
that sums 0.1 + 0.2 in floating point is one day a cent off.

The rounding rule is ROUND_HALF_UP (四舍五入 to the 分), what Chinese
finance uses; ../shared/DOMAIN.md and the handbooks name no other rule.
Python's ``round()`` rounds half to even and is not used for money.

The ledger's points and days share the amount column (and this type); they
are whole numbers in practice and are shown without decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
ZERO = Decimal("0.00")
# NUMERIC(14, 2): up to 999,999,999,999.99. Fourteen significant digits is
# far above any waybill's cap or an incident's budget, and it stays under
# the 15 digits a binary double always carries exactly: on SQLite (no
# decimal type, below) every storable amount survives the trip through a
# REAL unchanged.
PRECISION, SCALE = 14, 2
LARGEST = Decimal("999999999999.99")
_STRIP = str.maketrans("", "", ",，元¥￥ \u00a0")


class MoneyError(ValueError):
    """Not an amount of money (not a number, not finite, too large, or
    finer than a cent where an exact amount is required)."""

    def __init__(self, value: Any) -> None:
        super().__init__(f"not an amount of money: {value!r}")
        self.value = value


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise MoneyError(value)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        # The shortest repr is the number as written (0.1 → "0.1", not
        # 0.1000000000000000055…): a TOML or JSON 0.1 means one 角.
        d = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.translate(_STRIP)
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise MoneyError(value) from None
    else:
        raise MoneyError(value)
    if not d.is_finite():
        raise MoneyError(value)
    return d


def to_money(value: Any, *, exact: bool = False) -> Decimal:
    """``value`` (Decimal, int, float, or text such as ``"1,234.5元"``) to
    the cent, half up. ``exact``: refuse a value finer than a cent instead
    of rounding it (what an operator types must mean what it says)."""
    d = _decimal(value)
    q = d.quantize(CENT, rounding=ROUNDING)
    if abs(q) > LARGEST or (exact and q != d):
        raise MoneyError(value)
    return q


def money_or_none(value: Any) -> Decimal | None:
    return None if value is None else to_money(value)


def money_str(value: Decimal) -> str:
    """The wire format (JSON, the provider's export): ``"12.30"``."""
    return f"{to_money(value):.2f}"


def money_json(obj: Any) -> Any:
    """``obj`` with every Decimal as its wire string (JSON has no decimal
    type; a float would bring the error back)."""
    if isinstance(obj, Decimal):
        return money_str(obj)
    if isinstance(obj, dict):
        return {k: money_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [money_json(v) for v in obj]
    return obj


def fmt_money(value: Decimal | None) -> str:
    """For people: ``1,234.50``; None → —."""
    return "—" if value is None else f"{to_money(value):,.2f}"


def fmt_amount(value: Decimal | None, unit: str = "yuan") -> str:
    """An amount in its unit: 元 with two places; points and days as the
    whole numbers they are (``6,000``), a fraction only if there is one."""
    if value is None:
        return "—"
    if unit == "yuan":
        return fmt_money(value)
    return f"{to_money(value):,.2f}".rstrip("0").rstrip(".")


def fmt_spoken(value: Decimal) -> str:
    """In a sentence said to a customer: ``50`` for a whole amount, else ``12.50``."""
    q = to_money(value)
    return f"{q:.0f}" if q == q.to_integral_value() else f"{q:.2f}"


class Money(TypeDecorator[Decimal]):
    """``NUMERIC(14, 2)`` holding Decimals quantized to the cent, on every backend.

    PostgreSQL stores and returns ``numeric`` exactly. SQLite has no decimal
    type: the column has NUMERIC affinity and the value is kept as a REAL
    (or an INTEGER when whole). We bind the cent-quantized amount as the
    nearest double and read the double back through its shortest repr,
    quantized to the cent: with at most 14 significant digits (< 15, what
    a double always round-trips) this gives back exactly the amount stored.
    Sums are not left to SQLite's floating-point SUM(): see :class:`money_sum`."""

    impl = Numeric(PRECISION, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            # asdecimal=False: we convert ourselves (exactly, see above)
            # instead of SQLAlchemy's float → Decimal with its warning.
            return dialect.type_descriptor(Numeric(PRECISION, SCALE, asdecimal=False))
        return dialect.type_descriptor(Numeric(PRECISION, SCALE))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_money(value)
        return float(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else to_money(value)


class _MoneyTotal(TypeDecorator[Decimal]):
    """The result type of :class:`money_sum`: numeric on PostgreSQL,
    integer cents on SQLite (turned into an exact Decimal here)."""

    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(Numeric())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) * CENT).quantize(CENT)
        return to_money(value)


class money_sum(FunctionElement[Decimal]):
    """``SUM`` of a :class:`Money` column as an exact Decimal, 0.00 over no rows.

    PostgreSQL sums ``numeric`` exactly. SQLite's SUM() over REALs is a
    floating-point sum (long double on some builds, compensated only from
    SQLite 3.43; we run on 3.40 here): nothing promises the cents. There
    each amount is first turned into whole cents (``ROUND(x * 100)``: the
    stored double is within far less than half a cent of the amount) and
    the integers are summed, exactly, then read back as a Decimal. (Summing
    in Python instead would mean fetching every row: 100k for one total.)"""

    type = _MoneyTotal()
    name = "money_sum"
    inherit_cache = True


@compiles(money_sum)
def _money_sum_default(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    return f"COALESCE(SUM({compiler.process(element.clauses, **kw)}), 0)"


@compiles(money_sum, "sqlite")
def _money_sum_sqlite(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    return f"COALESCE(SUM(CAST(ROUND(({compiler.process(element.clauses, **kw)}) * 100) AS INTEGER)), 0)"
