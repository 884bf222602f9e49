"""The monthly report (issue 24): ``python -m benchmarks monthly``.

One month (November 2026, Shanghai) with --monthly-complaints tickets
(default 1,000,000) spread over its days, every channel and request type,
a tenth complex, most answered and resolved with durations around their
deadlines, a third rated; and 200 incidents of every kind and severity
with signals, acknowledgements, statements and resolution. The rows are
bulk-inserted with Core executemany (not the intake: its speed is the
``complaints`` benchmark's). Then, after ANALYZE, the time to build the
report (``monthly_report``, which also reads the previous month) and to
render it (Markdown, HTML, CSV): the best and the median of 3 runs, each
its own read transaction. Target: <= 5 s on SQLite.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from benchmarks.shared import ROOT
from incident.config import load_config
from incident.context import Context
from incident.db import Store
from incident.models import Complaint, Incident, RoleAssignment, Signal
from incident.reporting.monthly import monthly_report
from incident.reporting.render import render_monthly
from incident.timeutil import FixedClock

UTC = dt.timezone.utc
START = dt.datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai
MONTH_S = 30 * 86400
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
TARGET_S = 5.0
CHUNK = 50_000
CHANNELS = ["phone", "chat", "email", "social", "app"]
TYPES = ["consultation", "complaint", "suggestion", "urgent", "other"]
KINDS = ["system_outage", "batch_complaint", "public_opinion", "other"]


def _complaints(n: int, rng: random.Random) -> Any:
    for i in range(n):
        received = START + dt.timedelta(seconds=rng.randrange(MONTH_S - 4 * 86400))
        channel = CHANNELS[i % 5]
        fr = rng.randrange(1, 60) if channel in ("chat", "phone") else rng.randrange(60, 6 * 3600)
        answered = rng.random() < 0.95
        resolved = answered and rng.random() < 0.85
        res = rng.randrange(fr, fr + 60 * 3600) if resolved else None
        yield {
            "external_id": f"T{i:08d}",
            "received_at": received,
            "channel": channel,
            "request_type": TYPES[(i // 5) % 5],
            "category": None,
            "topics": [],
            "branch": None,
            "product": None,
            "text": "",
            "customer_ref": None,
            "customer_name": None,
            "contact": None,
            "source": "bench",
            "ingested_at": received,
            "first_response_at": received + dt.timedelta(seconds=fr) if answered else None,
            "resolved_at": received + dt.timedelta(seconds=res) if res is not None else None,
            "satisfaction": rng.randint(1, 5) if resolved and rng.random() < 0.33 else None,
            "complex": rng.random() < 0.1,
            "first_response_seconds": fr if answered else None,
            "resolution_seconds": res,
        }


def _load(store: Store, n: int, incidents: int) -> float:
    rng = random.Random(24)
    t0 = time.perf_counter()
    batch: list[dict[str, Any]] = []
    done = 0
    for row in _complaints(n, rng):
        batch.append(row)
        if len(batch) >= CHUNK:
            with store.transaction() as s:
                s.execute(insert(Complaint), batch)
            done += len(batch)
            batch.clear()
            print(f"  [sqlite] complaints {done:>9,}/{n:,}", end="\r", file=sys.stderr, flush=True)
    if batch:
        with store.transaction() as s:
            s.execute(insert(Complaint), batch)
    print(file=sys.stderr)
    with store.transaction() as s:
        for i in range(incidents):
            declared = START + dt.timedelta(seconds=rng.randrange(MONTH_S - 86400))
            inc = Incident(
                kind=KINDS[i % 4],
                severity=1 + i % 4,
                status="resolved",
                title=f"基准事件 {i}",
                declared_by="bench",
                started_at=declared - dt.timedelta(minutes=rng.randrange(5, 90)),
                declared_at=declared,
                resolved_at=declared + dt.timedelta(hours=rng.randrange(1, 30)),
                updated_at=declared,
            )
            s.add(inc)
            s.flush()
            s.add(
                Signal(
                    series_key=f"complaints/bench/{i}",
                    bucket_start=declared - dt.timedelta(minutes=30),
                    created_at=declared,
                    kind=inc.kind,
                    severity=inc.severity,
                    action="opened",
                    incident_id=inc.id,
                )
            )
            s.add(
                RoleAssignment(
                    incident_id=inc.id,
                    role="incident_lead",
                    person="zhangwei",
                    person_name="张伟",
                    assigned_at=declared,
                    assigned_by="bench",
                    ack_due_at=declared + dt.timedelta(minutes=15),
                    acked_at=declared + dt.timedelta(minutes=rng.randrange(1, 30)),
                )
            )
        s.execute(text("ANALYZE"))
    return time.perf_counter() - t0


def run(args: Any, pg: str | None = None) -> None:
    n = args.monthly_complaints
    config = load_config(ROOT / "examples" / "incident.toml")
    ctx = Context(config, "bench", FixedClock(NOW))
    with tempfile.TemporaryDirectory() as tmp:
        # --monthly-db: a database file kept between runs (loaded once).
        path = Path(args.monthly_db) if args.monthly_db else Path(tmp) / "monthly.db"
        loaded = path.exists()
        store = Store(f"sqlite:///{path}")
        load_s = 0.0 if loaded else _load(store, n, 200)
        build, render = [], []
        report: dict[str, Any] = {}
        for _ in range(3):
            t0 = time.perf_counter()
            with store.read() as s:
                report = monthly_report(s, ctx, (2026, 11))
            t1 = time.perf_counter()
            render_monthly(report, "zh-CN", config.centre.name)
            build.append(t1 - t0)
            render.append(time.perf_counter() - t1)
        store.dispose()
    o = report["tickets"]["overall"]
    print(f"\nmonthly report (SQLite): {n:,} tickets and 200 incidents in 2026-11, loaded in {load_s:.1f} s")
    print(
        f"  checked: {o['received']:,} tickets counted, {report['incidents']['overall']['count']} incidents, "
        f"first-response median {o['first_response']['median_s']} s, resolution rate {o['resolution']['rate']}"
    )
    print(f"  build the report: best {min(build):.2f} s, median {statistics.median(build):.2f} s (3 runs)")
    print(f"  render Markdown + HTML + CSV: best {min(render):.3f} s")
    total = min(build) + min(render)
    print(f"  target <= {TARGET_S:.0f} s on SQLite: {'met' if total <= TARGET_S else 'NOT met'} ({total:.2f} s)")


def add_arguments(group: Any) -> None:
    group.add_argument(
        "--monthly-complaints", type=int, default=1_000_000, help="monthly: tickets in the month (default 1000000)"
    )
    group.add_argument(
        "--monthly-db",
        default=None,
        metavar="FILE",
        help="monthly: a SQLite file to keep the loaded data in and reuse on the next run (default: a temp file)",
    )
