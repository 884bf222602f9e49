"""Confirmation before a bulk money action (issue 23): "propose for every
customer by policy" and "issue the approved" first show how many entries
and how much, then act on a second, explicit POST. The form carries the
count the person saw (``expect``); if the ledger changed in between, the
action is refused with both numbers and nothing moves (incident/web/
remedy_pages.py checks it, in the action's own transaction)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from incident.i18n import label
from incident.incidents import get as get_incident
from incident.money import fmt_amount
from incident.remedy import preview
from incident.web import remedy_texts as _texts  # noqa: F401
from incident.web.pages import Pages

ACTIONS = {"policy": "remedy.manage", "issue": "remedy.approve"}


def amounts_text(p: preview.Preview, lang: str) -> str:
    """120.00 元、300 积分 — every unit the entries carry, exact."""
    parts = [f"{fmt_amount(v, unit)} {label('unit', unit, lang)}" for unit, v in sorted(p.amounts.items())]
    return ("、" if lang == "zh-CN" else ", ").join(parts) or "—"


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    @api.get("/remedy/{incident_id}/compensation")
    def ledger_page(request: Request, incident_id: int) -> Response:
        # A refused form is answered at its POST address; a reload or the
        # language link there GETs it: the ledger is what they want.
        query = f"?{request.url.query}" if request.url.query else ""
        return pages.redirect(f"/remedy/{incident_id}{query}#ledger")

    @api.get("/remedy/{incident_id}/compensation/{action}")
    def confirm_page(request: Request, incident_id: int, action: str) -> Response:
        if action not in ACTIONS:
            return pages.redirect(f"/remedy/{incident_id}#ledger")
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
            incident_id=incident_id,
            action=action,
            ref=data["ref"],
            inc_title=data["title"],
            p=p,
            amounts=amounts_text(p, lang),
        )

    return api
