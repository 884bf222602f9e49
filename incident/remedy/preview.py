"""What a bulk money action would do, said before it is done: the web's
confirmation for "propose for every customer by policy" and "issue the
approved" names how many entries and how much (issue 23).

The policy's proposals are computed by the very function that makes them
(:func:`incident.remedy.ledger.propose_by_policy`), inside a SAVEPOINT that
is rolled back, so the preview cannot drift from what the click will do;
nothing is stored and no notice leaves. Like every service function these
take the caller's session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.models import Compensation
from incident.money import ZERO, money_sum
from incident.remedy import ledger


@dataclass
class Preview:
    """Entries the action would touch and their sum per unit (yuan, points,
    days); ``need_approval``/``auto_approved`` for proposals."""

    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    need_approval: int = 0
    auto_approved: int = 0
    existing: int = 0
    ineligible: int = 0
    refused: int = 0


def by_policy(session: Session, ctx: Context, incident_id: int) -> Preview:
    """What ``propose_by_policy`` would propose now, without proposing it."""
    savepoint = session.begin_nested()
    try:
        report = ledger.propose_by_policy(session, ctx, incident_id)
        session.flush()
        amounts = _sums(session, select(Compensation).where(Compensation.id.in_(report.ids)).subquery())
    finally:
        savepoint.rollback()
    return Preview(
        count=report.proposed,
        amounts=amounts,
        need_approval=report.need_approval,
        auto_approved=report.auto_approved,
        existing=report.existing,
        ineligible=report.ineligible,
        refused=len(report.refused),
    )


def approved(session: Session, incident_id: int) -> Preview:
    """The approved entries that "issue" would send to the provider now:
    the ledger's own totals for that status."""
    found = ledger.totals(session, incident_id)["by_status"].get("approved")
    if not found:
        return Preview()
    amounts = {unit: found[unit] for unit in ("yuan", "points", "days") if found[unit]}
    return Preview(count=found["count"], amounts=amounts)


def _sums(session: Session, rows: Subquery) -> dict[str, Decimal]:
    """Exact sums per unit of a subquery of Compensation rows."""
    out: dict[str, Decimal] = {}
    for unit, amount in session.execute(select(rows.c.unit, money_sum(rows.c.amount)).group_by(rows.c.unit)):
        out[str(unit)] = amount or ZERO
    return out
