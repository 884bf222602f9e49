"""The store's core tables (incidents, their timeline, links, roles, the
people-notification outbox, once-keys), as typed SQLAlchemy 2 models; each
domain package owns its own tables (``incident/<domain>/models.py``: watch,
wording, remedy, slack, access), all on the one ``Base`` (incident/db.py).

This module re-exports every domain's tables so that ``from incident.models
import X`` keeps working and importing it registers every table for Alembic.
Schema changes go through an Alembic migration in ``incident/migrations``;
``tests/test_migrations.py`` fails when the models and the migrations drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, JSONType, UTCDateTime
from incident.enums import Kind, Role, Severity, Status

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


class IncidentLink(Base):
    """Two incidents about one outage: a row each way (incident/merge.py).
    ``kind`` is related, or merged_into / merged_from once one was merged
    into the other; a merged incident's dedup key leads to its target."""

    __tablename__ = "incident_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (Index("uq_incident_links_pair", "incident_id", "other_id", unique=True),)


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
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the first escalation
    # Where the role is in its escalation chain (config.EscalationConfig):
    # steps taken, and when the next one is due (None: none scheduled).
    escalation_step: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_escalation_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
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
        Index(
            "ix_role_assignments_pending_ack",
            "ack_due_at",
            sqlite_where=text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL"),
            postgresql_where=text("acked_at IS NULL AND escalated_at IS NULL AND ended_at IS NULL"),
        ),
        # ... and the roles whose escalation has a next step.
        Index(
            "ix_role_assignments_next_escalation",
            "next_escalation_at",
            sqlite_where=text("acked_at IS NULL AND ended_at IS NULL AND next_escalation_at IS NOT NULL"),
            postgresql_where=text("acked_at IS NULL AND ended_at IS NULL AND next_escalation_at IS NOT NULL"),
        ),
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class OutboxMessage(Base):
    """People's notifications, written in the same transaction as the
    change that causes them, sent after commit (incident/notify.py);
    nothing is sent for a change that rolled back, and nothing is lost when
    delivery fails. ``channel`` is the one being tried; the ones left to
    try are in ``params["_next"]``."""

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
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the lease (incident/outbox_engine.py)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)


class OnceKey(Base):
    """A key that may be acted on once, seen by every worker and server
    process: a provider's idempotency record (scope ``provider:<name>``,
    with the provider's answer in ``result``) or a Slack request's
    signature kept for the replay window (scope ``slack``, forgotten after
    ``expires_at``). The primary key is what makes the second insert fail."""

    __tablename__ = "once_keys"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


# The domains' tables, re-exported, and the tables kept beside the core
# (people, status page, review, knowledge): importing this module registers
# every table on Base.metadata (Alembic's env and the drift test rely on it;
# db.py itself needs to know none of them). At the end, so that a domain
# module importing this one finds the core tables already defined.
import incident.models_knowledge  # noqa: E402,F401
import incident.models_people  # noqa: E402,F401
import incident.models_review  # noqa: E402,F401
import incident.models_status  # noqa: E402,F401
from incident.access.models import ApiToken, User, WebSession  # noqa: E402
from incident.remedy.models import AffectedCustomer, Callback, CallbackAttempt, Compensation  # noqa: E402
from incident.slack.models import SlackChannel  # noqa: E402
from incident.watch.models import (  # noqa: E402
    Complaint,
    FeedEntry,
    FeedSourceState,
    MaintenanceWindow,
    Signal,
    VolumePoint,
    VolumeSeries,
)
from incident.wording.models import (  # noqa: E402
    Approval,
    Delivery,
    FactSheet,
    ResponseClock,
    Statement,
    Subscriber,
    WordingTemplate,
)

__all__ = [
    "AffectedCustomer",
    "ApiToken",
    "Approval",
    "Callback",
    "CallbackAttempt",
    "Compensation",
    "Complaint",
    "Delivery",
    "FactSheet",
    "FeedEntry",
    "FeedSourceState",
    "Incident",
    "IncidentLink",
    "MaintenanceWindow",
    "OnceKey",
    "OutboxMessage",
    "ResponseClock",
    "RoleAssignment",
    "Signal",
    "SlackChannel",
    "Statement",
    "Subscriber",
    "TimelineEvent",
    "User",
    "VolumePoint",
    "VolumeSeries",
    "WebSession",
    "WordingTemplate",
]
