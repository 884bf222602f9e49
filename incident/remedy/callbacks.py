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

from sqlalchemy import ColumnClause, CursorResult, bindparam, func, literal_column, select, update
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.context import Context
from incident.db import insert_for
from incident.enums import EventType, Role, Status
from incident.errors import ConflictError, InputError, NotFoundError
from incident.i18n import t
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.models import AffectedCustomer, Callback, CallbackAttempt, Compensation, Incident
from incident.money import ZERO, fmt_spoken
from incident.notify import enqueue
from incident.remedy import texts as _texts  # noqa: F401
from incident.wording import public
from incident.wording.factsheet import approved
from incident.wording.personalise import Customer
from incident.wording.render import base_context, customer_view, incident_view, lint_text
from incident.wording.templates import template_set

RESULTS = ("reached", "no_answer", "wrong_number", "refused")
# "status = 'open'" written into the SQL, not bound: the partial indexes on
# open rows then answer the due and overdue queries by themselves (SQLite
# stops re-reading each row to check the status; a generic PostgreSQL plan
# can still use them). 1,000,000 callbacks: overdue count 127 → ~4 ms.
OPEN: ColumnClause[str] = literal_column("'open'")
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


# ---------------------------------------------------------------- hours --


def _local(config: AppConfig, t: dt.datetime) -> dt.datetime:
    return t.astimezone(config.zone)


def work_moment(config: AppConfig, t: dt.datetime) -> dt.datetime:
    """``t`` if it falls in working hours, else the next start of work."""
    cb = config.callbacks
    local = _local(config, t)
    for _ in range(15):
        if local.isoweekday() in cb.work_days:
            start = local.replace(hour=cb.work_start.hour, minute=cb.work_start.minute, second=0, microsecond=0)
            end = local.replace(hour=cb.work_end.hour, minute=cb.work_end.minute, second=0, microsecond=0)
            if local < start:
                return start.astimezone(dt.timezone.utc)
            if local < end:
                return local.astimezone(dt.timezone.utc)
        local = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return t


def next_work_day(config: AppConfig, t: dt.datetime) -> dt.datetime:
    """The start of work on the next working day after ``t``'s day."""
    local = _local(config, t)
    tomorrow = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return work_moment(config, tomorrow)


# --------------------------------------------------------------- agents --


def team_key(config: AppConfig) -> str | None:
    if config.callbacks.team:
        return config.callbacks.team
    return next((k for k, t in config.teams.items() if Role.CS_LEAD in t.roles), None)


def agents(config: AppConfig) -> list[str]:
    if config.callbacks.agents:
        return list(config.callbacks.agents)
    key = team_key(config)
    team = config.teams.get(key or "")
    if team is None:
        return []
    found = list(team.rotation.members) if team.rotation else []
    found += [s.person for s in team.shifts if s.person not in found]
    return found or [team.supervisor]


def supervisor(config: AppConfig) -> str | None:
    team = config.teams.get(team_key(config) or "")
    return team.supervisor if team else None


def _loads(session: Session, names: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(Callback.assignee, func.count())
        .where(Callback.status == OPEN, Callback.assignee.in_(names))
        .group_by(Callback.assignee)
    )
    load = {n: 0 for n in names}
    load.update({a: n for a, n in rows})
    return load


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


@dataclass(frozen=True)
class DueRow:
    id: int
    incident_id: int
    reason: str
    due_at: dt.datetime
    call_at: dt.datetime
    assignee: str | None
    attempts: int
    customer_ref: str
    name: str | None
    title: str | None
    contact: str | None
    lang: str


def due(
    session: Session,
    now: dt.datetime,
    *,
    agent: str | None = None,
    until: dt.datetime | None = None,
    incident_id: int | None = None,
    limit: int = 100,
) -> list[DueRow]:
    """Open callbacks to make by ``until`` (default now), soonest first;
    read through the partial indexes on open rows."""
    until = until or now
    q = (
        select(
            Callback.id,
            Callback.incident_id,
            Callback.reason,
            Callback.due_at,
            Callback.call_at,
            Callback.assignee,
            Callback.attempts,
            AffectedCustomer.customer_ref,
            AffectedCustomer.name,
            AffectedCustomer.title,
            AffectedCustomer.contact,
            AffectedCustomer.lang,
        )
        .join(AffectedCustomer, AffectedCustomer.id == Callback.customer_id)
        .where(Callback.status == OPEN, Callback.call_at <= until)
        .order_by(Callback.call_at, Callback.id)
        .limit(limit)
    )
    if agent is not None:
        q = q.where(Callback.assignee == agent)
    if incident_id is not None:
        q = q.where(Callback.incident_id == incident_id)
    return [DueRow(*r) for r in session.execute(q)]


def overdue_count(session: Session, now: dt.datetime, incident_id: int | None = None) -> int:
    q = select(func.count()).select_from(Callback).where(Callback.status == OPEN, Callback.due_at < now)
    if incident_id is not None:
        q = q.where(Callback.incident_id == incident_id)
    return session.scalar(q) or 0


def script(
    session: Session, config: AppConfig, callback: Callback, now: dt.datetime | None = None
) -> tuple[str, list[Any]]:
    """The words for this call, rendered from the incident's APPROVED fact
    sheet (or a plain script while there is none), personalised, linted.
    ``now`` (the caller's clock): an ETA in another year says its year."""
    incident = session.get(Incident, callback.incident_id)
    customer = session.get(AffectedCustomer, callback.customer_id)
    assert incident is not None and customer is not None
    lang = customer.lang if customer.lang in ("zh-CN", "en") else config.centre.language
    sheet = approved(session, incident.id)
    if sheet is not None:
        context = base_context(config, incident, sheet, lang, now)
    else:
        # The centre named in the customer's language (an English call never says 华东客服中心).
        centre = {"name": public.centre_name(config, lang)}
        context = {"centre": centre, "incident": incident_view(incident, lang), "facts": None}
    due_text = compensation_text(session, callback, lang)
    person = Customer(name=customer.name, title=customer.title, contact=customer.contact, compensation=due_text)
    context["customer"] = customer_view(person, lang, context["facts"] or {})
    context["callback"] = {"reason": callback.reason, "demand": callback.note or "", "attempt": callback.attempts + 1}
    text = template_set(session).render(f"callbacks/{callback.reason}", lang, context)
    return text, lint_text(text, lang, config)


def compensation_text(session: Session, callback: Callback, lang: str) -> str:
    rows = session.execute(
        select(Compensation.form, Compensation.amount, Compensation.unit, Compensation.status).where(
            Compensation.incident_id == callback.incident_id,
            Compensation.customer_id == callback.customer_id,
            Compensation.status.in_(("approved", "issued")),
        )
    ).all()
    if not rows:
        return ""
    # Said to the customer: "50 元", "12.50 元" (fmt_spoken), never "50.00".
    parts = [t(f"callback.comp.{form}", lang, amount=fmt_spoken(amount)) for form, amount, _unit, _status in rows]
    return t("callback.comp.sentence", lang, items=("、" if lang == "zh-CN" else ", ").join(parts))
