"""The watch half's tables: feeds, complaints, volume series and the
signals they raise (DOMAIN.md §1.4, §3).

On the one ``Base`` (incident/db.py); re-exported by incident/models.py so
that Alembic and ``tests/test_migrations.py`` see every table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, JSONType, UTCDateTime


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
