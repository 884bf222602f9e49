"""The compensation ledger (DOMAIN.md §5): proposals checked against the
caps and the policy, four-eyes approval above a threshold, reversal, totals
and the budget alert.

proposed → approved → issued | failed; issued → reversed. One entry per
(incident, customer, form): the database's unique index decides, so a
proposal retried, or made by two people at once, is stored once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import FORM_UNITS, AppConfig, CompensationPolicy
from incident.context import Context
from incident.db import insert_for
from incident.enums import EventType
from incident.errors import ConflictError, InputError, NotFoundError
from incident.formula import FormulaError, compile_formula
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.incidents import get as get_incident
from incident.models import AffectedCustomer, Compensation, Incident
from incident.money import ZERO, fmt_amount, to_money
from incident.remedy import texts as _texts  # noqa: F401

# Re-exported: callers use ledger.cap_for, ledger.parse_amount, ledger.totals, …
from incident.remedy.caps import (
    FORMS,
    LIVE,
    MONEY,
    Cap,
    _lock_customers,
    _money_so_far,
    _require_supervisor,
    cap_for,
    check_cap,
    needs_approval,
    parse_amount,
    parse_form,
    supervisors,
)
from incident.remedy.customers import find
from incident.remedy.ledger_totals import check_budget, list_entries, totals


def _key(incident_id: int, customer_ref: str, form: str) -> str:
    return f"INC-{incident_id}/{customer_ref}/{form}"


@dataclass
class ProposalReport:
    proposed: int = 0
    auto_approved: int = 0
    need_approval: int = 0
    existing: int = 0
    refused: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (customer_ref, key, params)
    ineligible: int = 0
    ids: list[int] = field(default_factory=list)


def _rows(
    ctx: Context,
    incident: Incident,
    items: Iterable[tuple[AffectedCustomer, str, Decimal, str | None, str | None]],
    session: Session,
    report: ProposalReport,
) -> list[dict[str, Any]]:
    now, config = ctx.clock.now(), ctx.config
    items = list(items)
    ids = [c.id for c, *_ in items]
    if items:
        _lock_customers(session, ids)
    so_far = _money_so_far(session, incident.id, ids) if items else {}
    # An entry already there is left alone (and must not count against its
    # own cap when a proposal is repeated).
    have = (
        set(
            session.execute(
                select(Compensation.customer_id, Compensation.form).where(
                    Compensation.incident_id == incident.id,
                    Compensation.customer_id.between(min(ids), max(ids)),
                    Compensation.customer_id.in_(ids),
                )
            ).tuples()
        )
        if items
        else set()
    )
    rows = []
    for customer, form, amount, policy, reason in items:
        if (customer.id, form) in have:
            report.existing += 1
            continue
        if amount <= 0:
            value = fmt_amount(amount, FORM_UNITS[form])
            report.refused.append((customer.customer_ref, "comp.error.bad_amount", {"value": value}))
            continue
        try:
            check_cap(config, customer, form, amount, so_far.get(customer.id, ZERO))
        except InputError as refused:
            report.refused.append((customer.customer_ref, refused.key, refused.params))
            continue
        unit = FORM_UNITS[form]
        gated = needs_approval(config, unit, amount)
        rows.append(
            {
                "incident_id": incident.id,
                "customer_id": customer.id,
                "form": form,
                "amount": to_money(amount),
                "unit": unit,
                "status": "proposed" if gated else "approved",
                "needs_approval": gated,
                "policy": policy,
                "reason": reason,
                "idempotency_key": _key(incident.id, customer.customer_ref, form),
                "proposed_by": ctx.actor,
                "proposed_at": now,
                "approved_by": None if gated else SYSTEM_ACTOR,
                "approved_at": None if gated else now,
                "attempts": 0,
            }
        )
    return rows


def _store(
    session: Session, ctx: Context, incident: Incident, rows: list[dict[str, Any]], report: ProposalReport
) -> None:
    if not rows:
        return
    stmt = (
        insert_for(session, Compensation.__table__)
        .on_conflict_do_nothing(index_elements=["incident_id", "customer_id", "form"])
        .returning(Compensation.__table__.c.id, Compensation.__table__.c.needs_approval)
    )
    added = list(session.connection().execute(stmt, rows))
    report.ids.extend(r.id for r in added)
    report.proposed += len(added)
    report.need_approval += sum(1 for r in added if r.needs_approval)
    report.auto_approved += sum(1 for r in added if not r.needs_approval)
    report.existing += len(rows) - len(added)
    if added:
        record_event(
            session,
            ctx,
            incident,
            EventType.COMPENSATION_PROPOSED,
            count=len(added),
            need_approval=report.need_approval,
            auto_approved=report.auto_approved,
        )
        check_budget(session, ctx, incident)


def propose(
    session: Session,
    ctx: Context,
    incident_id: int,
    customer_ref: str,
    form: str,
    amount: Decimal | str | int | float,
    reason: str | None = None,
) -> Compensation:
    """One entry by hand. Over the cap: refused with the reason and the
    room left. Already proposed in this form: a ConflictError naming it."""
    incident = get_incident(session, incident_id)
    form = parse_form(form)
    customer = find(session, incident.id, customer_ref)
    report = ProposalReport()
    _store(
        session,
        ctx,
        incident,
        _rows(ctx, incident, [(customer, form, parse_amount(amount), None, reason)], session, report),
        report,
    )
    if report.refused:
        _, key, params = report.refused[0]
        raise InputError(key, **params)
    if not report.ids:
        existing = session.scalar(
            select(Compensation).where(
                Compensation.incident_id == incident.id,
                Compensation.customer_id == customer.id,
                Compensation.form == form,
            )
        )
        raise ConflictError(
            "comp.error.exists",
            ref=customer.customer_ref,
            form=form,
            id=existing.id if existing else "?",
            status=existing.status if existing else "?",
        )
    found = session.get(Compensation, report.ids[0])
    assert found is not None
    return found


def _policy_for(config: AppConfig, incident: Incident, customer: AffectedCustomer) -> CompensationPolicy | None:
    for policy in config.compensation.policies:
        if "*" not in policy.kinds and incident.kind not in policy.kinds:
            continue
        if "*" not in policy.categories and (customer.category or "") not in policy.categories:
            continue
        return policy
    return None


def eligible(incident: Incident, customer: AffectedCustomer, policy: CompensationPolicy) -> bool:
    if policy.within_hours is not None and customer.complained_at is not None:
        start = incident.started_at or incident.detected_at or incident.declared_at
        hours = (customer.complained_at - start).total_seconds() / 3600
        if hours > policy.within_hours or hours < -policy.within_hours:
            return False
    if policy.min_order_value is not None and (customer.amount_at_stake or ZERO) < policy.min_order_value:
        return False
    if policy.scope_match:
        scope = set(incident.scope_regions) | set(incident.scope_products)
        if scope and customer.branch not in scope and customer.category not in scope:
            return False
    return True


def propose_by_policy(
    session: Session, ctx: Context, incident_id: int, chunk: int = 2000, progress: Any = None
) -> ProposalReport:
    """Every affected customer the policy covers gets its entry (customers
    who already have one in that form are left as they are)."""
    incident = get_incident(session, incident_id)
    if not ctx.config.compensation.policies:
        raise InputError("comp.error.no_policy")
    report = ProposalReport()
    formulas = {p.name: compile_formula(p.formula) for p in ctx.config.compensation.policies if p.formula}
    total = (
        session.scalar(
            select(func.count()).select_from(AffectedCustomer).where(AffectedCustomer.incident_id == incident.id)
        )
        or 0
    )
    last_id, done = 0, 0
    while True:
        customers = list(
            session.scalars(
                select(AffectedCustomer)
                .where(AffectedCustomer.incident_id == incident.id, AffectedCustomer.id > last_id)
                .order_by(AffectedCustomer.id)
                .limit(chunk)
            )
        )
        if not customers:
            break
        last_id = customers[-1].id
        items = []
        for customer in customers:
            policy = _policy_for(ctx.config, incident, customer)
            if policy is None or not eligible(incident, customer, policy):
                report.ineligible += 1
                continue
            if policy.formula:
                try:
                    amount = formulas[policy.name](
                        {"amount_at_stake": customer.amount_at_stake, "declared_value": customer.declared_value}
                    )
                except FormulaError as exc:
                    report.refused.append((customer.customer_ref, "comp.error.formula", {"reason": str(exc)}))
                    continue
            else:
                amount = policy.amount or ZERO
            items.append((customer, policy.form, amount, policy.name, None))
        _store(session, ctx, incident, _rows(ctx, incident, items, session, report), report)
        done += len(customers)
        if progress:
            progress(done, total)
    return report


def get(session: Session, entry_id: int) -> Compensation:
    entry = session.get(Compensation, entry_id)
    if entry is None:
        raise NotFoundError("comp.error.no_entry", id=entry_id)
    return entry


def approve(session: Session, ctx: Context, ids: list[int]) -> int:
    """A supervisor approves entries awaiting approval; never their own
    proposals (four eyes). Returns how many changed (re-approving is a no-op)."""
    _require_supervisor(ctx)
    entries = list(session.scalars(select(Compensation).where(Compensation.id.in_(ids)).with_for_update()))
    missing = set(ids) - {e.id for e in entries}
    if missing:
        raise NotFoundError("comp.error.no_entry", id=", ".join(map(str, sorted(missing))))
    own = [e.id for e in entries if e.status == "proposed" and e.proposed_by == ctx.actor]
    if own:
        raise InputError("comp.error.own_proposal", ids=", ".join(map(str, own)))
    now, changed = ctx.clock.now(), 0
    by_incident: dict[int, int] = {}
    for e in entries:
        if e.status != "proposed":
            continue
        e.status, e.approved_by, e.approved_at = "approved", ctx.actor, now
        changed += 1
        by_incident[e.incident_id] = by_incident.get(e.incident_id, 0) + 1
    for incident_id, n in by_incident.items():
        record_event(session, ctx, get_incident(session, incident_id), EventType.COMPENSATION_APPROVED, count=n)
    return changed


def approve_incident(session: Session, ctx: Context, incident_id: int) -> int:
    """Approve every entry of an incident awaiting approval (not one's own)."""
    _require_supervisor(ctx)
    ids = list(
        session.scalars(
            select(Compensation.id).where(
                Compensation.incident_id == incident_id,
                Compensation.status == "proposed",
                Compensation.proposed_by != ctx.actor,
            )
        )
    )
    return approve(session, ctx, ids) if ids else 0


def reject(session: Session, ctx: Context, entry_id: int, reason: str) -> Compensation:
    """A proposal turned down is marked failed with the reason (nothing was issued)."""
    _require_supervisor(ctx)
    if not reason.strip():
        raise InputError("comp.error.reason_needed")
    entry = get(session, entry_id)
    if entry.status != "proposed":
        raise ConflictError("comp.error.bad_state", id=entry.id, status=entry.status, action="reject")
    entry.status, entry.last_error = "failed", f"rejected by {ctx.actor}: {reason.strip()}"
    record_event(
        session,
        ctx,
        get_incident(session, entry.incident_id),
        EventType.COMPENSATION_REJECTED,
        id=entry.id,
        reason=reason.strip(),
    )
    return entry


def reverse(session: Session, ctx: Context, entry_id: int, reason: str, provider: Any = None) -> Compensation:
    """Take back an issued entry (issued in error, or refunded twice by
    another route); the provider is told when it can be."""
    _require_supervisor(ctx)
    if not reason.strip():
        raise InputError("comp.error.reason_needed")
    entry = session.scalar(select(Compensation).where(Compensation.id == entry_id).with_for_update())
    if entry is None:
        raise NotFoundError("comp.error.no_entry", id=entry_id)
    if entry.status == "reversed":
        return entry
    if entry.status != "issued":
        raise ConflictError("comp.error.bad_state", id=entry.id, status=entry.status, action="reverse")
    entry.status, entry.reversed_by, entry.reversed_at = "reversed", ctx.actor, ctx.clock.now()
    entry.last_error = reason.strip()
    record_event(
        session,
        ctx,
        get_incident(session, entry.incident_id),
        EventType.COMPENSATION_REVERSED,
        id=entry.id,
        amount=fmt_amount(entry.amount, entry.unit),
        unit=entry.unit,
        reason=reason.strip(),
    )
    session.flush()
    # Last, once the ledger change is sure to be valid; the provider reverses
    # once per key, so if the commit still fails, running reverse again is safe.
    if provider is not None:
        provider.reverse(entry.idempotency_key, reason.strip())
    return entry


__all__ = [
    "FORMS",
    "LIVE",
    "MONEY",
    "Cap",
    "ProposalReport",
    "approve",
    "approve_incident",
    "cap_for",
    "check_budget",
    "check_cap",
    "eligible",
    "get",
    "list_entries",
    "needs_approval",
    "parse_amount",
    "parse_form",
    "propose",
    "propose_by_policy",
    "reject",
    "reverse",
    "supervisors",
    "totals",
]
