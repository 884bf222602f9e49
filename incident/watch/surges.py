"""From a bucket's alerts to signals and incidents: which alerts are one
real event, what it is called, its merge (dedup) key, scope and severity.

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
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import incidents
from incident.context import Context
from incident.detector import Verdict
from incident.enums import Kind, Severity
from incident.i18n import t
from incident.models import Complaint, FeedEntry, VolumeSeries
from incident.watch.classify import rules_for
from incident.watch.signals import Alert, raise_alert, severity_for

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


@dataclass
class RaiseReport:
    """What raising did (kept on :class:`incident.watch.volumes.ScoreReport`)."""

    signals: int = 0
    opened: list[int] = field(default_factory=list)
    attached: list[int] = field(default_factory=list)
    silenced: int = 0
    # drill: the alerts that would have been raised, in order
    drill: list[dict[str, Any]] = field(default_factory=list)


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


def value_label(ctx: Context, dimension: str, value: str | None, lang: str) -> str:
    """A series' value in words: a topic by its label ("系统故障", not "outage")."""
    if dimension == "topic" and value:
        labels = rules_for(ctx).labels.get(value)
        if labels:
            return labels[1 if lang == "en" else 0]
    return value or ""


def series_label(ctx: Context, s: VolumeSeries, lang: str) -> str:
    if s.dimension == "total":
        return t(f"watch.series.{s.family}", lang)
    return t(
        "watch.series.dimension",
        lang,
        family=t(f"watch.series.{s.family}", lang),
        dimension=t(f"watch.dimension.{s.dimension}", lang),
        value=value_label(ctx, s.dimension, s.value, lang),
    )


# -- the items behind the alerts --------------------------------------------------


def _rows(session: Session, family: str, start: dt.datetime, end: dt.datetime) -> list[SimpleNamespace]:
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
    out = []
    for e in session.execute(
        select(FeedEntry.published_at, FeedEntry.first_seen_at, FeedEntry.topics).where(*counted_entries(start))
    ):
        when = e.published_at or e.first_seen_at
        if start <= when < end:
            out.append(SimpleNamespace(at=when, topics=e.topics or []))
    return out


def _member(s: VolumeSeries, row: SimpleNamespace) -> bool:
    if s.dimension == "total":
        return True
    if s.dimension == "topic":
        return s.value in row.topics
    return getattr(row, s.dimension, None) == s.value


def _members(h: SeriesHit, rows: list[SimpleNamespace]) -> frozenset[int]:
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
    members = {id(h): _members(h, rows) for h in surges}
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


def _anchor(ev: Event) -> SeriesHit:
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


def dedup_key(session: Session, ev: Event) -> str:
    if ev.kind == Kind.SYSTEM_OUTAGE:
        return f"surge:{ev.kind.value}"
    named = sorted(ev.dims, key=lambda h: (PRECEDENCE[h.series.dimension], -h.excess))
    keys = [f"surge:{ev.kind.value}:{h.series.dimension}={h.series.value}" for h in named]
    # the event goes on with an incident one of its series already has open
    for key in keys:
        if incidents.find_open_by_dedup(session, key) is not None:
            return key
    return keys[0] if keys else f"surge:{ev.kind.value}"


def _scope(ev: Event, anchor: SeriesHit, rows: list[SimpleNamespace]) -> tuple[list[str], list[str], list[str]]:
    """Who is affected: the branches, channels and products that carry at
    least a tenth of the anchor's complaints (a branch's own series need not
    have alerted), plus any whose own series alerted in the event."""
    found: dict[str, set[str]] = {"branch": set(), "channel": set(), "product": set()}
    for h in ev.hits:
        if h.series.dimension in found and h.series.value:
            found[h.series.dimension].add(h.series.value)
    if anchor.series.family == "complaints":
        mine = [rows[i] for i in _members(anchor, rows)]
        for dim, values in found.items():
            counts: dict[str, int] = defaultdict(int)
            for r in mine:
                if getattr(r, dim):
                    counts[getattr(r, dim)] += 1
            values.update(v for v, n in counts.items() if n * 10 >= len(mine))
    return sorted(found["branch"]), sorted(found["channel"]), sorted(found["product"])


def samples(session: Session, hit: SeriesHit, limit: int, prefer: list[str] | None = None) -> list[dict[str, Any]]:
    """A few complaints (or entries) behind the hit, from the start of its
    span; those about the ``prefer`` topics first (an outage seen on the
    total: its outage tickets, not the ordinary ones beside them)."""
    s, start, end = hit.series, hit.start, hit.end
    if s.family == "complaints":
        q = select(Complaint).where(Complaint.received_at >= start, Complaint.received_at < end)
        if s.dimension in ("category", "branch", "channel", "product"):
            q = q.where(getattr(Complaint, s.dimension) == s.value)
        out = []
        found = list(session.scalars(q.order_by(Complaint.received_at).limit(200)))
        if prefer:
            found.sort(key=lambda c: not set(prefer) & set(c.topics or []))
        for c in found:
            if s.dimension == "topic" and s.value not in (c.topics or []):
                continue
            out.append(
                {
                    "type": "complaint",
                    "id": c.external_id,
                    "at": c.received_at.isoformat(),
                    "channel": c.channel,
                    "category": c.category,
                    "branch": c.branch,
                    "text": (c.text or "")[:200],
                }
            )
            if len(out) >= limit:
                break
        return out
    out = []
    entries = select(FeedEntry).where(*counted_entries(start))
    for e in session.scalars(entries.order_by(FeedEntry.id.desc()).limit(500)):
        when = e.published_at or e.first_seen_at
        if not (start <= when < end) or (s.dimension == "topic" and s.value not in (e.topics or [])):
            continue
        out.append(
            {"type": "entry", "source": e.source, "title": e.title[:200], "link": e.link, "at": when.isoformat()}
        )
        if len(out) >= limit:
            break
    return out


def _surge_alerts(
    session: Session, ctx: Context, family: str, bucket: dt.datetime, surges: list[SeriesHit]
) -> list[Alert]:
    det = ctx.config.detection
    lang = ctx.config.centre.language
    start = min(h.start for h in surges)
    end = max(h.end for h in surges)
    rows = _rows(session, family, start, end)
    alerts = []
    for ev in group_events(family, surges, rows, det.outage_topics):
        ratio = max(h.ratio for h in ev.hits)
        breadth = max(1, len({(h.series.dimension, h.series.value) for h in ev.dims}))
        severity = severity_for(det, ratio, breadth)
        anchor = _anchor(ev)
        key = dedup_key(session, ev)
        title = t(
            "watch.title.surge",
            lang,
            kind=ev.kind.value,
            series=series_label(ctx, anchor.series, lang),
            observed=int(anchor.value),
            baseline=f"{anchor.verdict.baseline:.1f}",
            # the count is over the episode or the hour, not one bucket: say from when
            since=anchor.start.astimezone(ctx.config.zone).strftime("%H:%M"),
        )
        regions, channels, products = _scope(ev, anchor, rows)
        prefer = det.outage_topics if ev.kind == Kind.SYSTEM_OUTAGE else None
        for h in sorted(ev.hits + ev.echoes, key=lambda h: h is not anchor):
            alerts.append(
                Alert(
                    series_key=h.series.key,
                    bucket_start=bucket,
                    kind=ev.kind,
                    severity=severity,
                    dedup_key=key,
                    title=title,
                    observed=h.value,
                    baseline=float(h.verdict.baseline),
                    score=float(h.verdict.score),
                    direction=1,
                    reason_key="watch.reason.surge",
                    reason_params={
                        "series": h.series.key,
                        "observed": int(h.value),
                        "baseline": f"{h.verdict.baseline:.1f}",
                        "score": f"{h.verdict.score:.3f}",
                    },
                    samples=samples(session, h, det.samples, prefer) if h is anchor or h in ev.dims else [],
                    regions=regions,
                    channels=channels,
                    products=products,
                    extra={
                        "breadth": breadth,
                        "ratio": round(ratio, 2),
                        "since": h.start.isoformat(),
                        **({"echo": True} if h in ev.echoes else {}),
                    },
                )
            )
    return alerts


def _silence_keys(silences: list[SeriesHit]) -> dict[int, str]:
    """A silent series that carried (nearly) all of the total's volume (a
    channel every ticket comes through) is the total's silence, not an
    incident of its own: its merge key is the total's. The silent stretch holds
    no complaints to compare, so the expected counts decide (within 5 %)."""
    total = next((h for h in silences if h.series.dimension == "total"), None)
    keys = {id(h): f"silence:{h.series.key}" for h in silences}
    if total is not None:
        mu = total.verdict.baseline
        for h in silences:
            if abs(h.verdict.baseline - mu) <= max(0.5, 0.05 * mu):
                keys[id(h)] = keys[id(total)]
    return keys


def _series_alert(ctx: Context, bucket: dt.datetime, h: SeriesHit, dedup: str | None = None) -> Alert:
    lang = ctx.config.centre.language
    silence = h.what == "silence"
    return Alert(
        series_key=f"{h.series.key}#{'silence' if silence else 'daily'}",
        bucket_start=bucket,
        kind=Kind.OTHER if silence else Kind.BATCH_COMPLAINT,
        severity=Severity.SEV3,
        dedup_key=dedup or f"{'silence' if silence else 'level'}:{h.series.key}",
        title=t(f"watch.title.{h.what}", lang, series=series_label(ctx, h.series, lang)),
        observed=h.value,
        baseline=float(h.verdict.baseline),
        score=float(h.verdict.score),
        direction=-1 if silence else 1,
        reason_key=f"watch.reason.{h.what}",
        reason_params={"series": h.series.key, "baseline": f"{h.verdict.baseline:.1f}"}
        if silence
        else {"series": h.series.key, "observed": int(h.value), "baseline": f"{h.verdict.baseline:.0f}"},
        regions=[h.series.value] if h.series.dimension == "branch" and h.series.value else [],
    )


def raise_hits(
    session: Session, ctx: Context, family: str, hits: list[SeriesHit], report: RaiseReport, mode: str = "live"
) -> None:
    """Turn the hits into alerts, bucket by bucket. ``mode``: ``live`` (and
    ``open``) raise them; ``drill`` only lists them on the report;
    ``quiet`` does neither (history replayed to learn)."""
    if mode == "quiet":
        return
    by_bucket: dict[dt.datetime, list[SeriesHit]] = defaultdict(list)
    for h in hits:
        by_bucket[h.bucket].append(h)
    for bucket_start, group in sorted(by_bucket.items()):
        surges = [h for h in group if h.what == "surge"]
        alerts = _surge_alerts(session, ctx, family, bucket_start, surges) if surges else []
        silences = [h for h in group if h.what == "silence"]
        keys = _silence_keys(silences)
        alerts += [_series_alert(ctx, bucket_start, h, keys[id(h)]) for h in silences]
        alerts += [_series_alert(ctx, bucket_start, h) for h in group if h.what == "level"]
        for alert in alerts:
            if mode == "drill":
                report.drill.append(drill_row(alert))
                continue
            signal = raise_alert(session, ctx, alert)
            if signal is None:
                continue
            report.signals += 1
            if signal.action == "opened" and signal.incident_id is not None:
                report.opened.append(signal.incident_id)
            elif signal.action == "attached" and signal.incident_id is not None:
                report.attached.append(signal.incident_id)
            elif signal.action == "silenced":
                report.silenced += 1


def drill_row(alert: Alert) -> dict[str, Any]:
    return {
        "at": alert.bucket_start.isoformat(),
        "kind": alert.kind.value,
        "series": alert.series_key,
        "observed": alert.observed,
        "baseline": round(alert.baseline, 2),
        "severity": alert.severity.value,
        "dedup_key": alert.dedup_key,
        "title": alert.title,
    }
