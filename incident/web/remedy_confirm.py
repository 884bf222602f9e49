"""Confirmation before a bulk money action (issue 23): "propose for every
customer by policy" and "issue the approved" first show how many entries
and how much, then act on a second, explicit POST. The form carries the
count the person saw (``expect``); if the ledger changed in between, the
action is refused with both numbers, in the action's own transaction, and
nothing moves: the confirmation comes back with the refusal beside its
button and today's numbers on it (incident/web/refusal.py).

A refused form of the remedy pages is answered at its POST's address; a
reload or the language link there GETs it, which leads back to that part
of the incident's page (the routes at the end)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.adapters.compensation import default_provider
from incident.context import Context
from incident.errors import ForbiddenError, IncidentError, InputError, NotFoundError
from incident.i18n import label, t
from incident.incidents import get as get_incident
from incident.money import fmt_amount
from incident.remedy import issuing, ledger, preview
from incident.web import remedy_texts as _texts  # noqa: F401
from incident.web.pages import Pages
from incident.web.refusal import Refused, attempt, beside, status_of, template_values
from incident.web.remedyview import SHOWN

ACTIONS = {"policy": "remedy.manage", "issue": "remedy.approve"}


def amounts_text(p: preview.Preview, lang: str) -> str:
    """120.00 元、300 积分 — every unit the entries carry, exact."""
    parts = [f"{fmt_amount(v, unit)} {label('unit', unit, lang)}" for unit, v in sorted(p.amounts.items())]
    return ("、" if lang == "zh-CN" else ", ").join(parts) or "—"


def _expected(form: dict[str, str]) -> int | None:
    """The count the person confirmed (the confirmation form's ``expect``)."""
    try:
        return int(form["expect"])
    except (KeyError, ValueError):
        return None


def policy_text(r: ledger.ProposalReport, lang: str) -> tuple[str, str]:
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


def issued_text(report: issuing.IssueReport, left: int, lang: str) -> tuple[str, str]:
    if not report.batches and not report.errors:
        return "ok", t("web.remedy.done.nothing_to_issue", lang)
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
    return ("error" if (report.failed or report.retrying) else "ok"), text


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def render_confirm(request: Request, incident_id: int, action: str, refused: Refused | None = None) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require(ACTIONS[action], lang)
        ctx = principal.ctx(rt)

        def load() -> dict[str, Any]:
            # A transaction, not a read: the policy's preview writes inside a
            # savepoint that is rolled back.
            with rt.store.transaction() as s:
                inc = get_incident(s, incident_id)
                p = preview.by_policy(s, ctx, incident_id) if action == "policy" else preview.approved(s, incident_id)
                return {"ref": f"INC-{inc.id}", "title": inc.title, "p": p}

        data = load()
        p = data["p"]
        return pages.render(
            request,
            "remedy_confirm.html.j2",
            principal,
            refused.status if refused is not None else 200,
            **template_values(refused),
            incident_id=incident_id,
            action=action,
            ref=data["ref"],
            inc_title=data["title"],
            p=p,
            amounts=amounts_text(p, lang),
        )

    @api.get("/remedy/{incident_id}/compensation")
    def ledger_page(request: Request, incident_id: int) -> Response:
        return back_to(request, incident_id, "#ledger")

    @api.get("/remedy/{incident_id}/compensation/{action}")
    def confirm_page(request: Request, incident_id: int, action: str) -> Response:
        if action not in ACTIONS:
            return back_to(request, incident_id, "#ledger")
        return render_confirm(request, incident_id, action)

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

        return await attempt(
            pages,
            request,
            principal,
            work,
            back=f"/remedy/{incident_id}#ledger",
            outcome=policy_text,
            answer=beside(lambda r: render_confirm(request, incident_id, "policy", r), "confirm", form),
        )

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
        except NotFoundError as exc:
            return pages.redirect(back, "error", exc.message(lang))
        except IncidentError as exc:
            refused = Refused("confirm", exc.message(lang), form, status_of(exc))
            return await run_in_threadpool(render_confirm, request, incident_id, "issue", refused)
        await run_in_threadpool(rt.deliver)
        return pages.redirect(back, *issued_text(report, left, lang))

    # ---- a refused form's address, reloaded --------------------------------

    def back_to(request: Request, incident_id: int, anchor: str) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return pages.redirect(f"/remedy/{incident_id}{query}{anchor}")

    @api.get("/remedy/{incident_id}/customers")
    def customers_page(request: Request, incident_id: int) -> Response:
        return back_to(request, incident_id, "#customers")

    @api.get("/remedy/{incident_id}/customers/{rest:path}")
    def customers_form(request: Request, incident_id: int, rest: str) -> Response:
        return back_to(request, incident_id, "#customers")

    @api.get("/remedy/{incident_id}/compensation/{entry_id}/{rest:path}")
    def entry_form(request: Request, incident_id: int, entry_id: str, rest: str) -> Response:
        return back_to(request, incident_id, "#ledger")

    return api
