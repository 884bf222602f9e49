"""What the incident board reads, in a handful of indexed queries whatever
is stored: the open incidents (one page of them), their response groups
and clocks in one query each, and for the chosen incident its signals, the
volume series that triggered it and its latest timeline events. Nothing
here touches the complaints table, so the board's cost does not grow with
it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.enums import OPEN_STATUSES, Status
from incident.incidents import IncidentRow, count_incidents, get
from incident.lifecycle import allowed_next
from incident.models import (
    Incident,
    ResponseClock,
    RoleAssignment,
    Signal,
    Statement,
    TimelineEvent,
    VolumePoint,
    VolumeSeries,
)

PAGE = 100  # cards per page; the rest is a click away
TIMELINE = 200
SIGNALS = 20
CHART_POINTS = 288  # a day of 5-minute buckets


@dataclass
class Card:
    row: IncidentRow
    roles: list[RoleAssignment] = field(default_factory=list)
    clock: ResponseClock | None = None  # the next running response clock

    @property
    def pending(self) -> int:
        return sum(1 for a in self.roles if a.acked_at is None)


@dataclass
class Board:
    cards: list[Card]
    total: int
    page: int

    @property
    def by_severity(self) -> list[tuple[int, list[Card]]]:
        groups: dict[int, list[Card]] = {}
        for card in self.cards:
            groups.setdefault(card.row.severity, []).append(card)
        return sorted(groups.items())


def open_board(session: Session, page: int = 1) -> Board:
    """Open incidents, most severe first, then oldest first (the longest
    burning on top of its group)."""
    open_values = [s.value for s in OPEN_STATUSES]
    q = (select(*(getattr(Incident, name) for name in IncidentRow._fields))
         .where(Incident.status.in_(open_values))
         .order_by(Incident.severity, Incident.declared_at, Incident.id)
         .limit(PAGE).offset((max(page, 1) - 1) * PAGE))
    rows = [IncidentRow._make(r) for r in session.connection().execute(q)]
    total = count_incidents(session, open_only=True)
    cards = {r.id: Card(r) for r in rows}
    if cards:
        ids = list(cards)
        for a in session.scalars(select(RoleAssignment).where(RoleAssignment.incident_id.in_(ids),
                                                              RoleAssignment.ended_at.is_(None))
                                 .order_by(RoleAssignment.id)):
            cards[a.incident_id].roles.append(a)
        for c in session.scalars(select(ResponseClock).where(ResponseClock.incident_id.in_(ids),
                                                             ResponseClock.met_at.is_(None),
                                                             ResponseClock.stopped_at.is_(None))
                                 .order_by(ResponseClock.due_at)):
            if cards[c.incident_id].clock is None:
                cards[c.incident_id].clock = c
    return Board(list(cards.values()), total, max(page, 1))


@dataclass
class Chart:
    series: str
    points: list[VolumePoint]
    alerts: list[dt.datetime]


@dataclass
class Detail:
    incident: Incident
    roles: list[RoleAssignment]
    clocks: list[ResponseClock]
    signals: list[Signal]
    signal_count: int
    charts: list[Chart]
    events: list[TimelineEvent]
    event_count: int
    published: Statement | None
    next_statuses: list[Status]


def detail(session: Session, incident_id: int) -> Detail:
    inc = get(session, incident_id)
    roles = list(session.scalars(select(RoleAssignment).where(RoleAssignment.incident_id == incident_id,
                                                              RoleAssignment.ended_at.is_(None))
                                 .order_by(RoleAssignment.id)))
    clocks = list(session.scalars(select(ResponseClock).where(ResponseClock.incident_id == incident_id)
                                  .order_by(ResponseClock.id.desc()).limit(5)))
    signals = list(session.scalars(select(Signal).where(Signal.incident_id == incident_id)
                                   .order_by(Signal.id).limit(SIGNALS)))
    signal_count = session.scalar(select(func.count()).select_from(Signal).where(Signal.incident_id == incident_id)) or 0
    events = list(session.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
                                  .order_by(TimelineEvent.id.desc()).limit(TIMELINE)))
    event_count = session.scalar(select(func.count()).select_from(TimelineEvent)
                                 .where(TimelineEvent.incident_id == incident_id)) or 0
    published = session.scalars(select(Statement).where(Statement.incident_id == incident_id,
                                                        Statement.status == "published")
                                .order_by(Statement.number.desc()).limit(1)).first()
    return Detail(inc, roles, clocks, signals, signal_count, _charts(session, signals), events, event_count,
                  published, allowed_next(inc.status_enum))


def _charts(session: Session, signals: list[Signal]) -> list[Chart]:
    """The series that triggered the incident (its first signal's), and any
    other series that signalled for it — at most three charts."""
    keys: list[str] = []
    for s in signals:
        key = s.series_key.split("#", 1)[0]
        if key not in keys:
            keys.append(key)
    out = []
    for key in keys[:3]:
        series = session.scalars(select(VolumeSeries).where(VolumeSeries.key == key)).one_or_none()
        if series is None:
            continue  # a feed entry's own signal (an upstream status page) has no series
        mine = [s for s in signals if s.series_key.split("#", 1)[0] == key]
        last = max(s.bucket_start for s in mine)
        until = last + dt.timedelta(seconds=series.bucket_seconds * 24)
        points = list(session.scalars(select(VolumePoint).where(VolumePoint.series_id == series.id,
                                                                VolumePoint.bucket_start <= until)
                                      .order_by(VolumePoint.bucket_start.desc()).limit(CHART_POINTS)))
        points.reverse()
        out.append(Chart(key, points, [s.bucket_start for s in mine]))
    return out


def samples(signal: Signal) -> list[dict[str, Any]]:
    raw = (signal.detail or {}).get("samples") or []
    return [s for s in raw if isinstance(s, dict)][:5]
