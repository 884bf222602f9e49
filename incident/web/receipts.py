"""``POST /api/messaging/<channel>/receipts``: the SMS or voice provider's
delivery receipts. No account signs them: the provider's HMAC signature
over the body and a fresh timestamp is the credential
(adapters.http_receipts.verify_receipt). A message the provider could not
deliver moves on to the person's next channel (notify.apply_receipt)."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from incident import notify
from incident.adapters.http_receipts import verify_receipt
from incident.errors import NotFoundError
from incident.web.pages import Pages


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    @api.post("/api/messaging/{channel}/receipts")
    async def receipt(request: Request, channel: str) -> Response:
        provider = getattr(rt.config.messaging, channel, None) if channel in ("sms", "voice") else None
        if provider is None:
            raise NotFoundError("notify.error.no_provider", channel=channel)
        body = await request.body()
        found = verify_receipt(provider, dict(os.environ), body, dict(request.headers), rt.clock.now())

        def apply() -> str:
            with rt.store.transaction() as s:
                return notify.apply_receipt(s, channel, found.ref, found.status, found.error, rt.clock.now(), rt.config)

        outcome = await run_in_threadpool(apply)
        if outcome == "moved_on":
            await run_in_threadpool(rt.deliver)
        return JSONResponse({"ok": True, "outcome": outcome}, status_code=404 if outcome == "unknown" else 200)

    return api
