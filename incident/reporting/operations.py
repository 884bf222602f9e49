"""The month's incidents, compensation and callbacks, for the monthly
report (incident/reporting/monthly.py).

An incident belongs to the month it was declared in. Its times, all in
seconds and built from what the system recorded:

- detect: from the first sign (the earliest of its ``started_at``, the
  first volume bucket of a signal attached to it, the first complaint of
  an affected customer) to when it was detected (``detected_at``, else its
  declaration); 0 when it was detected before any sign was recorded;
- acknowledge: declaration to the first acknowledgement of a role of the
  response group;
- first statement: declaration to the first published statement, and
  whether that met the holding-statement clock;
- resolve: declaration to ``resolved_at``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

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
from incident.remedy.callbacks import OPEN
from incident.reporting.service_times import percentile

TIMES = ("detect", "acknowledge", "first_statement", "resolve")


def _seconds(later: dt.datetime | None, earlier: dt.datetime | None) -> int | None:
    if later is None or earlier is None:
        return None
    return max(0, int((later - earlier).total_seconds()))


def _firsts(session: Session, column: Any, incident_col: Any, ids: Any, *where: Any) -> dict[int, dt.datetime]:
    rows = session.execute(
        select(incident_col, func.min(column))
        .where(incident_col.in_(ids), column.is_not(None), *where)
        .group_by(incident_col)
    )
    return {int(i): v for i, v in rows if v is not None}


def _incident_times(session: Session, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    month = and_(Incident.declared_at >= start, Incident.declared_at < end)
    ids = select(Incident.id).where(month).scalar_subquery()
    signal = _firsts(session, Signal.bucket_start, Signal.incident_id, ids)
    complaint = _firsts(session, AffectedCustomer.complained_at, AffectedCustomer.incident_id, ids)
    ack = _firsts(session, RoleAssignment.acked_at, RoleAssignment.incident_id, ids)
    statement = _firsts(session, Statement.published_at, Statement.incident_id, ids)
    holding = _firsts(session, ResponseClock.due_at, ResponseClock.incident_id, ids, ResponseClock.kind == "holding")
    out = []
    for inc in session.execute(
        select(
            Incident.id,
            Incident.kind,
            Incident.severity,
            Incident.started_at,
            Incident.detected_at,
            Incident.declared_at,
            Incident.resolved_at,
        ).where(month)
    ):
        signs = [x for x in (inc.started_at, signal.get(inc.id), complaint.get(inc.id)) if x is not None]
        first_statement = statement.get(inc.id)
        due = holding.get(inc.id)
        out.append(
            {
                "kind": inc.kind,
                "severity": int(inc.severity),
                "resolved": inc.resolved_at is not None,
                "statement_on_time": None if first_statement is None or due is None else first_statement <= due,
                "detect": _seconds(inc.detected_at or inc.declared_at, min(signs)) if signs else None,
                "acknowledge": _seconds(ack.get(inc.id), inc.declared_at),
                "first_statement": _seconds(first_statement, inc.declared_at),
                "resolve": _seconds(inc.resolved_at, inc.declared_at),
            }
        )
    return out


def _summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "count": len(rows),
        "resolved": sum(1 for r in rows if r["resolved"]),
        "statement_on_time": sum(1 for r in rows if r["statement_on_time"]),
    }
    for name in TIMES:
        values = [r[name] for r in rows if r[name] is not None]
        hist: dict[int, int] = defaultdict(int)
        for v in values:
            hist[v] += 1
        out[name] = {"count": len(values), "median_s": percentile(hist, 0.5), "p90_s": percentile(hist, 0.9)}
    return out


def incidents(session: Session, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The incidents declared in [start, end), by kind and by severity."""
    rows = _incident_times(session, start, end)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_severity: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
        by_severity[r["severity"]].append(r)
    return {
        "overall": _summarise(rows),
        "by_kind": {k: _summarise(v) for k, v in sorted(by_kind.items())},
        "by_severity": {str(k): _summarise(v) for k, v in sorted(by_severity.items())},
    }


def compensation(session: Session, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """What was issued in [start, end) and is still issued (a reversal
    takes it back out): count and amount per unit and per form."""
    c = Compensation
    rows = session.execute(
        select(c.form, c.unit, func.count(), money_sum(c.amount))
        .where(c.status == "issued", c.issued_at >= start, c.issued_at < end)
        .group_by(c.form, c.unit)
    ).all()
    out: dict[str, Any] = {"count": 0, "money_issued": ZERO, "by_unit": {}, "by_form": {}}
    for form, unit, n, amount in rows:
        amount = Decimal(amount)
        out["count"] += int(n)
        u = out["by_unit"].setdefault(unit, {"count": 0, "amount": ZERO})
        u["count"] += int(n)
        u["amount"] += amount
        f = out["by_form"].setdefault(form, {"count": 0, "amount": ZERO, "unit": unit})
        f["count"] += int(n)
        f["amount"] += amount
    out["money_issued"] = out["by_unit"].get("yuan", {}).get("amount", ZERO)
    out["customers"] = (
        session.scalar(
            select(func.count(func.distinct(c.customer_id))).where(
                c.status == "issued", c.issued_at >= start, c.issued_at < end
            )
        )
        or 0
    )
    return out


def callbacks(session: Session, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """Callbacks due in [start, end), cancelled ones aside: done, reached
    (at least one attempt got through), unreached, still open, and overdue
    (closed after the deadline, or open past it at ``min(end, now)``)."""
    cb = Callback
    cutoff = min(end, now)
    due = (cb.due_at >= start, cb.due_at < end, cb.status != "cancelled")
    reached = exists().where(CallbackAttempt.callback_id == cb.id, CallbackAttempt.result == "reached")
    overdue = or_(
        and_(cb.status == OPEN, cb.due_at < cutoff), and_(cb.closed_at.is_not(None), cb.closed_at > cb.due_at)
    )

    def count(*where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(cb).where(*due, *where)) or 0)

    by_status = dict(session.execute(select(cb.status, func.count()).where(*due).group_by(cb.status)).tuples().all())
    return {
        "due": sum(by_status.values()),
        "done": int(by_status.get("done", 0)),
        "unreached": int(by_status.get("unreached", 0)),
        "open": int(by_status.get("open", 0)),
        "reached": count(reached),
        "overdue": count(overdue),
    }
