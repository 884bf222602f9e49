"""Four-eyes sign-off for fact sheets, statements and comms-authored
templates.

Who may sign: whoever holds the incident's comms-lead role, anyone in a team
that covers it (its rotation, shifts and supervisor), and the people listed
in ``[wording].approvers``; for SEV1–2 public-opinion incidents legal must
sign as well (``legal_signoff``; 000 §6.2). Nobody signs what they wrote or
edited. Errors found by the linter block approval.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.context import Context
from incident.enums import Kind, Role, Severity
from incident.errors import ConflictError, InputError
from incident.models import Approval, Incident, RoleAssignment
from incident.roster import find_person
from incident.wording import texts as _texts  # noqa: F401


def actor_key(config: AppConfig, actor: str) -> str:
    """The roster key of the person acting; someone outside the roster
    cannot sign anything."""
    try:
        return find_person(config, actor)[0]
    except InputError:
        raise InputError("wording.error.actor_unknown", actor=actor) from None


def required_roles(ctx: Context, incident: Incident) -> list[Role]:
    roles = [Role.COMMS_LEAD]
    if (
        ctx.config.wording.legal_signoff
        and incident.kind == Kind.PUBLIC_OPINION.value
        and incident.severity <= Severity.SEV2.value
    ):
        roles.append(Role.LEGAL_LIAISON)
    return roles


def _team_members(config: AppConfig, role: Role) -> set[str]:
    out: set[str] = set()
    for team in config.teams.values():
        if role in team.roles:
            out.add(team.supervisor)
            if team.rotation:
                out.update(team.rotation.members)
            out.update(s.person for s in team.shifts)
    return out


def roles_of(session: Session, config: AppConfig, incident: Incident | None, person: str) -> set[Role]:
    """The sign-off roles ``person`` holds for ``incident``."""
    held: set[Role] = set()
    if incident is not None:
        rows = session.scalars(
            select(RoleAssignment.role).where(
                RoleAssignment.incident_id == incident.id,
                RoleAssignment.person == person,
                RoleAssignment.ended_at.is_(None),
            )
        )
        held.update(Role(r) for r in rows if r in (Role.COMMS_LEAD.value, Role.LEGAL_LIAISON.value))
    for role in (Role.COMMS_LEAD, Role.LEGAL_LIAISON):
        if person in _team_members(config, role):
            held.add(role)
    if person in config.wording.approvers:
        held.add(Role.COMMS_LEAD)
    return held


def eligible(config: AppConfig, role: Role) -> list[str]:
    names = _team_members(config, role) | (set(config.wording.approvers) if role == Role.COMMS_LEAD else set())
    return sorted(names)


def signoffs(session: Session, subject_type: str, subject_id: int) -> list[Approval]:
    return list(
        session.scalars(
            select(Approval)
            .where(Approval.subject_type == subject_type, Approval.subject_id == subject_id)
            .order_by(Approval.id)
        )
    )


def sign(
    session: Session,
    ctx: Context,
    *,
    subject_type: str,
    subject_id: int,
    incident: Incident | None,
    authors: Iterable[str],
    required: list[Role],
    comment: str | None = None,
) -> tuple[Approval, bool]:
    """Record the actor's approval. Returns (the sign-off, whether every
    required role has now signed)."""
    person = actor_key(ctx.config, ctx.actor)
    author_keys = {_key_or_raw(ctx.config, a) for a in authors}
    if person in author_keys:
        raise ConflictError("wording.error.four_eyes", person=person)
    done = signoffs(session, subject_type, subject_id)
    if any(a.approver == person for a in done):
        raise ConflictError("wording.error.already_signed", person=person)
    signed = {Role(a.role) for a in done if a.decision == "approved"}
    open_roles = [r for r in required if r not in signed]
    mine = roles_of(session, ctx.config, incident, person)
    usable = [r for r in open_roles if r in mine]
    if not usable:
        need = open_roles or required
        raise ConflictError(
            "wording.error.not_approver",
            person=person,
            roles=",".join(r.value for r in need),
            who=", ".join(sorted({p for r in need for p in eligible(ctx.config, r)} - author_keys)) or "—",
        )
    approval = Approval(
        subject_type=subject_type,
        subject_id=subject_id,
        approver=person,
        role=usable[0].value,
        decision="approved",
        comment=(comment or "").strip() or None,
        at=ctx.clock.now(),
    )
    session.add(approval)
    session.flush()
    complete = all(r in signed or r == usable[0] for r in required)
    return approval, complete


def reject(
    session: Session,
    ctx: Context,
    *,
    subject_type: str,
    subject_id: int,
    incident: Incident | None,
    required: list[Role],
    reason: str,
) -> str:
    """Any eligible reviewer may send it back; the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("wording.error.reason_required")
    person = actor_key(ctx.config, ctx.actor)
    if not roles_of(session, ctx.config, incident, person) & set(required):
        raise ConflictError(
            "wording.error.not_approver",
            person=person,
            roles=",".join(r.value for r in required),
            who=", ".join(sorted({p for r in required for p in eligible(ctx.config, r)})) or "—",
        )
    clear(session, subject_type, subject_id)
    return person


def clear(session: Session, subject_type: str, subject_id: int) -> None:
    """Forget the sign-offs of a subject: what is reviewed next is new."""
    session.execute(delete(Approval).where(Approval.subject_type == subject_type, Approval.subject_id == subject_id))


def _key_or_raw(config: AppConfig, name: str) -> str:
    try:
        return find_person(config, name)[0]
    except InputError:
        return name
