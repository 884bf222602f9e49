"""The FastAPI application. Routes own their transaction (one per request)."""

from __future__ import annotations

import contextlib
import functools
import gc
import urllib.parse
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from incident.config import normalise_lang
from incident.db import SCHEMA_HEAD, stored_revision
from incident.errors import AuthError, ConflictError, ForbiddenError, IncidentError, InputError, NotFoundError
from incident.i18n import t
from incident.incidents import parse_id
from incident.knowledge import search as kb
from incident.metrics import render as render_metrics
from incident.resources import on_disk
from incident.runtime import Runtime
from incident.watch import complaints as intake
from incident.watch.jobs import rules_for
from incident.web import (
    account,
    acklink,
    admin,
    board,
    callbacks_queue,
    cover,
    desk,
    door,
    errorpages,
    history,
    incidents_api,
    kb_api,
    kb_pages,
    login,
    lookup,
    receipts,
    remedy_confirm,
    remedy_pages,
    review_api,
    review_pages,
    roster_page,
    status_pages,
    waiting,
)
from incident.web.auth import SESSION_COOKIE, api_principal, check_csrf, request_lang
from incident.web.pages import NeedLogin, Pages, parse_form
from incident.web.remedy_api import router as remedy_router
from incident.web.slack_api import router as slack_router
from incident.web.timing import ServerTiming
from incident.wording import pull, statuspage
from incident.wording.personalise import Customer
from incident.wording.pull import get_reply

MAX_BATCH = 5000
MAX_BODY = 20 * 1024 * 1024


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Everything imported so far lives as long as the process: move it out
    # of the collector's way, and collect the young generation less often,
    # so that full collections do not stall the agents' lookups (p99).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1000)
    yield


def create_app(rt: Runtime) -> FastAPI:
    # The API's description is for signed-in users and tokens only (routes
    # below); the interactive Swagger page is not served: it would run a
    # CDN's script on this origin, next to the session cookie.
    app = FastAPI(
        title="incident-coordinator",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
        # roster_page.fresh: the roster as last edited, in every request (incident/roster_edit.py).
        dependencies=[Depends(door.ids_in_range), Depends(roster_page.fresh)],
    )
    app.state.rt = rt
    app.add_middleware(ServerTiming)
    # Added last = runs first: headers on everything, then the Host, then the body's size.
    app.add_middleware(door.BodyLimit, rt=rt)
    app.add_middleware(door.HostGuard, rt=rt)
    app.add_middleware(door.SecurityHeaders)
    pages = Pages(rt)
    app.state.pages = pages

    @app.exception_handler(IncidentError)
    async def _incident_error(request: Request, exc: IncidentError) -> Response:
        status = (
            403
            if isinstance(exc, ForbiddenError)
            else 401
            if isinstance(exc, AuthError)
            else 422
            if isinstance(exc, InputError)
            else 404
            if isinstance(exc, NotFoundError)
            else 409
            if isinstance(exc, ConflictError)
            else 400
        )
        if not _is_page(request):
            return JSONResponse(
                {
                    "error": exc.key,
                    "message": exc.message(request_lang(request, rt)),
                    "params": {k: str(v) for k, v in exc.params.items()},
                },
                status_code=status,
            )
        principal = getattr(request.state, "principal", None)
        lang = pages.lang(request, principal)
        heading = {403: "web.error.forbidden_title", 404: "web.error.not_found_title"}.get(status, "web.error.title")
        return pages.render(
            request,
            "error.html.j2",
            principal,
            status=status,
            heading=t(heading, lang),
            message=exc.message(lang),
            back=request.headers.get("referer") or "/",
        )

    @app.exception_handler(NeedLogin)
    async def _need_login(request: Request, exc: NeedLogin) -> Response:
        return pages.redirect("/login?next=" + urllib.parse.quote(exc.next_url, safe=""))

    # Unknown paths and parameters that do not parse: the site's page, or JSON under /api/.
    errorpages.install(app, pages)

    def machine(request: Request) -> None:
        """JSON routes: a user's API token, the machine token (from
        ``[web].machine_hosts``) or a signed-in browser (CSRF-checked for
        changes). The caller is kept on ``request.state.principal``."""
        principal = api_principal(request, rt)
        check_csrf(request, principal, None)
        request.state.principal = principal

    # Any, not Awaitable[None]: remedy_api.router still types the check as returning None.
    def allow(action: str) -> Callable[[Request], Any]:
        async def check(request: Request) -> None:
            # A token, a session or a proxy user is looked up in the
            # database (in a thread); a caller with no credential at all is
            # refused on the event loop.
            if (
                request.headers.get("authorization")
                or SESSION_COOKIE in request.cookies
                or rt.config.web.auth == "proxy"
            ):
                await run_in_threadpool(machine, request)
            else:
                machine(request)
            principal = request.state.principal
            if not principal.can(action):  # the language is only worked out for the refusal
                principal.require(action, request_lang(request, rt))

        return check

    app.state.allow = allow

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(
            (_STATIC / "favicon.svg").read_bytes(),
            media_type="image/svg+xml",
            headers={"Cache-Control": "max-age=86400"},
        )

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> JSONResponse:
        machine(request)  # a token or a signed-in user
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        pages.user(request)  # signed in, or off to the login page
        return pages.redirect("/api/openapi.json")

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """Up, and the database answers at the schema this code expects
        (for a load balancer or a process supervisor; no sign-in)."""
        head = SCHEMA_HEAD
        try:
            with rt.store.read() as s:  # a read transaction: never queues behind SQLite's writer
                rev = stored_revision(s.connection())
        except Exception as exc:  # noqa: BLE001 — any failure means unhealthy, said in one line
            return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
        ok = rev == head
        return JSONResponse(
            {"status": "ok" if ok else "error", "database": "ok", "schema": rev, "expected": head},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", dependencies=[Depends(allow("incident.view"))], include_in_schema=False)
    def metrics() -> Response:
        """Prometheus text format (a scraper on this host, or with an API token)."""
        with rt.store.read() as s:
            body = render_metrics(s, rt.clock.now())
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.post("/api/complaints", dependencies=[Depends(allow("complaints.post"))])
    async def post_complaints(request: Request) -> JSONResponse:
        """A batch of tickets from the ticket system: a JSON array, or an
        object with a ``complaints`` array. Idempotent by ticket id; bad
        records are reported by index and the good ones stored."""
        lang = request_lang(request, rt)
        body = await request.body()
        if len(body) > MAX_BODY:
            raise HTTPException(413, t("complaint.error.batch_size", lang, max=MAX_BATCH, got="?"))
        # Not cleaned wholesale here: the intake is the door for each
        # record, cleaning its free text and refusing, by name, a ticket
        # or customer number with a control character (a number must
        # not silently become another one).
        data: Any = door.parse_json(body)
        if isinstance(data, dict):
            data = data.get("complaints")
        if not isinstance(data, list):
            raise InputError("complaint.error.body")
        if len(data) > MAX_BATCH:
            raise InputError("complaint.error.batch_size", max=MAX_BATCH, got=len(data))

        def work() -> intake.IntakeReport:
            with rt.store.transaction() as s:
                # index as "line": 1-based position in the batch
                return intake.ingest(s, rt.ctx, list(enumerate(data, start=1)), rules_for(rt.ctx), "api")

        report = await run_in_threadpool(work)
        errors = [{"index": e.line, "error": e.key, "message": t(e.key, lang, **e.params)} for e in report.errors]
        status = 200 if report.added or report.duplicates or not errors else 422
        return JSONResponse(
            {
                "received": report.read,
                "added": report.added,
                "duplicates": report.duplicates,
                "updated": report.updated,  # duplicates whose service times changed
                "errors": errors,
            },
            status_code=status,
        )

    # ---- wording: agents' pull, the public status page and its feed -------

    async def kb_find(words: str, lang: str, limit: int) -> list[dict[str, Any]]:
        if kb.is_fresh(rt.store):  # cached: no database, no thread hop
            return kb.find(rt.store, rt.config, words, lang, limit)
        return await run_in_threadpool(kb.find, rt.store, rt.config, words, lang, limit)

    @app.get("/api/wording", dependencies=[Depends(allow("wording.lookup"))])
    async def get_wording(
        request: Request,
        q: str | None = None,
        incident: str | None = None,
        scenario: str | None = None,
        lang: str | None = None,
        name: str | None = None,
        title: str | None = None,
        contact: str | None = None,
        compensation: str | None = None,
        alternatives: int = pull.ALTERNATIVES,
        list: bool = False,  # noqa: A002 — the public parameter's name
    ) -> JSONResponse:
        """The approved reply for the customer in front of the agent: find
        the incident by keywords (``q``, or an incident number in it) or id,
        pick a scenario (default: the incident's kind), personalise (surname
        + 先生/女士, contact shown as its last four digits, compensation
        due), with up to ``alternatives`` other wordings that fit and why.
        Without ``q`` and ``incident`` (or with ``list=true``): every
        approved wording, under ``wordings``. Knowledge-base answers that
        also match are under ``knowledge_base``; when no live incident
        matches but the knowledge base does, the body is ``{"source":
        "knowledge_base", "incident": null, "knowledge_base": [...]}``."""
        try:
            chosen = normalise_lang(lang) if lang else request_lang(request, rt)
        except ValueError:
            raise InputError("wording.error.bad_lang", value=lang) from None
        asked = bool((q or "").strip() or incident)
        reply_for = functools.partial(
            get_reply,
            rt.store,
            rt.config,
            q=q,
            incident_id=parse_id(incident) if incident else None,
            scenario=scenario,
            lang=chosen,
            customer=Customer(name=name, title=title, contact=contact, compensation=compensation),
            alternatives=max(0, min(alternatives, 10)),
        )
        body: dict[str, Any] = {}
        if asked:
            words = "" if incident or pull.REF.fullmatch(q or "") else (q or "").strip()
            try:
                # By number, an incident with no approved wording is looked up
                # in the database ("no such incident" or "none yet"): a thread.
                if pull.is_fresh(rt.store) and not incident and not pull.REF.fullmatch(q or ""):
                    # The index and templates are cached (re-checked in the
                    # background): pure CPU, no database, so it runs on the
                    # event loop without a thread hop.
                    body = reply_for().as_json()
                else:
                    body = (await run_in_threadpool(reply_for)).as_json()
            except NotFoundError as exc:
                # No live incident matches: last time's answer from the
                # knowledge base, labelled as such ("incident": null, no "text").
                found = await kb_find(words, chosen, 3) if exc.key == "wording.error.no_match" else []
                if not found:
                    raise
                body = {"source": kb.SOURCE, "incident": None, "knowledge_base": found}
            else:
                if words:  # also in the knowledge base, beneath the live reply
                    body["knowledge_base"] = await kb_find(words, chosen, 2)
        if list or not asked:
            body["wordings"] = await run_in_threadpool(pull.browse, rt.store, rt.config, chosen)
        return JSONResponse(body)

    app.include_router(incidents_api.router(rt, machine, allow))
    app.include_router(review_api.router(rt, machine, allow))
    app.include_router(kb_api.router(rt, allow))
    app.include_router(remedy_router(rt, machine, lambda request: request_lang(request, rt), allow))

    # Slack's commands and buttons run here, off the request (3-second rule).
    # The work mostly waits on the database and Slack, so threads are cheap.
    app.state.slack_work = ThreadPoolExecutor(max_workers=16, thread_name_prefix="slack")
    app.include_router(slack_router(rt, app.state.slack_work))

    @app.get("/status", response_class=HTMLResponse)
    def status_page(request: Request, lang: str | None = None) -> HTMLResponse:
        chosen = request_lang(request, rt)  # ?lang=, the language cookie, Accept-Language
        with rt.store.read() as s:
            html = statuspage.page(s, rt.config, chosen, rt.clock.now())
        return HTMLResponse(html, headers={"Cache-Control": "max-age=30"})

    @app.get("/status/feed.atom")
    def status_feed(lang: str | None = None) -> Response:
        chosen = "en" if (lang or "").lower().startswith("en") else "zh-CN"
        with rt.store.read() as s:
            body = statuspage.atom(s, rt.config, chosen, rt.clock.now())
        return Response(body, media_type="application/atom+xml; charset=utf-8", headers={"Cache-Control": "max-age=60"})

    def _html(result: tuple[int, str]) -> HTMLResponse:
        return HTMLResponse(result[1], status_code=result[0], headers={"Cache-Control": "no-store"})

    @app.post("/status/subscribe", response_class=HTMLResponse)
    async def status_subscribe(request: Request) -> HTMLResponse:
        fields = parse_form(await request.body())
        lang = status_pages.lang_of(fields, request_lang(request, rt))
        return _html(await run_in_threadpool(status_pages.subscribe, rt, fields, lang))

    @app.get("/status/subscribe/confirm", response_class=HTMLResponse)
    def status_confirm_page(request: Request, token: str = "") -> HTMLResponse:
        return _html(status_pages.confirm_page(rt, token, request_lang(request, rt)))

    @app.post("/status/subscribe/confirm", response_class=HTMLResponse)
    async def status_confirm(request: Request) -> HTMLResponse:
        fields = parse_form(await request.body())
        lang = status_pages.lang_of(fields, request_lang(request, rt))
        return _html(await run_in_threadpool(status_pages.confirm, rt, fields.get("token", ""), lang))

    @app.get("/status/unsubscribe", response_class=HTMLResponse)
    def status_unsubscribe_page(request: Request, token: str = "") -> HTMLResponse:
        return _html(status_pages.unsubscribe_page(rt, token, request_lang(request, rt)))

    @app.post("/status/unsubscribe", response_class=HTMLResponse)
    async def status_unsubscribe(request: Request) -> HTMLResponse:
        fields = parse_form(await request.body())
        lang = status_pages.lang_of(fields, request_lang(request, rt))
        return _html(await run_in_threadpool(status_pages.unsubscribe, rt, fields.get("token", ""), lang))

    app.mount("/static", StaticFiles(directory=str(_STATIC)), name="static")
    for module in (
        login,
        board,
        history,
        desk,
        lookup,
        remedy_pages,
        remedy_confirm,
        callbacks_queue,
        admin,
        account,
        waiting,
        acklink,
        cover,
        receipts,
        kb_pages,
        review_pages,
        roster_page,
    ):
        app.include_router(module.router(pages))
    return app


_STATIC = on_disk("incident.web", "static")  # a directory for StaticFiles; in the wheel as package data


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path.startswith("/slack/") or path == "/healthz")
