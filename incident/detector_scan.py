"""A count scan over the last hours: is the count of the last one to twelve
hours more than its baseline allows? (issue 19: slow and small surges).

The 5-minute detector (:class:`incident.detector.SurgeDetector`) judges a
bucket and a CUSUM of buckets against thresholds learnt from the series'
own tail; on a series of a few tickets an hour the buckets are mostly zeros
and ones, their tail is set by chance, and a storm that doubles or triples
the count over a few hours stays under every bar (the airline storm: the
highest score 0.03 on eight surging series). Counted over hours, the same
surge is plain: 58 tickets in three hours where 22 were expected.

This scan keeps, per series, the count and the expected count of each of
the last eleven whole hours, and at every bucket tests the windows "this
hour so far plus the last 1, 2, 5 and 11 whole hours" (1-12 hours long):

    z = 2 (sqrt(O + 3/8) - sqrt(E + 3/8)) sqrt(E / (E + V + d^2 E^2))

the Anscombe residual of a count whose variance is Poisson (E), plus the
uncertainty of the expectation itself (V), plus a relative error ``d`` of
the baseline learnt per series by moments from its calm hours (a series
whose hours wander by 30 % needs a larger excess than a plain Poisson one).

The expectation: each clock hour's own mean count, learnt over days
(a running mean over its first days, then a half-life of three days, from
counts winsorised at 3 sd so a surge raises it slowly), scaled by the
5-minute detector's weekday offset; V follows that mean's sampling error.
Until a clock hour has been seen on two days, the 5-minute detector's
expected count stands in, with the uncertainty of one day's count. Counted
over hours this baseline was right within its error on the airline series
after five days, where the 5-minute detector's (a level that moves within
the day, an interpolated profile) was off by 15-30 % an hour.

The bar is learnt from the series' own tail, as the 5-minute detector's are
(peaks over ``scan_u``, the level expected once in ``return_period_days``),
never below ``scan_z``: a calm series gets about 4, a bursty mention series
10-25. It alerts from the second day, at most once per ``cooldown_hours``
(it counts as above its bar while any window is), never on a window
expecting fewer than ``scan_min_expected`` (a handful of tickets on an
almost empty series is not a storm), and folds into the other
resolutions' alerts (:mod:`incident.watch.detectors`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from incident.detector_params import DEFAULTS, DetectorParams

__all__ = ["ScanDetector", "ScanVerdict"]

HOUR = 3600.0
_BACK = (1, 2, 5, 11)  # whole hours before the open one, per window
_KEEP = 11  # whole hours kept
_TARGET = 0.674  # median |z| of a unit normal
_LEARN_FROM = 5.0  # expected counts an hour for d to learn from it
_SLOT_DAYS = 2  # days a clock hour is seen before its own mean is the baseline
_SLOT_RATE = 1.0 - 0.5 ** (1.0 / 3.0)  # a clock hour's mean: half-life 3 days
_TAIL_KEEP = 0.5 ** (1.0 / (14.0 * 24.0))  # the tail forgets over two weeks of hours
_FORGET = 1.0 - 0.5 ** (1.0 / 168.0)  # d forgets over a week of learnt hours


def _short(x: float) -> float:
    """Seven significant digits: what the scan keeps between buckets. Every
    series' state is stored after every bucket (as JSON text), and a full
    float's 17 digits made the scan's part of it 40 % of the whole; rounding
    where the value is made (not when it is saved) keeps a detector saved and
    loaded every bucket the same as one that never stopped."""
    return float(f"{x:.7g}")


class ScanVerdict(NamedTuple):
    z: float  # the largest window residual
    observed: float  # its count
    expected: float  # its expected count
    since: float  # epoch seconds: its window starts here
    alert: bool  # a new alert at this bucket


class ScanDetector:
    """Feed every bucket with its count and the 5-minute detector's expected
    count, in order."""

    def __init__(self, params: DetectorParams = DEFAULTS) -> None:
        self.params = params
        self.d = params.scan_prior_d
        self.hour_ts: float | None = None  # the open hour
        self.f = 1.0  # its weekday's scale
        self.o = self.e = self.v = 0.0  # its count, expectation and the expectation's variance so far
        self.hours: list[list[float]] = []  # [count, expected, variance of expected] of whole hours, oldest first
        self.last_hit = -1e18
        self.s2 = 0.0  # forgetting sum of the hours' d^2 estimates
        self.w = 0.0  # and of their weights
        self.slot = [0.0] * 24  # mean count of each clock hour (local time), learnt
        self.rel = [1.0] * 24  # its variance relative to one day's count (1 / effective days)
        self.days = [0] * 24  # days each clock hour has been seen
        # tail model of the scan's z (as SurgeDetector's): forgetting counts of
        # episodes above scan_u, of their peak excesses, and of hours watched
        e = params.tail_prior_episodes
        self.te = e
        self.tx = e * params.scan_prior_excess
        self.th = e * 24.0 / params.scan_prior_per_day
        self.pk = 0.0  # peak of the current excursion above scan_u
        self.bar = self._bar()

    # -- state -------------------------------------------------------------
    _FIELDS: tuple[str, ...] = (
        *("d", "hour_ts", "f", "o", "e", "v", "hours", "last_hit", "s2", "w", "slot", "rel", "days"),
        *("te", "tx", "th", "pk", "bar"),
    )

    def state(self) -> dict:
        return {k: getattr(self, k) for k in self._FIELDS}

    @classmethod
    def from_state(cls, state: dict, params: DetectorParams = DEFAULTS) -> "ScanDetector":
        self = cls(params)
        for k in cls._FIELDS:
            setattr(self, k, state[k])
        return self

    # -- scoring -----------------------------------------------------------
    def _var(self, e: float, v: float) -> float:
        """Variance of a count expected at ``e`` whose expectation has variance ``v``."""
        return e + v + self.d * self.d * e * e

    def _z(self, o: float, e: float, v: float) -> float:
        # Anscombe: sd of sqrt(O) is sqrt(var / 4e)
        return (math.sqrt(o + 0.375) - math.sqrt(e + 0.375)) * 2.0 * math.sqrt(e / self._var(e, v))

    def _bar(self) -> float:
        """The z expected once a return period: u + beta ln(rate T), never
        below scan_z (peaks over threshold, as the 5-minute detector's bars)."""
        p = self.params
        beta = self.tx / self.te
        rate_t = self.te / self.th * p.return_period_days * 24.0
        return _short(max(p.scan_z, p.scan_u + beta * math.log(max(rate_t, 1.0))))

    def _episode(self, peak: float) -> None:
        self.te = _short(self.te + 1.0)
        self.tx = _short(self.tx + peak - self.params.scan_u)
        self.bar = self._bar()

    def _slot(self, ts: float) -> int:
        return int((ts + self.params.utc_offset_seconds) % 86400.0 // HOUR)

    def _close(self) -> None:
        """The open hour is whole: learn ``d`` and its clock hour's mean from
        it, and keep it."""
        assert self.hour_ts is not None
        o, e, v = self.o, self.e, self.v
        # calm: no window above the bar within the cooldown, none above
        # scan_u now, and the hour itself unremarkable
        calm = not self.recent(self.hour_ts + HOUR) and not self.pk
        k = self._slot(self.hour_ts)
        n = self.days[k]
        # the clock hour's mean: a running mean over its first days, then an
        # average with a half-life of a few days, from the count winsorised at
        # 3 sd of what was expected (a surge raises it only slowly). ``rel``
        # follows the variance of that mean, in units of one day's count.
        # (in units of the weekday's scale, so it holds the hour's shape
        # across weekdays, as the 5-minute detector's profile does)
        q = o if n < _SLOT_DAYS else min(o, e + 3.0 * math.sqrt(self._var(e, v)) + 1.0)
        a = max(1.0 / (n + 1), _SLOT_RATE)
        self.slot[k] = _short(self.slot[k] + a * (q / self.f - self.slot[k]))
        self.rel[k] = _short((1.0 - a) ** 2 * self.rel[k] + a * a)
        self.days[k] = n + 1
        # d^2 by moments: E[(O - E)^2] = E + var(E) + d^2 E^2, so each whole
        # hour gives ((O - E)^2 - E - var(E)) / E^2, winsorised at 3 sd (one
        # burst moves it a bounded step), averaged with forgetting and a prior
        # worth a few hours. Only from calm hours: a day-long storm below the
        # bar would otherwise teach the series to be noisy (and hide itself);
        # and only from hours expecting a few counts, where d shows.
        if calm and e >= _LEARN_FROM and self._z(o, e, v) < self.params.scan_u:
            p = self.params
            dev = min(abs(o - e), 3.0 * math.sqrt(self._var(e, v)))
            keep = 1.0 - _FORGET
            self.w = keep * self.w + 1.0
            self.s2 = keep * self.s2 + (dev * dev - e - v) / (e * e)
            prior = p.scan_prior_hours
            d2 = (self.s2 + prior * p.scan_prior_d**2) / (self.w + prior)
            self.d = _short(max(p.scan_min_d, math.sqrt(max(d2, 0.0))))
            self.s2, self.w = _short(self.s2), _short(self.w)
        self.hours.append([o, _short(e), _short(v)])
        self.o = self.e = self.v = 0.0
        f = _TAIL_KEEP
        self.te, self.tx, self.th = _short(self.te * f), _short(self.tx * f), _short(self.th * f + 1.0)
        self.bar = self._bar()

    def update(self, ts: float, value: float, expected: float, live: bool, weekday: float = 1.0) -> ScanVerdict:
        """The bucket at ``ts`` holding ``value``, where the 5-minute detector
        expected ``expected``; ``live``: it may alert; ``weekday``: the
        5-minute detector's scale of this weekday against the week's mean."""
        hour = ts - ts % HOUR
        if self.hour_ts is not None and hour != self.hour_ts:
            self._close()
            for _ in range(min(int((hour - self.hour_ts) / HOUR) - 1, _KEEP)):
                self.hours.append([0.0, 0.0, 0.0])  # whole hours with no bucket (a gap)
            del self.hours[:-_KEEP]
        self.hour_ts = hour
        self.f = _short(weekday)
        self.o += value
        k = self._slot(ts)
        if self.days[k] >= _SLOT_DAYS:
            # a clock hour seen on a few days: its own mean (and that mean's
            # uncertainty) is the baseline, uniform within the hour
            share = self.params.bucket_seconds / HOUR
            self.e = _short(self.e + self.slot[k] * weekday * share)
            self.v = _short(self.v + self.slot[k] * weekday * weekday * self.rel[k] * share)
        else:  # the 5-minute detector's, about as uncertain as one day's count
            self.e = _short(self.e + expected)
            self.v = _short(self.v + expected)
        return self._judge(ts, hour, live)

    def _judge(self, ts: float, hour: float, live: bool) -> ScanVerdict:
        # (inlined _z: this runs for every series every bucket)
        o, e, v = self.o, self.e, self.v
        hours = self.hours
        n = len(hours)
        d2 = self.d * self.d
        least = self.params.scan_min_expected
        zbest, back_best, ob, eb = -math.inf, 0, 0.0, 0.0
        taken = 0
        for back in _BACK:
            if back > n:
                break
            while taken < back:
                taken += 1
                ho, he, hv = hours[n - taken]
                o += ho
                e += he
                v += hv
            if e < least:
                continue
            z = (math.sqrt(o + 0.375) - math.sqrt(e + 0.375)) * 2.0 * math.sqrt(e / (e + v + d2 * e * e))
            if z > zbest:
                zbest, back_best, ob, eb = z, back, o, e
        best = ScanVerdict(zbest, ob, eb, hour - back_best * HOUR, False)
        if zbest > self.params.scan_u:
            if zbest > self.pk:
                self.pk = _short(zbest)
        elif self.pk:
            self._episode(self.pk)
            self.pk = 0.0
        if not live or zbest < self.bar:
            return best
        alert = ts - self.last_hit >= self.params.cooldown_hours * HOUR
        self.last_hit = ts
        return best._replace(alert=alert)

    def recent(self, ts: float) -> bool:
        """An alert or a window above the bar within the cooldown."""
        return ts - self.last_hit < self.params.cooldown_hours * HOUR
