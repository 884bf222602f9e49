"""Injected surges on real count series (issue 19, deliverable 1d).

Sources: the five realTweets series of ``../shared/data/volumes-dev``
(5-minute counts) and ``realKnownCause/nyc_taxi.csv`` of nab-dev (30-minute
counts). Each is taken at two volumes: binomially thinned to about 3.5 counts
an hour ("low", 2-5 an hour), and as recorded but thinned to at most 300 an
hour ("high": 40-300 an hour). A surge multiplies the real counts: on top of
the base series, each bucket gets Poisson((f(t) - 1) x its expected count)
more, f(t) the surge's shape:

  step 2x / 3x / 5x   constant for 2-12 hours
  ramp 3x             rising linearly from 1x to 3x over 3-12 hours, then 3x for 2 hours
  plateau 2x / 3x     1-2 days
  waves 3x            three bursts of 1-2 hours at 3x, about 8 hours apart (one day)

landing in the first week (onset 1-6.5 days in), on the first weekend
(Saturday 08:00 to Sunday 12:00, UTC), during a ramp-up of collection (the
series' first 3 days multiplied by a factor rising 0.2 -> 1, onset 0.5-2.5
days in) and later (14 days in or more). Every draw comes from a seed made of
the case's name, so a run is the same every time.

Each case is scored through :func:`incident.watch.backtest.run` (what
``incident backtest`` runs) with the default configuration, on the series up
to a day after the surge. A surge is caught when an alert falls on a bucket
from its onset to its end; the delay is from the onset to the end of the
alerted bucket (when the live system could know). False alerts: on the
untouched base series (thinned the same way, whole length), alerts outside
NAB's labelled windows, per series-month (30.44 days).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
import statistics
import time
import zlib
from dataclasses import dataclass

from benchmarks.shared import shared_dir

SHARED = shared_dir()
HOUR, DAY = 3600.0, 86400.0
SHAPES = ("step 2x", "step 3x", "step 5x", "ramp 3x", "plateau 2x", "plateau 3x", "waves 3x")
BIG = {"step 3x", "step 5x", "ramp 3x", "plateau 3x", "waves 3x"}  # peak >= 3x
POSITIONS = ("first week", "first weekend", "ramp-up", "later")
LEVELS = {"low": 3.5, "high": 300.0}  # target counts an hour (high: a ceiling)
RAMP_DAYS = 3.0


@dataclass
class Source:
    name: str  # windows.json key
    times: list[float]
    counts: list[float]
    bucket: float


def sources() -> list[Source]:
    files = sorted((SHARED / "data/volumes-dev").glob("*.csv"))
    files.append(SHARED / "data/nab-dev/realKnownCause/nyc_taxi.csv")
    out = []
    for path in files:
        with path.open(newline="") as fh:
            rows = [(_epoch(r["timestamp"]), float(r["value"])) for r in csv.DictReader(fh)]
        family = "realKnownCause" if path.name == "nyc_taxi.csv" else "realTweets"
        out.append(Source(f"{family}/{path.name}", [t for t, _ in rows], [v for _, v in rows], rows[1][0] - rows[0][0]))
    return out


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.strip()).replace(tzinfo=dt.timezone.utc).timestamp()


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("|".join(parts).encode()))


def _poisson(rnd: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation, plenty for a benchmark
        return max(0, round(rnd.gauss(lam, math.sqrt(lam))))
    k, p, u = 0, math.exp(-lam), rnd.random()
    cdf = p
    while u > cdf and k < 200:
        k += 1
        p *= lam / k
        cdf += p
    return k


def _binomial(rnd: random.Random, n: int, p: float) -> int:
    if p >= 1.0:
        return n
    if n <= 60:
        return sum(rnd.random() < p for _ in range(n))
    if n * p < 20:
        return min(n, _poisson(rnd, n * p))
    return min(n, max(0, round(rnd.gauss(n * p, math.sqrt(n * p * (1 - p))))))


def thin(src: Source, level: str) -> tuple[list[float], float]:
    """The base series at a volume level, and its thinning probability."""
    per_hour = statistics.fmean(src.counts) * HOUR / src.bucket
    p = min(1.0, LEVELS[level] / per_hour)
    rnd = _rng(src.name, level, "thin")
    return [float(_binomial(rnd, int(c), p)) for c in src.counts], p


def shape(name: str, rnd: random.Random) -> list[tuple[float, float, float]]:
    """(start, end, factor) pieces in seconds from the onset; a ramp is cut in 15-minute steps."""
    if name.startswith("step"):
        return [(0.0, rnd.uniform(2, 12) * HOUR, float(name[5]))]
    if name.startswith("plateau"):
        return [(0.0, rnd.uniform(1, 2) * DAY, float(name[8]))]
    if name.startswith("ramp"):
        rise = rnd.uniform(3, 12) * HOUR
        steps = int(rise // 900)
        pieces = [(i * 900.0, (i + 1) * 900.0, 1.0 + 2.0 * (i + 0.5) / steps) for i in range(steps)]
        return pieces + [(steps * 900.0, steps * 900.0 + 2 * HOUR, 3.0)]
    starts = [0.0, 8 * HOUR + rnd.uniform(-1, 1) * HOUR, 16 * HOUR + rnd.uniform(-1, 1) * HOUR]
    return [(s, s + rnd.uniform(1, 2) * HOUR, 3.0) for s in starts]


def onset(src: Source, position: str, rnd: random.Random) -> float:
    t0 = src.times[0]
    if position == "first week":
        return t0 + rnd.uniform(1.0, 6.5) * DAY
    if position == "ramp-up":
        return t0 + rnd.uniform(0.5, 2.5) * DAY
    if position == "later":
        return t0 + rnd.uniform(14.0, (src.times[-1] - t0) / DAY - 3.0) * DAY
    day = dt.datetime.fromtimestamp(t0, dt.timezone.utc).date()
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7 or (7 if t0 % DAY else 0))
    start = dt.datetime.combine(saturday, dt.time(8), dt.timezone.utc).timestamp()
    return start + rnd.uniform(0, 28) * HOUR


@dataclass
class Case:
    source: str
    level: str
    shape: str
    position: str
    onset: float
    end: float
    caught: bool
    delay_h: float | None


def _run(times: list[float], values: list[float]) -> list:
    from incident.config import AppConfig
    from incident.watch.backtest import Series, run

    series = Series([""] * len(times), times, values)
    return run(series, min_count=AppConfig().detection.min_count)


def inject(src: Source, base: list[float], p: float, level: str, name: str, position: str) -> Case:
    rnd = _rng(src.name, level, name, position)
    start = onset(src, position, rnd)
    pieces = [(start + a, start + b, f) for a, b, f in shape(name, rnd)]
    end = max(b for _, b, _ in pieces)
    stop = end + DAY
    times, values = [], []
    for t, c, b in zip(src.times, src.counts, base, strict=True):
        if t >= stop:
            break
        ramp = min(1.0, 0.2 + 0.8 * (t - src.times[0]) / (RAMP_DAYS * DAY)) if position == "ramp-up" else 1.0
        value = float(_binomial(rnd, int(b), ramp)) if ramp < 1.0 else b
        factor = next((f for a, z, f in pieces if a <= t < z), 1.0)
        if factor > 1.0:
            value += _poisson(rnd, (factor - 1.0) * p * c * ramp)
        times.append(t)
        values.append(value)
    verdicts = _run(times, values)
    hit = next((t for t, v in zip(times, verdicts, strict=True) if v.alert and start <= t < end), None)
    delay = None if hit is None else (hit + src.bucket - start) / HOUR
    return Case(src.name, level, name, position, start, end, hit is not None, delay)


def false_alerts(src: Source, base: list[float], windows: list) -> tuple[int, int, float]:
    """(alerts outside labelled windows, alerts inside, series-months) on the untouched base."""
    spans = [(_epoch(a), _epoch(b)) for a, b in windows]
    verdicts = _run(src.times, base)
    inside = outside = 0
    for t, v in zip(src.times, verdicts, strict=True):
        if v.alert:
            if any(a <= t <= b for a, b in spans):
                inside += 1
            else:
                outside += 1
    return outside, inside, (src.times[-1] - src.times[0] + src.bucket) / DAY / 30.44


def suite() -> dict:
    t0 = time.process_time()
    windows = json.loads((SHARED / "data/nab-dev/windows.json").read_text())
    cases: list[Case] = []
    fa_out = fa_in = 0
    months = 0.0
    for src in sources():
        for level in LEVELS:
            base, p = thin(src, level)
            o, i, m = false_alerts(src, base, windows.get(src.name, []))
            fa_out, fa_in, months = fa_out + o, fa_in + i, months + m
            for name in SHAPES:
                for position in POSITIONS:
                    cases.append(inject(src, base, p, level, name, position))
    return {
        "cases": cases,
        "false_outside": fa_out,
        "false_inside": fa_in,
        "months": months,
        "cpu_s": time.process_time() - t0,
    }


def report(result: dict) -> list[str]:
    cases: list[Case] = result["cases"]
    n_src = len({c.source for c in cases})
    lines = [
        f"(d) injected surges (benchmarks/surges.py): {len(cases)} surges, {n_src} real count series x "
        f"{len(LEVELS)} volumes (low ~3.5/h, high <= 300/h), through backtest.run, default configuration",
        f"  caught per case (of {n_src} series)   " + "".join(f"{p:>15}" for p in POSITIONS) + f"{'all':>10}",
    ]
    for level in LEVELS:
        for name in SHAPES:
            row = [c for c in cases if c.level == level and c.shape == name]
            cells = []
            for pos in POSITIONS:
                sub = [c for c in row if c.position == pos]
                cells.append(f"{sum(c.caught for c in sub)}/{len(sub)}")
            lines.append(
                f"  {level:<5} {name:<12}{'':<17}"
                + "".join(f"{x:>15}" for x in cells)
                + f"{sum(c.caught for c in row):>6}/{len(row)}"
            )
    big = [c for c in cases if c.shape in BIG]
    caught = [c for c in big if c.caught]
    pct = 100.0 * len(caught) / len(big)
    delays = sorted(c.delay_h for c in caught if c.delay_h is not None)
    med = statistics.median(delays) if delays else float("nan")
    rate = result["false_outside"] / result["months"]
    by_pos = ", ".join(
        f"{p} {100.0 * sum(c.caught for c in big if c.position == p) / sum(c.position == p for c in big):.0f}%"
        for p in POSITIONS
    )
    lines += [
        f"  >=3x surges caught: {len(caught)}/{len(big)} = {pct:.1f}%   (target >= 90%: "
        f"{'met' if pct >= 90 else 'NOT met'}); by position: {by_pos}",
        f"  median delay from onset (caught >=3x): {med:.2f} h   (target <= 1 h: {'met' if med <= 1 else 'NOT met'})",
        f"  false alerts on the untouched series: {rate:.2f} per series-month ({result['false_outside']} outside "
        f"labelled windows in {result['months']:.1f} series-months; {result['false_inside']} more inside them)   "
        f"(target <= 1: {'met' if rate <= 1 else 'NOT met'})",
        f"  suite time: {result['cpu_s']:.0f} s CPU, one core",
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(report(suite())))
