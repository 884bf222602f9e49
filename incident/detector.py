"""Streaming volume-surge detection for per-bucket counts (complaints, mentions, calls).

Pure Python, standard library only. Each detector sees every bucket once, when it
closes, in time order; its verdict for a bucket depends only on that bucket and the
ones before it (no look-ahead). :func:`backtest` runs the very same ``update`` as the
live path.

Method of :class:`SurgeDetector`
--------------------------------
1. **Expected count (baseline).** Multiplicative seasonality,
   ``log(mu + c) = level + daily(time of day) + weekly[weekday]``: 24 hour slots,
   interpolated linearly between slot centres, and 7 weekday offsets. The pieces
   learn by Fisher-scaled Poisson steps (error over the mean count the piece
   covers), which converge to the *mean* count, from a *winsorised* count (clipped
   at ``clip_z`` sd) so a burst moves them little. The daily and weekly profiles
   learn only from unremarkable buckets outside an alert (a surge must not become
   "normal at this hour"); the level learns from every bucket, clipped, so a lasting
   change is absorbed at a bounded speed. A zero where ``mu >= silent_floor`` is an
   outage, not information: nothing learns from it.
2. **Variance-stabilised residual.** ``z = (sqrt(x + 3/8) - sqrt(mu + 3/8)) / sd``
   (Anscombe), ``sd = sqrt(1 + d^2 mu) / 2``: Poisson noise plus overdispersion
   ``d`` (a negative-binomial count), estimated per series by keeping the median of
   ``|z|`` at 0.674 as for a unit normal (a quantile tracker, so a burst moves it one
   small step; the count is jittered by a deterministic uniform so that small,
   discrete counts do not bias the median). The square-root scale, unlike a log
   scale, ranks a jump 10 -> 700 far above 100 -> 300, as someone reading the chart
   does.
3. **Two statistics.** The bucket's own ``z`` (a spike) and a one-sided CUSUM
   ``C = max(0, C + z - k)`` (a burst of raised buckets over minutes to hours).
4. **Thresholds from the series' own tail** (streaming peaks-over-threshold, as in
   SPOT, Siffer et al., KDD 2017). Each excursion of a statistic above a low level
   ``u`` is an episode; its peak excess is taken as exponential with mean ``beta``,
   episodes come at a rate ``lam``; both are estimated per series with exponential
   forgetting. The alert level is the peak expected once per
   ``return_period_days``: ``h = u + beta * ln(lam * T)``. A bursty series (many,
   tall bursts) thus gets a high bar and a calm one a low bar, from one set of
   defaults. The score is ``logistic((stat - h) / beta)``: 0.5 at the threshold;
   each further ``beta`` multiplies the return period by e.
5. **One surge, one alert.** A new alert is raised only when no bucket has been
   above threshold for ``cooldown_hours``: a surge that lasts, or comes back in
   waves, alerts once. Until the CUSUM has drained to zero the surge counts as
   ongoing (``direction = +1``) and the profiles do not learn from it. The CUSUM is
   capped at ``cusum_cap`` thresholds, so it drains within hours of a long surge.

:class:`SilenceDetector` flags a stretch of zero buckets once the count expected over
it (same baseline) is large. :class:`DailyLevelDetector` takes one total per day and
flags totals far above the series' own weekday-adjusted normal for several days in a
row (a slow rise that the 5-minute detector adapts to).

:class:`~incident.detector_scan.ScanDetector` (:mod:`incident.detector_scan`)
counts the last hours against the same baseline, for storms of a few tickets an
hour whose buckets are mostly zeros and ones.

All three have ``update(ts, value) -> Verdict``, ``state() -> dict`` (JSON-safe) and
``from_state(state, params)``. Buckets arrive in order; a gap of missing buckets
counts as zero counts (at most ``max_gap_days`` of them are replayed); hour of day and
weekday are taken from the middle of the bucket, ``ts + utc_offset_seconds``. A new
series is learning: no alert in its first two days (its second day already shows
the tail model its bursts), and weekday offsets shrink toward zero until a weekday
has been seen (a first Monday after a first weekend may surprise it). To go live at
full strength, replay a few weeks of history through ``update`` and keep ``state()``.

Input: ``update`` raises :class:`OutOfOrder` (a ``ValueError``) for a bucket not at
least one bucket after the previous one, and :class:`BadValue` for a negative,
NaN or infinite count; callers reading history sort and merge rows first.
Real-valued measurements (any sign, fractions) go to :class:`MeasureDetector`
(:mod:`incident.detector_measure`); parameters live in
:mod:`incident.detector_params`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace
from typing import Iterable

from incident.detector_daily import DailyLevelDetector
from incident.detector_measure import MeasureDetector
from incident.detector_params import (
    _STATE_VERSION,
    DEFAULTS,
    BadValue,
    DetectorParams,
    OutOfOrder,
    Verdict,
    _check,
    _feed,
)
from incident.detector_surge import SurgeDetector

__all__ = [
    "DetectorParams",
    "Verdict",
    "OutOfOrder",
    "BadValue",
    "MeasureDetector",
    "SurgeDetector",
    "SilenceDetector",
    "DailyLevelDetector",
    "backtest",
]


@functools.lru_cache(maxsize=32)
def _silence_params(params: DetectorParams) -> DetectorParams:
    """The silence baseline's parameters: it learns a quiet weekday at once (no
    shrinking toward zero), for silence a baseline set too high is the false
    alarm. Cached: the live scorer rebuilds 10,000 silence detectors a bucket,
    and ``replace`` on these parameters was 6 % of its time."""
    return replace(params, weekday_prior_days=0.0)


class SilenceDetector:
    """A series that normally has volume sends nothing: one alert (direction -1) per
    silent stretch, once ``silence_min_expected`` counts were expected over it and it
    lasted ``silence_min_buckets`` (not in the first two days). Feed it the same
    buckets as the :class:`SurgeDetector`.

    The expected counts come from an inner :class:`SurgeDetector` baseline (its surge
    verdicts are not used). While a flagged silence lasts that baseline is frozen,
    so the outage is not learnt as normal.
    """

    def __init__(self, params: DetectorParams = DEFAULTS) -> None:
        self.p = params
        self.base = SurgeDetector(_silence_params(params))
        self.last_ts: float | None = None
        self.run = 0  # zero buckets in the current stretch
        self.expected = 0.0  # counts the baseline expected over it
        self.alerted = False

    def update(self, ts: float, value: float) -> Verdict:
        return _feed(self, ts, value, self.p.bucket_seconds, self.base._gap)

    def _step(self, ts: float, x: float) -> Verdict:
        if not 0.0 <= x < math.inf:  # also NaN
            raise BadValue(f"count must be a non-negative number, got {x!r}")
        self.last_ts = ts
        base = self.base
        if self.alerted and x == 0.0:
            mu = base.expected(ts)  # frozen during the outage
        else:
            mu = base._step(ts, x).baseline
        if x > 0.0:
            self.run, self.expected, self.alerted = 0, 0.0, False
            return Verdict(0.0, mu, False, 0)
        self.run += 1
        self.expected += mu
        need = self.p.silence_min_expected
        alert = False
        if (
            not self.alerted
            and self.run >= self.p.silence_min_buckets
            and self.expected >= need
            and base.n > base._warm
        ):
            self.alerted = alert = True
        return Verdict(self.expected / (self.expected + need), mu, alert, -1 if self.alerted else 0)

    def state(self) -> dict:
        return {
            "kind": "silence",
            "version": _STATE_VERSION,
            "base": self.base.state(),
            "last_ts": self.last_ts,
            "run": self.run,
            "expected": self.expected,
            "alerted": self.alerted,
        }

    @classmethod
    def from_state(cls, state: dict, params: DetectorParams = DEFAULTS) -> "SilenceDetector":
        _check(state, "silence")
        self = cls.__new__(cls)
        self.p = params
        self.base = SurgeDetector.from_state(state["base"], _silence_params(params))
        self.last_ts = state["last_ts"]
        self.run, self.expected, self.alerted = state["run"], state["expected"], state["alerted"]
        return self


def backtest(rows: Iterable[tuple[float, float]], params: DetectorParams = DEFAULTS) -> list[Verdict]:
    """Run a fresh :class:`SurgeDetector` over ``(ts, value)`` rows in time order: the
    same code as the live path, one verdict per row."""
    update = SurgeDetector(params).update
    return [update(ts, value) for ts, value in rows]
