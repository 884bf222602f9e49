"""Covers from the web (``/me``): "I cover for 李娜 tonight", and
cancelling a cover one takes part in (incident/roster_overrides.py). A
lead arranging a cover for two other people does it with
``incident cover add --by``."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from incident import roster_overrides
from incident.context import Context
from incident.errors import InputError
from incident.i18n import t
from incident.roster import display, find_person
from incident.timeutil import fmt, parse_time
from incident.web import waiting_texts as _texts  # noqa: F401  (web.cover.*)
from incident.web.pages import Pages

BACK = "/me#cover"


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    @api.post("/me/cover")
    async def add(request: Request) -> Response:
        principal, form = await pages.form(request, "roster.cover")
        lang = pages.lang(request, principal)

        def work(s: Session, ctx: Context) -> roster_overrides.Cover:
            me = find_person(rt.config, ctx.actor)[0]
            zone, now = rt.config.zone, ctx.clock.now()
            start = parse_time(form["from"], zone) if form.get("from") else now
            if not form.get("until"):
                raise InputError("web.cover.error.until")
            end = parse_time(form["until"], zone)
            return roster_overrides.add(
                s, ctx, me, form.get("for", ""), start, end, team=form.get("team") or None, note=form.get("note")
            )

        def done(c: roster_overrides.Cover) -> str:
            return t(
                "web.cover.done",
                lang,
                covers=display(rt.config, c.covers),
                start=fmt(c.start_at, rt.config.zone),
                end=fmt(c.end_at, rt.config.zone),
            )

        return await pages.commit(request, principal, work, back=BACK, done=done)

    @api.post("/me/cover/{cover_id}/cancel")
    async def cancel(request: Request, cover_id: int) -> Response:
        principal, _ = await pages.form(request, "roster.cover")
        arrange = principal.can("incident.update")

        def work(s: Session, ctx: Context) -> roster_overrides.Cover:
            me = dataclasses.replace(ctx, actor=find_person(rt.config, ctx.actor)[0])
            return roster_overrides.cancel(s, me, cover_id, arrange)

        return await pages.commit(request, principal, work, back=BACK, done="web.cover.cancelled")

    return api
