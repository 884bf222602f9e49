"""The review over real HTTP on 127.0.0.1 (issue 24 points 1 and 4): the
page /incidents/<id>/review with its forms (CSRF, permissions, the
domain's refusals as flash messages), the exports, the follow-up actions
on "waiting for me", and the JSON API with its Pydantic models in
/api/openapi.json."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from incident import response
from incident.access import tokens
from incident.models import Signal, VolumePoint, VolumeSeries
from incident.review import service
from incident.web.app import create_app
from tests.webserver import LiveServer
from tests.webutil import add_user, login, web_runtime

TEXT = {f"{name}.zh-CN": f"{name}：连接池耗尽" for name in service.FIELDS}


def _incident(rt, kind="system_outage", severity=1, resolve=True):
    with rt.store.transaction() as s:
        iid = response.declare(s, rt.ctx, kind=kind, severity=severity, title="APP 登录失败").id
        if resolve:
            response.change_status(s, rt.ctx, iid, "resolved")
    return iid


def _volume(rt, iid):
    """A complaints series that surged: the chart the review shows, its first alert marked."""
    now = rt.clock.now()
    with rt.store.transaction() as s:
        series = VolumeSeries(
            key="complaints", family="complaints", dimension="total", bucket_seconds=300, next_bucket_at=now,
            created_at=now,
        )  # fmt: skip
        s.add(series)
        s.flush()
        for i in range(24):
            at = now - dt.timedelta(minutes=5 * (24 - i))
            surge = i >= 20
            s.add(VolumePoint(series_id=series.id, bucket_start=at, value=90 if surge else 10, baseline=10,
                              score=9 if surge else 0, alert=surge))  # fmt: skip
        s.add(Signal(series_key="complaints", bucket_start=now - dt.timedelta(minutes=20), created_at=now,
                     kind="system_outage", severity=1, action="attached", incident_id=iid))  # fmt: skip


def _flash(client, response) -> str:
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    found = re.search(r'<div class="flash (\w+)"[^>]*>(.*?)</div>', page, re.S)
    assert found, "no flash message"
    return f"{found.group(1)}: {found.group(2)}"


def _token(rt, username, roles, person=None):
    add_user(rt, username, roles, person=person)
    with rt.store.transaction() as s:
        return tokens.create(s, username, "test", rt.clock.now())[1]


def test_the_review_page_its_forms_and_exports(db_url, ctx):
    rt = web_runtime(db_url, ctx.config, ctx.clock)
    for name, roles in (("zhangwei", "lead"), ("zhaolei", "agent"), ("wangfang", "agent"), ("viewer1", "viewer")):
        add_user(rt, name, roles, person=None if name == "viewer1" else name)
    iid = _incident(rt)
    _volume(rt, iid)
    unresolved = _incident(rt, resolve=False)
    with LiveServer(create_app(rt)) as srv:
        lead, lead_csrf = login(srv.base, "zhangwei")
        page = lead.get(f"/incidents/{iid}/review")
        assert page.status_code == 200 and 'id="edit-form"' in page.text and 'id="times-table"' in page.text
        assert f"/incidents/{iid}/review.html" in page.text and 'id="gate"' in page.text
        assert '<svg class="volume"' in page.text and "监测信号" in page.text  # the chart; the first sign
        assert "尚未撰写" in page.text and "第 0 版" not in page.text  # nothing written yet, said in words
        early = lead.get(f"/incidents/{unresolved}/review")
        assert early.status_code == 409 and "解决后才开启复盘" in early.text

        no_csrf = lead.post(f"/incidents/{iid}/review", data={"summary.zh-CN": "x"})
        assert no_csrf.status_code == 403
        saved = lead.post(f"/incidents/{iid}/review", data={"csrf": lead_csrf, "version": "0", **TEXT})
        assert _flash(lead, saved) == "ok: 复盘已保存为第 1 版"
        stale = lead.post(f"/incidents/{iid}/review", data={"csrf": lead_csrf, "version": "0", "summary.en": "x"})
        assert _flash(lead, stale).startswith("error: 复盘已被他人修改")

        closing = lead.post(f"/incidents/{iid}/status", data={"csrf": lead_csrf, "status": "closed"})
        assert "复盘尚未签署" in _flash(lead, closing)  # the close gate, as a flash on the board

        viewer, viewer_csrf = login(srv.base, "viewer1")
        assert viewer.get(f"/incidents/{iid}/review").status_code == 200
        assert viewer.post(f"/incidents/{iid}/review", data={"csrf": viewer_csrf, **TEXT}).status_code == 403
        assert viewer.post(f"/incidents/{iid}/review/sign", data={"csrf": viewer_csrf}).status_code == 403

        other, other_csrf = login(srv.base, "wangfang")  # an agent, but no liaison of this incident
        assert 'id="sign-form"' not in other.get(f"/incidents/{iid}/review").text
        refused = other.post(f"/incidents/{iid}/review/sign", data={"csrf": other_csrf})
        assert _flash(other, refused).startswith("error: wangfang 不能签署")

        tech, tech_csrf = login(srv.base, "zhaolei")
        assert 'id="sign-form"' in tech.get(f"/incidents/{iid}/review").text
        signed = tech.post(f"/incidents/{iid}/review/sign", data={"csrf": tech_csrf, "comment": "同意"})
        assert _flash(tech, signed) == "ok: 复盘签署完成"

        added = lead.post(
            f"/incidents/{iid}/review/actions",
            data={"csrf": lead_csrf, "title": "增加连接池监控", "owner": "wangfang", "due": "2026-12-01"},
        )
        assert _flash(lead, added) == "ok: 改进项 1 已新增"
        me = other.get("/me").text
        assert 'id="action-1"' in me and "增加连接池监控" in me
        not_hers = tech.post(f"/incidents/{iid}/review/actions/1", data={"csrf": tech_csrf, "state": "done"})
        assert not_hers.status_code == 403
        done = other.post(f"/incidents/{iid}/review/actions/1", data={"csrf": other_csrf, "state": "done"})
        assert _flash(other, done) == "ok: 改进项 1：已完成"
        assert 'id="action-1"' not in other.get("/me").text

        closed = lead.post(f"/incidents/{iid}/status", data={"csrf": lead_csrf, "status": "closed"})
        assert _flash(lead, closed).startswith("ok")

        md = lead.get(f"/incidents/{iid}/review.md")
        assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
        assert f"# INC-{iid} 复盘" in md.text and "签署完成" in md.text
        html = lead.get(f"/incidents/{iid}/review.html", params={"lang": "en"})
        assert "@media print" in html.text and "Root cause" in html.text and "review version 1 signed off" in html.text
        assert "default-src 'none'" in html.headers["content-security-policy"]


def test_the_review_and_actions_api(db_url, ctx):
    rt = web_runtime(db_url, ctx.config, ctx.clock)
    lead = {"Authorization": f"Bearer {_token(rt, 'zhangwei', 'lead', person='zhangwei')}"}
    tech = {"Authorization": f"Bearer {_token(rt, 'zhaolei', 'agent', person='zhaolei')}"}
    owner = {"Authorization": f"Bearer {_token(rt, 'wangfang', 'agent', person='wangfang')}"}
    viewer = {"Authorization": f"Bearer {_token(rt, 'viewer1', 'viewer')}"}
    iid = _incident(rt, resolve=False)
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, timeout=30, headers=lead) as api:
        early = api.get(f"/api/incidents/{iid}/review")
        assert early.status_code == 409 and early.json()["error"] == "review.error.not_resolved"
        assert api.post(f"/api/incidents/{iid}/status", json={"status": "resolved"}).status_code == 200

        got = api.get(f"/api/incidents/{iid}/review")
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["version"] == 0 and body["missing"] == list(service.FIELDS)
        assert body["signoff"]["required"] == ["tech_liaison"] and body["facts"]["milestones"][0]["key"] == "detected"

        text = {name: {"zh-CN": f"{name}：连接池耗尽\x07", "en": "the pool ran dry"} for name in service.FIELDS}
        put = api.put(f"/api/incidents/{iid}/review", json={**text, "version": 0})
        assert put.status_code == 200, put.text
        assert put.json()["version"] == 1 and put.json()["text"]["summary"]["zh-CN"] == "summary：连接池耗尽"
        extra = api.put(f"/api/incidents/{iid}/review", json={"cause": {"en": "x"}})
        assert extra.status_code == 422 and "cause" in extra.json()["message"]
        stale = api.put(f"/api/incidents/{iid}/review", json={"summary": {"en": "x"}, "version": 0})
        assert stale.status_code == 409 and stale.json()["error"] == "review.error.stale_version"

        closing = api.post(f"/api/incidents/{iid}/status", json={"status": "closed"})
        assert closing.status_code == 409 and closing.json()["error"] == "review.error.close_unsigned"
        signoffs = srv.base + f"/api/incidents/{iid}/review/signoffs"
        assert httpx.post(signoffs, json={}, headers=viewer).status_code == 403
        signed = httpx.post(srv.base + f"/api/incidents/{iid}/review/signoffs", json={"comment": "同意"}, headers=tech)
        assert signed.status_code == 200 and signed.json()["signoff"]["complete"] is True
        again = httpx.post(srv.base + f"/api/incidents/{iid}/review/signoffs", json={}, headers=tech)
        assert again.status_code == 409 and again.json()["error"] == "review.error.already_complete"

        made = api.post(
            f"/api/incidents/{iid}/actions", json={"title": "增加连接池监控", "owner": "王芳", "due": "2026-12-01"}
        )
        assert made.status_code == 201 and made.json()["owner"] == "wangfang"
        aid = made.json()["id"]
        past = api.post(
            f"/api/incidents/{iid}/actions", json={"title": "x", "owner": "wangfang", "due_on": "2026-01-01"}
        )  # the answer's own name for it is taken too
        assert past.status_code == 422 and past.json()["error"] == "review.error.due_past"
        assert [a["id"] for a in api.get(f"/api/incidents/{iid}/actions").json()] == [aid]
        by_tech = httpx.patch(srv.base + f"/api/actions/{aid}", json={"state": "done"}, headers=tech)
        assert by_tech.status_code == 403 and by_tech.json()["error"] == "review.error.not_owner"
        bad = httpx.patch(srv.base + f"/api/actions/{aid}", json={"state": "finished"}, headers=owner)
        assert bad.status_code == 422
        done = httpx.patch(srv.base + f"/api/actions/{aid}", json={"state": "done", "note": "已上线"}, headers=owner)
        assert done.status_code == 200 and done.json()["state"] == "done" and done.json()["closed_by"] == "wangfang"
        assert api.get(f"/api/actions/{aid}").json()["state"] == "done"
        assert api.patch("/api/actions/99", json={"state": "done"}).status_code == 404
        assert api.get("/api/actions/99").status_code == 404
        assert api.get("/api/incidents/99/review").status_code == 404

        assert api.post(f"/api/incidents/{iid}/status", json={"status": "closed"}).status_code == 200
        other = _incident(rt)
        waiver = srv.base + f"/api/incidents/{other}/review/waiver"
        assert httpx.post(waiver, json={"reason": "误报"}, headers=tech).status_code == 403  # the lead's
        waived = api.post(f"/api/incidents/{other}/review/waiver", json={"reason": "误报，无客户影响"})
        assert waived.status_code == 200 and waived.json()["waiver"]["reason"] == "误报，无客户影响"

        described = api.get("/api/openapi.json").json()
        for path in (
            "/api/incidents/{incident}/review",
            "/api/incidents/{incident}/actions",
            "/api/actions/{action_id}",
        ):
            assert path in described["paths"]
        assert {"ReviewOut", "ReviewTextIn", "ActionIn", "ActionOut", "ActionStateIn"} <= set(
            described["components"]["schemas"]
        )
