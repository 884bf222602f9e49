"""Remedy pages: where an incident is closed for the customer (DOMAIN.md
§4, §5). ``/remedy`` lists the incidents with their affected customers,
ledger and overdue callbacks; ``/remedy/{id}`` shows one incident's
affected customers (contacts as stored: masked) and its compensation
ledger, with the forms to add customers (one, pasted CSV/JSONL, from the
matching complaints), propose compensation (by policy or one entry),
approve, reject, reverse and issue. The agents' callbacks queue is
incident/web/callbacks_queue.py.

Every change is checked twice: the page permission here (an agent's
hand-made POST to approve compensation is refused like a click would be),
then the ledger's own rules (a supervisor who is not the proposer, the
caps). Agents see and record only their own callbacks; cs leads anyone's.
The domain functions mirror the CLI (``incident/cli/remedy_cmds.py``)."""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.adapters.compensation import default_provider
from incident.context import Context
from incident.enums import OPEN_STATUSES
from incident.errors import ForbiddenError, IncidentError, InputError, NotFoundError
from incident.i18n import LABELS, label, t
from incident.incidents import SYSTEM_ACTOR, IncidentRow
from incident.incidents import get as get_incident
from incident.models import AffectedCustomer, Callback, Compensation, Incident
from incident.money import ZERO, fmt_amount, fmt_money, money_sum
from incident.remedy import callbacks, customers, issuing, ledger, preview  # (+ labels: form, unit, comp_status)
from incident.roster import display as display_person
from incident.web import remedy_texts as _texts  # noqa: F401
from incident.web import waiting_texts as _waiting_texts  # noqa: F401
from incident.web import waitingview
from incident.web.auth import Principal
from incident.web.pages import Pages

CUSTOMERS_PAGE = 50
LEDGER_PAGE = 100
INCIDENTS_PAGE = 50
SHOWN = 5  # bad rows / refusals named in a message before "… and N more"
UNITS = ("yuan", "points", "days")
FORMS = tuple(LABELS["form"])
INSURED = ("goods", "documents")


def _num(x: Decimal | None) -> str:
    """Money for people, always two places: 1,500.00; 12.50; None → —."""
    return fmt_money(x)


def _amt(x: Decimal | None, unit: str) -> str:
    """An amount in its unit: 元 with two places, points and days whole (6,000)."""
    return fmt_amount(x, unit)


def _amounts(by: dict[str, Any], lang: str) -> str:
    parts = [f"{_amt(by[unit], unit)} {label('unit', unit, lang)}" for unit in UNITS if by.get(unit)]
    return ("、" if lang == "zh-CN" else ", ").join(parts) or "—"


def _page(value: Any) -> int:
    try:
        return max(1, min(int(value), 100_000))
    except (TypeError, ValueError):
        return 1


def _expected(form: dict[str, str]) -> int | None:
    """The count the person confirmed (the confirmation form's ``expect``)."""
    try:
        return int(form["expect"])
    except (KeyError, ValueError):
        return None


def _pasted(text: str, fmt: str) -> list[tuple[int, dict[str, Any] | Exception]]:
    """Pasted CSV or JSONL read by the very reader ``customers import`` uses
    (headers in English or Chinese, line numbers for bad rows)."""
    return list(customers.read_text(text, "jsonl" if fmt == "jsonl" else "csv"))


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    async def run(
        request: Request,
        principal: Principal,
        work: Callable[[Session, Context], Any],
        *,
        back: str,
        outcome: Callable[[Any, str], tuple[str, str]],
        on_refusal: Callable[[str], Response] | None = None,
    ) -> Response:
        """As :meth:`Pages.commit` (one transaction, then deliver and
        redirect), but the outcome chooses the flash's kind too: an import
        whose rows were all refused is not a success."""
        lang = pages.lang(request, principal)
        ctx = principal.ctx(rt)

        def go() -> Any:
            with rt.store.transaction() as s:
                return work(s, ctx)

        try:
            result = await run_in_threadpool(go)
        except ForbiddenError:
            raise
        except IncidentError as exc:
            if on_refusal is not None:  # said beside the form, with what was typed kept
                return await run_in_threadpool(on_refusal, exc.message(lang))
            return pages.redirect(back, "error", exc.message(lang))
        await run_in_threadpool(rt.deliver)
        kind, text = outcome(result, lang)
        return pages.redirect(back, kind, text)

    def scheduled_text(sweep: callbacks.SweepReport, lang: str) -> str:
        text = t("web.remedy.done.scheduled", lang, created=sweep.created, assigned=sweep.assigned)
        if sweep.created and not callbacks.agents(rt.config):
            text += " " + t("web.remedy.done.no_agents", lang)
        return text

    def schedule(s: Session, ctx: Context, incident_id: int) -> callbacks.SweepReport:
        # The customers' callbacks at once, in the same transaction (as the
        # HTTP API does); the sweep-callbacks flow would create them anyway.
        report = callbacks.schedule(s, ctx, get_incident(s, incident_id))
        callbacks.assign(s, ctx, report=report)
        return report

    def import_outcome(what: str, label_key: str) -> Callable[[Any, str], tuple[str, str]]:
        def outcome(result: tuple[customers.ImportReport, callbacks.SweepReport], lang: str) -> tuple[str, str]:
            report, sweep = result
            text = t(
                what,
                lang,
                read=report.read,
                added=report.added,
                duplicates=report.duplicates,
                errors=len(report.errors),
            )
            if report.errors:
                shown = [
                    t(label_key, lang, line=e.line, message=t(e.key, lang, **e.params)) for e in report.errors[:SHOWN]
                ]
                text += " " + "; ".join(shown)
                if len(report.errors) > SHOWN:
                    text += " " + t("web.remedy.done.more", lang, n=len(report.errors) - SHOWN)
            if report.added:
                text += " " + scheduled_text(sweep, lang)
            return ("error" if report.errors else "ok"), text

        return outcome

    # ==== the overview ===================================================

    def overview(s: Session, page: int) -> dict[str, Any]:
        now = rt.clock.now()
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
            i: {"customers": 0, "proposed": 0, "approved": 0, "committed": ZERO, "issued": ZERO}
            | {"open": 0, "overdue": 0}
            for i in ids
        }
        if ids:
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
        return {
            "rows": rows,
            "stats": stats,
            "total": total,
            "page": page,
            "overdue_all": callbacks.overdue_count(s, now),
        }

    @api.get("/remedy")
    def remedy_index(request: Request, page: str | None = None) -> Response:
        principal = pages.user(request)
        principal.require("remedy.view", pages.lang(request, principal))
        data = pages.read(lambda s: overview(s, _page(page)))
        return pages.render(request, "remedy.html.j2", principal, **data, num=_num, per_page=INCIDENTS_PAGE)

    # ==== one incident ====================================================

    def incident_view(s: Session, iid: int, page: int, lpage: int, status: str | None, actor: str) -> dict[str, Any]:
        now = rt.clock.now()
        inc = get_incident(s, iid)
        total_customers = customers.count(s, iid)
        listed = customers.list_customers(s, iid, limit=CUSTOMERS_PAGE, offset=(page - 1) * CUSTOMERS_PAGE)
        totals = ledger.totals(s, iid)
        entries = ledger.list_entries(s, iid, status, LEDGER_PAGE, (lpage - 1) * LEDGER_PAGE)
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
        # What "approve all" would approve: never one's own proposals.
        others = (
            s.scalar(
                select(func.count())
                .select_from(Compensation)
                .where(
                    Compensation.incident_id == iid,
                    Compensation.status == "proposed",
                    Compensation.proposed_by != actor,
                )
            )
            or 0
        )
        return {
            "inc": inc,
            "customers": listed,
            "awaiting_others": others,
            "customers_total": total_customers,
            "page": page,
            "entries": entries,
            "entries_total": shown_total,
            "lpage": lpage,
            "entry_status": status or "",
            "totals": totals,
            "open_callbacks": open_callbacks,
            "overdue": callbacks.overdue_count(s, now, iid),
        }

    def approvers_note(able: list[str], unreachable: list[str], lang: str) -> str:
        """The supervisors who cannot approve (no account that may), or that
        nobody can: the rules above name only those who can."""
        if not able:
            return t("web.waiting.ledger.nobody", lang)
        if unreachable:
            names = ", ".join(display_person(rt.config, k) for k in unreachable)
            return t("web.waiting.ledger.unreachable", lang, names=names, first=unreachable[0])
        return ""

    def cover(c: AffectedCustomer, lang: str) -> str:
        if c.declared_value:
            return f"{label('cover', 'declared_value', lang)} {_num(c.declared_value)}"
        if c.insured:
            return label("cover", f"insured_{c.insured}", lang)
        return label("cover", "uninsured", lang)

    def link(iid: int, **params: Any) -> str:
        kept = {k: v for k, v in params.items() if v not in (None, "", 1)}
        return f"/remedy/{iid}" + ("?" + urllib.parse.urlencode(kept) if kept else "")

    @api.get("/remedy/{incident_id}")
    def remedy_incident(
        request: Request, incident_id: int, page: str | None = None, lpage: str | None = None, status: str | None = None
    ) -> Response:
        return render_incident(request, incident_id, page, lpage, status)

    def render_incident(
        request: Request,
        incident_id: int,
        page: str | None = None,
        lpage: str | None = None,
        status: str | None = None,
        *,
        kept: dict[str, str] | None = None,
        refusal: str | None = None,
        refused_form: str | None = None,
        http_status: int = 200,
    ) -> Response:
        """The incident's remedy page; after a refused form, that form shows
        the refusal beside it and keeps what was typed (``kept``)."""
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("remedy.view", lang)
        chosen = (status or "").strip().lower() or None
        if chosen is not None and chosen not in LABELS["comp_status"]:
            chosen = None
        data = pages.read(lambda s: incident_view(s, incident_id, _page(page), _page(lpage), chosen, principal.actor))
        budget = rt.config.compensation.budget_yuan
        committed = data["totals"]["money_committed"]
        supervisors = sorted(ledger.supervisors(rt.config))
        # Only those who can act are named, and only they see the buttons
        # (the ledger refuses anyone else: admin is no supervisor).
        able, unreachable = pages.read(lambda s: waitingview.approving_supervisors(s, rt.config))
        return pages.render(
            request,
            "remedy_incident.html.j2",
            principal,
            http_status,
            **data,
            kept=kept or {},
            refusal=refusal,
            refused_form=refused_form,
            num=_num,
            amt=_amt,
            person=lambda k: display_person(rt.config, k),
            cover=lambda c: cover(c, lang),
            amounts=lambda x: _amounts(x, lang),
            link=link,
            budget=budget,
            over_budget=budget is not None and committed > budget,
            budget_share=(
                None if not budget else (committed * 100 / budget).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            ),
            supervisors=", ".join(display_person(rt.config, k) for k in able) or "—",
            is_supervisor=principal.actor in supervisors,
            can_approve=principal.can("remedy.approve") and principal.actor in supervisors,
            # an entry's approvers: never its proposer
            entry_approvers=lambda proposer: ", ".join(display_person(rt.config, k) for k in able if k != proposer),
            approvers_note=approvers_note(able, unreachable, lang),
            statuses=list(LABELS["comp_status"]),
            forms=FORMS,
            insured_kinds=INSURED,
            customers_page=CUSTOMERS_PAGE,
            ledger_page=LEDGER_PAGE,
            thresholds=rt.config.compensation.approval_thresholds,
            caps=rt.config.compensation.caps,
            system_actor=SYSTEM_ACTOR,
        )

    # ---- affected customers ----------------------------------------------

    @api.post("/remedy/{incident_id}/customers")
    async def add_customer(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.manage")
        record = {
            "customer_ref": form.get("customer_ref", ""),
            "name": form.get("name"),
            "title": form.get("title"),
            "contact": form.get("contact"),
            "lang": form.get("cust_lang"),
            "order_ref": form.get("order_ref"),
            "amount_at_stake": form.get("amount_at_stake"),
            "insured": form.get("insured"),
            "declared_value": form.get("declared_value"),
            "category": form.get("category"),
            "branch": form.get("branch"),
            "complex": "1" if form.get("complex") else "",
        }

        def work(s: Session, ctx: Context) -> tuple[str, str, callbacks.SweepReport]:
            found = customers.add_one(s, ctx, incident_id, record)
            return found.customer_ref, found.contact or "—", schedule(s, ctx, incident_id)

        def outcome(result: tuple[str, str, callbacks.SweepReport], lang: str) -> tuple[str, str]:
            ref, contact, sweep = result
            return "ok", t(
                "web.remedy.done.customer_added", lang, ref=ref, incident=f"INC-{incident_id}", contact=contact
            ) + " " + scheduled_text(sweep, lang)

        def refused(message: str) -> Response:
            return render_incident(
                request, incident_id, kept=form, refusal=message, refused_form="customer", http_status=422
            )

        return await run(
            request, principal, work, back=f"/remedy/{incident_id}#customers", outcome=outcome, on_refusal=refused
        )

    @api.post("/remedy/{incident_id}/customers/import")
    async def import_customers(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.manage")
        text = form.get("rows", "")
        fmt = form.get("format", "csv")
        back = f"/remedy/{incident_id}#customers"
        if not text.strip():
            return pages.redirect(back, "error", t("web.remedy.error.paste_empty", pages.lang(request, principal)))

        def work(s: Session, ctx: Context) -> tuple[customers.ImportReport, callbacks.SweepReport]:
            get_incident(s, incident_id)  # "no such incident" before reading the rows
            records = _pasted(text, fmt)
            report = customers.ingest(s, ctx, incident_id, records, source="import")
            customers.finish_import(s, ctx, incident_id, report, "import")
            # a rerun schedules what a killed import did not (duplicates too)
            sweep = customers.schedule_callbacks(s, ctx, incident_id, report)
            return report, sweep

        return await run(
            request,
            principal,
            work,
            back=back,
            outcome=import_outcome("web.remedy.done.imported", "web.remedy.done.row_error"),
        )

    @api.post("/remedy/{incident_id}/customers/link")
    async def link_customers(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.manage")
        raw = (form.get("before_hours") or "2").strip()
        try:
            hours = float(raw)
        except ValueError:
            hours = -1.0
        if not math.isfinite(hours) or not 0 <= hours <= 720:
            return pages.redirect(
                f"/remedy/{incident_id}#customers",
                "error",
                t("web.remedy.error.before_hours", pages.lang(request, principal), value=raw[:20]),
            )

        def work(s: Session, ctx: Context) -> tuple[customers.ImportReport, callbacks.SweepReport]:
            report = customers.link_complaints(s, ctx, incident_id, before_hours=hours)
            sweep = schedule(s, ctx, incident_id) if report.added else callbacks.SweepReport()
            return report, sweep

        return await run(
            request,
            principal,
            work,
            back=f"/remedy/{incident_id}#customers",
            outcome=import_outcome("web.remedy.done.linked", "web.remedy.done.link_error"),
        )

    # ---- the ledger -------------------------------------------------------

    @api.post("/remedy/{incident_id}/compensation")
    async def propose_one(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.manage")
        raw = (form.get("amount") or "").strip()

        def work(s: Session, ctx: Context) -> tuple[int, str, str, Decimal, str, str]:
            amount = ledger.parse_amount(raw)  # exact to the cent, else the error names it
            e = ledger.propose(
                s,
                ctx,
                incident_id,
                form.get("customer_ref", ""),
                form.get("form", ""),
                amount,
                (form.get("reason") or "").strip() or None,
            )
            return e.id, form.get("customer_ref", "").strip(), e.form, e.amount, e.unit, e.status

        def outcome(r: tuple[int, str, str, Decimal, str, str], lang: str) -> tuple[str, str]:
            eid, ref, form_, amount, unit, status = r
            text = t(
                "web.remedy.done.proposed_one",
                lang,
                id=eid,
                ref=ref,
                form=label("form", form_, lang),
                amount=_amt(amount, unit),
                unit=label("unit", unit, lang),
            )
            text += " " + t("web.remedy.done.awaits" if status == "proposed" else "web.remedy.done.auto_approved", lang)
            return "ok", text

        def refused(message: str) -> Response:
            return render_incident(
                request, incident_id, kept=form, refusal=message, refused_form="propose", http_status=422
            )

        return await run(
            request, principal, work, back=f"/remedy/{incident_id}#ledger", outcome=outcome, on_refusal=refused
        )

    @api.post("/remedy/{incident_id}/compensation/policy")
    async def propose_policy(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.manage")
        expect = _expected(form)
        if form.get("confirm") != "1" or expect is None:  # a bulk money action says how many and how much first
            return pages.redirect(f"/remedy/{incident_id}/compensation/policy")

        def work(s: Session, ctx: Context) -> ledger.ProposalReport:
            # One transaction: the proposals of one run stand or fall together,
            # and if they are not what was confirmed none of them stands.
            report = ledger.propose_by_policy(s, ctx, incident_id)
            if report.proposed != expect:
                raise InputError("web.remedy.confirm.changed", expected=expect, now=report.proposed)
            return report

        def outcome(r: ledger.ProposalReport, lang: str) -> tuple[str, str]:
            text = t(
                "web.remedy.done.policy",
                lang,
                proposed=r.proposed,
                need_approval=r.need_approval,
                auto_approved=r.auto_approved,
                existing=r.existing,
                ineligible=r.ineligible,
                refused=len(r.refused),
            )
            if r.refused:
                text += " " + "; ".join(
                    t("web.remedy.done.refused_row", lang, ref=ref, message=t(key, lang, **params))
                    for ref, key, params in r.refused[:SHOWN]
                )
                if len(r.refused) > SHOWN:
                    text += " " + t("web.remedy.done.more", lang, n=len(r.refused) - SHOWN)
            return ("error" if r.refused else "ok"), text

        return await run(request, principal, work, back=f"/remedy/{incident_id}#ledger", outcome=outcome)

    def entry_of(s: Session, incident_id: int, entry_id: int) -> Compensation:
        entry = ledger.get(s, entry_id)
        if entry.incident_id != incident_id:  # a crafted id from another incident
            raise NotFoundError("comp.error.no_entry", id=entry_id)
        return entry

    def entry_id_of(value: str | None) -> int:
        try:
            number = int((value or "").strip().lstrip("#"))
        except ValueError:
            number = 0
        if number < 1:
            raise InputError("web.remedy.error.bad_entry", value=(value or "")[:20])
        return number

    @api.post("/remedy/{incident_id}/compensation/approve")
    async def approve(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.approve")
        every = bool(form.get("all"))

        def work(s: Session, ctx: Context) -> tuple[int, int]:
            if every:
                get_incident(s, incident_id)
                changed = ledger.approve_incident(s, ctx, incident_id)
                own_left = (
                    s.scalar(
                        select(func.count())
                        .select_from(Compensation)
                        .where(
                            Compensation.incident_id == incident_id,
                            Compensation.status == "proposed",
                            Compensation.proposed_by == ctx.actor,
                        )
                    )
                    or 0
                )
                return changed, own_left
            entry = entry_of(s, incident_id, entry_id_of(form.get("id")))
            return ledger.approve(s, ctx, [entry.id]), 0

        def outcome(r: tuple[int, int], lang: str) -> tuple[str, str]:
            changed, own_left = r
            text = (
                t("web.remedy.done.approved", lang, n=changed) if changed else t("web.remedy.done.approved_none", lang)
            )
            if own_left:
                text += " " + t("web.remedy.done.own_left", lang, n=own_left)
            return "ok", text

        return await run(request, principal, work, back=f"/remedy/{incident_id}#ledger", outcome=outcome)

    @api.post("/remedy/{incident_id}/compensation/{entry_id}/reject")
    async def reject(request: Request, incident_id: int, entry_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.approve")
        reason = (form.get("reason") or "").strip()

        def work(s: Session, ctx: Context) -> int:
            return ledger.reject(s, ctx, entry_of(s, incident_id, entry_id).id, reason).id

        return await run(
            request,
            principal,
            work,
            back=f"/remedy/{incident_id}#ledger",
            outcome=lambda eid, lang: ("ok", t("web.remedy.done.rejected", lang, id=eid, reason=reason)),
        )

    @api.post("/remedy/{incident_id}/compensation/{entry_id}/reverse")
    async def reverse(request: Request, incident_id: int, entry_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.approve")
        reason = (form.get("reason") or "").strip()
        provider = default_provider(rt.settings.data_dir, rt.clock, store=rt.store)

        def work(s: Session, ctx: Context) -> tuple[int, Decimal, str]:
            e = ledger.reverse(s, ctx, entry_of(s, incident_id, entry_id).id, reason, provider)
            return e.id, e.amount, e.unit

        def outcome(r: tuple[int, Decimal, str], lang: str) -> tuple[str, str]:
            eid, amount, unit = r
            return "ok", t(
                "web.remedy.done.reversed",
                lang,
                id=eid,
                amount=_amt(amount, unit),
                unit=label("unit", unit, lang),
                reason=reason,
            )

        return await run(request, principal, work, back=f"/remedy/{incident_id}#ledger", outcome=outcome)

    @api.post("/remedy/{incident_id}/compensation/issue")
    async def issue(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.approve")
        expect = _expected(form)
        if form.get("confirm") != "1" or expect is None:  # a bulk money action says how many and how much first
            return pages.redirect(f"/remedy/{incident_id}/compensation/issue")
        lang = pages.lang(request, principal)
        back = f"/remedy/{incident_id}#ledger"
        ctx = principal.ctx(rt)

        def go() -> tuple[issuing.IssueReport, int]:
            with rt.store.read() as s:
                get_incident(s, incident_id)
                waiting = preview.approved(s, incident_id).count
            if waiting != expect:
                raise InputError("web.remedy.confirm.changed", expected=expect, now=waiting)
            # A runner, not a service function: it owns its transactions (a
            # claim committed before the provider is called, then the results).
            report = issuing.issue_due(
                rt.store,
                ctx,
                default_provider(rt.settings.data_dir, rt.clock, store=rt.store),
                incident_id=incident_id,
                max_batches=10,
            )
            return report, issuing.pending(rt.store, incident_id)

        try:
            report, left = await run_in_threadpool(go)
        except ForbiddenError:
            raise
        except IncidentError as exc:
            return pages.redirect(back, "error", exc.message(lang))
        await run_in_threadpool(rt.deliver)
        if not report.batches and not report.errors:
            return pages.redirect(back, "ok", t("web.remedy.done.nothing_to_issue", lang))
        text = t(
            "web.remedy.done.issued",
            lang,
            issued=report.issued,
            failed=report.failed,
            retrying=report.retrying,
            pending=left,
        )
        if report.errors:
            text += " " + "; ".join(report.errors[:SHOWN])
        return pages.redirect(back, "error" if (report.failed or report.retrying) else "ok", text)

    return api
