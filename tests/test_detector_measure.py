"""Real-valued detector (incident.detector_measure) and the detectors' input guards:
any sign, fractions, huge and constant values; rises, drops and variance changes;
no look-ahead; exact state round trips; typed errors for bad input."""

from __future__ import annotations

import json
import math
import random

import pytest

from incident.detector import BadValue, MeasureDetector, OutOfOrder, SurgeDetector, Verdict

T0 = 1_700_438_400
STEP = 300


def run(values: list[float]) -> list[Verdict]:
    det = MeasureDetector()
    return [det.update(T0 + i * STEP, v) for i, v in enumerate(values)]


def alerts(verdicts: list[Verdict]) -> list[int]:
    return [i for i, v in enumerate(verdicts) if v.alert]


def noise(n: int, seed: int, mean: float = 0.0, sd: float = 1.0) -> list[float]:
    rng = random.Random(seed)
    return [rng.gauss(mean, sd) for _ in range(n)]


@pytest.mark.parametrize("mean,sd", [(0.0, 1.0), (-40.0, 0.3), (1e9, 2e7), (3e-4, 1e-5)])
def test_quiet_on_stationary_noise_at_any_scale_and_sign(mean, sd):
    assert alerts(run(noise(4000, seed=1, mean=mean, sd=sd))) == []


def test_constant_series_is_quiet_and_a_change_of_it_alerts():
    values = [45.0] * 3000
    assert alerts(run(values)) == []
    values[2000:] = [46.0] * 1000
    found = alerts(run(values))
    assert found and 2000 <= found[0] <= 2005


@pytest.mark.parametrize("shift,direction", [(4.0, 1), (-4.0, -1)])
def test_level_shift_up_or_down_alerts_once_soon(shift, direction):
    values = noise(3000, seed=2, mean=10.0)
    values[2000:] = [v + shift for v in values[2000:]]
    verdicts = run(values)
    found = alerts(verdicts)
    assert len(found) == 1 and 2000 <= found[0] <= 2010
    assert verdicts[found[0]].direction == direction


def test_dip_and_spike_alert():
    values = noise(3000, seed=3, mean=50.0)
    values[1500] = 80.0
    values[2500] = 20.0
    found = alerts(run(values))
    assert found == [1500, 2500]


def test_variance_increase_alerts():
    values = noise(3000, seed=4, mean=5.0, sd=0.5)
    rng = random.Random(9)
    values[2000:] = [5.0 + rng.gauss(0.0, 2.5) for _ in range(1000)]
    found = alerts(run(values))
    assert found and 2000 <= found[0] <= 2030


def test_no_look_ahead_and_state_round_trip():
    values = noise(2500, seed=5, mean=-3.0)
    values[1800:1900] = [v + 3 for v in values[1800:1900]]
    full = run(values)
    assert alerts(full)
    for cut in (1, 2, 200, 1801, 1850):
        det = MeasureDetector()
        head = [det.update(T0 + i * STEP, v) for i, v in enumerate(values[:cut])]
        assert head == full[:cut]
        again = MeasureDetector.from_state(json.loads(json.dumps(det.state())))
        tail = [again.update(T0 + (cut + i) * STEP, v) for i, v in enumerate(values[cut:])]
        assert tail == full[cut:]


def test_measure_refuses_out_of_order_and_non_finite_values():
    det = MeasureDetector()
    det.update(T0, 1.5)
    with pytest.raises(OutOfOrder):
        det.update(T0, 2.0)
    with pytest.raises(OutOfOrder):
        det.update(T0 - 60, 2.0)
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(BadValue):
            det.update(T0 + 60, bad)
    assert det.update(T0 + 60, -7.25).alert is False  # negative and fractional are fine


def test_count_detector_raises_typed_errors():
    det = SurgeDetector()
    det.update(T0, 3)
    with pytest.raises(OutOfOrder):
        det.update(T0, 3)
    for bad in (-1, math.nan, math.inf):
        with pytest.raises(BadValue):
            det.update(T0 + STEP, bad)
    assert issubclass(OutOfOrder, ValueError) and issubclass(BadValue, ValueError)


def test_a_gigantic_peak_does_not_lift_the_bar_over_later_anomalies():
    # one outage at +1000 sd is an anomaly, not the tail of the noise: uncapped,
    # its excess set the spike bar near 180 sd and the later +30 sd spike passed
    values = noise(3000, seed=5, mean=10.0)
    for i in (1000, 1001, 1002):
        values[i] += 1000.0
    values[1400] += 30.0
    assert alerts(run(values)) == [1000, 1400]


@pytest.mark.parametrize(
    "kind,values",
    [
        ("counts", [float(k) for k in (3, 0, 5, 2, 4, 1, 6, 3, 2, 4) * 30]),  # low counts with empty buckets
        # Poisson-like noise at ~50 a bucket, no zero: a busy mention series
        ("counts", [float(round(v)) for v in noise(300, seed=4, mean=50.0, sd=50.0**0.5)]),
        ("measure", [float(60 + (i % 3) - 1) for i in range(300)]),  # a road speed: far below Poisson noise
        ("measure", [float(200 + 60 * ((i * 7) % 5) - 120) for i in range(300)]),  # a travel time: far above
        ("measure", [float(16000 + 4000 * ((i * 3) % 7)) for i in range(300)]),  # taxi passengers: far above
        ("measure", [0.5, 1.5] * 150),  # fractional
        ("measure", [-1.0, 2.0] * 150),  # negative
    ],
)
def test_backtest_reads_counts_from_the_data(kind, values):
    # backtest's auto kind (incident.watch.backtest.looks_like_counts): whole
    # numbers run the count detector only when their noise is Poisson-like
    from incident.watch.backtest import looks_like_counts

    assert ("counts" if looks_like_counts(values) else "measure") == kind


def test_hourly_anomalies_days_apart_each_alert():
    # the cooldown is 144 rows or 12 hours, whichever is shorter: counted in rows
    # alone it was six days of an hourly series and the second drop passed silent
    values = noise(1000, seed=6, mean=50.0)
    values[500] -= 30.0
    values[600] -= 30.0  # about four days later
    det = MeasureDetector()
    verdicts = [det.update(T0 + i * 3600, v) for i, v in enumerate(values)]
    assert alerts(verdicts) == [500, 600]
