"""escalation steps: where each unacknowledged role is in its escalation chain

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

A role escalated before this revision stays escalated once (step 1, nothing
further scheduled): its chain is not restarted from an old deadline.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "role_assignments", sa.Column("escalation_step", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )
    op.add_column("role_assignments", sa.Column("next_escalation_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE role_assignments SET escalation_step = 1 WHERE escalated_at IS NOT NULL")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_role_assignments_next_escalation",
            ["next_escalation_at"],
            unique=False,
            sqlite_where=sa.text("acked_at IS NULL AND ended_at IS NULL AND next_escalation_at IS NOT NULL"),
            postgresql_where=sa.text("acked_at IS NULL AND ended_at IS NULL AND next_escalation_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_role_assignments_next_escalation")
        batch_op.drop_column("next_escalation_at")
        batch_op.drop_column("escalation_step")
