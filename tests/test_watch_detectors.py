"""The detectors of one series (incident.watch.detectors), issue 19 §5:
the minimum count applies to a surge's episode, a dropped alert spends no
cooldown, and the hour-scale resolutions (an hourly detector, the count
scan) catch slow, small surges — one alert per surge across all of them.
Deterministic synthetic series."""

from __future__ import annotations

import datetime as dt
import json
import random

from incident.detector import DetectorParams
from incident.watch.detectors import UTC_ZONE, SeriesDetectors
from tests.test_volumes import poisson

START = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)
STEP = dt.timedelta(minutes=5)


def run(
    history_days: int,
    base: float,
    after: dict[int, int] | None = None,
    *,
    ramp: float = 0.0,
    min_count: float = 5,
    hourly: bool = True,
    hours_after: int = 12,
    detectors: SeriesDetectors | None = None,
):
    """``history_days`` of Poisson(base) buckets, then ``hours_after`` hours
    where bucket i holds ``after[i]`` (default: ordinary), or a ramp to
    ``ramp`` times the base over 6 hours that lasts 12. Returns the
    surge alerts as (bucket index after the history, observed, since index)."""
    rng = random.Random(3)
    sd = detectors or SeriesDetectors(DetectorParams(), UTC_ZONE)
    if not hourly:  # the 5-minute resolution alone: no hourly detector, no count scan
        sd.hourly = None
        sd.scan = None
    onset = START + dt.timedelta(days=history_days)
    out, b = [], START
    while b < onset + dt.timedelta(hours=hours_after):
        i = int((b - onset) / STEP)
        lam = base
        if b >= onset and ramp:
            h = i / 12
            lam = base * (1 + (ramp - 1) * min(1.0, h / 6)) if h < 18 else base
        v = (after or {}).get(i, poisson(rng, lam)) if b >= onset else poisson(rng, lam)
        for hit in sd.step(b, v, min_count).alerts:
            if hit.what == "surge":
                since = int((START + dt.timedelta(seconds=hit.since - START.timestamp()) - onset) / STEP)
                out.append((i, hit.observed, since))
        b += STEP
    return out, sd


def test_the_minimum_count_applies_to_the_episode_not_one_bucket():
    # three buckets of 40 on a series of about 1: each below a minimum of 100,
    # together above it; the alert comes at the third, counting from the first
    alerts, _ = run(20, 1.0, {0: 40, 1: 40, 2: 40}, min_count=100, hourly=False)
    assert alerts == [(2, 120.0, 0)]
    # a burst that never reaches the minimum raises nothing
    alerts, _ = run(20, 1.0, {0: 40}, min_count=100, hourly=False)
    assert alerts == []


def test_a_dropped_alert_spends_no_cooldown():
    # 40 at midnight is dropped (minimum 100); three hours later a real surge
    # (inside the 6-hour cooldown that a raised alert would have started)
    alerts, _ = run(20, 1.0, {0: 40, 36: 200, 37: 200}, min_count=100, hourly=False)
    assert [a[0] for a in alerts] == [36] and alerts[0][1] >= 200


def test_state_round_trips_mid_episode_and_old_states_load():
    params = DetectorParams()
    # stop after the first bucket of 40 (an episode waiting for its minimum), save, go on
    _, sd = run(20, 1.0, {0: 40}, min_count=100, hourly=False, hours_after=0)
    sd.step(START + dt.timedelta(days=20), 40, 100)
    state, daily, total = json.loads(json.dumps(sd.dump()))
    assert state["episode"]["open"] and state["episode"]["total"] == 40
    again = SeriesDetectors.load(state, daily, total, params, UTC_ZONE)
    again.hourly = again.scan = None
    hits = [h for b in (1, 2) for h in again.step(START + dt.timedelta(days=20) + b * STEP, 40, 100).alerts]
    assert [(h.what, h.observed) for h in hits] == [("surge", 120.0)]
    # a state stored before episodes and the hourly resolution existed
    old = {"surge": state["surge"], "silence": state["silence"]}
    loaded = SeriesDetectors.load(old, daily, total, params, UTC_ZONE)
    assert not loaded.fine.open and loaded.hourly is not None and loaded.hourly.det.n == 0
    assert loaded.scan is not None and loaded.scan.hour_ts is None  # the count scan starts afresh
    step = loaded.step(START + dt.timedelta(days=20, minutes=5), 1, 5)
    # it goes on from the stored surge detector (the episode afresh), not from nothing
    assert loaded.surge.n == sd.surge.n + 1 and step.alerts == []


def test_the_hourly_resolution_catches_a_slow_low_count_ramp():
    # about 4 an hour, rising fivefold over six hours: no 5-minute bucket
    # stands out, each hour does
    fine_only, _ = run(60, 0.3, ramp=5.0, hourly=False, hours_after=24)
    both, _ = run(60, 0.3, ramp=5.0, hours_after=24)
    assert fine_only == []
    assert len(both) == 1
    at, observed, since = both[0]
    assert 0 < at < 18 * 12 and since % 12 == 0 and observed >= 5  # an hour's count, from an hour's start


def test_one_alert_per_surge_across_both_resolutions():
    # a steep ramp both resolutions see: one alert
    both, _ = run(60, 0.3, ramp=8.0, hours_after=24)
    fine_only, _ = run(60, 0.3, ramp=8.0, hourly=False, hours_after=24)
    assert len(fine_only) == 1 and len(both) == 1


def test_a_detector_saved_and_loaded_every_bucket_is_the_one_that_never_stopped():
    """The live scorer saves each series' state after every run (as JSON
    text, orjson) and loads it for the next: loading builds only what the
    state lacks. Stopping after every bucket, with the hourly resolution
    part-way through an hour, silence on and a day rolling over, changes no
    verdict and no float of the state."""
    import orjson

    params = DetectorParams(utc_offset_seconds=8 * 3600)
    rng = random.Random(11)
    whole = SeriesDetectors(params, UTC_ZONE)
    saved = orjson.dumps(SeriesDetectors(params, UTC_ZONE).dump())
    b = START
    for i in range(3 * 288 + 40):
        value = 0 if 500 <= i < 540 else poisson(rng, 3.0) + (60 if i == 800 else 0)  # a silence, a surge
        state, daily, total = orjson.loads(saved)
        resumed = SeriesDetectors.load(state, daily, total, params, UTC_ZONE)
        a, c = whole.step(b, value, 5), resumed.step(b, value, 5)
        assert a == c, i
        saved = orjson.dumps(resumed.dump())
        b += STEP
    assert orjson.loads(saved) == json.loads(json.dumps(whole.dump()))
    assert whole.hour_ts is not None and whole.day is not None  # stopped mid-hour, after days rolled over


def test_a_young_series_hourly_bar_is_within_reach_of_a_slow_threefold_rise():
    """Five days of about six tickets an hour, then a rise to three times that
    over three hours, held (a storm's first day): the hourly detector,
    starting from its own noise model's bar rather than a bursty 5-minute
    series' prior (CUSUM 64), flags it within eight hours (with that prior:
    not in sixteen), and the five days before raise nothing."""
    for seed in range(3):
        alerts, sd = _young(seed)
        assert [a for a in alerts if a < 0] == [], f"seed {seed}: an alert in the calm days"
        rise = [a for a in alerts if a >= 0]
        assert rise and rise[0] <= 8 * 12, f"seed {seed}: {alerts}"


BASE = 0.5  # a bucket: six an hour


def _young(seed: int) -> tuple[list[int], SeriesDetectors]:
    rng = random.Random(seed)
    sd = SeriesDetectors(DetectorParams(), UTC_ZONE)
    onset = START + dt.timedelta(days=5)
    out, b = [], START
    while b < onset + dt.timedelta(hours=16):
        i = int((b - onset) / STEP)
        lam = BASE * (1 + 2 * min(1.0, i / 36)) if b >= onset else BASE
        for hit in sd.step(b, poisson(rng, lam), 5).alerts:
            if hit.what == "surge":
                out.append(i)
        b += STEP
    return out, sd
