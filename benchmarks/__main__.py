"""Benchmarks: ``./dev bench`` (or ``python -m benchmarks``).

Benchmarks, by name (default: all):

  declare     declare N incidents through the service (each assembles its
              response group), then list them with filters
  feeds       feed ingestion end to end vs bare feedparser.parse, same bytes
  feeds-many  2,000 small feeds (1-20 entries, 5% slow or failing) polled
              concurrently, first poll and unchanged re-poll, vs bare
              feedparser.parse of the same bytes
  complaints  complaint import (CSV), rows/s
  detection   detection quality (NAB scorer, standard and low-FP): volumes-dev,
              nab-dev overall and per family, leave one family out; the
              injected-surge suite (benchmarks/surges.py); detector
              throughput on one core
  detection-scale
              one closed bucket of the complaints family scored with 1,000
              and 10,000 learnt live series: time and memory
              (--scale-series N..., --scale-days, --scale-profile)
  storm       nine days of synthetic airline complaints with a winter storm,
              scored through time by the live scorer: surges caught, delays,
              alerts elsewhere, incidents opened (--storm-step-minutes)
  surge       surge to open incident: the watch flows alone served by a
              Prefect server, and under the whole incident serve
              (--surge-mode both|watch|serve)
  wording     agents' wording pull over HTTP (50 clients) vs a bare FastAPI
              endpoint; one statement rendered for every channel; linting
              a 2,000-character statement; channel checks
  wording-search
              agents' queries (zh and en, labelled) against 50 approved
              sheets: top-1 accuracy (all and held-out) and get_reply p50/p99
  slack       slash-command acknowledgement latency while each command's
              work takes 10 s (app under uvicorn, signed requests)
  remedy      import --rows affected customers from a CSV file, propose and
              issue compensation to all of them through the export-file
              provider, and the due-callbacks list over --callbacks callbacks
  paging      1,000 people called in across 200 incidents by 4 concurrent
              leads: commit to first notification handed to its adapter
  board       the incident board page's server time (GET / and GET
              /incidents/ID under uvicorn, signed in) with --incidents
              incidents and --complaints complaints stored
  monthly     the monthly report over one month of 1,000,000 tickets and
              200 incidents on SQLite (--monthly-complaints): time to build
              and render it
  serve       incident serve (web app + Prefect server + flow runner):
              start to ready, cold and warm; the process tree's RSS and
              PSS, idle (--idle s) and under the loads above (--load s);
              --env KEY=VALUE for a variant, --compare for several

Database figures run on SQLite always and on PostgreSQL when
INCIDENT_BENCH_DATABASE_URL (or INCIDENT_TEST_DATABASE_URL) is set.
"""

from __future__ import annotations

import argparse
import contextlib
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

from incident import incidents, response
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
                response.declare(s, ctx, kind=KINDS[i % 4], severity=1 + (i // 4) % 4, title=f"基准事件 {i}")
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
    return {
        "declare_s": declare_s,
        "per_declare_ms": declare_s / n * 1000,
        "list_open_ms": all_ms,
        "list_open_rows": all_n,
        "list_filtered_ms": sel_ms,
        "list_filtered_rows": sel_n,
    }


@contextlib.contextmanager
def pg_schema(base_url: str):
    """A throw-away schema on the PostgreSQL server, as a database URL."""
    base = normalise_url(base_url)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_declare(args, pg: str | None) -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = bench_declare_and_list(f"sqlite:///{tmp}/bench.db", args.n, "sqlite")
    if pg:
        with pg_schema(pg) as url:
            results["postgresql"] = bench_declare_and_list(url, args.n, "postgresql")
    print(f"\ndeclare-and-list, n={args.n} (list figures: median of 7)")
    print(f"{'backend':<11} {'declare total':>14} {'per declare':>12} {'list open':>22} {'list filtered':>22}")
    for name, r in results.items():
        print(
            f"{name:<11} {r['declare_s']:>12.1f} s {r['per_declare_ms']:>9.2f} ms "
            f"{r['list_open_ms']:>9.1f} ms ({r['list_open_rows']:>6} rows) "
            f"{r['list_filtered_ms']:>9.1f} ms ({r['list_filtered_rows']:>5} rows)"
        )
    target = results["sqlite"]["list_open_ms"]
    print(
        f"target: list of {results['sqlite']['list_open_rows']} open incidents on SQLite < 200 ms: "
        f"{'met' if target < 200 else 'NOT met'} ({target:.1f} ms)"
    )


def run_feeds(args, pg: str | None) -> None:
    from benchmarks.watch import bench_feeds

    r = bench_feeds(repeats=2)
    print(
        "\nfeed ingestion: 20 feeds x 500 entries (real texts from ../shared/data/feeds) from a local HTTP "
        "server, best of 2"
    )
    print(f"  bare feedparser.parse: {r['bare_s']:.2f} s ({r['bare_per_s']:.0f} entries/s)")
    print(
        f"  end to end (fetch, parse, dedupe, classify, store on SQLite): {r['e2e_s']:.2f} s "
        f"({r['e2e_per_s']:.0f} entries/s)"
    )
    print(f"  ratio {r['ratio']:.2f} (target >= 0.7: {'met' if r['ratio'] >= 0.7 else 'NOT met'})")


def run_feeds_many(args, pg: str | None) -> None:
    from benchmarks.feeds_many import bench_feeds_many, report

    report(bench_feeds_many())


def run_complaints(args, pg: str | None) -> None:
    from benchmarks.watch import bench_complaints, make_complaints_csv

    n = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "complaints.csv"
        make_complaints_csv(path, n)
        results = {"sqlite": bench_complaints(f"sqlite:///{tmp}/c.db", n, path)}
        if pg:
            with pg_schema(pg) as url:
                results["postgresql"] = bench_complaints(url, n, path)
    print(f"\ncomplaint import: {n} CSV rows (validate, mask, classify, store), then the same file again")
    for name, r in results.items():
        print(
            f"  {name:<11} {r['seconds']:.2f} s = {r['rows_per_s']:,.0f} rows/s; re-import (all duplicates) "
            f"{r['rerun_s']:.2f} s"
        )
    rate = results["sqlite"]["rows_per_s"]
    print(f"  target >= 20,000 rows/s on SQLite: {'met' if rate >= 20000 else 'NOT met'}")


def run_detection(args, pg: str | None) -> None:
    from benchmarks.detection import report

    print("\ndetection (issue 19): quality on labelled series, injected surges, throughput")
    t0 = time.perf_counter()
    for line in report():
        print(line, flush=True)
    print(f"detection benchmark: {time.perf_counter() - t0:.0f} s wall")


def run_detection_scale(args, pg: str | None) -> None:
    from benchmarks import detection_scale

    detection_scale.run(args, pg, pg_schema)


def run_storm(args, pg: str | None) -> None:
    from benchmarks import storm

    storm.run(args)


def run_surge(args, pg: str | None) -> None:
    from benchmarks.watch import bench_surge

    modes = (
        {"watch": False, "serve": True} if args.surge_mode == "both" else {args.surge_mode: args.surge_mode == "serve"}
    )
    for coordinator in modes.values():
        r = bench_surge(
            bucket_minutes=args.surge_bucket_minutes, coordinator=coordinator, watch_buckets=args.surge_buckets
        )
        what = (
            "incident serve (every flow on its schedule, one flow run at a time)"
            if coordinator
            else "the watch flows alone, served by a Prefect server "
            "(prefect server start + python -m incident_flows.watch)"
        )
        print(f"\nsurge to open incident, {what} (bucket {r['bucket_s']:.0f} s):")
        print(
            f"  first surge ticket -> incident open: {r['from_first_ticket_s']:.1f} s (the surge began a "
            "third into its bucket)"
        )
        print(f"  bucket close -> incident open: {r['after_bucket_close_s']:.2f} s")
        print(
            f"  worst case (surge at a bucket's start): {r['worst_case_s']:.1f} s; target <= one bucket + 5 "
            f"s = {r['target_s']:.0f} s: "
            f"{'met' if r['worst_case_s'] <= r['target_s'] else 'NOT met'}"
        )
        if r["slots"]:
            late = [x["late_s"] for x in r["slots"]]
            print(
                f"  watch-volumes runs on their slots ({len(late)}): started late by max {max(late):.1f} s, "
                f"median {statistics.median(late):.1f} s"
            )
            for x in r["slots"]:
                print(
                    f"    due {x['due']} UTC: started {x['late_s']:.1f} s late"
                    + (f", after {', '.join(x['ahead'])}" if x["ahead"] else "")
                )


def run_wording(args, pg: str | None) -> None:
    from benchmarks import channels, lint, wording

    print("\nwording: linting, channel checks, rendering, agents' pull (SQLite)")
    rows = lint.run() + channels.run() + wording.bench_render() + wording.bench_pull(args.requests or 8000)
    for label, figure in rows:
        print(f"  {label:<66} {figure}")


def run_wording_search(args, pg: str | None) -> None:
    from benchmarks import wording_search

    print("\nwording-search: agents' queries against 50 approved sheets (SQLite)")
    for label, figure in wording_search.run():
        print(f"  {label:<66} {figure}")


def run_remedy(args, pg: str | None) -> None:
    from benchmarks import remedy

    remedy.run(args.rows, args.callbacks, pg, pg_schema, explain_all=args.explain)


def run_slack(args, pg: str | None) -> None:
    from benchmarks import slack

    print("\nslack: /incident acknowledgement latency (SQLite)")
    for label, figure in slack.bench_ack():
        print(f"  {label:<70} {figure}")


def run_paging(args, pg: str | None) -> None:
    from benchmarks import paging

    paging.run(pg, pg_schema)


def run_board(args, pg: str | None) -> None:
    from benchmarks import board

    board.run(argparse.Namespace(**{**vars(args), "requests": args.requests or 200}), pg, pg_schema)


def run_monthly(args, pg: str | None) -> None:
    from benchmarks import monthly

    monthly.run(args, pg)


def run_serve(args, pg: str | None) -> None:
    from benchmarks import serve

    serve.run(args)


BENCHES = {
    "declare": run_declare,
    "feeds": run_feeds,
    "feeds-many": run_feeds_many,
    "complaints": run_complaints,
    "detection": run_detection,
    "detection-scale": run_detection_scale,
    "storm": run_storm,
    "surge": run_surge,
    "wording": run_wording,
    "wording-search": run_wording_search,
    "remedy": run_remedy,
    "slack": run_slack,
    "board": run_board,
    "paging": run_paging,
    "monthly": run_monthly,
    "serve": run_serve,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHES)} (default: all)"
    )
    parser.add_argument("-n", type=int, default=10_000, help="incidents to declare (default 10000)")
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="complaints to import; affected customers to import and compensate (default 100000)",
    )
    parser.add_argument(
        "--callbacks", type=int, default=1_000_000, help="callbacks under the due list (remedy; default 1000000)"
    )
    parser.add_argument(
        "--explain", action="store_true", help="remedy: print every due query's plan, not only those that miss"
    )
    parser.add_argument(
        "--surge-bucket-minutes", type=int, default=1, help="bucket length for the surge benchmark (default 1)"
    )
    parser.add_argument(
        "--surge-mode",
        choices=("both", "watch", "serve"),
        default="both",
        help="surge: the watch flows alone (watch), the whole incident serve (serve), or both (default)",
    )
    parser.add_argument(
        "--surge-buckets",
        type=int,
        default=4,
        help="surge, under incident serve: bucket closes watched before the surge (default 4)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="requests per endpoint: wording pull (default 8000), board pages (default 200)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    from benchmarks.board import add_arguments as board_arguments

    board_arguments(parser.add_argument_group("board"), standalone=False)
    from benchmarks.detection_scale import add_arguments as scale_arguments

    scale_arguments(parser.add_argument_group("detection-scale"))
    from benchmarks.storm import add_arguments as storm_arguments

    storm_arguments(parser.add_argument_group("storm"))
    from benchmarks.monthly import add_arguments as monthly_arguments

    monthly_arguments(parser.add_argument_group("monthly"))
    from benchmarks.serve import add_arguments as serve_arguments

    serve_arguments(parser.add_argument_group("serve"), standalone=False)
    args = parser.parse_args()
    for name in args.names:
        if name not in BENCHES:
            parser.error(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
    pg = os.environ.get("INCIDENT_BENCH_DATABASE_URL") or os.environ.get("INCIDENT_TEST_DATABASE_URL")
    pg = None if args.no_postgres else pg
    for name in args.names or list(BENCHES):
        BENCHES[name](args, pg)


if __name__ == "__main__":
    main()
