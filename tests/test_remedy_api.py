"""The remedy HTTP API over a real uvicorn server on 127.0.0.1."""

import httpx

from incident.runtime import Runtime
from incident.web.app import create_app
from tests.factories import approved_sheet, declare
from tests.webserver import LiveServer


def test_customers_compensation_callbacks_and_reports_over_http(store, ctx, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    rt = Runtime.build(database_url=db_url)
    rt.config, rt.clock = ctx.config, ctx.clock
    # The machine token, from this host, may name the person acting (issue 21:
    # being on this host without it grants nothing).
    rt.settings = rt.settings.model_copy(update={"api_token": "machine-tok"})
    as_lead = {"x-incident-actor": "zhangwei"}
    machine = {"Authorization": "Bearer machine-tok"}
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, timeout=30, headers=machine) as http:
        url = f"/api/incidents/INC-{iid}/customers"
        assert httpx.post(srv.base + url, headers=as_lead, json=[{"customer_ref": "A"}]).status_code == 401
        missing = http.post(url, json=[{"customer_ref": "A"}])
        assert missing.status_code == 422 and missing.json()["error"] == "api.error.actor_missing"
        r = http.post(
            url,
            headers=as_lead,
            json={
                "customers": [
                    {"customer_ref": "A", "name": "张三", "title": "先生", "contact": "13812345678"},
                    {"customer_ref": "B", "insured": "goods", "amount": 3000},
                    {"customer_ref": "C", "amount": "lots"},
                    {"customer_ref": "A"},
                ]
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["added"], body["duplicates"]) == (2, 1)
        assert [(e["index"], e["error"]) for e in body["errors"]] == [(3, "customer.error.number")]
        listed = http.get(url).json()
        assert listed["total"] == 2 and {c["contact"] for c in listed["customers"]} == {"****5678", None}
        assert "13812345678" not in http.get(url).text

        comp = f"/api/incidents/INC-{iid}/compensation"
        over = http.post(
            comp,
            headers={**as_lead, "accept-language": "en"},
            json={"customer_ref": "A", "form": "refund", "amount": 500},
        )
        assert over.status_code == 422 and "over the uninsured cap of 200.00 yuan" in over.json()["message"]
        small = http.post(comp, headers=as_lead, json={"customer_ref": "A", "form": "coupon", "amount": 50})
        assert small.status_code == 201 and small.json()["status"] == "approved"
        as_supervisor = {"x-incident-actor": "chenjing"}
        big = http.post(
            comp, headers=as_supervisor, json={"customer_ref": "B", "form": "refund", "amount": 1500}
        ).json()
        assert big["status"] == "proposed" and big["needs_approval"]
        own = http.post("/api/compensation/approve", headers=as_supervisor, json={"ids": [big["id"]]})
        assert own.status_code == 422 and own.json()["error"] == "comp.error.own_proposal"
        agent = http.post(
            "/api/compensation/approve", headers={"x-incident-actor": "wangfang"}, json={"ids": [big["id"]]}
        )
        assert agent.status_code == 422 and agent.json()["error"] == "comp.error.not_supervisor"
        other = http.post(
            "/api/compensation/approve", headers={"x-incident-actor": "liuyang"}, json={"ids": [big["id"]]}
        )
        assert other.status_code == 200 and other.json() == {"approved": 1}
        issued = http.post("/api/compensation/issue", headers=as_lead, json={"incident": f"INC-{iid}"}).json()
        assert issued == {"issued": 2, "failed": 0, "retrying": 0, "pending": 0}
        ledger = http.get("/api/compensation", params={"incident": iid}).json()
        assert ledger["totals"]["money_issued"] == "1550.00" and {e["status"] for e in ledger["entries"]} == {"issued"}

        due = http.get("/api/callbacks/due", params={"incident": iid}).json()
        assert len(due["callbacks"]) == 2 and {c["assignee"] for c in due["callbacks"]} == {"wangfang", "zhoumin"}
        first = next(c for c in due["callbacks"] if c["customer_ref"] == "A")
        shown = http.get(f"/api/callbacks/{first['id']}").json()
        assert shown["script"].startswith("张先生，您好！") and "50 元优惠券" in shown["script"]
        bad = http.post(
            f"/api/callbacks/{first['id']}/attempts",
            headers={"x-incident-actor": first["assignee"]},
            json={"result": "reached", "satisfaction": 9},
        )
        assert bad.status_code == 422
        done = http.post(
            f"/api/callbacks/{first['id']}/attempts",
            headers={"x-incident-actor": first["assignee"]},
            json={"result": "reached", "satisfaction": 5, "demand": "想改派送时间"},
        )
        assert (
            done.status_code == 201
            and done.json()["status"] == "done"
            and done.json()["follow_up"]["assignee"] != first["assignee"]
        )

        report = http.get(f"/api/incidents/{iid}/report").json()
        assert report["affected"] == 2 and report["compensation"]["customers_compensated"] == 2
        assert report["satisfaction"]["distribution"]["5"] == 1
        md = http.get("/api/reports/daily", params={"format": "md"})
        assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown") and "满意度" in md.text
        html = http.get("/api/reports/daily", params={"format": "html"}, headers={"accept-language": "en"})
        assert "<h1>" in html.text and "Satisfaction" in html.text
