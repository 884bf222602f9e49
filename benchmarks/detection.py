"""Volume-surge detection: quality on labelled real series, injected surges,
and throughput (issue 19). ``./dev bench detection`` prints:

(a) volumes-dev      the five development Twitter series, scored by
                     ../shared/tools/nab_score.py, standard and low-FP profiles;
(b) nab-dev          all 53 NAB series, overall and per family;
(c) leave one family out
                     a small grid of global sensitivity candidates, the same
                     for every family; for each family the candidate best on the
                     other six (standard profile) is scored on it, beside the
                     default's score on it (in-sample);
(d) injected surges  benchmarks/surges.py;
throughput           points/s of SurgeDetector.update and of one series' live step.

Every series goes through :func:`incident.watch.backtest.run` with the
default configuration, what ``incident backtest`` runs; the (a) and (b)
overall lines are also checked with the scorer script on the files
``incident backtest DIR --out OUT`` writes.

    .venv/bin/python -m benchmarks.detection [--no-surges]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.shared import shared_dir
from incident.detector import DetectorParams, SurgeDetector

SHARED = shared_dir()
DATA = SHARED / "data/volumes-dev"
NAB = SHARED / "data/nab-dev"
SCORER = SHARED / "tools/nab_score.py"
PROFILES = ("standard", "reward_low_FP_rate")
PUBLISHED = "published on nab-dev (std / low-FP): ARTime 74.2 / 64.3, HTM 70.2 / 63.7, CAD OSE 68.4 / 65.3"

# (label, factor on the return period): how rare a peak must be to alert, the
# counts' return_period_days and the measures' return_rows scaled together;
# the same three global settings for every family, no per-family choice.
CANDIDATES = (("sensitive", 0.5), ("default", 1.0), ("strict", 2.0))


def _nab():
    spec = importlib.util.spec_from_file_location("nab_score", SCORER)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _min_count() -> float:
    from incident.config import AppConfig

    return AppConfig().detection.min_count


def candidate(label: str, factor: float) -> tuple[DetectorParams, object, str]:
    """The detector parameters of one candidate, and what they change."""
    base = DetectorParams()
    params = dataclasses.replace(base, return_period_days=base.return_period_days * factor)
    measure, what = None, f"return period {params.return_period_days:g} d"
    try:
        from incident.detector_measure import MeasureParams

        q = MeasureParams()
        if hasattr(q, "return_rows"):
            measure = dataclasses.replace(q, return_rows=q.return_rows * factor)
            what += f" (measures: {measure.return_rows:g} rows)"
    except ImportError:
        pass
    return params, measure, what


@dataclasses.dataclass
class Run:
    stamps: list  # datetimes as the scorer parses them
    alerts: list[bool]
    error: str | None = None


def backtest_dir(root: Path, params=None, measure=None, stamps_cache: dict | None = None) -> dict[str, Run]:
    """``family/name.csv`` (or ``name.csv``) -> the backtest of that series."""
    from incident.errors import IncidentError
    from incident.watch.backtest import read_series, run

    nab, min_count, cache = _nab(), _min_count(), stamps_cache if stamps_cache is not None else {}
    out = {}
    for path in sorted(root.rglob("*.csv")):
        key = path.relative_to(root).as_posix()
        try:
            series = read_series(path)
            verdicts = run(series, min_count=min_count, params=params, measure_params=measure)
        except IncidentError as exc:  # counted as never firing
            out[key] = Run([], [], exc.message("en"))
            continue
        if key not in cache:
            cache[key] = [nab.parse_ts(s) for s in series.stamps]
        out[key] = Run(cache[key], [v.alert for v in verdicts])
    return out


def score_runs(runs: dict[str, Run], windows: dict, profile: str) -> dict[str, tuple]:
    """windows key -> (raw, found, windows, false positives, delays), by nab_score.score_series."""
    nab = _nab()
    weights = nab.PROFILES[profile]
    by_name = {k.rsplit("/", 1)[-1]: r for k, r in runs.items()}
    out = {}
    for key, spans in windows.items():
        r = by_name.get(key.rsplit("/", 1)[-1])
        if r is None:
            continue
        if r.error:  # a refused series scores as a detector that never fires
            n = len(spans)
            out[key] = (-weights["fn"] * n, 0, n, 0, [])
        else:
            out[key] = nab.score_series(r.stamps, r.alerts, spans, weights)
    return out


def aggregate(scored: dict[str, tuple], keys, profile: str) -> dict:
    """nab_score.py's corpus normalisation over ``keys``: 0 never fires, 100 perfect."""
    w = _nab().PROFILES[profile]
    raw = null = perfect = 0.0
    found = count = fp = 0
    delays: list[int] = []
    for k in keys:
        r, f, c, p, d = scored[k]
        raw, null, perfect = raw + r, null - w["fn"] * c, perfect + w["tp"] * c
        found, count, fp, delays = found + f, count + c, fp + p, delays + d
    delays.sort()
    score = 100.0 * (raw - null) / (perfect - null) if perfect > null else None
    return {
        "score": score,
        "found": found,
        "count": count,
        "fp": fp,
        "raw": raw,
        "delay": delays[len(delays) // 2] if delays else None,
    }


def scorer_line(results: Path, windows: Path, profile: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCORER), "--windows", str(windows), "--results", str(results), "--profile", profile],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _fmt(a: dict) -> str:
    s = "  n/a" if a["score"] is None else f"{a['score']:5.1f}"
    return f"{s}  windows {a['found']:>2}/{a['count']:<2}  fp {a['fp']:>3}"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def quality() -> list[str]:
    """(a), (b) and (c)."""
    lines = []
    t0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        from incident.watch.backtest import backtest_paths

        checks = {}
        for name, src in (("volumes-dev", DATA), ("nab-dev", NAB)):
            results = backtest_paths(src, Path(tmp) / name, min_count=_min_count())
            checks[name] = ([scorer_line(Path(tmp) / name, src / "windows.json", p) for p in PROFILES], results)
    vol_w = json.loads((DATA / "windows.json").read_text())
    vol = backtest_dir(DATA)
    a = {p: aggregate(score_runs(vol, vol_w, p), vol_w, p) for p in PROFILES}
    lines.append("(a) volumes-dev (5 realTweets series), nab_score.py:")
    lines.append(
        f"  standard {_fmt(a['standard'])}  median delay {a['standard']['delay']} rows   (target >= 85: "
        f"{_met(a['standard']['score'] >= 85)})"
    )
    lines.append(f"  low-FP   {_fmt(a['reward_low_FP_rate'])}")
    lines += [f"  scorer on `incident backtest` files: {x}" for x in checks["volumes-dev"][0]]

    nab_w = json.loads((NAB / "windows.json").read_text())
    families = sorted({k.split("/")[0] for k in nab_w})
    cache: dict = {}
    by_cand = {}
    for label, factor in CANDIDATES:
        params, measure, what = candidate(label, factor)
        runs = backtest_dir(NAB, params, measure, cache)
        by_cand[label] = (what, runs, {p: score_runs(runs, nab_w, p) for p in PROFILES})
    _, runs, scored = by_cand["default"]
    refused = sorted(k for k, r in runs.items() if r.error)
    total = {p: aggregate(scored[p], nab_w, p) for p in PROFILES}
    lines.append(f"(b) nab-dev, {len(runs)} series, one set of defaults ({PUBLISHED}):")
    lines.append(f"  {'family':<22}{'series':>6}   standard                          low-FP")
    for fam in families:
        keys = [k for k in nab_w if k.startswith(fam + "/")]
        s, lo = (aggregate(scored[p], keys, p) for p in PROFILES)
        lines.append(f"  {fam:<22}{len(keys):>6}   {_fmt(s)}   {_fmt(lo)}")
    st, lo = total["standard"], total["reward_low_FP_rate"]
    lines.append(f"  {'all':<22}{len(nab_w):>6}   {_fmt(st)}   {_fmt(lo)}")
    lines.append(
        f"  target >= 75 standard: {_met(st['score'] >= 75)} ({st['score']:.1f}); >= 70 low-FP: "
        f"{_met(lo['score'] >= 70)} ({lo['score']:.1f}); every series runs: "
        f"{_met(not refused and not any(r.error for r in checks['nab-dev'][1]))}"
        + (f" (refused: {', '.join(refused)})" if refused else "")
    )
    lines += [f"  scorer on `incident backtest` files: {x}" for x in checks["nab-dev"][0]]

    lines.append(
        "(c) leave one family out on nab-dev; candidates, the same for every family: "
        + "; ".join(f"{label}: {by_cand[label][0]}" for label, _ in CANDIDATES)
    )
    lines.append(
        f"  {'held-out family':<22}{'chosen':>10}   held-out std / low-FP   in-sample std / low-FP   difference"
    )
    worst = 0.0
    for fam in families:
        held = [k for k in nab_w if k.startswith(fam + "/")]
        rest = [k for k in nab_w if not k.startswith(fam + "/")]
        best = max(CANDIDATES, key=lambda c: aggregate(by_cand[c[0]][2]["standard"], rest, "standard")["score"])[0]
        out = [aggregate(by_cand[best][2][p], held, p) for p in PROFILES]
        ins = [aggregate(by_cand["default"][2][p], held, p) for p in PROFILES]
        if out[0]["score"] is None:  # no labelled window: only false positives can be compared
            lines.append(f"  {fam:<22}{best:>10}   no windows: fp {out[0]['fp']:>3}       fp {ins[0]['fp']:>3}")
            continue
        diff = [o["score"] - i["score"] for o, i in zip(out, ins, strict=True)]
        worst = min(worst, *diff)
        lines.append(
            f"  {fam:<22}{best:>10}   {out[0]['score']:6.1f} / {out[1]['score']:6.1f}         "
            f"{ins[0]['score']:6.1f} / {ins[1]['score']:6.1f}          {diff[0]:+5.1f} / {diff[1]:+5.1f}"
        )
    lines.append(
        f"  target: no family more than 10 points below its in-sample score: {_met(worst >= -10)} "
        f"(largest drop {-worst:.1f})"
    )
    lines.append(f"  quality time: {time.process_time() - t0:.0f} s CPU")
    return lines


def throughput() -> dict:
    """Points per second of SurgeDetector.update over the five series concatenated
    (timestamps shifted to follow one another), best of 3 runs, one core."""
    rows = _concatenated()
    best = float("inf")
    for _ in range(3):
        update = SurgeDetector().update
        t0 = time.perf_counter()
        for ts, value in rows:
            update(ts, value)
        best = min(best, time.perf_counter() - t0)
    return {
        "points": len(rows),
        "seconds": best,
        "points_per_s": len(rows) / best,
        "us_per_point": best / len(rows) * 1e6,
    }


def _concatenated() -> list[tuple[float, float]]:
    from incident.watch.backtest import read_series

    rows: list[tuple[float, float]] = []
    for path in sorted(DATA.glob("*.csv")):
        s = read_series(path)
        shift = rows[-1][0] + 300 - s.times[0] if rows else 0.0
        rows += [(t + shift, v) for t, v in zip(s.times, s.values, strict=True)]
    return rows


def live_throughput() -> dict:
    """Points per second of one series' full live step (surge, silence and
    daily-level detectors: :class:`incident.watch.detectors.SeriesDetectors`)."""
    from incident.watch.detectors import EPOCH, UTC_ZONE, SeriesDetectors

    rows = [(EPOCH + dt.timedelta(seconds=t), v) for t, v in _concatenated()]
    best = float("inf")
    for _ in range(3):
        step = SeriesDetectors(DetectorParams(), UTC_ZONE).step
        t0 = time.perf_counter()
        for when, value in rows:
            step(when, value, 5)
        best = min(best, time.perf_counter() - t0)
    return {
        "points": len(rows),
        "seconds": best,
        "points_per_s": len(rows) / best,
        "us_per_point": best / len(rows) * 1e6,
    }


def report(surges: bool = True) -> list[str]:
    lines = quality()
    if surges:
        from benchmarks import surges as suite

        lines += suite.report(suite.suite())
    r = throughput()
    lines.append(
        f"detector throughput (SurgeDetector.update): {r['points_per_s']:,.0f} points/s on one core "
        f"(target >= 200,000: {_met(r['points_per_s'] >= 200_000)})"
    )
    live = live_throughput()
    lines.append(f"one series' full live step (surge + silence + daily level): {live['points_per_s']:,.0f} points/s")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.detection", description=__doc__.splitlines()[0])
    ap.add_argument("--no-surges", action="store_true", help="skip the injected-surge suite")
    args = ap.parse_args()
    for line in report(not args.no_surges):
        print(line)


if __name__ == "__main__":
    main()
