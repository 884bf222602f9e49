"""Daily totals far above their own weekday-adjusted normal for several days in a
row: :class:`DailyLevelDetector` (re-exported by :mod:`incident.detector`; see its
module docstring for the family of detectors)."""

from __future__ import annotations

import math

from incident.detector_params import _STATE_VERSION, DEFAULTS, BadValue, DetectorParams, Verdict, _check, _feed, _rate

__all__ = ["DailyLevelDetector"]


class DailyLevelDetector:
    """Daily totals far above the series' own weekday-adjusted normal for several days
    in a row: one alert (direction +1) per such stretch. Fed one total per day, ``ts``
    = the day's start.

    Baseline ``log(mu + 1) = level + weekday[d]`` from winsorised log-residuals; the
    weekday offsets learn only from unremarkable days. Noise is the larger of the
    Poisson sd and 1.4826 x the median absolute residual of the last 28 days (robust
    to the surge days themselves; sorting 28 numbers once a day costs nothing). A
    CUSUM of z, each day capped at ``daily_zcap``, needs several high days in a row.
    """

    WINDOW = 28

    def __init__(self, params: DetectorParams = DEFAULTS) -> None:
        self.p = params
        self.last_ts: float | None = None
        self.n = 0
        self.L = 0.0
        self.W = [0.0] * 7
        self.nW = [0] * 7
        self.resid: list[float] = []  # |log-residual| of the last WINDOW days
        self.C = 0.0
        self.active = False

    def update(self, ts: float, value: float) -> Verdict:
        return _feed(self, ts, value, 86400, int(self.p.max_gap_days))

    def _step(self, ts: float, x: float) -> Verdict:
        if not 0.0 <= x < math.inf:  # also NaN
            raise BadValue(f"count must be a non-negative number, got {x!r}")
        p = self.p
        self.last_ts = ts
        n = self.n = self.n + 1
        d = int((ts + p.utc_offset_seconds) // 86400) % 7
        y = math.log(x + 1.0)
        if n == 1:
            self.L = y
        b = self.L + self.W[d]
        mu = max(0.0, math.exp(b) - 1.0)
        spread = 1.4826 * sorted(self.resid)[len(self.resid) // 2] if self.resid else 0.2
        sd = max(spread, 1.0 / math.sqrt(mu + 1.0))
        r = y - b
        z = r / sd
        warm = n <= p.daily_warmup_days
        if x > 0.0 or mu < p.silent_floor:
            lim = p.clip_z * sd
            rc = lim if r > lim else (-lim if r < -lim else r)
            aL = max(_rate(p.daily_level_halflife_days), 1.0 / n)
            aW = 0.0
            if n > 7:  # weekday offsets once a first week has set the level
                c = self.nW[d] = self.nW[d] + 1
                aW = max(_rate(p.daily_weekday_halflife_weeks), 1.0 / (c + 1))
            tot = aL + aW
            if tot > 1.0:
                aL, aW = aL / tot, aW / tot
            self.L += aL * rc
            if warm or (rc == r and not self.active):
                self.W[d] += aW * rc
            if n > 7:
                self.resid = self.resid[1 - self.WINDOW :] + [abs(r)]
        if warm:
            return Verdict(0.0, mu, False, 0)
        C = self.C + (z if z < p.daily_zcap else p.daily_zcap) - p.daily_k
        C = self.C = C if C > 0.0 else 0.0
        alert = False
        if C >= p.daily_h:
            alert = not self.active
            self.active = True
        elif C <= 0.0:
            self.active = False
        direction = 1 if self.active else (-1 if z < -p.drop_z else 0)
        return Verdict(C / (C + p.daily_h), mu, alert, direction)

    _STATE = ("last_ts", "n", "L", "W", "nW", "resid", "C", "active")

    def state(self) -> dict:
        out = {"kind": "daily", "version": _STATE_VERSION}
        for k in self._STATE:
            v = getattr(self, k)
            out[k] = list(v) if isinstance(v, list) else v
        return out

    @classmethod
    def from_state(cls, state: dict, params: DetectorParams = DEFAULTS) -> "DailyLevelDetector":
        _check(state, "daily")
        self = cls.__new__(cls)
        self.p = params
        for k in cls._STATE:
            v = state[k]
            setattr(self, k, list(v) if isinstance(v, list) else v)
        return self
