"""Tables for reaching people: acknowledge links, roster overrides, the
roster as edited outside the TOML, and the numbers dialled for callbacks.

Kept apart from incident/models.py (the rest of the store) but on the same
``Base``, so Alembic and ``tests/test_migrations.py`` see it (it is imported
by incident/db.py and incident/migrations/env.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, JSONType, UTCDateTime


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


class RosterEntry(Base):
    """A team or a person as a lead or an admin edited it (incident/roster_edit.py):
    the whole object, validated as the TOML's own, in place of the TOML's
    version of it. The TOML stays the seed; this layer wins for what it names."""

    __tablename__ = "roster_entries"
    __table_args__ = (Index("uq_roster_entries_kind_key", "kind", "key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "team" or "person"
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RosterChange(Base):
    """One edit of the roster: who, when, what it was before and after
    (``None``: as the TOML has it). Its id is the roster's revision: a
    process whose layer is older than the newest change reloads it."""

    __tablename__ = "roster_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class CustomerPhone(Base):
    """The number the centre dials for an imported customer's callbacks,
    kept apart from ``affected_customers.contact`` (masked to the last four
    digits, DOMAIN.md §6) so that no list, export, API answer, timeline or
    log that reads customers can carry it. Read only through the callback's
    "show number" (incident/remedy/contact.py), deleted
    ``[callbacks].phone_keep_days`` after the incident is closed and the
    customer's callbacks are over."""

    __tablename__ = "customer_phones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("affected_customers.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(40))
    kept_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
