"""The detectors of one series, stepped together, bucket by bucket: the
live scorer (:mod:`incident.watch.volumes`) and the backtest
(:mod:`incident.watch.backtest`) both run exactly this, so a backtest shows
the alerts the live system would raise.

- :class:`~incident.detector.SurgeDetector` on each bucket (a surge counts
  only when the bucket holds at least ``min_count`` items);
- :class:`~incident.detector.SilenceDetector` on each bucket (DOMAIN.md §3:
  a branch nobody can reach, a channel gone dead);
- :class:`~incident.detector.DailyLevelDetector` on each day's total, days
  in the centre's zone (DOMAIN.md §3: far more inquiries than usual for
  several days).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from incident.detector import DailyLevelDetector, DetectorParams, SilenceDetector, SurgeDetector, Verdict

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class Step(NamedTuple):
    surge: Verdict  # the bucket's score and baseline, for the chart
    alerts: list[tuple[str, Verdict, float]]  # (surge | silence | level, verdict, observed)

    @property
    def alert(self) -> bool:
        return bool(self.alerts)


class SeriesDetectors:
    def __init__(self, params: DetectorParams, zone: Any) -> None:
        self.surge = SurgeDetector(params)
        self.silence = SilenceDetector(params)
        self.level = DailyLevelDetector(params)
        self.day: dt.date | None = None
        self.day_total = 0.0
        self.zone = zone

    @classmethod
    def load(
        cls, state: dict | None, daily: dict | None, day_total: float | None, params: DetectorParams, zone: Any
    ) -> "SeriesDetectors":
        self = cls(params, zone)
        state, daily = state or {}, daily or {}
        if state.get("surge"):
            self.surge = SurgeDetector.from_state(state["surge"], params)
        if state.get("silence"):
            self.silence = SilenceDetector.from_state(state["silence"], params)
        if daily.get("level"):
            self.level = DailyLevelDetector.from_state(daily["level"], params)
        self.day = dt.date.fromisoformat(daily["day"]) if daily.get("day") else None
        self.day_total = float(day_total or 0.0)
        return self

    def dump(self) -> tuple[dict, dict, float]:
        return (
            {"surge": self.surge.state(), "silence": self.silence.state()},
            {"level": self.level.state(), "day": self.day.isoformat() if self.day else None},
            self.day_total,
        )

    def step(self, bucket: dt.datetime, value: float, min_count: float = 0.0) -> Step:
        ts = (bucket - EPOCH).total_seconds()
        alerts: list[tuple[str, Verdict, float]] = []
        day = bucket.astimezone(self.zone).date()
        if self.day is not None and day != self.day:
            start = dt.datetime.combine(self.day, dt.time(), self.zone)
            level = self.level.update(start.timestamp(), self.day_total)
            if level.alert:
                alerts.append(("level", level, self.day_total))
            self.day_total = 0.0
        self.day = day
        self.day_total += value
        surge = self.surge.update(ts, value)
        if surge.alert and value >= min_count:
            alerts.append(("surge", surge, value))
        quiet = self.silence.update(ts, value)
        if quiet.alert:
            alerts.append(("silence", quiet, value))
        return Step(surge, alerts)


UTC_ZONE = ZoneInfo("UTC")
