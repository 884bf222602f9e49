"""The Slack integration's table: an incident's channel and how far it is
in step with the incident.

On the one ``Base`` (incident/db.py); re-exported by incident/models.py so
that Alembic and ``tests/test_migrations.py`` see every table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, JSONType, UTCDateTime


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
