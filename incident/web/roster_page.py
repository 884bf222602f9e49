"""The roster page (``/roster``): who is on call now and next in every team,
and — for a lead or an admin (``roster.edit``) — forms that change a
team's rotation (members, order, hand-over), its supervisor or deputy, and
people's names and contact ids, without touching the TOML
(incident/roster_edit.py). The edits are stored in the database and win
over the file for what they name; the page says so, says where each team
and person comes from, and lists every change (who, when, before → after).

A refused form answers beside itself: the page again with 422, what was
typed kept, the reason beside the form (templates/web/refusal_macros.html.j2:
brought into view and focused by static/app.js)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident import roster_edit, roster_overrides
from incident.config import AppConfig
from incident.errors import ForbiddenError, IncidentError
from incident.i18n import label, t
from incident.roster import display, on_call
from incident.timeutil import fmt, local, parse_time
from incident.web import roster_texts as _texts  # noqa: F401
from incident.web.auth import Principal
from incident.web.pages import Pages


def fresh(request: Request) -> None:
    """Every request sees the roster as edited last (one query when unchanged)."""
    request.app.state.rt.refresh_roster()


def _team_view(config: AppConfig, key: str, now: dt.datetime, covers: list[Any], lang: str) -> dict[str, Any]:
    team = config.teams[key]
    current = on_call(config, key, now, covers)
    following = on_call(config, key, current.until, covers) if current and current.until else None
    rotation = team.rotation
    return {
        "key": key,
        "name": (team.name_en if lang == "en" and team.name_en else team.name) or key,
        "roles": ", ".join(label("role", r.value, lang) for r in team.roles),
        "supervisor": team.supervisor,
        "deputy": team.deputy,
        "members": list(rotation.members) if rotation else [],
        "start": local(rotation.start, config.zone).strftime("%Y-%m-%d %H:%M")
        if rotation and rotation.start.tzinfo
        else (rotation.start.strftime("%Y-%m-%d %H:%M") if rotation else ""),
        "every": str(rotation.every) if rotation else "",
        "now": current,
        "next": following,
    }


# The people table's fields, narrow enough for the table to fit 1280 px
# (it scrolls sideways within its card on anything narrower).
_SIZES = {"name": 8, "email": 18, "slack_id": 10, "pager_id": 10, "phone": 8}


def _person_fields(form: dict[str, str], existing: bool) -> dict[str, str | None]:
    """A person form's fields for roster_edit.set_person. The phone field
    starts empty beside the kept ``****1234``: empty leaves the phone as it
    is (the CLI's ``--phone ""`` clears it; here the "clear" box does)."""
    fields: dict[str, str | None] = {f: form.get(f) for f in roster_edit.PERSON_FIELDS}
    if form.get("phone_clear"):
        fields["phone"] = ""
    elif existing and not (form.get("phone") or "").strip():
        fields["phone"] = None
    return fields


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def show(
        request: Request,
        principal: Principal,
        *,
        kept: dict[str, str] | None = None,
        refusal: str | None = None,
        refused_form: str | None = None,
        status: int = 200,
    ) -> Response:
        lang = pages.lang(request, principal)
        now = rt.clock.now()

        def load(s: Session) -> dict[str, Any]:
            layered = roster_edit.effective(s, rt.toml_config)
            covers = roster_overrides.active(s, now)
            changes = roster_edit.history(s, 50)
            return {"layered": layered, "covers": covers, "changes": changes}

        data = pages.read(load)
        layered = data["layered"]
        config = layered.config
        zone = config.zone
        edited = {k: (r.updated_by, fmt(r.updated_at, zone)) for k, r in layered.edited.items()}
        return pages.render(
            request,
            "roster.html.j2",
            principal,
            status,
            teams=[_team_view(config, k, now, data["covers"], lang) for k in config.teams],
            people=sorted(config.people.items()),
            edited=edited,
            skipped=[(k, key, bad.message(lang)) for k, key, bad in layered.skipped],
            changes=[(c, roster_edit.diff(c)) for c in data["changes"]],
            shown=roster_edit.shown,
            person=lambda k: display(config, k),
            fmt_at=lambda v: fmt(v, zone) if v else "—",
            may_edit=principal.can("roster.edit"),
            sizes=_SIZES,
            kept=kept or {},
            refusal=refusal,
            refusal_rows=[],
            refused_form=refused_form,
        )

    @api.get("/roster")
    def page(request: Request) -> Response:
        principal = pages.user(request)
        principal.require("incident.view", pages.lang(request, principal))
        return show(request, principal)

    async def change(request: Request, form_id: str, anchor: str, work: Any, kind: str, key: str) -> Response:
        principal, form = await pages.form(request, "roster.edit")
        lang = pages.lang(request, principal)
        ctx = principal.ctx(rt)

        def run() -> None:
            with rt.store.transaction() as s:
                work(s, ctx, form)
            rt.refresh_roster()

        try:
            await run_in_threadpool(run)
        except ForbiddenError:
            raise
        except IncidentError as exc:
            message = exc.message(lang)
            return await run_in_threadpool(
                lambda: show(request, principal, kept=form, refusal=message, refused_form=form_id, status=422)
            )
        done = t("web.roster.done", lang, kind=t(f"roster.kind.{kind}", lang), key=key)
        return pages.redirect(f"/roster#{anchor}", "ok", done)

    def _words(text: str) -> list[str]:
        return [w.strip() for w in text.replace("，", ",").replace("、", ",").split(",") if w.strip()]

    @api.post("/roster/teams/{team}")
    async def save_team(request: Request, team: str) -> Response:
        def work(s: Session, ctx: Any, form: dict[str, str]) -> None:
            zone = rt.toml_config.zone
            start = form.get("start", "").strip()
            roster_edit.set_team(
                s,
                ctx,
                rt.toml_config,
                team,
                members=_words(form["members"]) if "members" in form else None,
                start=parse_time(start, zone) if start else None,
                every=form.get("every") or None,
                supervisor=form.get("supervisor") or None,
                deputy=form.get("deputy") if "deputy" in form else None,
            )

        return await change(request, f"team-{team}", f"team-{team}", work, "team", team)

    @api.post("/roster/teams/{team}/add")
    async def add(request: Request, team: str) -> Response:
        def work(s: Session, ctx: Any, form: dict[str, str]) -> None:
            pos = form.get("position", "").strip()
            where = int(pos) if pos.isdigit() else None
            roster_edit.add_member(s, ctx, rt.toml_config, team, form.get("person", ""), where)

        return await change(request, f"add-{team}", f"team-{team}", work, "team", team)

    @api.post("/roster/teams/{team}/remove")
    async def remove(request: Request, team: str) -> Response:
        def work(s: Session, ctx: Any, form: dict[str, str]) -> None:
            roster_edit.remove_member(s, ctx, rt.toml_config, team, form.get("person", ""))

        return await change(request, f"team-{team}", f"team-{team}", work, "team", team)

    @api.post("/roster/people")
    async def new_person(request: Request) -> Response:
        def work(s: Session, ctx: Any, form: dict[str, str]) -> None:
            fields = {f: form.get(f) for f in roster_edit.PERSON_FIELDS}
            roster_edit.set_person(s, ctx, rt.toml_config, form.get("key", ""), fields)

        return await change(request, "person-new", "people", work, "person", "")

    @api.post("/roster/people/{key}")
    async def save_person(request: Request, key: str) -> Response:
        def work(s: Session, ctx: Any, form: dict[str, str]) -> None:
            roster_edit.set_person(s, ctx, rt.toml_config, key, _person_fields(form, existing=True))

        return await change(request, f"person-{key}", f"person-{key}", work, "person", key)

    @api.post("/roster/reset/{kind}/{key}")
    async def reset(request: Request, kind: str, key: str) -> Response:
        def work(s: Session, ctx: Any, form: dict[str, str]) -> None:
            roster_edit.reset(s, ctx, rt.toml_config, kind, key)

        anchor = f"team-{key}" if kind == "team" else f"person-{key}"
        return await change(request, anchor, anchor, work, kind if kind in roster_edit.KINDS else "team", key)

    return api
