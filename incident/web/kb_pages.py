"""The knowledge base on the web (``/kb``): browse and search the active
entries (everyone who may look replies up), and the four-eyes forms —
propose a new entry, an edit or a retirement (``kb.edit``), approve or
reject the waiting change (``kb.approve``). Every form carries the CSRF
token and is checked on the server whatever the page showed; the four
eyes are the service's own check (incident/knowledge/entries.py)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from incident.context import Context
from incident.errors import NotFoundError
from incident.i18n import LANGS
from incident.knowledge import content as kbcontent
from incident.knowledge import entries
from incident.knowledge import search as kb
from incident.web import kb_texts as _texts  # noqa: F401
from incident.web.pages import Pages

_MAX_Q = 200
_SPLIT = re.compile(r"[\n,，、;；]+")
FILTERS = ("active", "proposed", "pending", "retired", "rejected", "all")


def raw_content(form: dict[str, str]) -> dict[str, Any]:
    """A version's content from the entry form (one question per line;
    keywords, products and categories separated by commas or lines)."""

    def items(name: str, split: re.Pattern[str] = _SPLIT) -> list[str]:
        return [x.strip() for x in split.split(form.get(name) or "") if x.strip()]

    return {
        "title": {lang: form.get(f"title_{lang}", "") for lang in LANGS},
        "answer": {lang: form.get(f"answer_{lang}", "") for lang in LANGS},
        "questions": items("questions", re.compile(r"\n+")),
        "keywords": items("keywords"),
        "products": items("products"),
        "categories": items("categories"),
    }


def _rows(s: Session, status: str) -> list[dict[str, Any]]:
    out = []
    for entry in entries.list_entries(s, status if status in FILTERS else "active"):
        waiting = entries.open_proposal(s, entry.id)
        shown = entries.current(s, entry) or waiting  # a new entry: what was proposed
        body = shown.content if shown is not None else {}
        out.append({"entry": entry, "body": body, "waiting": waiting})
    return out


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    @api.get("/kb")
    def kb_list(request: Request) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("wording.lookup", lang)
        q = (request.query_params.get("q") or "").strip()[:_MAX_Q]
        status = request.query_params.get("status") or "active"
        editor = principal.can("kb.edit") or principal.can("kb.approve")
        if not editor:
            status = "active"  # waiting and refused entries are the editors' business
        values: dict[str, Any] = {"q": q, "shown": status, "filters": FILTERS if editor else (), "found": None}
        if q:
            values["found"] = kb.find(rt.store, rt.config, q, lang, limit=10)
        else:
            values["rows"] = pages.read(lambda s: _rows(s, status))
        values["proposals"] = pages.read(lambda s: _rows(s, "proposed")) if editor else []
        return pages.render(request, "kb.html.j2", principal, **values, langs=LANGS, form={})

    @api.get("/kb/{entry_id}")
    def kb_entry(request: Request, entry_id: int) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("wording.lookup", lang)

        def load(s: Session) -> dict[str, Any]:
            entry = entries.get(s, entry_id)
            if entry.status != "active" and not (principal.can("kb.edit") or principal.can("kb.approve")):
                raise NotFoundError("kb.error.not_found", ref=entry.ref)
            version = entries.current(s, entry)
            return {
                "entry": entry,
                "version": version,
                "body": version.content if version else kbcontent.empty(),
                "proposal": entries.open_proposal(s, entry.id),
                "history": list(reversed(entries.versions(s, entry.id))),
            }

        values = pages.read(load)
        me = entries.person_key(principal.ctx(rt), principal.actor)
        return pages.render(request, "kb_entry.html.j2", principal, **values, langs=LANGS, me=me)

    @api.post("/kb/new")
    async def kb_new(request: Request) -> Response:
        principal, form = await pages.form(request, "kb.edit")

        def work(s: Session, ctx: Context) -> int:
            entry, _ = entries.propose_create(s, ctx, raw_content(form), form.get("note"))
            return entry.id

        return await pages.commit(
            request, principal, work, back="/kb#new", done="web.kb.proposed", then=lambda i: f"/kb/{i}"
        )

    @api.post("/kb/{entry_id}/edit")
    async def kb_edit(request: Request, entry_id: int) -> Response:
        principal, form = await pages.form(request, "kb.edit")

        def work(s: Session, ctx: Context) -> None:
            entries.propose_edit(s, ctx, entry_id, raw_content(form), form.get("note"))

        return await pages.commit(request, principal, work, back=f"/kb/{entry_id}", done="web.kb.proposed")

    @api.post("/kb/{entry_id}/retire")
    async def kb_retire(request: Request, entry_id: int) -> Response:
        principal, form = await pages.form(request, "kb.edit")

        def work(s: Session, ctx: Context) -> None:
            entries.propose_retire(s, ctx, entry_id, form.get("reason", ""))

        return await pages.commit(request, principal, work, back=f"/kb/{entry_id}", done="web.kb.retire_proposed")

    @api.post("/kb/{entry_id}/approve")
    async def kb_approve(request: Request, entry_id: int) -> Response:
        principal, form = await pages.form(request, "kb.approve")

        def work(s: Session, ctx: Context) -> None:
            entries.approve(s, ctx, entry_id, form.get("comment"))

        return await pages.commit(request, principal, work, back=f"/kb/{entry_id}", done="web.kb.approved")

    @api.post("/kb/{entry_id}/reject")
    async def kb_reject(request: Request, entry_id: int) -> Response:
        principal, form = await pages.form(request, "kb.approve")

        def work(s: Session, ctx: Context) -> None:
            entries.reject(s, ctx, entry_id, form.get("reason", ""))

        return await pages.commit(request, principal, work, back=f"/kb/{entry_id}", done="web.kb.rejected")

    return api
