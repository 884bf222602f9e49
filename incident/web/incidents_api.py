"""The incidents' JSON API: list with filters, read (group and timeline),
declare, change status, assign, acknowledge, note, the timeline alone.
Authentication and the acting person as for the rest of ``/api``
(incident/web/apictx.py); each route checks the same action its page and
CLI command check; each change is one transaction, and what it queues is
sent after commit. Request and response shapes are Pydantic models, so
``/api/openapi.json`` describes them. Text entering here is cleaned at the
door (incident.textin) like every other way in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident import incidents, response
from incident.context import Context
from incident.runtime import Runtime
from incident.serialise import event_json, incident_json, row_json_from
from incident.textin import clean_value
from incident.web import apictx
from incident.web.auth import request_lang


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return clean_value(data)  # control characters and lone surrogates out, once, here


class DeclareIn(_In):
    kind: str = Field(description="batch_complaint, system_outage, public_opinion or other")
    severity: int | str = Field(description="1–4 or SEV1–SEV4")
    title: str = Field(min_length=1, max_length=200)
    summary: str | None = None
    impact: str | None = None
    channels: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    started_at: dt.datetime | None = None
    detected_at: dt.datetime | None = None
    dedup_key: str | None = Field(default=None, max_length=200)


class StatusIn(_In):
    status: str = Field(description="declared, investigating, identified, mitigating, monitoring, resolved, closed")
    note: str | None = None


class AssignIn(_In):
    role: str
    person: str = Field(description="roster key, name, e-mail or Slack id")


class AckIn(_In):
    role: str


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=5000)


class IncidentRowOut(BaseModel):
    id: int
    ref: str
    kind: str
    severity: int
    status: str
    title: str
    dedup_key: str | None
    declared_at: str
    resolved_at: str | None


class IncidentList(BaseModel):
    count: int
    incidents: list[IncidentRowOut]


class EventOut(BaseModel):
    id: int
    at: str
    type: str
    actor: str
    data: dict[str, Any]
    text: str | None = None


class RoleOut(BaseModel):
    role: str
    person: str
    person_name: str
    team: str | None
    assigned_at: str
    ack_due_at: str
    acked_at: str | None
    acked_by: str | None
    escalated_at: str | None
    ended_at: str | None
    overdue: bool


class IncidentOut(IncidentRowOut):
    summary: str | None
    impact: str | None
    scope: dict[str, list[str]]
    declared_by: str
    started_at: str | None
    detected_at: str | None
    closed_at: str | None
    allowed_next: list[str]
    group: list[RoleOut]
    timeline: list[EventOut]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _incident_in_path(request: Request) -> None:
    """An incident number that names nothing is "no such incident" (404)
    before its body is read: a bad body must not hide a bad address."""
    if "incident" in request.path_params:
        incidents.parse_id(request.path_params["incident"])


def router(rt: Runtime, machine: Callable[..., None], allow: Callable[[str], Callable[..., Any]]) -> APIRouter:
    api = APIRouter(dependencies=[Depends(machine), Depends(_incident_in_path)], tags=["incidents"])

    def read(request: Request, iid: int) -> IncidentOut:
        lang = request_lang(request, rt, request.state.principal)
        with rt.store.read() as s:
            return IncidentOut(**incident_json(incidents.get(s, iid), rt.config, rt.clock.now(), lang))

    async def change(request: Request, fn: Callable[[Session, Context], Any], iid: int) -> IncidentOut:
        await apictx.apply(rt, request, fn)
        return await run_in_threadpool(read, request, iid)

    @api.get("/api/incidents", dependencies=[Depends(allow("incident.view"))])
    def list_(
        status: Annotated[list[str] | None, Query()] = None,
        kind: Annotated[list[str] | None, Query()] = None,
        severity: Annotated[list[str] | None, Query()] = None,
        state: Literal["open", "all"] = "open",
        q: Annotated[str | None, Query(max_length=200)] = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> IncidentList:
        filters: dict[str, Any] = dict(
            statuses=status or None,
            kinds=kind or None,
            severities=severity or None,
            open_only=state == "open",
            since=_aware(since),
            until=_aware(until),
            search=clean_value(q) if q else None,
        )
        with rt.store.read() as s:
            rows = incidents.list_incidents(s, limit=limit, **filters)
            total = incidents.count_incidents(s, **filters)
        return IncidentList(count=total, incidents=[IncidentRowOut(**row_json_from(r)) for r in rows])

    @api.post("/api/incidents", status_code=201, dependencies=[Depends(allow("incident.declare"))])
    async def declare(request: Request, body: DeclareIn) -> IncidentOut:
        ctx = apictx.actor_ctx(rt, request)
        fields = body.model_dump()
        fields["started_at"], fields["detected_at"] = _aware(body.started_at), _aware(body.detected_at)

        def work() -> int:
            with rt.store.transaction() as s:
                return response.declare(s, ctx, **fields).id

        iid = await run_in_threadpool(work)
        await run_in_threadpool(rt.deliver)
        return await run_in_threadpool(read, request, iid)

    @api.get("/api/incidents/{incident}", dependencies=[Depends(allow("incident.view"))])
    def get(request: Request, incident: str) -> IncidentOut:
        return read(request, incidents.parse_id(incident))

    @api.get("/api/incidents/{incident}/timeline", dependencies=[Depends(allow("incident.view"))])
    def timeline(request: Request, incident: str) -> list[EventOut]:
        lang = request_lang(request, rt, request.state.principal)
        with rt.store.read() as s:
            found = incidents.get(s, incidents.parse_id(incident))
            return [EventOut(**event_json(ev, lang)) for ev in found.events]

    @api.post("/api/incidents/{incident}/status", dependencies=[Depends(allow("incident.update"))])
    async def status(request: Request, incident: str, body: StatusIn) -> IncidentOut:
        iid = incidents.parse_id(incident)
        return await change(request, lambda s, c: response.change_status(s, c, iid, body.status, note=body.note), iid)

    @api.post("/api/incidents/{incident}/assign", dependencies=[Depends(allow("incident.update"))])
    async def assign(request: Request, incident: str, body: AssignIn) -> IncidentOut:
        iid = incidents.parse_id(incident)
        return await change(request, lambda s, c: incidents.assign(s, c, iid, body.role, body.person), iid)

    @api.post("/api/incidents/{incident}/ack", dependencies=[Depends(allow("incident.ack"))])
    async def ack(request: Request, incident: str, body: AckIn) -> IncidentOut:
        iid = incidents.parse_id(incident)
        lead = request.state.principal.can("incident.update")  # a lead may record it for the holder
        return await change(request, lambda s, c: incidents.acknowledge(s, c, iid, body.role, for_others=lead), iid)

    @api.post("/api/incidents/{incident}/notes", dependencies=[Depends(allow("incident.note"))])
    async def note(request: Request, incident: str, body: NoteIn) -> IncidentOut:
        iid = incidents.parse_id(incident)
        return await change(request, lambda s, c: incidents.add_note(s, c, iid, body.text), iid)

    return api
