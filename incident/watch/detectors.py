"""The detectors of one series, stepped together, bucket by bucket: the
live scorer (:mod:`incident.watch.volumes`) and the backtest
(:mod:`incident.watch.backtest`) both run exactly this, so a backtest shows
the alerts the live system would raise.

- :class:`~incident.detector.SurgeDetector` on each bucket and a second one
  on hourly sums (issue 19 §5: a slow or small surge that no 5-minute
  bucket shows stands out an hour at a time). One surge raises one alert
  across both: while one resolution's alert is recent, the other's is
  folded into it.
- :class:`~incident.detector_scan.ScanDetector`, a count scan of the
  last one to twelve hours against the same baseline, for storms of a few
  tickets an hour that neither of the two SurgeDetectors sees early
  (issue 19: the airline storm). Its alerts fold into the others' too.
- The minimum count applies to the surge's *episode*: the detector's
  episode (from its first bucket above threshold until its CUSUM drains)
  alerts at the first bucket where the total of its buckets above
  threshold reaches ``min_count``. An episode that ends below it raises nothing and spends
  no cooldown (the detector's ``last_hit`` is put back).
- :class:`~incident.detector.SilenceDetector` on each bucket (DOMAIN.md §3:
  a branch nobody can reach, a channel gone dead), where switched on;
- :class:`~incident.detector.DailyLevelDetector` on each day's total, days
  in the centre's zone (DOMAIN.md §3: far more inquiries than usual for
  several days).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from incident.detector import DailyLevelDetector, DetectorParams, SilenceDetector, SurgeDetector, Verdict
from incident.detector_scan import ScanDetector

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
HOUR = 3600


class Hit(NamedTuple):
    what: str  # surge | silence | level
    verdict: Verdict  # for a surge: baseline = the count expected over the counted span
    observed: float  # the count over the span
    since: float  # epoch seconds: the span counted runs from here to the bucket's end


class Step(NamedTuple):
    surge: Verdict  # the bucket's score and baseline, for the chart
    alerts: list[Hit]

    @property
    def alert(self) -> bool:
        return bool(self.alerts)


class Episode:
    """A surge detector and its current episode: whether it was alerted,
    and what it has counted while waiting for ``min_count``."""

    FIELDS = ("open", "raised", "total", "expected", "since", "saved_hit", "raised_at")

    def __init__(self, detector: SurgeDetector | None, saved: tuple[dict, DetectorParams] | None = None) -> None:
        # the detector, or the state it is built from when first needed: the
        # hourly detector steps once an hour, but every bucket loads and saves
        # its series (left unbuilt, its saved state is saved again as it was)
        self._det = detector
        self._saved = saved
        self.open = False  # an episode the detector began with a new alert
        self.raised = False  # ... and it has been alerted (or folded into one)
        self.total = 0.0
        self.expected = 0.0
        self.since = 0.0
        self.saved_hit = -1e18  # the detector's last_hit before the episode
        self.raised_at = -1e18

    @property
    def det(self) -> SurgeDetector:
        if self._det is None:
            assert self._saved is not None
            self._det = SurgeDetector.from_state(*self._saved)
            self._saved = None
        return self._det

    def det_state(self) -> dict[str, Any]:
        """The detector's state (:meth:`SurgeDetector.state`)."""
        if self._det is None:
            assert self._saved is not None
            return self._saved[0]
        return self._det.state()

    def state(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.FIELDS}

    def restore(self, state: dict[str, Any] | None) -> None:
        for k, v in (state or {}).items():
            if k in self.FIELDS:
                setattr(self, k, v)

    def feed(self, ts: float, value: float, min_count: float, at: float, blocked: bool) -> tuple[Verdict, Hit | None]:
        """Step the detector on the bucket (or hour) starting at ``ts``,
        scored at ``at``; the alert to raise now, if any. ``blocked``: the
        other resolution has alerted this surge already, so this episode is
        folded into that alert."""
        det = self.det
        before = det.last_hit
        v = det.update(ts, value)
        if v.alert:
            if not (self.open and not self.raised):  # else keep the hit from before the first try
                self.saved_hit = before
            self.open, self.raised = True, False
            self.total = self.expected = 0.0
            self.since = ts
        hit = None
        # count the episode's buckets above threshold: the ordinary buckets
        # of its tail (the CUSUM draining) would add up to anything in time
        if self.open and not self.raised and det.last_hit == ts:
            self.total += value
            self.expected += v.baseline
            if self.total >= min_count:
                self.raised = True
                if not blocked:
                    self.raised_at = at
                    hit = Hit("surge", v._replace(baseline=self.expected, alert=True), self.total, self.since)
        if self.open and not det.active:
            if not self.raised:
                det.last_hit = self.saved_hit  # dropped for the minimum count: no cooldown spent
            self.open = False
        return v, hit

    def recent(self, ts: float, cooldown: float) -> bool:
        return (self.open and self.raised) or ts - self.raised_at < cooldown


@functools.lru_cache(maxsize=16)
def _hourly_params(params: DetectorParams) -> DetectorParams:
    """The hourly detector's parameters: the same defaults, but its CUSUM bar
    starts from its own noise model (prior excess 1, giving a young series a
    bar of about 10, with the Siegmund floor of 6.8 instead of 10 for a calm
    one) rather than from a bursty 5-minute series' prior (excess 15: a bar of
    64-85 until the series has shown its own tail). Bursts of minutes average out in an
    hour's count; a slow rise of a few tickets an hour is what it is for, and
    with the 5-minute prior its bar started at CUSUM 64 and a storm of two to
    five times the normal went unflagged for days (issue 19)."""
    # memoised: every series of a bucket asks with equal params, and
    # dataclasses.replace on ~40 fields cost more than loading a state
    return dataclasses.replace(params, bucket_seconds=HOUR, tail_prior_cusum_excess=1.0, cusum_min=0.0)


class SeriesDetectors:
    def __init__(self, params: DetectorParams, zone: Any, *, silence: bool = True) -> None:
        self._build(params, zone, silence, {}, {}, 0.0)

    @staticmethod
    def hourly_params(params: DetectorParams) -> DetectorParams:
        return _hourly_params(params)

    @classmethod
    def load(
        cls,
        state: dict | None,
        daily: dict | None,
        day_total: float | None,
        params: DetectorParams,
        zone: Any,
        *,
        silence: bool = True,
    ) -> "SeriesDetectors":
        """From :meth:`dump`; states stored before a key existed start that
        piece afresh."""
        self = cls.__new__(cls)
        self._build(params, zone, silence, state or {}, daily or {}, day_total)
        return self

    def _build(
        self, params: DetectorParams, zone: Any, silence: bool, state: dict, daily: dict, day_total: float | None
    ) -> None:
        """Each detector from its saved state, or fresh where there is none.
        Only the missing ones are built fresh: the live scorer loads every
        series each bucket, and building three detectors only to replace them
        was a sixth of a bucket's time at 10,000 series."""
        self.params = params
        self.zone = zone
        saved = state.get("surge")
        self.surge = SurgeDetector.from_state(saved, params) if saved else SurgeDetector(params)
        self.fine = Episode(self.surge)
        self.fine.restore(state.get("episode"))
        self.hourly: Episode | None = None
        self.hour_ts: float | None = None  # the open hour
        self.hour_sum = 0.0
        if params.bucket_seconds < HOUR and HOUR % params.bucket_seconds == 0:
            hourly_params = self.hourly_params(params)
            saved = state.get("hourly")
            if saved:
                self.hourly = Episode(None, (saved, hourly_params))
                self.hourly.restore(state.get("hourly_episode"))
                self.hour_ts = state.get("hour_ts")
                self.hour_sum = float(state.get("hour_sum") or 0.0)
            else:
                self.hourly = Episode(SurgeDetector(hourly_params))
        self.scan: ScanDetector | None = None
        if params.bucket_seconds < HOUR:
            saved = state.get("scan")
            self.scan = ScanDetector.from_state(saved, params) if saved else ScanDetector(params)
            self._scan_warm = params.scan_warmup_days * 86400.0 / params.bucket_seconds
        self.silence: SilenceDetector | None = None
        if silence:
            saved = state.get("silence")
            self.silence = SilenceDetector.from_state(saved, params) if saved else SilenceDetector(params)
        saved = daily.get("level")
        self.level = DailyLevelDetector.from_state(saved, params) if saved else DailyLevelDetector(params)
        self.day: dt.date | None = dt.date.fromisoformat(daily["day"]) if daily.get("day") else None
        self.day_total = float(day_total or 0.0)

    def dump(self) -> tuple[dict, dict, float]:
        state: dict[str, Any] = {"surge": self.surge.state(), "episode": self.fine.state()}
        if self.silence is not None:
            state["silence"] = self.silence.state()
        if self.scan is not None:
            state["scan"] = self.scan.state()
        if self.hourly is not None:
            state.update(
                hourly=self.hourly.det_state(),
                hourly_episode=self.hourly.state(),
                hour_ts=self.hour_ts,
                hour_sum=self.hour_sum,
            )
        return (
            state,
            {"level": self.level.state(), "day": self.day.isoformat() if self.day else None},
            self.day_total,
        )

    def step(self, bucket: dt.datetime, value: float, min_count: float = 0.0) -> Step:
        ts = (bucket - EPOCH).total_seconds()
        alerts: list[Hit] = []
        day = bucket.astimezone(self.zone).date()
        if self.day is not None and day != self.day:
            start = dt.datetime.combine(self.day, dt.time(), self.zone)
            level = self.level.update(start.timestamp(), self.day_total)
            if level.alert:
                alerts.append(Hit("level", level, self.day_total, start.timestamp()))
            self.day_total = 0.0
        self.day = day
        self.day_total += value
        cooldown = self.params.cooldown_hours * 3600.0
        hourly = self.hourly
        if hourly is not None and self.hour_ts is not None and ts - ts % HOUR != self.hour_ts:
            # a gap in the buckets skipped the end of the open hour: close it first
            self._close_hour(min_count, cooldown, alerts)
        scan = self.scan
        scanned = scan is not None and scan.recent(ts)
        blocked = scanned or (hourly is not None and hourly.recent(ts, cooldown))
        surge, hit = self.fine.feed(ts, value, min_count, ts, blocked)
        if hit is not None:
            alerts.append(hit)
        if scan is not None:
            self._scan(scan, ts, value, surge.baseline, min_count, alerts)
        if hourly is not None:
            if self.hour_ts is None:
                self.hour_ts, self.hour_sum = ts - ts % HOUR, 0.0
            self.hour_sum += value
            if ts + self.params.bucket_seconds >= self.hour_ts + HOUR:
                self._close_hour(min_count, cooldown, alerts)
        if self.silence is not None:
            quiet = self.silence.update(ts, value)
            if quiet.alert:
                alerts.append(Hit("silence", quiet, value, ts))
        return Step(surge, alerts)

    def _scan(
        self, scan: ScanDetector, ts: float, value: float, mu: float, min_count: float, alerts: list[Hit]
    ) -> None:
        """The count scan on this bucket; its alert unless another
        resolution has alerted this surge already (or does now)."""
        surge = self.surge
        v = scan.update(ts, value, mu, surge.n > self._scan_warm, surge.weekday_scale(ts))
        if not v.alert or v.observed < min_count:
            return
        cooldown = self.params.cooldown_hours * 3600.0
        if alerts or self.fine.recent(ts, cooldown) or (self.hourly is not None and self.hourly.recent(ts, cooldown)):
            return
        score = 1.0 / (1.0 + math.exp(-(v.z - self.params.scan_z)))
        alerts.append(Hit("surge", Verdict(score, v.expected, True, 1), v.observed, v.since))

    def _close_hour(self, min_count: float, cooldown: float, alerts: list[Hit]) -> None:
        assert self.hourly is not None and self.hour_ts is not None
        hour, total = self.hour_ts, self.hour_sum
        self.hour_ts, self.hour_sum = None, 0.0
        blocked = self.fine.recent(hour + HOUR, cooldown) or (self.scan is not None and self.scan.recent(hour + HOUR))
        _, hit = self.hourly.feed(hour, total, min_count, hour + HOUR, blocked)
        if hit is not None:
            alerts.append(hit)


UTC_ZONE = ZoneInfo("UTC")
