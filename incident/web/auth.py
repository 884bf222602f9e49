"""Who is calling: a signed-in browser (session cookie), a user named by the
trusted reverse proxy, a user's API token, or a machine holding the machine
token (``INCIDENT_API_TOKEN``, from ``[web].machine_hosts`` only). Being on
this host grants nothing: any local user, or a web page reaching the port
through DNS rebinding, would otherwise act as admin. Every route asks for
a :class:`Principal` and checks the action it performs with
:meth:`Principal.require`; forms carry the session's CSRF token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request
from starlette.responses import Response

from incident.access import permissions, sessions, tokens, users
from incident.access import texts as _texts  # noqa: F401
from incident.config import normalise_lang
from incident.context import Context
from incident.errors import AuthError, ForbiddenError
from incident.i18n import t
from incident.runtime import Runtime

SESSION_COOKIE = "incident_session"
LOGIN_CSRF_COOKIE = "incident_login_csrf"
LANG_COOKIE = "incident_lang"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Principal:
    username: str
    roles: list[str]
    actor: str  # the roster key (or user name) the domain records
    via: str  # session | proxy | token | machine
    lang: str | None = None
    display_name: str | None = None
    person: str | None = None
    csrf: str | None = None
    new_cookie: str | None = None  # a session opened for a proxy user on this request
    extra: dict[str, Any] = field(default_factory=dict)

    def can(self, action: str) -> bool:
        return permissions.allowed(self.roles, action)

    def require(self, action: str, lang: str = "zh-CN") -> None:
        permissions.require(self.roles, action, lang)

    def ctx(self, rt: Runtime) -> Context:
        return Context(config=rt.config, actor=self.actor, clock=rt.clock)

    @property
    def name(self) -> str:
        return self.display_name or self.username


def request_lang(request: Request, rt: Runtime, principal: Principal | None = None) -> str:
    """?lang= > the language cookie > the user's own > Accept-Language > the centre's."""
    for value in (
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        principal.lang if principal else None,
    ):
        if value:
            try:
                return normalise_lang(value)
            except ValueError:
                pass
    accept = (request.headers.get("accept-language") or "").lower()
    if accept.startswith("en"):
        return "en"
    if accept.startswith("zh"):
        return "zh-CN"
    return rt.lang


def _from_user(user: Any, via: str, csrf: str | None = None) -> Principal:
    return Principal(
        username=user.username,
        roles=list(user.roles or []),
        actor=users.actor(user),
        via=via,
        lang=user.lang,
        display_name=user.display_name,
        person=user.person,
        csrf=csrf,
    )


def identify(request: Request, rt: Runtime) -> Principal | None:
    """The caller, or None when nobody is signed in. Raises AuthError for a
    credential that is present but wrong (a bad API token)."""
    web = rt.config.web
    now = rt.clock.now()
    bearer = request.headers.get("authorization", "")
    if bearer:
        secret = bearer.removeprefix("Bearer ").strip() if bearer.startswith("Bearer ") else ""
        legacy = rt.settings.api_token
        if legacy and secret and hmac.compare_digest(secret.encode(), legacy.encode()):
            client = request.client.host if request.client else "?"
            if client not in web.machine_hosts:
                raise AuthError("access.error.machine_host", host=client)
            return _machine(request, rt)
        if secret:
            with rt.store.transaction() as s:
                user = tokens.verify(s, secret, now)
                if user is not None:
                    return _from_user(user, "token")
        raise AuthError("access.error.bad_token")

    proxy_user = None
    if web.auth == "proxy" and request.client and request.client.host in web.proxy_hosts:
        proxy_user = (request.headers.get(web.proxy_header) or "").strip().lower() or None

    key = request.cookies.get(SESSION_COOKIE, "")
    if key:
        with rt.store.read() as s:
            found = sessions.lookup(s, key, now)
            if found is not None:
                row, user = found
                stale = sessions.needs_touch(row, now)
                if proxy_user is None or proxy_user == user.username:
                    principal = _from_user(user, row.via, row.csrf)
                    principal.extra["session_id"] = row.id
                else:
                    principal = None
            else:
                principal, stale = None, False
        if principal is not None:
            if web.auth == "proxy" and principal.via == "proxy" and proxy_user is None:
                principal = None  # the proxy no longer vouches for them
            else:
                if stale:
                    with rt.store.transaction() as s:
                        sessions.touch(s, principal.extra["session_id"], now)
                return principal

    if proxy_user:
        with rt.store.transaction() as s:
            user = users.find(s, proxy_user)
            if user is None:
                if not web.proxy_default_roles:
                    raise AuthError("access.error.proxy_unknown", name=proxy_user)
                user = users.add(s, rt.config, now, username=proxy_user, roles=list(web.proxy_default_roles))
            if not user.active:
                raise AuthError("access.error.proxy_unknown", name=proxy_user)
            row, new_key = sessions.open_session(s, user, "proxy", now, web.session_hours)
            principal = _from_user(user, "proxy", row.csrf)
            principal.new_cookie = new_key
            return principal

    return None


def _machine(request: Request, rt: Runtime) -> Principal:
    """A program holding the machine token: it acts for whoever it names in
    X-Incident-Actor, which is why the token is also bound to
    ``[web].machine_hosts``."""
    who = (request.headers.get("x-incident-actor") or "").strip() or rt.actor
    return Principal(username="machine", roles=["admin"], actor=who, via="machine")


def check_csrf(request: Request, principal: Principal, form_token: str | None) -> None:
    """Browsers (session and proxy) must send the session's token with every
    change; machines with their own credential carry no ambient authority."""
    if request.method not in UNSAFE or principal.via not in ("session", "password", "proxy"):
        return
    given = form_token or request.headers.get("x-csrf-token") or ""
    if not principal.csrf or not hmac.compare_digest(given.encode(), principal.csrf.encode()):
        raise ForbiddenError("access.error.csrf")


def set_session_cookie(response: Response, rt: Runtime, key: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        key,
        max_age=int(rt.config.web.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=rt.config.web.secure_cookies,
        path="/",
    )


def api_principal(request: Request, rt: Runtime) -> Principal:
    """For JSON routes: a principal or 401 (no redirect)."""
    try:
        principal = identify(request, rt)
    except AuthError as exc:
        raise HTTPException(
            401, exc.message(request_lang(request, rt)), headers={"WWW-Authenticate": "Bearer"}
        ) from None
    if principal is None:
        raise HTTPException(
            401, t("access.error.signin", request_lang(request, rt)), headers={"WWW-Authenticate": "Bearer"}
        )
    return principal
