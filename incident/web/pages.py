"""What every page shares: the Jinja environment (autoescaped: text from
feeds and complaints is always shown as text), the signed-in user, forms
with their CSRF token, the Post/Redirect/Get pattern with a one-shot flash
message, and the error pages. Page modules (board, desk, lookup, remedy,
admin) build on :class:`Pages`."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.context import Context
from incident.errors import AuthError, ForbiddenError, IncidentError, InputError
from incident.i18n import label, t
from incident.runtime import Runtime
from incident.textin import clean_value
from incident.timeutil import fmt, fmt_duration, local
from incident.web import texts as _texts  # noqa: F401
from incident.web.auth import (
    LANG_COOKIE,
    Principal,
    check_csrf,
    identify,
    request_lang,
    set_session_cookie,
)

FLASH_COOKIE = "incident_flash"
MAX_FORM = 2 * 1024 * 1024


class NeedLogin(Exception):
    """Raised by :meth:`Pages.user` when nobody is signed in: the app turns it
    into a redirect to /login?next=…"""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("incident.templates", "web"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(label=label)
    return env


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site (no //host, no scheme): an open redirect
    after login would hand the session's first page to anyone."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


class Pages:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.env = _env()
        # How many things wait for a user (the navigation's badge); set by
        # incident/web/waiting.py, which owns the rule.
        self.waiting_count: Callable[[Principal], int | None] | None = None

    # ---- who and which language --------------------------------------

    def user(self, request: Request) -> Principal:
        try:
            principal = identify(request, self.rt)
        except AuthError:
            principal = None
        if principal is None:
            raise NeedLogin(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        request.state.principal = principal
        return principal

    def lang(self, request: Request, principal: Principal | None = None) -> str:
        return request_lang(request, self.rt, principal)

    # ---- rendering -----------------------------------------------------

    def render(
        self, request: Request, template: str, principal: Principal | None, status: int = 200, **values: Any
    ) -> HTMLResponse:
        flash = _read_flash(request)
        html = self.env.get_template(template).render(**self._common(request, principal), flash=flash, **values)
        response = HTMLResponse(html, status_code=status, headers=_SECURITY_HEADERS)
        self._cookies(request, response, principal, flash is not None)
        return response

    def fragment(self, request: Request, template: str, principal: Principal, **values: Any) -> HTMLResponse:
        """A piece of a page (the desk's live preview), with the same helpers
        and escaping; it leaves the flash message for the page itself."""
        common = self._common(request, principal, badge=False)  # a fragment has no navigation
        html = self.env.get_template(template).render(**common, flash=None, **values)
        return HTMLResponse(html, headers=_SECURITY_HEADERS)

    def _common(self, request: Request, principal: Principal | None, badge: bool = True) -> dict[str, Any]:
        """What every template may use: the user, the language and its
        translating helpers, times in the centre's zone, the CSRF token."""
        lang = self.lang(request, principal)
        rt = self.rt
        zone = rt.config.zone
        now = rt.clock.now()

        def tr(key: str, **params: Any) -> str:
            return t(key, lang, **params)

        def when(value: dt.datetime | None, seconds: bool = False) -> str:
            return fmt(value, zone, seconds) if value else "—"

        def left(value: dt.datetime | None) -> str:
            if value is None:
                return "—"
            delta = value - now
            if delta.total_seconds() >= 0:
                return t("web.time.left", lang, d=fmt_duration(delta, lang))
            return t("web.time.over", lang, d=fmt_duration(-delta, lang))

        params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        params.append(("lang", "en" if lang == "zh-CN" else "zh-CN"))
        return dict(
            request=request,
            user=principal,
            lang=lang,
            t=tr,
            lbl=lambda group, value: label(group, value, lang),
            when=when,
            left=left,
            now=now,
            local=lambda v: local(v, zone),
            centre=rt.config.centre.name,
            csrf=principal.csrf if principal else "",
            path=request.url.path,
            query=request.url.query,
            other_lang_url=request.url.path + "?" + urllib.parse.urlencode(params),
            role_names=", ".join(label("web_role", r, lang) for r in principal.roles) if principal else "",
            waiting=self.waiting_count(principal) if badge and principal and self.waiting_count else None,
        )

    def _cookies(self, request: Request, response: Response, principal: Principal | None, clear_flash: bool) -> None:
        if principal is not None and principal.new_cookie:
            set_session_cookie(response, self.rt, principal.new_cookie)
        if clear_flash:
            response.delete_cookie(FLASH_COOKIE, path="/")
        chosen = request.query_params.get("lang")
        if chosen in ("zh-CN", "en"):
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax", path="/")

    # ---- forms ---------------------------------------------------------

    async def form(self, request: Request, action: str | None = None) -> tuple[Principal, dict[str, str]]:
        """The signed-in user and the posted form, after the CSRF check and,
        when given, the permission check for ``action``."""
        principal = self.user(request)
        body = await request.body()  # door.BodyLimit has capped it already
        if len(body) > MAX_FORM:
            raise InputError("web.error.form_too_big", max=MAX_FORM // 1024)
        fields = parse_form(body)
        check_csrf(request, principal, fields.get("csrf"))
        if action:
            principal.require(action, self.lang(request, principal))
        return principal, fields

    async def commit(
        self,
        request: Request,
        principal: Principal,
        work: Callable[[Session, Context], Any],
        *,
        back: str,
        done: str | Callable[[Any], str] | None = None,
        then: Callable[[Any], str] | None = None,
    ) -> Response:
        """Run ``work`` in one transaction; then send what it queued and
        redirect (303) with a flash message. A domain error is shown on the
        page it came from, nothing stored."""
        lang = self.lang(request, principal)
        ctx = principal.ctx(self.rt)

        def run() -> Any:
            with self.rt.store.transaction() as s:
                return work(s, ctx)

        try:
            result = await run_in_threadpool(run)
        except ForbiddenError:
            raise
        except IncidentError as exc:
            return self.redirect(back, "error", exc.message(lang))
        await run_in_threadpool(self.rt.deliver)
        target = then(result) if then else back
        message = done(result) if callable(done) else (t(done, lang) if done else None)
        return self.redirect(target, "ok", message)

    def redirect(self, url: str, kind: str | None = None, text: str | None = None) -> RedirectResponse:
        response = RedirectResponse(safe_next(url), status_code=303)
        if kind and text:
            raw = json.dumps([kind, text], ensure_ascii=False).encode("utf-8")
            response.set_cookie(
                FLASH_COOKIE,
                base64.urlsafe_b64encode(raw).decode("ascii"),
                max_age=60,
                httponly=True,
                samesite="lax",
                path="/",
            )
        return response

    def read(self, fn: Callable[[Session], Any]) -> Any:
        with self.rt.store.read() as s:
            return fn(s)


def parse_form(body: bytes) -> dict[str, str]:
    """A posted form (the last value of each field), every field cleaned
    once here, at the web's door (incident.textin): no form handler sees a
    control character or a lone surrogate."""
    pairs = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    fields: dict[str, str] = clean_value({k: v[-1] for k, v in pairs.items()})
    return fields


def _read_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        kind, text = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")).decode("utf-8"))
        return (str(kind), str(text))
    except (ValueError, TypeError):
        return None


# Pages are not to be framed (click-jacking) and load scripts only from here.
_SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'",
    "Cache-Control": "no-store",
}
