"""Remedy benchmarks (issue 5): ``python -m benchmarks remedy``.

1. Import N affected customers (default 100,000) from a real CSV file in a
   temp dir — Chinese names, titles, full 11-digit phones (masked on
   intake), languages, waybills, amounts, insured / declared values mixed —
   through ``customers.read_file`` + ``customers.ingest``, 5,000 records a
   chunk, one transaction a chunk (what a CLI import does).
2. Compensate them: ``ledger.propose_by_policy`` with one policy (a 20 元
   coupon: under the approval threshold, so every entry is approved by
   policy), then ``issuing.issue_due`` through the ``ExportFileProvider``
   with the configured batch size (1,000). Checked afterwards: the export
   file holds exactly N distinct keys and the ledger N issued rows.
3. The due-callbacks list over M callbacks (default 1,000,000), bulk
   loaded with Core ``insert`` executemany: a few incidents, ~50,000
   customers, 20 agents, 20 % open, call and due times over ±10 days around
   now. After ``ANALYZE``: ``callbacks.due`` (all, one agent, until the end
   of today) and ``callbacks.overdue_count``, median of 21 runs after a
   warm-up, each its own read transaction.

Each runs on SQLite (a temp file) and, when a PostgreSQL URL is given, on
PostgreSQL too (a throw-away schema).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from incident import response
from incident.adapters.compensation import ExportFileProvider
from incident.config import CompensationPolicy, load_config
from incident.context import Context
from incident.db import Store
from incident.models import AffectedCustomer, Callback, Compensation
from incident.remedy import callbacks, customers, issuing, ledger
from incident.timeutil import FixedClock

ROOT = Path(__file__).resolve().parents[1]
UTC = dt.timezone.utc
# Tuesday 2026-11-24, 10:00 in Shanghai.
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
IMPORT_CHUNK = 5000
IMPORT_TARGET_S = 10.0
ISSUE_TARGET_S = 30.0
QUERY_TARGET_MS = 50.0
QUERY_RUNS = 21

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯健俊帆帅旭宁晨"
EN_NAMES = [
    "Emily Carter",
    "James Wilson",
    "Olivia Brown",
    "Liam Smith",
    "Sophia Martin",
    "Noah Lee",
    "Anna Müller",
    "Lucas Silva",
]
CATEGORIES = ["延误", "丢件", "破损", "登录", "账单", "派送", "系统"]
BRANCHES = ["杭州", "上海", "南京", "苏州", "宁波", "合肥", "无锡", "温州"]
AGENTS = [f"agent{i:02d}" for i in range(1, 21)]


def _ctx(clock: FixedClock | None = None) -> Context:
    config = load_config(ROOT / "examples" / "incident.toml")
    policy = CompensationPolicy(name="bench-coupon", form="coupon", amount=20)
    config = config.model_copy(update={"compensation": config.compensation.model_copy(update={"policies": [policy]})})
    return Context(config, "bench", clock or FixedClock(NOW))


def _progress(label: str, what: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        print(f"  [{label}] {what} {done:>9,}/{total:,}", end="\r", file=sys.stderr, flush=True)

    return show


def _done_progress() -> None:
    print(file=sys.stderr, flush=True)


# ------------------------------------------------------------ the file --


def _ref(i: int) -> str:
    # Six digits at most: seven or more would be masked like a phone number.
    return f"KH{i:06d}" if i < 1_000_000 else f"K{chr(65 + i // 1_000_000)}{i % 1_000_000:06d}"


def make_customers_csv(path: Path, n: int, seed: int = 5) -> None:
    """A realistic export of affected customers, written 5,000 lines at a time."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("customer_ref,name,title,phone,lang,waybill,amount,insured,declared_value,category,branch\n")
        for start in range(0, n, 5000):
            lines = []
            for i in range(start, min(n, start + 5000)):
                english = rng.random() < 0.08
                if english:
                    name, title, lang = (
                        rng.choice(EN_NAMES),
                        rng.choice(["Mr", "Ms", "m", "f"]),
                        rng.choice(["en", "en_US"]),
                    )
                else:
                    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                    title, lang = rng.choice(["先生", "女士", "先生", "女士", ""]), rng.choice(["zh-CN", "zh", ""])
                digits = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
                style = rng.random()
                phone = (
                    digits
                    if style < 0.7
                    else f"{digits[:3]} {digits[3:7]} {digits[7:]}"
                    if style < 0.85
                    else f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
                )
                waybill = (
                    f"SF{rng.randint(10**11, 10**12 - 1)}"
                    if rng.random() < 0.6
                    else f"YT{rng.randint(10**12, 10**13 - 1)}"
                )
                amount = round(rng.uniform(20, 3000), 2)
                amount_s = (
                    f"{amount:.2f}"
                    if rng.random() < 0.8
                    else (f"{amount:,.2f}" if rng.random() < 0.5 else f"{amount:.0f}元")
                )
                cover = rng.random()
                if cover < 0.55:
                    insured, declared = rng.choice(["", "否", "no"]), ""
                elif cover < 0.80:
                    insured, declared = rng.choice(["货物", "是", "goods"]), ""
                elif cover < 0.92:
                    insured, declared = rng.choice(["文件", "documents"]), ""
                else:
                    insured, declared = "", str(rng.choice([500, 1000, 2000, 5000, 8000, 20000]))
                lines.append(
                    f'{_ref(i)},{name},{title},{phone},{lang},{waybill},"{amount_s}",{insured},{declared},'
                    f"{rng.choice(CATEGORIES)},{rng.choice(BRANCHES)}\n"
                )
            fh.write("".join(lines))


# ------------------------------------------------ import and compensate --


def _declare(store: Store, ctx: Context, title: str) -> int:
    with store.transaction() as s:
        return response.declare(s, ctx, kind="system_outage", severity=2, title=title).id


def bench_import_and_issue(url: str, path: Path, n: int, export_dir: Path, label: str) -> dict[str, Any]:
    ctx = _ctx()
    store = Store(url)
    iid = _declare(store, ctx, "基准：分拣系统故障，大面积延误")
    show = _progress(label, "imported")

    # 1. Import, the way a CLI import does it: chunks of 5,000, one transaction each.
    t0 = time.perf_counter()
    report = customers.ImportReport()
    records = customers.read_file(path)
    while True:
        chunk = list(itertools.islice(records, IMPORT_CHUNK))
        if not chunk:
            break
        with store.transaction() as s:
            customers.ingest(s, ctx, iid, chunk, source="import", report=report)
        show(report.read, n)
    with store.transaction() as s:
        customers.finish_import(s, ctx, iid, report, "import")
    import_s = time.perf_counter() - t0
    _done_progress()
    assert report.added == n and not report.errors and not report.duplicates, (
        report.added,
        report.errors[:3],
        report.duplicates,
    )

    # 2a. Propose by policy (one transaction, as `incident comp propose` would).
    t0 = time.perf_counter()
    with store.transaction() as s:
        proposal = ledger.propose_by_policy(s, ctx, iid, progress=_progress(label, "proposed"))
    propose_s = time.perf_counter() - t0
    _done_progress()
    assert proposal.auto_approved == n and not proposal.refused and not proposal.need_approval, (
        proposal.auto_approved,
        proposal.refused[:3],
        proposal.need_approval,
    )

    # 2b. Issue through the export file, default batch size.
    provider = ExportFileProvider(export_dir)
    t0 = time.perf_counter()
    issued = issuing.issue_due(store, ctx, provider, progress=_progress(label, "issued"))
    issue_s = time.perf_counter() - t0
    _done_progress()

    keys = provider.issued_keys()
    with store.read() as s:
        ledger_issued = (
            s.scalar(
                select(func.count())
                .select_from(Compensation)
                .where(Compensation.incident_id == iid, Compensation.status == "issued")
            )
            or 0
        )
        ledger_other = (
            s.scalar(
                select(func.count())
                .select_from(Compensation)
                .where(Compensation.incident_id == iid, Compensation.status != "issued")
            )
            or 0
        )
    store.dispose()
    return {
        "import_s": import_s,
        "import_rows_per_s": n / import_s,
        "propose_s": propose_s,
        "issue_s": issue_s,
        "batch_size": ctx.config.compensation.batch_size,
        "issue_per_s": n / issue_s,
        "batches": issued.batches,
        "report_issued": issued.issued,
        "report_failed": issued.failed,
        "file_lines": len(keys),
        "file_keys": len(set(keys)),
        "ledger_issued": ledger_issued,
        "ledger_other": ledger_other,
        "ok": len(keys) == len(set(keys)) == n and ledger_issued == n and ledger_other == 0 and issued.issued == n,
    }


# ------------------------------------------------------------ callbacks --


def load_callbacks(
    store: Store,
    ctx: Context,
    n: int,
    label: str,
    n_customers: int = 50_000,
    n_incidents: int = 5,
    seed: int = 9,
    chunk: int = 20_000,
) -> dict[str, Any]:
    """Bulk-load ``n`` callbacks (Core insert, executemany, ``chunk`` rows
    per statement and transaction) over ``n_customers`` customers of
    ``n_incidents`` incidents."""
    rng = random.Random(seed)
    incident_ids = [_declare(store, ctx, f"基准：回访负载 {i + 1}") for i in range(n_incidents)]
    cust_table, cb_table = AffectedCustomer.__table__, Callback.__table__
    t0 = time.perf_counter()
    people: list[tuple[int, int, bool]] = []  # (customer id, incident id, complex)
    per_incident = -(-n_customers // n_incidents)
    for k, iid in enumerate(incident_ids):
        rows = []
        for j in range(k * per_incident, min(n_customers, (k + 1) * per_incident)):
            rows.append(
                {
                    "incident_id": iid,
                    "customer_ref": _ref(j),
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "title": rng.choice(["先生", "女士"]),
                    "contact": f"****{rng.randint(0, 9999):04d}",
                    "lang": "zh-CN",
                    "order_ref": f"SF****{rng.randint(0, 9999):04d}",
                    "category": rng.choice(CATEGORIES),
                    "branch": rng.choice(BRANCHES),
                    "amount_at_stake": round(rng.uniform(20, 3000), 2),
                    "insured": None,
                    "declared_value": None,
                    "complex": rng.random() < 0.1,
                    "complaint_id": None,
                    "complained_at": None,
                    "source": "import",
                    "added_by": "bench",
                    "added_at": NOW - dt.timedelta(days=12),
                }
            )
        with store.transaction() as s:
            s.connection().execute(insert(cust_table), rows)
            people.extend(
                (cid, iid, cx)
                for cid, cx in s.execute(
                    select(AffectedCustomer.id, AffectedCustomer.complex).where(AffectedCustomer.incident_id == iid)
                ).tuples()
            )
    customers_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    show = _progress(label, "callbacks loaded")
    counts = {"open": 0, "open_due_now": 0, "open_overdue": 0}
    span = 10 * 86400
    for start in range(0, n, chunk):
        rows = []
        for i in range(start, min(n, start + chunk)):
            cid, iid, cx = people[rng.randrange(len(people))]
            reason = "unfinished" if (r := rng.random()) < 0.7 else "result" if r < 0.95 else "follow_up"
            call_at = NOW + dt.timedelta(seconds=rng.randint(-span, span))
            created = call_at - dt.timedelta(seconds=rng.randint(0, 2 * 86400))
            due_at = created + (dt.timedelta(hours=1) if reason == "result" else dt.timedelta(hours=48 if cx else 24))
            s_ = rng.random()
            status = "open" if s_ < 0.20 else "done" if s_ < 0.70 else "unreached" if s_ < 0.85 else "cancelled"
            is_open = status == "open"
            assignee = None if is_open and rng.random() < 0.05 else rng.choice(AGENTS)
            attempts = rng.randint(0, 2) if is_open else (0 if status == "cancelled" else rng.randint(1, 3))
            outcome = (
                (None if attempts == 0 else "no_answer")
                if is_open
                else {"done": "reached", "unreached": "no_answer", "cancelled": None}[status]
            )
            if is_open:
                counts["open"] += 1
                counts["open_due_now"] += call_at <= NOW
                counts["open_overdue"] += due_at < NOW
            rows.append(
                {
                    "incident_id": iid,
                    "customer_id": cid,
                    "reason": reason,
                    "key": f"{iid}/{cid}/{reason}/{i}",
                    "parent_id": None,
                    "complex": cx,
                    "status": status,
                    "due_at": due_at,
                    "call_at": call_at,
                    "assignee": assignee,
                    "assigned_at": created if assignee else None,
                    "attempts": attempts,
                    "outcome": outcome,
                    "note": None,
                    "satisfaction": rng.randint(3, 5) if status == "done" and rng.random() < 0.7 else None,
                    "new_demand": None,
                    "escalated_at": due_at if is_open and due_at < NOW and rng.random() < 0.5 else None,
                    "created_at": created,
                    "closed_at": None if is_open else call_at + dt.timedelta(minutes=rng.randint(1, 600)),
                }
            )
        with store.transaction() as s:
            s.connection().execute(insert(cb_table), rows)
        show(min(n, start + chunk), n)
    load_s = time.perf_counter() - t0
    _done_progress()
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    analyze_s = time.perf_counter() - t0
    return {
        "customers": len(people),
        "customers_s": customers_s,
        "load_s": load_s,
        "rows_per_s": n / load_s,
        "analyze_s": analyze_s,
        **counts,
    }


@contextlib.contextmanager
def capture_sql(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """The statements sent to the database while inside (to EXPLAIN them)."""
    seen: list[tuple[str, Any]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)


def explain(store: Store, statement: str, parameters: Any) -> str:
    """The plan the database picks for this statement with these values.
    PostgreSQL: also the plan it uses once the statement is prepared and
    planned generically (what a long-lived connection ends up running)."""
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(f"{r[0]:>3} {r[1]:>3}  {r[3]}" for r in rows)
        plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]
        conn.rollback()
        # The same statement prepared and planned without its values (what
        # psycopg's auto-prepare leads PostgreSQL to after a few runs).
        import psycopg

        names: list[str] = []

        def positional(m: re.Match[str]) -> str:
            names.append(m.group(1))
            return f"${len(names)}"

        prepared = re.sub(r"%\((\w+)\)s", positional, statement)
        raw = conn.connection.driver_connection
        cur = psycopg.ClientCursor(raw)
        try:
            cur.execute(f"PREPARE bench_explain AS {prepared}")
            cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            generic = [
                r[0]
                for r in cur.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_explain(" + ", ".join(["%s"] * len(names)) + ")",
                    [parameters[name] for name in names],
                )
            ]
        finally:
            raw.rollback()
            with contextlib.suppress(psycopg.Error):
                cur.execute("DEALLOCATE bench_explain")
            raw.rollback()
            cur.close()
        return "custom plan (values known):\n" + "\n".join(plan) + "\ngeneric plan (prepared):\n" + "\n".join(generic)


def _timed(store: Store, name: str, call: Callable[[Any], Any], explain_all: bool) -> dict[str, Any]:
    """Median of QUERY_RUNS runs after a warm-up, each its own read
    transaction; the plan when the target is missed (or asked for)."""
    for _ in range(3):  # warm-up (and, with the runs below, past psycopg's prepare threshold of 5)
        with store.read() as s:
            call(s)
    runs = []
    for _ in range(QUERY_RUNS):
        t = time.perf_counter()
        with store.read() as s:
            got = call(s)
        runs.append((time.perf_counter() - t) * 1000)
    with capture_sql(store) as seen, store.read() as s:
        call(s)
    median = statistics.median(runs)
    plan = explain(store, *seen[-1]) if (explain_all or median >= QUERY_TARGET_MS) and seen else None
    return {
        "name": name,
        "median_ms": median,
        "max_ms": max(runs),
        "size": got if isinstance(got, int) else len(got),
        "plan": plan,
        "sql": seen[-1][0] if seen else None,
    }


def bench_due(url: str, n: int, label: str, explain_all: bool = False) -> dict[str, Any]:
    ctx = _ctx(FixedClock(NOW))
    store = Store(url)
    loaded = load_callbacks(store, ctx, n, label)
    end_of_today = (
        (NOW.astimezone(ctx.config.zone) + dt.timedelta(days=1))
        .replace(hour=0, minute=0, second=0, microsecond=0)
        .astimezone(UTC)
    )
    agent = AGENTS[6]
    queries: list[tuple[str, Callable[[Any], Any]]] = [
        ("due(now, limit=100)", lambda s: callbacks.due(s, NOW, limit=100)),
        (f"due(now, agent={agent!r}, limit=100)", lambda s: callbacks.due(s, NOW, agent=agent, limit=100)),
        ("due(now, until=end of today, limit=100)", lambda s: callbacks.due(s, NOW, until=end_of_today, limit=100)),
        ("overdue_count(now)", lambda s: callbacks.overdue_count(s, NOW)),
    ]
    results = [_timed(store, name, call, explain_all) for name, call in queries]
    if store.engine.dialect.name == "postgresql":
        # The same count once the visibility map is set (what autovacuum
        # does to a table in service): an index-only scan becomes possible.
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE callbacks")
        name, call = queries[-1]
        results.append(_timed(store, f"{name} after VACUUM", call, explain_all))
    store.dispose()
    return {**loaded, "queries": results}


# ---------------------------------------------------------------- run --


def _line(label: str, figure: str) -> None:
    print(f"  {label:<68} {figure}")


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def run(
    rows: int, n_callbacks: int, pg: str | None, pg_schema: Callable[[str], Any], explain_all: bool = False
) -> None:
    started = time.perf_counter()
    backends = ["sqlite"] + (["postgresql"] if pg else [])
    remedy: dict[str, dict[str, Any]] = {}
    due: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "affected.csv"
        t0 = time.perf_counter()
        make_customers_csv(path, rows)
        csv_s, csv_mb = time.perf_counter() - t0, path.stat().st_size / 1e6
        for backend in backends:
            export = Path(tmp) / f"export-{backend}"
            if backend == "sqlite":
                remedy[backend] = bench_import_and_issue(f"sqlite:///{tmp}/remedy.db", path, rows, export, backend)
                due[backend] = bench_due(f"sqlite:///{tmp}/callbacks.db", n_callbacks, backend, explain_all)
            else:
                with pg_schema(pg) as url:
                    remedy[backend] = bench_import_and_issue(url, path, rows, export, backend)
                with pg_schema(pg) as url:
                    due[backend] = bench_due(url, n_callbacks, backend, explain_all)

    print(f"\nremedy: import {rows:,} affected customers, compensate them, due callbacks over {n_callbacks:,}")
    print(
        f"  (CSV written in {csv_s:.1f} s, {csv_mb:.1f} MB; Chinese and English names, 11-digit phones, waybills, "
        "amounts, insured / declared values mixed)"
    )
    for backend in backends:
        r = remedy[backend]
        print(f" {backend}:")
        target = (
            f" (target ≤ {IMPORT_TARGET_S:.0f} s: {_met(r['import_s'] <= IMPORT_TARGET_S)})"
            if backend == "sqlite"
            else ""
        )
        _line(
            f"import {rows:,} customers (read_file + ingest, 5,000/transaction)",
            f"{r['import_s']:.2f} s = {r['import_rows_per_s']:,.0f} rows/s{target}",
        )
        _line("propose by policy (20 元 coupon, all approved by policy)", f"{r['propose_s']:.2f} s")
        target = (
            f" (target ≤ {ISSUE_TARGET_S:.0f} s: {_met(r['issue_s'] <= ISSUE_TARGET_S)})" if backend == "sqlite" else ""
        )
        _line(
            f"issue {rows:,} (ExportFileProvider, {r['batches']} batches of {r['batch_size']:,})",
            f"{r['issue_s']:.2f} s = {r['issue_per_s']:,.0f} entries/s{target}",
        )
        _line(
            "check: export file lines / distinct keys; ledger issued / other",
            f"{r['file_lines']:,} / {r['file_keys']:,}; {r['ledger_issued']:,} / {r['ledger_other']:,}: "
            f"{'OK' if r['ok'] else 'WRONG'}",
        )
    for backend in backends:
        d = due[backend]
        print(f" {backend}, {n_callbacks:,} callbacks over {d['customers']:,} customers of 5 incidents, 20 agents:")
        _line(
            "bulk load (Core insert, executemany, 20,000 rows/transaction)",
            f"{d['load_s']:.1f} s = {d['rows_per_s']:,.0f} rows/s (customers {d['customers_s']:.1f} s, ANALYZE {d['analyze_s']:.1f} s)",
        )
        _line(
            "open / open and due now / open and overdue",
            f"{d['open']:,} / {d['open_due_now']:,} / {d['open_overdue']:,}",
        )
        for q in d["queries"]:
            _line(
                f"{q['name']}, median of {QUERY_RUNS}",
                f"{q['median_ms']:.2f} ms (max {q['max_ms']:.1f}; {q['size']:,}{' rows' if 'due' in q['name'] else ''}) "
                f"target < {QUERY_TARGET_MS:.0f} ms: {_met(q['median_ms'] < QUERY_TARGET_MS)}",
            )
        for q in d["queries"]:
            if q["plan"]:
                print(f"    plan of {q['name']} [{backend}]:")
                print("      " + q["sql"].replace("\n", " "))
                print("\n".join("      " + line for line in q["plan"].splitlines()))
    print(f"  (whole remedy benchmark: {time.perf_counter() - started:.0f} s)")
