"""Signing in and out. The login form is protected against CSRF by a
double-submit token (a cookie and a hidden field that must match), since
there is no session yet to hold one."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from incident.access import sessions, users
from incident.errors import AuthError, ForbiddenError
from incident.web import waiting
from incident.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, identify, set_session_cookie
from incident.web.pages import Pages, parse_form, safe_next


def home_for(roles: list[str]) -> str:
    """Where someone lands after signing in, when no page asked for it: an
    agent's work is the reply lookup (their callbacks are a link away from
    it), everyone else's the board."""
    return "/lookup" if roles and set(roles) <= {"agent"} else "/"


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def login_page(request: Request, error: str | None = None, status: int = 200, name: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        response = pages.render(
            request,
            "login.html.j2",
            None,
            status=status,
            login_csrf=token,
            error=error,
            next=safe_next(request.query_params.get("next"), default=""),  # none asked: each role's home
            name=name,
            proxy=rt.config.web.auth == "proxy",
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=3600,
            httponly=True,
            samesite="strict",
            path="/login",
            secure=rt.config.web.secure_cookies,
        )
        return response

    @api.get("/login")
    def get_login(request: Request) -> Response:
        try:
            if identify(request, rt) is not None:
                return pages.redirect(safe_next(request.query_params.get("next")))
        except AuthError:
            pass
        return login_page(request)

    @api.post("/login")
    async def post_login(request: Request) -> Response:
        form = parse_form(await request.body())  # at most 64 KiB: door.BODY_LIMITS
        lang = pages.lang(request)
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        given = form.get("csrf", "")
        if not cookie or not hmac.compare_digest(cookie.encode(), given.encode()):
            raise ForbiddenError("access.error.csrf")
        name, password = form.get("username", "").strip(), form.get("password", "")

        def work() -> str | AuthError:
            with rt.store.transaction() as s:
                try:
                    user = users.authenticate(s, rt.config, name, password, rt.clock.now())
                except AuthError as exc:
                    return exc  # returned, not raised: the failed-attempt count must commit
                _row, key = sessions.open_session(s, user, "password", rt.clock.now(), rt.config.web.session_hours)
                # What waits for them first (/me), when anything does.
                landing[0] = waiting.landing(s, rt, user, home_for(user.roles))
                return key

        landing = ["/"]
        key = await run_in_threadpool(work)
        if isinstance(key, AuthError):
            return login_page(request, key.message(lang), 401, name)
        response = pages.redirect(safe_next(form.get("next"), default=landing[0]))
        set_session_cookie(response, rt, key)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @api.post("/logout")
    async def post_logout(request: Request) -> Response:
        await pages.form(request)  # signed in, CSRF checked
        key = request.cookies.get(SESSION_COOKIE, "")

        def work() -> None:
            with rt.store.transaction() as s:
                sessions.close(s, key)

        await run_in_threadpool(work)
        response = pages.redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return api
