"""The callbacks queue (``/callbacks``): an agent's calls for today as a
compact list (overdue first, then by due time) and ONE call in focus with
its script and the outcome form — the first of the queue unless ``?id=``
picks another. After an outcome is recorded the agent lands on the next
call. "Show number" (a POST) gives the call's agent, or a cs lead, the
customer's contact as stored, with a ``tel:`` link when it can be dialled,
and records the showing on the incident's timeline
(incident/remedy/contact.py) — unless only the masked contact is stored:
that is shown as it is, explained, and nothing recorded. ``GET
/callbacks/N`` is the queue with call N in focus. The customer's complaint is linked to the
ticket system when ``[callbacks].ticket_url`` is set.

Agents see and record only their own calls, whatever the address says; cs
leads pick an agent or all of them (``callbacks.all``)."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.errors import ForbiddenError, IncidentError, InputError
from incident.i18n import label, t
from incident.models import AffectedCustomer, Incident
from incident.remedy import callbacks, contact
from incident.roster import display as display_person
from incident.timeutil import end_of_local_day, fmt
from incident.web import callbacks_texts as _texts  # noqa: F401
from incident.web import remedy_texts as _remedy_texts  # noqa: F401  (web.remedy.cb.*: results, stars, script)
from incident.web.auth import Principal
from incident.web.pages import Pages

QUEUE_SCANNED = 2000  # due rows read, so that an overdue call placed late is not cut off
QUEUE_SHOWN = 200  # lines of the list (no script each: cheap)
ALL_AGENTS = "*"
_ID = re.compile(r"[0-9]{1,18}")


def queue_order(rows: list[callbacks.DueRow], now: dt.datetime) -> list[callbacks.DueRow]:
    """Overdue first, then by due time (then id: a stable order)."""
    return sorted(rows, key=lambda d: (d.due_at >= now, d.due_at, d.id))


def _picked(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if _ID.fullmatch(text) else None


def _may_see(principal: Principal, assignee: str | None) -> None:
    """Agents see and record their own callbacks; cs leads anyone's."""
    if not principal.can("callbacks.all") and assignee != principal.actor:
        raise ForbiddenError("access.error.not_yours", agent=assignee or "—")


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def when(value: dt.datetime | None) -> str:
        return fmt(value, rt.config.zone) if value else "—"

    def viewed(principal: Principal, agent: str | None) -> str | None:
        """Whose queue: an agent's own; a cs lead's pick (None: everyone's)."""
        if principal.can("callbacks.all") and agent:
            return None if agent == ALL_AGENTS else agent.strip()[:100]
        return principal.actor

    def back_to(principal: Principal, agent: str, picked: int | None = None) -> str:
        params: dict[str, Any] = {}
        if agent and principal.can("callbacks.all"):
            params["agent"] = agent
        if picked is not None:
            params["id"] = picked
        return "/callbacks" + ("?" + urllib.parse.urlencode(params) if params else "")

    def focus(s: Session, principal: Principal, cb_id: int, now: dt.datetime, lang: str) -> dict[str, Any]:
        """The call in focus: its script, customer, incident and ticket."""
        cb = callbacks.get(s, cb_id)
        _may_see(principal, cb.assignee)
        person = s.get(AffectedCustomer, cb.customer_id)
        incident = s.get(Incident, cb.incident_id)
        assert person is not None and incident is not None
        text, findings = callbacks.script(s, rt.config, cb, now)
        ticket = contact.ticket_of(s, person)
        return {
            "cb": cb,
            "person": person,
            "title": incident.title,
            "late": cb.due_at < now,
            "script": text.strip(),
            "demand": cb.note if cb.reason == "follow_up" else None,
            "masked": contact.masked(person.contact),
            "ticket": ticket,
            "ticket_url": contact.ticket_link(rt.config.callbacks.ticket_url, ticket),
            "may_reveal": cb.status == "open" and (cb.assignee == principal.actor or principal.can("callbacks.all")),
            "findings": [(f.severity, f.rule, f.text, f.message(lang)) for f in findings],
        }

    def titles(s: Session, rows: list[callbacks.DueRow]) -> dict[int, str]:
        found = s.execute(select(Incident.id, Incident.title).where(Incident.id.in_({d.incident_id for d in rows})))
        return {iid: title for iid, title in found}

    def load(s: Session, principal: Principal, who: str | None, picked: int | None, lang: str) -> dict[str, Any]:
        now = rt.clock.now()
        end = end_of_local_day(now, rt.config.zone)
        rows = queue_order(callbacks.due(s, now, agent=who, until=end, limit=QUEUE_SCANNED), now)
        notice = None
        chosen = picked
        if picked is not None:
            cb = callbacks.get(s, picked)
            _may_see(principal, cb.assignee)  # someone else's call: 403, whatever the list holds
            if cb.status != "open":
                notice = t("web.cbq.closed", lang, id=cb.id, status=label("callback_status", cb.status, lang))
                chosen = None
            elif all(d.id != picked for d in rows):
                notice = t("web.cbq.not_today", lang, at=when(cb.call_at))
        if chosen is None and rows:
            chosen = rows[0].id
        ids = [d.id for d in rows]
        return {
            "queue": rows[:QUEUE_SHOWN],
            "total": len(rows),
            "late_count": sum(1 for d in rows if d.due_at < now),
            "more": len(rows) > QUEUE_SHOWN,
            "titles": titles(s, rows[:QUEUE_SHOWN]),
            "focus": focus(s, principal, chosen, now, lang) if chosen is not None else None,
            "position": ids.index(chosen) + 1 if chosen in ids else None,
            "notice": notice,
            "until": end - dt.timedelta(minutes=1),
        }

    def show(
        request: Request,
        principal: Principal,
        agent: str | None,
        picked: int | None,
        revealed: contact.Revealed | None = None,
    ) -> Response:
        lang = pages.lang(request, principal)
        everyone = principal.can("callbacks.all")
        who = viewed(principal, agent)
        data = pages.read(lambda s: load(s, principal, who, picked, lang))
        agents = callbacks.agents(rt.config)
        choices = [(k, display_person(rt.config, k)) for k in agents]
        if everyone and principal.actor not in agents:
            choices.insert(0, (principal.actor, display_person(rt.config, principal.actor)))
        agent_param = (agent or "") if everyone else ""
        return pages.render(
            request,
            "callbacks.html.j2",
            principal,
            **data,
            who=who,
            who_name=display_person(rt.config, who) if who else None,
            everyone=everyone,
            choices=choices,
            all_agents=ALL_AGENTS,
            results=callbacks.RESULTS,
            agent_param=agent_param,
            revealed=revealed,
            masked_name=contact.masked_name,
            pick=lambda cb_id: back_to(principal, agent_param, cb_id),
            person=lambda k: display_person(rt.config, k),
        )

    @api.get("/callbacks")
    def queue(request: Request, agent: str | None = None, id: str | None = None) -> Response:  # noqa: A002
        principal = pages.user(request)
        principal.require("callbacks.own", pages.lang(request, principal))
        return show(request, principal, agent, _picked(id))

    @api.get("/callbacks/{callback_id}")
    def one(request: Request, callback_id: int, agent: str | None = None) -> Response:
        """A call's own address (bookmarked, reloaded, where the outcome
        form posts): the queue with that call in focus."""
        principal = pages.user(request)
        principal.require("callbacks.own", pages.lang(request, principal))
        return show(request, principal, agent, callback_id)

    @api.get("/callbacks/{callback_id}/reveal")
    def reveal_address(request: Request, callback_id: int) -> Response:
        """The revealed page's own address (its language switch links
        there): back to the call, the number hidden again until asked for."""
        chosen = request.query_params.get("lang")
        params: dict[str, Any] = {"id": callback_id} | ({"lang": chosen} if chosen in ("zh-CN", "en") else {})
        return pages.redirect("/callbacks?" + urllib.parse.urlencode(params))

    @api.post("/callbacks/{callback_id}/reveal")
    async def reveal(request: Request, callback_id: int) -> Response:
        principal, form = await pages.form(request, "callbacks.own")  # CSRF-checked
        agent = (form.get("agent") or "").strip()
        lang = pages.lang(request, principal)
        ctx = principal.ctx(rt)

        def work() -> contact.Revealed:
            with rt.store.transaction() as s:
                return contact.reveal(s, ctx, callback_id, everyone=principal.can("callbacks.all"))

        try:
            revealed = await run_in_threadpool(work)
        except ForbiddenError:
            raise
        except IncidentError as exc:
            return pages.redirect(back_to(principal, agent, callback_id), "error", exc.message(lang))
        # Rendered, not redirected: the number never travels in a cookie or an
        # address. The page swaps its address for the call's (static/callbacks.js),
        # so a reload reads the queue again instead of posting a second showing.
        return await run_in_threadpool(show, request, principal, agent or None, callback_id, revealed)

    @api.post("/callbacks/{callback_id}")
    async def record(request: Request, callback_id: int) -> Response:
        principal, form = await pages.form(request, "callbacks.own")
        agent = (form.get("agent") or "").strip()
        lang = pages.lang(request, principal)
        ctx = principal.ctx(rt)
        raw_sat = (form.get("satisfaction") or "").strip()

        def work() -> tuple[Any, Any]:
            with rt.store.transaction() as s:
                _may_see(principal, callbacks.get(s, callback_id).assignee)  # before anything is written
                score: int | None = None
                if raw_sat:
                    try:
                        score = int(raw_sat)
                    except ValueError:
                        raise InputError("callback.error.satisfaction", value=raw_sat[:10]) from None
                cb, follow = callbacks.record_attempt(
                    s,
                    ctx,
                    callback_id,
                    form.get("result", ""),
                    satisfaction=score,
                    note=form.get("note") or None,
                    new_demand=form.get("demand") or None,
                )
                return (
                    (cb.id, cb.outcome or "", cb.status, cb.call_at, cb.attempts),
                    (follow.id, follow.assignee, follow.due_at) if follow else None,
                )

        try:
            done, follow = await run_in_threadpool(work)
        except ForbiddenError:
            raise
        except IncidentError as exc:  # stay on this call, the error said
            return pages.redirect(back_to(principal, agent, callback_id), "error", exc.message(lang))
        await run_in_threadpool(rt.deliver)
        # The queue's first is the next call: this one has left it (done, or tried again another day).
        return pages.redirect(back_to(principal, agent), "ok", recorded_text(done, follow, lang))

    def recorded_text(done: tuple[Any, ...], follow: tuple[Any, ...] | None, lang: str) -> str:
        cid, result, status, call_at, attempts = done
        text = t(
            "web.remedy.cb.done.recorded",
            lang,
            id=cid,
            result=label("callback_result", result, lang),
            status=label("callback_status", status, lang),
        )
        if status == "open":
            text += " " + t("web.remedy.cb.done.next_try", lang, at=when(call_at), attempts=attempts)
        if follow is not None:
            f_id, f_who, f_due = follow
            who = display_person(rt.config, f_who)
            text += " " + t("web.remedy.cb.done.follow_up", lang, id=f_id, assignee=who, due=when(f_due))
        return text

    return api
