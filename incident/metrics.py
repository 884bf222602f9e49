"""The coordinator's state as Prometheus metrics (text exposition format
0.0.4): what an on-call dashboard or an alert rule needs — incidents open
by kind, signals per minute, the delivery backlog, overdue callbacks,
failing sources. Read from the database at scrape time (a few indexed
counts), so every process serving /metrics reports the same numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.enums import OPEN_STATUSES, Kind
from incident.models import Delivery, FeedSourceState, Incident, OutboxMessage, Signal
from incident.remedy.callbacks import overdue_count

SIGNAL_WINDOW = dt.timedelta(minutes=10)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(name: str, kind: str, help_: str, samples: Iterable[tuple[dict[str, str], float]]) -> list[str]:
    out = [f"# HELP {name} {help_}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
        out.append(f"{name}{{{inner}}} {value:g}" if inner else f"{name} {value:g}")
    return out


def render(session: Session, now: dt.datetime) -> str:
    lines: list[str] = []
    by_kind: dict[str, int] = {
        kind: n
        for kind, n in session.execute(
            select(Incident.kind, func.count())
            .where(Incident.status.in_([s.value for s in OPEN_STATUSES]))
            .group_by(Incident.kind)
        )
    }
    lines += _family(
        "incident_open",
        "gauge",
        "Open incidents by kind.",
        (({"kind": k.value}, by_kind.get(k.value, 0)) for k in Kind),
    )
    recent = (
        session.scalar(select(func.count()).select_from(Signal).where(Signal.created_at >= now - SIGNAL_WINDOW)) or 0
    )
    lines += _family(
        "incident_signals_per_minute",
        "gauge",
        f"Detection signals raised per minute, averaged over the last {int(SIGNAL_WINDOW.total_seconds() // 60)} "
        "minutes.",
        [({}, round(recent / (SIGNAL_WINDOW.total_seconds() / 60), 3))],
    )
    actions: dict[str, int] = {
        action: n for action, n in session.execute(select(Signal.action, func.count()).group_by(Signal.action))
    }
    lines += _family(
        "incident_signals_total",
        "counter",
        "Detection signals raised, by what became of them.",
        (({"action": a}, n) for a, n in sorted(actions.items())),
    )
    backlog: dict[str, int] = {
        channel: n
        for channel, n in session.execute(
            select(Delivery.channel, func.count())
            .where(Delivery.status.in_(["pending", "sending"]))
            .group_by(Delivery.channel)
        )
    }
    lines += _family(
        "incident_outbox_backlog",
        "gauge",
        "Statement deliveries not yet sent, by channel.",
        (({"channel": c}, n) for c, n in sorted(backlog.items())),
    )
    doubt = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "in_doubt")) or 0
    lines += _family(
        "incident_outbox_in_doubt",
        "gauge",
        "Deliveries that may or may not have gone out (held for a person).",
        [({}, doubt)],
    )
    notices = (
        session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) or 0
    )
    lines += _family(
        "incident_notifications_backlog", "gauge", "Notifications to people not yet sent.", [({}, notices)]
    )
    lines += _family(
        "incident_callbacks_overdue",
        "gauge",
        "Follow-up callbacks past their due time.",
        [({}, overdue_count(session, now))],
    )
    sources = session.execute(select(FeedSourceState.name, FeedSourceState.consecutive_failures)).all()
    lines += _family(
        "incident_source_consecutive_failures",
        "gauge",
        "Polls in a row that failed, per feed source (0: healthy).",
        (({"source": name}, failures or 0) for name, failures in sorted(sources)),
    )
    lines += _family(
        "incident_sources_failing",
        "gauge",
        "Feed sources whose last poll failed.",
        [({}, sum(1 for _n, f in sources if f))],
    )
    return "\n".join(lines) + "\n"
