"""The review's facts, built from what the system recorded — nothing here
is typed by anyone, so nothing is typed twice:

- the times from the first sign (the earliest signal attached to the
  incident or complaint of an affected customer; else the start the
  declaration gave; else the declaration) to detection, declaration, each
  role's acknowledgement, the first holding statement (against its clock)
  and resolution;
- the statements published, per channel;
- the remedy (incident/remedy/reports.py's incident report, reused):
  customers affected, compensation issued (amount, forms, and whether every
  customer stayed within their waybill's cap), callbacks done and reached,
  satisfaction 1–5.

Values are datetimes, Decimals and numbers; :func:`jsonable` turns them
into JSON's (ISO 8601 UTC, amounts as exact strings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.models import (
    AffectedCustomer,
    Callback,
    CallbackAttempt,
    Compensation,
    Incident,
    ResponseClock,
    RoleAssignment,
    Signal,
    Statement,
)
from incident.money import ZERO, money_sum
from incident.remedy import ledger
from incident.remedy.reports import incident_report
from incident.timeutil import iso_utc


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    return None if start is None or end is None else int((end - start).total_seconds())


def first_sign(session: Session, incident: Incident) -> tuple[dt.datetime, str]:
    """(when the first sign came, from what): signal, complaint, started or declared."""
    signal = session.scalar(select(func.min(Signal.bucket_start)).where(Signal.incident_id == incident.id))
    complaint = session.scalar(
        select(func.min(AffectedCustomer.complained_at)).where(AffectedCustomer.incident_id == incident.id)
    )
    found = [(at, src) for at, src in ((signal, "signal"), (complaint, "complaint")) if at is not None]
    if found:
        return min(found)
    if incident.started_at is not None:
        return incident.started_at, "started"
    return incident.declared_at, "declared"


def _acks(session: Session, incident: Incident, start: dt.datetime) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(RoleAssignment).where(RoleAssignment.incident_id == incident.id).order_by(RoleAssignment.id)
    )
    return [
        {
            "role": a.role,
            "person": a.person,
            "person_name": a.person_name,
            "assigned_at": a.assigned_at,
            "due_at": a.ack_due_at,
            "acked_at": a.acked_at,
            "ended_at": a.ended_at,
            "from_assigned": _seconds(a.assigned_at, a.acked_at),
            "from_start": _seconds(start, a.acked_at),
            "late": a.acked_at is not None and a.acked_at > a.ack_due_at,
        }
        for a in rows
    ]


def _holding(session: Session, incident: Incident, start: dt.datetime) -> dict[str, Any] | None:
    clock = session.scalars(
        select(ResponseClock)
        .where(ResponseClock.incident_id == incident.id, ResponseClock.kind == "holding")
        .order_by(ResponseClock.id)
        .limit(1)
    ).first()
    if clock is None:
        return None
    return {
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "met_at": clock.met_at,
        "allowed": _seconds(clock.started_at, clock.due_at),
        "took": _seconds(clock.started_at, clock.met_at),
        "from_start": _seconds(start, clock.met_at),
        "on_time": clock.met_at is not None and clock.met_at <= clock.due_at,
        "stopped_unmet": clock.met_at is None and clock.stopped_at is not None,
    }


def _statements(session: Session, incident: Incident) -> dict[str, Any]:
    """Published statements per channel: how many, the first and last."""
    rows = session.execute(
        select(Statement.number, Statement.kind, Statement.channels, Statement.published_at)
        .where(Statement.incident_id == incident.id, Statement.published_at.is_not(None))
        .order_by(Statement.published_at, Statement.number)
    ).all()
    channels: dict[str, dict[str, Any]] = {}
    for number, _kind, chans, at in rows:
        for ch in chans or []:
            c = channels.setdefault(ch, {"count": 0, "first_at": at, "last_at": at, "numbers": []})
            c["count"] += 1
            c["last_at"] = at
            c["numbers"].append(number)
    kinds: dict[str, int] = {}
    for _, kind, _, _ in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"total": len(rows), "by_kind": kinds, "by_channel": channels}


def _over_cap(session: Session, ctx: Context, incident: Incident) -> int:
    """Customers issued more money than their waybill's cap allows (the
    ledger refuses that; a cap lowered since, or a hand-made row, shows here)."""
    rows = session.execute(
        select(Compensation.customer_id, money_sum(Compensation.amount))
        .where(
            Compensation.incident_id == incident.id,
            Compensation.status == "issued",
            Compensation.unit == ledger.MONEY,
        )
        .group_by(Compensation.customer_id)
    ).all()
    if not rows:
        return 0
    paid = {cid: total or ZERO for cid, total in rows}
    over = 0
    ids = list(paid)
    for i in range(0, len(ids), 1000):  # the IN list in chunks
        for customer in session.scalars(select(AffectedCustomer).where(AffectedCustomer.id.in_(ids[i : i + 1000]))):
            if paid[customer.id] > ledger.cap_for(ctx.config, customer).limit:
                over += 1
    return over


def _remedy(session: Session, ctx: Context, incident: Incident) -> dict[str, Any]:
    report = incident_report(session, ctx, incident.id)
    reached = (
        session.scalar(
            select(func.count(func.distinct(CallbackAttempt.callback_id)))
            .join(Callback, Callback.id == CallbackAttempt.callback_id)
            .where(Callback.incident_id == incident.id, CallbackAttempt.result == "reached")
        )
        or 0
    )
    comp, cb = report["compensation"], report["callbacks"]
    cancelled = cb["by_status"].get("cancelled", 0)
    return {
        "affected": report["affected"],
        "affected_by_source": report["affected_by_source"],
        "compensation": {
            "customers": comp["customers_compensated"],
            "money_issued": comp["money_issued"],
            "issued_by_form": comp["issued_by_form"],
            "over_cap": _over_cap(session, ctx, incident),
        },
        # calls superseded by the result call (remedy.callbacks) were never
        # made: counted apart, not in the total an incident owes
        "callbacks": {**cb, "total": cb["total"] - cancelled, "cancelled": cancelled, "reached": reached},
        "satisfaction": report["satisfaction"],
    }


def build(session: Session, ctx: Context, incident: Incident) -> dict[str, Any]:
    start, source = first_sign(session, incident)
    detected = incident.detected_at or incident.declared_at
    return {
        "first_sign": {"at": start, "source": source},
        "milestones": [
            {"key": key, "at": at, "from_start": _seconds(start, at)}
            for key, at in (
                ("detected", detected),
                ("declared", incident.declared_at),
                ("resolved", incident.resolved_at),
                ("closed", incident.closed_at),
            )
        ],
        "acks": _acks(session, incident, start),
        "holding": _holding(session, incident, start),
        "statements": _statements(session, incident),
        "remedy": _remedy(session, ctx, incident),
    }


def jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601 UTC, amounts as their exact strings, recursively."""
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
