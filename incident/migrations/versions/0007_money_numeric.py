"""money as numeric

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Amounts were binary floats: ``affected_customers.amount_at_stake``,
``affected_customers.declared_value`` and ``compensations.amount`` become
``NUMERIC(14, 2)`` (see incident/money.py for the precision). Existing
values are converted exactly to the cent they were meant to be: each
double is read as its 15 significant digits (what a double holds for
sure; 0.1 + 0.2 stored as 0.30000000000000004 reads 0.300000000000000)
and rounded half up (四舍五入) to the cent, so 0.30000000000000004 → 0.30
and a stored 1.005 (really 1.00499999999999989…) → 1.01.

PostgreSQL does this in the ALTER itself: ``float8::numeric`` keeps 15
significant digits and ``round(numeric, 2)`` rounds half away from zero.
SQLite has no decimal type (the value stays a REAL in a NUMERIC column):
each table is rebuilt with the new declared type and every value is then
rewritten as the nearest double to its exact cents, computed in Python
with the same rule.

The SQLite rebuild is not Alembic's batch mode: that drops the old table
after copying into a new one and renames the copy, and with foreign keys
on (incident.db turns them on, and PRAGMA foreign_keys cannot change
inside the migration's transaction) dropping ``affected_customers``, which
callbacks and compensations reference, is a violation nothing undoes.
Here, with the checks deferred to the commit, the rows are set aside in a
temporary table, the table is dropped and created again under its own
name with the new type, and the rows go back in: each parent row
re-inserted settles its children, so the commit finds nothing amiss.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# table → (column, nullable)
COLUMNS = {
    "affected_customers": (("amount_at_stake", True), ("declared_value", True)),
    "compensations": (("amount", False),),
}
NUMERIC = sa.Numeric(precision=14, scale=2)
CENT = Decimal("0.01")


def to_cents(value: float | int | Decimal) -> Decimal:
    """A stored double → the amount it stood for: 15 significant digits,
    then half up to the cent (what PostgreSQL's round(float8::numeric, 2) gives)."""
    if isinstance(value, float):
        value = Decimal(format(value, ".15g"))
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _sqlite_round_to_cents(table: str, column: str) -> None:
    bind = op.get_bind()
    t = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, sa.Float()))
    rows = bind.execute(sa.select(t.c.id, t.c[column]).where(t.c[column].is_not(None))).all()
    changes = []
    for row_id, value in rows:
        exact = to_cents(value)
        if float(exact) != value:
            changes.append({"row_id": row_id, "value": float(exact)})
    if changes:
        update = t.update().where(t.c.id == sa.bindparam("row_id")).values({column: sa.bindparam("value")})
        bind.execute(update, changes)


def _sqlite_retype(table: str, columns: tuple[str, ...], old: str, new: str) -> None:
    """Rebuild ``table`` (same name, rows, indexes) with ``columns`` declared ``new`` instead of ``old``."""
    bind = op.get_bind()
    create = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).scalar_one()
    indexes = (
        bind.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"),
            {"t": table},
        )
        .scalars()
        .all()
    )
    for column in columns:
        create, n = re.subn(rf"(\b{column}\s+){re.escape(old)}", rf"\g<1>{new}", create, flags=re.IGNORECASE)
        if n != 1:
            raise RuntimeError(f"{table}.{column}: expected a {old} column in {create!r}")
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TEMP TABLE _money_{table} AS SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(create)
    op.execute(f"INSERT INTO {table} SELECT * FROM temp._money_{table}")
    op.execute(f"DROP TABLE temp._money_{table}")
    for sql in indexes:
        op.execute(sql)
    op.execute("PRAGMA defer_foreign_keys = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in COLUMNS.items():
            names = tuple(c for c, _ in columns)
            _sqlite_retype(table, names, "FLOAT", "NUMERIC(14, 2)")
            for column in names:
                _sqlite_round_to_cents(table, column)
        return
    for table, columns in COLUMNS.items():
        for column, nullable in columns:
            op.alter_column(
                table,
                column,
                existing_type=sa.Float(),
                type_=NUMERIC,
                existing_nullable=nullable,
                postgresql_using=f"round(CAST({column} AS numeric), 2)",
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in COLUMNS.items():
            _sqlite_retype(table, tuple(c for c, _ in columns), "NUMERIC(14, 2)", "FLOAT")
        return
    for table, columns in COLUMNS.items():
        for column, nullable in columns:
            op.alter_column(
                table,
                column,
                existing_type=NUMERIC,
                type_=sa.Float(),
                existing_nullable=nullable,
                postgresql_using=f"CAST({column} AS double precision)",
            )
