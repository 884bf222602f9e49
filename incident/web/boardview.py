"""What the incident board reads, in a handful of indexed queries whatever
is stored: the open incidents (one page of them), their response groups
and clocks in one query each, and for the chosen incident its signals, the
volume series that triggered it and its latest timeline events. Nothing
here touches the complaints table, so the board's cost does not grow with
it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import OPEN_STATUSES, Role, Status
from incident.errors import NotFoundError
from incident.i18n import CATALOG
from incident.incidents import IncidentRow, count_incidents
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
from incident.watch import surges
from incident.watch import texts as _watch_texts  # noqa: F401  (watch.series.*, watch.dimension.*)

_ROLE_ORDER = {r.value: i for i, r in enumerate(Role)}
PAGE = 100  # cards per page; the rest is a click away
TIMELINE = 200
SIGNALS = 20
CHART_POINTS = 288  # a day of 5-minute buckets


class ClockRow(NamedTuple):
    kind: str
    due_at: dt.datetime


class PointRow(NamedTuple):
    bucket_start: dt.datetime
    value: float
    baseline: float
    alert: bool


# The list needs only counts and one deadline per card: plain rows, not ORM
# objects (a page of 150 incidents has ~500 role rows).
@dataclass
class Card:
    row: IncidentRow
    pending: int = 0  # roles not yet acknowledged
    clock: ClockRow | None = None  # the next running response clock


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
    q = (
        select(*(getattr(Incident, name) for name in IncidentRow._fields))
        .where(Incident.status.in_(open_values))
        .order_by(Incident.severity, Incident.declared_at, Incident.id)
        .limit(PAGE)
        .offset((max(page, 1) - 1) * PAGE)
    )
    rows = [IncidentRow._make(r) for r in session.connection().execute(q)]
    total = count_incidents(session, open_only=True)
    cards = {r.id: Card(r) for r in rows}
    if cards:
        ids = list(cards)
        conn = session.connection()
        for iid, pending in conn.execute(
            select(RoleAssignment.incident_id, func.count())
            .where(
                RoleAssignment.incident_id.in_(ids),
                RoleAssignment.ended_at.is_(None),
                RoleAssignment.acked_at.is_(None),
            )
            .group_by(RoleAssignment.incident_id)
        ):
            cards[iid].pending = pending
        for iid, kind, due_at in conn.execute(
            select(ResponseClock.incident_id, ResponseClock.kind, ResponseClock.due_at)
            .where(
                ResponseClock.incident_id.in_(ids), ResponseClock.met_at.is_(None), ResponseClock.stopped_at.is_(None)
            )
            .order_by(ResponseClock.due_at)
        ):
            if cards[iid].clock is None:
                cards[iid].clock = ClockRow(kind, due_at)
    return Board(list(cards.values()), total, max(page, 1))


@dataclass
class Chart:
    series: str
    points: list[PointRow]
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
    # Not incidents.get(): that loads the whole timeline, and the page shows
    # only its latest events.
    inc = session.get(Incident, incident_id)
    if inc is None:
        raise NotFoundError("error.no_incident", id=incident_id)
    roles = sorted(
        session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.incident_id == incident_id, RoleAssignment.ended_at.is_(None))
            .order_by(RoleAssignment.id)
        ),
        # In the group's own order (lead first), so a re-assigned role keeps its row.
        key=lambda r: (_ROLE_ORDER.get(r.role, len(_ROLE_ORDER)), r.id),
    )
    clocks = list(
        session.scalars(
            select(ResponseClock)
            .where(ResponseClock.incident_id == incident_id)
            .order_by(ResponseClock.id.desc())
            .limit(5)
        )
    )
    signals = list(
        session.scalars(select(Signal).where(Signal.incident_id == incident_id).order_by(Signal.id).limit(SIGNALS))
    )
    signal_count = (
        session.scalar(select(func.count()).select_from(Signal).where(Signal.incident_id == incident_id)) or 0
    )
    events = list(
        session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.incident_id == incident_id)
            .order_by(TimelineEvent.id.desc())
            .limit(TIMELINE)
        )
    )
    event_count = (
        session.scalar(select(func.count()).select_from(TimelineEvent).where(TimelineEvent.incident_id == incident_id))
        or 0
    )
    published = session.scalars(
        select(Statement)
        .where(Statement.incident_id == incident_id, Statement.status == "published")
        .order_by(Statement.number.desc())
        .limit(1)
    ).first()
    return Detail(
        inc,
        roles,
        clocks,
        signals,
        signal_count,
        _charts(session, signals),
        events,
        event_count,
        published,
        allowed_next(inc.status_enum),
    )


def _charts(session: Session, signals: list[Signal]) -> list[Chart]:
    """The series that triggered the incident (its first signal's), and any
    other series that signalled for it — at most three charts."""
    keys: list[str] = []
    for s in signals:
        key = s.series_key.split("#", 1)[0]
        if key not in keys:
            keys.append(key)
    keys = keys[:3]
    if not keys:
        return []
    conn = session.connection()
    found = {
        key: (sid, secs)
        for sid, key, secs in conn.execute(
            select(VolumeSeries.id, VolumeSeries.key, VolumeSeries.bucket_seconds).where(VolumeSeries.key.in_(keys))
        )
    }
    out = []
    for key in keys:
        if key not in found:
            continue  # a feed entry's own signal (an upstream status page) has no series
        series_id, bucket_seconds = found[key]
        mine = [s for s in signals if s.series_key.split("#", 1)[0] == key]
        last = max(s.bucket_start for s in mine)
        until = last + dt.timedelta(seconds=bucket_seconds * 24)
        rows = conn.execute(
            select(VolumePoint.bucket_start, VolumePoint.value, VolumePoint.baseline, VolumePoint.alert)
            .where(VolumePoint.series_id == series_id, VolumePoint.bucket_start <= until)
            .order_by(VolumePoint.bucket_start.desc())
            .limit(CHART_POINTS)
        ).all()
        points = [PointRow(b, v, base, bool(a)) for b, v, base, a in reversed(rows)]
        out.append(Chart(key, points, [s.bucket_start for s in mine]))
    return out


def series_words(ctx: Context, key: str, lang: str) -> str:
    """A series key (complaints/category=系统) as a reader says it:
    投诉量（类别=系统）; a key of another shape is shown as it is."""
    family, _, rest = key.split("#", 1)[0].partition("/")
    dimension, _, value = rest.partition("=")
    if f"watch.series.{family}" not in CATALOG or (rest and f"watch.dimension.{dimension}" not in CATALOG):
        return key
    return surges.series_words(ctx, family, dimension if rest else "total", value or None, lang)


def samples(signal: Signal) -> list[dict[str, Any]]:
    raw = (signal.detail or {}).get("samples") or []
    return [s for s in raw if isinstance(s, dict)][:5]
