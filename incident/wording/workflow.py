"""The life of fact sheets and statements, with four eyes.

Fact sheet: draft → in_review → approved → superseded | retracted.
Statement:  draft → in_review → approved → published → superseded | retracted.

Approving a fact sheet supersedes the previous version and marks every
statement rendered from an older version stale, with the diff. Approving a
statement re-checks it (lint errors and stale sheets block); publishing
writes its deliveries (the outbox) and its response clocks in the same
transaction. Every step is a timeline event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from incident.context import Context
from incident.db import insert_new
from incident.enums import EventType, Status
from incident.errors import ConflictError, InputError, NotFoundError
from incident.i18n import LANGS
from incident.incidents import _lock, record_event
from incident.models import Delivery, FactSheet, Incident, Statement, Subscriber, TimelineEvent
from incident.wording import approval, clocks, factsheet, pull
from incident.wording import texts as _texts  # noqa: F401
from incident.wording.render import STATEMENT_KINDS, freeze, render_statement
from incident.wording.sheet_checks import lint_sheet
from incident.wording.submission import check_statement, require_public_title
from incident.wording.templates import CHANNELS, template_set

# Channels with one post per language on the centre's own account; the
# others go to each subscriber in their language.
BROADCAST = {"weibo": ("zh-CN",), "x": ("en",)}
PER_RECIPIENT = ("email", "sms", "wechat")


# ------------------------------------------------------------- fact sheets --


def _errors(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["severity"] == "error"]


def sheet_editors(session: Session, sheet: FactSheet) -> set[str]:
    rows = session.execute(
        select(TimelineEvent.actor, TimelineEvent.data).where(
            TimelineEvent.incident_id == sheet.incident_id, TimelineEvent.type == EventType.FACTS_DRAFTED.value
        )
    )
    return {sheet.author} | {actor for actor, data in rows if (data or {}).get("version") == sheet.version}


def submit_sheet(session: Session, ctx: Context, incident_id: int) -> tuple[FactSheet, list[dict[str, Any]]]:
    incident = _lock(session, incident_id)
    sheet = factsheet.get_version(session, incident_id)
    if sheet.status != "draft":
        raise ConflictError("wording.error.not_draft", what=f"{incident.ref} v{sheet.version}", status=sheet.status)
    missing = factsheet.missing_required(sheet.content)
    if missing:
        raise InputError("wording.error.facts_missing", fields=", ".join(missing))
    findings = lint_sheet(ctx, sheet, session)
    sheet.status = "in_review"
    sheet.submitted_at = ctx.clock.now()
    record_event(
        session,
        ctx,
        incident,
        EventType.FACTS_SUBMITTED,
        version=sheet.version,
        errors=len(_errors(findings)),
        warnings=len(findings) - len(_errors(findings)),
    )
    return sheet, findings


def approve_sheet(session: Session, ctx: Context, incident_id: int, comment: str | None = None) -> FactSheet:
    incident = _lock(session, incident_id)
    sheet = _in_review_sheet(session, incident)
    findings = lint_sheet(ctx, sheet, session)
    if _errors(findings):
        raise ConflictError("wording.error.lint_blocks", count=len(_errors(findings)), first=_first(findings))
    signed, complete = approval.sign(
        session,
        ctx,
        subject_type="fact_sheet",
        subject_id=sheet.id,
        incident=incident,
        authors=sheet_editors(session, sheet),
        required=approval.required_roles(ctx, incident),
        comment=comment,
    )
    if not complete:
        record_event(session, ctx, incident, EventType.FACTS_SIGNED, version=sheet.version, role=signed.role)
        return sheet
    now = ctx.clock.now()
    previous = factsheet.approved(session, incident_id)
    if previous is not None:
        previous.status = "superseded"
        previous.ended_at = now
        session.flush()  # free the one-approved slot (partial unique index)
    sheet.status = "approved"
    sheet.approved_at = now
    record_event(
        session,
        ctx,
        incident,
        EventType.FACTS_APPROVED,
        version=sheet.version,
        role=signed.role,
        previous=previous.version if previous else None,
    )
    _mark_stale(session, ctx, incident, sheet, previous)
    pull.changed()
    return sheet


def reject_sheet(session: Session, ctx: Context, incident_id: int, reason: str) -> FactSheet:
    incident = _lock(session, incident_id)
    sheet = _in_review_sheet(session, incident)
    approval.reject(
        session,
        ctx,
        subject_type="fact_sheet",
        subject_id=sheet.id,
        incident=incident,
        required=approval.required_roles(ctx, incident),
        reason=reason,
    )
    sheet.status = "draft"
    sheet.submitted_at = None
    record_event(session, ctx, incident, EventType.FACTS_REJECTED, version=sheet.version, reason=reason.strip())
    return sheet


def retract_sheet(session: Session, ctx: Context, incident_id: int, reason: str) -> FactSheet:
    """Withdraw the approved wording (it was wrong): agents get nothing
    until a new version is approved; statements from it go stale."""
    incident = _lock(session, incident_id)
    sheet = factsheet.approved(session, incident_id)
    if sheet is None:
        raise NotFoundError("wording.error.no_approved_facts", ref=incident.ref)
    if not (reason or "").strip():
        raise InputError("wording.error.reason_required")
    person = approval.actor_key(ctx.config, ctx.actor)
    if not approval.roles_of(session, ctx.config, incident, person) & set(approval.required_roles(ctx, incident)):
        raise ConflictError(
            "wording.error.not_approver",
            person=person,
            roles="comms_lead",
            who=", ".join(approval.eligible(ctx.config, approval.Role.COMMS_LEAD)) or "—",
        )
    sheet.status = "retracted"
    sheet.ended_at = ctx.clock.now()
    record_event(session, ctx, incident, EventType.FACTS_RETRACTED, version=sheet.version, reason=reason.strip())
    pull.changed()
    session.execute(
        update(Statement)
        .where(Statement.fact_sheet_id == sheet.id, Statement.status.in_(("draft", "in_review", "approved")))
        .values(stale=True, stale_diff=[{"field": "retracted", "lang": None, "old": sheet.version, "new": None}])
    )
    return sheet


def _in_review_sheet(session: Session, incident: Incident) -> FactSheet:
    sheet = factsheet.latest(session, incident.id)
    if sheet is None or sheet.status != "in_review":
        status = sheet.status if sheet else "—"
        raise ConflictError("wording.error.not_in_review", what=f"{incident.ref} facts", status=status)
    return sheet


def _first(findings: list[dict[str, Any]]) -> str:
    f = _errors(findings)[0]
    return f"{f['rule']}「{f['text']}」"


def _mark_stale(
    session: Session, ctx: Context, incident: Incident, sheet: FactSheet, previous: FactSheet | None
) -> None:
    old = list(
        session.scalars(
            select(Statement).where(
                Statement.incident_id == incident.id,
                Statement.fact_version < sheet.version,
                Statement.status.in_(("draft", "in_review", "approved", "published")),
            )
        )
    )
    if not old:
        return
    sheets = {s.id: s for s in factsheet.versions(session, incident.id)}
    for st in old:
        base = sheets.get(st.fact_sheet_id)
        st.stale = True
        st.stale_diff = factsheet.diff(base.content if base else None, sheet.content)
    record_event(
        session,
        ctx,
        incident,
        EventType.STATEMENTS_STALE,
        version=sheet.version,
        statements=[st.number for st in old],
        fields=sorted({d["field"] for st in old for d in (st.stale_diff or [])}),
    )


# --------------------------------------------------------------- statements --


def parse_channels(values: Sequence[str] | str | None) -> list[str]:
    if values is None or values == "" or values == []:
        return list(CHANNELS)
    raw = values.split(",") if isinstance(values, str) else [v for item in values for v in str(item).split(",")]
    out: list[str] = []
    for v in raw:
        v = v.strip().lower()
        if not v:
            continue
        if v not in CHANNELS:
            raise InputError("wording.error.bad_channel", value=v, allowed=", ".join(CHANNELS))
        if v not in out:
            out.append(v)
    return out or list(CHANNELS)


def get_statement(session: Session, incident_id: int, number: int) -> Statement:
    st = session.scalars(
        select(Statement).where(Statement.incident_id == incident_id, Statement.number == number).with_for_update()
    ).one_or_none()
    if st is None:
        raise NotFoundError("wording.error.no_statement", ref=f"INC-{incident_id}", number=number)
    return st


def list_statements(session: Session, incident_id: int) -> list[Statement]:
    return list(
        session.scalars(select(Statement).where(Statement.incident_id == incident_id).order_by(Statement.number))
    )


def default_kind(session: Session, incident: Incident) -> str:
    """Resolution once resolved; holding while none is out (a retracted one does not count); then updates."""
    if not Status(incident.status).is_open:
        return "resolution"
    out = Statement.status.in_(("published", "superseded"))  # superseded: was published
    first = session.scalar(select(Statement.id).where(Statement.incident_id == incident.id, out).limit(1))
    return "holding" if first is None else "update"


def draft_statement(
    session: Session,
    ctx: Context,
    incident_id: int,
    *,
    kind: str | None = None,
    channels: Sequence[str] | str | None = None,
) -> Statement:
    incident = _lock(session, incident_id)
    kind = kind or default_kind(session, incident)
    if kind not in STATEMENT_KINDS:
        raise InputError("wording.error.bad_statement_kind", value=kind, allowed=", ".join(STATEMENT_KINDS))
    sheet = factsheet.approved(session, incident_id)
    if sheet is None:
        raise ConflictError("wording.error.no_approved_facts", ref=incident.ref)
    require_public_title(incident, sheet)
    chosen = parse_channels(channels)
    number = (session.scalar(select(func.max(Statement.number)).where(Statement.incident_id == incident_id)) or 0) + 1
    now = ctx.clock.now()
    renderings = render_statement(
        template_set(session), ctx.config, incident, sheet, kind=kind, number=number, channels=chosen, at=now
    )
    rendered, findings = freeze(renderings)
    st = Statement(
        incident_id=incident_id,
        number=number,
        kind=kind,
        fact_sheet_id=sheet.id,
        fact_version=sheet.version,
        channels=chosen,
        status="draft",
        rendered=rendered,
        findings=findings,
        stale=False,
        author=ctx.actor,
        created_at=now,
    )
    session.add(st)
    session.flush()
    record_event(
        session,
        ctx,
        incident,
        EventType.STATEMENT_DRAFTED,
        number=number,
        kind=kind,
        version=sheet.version,
        channels=chosen,
        errors=len(_errors(findings)),
    )
    return st


def submit_statement(session: Session, ctx: Context, incident_id: int, number: int) -> Statement:
    incident = _lock(session, incident_id)
    st = get_statement(session, incident_id, number)
    if st.status != "draft":
        raise ConflictError("wording.error.not_draft", what=f"{incident.ref} #{number}", status=st.status)
    _check_fresh(st, incident)
    check_statement(session, incident, st)
    st.status = "in_review"
    st.submitted_at = ctx.clock.now()
    record_event(session, ctx, incident, EventType.STATEMENT_SUBMITTED, number=number)
    return st


def _check_fresh(st: Statement, incident: Incident) -> None:
    if st.stale:
        raise ConflictError(
            "wording.error.stale",
            what=f"{incident.ref} #{st.number}",
            fields=", ".join(sorted({d["field"] for d in (st.stale_diff or [])})) or "—",
        )


def approve_statement(
    session: Session, ctx: Context, incident_id: int, number: int, comment: str | None = None, publish_now: bool = False
) -> Statement:
    incident = _lock(session, incident_id)
    st = get_statement(session, incident_id, number)
    if st.status != "in_review":
        raise ConflictError("wording.error.not_in_review", what=f"{incident.ref} #{number}", status=st.status)
    _check_fresh(st, incident)
    if _errors(st.findings):
        raise ConflictError("wording.error.lint_blocks", count=len(_errors(st.findings)), first=_first(st.findings))
    signed, complete = approval.sign(
        session,
        ctx,
        subject_type="statement",
        subject_id=st.id,
        incident=incident,
        authors=[st.author],
        required=approval.required_roles(ctx, incident),
        comment=comment,
    )
    if not complete:
        record_event(session, ctx, incident, EventType.STATEMENT_SIGNED, number=number, role=signed.role)
        return st
    st.status = "approved"
    st.approved_at = ctx.clock.now()
    record_event(session, ctx, incident, EventType.STATEMENT_APPROVED, number=number, role=signed.role)
    if publish_now:
        _publish(session, ctx, incident, st)
    return st


def reject_statement(session: Session, ctx: Context, incident_id: int, number: int, reason: str) -> Statement:
    incident = _lock(session, incident_id)
    st = get_statement(session, incident_id, number)
    if st.status not in ("in_review", "approved"):
        raise ConflictError("wording.error.not_in_review", what=f"{incident.ref} #{number}", status=st.status)
    approval.reject(
        session,
        ctx,
        subject_type="statement",
        subject_id=st.id,
        incident=incident,
        required=approval.required_roles(ctx, incident),
        reason=reason,
    )
    st.status = "draft"
    st.submitted_at = None
    st.approved_at = None
    record_event(session, ctx, incident, EventType.STATEMENT_REJECTED, number=number, reason=reason.strip())
    return st


def publish_statement(session: Session, ctx: Context, incident_id: int, number: int) -> Statement:
    incident = _lock(session, incident_id)
    st = get_statement(session, incident_id, number)
    if st.status == "published":
        return st  # a retried publish changes nothing
    if st.status != "approved":
        raise ConflictError("wording.error.not_approved", what=f"{incident.ref} #{number}", status=st.status)
    person = approval.actor_key(ctx.config, ctx.actor)
    if not approval.roles_of(session, ctx.config, incident, person) & set(approval.required_roles(ctx, incident)):
        raise ConflictError(
            "wording.error.not_publisher",
            person=person,
            who=", ".join(approval.eligible(ctx.config, approval.Role.COMMS_LEAD)) or "—",
        )
    _check_fresh(st, incident)
    _publish(session, ctx, incident, st)
    return st


def _publish(session: Session, ctx: Context, incident: Incident, st: Statement) -> None:
    now = ctx.clock.now()
    for older in session.scalars(
        select(Statement).where(
            Statement.incident_id == incident.id, Statement.status == "published", Statement.id != st.id
        )
    ):
        older.status = "superseded"
        older.ended_at = now
    st.status = "published"
    st.published_at = now
    st.published_by = ctx.actor
    count = write_deliveries(session, st, now)
    st.next_update_due_at = clocks.on_published(session, ctx, incident, st)
    record_event(
        session,
        ctx,
        incident,
        EventType.STATEMENT_PUBLISHED,
        number=st.number,
        kind=st.kind,
        channels=st.channels,
        deliveries=count,
        next_update_due_at=st.next_update_due_at.isoformat() if st.next_update_due_at else None,
    )


def write_deliveries(session: Session, st: Statement, now: dt.datetime) -> int:
    """One row per (statement, channel, recipient); the key makes a second
    write of the same delivery impossible."""
    rows: list[dict[str, Any]] = []
    for channel in st.channels:
        if channel == "status_page":
            continue  # served by the app straight from the published statement
        if channel in BROADCAST:
            for lang in BROADCAST[channel]:
                rows.append(_delivery(st, channel, f"@official/{lang}", lang, now))
            continue
        for sub in session.scalars(
            select(Subscriber).where(Subscriber.channel == channel, Subscriber.active.is_(True)).order_by(Subscriber.id)
        ):
            rows.append(_delivery(st, channel, sub.address, sub.lang if sub.lang in LANGS else "zh-CN", now))
    if not rows:
        return 0
    return len(insert_new(session, Delivery.__table__, rows, "idempotency_key"))


def _delivery(st: Statement, channel: str, recipient: str, lang: str, now: dt.datetime) -> dict[str, Any]:
    payload = {k: v for k, v in st.rendered[lang][channel].items() if k != "counts"}
    return dict(
        statement_id=st.id,
        incident_id=st.incident_id,
        channel=channel,
        recipient=recipient,
        lang=lang,
        idempotency_key=f"INC-{st.incident_id}/S{st.number}/{channel}/{recipient}",
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def retract_statement(session: Session, ctx: Context, incident_id: int, number: int, reason: str) -> Statement:
    incident = _lock(session, incident_id)
    st = get_statement(session, incident_id, number)
    if st.status in ("retracted", "superseded"):
        raise ConflictError("wording.error.not_retractable", what=f"{incident.ref} #{number}", status=st.status)
    if not (reason or "").strip():
        raise InputError("wording.error.reason_required")
    person = approval.actor_key(ctx.config, ctx.actor)
    if person != approval._key_or_raw(ctx.config, st.author) and not (
        approval.roles_of(session, ctx.config, incident, person) & set(approval.required_roles(ctx, incident))
    ):
        raise ConflictError(
            "wording.error.not_publisher",
            person=person,
            who=", ".join(approval.eligible(ctx.config, approval.Role.COMMS_LEAD)) or "—",
        )
    was = st.status
    st.status = "retracted"
    st.ended_at = ctx.clock.now()
    # What has not gone out yet does not go out.
    pending = update(Delivery).where(Delivery.statement_id == st.id, Delivery.status == "pending")
    # DML through the ORM session returns a CursorResult (typed as Result)
    cancelled = cast(CursorResult[Any], session.execute(pending.values(status="cancelled"))).rowcount
    record_event(
        session,
        ctx,
        incident,
        EventType.STATEMENT_RETRACTED,
        number=number,
        reason=reason.strip(),
        was=was,
        cancelled=cancelled or 0,
    )
    return st
