"""Tables for the review: kept apart from incident/models.py but on the same
``Base``, so Alembic and ``tests/test_migrations.py`` see them (imported by
incident/db.py and incident/migrations/env.py).

The post-incident review (复盘, 000 §6.2, DOMAIN.md §1.2): what people write
about one incident (the facts are computed from what the system recorded,
never stored twice), the liaisons' sign-offs, and the follow-up actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, JSONType, UTCDateTime


class Review(Base):
    """One per incident, opened once the incident is resolved. ``content``
    holds the written parts, each in zh-CN and en ({field: {lang: text}});
    ``version`` counts the edits (a sign-off is of one version) and
    ``authors`` everyone who ever wrote in it (four eyes)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    authors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    # Set when every required liaison and someone who did not write it have signed.
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The lead's recorded reason for closing without a sign-off.
    waived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    waived_by: Mapped[str | None] = mapped_column(String(100))
    waiver_reason: Mapped[str | None] = mapped_column(Text)


class ReviewSignoff(Base):
    """A liaison's sign-off of one version; an edit voids it (``voided_at``)
    rather than deleting it, so who had signed what stays on record."""

    __tablename__ = "review_signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    person: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FollowUpAction(Base):
    """Something to do after the incident, with an owner (a roster person)
    and a due date (the centre's calendar day; ``due_at`` is the end of it,
    in UTC, for the overdue sweep). open → done | dropped; an open one past
    its day goes to the owner's supervisor once (``escalated_at``)."""

    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, done, dropped
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_to: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        # The sweep's query: open actions not yet escalated, by deadline.
        Index(
            "ix_review_actions_overdue",
            "due_at",
            sqlite_where=text("state = 'open' AND escalated_at IS NULL"),
            postgresql_where=text("state = 'open' AND escalated_at IS NULL"),
        ),
        # "waiting for me": an owner's open actions.
        Index(
            "ix_review_actions_open_owner",
            "owner",
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )
