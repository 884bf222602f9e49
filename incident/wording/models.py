"""The wording half's tables: fact sheets, statements, their approvals,
templates, subscribers, the publishing outbox (deliveries) and the response
clocks (DOMAIN.md §1, §6).

On the one ``Base`` (incident/db.py); re-exported by incident/models.py so
that Alembic and ``tests/test_migrations.py`` see every table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, JSONType, UTCDateTime


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
