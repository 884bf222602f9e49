"""The count scan (incident/detector_scan.py): a surge of a few tickets an
hour that no 5-minute bucket shows is caught counted over hours; calm
Poisson series stay quiet; a series whose hours vary more than Poisson
learns a larger relative error; the scan's state saved and loaded every
bucket is the scan that never stopped (issue 19)."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

from incident.detector import DetectorParams
from incident.detector_scan import ScanDetector
from incident.watch.detectors import EPOCH, UTC_ZONE, SeriesDetectors
from tests.test_detector import poisson
from tests.test_detector_coldstart import MONDAY, hump, timeline

DAY = 86400


def _series(days: float, peak: float, seed: int, surge: tuple[float, float, float] | None = None) -> list[float]:
    """Counts a 5-minute bucket: a daily hump peaking at ``peak`` a bucket;
    ``surge`` = (start, end, factor) in epoch seconds multiplies it."""
    rng = random.Random(seed)
    out = []
    for t in timeline(days):
        lam = hump(t, peak, peak / 8)
        if surge and surge[0] <= t < surge[1]:
            lam *= surge[2]
        out.append(float(poisson(rng, lam)))
    return out


def _alerts(values: list[float], times: list[float]) -> list[tuple[float, str]]:
    det = SeriesDetectors(DetectorParams(), UTC_ZONE, silence=False)
    out = []
    for t, x in zip(times, values, strict=True):
        step = det.step(EPOCH + dt.timedelta(seconds=t), x)
        out += [(t, hit.what) for hit in step.alerts]
    return out


def test_a_storm_of_a_few_tickets_an_hour_is_caught_within_three_hours():
    # about 6 tickets an hour at the day's peak; on day 5 the count triples
    # from 10:00 for six hours: no 5-minute bucket is remarkable (0-3 tickets),
    # the hours are (18 where 6 were expected)
    start = MONDAY + 5 * DAY + 10 * 3600
    times = timeline(7)
    calm = _series(7, 0.5, seed=11)
    storm = _series(7, 0.5, seed=11, surge=(start, start + 6 * 3600, 3.0))
    caught = [t for t, what in _alerts(storm, times) if what == "surge" and start <= t < start + 6 * 3600]
    assert caught, "the tripled hours raised nothing"
    assert caught[0] - start <= 3 * 3600
    # the same days without the storm raise nothing after the first day
    assert [t for t, what in _alerts(calm, times) if what == "surge"] == []


def test_calm_poisson_series_stay_quiet_for_a_month():
    for seed, peak in ((1, 0.3), (2, 2.0), (3, 20.0)):
        times = timeline(28)
        values = _series(28, peak, seed=seed)
        assert [t for t, what in _alerts(values, times) if what == "surge"] == [], (seed, peak)


def test_hours_noisier_than_poisson_teach_a_larger_relative_error():
    rng = random.Random(5)
    plain, noisy = ScanDetector(), ScanDetector()
    level = 1.0
    for i, t in enumerate(timeline(10)):
        if i % 12 == 0:  # each hour's rate wanders by about 40 %
            level = math.exp(rng.gauss(0.0, 0.4))
        plain.update(t, float(poisson(rng, 2.0)), 2.0, live=True)
        noisy.update(t, float(poisson(rng, 2.0 * level)), 2.0, live=True)
    assert plain.d < 0.15
    assert noisy.d > 0.25


def test_a_scan_saved_and_loaded_every_bucket_is_the_one_that_never_stopped():
    start = MONDAY + 3 * DAY + 9 * 3600
    times = timeline(5)
    values = _series(5, 1.0, seed=8, surge=(start, start + 4 * 3600, 3.0))
    params = DetectorParams()
    whole, stepped = ScanDetector(params), ScanDetector(params)
    for t, x in zip(times, values, strict=True):
        mu = hump(t, 1.0, 1.0 / 8)
        a = whole.update(t, x, mu, live=True)
        # through JSON, as the live scorer stores it
        stepped = ScanDetector.from_state(json.loads(json.dumps(stepped.state())), params)
        b = stepped.update(t, x, mu, live=True)
        assert a == b
    assert whole.state() == stepped.state()


def test_a_handful_of_tickets_on_an_almost_empty_series_is_no_storm():
    # about one ticket a day, then three in one hour: expected over even
    # twelve hours stays below scan_min_expected, so the scan says nothing
    scan = ScanDetector()
    times = timeline(6)
    hit = []
    for i, t in enumerate(times):
        x = 1.0 if i % 288 == 100 else 0.0
        if MONDAY + 5 * DAY + 12 * 3600 <= t < MONDAY + 5 * DAY + 13 * 3600 and i % 4 == 0:
            x = 1.0
        v = scan.update(t, x, 1.0 / 288, live=True)
        hit += [t] if v.alert else []
    assert hit == []
