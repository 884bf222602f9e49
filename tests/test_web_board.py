"""The incident board: grouping and paging of open incidents, the volume
chart of the triggering series, unknown incidents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from incident import incidents, response
from incident.models import Signal, VolumePoint, VolumeSeries
from incident.web import boardview
from incident.web.app import create_app
from tests.webserver import LiveServer
from tests.webutil import add_user, login, web_runtime


def test_board_groups_pages_and_charts(db_url, config, clock, ctx):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    lead = dataclasses.replace(ctx, actor="zhangwei")
    now = clock.now()
    with rt.store.transaction() as s:
        for i in range(boardview.PAGE + 5):
            response.declare(s, lead, kind="batch_complaint", severity=3 if i else 1, title=f"网点投诉 {i}")
        detected = response.declare(s, lead, kind="system_outage", severity=2, title="APP 登录失败")
        resolved = response.declare(s, lead, kind="other", severity=1, title="已解决的事件")
        response.change_status(s, lead, resolved.id, "resolved")
        series = VolumeSeries(
            key="complaints/topic=login",
            family="complaints",
            dimension="topic",
            value="login",
            bucket_seconds=300,
            next_bucket_at=now,
            detector_state={},
            daily_state={},
            day_total=0,
            created_at=now,
        )
        s.add(series)
        s.flush()
        start = now - dt.timedelta(hours=6)
        for k in range(72):
            at = start + dt.timedelta(minutes=5 * k)
            s.add(
                VolumePoint(
                    series_id=series.id,
                    bucket_start=at,
                    value=40.0 if k >= 70 else 3.0,
                    baseline=3.0,
                    score=0.999 if k >= 70 else 0.1,
                    alert=k >= 70,
                )
            )
        s.add(
            Signal(
                series_key="complaints/topic=login",
                bucket_start=start + dt.timedelta(minutes=350),
                created_at=now,
                kind="system_outage",
                severity=2,
                observed=40,
                baseline=3,
                score=0.999,
                action="opened",
                incident_id=detected.id,
                detail={
                    "title": "登录投诉激增",
                    "samples": [{"type": "complaint", "text": "APP 登录不了", "branch": "杭州"}],
                },
            )
        )
        s.add(  # an upstream status page's entry: no series, no counts to show
            Signal(
                series_key="feed/statuspage#entry-1",
                bucket_start=start + dt.timedelta(minutes=355),
                created_at=now,
                kind="system_outage",
                severity=2,
                observed=0,
                baseline=0,
                score=1.0,
                action="attached",
                incident_id=detected.id,
                detail={"title": "上游状态页：支付通道故障"},
            )
        )
    with LiveServer(create_app(rt)) as srv:
        client, _ = login(srv.base, "zhangwei")
        html = client.get("/").text
        total = boardview.PAGE + 6  # the resolved one is not on the board
        assert f"进行中的事件（{total}）" in html
        assert f"显示 {boardview.PAGE} / 共 {total}" in html and 'href="/?page=2"' in html
        # most severe first: the SEV1 group heads the list and is the default choice
        assert html.index(">SEV1</h2>") < html.index(">SEV2</h2>") < html.index(">SEV3</h2>")
        assert '<span class="muted">INC-1</span> <span class="title">网点投诉 0</span>' in html
        assert "已解决的事件" not in html
        # the clock and the acknowledgements owed are two phrases, not 「剩余 59分钟5 个角色待确认」
        assert re.search(r"分钟</span> · <span class=\"warn\">\d+ 个角色待确认", html)
        page2 = client.get("/?page=2").text
        # page 2: the last six SEV3 incidents (INC-100 … INC-105), nothing from page 1
        card = '<span class="muted">INC-{}</span> <span class="title">网点投诉 {}</span>'
        assert all(card.format(n, n - 1) in page2 for n in range(100, 106))
        assert card.format(99, 98) not in page2 and card.format(99, 98) in html
        det = client.get(f"/incidents/{detected.id}")
        assert det.status_code == 200 and det.headers["server-timing"].startswith("app;dur=")
        body = det.text
        assert body.count("<svg") == 1 and body.count('class="alert"') == 2  # the two alerting buckets
        # the chart zooms on the surge (3 h before the first alert, 38 of the 72 buckets), the
        # whole six hours as an overview inside the same SVG; legend and hover in the page's language
        chart = body.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert "放大显示 11-24 06:50 起 · 首次告警 11-24 09:50" in chart and 'class="overview"' in chart
        assert chart.count('class="hit"') == 38 and "<title>11-24 09:50　实际量 40，基线 3.0（告警）</title>" in chart
        assert all(f">{word}</text>" in chart for word in ("实际量", "基线", "告警"))
        assert "APP 登录不了" in body and "杭州" in body
        # the series in words, the signal's action labelled: no raw key or code in a zh page
        assert "投诉量（主题=login）" in body and "complaints/topic=login" not in body
        assert "实际 40 / 基线 3.0 · 已开事件" in body
        assert "信号（2）" in body
        upstream = body.split("上游状态页：支付通道故障", 1)[1].split("</p>", 1)[0]
        assert "已并入事件" in upstream and "实际" not in upstream and "基线" not in upstream
        # the lead edits the incident's words from the page
        token = body.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        r = client.post(
            f"/incidents/{detected.id}/update",
            data={"csrf": token, "title": "APP 登录失败（华东）", "summary": "", "impact": "约 3 万客户无法登录"},
        )
        after = client.get(r.headers["location"]).text
        assert "已更新" in after and "APP 登录失败（华东）" in after and "约 3 万客户无法登录" in after
        assert 'data-refresh="60"' in after  # the board reloads itself (app.js), not under a typing hand
        # a resolved incident owes no acknowledgement: no clock counts down or up
        done = client.get(f"/incidents/{resolved.id}").text
        group = done.split("<h2>专项小组</h2>", 1)[1].split("</table>", 1)[0]
        assert group.count("事件已结束，无需再确认") >= 4 and "剩余" not in group and "已超时" not in group
        missing = client.get("/incidents/99999")
        assert missing.status_code == 404 and "99999" in missing.text


def test_declaring_from_the_board_takes_the_scope_and_assigning_keeps_the_group_in_order(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as srv:
        client, token = login(srv.base, "zhangwei")
        page = client.get("/").text
        for name in ("regions", "products", "channels", "started_at"):
            assert f'name="{name}"' in page
        r = client.post(
            "/incidents",
            data={
                "csrf": token,
                "kind": "system_outage",
                "severity": "2",
                "title": "APP 登录失败",
                "regions": "华东，华南",
                "products": "顺丰标快",
                "channels": "app, phone",
                "started_at": "2026-11-24T09:30",
            },
        )
        assert r.status_code == 303 and r.headers["location"] == "/incidents/1"
        assert "已宣布 INC-1" in client.get("/incidents/1").text
        with rt.store.read() as s:
            inc = incidents.get(s, 1)
            assert (inc.scope_regions, inc.scope_products, inc.scope_channels) == (
                ["华东", "华南"],
                ["顺丰标快"],
                ["app", "phone"],
            )
            # typed as centre time (Asia/Shanghai): 01:30 UTC
            assert inc.started_at == dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.timezone.utc)
        detail = client.get("/incidents/1").text
        form = detail.split('id="assign-form"', 1)[1].split("</form>", 1)[0]
        # nobody is preselected: one stray click cannot make someone the lead
        assert 'name="person" required><option value="">— 请选择 —</option>' in form
        assert "selected" not in form
        group = detail.split("<h2>专项小组</h2>", 1)[1].split("</table>", 1)[0]
        assert group.split("</tr>", 2)[1].count("事件负责人") == 1  # the lead's row comes first
        client.post("/incidents/1/assign", data={"csrf": token, "role": "incident_lead", "person": "sunli"})
        group = client.get("/incidents/1").text.split("<h2>专项小组</h2>", 1)[1].split("</table>", 1)[0]
        first_row = group.split("</tr>", 2)[1]
        assert "事件负责人" in first_row and "孙丽" in first_row, first_row  # re-assigned, still first
