"""Incident service: declare, change status, assign, acknowledge, note,
update, attach signals, read and list.

Every function takes a session and a :class:`Context` and never commits;
the caller owns the transaction. Mutations lock the incident row first
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions here start with
BEGIN IMMEDIATE), so concurrent writers serialise per incident.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from incident import roster_overrides, webhooks
from incident.access import texts as _access_texts  # noqa: F401  (access.error.not_holder)
from incident.context import Context
from incident.enums import OPEN_STATUSES, EventType, Kind, Role, Severity, Status
from incident.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from incident.escalation_chain import next_step
from incident.i18n import LABELS, from_label
from incident.lifecycle import check_transition
from incident.models import Incident, IncidentLink, ResponseClock, RoleAssignment, TimelineEvent
from incident.notify import enqueue
from incident.roster import display as display_person
from incident.roster import find_person, on_call_for_role

TITLE_MAX = 200
SYSTEM_ACTOR = "system"


# ----------------------------------------------------------------- parsing --


# The id columns are INTEGER (PostgreSQL int4): a larger number names no
# row, and sent to the database it would fail (PostgreSQL refuses it,
# SQLite past 2**63) instead of simply finding nothing.
MAX_ID = 2**31 - 1


# ASCII only: \d and int() take any Unicode digit ("١" is 1) and
# str.isdigit() takes "²", which int() refuses — an id is 0-9 and nothing else.
_ID = re.compile(r"(?i)(?:#|inc-?)?\s*([0-9]+)", re.ASCII)
_PREFIX = re.compile(r"(?i)(?:#|inc-?)?\s*", re.ASCII)


def parse_id(text: str | int) -> int:
    """Accept 12, "12", "#12", "INC-12", "inc12". A number no id column
    holds — past the range, or written in other digits ("INC-١", "²") — is
    "no such incident" (NotFoundError), not a crash nor another incident."""
    raw = str(text).strip()
    m = _ID.fullmatch(raw)
    if m is None:
        rest = raw[_PREFIX.match(raw).end() :]  # type: ignore[union-attr]  # always matches (all optional)
        if rest.isnumeric():  # digits, but not 0-9
            raise NotFoundError("error.no_incident", id=raw[:40])
        raise InputError("error.bad_id", value=raw[:40])
    digits = m.group(1)
    if len(digits) >= 40 or int(digits) > MAX_ID:  # as door.ids_in_range; int() of a huge text is slow
        raise NotFoundError("error.no_incident", id=raw[:40])
    if int(digits) < 1:
        raise InputError("error.bad_id", value=raw[:40])
    return int(digits)


def parse_kind(text: str | Kind) -> Kind:
    if isinstance(text, Kind):
        return text
    try:
        return Kind(from_label("kind", text))
    except ValueError:
        raise InputError("error.bad_kind", value=text, **_choices("kind")) from None


def parse_severity(text: str | int | Severity) -> Severity:
    if isinstance(text, Severity):
        return text
    try:
        return Severity.parse(text)
    except ValueError:
        raise InputError("error.bad_severity", value=text) from None


def parse_status(text: str | Status) -> Status:
    if isinstance(text, Status):
        return text
    try:
        return Status(from_label("status", text))
    except ValueError:
        raise InputError("error.bad_status", value=text, **_choices("status")) from None


def _choices(group: str) -> dict[str, str]:
    """The accepted values (``allowed``) and their Chinese labels (``labels``,
    which only the zh-CN message names)."""
    return {"allowed": ", ".join(LABELS[group]), "labels": "、".join(f[0] for f in LABELS[group].values())}


def parse_role(text: str | Role) -> Role:
    if isinstance(text, Role):
        return text
    try:
        return Role.parse(str(text))
    except ValueError:
        raise InputError("error.bad_role", value=text, allowed=", ".join(r.value for r in Role)) from None


def _clean_list(values: Iterable[str] | None) -> list[str]:
    """Values as typed: repeated, or separated by commas (, ， or 、)."""
    out: list[str] = []
    for value in values or ():
        for part in re.split(r"[,，、]", str(value)):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# ---------------------------------------------------------------- internals --


def record_event(
    session: Session, ctx: Context, incident: Incident, type_: EventType, actor: str | None = None, **data: Any
) -> TimelineEvent:
    ev = TimelineEvent(
        incident_id=incident.id, at=ctx.clock.now(), type=type_.value, actor=actor or ctx.actor, data=data
    )
    session.add(ev)
    incident.updated_at = ev.at
    if ctx.config.webhooks:  # queued with the event, sent after commit
        webhooks.enqueue_event(session, ctx.config, incident, ev)
    return ev


def _lock(session: Session, incident_id: int) -> Incident:
    incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one_or_none()
    if incident is None:
        raise NotFoundError("error.no_incident", id=incident_id)
    return incident


def _active(session: Session, incident_id: int, role: Role) -> RoleAssignment | None:
    return session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.incident_id == incident_id,
            RoleAssignment.role == role.value,
            RoleAssignment.ended_at.is_(None),
        )
    ).one_or_none()


def _assign(
    session: Session,
    ctx: Context,
    incident: Incident,
    role: Role,
    person_key: str,
    team_key: str | None,
    source: str,
    previous: RoleAssignment | None = None,
) -> RoleAssignment:
    now = ctx.clock.now()
    person = ctx.config.people[person_key]
    if previous is not None:
        previous.ended_at = now
        session.flush()  # free the "one active holder" slot before taking it
    assignment = RoleAssignment(
        incident_id=incident.id,
        role=role.value,
        person=person_key,
        person_name=person.name,
        team=team_key,
        assigned_at=now,
        assigned_by=ctx.actor,
        ack_due_at=now + ctx.config.response.ack_timeout(role, incident.severity_enum),
    )
    session.add(assignment)
    session.flush()
    record_event(
        session,
        ctx,
        incident,
        EventType.ROLE_ASSIGNED,
        role=role.value,
        person=person_key,
        person_name=person.name,
        team=team_key,
        source=source,
        previous=previous.person if previous else None,
        ack_due_at=assignment.ack_due_at.isoformat(),
    )
    enqueue(
        session,
        recipient=person_key,
        key="notify.role_called",
        params={
            "ref": incident.ref,
            "title": incident.title,
            "severity": incident.severity_enum.label,
            "role": role.value,
            "assignment_id": assignment.id,
        },
        dedupe_key=f"called:{assignment.id}",
        now=now,
        incident_id=incident.id,
        config=ctx.config,
    )
    return assignment


def _call_in(session: Session, ctx: Context, incident: Incident, roles: Sequence[Role]) -> None:
    """Fill each role (not already held) with whoever is on call now,
    covers included."""
    now = ctx.clock.now()
    covers = roster_overrides.active(session, now)
    for role in roles:
        if _active(session, incident.id, role) is not None:
            continue
        team_key, found = on_call_for_role(ctx.config, role, now, covers)
        if found is not None:
            _assign(session, ctx, incident, role, found.person_key, team_key, source=found.source)
            continue
        record_event(
            session, ctx, incident, EventType.ROLE_UNFILLED, actor=SYSTEM_ACTOR, role=role.value, team=team_key
        )
        supervisor = ctx.config.teams[team_key].supervisor if team_key else None
        if supervisor:
            enqueue(
                session,
                recipient=supervisor,
                key="notify.role_unfilled",
                params={"ref": incident.ref, "title": incident.title, "role": role.value, "team": team_key},
                dedupe_key=f"unfilled:{incident.id}:{role.value}:{now.isoformat()}",
                now=now,
                incident_id=incident.id,
                config=ctx.config,
            )


# ------------------------------------------------------------------ writes --


def declare(
    session: Session,
    ctx: Context,
    *,
    kind: Kind | str,
    severity: Severity | int | str,
    title: str,
    summary: str | None = None,
    impact: str | None = None,
    channels: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    products: Iterable[str] | None = None,
    started_at: dt.datetime | None = None,
    detected_at: dt.datetime | None = None,
    dedup_key: str | None = None,
) -> Incident:
    """Open an incident and call in its response group from the roster."""
    kind, severity = parse_kind(kind), parse_severity(severity)
    title = (title or "").strip()
    if not title:
        raise InputError("error.title_empty")
    if len(title) > TITLE_MAX:
        raise InputError("error.title_long", max=TITLE_MAX, length=len(title))
    now = ctx.clock.now()
    for name, value in (("started_at", started_at), ("detected_at", detected_at)):
        if value is not None and value > now + dt.timedelta(minutes=5):
            raise InputError("error.future_time", field=name)
    dedup_key = _text(dedup_key)
    if dedup_key:
        existing = find_open_by_dedup(session, dedup_key)
        if existing is not None:
            raise ConflictError("error.dedup_open", key=dedup_key, id=existing.id)
    incident = Incident(
        kind=kind.value,
        severity=severity.value,
        status=Status.DECLARED.value,
        title=title,
        summary=_text(summary),
        impact=_text(impact),
        scope_channels=_clean_list(channels),
        scope_regions=_clean_list(regions),
        scope_products=_clean_list(products),
        dedup_key=dedup_key,
        declared_by=ctx.actor,
        started_at=started_at,
        detected_at=detected_at,
        declared_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    record_event(session, ctx, incident, EventType.DECLARED, kind=kind.value, severity=severity.value, title=title)
    from incident.wording import clocks  # noqa: PLC0415 — cycle: incidents ↔ wording.clocks (wording builds on incidents)

    clocks.start_holding(session, ctx, incident)
    _call_in(session, ctx, incident, ctx.config.response.roles_for(kind, severity))
    return incident


def find_open_by_dedup(session: Session, dedup_key: str) -> Incident | None:
    """The open incident new signals with ``dedup_key`` belong to: the one
    holding the key, else the open incident a closed holder was merged
    into (incident/merge.py), following a chain of merges."""
    open_values = [s.value for s in OPEN_STATUSES]
    found = session.scalars(
        select(Incident).where(Incident.dedup_key == dedup_key, Incident.status.in_(open_values))
    ).one_or_none()
    if found is not None:
        return found
    # From the (few) merge links, not from every closed incident that ever
    # held the key: only the open incidents' keys are indexed.
    step = select(IncidentLink.other_id).where(IncidentLink.kind == "merged_into")
    targets = list(
        session.scalars(
            step.join(Incident, Incident.id == IncidentLink.incident_id).where(Incident.dedup_key == dedup_key)
        )
    )
    seen: set[int] = set()
    while targets and len(seen) < 50:  # a bound, not a real depth: merges do not loop
        hit = session.scalars(
            select(Incident)
            .where(Incident.id.in_(targets), Incident.status.in_(open_values))
            .order_by(Incident.id.desc())
        ).first()
        if hit is not None:
            return hit
        seen.update(targets)
        targets = [t for t in session.scalars(step.where(IncidentLink.incident_id.in_(targets))) if t not in seen]
    return None


def attach_signal(session: Session, ctx: Context, incident_id: int, signal: dict[str, Any]) -> TimelineEvent:
    """Record a detection signal (feed entry, volume alert …) on an incident."""
    incident = _lock(session, incident_id)
    return record_event(session, ctx, incident, EventType.SIGNAL_ATTACHED, signal=signal)


def open_or_attach(
    session: Session, ctx: Context, *, dedup_key: str, signal: dict[str, Any], **declare_args: Any
) -> tuple[Incident, bool]:
    """For detection: attach ``signal`` to the open incident with
    ``dedup_key``, or declare one. Safe against a concurrent detector doing
    the same: the unique index decides, and the loser attaches.
    Returns (incident, created)."""
    for _ in range(3):
        existing = find_open_by_dedup(session, dedup_key)
        if existing is not None:
            attach_signal(session, ctx, existing.id, signal)
            return existing, False
        try:
            with session.begin_nested():
                incident = declare(session, ctx, dedup_key=dedup_key, **declare_args)
                attach_signal(session, ctx, incident.id, signal)
            return incident, True
        except (IntegrityError, ConflictError):
            continue  # someone else opened it between our check and insert
    raise ConflictError("error.dedup_race", key=dedup_key)


def change_status(
    session: Session, ctx: Context, incident_id: int, target: Status | str, note: str | None = None
) -> Incident:
    incident = _lock(session, incident_id)
    target = parse_status(target)
    current = incident.status_enum
    check_transition(current, target)
    if target == Status.CLOSED:  # the review's gate: signed off, or the lead said why not ([review])
        from incident.review.service import check_close  # noqa: PLC0415 — the review builds on incidents

        check_close(session, ctx, incident)
    now = ctx.clock.now()
    incident.status = target.value
    if target == Status.RESOLVED:
        incident.resolved_at = now
    elif target == Status.CLOSED:
        incident.closed_at = now
    if not target.is_open:
        from incident.wording import clocks, pull  # noqa: PLC0415 — cycle: incidents ↔ wording.clocks; wording above incidents

        clocks.stop(session, ctx, incident.id)
        pull.changed()
    elif current == Status.RESOLVED:  # reopened
        incident.resolved_at = None
        # what was signed off looked back on an incident that was not over
        from incident.review.service import reopened  # noqa: PLC0415 — the review builds on incidents

        reopened(session, ctx, incident)
    record_event(
        session,
        ctx,
        incident,
        EventType.STATUS_CHANGED,
        **{"from": current.value, "to": target.value, "note": _text(note)},
    )
    if target == Status.RESOLVED:
        # Every affected customer hears the result within the hour (003 §2.4):
        # the calls exist from the moment of resolution, not the next sweep.
        from incident.remedy import callbacks  # noqa: PLC0415 — cycle: incidents ↔ remedy.callbacks

        if callbacks.schedule(session, ctx, incident).created:
            callbacks.assign(session, ctx)
        # The review (复盘) opens with the resolution, and tells the lead
        # (issue 24 point 1); a reopened and re-resolved incident keeps its own
        # text, its sign-offs voided at the reopening.
        from incident.review.service import open_review  # noqa: PLC0415 — the review builds on incidents

        open_review(session, ctx, incident.id)
    elif target == Status.CLOSED:
        # What it taught stays: its approved reply and its customers'
        # questions become a knowledge-base entry (once; issue 24 point 2).
        from incident.knowledge import harvest  # noqa: PLC0415 — cycle: knowledge → wording → incidents

        harvest.harvest(session, ctx, incident)
    return incident


def assign(session: Session, ctx: Context, incident_id: int, role: Role | str, person: str) -> RoleAssignment:
    incident = _lock(session, incident_id)
    if incident.status_enum == Status.CLOSED:
        raise ConflictError("error.incident_closed", id=incident.id)
    role = parse_role(role)
    person_key, _ = find_person(ctx.config, person)
    current = _active(session, incident.id, role)
    if current is not None and current.person == person_key:
        raise ConflictError("error.already_holds", person=person_key, role=role.value, id=incident.id)
    team_key = next((k for k, t in ctx.config.teams.items() if role in t.roles), None)
    return _assign(session, ctx, incident, role, person_key, team_key, source="manual", previous=current)


def acknowledge(
    session: Session, ctx: Context, incident_id: int, role: Role | str, *, for_others: bool = True
) -> tuple[RoleAssignment, bool]:
    """Mark the current holder of ``role`` as having acknowledged.
    Idempotent: returns (assignment, False) when it already was.

    The holder acknowledges ("I am on it"). Someone else may record it for
    them (a lead whom the holder confirmed to by phone) only when
    ``for_others`` — the web and the CLI pass whether the caller may update
    the incident — and the timeline then says who recorded it, rather than
    reading as if the holder had."""
    incident = _lock(session, incident_id)
    role = parse_role(role)
    current = _active(session, incident.id, role)
    if current is None:
        raise ConflictError("error.role_vacant", role=role.value, id=incident.id)
    recorder = None if ctx.actor == current.person else ctx.actor
    if recorder is not None and not for_others:
        raise ForbiddenError("access.error.not_holder", role=role.value, holder=current.person_name)
    if current.acked_at is not None:
        return current, False
    now = ctx.clock.now()
    current.acked_at = now
    current.acked_by = ctx.actor
    extra: dict[str, Any] = {}
    if recorder is not None:
        extra = {"recorded_by": recorder, "recorded_by_name": display_person(ctx.config, recorder)}
    record_event(
        session,
        ctx,
        incident,
        EventType.ACKNOWLEDGED,
        role=role.value,
        person=current.person,
        person_name=current.person_name,
        late=now > current.ack_due_at,
        seconds=int((now - current.assigned_at).total_seconds()),
        **extra,
    )
    return current, True


def add_note(session: Session, ctx: Context, incident_id: int, text: str) -> TimelineEvent:
    text = (text or "").strip()
    if not text:
        raise InputError("error.note_empty")
    incident = _lock(session, incident_id)
    return record_event(session, ctx, incident, EventType.NOTE, text=text)


_UPDATABLE = ("title", "summary", "impact", "severity", "channels", "regions", "products", "started_at", "detected_at")


def update(session: Session, ctx: Context, incident_id: int, **changes: Any) -> dict[str, tuple[Any, Any]]:
    """Change fields; a higher severity calls in the roles it adds (e.g.
    legal when a public-opinion event becomes SEV2). Returns what changed."""
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise InputError("error.bad_field", field=", ".join(sorted(unknown)))
    incident = _lock(session, incident_id)
    if incident.status_enum == Status.CLOSED:
        raise ConflictError("error.incident_closed", id=incident.id)
    changed: dict[str, tuple[Any, Any]] = {}

    def put(attr: str, new: Any, label: str) -> None:
        old = getattr(incident, attr)
        if new != old:
            setattr(incident, attr, new)
            changed[label] = (old, new)

    for field, value in changes.items():
        if value is None:
            continue
        if field == "title":
            title = str(value).strip()
            if not title:
                raise InputError("error.title_empty")
            if len(title) > TITLE_MAX:
                raise InputError("error.title_long", max=TITLE_MAX, length=len(title))
            put("title", title, field)
        elif field in ("summary", "impact"):
            put(field, _text(value), field)
        elif field == "severity":
            put("severity", parse_severity(value).value, field)
        elif field in ("channels", "regions", "products"):
            put(f"scope_{field}", _clean_list(value), field)
        else:
            put(field, value, field)
    if not changed:
        return changed
    record_event(
        session,
        ctx,
        incident,
        EventType.UPDATED,
        changes={k: [_jsonable(o), _jsonable(n)] for k, (o, n) in changed.items()},
    )
    if "severity" in changed and incident.status_enum.is_open:
        _retime(session, ctx, incident, Severity(changed["severity"][0]))
        _call_in(session, ctx, incident, ctx.config.response.roles_for(incident.kind_enum, incident.severity_enum))
    return changed


def _retime(session: Session, ctx: Context, incident: Incident, before: Severity) -> None:
    """A new severity brings its own deadlines (003 §2.3: a SEV1 role is
    acknowledged within minutes, a SEV3 one within half an hour). Every role
    still owed an acknowledgement and every running "next update" clock is
    re-timed from when it started, a role already escalating takes its next
    step at the new pace from its last one, and the timeline says so; a
    deadline that is already past is picked up by the next escalation sweep."""
    sev = incident.severity_enum
    roles = _retime_escalations(session, ctx, incident, before)
    for a in session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.incident_id == incident.id,
            RoleAssignment.ended_at.is_(None),
            RoleAssignment.acked_at.is_(None),
            RoleAssignment.escalated_at.is_(None),
        )
    ):
        due = a.assigned_at + ctx.config.response.ack_timeout(a.role_enum, sev)
        if due != a.ack_due_at:
            a.ack_due_at = due
            roles.append(a.role)
    clocks = 0
    for c in session.scalars(
        select(ResponseClock).where(
            ResponseClock.incident_id == incident.id,
            ResponseClock.kind == "update",
            ResponseClock.met_at.is_(None),
            ResponseClock.stopped_at.is_(None),
        )
    ):
        due = c.started_at + ctx.config.wording.update_interval(sev)
        if due != c.due_at:
            c.due_at, clocks = due, clocks + 1
    if roles or clocks:
        record_event(
            session, ctx, incident, EventType.DEADLINES_RETIMED, severity=sev.value, roles=sorted(roles), clocks=clocks
        )


def _retime_escalations(session: Session, ctx: Context, incident: Incident, before: Severity) -> list[str]:
    policy = ctx.config.response.escalation
    covers = roster_overrides.active(session, ctx.clock.now())
    roles = []
    for a in session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.incident_id == incident.id,
            RoleAssignment.ended_at.is_(None),
            RoleAssignment.acked_at.is_(None),
            RoleAssignment.next_escalation_at.is_not(None),
        )
    ):
        assert a.next_escalation_at is not None
        after = next_step(ctx.config, a.team, a.person, a.escalation_step, ctx.clock.now(), covers)
        level = after.level if after else None
        last_step = a.next_escalation_at - policy.delay(before, level)
        due = last_step + policy.delay(incident.severity_enum, level)
        if due != a.next_escalation_at:
            a.next_escalation_at = due
            roles.append(a.role)
    return roles


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


# ------------------------------------------------------------------- reads --


def get(session: Session, incident_id: int) -> Incident:
    incident = session.scalars(
        select(Incident)
        .where(Incident.id == incident_id)
        .options(selectinload(Incident.events), selectinload(Incident.assignments))
    ).one_or_none()
    if incident is None:
        raise NotFoundError("error.no_incident", id=incident_id)
    return incident


class IncidentRow(NamedTuple):
    """What a list shows: plain columns only, no JSON, no timeline, no group.
    A NamedTuple because building ten thousand of them must be cheap."""

    id: int
    kind: str
    severity: int
    status: str
    title: str
    declared_at: dt.datetime
    resolved_at: dt.datetime | None
    dedup_key: str | None

    @property
    def ref(self) -> str:
        return f"INC-{self.id}"


def _conditions(
    *,
    statuses: Iterable[Status | str] | None = None,
    kinds: Iterable[Kind | str] | None = None,
    severities: Iterable[Severity | int | str] | None = None,
    open_only: bool = False,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    search: str | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE clause shared by :func:`list_incidents` and :func:`count_incidents`."""
    where: list[ColumnElement[bool]] = []
    status_values = {parse_status(s).value for s in statuses or ()}
    if open_only:
        open_values = {s.value for s in OPEN_STATUSES}
        status_values = (status_values & open_values) if status_values else open_values
        if not status_values:  # e.g. open_only with --status closed: nothing can match
            return [false()]
    if status_values:
        where.append(Incident.status.in_(sorted(status_values)))
    if kinds:
        where.append(Incident.kind.in_(sorted({parse_kind(k).value for k in kinds})))
    if severities:
        where.append(Incident.severity.in_(sorted({parse_severity(s).value for s in severities})))
    if since is not None:
        where.append(Incident.declared_at >= since)
    if until is not None:
        where.append(Incident.declared_at < until)
    if search:
        # % and _ typed by the user are text, not LIKE wildcards
        term = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{term}%"
        where.append(
            or_(
                func.lower(Incident.title).like(pattern, escape="\\"),
                func.lower(Incident.summary).like(pattern, escape="\\"),
            )
        )
    return where


def list_incidents(session: Session, *, limit: int | None = None, **filters: Any) -> list[IncidentRow]:
    """Newest first. ``filters`` are those of :func:`_conditions`."""
    q = select(*(getattr(Incident, name) for name in IncidentRow._fields)).where(*_conditions(**filters))
    q = q.order_by(Incident.declared_at.desc(), Incident.id.desc())
    if limit is not None:
        if limit < 1:
            raise InputError("error.bad_limit", value=limit)
        q = q.limit(limit)
    # Core execution: the ORM result machinery costs more than the query here.
    return [IncidentRow._make(row) for row in session.connection().execute(q)]


def count_incidents(session: Session, **filters: Any) -> int:
    return session.scalar(select(func.count()).select_from(Incident).where(*_conditions(**filters))) or 0
