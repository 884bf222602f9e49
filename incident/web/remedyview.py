"""What the remedy pages read and how they say it (incident/web/
remedy_pages.py shows it): the overview of incidents with their customers,
ledger and callbacks in one query each per page of incidents; one
incident's customers and ledger entries, a page at a time; amounts in
their units; and the messages an import or a link of customers gives."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.enums import OPEN_STATUSES
from incident.i18n import LABELS, label, t
from incident.incidents import SYSTEM_ACTOR, IncidentRow
from incident.incidents import get as get_incident
from incident.models import AffectedCustomer, Callback, Compensation, Incident
from incident.money import ZERO, fmt_amount, fmt_money, money_sum
from incident.remedy import callbacks, customers, ledger
from incident.roster import display as display_person
from incident.web import remedy_texts as _texts  # noqa: F401
from incident.web import waiting_texts as _waiting_texts  # noqa: F401

CUSTOMERS_PAGE = 50
LEDGER_PAGE = 100
INCIDENTS_PAGE = 50
SHOWN = 5  # bad rows / refusals named in a flash message before "… and N more"
ROWS_SHOWN = 200  # bad rows listed beside the import form before "… and N more"
UNITS = ("yuan", "points", "days")
FORMS = tuple(LABELS["form"])
INSURED = ("goods", "documents")


def num(x: Decimal | None) -> str:
    """Money for people, always two places: 1,500.00; 12.50; None → —."""
    return fmt_money(x)


def amt(x: Decimal | None, unit: str) -> str:
    """An amount in its unit: 元 with two places, points and days whole (6,000)."""
    return fmt_amount(x, unit)


def amounts(by: dict[str, Any], lang: str) -> str:
    parts = [f"{amt(by[unit], unit)} {label('unit', unit, lang)}" for unit in UNITS if by.get(unit)]
    return ("、" if lang == "zh-CN" else ", ").join(parts) or "—"


def page_number(value: Any) -> int:
    try:
        return max(1, min(int(value), 100_000))
    except (TypeError, ValueError):
        return 1


def link(iid: int, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", 1)}
    return f"/remedy/{iid}" + ("?" + urllib.parse.urlencode(kept) if kept else "")


def cover(c: AffectedCustomer, lang: str) -> str:
    if c.declared_value:
        return f"{label('cover', 'declared_value', lang)} {num(c.declared_value)}"
    if c.insured:
        return label("cover", f"insured_{c.insured}", lang)
    return label("cover", "uninsured", lang)


# ---------------------------------------------------------------- reads --


def overview(s: Session, now: Any, page: int) -> dict[str, Any]:
    """Open incidents and those with customers, open ones first, each with
    its customers, ledger (counts, money committed and issued) and callbacks."""
    open_values = [x.value for x in OPEN_STATUSES]
    has_customers = select(AffectedCustomer.id).where(AffectedCustomer.incident_id == Incident.id).exists()
    where = or_(Incident.status.in_(open_values), has_customers)
    total = s.scalar(select(func.count()).select_from(Incident).where(where)) or 0
    q = (
        select(*(getattr(Incident, name) for name in IncidentRow._fields))
        .where(where)
        .order_by(
            case((Incident.status.in_(open_values), 0), else_=1),
            Incident.severity,
            Incident.declared_at.desc(),
            Incident.id.desc(),
        )
        .limit(INCIDENTS_PAGE)
        .offset((page - 1) * INCIDENTS_PAGE)
    )
    rows = [IncidentRow._make(r) for r in s.connection().execute(q)]
    ids = [r.id for r in rows]
    stats: dict[int, dict[str, Any]] = {
        i: {"customers": 0, "proposed": 0, "approved": 0, "committed": ZERO, "issued": ZERO} | {"open": 0, "overdue": 0}
        for i in ids
    }
    if ids:
        _overview_stats(s, now, ids, stats)
    return {"rows": rows, "stats": stats, "total": total, "page": page, "overdue_all": callbacks.overdue_count(s, now)}


def _overview_stats(s: Session, now: Any, ids: list[int], stats: dict[int, dict[str, Any]]) -> None:
    for iid, n in s.execute(
        select(AffectedCustomer.incident_id, func.count())
        .where(AffectedCustomer.incident_id.in_(ids))
        .group_by(AffectedCustomer.incident_id)
    ):
        stats[iid]["customers"] = n
    for iid, status, unit, n, amount in s.execute(
        select(
            Compensation.incident_id,
            Compensation.status,
            Compensation.unit,
            func.count(),
            money_sum(Compensation.amount),  # exact on SQLite too (incident/money.py)
        )
        .where(Compensation.incident_id.in_(ids))
        .group_by(Compensation.incident_id, Compensation.status, Compensation.unit)
    ):
        x = stats[iid]
        if status in ("proposed", "approved"):
            x[status] += n
        if unit == ledger.MONEY and status in ledger.LIVE:
            x["committed"] += amount
        if unit == ledger.MONEY and status == "issued":
            x["issued"] += amount
    for iid, n, late in s.execute(
        select(Callback.incident_id, func.count(), func.sum(case((Callback.due_at < now, 1), else_=0)))
        .where(Callback.incident_id.in_(ids), Callback.status == "open")
        .group_by(Callback.incident_id)
    ):
        stats[iid]["open"], stats[iid]["overdue"] = n, int(late or 0)


def proposed_count(s: Session, iid: int, actor: str, own: bool) -> int:
    """Proposals awaiting approval: ``own`` ones of ``actor`` (left by
    "approve all": never one's own), or everyone else's."""
    mine = Compensation.proposed_by == actor
    return (
        s.scalar(
            select(func.count())
            .select_from(Compensation)
            .where(Compensation.incident_id == iid, Compensation.status == "proposed", mine if own else ~mine)
        )
        or 0
    )


def incident_view(
    s: Session, now: Any, iid: int, page: int, lpage: int, status: str | None, actor: str
) -> dict[str, Any]:
    inc = get_incident(s, iid)
    totals = ledger.totals(s, iid)
    shown_total = (
        totals["by_status"].get(status, {}).get("count", 0)
        if status
        else sum(x["count"] for x in totals["by_status"].values())
    )
    open_callbacks = (
        s.scalar(
            select(func.count()).select_from(Callback).where(Callback.incident_id == iid, Callback.status == "open")
        )
        or 0
    )
    return {
        "inc": inc,
        "customers": customers.list_customers(s, iid, limit=CUSTOMERS_PAGE, offset=(page - 1) * CUSTOMERS_PAGE),
        "awaiting_others": proposed_count(s, iid, actor, own=False),  # what "approve all" would approve
        "customers_total": customers.count(s, iid),
        "page": page,
        "entries": ledger.list_entries(s, iid, status, LEDGER_PAGE, (lpage - 1) * LEDGER_PAGE),
        "entries_total": shown_total,
        "lpage": lpage,
        "entry_status": status or "",
        "totals": totals,
        "open_callbacks": open_callbacks,
        "overdue": callbacks.overdue_count(s, now, iid),
    }


def ledger_rules(
    config: AppConfig, committed: Decimal, able: list[str], unreachable: list[str], lang: str
) -> dict[str, Any]:
    """The ledger's budget, thresholds and caps, and who can approve: only
    those who can act are named (the ledger refuses anyone else: admin is
    no supervisor)."""
    budget = config.compensation.budget_yuan
    return {
        "budget": budget,
        "over_budget": budget is not None and committed > budget,
        "budget_share": (
            None if not budget else (committed * 100 / budget).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        ),
        "supervisors": ", ".join(display_person(config, k) for k in able) or "—",
        # an entry's approvers: never its proposer
        "entry_approvers": lambda proposer: ", ".join(display_person(config, k) for k in able if k != proposer),
        "approvers_note": approvers_note(config, able, unreachable, lang),
        "thresholds": config.compensation.approval_thresholds,
        "caps": config.compensation.caps,
        "system_actor": SYSTEM_ACTOR,
        "statuses": list(LABELS["comp_status"]),
        "forms": FORMS,
        "insured_kinds": INSURED,
        "customers_page": CUSTOMERS_PAGE,
        "ledger_page": LEDGER_PAGE,
    }


def approvers_note(config: AppConfig, able: list[str], unreachable: list[str], lang: str) -> str:
    """The supervisors who cannot approve (no account that may), or that
    nobody can: the rules above name only those who can."""
    if not able:
        return t("web.waiting.ledger.nobody", lang)
    if unreachable:
        names = ", ".join(display_person(config, k) for k in unreachable)
        # in words, not the CLI command: the person reading is on the web
        first = display_person(config, unreachable[0])
        return t("web.remedy.ledger.unreachable", lang, names=names, first=first)
    return ""


# ------------------------------------------------------------- messages --


def scheduled_text(config: AppConfig, sweep: callbacks.SweepReport, lang: str) -> str:
    text = t("web.remedy.done.scheduled", lang, created=sweep.created, assigned=sweep.assigned)
    if sweep.created and not callbacks.agents(config):
        text += " " + t("web.remedy.done.no_agents", lang)
    return text


def import_summary(
    config: AppConfig,
    what: str,
    report: customers.ImportReport,
    sweep: callbacks.SweepReport,
    lang: str,
    known: str | None = None,
) -> str:
    """Read, added, bad rows (and those already there: in ``known``'s
    words when given and there are some); and the callbacks scheduled."""
    text = t(
        known if known and report.duplicates else what,
        lang,
        read=report.read,
        added=report.added,
        duplicates=report.duplicates,
        errors=len(report.errors),
    )
    if report.added:
        text += " " + scheduled_text(config, sweep, lang)
    return text


def bad_rows(report: customers.ImportReport, label_key: str, lang: str) -> Sequence[str]:
    """Every bad row by its line and why (the first ROWS_SHOWN of them)."""
    rows = [t(label_key, lang, line=e.line, message=t(e.key, lang, **e.params)) for e in report.errors[:ROWS_SHOWN]]
    if len(report.errors) > ROWS_SHOWN:
        rows.append(t("web.remedy.done.more", lang, n=len(report.errors) - ROWS_SHOWN))
    return rows
