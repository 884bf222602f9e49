"""The statement desk (comms staff): every incident's wording state; per
incident the fact-sheet editor with its lint findings, four-eyes review and
version diff, a live preview of the statements the unsaved sheet would
render (per channel, with counts and findings, nothing stored), the
statements with their review buttons, and the publication log.

Each POST names its action (``wording.edit`` / ``approve`` / ``publish``)
and is checked on the server by :meth:`Pages.form`; the domain's four-eyes
rules (author ≠ approver, only the roster's comms / legal sign) apply on
top and come back as a flash message on the page. The service functions
are those the ``incident facts`` / ``incident statement`` commands call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.config import AppConfig
from incident.context import Context
from incident.enums import OPEN_STATUSES
from incident.errors import IncidentError, InputError, NotFoundError
from incident.i18n import CATALOG, LANGS, label, t
from incident.models import Delivery, FactSheet, Incident, Statement
from incident.roster import display as display_person
from incident.timeutil import Clock, fmt, local, parse_time
from incident.web import desk_texts as _desk_texts  # noqa: F401
from incident.web.auth import Principal
from incident.web.pages import Pages
from incident.wording import approval, factsheet, workflow
from incident.wording.lint import load_rules
from incident.wording.lint_lang import suggestion_for
from incident.wording.render import STATEMENT_KINDS, freeze, render_statement
from incident.wording.templates import CHANNELS, template_set

OPEN_LIMIT = 200  # open incidents listed on /desk
OTHER_LIMIT = 50  # then the most recent resolved / closed ones


# ---------------------------------------------------------------- helpers --


def finding_view(f: Mapping[str, Any], lang: str, rules: Any = None) -> dict[str, Any]:
    """A stored or fresh finding as the page shows it (as the CLI's
    ``show_findings`` does): severity, message in the reader's language,
    the offending text and the suggestion (its instructions in the
    reader's language too; ``rules`` give a replacement's English sense)."""
    key = f.get("message_key") or f"lint.{f.get('rule')}"
    try:
        message = t(key, lang, **(f.get("params") or {})) if key in CATALOG else str(f.get("rule"))
    except (KeyError, IndexError, ValueError):
        message = str(f.get("rule"))
    where = ""
    if f.get("field"):
        where = f"{label('fact_field', f['field'], lang)} · {f.get('lang') or ''}".rstrip(" ·")
    return {
        "severity": "error" if f.get("severity") == "error" else "warning",
        "rule": str(f.get("rule") or ""),
        "text": str(f.get("text") or ""),
        "suggestion": suggestion_for(f, lang, rules),
        "message": message,
        "where": where,
        "field": f.get("field"),
        "lang": f.get("lang"),
        "channel": f.get("channel"),
    }


# The figures a reader looks for first: characters, then SMS segments.
_COUNT_ORDER = (
    "chars",
    "segments",
    "length",
    "weight",
    "subject_chars",
    "text_chars",
    "encoding",
    "units",
    "per_segment",
    "max_segments",
    "max",
    "fold",
    "fold_index",
    "subject_max",
    "html_chars",
)


def _count_items(channel: str, counts: Mapping[str, Any], text: str, lang: str) -> list[tuple[str, str]]:
    figures = {k: v for k, v in counts.items() if not isinstance(v, (dict, list))}
    if channel == "status_page" and "chars" in figures:
        figures["html_chars"] = figures.pop("chars")  # the check counts the page's HTML
    if channel not in ("wechat", "email") and "chars" not in figures:
        figures["chars"] = len(text)
    ordered = sorted(figures, key=lambda k: _COUNT_ORDER.index(k) if k in _COUNT_ORDER else -1)
    items: list[tuple[str, str]] = []
    for key in ordered:
        ckey = f"web.desk.count.{key}"
        if channel == "wechat" and key != "max":
            name = t("web.desk.count.field_chars", lang, field=key)
        else:
            name = t(ckey, lang) if ckey in CATALOG else key
        items.append((name, str(figures[key])))
    return items


def channel_views(
    rendered: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    channels: list[str] | tuple[str, ...],
    lang: str,
) -> list[tuple[str, list[dict[str, Any]]]]:
    """[(language, [one view per channel])] of a rendered statement: the
    text as it goes out, its counts (characters, SMS segments, Weibo length,
    X weight, WeChat field lengths) and the findings of that channel."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for lg in LANGS:
        by_channel = rendered.get(lg) or {}
        views = []
        for channel in channels:
            parts = by_channel.get(channel)
            if parts is None:
                continue
            if "fields" in parts:
                text = "\n".join(f"{k}: {v}" for k, v in (parts.get("fields") or {}).items())
            else:
                text = str(parts.get("text") or "")
            mine = [finding_view(f, lang) for f in findings if f.get("lang") == lg and f.get("channel") == channel]
            views.append(
                {
                    "channel": channel,
                    "lang": lg,
                    "name": t(f"channel.name.{channel}", lang),
                    "subject": parts.get("subject"),
                    "text": text,
                    "counts": _count_items(channel, parts.get("counts") or {}, text, lang),
                    "findings": mine,
                    "errors": sum(1 for f in mine if f["severity"] == "error"),
                }
            )
        out.append((lg, views))
    return out


def sheet_changes(form: Mapping[str, str], config: AppConfig, clock: Clock) -> dict[str, Any]:
    """The editor's fields as :func:`factsheet.apply_changes` takes them:
    ``what.zh-CN`` / ``what.en`` …, lists one item per line, the ETA in the
    centre's time (blank = unknown), the amount (blank = none)."""
    changes: dict[str, Any] = {}
    for name in factsheet.TEXT_FIELDS:
        for lg in LANGS:
            key = f"{name}.{lg}"
            if key in form:
                changes[key] = form[key].replace("\r\n", "\n").replace("\r", "\n")
    for name in factsheet.LIST_FIELDS:
        for lg in LANGS:
            key = f"{name}.{lg}"
            if key in form:
                changes[key] = [line.strip() for line in form[key].splitlines() if line.strip()]
    if "eta" in form:
        raw = form["eta"].strip()
        changes["eta"] = None if raw.lower() in ("", "none", "unknown", "未知") else parse_time(raw, config.zone, clock)
    if "compensation_amount" in form:
        changes["compensation_amount"] = form["compensation_amount"].strip() or None
    return changes


def editor_values(content: Mapping[str, Any], config: AppConfig) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in factsheet.TEXT_FIELDS:
        for lg in LANGS:
            values[f"{name}.{lg}"] = str((content.get(name) or {}).get(lg) or "")
    for name in factsheet.LIST_FIELDS:
        for lg in LANGS:
            values[f"{name}.{lg}"] = "\n".join(str(x) for x in (content.get(name) or {}).get(lg) or [])
    eta = factsheet.eta(content)
    values["eta"] = local(eta, config.zone).strftime("%Y-%m-%dT%H:%M") if eta else ""
    amount = content.get("compensation_amount")
    values["compensation_amount"] = "" if amount is None else str(amount)
    return values


def _shown(value: Any, config: AppConfig) -> str:
    """A fact-sheet value in the diff: lists one item a line, the ETA in
    the centre's time."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "\n".join(f"• {x}" for x in value)
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return fmt(dt.datetime.fromisoformat(value), config.zone)
        except ValueError:
            return value
    return str(value)


def _probe(incident: Incident, content: dict[str, Any], version: int, actor: str) -> FactSheet:
    """An unsaved fact sheet to lint and render (never added to a session)."""
    return FactSheet(incident_id=incident.id, version=version, status="draft", content=content, author=actor)


def build_preview(
    session: Session,
    ctx: Context,
    incident: Incident,
    content: dict[str, Any],
    version: int,
    kind: str,
    number: int,
    lang: str,
) -> dict[str, Any]:
    """What the (unsaved) sheet would give: its findings and a statement of
    ``kind`` on every channel in both languages — the same rendering and
    checks that drafting and approving use. Nothing is stored."""
    sheet = _probe(incident, content, version, ctx.actor)
    rules = load_rules(ctx.config.wording.rules_file)
    sheet_findings = [finding_view(f, lang, rules) for f in workflow.lint_sheet(ctx, sheet, session)]
    renderings = render_statement(
        template_set(session),
        ctx.config,
        incident,
        sheet,
        kind=kind,
        number=number,
        channels=CHANNELS,
        at=ctx.clock.now(),
    )
    rendered, findings = freeze(renderings)
    missing = [
        f"{label('fact_field', m.split('.', 1)[0], lang)} · {m.split('.', 1)[1]}"
        for m in factsheet.missing_required(content)
    ]
    return {
        "error": None,
        "kind": kind,
        "number": number,
        "missing": missing,
        "sheet_findings": sheet_findings,
        "langs": channel_views(rendered, findings, CHANNELS, lang),
        "errors": sum(1 for f in sheet_findings if f["severity"] == "error")
        + sum(1 for f in findings if f.get("severity") == "error"),
    }


def _delivery_label(status: str, lang: str) -> str:
    key = f"web.desk.delivery.{status}"
    return t(key, lang) if key in CATALOG else status


def _next_number(session: Session, incident_id: int) -> int:
    return (session.scalar(select(func.max(Statement.number)).where(Statement.incident_id == incident_id)) or 0) + 1


def _incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError("error.no_incident", id=incident_id)
    return incident


# ------------------------------------------------------------------ reads --


def desk_index(session: Session) -> list[dict[str, Any]]:
    """Open incidents (most severe, longest burning first), then the latest
    resolved and closed ones, each with its wording state."""
    open_values = [s.value for s in OPEN_STATUSES]
    cols = (Incident.id, Incident.kind, Incident.severity, Incident.status, Incident.title, Incident.declared_at)
    open_rows = session.execute(
        select(*cols)
        .where(Incident.status.in_(open_values))
        .order_by(Incident.severity, Incident.declared_at, Incident.id)
        .limit(OPEN_LIMIT)
    ).all()
    other_rows = session.execute(
        select(*cols)
        .where(Incident.status.not_in(open_values))
        .order_by(Incident.declared_at.desc(), Incident.id.desc())
        .limit(OTHER_LIMIT)
    ).all()
    rows: dict[int, dict[str, Any]] = {}
    for r, is_open in [(r, True) for r in open_rows] + [(r, False) for r in other_rows]:
        rows[r.id] = {
            "id": r.id,
            "ref": f"INC-{r.id}",
            "kind": r.kind,
            "severity": r.severity,
            "status": r.status,
            "title": r.title,
            "declared_at": r.declared_at,
            "open": is_open,
            "sheet": None,
            "approved": None,
            "in_review": [],
            "drafts": [],
            "stale": [],
            "published": None,
        }
    if not rows:
        return []
    ids = list(rows)
    for iid, version, status in session.execute(
        select(FactSheet.incident_id, FactSheet.version, FactSheet.status).where(FactSheet.incident_id.in_(ids))
    ):
        row = rows[iid]
        if row["sheet"] is None or version > row["sheet"]["version"]:
            row["sheet"] = {"version": version, "status": status}
        if status == "approved":
            row["approved"] = version
    for iid, number, status, stale, published_at in session.execute(
        select(Statement.incident_id, Statement.number, Statement.status, Statement.stale, Statement.published_at)
        .where(Statement.incident_id.in_(ids))
        .order_by(Statement.number)
    ):
        row = rows[iid]
        if status == "in_review":
            row["in_review"].append(number)
        elif status == "draft":
            row["drafts"].append(number)
        if stale and status in ("draft", "in_review", "approved", "published"):
            row["stale"].append(number)
        if status == "published" and published_at is not None:
            row["published"] = {"number": number, "at": published_at}
    return list(rows.values())


def desk_detail(
    session: Session, ctx: Context, incident_id: int, lang: str, a: int | None, b: int | None
) -> dict[str, Any]:
    config = ctx.config
    incident = _incident(session, incident_id)
    sheets = factsheet.versions(session, incident_id)
    latest = sheets[-1] if sheets else None
    in_force = next((s for s in sheets if s.status == "approved"), None)
    content = latest.content if latest is not None else factsheet.initial_content(ctx, incident)
    version = latest.version if latest is not None else 1
    rules = load_rules(config.wording.rules_file)
    findings = [
        finding_view(f, lang, rules)
        for f in workflow.lint_sheet(ctx, latest or _probe(incident, content, 1, ctx.actor), session)
    ]
    by_field: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_field.setdefault(f"{f['field']}.{f['lang']}", []).append(f)
    required = approval.required_roles(ctx, incident)
    sheet = None
    if latest is not None:
        sheet = {
            "version": latest.version,
            "status": latest.status,
            "author": display_person(config, latest.author),
            "created_at": latest.created_at,
            "submitted_at": latest.submitted_at,
            "approved_at": latest.approved_at,
            "note": latest.change_note,
            "signoffs": [
                {
                    "who": display_person(config, x.approver),
                    "role": x.role,
                    "at": x.at,
                    "comment": x.comment,
                    "decision": x.decision,
                }
                for x in approval.signoffs(session, "fact_sheet", latest.id)
            ],
        }

    # The diff: two versions (default: the one before the latest → the latest).
    numbers = [s.version for s in sheets]
    diff_rows: list[dict[str, Any]] | None = None
    if len(numbers) >= 2:
        a = a if a in numbers else numbers[-2]
        b = b if b in numbers else numbers[-1]
        old = next(s for s in sheets if s.version == a)
        new = next(s for s in sheets if s.version == b)
        diff_rows = [
            {
                "field": label("fact_field", d["field"], lang),
                "lang": d["lang"] or "",
                "old": _shown(d["old"], config),
                "new": _shown(d["new"], config),
            }
            for d in factsheet.diff(old.content, new.content)
        ]
    else:
        a = b = None

    # Statements, newest first, and the publication log.
    statements = workflow.list_statements(session, incident_id)
    deliveries: dict[int, dict[str, dict[str, int]]] = {}
    for sid, channel, status, n in session.execute(
        select(Delivery.statement_id, Delivery.channel, Delivery.status, func.count())
        .where(Delivery.incident_id == incident_id)
        .group_by(Delivery.statement_id, Delivery.channel, Delivery.status)
    ):
        deliveries.setdefault(sid, {}).setdefault(channel, {})[status] = n
    signed = {st.id: approval.signoffs(session, "statement", st.id) for st in statements}
    views = []
    for st in reversed(statements):
        signoffs = signed[st.id]
        stored = st.findings or []
        views.append(
            {
                "number": st.number,
                "kind": st.kind,
                "status": st.status,
                "fact_version": st.fact_version,
                "channels": list(st.channels),
                "stale": st.stale,
                "stale_fields": sorted({label("fact_field", d.get("field"), lang) for d in st.stale_diff or []}),
                "author": display_person(config, st.author),
                "created_at": st.created_at,
                "submitted_at": st.submitted_at,
                "approved_at": st.approved_at,
                "published_at": st.published_at,
                "published_by": display_person(config, st.published_by) if st.published_by else None,
                "ended_at": st.ended_at,
                "next_update_due_at": st.next_update_due_at,
                "signoffs": [
                    {"who": display_person(config, x.approver), "role": x.role, "at": x.at, "comment": x.comment}
                    for x in signoffs
                ],
                "errors": sum(1 for f in stored if f.get("severity") == "error"),
                "warnings": sum(1 for f in stored if f.get("severity") != "error"),
                "langs": channel_views(st.rendered or {}, stored, list(st.channels), lang),
            }
        )
    log = []
    published = [(s.published_at, s) for s in statements if s.published_at is not None]
    for _, st in sorted(published, key=lambda pair: pair[0], reverse=True):
        per_channel = deliveries.get(st.id, {})
        log.append(
            {
                "number": st.number,
                "kind": st.kind,
                "status": st.status,
                "published_at": st.published_at,
                "published_by": display_person(config, st.published_by),
                "ended_at": st.ended_at,
                "approvers": [display_person(config, x.approver) for x in signed[st.id]],
                "channels": [
                    {
                        "channel": c,
                        "name": t(f"channel.name.{c}", lang),
                        "statuses": [
                            (status, _delivery_label(status, lang), n)
                            for status, n in sorted(per_channel.get(c, {}).items())
                        ],
                    }
                    for c in st.channels
                ],
            }
        )

    number = _next_number(session, incident_id)
    edit_version = version if latest is None or latest.status == "draft" else latest.version + 1
    # holding until one is out (DOMAIN.md §1), then updates, the resolution once resolved
    default_kind = workflow.default_kind(session, incident)
    return {
        "incident": incident,
        "sheet": sheet,
        "in_force": in_force.version if in_force else None,
        "in_force_at": in_force.approved_at if in_force else None,
        "form_values": editor_values(content, config),
        "field_findings": by_field,
        "sheet_errors": sum(1 for f in findings if f["severity"] == "error"),
        "sheet_warnings": sum(1 for f in findings if f["severity"] != "error"),
        "missing": [
            f"{label('fact_field', m.split('.', 1)[0], lang)} · {m.split('.', 1)[1]}"
            for m in factsheet.missing_required(content)
        ],
        "required": [
            {"role": r.value, "who": ", ".join(display_person(config, p) for p in approval.eligible(config, r)) or "—"}
            for r in required
        ],
        "versions": [{"version": s.version, "status": s.status} for s in sheets],
        "diff_a": a,
        "diff_b": b,
        "diff": diff_rows,
        "statements": views,
        "log": log,
        "has_approved": in_force is not None,
        "preview": build_preview(session, ctx, incident, content, edit_version, default_kind, number, lang),
        "default_kind": default_kind,
    }


# ----------------------------------------------------------------- routes --


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def lang_of(request: Request, principal: Principal) -> str:
        return pages.lang(request, principal)

    @api.get("/desk")
    def index(request: Request) -> Response:
        principal = pages.user(request)
        principal.require("wording.view", lang_of(request, principal))
        rows = pages.read(desk_index)
        return pages.render(request, "desk.html.j2", principal, rows=rows)

    @api.get("/desk/{incident_id}")
    def detail(request: Request, incident_id: int, a: int | None = None, b: int | None = None) -> Response:
        principal = pages.user(request)
        lang = lang_of(request, principal)
        principal.require("wording.view", lang)
        ctx = principal.ctx(rt)
        data = pages.read(lambda s: desk_detail(s, ctx, incident_id, lang, a, b))
        return pages.render(
            request,
            "desk_incident.html.j2",
            principal,
            **data,
            fields=factsheet.TEXT_FIELDS,
            list_fields=factsheet.LIST_FIELDS,
            required_fields=factsheet.REQUIRED,
            langs=LANGS,
            kinds=STATEMENT_KINDS,
            channels=CHANNELS,
            channel_name=lambda c: t(f"channel.name.{c}", lang),
        )

    @api.post("/desk/{incident_id}/preview")
    async def preview(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "wording.view")
        lang = lang_of(request, principal)
        ctx = principal.ctx(rt)
        chosen = form.get("preview_kind")

        def load(s: Session) -> dict[str, Any]:
            incident = _incident(s, incident_id)
            kind = chosen if chosen is not None and chosen in STATEMENT_KINDS else workflow.default_kind(s, incident)
            latest = factsheet.latest(s, incident_id)
            base = latest.content if latest is not None else factsheet.initial_content(ctx, incident)
            version = 1 if latest is None else latest.version if latest.status == "draft" else latest.version + 1
            try:
                content = factsheet.apply_changes(base, sheet_changes(form, rt.config, rt.clock))
                return build_preview(s, ctx, incident, content, version, kind, _next_number(s, incident_id), lang)
            except NotFoundError:
                raise
            except IncidentError as exc:
                return {"error": exc.message(lang), "kind": kind}

        data = await run_in_threadpool(pages.read, load)
        return pages.fragment(request, "desk_preview.html.j2", principal, preview=data)

    # ---- the fact sheet ----------------------------------------------------

    @api.post("/desk/{incident_id}/facts")
    async def save(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "wording.edit")
        lang = lang_of(request, principal)
        note = (form.get("note") or "").strip() or None

        def work(s: Session, ctx: Context) -> tuple[int, str, list[str]] | None:
            changes = sheet_changes(form, rt.config, rt.clock)
            current = factsheet.latest(s, incident_id)
            if current is not None:
                changed = factsheet.diff(current.content, factsheet.apply_changes(current.content, changes))
                if not changed and not (note and current.status == "draft"):
                    return None  # an unchanged save neither withdraws a review nor starts a version
            sheet = factsheet.edit(s, ctx, incident_id, changes, note=note)
            return sheet.version, sheet.status, factsheet.missing_required(sheet.content)

        def done(result: tuple[int, str, list[str]] | None) -> str:
            if result is None:
                return t("web.desk.done.unchanged", lang)
            version, status, missing = result
            text = t("web.desk.done.saved", lang, version=version, status=status)
            if missing:
                text += t("web.desk.done.still_missing", lang, fields=", ".join(missing))
            return text

        return await pages.commit(request, principal, work, back=f"/desk/{incident_id}", done=done)

    @api.post("/desk/{incident_id}/facts/submit")
    async def submit_sheet(request: Request, incident_id: int) -> Response:
        principal, _form = await pages.form(request, "wording.edit")
        lang = lang_of(request, principal)

        def work(s: Session, ctx: Context) -> tuple[int, int, int]:
            sheet, findings = workflow.submit_sheet(s, ctx, incident_id)
            errors = sum(1 for f in findings if f["severity"] == "error")
            return sheet.version, errors, len(findings) - errors

        return await pages.commit(
            request,
            principal,
            work,
            back=f"/desk/{incident_id}",
            done=lambda r: t("web.desk.done.sheet_submitted", lang, version=r[0], errors=r[1], warnings=r[2]),
        )

    @api.post("/desk/{incident_id}/facts/approve")
    async def approve_sheet(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "wording.approve")
        lang = lang_of(request, principal)

        def work(s: Session, ctx: Context) -> tuple[int, str]:
            sheet = workflow.approve_sheet(s, ctx, incident_id, (form.get("comment") or "").strip() or None)
            return sheet.version, sheet.status

        return await pages.commit(
            request,
            principal,
            work,
            back=f"/desk/{incident_id}",
            done=lambda r: t(
                "web.desk.done.sheet_approved" if r[1] == "approved" else "web.desk.done.signed_wait",
                lang,
                what=f"v{r[0]}",
            ),
        )

    @api.post("/desk/{incident_id}/facts/reject")
    async def reject_sheet(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "wording.approve")
        lang = lang_of(request, principal)
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: workflow.reject_sheet(s, ctx, incident_id, form.get("reason", "")).version,
            back=f"/desk/{incident_id}",
            done=lambda v: t("web.desk.done.rejected", lang, what=f"v{v}"),
        )

    @api.post("/desk/{incident_id}/facts/retract")
    async def retract_sheet(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "wording.publish")
        lang = lang_of(request, principal)
        return await pages.commit(
            request,
            principal,
            lambda s, ctx: workflow.retract_sheet(s, ctx, incident_id, form.get("reason", "")).version,
            back=f"/desk/{incident_id}",
            done=lambda v: t("web.desk.done.retracted", lang, what=f"v{v}"),
        )

    # ---- statements --------------------------------------------------------

    @api.post("/desk/{incident_id}/statements")
    async def draft(request: Request, incident_id: int) -> Response:
        principal, form = await pages.form(request, "wording.edit")
        lang = lang_of(request, principal)
        chosen = [c for c in CHANNELS if form.get(f"ch_{c}")]

        def work(s: Session, ctx: Context) -> tuple[int, int]:
            if not chosen:
                raise InputError("web.desk.error.no_channels")
            st = workflow.draft_statement(s, ctx, incident_id, kind=form.get("kind") or None, channels=chosen)
            return st.number, sum(1 for f in st.findings if f["severity"] == "error")

        return await pages.commit(
            request,
            principal,
            work,
            back=f"/desk/{incident_id}#statements",
            done=lambda r: t("web.desk.done.drafted", lang, number=r[0], errors=r[1]),
            then=lambda r: f"/desk/{incident_id}#statement-{r[0]}",
        )

    def statement_route(
        name: str, action: str, run: Callable[[Session, Context, int, int, dict[str, str]], Any]
    ) -> None:
        async def handle(request: Request, incident_id: int, number: int) -> Response:
            principal, form = await pages.form(request, action)
            lang = lang_of(request, principal)
            return await pages.commit(
                request,
                principal,
                lambda s, ctx: run(s, ctx, incident_id, number, form),
                back=f"/desk/{incident_id}#statement-{number}",
                done=lambda _r: t(f"web.desk.done.st_{name}", lang, what=f"#{number}"),
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
        principal, form = await pages.form(request, "wording.approve")
        lang = lang_of(request, principal)
        publish_now = bool(form.get("publish_now"))
        if publish_now:
            principal.require("wording.publish", lang)

        def work(s: Session, ctx: Context) -> str:
            return workflow.approve_statement(
                s, ctx, incident_id, number, (form.get("comment") or "").strip() or None, publish_now=publish_now
            ).status

        key = {"published": "web.desk.done.st_publish", "approved": "web.desk.done.st_approve"}
        return await pages.commit(
            request,
            principal,
            work,
            back=f"/desk/{incident_id}#statement-{number}",
            done=lambda status: t(key.get(status, "web.desk.done.signed_wait"), lang, what=f"#{number}"),
        )

    return api
