"""Volume detectors (incident.detector): no look-ahead, exact state round trips, quiet
on seasonal Poisson noise, one alert per surge / silence / multi-day level shift."""

from __future__ import annotations

import json
import math
import random

import pytest

from incident.detector import (
    DailyLevelDetector,
    DetectorParams,
    SilenceDetector,
    SurgeDetector,
    Verdict,
    backtest,
)

DAY = 86400
BUCKET = 300
PER_DAY = DAY // BUCKET
MONDAY = 1_700_438_400  # 2023-11-20 00:00 UTC, a Monday


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def rate(ts: float, peak: float, night: float, weekend: float) -> float:
    """A call-centre day: `night` until 07:00, a sin^2 hump peaking at `peak` at 14:00,
    back to `night` at 21:00; weekends scaled by `weekend`."""
    hour = (ts % DAY) / 3600
    shape = night + (peak - night) * math.sin(math.pi * (hour - 7) / 14) ** 2 if 7 <= hour <= 21 else night
    weekday = int(ts // DAY + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    return shape * (weekend if weekday >= 5 else 1.0)


def series(
    days: int, seed: int, peak: float = 60.0, night: float = 0.5, weekend: float = 0.35, start: int = MONDAY
) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    return [(t, poisson(rng, rate(t, peak, night, weekend))) for t in range(start, start + days * DAY, BUCKET)]


def alerts(verdicts: list[Verdict]) -> list[int]:
    return [i for i, v in enumerate(verdicts) if v.alert]


def bucket(day: int, hour: float) -> int:
    return day * PER_DAY + int(hour * 12)


# -- surge detector -----------------------------------------------------------


def test_no_look_ahead():
    rows = series(16, seed=1)
    s = bucket(12, 11)
    rows = [(t, x * 3 + 5 if s <= i < s + 24 else x) for i, (t, x) in enumerate(rows)]
    full = backtest(rows)
    assert alerts(full), "the surge should alert, so the prefixes cover an alert"
    for cut in (1, 100, PER_DAY * 2 + 1, s - 1, s + 3, s + 30, len(rows) - 7):
        assert backtest(rows[:cut]) == full[:cut]


def test_state_round_trip_through_json_continues_identically():
    rows = series(20, seed=2)
    s = bucket(15, 13)
    rows = [(t, x * 4 if s <= i < s + 36 else x) for i, (t, x) in enumerate(rows)]
    full = backtest(rows)
    for cut in (50, PER_DAY * 3, s + 5, s + 40):  # young, mature, inside and after a surge
        det = SurgeDetector()
        for t, x in rows[:cut]:
            det.update(t, x)
        again = SurgeDetector.from_state(json.loads(json.dumps(det.state())))
        assert [again.update(t, x) for t, x in rows[cut:]] == full[cut:]


def test_seasonal_poisson_series_raises_no_alert_for_weeks():
    """Strong daily rhythm (night 0.5, peak 60 a bucket) and quiet weekends: the daily
    peak, Monday mornings and the weekend dips are all normal."""
    for seed in range(3):
        verdicts = backtest(series(35, seed=seed))
        assert alerts(verdicts) == [], f"seed {seed}"


def test_baseline_follows_the_daily_peak_of_a_strongly_seasonal_series():
    rows = series(28, seed=4, peak=200.0, night=0.2, weekend=1.0)
    verdicts = backtest(rows)
    assert alerts(verdicts) == []
    for day in (21, 27):
        i = bucket(day, 14)
        assert verdicts[i].baseline == pytest.approx(200, rel=0.15)
        assert verdicts[i].score < 0.5 and verdicts[i].direction == 0
        assert verdicts[bucket(day, 3)].baseline < 2


@pytest.mark.parametrize("seed", [5, 6])
def test_injected_surge_raises_exactly_one_alert_at_its_start(seed):
    rows = series(28, seed=seed)
    s = bucket(23, 10)  # a Wednesday morning: about 23 calls a bucket
    surged = [(t, x * 3 if s <= i < s + 24 else x) for i, (t, x) in enumerate(rows)]
    got = alerts(backtest(surged))
    assert len(got) == 1
    assert s <= got[0] <= s + 6, got[0] - s  # within half an hour


def test_single_spike_is_flagged_at_once():
    rows = series(28, seed=7)
    s = bucket(22, 15)
    rows[s] = (rows[s][0], rows[s][1] * 8)
    assert alerts(backtest(rows)) == [s]


def test_a_sustained_rise_alerts_once():
    """Doubled for six hours: one alert near the start, none while it lasts."""
    rows = series(28, seed=8)
    s = bucket(22, 9)
    rows = [(t, x * 2 if s <= i < s + 72 else x) for i, (t, x) in enumerate(rows)]
    got = alerts(backtest(rows))
    assert len(got) == 1 and s <= got[0] <= s + 24


def test_verdicts_are_deterministic_and_json_friendly():
    rows = series(6, seed=9)
    a, b = backtest(rows), backtest(rows)
    assert a == b
    v = a[-1]
    assert isinstance(v, Verdict) and 0.0 <= v.score <= 1.0 and v.direction in (-1, 0, 1)
    json.dumps(SurgeDetector().state())


def test_gap_counts_as_zero_buckets():
    rows = series(5, seed=10)
    cut, gap = bucket(3, 2), 10  # ten buckets missing in a quiet night
    explicit = SurgeDetector()
    for t, x in rows[:cut] + [(t, 0) for t, _ in rows[cut : cut + gap]]:
        explicit.update(t, x)
    skipped = SurgeDetector()
    for t, x in rows[:cut]:
        skipped.update(t, x)
    rest = rows[cut + gap :]
    assert [skipped.update(t, x) for t, x in rest] == [explicit.update(t, x) for t, x in rest]


def test_rejects_buckets_out_of_order_and_bad_counts():
    det = SurgeDetector()
    det.update(MONDAY, 3)
    with pytest.raises(ValueError):
        det.update(MONDAY, 4)
    with pytest.raises(ValueError):
        det.update(MONDAY + BUCKET, -1)
    with pytest.raises(ValueError):
        det.update(MONDAY + BUCKET, float("nan"))
    with pytest.raises(ValueError):
        SurgeDetector.from_state(det.state(), DetectorParams(bucket_seconds=600))


def test_outage_does_not_drag_the_baseline_down():
    """Three hours of zeros in a busy afternoon: no surge alert when calls come back."""
    rows = series(28, seed=11)
    s = bucket(22, 12)
    rows = [(t, 0 if s <= i < s + 36 else x) for i, (t, x) in enumerate(rows)]
    verdicts = backtest(rows)
    assert alerts(verdicts) == []
    assert verdicts[s + 35].baseline == pytest.approx(verdicts[s].baseline, rel=0.5)


# -- silence ------------------------------------------------------------------


def run(det, rows):
    return [det.update(t, x) for t, x in rows]


def test_silence_on_a_busy_series_is_flagged_once():
    rows = series(28, seed=12)
    s = bucket(22, 11)
    rows = [(t, 0 if s <= i < s + 48 else x) for i, (t, x) in enumerate(rows)]
    verdicts = run(SilenceDetector(), rows)
    got = alerts(verdicts)
    assert len(got) == 1 and s + 5 <= got[0] <= s + 8  # at least 6 buckets, 30+ expected
    assert all(v.direction == -1 for v in verdicts[got[0] : s + 48])
    assert verdicts[s + 48].direction == 0


def test_quiet_nights_and_a_quiet_series_are_not_silence():
    for seed, peak in ((13, 60.0), (14, 4.0)):  # nights of 0.5 and 0.05 a bucket
        rows = series(35, seed=seed, peak=peak, night=peak / 120)
        assert alerts(run(SilenceDetector(), rows)) == [], seed


def test_silence_state_round_trip_and_gap():
    rows = series(12, seed=15)
    s = bucket(9, 10)
    rows = rows[:s] + rows[s + 24 :]  # two hours missing: they count as zero buckets
    full = run(SilenceDetector(), rows)
    assert len(alerts(full)) == 1
    det = SilenceDetector()
    run(det, rows[:s])
    again = SilenceDetector.from_state(json.loads(json.dumps(det.state())))
    assert run(again, rows[s:]) == full[s:]


# -- daily level ----------------------------------------------------------------


def daily(days: int, seed: int, shift=lambda day: 1.0, level: float = 5000.0, cv: float = 0.08):
    rng = random.Random(seed)
    out = []
    for day in range(days):
        lam = level * (0.4 if day % 7 >= 5 else 1.0) * shift(day) * max(0.1, rng.gauss(1.0, cv))
        out.append((MONDAY + day * DAY, poisson(rng, lam)))
    return out


def test_daily_level_quiet_for_a_year_of_normal_days():
    for seed in range(3):
        assert alerts(run(DailyLevelDetector(), daily(365, seed))) == []


def test_daily_level_shift_over_several_days_is_flagged_once():
    rows = daily(120, seed=20, shift=lambda d: 1.8 if 60 <= d < 66 else 1.0)
    verdicts = run(DailyLevelDetector(), rows)
    assert alerts(verdicts) == [62]  # the third day above normal
    assert all(v.direction == 1 for v in verdicts[62:66])


def test_daily_level_flags_a_slow_rise_and_not_a_single_day():
    rise = daily(120, seed=21, shift=lambda d: 1.0 if d < 50 else min(3.0, 1.0 + 0.08 * (d - 50)))
    got = alerts(run(DailyLevelDetector(), rise))
    assert len(got) == 1 and 52 <= got[0] <= 66
    one_day = daily(120, seed=22, shift=lambda d: 4.0 if d == 60 else 1.0)
    assert alerts(run(DailyLevelDetector(), one_day)) == []


def test_daily_state_round_trip():
    rows = daily(90, seed=23, shift=lambda d: 2.0 if 70 <= d < 75 else 1.0)
    full = run(DailyLevelDetector(), rows)
    det = DailyLevelDetector()
    run(det, rows[:71])
    again = DailyLevelDetector.from_state(json.loads(json.dumps(det.state())))
    assert run(again, rows[71:]) == full[71:]


# -- real labelled data (skipped when ../shared is not beside the repo) -----------

from benchmarks.shared import shared_dir  # noqa: E402

VOLUMES = shared_dir() / "data" / "volumes-dev"


@pytest.mark.skipif(not (VOLUMES / "Twitter_volume_FB.csv").exists(), reason="no shared volume data")
def test_labelled_surges_on_a_real_series():
    import csv
    import datetime as dt

    def epoch(text: str) -> float:
        return dt.datetime.fromisoformat(text[:19]).replace(tzinfo=dt.timezone.utc).timestamp()

    with open(VOLUMES / "Twitter_volume_FB.csv", newline="") as fh:
        rows = [(epoch(r["timestamp"]), float(r["value"])) for r in csv.DictReader(fh)]
    windows = json.loads((VOLUMES / "windows.json").read_text())["realTweets/Twitter_volume_FB.csv"]
    raised = [rows[i][0] for i in alerts(backtest(rows))]
    spans = [(epoch(a), epoch(b)) for a, b in windows]
    assert all(any(a <= t <= b for t in raised) for a, b in spans)  # both surges found
    assert sum(not any(a <= t <= b for a, b in spans) for t in raised) <= 4  # few others
