"""Issuing and sweeping for real: a process killed mid-batch and run again
compensates every customer exactly once (the last run through Prefect's
engine), and two workers at once never issue or assign the same row."""

import dataclasses
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time

from conftest import EXAMPLE, NOW, ROOT, incident_now
from sqlalchemy import func, select

from incident import incidents
from incident.access import sessions, users
from incident.adapters.compensation import ExportFileProvider
from incident.config import CompensationPolicy
from incident.models import Callback, Compensation, WebSession
from incident.remedy import callbacks, customers, issuing, ledger
from tests.factories import declare

N = 1200

KILLER = r"""
import datetime as dt, os, signal, sys, time
from incident.adapters.compensation import ExportFileProvider
from incident.remedy import issuing
from incident.runtime import Runtime

kill_after, pause = int(sys.argv[1]), float(sys.argv[2])

class Provider(ExportFileProvider):
    calls = 0
    def issue(self, items):
        time.sleep(pause)
        out = super().issue(items)
        Provider.calls += 1
        if Provider.calls == kill_after:
            # Sent, not yet recorded: the worst moment to die.
            os.kill(os.getpid(), signal.SIGKILL)
        return out

rt = Runtime.build()
print("PROGRESS", flush=True)
issuing.issue_due(rt.store, rt.ctx, Provider(rt.settings.data_dir / "compensation", rt.clock, rt.store), batch=100,
                  lease=dt.timedelta(0), progress=lambda d, t: print("DONE", d, t, flush=True))
"""

FLOW = """
from incident_flows.remedy import issue_compensation
print("RESULT", issue_compensation(batch=100, lease_seconds=0))
"""


def _env(db_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_"))}
    env.update(
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATA_DIR=str(tmp_path),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ALLOW_EPHEMERAL_MODE="true",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PYTHONPATH=str(ROOT),
        INCIDENT_NOW=incident_now(),
    )  # the ctx fixture's clock, advancing with real time
    return env


def _approved_entries(store, ctx, n):
    iid = declare(store, ctx)
    with store.transaction() as s:
        customers.ingest(s, ctx, iid, [(i, {"customer_ref": f"C{i:05d}"}) for i in range(n)])
    with store.transaction() as s:
        comp = ctx.config.compensation.model_copy(
            update={"policies": [CompensationPolicy(name="all", form="coupon", amount=20)]}
        )
        pctx = dataclasses.replace(ctx, config=ctx.config.model_copy(update={"compensation": comp}), actor="zhangwei")
        report = ledger.propose_by_policy(s, pctx, iid)
    assert report.auto_approved == n
    return iid


def test_killed_mid_batch_and_run_again_issues_exactly_once(store, ctx, db_url, tmp_path):
    iid = _approved_entries(store, ctx, N)
    env = _env(db_url, tmp_path)
    # Killed by itself right after the provider took batch 2 and batch 1 of
    # the next run (sent, not recorded) …
    for kill_after in (2, 1):
        proc = subprocess.run(
            [sys.executable, "-c", KILLER, str(kill_after), "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    # … and killed from outside at an arbitrary moment, twice.
    for delay in (0.5, 0.9):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLER, "0", "0.2"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().startswith("PROGRESS")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    with store.transaction() as s:
        before = dict(s.execute(select(Compensation.status, func.count()).group_by(Compensation.status)).all())
    assert before.get("issued", 0) < N  # there was work left to resume
    # Run again, this time as the Prefect flow.
    proc = subprocess.run([sys.executable, "-c", FLOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "RESULT" in proc.stdout
    keys = ExportFileProvider(tmp_path / "compensation").issued_keys()
    assert len(keys) == N and len(set(keys)) == N  # every customer once, nobody twice
    with store.transaction() as s:
        statuses = dict(s.execute(select(Compensation.status, func.count()).group_by(Compensation.status)).all())
        refs = set(s.scalars(select(Compensation.provider_ref)))
    assert statuses == {"issued": N}
    assert refs == {f"export:{k}" for k in keys}
    lines = (tmp_path / "compensation" / "issued.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["incident"] == f"INC-{iid}" for line in lines)


class CountingProvider(ExportFileProvider):
    """Records every key it is handed, so a row claimed twice shows."""

    def __init__(self, directory, store=None):
        super().__init__(directory, store=store)
        self.handed: list[str] = []
        self.lock = threading.Lock()

    def issue(self, items):
        with self.lock:
            self.handed.extend(i.key for i in items)
        time.sleep(0.02)  # keep both workers in flight together
        return super().issue(items)


def test_two_workers_never_issue_the_same_entry(store, ctx, tmp_path):
    _approved_entries(store, ctx, 600)
    provider = CountingProvider(tmp_path / "comp", store)  # idempotency recorded in the database
    reports = []
    start = threading.Barrier(2)

    def worker():
        start.wait()
        reports.append(issuing.issue_due(store, ctx, provider, batch=50))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(provider.handed) == 600 and len(set(provider.handed)) == 600
    assert sum(r.issued for r in reports) == 600 and all(r.issued > 0 for r in reports)
    assert len(provider.issued_keys()) == 600


def test_two_sweepers_never_assign_the_same_callback(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        customers.ingest(s, ctx, iid, [(i, {"customer_ref": f"S{i}"}) for i in range(300)])
    with store.transaction() as s:
        callbacks.schedule(s, ctx, incidents.get(s, iid))
    results = []
    start = threading.Barrier(2)
    held = threading.Event()

    def first():
        with store.transaction() as s:
            start.wait()
            results.append(("first", callbacks.assign(s, ctx, limit=200).assigned))
            held.set()
            time.sleep(0.5)  # hold the row locks while the other sweeps

    def second():
        start.wait()
        held.wait(10)
        with store.transaction() as s:
            results.append(("second", callbacks.assign(s, ctx, limit=1000).assigned))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    got = dict(results)
    assert got["first"] == 200 and got["first"] + got["second"] == 300
    with store.transaction() as s:
        assigned = s.scalar(select(func.count()).select_from(Callback).where(Callback.assignee.is_not(None)))
        # Balanced across the team's two agents.
        per_agent = dict(s.execute(select(Callback.assignee, func.count()).group_by(Callback.assignee)).all())
    assert assigned == 300 and abs(per_agent["wangfang"] - per_agent["zhoumin"]) <= 1


SWEEP_AND_REPORT = """
from incident_flows.remedy import daily_report, sweep_callbacks
print("SWEEP", sweep_callbacks(), sweep_callbacks())
print("REPORT", daily_report(day="2026-11-24"))  # the day of conftest's NOW, in Shanghai
"""


def test_sweep_and_daily_report_flows_under_prefect(store, config, db_url, tmp_path):
    from incident.context import Context
    from incident.timeutil import FixedClock

    # The flow's process runs on INCIDENT_NOW (conftest's NOW, then real time passing).
    now_ctx = Context(config, "tester", FixedClock(NOW - dt.timedelta(minutes=5)))
    iid = declare(store, now_ctx)
    with store.transaction() as s:
        customers.ingest(s, now_ctx, iid, [(i, {"customer_ref": f"F{i}"}) for i in range(5)])
        # web sessions for the report's clean-up: one expired a day ago, one live
        wall = NOW
        old = users.add(s, config, wall, username="former", roles="viewer")
        current = users.add(s, config, wall, username="current", roles="viewer")
        sessions.open_session(s, old, "password", wall - dt.timedelta(days=2), hours=24)
        sessions.open_session(s, current, "password", wall, hours=24)
        s.flush()
        current_id = current.id
    proc = subprocess.run(
        [sys.executable, "-c", SWEEP_AND_REPORT],
        cwd=ROOT,
        env=_env(db_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    sweep = next(line for line in proc.stdout.splitlines() if line.startswith("SWEEP"))
    assert (
        "'created': 5" in sweep and "'assigned': 5" in sweep and sweep.count("'created': 0") == 1
    )  # the second run: nothing new
    report = next(line for line in proc.stdout.splitlines() if line.startswith("REPORT")).split(" ", 1)[1]
    assert report.endswith(".md") and (tmp_path / "reports").is_dir()
    assert "日报" in open(report, encoding="utf-8").read()
    assert "日报" in proc.stderr  # handed to the notifier (console) for the cs supervisor
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Callback).where(Callback.assignee.is_not(None))) == 5
        assert s.scalars(select(WebSession.user_id)).all() == [current_id]
