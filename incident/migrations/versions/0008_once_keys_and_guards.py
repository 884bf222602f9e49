"""once keys (provider idempotency, Slack replay nonces)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``once_keys`` holds what must be done once across every worker and server
process: an export provider's idempotency record (kept in the database,
not in a worker's own data directory, so that a second worker re-issuing
after a crash finds it) and the signatures of Slack requests already
served within the replay window.

It also closes two ways around the append-only guards of 0001 (which
refuse UPDATE and DELETE row by row):

- SQLite ``REPLACE INTO`` / ``INSERT OR REPLACE`` with an existing id
  deletes the old row to make room, and that delete fires no DELETE
  trigger unless ``recursive_triggers`` is on: a BEFORE INSERT trigger
  refuses an insert whose id is already there (an UPSERT's DO UPDATE is
  already refused by the UPDATE trigger).
- PostgreSQL ``TRUNCATE`` fires no row trigger: a BEFORE TRUNCATE statement
  trigger refuses it (also when reached through ``TRUNCATE incidents
  CASCADE``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The tables 0001 made append-only (with their function
# ``<table>_append_only()`` on PostgreSQL).
APPEND_ONLY = ("timeline_events",)


def upgrade() -> None:
    op.create_table(
        "once_keys",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_index("ix_once_keys_expires_at", "once_keys", ["expires_at"], unique=False)
    _guards_up()


def _guards_up() -> None:
    dialect = op.get_context().dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            op.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )


def _guards_down() -> None:
    dialect = op.get_context().dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def downgrade() -> None:
    _guards_down()
    op.drop_index("ix_once_keys_expires_at", table_name="once_keys")
    op.drop_table("once_keys")
