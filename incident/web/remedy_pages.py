"""Remedy pages: where an incident is closed for the customer (DOMAIN.md
§4, §5). ``/remedy`` lists the incidents with their affected customers,
ledger and overdue callbacks; ``/remedy/{id}`` shows one incident's
affected customers (contacts as stored: masked) and its compensation
ledger, with the forms to add customers (one, pasted CSV/JSONL, from the
matching complaints), propose one entry, approve, reject and reverse. What
they read is built in incident/web/remedyview.py; proposing by policy and
issuing, bulk money actions confirmed first, are remedy_confirm.py; the
agents' callbacks queue is callbacks_queue.py.

Every change is checked twice: the page permission here (an agent's
hand-made POST to approve compensation is refused like a click would be),
then the ledger's own rules (a supervisor who is not the proposer, the
caps). A refusal answers beside the form that was sent, with what was
typed kept (incident/web/refusal.py); an import names its bad rows there
by line, its good ones stored. The domain functions mirror the CLI
(``incident/cli/remedy_cmds.py``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from incident.adapters.compensation import default_provider
from incident.context import Context
from incident.errors import InputError, NotFoundError
from incident.i18n import LABELS, label, t
from incident.incidents import get as get_incident
from incident.models import Compensation
from incident.remedy import callbacks, customers, ledger
from incident.roster import display as display_person
from incident.web import remedyview as view
from incident.web import waitingview
from incident.web.pages import Pages
from incident.web.refusal import Answer, Refused, attempt, beside, template_values

# An import's or a link's result: what it stored, the callbacks it scheduled.
Imported = tuple[customers.ImportReport, callbacks.SweepReport]


def _pasted(text: str, fmt: str) -> list[tuple[int, dict[str, Any] | Exception]]:
    """Pasted CSV or JSONL read by the very reader ``customers import`` uses
    (headers in English or Chinese, line numbers for bad rows)."""
    return list(customers.read_text(text, "jsonl" if fmt == "jsonl" else "csv"))


def _entry_id(value: str | None) -> int:
    try:
        number = int((value or "").strip().lstrip("#"))
    except ValueError:
        number = 0
    if number < 1:
        raise InputError("web.remedy.error.bad_entry", value=(value or "")[:20])
    return number


def _entry_of(s: Session, incident_id: int, entry_id: int) -> Compensation:
    entry = ledger.get(s, entry_id)
    if entry.incident_id != incident_id:  # a crafted id from another incident
        raise NotFoundError("comp.error.no_entry", id=entry_id)
    return entry


def _schedule(s: Session, ctx: Context, incident_id: int) -> callbacks.SweepReport:
    # The customers' callbacks at once, in the same transaction (as the
    # HTTP API does); the sweep-callbacks flow would create them anyway.
    report = callbacks.schedule(s, ctx, get_incident(s, incident_id))
    callbacks.assign(s, ctx, report=report)
    return report


def router(pages: Pages) -> APIRouter:
    # Longer than 80 lines: one short route after another, closed over
    # ``pages`` as app.py builds every router; the work and the views they
    # call are module-level functions above and in the *view modules.
    api = APIRouter()
    rt = pages.rt

    @api.get("/remedy")
    def remedy_index(request: Request, page: str | None = None) -> Response:
        principal = pages.user(request)
        principal.require("remedy.view", pages.lang(request, principal))
        data = pages.read(lambda s: view.overview(s, rt.clock.now(), view.page_number(page)))
        return pages.render(request, "remedy.html.j2", principal, **data, num=view.num, per_page=view.INCIDENTS_PAGE)

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
        refused: Refused | None = None,
    ) -> Response:
        """The incident's remedy page; after a refused form, that form open
        with the refusal beside it and what was typed."""
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("remedy.view", lang)
        chosen = (status or "").strip().lower() or None
        if chosen is not None and chosen not in LABELS["comp_status"]:
            chosen = None
        now, pg, lpg = rt.clock.now(), view.page_number(page), view.page_number(lpage)
        data = pages.read(lambda s: view.incident_view(s, now, incident_id, pg, lpg, chosen, principal.actor))
        supervisors = ledger.supervisors(rt.config)
        able, unreachable = pages.read(lambda s: waitingview.approving_supervisors(s, rt.config))
        return pages.render(
            request,
            "remedy_incident.html.j2",
            principal,
            refused.status if refused is not None else 200,
            **data,
            **template_values(refused),
            **view.ledger_rules(rt.config, data["totals"]["money_committed"], able, unreachable, lang),
            num=view.num,
            amt=view.amt,
            person=lambda k: display_person(rt.config, k),
            cover=lambda c: view.cover(c, lang),
            amounts=lambda x: view.amounts(x, lang),
            link=view.link,
            is_supervisor=principal.actor in supervisors,
            can_approve=principal.can("remedy.approve") and principal.actor in supervisors,
        )

    def answer(request: Request, incident_id: int, name: str, form: dict[str, str]) -> Answer:
        return beside(lambda r: render_incident(request, incident_id, refused=r), name, form)

    async def act(
        request: Request,
        incident_id: int,
        name: str,
        action: str,
        work: Callable[[Session, Context, dict[str, str]], Any],
        outcome: Callable[[Any, str], tuple[str, str]],
        *,
        anchor: str = "#ledger",
        report: Callable[[Any, str], tuple[str, int, Sequence[str]] | None] | None = None,
    ) -> Response:
        """One form of the page: ``action`` checked, ``work`` in one
        transaction; refused: the page again with form ``name`` open."""
        principal, form = await pages.form(request, action)
        return await attempt(
            pages,
            request,
            principal,
            lambda s, ctx: work(s, ctx, form),
            back=f"/remedy/{incident_id}{anchor}",
            outcome=outcome,
            answer=answer(request, incident_id, name, form),
            report=report,
        )

    # ---- affected customers ----------------------------------------------

    @api.post("/remedy/{incident_id}/customers")
    async def add_customer(request: Request, incident_id: int) -> Response:
        def work(s: Session, ctx: Context, form: dict[str, str]) -> tuple[str, str, callbacks.SweepReport]:
            record = {
                "customer_ref": form.get("customer_ref", ""),
                **{k: form.get(k) for k in ("name", "title", "contact")},
                "lang": form.get("cust_lang"),
                **{k: form.get(k) for k in ("order_ref", "amount_at_stake", "insured", "declared_value")},
                **{k: form.get(k) for k in ("category", "branch")},
                "complex": "1" if form.get("complex") else "",
            }
            found = customers.add_one(s, ctx, incident_id, record)
            return found.customer_ref, found.contact or "—", _schedule(s, ctx, incident_id)

        def outcome(result: tuple[str, str, callbacks.SweepReport], lang: str) -> tuple[str, str]:
            ref, contact, sweep = result
            text = t("web.remedy.done.customer_added", lang, ref=ref, incident=f"INC-{incident_id}", contact=contact)
            return "ok", text + " " + view.scheduled_text(rt.config, sweep, lang)

        return await act(request, incident_id, "customer", "remedy.manage", work, outcome, anchor="#customers")

    def imported(
        what: str, label_key: str, known: str | None = None
    ) -> tuple[Callable[..., tuple[str, str]], Callable[..., Any]]:
        """An import's (or a link's) outcome when every row was taken, and
        its report beside the form when some were not: the good rows are
        stored; 200 if any was (as the complaints API answers: a partial
        result, shown as such, not as a refusal), else 422."""

        def outcome(result: Imported, lang: str) -> tuple[str, str]:
            return "ok", view.import_summary(rt.config, what, *result, lang, known)

        def report(result: Imported, lang: str) -> tuple[str, int, Sequence[str]] | None:
            found, _sweep = result
            if not found.errors:
                return None
            status = 200 if found.added or found.duplicates else 422
            summary = view.import_summary(rt.config, what, *result, lang, known)
            return summary, status, view.bad_rows(found, label_key, lang)

        return outcome, report

    @api.post("/remedy/{incident_id}/customers/import")
    async def import_customers(request: Request, incident_id: int) -> Response:
        def work(s: Session, ctx: Context, form: dict[str, str]) -> Imported:
            text = form.get("rows", "")
            if not text.strip():
                raise InputError("web.remedy.error.paste_empty")
            get_incident(s, incident_id)  # "no such incident" before reading the rows
            records = _pasted(text, form.get("format", "csv"))
            report = customers.ingest(s, ctx, incident_id, records, source="import")
            customers.finish_import(s, ctx, incident_id, report, "import")
            # a rerun schedules what a killed import did not (duplicates too)
            return report, customers.schedule_callbacks(s, ctx, incident_id, report)

        outcome, report = imported(
            "web.remedy.done.imported", "web.remedy.done.row_error", known="web.remedy.done.imported_known"
        )
        return await act(
            request, incident_id, "import", "remedy.manage", work, outcome, anchor="#customers", report=report
        )

    @api.post("/remedy/{incident_id}/customers/link")
    async def link_customers(request: Request, incident_id: int) -> Response:
        def work(s: Session, ctx: Context, form: dict[str, str]) -> Imported:
            raw = (form.get("before_hours") or "2").strip()
            try:
                hours = float(raw)
            except ValueError:
                hours = -1.0
            if not math.isfinite(hours) or not 0 <= hours <= 720:
                raise InputError("web.remedy.error.before_hours", value=raw[:20])
            report = customers.link_complaints(s, ctx, incident_id, before_hours=hours)
            return report, _schedule(s, ctx, incident_id) if report.added else callbacks.SweepReport()

        outcome, report = imported("web.remedy.done.linked", "web.remedy.done.link_error")
        return await act(
            request, incident_id, "link", "remedy.manage", work, outcome, anchor="#customers", report=report
        )

    # ---- the ledger -------------------------------------------------------

    @api.post("/remedy/{incident_id}/compensation")
    async def propose_one(request: Request, incident_id: int) -> Response:
        def work(s: Session, ctx: Context, form: dict[str, str]) -> tuple[int, str, str, Decimal, str, str]:
            amount = ledger.parse_amount((form.get("amount") or "").strip())  # exact to the cent, else named
            ref, reason = form.get("customer_ref", ""), (form.get("reason") or "").strip() or None
            e = ledger.propose(s, ctx, incident_id, ref, form.get("form", ""), amount, reason)
            return e.id, ref.strip(), e.form, e.amount, e.unit, e.status

        def outcome(r: tuple[int, str, str, Decimal, str, str], lang: str) -> tuple[str, str]:
            eid, ref, form_, amount, unit, status = r
            text = t(
                "web.remedy.done.proposed_one",
                lang,
                id=eid,
                ref=ref,
                form=label("form", form_, lang),
                amount=view.amt(amount, unit),
                unit=label("unit", unit, lang),
            )
            text += " " + t("web.remedy.done.awaits" if status == "proposed" else "web.remedy.done.auto_approved", lang)
            return "ok", text

        return await act(request, incident_id, "propose", "remedy.manage", work, outcome)

    @api.post("/remedy/{incident_id}/compensation/approve")
    async def approve(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "remedy.approve")
        every = bool(form.get("all"))

        def work(s: Session, ctx: Context) -> tuple[int, int]:
            if every:
                get_incident(s, incident_id)
                changed = ledger.approve_incident(s, ctx, incident_id)
                return changed, view.proposed_count(s, incident_id, ctx.actor, own=True)
            entry = _entry_of(s, incident_id, _entry_id(form.get("id")))
            return ledger.approve(s, ctx, [entry.id]), 0

        def outcome(r: tuple[int, int], lang: str) -> tuple[str, str]:
            changed, own_left = r
            text = (
                t("web.remedy.done.approved", lang, n=changed) if changed else t("web.remedy.done.approved_none", lang)
            )
            if own_left:
                text += " " + t("web.remedy.done.own_left", lang, n=own_left)
            return "ok", text

        name = "approve-all" if every else f"approve-{(form.get('id') or '').strip().lstrip('#')}"
        return await attempt(
            pages,
            request,
            principal,
            work,
            back=f"/remedy/{incident_id}#ledger",
            outcome=outcome,
            answer=answer(request, incident_id, name, form),
        )

    @api.post("/remedy/{incident_id}/compensation/{entry_id}/reject")
    async def reject(request: Request, incident_id: int, entry_id: int) -> Response:
        def work(s: Session, ctx: Context, form: dict[str, str]) -> tuple[int, str]:
            reason = (form.get("reason") or "").strip()
            return ledger.reject(s, ctx, _entry_of(s, incident_id, entry_id).id, reason).id, reason

        def outcome(r: tuple[int, str], lang: str) -> tuple[str, str]:
            return "ok", t("web.remedy.done.rejected", lang, id=r[0], reason=r[1])

        return await act(request, incident_id, f"reject-{entry_id}", "remedy.approve", work, outcome)

    @api.post("/remedy/{incident_id}/compensation/{entry_id}/reverse")
    async def reverse(request: Request, incident_id: int, entry_id: int) -> Response:
        provider = default_provider(rt.settings.data_dir, rt.clock, store=rt.store)

        def work(s: Session, ctx: Context, form: dict[str, str]) -> tuple[int, Decimal, str, str]:
            reason = (form.get("reason") or "").strip()
            e = ledger.reverse(s, ctx, _entry_of(s, incident_id, entry_id).id, reason, provider)
            return e.id, e.amount, e.unit, reason

        def outcome(r: tuple[int, Decimal, str, str], lang: str) -> tuple[str, str]:
            eid, amount, unit, reason = r
            return "ok", t(
                "web.remedy.done.reversed",
                lang,
                id=eid,
                amount=view.amt(amount, unit),
                unit=label("unit", unit, lang),
                reason=reason,
            )

        return await act(request, incident_id, f"reverse-{entry_id}", "remedy.approve", work, outcome)

    return api
