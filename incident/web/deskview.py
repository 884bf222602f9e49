"""What the statement desk reads (incident/web/desk.py shows it): every
incident's wording state for /desk, in three queries whatever is stored;
and for one incident its fact-sheet versions with findings, sign-offs and
the diff of two versions, its statements with their per-channel views, and
the publication log with the deliveries counted per channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.context import Context
from incident.enums import OPEN_STATUSES
from incident.i18n import CATALOG, label, t
from incident.models import Delivery, FactSheet, Incident, Statement
from incident.roster import display as display_person
from incident.timeutil import fmt
from incident.web import desk_texts as _desk_texts  # noqa: F401
from incident.web import deskform
from incident.wording import approval, factsheet, workflow
from incident.wording.lint import load_rules

OPEN_LIMIT = 200  # open incidents listed on /desk
OTHER_LIMIT = 50  # then the most recent resolved / closed ones


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


# ---------------------------------------------------------- one incident --


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


def _sheet_view(session: Session, config: AppConfig, latest: FactSheet | None) -> dict[str, Any] | None:
    if latest is None:
        return None
    return {
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


def _diff(
    sheets: Sequence[FactSheet], a: int | None, b: int | None, config: AppConfig, lang: str
) -> tuple[int | None, int | None, list[dict[str, Any]] | None]:
    """Two versions compared (default: the one before the latest → the latest)."""
    numbers = [s.version for s in sheets]
    if len(numbers) < 2:
        return None, None, None
    a = a if a in numbers else numbers[-2]
    b = b if b in numbers else numbers[-1]
    old = next(s for s in sheets if s.version == a)
    new = next(s for s in sheets if s.version == b)
    rows = [
        {
            "field": label("fact_field", d["field"], lang),
            "lang": d["lang"] or "",
            "old": _shown(d["old"], config),
            "new": _shown(d["new"], config),
        }
        for d in factsheet.diff(old.content, new.content)
    ]
    return a, b, rows


def _statement_view(st: Statement, signoffs: Sequence[Any], config: AppConfig, lang: str) -> dict[str, Any]:
    stored = st.findings or []
    return {
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
        "langs": deskform.channel_views(st.rendered or {}, stored, list(st.channels), lang),
    }


def _delivery_label(status: str, lang: str) -> str:
    key = f"web.desk.delivery.{status}"
    return t(key, lang) if key in CATALOG else status


def _statements_and_log(
    session: Session, config: AppConfig, incident_id: int, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The statements, newest first, and the publication log (latest first)
    with each channel's deliveries counted by status."""
    statements = workflow.list_statements(session, incident_id)
    deliveries: dict[int, dict[str, dict[str, int]]] = {}
    for sid, channel, status, n in session.execute(
        select(Delivery.statement_id, Delivery.channel, Delivery.status, func.count())
        .where(Delivery.incident_id == incident_id)
        .group_by(Delivery.statement_id, Delivery.channel, Delivery.status)
    ):
        deliveries.setdefault(sid, {}).setdefault(channel, {})[status] = n
    signed = {st.id: approval.signoffs(session, "statement", st.id) for st in statements}
    views = [_statement_view(st, signed[st.id], config, lang) for st in reversed(statements)]
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
    return views, log


def desk_detail(
    session: Session,
    ctx: Context,
    incident_id: int,
    lang: str,
    a: int | None,
    b: int | None,
    typed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One incident's desk. ``typed``: the editor's fields of a refused save,
    shown again as typed, with the preview of what they would give."""
    config = ctx.config
    incident = deskform.incident_of(session, incident_id)
    sheets = factsheet.versions(session, incident_id)
    latest = sheets[-1] if sheets else None
    in_force = next((s for s in sheets if s.status == "approved"), None)
    content = latest.content if latest is not None else factsheet.initial_content(ctx, incident)
    version = latest.version if latest is not None else 1
    rules = load_rules(config.wording.rules_file)
    findings = [
        deskform.finding_view(f, lang, rules)
        for f in workflow.lint_sheet(ctx, latest or deskform.probe(incident, content, 1, ctx.actor), session)
    ]
    by_field: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_field.setdefault(f"{f['field']}.{f['lang']}", []).append(f)
    diff_a, diff_b, diff_rows = _diff(sheets, a, b, config, lang)
    statements, log = _statements_and_log(session, config, incident_id, lang)
    number = deskform.next_number(session, incident_id)
    edit_version = version if latest is None or latest.status == "draft" else latest.version + 1
    # holding until one is out (DOMAIN.md §1), then updates, the resolution once resolved
    default_kind = workflow.default_kind(session, incident)
    values = deskform.editor_values(content, config)
    if typed is None:
        preview = deskform.build_preview(session, ctx, incident, content, edit_version, default_kind, number, lang)
    else:
        values.update({k: v for k, v in typed.items() if k in values})
        preview = deskform.typed_preview(session, ctx, incident_id, typed, lang)
    return {
        "incident": incident,
        "sheet": _sheet_view(session, config, latest),
        "in_force": in_force.version if in_force else None,
        "in_force_at": in_force.approved_at if in_force else None,
        "form_values": values,
        "field_findings": by_field,
        "sheet_errors": sum(1 for f in findings if f["severity"] == "error"),
        "sheet_warnings": sum(1 for f in findings if f["severity"] != "error"),
        "missing": deskform.missing_fields(content, lang),
        "required": [
            {"role": r.value, "who": ", ".join(display_person(config, p) for p in approval.eligible(config, r)) or "—"}
            for r in approval.required_roles(ctx, incident)
        ],
        "versions": [{"version": s.version, "status": s.status} for s in sheets],
        "diff_a": diff_a,
        "diff_b": diff_b,
        "diff": diff_rows,
        "statements": statements,
        "log": log,
        "has_approved": in_force is not None,
        "preview": preview,
        "default_kind": default_kind,
    }
