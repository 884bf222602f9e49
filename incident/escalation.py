"""Escalate roles not acknowledged in time along the configured chain
(DOMAIN.md §4: what is overdue goes to the supervisor; issue: escalation
policies — deputy, supervisor, the centre's duty manager, repeated until
someone acknowledges).

:func:`sweep` is what the ``escalate-unacknowledged`` flow and
``incident escalate`` run. It is idempotent: each step moves the role's
position in its chain (``escalation_step``) and schedules the next
(``next_escalation_at``); rows are claimed with SKIP LOCKED so two
sweepers never take the same step, and each notification's dedupe key
stops a retry from notifying twice. The timeline records every step: who
was tried, at which level, on which channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from incident import roster_overrides
from incident.context import Context
from incident.enums import OPEN_STATUSES, EventType
from incident.escalation_chain import Step, next_step
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.models import Incident, RoleAssignment
from incident.notify import enqueue
from incident.roster import Cover, display
from incident.wording import clocks


@dataclass(frozen=True)
class Escalation:
    incident_id: int
    role: str
    person: str
    supervisor: str | None  # who was told (kept under this name for --json readers)
    overdue_minutes: int
    clock: str | None = None  # "holding" / "update" for an overdue response clock
    level: str | None = None
    round: int = 1


def overdue(session: Session, ctx: Context, limit: int = 500) -> list[RoleAssignment]:
    """Unacknowledged roles whose first step (at the deadline) or next step is due."""
    now = ctx.clock.now()
    return list(
        session.scalars(
            select(RoleAssignment)
            .join(Incident, Incident.id == RoleAssignment.incident_id)
            .where(
                RoleAssignment.acked_at.is_(None),
                RoleAssignment.ended_at.is_(None),
                or_(
                    and_(RoleAssignment.escalated_at.is_(None), RoleAssignment.ack_due_at <= now),
                    RoleAssignment.next_escalation_at <= now,
                ),
                Incident.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(RoleAssignment.ack_due_at, RoleAssignment.id)
            .limit(limit)
            .with_for_update(of=RoleAssignment, skip_locked=True)
        )
    )


def _first_step(assignment: RoleAssignment) -> bool:
    return assignment.escalated_at is None


def sweep(session: Session, ctx: Context, limit: int = 500) -> list[Escalation]:
    done: list[Escalation] = []
    covers = roster_overrides.active(session, ctx.clock.now())
    for assignment in overdue(session, ctx, limit):
        incident = session.get(Incident, assignment.incident_id)
        assert incident is not None
        done.extend(_escalate(session, ctx, incident, assignment, covers))
    # An overdue statement clock escalates the same way (issue: wording).
    for c in clocks.sweep(session, ctx, limit):
        done.append(Escalation(c.incident_id, "comms_lead", c.holder or "—", c.supervisor, c.overdue_minutes, c.kind))
    return done


def _escalate(
    session: Session, ctx: Context, incident: Incident, assignment: RoleAssignment, covers: list[Cover]
) -> list[Escalation]:
    now = ctx.clock.now()
    policy = ctx.config.response.escalation
    first = _first_step(assignment)
    step = next_step(ctx.config, assignment.team, assignment.person, assignment.escalation_step, now, covers)
    minutes = max(int((now - assignment.ack_due_at).total_seconds() // 60), 0)
    if first:
        assignment.escalated_at = now
    if step is None:
        assignment.next_escalation_at = None
        _event(session, ctx, incident, assignment, EventType.ESCALATION_ENDED, steps=assignment.escalation_step)
        if first:  # nobody to escalate to: the holder still hears it is overdue
            _remind_holder(session, ctx, incident, assignment, _params(incident, assignment, minutes), None)
        return []
    assignment.escalation_step = step.position
    after = next_step(ctx.config, assignment.team, assignment.person, step.position, now, covers)
    assignment.next_escalation_at = now + policy.delay(incident.severity_enum, after.level if after else None)
    n = (step.position - 1) // len(policy.levels) + 1  # the round, as people count it
    params = _params(incident, assignment, minutes)
    channel = _notify(session, ctx, incident, assignment, step, params, first)
    _event(
        session,
        ctx,
        incident,
        assignment,
        EventType.ESCALATED,
        supervisor=step.person,
        to_name=display(ctx.config, step.person),
        level=step.level,
        round=n,
        channel=channel,
        due_at=assignment.ack_due_at.isoformat(),
    )
    return [Escalation(incident.id, assignment.role, assignment.person, step.person, minutes, None, step.level, n)]


def _event(
    session: Session, ctx: Context, incident: Incident, assignment: RoleAssignment, type_: EventType, **data: object
) -> None:
    record_event(
        session,
        ctx,
        incident,
        type_,
        actor=SYSTEM_ACTOR,
        role=assignment.role,
        person=assignment.person,
        person_name=assignment.person_name,
        **data,
    )


def _params(incident: Incident, assignment: RoleAssignment, minutes: int) -> dict[str, object]:
    return {
        "ref": incident.ref,
        "title": incident.title,
        "severity": incident.severity_enum.label,
        "role": assignment.role,
        "person": assignment.person_name,
        "minutes": minutes,
        "assignment_id": assignment.id,  # the holder's reminder carries an acknowledge link
    }


def _notify(
    session: Session,
    ctx: Context,
    incident: Incident,
    assignment: RoleAssignment,
    step: Step,
    params: dict[str, object],
    first: bool,
) -> str:
    """Queue the step's notifications; the channel the step's person is
    tried on first (their plan: incident/notify_channels.py)."""
    now = ctx.clock.now()
    # The first step keeps its old dedupe keys so that a sweep retried
    # across an upgrade does not notify twice.
    suffix = "" if first else f":{step.position}"
    if step.level == "holder":
        return _remind_holder(session, ctx, incident, assignment, params, suffix)
    channel = enqueue(
        session,
        recipient=step.person,
        key="notify.escalated",
        params=params,
        dedupe_key=f"escalated:{assignment.id}{suffix}",
        now=now,
        incident_id=incident.id,
        config=ctx.config,
    )
    if first:  # the holder hears about it too: the page may simply have been missed
        _remind_holder(session, ctx, incident, assignment, params, suffix)
    return channel


def _remind_holder(
    session: Session,
    ctx: Context,
    incident: Incident,
    assignment: RoleAssignment,
    params: dict[str, object],
    suffix: str | None,
) -> str:
    return enqueue(
        session,
        recipient=assignment.person,
        key="notify.ack_overdue",
        params=params,
        dedupe_key=f"ack-overdue:{assignment.id}{suffix or ''}",
        now=ctx.clock.now(),
        incident_id=incident.id,
        config=ctx.config,
    )
