"""Response clocks: the public is owed a first holding statement soon after
an incident opens (default 60 minutes, 4 hours for public opinion), then an
update by the "next update by" time each published statement sets. An
overdue clock escalates like an unacknowledged role: a timeline event and a
notification to the comms lead and the comms team's supervisor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import OPEN_STATUSES, EventType, Kind, Role
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.models import Incident, ResponseClock, RoleAssignment, Statement
from incident.notify import enqueue
from incident.roster import display


def holding_interval(ctx: Context, incident: Incident) -> dt.timedelta:
    w = ctx.config.wording
    minutes = w.holding_minutes_public_opinion if incident.kind == Kind.PUBLIC_OPINION.value else w.holding_minutes
    return dt.timedelta(minutes=minutes)


def start_holding(session: Session, ctx: Context, incident: Incident) -> ResponseClock:
    now = ctx.clock.now()
    clock = ResponseClock(
        incident_id=incident.id, kind="holding", started_at=now, due_at=now + holding_interval(ctx, incident)
    )
    session.add(clock)
    return clock


def running(session: Session, incident_id: int) -> list[ResponseClock]:
    return list(
        session.scalars(
            select(ResponseClock)
            .where(
                ResponseClock.incident_id == incident_id,
                ResponseClock.met_at.is_(None),
                ResponseClock.stopped_at.is_(None),
            )
            .order_by(ResponseClock.due_at)
        )
    )


def on_published(session: Session, ctx: Context, incident: Incident, st: Statement) -> dt.datetime | None:
    """Meet the running clocks; start "next update by" unless this is the
    resolution statement (or the incident is already resolved)."""
    now = ctx.clock.now()
    for clock in running(session, incident.id):
        clock.met_at = now
        clock.met_by = st.id
    if st.kind == "resolution" or not incident.status_enum.is_open:
        return None
    due = now + ctx.config.wording.update_interval(incident.severity_enum)
    session.add(ResponseClock(incident_id=incident.id, kind="update", started_at=now, due_at=due))
    return due


def stop(session: Session, ctx: Context, incident_id: int) -> None:
    """Resolved or closed: nothing more is owed."""
    session.execute(
        update(ResponseClock)
        .where(
            ResponseClock.incident_id == incident_id, ResponseClock.met_at.is_(None), ResponseClock.stopped_at.is_(None)
        )
        .values(stopped_at=ctx.clock.now())
    )


@dataclass(frozen=True)
class ClockEscalation:
    incident_id: int
    kind: str
    holder: str | None
    supervisor: str | None
    overdue_minutes: int


def _comms(session: Session, ctx: Context, incident_id: int) -> tuple[str | None, str | None]:
    holder = session.scalar(
        select(RoleAssignment.person).where(
            RoleAssignment.incident_id == incident_id,
            RoleAssignment.role == Role.COMMS_LEAD.value,
            RoleAssignment.ended_at.is_(None),
        )
    )
    supervisor = next((t.supervisor for t in ctx.config.teams.values() if Role.COMMS_LEAD in t.roles), None)
    return holder, supervisor


def sweep(session: Session, ctx: Context, limit: int = 500) -> list[ClockEscalation]:
    """Escalate each overdue clock once (idempotent; SKIP LOCKED so two
    sweepers never escalate the same clock)."""
    now = ctx.clock.now()
    clocks = session.scalars(
        select(ResponseClock)
        .join(Incident, Incident.id == ResponseClock.incident_id)
        .where(
            ResponseClock.met_at.is_(None),
            ResponseClock.stopped_at.is_(None),
            ResponseClock.escalated_at.is_(None),
            ResponseClock.due_at <= now,
            Incident.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(ResponseClock.due_at)
        .limit(limit)
        .with_for_update(of=ResponseClock, skip_locked=True)
    ).all()
    done: list[ClockEscalation] = []
    for clock in clocks:
        incident = session.get(Incident, clock.incident_id)
        assert incident is not None
        holder, supervisor = _comms(session, ctx, incident.id)
        minutes = max(int((now - clock.due_at).total_seconds() // 60), 0)
        clock.escalated_at = now
        record_event(
            session,
            ctx,
            incident,
            EventType.CLOCK_OVERDUE,
            actor=SYSTEM_ACTOR,
            clock=clock.kind,
            due_at=clock.due_at.isoformat(),
            holder=holder,
            supervisor=supervisor or "—",
            supervisor_name=display(ctx.config, supervisor),
            minutes=minutes,
        )
        params = {"ref": incident.ref, "title": incident.title, "clock": clock.kind, "minutes": minutes}
        for who in dict.fromkeys(p for p in (supervisor, holder) if p):
            enqueue(
                session,
                recipient=who,
                key="notify.clock_overdue",
                params=params,
                dedupe_key=f"clock:{clock.id}:{who}",
                now=now,
                incident_id=incident.id,
                config=ctx.config,
            )
        done.append(ClockEscalation(incident.id, clock.kind, holder, supervisor, minutes))
    return done
