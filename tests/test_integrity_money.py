"""Issue 21, points 3-5: the money caps hold under concurrent proposals,
an export provider shared by workers with their own data directories
writes each key once, and the append-only tables cannot be rewritten by
REPLACE (SQLite) or TRUNCATE (PostgreSQL). Both databases."""

import dataclasses
import datetime as dt
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from conftest import ROOT
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from incident.adapters.compensation import ExportFileProvider, default_provider
from incident.config import CompensationPolicy
from incident.errors import InputError
from incident.models import Compensation, OnceKey, TimelineEvent
from incident.remedy import customers, issuing, ledger
from tests.factories import as_, declare
from tests.test_remedy_runs import _env

CAP = Decimal(200)  # the example config's cap for an uninsured waybill
REFS = [f"R{i:02d}" for i in range(10)]


def _policy_ctx(ctx, form, amount):
    comp = ctx.config.compensation.model_copy(
        update={"policies": [CompensationPolicy(name=form, form=form, amount=amount)], "budget_yuan": None}
    )
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"compensation": comp}), actor="zhangwei")


def _seed(store, ctx, refs=REFS):
    iid = declare(store, ctx)
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, [(i, {"customer_ref": r}) for i, r in enumerate(refs, 1)])
        assert not report.errors
    return iid


def _together(jobs, hold=0.3):
    """Run each job in its own thread and transaction, started together and
    holding the transaction open a moment after its work, so that without a
    lock every reader sees the money as it was before any of them wrote."""
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(n, job):
        start.wait()
        try:
            results[n] = job(hold)
        except Exception as exc:  # noqa: BLE001 — the test inspects what each got
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a proposal hung (deadlock?)"
    return results


def _money_per_customer(store, iid):
    with store.read() as s:
        rows = s.execute(
            select(Compensation.customer_id, func.count(), func.sum(Compensation.amount))
            .where(Compensation.incident_id == iid, Compensation.unit == "yuan")
            .group_by(Compensation.customer_id)
        ).all()
    return {cid: (n, Decimal(str(total))) for cid, n, total in rows}


# ---- 3. the caps under concurrent proposals ------------------------------------------


def test_three_policy_proposals_at_once_stay_within_the_cap(store, ctx):
    """Three proposals by policy at once (coupon, refund, gift, 90 元 each)
    for the same ten uninsured customers (cap 200): two fit, the third is
    refused for every customer with the over-cap reason, nobody above 200."""
    iid = _seed(store, ctx)

    def by_policy(form):
        def job(hold):
            with store.transaction() as s:
                report = ledger.propose_by_policy(s, _policy_ctx(ctx, form, 90), iid)
                time.sleep(hold)
            return report

        return job

    reports = _together([by_policy(f) for f in ("coupon", "refund", "gift")])
    assert all(isinstance(r, ledger.ProposalReport) for r in reports), reports
    per_customer = _money_per_customer(store, iid)
    assert len(per_customer) == 10
    assert all(total <= CAP for _, total in per_customer.values()), per_customer
    assert all(total == Decimal(180) for _, total in per_customer.values()), per_customer
    refused = [entry for r in reports for entry in r.refused]
    assert len(refused) == 10 and {key for _, key, _ in refused} == {"comp.error.over_cap"}
    assert sorted(ref for ref, _, _ in refused) == REFS


def test_single_and_policy_proposals_at_once_refuse_clearly_without_deadlock(store, ctx):
    """Hand proposals for single customers (in descending order, against the
    policy run's ascending one) race a policy run: no deadlock, no customer
    above the cap, each refusal an InputError naming the customer."""
    iid = _seed(store, ctx)
    lead = as_(ctx, "zhangwei")

    def one(ref, form):
        def job(hold):
            with store.transaction() as s:
                entry = ledger.propose(s, lead, iid, ref, form, 150)
                time.sleep(hold)
            return entry.id

        return job

    def by_policy(hold):
        with store.transaction() as s:
            report = ledger.propose_by_policy(s, _policy_ctx(ctx, "coupon", 150), iid)
            time.sleep(hold)
        return report

    jobs = [by_policy] + [one(ref, form) for ref in reversed(REFS[:4]) for form in ("refund", "gift")]
    results = _together(jobs, hold=0.1)
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, InputError) and e.key == "comp.error.over_cap" for e in errors), errors
    assert all(e.params["ref"] in REFS[:4] for e in errors)
    per_customer = _money_per_customer(store, iid)
    assert all(n == 1 and total == 150 for n, total in per_customer.values()), per_customer
    report = results[0]
    assert report.proposed + len(report.refused) == 10


# ---- 4. workers with data directories of their own ------------------------------------

N = 50


def _approved(store, ctx, n=N):
    iid = _seed(store, ctx, [f"W{i:03d}" for i in range(n)])
    with store.transaction() as s:
        assert ledger.propose_by_policy(s, _policy_ctx(ctx, "coupon", 20), iid).auto_approved == n
    return iid


def _written(*dirs):
    """Every issue line's key in these data directories' export files."""
    return Counter(k for d in dirs for k in ExportFileProvider(d / "compensation").issued_keys())


def _statuses(store):
    with store.read() as s:
        return dict(s.execute(select(Compensation.status, func.count()).group_by(Compensation.status)).all())


class CrashAfterCall(ExportFileProvider):
    """The provider did its work; the worker dies before the ledger hears of it."""

    def issue(self, items):
        super().issue(items)
        raise RuntimeError("killed after the provider call")


def test_a_second_worker_with_its_own_data_dir_does_not_write_again(store, ctx, tmp_path):
    _approved(store, ctx)
    a, b = tmp_path / "worker-a", tmp_path / "worker-b"
    first = CrashAfterCall(a / "compensation", ctx.clock, store)
    assert issuing.issue_due(store, ctx, first, batch=N).issued == 0
    assert sum(_written(a).values()) == N and _statuses(store) == {"approved": N}
    # The second worker, its own INCIDENT_DATA_DIR, re-issues the claim at once.
    second = default_provider(b, ctx.clock, store=store)
    report = issuing.issue_due(store, ctx, second, batch=N, lease=dt.timedelta(0))
    assert report.issued == N and _statuses(store) == {"issued": N}
    written = _written(a, b)
    assert len(written) == N and set(written.values()) == {1}, written.most_common(3)
    assert _written(b) == Counter()  # nothing in the second worker's file
    with store.read() as s:
        states = {r["state"] for r in s.scalars(select(OnceKey.result).where(OnceKey.scope == "provider:export-file"))}
        refs = set(s.scalars(select(Compensation.provider_ref)))
    assert states == {"written"} and refs == {f"export:{k}" for k in written}


class CrashBeforeLine(ExportFileProvider):
    """Killed after the reservation committed, before the line was written."""

    def _write(self, export, items):
        raise RuntimeError("killed before the line")


def test_a_reservation_without_its_line_is_written_once_in_the_file_it_names(store, ctx, tmp_path):
    _approved(store, ctx, 10)
    a, b = tmp_path / "worker-a", tmp_path / "worker-b"
    issuing.issue_due(store, ctx, CrashBeforeLine(a / "compensation", ctx.clock, store), batch=10)
    assert _written(a, b) == Counter() and _statuses(store) == {"approved": 10}
    report = issuing.issue_due(store, ctx, default_provider(b, ctx.clock, store=store), lease=dt.timedelta(0))
    assert report.issued == 10
    assert len(_written(a)) == 10 and set(_written(a).values()) == {1} and _written(b) == Counter()


def test_another_machine_waits_rather_than_write_what_it_cannot_check(store, ctx, tmp_path):
    """The reservation names a file on another host: this worker writes
    nothing, the entry stays approved with the reason, and a worker on
    that host issues it later, once."""
    _approved(store, ctx, 5)
    a, b = tmp_path / "worker-a", tmp_path / "worker-b"
    issuing.issue_due(store, ctx, CrashBeforeLine(a / "compensation", ctx.clock, store, host="host-a"), batch=5)
    report = issuing.issue_due(store, ctx, default_provider(b, ctx.clock, store=store), lease=dt.timedelta(0))
    assert (report.issued, report.retrying, report.failed) == (0, 5, 0)
    assert _written(a, b) == Counter() and _statuses(store) == {"approved": 5}
    with store.read() as s:
        errors = set(s.scalars(select(Compensation.last_error)))
    assert len(errors) == 1 and "host-a" in errors.pop()
    ctx.clock.advance(minutes=5)  # past the back-off
    back = ExportFileProvider(a / "compensation", ctx.clock, store, host="host-a")
    assert issuing.issue_due(store, ctx, back, lease=dt.timedelta(0)).issued == 5
    assert len(_written(a)) == 5 and set(_written(a).values()) == {1} and _written(b) == Counter()


KILLER = r"""
import datetime as dt, os, signal, sys
from incident.adapters.compensation import ExportFileProvider
from incident.remedy import issuing
from incident.runtime import Runtime

class Provider(ExportFileProvider):
    def issue(self, items):
        out = super().issue(items)
        os.kill(os.getpid(), signal.SIGKILL)  # sent, not yet recorded: the worst moment to die
        return out

rt = Runtime.build()
provider = Provider(rt.settings.data_dir / "compensation", rt.clock, rt.store)
issuing.issue_due(rt.store, rt.ctx, provider, batch=int(sys.argv[1]))
"""


def test_killed_worker_and_another_with_its_own_data_dir_issue_each_key_once(store, ctx, db_url, tmp_path):
    """The issue's case for real: worker A (its own INCIDENT_DATA_DIR) is
    killed -9 right after the provider call; worker B, another directory,
    re-issues: every key written once across both export files."""
    _approved(store, ctx)
    a, b = tmp_path / "worker-a", tmp_path / "worker-b"
    a.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(N)],
        cwd=ROOT,
        env=_env(db_url, a),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert sum(_written(a).values()) == N and _statuses(store) == {"approved": N}
    ctx.clock.advance(minutes=1)  # the killed process's clock ran on in real time from NOW
    report = issuing.issue_due(store, ctx, default_provider(b, ctx.clock, store=store), lease=dt.timedelta(0))
    assert report.issued == N and _statuses(store) == {"issued": N}
    written = _written(a, b)
    assert len(written) == N and set(written.values()) == {1}, written.most_common(3)


# ---- 5. the append-only timeline ------------------------------------------------------


def _events(store, iid):
    with store.read() as s:
        return [(e.id, e.type, e.actor, e.data) for e in s.scalars(select(TimelineEvent).order_by(TimelineEvent.id))]


def test_replace_into_the_timeline_with_an_existing_id_is_refused(store, ctx):
    iid = declare(store, ctx)
    before = _events(store, iid)
    first = before[0][0]
    dialect = store.engine.dialect.name
    forgeries = [
        # SQLite's REPLACE deletes the old row without firing the DELETE trigger.
        *(
            [
                f"{verb} INTO timeline_events (id, incident_id, at, type, actor, data) VALUES "
                f"({first}, {iid}, '2026-01-01 00:00:00', 'note', 'mallory', '{{}}')"
                for verb in ("REPLACE", "INSERT OR REPLACE")
            ]
            if dialect == "sqlite"
            else []
        ),
        # Both: an upsert onto the existing id (the UPDATE guard).
        f"INSERT INTO timeline_events (id, incident_id, at, type, actor, data) VALUES "
        f"({first}, {iid}, '2026-01-01 00:00:00', 'note', 'mallory', '{{}}') "
        "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'",
    ]
    for sql in forgeries:
        with pytest.raises(DBAPIError, match="append-only"):
            with store.transaction() as s:
                s.execute(text(sql))
    assert _events(store, iid) == before
    with store.transaction() as s:  # appending goes on as before
        s.execute(
            text(
                "INSERT INTO timeline_events (incident_id, at, type, actor, data) "
                f"VALUES ({iid}, '2026-01-01 00:00:00', 'note', 'tester', '{{}}')"
            )
        )
    assert len(_events(store, iid)) == len(before) + 1


def test_truncate_of_the_timeline_is_refused(store, ctx):
    iid = declare(store, ctx)
    before = _events(store, iid)
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE is refused row by row: test_incidents)")
    for sql in ("TRUNCATE timeline_events", "TRUNCATE incidents CASCADE"):
        with pytest.raises(DBAPIError, match="append-only"):
            with store.transaction() as s:
                s.execute(text(sql))
    assert _events(store, iid) == before


def test_the_0008_guards_go_with_a_downgrade(store, ctx):
    """Downgrading to 0007 drops the new guards and keeps 0001's."""
    from alembic import command

    from incident.db import alembic_config

    command.downgrade(alembic_config(store.engine), "0007")
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            assert names == {"timeline_events_no_update", "timeline_events_no_delete"}
        else:
            names = set(
                conn.scalars(
                    text(
                        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
                    )
                )
            )
            assert names == {"timeline_events_append_only"}
    command.upgrade(alembic_config(store.engine), "head")
