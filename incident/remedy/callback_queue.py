"""The callbacks to make (回访): the due list, the overdue count, and the
script for one call rendered from the approved fact sheet (callbacks.py
re-exports them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.i18n import t
from incident.models import AffectedCustomer, Callback, Compensation, Incident
from incident.money import fmt_spoken
from incident.remedy import texts as _texts  # noqa: F401  (callback.comp.*)
from incident.remedy.callback_hours import OPEN
from incident.wording import public
from incident.wording.factsheet import approved
from incident.wording.personalise import Customer
from incident.wording.render import base_context, customer_view, incident_view, lint_text
from incident.wording.templates import template_set


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
