"""Fact sheets, four-eyes approval, statements rendered from the approved
sheet, staleness, publishing through the outbox and the response clocks."""

import pytest
from sqlalchemy import select

from incident import escalation, incidents, response
from incident.errors import ConflictError, InputError, NotFoundError
from incident.models import Delivery, ResponseClock, TimelineEvent
from incident.wording import authoring, factsheet, workflow
from tests.factories import FULL, approved_sheet, as_, declare  # noqa: F401  (also imported from here by older tests)


def events(store, iid, type_):
    with store.transaction() as s:
        return [e for e in s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == iid)) if e.type == type_]


def test_fact_sheet_versions_and_four_eyes(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        sheet = factsheet.edit(s, as_(ctx, "emily"), iid, FULL)
        assert sheet.version == 1 and sheet.status == "draft"
        assert sheet.content["what"]["zh-CN"].startswith("APP")
    with store.transaction() as s:
        workflow.submit_sheet(s, as_(ctx, "emily"), iid)
    # The author cannot approve her own wording …
    with store.transaction() as s, pytest.raises(ConflictError) as exc:
        workflow.approve_sheet(s, as_(ctx, "emily"), iid)
    assert exc.value.key == "wording.error.four_eyes"
    # … nor can someone without a comms sign-off role (an agent on the floor).
    with store.transaction() as s, pytest.raises(ConflictError) as exc:
        workflow.approve_sheet(s, as_(ctx, "wangfang"), iid)
    assert exc.value.key == "wording.error.not_approver"
    assert "sunli" in exc.value.message("en")
    # Nor someone outside the roster.
    with store.transaction() as s, pytest.raises(InputError):
        workflow.approve_sheet(s, as_(ctx, "mallory"), iid)
    with store.transaction() as s:
        sheet = workflow.approve_sheet(s, as_(ctx, "sunli"), iid)
        assert sheet.status == "approved"
    # Editing the approved sheet starts version 2; v1 stays in force meanwhile.
    with store.transaction() as s:
        v2 = factsheet.edit(
            s, as_(ctx, "emily"), iid, {"cause": "认证服务数据库故障", "cause.en": "a sign-in database fault"}
        )
        assert v2.version == 2 and v2.status == "draft"
        assert factsheet.approved(s, iid).version == 1
    types = [e.type for e in events(store, iid, "facts_approved")]
    assert types == ["facts_approved"]


def test_submit_requires_both_languages(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        factsheet.edit(s, ctx, iid, {"what": "APP 登录失败", "fix": "修复中"})
    with store.transaction() as s, pytest.raises(InputError) as exc:
        workflow.submit_sheet(s, ctx, iid)
    msg = exc.value.message("en")
    assert "what.en" in msg and "fix.en" in msg and "scope.zh-CN" in msg


def test_lint_errors_block_approval(store, ctx):
    iid = declare(store, ctx)
    bad = {**FULL, "fix": "我们保证今天肯定修好"}
    with store.transaction() as s:
        factsheet.edit(s, ctx, iid, bad)
    with store.transaction() as s:
        _, findings = workflow.submit_sheet(s, ctx, iid)
    assert any(f["rule"] == "absolute_promise" and f["field"] == "fix" for f in findings)
    with store.transaction() as s, pytest.raises(ConflictError) as exc:
        workflow.approve_sheet(s, as_(ctx, "emily"), iid)
    assert exc.value.key == "wording.error.lint_blocks"


def test_public_opinion_sev1_needs_legal_too(store, ctx):
    iid = declare(store, ctx, kind="public_opinion", severity=1, title="微博热议配送延误")
    with store.transaction() as s:
        factsheet.edit(s, ctx, iid, FULL)
        workflow.submit_sheet(s, ctx, iid)
    with store.transaction() as s:
        sheet = workflow.approve_sheet(s, as_(ctx, "emily"), iid)  # comms
        assert sheet.status == "in_review"
    assert len(events(store, iid, "facts_signed")) == 1
    with store.transaction() as s:
        sheet = workflow.approve_sheet(s, as_(ctx, "sunli"), iid)  # legal
        assert sheet.status == "approved"


def test_statement_rendered_from_approved_sheet_and_stale_after_new_version(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s, pytest.raises(ConflictError):
        workflow.draft_statement(s, ctx, iid)  # nothing approved yet
    approved_sheet(store, ctx, iid)
    with store.transaction() as s:
        st = workflow.draft_statement(s, ctx, iid, kind="holding")
        number = st.number
        zh_sms = st.rendered["zh-CN"]["sms"]["text"]
        en_mail = st.rendered["en"]["email"]
        assert (
            zh_sms.startswith(ctx.config.wording.channels.sms_signature)
            and "95311 转 8" in zh_sms
            and "20 元优惠券" in zh_sms
        )
        # No cause in the sheet → the statement says it is being investigated; no ETA → DOMAIN.md §2's wording.
        assert "原因正在排查中" in zh_sms and "我们会持续跟进修复进度，第一时间反馈给您" in zh_sms
        assert "95311, option 8" in en_mail["text"] and "<p>" in en_mail["html"]
        assert set(st.rendered["zh-CN"]) == {"status_page", "sms", "weibo", "wechat", "x", "email"}
        assert st.rendered["zh-CN"]["sms"]["counts"]["encoding"] == "UCS-2"
        assert [f for f in st.findings if f["severity"] == "error"] == []
    with store.transaction() as s:
        workflow.submit_statement(s, ctx, iid, number)
    # A new fact-sheet version is approved: the statement goes stale with the diff.
    approved_sheet(store, ctx, iid, {"cause": "认证服务数据库故障", "cause.en": "a sign-in database fault"})
    with store.transaction() as s:
        st = workflow.get_statement(s, iid, number)
        assert st.stale
        assert {(d["field"], d["lang"]) for d in st.stale_diff} == {("cause", "zh-CN"), ("cause", "en")}
        assert st.stale_diff[0]["old"] == "" and st.stale_diff[0]["new"] == "认证服务数据库故障"
    with store.transaction() as s, pytest.raises(ConflictError) as exc:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, number)
    assert exc.value.key == "wording.error.stale"
    assert len(events(store, iid, "statements_stale")) == 1
    # Drafted again, it carries the new cause.
    with store.transaction() as s:
        st2 = workflow.draft_statement(s, ctx, iid, kind="update")
        assert "认证服务数据库故障" in st2.rendered["zh-CN"]["sms"]["text"] and st2.fact_version == 2


def test_publish_writes_deliveries_once_and_starts_the_next_clock(store, ctx, clock):
    iid = declare(store, ctx)
    with store.transaction() as s:
        authoring.add_subscriber(s, ctx, "email", "a@example.com", "zh-CN")
        authoring.add_subscriber(s, ctx, "email", "b@example.com", "en")
        authoring.add_subscriber(s, ctx, "sms", "CUST-0001", "zh-CN")
    approved_sheet(store, ctx, iid)
    with store.transaction() as s:
        number = workflow.draft_statement(s, ctx, iid, kind="holding").number
        workflow.submit_statement(s, ctx, iid, number)
    # An agent cannot publish, even a correctly approved statement.
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, number)
    with store.transaction() as s, pytest.raises(ConflictError):
        workflow.publish_statement(s, as_(ctx, "wangfang"), iid, number)
    clock.advance(minutes=20)
    with store.transaction() as s:
        st = workflow.publish_statement(s, as_(ctx, "emily"), iid, number)
        assert st.status == "published"
        assert st.next_update_due_at == clock.now() + ctx.config.wording.update_interval(
            incidents.get(s, iid).severity_enum
        )
    with store.transaction() as s:
        workflow.publish_statement(s, as_(ctx, "emily"), iid, number)  # a retry is a no-op
        rows = s.scalars(select(Delivery).order_by(Delivery.id)).all()
        keys = sorted(d.idempotency_key for d in rows)
        assert keys == sorted(
            [
                f"INC-{iid}/S1/email/a@example.com",
                f"INC-{iid}/S1/email/b@example.com",
                f"INC-{iid}/S1/sms/CUST-0001",
                f"INC-{iid}/S1/weibo/@official/zh-CN",
                f"INC-{iid}/S1/x/@official/en",
            ]
        )
        by_key = {d.recipient: d for d in rows}
        assert by_key["b@example.com"].lang == "en" and "Dear customer" in by_key["b@example.com"].payload["text"]
        clocks_ = s.scalars(
            select(ResponseClock).where(ResponseClock.incident_id == iid).order_by(ResponseClock.id)
        ).all()
        assert [(c.kind, c.met_at is not None) for c in clocks_] == [("holding", True), ("update", False)]
    assert len(events(store, iid, "statement_published")) == 1


def test_overdue_holding_clock_escalates_once(store, ctx, clock):
    iid = declare(store, ctx, kind="public_opinion", severity=3, title="网传延误")
    with store.transaction() as s:
        for role in ("lead", "comms", "cs", "business", "scribe"):
            incidents.acknowledge(s, ctx, iid, role)
    clock.advance(minutes=239)
    with store.transaction() as s:
        assert escalation.sweep(s, ctx) == []  # public opinion: 4 hours
    clock.advance(minutes=2)
    with store.transaction() as s:
        done = escalation.sweep(s, ctx)
    assert [(e.clock, e.supervisor) for e in done] == [("holding", "sunli")]
    with store.transaction() as s:
        assert escalation.sweep(s, ctx) == []
    ev = events(store, iid, "clock_overdue")
    assert len(ev) == 1 and ev[0].data["clock"] == "holding"


def test_resolving_stops_the_clocks(store, ctx, clock):
    iid = declare(store, ctx)
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "resolved")
    clock.advance(hours=5)
    with store.transaction() as s:
        assert [e for e in escalation.sweep(s, ctx) if e.clock] == []


def test_retract_cancels_pending_deliveries(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        authoring.add_subscriber(s, ctx, "email", "a@example.com")
    approved_sheet(store, ctx, iid)
    with store.transaction() as s:
        n = workflow.draft_statement(s, ctx, iid, channels="email,status_page").number
        workflow.submit_statement(s, ctx, iid, n)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "sunli"), iid, n, publish_now=True)
    with store.transaction() as s, pytest.raises(InputError):
        workflow.retract_statement(s, as_(ctx, "sunli"), iid, n, "  ")
    with store.transaction() as s:
        workflow.retract_statement(s, as_(ctx, "sunli"), iid, n, "数据有误")
        assert [d.status for d in s.scalars(select(Delivery))] == ["cancelled"]


def test_rejection_sends_back_with_reason(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        factsheet.edit(s, ctx, iid, FULL)
        workflow.submit_sheet(s, ctx, iid)
    with store.transaction() as s, pytest.raises(InputError):
        workflow.reject_sheet(s, as_(ctx, "emily"), iid, "")
    with store.transaction() as s:
        sheet = workflow.reject_sheet(s, as_(ctx, "emily"), iid, "补偿金额待确认")
        assert sheet.status == "draft"
    assert events(store, iid, "facts_rejected")[0].data["reason"] == "补偿金额待确认"


def test_subscriber_validation(store, ctx):
    with store.transaction() as s:
        with pytest.raises(InputError):
            authoring.add_subscriber(s, ctx, "email", "not-an-address")
        with pytest.raises(InputError) as exc:
            authoring.add_subscriber(s, ctx, "sms", "13812345678")
        assert "full phone numbers are never stored" in exc.value.message("en")
        with pytest.raises(InputError):
            authoring.add_subscriber(s, ctx, "pager", "x")
        _, created = authoring.add_subscriber(s, ctx, "email", "a@example.com")
        _, again = authoring.add_subscriber(s, ctx, "email", "a@example.com")
        assert created and not again


def test_fact_sheet_amount_is_exact_to_the_cent(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        factsheet.edit(s, ctx, iid, {"compensation_amount": "12.50"})
        factsheet.edit(s, ctx, iid, {"compensation_amount": "0.1"})
    with store.read() as s:
        sheet = factsheet.latest(s, iid)
        assert sheet is not None and sheet.content["compensation_amount"] == "0.10"
    # Finer than a cent, or not an amount: refused, naming the value (a
    # float's round(1.005, 2) would have stored 1.0, a cent off).
    for bad in ("1.005", "abc", "-3"):
        with store.transaction() as s, pytest.raises(InputError) as exc:
            factsheet.edit(s, ctx, iid, {"compensation_amount": bad})
        assert bad in exc.value.message("en")
    with store.transaction() as s:
        factsheet.edit(s, ctx, iid, {"compensation_amount": 50})
    with store.read() as s:
        sheet = factsheet.latest(s, iid)
        assert sheet is not None and sheet.content["compensation_amount"] == 50


def test_a_missing_sheet_or_version_is_named_in_a_sentence(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        with pytest.raises(NotFoundError) as none:
            factsheet.get_version(s, iid)
        with pytest.raises(NotFoundError) as nine:
            factsheet.get_version(s, iid, 9)
    assert none.value.message("zh-CN") == f"INC-{iid} 还没有口径卡"
    assert nine.value.message("zh-CN") == f"INC-{iid} 没有第 9 版口径卡"  # not 「还没有口径卡9」
    assert nine.value.message("en") == f"INC-{iid} has no fact sheet version 9"
