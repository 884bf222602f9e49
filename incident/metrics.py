"""The coordinator's state as Prometheus metrics (text exposition format
0.0.4, written by prometheus_client): what an on-call dashboard or an alert
rule needs — incidents open by kind, signals per minute, the delivery
backlog, overdue callbacks, failing sources. Read from the database at
scrape time (a few indexed counts), so every process serving /metrics
reports the same numbers; hence a collector over a session, in a registry
made per scrape, rather than counters kept in one process's memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.enums import OPEN_STATUSES, Kind
from incident.models import Delivery, FeedSourceState, Incident, OutboxMessage, Signal
from incident.remedy.callbacks import overdue_count

SIGNAL_WINDOW = dt.timedelta(minutes=10)


def _gauge(name: str, help_: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_, value=value)


def _labelled(family: GaugeMetricFamily | CounterMetricFamily, rows: Iterator[tuple[str, float]]) -> Iterator:
    for label, value in rows:
        family.add_metric([label], value)
    yield family


class _State(Collector):
    """One scrape's reading of the database."""

    def __init__(self, session: Session, now: dt.datetime) -> None:
        self.s, self.now = session, now

    def collect(self) -> Iterator:
        yield from self._incidents()
        yield from self._signals()
        yield from self._deliveries()
        yield _gauge(
            "incident_callbacks_overdue", "Follow-up callbacks past their due time.", overdue_count(self.s, self.now)
        )
        yield from self._sources()

    def _count(self, model: type, *where: object) -> int:
        return self.s.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]

    def _incidents(self) -> Iterator:
        by_kind: dict[str, int] = dict(
            self.s.execute(  # type: ignore[arg-type]
                select(Incident.kind, func.count())
                .where(Incident.status.in_([s.value for s in OPEN_STATUSES]))
                .group_by(Incident.kind)
            ).all()
        )
        family = GaugeMetricFamily("incident_open", "Open incidents by kind.", labels=["kind"])
        yield from _labelled(family, ((k.value, by_kind.get(k.value, 0)) for k in Kind))

    def _signals(self) -> Iterator:
        minutes = SIGNAL_WINDOW.total_seconds() / 60
        recent = self._count(Signal, Signal.created_at >= self.now - SIGNAL_WINDOW)
        yield _gauge(
            "incident_signals_per_minute",
            f"Detection signals raised per minute, averaged over the last {int(minutes)} minutes.",
            round(recent / minutes, 3),
        )
        actions = self.s.execute(select(Signal.action, func.count()).group_by(Signal.action)).all()
        family = CounterMetricFamily(
            "incident_signals", "Detection signals raised, by what became of them.", labels=["action"]
        )
        yield from _labelled(family, iter(sorted((a, n) for a, n in actions)))

    def _deliveries(self) -> Iterator:
        backlog = self.s.execute(
            select(Delivery.channel, func.count())
            .where(Delivery.status.in_(["pending", "sending"]))
            .group_by(Delivery.channel)
        ).all()
        family = GaugeMetricFamily(
            "incident_outbox_backlog", "Statement deliveries not yet sent, by channel.", labels=["channel"]
        )
        yield from _labelled(family, iter(sorted((c, n) for c, n in backlog)))
        yield _gauge(
            "incident_outbox_in_doubt",
            "Deliveries that may or may not have gone out (held for a person).",
            self._count(Delivery, Delivery.status == "in_doubt"),
        )
        yield _gauge(
            "incident_notifications_backlog",
            "Notifications to people not yet sent.",
            self._count(OutboxMessage, OutboxMessage.status == "pending"),
        )

    def _sources(self) -> Iterator:
        sources = sorted(self.s.execute(select(FeedSourceState.name, FeedSourceState.consecutive_failures)).all())
        family = GaugeMetricFamily(
            "incident_source_consecutive_failures",
            "Polls in a row that failed, per feed source (0: healthy).",
            labels=["source"],
        )
        yield from _labelled(family, ((name, failures or 0) for name, failures in sources))
        yield _gauge(
            "incident_sources_failing", "Feed sources whose last poll failed.", sum(1 for _n, f in sources if f)
        )


def render(session: Session, now: dt.datetime) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_State(session, now))
    return generate_latest(registry).decode()
