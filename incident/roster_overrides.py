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
from incident.roster import Cover, find_person
from incident.textin import clean_text

LONGEST = dt.timedelta(days=14)  # a cover longer than this is a roster change


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
    if team is not None and team not in ctx.config.teams:
        raise InputError("cover.error.team", team=team, known=", ".join(ctx.config.teams) or "—")
    if end <= ctx.clock.now():
        raise InputError("cover.error.past")
    if end <= start:
        raise InputError("cover.error.order")
    if end - start > LONGEST:
        raise InputError("cover.error.too_long", days=LONGEST.days)
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
