"""slack channels

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Each incident's Slack channel and its sync state (summary, event cursor, archiving).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=True),
        sa.Column("topic", sa.String(length=250), nullable=True),
        sa.Column("summary_ts", sa.String(length=32), nullable=True),
        sa.Column("summary_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "invited", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("final_posted", sa.Boolean(), nullable=False),
        sa.Column("archive_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id"),
    )


def downgrade() -> None:
    op.drop_table("slack_channels")
