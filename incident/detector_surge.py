"""The surge detector (:class:`SurgeDetector`): the method is described in
incident/detector.py, which re-exports it beside the other detectors."""

from __future__ import annotations

import math

from incident.detector_params import (
    _STATE_VERSION,
    DEFAULTS,
    BadValue,
    DetectorParams,
    OutOfOrder,
    Verdict,
    _check,
    _rate,
)

_NEXT = [(k + 1) % 24 for k in range(24)]
_SQRT38 = math.sqrt(0.375)  # Anscombe value of a zero count


class SurgeDetector:
    """Seasonal baseline, Anscombe residual, spike and CUSUM tests with thresholds from
    the series' own tail (see the module docstring). One instance per series."""

    # state() saves these; the rest is derived from the parameters
    _STATE = (
        "n",
        "last_ts",
        "L",
        "M",
        "MW",
        "S",
        "W",
        "nS",
        "nW",
        "od",
        "C",
        "active",
        "last_hit",
        "E0",
        "X0",
        "E1",
        "X1",
        "D",
        "tn",
        "pk0",
        "pk1",
        "hr",
        "h0",
        "b0",
        "h1",
        "b1",
    )
    __slots__ = _STATE + (
        "p",
        "_bucket",
        "_off",
        "_mid",
        "_aL",
        "_aS",
        "_aW",
        "_up",
        "_down",
        "_up10",
        "_k",
        "_cap",
        "_warm",
        "_learn",
        "_day",
        "_cool",
        "_gap",
        "_floor",
        "_c",
        "_clip",
        "_drop",
        "_f",
        "_lnT",
        "_accel",
        "_wprior",
        "_u0",
        "_u1",
        "_m0",
        "_m1",
    )

    def __init__(self, params: DetectorParams = DEFAULTS) -> None:
        self.p = params
        self._setup()
        self.n = 0  # buckets seen
        self.last_ts: float | None = None
        self.L = 0.0  # level, log(count + c)
        self.M = 0.0  # mean count a bucket over about a day: scales the level's steps
        self.MW = [0.0] * 7  # the same per weekday: scales the weekday offsets' steps
        self.S = [0.0] * 24  # daily profile, hour slots centred on hh:30
        self.W = [0.0] * 7  # weekday offsets
        self.nS = [0] * 24  # visits, for the running-mean rates of a young detector
        self.nW = [0] * 7
        self.od = 0.3  # overdispersion: relative sd of the rate beyond Poisson
        self.C = 0.0  # CUSUM
        self.active = False  # inside an alert episode
        self.last_hit = -1e18  # last bucket above threshold
        # tail models: decayed episode counts E, excess sums X, decayed bucket count D
        e = params.tail_prior_episodes
        self.E0 = self.E1 = e
        self.X0 = e * params.tail_prior_spike_excess
        self.X1 = e * params.tail_prior_cusum_excess
        self.D = e * 86400.0 / params.bucket_seconds / params.tail_prior_per_day
        self.tn = 0
        self.pk0 = self.pk1 = 0.0  # peak of the current excursion
        self.hr = -1
        self._thresholds()

    def _setup(self) -> None:
        p = self.p
        per_hour = 3600.0 / p.bucket_seconds
        per_day = 86400.0 / p.bucket_seconds
        self._bucket = p.bucket_seconds
        self._off = p.utc_offset_seconds
        # time of day of the bucket's middle: an hourly bucket 09:00-10:00 is read
        # at 09:30, the centre of hour slot 9, not halfway between slots 8 and 9
        # (that smeared the hour-of-day profile of hourly series)
        self._mid = p.utc_offset_seconds + 0.5 * p.bucket_seconds
        self._aL = _rate(p.level_halflife_hours * per_hour)
        self._aS = _rate(p.daily_halflife_days * per_hour)  # a slot is visited for an hour a day
        self._aW = _rate(p.weekly_halflife_weeks * per_day)  # a weekday for a day a week
        # dispersion_rate is per 5 minutes: an hourly series takes 12 times the step,
        # so its noise estimate also re-forms within about a day (it stayed near
        # its starting 0.3 for weeks, and hid surges behind that noise)
        rate = p.dispersion_rate * p.bucket_seconds / 300.0
        self._up = math.exp(0.5 * rate)
        self._down = math.exp(-0.5 * rate)
        self._up10 = math.exp(5.0 * rate)
        self._k = p.cusum_k
        self._cap = p.cusum_cap
        self._warm = int(p.warmup_days * per_day)
        self._learn = int(p.tail_learn_after_days * per_day)
        self._day = int(per_day)
        self._cool = p.cooldown_hours * 3600.0
        self._gap = int(p.max_gap_days * per_day)
        self._floor = p.silent_floor
        self._c = p.log_offset
        self._clip = p.clip_z
        self._drop = -p.drop_z
        self._f = 0.5 ** (1.0 / (p.tail_halflife_days * per_day))
        self._lnT = math.log(p.return_period_days * per_day)
        # running-mean learning rates while young; after four weeks the cheaper
        # constant-rate path runs
        self._accel = int(28 * per_day)
        # a weekday's offset is a running mean that starts from weekday_prior_days
        # of zero offset: the first hours of a first visit move it little, so a surge
        # on a first Sunday is seen as a surge, not learnt as that weekday's normal
        self._wprior = p.weekday_prior_days * per_day
        self._u0, self._u1 = p.spike_u, p.cusum_u
        self._m0 = p.spike_min_z
        # the CUSUM floor from its false-alarm rate on unit noise (Siegmund's
        # approximation ARL = e^(2kh) / 2k^2 set to the return period in buckets),
        # never below cusum_min: hourly buckets need a lower bar than 5-minute ones
        # for the same period
        n_ret = p.return_period_days * per_day
        self._m1 = max(p.cusum_min, math.log(2.0 * p.cusum_k**2 * n_ret) / (2.0 * p.cusum_k))

    # -- tail model -------------------------------------------------------------
    def _thresholds(self) -> None:
        """Forget up to now, then set the alert levels (hourly and after an episode)."""
        dt = self.n - self.tn
        if dt:
            fd = self._f**dt
            self.E0 *= fd
            self.X0 *= fd
            self.E1 *= fd
            self.X1 *= fd
            self.D = self.D * fd + (1.0 - fd) / (1.0 - self._f)
            self.tn = self.n
        lnT, D = self._lnT, self.D
        self.b0 = b0 = self.X0 / self.E0
        self.b1 = b1 = self.X1 / self.E1
        self.h0 = max(self._u0 + b0 * max(0.0, lnT + math.log(self.E0 / D)), self._m0)
        self.h1 = max(self._u1 + b1 * max(0.0, lnT + math.log(self.E1 / D)), self._m1)

    def _episode(self, which: int, peak: float) -> None:
        self._thresholds()
        if which == 0:
            self.E0 += 1.0
            self.X0 += peak - self._u0
        else:
            self.E1 += 1.0
            self.X1 += peak - self._u1
        self._thresholds()

    # -- per bucket -------------------------------------------------------------
    def update(self, ts: float, value: float) -> Verdict:
        """Score the bucket starting at ``ts`` (epoch seconds, UTC) holding ``value``."""
        last = self.last_ts
        if last is not None:
            steps = round((ts - last) / self._bucket)
            if steps != 1:
                if steps < 1:
                    raise OutOfOrder(f"bucket {ts} is not after the previous one ({last})")
                alert = False
                for i in range(max(1, steps - self._gap), steps):  # missing buckets: zeros
                    alert |= self._step(last + i * self._bucket, 0.0).alert
                v = self._step(ts, value)
                return v._replace(alert=True) if alert and not v.alert else v
        return self._step(ts, value)

    def _step(self, ts: float, x: float) -> Verdict:
        if not 0.0 <= x < math.inf:  # also NaN
            raise BadValue(f"count must be a non-negative number, got {x!r}")
        self.last_ts = ts
        n = self.n = self.n + 1
        t = ts + self._mid
        # time of day in hours from slot 0's centre (00:30): between slots k and k+1
        u = ((t - 1800.0) % 86400.0) * 0.0002777777777777778
        k = int(u)
        w = u - k
        k1 = _NEXT[k]
        d = int(t // 86400.0) % 7
        S, W = self.S, self.W
        c = self._c
        if n < self._accel:
            if n == 1:
                self.L = math.log(x + c)
                self.M = x
                self.MW = [x] * 7
            elif not self.nW[d] and n > self._warm // 2:
                self._first_visit(d)
        sk = S[k]
        mu = math.exp(self.L + sk + w * (S[k1] - sk) + W[d]) - c
        if mu < 0.0:
            mu = 0.0
        m = math.sqrt(mu + 0.375)
        od = self.od
        sd = 0.5 * math.sqrt(1.0 + od * od * mu)
        z = (math.sqrt(x + 0.375) - m) / sd
        active = self.active

        # -- learning (not from a zero where plenty was expected: an outage)
        if x > 0.0 or mu < self._floor:
            clip = self._clip
            if n <= self._warm:  # too young to call anything an outlier
                xw = x
                plain = True
            elif z > clip:
                q = m + clip * sd
                xw = q * q - 0.375
                plain = False
            elif z < -clip:
                q = m - clip * sd
                xw = q * q - 0.375 if q > _SQRT38 else 0.0
                plain = False
            else:
                xw = x
                plain = not active
            # Fisher-scaled steps: each piece moves by the error relative to the mean
            # count of the buckets it covers (a bucket quieter than the day's mean
            # says less about the level), at most by the bucket's own relative error
            e = xw - mu
            M = self.M
            MW = self.MW
            Md = MW[d]
            gL = e / ((M if M > mu else mu) + c)
            gW = e / ((Md if Md > mu else mu) + c)
            gS = e / (mu + c)
            if n < self._accel:
                aL, aS, aW = self._rates(n, k if w < 0.5 else k1, d)
                # big early steps move by the log of the new mean, not the slope
                dL = math.log1p(max(aL * gL, -0.5))
                dW = math.log1p(max(aW * gW, -0.5))
                dS = math.log1p(aS * gS)
                self.M = M + aL * (xw - M)
                MW[d] = Md + max(aL, aW) * (xw - Md)
            else:
                aL = self._aL
                dL = aL * gL
                dW = self._aW * gW
                dS = self._aS * gS
                self.M = M + aL * (xw - M)
                MW[d] = Md + aL * (xw - Md)
            self.L += dL
            if plain:
                S[k] += dS - w * dS
                S[k1] += w * dS
                W[d] += dW
            if not active:
                # median |z| -> 0.674; the count is jittered by a deterministic
                # uniform in (-1/2, 1/2) so small discrete counts do not bias it
                xj = x + (n * 0.6180339887498949) % 1.0 - 0.5
                zj = ((math.sqrt(xj + 0.375) if xj > 0.0 else _SQRT38) - m) / sd
                far = zj > 0.674 or zj < -0.674
                if n > self._warm:
                    self.od = od * self._up if far else od * self._down
                else:
                    self.od = od * self._up10 if far else od / self._up10

        # -- detection
        if n <= self._learn:
            return Verdict(0.0, mu, False, 0)
        if k != self.hr:  # hourly: let the tail estimates forget
            self.hr = k
            self._thresholds()
        C = self.C + z - self._k
        if C < 0.0:
            C = 0.0
        elif C > self._cap * self.h1:
            C = self._cap * self.h1
        self.C = C
        # tail episodes: peaks of the excursions above u
        if z > self._u0:
            if z > self.pk0:
                self.pk0 = z
        elif self.pk0:
            self._episode(0, self.pk0)
            self.pk0 = 0.0
        if C > self._u1:
            if C > self.pk1:
                self.pk1 = C
        elif C <= 0.0 and self.pk1:
            self._episode(1, self.pk1)
            self.pk1 = 0.0
        if n <= self._warm:
            # the rest of the warm-up gathers tail episodes, so a bursty series has
            # shown its bar before it can alert; the prior can then start low
            if n == self._warm:
                self.C = 0.0
            return Verdict(0.0, mu, False, 0)
        # score: logistic of (statistic - threshold) / beta, the larger of the two
        q = (z - self.h0) / self.b0
        q1 = (C - self.h1) / self.b1
        if q1 > q:
            q = q1
        score = 1.0 / (1.0 + math.exp(-q)) if q > -30.0 else 0.0
        if q >= 0.0:
            # a new alert only after cooldown_hours without any bucket above threshold
            alert = ts - self.last_hit >= self._cool
            self.last_hit = ts
            self.active = True
            return Verdict(score, mu, alert, 1)
        if active and C <= 0.0:
            self.active = active = False
        return Verdict(score, mu, False, 1 if active else (-1 if z < self._drop else 0))

    def _rates(self, n: int, h: int, d: int) -> tuple[float, float, float]:
        """Learning rates while young: running means, so the first day already gives a
        daily profile and the first visit of each weekday its offset."""
        aL = max(self._aL, 1.0 / n)
        c = self.nS[h] = self.nS[h] + 1
        aS = max(self._aS, 1.0 / (c + 1))
        aW = 0.0
        if n > self._warm // 2:  # weekday offsets once a first day has set the profile
            c = self.nW[d] = self.nW[d] + 1
            aW = max(self._aW, 1.0 / (c + 1 + self._wprior))
        tot = aL + aS + aW
        if tot > 1.0:
            return aL / tot, aS / tot, aW / tot
        return aL, aS, aW

    def _first_visit(self, d: int) -> None:
        """A weekday seen for the first time starts from the offsets learnt so far."""
        seen = [w for w, c in zip(self.W, self.nW, strict=True) if c]
        self.W[d] = sum(seen) / len(seen) if seen else 0.0
        self.MW[d] = self.M

    def weekday_scale(self, ts: float) -> float:
        """This weekday's level against the mean of the week's (1 while the
        offsets are unlearnt)."""
        W = self.W
        return math.exp(W[int((ts + self._mid) // 86400.0) % 7] - sum(W) / 7.0)

    @property
    def live(self) -> bool:
        """Past the warm-up: it may alert."""
        return self.n > self._warm

    def expected(self, ts: float) -> float:
        """The baseline for the bucket at ``ts`` from the current state (no learning)."""
        t = ts + self._mid
        u = ((t - 1800.0) % 86400.0) / 3600.0
        k = int(u)
        s = self.S[k] + (u - k) * (self.S[_NEXT[k]] - self.S[k])
        return max(0.0, math.exp(self.L + s + self.W[int(t // 86400.0) % 7]) - self._c)

    # -- persistence ------------------------------------------------------------
    def state(self) -> dict:
        """Everything needed to continue later; ``json.dumps`` works on it."""
        out = {"kind": "surge", "version": _STATE_VERSION, "bucket_seconds": self.p.bucket_seconds}
        for k in self._STATE:
            v = getattr(self, k)
            out[k] = list(v) if isinstance(v, list) else v
        return out

    @classmethod
    def from_state(cls, state: dict, params: DetectorParams = DEFAULTS) -> "SurgeDetector":
        """Continue from :meth:`state`, exactly as if the run had not stopped."""
        _check(state, "surge")
        if state.get("bucket_seconds") != params.bucket_seconds:
            raise ValueError("state was saved with another bucket size")
        self = cls.__new__(cls)
        self.p = params
        self._setup()
        for k in cls._STATE:
            v = state[k]
            setattr(self, k, list(v) if isinstance(v, list) else v)
        return self
