"""Follow-up actions of a review, tracked like callbacks: an owner from the
roster, a due day (the centre's calendar), open → done | dropped (and back
to open); an open action past its day goes to the owner's supervisor once
(a timeline event and one message; SKIP LOCKED so two sweepers never
escalate the same one). The sweep also opens the review of every resolved
incident that has none yet, so each is opened without anyone visiting it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnClause, literal_column, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.context import Context
from incident.enums import Status
from incident.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from incident.models import Incident
from incident.models_review import FollowUpAction, Review
from incident.notify import enqueue
from incident.review import service
from incident.roster import display, find_person, members
from incident.textin import clean_text

STATES = ("open", "done", "dropped")
TITLE_MAX = 300
OPEN: ColumnClause[str] = literal_column("'open'")  # written into the SQL: the partial indexes answer alone
_STATE_ALIASES = {
    "完成": "done",
    "已完成": "done",
    "放弃": "dropped",
    "取消": "dropped",
    "重开": "open",
    "打开": "open",
}


def supervisor_of(config: AppConfig, person: str) -> str | None:
    """The supervisor of the first team ``person`` is on call for; for a
    supervisor (or someone on no team), the centre's duty manager."""
    for team in config.teams.values():
        if person in members(team) and team.supervisor != person:
            return team.supervisor
    manager = config.response.escalation.duty_manager
    return manager if manager and manager != person else None


def due_end(config: AppConfig, day: dt.date) -> dt.datetime:
    """The end of ``day`` in the centre's zone, in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=config.zone).astimezone(dt.timezone.utc)


def parse_due(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raw = str(value or "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError("review.error.bad_due", value=raw[:40] or "—") from None


def parse_state(value: str) -> str:
    key = (value or "").strip().lower()
    key = _STATE_ALIASES.get(key, key)
    if key not in STATES:
        raise InputError("review.error.bad_state", value=value, allowed=", ".join(STATES))
    return key


def get(session: Session, action_id: int, *, lock: bool = False) -> FollowUpAction:
    q = select(FollowUpAction).where(FollowUpAction.id == action_id)
    found = session.scalars(q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise NotFoundError("review.error.no_action", id=action_id)
    return found


def add(session: Session, ctx: Context, incident_id: int, title: str, owner: str, due: Any) -> FollowUpAction:
    text = clean_text("title", title)
    if not text:
        raise InputError("review.error.title_empty")
    if len(text) > TITLE_MAX:
        raise InputError("review.error.title_long", max=TITLE_MAX, length=len(text))
    owner_key = find_person(ctx.config, clean_text("owner", owner))[0]
    day = parse_due(due)
    now = ctx.clock.now()
    if day < now.astimezone(ctx.config.zone).date():
        raise InputError("review.error.due_past", day=day.isoformat())
    service.open_review(session, ctx, incident_id)  # actions belong to the review
    incident = service.incident_of(session, incident_id)
    action = FollowUpAction(
        incident_id=incident_id,
        title=text,
        owner=owner_key,
        due_on=day,
        due_at=due_end(ctx.config, day),
        state="open",
        created_by=ctx.actor,
        created_at=now,
    )
    session.add(action)
    session.flush()
    service.event(
        session, ctx, incident, "review_action_added", action=action.id, title=text, owner=owner_key, due=str(day)
    )
    enqueue(
        session,
        recipient=owner_key,
        key="review.notify.action_owner",
        params={"ref": incident.ref, "title": text, "due": day.isoformat(), "id": action.id},
        dedupe_key=f"review-action:{action.id}",
        now=now,
        incident_id=incident_id,
        config=ctx.config,
    )
    return action


def set_state(
    session: Session, ctx: Context, action_id: int, state: str, note: str | None = None, *, for_others: bool = False
) -> FollowUpAction:
    """Done, dropped (a reason is required) or open again. The owner may;
    someone else only ``for_others`` (the caller passes whether they may
    edit reviews), and the timeline says who."""
    target = parse_state(state)
    action = get(session, action_id, lock=True)
    who = service.person_key(ctx.config, ctx.actor)
    if who != action.owner and not for_others:
        raise ForbiddenError("review.error.not_owner", id=action.id, owner=action.owner)
    if target == action.state:
        raise ConflictError("review.error.action_same", id=action.id, state=target)
    text = clean_text("note", note or "") or None
    if target == "dropped" and not text:
        raise InputError("review.error.drop_reason")
    now = ctx.clock.now()
    action.state, action.note = target, text or action.note
    action.closed_at, action.closed_by = (None, None) if target == "open" else (now, ctx.actor)
    incident = service.incident_of(session, action.incident_id)
    service.event(session, ctx, incident, f"review_action_{target}", action=action.id, title=action.title, note=text)
    return action


def for_incident(session: Session, incident_id: int) -> list[FollowUpAction]:
    return list(
        session.scalars(
            select(FollowUpAction).where(FollowUpAction.incident_id == incident_id).order_by(FollowUpAction.id)
        )
    )


def open_for(session: Session, owner: str) -> list[tuple[FollowUpAction, str]]:
    """An owner's open actions with their incident's title, soonest due first."""
    rows = session.execute(
        select(FollowUpAction, Incident.title)
        .join(Incident, Incident.id == FollowUpAction.incident_id)
        .where(FollowUpAction.state == OPEN, FollowUpAction.owner == owner)
        .order_by(FollowUpAction.due_at, FollowUpAction.id)
    ).all()
    return [(a, title) for a, title in rows]


# ------------------------------------------------------------------ sweeping --


@dataclass
class SweepReport:
    opened: int = 0
    escalated: int = 0


def escalate_overdue(session: Session, ctx: Context, limit: int = 1000) -> int:
    """Open actions past their day, each to its owner's supervisor once."""
    now = ctx.clock.now()
    rows = session.scalars(
        select(FollowUpAction)
        .where(FollowUpAction.state == OPEN, FollowUpAction.escalated_at.is_(None), FollowUpAction.due_at <= now)
        .order_by(FollowUpAction.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for action in rows:
        boss = supervisor_of(ctx.config, action.owner)
        action.escalated_at, action.escalated_to = now, boss
        incident = service.incident_of(session, action.incident_id)
        days = max(0, (now.astimezone(ctx.config.zone).date() - action.due_on).days)
        service.event(
            session,
            Context(ctx.config, "system", ctx.clock),
            incident,
            "review_action_overdue",
            action=action.id,
            title=action.title,
            owner=action.owner,
            supervisor=boss or "—",
            days=days,
        )
        if boss:
            enqueue(
                session,
                recipient=boss,
                key="review.notify.action_overdue",
                params={
                    "ref": incident.ref,
                    "title": action.title,
                    "owner": display(ctx.config, action.owner),
                    "due": str(action.due_on),
                },
                dedupe_key=f"review-action-overdue:{action.id}",
                now=now,
                incident_id=incident.id,
                config=ctx.config,
            )
    return len(rows)


def open_missing(session: Session, ctx: Context, limit: int = 200) -> int:
    """Open the review of resolved incidents that have none yet."""
    ids = session.scalars(
        select(Incident.id)
        .outerjoin(Review, Review.incident_id == Incident.id)
        .where(Incident.status == Status.RESOLVED.value, Review.id.is_(None))
        .order_by(Incident.id)
        .limit(limit)
    ).all()
    system = Context(ctx.config, "system", ctx.clock)
    for iid in ids:
        service.open_review(session, system, iid)
    return len(ids)


def sweep(session: Session, ctx: Context) -> SweepReport:
    """What the ``sweep-callbacks`` flow runs beside the callbacks' sweep."""
    return SweepReport(opened=open_missing(session, ctx), escalated=escalate_overdue(session, ctx))
