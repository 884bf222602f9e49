"""The demo's CRM import (issue 23's trial: the demo kept no full number, so
"show number" could not be tried in it). Once the outage incident is open
and its complainants linked, the replay posts a short list of affected
customers to the customers API, as a centre imports from its CRM: their
numbers are kept apart, their calls scheduled and assigned, and the demo
agent (wangfang) gets at least one whose number she can show and dial.

A real uvicorn server (tests/webserver.py) on SQLite and, with
INCIDENT_TEST_DATABASE_URL, PostgreSQL; the tests' fixed clock."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlalchemy import func, select

from incident.access import tokens
from incident.demo import crm
from incident.demo import run as demo_run
from incident.models import AffectedCustomer, Callback, Incident
from incident.models_people import CustomerPhone
from incident.remedy import callbacks, contact, customers
from incident.web.app import create_app
from tests import webutil
from tests.factories import declare
from tests.webserver import LiveServer


def _complainants(store, ctx, iid: int) -> None:  # type: ignore[no-untyped-def]
    """What the detection does first: the surge's complainants, masked at
    intake (no number kept), their calls assigned — all five to wangfang:
    the busier agent still gets some of the CRM's list."""
    rows = [(i, {"customer_ref": f"DEMO{i}", "name": "王小明", "contact": f"****000{i}"}) for i in range(1, 6)]
    with store.transaction() as s:
        customers.ingest(s, ctx, iid, rows, source="complaint")
        callbacks.schedule(s, ctx, s.get(Incident, iid))
        for cb in s.scalars(select(Callback)):
            cb.assignee = "wangfang"


def test_the_replay_imports_the_crm_list_once_the_outage_is_linked(store, ctx, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(demo_run, "REPLAY_SECONDS", 0.01)
    rt = webutil.web_runtime(db_url, ctx.config, ctx.clock)
    for name, roles in (("admin", "admin"), ("wangfang", "agent"), ("zhoumin", "agent")):
        webutil.add_user(rt, name, roles)
    with store.transaction() as s:
        token = tokens.create(s, "admin", "demo replay", ctx.clock.now())[1]
    auth = {"Authorization": f"Bearer {token}"}
    demo = demo_run.Demo(Path(tmp_path), Path(tmp_path) / "incident.toml", db_url, ctx.clock.now(), "pw", [], token)
    with LiveServer(create_app(rt)) as server:
        with httpx.Client(base_url=server.base, headers=auth, trust_env=False, timeout=10) as client:
            assert crm.import_customers(client) is None  # no incident yet: tried again later
            iid = declare(store, ctx)
            assert crm.import_customers(client) is None  # open, but its complainants not linked yet
            _complainants(store, ctx, iid)
        replay = demo_run.Replay(demo, server.base, ctx.clock)
        replay.run()  # the surge all posted (none here): it ends once the list is in
        assert replay.imported == iid

        with store.read() as s:
            crm_rows = list(s.scalars(select(AffectedCustomer).where(AffectedCustomer.customer_ref.like("CRM%"))))
            kept = {p.customer_id: p.number for p in s.scalars(select(CustomerPhone))}
            calls = {cb.customer_id: cb for cb in s.scalars(select(Callback).where(Callback.status == "open"))}
        assert len(crm_rows) == len(crm.CUSTOMERS) and all(c.contact.startswith("****") for c in crm_rows)
        assert set(kept) == {c.id for c in crm_rows}  # the demo's only full numbers, kept apart
        mine = [calls[c.id] for c in crm_rows if calls[c.id].assignee == "wangfang"]
        assert mine and all(calls[c.id].assignee for c in crm_rows)

        # wangfang shows the number of one of them and gets a tel: link, in the browser's way.
        agent, csrf = webutil.login(server.base, "wangfang")
        page = agent.post(f"/callbacks/{mine[0].id}/reveal", data={"csrf": csrf})
        assert page.status_code == 200 and re.search(r'href="tel:(\+86)?1380000810[1-6]"', page.text)

        # Posting the list again (a replay restarted) adds no one and schedules no second call.
        with httpx.Client(base_url=server.base, headers=auth, trust_env=False, timeout=10) as client:
            assert crm.import_customers(client) == iid
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(AffectedCustomer)) == 5 + len(crm.CUSTOMERS)
            assert s.scalar(select(func.count()).select_from(Callback)) == 5 + len(crm.CUSTOMERS)
    assert contact.tel_link(crm.CUSTOMERS[3]["contact"]) == "tel:13800008104"
