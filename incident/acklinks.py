"""Acknowledge links: every notification that calls a person in (or
reminds them) carries a link that acknowledges the role without signing in
— the person reading a page on their phone at night need not find a
password.

The token is 32 random bytes; only its SHA-256 is stored (a copy of the
database acknowledges nothing). A link works once, until it expires
(``[response] ack_link_hours``), and only while the role is still held by
the person it was sent to and still open: a link to a role since handed to
someone else acknowledges nothing. Opening it (GET) only shows what it
would do; the acknowledgement is a POST from that page, so a mail scanner
that follows links acknowledges nothing either.

Links are made when the notification is sent (``for_delivery``), not when
it is queued, so the token is never stored in the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import acklinks_texts as _texts  # noqa: F401
from incident.config import AppConfig
from incident.context import Context
from incident.errors import InputError
from incident.incidents import acknowledge
from incident.models import Incident, OutboxMessage, RoleAssignment
from incident.models_people import AckLink

PATH = "/ack/"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, config: AppConfig, assignment_id: int, person: str, now: dt.datetime) -> str:
    """A new link for ``person`` to acknowledge assignment ``assignment_id``: its URL."""
    token = secrets.token_urlsafe(32)
    session.add(
        AckLink(
            assignment_id=assignment_id,
            person=person,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(hours=config.response.ack_link_hours),
        )
    )
    return f"{config.wording.public_url.rstrip('/')}{PATH}{token}"


# The notifications that ask their recipient to acknowledge a role.
ASKS = frozenset({"notify.role_called", "notify.ack_overdue"})


def link_maker(session: Session, config: AppConfig, now: dt.datetime) -> Callable[[OutboxMessage], str | None]:
    """For notify.deliver_pending: a fresh link for each message that asks
    its recipient to acknowledge a role they still hold unacknowledged."""

    def make(msg: OutboxMessage) -> str | None:
        aid = (msg.params or {}).get("assignment_id")
        if msg.message_key not in ASKS or not isinstance(aid, int):
            return None
        assignment = session.get(RoleAssignment, aid)
        if assignment is None or assignment.acked_at or assignment.ended_at or assignment.person != msg.recipient:
            return None
        return issue(session, config, aid, msg.recipient, now)

    return make


@dataclass(frozen=True)
class Pending:
    """What a link would acknowledge (the page shown before the button)."""

    ref: str
    title: str
    role: str
    person: str
    person_name: str
    already: bool  # acknowledged already (by this link or otherwise)


def _find(session: Session, token: str, now: dt.datetime, lock: bool) -> tuple[AckLink, RoleAssignment, Incident]:
    query = select(AckLink).where(AckLink.token_hash == _digest(token or ""))
    link = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if link is None:
        raise InputError("acklink.error.unknown")
    assignment = session.get(RoleAssignment, link.assignment_id)
    assert assignment is not None  # a foreign key
    incident = session.get(Incident, assignment.incident_id)
    assert incident is not None
    if link.used_at is not None:
        raise InputError("acklink.error.used", ref=incident.ref, person=link.person)
    if now >= link.expires_at:
        raise InputError("acklink.error.expired", ref=incident.ref, role=assignment.role, person=link.person)
    if assignment.ended_at is not None or assignment.person != link.person:
        raise InputError("acklink.error.not_yours", ref=incident.ref, role=assignment.role, person=link.person)
    if not incident.status_enum.is_open:
        raise InputError("acklink.error.closed", ref=incident.ref, person=link.person)
    return link, assignment, incident


def pending(session: Session, token: str, now: dt.datetime) -> Pending:
    """What ``token`` would acknowledge; changes nothing. A refusal names
    the link's person (``params["person"]``) so it can be said in their
    language."""
    _, assignment, incident = _find(session, token, now, lock=False)
    return Pending(
        incident.ref,
        incident.title,
        assignment.role,
        assignment.person,
        assignment.person_name,
        assignment.acked_at is not None,
    )


def use(session: Session, ctx: Context, token: str) -> Pending:
    """Acknowledge the role as its holder and spend the link."""
    now = ctx.clock.now()
    link, assignment, incident = _find(session, token, now, lock=True)
    link.used_at = now
    as_holder = dataclasses.replace(ctx, actor=assignment.person)
    _, changed = acknowledge(session, as_holder, incident.id, assignment.role, for_others=False)
    return Pending(
        incident.ref, incident.title, assignment.role, assignment.person, assignment.person_name, not changed
    )
