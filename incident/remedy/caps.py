"""The caps a compensation is checked against (DOMAIN.md §5): per customer
by cover (insured goods or documents, declared value, uninsured), the
approval threshold, who the supervisors are; the money already committed
per customer, read under a lock (incident/remedy/ledger.py uses them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.config import FORM_UNITS, AppConfig
from incident.context import Context
from incident.errors import InputError
from incident.models import AffectedCustomer, Compensation
from incident.money import ZERO, MoneyError, fmt_money, money_sum, to_money
from incident.remedy import texts as _texts  # noqa: F401

FORMS = tuple(FORM_UNITS)
# Money counted against the caps and the budget. Amounts are Decimals to
# the cent throughout (incident/money.py): caps, budget and sums compare
# exactly, with no float tolerance.
MONEY = "yuan"
LIVE = ("proposed", "approved", "issued")  # what still counts (not failed or reversed)


@dataclass(frozen=True)
class Cap:
    limit: Decimal
    cover: str  # insured_goods, insured_documents, uninsured, declared_value


def cap_for(config: AppConfig, customer: AffectedCustomer) -> Cap:
    """004 ch.3 §2: declared value → the declared value, at most 10,000 元;
    insured goods → the actual loss, at most 2,000 元; insured documents →
    200 元; uninsured → 200 元. Per waybill."""
    caps = config.compensation.caps
    if customer.declared_value:
        return Cap(min(customer.declared_value, caps.declared_value), "declared_value")
    if customer.insured == "goods":
        loss = customer.amount_at_stake
        return Cap(min(loss, caps.insured_goods) if loss else caps.insured_goods, "insured_goods")
    if customer.insured == "documents":
        return Cap(caps.insured_documents, "insured_documents")
    return Cap(caps.uninsured, "uninsured")


def parse_form(value: str) -> str:
    key = value.strip().lower().replace("-", "_")
    key = {
        "优惠券": "coupon",
        "积分": "points",
        "退款": "refund",
        "服务延期": "service_extension",
        "延期": "service_extension",
        "礼品": "gift",
        "小礼品": "gift",
        "extension": "service_extension",
    }.get(key, key)
    if key not in FORMS:
        raise InputError("comp.error.bad_form", value=value, allowed=", ".join(FORMS))
    return key


def _lock_customers(session: Session, customer_ids: list[int]) -> None:
    """Serialise proposals per customer: the read of the money so far and
    the insert that adds to it must not interleave with another proposal's
    (three at once each saw 0 and each added 150 to a 200 cap). PostgreSQL:
    the customers' rows FOR UPDATE, in id order so that two proposals over
    overlapping customers cannot deadlock (a policy run goes up by id, chunk
    by chunk; a hand proposal locks one). The money is read after the lock
    is granted, and under READ COMMITTED that next statement sees what the
    holder committed. SQLite: FOR UPDATE renders as nothing; every
    Store.transaction() begins IMMEDIATE (incident.db), so the whole
    read-then-insert already runs under the database's one write lock."""
    session.execute(
        select(AffectedCustomer.id)
        .where(AffectedCustomer.id.in_(sorted(set(customer_ids))))
        .order_by(AffectedCustomer.id)
        .with_for_update()
    ).all()


def _money_so_far(session: Session, incident_id: int, customer_ids: list[int]) -> dict[int, Decimal]:
    """Money already committed to each customer (one query per chunk);
    call with the customers locked (:func:`_lock_customers`)."""
    # The id range lets the (incident, customer, form) index bound the scan
    # whatever the planner thinks of a 2,000-value IN list (PostgreSQL with
    # stale statistics read the whole incident each time: 25 s for 100k).
    rows = session.execute(
        select(Compensation.customer_id, money_sum(Compensation.amount))
        .where(
            Compensation.incident_id == incident_id,
            Compensation.customer_id.between(min(customer_ids), max(customer_ids)),
            Compensation.customer_id.in_(customer_ids),
            Compensation.unit == MONEY,
            Compensation.status.in_(LIVE),
        )
        .group_by(Compensation.customer_id)
    )
    return {cid: total for cid, total in rows}


def parse_amount(value: Any) -> Decimal:
    """An amount as typed or sent (text, number): exact to the cent and
    finite, else an InputError naming it. Not rounded: 12.345 is refused."""
    try:
        return to_money(value, exact=True)
    except MoneyError:
        raise InputError("comp.error.not_amount", value=str(value)[:40] or "—") from None


def check_cap(config: AppConfig, customer: AffectedCustomer, form: str, amount: Decimal, already: Decimal) -> None:
    """Refuse money over the waybill's cap, saying why and what else to offer
    (000 §6.1: claims beyond policy are refused politely, another remedy offered)."""
    if FORM_UNITS[form] != MONEY:
        return
    cap = cap_for(config, customer)
    if already + amount > cap.limit:
        room = max(cap.limit - already, ZERO)
        raise InputError(
            "comp.error.over_cap",
            ref=customer.customer_ref,
            amount=_fmt(amount),
            cover=cap.cover,
            cap=_fmt(cap.limit),
            already=_fmt(already),
            room=_fmt(room),
        )


def _fmt(x: Decimal) -> str:
    return fmt_money(x)


def needs_approval(config: AppConfig, unit: str, amount: Decimal) -> bool:
    threshold = config.compensation.approval_thresholds.get(unit)  # type: ignore[call-overload]
    return threshold is not None and amount > threshold


def supervisors(config: AppConfig) -> set[str]:
    return {t.supervisor for t in config.teams.values()} | set(config.compensation.approvers)


def _require_supervisor(ctx: Context) -> None:
    allowed = supervisors(ctx.config)
    if ctx.actor not in allowed:
        raise InputError("comp.error.not_supervisor", person=ctx.actor, allowed=", ".join(sorted(allowed)) or "—")
