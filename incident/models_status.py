"""The status page's own table: who subscribed to its notices.

Kept apart from incident/models.py (the rest of the store) but on the same
``Base``, so Alembic and ``tests/test_migrations.py`` see it (it is imported
by incident/db.py and incident/migrations/env.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class StatusSubscription(Base):
    """One e-mail address or webhook URL that gets a notice for each
    status-page statement published after it became active.

    E-mail is double opt-in: active only once ``confirmed_at`` is set by
    the single-use link (only the link's SHA-256 is stored, and cleared
    when used). A webhook is active from the start (its URL is checked:
    http(s), public addresses only). ``unsubscribe_token`` is in every
    notice; it can only end this subscription."""

    __tablename__ = "status_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # email, webhook
    address: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8))
    confirm_hash: Mapped[str | None] = mapped_column(String(64))
    confirm_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    unsubscribe_token: Mapped[str] = mapped_column(String(64))
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_status_subscriptions_kind_address", "kind", "address", unique=True),
        Index("uq_status_subscriptions_unsubscribe", "unsubscribe_token", unique=True),
        Index("ix_status_subscriptions_confirm", "confirm_hash"),
    )
