"""The store's tables, as typed SQLAlchemy 2 models.

Schema changes go through an Alembic migration in ``incident/migrations``;
``tests/test_migrations.py`` fails when the models and the migrations drift.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, JSONType, UTCDateTime
from incident.enums import Kind, Role, Severity, Status
from incident.money import Money

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


# --- Watching: feeds, complaints, volume series and the signals they raise ---


class FeedSourceState(Base):
    """What the poller remembers of one configured feed (the definition
    itself lives in the configuration, keyed by ``name``)."""

    __tablename__ = "feed_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The error is kept as a message key and its parameters, so that it is
    # shown in the reader's language, not the poller's.
    last_error_key: Mapped[str | None] = mapped_column(String(64))
    last_error_params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    entries_new: Mapped[int] = mapped_column(Integer, default=0)
    entries_updated: Mapped[int] = mapped_column(Integer, default=0)
    # sha256 of the last body stored: a server that sends no ETag or
    # Last-Modified and the same bytes again is "not modified" without a parse.
    body_hash: Mapped[str | None] = mapped_column(String(64))


def _story_of(context: Any) -> Any:
    """A row inserted without a story is a story of its own."""
    return context.get_current_parameters()["entry_key"]


class FeedEntry(Base):
    """One entry of one source, stored once however many polls carry it.
    The same story carried by several sources is one row per source, linked
    by ``story_key``."""

    __tablename__ = "feed_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The source-scoped key: sha256(source + "\x1f" + story_key), see
    # incident.watch.feeds.scoped_key (migration 0009 computes it for old rows).
    entry_key: Mapped[str] = mapped_column(String(64), unique=True)
    # sha256 of the entry's own identity (guid, else link, else a content
    # hash): the same for every source that carries the story.
    story_key: Mapped[str] = mapped_column(String(64), index=True, default=_story_of)
    source: Mapped[str] = mapped_column(String(100))
    source_kind: Mapped[str] = mapped_column(String(32))
    guid: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    negative: Mapped[bool] = mapped_column(default=False)
    brand: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_feed_entries_first_seen", "first_seen_at"),)


# A module-level name: inside Complaint, ``text`` is the ticket's column.
_FALSE = text("false")


class Complaint(Base):
    """A ticket from the ticket system (DOMAIN.md §4). Contact details are
    masked on intake; full phone or ID numbers never reach this table."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    request_type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(100))
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    branch: Mapped[str | None] = mapped_column(String(100))
    product: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    customer_ref: Mapped[str | None] = mapped_column(String(100))
    customer_name: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(100))
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Service times from the ticket system (DOMAIN.md §4, 001 §2.1 / §4.2),
    # all optional: a ticket exported before it was answered has none yet,
    # and a later export of the same ticket fills them in.
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 1–5, 5 = very satisfied
    # Complex tickets get 48 h to resolve instead of 24 h (003 §2.3); the
    # ticket system says which (a 复杂 / complex column), else ordinary.
    complex: Mapped[bool] = mapped_column(default=False, server_default=_FALSE)
    # Seconds from receipt, computed at intake so the monthly report
    # aggregates integers in SQL on every backend (no date arithmetic).
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_complaints_received_at", "received_at"),
        # The monthly report reads a month of tickets from this index alone
        # (a covering index): a million rows without touching their text.
        Index(
            "ix_complaints_service_times",
            "received_at",
            "channel",
            "request_type",
            "complex",
            "first_response_seconds",
            "resolution_seconds",
            "satisfaction",
        ),
    )


class VolumeSeries(Base):
    """One counted series ("complaints", "complaints/branch=杭州", "feeds/topic=outage")
    and the detector's state, so that a restart resumes where it stopped."""

    __tablename__ = "volume_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    family: Mapped[str] = mapped_column(String(16))
    dimension: Mapped[str] = mapped_column(String(32))
    value: Mapped[str | None] = mapped_column(String(100))
    bucket_seconds: Mapped[int] = mapped_column(Integer)
    # The start of the next bucket to score; every bucket before it is done.
    next_bucket_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    detector_state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    daily_state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    day_total: Mapped[float] = mapped_column(Float, default=0.0)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    snoozed_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class VolumePoint(Base):
    """A scored bucket: what the chart draws (value, baseline, alerts)."""

    __tablename__ = "volume_points"

    series_id: Mapped[int] = mapped_column(ForeignKey("volume_series.id"), primary_key=True)
    bucket_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    baseline: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    alert: Mapped[bool] = mapped_column(default=False)


class Signal(Base):
    """A raised alert and what became of it: opened an incident, attached to
    one, or was silenced (snooze, maintenance). One row per series and
    bucket, so a retried run raises nothing twice."""

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_key: Mapped[str] = mapped_column(String(200))
    bucket_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer)
    direction: Mapped[int] = mapped_column(Integer, default=1)
    observed: Mapped[float] = mapped_column(Float, default=0.0)
    baseline: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    action: Mapped[str] = mapped_column(String(16))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (
        Index("uq_signals_series_bucket", "series_key", "bucket_start", unique=True),
        Index("ix_signals_created_at", "created_at"),
    )


class MaintenanceWindow(Base):
    """While a window lasts, alerts of the series it matches (a glob over
    series keys) are recorded as silenced instead of opening incidents."""

    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pattern: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_maintenance_windows_ends_at", "ends_at"),)


# ---------------------------------------------------------------- wording --


class FactSheet(Base):
    """One version of an incident's fact sheet (口径卡): the ONE external
    wording every reply and statement is rendered from (000 §6.2).

    ``content`` holds the bilingual fields (see incident/wording/factsheet.py).
    A version is edited only while it is a draft; at most one version per
    incident is approved at a time (partial unique index)."""

    __tablename__ = "fact_sheets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # draft, in_review, approved, superseded, retracted
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    change_note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_fact_sheets_incident_version", "incident_id", "version", unique=True),
        Index(
            "uq_fact_sheets_one_approved",
            "incident_id",
            unique=True,
            sqlite_where=text("status = 'approved'"),
            postgresql_where=text("status = 'approved'"),
        ),
    )


class Statement(Base):
    """A public statement (holding, update or resolution) rendered from one
    approved fact-sheet version for a set of channels. What was approved is
    frozen in ``rendered`` and is exactly what goes out."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per incident
    kind: Mapped[str] = mapped_column(String(16))  # holding, update, resolution
    fact_sheet_id: Mapped[int] = mapped_column(ForeignKey("fact_sheets.id"))
    fact_version: Mapped[int] = mapped_column(Integer)
    channels: Mapped[list[str]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16))  # draft, in_review, approved, published, superseded, retracted
    rendered: Mapped[dict[str, Any]] = mapped_column(JSONType)  # {lang: {channel: {...}}}
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # Set when a newer fact-sheet version is approved: what changed since.
    stale: Mapped[bool] = mapped_column(default=False)
    stale_diff: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(100))
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_update_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_statements_incident_number", "incident_id", "number", unique=True),
        Index("ix_statements_published", "published_at"),
    )


class Approval(Base):
    """A sign-off (or rejection) of a fact sheet, statement or template.
    One per person per subject: four eyes means two different people."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # fact_sheet, statement, template
    subject_id: Mapped[int] = mapped_column(Integer)
    approver: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))  # approved, rejected
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_approvals_subject_approver", "subject_type", "subject_id", "approver", unique=True),)


class WordingTemplate(Base):
    """A template authored by comms staff in the app (rendered in Jinja's
    sandbox). An approved one overrides the file template of the same name."""

    __tablename__ = "wording_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # e.g. replies/system_outage, statements/sms
    lang: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # draft, approved, retired
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_wording_templates_name_lang_version", "name", "lang", "version", unique=True),)


class Subscriber(Base):
    """Who receives published statements on a channel with recipients
    (e-mail address, SMS customer reference, WeChat follower id)."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_subscribers_channel_address", "channel", "address", unique=True),)


class Delivery(Base):
    """One statement to one recipient on one channel (the publishing
    outbox). Written in the transaction that publishes; sent by the
    ``deliver-outbox`` flow. ``idempotency_key`` = statement, channel,
    recipient: never two rows, and gateways get it to drop a repeat."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), index=True)
    incident_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # pending → sending → sent | failed; a row left in "sending" by a crash
    # is retried only through an idempotent adapter, else held as in_doubt.
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)


class ResponseClock(Base):
    """A promise to the public with a deadline: the first holding statement
    after opening, then "next update by" after each published update. An
    overdue clock escalates like an unacknowledged role."""

    __tablename__ = "response_clocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # holding, update
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    met_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    met_by: Mapped[int | None] = mapped_column(Integer)  # statement id
    stopped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index(
            "ix_response_clocks_running",
            "due_at",
            sqlite_where=text("met_at IS NULL AND stopped_at IS NULL"),
            postgresql_where=text("met_at IS NULL AND stopped_at IS NULL"),
        ),
    )


# ---- remedy: affected customers, compensation, callbacks (DOMAIN.md §4, §5) ----


class AffectedCustomer(Base):
    """A customer an incident touched, once per incident. Contact details
    are masked on intake (last four digits); names are kept for the
    salutation (surname + 先生/女士)."""

    __tablename__ = "affected_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    customer_ref: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(8))  # 先生 / 女士
    contact: Mapped[str | None] = mapped_column(String(32))  # ****1234
    lang: Mapped[str] = mapped_column(String(8), default="zh-CN")
    order_ref: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(100))
    branch: Mapped[str | None] = mapped_column(String(100))
    # Money: NUMERIC(14, 2) as exact Decimals on every backend (incident/money.py).
    amount_at_stake: Mapped[Decimal | None] = mapped_column(Money)
    # goods / documents when the waybill was insured; declared value (保价) apart.
    insured: Mapped[str | None] = mapped_column(String(16))
    declared_value: Mapped[Decimal | None] = mapped_column(Money)
    complex: Mapped[bool] = mapped_column(default=False)
    complaint_id: Mapped[int | None] = mapped_column(Integer)
    complained_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))  # import / complaint / manual / api
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_affected_customers_incident_ref", "incident_id", "customer_ref", unique=True),)


class Compensation(Base):
    """The ledger: proposed → approved → issued | failed, issued → reversed.
    One entry per (incident, customer, form), enforced here."""

    __tablename__ = "compensations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("affected_customers.id"))
    form: Mapped[str] = mapped_column(String(24))  # coupon, points, refund, service_extension, gift
    amount: Mapped[Decimal] = mapped_column(Money)  # to the cent (money); points and days are whole
    unit: Mapped[str] = mapped_column(String(8))  # yuan, points, days
    status: Mapped[str] = mapped_column(String(16))
    needs_approval: Mapped[bool] = mapped_column(default=False)
    policy: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    # What the provider is given to drop a repeat (incident, customer, form).
    idempotency_key: Mapped[str] = mapped_column(String(240), unique=True)
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # An approved entry being issued: claimed (and committed) before the
    # provider is called; a claim older than the lease is picked up again.
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    reversed_by: Mapped[str | None] = mapped_column(String(100))
    reversed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_compensations_incident_customer_form", "incident_id", "customer_id", "form", unique=True),
        Index("ix_compensations_status", "status", "next_attempt_at"),
    )


class Callback(Base):
    """A follow-up call (回访) to one affected customer, with a deadline
    (DOMAIN.md §4), an agent, attempts and an outcome."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("affected_customers.id"))
    # unfinished (within 24 h while the business is open), result (within
    # 1 h of resolution), follow_up (a new demand, 003 §2.4)
    reason: Mapped[str] = mapped_column(String(16))
    # One callback per (incident, customer, reason), or per parent for a
    # follow-up: creation is idempotent.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(Integer)
    complex: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16))  # open, done, unreached, cancelled
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # When to call next (within working hours).
    call_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    assignee: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))  # last attempt's result
    note: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    new_demand: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # The due list and "my callbacks" read only open rows.
        Index(
            "ix_callbacks_open_call_at",
            "call_at",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "ix_callbacks_open_assignee",
            "assignee",
            "call_at",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "ix_callbacks_open_due",
            "due_at",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_callbacks_incident", "incident_id", "status"),
        Index("ix_callbacks_customer_reason", "customer_id", "reason"),
    )


class CallbackAttempt(Base):
    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id"), index=True)
    agent: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(16))  # reached, no_answer, wrong_number, refused
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- slack --


class SlackChannel(Base):
    """An incident's Slack channel and how far it is in step with the
    incident: the pinned summary (updated in place), the timeline events
    already posted (a cursor: the timeline itself is the queue, so nothing
    is lost while Slack is unreachable), who was invited, archiving."""

    __tablename__ = "slack_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(80))
    topic: Mapped[str | None] = mapped_column(String(250))
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    summary_hash: Mapped[str | None] = mapped_column(String(64))
    invited: Mapped[list[str]] = mapped_column(JSONType, default=list)  # roster keys already asked in
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    final_posted: Mapped[bool] = mapped_column(default=False)
    archive_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# ------------------------------------------------------------------ web --


class User(Base):
    """Someone who signs in to the web app. ``roles`` are the web roles
    (incident.access.permissions.ROLES); ``person`` links to the roster, so
    that the four-eyes rules and the on-call teams apply to what they do."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # scrypt; NULL for users who only ever come through the trusted proxy.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSONType, default=list)
    person: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A machine's credential, acting as its user (with that user's roles).
    Only the SHA-256 of the secret is kept; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random key; only its SHA-256
    is stored, with the session's CSRF token (synchroniser pattern)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(16))  # password | proxy
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


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
