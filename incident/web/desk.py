"""The statement desk (comms staff): every incident's wording state; per
incident the fact-sheet editor with its lint findings, four-eyes review and
version diff, a live preview of the statements the unsaved sheet would
render (per channel, with counts and findings, nothing stored), the
statements with their review buttons, and the publication log. What the
pages read is built in incident/web/deskview.py, the editor's fields and
the preview in deskform.py.

Each POST names its action (``wording.edit`` / ``approve`` / ``publish``)
and is checked on the server by :meth:`Pages.form`; the domain's four-eyes
rules (author ≠ approver, only the roster's comms / legal sign) apply on
top. A refusal answers beside the form that was sent, with what was typed
kept (incident/web/refusal.py); a success redirects with a flash message.
The service functions are those the ``incident facts`` / ``incident
statement`` commands call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.context import Context
from incident.errors import InputError
from incident.i18n import LANGS, t
from incident.web.auth import Principal
from incident.web.deskform import editor_values, sheet_changes, typed_preview
from incident.web.deskview import desk_detail, desk_index
from incident.web.pages import Pages
from incident.web.refusal import Refused, attempt, beside, template_values
from incident.wording import factsheet, workflow
from incident.wording.render import STATEMENT_KINDS
from incident.wording.templates import CHANNELS

__all__ = ["editor_values", "router", "sheet_changes"]  # the editor's fields, as tests read them

# What each POST does: (session, context, incident id, form) -> a result its
# message is made of.
Work = Callable[[Session, Context, int, dict[str, str]], Any]
StatementWork = Callable[[Session, Context, int, int, dict[str, str]], Any]  # … and the statement's number


def _back(rest: str) -> str:
    """Where a GET of a POST's address goes (a reload or the language link
    of a refused form's page): that part of the desk."""
    parts = rest.strip("/").split("/")
    if parts[0] == "statements" and len(parts) > 1 and parts[1].isdigit():
        return f"#statement-{parts[1]}"
    return "#statements" if parts[0] == "statements" else "#facts"


def _save(s: Session, ctx: Context, incident_id: int, form: dict[str, str]) -> tuple[int, str, list[str]] | None:
    note = (form.get("note") or "").strip() or None
    changes = sheet_changes(form, ctx.config, ctx.clock)
    current = factsheet.latest(s, incident_id)
    if current is not None:
        changed = factsheet.diff(current.content, factsheet.apply_changes(current.content, changes))
        if not changed and not (note and current.status == "draft"):
            return None  # an unchanged save neither withdraws a review nor starts a version
    sheet = factsheet.edit(s, ctx, incident_id, changes, note=note)
    return sheet.version, sheet.status, factsheet.missing_required(sheet.content)


def _saved(result: tuple[int, str, list[str]] | None, lang: str) -> str:
    if result is None:
        return t("web.desk.done.unchanged", lang)
    version, status, missing = result
    text = t("web.desk.done.saved", lang, version=version, status=status)
    if missing:
        text += t("web.desk.done.still_missing", lang, fields=", ".join(missing))
    return text


def _submit_sheet(s: Session, ctx: Context, incident_id: int, _form: dict[str, str]) -> tuple[int, int, int]:
    sheet, findings = workflow.submit_sheet(s, ctx, incident_id)
    errors = sum(1 for f in findings if f["severity"] == "error")
    return sheet.version, errors, len(findings) - errors


def _approve_sheet(s: Session, ctx: Context, incident_id: int, form: dict[str, str]) -> tuple[int, str]:
    sheet = workflow.approve_sheet(s, ctx, incident_id, (form.get("comment") or "").strip() or None)
    return sheet.version, sheet.status


def _draft(s: Session, ctx: Context, incident_id: int, form: dict[str, str]) -> tuple[int, int]:
    chosen = [c for c in CHANNELS if form.get(f"ch_{c}")]
    if not chosen:
        raise InputError("web.desk.error.no_channels")
    st = workflow.draft_statement(s, ctx, incident_id, kind=form.get("kind") or None, channels=chosen)
    return st.number, sum(1 for f in st.findings if f["severity"] == "error")


def router(pages: Pages) -> APIRouter:
    # Longer than 80 lines: one short route after another, closed over
    # ``pages`` as app.py builds every router; the work and the views they
    # call are module-level functions above and in the *view modules.
    api = APIRouter()
    rt = pages.rt

    def render_detail(
        request: Request, incident_id: int, a: int | None = None, b: int | None = None, refused: Refused | None = None
    ) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("wording.view", lang)
        ctx = principal.ctx(rt)
        typed = refused.kept if refused is not None and refused.form == "facts" else None
        data = pages.read(lambda s: desk_detail(s, ctx, incident_id, lang, a, b, typed))
        return pages.render(
            request,
            "desk_incident.html.j2",
            principal,
            refused.status if refused is not None else 200,
            **data,
            **template_values(refused),
            fields=factsheet.TEXT_FIELDS,
            list_fields=factsheet.LIST_FIELDS,
            required_fields=factsheet.REQUIRED,
            langs=LANGS,
            kinds=STATEMENT_KINDS,
            channels=CHANNELS,
            channel_name=lambda c: t(f"channel.name.{c}", lang),
        )

    @api.get("/desk")
    def index(request: Request) -> Response:
        principal = pages.user(request)
        principal.require("wording.view", pages.lang(request, principal))
        rows = pages.read(desk_index)
        return pages.render(request, "desk.html.j2", principal, rows=rows)

    @api.get("/desk/{incident_id}")
    def detail(request: Request, incident_id: int, a: int | None = None, b: int | None = None) -> Response:
        return render_detail(request, incident_id, a, b)

    @api.get("/desk/{incident_id}/{rest:path}")
    def back_to_desk(request: Request, incident_id: int, rest: str) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return pages.redirect(f"/desk/{incident_id}{query}{_back(rest)}")

    @api.post("/desk/{incident_id}/preview")
    async def preview(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "wording.view")
        lang = pages.lang(request, principal)
        ctx = principal.ctx(rt)
        data = await run_in_threadpool(pages.read, lambda s: typed_preview(s, ctx, incident_id, form, lang))
        return pages.fragment(request, "desk_preview.html.j2", principal, preview=data)

    async def act(
        request: Request,
        incident_id: int,
        name: str,
        action: str,
        work: Work,
        done: Callable[[Any, str], str],
        *,
        anchor: str = "",
        then: Callable[[Any], str] | None = None,
        check: Callable[[Principal, dict[str, str], str], None] | None = None,
    ) -> Response:
        """One form of the desk: ``action`` checked, ``work`` in one
        transaction; refused: the page again with form ``name`` open."""
        principal, form = await pages.form(request, action)
        if check is not None:
            check(principal, form, pages.lang(request, principal))
        return await attempt(
            pages,
            request,
            principal,
            lambda s, ctx: work(s, ctx, incident_id, form),
            back=f"/desk/{incident_id}{anchor}",
            outcome=lambda result, lang: ("ok", done(result, lang)),
            answer=beside(lambda r: render_detail(request, incident_id, refused=r), name, form),
            then=then,
        )

    # ---- the fact sheet ----------------------------------------------------

    @api.post("/desk/{incident_id}/facts")
    async def save(request: Request, incident_id: int) -> Response:
        return await act(request, incident_id, "facts", "wording.edit", _save, _saved)

    @api.post("/desk/{incident_id}/facts/submit")
    async def submit_sheet(request: Request, incident_id: int) -> Response:
        def done(r: tuple[int, int, int], lang: str) -> str:
            return t("web.desk.done.sheet_submitted", lang, version=r[0], errors=r[1], warnings=r[2])

        return await act(request, incident_id, "sheet-submit", "wording.edit", _submit_sheet, done)

    @api.post("/desk/{incident_id}/facts/approve")
    async def approve_sheet(request: Request, incident_id: int) -> Response:
        def done(r: tuple[int, str], lang: str) -> str:
            key = "web.desk.done.sheet_approved" if r[1] == "approved" else "web.desk.done.signed_wait"
            return t(key, lang, what=f"v{r[0]}")

        return await act(request, incident_id, "sheet-approve", "wording.approve", _approve_sheet, done)

    @api.post("/desk/{incident_id}/facts/reject")
    async def reject_sheet(request: Request, incident_id: int) -> Response:
        return await act(
            request,
            incident_id,
            "sheet-reject",
            "wording.approve",
            lambda s, ctx, iid, form: workflow.reject_sheet(s, ctx, iid, form.get("reason", "")).version,
            lambda v, lang: t("web.desk.done.rejected", lang, what=f"v{v}"),
        )

    @api.post("/desk/{incident_id}/facts/retract")
    async def retract_sheet(request: Request, incident_id: int) -> Response:
        return await act(
            request,
            incident_id,
            "sheet-retract",
            "wording.publish",
            lambda s, ctx, iid, form: workflow.retract_sheet(s, ctx, iid, form.get("reason", "")).version,
            lambda v, lang: t("web.desk.done.retracted", lang, what=f"v{v}"),
        )

    # ---- statements --------------------------------------------------------

    @api.post("/desk/{incident_id}/statements")
    async def draft(request: Request, incident_id: int) -> Response:
        return await act(
            request,
            incident_id,
            "draft",
            "wording.edit",
            _draft,
            lambda r, lang: t("web.desk.done.drafted", lang, number=r[0], errors=r[1]),
            anchor="#statements",
            then=lambda r: f"/desk/{incident_id}#statement-{r[0]}",
        )

    def statement_route(name: str, action: str, run: StatementWork) -> None:
        async def handle(request: Request, incident_id: int, number: int) -> Response:
            return await act(
                request,
                incident_id,
                f"st{number}-{name}",
                action,
                lambda s, ctx, iid, form: run(s, ctx, iid, number, form),
                lambda _r, lang: t(f"web.desk.done.st_{name}", lang, what=f"#{number}"),
                anchor=f"#statement-{number}",
            )

        handle.__name__ = f"statement_{name}"
        api.add_api_route(f"/desk/{{incident_id}}/statements/{{number}}/{name}", handle, methods=["POST"])

    statement_route("submit", "wording.edit", lambda s, ctx, iid, n, form: workflow.submit_statement(s, ctx, iid, n))
    statement_route(
        "reject",
        "wording.approve",
        lambda s, ctx, iid, n, form: workflow.reject_statement(s, ctx, iid, n, form.get("reason", "")),
    )
    statement_route(
        "publish", "wording.publish", lambda s, ctx, iid, n, form: workflow.publish_statement(s, ctx, iid, n)
    )
    statement_route(
        "retract",
        "wording.publish",
        lambda s, ctx, iid, n, form: workflow.retract_statement(s, ctx, iid, n, form.get("reason", "")),
    )

    @api.post("/desk/{incident_id}/statements/{number}/approve")
    async def approve_statement(request: Request, incident_id: int, number: int) -> Response:
        def check(principal: Principal, form: dict[str, str], lang: str) -> None:
            if form.get("publish_now"):
                principal.require("wording.publish", lang)

        def work(s: Session, ctx: Context, iid: int, form: dict[str, str]) -> str:
            comment = (form.get("comment") or "").strip() or None
            return workflow.approve_statement(
                s, ctx, iid, number, comment, publish_now=bool(form.get("publish_now"))
            ).status

        key = {"published": "web.desk.done.st_publish", "approved": "web.desk.done.st_approve"}
        return await act(
            request,
            incident_id,
            f"st{number}-approve",
            "wording.approve",
            work,
            lambda status, lang: t(key.get(status, "web.desk.done.signed_wait"), lang, what=f"#{number}"),
            anchor=f"#statement-{number}",
            check=check,
        )

    return api
