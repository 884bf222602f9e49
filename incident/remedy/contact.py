"""A customer's contact for the agent making a callback, and the record of
who asked for it.

Contacts are masked on intake (DOMAIN.md §6: ``****1234``, ``a***@host``)
wherever customers are listed, exported, serialised or written to the
timeline. The centre still has to dial: an imported customer's full number
is kept apart (``customer_phones``, incident/models_people.py), read only
here, by "show number" — the call's agent or a cs lead — and each showing
is a timeline event naming the callback and the customer (not the number:
the timeline is read by many more people than the agent on the call). A
customer with no kept number (from a complaint, masked when it came in)
shows what is stored, and a ``tel:`` link only when that can be dialled
(no masking star in it). The kept number is deleted
``[callbacks].phone_keep_days`` after the incident is closed and the
customer's callbacks are over (:func:`purge_phones`, run by the sweep)."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from incident.access import texts as _access_texts  # noqa: F401  (access.error.not_yours)
from incident.context import Context
from incident.enums import EventType
from incident.errors import ConflictError, ForbiddenError, NotFoundError
from incident.incidents import record_event
from incident.models import AffectedCustomer, Callback, Complaint, Incident
from incident.models_people import CustomerPhone
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
    # A number was shown (and the showing recorded); False: only the masked
    # form is stored, nothing was revealed and nothing recorded.
    recorded: bool = True


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
    (or, ``everyone``, a cs lead), recorded on the incident's timeline —
    when there is more to see than the masked form: a customer whose
    contact was masked on intake and no number kept is shown as stored,
    and no event claims that a number was seen."""
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
    kept = session.scalar(select(CustomerPhone.number).where(CustomerPhone.customer_id == customer.id))
    shown = kept or customer.contact
    # Masking leaves stars (``****1234``, ``a***@host``): a contact without one is whole.
    revealing = bool(kept) or bool(shown and shown.strip() and "*" not in shown)
    if revealing:
        record_event(
            session,
            ctx,
            incident,
            EventType.CONTACT_REVEALED,
            callback=cb.id,
            customer=customer.customer_ref,
        )
    return Revealed(callback_id=cb.id, contact=shown, tel=tel_link(shown), recorded=revealing)


def dialable(raw: str | None) -> str | None:
    """The number to keep for the callbacks: a contact as typed at intake
    when it can be dialled (not an e-mail, not already masked), trimmed."""
    value = (raw or "").strip()
    return value[:40] if tel_link(value) else None


def keep_phones(session: Session, ctx: Context, numbers: dict[int, str]) -> None:
    """Keep each new customer's (id → number) dialable number apart."""
    now = ctx.clock.now()
    session.add_all(CustomerPhone(customer_id=cid, number=num, kept_at=now) for cid, num in numbers.items())


def purge_phones(session: Session, ctx: Context) -> int:
    """Delete the kept numbers no call needs any more: the incident closed
    and every callback of the customer over, both longer ago than
    ``[callbacks].phone_keep_days``. The count deleted."""
    cutoff = ctx.clock.now() - dt.timedelta(days=ctx.config.callbacks.phone_keep_days)
    closed = (
        select(AffectedCustomer.id)
        .join(Incident, Incident.id == AffectedCustomer.incident_id)
        .where(Incident.status == "closed", Incident.closed_at < cutoff)
    )
    still_calling = exists().where(
        Callback.customer_id == CustomerPhone.customer_id,
        or_(Callback.status == "open", Callback.closed_at.is_(None), Callback.closed_at >= cutoff),
    )
    done = session.execute(
        delete(CustomerPhone)
        .where(CustomerPhone.customer_id.in_(closed), ~still_calling)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)
