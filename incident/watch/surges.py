"""From a bucket's alerts to signals and incidents: what an event is called,
its scope and severity, and raising it (which alerts are one event, and its
merge key: :mod:`incident.watch.events`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import Kind, Severity
from incident.i18n import t
from incident.models import Complaint, FeedEntry, VolumeSeries
from incident.watch.classify import rules_for
from incident.watch.events import (
    Event,
    SeriesHit,
    anchor_of,
    counted_entries,
    counted_stories,
    dedup_key,
    group_events,
    items_between,
    members_of,
)
from incident.watch.signals import Alert, raise_alert, severity_for

__all__ = [
    "RaiseReport",
    "SeriesHit",
    "counted_entries",
    "counted_stories",
    "raise_hits",
    "series_label",
    "series_words",
    "value_label",
    "drill_row",
]


@dataclass
class RaiseReport:
    """What raising did (kept on :class:`incident.watch.volumes.ScoreReport`)."""

    signals: int = 0
    opened: list[int] = field(default_factory=list)
    attached: list[int] = field(default_factory=list)
    silenced: int = 0
    # drill: the alerts that would have been raised, in order
    drill: list[dict[str, Any]] = field(default_factory=list)


def value_label(ctx: Context, dimension: str, value: str | None, lang: str) -> str:
    """A series' value in words: a topic by its label ("系统故障", not "outage")."""
    if dimension == "topic" and value:
        labels = rules_for(ctx).labels.get(value)
        if labels:
            return labels[1 if lang == "en" else 0]
    return value or ""


def series_label(ctx: Context, s: VolumeSeries, lang: str) -> str:
    return series_words(ctx, s.family, s.dimension, s.value, lang)


def series_words(ctx: Context, family: str, dimension: str, value: str | None, lang: str) -> str:
    """投诉量（类别=系统） for complaints / category / 系统; the family alone for its total."""
    if dimension == "total":
        return t(f"watch.series.{family}", lang)
    return t(
        "watch.series.dimension",
        lang,
        family=t(f"watch.series.{family}", lang),
        dimension=t(f"watch.dimension.{dimension}", lang),
        value=value_label(ctx, dimension, value, lang),
    )


def _scope(ev: Event, anchor: SeriesHit, rows: list[SimpleNamespace]) -> tuple[list[str], list[str], list[str]]:
    """Who is affected: the branches, channels and products that carry at
    least a tenth of the anchor's complaints (a branch's own series need not
    have alerted), plus any whose own series alerted in the event."""
    found: dict[str, set[str]] = {"branch": set(), "channel": set(), "product": set()}
    for h in ev.hits:
        if h.series.dimension in found and h.series.value:
            found[h.series.dimension].add(h.series.value)
    if anchor.series.family == "complaints":
        mine = [rows[i] for i in members_of(anchor, rows)]
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
    stories: set[str] = set()  # a story carried by several sources is one sample
    entries = select(FeedEntry).where(*counted_entries(start))
    for e in session.scalars(entries.order_by(FeedEntry.id.desc()).limit(500)):
        when = e.published_at or e.first_seen_at
        if not (start <= when < end) or (s.dimension == "topic" and s.value not in (e.topics or [])):
            continue
        if e.story_key in stories:
            continue
        stories.add(e.story_key)
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
    rows = items_between(session, family, start, end)
    alerts = []
    for ev in group_events(family, surges, rows, det.outage_topics):
        ratio = max(h.ratio for h in ev.hits)
        breadth = max(1, len({(h.series.dimension, h.series.value) for h in ev.dims}))
        severity = severity_for(det, ratio, breadth)
        anchor = anchor_of(ev)
        key = dedup_key(session, ev, rows)
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
