"""Volume series: counting complaints and feed entries per bucket, scoring
each closed bucket with the detector, and turning alerts into signals.

Series keys: ``complaints`` (the total), ``complaints/<dimension>=<value>``
for each configured dimension (category, branch, channel, topic, product),
``feeds`` (entries about us with a negative tone) and ``feeds/topic=<t>``.

Each bucket is scored once, when it has closed (plus a grace period), with
no look-ahead; the detector's state is stored on the series row, so a
restart resumes where it stopped and the backtest runs the same code. Rows
of the series being scored are locked (SKIP LOCKED on PostgreSQL), so two
workers never score the same series at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import DetectionConfig
from incident.context import Context
from incident.db import insert_for
from incident.detector import DetectorParams, Verdict
from incident.enums import Kind, Severity
from incident.i18n import t
from incident.models import Complaint, FeedEntry, VolumePoint, VolumeSeries
from incident.watch.classify import rules_for
from incident.watch.detectors import EPOCH, SeriesDetectors
from incident.watch.signals import Alert, raise_alert, severity_for


@dataclass
class ScoreReport:
    series: int = 0
    buckets: int = 0
    alerts: int = 0
    signals: int = 0
    opened: list[int] = field(default_factory=list)
    attached: list[int] = field(default_factory=list)
    silenced: int = 0
    # what incident.watch.prepare did afterwards (when switched on)
    drafted: list[int] = field(default_factory=list)
    customers: int = 0
    callbacks: int = 0


def floor_bucket(when: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int((when - EPOCH).total_seconds())
    return EPOCH + dt.timedelta(seconds=epoch - epoch % seconds)


def params_for(ctx: Context) -> DetectorParams:
    """The detector's rhythm (hour of day, weekday) is the centre's wall
    clock, so its offset comes from the centre's zone."""
    offset = ctx.clock.now().astimezone(ctx.config.zone).utcoffset() or dt.timedelta()
    return DetectorParams(
        bucket_seconds=ctx.config.detection.bucket_minutes * 60, utc_offset_seconds=int(offset.total_seconds())
    )


def series_key(family: str, dimension: str = "total", value: str | None = None) -> str:
    return family if dimension == "total" else f"{family}/{dimension}={value}"


@dataclass
class _Hit:
    series: VolumeSeries
    bucket: dt.datetime
    value: float
    verdict: Verdict
    what: str = "surge"  # surge | silence | level


def _counted_entries(since: dt.datetime) -> tuple[Any, ...]:
    """Feed entries that count towards the feed series: about us, negative,
    not a status page (those raise signals directly), seen since two days
    before ``since`` (entries are bucketed by when they were published)."""
    return (
        FeedEntry.brand.is_(True),
        FeedEntry.negative.is_(True),
        FeedEntry.source_kind != "status_page",
        FeedEntry.first_seen_at >= since - dt.timedelta(days=2),
    )


def _complaint_keys(det: DetectionConfig, row: Any) -> list[tuple[str, str | None]]:
    keys: list[tuple[str, str | None]] = [("total", None)]
    for dim in det.dimensions:
        if dim == "topic":
            keys.extend(("topic", topic) for topic in (row.topics or []))
        else:
            value = getattr(row, dim)
            if value:
                keys.append((dim, value))
    return keys


def _load_counts(
    session: Session, ctx: Context, family: str, start: dt.datetime, end: dt.datetime, bucket: int
) -> dict[tuple[str, str | None], dict[dt.datetime, int]]:
    det = ctx.config.detection
    counts: dict[tuple[str, str | None], dict[dt.datetime, int]] = defaultdict(lambda: defaultdict(int))
    if family == "complaints":
        complaints = select(
            Complaint.received_at,
            Complaint.category,
            Complaint.branch,
            Complaint.channel,
            Complaint.topics,
            Complaint.product,
        ).where(Complaint.received_at >= start, Complaint.received_at < end)
        for row in session.execute(complaints):
            b = floor_bucket(row.received_at, bucket)
            for key in _complaint_keys(det, row):
                counts[key][b] += 1
    else:
        entries = select(FeedEntry.published_at, FeedEntry.first_seen_at, FeedEntry.topics).where(
            *_counted_entries(start)
        )
        for entry in session.execute(entries):
            when = entry.published_at or entry.first_seen_at
            if not (start <= when < end):
                continue
            b = floor_bucket(when, bucket)
            counts[("total", None)][b] += 1
            for topic in entry.topics or []:
                counts[("topic", topic)][b] += 1
    return counts


def _lock_series(session: Session, family: str) -> list[VolumeSeries]:
    q = select(VolumeSeries).where(VolumeSeries.family == family).order_by(VolumeSeries.id)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return list(session.scalars(q))


def _ensure_series(
    session: Session, family: str, keys: list[tuple[str, str | None]], start: dt.datetime, bucket: int, now: dt.datetime
) -> None:
    rows: list[dict[str, Any]] = [
        dict(
            key=series_key(family, d, v),
            family=family,
            dimension=d,
            value=v,
            bucket_seconds=bucket,
            next_bucket_at=start,
            detector_state={},
            daily_state={},
            day_total=0.0,
            created_at=now,
        )
        for d, v in keys
    ]
    if rows:
        session.execute(insert_for(session, VolumeSeries).on_conflict_do_nothing(index_elements=["key"]), rows)


def score_family(session: Session, ctx: Context, family: str, report: ScoreReport | None = None) -> ScoreReport:
    """Score every closed, unscored bucket of one family ("complaints" or
    "feeds") and raise the alerts. Takes a session; does not commit."""
    report = report or ScoreReport()
    det = ctx.config.detection
    bucket = det.bucket_minutes * 60
    now = ctx.clock.now()
    grace = (
        dt.timedelta(seconds=det.grace_seconds)
        if family == "complaints"
        else dt.timedelta(minutes=det.feed_grace_minutes)
    )
    horizon = floor_bucket(now - grace, bucket)  # buckets before this one have closed
    backfill_start = horizon - dt.timedelta(days=det.backfill_days)

    series = _lock_series(session, family)
    for s in series:
        if s.bucket_seconds != bucket:
            # The bucket size was changed in the configuration: the old state
            # counts other buckets, so this series starts learning afresh.
            s.bucket_seconds, s.detector_state, s.daily_state = bucket, {}, {}
            s.next_bucket_at = floor_bucket(s.next_bucket_at, bucket)
    if not series and session.scalar(select(VolumeSeries.id).where(VolumeSeries.family == family).limit(1)) is not None:
        return report  # another worker holds every series of this family right now
    start = min((s.next_bucket_at for s in series), default=None)
    if start is None:
        # First run: start from the earliest data within the backfill span.
        model_time = Complaint.received_at if family == "complaints" else FeedEntry.first_seen_at
        first = session.scalar(select(model_time).where(model_time >= backfill_start).order_by(model_time).limit(1))
        if first is None:
            return report
        start = floor_bucket(first, bucket)
    start = max(start, backfill_start)
    if start >= horizon:
        return report
    counts = _load_counts(session, ctx, family, start, horizon, bucket)
    known = {(s.dimension, s.value) for s in series}
    new_keys = [k for k in counts if k not in known]
    if ("total", None) not in known and ("total", None) not in new_keys:
        new_keys.append(("total", None))
    if new_keys:
        origin = start
        total = next((x for x in series if x.dimension == "total"), None)
        if total is not None:
            # A value seen for the first time (a new category, a branch's
            # first ticket) has been zero all along: its series replays
            # zeros from when the family began, so it is not a cold, mute
            # detector at the very moment it matters.
            first_point = session.scalar(
                select(func.min(VolumePoint.bucket_start)).where(VolumePoint.series_id == total.id)
            )
            origin = max(first_point or start, backfill_start)
        _ensure_series(session, family, new_keys, origin, bucket, now)
        series = _lock_series(session, family)

    params = params_for(ctx)
    hits: list[_Hit] = []
    points: list[dict[str, Any]] = []
    step = dt.timedelta(seconds=bucket)
    for s in series:
        first_bucket = max(s.next_bucket_at, backfill_start)
        if first_bucket >= horizon:
            continue
        detectors = SeriesDetectors.load(s.detector_state, s.daily_state, s.day_total, params, ctx.config.zone)
        series_counts = counts.get((s.dimension, s.value), {})
        b = first_bucket
        while b < horizon:
            value = float(series_counts.get(b, 0))
            step_ = detectors.step(b, value, det.min_count)
            verdict = step_.surge
            if b >= start:  # replayed zeros of a new series are not drawn
                points.append(
                    dict(
                        series_id=s.id,
                        bucket_start=b,
                        value=value,
                        baseline=float(verdict.baseline),
                        score=float(verdict.score),
                        alert=step_.alert,
                    )
                )
            for what, v, observed in step_.alerts:
                hits.append(_Hit(s, b, observed, v, what))
            report.buckets += 1
            b += step
        s.detector_state, s.daily_state, s.day_total = detectors.dump()
        s.next_bucket_at = horizon
        report.series += 1
    for i in range(0, len(points), 2000):
        session.execute(
            insert_for(session, VolumePoint).on_conflict_do_nothing(index_elements=["series_id", "bucket_start"]),
            points[i : i + 2000],
        )
    report.alerts += len(hits)
    _raise(session, ctx, family, hits, report)
    return report


def value_label(ctx: Context, dimension: str, value: str | None, lang: str) -> str:
    """A series' value in words: a topic by its label ("系统故障", not "outage")."""
    if dimension == "topic" and value:
        labels = rules_for(ctx).labels.get(value)
        if labels:
            return labels[1 if lang == "en" else 0]
    return value or ""


def _label(ctx: Context, s: VolumeSeries, lang: str) -> str:
    if s.dimension == "total":
        return t(f"watch.series.{s.family}", lang)
    return t(
        "watch.series.dimension",
        lang,
        family=t(f"watch.series.{s.family}", lang),
        dimension=t(f"watch.dimension.{s.dimension}", lang),
        value=value_label(ctx, s.dimension, s.value, lang),
    )


def _bucket_complaints(q: Any, hit: _Hit) -> Any:
    """The complaints counted in ``hit``'s bucket of its series (a topic
    series also needs :func:`_in_topic`, topics being a JSON list)."""
    s = hit.series
    end = hit.bucket + dt.timedelta(seconds=s.bucket_seconds)
    q = q.where(Complaint.received_at >= hit.bucket, Complaint.received_at < end)
    if s.dimension in ("category", "branch", "channel", "product"):
        q = q.where(getattr(Complaint, s.dimension) == s.value)
    return q


def _in_topic(s: VolumeSeries, topics: list[str] | None) -> bool:
    return s.dimension != "topic" or s.value in (topics or [])


def _samples(session: Session, ctx: Context, hit: _Hit, limit: int) -> list[dict[str, Any]]:
    end = hit.bucket + dt.timedelta(seconds=hit.series.bucket_seconds)
    s = hit.series
    if s.family == "complaints":
        q = _bucket_complaints(select(Complaint), hit)
        out = []
        for c in session.scalars(q.order_by(Complaint.received_at).limit(200)):
            if not _in_topic(s, c.topics):
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
    q = select(FeedEntry).where(*_counted_entries(hit.bucket))
    out = []
    for e in session.scalars(q.order_by(FeedEntry.id.desc()).limit(500)):
        when = e.published_at or e.first_seen_at
        if not (hit.bucket <= when < end) or not _in_topic(s, e.topics):
            continue
        out.append(
            {"type": "entry", "source": e.source, "title": e.title[:200], "link": e.link, "at": when.isoformat()}
        )
        if len(out) >= limit:
            break
    return out


def _scope(session: Session, anchor: _Hit, surges: list[_Hit]) -> tuple[list[str], list[str], list[str]]:
    """Who is affected: the branches, channels and products that carry at
    least a tenth of the surge's complaints (a branch's own series need not
    have alerted), plus any whose own series alerted."""
    found: dict[str, set[str]] = {"branch": set(), "channel": set(), "product": set()}
    for h in surges:
        if h.series.dimension in found and h.series.value:
            found[h.series.dimension].add(h.series.value)
    s = anchor.series
    if s.family == "complaints":
        q = _bucket_complaints(select(Complaint.branch, Complaint.channel, Complaint.product, Complaint.topics), anchor)
        rows = [r for r in session.execute(q) if _in_topic(s, r.topics)]
        for dim in found:
            counts: dict[str, int] = defaultdict(int)
            for r in rows:
                if getattr(r, dim):
                    counts[getattr(r, dim)] += 1
            found[dim].update(v for v, n in counts.items() if n * 10 >= len(rows))
    return sorted(found["branch"]), sorted(found["channel"]), sorted(found["product"])


def _raise(session: Session, ctx: Context, family: str, hits: list[_Hit], report: ScoreReport) -> None:
    det = ctx.config.detection
    lang = ctx.config.centre.language
    by_bucket: dict[dt.datetime, list[_Hit]] = defaultdict(list)
    for h in hits:
        by_bucket[h.bucket].append(h)
    for bucket_start, group in sorted(by_bucket.items()):
        surges = [h for h in group if h.what == "surge"]
        drops = [h for h in group if h.what == "silence"]
        levels = [h for h in group if h.what == "level"]
        alerts: list[Alert] = []
        if surges:
            if family == "feeds":
                kind = Kind.PUBLIC_OPINION
            elif any(h.series.dimension == "topic" and h.series.value in det.outage_topics for h in surges):
                kind = Kind.SYSTEM_OUTAGE
            else:
                kind = Kind.BATCH_COMPLAINT
            ratio = max(h.value / max(h.verdict.baseline, 1.0) for h in surges)
            breadth = max(1, len([h for h in surges if h.series.dimension != "total"]))
            severity = severity_for(det, ratio, breadth)
            # The incident is named after its most telling series: a category
            # or topic when one alerted, else the biggest jump.
            scoped = [h for h in surges if h.series.dimension in ("category", "topic")]
            anchor = max(scoped or surges, key=lambda h: h.value / max(h.verdict.baseline, 1.0))
            if kind == Kind.BATCH_COMPLAINT and anchor.series.dimension in ("category", "topic"):
                dedup = f"surge:{kind.value}:{anchor.series.dimension}={anchor.series.value}"
            else:
                dedup = f"surge:{kind.value}"
            title = t(
                "watch.title.surge",
                lang,
                kind=kind.value,
                series=_label(ctx, anchor.series, lang),
                observed=int(anchor.value),
                baseline=f"{anchor.verdict.baseline:.1f}",
            )
            regions, channels, products = _scope(session, anchor, surges)
            for h in sorted(surges, key=lambda h: h is not anchor):
                alerts.append(
                    Alert(
                        series_key=h.series.key,
                        bucket_start=bucket_start,
                        kind=kind,
                        severity=severity,
                        dedup_key=dedup,
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
                        samples=_samples(session, ctx, h, det.samples)
                        if h is anchor or h.series.dimension != "total"
                        else [],
                        regions=regions,
                        channels=channels,
                        products=products,
                        extra={"breadth": breadth, "ratio": round(ratio, 2)},
                    )
                )
        for h in drops:
            title = t("watch.title.silence", lang, series=_label(ctx, h.series, lang))
            alerts.append(
                Alert(
                    series_key=f"{h.series.key}#silence",
                    bucket_start=bucket_start,
                    kind=Kind.OTHER,
                    severity=Severity.SEV3,
                    dedup_key=f"silence:{h.series.key}",
                    title=title,
                    observed=h.value,
                    baseline=float(h.verdict.baseline),
                    score=float(h.verdict.score),
                    direction=-1,
                    reason_key="watch.reason.silence",
                    reason_params={"series": h.series.key, "baseline": f"{h.verdict.baseline:.1f}"},
                    regions=[h.series.value] if h.series.dimension == "branch" and h.series.value else [],
                )
            )
        for h in levels:
            title = t("watch.title.level", lang, series=_label(ctx, h.series, lang))
            alerts.append(
                Alert(
                    series_key=f"{h.series.key}#daily",
                    bucket_start=bucket_start,
                    kind=Kind.BATCH_COMPLAINT,
                    severity=Severity.SEV3,
                    dedup_key=f"level:{h.series.key}",
                    title=title,
                    observed=h.value,
                    baseline=float(h.verdict.baseline),
                    score=float(h.verdict.score),
                    direction=1,
                    reason_key="watch.reason.level",
                    reason_params={
                        "series": h.series.key,
                        "observed": int(h.value),
                        "baseline": f"{h.verdict.baseline:.0f}",
                    },
                    regions=[h.series.value] if h.series.dimension == "branch" and h.series.value else [],
                )
            )
        for alert in alerts:
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
