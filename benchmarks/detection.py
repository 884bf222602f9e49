"""Volume-surge detection: quality on labelled real series, and throughput.

quality(out_dir)   backtest SurgeDetector (default parameters, one set for every
                   series) over each series in ../shared/data/volumes-dev, write
                   one CSV per series (timestamp,value,score,alert; alert = 1 only
                   where a new alert is raised) and score them with
                   ../shared/tools/nab_score.py (NAB standard profile).
sensitivity()      the same score for neighbouring parameter values.
throughput()       points/s of SurgeDetector.update over the five series
                   concatenated, best of 3, one core.

    .venv/bin/python -m benchmarks.detection [--sensitivity] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from incident.detector import DetectorParams, SurgeDetector, backtest

ROOT = Path(__file__).resolve().parents[1]
from benchmarks.shared import shared_dir  # noqa: E402

SHARED = shared_dir()
DATA = SHARED / "data/volumes-dev"
SCORER = SHARED / "tools/nab_score.py"

# (parameter, factors) for the sensitivity table
NEIGHBOURS = [
    ("return_period_days", (0.5, 0.8, 1.25, 2.0)),
    ("cusum_k", (0.8, 1.25, 1.5)),
    ("spike_u", (0.8, 1.2)),
    ("cusum_u", (0.8, 1.2)),
    ("clip_z", (0.8, 1.2)),
    ("level_halflife_hours", (0.8, 1.25)),
    ("daily_halflife_days", (0.8, 1.25)),
    ("weekly_halflife_weeks", (0.8, 1.25)),
    ("dispersion_rate", (0.5, 2.0)),
    ("tail_halflife_days", (0.8, 1.25)),
    ("tail_prior_episodes", (0.5, 2.0)),
    ("tail_prior_spike_excess", (0.8, 1.25)),
    ("tail_prior_cusum_excess", (0.8, 1.25)),
    ("cusum_cap", (0.67, 1.5)),
    ("cooldown_hours", (0.5, 2.0)),
]


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.strip()[:19]).replace(tzinfo=dt.timezone.utc).timestamp()


def load_series() -> dict[str, list[tuple[str, float, float]]]:
    """series file name -> [(timestamp text, epoch seconds, value)]"""
    out = {}
    for path in sorted(DATA.glob("*.csv")):
        with path.open(newline="") as fh:
            out[path.name] = [(r["timestamp"], _epoch(r["timestamp"]), float(r["value"])) for r in csv.DictReader(fh)]
    if not out:
        raise SystemExit(f"no series in {DATA}")
    return out


class _ScaledThresholds(SurgeDetector):
    """Sensitivity only: the learnt alert levels of both statistics times SCALE."""

    __slots__ = ()
    SCALE = 1.0

    def _thresholds(self) -> None:
        super()._thresholds()
        self.h0 *= self.SCALE
        self.h1 *= self.SCALE


def write_results(out_dir: Path, params: DetectorParams = DetectorParams(), series=None, scale: float = 1.0) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (series or load_series()).items():
        if scale == 1.0:
            verdicts = backtest(((ts, value) for _, ts, value in rows), params)
        else:
            det = type("Scaled", (_ScaledThresholds,), {"__slots__": (), "SCALE": scale})(params)
            verdicts = [det.update(ts, value) for _, ts, value in rows]
        with (out_dir / name).open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["timestamp", "value", "score", "alert"])
            for (text, _, value), v in zip(rows, verdicts):
                w.writerow([text, f"{value:g}", f"{v.score:.4f}", int(v.alert)])


def score(out_dir: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCORER), "--windows", str(DATA / "windows.json"), "--results", str(out_dir)],
        capture_output=True, text=True, check=True,
    )
    return done.stdout


def quality(out_dir: Path) -> str:
    """Backtest every series exactly as ``incident backtest DIR --out DIR``
    does (default parameters and configuration), write the CSVs to
    ``out_dir`` and return nab_score.py's report."""
    from incident.config import AppConfig
    from incident.watch.backtest import backtest_paths

    backtest_paths(DATA, Path(out_dir), min_count=AppConfig().detection.min_count)
    return score(Path(out_dir))


def _summary(report: str) -> str:
    m = re.search(r"score=(\S+) .*windows=(\S+) false_positives=(\d+) median_delay_rows=(\S+)", report)
    return f"score {m[1]:>5}  windows {m[2]:>5}  fp {m[3]:>2}  median delay {m[4]} rows" if m else report.strip()


def sensitivity() -> list[tuple[str, str]]:
    """(label, summary) for the defaults and each neighbouring value in NEIGHBOURS."""
    base = DetectorParams()
    series = load_series()
    runs = [("defaults", base, 1.0)]
    runs += [(f"learnt alert thresholds x{f:g}", base, f) for f in (0.8, 0.9, 1.1, 1.2)]
    for name, factors in NEIGHBOURS:
        value = getattr(base, name)
        for f in factors:
            new = type(value)(round(value * f, 6))
            runs.append((f"{name} x{f:g} = {new:g} (default {value:g})", dataclasses.replace(base, **{name: new}), 1.0))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, params, scale) in enumerate(runs):
            d = Path(tmp) / str(i)
            write_results(d, params, series, scale)
            out.append((label, _summary(score(d))))
    return out


def throughput() -> dict:
    """Points per second of SurgeDetector.update over the five series concatenated
    (timestamps shifted to follow one another), best of 3 runs, one core."""
    rows: list[tuple[float, float]] = []
    for series in load_series().values():
        shift = rows[-1][0] + 300 - series[0][1] if rows else 0.0
        rows += [(ts + shift, value) for _, ts, value in series]
    best = float("inf")
    for _ in range(3):
        update = SurgeDetector().update
        t0 = time.perf_counter()
        for ts, value in rows:
            update(ts, value)
        best = min(best, time.perf_counter() - t0)
    return {"points": len(rows), "seconds": best, "points_per_s": len(rows) / best,
            "us_per_point": best / len(rows) * 1e6}


def live_throughput() -> dict:
    """Points per second of one series' full live step (surge, silence and
    daily-level detectors: :class:`incident.watch.detectors.SeriesDetectors`)."""
    import datetime as dt

    from incident.watch.detectors import EPOCH, UTC_ZONE, SeriesDetectors

    rows: list[tuple[dt.datetime, float]] = []
    for series in load_series().values():
        shift = (rows[-1][0] - EPOCH).total_seconds() + 300 - series[0][1] if rows else 0.0
        rows += [(EPOCH + dt.timedelta(seconds=ts + shift), value) for _, ts, value in series]
    best = float("inf")
    for _ in range(3):
        step = SeriesDetectors(DetectorParams(), UTC_ZONE).step
        t0 = time.perf_counter()
        for when, value in rows:
            step(when, value, 5)
        best = min(best, time.perf_counter() - t0)
    return {"points": len(rows), "seconds": best, "points_per_s": len(rows) / best, "us_per_point": best / len(rows) * 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.detection", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="where to write the result CSVs (default: a temporary directory)")
    ap.add_argument("--sensitivity", action="store_true", help="also score neighbouring parameter values")
    args = ap.parse_args()
    if args.out:
        print(quality(args.out))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            print(quality(Path(tmp)))
    if args.sensitivity:
        print("sensitivity (one parameter changed at a time):")
        for label, summary in sensitivity():
            print(f"  {label:<58} {summary}")
    t = throughput()
    print(f"throughput: {t['points_per_s']:,.0f} points/s ({t['us_per_point']:.2f} us/point, "
          f"{t['points']} points, best of 3, one core)")


if __name__ == "__main__":
    main()
