"""status page subscriptions (e-mail double opt-in, webhooks)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("confirm_hash", sa.String(length=64), nullable=True),
        sa.Column("confirm_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribe_token", sa.String(length=64), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("status_subscriptions", schema=None) as batch_op:
        batch_op.create_index("uq_status_subscriptions_kind_address", ["kind", "address"], unique=True)
        batch_op.create_index("uq_status_subscriptions_unsubscribe", ["unsubscribe_token"], unique=True)
        batch_op.create_index("ix_status_subscriptions_confirm", ["confirm_hash"], unique=False)


def downgrade() -> None:
    op.drop_table("status_subscriptions")
