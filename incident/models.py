"""The store's tables, as typed SQLAlchemy 2 models.

Schema changes go through an Alembic migration in ``incident/migrations``;
``tests/test_migrations.py`` fails when the models and the migrations drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, UTCDateTime
from incident.enums import Kind, Role, Severity, Status

JSONType = JSON().with_variant(JSONB(), "postgresql")

# Both SQLite and PostgreSQL understand this predicate, so the partial
# indexes below are the same on each backend.
_OPEN = "status NOT IN ('resolved', 'closed')"


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=Status.DECLARED.value)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    scope_channels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    scope_regions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    scope_products: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Detection attaches new signals to the open incident with the same key
    # instead of opening a second one; the partial unique index enforces it.
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    declared_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    detected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="incident", order_by="TimelineEvent.id", lazy="raise_on_sql"
    )
    assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="incident", order_by="RoleAssignment.id", lazy="raise_on_sql"
    )

    __table_args__ = (
        Index(
            "uq_incidents_open_dedup_key",
            "dedup_key",
            unique=True,
            sqlite_where=text(f"dedup_key IS NOT NULL AND {_OPEN}"),
            postgresql_where=text(f"dedup_key IS NOT NULL AND {_OPEN}"),
        ),
        Index("ix_incidents_status_severity", "status", "severity", "declared_at"),
        Index("ix_incidents_kind_declared", "kind", "declared_at"),
        Index("ix_incidents_declared_at", "declared_at"),
    )

    @property
    def kind_enum(self) -> Kind:
        return Kind(self.kind)

    @property
    def severity_enum(self) -> Severity:
        return Severity(self.severity)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def ref(self) -> str:
        return f"INC-{self.id}"


class TimelineEvent(Base):
    """Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="events", lazy="raise_on_sql")


class RoleAssignment(Base):
    """Who holds a role of the response group; a re-assignment ends the
    previous row (``ended_at``) so the history stays."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    person: Mapped[str] = mapped_column(String(100))
    person_name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    assigned_by: Mapped[str] = mapped_column(String(100))
    ack_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acked_by: Mapped[str | None] = mapped_column(String(100))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    incident: Mapped[Incident] = relationship(back_populates="assignments", lazy="raise_on_sql")

    __table_args__ = (
        Index(
            "uq_role_assignments_active",
            "incident_id",
            "role",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        # The escalation sweep's query: pending acks by deadline.
        Index("ix_role_assignments_pending_ack", "ack_due_at", sqlite_where=text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL"), postgresql_where=text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL")),
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class OutboxMessage(Base):
    """Notifications written in the same transaction as the change that
    causes them, delivered after commit; nothing is sent for a change that
    rolled back, and nothing is lost when delivery fails."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(100))
    message_key: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # A retried sweep must not notify twice: one row per logical message.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)
