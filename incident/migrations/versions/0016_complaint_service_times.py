"""the ticket system's service times on complaints (first response, resolution, satisfaction) for the monthly report

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_SERVICE_INDEX = (
    "received_at",
    "channel",
    "request_type",
    "complex",
    "first_response_seconds",
    "resolution_seconds",
    "satisfaction",
)


def upgrade() -> None:
    # Batch mode: SQLite adds plain nullable columns (and one with a
    # default) with ALTER TABLE ADD COLUMN, without copying the table.
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("satisfaction", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("complex", sa.Boolean(), nullable=False, server_default=sa.text("false")))
        batch_op.add_column(sa.Column("first_response_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resolution_seconds", sa.Integer(), nullable=True))
        batch_op.create_index("ix_complaints_service_times", list(_SERVICE_INDEX), unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_service_times")
        for name in (
            "resolution_seconds",
            "first_response_seconds",
            "complex",
            "satisfaction",
            "resolved_at",
            "first_response_at",
        ):
            batch_op.drop_column(name)
