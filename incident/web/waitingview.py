"""What is waiting for one signed-in user: the response roles they owe an
acknowledgement, the fact sheets and statements in review they may sign,
the compensation entries they may approve, their callbacks due today, the
follow-up actions they own and the reviews (复盘) they may sign.

Each list applies the very rule the action itself applies (the roster's
sign-off roles and four eyes for wording, the ledger's supervisors and "not
the proposer" for compensation), so that nothing is listed that the user
would then be refused, and nothing they could do is missing. Read-only
queries; the caller holds the session."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.access import permissions
from incident.access import users as web_users
from incident.config import AppConfig
from incident.context import Context
from incident.enums import OPEN_STATUSES
from incident.errors import InputError
from incident.models import Callback, Compensation, FactSheet, Incident, RoleAssignment, Statement, User
from incident.money import ZERO, money_sum
from incident.remedy import callbacks, ledger
from incident.review import view as review_view
from incident.roster import find_person
from incident.timeutil import end_of_local_day
from incident.wording import approval, workflow

CALLS_SHOWN = 10  # the first calls listed here; the callbacks page has them all
OPEN = [s.value for s in OPEN_STATUSES]


@dataclass
class Waiting:
    acks: list[dict[str, Any]] = field(default_factory=list)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    comp: list[dict[str, Any]] = field(default_factory=list)
    calls: list[callbacks.DueRow] = field(default_factory=list)
    calls_total: int = 0
    calls_late: int = 0
    # the post-incident review: one's follow-up actions, reviews to sign (incident/review/view.py)
    actions: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Things to do: a role, a sheet, a statement, an incident's
        entries (approved together), a call."""
        mine = len(self.actions) + len(self.reviews)
        return len(self.acks) + len(self.sheets) + len(self.statements) + len(self.comp) + self.calls_total + mine


def collect(session: Session, ctx: Context, roles: Iterable[str], *, calls: bool = True) -> Waiting:
    """Everything waiting for ``ctx.actor`` (the roster key, or the user
    name of someone outside the roster) holding the web ``roles``."""
    held = list(roles)
    out = Waiting(acks=_acks(session, ctx.actor))
    if permissions.allowed(held, "wording.approve"):
        person = _roster_key(ctx.config, ctx.actor)
        if person is not None:
            out.sheets = _sheets(session, ctx, person)
            out.statements = _statements(session, ctx, person)
    if permissions.allowed(held, "remedy.approve") and ctx.actor in ledger.supervisors(ctx.config):
        out.comp = _compensation(session, ctx.actor)
    if permissions.allowed(held, "callbacks.own"):
        _callbacks(session, ctx, out, calls)
    if permissions.allowed(held, "review.view"):
        mine = review_view.waiting(session, ctx, sign=permissions.allowed(held, "review.sign"))
        out.actions, out.reviews = mine["actions"], mine["reviews"]
    return out


def _roster_key(config: AppConfig, name: str) -> str | None:
    try:
        return find_person(config, name)[0]
    except InputError:
        return None  # outside the roster: signs nothing (approval.actor_key)


def _acks(session: Session, actor: str) -> list[dict[str, Any]]:
    """Roles held on incidents still open (a resolved one owes no
    acknowledgement: the board says so), not yet acknowledged."""
    rows = session.execute(
        select(RoleAssignment, Incident.title)
        .join(Incident, Incident.id == RoleAssignment.incident_id)
        .where(
            RoleAssignment.person == actor,
            RoleAssignment.ended_at.is_(None),
            RoleAssignment.acked_at.is_(None),
            Incident.status.in_(OPEN),
        )
        .order_by(RoleAssignment.ack_due_at, RoleAssignment.id)
    ).all()
    return [
        {
            "incident_id": a.incident_id,
            "ref": f"INC-{a.incident_id}",
            "title": title,
            "role": a.role,
            "due": a.ack_due_at,
        }
        for a, title in rows
    ]


def _may_sign(
    session: Session, ctx: Context, person: str, incident: Incident, subject: tuple[str, int], authors: Iterable[str]
) -> bool:
    """approval.sign's rules, asked without signing: not an author, not
    signed already, and holding a sign-off role still open."""
    if person in {_roster_key(ctx.config, a) or a for a in authors}:
        return False
    done = approval.signoffs(session, *subject)
    if any(x.approver == person for x in done):
        return False
    signed = {x.role for x in done if x.decision == "approved"}
    open_roles = {r for r in approval.required_roles(ctx, incident) if r.value not in signed}
    return bool(open_roles & approval.roles_of(session, ctx.config, incident, person))


def _sheets(session: Session, ctx: Context, person: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(FactSheet, Incident)
        .join(Incident, Incident.id == FactSheet.incident_id)
        .where(FactSheet.status == "in_review")
        .order_by(FactSheet.submitted_at, FactSheet.id)
    ).all()
    out = []
    for sheet, incident in rows:
        # The editors of this version, as approve_sheet counts them.
        editors = workflow.sheet_editors(session, sheet)  # the approval rule itself, not a copy
        if _may_sign(session, ctx, person, incident, ("fact_sheet", sheet.id), editors):
            out.append(
                {
                    "incident_id": incident.id,
                    "ref": incident.ref,
                    "title": incident.title,
                    "version": sheet.version,
                    "author": sheet.author,
                    "at": sheet.submitted_at or sheet.created_at,
                }
            )
    return out


def _statements(session: Session, ctx: Context, person: str) -> list[dict[str, Any]]:
    # A stale statement cannot be approved (it is redrafted first): not listed.
    rows = session.execute(
        select(Statement, Incident)
        .join(Incident, Incident.id == Statement.incident_id)
        .where(Statement.status == "in_review", Statement.stale.is_(False))
        .order_by(Statement.submitted_at, Statement.id)
    ).all()
    return [
        {
            "incident_id": incident.id,
            "ref": incident.ref,
            "title": incident.title,
            "number": st.number,
            "kind": st.kind,
            "author": st.author,
            "at": st.submitted_at or st.created_at,
        }
        for st, incident in rows
        if _may_sign(session, ctx, person, incident, ("statement", st.id), [st.author])
    ]


def _compensation(session: Session, actor: str) -> list[dict[str, Any]]:
    """Per incident: the entries awaiting approval someone else proposed
    (read through the status index), and the cash among them."""
    rows = session.execute(
        select(Compensation.incident_id, Incident.title, Compensation.unit)
        .add_columns(func.count(), money_sum(Compensation.amount))
        .join(Incident, Incident.id == Compensation.incident_id)
        .where(Compensation.status == "proposed", Compensation.proposed_by != actor)
        .group_by(Compensation.incident_id, Incident.title, Compensation.unit)
        .order_by(Compensation.incident_id)
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for iid, title, unit, n, amount in rows:
        item = out.setdefault(iid, {"incident_id": iid, "ref": f"INC-{iid}", "title": title, "n": 0, "yuan": ZERO})
        item["n"] += n
        if unit == ledger.MONEY:
            item["yuan"] += amount
    return list(out.values())


def _callbacks(session: Session, ctx: Context, out: Waiting, listed: bool) -> None:
    """Open calls assigned to them up to the end of today (the centre's
    day), overdue ones first, as "my callbacks" orders them."""
    now = ctx.clock.now()
    end = end_of_local_day(now, ctx.config.zone)
    due = (Callback.status == "open", Callback.assignee == ctx.actor, Callback.call_at <= end)
    total, late = session.execute(
        select(func.count(), func.count().filter(Callback.due_at < now)).select_from(Callback).where(*due)
    ).one()
    out.calls_total, out.calls_late = int(total or 0), int(late or 0)
    if listed and out.calls_total:
        rows = callbacks.due(session, now, agent=ctx.actor, until=end, limit=2000)
        rows.sort(key=lambda d: (d.due_at >= now, d.call_at, d.id))
        out.calls = rows[:CALLS_SHOWN]


# ---- who can approve compensation ---------------------------------------------


def approving_supervisors(session: Session, config: AppConfig) -> tuple[list[str], list[str]]:
    """(the ledger's supervisors who can act: an active account whose web
    roles may approve compensation, the ones who cannot), each sorted.
    The command line needs an account too (its token), so a supervisor
    without one can approve nowhere."""
    wanted = ledger.supervisors(config)
    able: set[str] = set()
    if wanted:
        found = session.scalars(
            select(User).where(
                User.active.is_(True),
                (User.username.in_(wanted)) | (User.person.in_(wanted)),
            )
        )
        for user in found:
            key = web_users.actor(user)
            if key in wanted and permissions.allowed(user.roles or [], "remedy.approve"):
                able.add(key)
    return sorted(able), sorted(wanted - able)
