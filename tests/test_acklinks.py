"""Acknowledge links in notifications: a called-in person acknowledges
from the link without signing in; the link works once, expires, and only
for the role its holder still holds. Real HTTP on 127.0.0.1, injected clock."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from incident import acklinks, escalation, incidents, response
from incident.models import RoleAssignment, TimelineEvent
from incident.models_people import AckLink
from incident.notify import deliver_due
from incident.notify_channels import ConsoleNotifier
from incident.runtime import Runtime
from incident.web.app import create_app
from tests.webserver import LiveServer

LINK = re.compile(r"(https?://\S+/ack/[A-Za-z0-9_\-]+)")


def _runtime(db_url, ctx, tmp_path):
    rt = Runtime.build(database_url=db_url)
    rt.clock = ctx.clock
    rt.config = ctx.config
    rt.settings = rt.settings.model_copy(update={"data_dir": tmp_path})
    return rt


def _deliver(store, ctx) -> dict[str, list[str]]:
    """Send what is queued; each recipient's name → the links they got."""
    out = io.StringIO()
    deliver_due(
        store,
        ctx.config,
        {"console": ConsoleNotifier(out)},
        ctx.clock.now,
        links=lambda s: acklinks.link_maker(s, ctx.config, ctx.clock.now()),
    )
    got: dict[str, list[str]] = {}
    for line in out.getvalue().splitlines():
        name = line.split("→ ", 1)[1].split("]", 1)[0]
        got.setdefault(name, []).extend(urlsplit(u).path for u in LINK.findall(line))
    return got


def _holder(store, iid, role):
    with store.transaction() as s:
        return s.scalars(
            select(RoleAssignment).where(
                RoleAssignment.incident_id == iid, RoleAssignment.role == role, RoleAssignment.ended_at.is_(None)
            )
        ).one()


def test_acknowledge_from_the_link_once(store, ctx, db_url, tmp_path):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    links = _deliver(store, ctx)
    tech = _holder(store, iid, "tech_liaison")
    [path] = links["赵磊"]
    with store.transaction() as s:  # only the token's hash is kept
        stored = s.scalars(select(AckLink).where(AckLink.person == "zhaolei")).one()
        assert path.rsplit("/", 1)[1] not in stored.token_hash and len(stored.token_hash) == 64
    rt = _runtime(db_url, ctx, tmp_path)
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, follow_redirects=True) as web:
        page = web.get(path)  # opening the link changes nothing
        assert page.status_code == 200 and "确认您担任 INC-" in page.text and "技术对接人" in page.text
        assert _holder(store, iid, "tech_liaison").acked_at is None
        done = web.post(path)
        assert done.status_code == 200 and "已确认：赵磊" in done.text
        assert _holder(store, iid, "tech_liaison").acked_by == "zhaolei"
        again = web.post(path)
        assert again.status_code == 410 and "已经用过了" in again.text
        assert web.post("/ack/not-a-real-token").status_code == 404
        assert web.get(path[:-3] + "xyz").status_code == 404  # a changed token is no token
    with store.transaction() as s:
        ev = s.scalars(
            select(TimelineEvent).where(TimelineEvent.incident_id == iid, TimelineEvent.type == "acknowledged")
        ).one()
        assert ev.actor == "zhaolei" and ev.data["role"] == "tech_liaison" and "recorded_by" not in ev.data
    assert tech.person == "zhaolei"


def test_expired_reassigned_and_english_links(store, ctx, clock, db_url, tmp_path):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    links = _deliver(store, ctx)
    comms = _holder(store, iid, "comms_lead")
    assert comms.person == "emily"  # English speaker
    cs = _holder(store, iid, "cs_lead")
    rt = _runtime(db_url, ctx, tmp_path)
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, follow_redirects=True) as web:
        [emily] = links["Emily Carter"]
        page = web.get(emily)  # in her language, frame and all
        assert "acknowledge that you are comms lead" in page.text and '<html lang="en"' in page.text
        # a Chinese holder's page in English when asked (the page's own language switch)
        asked = web.get(links[cs.person_name][0], params={"lang": "en"}).text
        assert "acknowledge that you are" in asked and "Acknowledge: I am on it" in asked
        # the cs role goes to someone else: the first holder's link no longer works
        cs_name = cs.person_name
        with store.transaction() as s:
            other = "wangfang" if cs.person != "wangfang" else "zhoumin"
            incidents.assign(s, ctx, iid, "cs_lead", other)
        refused = web.post(links[cs_name][0])
        assert refused.status_code == 410 and "已不由您担任" in refused.text
        clock.advance(hours=24)  # [response] ack_link_hours
        late = web.post(emily)
        assert late.status_code == 410 and "expired" in late.text and "incident ack INC-1 comms_lead" in late.text
    assert _holder(store, iid, "comms_lead").acked_at is None


def test_the_overdue_reminder_carries_a_fresh_link(store, ctx, clock, db_url, tmp_path):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    _deliver(store, ctx)
    clock.advance(minutes=10)
    with store.transaction() as s:
        escalation.sweep(s, ctx)
    links = _deliver(store, ctx)
    [reminder] = links["赵磊"]  # the holder's reminder; the supervisor's notice has none
    assert not links.get("刘洋")
    rt = _runtime(db_url, ctx, tmp_path)
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, follow_redirects=True) as web:
        assert web.post(reminder).status_code == 200
    assert _holder(store, iid, "tech_liaison").acked_at == clock.now()
