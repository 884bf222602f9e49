"""What the coordinator does for an incident detection has just opened:
fact sheet v1 drafted and submitted for approval, the surge's complainants
linked as affected customers with their callbacks scheduled and assigned."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from incident.context import Context
from incident.models import AffectedCustomer, Callback, FactSheet, Incident
from incident.timeutil import FixedClock
from incident.watch import jobs
from incident.wording import workflow
from tests.test_volumes import NOW, det_ctx, history, load, surge


@pytest.fixture
def clock():
    return FixedClock(NOW)


def surge_with_customers(at: dt.datetime, n: int, prefix: str = "s") -> list[dict]:
    rows = surge(at, n, prefix)
    for i, row in enumerate(rows):
        # a few customers complain twice: one affected customer each
        row.update(
            customer_ref=f"C{prefix}{i % (n - 5)}",
            customer_name="王" if i % 2 else "Emily Lee",
            contact=f"1380000{i % (n - 5):04d}",
        )
    return rows


def count(s, model, **where) -> int:
    q = select(func.count()).select_from(model)
    for key, value in where.items():
        q = q.where(getattr(model, key) == value)
    return s.scalar(q) or 0


def test_detection_drafts_the_facts_and_schedules_callbacks(store, clock):
    ctx = det_ctx(clock)
    assert ctx.config.wording.draft_on_detection and ctx.config.callbacks.from_complaints  # the example config
    load(
        store,
        ctx,
        history(5, NOW - dt.timedelta(minutes=10)) + surge_with_customers(NOW - dt.timedelta(minutes=10), 80),
    )
    report = jobs.score_volumes(store, ctx)
    assert len(set(report.opened)) == 1
    iid = report.opened[0]
    assert report.drafted == [iid] and report.customers == 75 and report.callbacks == 75
    with store.transaction() as s:
        inc = s.get(Incident, iid)
        sheet = s.scalars(select(FactSheet).where(FactSheet.incident_id == iid)).one()
        assert sheet.status == "in_review" and sheet.author == "system" and sheet.version == 1
        what = sheet.content["what"]
        assert "APP" in what["zh-CN"] and "app" in what["en"]
        assert all(
            sheet.content[f][lang] for f in ("what", "scope", "fix", "support_channel") for lang in ("zh-CN", "en")
        )
        # the regions the surge came from, in the scope
        assert all(region in sheet.content["scope"]["zh-CN"] for region in inc.scope_regions)
        # approving it follows the usual four eyes: a comms lead, not the system
        emily = Context(ctx.config, "emily", clock)
        workflow.approve_sheet(s, emily, iid)
        assert sheet.status == "approved"
        # every customer called back once, within the ordinary deadline, assigned to an agent
        assert count(s, AffectedCustomer, incident_id=iid) == 75
        cbs = s.scalars(select(Callback).where(Callback.incident_id == iid)).all()
        assert len(cbs) == 75 and len({c.customer_id for c in cbs}) == 75
        assert all(c.assignee in ("wangfang", "zhoumin") for c in cbs)
        from incident import incidents

        types = [e.type for e in incidents.get(s, iid).events]
        assert "facts_drafted" in types and "facts_submitted" in types and "callbacks_scheduled" in types
    # the next bucket of the same surge: only newcomers are added, the sheet is not drafted again
    clock.advance(minutes=5)
    load(store, ctx, surge_with_customers(NOW - dt.timedelta(seconds=1), 40, prefix="t"))
    clock.advance(minutes=5)
    later = jobs.score_volumes(store, ctx)
    assert later.drafted == []
    with store.transaction() as s:
        assert count(s, FactSheet, incident_id=iid) == 1
        added = count(s, AffectedCustomer, incident_id=iid) - 75
        assert added == later.customers
        assert count(s, Callback, incident_id=iid) == 75 + added
    # scoring again with nothing new: nothing added twice
    again = jobs.score_volumes(store, ctx)
    assert again.customers == 0 and again.callbacks == 0


def test_switched_off_nothing_is_prepared(store, clock):
    ctx = det_ctx(clock)
    config = ctx.config.model_copy(
        update={
            "wording": ctx.config.wording.model_copy(update={"draft_on_detection": False}),
            "callbacks": ctx.config.callbacks.model_copy(update={"from_complaints": False}),
        }
    )
    ctx = Context(config, "detector", clock)
    load(
        store,
        ctx,
        history(5, NOW - dt.timedelta(minutes=10)) + surge_with_customers(NOW - dt.timedelta(minutes=10), 80),
    )
    report = jobs.score_volumes(store, ctx)
    assert len(report.opened) == 1 and report.drafted == [] and report.customers == 0
    with store.transaction() as s:
        assert count(s, FactSheet) == 0 and count(s, AffectedCustomer) == 0 and count(s, Callback) == 0


def test_an_upstream_outage_gets_a_draft_but_no_customers(store, clock):
    """Linking complainants needs complaint signals: an upstream status-page
    incident must not sweep in every customer who complained recently."""
    from incident.watch import prepare

    ctx = det_ctx(clock)
    load(store, ctx, surge_with_customers(NOW - dt.timedelta(minutes=30), 20))
    with store.transaction() as s:
        from incident import response

        inc = response.declare(s, ctx, kind="system_outage", severity="SEV2", title="支付服务商故障")
        iid = inc.id
    done = prepare.prepare(store, ctx, [iid], opened={iid})
    assert done.drafted == [iid] and done.customers == 0
    with store.transaction() as s:
        assert count(s, AffectedCustomer) == 0
        sheet = s.scalars(select(FactSheet)).one()
        assert sheet.status == "in_review" and "我们的服务" in sheet.content["what"]["zh-CN"]


@pytest.mark.parametrize(
    ("regions", "en_scope"),
    [
        (["上海", "南京"], "Some customers; we are confirming the extent."),
        (["Shanghai", "上海"], "Some customers; we are confirming the extent."),  # never narrowed to the Latin one
        (["Shanghai"], "Some customers of Shanghai, our app."),
        ([], "Some customers of our app."),
    ],
)
def test_the_english_first_draft_names_no_chinese_place(store, clock, regions, en_scope):
    # Issue 22 point 6: "Some customers of 上海, 南京…" in the English draft.
    from incident import response
    from incident.watch.prepare import first_draft

    ctx = det_ctx(clock)
    with store.transaction() as s:
        inc = response.declare(s, ctx, kind="system_outage", severity=2, title="t", channels=["app"], regions=regions)
        draft = first_draft(s, ctx, inc)
    assert draft["scope"]["en"] == en_scope
    assert all(r in draft["scope"]["zh-CN"] for r in regions)
