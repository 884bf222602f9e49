"""The remedy half's tables: affected customers, the compensation ledger,
callbacks (回访) and their attempts (DOMAIN.md §4, §5).

On the one ``Base`` (incident/db.py); re-exported by incident/models.py so
that Alembic and ``tests/test_migrations.py`` see every table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime
from incident.money import Money


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
