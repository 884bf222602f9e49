"""Who a JSON request acts as: a user's API token or browser acts as that
user; only the machine token (from ``[web].machine_hosts``) names the
person on whose behalf a change is made, in ``X-Incident-Actor`` (a roster
key), because approvals are four-eyes and every change is on the timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

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


async def apply(rt: Runtime, request: Request, fn: Callable[[Session, Context], Any]) -> Context:
    """Run ``fn`` in one transaction as the request's actor, off the event
    loop, then hand what it queued to the adapters; the actor's context, for
    the answer's read."""
    ctx = actor_ctx(rt, request)

    def work() -> None:
        with rt.store.transaction() as s:
            fn(s, ctx)

    await run_in_threadpool(work)
    await run_in_threadpool(rt.deliver)
    return ctx
