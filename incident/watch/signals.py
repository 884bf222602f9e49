"""From alert to incident (issue: "from alert to incident").

Every alert becomes exactly one :class:`~incident.models.Signal` row (unique
per series and bucket). Whoever inserts that row acts on it — opens an
incident or attaches to the open one with the same dedup key — so two
workers scoring the same bucket, or a retried run, never act twice. A
snoozed series or one under a maintenance window is recorded as silenced.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident import incidents, response
from incident.config import DetectionConfig
from incident.context import Context
from incident.db import insert_for
from incident.enums import Kind, Severity
from incident.errors import InputError, NotFoundError
from incident.models import MaintenanceWindow, Signal, VolumeSeries


@dataclass
class Alert:
    """What a detector (or a status page) reports, before any decision."""

    series_key: str
    bucket_start: dt.datetime
    kind: Kind
    severity: Severity
    dedup_key: str
    title: str
    observed: float = 0.0
    baseline: float = 0.0
    score: float = 0.0
    direction: int = 1
    # A translatable one-line reason: message key + parameters.
    reason_key: str = "watch.reason.surge"
    reason_params: dict[str, Any] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Upstream status pages: attach to an open incident, but a record-only
    # alert never opens one.
    may_open: bool = True


def severity_for(det: DetectionConfig, ratio: float, breadth: int) -> Severity:
    for rule in det.severity_rules:
        if ratio >= rule.min_ratio and breadth >= rule.min_breadth:
            return rule.severity
    return det.default_severity


def silenced_by(session: Session, series_key: str, at: dt.datetime) -> dict[str, Any] | None:
    # "complaints/branch=X#silence" is a signal of the series "complaints/branch=X"
    base_key = series_key.split("#", 1)[0]
    series = session.scalars(select(VolumeSeries).where(VolumeSeries.key == base_key)).one_or_none()
    if series is not None and series.snoozed_until is not None and series.snoozed_until > at:
        return {"by": "snooze", "until": series.snoozed_until.isoformat(), "reason": series.snooze_reason or ""}
    windows = session.scalars(
        select(MaintenanceWindow).where(MaintenanceWindow.starts_at <= at, MaintenanceWindow.ends_at > at)
    ).all()
    for w in windows:
        if fnmatch.fnmatchcase(series_key, w.pattern):
            return {"by": "maintenance", "window": w.id, "until": w.ends_at.isoformat(), "reason": w.reason}
    return None


def raise_alert(session: Session, ctx: Context, alert: Alert) -> Signal | None:
    """Record the alert and act on it. Returns the new signal, or ``None``
    when this series and bucket were already handled (by us before a
    retry, or by another worker)."""
    now = ctx.clock.now()
    detail: dict[str, Any] = {
        "title": alert.title,
        "reason_key": alert.reason_key,
        "reason_params": alert.reason_params,
        "samples": alert.samples,
        **alert.extra,
    }
    stmt = (
        insert_for(session, Signal)
        .values(
            series_key=alert.series_key,
            bucket_start=alert.bucket_start,
            created_at=now,
            kind=alert.kind.value,
            severity=alert.severity.value,
            direction=alert.direction,
            observed=alert.observed,
            baseline=alert.baseline,
            score=alert.score,
            action="pending",
            incident_id=None,
            detail=detail,
        )
        .on_conflict_do_nothing(index_elements=["series_key", "bucket_start"])
        .returning(Signal.id)
    )
    signal_id = session.execute(stmt).scalar_one_or_none()
    if signal_id is None:
        return None
    action, incident_id = "recorded", None
    silence = silenced_by(session, alert.series_key, alert.bucket_start)
    if silence is not None:
        action = "silenced"
        detail["silenced"] = silence
    else:
        summary = {
            "key": alert.reason_key,
            "params": alert.reason_params,
            "series": alert.series_key,
            "bucket": alert.bucket_start.isoformat(),
            "observed": alert.observed,
            "baseline": round(alert.baseline, 2),
            "score": round(alert.score, 4),
            "samples": alert.samples,
        }
        existing = incidents.find_open_by_dedup(session, alert.dedup_key)
        if existing is not None or alert.may_open:
            incident, created = response.open_or_attach(
                session,
                ctx,
                dedup_key=alert.dedup_key,
                signal=summary,
                kind=alert.kind,
                severity=alert.severity,
                title=alert.title[: incidents.TITLE_MAX],
                summary=None,
                regions=alert.regions,
                channels=alert.channels,
                products=alert.products,
                started_at=min(alert.bucket_start, now),
                detected_at=now,
            )
            action, incident_id = ("opened" if created else "attached"), incident.id
            if not created and alert.severity.value < incident.severity:
                # A bigger surge than the one that opened it: raise the
                # severity (which calls in the roles the new level needs).
                incidents.update(session, ctx, incident.id, severity=alert.severity)
    session.execute(
        update(Signal).where(Signal.id == signal_id).values(action=action, incident_id=incident_id, detail=detail)
    )
    return session.get(Signal, signal_id)


# -- snooze and maintenance ------------------------------------------------------


def _series_for_update(session: Session, series_key: str) -> VolumeSeries:
    series = session.scalars(select(VolumeSeries).where(VolumeSeries.key == series_key).with_for_update()).one_or_none()
    if series is None:
        raise NotFoundError("watch.error.no_series", key=series_key)
    return series


def snooze(session: Session, ctx: Context, series_key: str, until: dt.datetime, reason: str) -> VolumeSeries:
    series = _series_for_update(session, series_key)
    if until <= ctx.clock.now():
        raise InputError("watch.error.until_past")
    series.snoozed_until, series.snooze_reason, series.snoozed_by = until, reason.strip() or None, ctx.actor
    return series


def unsnooze(session: Session, ctx: Context, series_key: str) -> VolumeSeries:
    series = _series_for_update(session, series_key)
    series.snoozed_until = series.snooze_reason = series.snoozed_by = None
    return series


def add_maintenance(
    session: Session, ctx: Context, pattern: str, starts_at: dt.datetime, ends_at: dt.datetime, reason: str
) -> MaintenanceWindow:
    pattern = pattern.strip()
    if not pattern:
        raise InputError("watch.error.pattern_empty")
    if ends_at <= starts_at:
        raise InputError("watch.error.window_order")
    if not reason.strip():
        raise InputError("watch.error.reason_empty")
    window = MaintenanceWindow(
        pattern=pattern,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=ctx.actor,
        created_at=ctx.clock.now(),
    )
    session.add(window)
    session.flush()
    return window


def list_signals(session: Session, *, limit: int = 50, incident_id: int | None = None) -> list[Signal]:
    q = select(Signal).order_by(Signal.id.desc()).limit(limit)
    if incident_id is not None:
        q = q.where(Signal.incident_id == incident_id)
    return list(session.scalars(q))
