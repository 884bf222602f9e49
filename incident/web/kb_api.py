"""The knowledge base's JSON API, beside ``/api/wording``: ``GET /api/kb?q=``
searches the active entries (without ``q``: lists them), ``GET
/api/kb/{id}`` reads one entry with its history. Every answer says
``"source": "knowledge_base"`` with its source incident and date, so a
client never takes it for a live incident's approved wording. Changes go
through the web forms or the CLI (four eyes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from incident.config import normalise_lang
from incident.errors import InputError, NotFoundError
from incident.knowledge import entries
from incident.knowledge import search as kb
from incident.runtime import Runtime
from incident.web.auth import request_lang


def router(rt: Runtime, allow: Callable[[str], Any]) -> APIRouter:
    api = APIRouter()

    def chosen(request: Request, lang: str | None) -> str:
        try:
            return normalise_lang(lang) if lang else request_lang(request, rt)
        except ValueError:
            raise InputError("wording.error.bad_lang", value=lang) from None

    @api.get("/api/kb", dependencies=[Depends(allow("wording.lookup"))])
    async def search(request: Request, q: str | None = None, lang: str | None = None, limit: int = 5) -> JSONResponse:
        """Knowledge-base answers for what the customer says (``q``), best
        first, each with why it matched; without ``q`` every active entry."""
        in_lang = chosen(request, lang)
        if (q or "").strip():
            found = await run_in_threadpool(kb.find, rt.store, rt.config, q or "", in_lang, max(1, min(limit, 20)))
        else:
            found = await run_in_threadpool(kb.browse, rt.store, rt.config, in_lang)
        return JSONResponse({"source": kb.SOURCE, "knowledge_base": found})

    @api.get("/api/kb/{entry_id}", dependencies=[Depends(allow("wording.lookup"))])
    def read(request: Request, entry_id: int) -> JSONResponse:
        """One entry: its content in force, the change waiting (if any) and
        every version with who proposed and who decided it."""
        principal = request.state.principal
        with rt.store.read() as s:
            entry = entries.get(s, entry_id)
            if entry.status != "active" and not (principal.can("kb.edit") or principal.can("kb.approve")):
                raise NotFoundError("kb.error.not_found", ref=entry.ref)
            body = entries.entry_json(s, entry, history=True)
        return JSONResponse({"source": kb.SOURCE, **body})

    return api
