"""The review as one dict (what ``incident review show --json`` prints and
the API answers), and what of it waits for one person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import Status
from incident.events import event_text
from incident.i18n import LANGS
from incident.models import Incident, TimelineEvent
from incident.models_review import FollowUpAction, Review, ReviewSignoff
from incident.review import actions, facts, service
from incident.serialise import row_json_from
from incident.timeutil import iso_utc


def signoff_json(s: ReviewSignoff) -> dict[str, Any]:
    return {"person": s.person, "role": s.role, "version": s.version, "comment": s.comment, "at": iso_utc(s.at)}


def action_json(a: FollowUpAction, now: Any = None) -> dict[str, Any]:
    return {
        "id": a.id,
        "incident_id": a.incident_id,
        "title": a.title,
        "owner": a.owner,
        "due_on": a.due_on.isoformat(),
        "state": a.state,
        "note": a.note,
        "overdue": a.state == "open" and now is not None and a.due_at <= now,
        "created_by": a.created_by,
        "created_at": iso_utc(a.created_at),
        "closed_at": iso_utc(a.closed_at),
        "closed_by": a.closed_by,
        "escalated_at": iso_utc(a.escalated_at),
        "escalated_to": a.escalated_to,
    }


def review_json(session: Session, ctx: Context, incident: Incident, review: Review) -> dict[str, Any]:
    st = service.state(session, ctx.config, review)
    now = ctx.clock.now()
    return {
        "incident": row_json_from(incident),
        "version": review.version,
        "text": {f: {lg: service.text_of(review, f, lg) for lg in LANGS} for f in service.FIELDS},
        "missing": service.missing_fields(review),
        "authors": list(review.authors or []),
        "opened_at": iso_utc(review.opened_at),
        "updated_at": iso_utc(review.updated_at),
        "signoff": {
            "required": st.required,
            "missing": st.missing,
            "eligible": st.eligible,
            "independent": st.independent,
            "complete": st.complete,
            "signed_off_at": iso_utc(review.signed_off_at),
            "signed": [signoff_json(s) for s in service.active_signoffs(session, review.id)],
        },
        "waiver": (
            {"at": iso_utc(review.waived_at), "by": review.waived_by, "reason": review.waiver_reason}
            if review.waived_at
            else None
        ),
        "close_needs_signoff": ctx.config.review.required(incident.severity_enum),
        "facts": facts.jsonable(facts.build(session, ctx, incident)),
        "actions": [action_json(a, now) for a in actions.for_incident(session, incident.id)],
    }


def timeline(session: Session, incident_id: int, lang: str) -> list[tuple[TimelineEvent, str]]:
    events = session.scalars(
        select(TimelineEvent).where(TimelineEvent.incident_id == incident_id).order_by(TimelineEvent.id)
    )
    return [(ev, event_text(ev, lang)) for ev in events]


def waiting(session: Session, ctx: Context, *, sign: bool = True) -> dict[str, list[dict[str, Any]]]:
    """For "waiting for me": the person's open follow-up actions, and the
    reviews of resolved incidents they may sign now (the sign rule itself,
    asked without signing); with ``sign`` False, the actions only."""
    person = service.person_key(ctx.config, ctx.actor)
    now = ctx.clock.now()
    mine = [
        {**action_json(a, now), "ref": f"INC-{a.incident_id}", "incident_title": title, "due_at": a.due_at}
        for a, title in actions.open_for(session, person)
    ]
    to_sign = []
    if sign and person in ctx.config.people:
        rows = session.execute(
            select(Review, Incident)
            .join(Incident, Incident.id == Review.incident_id)
            .where(
                Review.signed_off_at.is_(None),
                Review.version > 0,
                Incident.status == Status.RESOLVED.value,  # what holds a close back
            )
            .order_by(Review.id)
            .limit(200)
        ).all()
        for review, incident in rows:
            if service.missing_fields(review):
                continue  # not signable yet
            role = service.sign_role(session, ctx.config, review, person)
            if role is not None:
                to_sign.append({"incident_id": incident.id, "ref": incident.ref, "title": incident.title, "role": role})
    return {"actions": mine, "reviews": to_sign}
