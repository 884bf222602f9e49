"""Scale of the live scorer (issue 19, point 8): one closed bucket of the
complaints family scored by :func:`incident.watch.volumes.score_family`
with 1,000 and 10,000 live series, on SQLite and on PostgreSQL.

The series are the total, ``CATEGORIES`` categories and the rest branches
(the product has no cross dimension, so "branches x categories" is their
sum: 10,000 = total + 50 categories + 9,949 branches). Every series is
live and has learnt: ``--scale-days`` days of tickets are scored first
(the total, the categories and ``TEMPLATES`` branches, through
score_family itself), then the other branches' rows are copied from those
learnt branch rows (every column but the key, so a column added later is
copied too). The tickets: about one per branch every ``1/BRANCH_RATE``
hours at the busiest hour, a day/night rhythm in the centre's zone.

Then the closed buckets from the centre's 10:00 on a weekday are scored
one at a time, each in its own transaction (as the watch job does): the
first warms the process (caches, connections), the next ``REPEAT`` are
timed (the median wall time, and the median CPU time of this process: on
a shared machine the wall time includes waiting for a core; RSS before and after them and its peak,
sampled every 5 ms), the next runs under tracemalloc (peak of Python's
allocations; tracemalloc slows it, so its wall time is shown apart), and
with ``--scale-profile`` one more under cProfile (its hotspots printed, by
own and by cumulative time). Every clock is injected (a FixedClock);
the product never reads the wall clock here.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import math
import os
import pstats
import random
import statistics
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

from sqlalchemy import insert, inspect, select

from benchmarks.shared import example_config
from incident.context import Context
from incident.db import Store
from incident.models import Complaint, VolumeSeries
from incident.timeutil import FixedClock
from incident.watch.volumes import ScoreReport, score_family, series_key

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = 50
TEMPLATES = 8  # learnt branch rows that the other branches copy
BRANCH_RATE = 0.25  # tickets per branch per hour at the busiest hour
UTC = dt.timezone.utc
# Learning ends (and the timed buckets start) on Monday 10:00 in Shanghai.
TIMED_AT = dt.datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TARGET_S = 2.0
REPEAT = 5  # timed buckets: the median is the figure (the machine may be shared)


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 50:  # normal approximation: exp(-lam) loses precision for large means
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _rhythm(local: dt.datetime) -> float:
    """0..1: quiet at night, busiest in the early afternoon, weekends lower."""
    hour = local.hour + local.minute / 60
    day = max(0.0, math.sin(math.pi * (hour - 7) / 15)) if 7 <= hour <= 22 else 0.0
    return (0.08 + 0.92 * day) * (0.75 if local.weekday() >= 5 else 1.0)


def _rows(
    rng: random.Random, ctx: Context, start: dt.datetime, end: dt.datetime, branches: int, learn: bool, tag: str
) -> list[dict[str, Any]]:
    """Tickets from ``start`` to ``end``. While learning, only the template
    branches are named (the rest leave branch empty), so the total and the
    categories see the full volume and a template branch its own share."""
    bucket = ctx.config.detection.bucket_minutes * 60
    peak = branches * BRANCH_RATE * bucket / 3600
    weights = [1 / (i + 1) for i in range(CATEGORIES)]
    cats = [f"cat-{i:02d}" for i in range(CATEGORIES)]
    now, zone = ctx.clock.now(), ctx.config.zone
    out: list[dict[str, Any]] = []
    b = start
    while b < end:
        n = poisson(rng, peak * _rhythm(b.astimezone(zone)))
        picks = rng.choices(cats, weights, k=n)
        for cat in picks:
            i = rng.randrange(branches)
            out.append(
                {
                    "external_id": f"{tag}-{len(out)}",
                    "received_at": b + dt.timedelta(seconds=rng.randrange(bucket)),
                    "channel": "phone",
                    "request_type": "complaint",
                    "category": cat,
                    "topics": [],
                    "branch": None if learn and i >= TEMPLATES else f"branch-{i:05d}",
                    "product": None,
                    "text": "parcel late",
                    "source": "bench",
                    "ingested_at": now,
                }
            )
        b += dt.timedelta(seconds=bucket)
    return out


def _insert(store: Store, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), 5000):
        with store.transaction() as s:
            s.execute(insert(model), rows[i : i + 5000])


def _copy_branches(store: Store, branches: int, now: dt.datetime) -> None:
    """Every other branch's row, copied from a learnt template branch."""
    columns = [a.key for a in inspect(VolumeSeries).column_attrs if a.key != "id"]
    with store.transaction() as s:
        q = select(VolumeSeries).where(VolumeSeries.family == "complaints", VolumeSeries.dimension == "branch")
        templates = sorted(s.scalars(q), key=lambda r: r.value or "")
        rows = [{c: getattr(t, c) for c in columns} for t in templates]
    assert len(templates) == TEMPLATES, f"{len(templates)} template branches learnt, expected {TEMPLATES}"
    new = []
    for i in range(TEMPLATES, branches):
        row = dict(rows[i % TEMPLATES])
        name = f"branch-{i:05d}"
        row.update(key=series_key("complaints", "branch", name), value=name, created_at=now)
        new.append(row)
    _insert(store, VolumeSeries, new)


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class RssPeak:
    """RSS before, after and at its peak (sampled every 5 ms) over a block."""

    def __enter__(self) -> "RssPeak":
        self.before = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.after = _rss()
        self.peak = max(self.peak, self.after)


def _score(store: Store, ctx: Context, cpu: list[float] | None = None) -> tuple[float, ScoreReport]:
    """Wall time of one bucket's transaction; its CPU time (this process's,
    all threads: the RSS sampler's share is negligible) appended to ``cpu``."""
    t0, c0 = time.perf_counter(), time.process_time()
    with store.transaction() as s:
        report = score_family(s, ctx, "complaints")
    if cpu is not None:
        cpu.append(time.process_time() - c0)
    return time.perf_counter() - t0, report


def bench_case(url: str, n: int, days: int, profile: bool = False) -> dict[str, Any]:
    """Warm ``n`` series over ``days`` days, then score three buckets."""
    branches = n - 1 - CATEGORIES
    assert branches > TEMPLATES, f"{n} series: too few for {CATEGORIES} categories and {TEMPLATES} branches"
    start = TIMED_AT - dt.timedelta(days=days)
    clock = FixedClock(TIMED_AT + dt.timedelta(minutes=30))
    config = example_config(detection={"dimensions": ["category", "branch"], "backfill_days": days})
    ctx = Context(config, "bench", clock)
    bucket = dt.timedelta(minutes=ctx.config.detection.bucket_minutes)
    grace = dt.timedelta(seconds=ctx.config.detection.grace_seconds + 1)
    rng = random.Random(19)
    store = Store(url)
    out: dict[str, Any] = {"series": n, "branches": branches}
    try:
        t0 = time.perf_counter()
        learn = _rows(rng, ctx, start, TIMED_AT, branches, True, "h")
        _insert(store, Complaint, learn)
        timed = _rows(rng, ctx, TIMED_AT, TIMED_AT + (REPEAT + 3) * bucket, branches, False, "t")
        _insert(store, Complaint, timed)
        out["load_s"], out["learn_tickets"] = time.perf_counter() - t0, len(learn)
        clock.current = TIMED_AT + grace
        out["warm_s"], warm = _score(store, ctx)
        out["warm_steps"] = warm.buckets
        t0 = time.perf_counter()
        _copy_branches(store, branches, clock.now())
        out["copy_s"] = time.perf_counter() - t0
        starts = [TIMED_AT + i * bucket for i in range(1, REPEAT + 1)]
        out["tickets"] = statistics.median(sum(1 for r in timed if b <= r["received_at"] < b + bucket) for b in starts)
        with store.read() as s:
            out["state_bytes"] = len(repr(s.scalar(select(VolumeSeries.detector_state).limit(1))))
        clock.current = TIMED_AT + bucket + grace
        out["first_s"], _ = _score(store, ctx)  # warms caches and connections
        walls: list[float] = []
        cpus: list[float] = []
        alerts = 0
        with RssPeak() as rss:
            for _ in range(REPEAT):
                clock.current += bucket
                wall, report = _score(store, ctx, cpus)
                assert report.series == n, f"scored {report.series} series, expected {n}"
                walls.append(wall)
                alerts += report.alerts
        out.update(wall_s=statistics.median(walls), wall_min=min(walls), wall_max=max(walls))
        out["cpu_s"] = statistics.median(cpus)
        out.update(alerts=alerts, load=os.getloadavg()[0], rss_before=rss.before)
        out.update(rss_delta=rss.after - rss.before, rss_peak_delta=rss.peak - rss.before)
        clock.current += bucket
        tracemalloc.start()
        out["traced_wall_s"], _ = _score(store, ctx)
        out["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if profile:
            clock.current += bucket
            profiler = cProfile.Profile()
            profiler.enable()
            _score(store, ctx)
            profiler.disable()
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("tottime").print_stats(15)
            stats.sort_stats("cumulative").print_stats(r"incident|orm/session", 25)
            out["profile"] = text.getvalue()
    finally:
        store.dispose()
    return out


MB = 1e6


def _print(backend: str, r: dict[str, Any]) -> None:
    print(
        f"  {backend:<10} {r['series']:>6,} series: bucket {r['wall_s']:5.2f} s median of {REPEAT} "
        f"({r['wall_min']:.2f}-{r['wall_max']:.2f}; CPU {r['cpu_s']:.2f} s; "
        f"{r['wall_s'] / r['series'] * 1e3:.3f} ms/series; "
        f"{r['tickets']:.0f} tickets/bucket; {r['alerts']} alerts; load average {r['load']:.1f}); "
        f"RSS {r['rss_before'] / MB:.0f} MB, +{r['rss_delta'] / MB:.1f} after, +{r['rss_peak_delta'] / MB:.1f} "
        f"at peak; tracemalloc peak {r['traced_peak'] / MB:.1f} MB ({r['traced_wall_s']:.2f} s traced)"
    )
    print(
        f"  {'':<10} {'':>6}         set-up: {r['learn_tickets']:,} tickets over the days before, stored in "
        f"{r['load_s']:.1f} s; learning {r['warm_steps']:,} series-buckets in {r['warm_s']:.1f} s; "
        f"{r['branches'] - TEMPLATES:,} branch rows copied in {r['copy_s']:.1f} s; first bucket {r['first_s']:.2f} s; "
        f"detector state {r['state_bytes']:,} bytes/series"
    )


def run(args: argparse.Namespace, pg: str | None, pg_schema: Any) -> None:
    sizes, days = args.scale_series, args.scale_days
    print(
        f"\ndetection scale: one closed 5-minute bucket of the complaints family scored (score_family, one "
        f"transaction) with every series live, learnt over {days} days; Monday 10:00 in the centre's zone"
    )
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results[("sqlite", n)] = r = bench_case(f"sqlite:///{tmp}/scale.db", n, days, args.scale_profile)
        _print("sqlite", r)
        if pg:
            with pg_schema(pg) as url:
                results[("postgresql", n)] = r = bench_case(url, n, days, args.scale_profile)
            _print("postgresql", r)
    for (backend, n), r in results.items():
        if "profile" in r:
            print(f"\n  cProfile of the timed bucket, {backend}, {n:,} series (top by own time):")
            print("\n".join("    " + line for line in r["profile"].strip().splitlines()))
    big = results.get(("sqlite", 10_000))
    if big:
        verdict = "met" if big["wall_s"] <= TARGET_S else "NOT met"
        print(f"  target: 10,000 series on SQLite <= {TARGET_S:.0f} s per bucket: {verdict} ({big['wall_s']:.2f} s)")


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--scale-series",
        type=int,
        nargs="+",
        default=[1_000, 10_000],
        metavar="N",
        help="detection-scale: live series per case (default 1000 10000)",
    )
    parser.add_argument(
        "--scale-days", type=int, default=7, help="detection-scale: days of tickets learnt before (default 7)"
    )
    parser.add_argument(
        "--scale-profile", action="store_true", help="detection-scale: cProfile the timed bucket, print hotspots"
    )
