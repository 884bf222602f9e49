"""The incident core: open an incident, the steps of a status change,
assign, acknowledge, note, update, attach signals, read and list.

It builds on the store, config and roster only. Whole actions that go on
into wording, remedy, review and knowledge (declare, change status, open or
attach after detection) are use cases, in incident/response.py, which calls
this module and then the domain packages.

Every function takes a session and a :class:`Context` and never commits;
the caller owns the transaction. Mutations lock the incident row first
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions here start with
BEGIN IMMEDIATE), so concurrent writers serialise per incident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import roster_overrides, webhooks
from incident.access import texts as _access_texts  # noqa: F401  (access.error.not_holder)
from incident.context import Context
from incident.enums import OPEN_STATUSES, EventType, Kind, Role, Severity, Status
from incident.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from incident.escalation_chain import next_step

# Parsing and reading live in their own modules; their names stay importable
# from here, where every caller has always found them.
from incident.incident_parse import (  # noqa: F401
    MAX_ID,
    _choices,
    _clean_list,
    _text,
    parse_id,
    parse_kind,
    parse_role,
    parse_severity,
    parse_status,
)
from incident.incident_queries import IncidentRow, count_incidents, get, list_incidents  # noqa: F401
from incident.lifecycle import check_transition
from incident.models import Incident, IncidentLink, ResponseClock, RoleAssignment, TimelineEvent
from incident.notify import enqueue
from incident.roster import display as display_person
from incident.roster import find_person, on_call_for_role

TITLE_MAX = 200
SYSTEM_ACTOR = "system"


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


def open_incident(
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
    """Insert an incident and its "declared" event. Only the core part:
    incident.response.declare starts its clocks and calls in its group."""
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
    return incident


def call_in_group(session: Session, ctx: Context, incident: Incident) -> None:
    """Call in the response group the kind and severity need, from the roster."""
    _call_in(session, ctx, incident, ctx.config.response.roles_for(incident.kind_enum, incident.severity_enum))


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


class StatusChange(NamedTuple):
    incident: Incident
    current: Status
    target: Status


def begin_status_change(session: Session, incident_id: int, target: Status | str) -> StatusChange:
    """Lock the incident and check the move is allowed; nothing changed yet
    (incident.response.change_status runs the whole move)."""
    incident = _lock(session, incident_id)
    target = parse_status(target)
    current = incident.status_enum
    check_transition(current, target)
    return StatusChange(incident, current, target)


def apply_status(ctx: Context, change: StatusChange) -> None:
    """Set the new status and the times it stamps or clears."""
    incident, target = change.incident, change.target
    now = ctx.clock.now()
    incident.status = target.value
    if target == Status.RESOLVED:
        incident.resolved_at = now
    elif target == Status.CLOSED:
        incident.closed_at = now
    if target.is_open and change.current == Status.RESOLVED:  # reopened
        incident.resolved_at = None


def record_status_change(session: Session, ctx: Context, change: StatusChange, note: str | None) -> TimelineEvent:
    return record_event(
        session,
        ctx,
        change.incident,
        EventType.STATUS_CHANGED,
        **{"from": change.current.value, "to": change.target.value, "note": _text(note)},
    )


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
