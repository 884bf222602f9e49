"""The incident board (leads): open incidents by severity with their clocks
and response groups; the chosen incident's volume chart, signals with
their sample entries, and timeline; declaring and updating from the page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from incident import incidents, merge, response
from incident import merge_texts as _merge_texts  # noqa: F401  (merge.web.*)
from incident.context import Context
from incident.enums import Kind, Role, Severity
from incident.errors import InputError
from incident.events import event_text
from incident.i18n import t
from incident.timeutil import parse_time
from incident.web import boardview, history
from incident.web.charts import volume_svg
from incident.web.pages import Pages
from incident.wording import texts as _wording_texts  # noqa: F401  (labels: clock)


def _safe_link(value: Any) -> str | None:
    """Only http(s) links from feeds become clickable: a javascript: URL is
    code even when it is escaped."""
    text = str(value or "")
    return text if text.startswith(("http://", "https://")) else None


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def show(request: Request, selected: int | None, page: int = 1) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("incident.view", lang)

        def load(s: Session) -> dict[str, Any]:
            board = boardview.open_board(s, page)
            chosen = selected if selected is not None else (board.cards[0].row.id if board.cards else None)
            det = boardview.detail(s, chosen) if chosen is not None else None
            out: dict[str, Any] = {
                "board": board,
                "det": det,
                "charts": [],
                "events": [],
                "signal_words": {},
                "links": [],
            }
            if det is not None:
                labels = (
                    t("web.board.chart.observed", lang),
                    t("web.board.chart.baseline", lang),
                    t("web.board.chart.alert", lang),
                )
                words = {c.series: boardview.series_words(rt.ctx, c.series, lang) for c in det.charts}
                out["charts"] = [
                    (
                        words[c.series],
                        volume_svg(
                            c.points,
                            c.alerts,
                            rt.config.zone,
                            t("web.board.chart.title", lang, series=words[c.series]),
                            labels,
                            lang,
                        ),
                    )
                    for c in det.charts
                ]
                out["signal_words"] = {s.id: boardview.series_words(rt.ctx, s.series_key, lang) for s in det.signals}
                out["events"] = [(e, event_text(e, lang)) for e in det.events]
                out["links"] = merge.linked(s, det.incident.id)
            return out

        data = pages.read(load)
        return pages.render(
            request,
            "board.html.j2",
            principal,
            **data,
            page=page,
            kinds=[k.value for k in Kind],
            severities=[s.value for s in Severity],
            roles=[r.value for r in Role],
            people=sorted(rt.config.people.items()),
            samples=boardview.samples,
            safe_link=_safe_link,
        )

    # ids and pages past the columns' range name nothing (issue 21): a page
    # far beyond the last is simply empty, an id beyond the range not found.
    @api.get("/")
    def board(request: Request, id: int | None = None, page: int = 1) -> Response:  # noqa: A002
        if any(name in request.query_params for name in history.FILTER_PARAMS):
            # /?status=closed, /?all=1, /?q=…: the history answers those (issue 23)
            return RedirectResponse("/incidents?" + request.url.query, status_code=303)
        return show(request, None if id is None else incidents.parse_id(id), min(page, incidents.MAX_ID))

    @api.get("/incidents/{incident_id}")
    def incident_page(request: Request, incident_id: int, page: int = 1) -> Response:
        return show(request, incident_id, min(page, incidents.MAX_ID))

    @api.post("/incidents")
    async def declare(request: Request) -> Response:
        principal, form = await pages.form(request, "incident.declare")

        def work(s: Session, ctx: Context) -> int:
            inc = response.declare(
                s,
                ctx,
                kind=form.get("kind", ""),
                severity=form.get("severity", ""),
                title=form.get("title", ""),
                summary=form.get("summary") or None,
                impact=form.get("impact") or None,
                # comma-separated, as the CLI's --region a,b (incidents splits them)
                regions=[form.get("regions", "")],
                products=[form.get("products", "")],
                channels=[form.get("channels", "")],
                started_at=parse_time(form["started_at"], ctx.config.zone) if form.get("started_at") else None,
            )
            return inc.id

        return await pages.commit(
            request,
            principal,
            work,
            back="/",
            done=lambda iid: t("web.board.done.declared", pages.lang(request, principal), ref=f"INC-{iid}"),
            then=lambda iid: f"/incidents/{iid}",
        )

    @api.post("/incidents/{incident_id}/status")
    async def set_status(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.update")
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: response.change_status(
                s, ctx, incident_id, form.get("status", ""), note=form.get("note") or None
            ),
            back=f"/incidents/{incident_id}",
            done="web.board.done.status",
        )

    @api.post("/incidents/{incident_id}/update")
    async def update(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.update")
        changes: dict[str, Any] = {}
        for name in ("severity", "title", "summary", "impact"):
            if name in form and form[name].strip():
                changes[name] = form[name] if name != "severity" else incidents.parse_severity(form[name])

        def work(s: Session, ctx: Context) -> dict[str, Any]:
            return incidents.update(s, ctx, incident_id, **changes)

        return await pages.commit(
            request,
            principal,
            work,
            back=f"/incidents/{incident_id}",
            done=lambda changed: t(
                "web.board.done.updated" if changed else "web.board.done.unchanged", pages.lang(request, principal)
            ),
        )

    @api.post("/incidents/{incident_id}/assign")
    async def assign(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.update")
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: incidents.assign(s, ctx, incident_id, form.get("role", ""), form.get("person", "")),
            back=f"/incidents/{incident_id}",
            done="web.board.done.assigned",
        )

    @api.post("/incidents/{incident_id}/ack")
    async def ack(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.ack")
        role = incidents.parse_role(form.get("role", ""))

        def work(s: Session, ctx: Context) -> Any:
            # The holder acknowledges (it means "I am on it"); a lead may
            # record it for someone who confirmed by phone, and the timeline
            # says so (incidents.acknowledge checks both).
            return incidents.acknowledge(s, ctx, incident_id, role, for_others=principal.can("incident.update"))

        return await pages.commit(
            request, principal, work, back=f"/incidents/{incident_id}", done="web.board.done.acked"
        )

    @api.post("/incidents/{incident_id}/link")
    async def link(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.update")
        other = incidents.parse_id(form.get("other", ""))
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: merge.link(s, ctx, incident_id, other),
            back=f"/incidents/{incident_id}",
            done="merge.web.done.linked",
        )

    @api.post("/incidents/{incident_id}/merge")
    async def merge_into(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.update")
        target = incidents.parse_id(form.get("into", ""))
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: merge.merge(s, ctx, incident_id, target),
            back=f"/incidents/{incident_id}",
            done="merge.web.done.merged",
            then=lambda _result: f"/incidents/{target}",
        )

    @api.post("/incidents/{incident_id}/note")
    async def note(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.note")
        text = form.get("text", "").strip()
        if not text:
            raise InputError("web.error.missing_field", field=t("web.board.note", pages.lang(request, principal)))
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: incidents.add_note(s, ctx, incident_id, text),
            back=f"/incidents/{incident_id}",
            done="web.board.done.noted",
        )

    return api
