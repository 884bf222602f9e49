"""The signed-in user's own account: their language and their password
(changing it signs out their other browsers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from incident.access import users
from incident.context import Context
from incident.i18n import t
from incident.web.pages import Pages


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    @api.get("/account")
    def account(request: Request) -> Response:
        principal = pages.user(request)
        return pages.render(
            request, "account.html.j2", principal, can_change_password=principal.via in ("session", "password")
        )

    @api.post("/account/password")
    async def password(request: Request) -> Response:
        principal, form = await pages.form(request)
        lang = pages.lang(request, principal)
        if form.get("new", "") != form.get("again", ""):
            return pages.redirect("/account", "error", t("web.account.mismatch", lang))
        keep = principal.extra.get("session_id")

        def work(s: Session, ctx: Context) -> None:
            users.change_own_password(s, principal.username, form.get("current", ""), form.get("new", ""), keep)

        # A wrong current password comes back as the page's error message.
        return await pages.commit(request, principal, work, back="/account", done="web.account.done.password")

    @api.post("/account/lang")
    async def language(request: Request) -> Response:
        principal, form = await pages.form(request)

        def work(s: Session, ctx: Context) -> None:
            users.change(s, rt.config, principal.username, lang=form.get("lang") or "")

        chosen = form.get("lang") if form.get("lang") in ("zh-CN", "en") else None
        # Said in the language just chosen.
        done = t("web.account.done.lang", chosen or pages.lang(request, principal))
        response = await pages.commit(request, principal, work, back="/account", done=lambda _: done)
        response.delete_cookie("incident_lang", path="/")  # the account's choice now rules
        return response

    return api
