"""Escalate roles not acknowledged in time to the team's supervisor
(DOMAIN.md §4: what is overdue goes to the supervisor).

:func:`sweep` is what the ``escalate-unacknowledged`` flow and
``incident escalate`` run. It is idempotent: an assignment escalates once
(``escalated_at``), rows are claimed with SKIP LOCKED so two sweepers never
escalate the same one, and the notification's dedupe key stops a retry
from notifying twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import OPEN_STATUSES, EventType
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.models import Incident, RoleAssignment
from incident.notify import enqueue
from incident.wording import clocks


@dataclass(frozen=True)
class Escalation:
    incident_id: int
    role: str
    person: str
    supervisor: str | None
    overdue_minutes: int
    clock: str | None = None  # "holding" / "update" for an overdue response clock


def overdue(session: Session, ctx: Context, limit: int = 500) -> list[RoleAssignment]:
    now = ctx.clock.now()
    return list(
        session.scalars(
            select(RoleAssignment)
            .join(Incident, Incident.id == RoleAssignment.incident_id)
            .where(
                RoleAssignment.acked_at.is_(None),
                RoleAssignment.escalated_at.is_(None),
                RoleAssignment.ended_at.is_(None),
                RoleAssignment.ack_due_at <= now,
                Incident.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(RoleAssignment.ack_due_at, RoleAssignment.id)
            .limit(limit)
            .with_for_update(of=RoleAssignment, skip_locked=True)
        )
    )


def sweep(session: Session, ctx: Context, limit: int = 500) -> list[Escalation]:
    now = ctx.clock.now()
    done: list[Escalation] = []
    for assignment in overdue(session, ctx, limit):
        incident = session.get(Incident, assignment.incident_id)
        assert incident is not None
        team = ctx.config.teams.get(assignment.team or "")
        supervisor = team.supervisor if team else None
        minutes = int((now - assignment.ack_due_at).total_seconds() // 60)
        assignment.escalated_at = now
        record_event(
            session,
            ctx,
            incident,
            EventType.ESCALATED,
            actor=SYSTEM_ACTOR,
            role=assignment.role,
            person=assignment.person,
            person_name=assignment.person_name,
            supervisor=supervisor,
            due_at=assignment.ack_due_at.isoformat(),
        )
        params = {
            "ref": incident.ref,
            "title": incident.title,
            "severity": incident.severity_enum.label,
            "role": assignment.role,
            "person": assignment.person_name,
            "minutes": max(minutes, 0),
        }
        if supervisor:
            enqueue(
                session,
                recipient=supervisor,
                key="notify.escalated",
                params=params,
                dedupe_key=f"escalated:{assignment.id}",
                now=now,
                incident_id=incident.id,
            )
        # The holder hears about it too: the page may simply have been missed.
        enqueue(
            session,
            recipient=assignment.person,
            key="notify.ack_overdue",
            params=params,
            dedupe_key=f"ack-overdue:{assignment.id}",
            now=now,
            incident_id=incident.id,
        )
        done.append(Escalation(incident.id, assignment.role, assignment.person, supervisor, minutes))
    # An overdue statement clock escalates the same way (issue: wording).
    for c in clocks.sweep(session, ctx, limit):
        done.append(Escalation(c.incident_id, "comms_lead", c.holder or "—", c.supervisor, c.overdue_minutes, c.kind))
    return done
