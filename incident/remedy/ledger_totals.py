"""The ledger's totals for an incident, the budget alert, and the entries
listed (incident/remedy/ledger.py re-exports them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import EventType
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.models import AffectedCustomer, Compensation, Incident, TimelineEvent
from incident.money import ZERO, money_str, money_sum
from incident.notify import enqueue
from incident.remedy import texts as _texts  # noqa: F401
from incident.remedy.caps import LIVE, MONEY, _fmt, supervisors


def totals(session: Session, incident_id: int) -> dict[str, Any]:
    """Counts and sums per status and unit, and per form for what was
    issued; every amount an exact Decimal (summed by :class:`money_sum`)."""
    rows = session.execute(
        select(
            Compensation.status,
            Compensation.unit,
            Compensation.form,
            func.count(),
            money_sum(Compensation.amount),
        )
        .where(Compensation.incident_id == incident_id)
        .group_by(Compensation.status, Compensation.unit, Compensation.form)
    ).all()
    out: dict[str, Any] = {"by_status": {}, "issued_by_form": {}, "money_committed": ZERO, "money_issued": ZERO}
    for status, unit, form, n, amount in rows:
        s = out["by_status"].setdefault(status, {"count": 0, "yuan": ZERO, "points": ZERO, "days": ZERO})
        s["count"] += n
        s[unit] += amount
        if status == "issued":
            f = out["issued_by_form"].setdefault(form, {"count": 0, "amount": ZERO, "unit": unit})
            f["count"] += n
            f["amount"] += amount
        if unit == MONEY and status in LIVE:
            out["money_committed"] += amount
        if unit == MONEY and status == "issued":
            out["money_issued"] += amount
    out["customers_compensated"] = (
        session.scalar(
            select(func.count(func.distinct(Compensation.customer_id))).where(
                Compensation.incident_id == incident_id, Compensation.status == "issued"
            )
        )
        or 0
    )
    return out


def check_budget(session: Session, ctx: Context, incident: Incident) -> bool:
    """Alert once per incident when the money committed passes the budget
    (exactly: committed > budget, both Decimals to the cent)."""
    budget = ctx.config.compensation.budget_yuan
    if budget is None:
        return False
    committed = session.scalar(
        select(money_sum(Compensation.amount)).where(
            Compensation.incident_id == incident.id, Compensation.unit == MONEY, Compensation.status.in_(LIVE)
        )
    )
    committed = committed if committed is not None else ZERO
    if committed <= budget:
        return False
    already = session.scalar(
        select(TimelineEvent.id)
        .where(TimelineEvent.incident_id == incident.id, TimelineEvent.type == EventType.BUDGET_PASSED.value)
        .limit(1)
    )
    if already is not None:
        return False
    params = {"ref": incident.ref, "title": incident.title, "committed": _fmt(committed), "budget": _fmt(budget)}
    # The timeline keeps the amounts as their exact strings ("270.00"): JSON has no decimals.
    record_event(
        session,
        ctx,
        incident,
        EventType.BUDGET_PASSED,
        actor=SYSTEM_ACTOR,
        committed=money_str(committed),
        budget=money_str(budget),
    )
    for person in sorted(supervisors(ctx.config)):
        enqueue(
            session,
            recipient=person,
            key="notify.budget_passed",
            params=params,
            dedupe_key=f"budget:{incident.id}:{person}",
            now=ctx.clock.now(),
            incident_id=incident.id,
            config=ctx.config,
        )
    return True


def list_entries(
    session: Session, incident_id: int | None = None, status: str | None = None, limit: int = 200, offset: int = 0
) -> list[tuple[Compensation, AffectedCustomer]]:
    q = select(Compensation, AffectedCustomer).join(AffectedCustomer, AffectedCustomer.id == Compensation.customer_id)
    if incident_id is not None:
        q = q.where(Compensation.incident_id == incident_id)
    if status:
        q = q.where(Compensation.status == status)
    return list(session.execute(q.order_by(Compensation.id).limit(limit).offset(offset)).tuples())
