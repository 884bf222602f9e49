"""Who a JSON request acts as: a user's API token or browser acts as that
user; only the machine token (from ``[web].machine_hosts``) names the
person on whose behalf a change is made, in ``X-Incident-Actor`` (a roster
key), because approvals are four-eyes and every change is on the timeline."""

from __future__ import annotations

from fastapi import Request

from incident.context import Context
from incident.errors import InputError
from incident.remedy import texts as _texts  # noqa: F401  (api.error.actor_missing)
from incident.runtime import Runtime


def actor_ctx(rt: Runtime, request: Request) -> Context:
    principal = request.state.principal
    if principal.via != "machine":
        return principal.ctx(rt)  # a user (token or browser) acts as themself
    who = (request.headers.get("x-incident-actor") or "").strip()
    if not who:
        raise InputError("api.error.actor_missing")
    if rt.config.people and who not in rt.config.people:
        raise InputError("error.unknown_person", person=who, known=", ".join(sorted(rt.config.people)))
    return Context(config=rt.config, actor=who, clock=rt.clock)
