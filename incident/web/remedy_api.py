"""HTTP API of the remedy half: affected customers, the compensation
ledger, callbacks, reports. Callers (the ticket system, a CRM, the agents'
desktop) authenticate as for ``/api/complaints``: a user's API token acts
as that user; only the machine token (from ``[web].machine_hosts``) names
the person on whose behalf a change is made in ``X-Incident-Actor`` (a
roster key), because approvals are four-eyes and every change is on the
timeline. Each route owns its transaction.

Amounts travel as strings with two decimal places (``"amount": "12.30"``,
``"money_issued": "1550.00"``; points and days too), never JSON numbers:
they are exact Decimals in the ledger and a float would bring back the
cent the change to Decimal took away. Amounts sent in may be numbers or
strings, at most two decimals."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from incident.adapters.compensation import default_provider
from incident.context import Context
from incident.errors import ForbiddenError, InputError, NotFoundError
from incident.i18n import t
from incident.incidents import MAX_ID, parse_id
from incident.incidents import get as get_incident
from incident.money import money_json
from incident.remedy import callbacks, customers, issuing, ledger, reports
from incident.runtime import Runtime
from incident.textin import clean_id, clean_value
from incident.timeutil import end_of_local_day
from incident.web import apictx
from incident.web.door import parse_json

MAX_BATCH = 5000
# Identifiers in a request body: refused, not cleaned, if they hold a control character.
_ID_KEYS = ("customer_ref", "order_ref", "incident")


def router(
    rt: Runtime,
    machine: Callable[..., None],
    lang_of: Callable[[Request], str],
    allow: Callable[[str], Callable[..., None]],
) -> APIRouter:
    api = APIRouter(dependencies=[Depends(machine)])

    def actor_ctx(request: Request) -> Context:
        return apictx.actor_ctx(rt, request)

    async def body(request: Request) -> Any:
        """The JSON body, cleaned at the door (incident.textin): free text
        loses control characters and lone surrogates; an identifier holding
        one is refused by name, never altered into another."""
        data = parse_json(await request.body())
        if isinstance(data, dict):
            for key in _ID_KEYS:
                if isinstance(data.get(key), str):
                    clean_id(key, data[key])
        return clean_value(data)

    async def work(fn: Callable[[], Any]) -> Any:
        result = await run_in_threadpool(fn)
        rt.deliver()  # notifications the change queued
        return result

    # ---- affected customers --------------------------------------------

    @api.post("/api/incidents/{incident}/customers", dependencies=[Depends(allow("remedy.manage"))])
    async def add_customers(incident: str, request: Request) -> JSONResponse:
        """A JSON array of customers (or ``{"customers": [...]}``); masked on
        intake, once per incident; bad ones reported by index, good ones kept;
        their callbacks are scheduled at once."""
        ctx, iid, lang = actor_ctx(request), parse_id(incident), lang_of(request)
        # Not body(): each row is cleaned (free text) or refused by name (a
        # customer number with a control character) by customers.ingest.
        data = parse_json(await request.body())
        if isinstance(data, dict):
            data = data.get("customers")
        if not isinstance(data, list):
            raise InputError("api.error.customers_body")
        if len(data) > MAX_BATCH:
            raise InputError("complaint.error.batch_size", max=MAX_BATCH, got=len(data))

        def run() -> customers.ImportReport:
            with rt.store.transaction() as s:
                report = customers.ingest(s, ctx, iid, list(enumerate(data, start=1)), source="api")
                customers.finish_import(s, ctx, iid, report, "api")
                # a rerun schedules what a killed import did not (duplicates too)
                customers.schedule_callbacks(s, ctx, iid, report)
            return report

        report = await work(run)
        errors = [{"index": e.line, "error": e.key, "message": t(e.key, lang, **e.params)} for e in report.errors]
        status = 422 if errors and not report.added and not report.duplicates else 200
        return JSONResponse(
            {"received": report.read, "added": report.added, "duplicates": report.duplicates, "errors": errors},
            status_code=status,
        )

    @api.get("/api/incidents/{incident}/customers", dependencies=[Depends(allow("remedy.view"))])
    def list_customers(incident: str, limit: int = 200, offset: int = 0) -> dict[str, Any]:
        iid = parse_id(incident)
        with rt.store.read() as s:
            get_incident(s, iid)
            rows = customers.list_customers(s, iid, limit=min(max(limit, 1), 1000), offset=min(max(offset, 0), MAX_ID))
            total = customers.count(s, iid)
        return {
            "total": total,
            "customers": [
                {
                    "ref": c.customer_ref,
                    "name": c.name,
                    "title": c.title,
                    "contact": c.contact,
                    "lang": c.lang,
                    "order_ref": c.order_ref,
                    "amount_at_stake": money_json(c.amount_at_stake),
                    "insured": c.insured,
                    "declared_value": money_json(c.declared_value),
                    "source": c.source,
                }
                for c in rows
            ],
        }

    # ---- compensation ----------------------------------------------------

    def entry_json(e: Any, c: Any = None) -> dict[str, Any]:
        out = {
            "id": e.id,
            "incident": f"INC-{e.incident_id}",
            "form": e.form,
            "amount": money_json(e.amount),
            "unit": e.unit,
            "status": e.status,
            "needs_approval": e.needs_approval,
            "policy": e.policy,
            "proposed_by": e.proposed_by,
            "approved_by": e.approved_by,
            "provider_ref": e.provider_ref,
            "last_error": e.last_error,
        }
        if c is not None:
            out["customer_ref"] = c.customer_ref
        return out

    @api.post("/api/incidents/{incident}/compensation", dependencies=[Depends(allow("remedy.manage"))])
    async def propose(incident: str, request: Request) -> JSONResponse:
        """``{"policy": true}`` proposes for every covered customer;
        ``{"customer_ref", "form", "amount", "reason"}`` one entry. Over a
        cap: 422 with the reason and the alternative remedy."""
        ctx, iid, lang = actor_ctx(request), parse_id(incident), lang_of(request)
        data = await body(request)
        if not isinstance(data, dict):
            raise InputError("api.error.object_body")
        if data.get("policy"):

            def by_policy() -> ledger.ProposalReport:
                with rt.store.transaction() as s:
                    return ledger.propose_by_policy(s, ctx, iid)

            r = await work(by_policy)
            return JSONResponse(
                {
                    "proposed": r.proposed,
                    "need_approval": r.need_approval,
                    "auto_approved": r.auto_approved,
                    "existing": r.existing,
                    "ineligible": r.ineligible,
                    "refused": [
                        {"customer_ref": ref, "error": key, "message": t(key, lang, **params)}
                        for ref, key, params in r.refused
                    ],
                }
            )
        amount = ledger.parse_amount(data.get("amount"))  # "12.30" or 12.3; not 12.345

        def one() -> dict[str, Any]:
            with rt.store.transaction() as s:
                return entry_json(
                    ledger.propose(
                        s,
                        ctx,
                        iid,
                        str(data.get("customer_ref") or ""),
                        str(data.get("form") or ""),
                        amount,
                        data.get("reason"),
                    )
                )

        return JSONResponse(await work(one), status_code=201)

    @api.post("/api/compensation/approve", dependencies=[Depends(allow("remedy.approve"))])
    async def approve(request: Request) -> dict[str, int]:
        """``{"ids": [..]}`` or ``{"incident": "INC-7"}``; a supervisor who did not propose them."""
        ctx, data = actor_ctx(request), await body(request)
        if not isinstance(data, dict):
            raise InputError("api.error.object_body")

        def run() -> int:
            with rt.store.transaction() as s:
                if data.get("incident"):
                    return ledger.approve_incident(s, ctx, parse_id(data["incident"]))
                ids = data.get("ids")
                if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
                    raise InputError("api.error.ids")
                # an id the column cannot hold names no entry (and would fail in the database)
                beyond = [str(i) for i in ids if not 1 <= i <= MAX_ID]
                if beyond:
                    raise NotFoundError("comp.error.no_entry", id=", ".join(beyond[:10]))
                return ledger.approve(s, ctx, ids)

        return {"approved": await work(run)}

    @api.post("/api/compensation/{entry_id}/{action}", dependencies=[Depends(allow("remedy.approve"))])
    async def reject_or_reverse(entry_id: int, action: str, request: Request) -> dict[str, Any]:
        ctx, data = actor_ctx(request), await body(request)
        reason = str((data or {}).get("reason") or "") if isinstance(data, dict) else ""
        if action not in ("reject", "reverse"):
            raise InputError("api.error.action", value=action, allowed="reject, reverse")

        def run() -> dict[str, Any]:
            with rt.store.transaction() as s:
                if action == "reject":
                    return entry_json(ledger.reject(s, ctx, entry_id, reason))
                provider = default_provider(rt.settings.data_dir, rt.clock, store=rt.store)
                return entry_json(ledger.reverse(s, ctx, entry_id, reason, provider))

        return await work(run)

    @api.post("/api/compensation/issue", dependencies=[Depends(allow("remedy.approve"))])
    async def issue(request: Request) -> dict[str, Any]:
        """Issue approved entries now (at most ``max_batches`` batches per
        call; the ``issue-compensation`` flow does the same on a schedule)."""
        ctx, data = actor_ctx(request), await body(request)
        data = data if isinstance(data, dict) else {}
        iid = parse_id(data["incident"]) if data.get("incident") else None
        try:
            batches = max(1, min(int(data.get("max_batches") or 10), 1000))
        except (TypeError, ValueError, OverflowError):
            raise InputError("api.error.object_body") from None

        def run() -> dict[str, Any]:
            r = issuing.issue_due(
                rt.store,
                ctx,
                default_provider(rt.settings.data_dir, rt.clock, store=rt.store),
                incident_id=iid,
                max_batches=batches,
            )
            return {
                "issued": r.issued,
                "failed": r.failed,
                "retrying": r.retrying,
                "pending": issuing.pending(rt.store, iid),
            }

        return await work(run)

    @api.get("/api/compensation", dependencies=[Depends(allow("remedy.view"))])
    def list_compensation(incident: str | None = None, status: str | None = None, limit: int = 200) -> dict[str, Any]:
        iid = parse_id(incident) if incident else None
        with rt.store.read() as s:
            rows = ledger.list_entries(s, iid, status, min(max(limit, 1), 1000))
            out: dict[str, Any] = {"entries": [entry_json(e, c) for e, c in rows]}
            if iid is not None:
                out["totals"] = money_json(ledger.totals(s, iid))
        return out

    # ---- callbacks -------------------------------------------------------

    def due_json(r: Any) -> dict[str, Any]:
        return {
            "id": r.id,
            "incident": f"INC-{r.incident_id}",
            "reason": r.reason,
            "due_at": r.due_at.isoformat(),
            "call_at": r.call_at.isoformat(),
            "assignee": r.assignee,
            "attempts": r.attempts,
            "customer_ref": r.customer_ref,
            "name": r.name,
            "title": r.title,
            "contact": r.contact,
            "lang": r.lang,
        }

    def own_only(request: Request, assignee: str | None) -> None:
        """Agents see and record their own callbacks; cs leads anyone's."""
        principal = request.state.principal
        if not principal.can("callbacks.all") and assignee != principal.actor:
            raise ForbiddenError("access.error.not_yours", agent=assignee or "—")

    @api.get("/api/callbacks/due", dependencies=[Depends(allow("callbacks.own"))])
    def due(
        request: Request, agent: str | None = None, incident: str | None = None, limit: int = 100, today: bool = False
    ) -> dict[str, Any]:
        """Open callbacks to make now (or by the end of today), soonest first."""
        if not request.state.principal.can("callbacks.all"):
            agent = request.state.principal.actor
        now = rt.clock.now()
        until = None
        if today:
            until = end_of_local_day(now, rt.config.zone)
        with rt.store.read() as s:
            rows = callbacks.due(
                s,
                now,
                agent=agent,
                until=until,
                incident_id=parse_id(incident) if incident else None,
                limit=min(max(limit, 1), 1000),
            )
            overdue = callbacks.overdue_count(s, now, parse_id(incident) if incident else None)
        return {"overdue": overdue, "callbacks": [due_json(r) for r in rows]}

    @api.get("/api/callbacks/{callback_id}", dependencies=[Depends(allow("callbacks.own"))])
    def show_callback(callback_id: int, request: Request) -> dict[str, Any]:
        with rt.store.read() as s:
            cb = callbacks.get(s, callback_id)
            own_only(request, cb.assignee)
            text, findings = callbacks.script(s, rt.config, cb)
            return {
                "id": cb.id,
                "incident": f"INC-{cb.incident_id}",
                "reason": cb.reason,
                "status": cb.status,
                "due_at": cb.due_at.isoformat(),
                "call_at": cb.call_at.isoformat(),
                "assignee": cb.assignee,
                "attempts": cb.attempts,
                "outcome": cb.outcome,
                "satisfaction": cb.satisfaction,
                "script": text,
                "warnings": [{"rule": f.rule, "text": f.text} for f in findings],
            }

    @api.post("/api/callbacks/{callback_id}/attempts", dependencies=[Depends(allow("callbacks.own"))])
    async def record(callback_id: int, request: Request) -> JSONResponse:
        """``{"result": "reached"|"no_answer"|"wrong_number"|"refused",
        "satisfaction": 1-5, "note": "…", "demand": "…"}``."""
        ctx, data = actor_ctx(request), await body(request)
        if not isinstance(data, dict):
            raise InputError("api.error.object_body")
        sat = data.get("satisfaction")
        if sat is not None and not isinstance(sat, int):
            raise InputError("callback.error.satisfaction", value=sat)

        def run() -> dict[str, Any]:
            with rt.store.transaction() as s:
                own_only(request, callbacks.get(s, callback_id).assignee)
                cb, follow = callbacks.record_attempt(
                    s,
                    ctx,
                    callback_id,
                    str(data.get("result") or ""),
                    satisfaction=sat,
                    note=data.get("note"),
                    new_demand=data.get("demand"),
                )
                return {
                    "id": cb.id,
                    "status": cb.status,
                    "attempts": cb.attempts,
                    "call_at": cb.call_at.isoformat(),
                    "follow_up": None
                    if follow is None
                    else {"id": follow.id, "assignee": follow.assignee, "due_at": follow.due_at.isoformat()},
                }

        return JSONResponse(await work(run), status_code=201)

    # ---- reports ---------------------------------------------------------

    @api.get("/api/incidents/{incident}/report", dependencies=[Depends(allow("remedy.view"))])
    def incident_report(incident: str) -> dict[str, Any]:
        with rt.store.read() as s:
            return money_json(reports.incident_report(s, rt.ctx, parse_id(incident)))

    @api.get("/api/reports/daily", dependencies=[Depends(allow("remedy.view"))])
    def daily(request: Request, date: str | None = None, format: str = "json") -> Any:
        lang = lang_of(request)
        try:
            day = dt.date.fromisoformat(date) if date else rt.clock.now().astimezone(rt.config.zone).date()
        except ValueError:
            raise InputError("error.bad_time", value=date) from None
        with rt.store.read() as s:
            data = reports.daily_report(s, rt.ctx, day)
        if format == "json":
            return data
        md, html = reports.render_daily(data, lang, rt.config.centre.name)
        if format == "md":
            return PlainTextResponse(md, media_type="text/markdown; charset=utf-8")
        if format == "html":
            return HTMLResponse(html)
        raise InputError("api.error.format", value=format, allowed="json, md, html")

    return api
