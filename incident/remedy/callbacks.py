"""Follow-up calls (回访) to affected customers, DOMAIN.md §4.

Deadlines: while the incident is unresolved, unfinished business is called
back within 24 hours (000 §3.1; complex cases 48 h, 003 §2.3); after
resolution, every affected customer hears the result within 1 hour
(003 §2.4). Calls are assigned to the customer-service team's agents,
balanced by open load, and placed within working hours; an unanswered call
is tried again the next working day, up to a limit; a new demand opens a
follow-up assigned to another agent; overdue calls escalate to the team's
supervisor. Creation is idempotent (one callback per customer, incident
and reason), and two sweepers never assign or escalate the same row
(SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.context import Context
from incident.db import insert_for
from incident.enums import EventType, Status
from incident.errors import ConflictError, InputError, NotFoundError
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.models import AffectedCustomer, Callback, CallbackAttempt, Incident
from incident.money import ZERO
from incident.notify import enqueue
from incident.remedy import contact
from incident.remedy import texts as _texts  # noqa: F401

# Re-exported: callers use callbacks.agents, callbacks.due, callbacks.OPEN, …
from incident.remedy.callback_hours import OPEN, _loads, agents, next_work_day, supervisor, team_key, work_moment
from incident.remedy.callback_queue import DueRow, compensation_text, due, overdue_count, script

RESULTS = ("reached", "no_answer", "wrong_number", "refused")
REASONS = ("unfinished", "result", "follow_up")
_RESULT_ALIASES = {
    "接通": "reached",
    "已接通": "reached",
    "未接": "no_answer",
    "无人接听": "no_answer",
    "号码错误": "wrong_number",
    "错号": "wrong_number",
    "拒绝": "refused",
    "拒访": "refused",
    "no-answer": "no_answer",
    "wrong-number": "wrong_number",
}


# ------------------------------------------------------------- creation --


def _is_complex(config: AppConfig, marked: bool | None, at_stake: Decimal | None) -> bool:
    """Complex (48 h, 003 §2.3): marked so, or more than complex_over_yuan at stake."""
    return bool(marked) or (at_stake or ZERO) > config.callbacks.complex_over_yuan


@dataclass
class SweepReport:
    created: int = 0
    cancelled: int = 0
    assigned: int = 0
    escalated: int = 0
    by_agent: Counter[str] = field(default_factory=Counter)
    phones_purged: int = 0


def schedule(
    session: Session, ctx: Context, incident: Incident, report: SweepReport | None = None, chunk: int = 5000
) -> SweepReport:
    """Create the callbacks an incident's customers are owed now (missing
    ones only). On resolution, open "unfinished" calls give way to the
    "result" call due within the hour."""
    report = report or SweepReport()
    cb, now = ctx.config.callbacks, ctx.clock.now()
    resolved = incident.status in (Status.RESOLVED.value, Status.CLOSED.value)
    if incident.status == Status.CLOSED.value and incident.resolved_at is None:
        return report
    reason = "result" if resolved else "unfinished"
    if resolved:
        # DML through the ORM session returns a CursorResult (typed as Result)
        cancelled = cast(
            CursorResult[Any],
            session.execute(
                update(Callback)
                .where(Callback.incident_id == incident.id, Callback.reason == "unfinished", Callback.status == OPEN)
                .values(status="cancelled", closed_at=now, note="superseded by the result call"),
                execution_options={"synchronize_session": False},
            ),
        )
        report.cancelled += cancelled.rowcount or 0
    last_id = 0
    table = Callback.__table__
    while True:
        # Only customers still without this call: a sweep every few minutes
        # over a large incident must not re-insert everyone each time.
        owed = (
            ~select(Callback.id).where(Callback.customer_id == AffectedCustomer.id, Callback.reason == reason).exists()
        )
        customers = session.execute(
            select(
                AffectedCustomer.id,
                AffectedCustomer.added_at,
                AffectedCustomer.complex,
                AffectedCustomer.amount_at_stake,
            )
            .where(AffectedCustomer.incident_id == incident.id, AffectedCustomer.id > last_id, owed)
            .order_by(AffectedCustomer.id)
            .limit(chunk)
        ).all()
        if not customers:
            break
        last_id = customers[-1].id
        rows = []
        for c in customers:
            complex_ = _is_complex(ctx.config, c.complex, c.amount_at_stake)
            if resolved:
                due = (incident.resolved_at or now) + dt.timedelta(minutes=cb.result_minutes)
            else:
                due = c.added_at + dt.timedelta(hours=cb.complex_hours if complex_ else cb.unfinished_hours)
            rows.append(
                {
                    "incident_id": incident.id,
                    "customer_id": c.id,
                    "reason": reason,
                    "key": f"{incident.id}/{c.id}/{reason}",
                    "parent_id": None,
                    "complex": complex_,
                    "status": "open",
                    "due_at": due,
                    "call_at": work_moment(ctx.config, now),
                    "attempts": 0,
                    "created_at": now,
                }
            )
        stmt = insert_for(session, table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
        added = len(list(session.connection().execute(stmt, rows).scalars()))
        report.created += added
    if report.created:
        record_event(
            session,
            ctx,
            incident,
            EventType.CALLBACKS_SCHEDULED,
            actor=SYSTEM_ACTOR,
            count=report.created,
            reason=reason,
        )
    return report


def assign(session: Session, ctx: Context, limit: int = 5000, report: SweepReport | None = None) -> SweepReport:
    """Give unassigned open callbacks to the agent with the fewest open ones
    (earliest deadline first); rows another sweeper holds are skipped."""
    report = report or SweepReport()
    names = agents(ctx.config)
    if not names:
        return report
    ids = list(
        session.scalars(
            select(Callback.id)
            .where(Callback.status == OPEN, Callback.assignee.is_(None))
            .order_by(Callback.due_at, Callback.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return report
    heap = [(n, name) for name, n in _loads(session, names).items()]
    heapq.heapify(heap)
    now = ctx.clock.now()
    params = []
    for cid in ids:
        n, name = heapq.heappop(heap)
        params.append({"cid": cid, "who": name})
        report.by_agent[name] += 1
        heapq.heappush(heap, (n + 1, name))
    table = Callback.__table__
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("cid"), table.c.assignee.is_(None))
        .values(assignee=bindparam("who"), assigned_at=now),
        params,
    )
    report.assigned += len(params)
    return report


def escalate_overdue(
    session: Session, ctx: Context, limit: int = 5000, report: SweepReport | None = None
) -> SweepReport:
    """Open callbacks past their deadline go to the supervisor once each;
    one timeline event and one message per incident per sweep."""
    report = report or SweepReport()
    now = ctx.clock.now()
    rows = session.execute(
        select(Callback.id, Callback.incident_id, Callback.due_at)
        .where(Callback.status == OPEN, Callback.due_at < now, Callback.escalated_at.is_(None))
        .order_by(Callback.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return report
    session.execute(
        update(Callback).where(Callback.id.in_([r.id for r in rows])).values(escalated_at=now),
        execution_options={"synchronize_session": False},
    )
    report.escalated += len(rows)
    boss = supervisor(ctx.config)
    by_incident: dict[int, list[Any]] = {}
    for r in rows:
        by_incident.setdefault(r.incident_id, []).append(r)
    for incident_id, group in by_incident.items():
        incident = session.get(Incident, incident_id)
        assert incident is not None
        oldest = min(r.due_at for r in group)
        minutes = int((now - oldest).total_seconds() // 60)
        record_event(
            session,
            ctx,
            incident,
            EventType.CALLBACKS_OVERDUE,
            actor=SYSTEM_ACTOR,
            count=len(group),
            supervisor=boss,
            oldest_minutes=minutes,
        )
        if boss:
            enqueue(
                session,
                recipient=boss,
                key="notify.callbacks_overdue",
                params={"ref": incident.ref, "title": incident.title, "count": len(group), "minutes": minutes},
                dedupe_key=f"cb-overdue:{incident_id}:{min(r.id for r in group)}",
                now=now,
                incident_id=incident_id,
                config=ctx.config,
            )
    return report


def sweep(session: Session, ctx: Context, limit: int = 5000) -> SweepReport:
    """What the ``sweep-callbacks`` flow runs: schedule what is owed for
    every incident that has customers and is not closed (or was resolved
    in the last day), assign, escalate."""
    report = SweepReport()
    since = ctx.clock.now() - dt.timedelta(days=1)
    incident_ids = session.scalars(select(AffectedCustomer.incident_id).distinct())
    for incident_id in list(incident_ids):
        incident = session.get(Incident, incident_id)
        if incident is None:
            continue
        if incident.status == Status.CLOSED.value and (incident.resolved_at is None or incident.resolved_at < since):
            continue
        schedule(session, ctx, incident, report)
    assign(session, ctx, limit, report)
    escalate_overdue(session, ctx, limit, report)
    # Full numbers kept for dialling go once no call needs them (contact.py).
    report.phones_purged = contact.purge_phones(session, ctx)
    return report


# ---------------------------------------------------------------- work --


def get(session: Session, callback_id: int) -> Callback:
    found = session.get(Callback, callback_id)
    if found is None:
        raise NotFoundError("callback.error.none", id=callback_id)
    return found


def parse_result(value: str) -> str:
    key = value.strip().lower().replace(" ", "_")
    key = _RESULT_ALIASES.get(key, key)
    if key not in RESULTS:
        raise InputError("callback.error.bad_result", value=value, allowed=", ".join(RESULTS))
    return key


def record_attempt(
    session: Session,
    ctx: Context,
    callback_id: int,
    result: str,
    *,
    satisfaction: int | None = None,
    note: str | None = None,
    new_demand: str | None = None,
) -> tuple[Callback, Callback | None]:
    """Record one call. reached → done (satisfaction 1–5 asked, 003 §2.4;
    a new demand opens a follow-up for another agent); no answer → again
    the next working day, until the retry limit; wrong number → unreached;
    refused → done without a score. Returns (callback, follow-up or None)."""
    result = parse_result(result)
    cb = session.scalar(select(Callback).where(Callback.id == callback_id).with_for_update())
    if cb is None:
        raise NotFoundError("callback.error.none", id=callback_id)
    if cb.status != "open":
        raise ConflictError("callback.error.closed", id=cb.id, status=cb.status)
    if satisfaction is not None and (result != "reached" or not 1 <= satisfaction <= 5):
        raise InputError(
            "callback.error.satisfaction" if result == "reached" else "callback.error.satisfaction_unreached",
            value=satisfaction,
        )
    if new_demand and result != "reached":
        raise InputError("callback.error.demand_unreached")
    now, config = ctx.clock.now(), ctx.config
    session.add(
        CallbackAttempt(callback_id=cb.id, agent=ctx.actor, result=result, note=(note or "").strip() or None, at=now)
    )
    cb.attempts += 1
    cb.outcome = result
    if note and note.strip():
        cb.note = note.strip()
    follow: Callback | None = None
    if result == "reached":
        cb.status, cb.closed_at, cb.satisfaction = "done", now, satisfaction
        if new_demand and new_demand.strip():
            cb.new_demand = new_demand.strip()
            follow = _follow_up(session, ctx, cb)
    elif result == "refused":
        cb.status, cb.closed_at = "done", now
    elif result == "wrong_number":
        cb.status, cb.closed_at = "unreached", now
    elif cb.attempts >= config.callbacks.max_attempts:
        cb.status, cb.closed_at = "unreached", now
    else:
        cb.call_at = next_work_day(config, now)
    return cb, follow


def _follow_up(session: Session, ctx: Context, parent: Callback) -> Callback:
    cfg, now = ctx.config.callbacks, ctx.clock.now()
    names = [n for n in agents(ctx.config) if n != (parent.assignee or ctx.actor)] or agents(ctx.config)
    load = _loads(session, names) if names else {}
    who = min(load, key=lambda n: (load[n], n)) if load else None
    follow = Callback(
        incident_id=parent.incident_id,
        customer_id=parent.customer_id,
        reason="follow_up",
        key=f"follow_up/{parent.id}",
        parent_id=parent.id,
        complex=parent.complex,
        status="open",
        due_at=now + dt.timedelta(hours=cfg.complex_hours if parent.complex else cfg.ordinary_hours),
        call_at=work_moment(ctx.config, now),
        assignee=who,
        assigned_at=now if who else None,
        attempts=0,
        created_at=now,
        note=parent.new_demand,
    )
    session.add(follow)
    session.flush()
    incident = session.get(Incident, parent.incident_id)
    assert incident is not None
    record_event(
        session,
        ctx,
        incident,
        EventType.FOLLOW_UP_OPENED,
        callback=parent.id,
        follow_up=follow.id,
        assignee=who,
        demand=parent.new_demand,
    )
    return follow


__all__ = [
    "DueRow",
    "OPEN",
    "REASONS",
    "RESULTS",
    "SweepReport",
    "agents",
    "assign",
    "compensation_text",
    "due",
    "escalate_overdue",
    "get",
    "next_work_day",
    "overdue_count",
    "parse_result",
    "record_attempt",
    "schedule",
    "script",
    "supervisor",
    "sweep",
    "team_key",
    "work_moment",
]
