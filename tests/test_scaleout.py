"""Issue 8 point 3, scale-out, for real: the app's data on PostgreSQL, a
Prefect server on PostgreSQL, every deployment registered to a process work
pool by ``python -m incident_flows.deploy``, and two ``prefect worker`` processes;
``watch-volumes``, ``watch-feeds``, ``deliver-outbox`` and
``issue-compensation`` each run twice at once, one run on each worker, side
by side. Nothing is done twice: one incident per surge (and per upstream
incident), each delivery sent once, each compensation entry issued once.

Each worker has its own INCIDENT_DATA_DIR, as two machines would, so the
file adapters (the delivery log, the finance export), which drop a repeated
key within one directory, cannot hide a row handled by both workers: a
duplicate shows as a key in both directories, or as a second claim
(``attempts``) on the row.

Nothing runs in the checkout: the server, the registration and the workers
each start in an empty directory of their own, and the deployments name
their flows by module path with no pull step, so only the installed package
(here the dev venv's install) can satisfy a flow run — as on a worker
machine that has the wheel and its configuration, nothing else."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
import email
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from incident.config import CompensationPolicy, load_config
from incident.context import Context
from incident.db import Store, normalise_url
from incident.models import Compensation, Delivery, FeedEntry, Incident, Signal, TimelineEvent
from incident.remedy import customers, ledger
from incident.timeutil import Clock
from incident.watch.volumes import floor_bucket
from incident.wording import authoring, workflow
from incident.wording.workflow import BROADCAST
from tests.factories import approved_sheet, as_, declare
from tests.feedserver import FeedServer, Route
from tests.test_volumes import history, load, surge

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("INCIDENT_TEST_DATABASE_URL", "")


def _is_postgres(url: str) -> bool:
    try:
        return make_url(normalise_url(url)).get_backend_name() == "postgresql"
    except Exception:  # noqa: BLE001 — not a URL at all
        return False


pytestmark = pytest.mark.skipif(
    not _is_postgres(PG_URL),
    reason="scale-out runs on PostgreSQL only: set INCIDENT_TEST_DATABASE_URL=postgresql+psycopg://… (.ci/run does)",
)

WORKERS = ("worker-a", "worker-b")
FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
# Each flow twice at once; small batches so that issuing takes a while.
# The two runs of a pair start within about a second of each other (seen
# up to 0.9 s), so each run's own work is made to last several seconds: the
# status page and the mail server answer slowly, compensation is issued one
# entry at a time, and there are four weeks of complaints to score. Otherwise a fast run can end before its twin starts,
# and the pair proves nothing about running side by side.
# deliver-outbox: batches of 10, and enough of them for the whole outbox even
# though each worker's batches also count the rows the other one won.
PLAN = [
    ("watch-volumes", {}),
    ("watch-feeds", {}),
    ("deliver-outbox", {"limit": 10, "batches": 100}),
    ("issue-compensation", {"batch": 1}),
]
LEAD = 15  # seconds from creating a pair of runs to its start: more than a worker needs to start a run
FEED_DELAY = 6.0  # the status page answers slowly: both workers' polls are in flight together
SMTP_DELAY = 0.15  # per e-mail: the outbox takes several seconds, its batches shared by both workers
CUSTOMERS = 800
SUBSCRIBERS = 40  # per channel: e-mail, SMS, WeChat

STATUS_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Payments status</title>
  <id>tag:status.pay.example,2026:history</id>
  <updated>{now}</updated>
  <entry>
    <id>tag:status.pay.example,2026:incident/1001</id>
    <title>Card payments failing</title>
    <published>{active}</published>
    <updated>{active}</updated>
    <link href="https://status.pay.example/incidents/1001"/>
    <content type="text">Investigating - Card payments fail for some merchants.</content>
  </entry>
  <entry>
    <id>tag:status.pay.example,2026:incident/1000</id>
    <title>Slow refunds</title>
    <published>{old}</published>
    <updated>{old}</updated>
    <link href="https://status.pay.example/incidents/1000"/>
    <content type="text">Resolved - Refunds are back to normal.</content>
  </entry>
</feed>
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def databases():
    """Two fresh databases on the machine's PostgreSQL: the app's and the
    Prefect server's; dropped afterwards whatever happened."""
    base = make_url(normalise_url(PG_URL))
    tag = uuid.uuid4().hex[:10]
    names = {"app": f"inc_scaleout_app_{tag}", "prefect": f"inc_scaleout_prefect_{tag}"}
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    created = []
    try:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                created.append(name)
        yield (
            base.set(database=names["app"]).render_as_string(hide_password=False),
            base.set(drivername="postgresql+asyncpg", database=names["prefect"]).render_as_string(hide_password=False),
        )
    finally:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Processes:
    """Child processes in their own process groups, logged to files; stopped
    in reverse order (workers before the server): SIGTERM, then SIGKILL."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.procs: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.directory / f"{name}.log"
        cwd = self.directory / f"{name}-cwd"  # not the checkout (see the module's docstring)
        cwd.mkdir()
        with open(log, "wb") as fh:
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc, log))
        return proc

    def log(self, name: str) -> str:
        return next(log for n, _, log in self.procs if n == name).read_text("utf-8", "replace")

    def check_alive(self) -> None:
        for name, proc, log in self.procs:
            assert proc.poll() is None, (
                f"{name} exited ({proc.returncode}):\n{log.read_text('utf-8', 'replace')[-3000:]}"
            )

    def stop(self, names: list[str] | None = None) -> None:
        chosen = [p for p in reversed(self.procs) if names is None or p[0] in names]
        for _, proc, _ in chosen:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _, proc, _ in chosen:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(10)


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        procs.stop()


def _wait(what: str, check, timeout: float, procs: Processes, every: float = 0.5):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs.check_alive()
        try:
            result = check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class SlowInbox:
    """aiosmtpd handler: keeps each message's delivery key, slowly."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(SMTP_DELAY)
        self.keys.append(email.message_from_bytes(envelope.content)["X-Incident-Delivery"])
        return "250 Message accepted"


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def write_config(tmp_path: Path, feed_url: str, smtp_port: int) -> Path:
    text_ = (ROOT / "examples" / "incident.toml").read_text("utf-8")
    # [detection]: four weeks of history, all scored by the first run: enough
    # work (about 3 s) that the second run starts while the first holds the
    # series, rather than after it has finished.
    for key, value in (("dimensions", '["category", "branch", "topic"]'), ("backfill_days", "29")):
        text_, n = re.subn(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", text_, count=1)
        assert n == 1, key
    text_ += f"""
[feeds.payments]
url = "{feed_url}"
kind = "status_page"
language = "en"
allow_private = true

[smtp]
host = "127.0.0.1"
port = {smtp_port}
"""
    path = tmp_path / "incident.toml"
    path.write_text(text_, encoding="utf-8")
    return path


def seed(store: Store, config_path: Path) -> dict[str, object]:
    """What the flows will find: a complaint surge in the last closed bucket
    over four ordinary weeks, a published statement whose deliveries wait in
    the outbox, and approved compensation waiting to be issued."""
    config = load_config(config_path)
    ctx = Context(config=config, actor="tester", clock=Clock())  # the workers run on the wall clock
    now = ctx.clock.now()
    det = config.detection
    # The last bucket that has closed (plus the grace period) by now.
    bucket = floor_bucket(now - dt.timedelta(seconds=det.grace_seconds + 1), det.bucket_minutes * 60) - dt.timedelta(
        minutes=det.bucket_minutes
    )
    load(store, ctx, history(28, bucket) + surge(bucket, 80))

    iid = declare(store, ctx, title="支付失败")
    with store.transaction() as s:
        for i in range(SUBSCRIBERS):
            authoring.add_subscriber(s, ctx, "email", f"user{i}@example.com", "en" if i % 2 else "zh-CN")
            authoring.add_subscriber(s, ctx, "sms", f"CUST-{i:04d}")
            authoring.add_subscriber(s, ctx, "wechat", f"openid-{i:04d}")
    approved_sheet(store, ctx, iid)
    with store.transaction() as s:
        n = workflow.draft_statement(
            s, ctx, iid, kind="holding", channels="email,sms,wechat,weibo,x,status_page"
        ).number
        workflow.submit_statement(s, ctx, iid, n)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, n, publish_now=True)

    with store.transaction() as s:
        customers.ingest(s, ctx, iid, [(i, {"customer_ref": f"C{i:05d}"}) for i in range(CUSTOMERS)])
    with store.transaction() as s:
        comp = config.compensation.model_copy(
            update={"policies": [CompensationPolicy(name="all", form="coupon", amount=20)]}
        )
        pctx = dataclasses.replace(ctx, config=config.model_copy(update={"compensation": comp}), actor="zhangwei")
        assert ledger.propose_by_policy(s, pctx, iid).auto_approved == CUSTOMERS

    with store.transaction() as s:
        deliveries = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "pending"))
        approved = s.scalar(select(func.count()).select_from(Compensation).where(Compensation.status == "approved"))
    assert (
        deliveries == 3 * SUBSCRIBERS + len(BROADCAST["weibo"]) + len(BROADCAST["x"]) and approved == CUSTOMERS
    )  # weibo, x: the official accounts
    return {"incident": iid, "surge_bucket": bucket, "deliveries": deliveries}


def _keys(files: list[Path], action: str | None = None) -> list[str]:
    keys = []
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            if action is None or record.get("action") == action:
                keys.append(record["key"])
    return keys


def _schedules(entries) -> list[tuple]:  # type: ignore[no-untyped-def]
    """(kind, what, anchor) per schedule, from the API's JSON or from
    RunnerDeployment objects."""
    out = []
    for e in entries:
        s = e["schedule"] if isinstance(e, dict) else e.schedule.model_dump(mode="json")
        if s.get("cron"):
            out.append(("cron", s["cron"], s["timezone"]))
        else:
            out.append(("interval", float(s["interval"]), dt.datetime.fromisoformat(s["anchor_date"])))
    return sorted(out, key=str)


def test_two_workers_on_postgresql_do_nothing_twice(databases, processes, smtp_inbox, tmp_path, monkeypatch):
    started = time.monotonic()
    timings: list[tuple[str, float]] = []
    overlaps: dict[str, float | None] = {}
    windows: dict[str, list[tuple[float, float]]] = {}
    app_url, prefect_db = databases
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_"))}
    port = _port()
    api = f"http://127.0.0.1:{port}/api"

    # The Prefect server, on its own PostgreSQL database. Its scheduler is
    # off: the runs below are created by hand, and nothing else runs beside
    # them (test_serve shows the schedules at work).
    processes.start(
        "server",
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        {
            **clean,
            "PREFECT_HOME": str(tmp_path / "prefect-server"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db,
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
        },
    )

    with FeedServer() as feeds:
        now = dt.datetime.now(dt.timezone.utc)
        feeds.routes["/status.atom"] = Route(
            STATUS_FEED.format(
                now=now.isoformat(),
                active=(now - dt.timedelta(minutes=3)).isoformat(),
                old=(now - dt.timedelta(days=3)).isoformat(),
            ).encode(),
            content_type="application/atom+xml",
            delay=FEED_DELAY,
        )
        inbox, smtp_port = smtp_inbox
        config = write_config(tmp_path, feeds.url("/status.atom"), smtp_port)

        # App data: a fresh database, migrated on first use (as `incident db
        # upgrade` would), seeded while the server starts.
        store = Store(app_url)
        try:
            seeded = seed(store, config)
        finally:
            store.dispose()

        app_env = {
            **clean,
            "INCIDENT_DATABASE_URL": app_url,
            "INCIDENT_CONFIG": str(config),
            "INCIDENT_LANG": "en",
            "PREFECT_API_URL": api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        timings.append(("seeded", time.monotonic() - started))
        _wait("the Prefect server", lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 120, processes)
        timings.append(("server up", time.monotonic() - started))

        # Register every deployment (and the pool).
        pool = "incident"
        deploy_env = {
            **app_env,
            "PREFECT_HOME": str(tmp_path / "prefect-deploy"),
            "INCIDENT_DATA_DIR": str(tmp_path / "deploy"),
        }

        deploy_cwd = tmp_path / "deploy-cwd"
        deploy_cwd.mkdir()

        def deploy() -> tuple[str, list[dict]]:
            out = subprocess.run(
                [sys.executable, "-m", "incident_flows.deploy", "--pool", pool, "--create-pool"],
                cwd=deploy_cwd,
                env=deploy_env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert out.returncode == 0, out.stdout + out.stderr
            assert f"prefect worker start --pool {pool} --type process" in out.stdout
            return out.stdout, httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()

        first_out, first = deploy()
        assert "created work pool 'incident' (process)" in first_out
        assert httpx.get(f"{api}/work_pools/{pool}", timeout=10).json()["type"] == "process"

        # Two workers, each "a machine" with its own data directory.
        for name in WORKERS:
            (tmp_path / name / "prefect").mkdir(parents=True)
            processes.start(
                name,
                [
                    str(BIN / "prefect"),
                    "worker",
                    "start",
                    "--pool",
                    pool,
                    "--type",
                    "process",
                    "--name",
                    name,
                    "--limit",
                    "1",
                ],
                {
                    **app_env,
                    "INCIDENT_DATA_DIR": str(tmp_path / name),
                    "PREFECT_HOME": str(tmp_path / name / "prefect"),
                    "PREFECT_WORKER_QUERY_SECONDS": "1",
                    "PREFECT_WORKER_PREFETCH_SECONDS": str(LEAD + 10),
                },
            )

        # Registering again (while the workers start) updates in place.
        second_out, found = deploy()
        assert "work pool 'incident' (process) exists" in second_out
        assert sorted(d["id"] for d in found) == sorted(d["id"] for d in first) and len(found) == 8
        # The same flows, names and schedules as `python -m incident_flows.serve`.
        monkeypatch.setenv("INCIDENT_CONFIG", str(config))
        from incident_flows.serve import deployments

        def comparable(schedules: list[tuple], keep_anchor: bool) -> list[tuple]:
            # An interval's anchor is "when it was built" unless chosen (watch-volumes: bucket boundaries).
            return [s if s[0] == "cron" or keep_anchor else s[:2] for s in schedules]

        expected = {
            d.name: (d.flow_name, comparable(_schedules(d.schedules), d.name == "watch-volumes")) for d in deployments()
        }
        registered = {d["name"]: d for d in found}
        assert {
            n: (
                httpx.get(f"{api}/flows/{d['flow_id']}", timeout=10).json()["name"],
                comparable(_schedules(d["schedules"]), n == "watch-volumes"),
            )
            for n, d in registered.items()
        } == expected
        for d in registered.values():
            # By module path in the installed package; nothing to pull, no directory to be in.
            assert d["work_pool_name"] == pool and d["entrypoint"].startswith("incident_flows.")
            assert ":" not in d["entrypoint"] and not d["pull_steps"] and not d["path"], d

        def online():
            got = httpx.post(f"{api}/work_pools/{pool}/workers/filter", json={}, timeout=5).json()
            return {w["name"] for w in got if w["status"] == "ONLINE"} >= set(WORKERS)

        _wait("both workers online", online, 90, processes)
        timings.append(("workers online", time.monotonic() - started))

        # Each flow twice at once, one run on each worker. Each worker runs
        # one flow at a time (--limit 1) and both are idle, so the first to
        # poll takes one run of the pair and the other worker the second.
        # Both runs are due LEAD seconds ahead: the workers start them at
        # once (prefetch) and Prefect holds each at the door until that
        # moment, so the two do their work side by side, not one after the other.
        runs: dict[str, str] = {}
        done: list[dict] = []
        for flow, params in PLAN:
            dep = httpx.get(f"{api}/deployments/name/{flow}/{flow}", timeout=10).json()
            due = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=LEAD)).isoformat()
            pair = []
            for _ in range(2):
                run = httpx.post(
                    f"{api}/deployments/{dep['id']}/create_flow_run",
                    timeout=10,
                    json={
                        "parameters": params,
                        "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": due}},
                    },
                )
                assert run.status_code == 201, run.text
                pair.append(run.json()["id"])
                runs[pair[-1]] = flow

            def final(pair=pair):  # type: ignore[no-untyped-def]
                got = httpx.post(
                    f"{api}/flow_runs/filter", json={"flow_runs": {"id": {"any_": pair}}}, timeout=10
                ).json()
                return got if len(got) == len(pair) and all(r["state_type"] in FINAL for r in got) else None

            got = _wait(f"both {flow} runs to finish", final, 120, processes, every=0.5)
            done += got
            spans = sorted(
                (dt.datetime.fromisoformat(r["start_time"]), dt.datetime.fromisoformat(r["end_time"]))
                for r in got
                if r["start_time"] and r["end_time"]
            )
            overlaps[flow] = (
                (min(e for _, e in spans) - max(b for b, _ in spans)).total_seconds() if len(spans) == 2 else None
            )
            # When each run started and ended, in seconds from its due time.
            due_at = dt.datetime.fromisoformat(due)
            windows[flow] = [((b - due_at).total_seconds(), (e - due_at).total_seconds()) for b, e in spans]
            timings.append((flow, time.monotonic() - started))
        logs = {name: processes.log(name) for name in WORKERS}
        states = {r["name"]: (runs[r["id"]], r["state_type"]) for r in done}
        assert all(s == "COMPLETED" for _, s in states.values()), (states, logs)

    processes.stop(list(WORKERS))

    # Both workers executed flow runs: each run's engine output ("Beginning
    # flow run 'name'") is in the log of exactly one worker.
    ran = {name: set(re.findall(r"Beginning flow run '([^']+)'", logs[name])) for name in WORKERS}
    assert ran[WORKERS[0]] | ran[WORKERS[1]] == set(states) and not ran[WORKERS[0]] & ran[WORKERS[1]], ran
    by_worker = {name: sorted(states[r][0] for r in ran[name]) for name in WORKERS}
    # … and each flow ran on both of them at the same time: its two runs
    # were one per worker, and they overlapped.
    assert by_worker[WORKERS[0]] == by_worker[WORKERS[1]] == sorted(flow for flow, _ in PLAN), by_worker
    assert all(o is not None and o > 0 for o in overlaps.values()), (overlaps, windows)
    for name in WORKERS:
        assert f"Worker '{name}' submitting flow run" in logs[name]

    store = Store(app_url)
    try:
        with store.transaction() as s:
            # One incident per surge: every detected incident (the ones with
            # a dedup key) exists once, and was opened by one signal.
            detected = s.execute(
                select(Incident.dedup_key, func.count())
                .where(Incident.dedup_key.is_not(None))
                .group_by(Incident.dedup_key)
            ).all()
            counts = dict(detected)
            assert counts.get("surge:system_outage") == 1, counts
            upstream = [k for k in counts if k.startswith("upstream:")]
            assert len(upstream) == 1, counts  # the active upstream incident; the resolved one is history
            assert all(n == 1 for n in counts.values()), counts
            opened = s.scalars(select(Signal.incident_id).where(Signal.action == "opened")).all()
            assert len(opened) == len(set(opened)) == sum(counts.values())
            surge_inc = s.scalars(select(Incident).where(Incident.dedup_key == "surge:system_outage")).one()
            assert (
                s.scalar(select(func.min(Signal.bucket_start)).where(Signal.incident_id == surge_inc.id))
                == seeded["surge_bucket"]
            )
            declared = s.scalar(
                select(func.count())
                .select_from(TimelineEvent)
                .where(TimelineEvent.incident_id == surge_inc.id, TimelineEvent.type == "declared")
            )
            assert declared == 1
            assert s.scalar(select(func.count()).select_from(FeedEntry).where(FeedEntry.source == "payments")) == 2

            deliveries = s.execute(select(Delivery.idempotency_key, Delivery.status, Delivery.attempts)).all()
            comps = s.execute(
                select(
                    Compensation.idempotency_key, Compensation.status, Compensation.attempts, Compensation.provider_ref
                )
            ).all()
            issued_events = s.scalars(
                select(TimelineEvent.data).where(TimelineEvent.type == "compensation_issued")
            ).all()
    finally:
        store.dispose()

    # Each delivery sent once: every row sent after a single claim, and its
    # key written once across both workers' delivery logs and the mail server.
    assert len(deliveries) == seeded["deliveries"]
    assert {(st, n) for _, st, n in deliveries} == {("sent", 1)}, collections.Counter(
        (st, n) for _, st, n in deliveries
    )
    sent = collections.Counter(_keys([p for w in WORKERS for p in (tmp_path / w / "deliveries").glob("*.jsonl")]))
    assert len(inbox.keys) == SUBSCRIBERS, len(inbox.keys)  # the e-mails went through SMTP, not a log
    sent.update(inbox.keys)
    assert sent == collections.Counter({k: 1 for k, _, _ in deliveries}), [k for k, n in sent.items() if n > 1]

    # Each compensation entry issued once: one claim per ledger row, one
    # line per key across both workers' export files, one count on the timeline.
    assert len(comps) == CUSTOMERS
    assert {(st, n) for _, st, n, _ in comps} == {("issued", 1)}, collections.Counter((st, n) for _, st, n, _ in comps)
    assert all(ref == f"export:{k}" for k, _, _, ref in comps)
    exported = collections.Counter(
        _keys(
            [
                tmp_path / w / "compensation" / "issued.jsonl"
                for w in WORKERS
                if (tmp_path / w / "compensation" / "issued.jsonl").exists()
            ],
            "issue",
        )
    )
    assert exported == collections.Counter({k: 1 for k, _, _, _ in comps}), [k for k, n in exported.items() if n > 1]
    assert sum(e["count"] for e in issued_events) == CUSTOMERS

    timings.append(("checked", time.monotonic() - started))
    print(
        "\nscale-out:",
        ", ".join(f"{what} {at:.0f} s" for what, at in timings),
        "; side by side for",
        ", ".join(f"{f} {o:.1f} s" for f, o in overlaps.items() if o is not None),
        "; runs (start, end) from due:",
        windows,
    )
