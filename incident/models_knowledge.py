"""Tables for the knowledge: kept apart from incident/models.py but on the same
``Base``, so Alembic and ``tests/test_migrations.py`` see them (imported by
incident/db.py and incident/migrations/env.py).

The knowledge base (001 §4.1, DOMAIN.md §7): common questions and their
approved answers, harvested from closed incidents or written by hand, kept
under four eyes (incident/knowledge/entries.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, JSONType, UTCDateTime


class KnowledgeEntry(Base):
    """One question-and-answer entry. ``status``: pending (a new manual
    entry not yet approved), active (it answers), retired (it no longer
    does). ``version`` is the approved version in force (0 while pending).
    ``harvest_key`` ("incident:12") makes harvesting an incident again find
    the entry it made the first time instead of adding a second."""

    __tablename__ = "kb_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=0)
    source_incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    harvest_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    source_closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_kb_entries_status", "status"),
        Index("ix_kb_entries_source_incident", "source_incident_id"),
    )

    @property
    def ref(self) -> str:
        return f"KB-{self.id}"


class KnowledgeVersion(Base):
    """Every version of an entry, proposed and decided: the history. A
    change (create, edit, retire) is proposed by one person and approved
    or rejected by another; a harvested version comes approved (its answer
    is an approved fact sheet's). At most one proposal per entry is open."""

    __tablename__ = "kb_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entries.id"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # harvest, create, edit, retire
    status: Mapped[str] = mapped_column(String(16))  # proposed, approved, rejected, superseded
    # {"title": {lang: str}, "questions": [str], "answer": {lang: str},
    #  "keywords": [str], "products": [str], "categories": [str]}
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("uq_kb_versions_entry_version", "entry_id", "version", unique=True),
        Index(
            "uq_kb_versions_one_proposed",
            "entry_id",
            unique=True,
            sqlite_where=text("status = 'proposed'"),
            postgresql_where=text("status = 'proposed'"),
        ),
    )
