"""A customer's contact for the agent making a callback, and the record of
who asked for it.

Contacts are masked on intake (DOMAIN.md §6: ``****1234``, ``a***@host``):
the full number of an imported or complaint customer is never stored, so
"showing the number" gives the agent exactly what is stored, never more,
and a ``tel:`` link only when what is stored can be dialled (no masking
star in it). Each showing is a timeline event of the incident, naming the
callback and the customer (not the contact itself: the timeline is read by
many more people than the agent on the call)."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.access import texts as _access_texts  # noqa: F401  (access.error.not_yours)
from incident.context import Context
from incident.enums import EventType
from incident.errors import ConflictError, ForbiddenError, NotFoundError
from incident.incidents import record_event
from incident.models import AffectedCustomer, Callback, Complaint, Incident
from incident.remedy import texts as _texts  # noqa: F401  (event.contact_revealed)

# A number one can dial: digits with the usual separators, an optional
# leading +, and enough digits to be a phone number (not "****1414").
_DIALABLE = re.compile(r"\+?[0-9(][0-9 ().-]*[0-9]")
_MIN_DIGITS = 5


@dataclass(frozen=True)
class Revealed:
    callback_id: int
    contact: str | None  # as stored
    tel: str | None  # "tel:+8613800001414", or None when it cannot be dialled


def tel_link(contact: str | None) -> str | None:
    """``tel:`` + the digits (and a leading +) of a dialable contact; None
    for a masked, partial or non-phone one: no digit is ever made up."""
    value = (contact or "").strip()
    if not _DIALABLE.fullmatch(value):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) < _MIN_DIGITS:
        return None
    return "tel:" + ("+" if value.startswith("+") else "") + digits


def masked(contact: str | None) -> str:
    """What the page shows before anyone asks: the last four digits (an
    already-masked contact stays as it is), an e-mail's first letter and host."""
    value = (contact or "").strip()
    if not value:
        return "—"
    if "@" in value:
        local, _, host = value.partition("@")
        return f"{local[:1]}***@{host}"
    digits = re.sub(r"\D", "", value)
    return "****" + digits[-4:] if digits else "****"


def masked_name(name: str | None) -> str:
    """A queue line's name: the first character, then stars (王**); the
    full name is on the call in focus, for the greeting."""
    value = (name or "").strip()
    return f"{value[:1]}**" if value else "—"


def ticket_link(template: str | None, ticket: str | None) -> str | None:
    """The ticket system's page of ``ticket`` from ``[callbacks].ticket_url``
    (validated: http(s), one ``{ticket}``); the id is percent-encoded, so a
    ticket id cannot add a path, a query or a scheme of its own."""
    if not template or not ticket:
        return None
    return template.replace("{ticket}", urllib.parse.quote(ticket, safe=""))


def ticket_of(session: Session, customer: AffectedCustomer) -> str | None:
    """The complaint's id in the ticket system, when the customer came from one."""
    if customer.complaint_id is None:
        return None
    found: str | None = session.scalar(select(Complaint.external_id).where(Complaint.id == customer.complaint_id))
    return found


def reveal(session: Session, ctx: Context, callback_id: int, *, everyone: bool) -> Revealed:
    """The stored contact of an open callback's customer, for its assignee
    (or, ``everyone``, a cs lead), recorded on the incident's timeline."""
    cb = session.get(Callback, callback_id)
    if cb is None:
        raise NotFoundError("callback.error.none", id=callback_id)
    if not everyone and cb.assignee != ctx.actor:
        raise ForbiddenError("access.error.not_yours", agent=cb.assignee or "—")
    if cb.status != "open":
        raise ConflictError("callback.error.closed", id=cb.id, status=cb.status)
    customer = session.get(AffectedCustomer, cb.customer_id)
    incident = session.get(Incident, cb.incident_id)
    assert customer is not None and incident is not None
    record_event(
        session,
        ctx,
        incident,
        EventType.CONTACT_REVEALED,
        callback=cb.id,
        customer=customer.customer_ref,
    )
    return Revealed(callback_id=cb.id, contact=customer.contact, tel=tel_link(customer.contact))
