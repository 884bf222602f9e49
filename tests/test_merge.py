"""Linking and merging two incidents about one outage (issue 23 point 4):
INC-1 from the status page, INC-2 from the complaint surge. On SQLite and
(in CI) PostgreSQL; the clock is the fixtures' fixed one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from incident import incidents, merge, response
from incident.enums import EventType
from incident.errors import ConflictError
from incident.events import event_text
from incident.models import AffectedCustomer, Callback, Compensation, Incident, ResponseClock, Signal, TimelineEvent
from incident.web.app import create_app
from tests.test_cli import cli  # noqa: F401  (the fixture)
from tests.webserver import LiveServer
from tests.webutil import add_user, csrf_of, login, web_runtime


def declare(store, ctx, title, **kw):
    with store.transaction() as s:
        return response.declare(s, ctx, kind="system_outage", severity=2, title=title, **kw).id


def add_signal(s, ctx, iid, key):
    s.add(
        Signal(
            series_key=key,
            bucket_start=ctx.clock.now(),
            created_at=ctx.clock.now(),
            kind="system_outage",
            severity=2,
            action="attached",
            incident_id=iid,
        )
    )


def add_customer(s, ctx, iid, ref, *, forms=(), callback=None, amount="10"):
    now = ctx.clock.now()
    cust = AffectedCustomer(
        incident_id=iid,
        customer_ref=ref,
        source="manual",
        added_by=ctx.actor,
        added_at=now,
        amount_at_stake=Decimal(amount),
    )
    s.add(cust)
    s.flush()
    for form in forms:
        s.add(
            Compensation(
                incident_id=iid,
                customer_id=cust.id,
                form=form,
                amount=Decimal("20"),
                unit="yuan",
                status="approved",
                idempotency_key=f"INC-{iid}/{ref}/{form}",
                proposed_by=ctx.actor,
                proposed_at=now,
            )
        )
    if callback:
        s.add(
            Callback(
                incident_id=iid,
                customer_id=cust.id,
                reason=callback,
                key=f"{iid}/{cust.id}/{callback}",
                status="open",
                due_at=now + dt.timedelta(hours=24),
                call_at=now,
                created_at=now,
            )
        )
    s.flush()
    return cust


def events(s, iid, type_):
    return list(
        s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == iid, TimelineEvent.type == type_.value))
    )


def test_link_is_recorded_both_ways_and_on_both_timelines(store, ctx):
    one, two = declare(store, ctx, "状态页：支付通道故障"), declare(store, ctx, "支付投诉激增")
    with store.transaction() as s:
        merge.link(s, ctx, two, one)
    with store.transaction() as s:
        assert merge.linked(s, one) == [(two, "related")] and merge.linked(s, two) == [(one, "related")]
        (ev1,) = events(s, one, EventType.LINKED)
        (ev2,) = events(s, two, EventType.LINKED)
        assert event_text(ev1, "zh-CN") == "与 INC-2 关联" and event_text(ev2, "en") == "linked with INC-1"
    with store.transaction() as s, pytest.raises(ConflictError) as exc:
        merge.link(s, ctx, one, two)
    assert exc.value.message("en") == "INC-1 and INC-2 are already linked"
    with store.transaction() as s, pytest.raises(ConflictError) as exc:
        merge.link(s, ctx, one, one)
    assert exc.value.message("zh-CN") == "不能把 INC-1 关联到它自己"


def test_merge_moves_signals_customers_compensation_and_callbacks(store, ctx, clock):
    one = declare(store, ctx, "状态页：支付通道故障")
    two = declare(store, ctx, "支付投诉激增", dedup_key="complaints/topic=pay")
    with store.transaction() as s:
        add_signal(s, ctx, one, "feed/statuspage#1")
        add_signal(s, ctx, one, "feed/statuspage#2")
        add_signal(s, ctx, two, "complaints/topic=pay")
        add_customer(s, ctx, one, "C001", forms=("coupon",), callback="unfinished")  # only in INC-1
        # C002 in both: INC-1's coupon duplicates INC-2's, its points entry does not
        add_customer(s, ctx, one, "C002", forms=("coupon", "points"), callback="unfinished", amount="99")
        add_customer(s, ctx, two, "C002", forms=("coupon",), callback="unfinished")
    later = dataclasses.replace(ctx, clock=type(clock)(clock.now() + dt.timedelta(minutes=30)))
    with store.transaction() as s:
        result = merge.merge(s, later, one, two)
    assert (result.signals, result.customers, result.customers_merged) == (2, 1, 1)
    assert (result.compensations, result.compensations_kept) == (2, 1)  # C001's coupon, C002's points
    assert (result.callbacks, result.callbacks_cancelled) == (1, 1)
    with store.transaction() as s:
        assert s.scalars(select(Signal.series_key).where(Signal.incident_id == one)).all() == []
        assert len(s.scalars(select(Signal).where(Signal.incident_id == two)).all()) == 3
        refs = sorted(s.scalars(select(AffectedCustomer.customer_ref).where(AffectedCustomer.incident_id == two)))
        assert refs == ["C001", "C002"]  # C002 once: the target's row
        kept = s.scalars(
            select(AffectedCustomer).where(AffectedCustomer.incident_id == two, AffectedCustomer.customer_ref == "C002")
        ).one()
        forms = sorted(s.scalars(select(Compensation.form).where(Compensation.customer_id == kept.id)))
        assert forms == ["coupon", "points"]  # one coupon, not two
        # the duplicate coupon stays with the closed source: on record, issued by nobody twice
        left = s.scalars(select(Compensation).where(Compensation.incident_id == one)).one()
        assert left.form == "coupon"
        cbs = s.scalars(select(Callback).where(Callback.incident_id == two, Callback.status == "open")).all()
        assert sorted(c.customer_id for c in cbs) == sorted(
            s.scalars(select(AffectedCustomer.id).where(AffectedCustomer.incident_id == two))
        )
        dup_cb = s.scalars(select(Callback).where(Callback.incident_id == one)).one()
        assert dup_cb.status == "cancelled" and dup_cb.closed_at == later.clock.now()
        src = s.get(Incident, one)
        assert src.status == "closed" and src.closed_at == later.clock.now() and src.resolved_at is not None
        assert (
            s.scalars(
                select(ResponseClock).where(ResponseClock.incident_id == one, ResponseClock.stopped_at.is_(None))
            ).all()
            == []
        )
        assert merge.linked(s, one) == [(two, "merged_into")] and merge.linked(s, two) == [(one, "merged_from")]
        (into,) = events(s, one, EventType.MERGED_INTO)
        (frm,) = events(s, two, EventType.MERGED_FROM)
        assert event_text(into, "zh-CN").startswith("合并入 INC-2（信号 2 条，客户 1 位，重复客户 1 位）")
        assert event_text(frm, "zh-CN").startswith("INC-1 合并至此")
        assert event_text(into, "en").startswith("merged into INC-2") and "INC-1 merged into" in event_text(frm, "en")
        assert into.at == later.clock.now()


def test_the_merged_incidents_dedup_key_leads_to_the_target(store, ctx):
    one = declare(store, ctx, "状态页：支付通道故障", dedup_key="feed/statuspage")
    two = declare(store, ctx, "支付投诉激增", dedup_key="complaints/topic=pay")
    with store.transaction() as s:
        merge.merge(s, ctx, one, two)
    with store.transaction() as s:
        inc, created = response.open_or_attach(
            s,
            ctx,
            dedup_key="feed/statuspage",
            signal={"summary": "again"},
            kind="system_outage",
            severity=2,
            title="x",
        )
        assert (inc.id, created) == (two, False)
        assert events(s, two, EventType.SIGNAL_ATTACHED) and not events(s, one, EventType.SIGNAL_ATTACHED)
    # a chain: INC-2 merged into INC-3, INC-1's key still finds the open one
    three = declare(store, ctx, "支付故障（总）")
    with store.transaction() as s:
        merge.merge(s, ctx, two, three)
    with store.transaction() as s:
        assert incidents.find_open_by_dedup(s, "feed/statuspage").id == three
        assert incidents.find_open_by_dedup(s, "complaints/topic=pay").id == three
        assert incidents.find_open_by_dedup(s, "nothing") is None


def test_merge_refusals(store, ctx, clock):
    one, two = declare(store, ctx, "状态页：支付通道故障"), declare(store, ctx, "支付投诉激增")
    closed = declare(store, ctx, "已关闭")
    with store.transaction() as s:
        response.change_status(s, ctx, closed, "resolved")
        response.change_status(s, ctx, closed, "closed")

    def refused(source, target):
        with store.transaction() as s, pytest.raises(ConflictError) as exc:
            merge.merge(s, ctx, source, target)
        return exc.value.message("en")

    assert refused(one, one) == "INC-1 cannot be merged into itself"
    assert "INC-3 is closed" in refused(one, closed) and "INC-3 is closed" in refused(closed, one)
    # an issuing run has claimed INC-2's entries: not now
    with store.transaction() as s:
        cust = add_customer(s, ctx, two, "C001", forms=("coupon",))
        comp = s.scalars(select(Compensation).where(Compensation.customer_id == cust.id)).one()
        comp.claimed_at = clock.now()
    assert "being issued" in refused(one, two)
    with store.transaction() as s:
        assert s.get(Incident, one).status == "declared"  # nothing changed
        s.scalars(select(Compensation)).one().claimed_at = None
    with store.transaction() as s:
        merge.merge(s, ctx, one, two)
    assert "INC-1 is closed" in refused(one, two)  # merged once is enough


def test_cli_link_and_merge(cli, db_url):  # noqa: F811
    cli("declare", "--kind", "system_outage", "--severity", "2", "--title", "状态页：支付通道故障")
    cli("declare", "--kind", "system_outage", "--severity", "2", "--title", "支付投诉激增")
    assert "已关联 INC-1 与 INC-2" in cli("link", "1", "INC-2").stdout
    out = " ".join(cli("merge", "INC-1", "2", lang="en").stdout.split())
    assert "INC-1 merged into INC-2: 0 signals, 0 customers" in out
    again = cli("merge", "1", "2", ok=False, lang="en")
    assert again.returncode == 1 and "INC-1 is closed" in " ".join(again.stderr.split())
    shown = cli("show", "2").stdout
    assert "INC-1 合并至此" in shown
    assert "合并" in cli("merge", "--help").stdout and "Link two incidents" in cli("link", "--help", lang="en").stdout


def test_web_link_and_merge_round_trip(db_url, config, clock, ctx):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    add_user(rt, "viewer1", "viewer")
    lead = dataclasses.replace(ctx, actor="zhangwei")
    with rt.store.transaction() as s:
        one = response.declare(s, lead, kind="system_outage", severity=2, title="状态页：支付通道故障").id
        two = response.declare(s, lead, kind="system_outage", severity=2, title="支付投诉激增").id
        add_signal(s, lead, one, "feed/statuspage#1")
    with LiveServer(create_app(rt)) as srv:
        client, _ = login(srv.base, "zhangwei")
        page = client.get(f"/incidents/{one}").text
        assert "关联 INC-…" in page and "合并到 INC-…" in page and 'id="merge-form"' in page
        r = client.post(f"/incidents/{one}/link", data={"csrf": csrf_of(page), "other": f"INC-{two}"})
        assert r.status_code == 303
        page = client.get(r.headers["location"]).text
        assert "已关联" in page and f'<a href="/incidents/{two}">INC-{two}</a>' in page and "与 INC-2 关联" in page
        # without the CSRF token nothing happens
        bad = client.post(f"/incidents/{one}/merge", data={"csrf": "forged", "into": str(two)})
        assert bad.status_code == 403
        r = client.post(f"/incidents/{one}/merge", data={"csrf": csrf_of(page), "into": str(two)})
        assert r.status_code == 303 and r.headers["location"] == f"/incidents/{two}"
        target = client.get(r.headers["location"]).text
        assert (
            "已合并" in target and "INC-1 合并至此" in target and f'<a href="/incidents/{one}">INC-{one}</a>' in target
        )
        again = client.post(f"/incidents/{one}/merge", data={"csrf": csrf_of(target), "into": str(two)})
        assert "INC-1 已关闭" in client.get(again.headers["location"]).text
        # a viewer may look, not merge
        viewer, vtoken = login(srv.base, "viewer1")
        assert 'id="merge-form"' not in viewer.get(f"/incidents/{two}").text
        assert viewer.post(f"/incidents/{two}/merge", data={"csrf": vtoken, "into": str(one)}).status_code == 403
    with rt.store.transaction() as s:
        assert s.scalars(select(Signal.incident_id)).all() == [two]
