"""Volume series: counting complaints and feed entries per bucket, scoring
each closed bucket with the detector, and turning alerts into signals.

Series keys: ``complaints`` (the total), ``complaints/<dimension>=<value>``
for each configured dimension (category, branch, channel, topic, product),
``feeds`` (entries about us with a negative tone) and ``feeds/topic=<t>``.

Each bucket is scored once, when it has closed (plus a grace period), with
no look-ahead; the detector's state is stored on the series row, so a
restart resumes where it stopped and the backtest runs the same code. Rows
of the series being scored are locked (SKIP LOCKED on PostgreSQL), so two
workers never score the same series at once. The rows are read and
written as plain columns (one executemany ``UPDATE`` by id), their JSON
states encoded and decoded by orjson: at 10,000 series the ORM's load and
flush and the stdlib's JSON were most of a bucket's time. A series'
``next_bucket_at`` says what is done: replaying history
(:mod:`incident.watch.replay`) and the live runs share it, so no bucket is
ever scored twice.

A dimension value seen for the first time (a new product, a new branch)
starts its series at its first item: its first days teach the detector
(the warm-up), they are not a surge. What becomes of the alerts is
:mod:`incident.watch.surges`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy import Text, bindparam, cast, func, select, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from incident.config import DetectionConfig
from incident.context import Context
from incident.db import insert_for
from incident.detector import DetectorParams
from incident.models import Complaint, FeedEntry, VolumePoint, VolumeSeries
from incident.watch.detectors import EPOCH, Hit, SeriesDetectors
from incident.watch.surges import RaiseReport, SeriesHit, counted_stories, raise_hits, value_label

__all__ = ["ScoreReport", "floor_bucket", "params_for", "score_family", "series_key", "value_label"]

# live: raise the alerts; quiet: learn only (history); drill: list what would
# have been raised; open: history whose alerts are raised as if live
Mode = Literal["live", "quiet", "drill", "open"]


@dataclass
class ScoreReport(RaiseReport):
    series: int = 0
    buckets: int = 0
    alerts: int = 0
    # complaints older than the backfill window that no series has scored
    too_old: int = 0
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
    det = ctx.config.detection
    return DetectorParams(
        bucket_seconds=det.bucket_minutes * 60,
        utc_offset_seconds=int(offset.total_seconds()),
        silence_min_expected=float(det.silence_min_expected),
    )


def series_key(family: str, dimension: str = "total", value: str | None = None) -> str:
    return family if dimension == "total" else f"{family}/{dimension}={value}"


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
        for when, topics in counted_stories(session, start, end):
            b = floor_bucket(when, bucket)
            counts[("total", None)][b] += 1
            for topic in topics:
                counts[("topic", topic)][b] += 1
    return counts


@dataclass(eq=False)
class _Row:
    """A locked series row: the columns scoring reads and writes, the
    states as their stored JSON text."""

    id: int
    dimension: str
    value: str | None
    bucket_seconds: int
    next_bucket_at: dt.datetime
    state: str | None
    daily: str | None
    day_total: float | None
    dirty: bool = False  # reset (the bucket size changed)


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _lock_series(session: Session, family: str) -> list[_Row]:
    t = VolumeSeries.__table__.c
    # the JSON as text: decoded by orjson below, not by the dialect's json.loads
    as_text = (lambda c: cast(c, Text)) if _is_pg(session) else (lambda c: type_coerce(c, Text))
    q = (
        select(
            t.id,
            t.dimension,
            t.value,
            t.bucket_seconds,
            t.next_bucket_at,
            as_text(t.detector_state),
            as_text(t.daily_state),
            t.day_total,
        )
        .where(t.family == family)
        .order_by(t.id)
    )
    if _is_pg(session):
        q = q.with_for_update(skip_locked=True)
    return [_Row(*r) for r in session.execute(q)]


def _loads(text: str | None) -> dict:
    return (orjson.loads(text) if text else None) or {}


def _dumps(value: Any) -> str:
    # orjson writes floats in their shortest round-trip form, as json.dumps does
    return orjson.dumps(value).decode()


def _write_back(session: Session, rows: list[_Row]) -> None:
    """One executemany ``UPDATE … WHERE id = ?`` for the rows scored or reset."""
    if not rows:
        return
    t = VolumeSeries.__table__.c
    pg = _is_pg(session)

    def json_param(name: str) -> Any:
        p = bindparam(name, type_=Text())
        return cast(p, JSONB) if pg else p

    stmt = (
        update(VolumeSeries.__table__)
        .where(t.id == bindparam("row_id"))
        .values(
            bucket_seconds=bindparam("bucket", type_=t.bucket_seconds.type),
            next_bucket_at=bindparam("next_at", type_=t.next_bucket_at.type),
            detector_state=json_param("state"),
            daily_state=json_param("daily"),
            day_total=bindparam("total", type_=t.day_total.type),
        )
    )
    params = [
        dict(
            row_id=r.id,
            bucket=r.bucket_seconds,
            next_at=r.next_bucket_at,
            state=r.state or "{}",
            daily=r.daily or "{}",
            total=r.day_total or 0.0,
        )
        for r in rows
    ]
    for i in range(0, len(params), 2000):
        session.connection().execute(stmt, params[i : i + 2000])


def _ensure_series(
    session: Session, family: str, starts: dict[tuple[str, str | None], dt.datetime], bucket: int, now: dt.datetime
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
        for (d, v), start in starts.items()
    ]
    if rows:
        session.execute(insert_for(session, VolumeSeries).on_conflict_do_nothing(index_elements=["key"]), rows)


def _too_old(session: Session, total: _Row | None, backfill_start: dt.datetime) -> int:
    """Complaints older than the backfill window that no series has scored
    (imported history: ``incident watch replay`` learns from it)."""
    cutoff = backfill_start
    if total is not None:
        first = session.scalar(select(func.min(VolumePoint.bucket_start)).where(VolumePoint.series_id == total.id))
        cutoff = min(cutoff, first or cutoff)
    return session.scalar(select(func.count()).select_from(Complaint).where(Complaint.received_at < cutoff)) or 0


def _hits(session: Session, found: list[tuple[_Row, dt.datetime, Hit]]) -> list[SeriesHit]:
    """The alerts with their series as ORM objects (read after the write-back,
    so they carry the stored columns), in the order they were found."""
    if not found:
        return []
    ids = sorted({s.id for s, _, _ in found})
    rows: dict[int, VolumeSeries] = {}
    for i in range(0, len(ids), 500):  # a bound parameter an id: stay under SQLite's limit
        q = select(VolumeSeries).where(VolumeSeries.id.in_(ids[i : i + 500]))
        rows.update((v.id, v) for v in session.scalars(q.execution_options(populate_existing=True)))
    return [
        SeriesHit(rows[s.id], b, hit.observed, hit.verdict, hit.what, EPOCH + dt.timedelta(seconds=hit.since))
        for s, b, hit in found
    ]


def score_family(
    session: Session,
    ctx: Context,
    family: str,
    report: ScoreReport | None = None,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    mode: Mode = "live",
) -> ScoreReport:
    """Score every closed, unscored bucket of one family ("complaints" or
    "feeds") and raise the alerts. Live, buckets go back at most
    ``backfill_days``; history replayed names its span (``since``/``until``)
    and how its alerts are treated (``mode``). Takes a session; does not
    commit."""
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
    if until is not None:
        horizon = min(horizon, floor_bucket(until, bucket))
    if since is not None:
        backfill_start = floor_bucket(since, bucket)
    else:
        backfill_start = horizon - dt.timedelta(days=det.backfill_days)

    series = _lock_series(session, family)
    for s in series:
        if s.bucket_seconds != bucket:
            # The bucket size was changed in the configuration: the old state
            # counts other buckets, so this series starts learning afresh.
            s.bucket_seconds, s.state, s.daily, s.dirty = bucket, None, None, True
            s.next_bucket_at = floor_bucket(s.next_bucket_at, bucket)
    _write_back(session, [s for s in series if s.dirty])  # stored now: a return below or a re-read keeps it
    if not series and session.scalar(select(VolumeSeries.id).where(VolumeSeries.family == family).limit(1)) is not None:
        return report  # another worker holds every series of this family right now
    if family == "complaints" and mode == "live":
        total = next((x for x in series if x.dimension == "total"), None)
        report.too_old += _too_old(session, total, backfill_start)
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
    # A value seen for the first time (a new product's first tickets, a new
    # branch) starts at its first item: onboarding, not a surge.
    starts = {k: min(c) for k, c in counts.items() if k not in known and c}
    if ("total", None) not in known and ("total", None) not in starts:
        starts[("total", None)] = start
    if starts:
        _ensure_series(session, family, starts, bucket, now)
        series = _lock_series(session, family)

    params = params_for(ctx)
    found: list[tuple[_Row, dt.datetime, Hit]] = []
    scored: list[_Row] = []
    points: list[dict[str, Any]] = []
    step = dt.timedelta(seconds=bucket)
    for s in series:
        first_bucket = max(s.next_bucket_at, backfill_start)
        if first_bucket >= horizon:
            continue
        detectors = SeriesDetectors.load(
            _loads(s.state),
            _loads(s.daily),
            s.day_total,
            params,
            ctx.config.zone,
            # a series gone quiet means something only where configured (a
            # branch, a channel); fewer negative mentions is no incident
            silence=family == "complaints" and s.dimension in det.silence_dimensions,
        )
        series_counts = counts.get((s.dimension, s.value), {})
        b = first_bucket
        while b < horizon:
            value = float(series_counts.get(b, 0))
            step_ = detectors.step(b, value, det.min_count)
            verdict = step_.surge
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
            found.extend((s, b, hit) for hit in step_.alerts)
            report.buckets += 1
            b += step
        state, daily, s.day_total = detectors.dump()
        s.state, s.daily = _dumps(state), _dumps(daily)
        s.next_bucket_at = horizon
        report.series += 1
        scored.append(s)
    _write_back(session, scored)
    for i in range(0, len(points), 2000):
        session.execute(
            insert_for(session, VolumePoint).on_conflict_do_nothing(index_elements=["series_id", "bucket_start"]),
            points[i : i + 2000],
        )
    hits = _hits(session, found)
    report.alerts += len(hits)
    raise_hits(session, ctx, family, hits, report, "live" if mode == "open" else mode)
    return report
