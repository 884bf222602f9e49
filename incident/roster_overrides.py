"""Cover: "I cover for 李娜 tonight". While a cover lasts, whoever the
roster puts on call as the covered person is replaced by the one covering
(in one team, or in every team), so that new call-ins and the escalation
chain's deputies reach someone who is actually there. Roles already held
are not moved: a lead reassigns them (``incident assign``).

Anyone may arrange a cover they take part in (covering, or handing over
their own turn); a lead or an admin may arrange one for others. Covers are
kept (cancelled ones too) so that the record says who was on call when.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import roster_texts as _texts  # noqa: F401
from incident.context import Context
from incident.errors import ConflictError, InputError, NotFoundError
from incident.models_people import RosterOverride
from incident.roster import Cover, display, find_person, members
from incident.textin import clean_text

LONGEST = dt.timedelta(days=14)  # a cover longer than this is a roster change
SLACK = dt.timedelta(minutes=5)  # "from now" typed a moment ago; earlier would rewrite who was on call


def _cover(row: RosterOverride) -> Cover:
    return Cover(row.id, row.person, row.covers, row.team, row.start_at, row.end_at)


def add(
    session: Session,
    ctx: Context,
    person: str,
    covers: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    team: str | None = None,
    note: str | None = None,
) -> Cover:
    """Record a cover; the caller checks who may arrange it (``may_arrange``)."""
    person, _ = find_person(ctx.config, person)
    covers, _ = find_person(ctx.config, covers)
    if person == covers:
        raise InputError("cover.error.self", person=person)
    _check_team(ctx, covers, team)
    now = ctx.clock.now()
    if end <= now:
        raise InputError("cover.error.past")
    if start < now - SLACK:
        raise InputError("cover.error.backdated")
    if end <= start:
        raise InputError("cover.error.order")
    if end - start > LONGEST:
        raise InputError("cover.error.too_long", days=LONGEST.days)
    _check_clash(session, ctx, person, covers, team, start, end)
    row = RosterOverride(
        person=person,
        covers=covers,
        team=team,
        start_at=start,
        end_at=end,
        note=clean_text("note", note)[:500] or None,
        created_by=ctx.actor,
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    return _cover(row)


def _check_team(ctx: Context, covers: str, team: str | None) -> None:
    """The covered person is someone the roster puts on call (there, or somewhere)."""
    teams = ctx.config.teams
    if team is not None and team not in teams:
        raise InputError("cover.error.team", team=team, known=", ".join(teams) or "—")
    where = [teams[team]] if team is not None else list(teams.values())
    if teams and not any(covers in members(t) for t in where):
        raise InputError("cover.error.not_on_roster", person=display(ctx.config, covers), team=team or "—")


def _check_clash(
    session: Session,
    ctx: Context,
    person: str,
    covers: str,
    team: str | None,
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    """One cover at a time for a turn, and nobody covering for their own cover."""
    for other in active(session, ctx.clock.now()):
        overlaps = other.start_at < end and start < other.end_at
        same_place = team is None or other.team is None or team == other.team
        if not (overlaps and same_place):
            continue
        if other.covers == covers:
            raise ConflictError("cover.error.overlap", id=other.id, person=display(ctx.config, other.person))
        if other.covers == person and other.person == covers:
            raise ConflictError("cover.error.circular", id=other.id)


def may_arrange(ctx: Context, person: str, covers: str, can_arrange_for_others: bool) -> bool:
    """Someone may arrange a cover they take part in; others need the right."""
    return can_arrange_for_others or ctx.actor in (person, covers)


def cancel(session: Session, ctx: Context, cover_id: int, can_arrange_for_others: bool) -> Cover:
    row = session.get(RosterOverride, cover_id, with_for_update=True)
    if row is None:
        raise NotFoundError("cover.error.no_such", id=cover_id)
    if not may_arrange(ctx, row.person, row.covers, can_arrange_for_others):
        raise InputError("cover.error.not_yours", id=cover_id)
    if row.cancelled_at is not None or row.end_at <= ctx.clock.now():
        raise ConflictError("cover.error.over", id=cover_id)
    row.cancelled_at = ctx.clock.now()
    row.cancelled_by = ctx.actor
    return _cover(row)


def active(session: Session, at: dt.datetime) -> list[Cover]:
    """Covers that have not ended by ``at`` (those starting later included:
    the roster checks each one's window itself)."""
    rows = session.scalars(
        select(RosterOverride)
        .where(RosterOverride.cancelled_at.is_(None), RosterOverride.end_at > at)
        .order_by(RosterOverride.start_at, RosterOverride.id)
    ).all()
    return [_cover(r) for r in rows]
