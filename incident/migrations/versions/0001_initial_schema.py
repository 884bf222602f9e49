"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Types are spelled out (not imported from incident.models) so this
migration stays as it was when later models change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("scope_channels", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("scope_regions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("scope_products", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=True),
        sa.Column("declared_by", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_declared_at", ["declared_at"], unique=False)
        batch_op.create_index("ix_incidents_kind_declared", ["kind", "declared_at"], unique=False)
        batch_op.create_index("ix_incidents_status_severity", ["status", "severity", "declared_at"], unique=False)
        batch_op.create_index(
            "uq_incidents_open_dedup_key",
            ["dedup_key"],
            unique=True,
            sqlite_where=sa.text("dedup_key IS NOT NULL AND status NOT IN ('resolved', 'closed')"),
            postgresql_where=sa.text("dedup_key IS NOT NULL AND status NOT IN ('resolved', 'closed')"),
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("message_key", sa.String(length=100), nullable=False),
        sa.Column("params", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index("ix_outbox_pending", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=False),
        sa.Column("team", sa.String(length=100), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("ack_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acked_by", sa.String(length=100), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_assignments_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            "ix_role_assignments_pending_ack",
            ["ack_due_at"],
            unique=False,
            sqlite_where=sa.text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL"),
            postgresql_where=sa.text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL"),
        )
        batch_op.create_index(
            "uq_role_assignments_active",
            ["incident_id", "role"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timeline_events_incident_id"), ["incident_id"], unique=False)

    _timeline_append_only()


def _timeline_append_only() -> None:
    """The timeline is an audit record: refuse UPDATE and DELETE in the
    database itself, whatever code (or person with a SQL shell) tries."""
    if op.get_context().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER timeline_events_no_{verb.lower()} BEFORE {verb} ON timeline_events "
                "BEGIN SELECT RAISE(ABORT, 'timeline_events is append-only'); END"
            )
    elif op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION timeline_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'timeline_events is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER timeline_events_append_only BEFORE UPDATE OR DELETE ON timeline_events "
            "FOR EACH ROW EXECUTE FUNCTION timeline_events_append_only()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS timeline_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS timeline_events_no_delete")
    elif op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS timeline_events_append_only ON timeline_events")
        op.execute("DROP FUNCTION IF EXISTS timeline_events_append_only()")
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timeline_events_incident_id"))

    op.drop_table("timeline_events")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_role_assignments_active",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_role_assignments_pending_ack",
            sqlite_where=sa.text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL"),
            postgresql_where=sa.text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_role_assignments_incident_id"))

    op.drop_table("role_assignments")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.drop_index(batch_op.f("ix_outbox_incident_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_incidents_open_dedup_key",
            sqlite_where=sa.text("dedup_key IS NOT NULL AND status NOT IN ('resolved', 'closed')"),
            postgresql_where=sa.text("dedup_key IS NOT NULL AND status NOT IN ('resolved', 'closed')"),
        )
        batch_op.drop_index("ix_incidents_status_severity")
        batch_op.drop_index("ix_incidents_kind_declared")
        batch_op.drop_index("ix_incidents_declared_at")

    op.drop_table("incidents")
