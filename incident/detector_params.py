"""Parameters, verdicts, input errors and state helpers shared by the detectors
of :mod:`incident.detector` (counts), :mod:`incident.detector_daily` (daily
totals) and :mod:`incident.detector_measure` (real-valued measurements). A module
of its own so they all import it without a circle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["DetectorParams", "Verdict", "OutOfOrder", "BadValue"]


class OutOfOrder(ValueError):
    """``update`` got a timestamp not after the previous one. Callers that read
    history (backtest, replay) sort and merge rows first, or skip the row."""


class BadValue(ValueError):
    """``update`` got a value the detector cannot use: NaN or infinite, or a
    negative count for a count detector."""


@dataclass(frozen=True)
class DetectorParams:
    """One fixed set of defaults for every series (never tuned per series).

    The quality of these defaults on labelled data, and of neighbouring values, is
    measured by ``benchmarks/detection.py``.

    Buckets and calendar
      bucket_seconds = 300: 5 minutes sees a surge within minutes and still holds a
        few counts on a quiet series. Sub-daily buckets only (up to an hour);
        daily totals go to :class:`DailyLevelDetector`. The same defaults serve
        an hourly detector (3600) run beside the 5-minute one for slow surges:
        hour of day is read at the bucket's middle and the noise tracker steps
        per unit of time.
      utc_offset_seconds = 0: added to ``ts`` for hour of day and weekday, so
        weekends fall on local days (28800 for Asia/Shanghai).

    Baseline
      level_halflife_hours = 24: the level follows a genuine change within about a
        day; shorter chases bursts (and hides sustained ones), longer lags after a
        holiday. It also carries the weekly rhythm until weekday offsets are known.
      daily_halflife_days = 3: each hour slot is a mean over the last few days: 12+
        buckets a visit keep it stable, and it still follows a drifting day shape.
      weekly_halflife_weeks = 3: a weekday is seen once a week, so its offset needs
        a few weeks of memory to be more than noise.
      weekday_prior_days = 0.25: while young, a weekday's offset is a running mean
        that starts from a quarter day of zero offset, and learns only from
        unremarkable buckets. Before (issue 19) the first buckets of a first visit
        set it almost alone and a surge on a first Sunday became "normal for
        Sundays" (baseline 113/h against a normal 16); night buckets of day one set
        offsets that left nights expected at 2.9 times their level for days. A
        quarter day still learns a genuine weekend on its first visit (one day
        moves it 80 % of the way); half a day or more missed surges on a second
        Saturday of a series with 65 %-quieter weekends.
      log_offset = 0.1: ``c`` in ``log(mu + c)``. Small, so the model stays
        multiplicative (a quiet weekend scales the night too) down to counts of
        about 0.1 a bucket; it only keeps the log finite at zero.
      clip_z = 3: winsorise learning at 3 sd, the usual Huber-type bound (clips
        about 0.3 % of Gaussian noise, and every burst).
      dispersion_rate = 0.003: step (log units) of the median-|z| tracker per five
        minutes (scaled with the bucket size): the noise estimate re-forms over
        about a day, too slowly for one burst to inflate it (ten times faster
        during warm-up). Unscaled, an hourly series kept its starting 0.3 for
        weeks and a threefold surge stayed inside the noise.
      silent_floor = 5: a zero where 5 or more were expected (Poisson chance < 1 %)
        is an outage, not information.

    Detection
      cusum_k = 0.6: CUSUM reference value, half the shift it detects fastest. The
        noise estimate includes the baseline's own error, so a genuine sustained
        rise shows up at only 1-1.5 sd a bucket rather than the textbook 2 (k = 1);
        with k >= 0.9 a 4x rise over hours on a quiet, overdispersed series went
        unflagged, and 0.5-0.75 score alike (see the benchmark).
      spike_u = 3, cusum_u = 5: excursions above these start tail episodes: high
        enough for the excess to be tail-like, low enough that a calm series still
        shows a few a day to learn from.
      return_period_days = 200: alert at the peak the series itself produces about
        once in 200 days (per statistic). Real series burst more often than an
        exponential tail says: on the labelled Twitter series this gives about one
        unlabelled alert per series in five weeks, and every value from 100 to 400
        finds the same surges. Lower it for more sensitivity, raise it when
        watching hundreds of series.
      tail_halflife_days = 14: tail statistics forget over two weeks (tens of
        episodes), so a series that turns burstier soon gets a higher bar.
      tail_prior_*: until a series has shown its own tail: one episode a day, a
        mean spike excess of 1 (in z) and a mean CUSUM excess of 15, worth 2
        episodes and forgotten like the data, so the series' own episodes outweigh
        it within days. The spike prior was 2 (issue 19): after five calm days a
        bucket of 80 against 6 expected stayed under the bar (z 10.6 against 10.9).
        A lower CUSUM prior (a bar a slow surge reaches in the first days) was
        tried for 5-minute buckets: on strongly weekly series the first Mondays
        after a quiet weekend (weekday offsets still being learnt) then alerted,
        and the labelled mention series lost a window. The hourly detector, where
        bursts of minutes average out, starts from the calibrated bar instead
        (CUSUM excess 1, ``cusum_min`` 0: see :mod:`incident.watch.detectors`).
      tail_learn_after_days = 1: the tail model gathers the series' episodes from
        its second day, while alerts still wait for ``warmup_days``: when alerting
        starts, a bursty series already has its own (higher) bar and a calm one a
        lower one. On real mention series watched from a later start (a young
        series meeting its first-week surges) this caught one more of 16 labelled
        windows with fewer false alerts (65.8 -> 72.1 on the cut series).
      spike_min_z = 6, cusum_min = 10: floors for the learnt thresholds, so a very
        calm series does not alert on ordinary noise. The CUSUM floor is the
        larger of cusum_min and the bar with one false alarm per return period on
        unit noise (Siegmund's ARL = e^(2kh) / 2k^2 set to N buckets: h = ln(2 k^2
        N) / 2k): 8.9 for 5-minute buckets, 6.8 for hourly ones.
      cusum_cap = 3: cap the CUSUM at 3 thresholds: still tall for big surges, and
        it drains within hours after a long one.
      warmup_days = 2: no surge alerts (and no winsorising) while the first two
        days teach the daily profile; weekday offsets keep learning through the
        first weeks (see ``weekday_prior_days``).
      cooldown_hours = 6: a surge whose waves are less than 6 hours apart is one
        surge.
      drop_z = 3: ``direction = -1`` on buckets this far below the baseline (for
        charts; outages are alerted by :class:`SilenceDetector`).
      max_gap_days = 28: a longer gap replays only its last 28 days as zeros.

    Count scan (:class:`incident.detector_scan.ScanDetector`, beside the 5-minute
    and hourly detectors of sub-hourly series)
      scan_z = 4: floor of its bar on z (one-sided normal tail 3e-5 a test); the
        bar itself is learnt from the series' own tail as the other statistics'
        (peaks above scan_u = 3, the return period above), from a prior of one
        episode in four days (scan_prior_per_day) with a mean excess of 0.3
        (scan_prior_excess): about 4.1 on a young calm series, 10-25 on the
        bursty mention series. Excess 0.5 instead caught 38.8 % rather than
        45.0 % of the injected surges, and both left the airline storm's delays
        alike (benchmarks/README.md).
      scan_prior_d = 0.2, scan_prior_hours = 12, scan_min_d = 0.05: the relative
        error of the baseline beyond Poisson and beyond the estimate's own
        sampling error, learnt by moments from calm hours; the prior is worth
        half a day.
      scan_min_expected = 3: no window expecting fewer counts is judged.
      scan_warmup_days = 1: it may alert from the second day (on the 5-minute
        detector's baseline until a clock hour has been seen on two days, with
        that baseline's uncertainty taken as one day's count).

    Silence (:class:`SilenceDetector`)
      silence_min_expected = 20: flag an all-zero stretch once 20 counts were
        expected over it: Poisson chance e^-20, and still about 1e-3 on a day
        running at a third of normal; a naturally quiet night expects far fewer.
        (A series whose weekends are far quieter than its weekdays may get one on
        its first weekend, before it has seen one.)
      silence_min_buckets = 6: and it lasted 30 minutes, so one lost bucket of a
        busy series is no incident.

    Daily level (:class:`DailyLevelDetector`, one total per day)
      daily_level_halflife_days = 28, daily_weekday_halflife_weeks = 4: "normal" is
        the last month or so, with its weekday pattern.
      daily_k = 1.5, daily_zcap = 4, daily_h = 6: CUSUM of daily z with each day
        capped at ``zcap - k = 2.5``, so it takes at least three days in a row well
        above normal (z >= 3.5, about +50 % on a typical series); one extreme day
        is the 5-minute detector's business.
      daily_warmup_days = 14: two weeks before "normal" is trusted.
    """

    bucket_seconds: int = 300
    utc_offset_seconds: int = 0
    # baseline
    level_halflife_hours: float = 24.0
    daily_halflife_days: float = 3.0
    weekly_halflife_weeks: float = 3.0
    weekday_prior_days: float = 0.25
    log_offset: float = 0.1
    clip_z: float = 3.0
    dispersion_rate: float = 0.003
    silent_floor: float = 5.0
    # detection
    cusum_k: float = 0.6
    spike_u: float = 3.0
    cusum_u: float = 5.0
    return_period_days: float = 200.0
    tail_halflife_days: float = 14.0
    tail_prior_episodes: float = 2.0
    tail_prior_per_day: float = 1.0
    tail_prior_spike_excess: float = 1.0
    tail_prior_cusum_excess: float = 15.0
    spike_min_z: float = 6.0
    cusum_min: float = 10.0
    cusum_cap: float = 3.0
    warmup_days: float = 2.0
    tail_learn_after_days: float = 1.0
    cooldown_hours: float = 6.0
    drop_z: float = 3.0
    max_gap_days: float = 28.0
    # count scan (incident.detector_scan)
    scan_z: float = 4.0
    scan_prior_d: float = 0.2
    scan_prior_hours: float = 12.0
    scan_min_d: float = 0.05
    scan_min_expected: float = 3.0
    scan_u: float = 3.0
    scan_warmup_days: float = 1.0
    scan_prior_excess: float = 0.3
    scan_prior_per_day: float = 0.25
    # silence
    silence_min_expected: float = 20.0
    silence_min_buckets: int = 6
    # daily level
    daily_level_halflife_days: float = 28.0
    daily_weekday_halflife_weeks: float = 4.0
    daily_k: float = 1.5
    daily_zcap: float = 4.0
    daily_h: float = 6.0
    daily_warmup_days: int = 14


class Verdict(NamedTuple):
    score: float  # 0..1 anomaly score for this bucket (0.5 = at the alert threshold)
    baseline: float  # expected value for this bucket, in the series' units
    alert: bool  # True exactly when a NEW alert is raised at this bucket
    direction: int  # +1 surge, -1 drop/silence, 0 normal


DEFAULTS = DetectorParams()  # the default of every ``params`` argument


def _rate(halflife_steps: float) -> float:
    """Per-step EWMA weight for a half-life given in steps."""
    return 1.0 - 0.5 ** (1.0 / halflife_steps)


_STATE_VERSION = 1


def _check(state: dict, kind: str) -> None:
    if state.get("kind") != kind or state.get("version") != _STATE_VERSION:
        raise ValueError(f"not a {kind} detector state of version {_STATE_VERSION}")


def _feed(det, ts: float, value: float, step: int, max_gap: int) -> Verdict:
    """``update`` of the small detectors: a gap counts as zeros, then the bucket."""
    last = det.last_ts
    if last is not None:
        steps = round((ts - last) / step)
        if steps < 1:
            raise OutOfOrder(f"bucket {ts} is not after the previous one ({last})")
        alert = False
        for i in range(max(1, steps - max_gap), steps):
            alert |= det._step(last + i * step, 0.0).alert
        if alert:
            v = det._step(ts, value)
            return v if v.alert else v._replace(alert=True)
    return det._step(ts, value)
