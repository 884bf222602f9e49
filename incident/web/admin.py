"""User administration (admins): add users, change their roles and roster
link, reset passwords, switch accounts off, and issue or revoke machines'
API tokens (the secret is shown once, on the page that created it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.access import permissions, tokens, users
from incident.context import Context
from incident.errors import IncidentError
from incident.i18n import t
from incident.web.pages import Pages


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def page(request: Request, principal: Any, status: int = 200, **extra: Any) -> Response:
        def load(s: Session) -> dict[str, Any]:
            return {"users": users.list_users(s), "tokens": tokens.list_tokens(s)}

        return pages.render(
            request,
            "admin.html.j2",
            principal,
            status=status,
            **pages.read(load),
            all_roles=permissions.ROLES,
            people=sorted(rt.config.people.items()),
            secret=None,
            **extra,
        )

    @api.get("/admin/users")
    def admin_users(request: Request) -> Response:
        principal = pages.user(request)
        principal.require("users.manage", pages.lang(request, principal))
        return page(request, principal)

    def roles_from(form: dict[str, str], fields: dict[str, list[str]]) -> list[str]:
        return [r for r in permissions.ROLES if f"role_{r}" in form] or fields.get("roles", [])

    @api.post("/admin/users")
    async def add_user(request: Request) -> Response:
        principal, form = await pages.form(request, "users.manage")
        lang = pages.lang(request, principal)

        def work(s: Session, ctx: Context) -> str:
            user = users.add(
                s,
                rt.config,
                ctx.clock.now(),
                username=form.get("username", ""),
                roles=roles_from(form, {}),
                password=form.get("password") or None,
                person=form.get("person") or None,
                display_name=form.get("display_name") or None,
                lang=form.get("lang") or None,
            )
            return user.username

        return await pages.commit(
            request, principal, work, back="/admin/users", done=lambda name: t("web.admin.done.added", lang, name=name)
        )

    @api.post("/admin/users/{username}")
    async def change_user(request: Request, username: str) -> Response:
        principal, form = await pages.form(request, "users.manage")
        lang = pages.lang(request, principal)
        roles = roles_from(form, {})

        def work(s: Session, ctx: Context) -> str:
            users.change(
                s,
                rt.config,
                username,
                roles=roles,
                person=form.get("person", ""),
                password=form.get("password") or None,
                active="active" in form,
            )
            return username

        return await pages.commit(
            request,
            principal,
            work,
            back="/admin/users",
            done=lambda name: t("web.admin.done.changed", lang, name=name),
        )

    @api.post("/admin/tokens")
    async def create_token(request: Request) -> Response:
        principal, form = await pages.form(request, "users.manage")
        lang = pages.lang(request, principal)

        def work() -> str:
            with rt.store.transaction() as s:
                _row, secret = tokens.create(s, form.get("username", ""), form.get("label", ""), rt.clock.now())
                return secret

        try:
            secret = await run_in_threadpool(work)
        except IncidentError as exc:
            return pages.redirect("/admin/users", "error", exc.message(lang))
        # Rendered, not redirected: the secret is shown this once and never stored.
        return page(request, principal, secret=secret, secret_for=form.get("username", ""))

    @api.post("/admin/tokens/{token_id}/revoke")
    async def revoke_token(request: Request, token_id: int) -> Response:
        principal, _form = await pages.form(request, "users.manage")
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: tokens.revoke(s, token_id, ctx.clock.now()),
            back="/admin/users",
            done="web.admin.done.revoked",
        )

    return api
