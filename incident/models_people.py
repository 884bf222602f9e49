"""Tables for reaching people: acknowledge links and roster overrides.

Kept apart from incident/models.py (the rest of the store) but on the same
``Base``, so Alembic and ``tests/test_migrations.py`` see it (it is imported
by incident/db.py and incident/migrations/env.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class AckLink(Base):
    """A link in a notification that acknowledges one called-in role
    without signing in. Only the token's SHA-256 is stored; it works once
    (``used_at``), until ``expires_at``, and only while the role is still
    held by the person it was sent to."""

    __tablename__ = "ack_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("role_assignments.id"), index=True)
    person: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RosterOverride(Base):
    """ "I cover for 李娜 tonight": while it lasts, whoever the roster puts
    on call as ``covers`` is replaced by ``person`` (in ``team`` only, or
    in every team when ``team`` is None). Ended early by ``cancelled_at``."""

    __tablename__ = "roster_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(100))  # who covers
    covers: Mapped[str] = mapped_column(String(100))  # for whom
    team: Mapped[str | None] = mapped_column(String(100))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
