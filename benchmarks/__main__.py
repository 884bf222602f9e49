"""Benchmarks: ``./dev bench`` (or ``python -m benchmarks``).

declare-and-list: declare N incidents through the service (each assembles
its response group: ~5 assignments, timeline events and notifications),
then list them with filters. Runs on SQLite always and on PostgreSQL when
INCIDENT_BENCH_DATABASE_URL (or INCIDENT_TEST_DATABASE_URL) is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from incident import incidents
from incident.config import load_config
from incident.context import Context
from incident.db import Store, normalise_url
from incident.timeutil import FixedClock

ROOT = Path(__file__).resolve().parents[1]
KINDS = ["system_outage", "batch_complaint", "public_opinion", "other"]


def bench_declare_and_list(url: str, n: int, label: str) -> dict[str, float]:
    config = load_config(ROOT / "examples" / "incident.toml")
    clock = FixedClock(dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))
    ctx = Context(config, "bench", clock)
    store = Store(url)
    t0 = time.perf_counter()
    batch = 500
    for start in range(0, n, batch):
        with store.transaction() as s:
            for i in range(start, min(n, start + batch)):
                clock.advance(seconds=30)
                incidents.declare(s, ctx, kind=KINDS[i % 4], severity=1 + (i // 4) % 4, title=f"基准事件 {i}")
        print(f"  [{label}] declared {min(n, start + batch):>6}/{n}", end="\r", file=sys.stderr, flush=True)
    declare_s = time.perf_counter() - t0
    print(file=sys.stderr)

    def timed(**filters) -> tuple[float, int]:
        runs, count = [], 0
        for _ in range(7):
            t = time.perf_counter()
            with store.transaction() as s:
                count = len(incidents.list_incidents(s, **filters))
            runs.append(time.perf_counter() - t)
        return statistics.median(runs) * 1000, count

    all_ms, all_n = timed(open_only=True)
    sel_ms, sel_n = timed(open_only=True, kinds=["system_outage"], severities=[1, 2])
    store.dispose()
    return {"declare_s": declare_s, "per_declare_ms": declare_s / n * 1000,
            "list_open_ms": all_ms, "list_open_rows": all_n, "list_filtered_ms": sel_ms, "list_filtered_rows": sel_n}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000, help="incidents to declare (default 10000)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = bench_declare_and_list(f"sqlite:///{tmp}/bench.db", args.n, "sqlite")
    pg = os.environ.get("INCIDENT_BENCH_DATABASE_URL") or os.environ.get("INCIDENT_TEST_DATABASE_URL")
    if pg and not args.no_postgres:
        base = normalise_url(pg)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
            results["postgresql"] = bench_declare_and_list(url.render_as_string(hide_password=False), args.n, "postgresql")
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    print(f"\ndeclare-and-list, n={args.n} (list figures: median of 7)")
    print(f"{'backend':<11} {'declare total':>14} {'per declare':>12} {'list open':>22} {'list filtered':>22}")
    for name, r in results.items():
        print(f"{name:<11} {r['declare_s']:>12.1f} s {r['per_declare_ms']:>9.2f} ms "
              f"{r['list_open_ms']:>9.1f} ms ({r['list_open_rows']:>6} rows) "
              f"{r['list_filtered_ms']:>9.1f} ms ({r['list_filtered_rows']:>5} rows)")
    target = results["sqlite"]["list_open_ms"]
    print(f"target: filtered list of {results['sqlite']['list_open_rows']} on SQLite < 200 ms: "
          f"{'met' if target < 200 else 'NOT met'} ({target:.1f} ms)")


if __name__ == "__main__":
    main()
