"""Which of a bucket's surge alerts are one real event, and its merge (dedup)
key. Split from :mod:`incident.watch.surges`, which names, scopes and raises them.

One incident per real event (issue 19 §6):

- the merge key says what is surging: ``surge:<kind>:<dimension>=<value>``
  for a product, branch, category, topic or channel; surges of two products
  (or two branches) in the same bucket are two events, two incidents;
- a series that alerts with them is part of the event whose complaints it
  shares (a category surge made of one product's complaints joins that
  product's event); the total joins the biggest event, and alone it keeps
  the generic key ``surge:<kind>``;
- a series identical to another (``channel=social`` carrying every ticket,
  identical to the total) is judged from the counts: same count and
  baseline within a small tolerance, and the same complaints. It adds no
  breadth and never names the event;
- a system outage is one system: its events share ``surge:system_outage``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import incidents
from incident.detector import Verdict
from incident.enums import OPEN_STATUSES, Kind
from incident.models import Complaint, FeedEntry, Incident, VolumeSeries

# Who is affected (an event of its own per value) and what about (joins the
# event whose complaints it shares); the order names an event's key.
WHO = ("product", "branch")
WHAT = ("category", "topic", "channel")
PRECEDENCE = {d: i for i, d in enumerate(("total", *WHO, *WHAT))}


@dataclass(eq=False)  # hits are compared by identity
class SeriesHit:
    series: VolumeSeries
    bucket: dt.datetime
    value: float  # the count over [since, bucket end)
    verdict: Verdict
    what: str = "surge"  # surge | silence | level
    since: dt.datetime | None = None  # where the counted span begins (default: the bucket)

    @property
    def start(self) -> dt.datetime:
        return self.since or self.bucket

    @property
    def end(self) -> dt.datetime:
        return self.bucket + dt.timedelta(seconds=self.series.bucket_seconds)

    @property
    def excess(self) -> float:
        return self.value - self.verdict.baseline

    @property
    def ratio(self) -> float:
        return self.value / max(self.verdict.baseline, 1.0)


def counted_entries(since: dt.datetime) -> tuple[Any, ...]:
    """Feed entries that count towards the feed series: about us, negative,
    not a status page (those raise signals directly), seen since two days
    before ``since`` (entries are bucketed by when they were published)."""
    return (
        FeedEntry.brand.is_(True),
        FeedEntry.negative.is_(True),
        FeedEntry.source_kind != "status_page",
        FeedEntry.first_seen_at >= since - dt.timedelta(days=2),
    )


# -- the items behind the alerts --------------------------------------------------


def items_between(session: Session, family: str, start: dt.datetime, end: dt.datetime) -> list[SimpleNamespace]:
    """The complaints (or counted feed entries) of ``[start, end)``, as the
    series count them."""
    if family == "complaints":
        q = select(
            Complaint.received_at,
            Complaint.category,
            Complaint.branch,
            Complaint.channel,
            Complaint.product,
            Complaint.topics,
        ).where(Complaint.received_at >= start, Complaint.received_at < end)
        return [
            SimpleNamespace(
                at=r.received_at,
                category=r.category,
                branch=r.branch,
                channel=r.channel,
                product=r.product,
                topics=r.topics or [],
            )
            for r in session.execute(q)
        ]
    return [SimpleNamespace(at=when, topics=topics) for when, topics in counted_stories(session, start, end)]


def counted_stories(session: Session, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, list[str]]]:
    """(when, topics) of each counted story of ``[start, end)``, once: an
    entry is stored per source, and the same story carried by several
    sources (mirrors, syndication) is one item of attention, dated by its
    earliest sighting."""
    stories: dict[str, tuple[dt.datetime, list[str]]] = {}
    for e in session.execute(
        select(FeedEntry.story_key, FeedEntry.published_at, FeedEntry.first_seen_at, FeedEntry.topics).where(
            *counted_entries(start)
        )
    ):
        when = e.published_at or e.first_seen_at
        known = stories.get(e.story_key)
        if known is None or when < known[0]:
            stories[e.story_key] = (when, list(e.topics or []))
    return sorted((v for v in stories.values() if start <= v[0] < end), key=lambda v: v[0])


def _member(s: VolumeSeries, row: SimpleNamespace) -> bool:
    if s.dimension == "total":
        return True
    if s.dimension == "topic":
        return s.value in row.topics
    return getattr(row, s.dimension, None) == s.value


def members_of(h: SeriesHit, rows: list[SimpleNamespace]) -> frozenset[int]:
    start, end = h.start, h.end
    return frozenset(i for i, r in enumerate(rows) if start <= r.at < end and _member(h.series, r))


def _identical(a: SeriesHit, b: SeriesHit, ma: frozenset[int], mb: frozenset[int]) -> bool:
    """Two series carrying the same items: same count and baseline within a
    small tolerance, and (nearly) the same complaints."""
    close = abs(a.value - b.value) <= max(1.0, 0.02 * max(a.value, b.value))
    base = abs(a.verdict.baseline - b.verdict.baseline) <= max(0.5, 0.05 * max(a.verdict.baseline, b.verdict.baseline))
    shared = len(ma & mb) >= 0.9 * max(len(ma), len(mb), 1)
    return close and base and shared


def _overlaps(a: frozenset[int], b: frozenset[int]) -> bool:
    """One event: at least half of the smaller series' items are shared."""
    return bool(a and b) and 2 * len(a & b) >= min(len(a), len(b))


# -- events ---------------------------------------------------------------------------


@dataclass(eq=False)
class Event:
    hits: list[SeriesHit] = field(default_factory=list)  # the event's own series
    echoes: list[SeriesHit] = field(default_factory=list)  # identical copies (no breadth, no name)
    rows: set[int] = field(default_factory=set)
    kind: Kind = Kind.BATCH_COMPLAINT

    @property
    def dims(self) -> list[SeriesHit]:
        return [h for h in self.hits if h.series.dimension != "total"]

    @property
    def excess(self) -> float:
        return max((h.excess for h in self.hits), default=0.0)


def group_events(
    family: str, surges: list[SeriesHit], rows: list[SimpleNamespace], outage_topics: list[str]
) -> list[Event]:
    """The bucket's surge alerts as events (see the module docstring)."""
    members = {id(h): members_of(h, rows) for h in surges}
    ordered = sorted(surges, key=lambda h: (PRECEDENCE.get(h.series.dimension, 99), -h.excess))
    own: list[SeriesHit] = []
    echo_of: dict[int, SeriesHit] = {}
    for h in ordered:
        twin = next((o for o in own if _identical(o, h, members[id(o)], members[id(h)])), None)
        if twin is None:
            own.append(h)
        else:
            echo_of[id(h)] = twin
    events: list[Event] = []

    def join(ev: Event, h: SeriesHit) -> None:
        ev.hits.append(h)
        ev.rows |= members[id(h)]

    # who is affected: one event per value, merged when they share their items
    for h in (h for h in own if h.series.dimension in WHO):
        ev = next((e for e in events if _overlaps(frozenset(e.rows), members[id(h)])), None)
        if ev is None:
            ev = Event()
            events.append(ev)
        join(ev, h)
    # what about: joins the event it shares most with, else an event of its own
    for h in (h for h in own if h.series.dimension in WHAT):
        m = members[id(h)]
        best = max(events, key=lambda e: len(e.rows & m), default=None)
        if best is None or not _overlaps(frozenset(best.rows), m):
            best = Event()
            events.append(best)
        join(best, h)
    totals = [h for h in own if h.series.dimension == "total"]
    for h in totals:
        target = max(events, key=lambda e: e.excess, default=None)
        if target is None:
            target = Event()
            events.append(target)
        join(target, h)
    for h in surges:
        twin = echo_of.get(id(h))
        if twin is not None:
            next(e for e in events if twin in e.hits).echoes.append(h)
    for ev in events:
        ev.kind = _kind(family, ev, rows, outage_topics)
    outages = [e for e in events if e.kind == Kind.SYSTEM_OUTAGE]
    if len(outages) > 1:  # one system: one outage event
        merged = Event(kind=Kind.SYSTEM_OUTAGE)
        for e in outages:
            merged.hits += e.hits
            merged.echoes += e.echoes
            merged.rows |= e.rows
        events = [e for e in events if e.kind != Kind.SYSTEM_OUTAGE] + [merged]
    return events


def _kind(family: str, ev: Event, rows: list[SimpleNamespace], outage_topics: list[str]) -> Kind:
    if family == "feeds":
        return Kind.PUBLIC_OPINION
    if any(h.series.dimension == "topic" and h.series.value in outage_topics for h in ev.hits + ev.echoes):
        return Kind.SYSTEM_OUTAGE
    # An outage topic too new to alert itself (a first outage): the
    # complaints behind the surge say what it is.
    out = sum(1 for i in ev.rows if any(tp in outage_topics for tp in rows[i].topics))
    if out and 2 * out >= max((h.excess for h in ev.hits), default=0.0):
        return Kind.SYSTEM_OUTAGE
    return Kind.BATCH_COMPLAINT


def anchor_of(ev: Event) -> SeriesHit:
    """The series the incident is named after: a category or topic when one
    alerted; the total when the event spans several products or branches;
    else the biggest jump."""
    scoped = [h for h in ev.hits if h.series.dimension in ("category", "topic")]
    if scoped:
        return max(scoped, key=lambda h: h.ratio)
    who = {(h.series.dimension, h.series.value) for h in ev.hits if h.series.dimension in WHO}
    total = next((h for h in ev.hits if h.series.dimension == "total"), None)
    if total is not None and (len(who) > 1 or not who):
        return total
    return max(ev.dims or ev.hits, key=lambda h: h.excess)


def dedup_key(session: Session, ev: Event, rows: list[SimpleNamespace] | None = None) -> str:
    generic = f"surge:{ev.kind.value}"
    if ev.kind == Kind.SYSTEM_OUTAGE:
        return generic
    named = sorted(ev.dims, key=lambda h: (PRECEDENCE[h.series.dimension], -h.excess))
    keys = [f"{generic}:{h.series.dimension}={h.series.value}" for h in named]
    # the event goes on with an incident one of its series already has open
    for key in keys:
        if incidents.find_open_by_dedup(session, key) is not None:
            return key
    if keys:
        return keys[0]
    return _carried_by_open(session, generic, ev, rows) or generic


def _carried_by_open(session: Session, generic: str, ev: Event, rows: list[SimpleNamespace] | None) -> str | None:
    """A total alerting alone, a bucket or an hour after the product (or
    branch …) that carries the surge alerted in an earlier run: its own key
    is generic, but it belongs to the open incident named after a value that
    carries at least a quarter of the total's complaints (the largest share)."""
    if rows is None or not ev.hits:
        return None
    open_keys = session.scalars(
        select(Incident.dedup_key).where(
            Incident.dedup_key.like(generic + ":%"), Incident.status.in_([s.value for s in OPEN_STATUSES])
        )
    ).all()
    mine = [rows[i] for i in members_of(ev.hits[0], rows)]
    best, share = None, 0.25 * len(mine)
    for key in open_keys:
        dim, _, value = (key or "")[len(generic) + 1 :].partition("=")
        if dim not in PRECEDENCE or dim == "total":
            continue
        n = sum(_member(SimpleNamespace(dimension=dim, value=value), r) for r in mine)  # type: ignore[arg-type]
        if mine and n >= share:
            best, share = key, n
    return best
