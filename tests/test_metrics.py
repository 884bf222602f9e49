"""/healthz and /metrics (Prometheus text format) over a real server."""

from __future__ import annotations

import dataclasses
import datetime as dt

import httpx
from sqlalchemy import func, select

from incident import incidents, response
from incident.access import tokens
from incident.models import Delivery, FeedSourceState, Signal
from incident.web.app import create_app
from tests.factories import approved_sheet
from tests.webserver import LiveServer
from tests.webutil import add_user, login, web_runtime


def _parse(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_health_and_metrics(db_url, config, clock, ctx, monkeypatch, tmp_path):
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "viewer1", "viewer")
    lead = dataclasses.replace(ctx, actor="zhangwei")
    now = clock.now()
    with rt.store.transaction() as s:
        a = response.declare(s, lead, kind="system_outage", severity=2, title="APP 登录失败")
        response.declare(s, lead, kind="system_outage", severity=3, title="支付慢")
        c = response.declare(s, lead, kind="public_opinion", severity=2, title="微博热议")
        response.change_status(s, lead, c.id, "resolved")
        for i in range(3):
            s.add(
                Signal(
                    series_key=f"complaints/x={i}",
                    bucket_start=now - dt.timedelta(minutes=5 * i),
                    created_at=now - dt.timedelta(minutes=i),
                    kind="system_outage",
                    severity=2,
                    action="opened",
                    incident_id=a.id,
                    detail={},
                )
            )
        s.add(
            Signal(
                series_key="complaints/old",
                bucket_start=now - dt.timedelta(hours=2),
                created_at=now - dt.timedelta(hours=2),
                kind="other",
                severity=4,
                action="recorded",
                detail={},
            )
        )
        s.add(
            FeedSourceState(
                name="weibo",
                url="http://127.0.0.1:1/x",
                polls=5,
                consecutive_failures=3,
                last_error_key="feed.error.timeout",
            )
        )
        s.add(FeedSourceState(name="news", url="http://127.0.0.1:1/y", polls=5, consecutive_failures=0))
    approved_sheet(rt.store, lead, a.id)
    from incident.wording import workflow

    with rt.store.transaction() as s:
        workflow.draft_statement(s, dataclasses.replace(ctx, actor="emily"), a.id, kind="holding", channels="sms,weibo")
        workflow.submit_statement(s, dataclasses.replace(ctx, actor="emily"), a.id, 1)
        workflow.approve_statement(s, dataclasses.replace(ctx, actor="sunli"), a.id, 1, publish_now=True)
    from incident.remedy import callbacks, customers

    with rt.store.transaction() as s:
        customers.add_one(s, lead, a.id, {"customer_ref": "C1", "name": "张三"})
        callbacks.schedule(s, lead, incidents.get(s, a.id))
    with rt.store.read() as s:
        pending = dict(
            s.execute(
                select(Delivery.channel, func.count()).where(Delivery.status == "pending").group_by(Delivery.channel)
            ).all()
        )
    assert pending  # publishing queued deliveries (the public channels at least)
    # the scraper's own token (issue 21: being on this host no longer lets it in)
    add_user(rt, "prometheus", "viewer", password=None)
    with rt.store.transaction() as s:
        scraper = {"Authorization": "Bearer " + tokens.create(s, "prometheus", "scraper", clock.now())[1]}
    with LiveServer(create_app(rt)) as srv:
        health = httpx.get(srv.base + "/healthz")
        assert health.status_code == 200 and health.json()["database"] == "ok"
        assert health.json()["schema"] == health.json()["expected"]
        assert httpx.get(srv.base + "/metrics").status_code == 401  # on this host, but no token
        r = httpx.get(srv.base + "/metrics", headers=scraper)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
        m = _parse(r.text)
        assert m['incident_open{kind="system_outage"}'] == 2
        assert m['incident_open{kind="public_opinion"}'] == 0 and m['incident_open{kind="batch_complaint"}'] == 0
        assert m["incident_signals_per_minute"] == 0.3  # 3 in the last 10 minutes
        assert m['incident_signals_total{action="opened"}'] == 3 and m['incident_signals_total{action="recorded"}'] == 1
        assert m['incident_source_consecutive_failures{source="weibo"}'] == 3 and m["incident_sources_failing"] == 1
        assert m["incident_callbacks_overdue"] == 0
        clock.advance(days=3)  # the unfinished-business call (24 h) is overdue now, the signals old
        later = _parse(httpx.get(srv.base + "/metrics", headers=scraper).text)
        assert later["incident_callbacks_overdue"] == 1 and later["incident_signals_per_minute"] == 0
        assert {k: v for k, v in m.items() if k.startswith("incident_outbox_backlog")} == {
            f'incident_outbox_backlog{{channel="{c}"}}': n for c, n in pending.items()
        }
        assert "# TYPE incident_open gauge" in r.text and "# TYPE incident_signals_total counter" in r.text
        # from elsewhere it needs a token or a session: a signed-in viewer may read it
        assert httpx.get(srv.base + "/metrics", headers={"Origin": "http://evil.example"}).status_code == 401
        viewer, _ = login(srv.base, "viewer1")
        assert viewer.get("/metrics").status_code == 200
