"""The incidents' JSON API over real HTTP on 127.0.0.1: declare, read,
list with filters, status, assign, acknowledge, note, timeline; each
action refused to a role that may not do it; bad bodies named."""

from __future__ import annotations

import httpx

from incident.access import tokens
from incident.web.app import create_app
from tests.webserver import LiveServer
from tests.webutil import add_user, web_runtime


def _token(rt, username, roles, person=None):
    add_user(rt, username, roles, person=person)
    with rt.store.transaction() as s:
        return tokens.create(s, username, "test", rt.clock.now())[1]


def test_the_incident_lifecycle_over_the_api(store, ctx, db_url):
    rt = web_runtime(db_url, ctx.config, ctx.clock)
    lead = {"Authorization": f"Bearer {_token(rt, 'zhangwei', 'lead', person='zhangwei')}"}
    agent = {"Authorization": f"Bearer {_token(rt, 'wangfang', 'agent', person='wangfang')}"}
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, timeout=30, headers=lead) as api:
        made = api.post(
            "/api/incidents",
            json={"kind": "system_outage", "severity": "SEV2", "title": "APP 登录失败\x07", "regions": ["华东"]},
        )
        assert made.status_code == 201, made.text
        inc = made.json()
        assert inc["ref"] == "INC-1" and inc["title"] == "APP 登录失败"  # cleaned at the door
        assert inc["scope"]["regions"] == ["华东"] and {r["role"] for r in inc["group"]} >= {"incident_lead"}
        assert inc["timeline"][0]["type"] == "declared" and "宣布事件" in inc["timeline"][0]["text"]
        en = api.get("/api/incidents/INC-1/timeline", params={"lang": "en"}).json()
        assert en[0]["text"].startswith("declared")

        r = api.post("/api/incidents/1/status", json={"status": "investigating", "note": "排查中"})
        assert r.status_code == 200 and r.json()["status"] == "investigating"
        r = api.post("/api/incidents/1/assign", json={"role": "tech", "person": "李娜"})
        assert [g["person"] for g in r.json()["group"] if g["role"] == "tech_liaison" and not g["ended_at"]] == ["lina"]
        r = api.post("/api/incidents/1/ack", json={"role": "lead"})
        assert next(g for g in r.json()["group"] if g["role"] == "incident_lead")["acked_by"] == "zhangwei"
        r = api.post("/api/incidents/1/notes", json={"text": "已回滚"})
        assert r.json()["timeline"][-1]["type"] == "note"

        listed = api.get("/api/incidents", params={"kind": "system_outage", "q": "登录"}).json()
        assert listed["count"] == 1 and listed["incidents"][0]["ref"] == "INC-1"
        assert api.get("/api/incidents", params={"status": "closed", "state": "all"}).json()["count"] == 0

        # refusals, by name
        bad_status = api.post("/api/incidents/1/status", json={"status": "closed"})
        assert bad_status.status_code == 400 and "已关闭" in bad_status.json()["message"]
        missing = api.post("/api/incidents", json={"kind": "other", "title": "x"})
        assert missing.status_code == 422 and "severity" in missing.json()["message"]
        extra = api.post("/api/incidents", json={"kind": "other", "severity": 3, "title": "x", "sev": 1})
        assert extra.status_code == 422 and "sev" in extra.json()["message"]
        unknown_kind = api.post("/api/incidents", json={"kind": "fire", "severity": 3, "title": "x"})
        assert unknown_kind.status_code == 422 and "fire" in unknown_kind.json()["message"]
        assert api.get("/api/incidents/99").status_code == 404
        assert httpx.get(srv.base + "/api/incidents").status_code == 401
        as_agent = httpx.post(srv.base + "/api/incidents/1/notes", json={"text": "x"}, headers=agent)
        assert as_agent.status_code == 403
        assert httpx.get(srv.base + "/api/incidents/1", headers=agent).status_code == 200  # an agent may read
        not_hers = httpx.post(srv.base + "/api/incidents/1/ack", json={"role": "scribe"}, headers=agent)
        assert not_hers.status_code == 403  # she acknowledges only a role she holds
        described = api.get("/api/openapi.json").json()
        assert (
            "/api/incidents/{incident}/ack" in described["paths"] and "DeclareIn" in described["components"]["schemas"]
        )
