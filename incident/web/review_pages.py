"""``/incidents/<id>/review``: the post-incident review (复盘) — the facts
the system recorded (with the volume chart and its detection point), the
written parts in zh-CN and en, the liaisons' sign-off, the lead's reason
to close without one, the follow-up actions; and its exports
(``review.md``, ``review.html`` with print CSS).

Each POST names its action and is checked on the server by
:meth:`Pages.form` (CSRF included); the domain's rules (who signs, four
eyes, whose action) apply on top and come back as a flash message. The
service functions are those ``incident review`` calls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from incident.context import Context
from incident.errors import NotFoundError
from incident.i18n import LANGS, t
from incident.incidents import MAX_ID
from incident.review import actions, export, service
from incident.web import boardview
from incident.web.charts import volume_svg
from incident.web.pages import Pages


def _charts(session: Session, ctx: Context, incident_id: int, lang: str) -> list[tuple[str, Any]]:
    """The board's own charts of the incident (its first alert marked)."""
    labels = (
        t("web.board.chart.observed", lang),
        t("web.board.chart.baseline", lang),
        t("web.board.chart.alert", lang),
    )
    out = []
    for c in boardview.detail(session, incident_id).charts:
        words = boardview.series_words(ctx, c.series, lang)
        title = t("web.board.chart.title", lang, series=words)
        out.append((words, volume_svg(c.points, c.alerts, ctx.config.zone, title, labels, lang)))
    return out


def router(pages: Pages) -> APIRouter:  # noqa: C901 — one route per form, each a few lines
    api = APIRouter()
    rt = pages.rt

    def _id(incident_id: int) -> int:
        return min(incident_id, MAX_ID)

    @api.get("/incidents/{incident_id}/review")
    def page(request: Request, incident_id: int) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("review.view", lang)
        ctx = principal.ctx(rt)
        iid = _id(incident_id)

        def load() -> dict[str, Any]:
            with rt.store.transaction() as s:  # the first visit of a resolved incident opens it
                review = service.open_review(s, ctx, iid)
                incident = service.incident_of(s, iid)
                values = export.context(s, ctx, incident, review, lang)
                me = service.person_key(rt.config, ctx.actor)
                values.update(
                    charts=_charts(s, ctx, iid, lang),
                    my_role=service.sign_role(s, rt.config, review, me) if me in rt.config.people else None,
                    gate=rt.config.review.required(incident.severity_enum),
                    me=me,
                )
                return values

        values = load()
        rt.deliver()  # the lead's notice that the review is open
        review = values.pop("review")
        values["status_label"] = values.pop("status")  # "status" is render()'s HTTP status
        return pages.render(
            request,
            "review.html.j2",
            principal,
            **{k: v for k, v in values.items() if k not in ("lang", "when", "title", "centre", "timeline")},
            rv=review,
            page_title=values["title"],
            langs=LANGS,
            people=sorted((k, p.name) for k, p in rt.config.people.items()),
            may_edit=principal.can("review.edit"),
            may_sign=principal.can("review.sign"),
            may_waive=principal.can("incident.update"),
            may_act=principal.can("review.act"),
        )

    @api.get("/incidents/{incident_id}/review.md")
    def export_md(request: Request, incident_id: int) -> Response:
        return _export(request, _id(incident_id), "md")

    @api.get("/incidents/{incident_id}/review.html")
    def export_html(request: Request, incident_id: int) -> Response:
        return _export(request, _id(incident_id), "html")

    def _export(request: Request, iid: int, kind: str) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("review.view", lang)
        ctx = principal.ctx(rt)
        with rt.store.transaction() as s:
            review = service.open_review(s, ctx, iid)
            incident = service.incident_of(s, iid)
            render = export.html if kind == "html" else export.markdown
            body = render(s, ctx, incident, review, lang)
        media = "text/html; charset=utf-8" if kind == "html" else "text/markdown; charset=utf-8"
        headers = {
            "Content-Disposition": f'inline; filename="INC-{iid}-review.{kind}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            # The export is a document of its own: its stylesheet only, nothing runs.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        }
        return Response(body, media_type=media, headers=headers)

    def back(iid: int, anchor: str = "") -> str:
        return f"/incidents/{iid}/review{anchor}"

    @api.post("/incidents/{incident_id}/review")
    async def save(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "review.edit")
        lang = pages.lang(request, principal)
        iid = _id(incident_id)
        changes = {
            f"{f}.{lg}": form[f"{f}.{lg}"].replace("\r\n", "\n")
            for f in service.FIELDS
            for lg in LANGS
            if f"{f}.{lg}" in form
        }
        raw = (form.get("version") or "").strip()
        version = int(raw) if raw.isdigit() and len(raw) < 10 else None

        def work(s: Session, ctx: Context) -> tuple[int, bool]:
            review, changed = service.edit(s, ctx, iid, changes, expected_version=version)
            return review.version, bool(changed)

        def done(result: tuple[int, bool]) -> str:
            return t("review.web.saved", lang, version=result[0]) if result[1] else t("review.web.unchanged", lang)

        return await pages.commit(request, principal, work, back=back(iid, "#text"), done=done)

    @api.post("/incidents/{incident_id}/review/sign")
    async def sign(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "review.sign")
        lang = pages.lang(request, principal)
        iid = _id(incident_id)
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: service.sign(s, ctx, iid, form.get("comment"))[1],
            back=back(iid, "#signoff"),
            done=lambda complete: t("review.web.signed_off" if complete else "review.web.signed", lang),
        )

    @api.post("/incidents/{incident_id}/review/waive")
    async def waive(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "incident.update")
        iid = _id(incident_id)
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: service.waive(s, ctx, iid, form.get("reason", "")),
            back=back(iid, "#signoff"),
            done="review.web.waived",
        )

    @api.post("/incidents/{incident_id}/review/actions")
    async def add_action(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "review.edit")
        lang = pages.lang(request, principal)
        iid = _id(incident_id)
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: actions.add(s, ctx, iid, form.get("title", ""), form.get("owner", ""), form.get("due")).id,
            back=back(iid, "#actions"),
            done=lambda aid: t("review.web.action_added", lang, id=aid),
        )

    @api.post("/incidents/{incident_id}/review/actions/{action_id}")
    async def change_action(request: Request, incident_id: int, action_id: int) -> Response:
        principal, form = await pages.form(request, "review.act")
        lang = pages.lang(request, principal)
        iid, aid = _id(incident_id), min(action_id, MAX_ID)
        others = principal.can("review.edit")

        def work(s: Session, ctx: Context) -> str:
            if actions.get(s, aid).incident_id != iid:  # another incident's action: not here
                raise NotFoundError("review.error.no_action", id=aid)
            action = actions.set_state(s, ctx, aid, form.get("state", ""), form.get("note"), for_others=others)
            return action.state

        return await pages.commit(
            request,
            principal,
            work,
            back=back(iid, "#actions"),
            done=lambda state: t(
                "review.web.action_changed", lang, id=aid, state=t(f"review.action_state.{state}", lang)
            ),
        )

    return api
