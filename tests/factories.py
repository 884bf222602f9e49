"""Builders the tests share: an incident declared through the use cases,
an approved fact sheet, affected customers with their callbacks, and a
closed login outage with its complaints. One place, so that a change to
how these are made is made once."""

import dataclasses

from conftest import NOW
from sqlalchemy import select

from incident import response
from incident.models import AffectedCustomer, Callback, Complaint, Incident, Signal
from incident.remedy import callbacks, customers
from incident.wording import factsheet, workflow

FULL = {
    "public_title": "部分客户 APP 登录异常",
    "public_title.en": "Some customers cannot log in to the app",
    # WeChat's fields hold 20 characters: the English title needs a short form.
    "wechat_keyword1.en": "App login problem",
    "what": "APP 登录失败，部分客户无法下单",
    "what.en": "Some customers cannot log in to the app or place orders",
    "scope": "华东地区使用 APP 的客户",
    "scope.en": "app customers in East China",
    "fix": "技术人员已定位问题并正在修复",
    "fix.en": "Our engineers have found the fault and are fixing it",
    "support_channel": "客服热线专席 95311 转 8",
    "support_channel.en": "our dedicated line 95311, option 8",
    "compensation": "受影响客户可领取 20 元优惠券",
    "compensation.en": "Affected customers can claim a 20 yuan coupon",
    "compensation_amount": 20,
    "dos": ["先致歉，再说明处理进度"],
    "dos.en": ["Apologise first, then give the progress"],
    "donts": ["不要猜测原因"],
    "donts.en": ["Do not guess the cause"],
}


def as_(ctx, who):
    return dataclasses.replace(ctx, actor=who)


def declare(store, ctx, kind="system_outage", severity=2, title="APP 登录失败"):
    with store.transaction() as s:
        return response.declare(s, ctx, kind=kind, severity=severity, title=title).id


def approved_sheet(store, ctx, iid, changes=FULL, author="tester", approver="emily"):
    with store.transaction() as s:
        factsheet.edit(s, as_(ctx, author), iid, changes)
    with store.transaction() as s:
        workflow.submit_sheet(s, as_(ctx, author), iid)
    with store.transaction() as s:
        return workflow.approve_sheet(s, as_(ctx, approver), iid).version


# What last time's customers said (one gave a phone number and a name in
# the text; intake masked the number, the harvest must not keep the name).
SAMPLES = [
    "APP登录不上，验证码收不到",
    "登录失败，一直提示服务器繁忙",
    "APP登录不上，验证码收不到",
    "The app keeps saying login failed",
]
NAMED = "我是张三，APP 登录失败三次了，电话****5678，订单 7788990011223"


def sampled_signal(incident_id, texts, key="complaints/category=系统"):
    """The signal detection opened the incident with, carrying what
    customers said as its samples (what agents' search and the harvest read)."""
    return Signal(
        series_key=key,
        bucket_start=NOW,
        created_at=NOW,
        kind="system_outage",
        severity=2,
        action="opened",
        incident_id=incident_id,
        detail={"samples": [{"type": "complaint", "id": f"T{i}", "text": x} for i, x in enumerate(texts)]},
    )


def login_outage(store, ctx, close=True):
    """An app-login outage with an approved sheet, customers' complaints
    (sampled by its signal, and one linked through an affected customer),
    resolved and closed."""
    iid = declare(store, ctx)
    with store.transaction() as s:
        s.add(sampled_signal(iid, SAMPLES))
        c = Complaint(
            external_id="T-named",
            received_at=NOW,
            channel="phone",
            request_type="complaint",
            category="系统",
            product="APP",
            text=NAMED,
            customer_ref="C-1",
            customer_name="张三",
            contact="****5678",
            source="test",
            ingested_at=NOW,
        )
        s.add(c)
        s.flush()
        s.add(
            AffectedCustomer(
                incident_id=iid,
                customer_ref="C-1",
                name="张三",
                title="先生",
                contact="****5678",
                complaint_id=c.id,
                source="complaint",
                added_by="tester",
                added_at=NOW,
            )
        )
    approved_sheet(store, ctx, iid)
    if close:
        close_incident(store, ctx, iid)
    return iid


def close_incident(store, ctx, iid):
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "resolved")
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "closed")


def make_callbacks(store, ctx, iid, refs):
    """Affected customers with their callbacks, all in the cs team."""
    with store.transaction() as s:
        customers.ingest(
            s,
            ctx,
            iid,
            [
                (n, {"customer_ref": ref, "name": name, "title": "女士", "contact": f"1380000{n:04d}"})
                for n, (ref, name) in enumerate(refs, start=1)
            ],
            source="import",
        )
        callbacks.schedule(s, ctx, s.get(Incident, iid))
        callbacks.assign(s, ctx)
    with store.read() as s:
        return {
            ref: (cid, who)
            for cid, who, ref in s.execute(
                select(Callback.id, Callback.assignee, AffectedCustomer.customer_ref).join(
                    AffectedCustomer, AffectedCustomer.id == Callback.customer_id
                )
            )
        }
