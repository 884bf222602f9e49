"""The review's JSON API: the review (read, write its text, sign it off,
the lead's waiver) and its follow-up actions (list, add, change state).
Authentication and the acting person as for the rest of ``/api``
(incident/web/apictx.py); each route checks the action its page and CLI
command check, and the domain's rules apply on top; each change is one
transaction, and what it queues is sent after commit. Request and
response shapes are Pydantic models, so ``/api/openapi.json`` describes
them. Text entering here is cleaned at the door (incident.textin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident import incidents
from incident.context import Context
from incident.review import actions, service, view
from incident.runtime import Runtime
from incident.textin import clean_value
from incident.web import apictx


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return clean_value(data)  # control characters and lone surrogates out, once, here


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    zh_CN: str | None = Field(default=None, alias="zh-CN", max_length=service.TEXT_MAX)
    en: str | None = Field(default=None, max_length=service.TEXT_MAX)


class ReviewTextIn(_In):
    """The parts to write; a part or a language left out stays as it is,
    an empty text clears it. Any change voids the sign-offs so far."""

    summary: Bilingual | None = None
    root_cause: Bilingual | None = None
    contributing: Bilingual | None = None
    went_well: Bilingual | None = None
    went_badly: Bilingual | None = None
    version: int | None = Field(default=None, description="save only if the review is still at this version")


class SignIn(_In):
    comment: str | None = Field(default=None, max_length=1000)


class WaiverIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class ActionIn(_In):
    title: str = Field(min_length=1, max_length=300)
    owner: str = Field(description="roster key, name, e-mail or Slack id")
    # the answer's name (due_on), or the shorter one the first version took
    due_on: dt.date = Field(
        validation_alias=AliasChoices("due_on", "due"),
        description="the due day (the centre's calendar), e.g. 2026-12-31",
    )


class ActionStateIn(_In):
    state: Literal["open", "done", "dropped"]
    note: str | None = Field(default=None, max_length=2000, description="required to drop")


class SignoffOut(BaseModel):
    person: str
    role: str
    version: int
    comment: str | None
    at: str | None


class SignoffStateOut(BaseModel):
    required: list[str]
    missing: list[str]
    eligible: dict[str, list[str]]
    independent: bool
    complete: bool
    signed_off_at: str | None
    signed: list[SignoffOut]


class WaiverOut(BaseModel):
    at: str | None
    by: str | None
    reason: str | None


class ActionOut(BaseModel):
    id: int
    incident_id: int
    title: str
    owner: str
    due_on: str
    state: str
    note: str | None
    overdue: bool
    created_by: str
    created_at: str | None
    closed_at: str | None
    closed_by: str | None
    escalated_at: str | None
    escalated_to: str | None


class ReviewOut(BaseModel):
    incident: dict[str, Any]
    version: int
    text: dict[str, dict[str, str]]
    missing: list[str]
    authors: list[str]
    opened_at: str | None
    updated_at: str | None
    signoff: SignoffStateOut
    waiver: WaiverOut | None
    close_needs_signoff: bool
    facts: dict[str, Any] = Field(description="built from what the system recorded (times in UTC, durations in s)")
    actions: list[ActionOut]


def _incident_in_path(request: Request) -> None:
    """An incident number that names nothing is "no such incident" (404)
    before its body is read, as on the incidents' own routes."""
    if "incident" in request.path_params:
        incidents.parse_id(request.path_params["incident"])


def router(rt: Runtime, machine: Callable[..., None], allow: Callable[[str], Callable[..., Any]]) -> APIRouter:
    api = APIRouter(dependencies=[Depends(machine), Depends(_incident_in_path)], tags=["reviews"])

    def read(ctx: Context, iid: int) -> ReviewOut:
        # A transaction, not a read: the first visit of a resolved incident opens its review.
        with rt.store.transaction() as s:
            review = service.open_review(s, ctx, iid)
            body = view.review_json(s, ctx, service.incident_of(s, iid), review)
        return ReviewOut(**body)

    async def change(request: Request, iid: int, fn: Callable[[Session, Context], Any]) -> ReviewOut:
        ctx = await apictx.apply(rt, request, fn)
        return await run_in_threadpool(read, ctx, iid)

    @api.get("/api/incidents/{incident}/review", dependencies=[Depends(allow("review.view"))])
    async def get_review(request: Request, incident: str) -> ReviewOut:
        ctx = apictx.actor_ctx(rt, request)
        out = await run_in_threadpool(read, ctx, incidents.parse_id(incident))
        await run_in_threadpool(rt.deliver)  # the lead's notice, when this visit opened it
        return out

    @api.put("/api/incidents/{incident}/review", dependencies=[Depends(allow("review.edit"))])
    async def put_review(request: Request, incident: str, body: ReviewTextIn) -> ReviewOut:
        iid = incidents.parse_id(incident)
        changes = {
            f"{name}.{lg}": value
            for name in service.FIELDS
            if (part := getattr(body, name)) is not None
            for lg, value in (("zh-CN", part.zh_CN), ("en", part.en))
            if value is not None
        }
        return await change(request, iid, lambda s, c: service.edit(s, c, iid, changes, expected_version=body.version))

    @api.post("/api/incidents/{incident}/review/signoffs", dependencies=[Depends(allow("review.sign"))])
    async def sign(request: Request, incident: str, body: SignIn) -> ReviewOut:
        iid = incidents.parse_id(incident)
        return await change(request, iid, lambda s, c: service.sign(s, c, iid, body.comment))

    @api.post("/api/incidents/{incident}/review/waiver", dependencies=[Depends(allow("incident.update"))])
    async def waive(request: Request, incident: str, body: WaiverIn) -> ReviewOut:
        iid = incidents.parse_id(incident)
        return await change(request, iid, lambda s, c: service.waive(s, c, iid, body.reason))

    @api.get("/api/incidents/{incident}/actions", dependencies=[Depends(allow("review.view"))])
    def list_actions(incident: str) -> list[ActionOut]:
        iid = incidents.parse_id(incident)
        with rt.store.read() as s:
            service.incident_of(s, iid)
            return [ActionOut(**view.action_json(a, rt.clock.now())) for a in actions.for_incident(s, iid)]

    @api.post("/api/incidents/{incident}/actions", status_code=201, dependencies=[Depends(allow("review.edit"))])
    async def add_action(request: Request, incident: str, body: ActionIn) -> ActionOut:
        iid = incidents.parse_id(incident)
        ctx = apictx.actor_ctx(rt, request)

        def work() -> dict[str, Any]:
            with rt.store.transaction() as s:
                return view.action_json(actions.add(s, ctx, iid, body.title, body.owner, body.due_on), ctx.clock.now())

        out = await run_in_threadpool(work)
        await run_in_threadpool(rt.deliver)
        return ActionOut(**out)

    @api.get("/api/actions/{action_id}", dependencies=[Depends(allow("review.view"))])
    def get_action(action_id: int) -> ActionOut:
        with rt.store.read() as s:
            return ActionOut(**view.action_json(actions.get(s, action_id), rt.clock.now()))

    @api.patch("/api/actions/{action_id}", dependencies=[Depends(allow("review.act"))])
    async def patch_action(request: Request, action_id: int, body: ActionStateIn) -> ActionOut:
        ctx = apictx.actor_ctx(rt, request)
        others = request.state.principal.can("review.edit")  # someone else's action: review.edit

        def work() -> dict[str, Any]:
            with rt.store.transaction() as s:
                found = actions.set_state(s, ctx, action_id, body.state, body.note, for_others=others)
                return view.action_json(found, ctx.clock.now())

        out = await run_in_threadpool(work)
        await run_in_threadpool(rt.deliver)
        return ActionOut(**out)

    return api
