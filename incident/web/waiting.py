"""``/me``: what is waiting for the signed-in user (incident/web/waitingview.py
decides what counts), each item linking to where it is done; the count in
the navigation; and where someone lands after signing in: here when
something waits for them, else their role's home."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from incident import notify, roster_overrides
from incident.access import users
from incident.context import Context
from incident.models import User
from incident.money import fmt_money
from incident.roster import display as display_person
from incident.runtime import Runtime
from incident.web import waiting_texts as _texts  # noqa: F401
from incident.web import waitingview
from incident.web.auth import Principal
from incident.web.pages import Pages

PATH = "/me"


def landing(session: Session, rt: Runtime, user: User, home: str) -> str:
    """``/me`` when anything waits for ``user``, else ``home``."""
    ctx = Context(config=rt.config, actor=users.actor(user), clock=rt.clock)
    waiting = waitingview.collect(session, ctx, user.roles or [], calls=False)
    return PATH if waiting.count else home


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def badge(principal: Principal) -> int | None:
        # On every page: a failing count must not take the page down with it.
        try:
            with rt.store.read() as s:
                return waitingview.collect(s, principal.ctx(rt), principal.roles, calls=False).count
        except SQLAlchemyError:
            return None

    pages.waiting_count = badge

    @api.get(PATH)
    def waiting_page(request: Request) -> Response:
        principal = pages.user(request)
        data = pages.read(lambda s: waitingview.collect(s, principal.ctx(rt), principal.roles))
        lang = pages.lang(request, principal)
        ctx = principal.ctx(rt)
        notes = pages.read(lambda s: notify.inbox(s, rt.config, ctx.actor, lang))
        me = ctx.actor if ctx.actor in rt.config.people else None
        covers = pages.read(lambda s: roster_overrides.active(s, ctx.clock.now())) if me else []
        return pages.render(
            request,
            "waiting.html.j2",
            principal,
            w=data,
            person=lambda k: display_person(rt.config, k),
            money=fmt_money,
            can_ack=principal.can("incident.ack"),
            inbox=notes,
            can_cover=bool(me) and principal.can("roster.cover"),
            covers=[c for c in covers if me in (c.person, c.covers)],
            others=[(k, p.name) for k, p in rt.config.people.items() if k != me],
            teams=[
                (k, (tm.name_en if lang == "en" and tm.name_en else tm.name) or k) for k, tm in rt.config.teams.items()
            ],
        )

    return api
