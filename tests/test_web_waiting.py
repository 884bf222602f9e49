"""The "waiting for me" page (/me): each kind of work appears for the one who can do
it and for nobody else (one's own sheets, statements and proposals never),
where people land after signing in, the navigation's count, and the
ledger's approve buttons shown only to supervisors the ledger would let
approve, naming only supervisors who can act."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlalchemy import update

from incident.config import load_config
from incident.db import Store
from incident.demo import run as demo
from incident.models import Callback
from incident.remedy import ledger
from incident.web import waitingview
from incident.web.app import create_app
from incident.wording import factsheet, workflow
from tests.conftest import EXAMPLE
from tests.factories import FULL, approved_sheet, as_, declare, make_callbacks
from tests.webserver import LiveServer
from tests.webutil import PASSWORD, add_user, csrf_of, login, web_runtime


def sign_in(base: str, name: str, next_: str | None = None) -> tuple[httpx.Client, str]:
    """Through the login form without (or with) a page asked for: where they land."""
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login", params={"next": next_} if next_ else None)
    data = {"csrf": csrf_of(page.text), "username": name, "password": PASSWORD, "next": next_ or ""}
    r = client.post("/login", data=data)
    assert r.status_code == 303, r.text
    return client, r.headers["location"]


def body(html: str) -> str:
    return html.split('<main id="main">', 1)[1]


def row(html: str, entry_id: int) -> str:
    found = re.search(rf'<tr id="entry-{entry_id}">.*?</tr>', html, re.S)
    assert found, f"no ledger row for #{entry_id}"
    return found.group(0)


def badge(html: str) -> str | None:
    found = re.search(r'id="nav-waiting"[^>]*>[^<]*(?:<span class="badge"[^>]*>(\d+)</span>)?</a>', html)
    assert found, "no waiting link in the navigation"
    return found.group(1)


def test_acknowledgements_and_reviews_wait_for_the_right_people(store, ctx, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    # Response group of both (this week): zhangwei lead, emily comms, zhoumin cs lead and scribe.
    iid = declare(store, ctx)
    with store.transaction() as s:
        factsheet.edit(s, as_(ctx, "emily"), iid, FULL)
    with store.transaction() as s:
        workflow.submit_sheet(s, as_(ctx, "emily"), iid)  # emily's own sheet, in review
    other = declare(store, ctx, title="支付失败")
    approved_sheet(store, ctx, other)
    for number, author in ((1, "sunli"), (2, "zhangwei")):
        with store.transaction() as s:
            workflow.draft_statement(s, as_(ctx, author), other)
        with store.transaction() as s:
            workflow.submit_statement(s, as_(ctx, author), other, number)
    rt = web_runtime(db_url, ctx.config, ctx.clock)
    for name, roles in (
        ("zhangwei", "lead"),
        ("lina", "lead"),
        ("emily", "comms"),
        ("sunli", "comms,legal"),
        ("zhoumin", "agent"),
        ("admin", "admin"),
    ):
        add_user(rt, name, roles)

    with LiveServer(create_app(rt)) as srv:
        # zhangwei owes two acknowledgements (and lands here); lina nothing (her home).
        lead, landed = sign_in(srv.base, "zhangwei")
        assert landed == "/me"
        page = lead.get("/me").text
        mine = body(page)
        assert f'id="ack-{iid}-incident_lead"' in mine and f'id="ack-{other}-incident_lead"' in mine
        assert f'href="/incidents/{iid}"' in mine
        assert 'id="sheets"' not in mine and 'id="statements"' not in mine  # a lead signs no wording
        assert badge(page) == "2"
        # the in-app inbox: what was sent to zhangwei, in his language, linked to its incident
        inbox = mine[mine.index('id="inbox"') :]
        assert "我的通知" in inbox and "您被召集为" in inbox and f'href="/incidents/{other}"' in inbox
        client, landed = sign_in(srv.base, "lina")
        assert landed == "/"
        page = client.get("/me").text
        assert 'id="nothing-waiting"' in page and 'id="acks"' not in page and badge(page) is None
        assert 'id="inbox"' not in page  # nothing was sent to lina
        # The page asked for still wins.
        _, landed = sign_in(srv.base, "zhangwei", "/desk")
        assert landed == "/desk"

        # Acknowledged: gone from the list.
        token = csrf_of(lead.get("/").text)
        r = lead.post(f"/incidents/{iid}/ack", data={"csrf": token, "role": "incident_lead"})
        assert r.status_code == 303
        mine = body(lead.get("/me").text)
        assert f'id="ack-{iid}-incident_lead"' not in mine and f'id="ack-{other}-incident_lead"' in mine

        # emily: her own sheet is not hers to approve; sunli's statement and zhangwei's are.
        comms, _ = sign_in(srv.base, "emily")
        mine = body(comms.get("/me").text)
        assert f'id="ack-{iid}-comms_lead"' in mine
        assert 'id="sheets"' not in mine
        assert f'id="statement-{other}-1"' in mine and f'id="statement-{other}-2"' in mine
        assert f'href="/desk/{other}#statement-1"' in mine
        # sunli: emily's sheet and zhangwei's statement, not her own statement.
        legal, landed = sign_in(srv.base, "sunli")
        assert landed == "/me"
        page = legal.get("/me").text
        mine = body(page)
        assert f'id="sheet-{iid}"' in mine and f'href="/desk/{iid}#facts"' in mine
        assert f'id="statement-{other}-2"' in mine and f'id="statement-{other}-1"' not in mine
        assert 'id="acks"' not in mine and badge(page) == "2"
        # Signed: no longer waiting for her.
        r = legal.post(f"/desk/{iid}/facts/approve", data={"csrf": csrf_of(page)})
        assert r.status_code == 303
        assert f'id="sheet-{iid}"' not in body(legal.get("/me").text)

        # An agent holding a response role (a rotation's member) is told, and acknowledges it herself.
        agent, landed = sign_in(srv.base, "zhoumin")
        assert landed == "/me"
        mine = body(agent.get("/me").text)
        item = mine[mine.index(f'id="ack-{iid}-cs_lead"') :].split("</li>", 1)[0]
        assert f'href="/incidents/{iid}"' in item and "请值班指挥代为登记" not in item
        # admin is outside the roster: signs nothing, owes nothing.
        admin, landed = sign_in(srv.base, "admin")
        assert landed == "/"
        assert 'id="nothing-waiting"' in admin.get("/me").text


def propose(store, ctx, iid, who, ref, amount=150):
    with store.transaction() as s:
        return ledger.propose(s, as_(ctx, who), iid, ref, "refund", amount).id


def test_compensation_and_callbacks_wait_for_who_can_act(store, ctx, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    iid = declare(store, ctx)
    calls = make_callbacks(store, ctx, iid, [("R1", "王小明"), ("R2", "李四"), ("R3", "刘三")])
    now = ctx.clock.now()
    with store.transaction() as s:  # wangfang: two today (one overdue); zhoumin: one the day after tomorrow
        s.execute(update(Callback).where(Callback.id == calls["R1"][0]).values(assignee="wangfang", call_at=now))
        s.execute(
            update(Callback)
            .where(Callback.id == calls["R2"][0])
            .values(assignee="wangfang", call_at=now, due_at=now - dt.timedelta(minutes=30))
        )
        s.execute(
            update(Callback)
            .where(Callback.id == calls["R3"][0])
            .values(assignee="zhoumin", call_at=now + dt.timedelta(days=2))
        )
    by_chenjing = propose(store, ctx, iid, "chenjing", "R1")
    by_liuyang = propose(store, ctx, iid, "liuyang", "R2")
    rt = web_runtime(db_url, ctx.config, ctx.clock)
    add_user(rt, "admin", "admin")

    with LiveServer(create_app(rt)) as srv:
        # No supervisor has an account: the page says nobody can approve, and what to do.
        admin, _ = login(srv.base, "admin")
        page = body(admin.get(f"/remedy/{iid}").text)
        assert "目前没有任何人能审批超过额度的补偿" in page and "[compensation] approvers" in page
        assert "需主管审批，但没有其他可审批的主管" in page
        for name, roles in (
            ("chenjing", "cs_lead"),
            ("liuyang", "lead"),
            ("sunli", "comms"),
            ("zhangwei", "lead"),
            ("wangfang", "agent"),
            ("zhoumin", "agent"),
        ):
            add_user(rt, name, roles)

        # admin and a lead who is no supervisor: no approve button, whatever their page rights.
        for client in (admin, login(srv.base, "zhangwei")[0]):
            page = body(client.get(f"/remedy/{iid}").text)
            assert "/compensation/approve" not in page and "/reject" not in page
            assert "您不是主管" in page
            # sunli supervises comms but may not approve compensation: named as such, not as an approver
            assert "孙丽 (sunli) 没有可审批补偿的账号" in page
            assert "主管：陈静 (chenjing), 刘洋 (liuyang)。" in page  # the rules name who can act
            assert "需主管审批：刘洋 (liuyang)<" in row(page, by_chenjing)  # never the proposer
            assert "需主管审批：陈静 (chenjing)<" in row(page, by_liuyang)
            assert 'id="comp"' not in body(client.get("/me").text)
        # Each supervisor approves the other's entry, never their own.
        boss, landed = sign_in(srv.base, "liuyang")
        assert landed == "/me"
        mine = body(boss.get("/me").text)
        assert f'id="comp-{iid}"' in mine and "1 条待审批，其中现金 150.00 元" in mine
        assert f'href="/remedy/{iid}?status=proposed#ledger"' in mine
        page = boss.get(f"/remedy/{iid}").text
        assert f'name="id" value="{by_chenjing}"' in row(page, by_chenjing)
        own = row(page, by_liuyang)
        assert "/compensation/approve" not in own and "您提出的" in own  # (withdrawing it is allowed)
        assert "批准全部待审批（1，本人提出的除外）" in page
        cs, landed = sign_in(srv.base, "chenjing")
        assert landed == "/me"
        assert f'id="comp-{iid}"' in body(cs.get("/me").text)
        for name in ("sunli", "wangfang"):
            assert 'id="comp"' not in body(login(srv.base, name)[0].get("/me").text), name
        r = boss.post(f"/remedy/{iid}/compensation/approve", data={"csrf": csrf_of(page), "id": str(by_chenjing)})
        assert r.status_code == 303
        assert 'id="comp"' not in body(boss.get("/me").text)  # what is left is his own

        # Callbacks due today: wangfang's two, the overdue one marked; zhoumin's is not today.
        agent, landed = sign_in(srv.base, "wangfang")
        assert landed == "/me"
        page = agent.get("/me").text
        mine = body(page)
        assert "今天还有 2 通回访要打，其中 1 通已超时。" in mine and 'href="/callbacks"' in mine
        assert f'<li id="call-{calls["R2"][0]}" class="overdue">' in mine
        assert f'<li id="call-{calls["R1"][0]}">' in mine and f'id="call-{calls["R3"][0]}"' not in mine
        assert badge(page) == "2"
        other, _ = sign_in(srv.base, "zhoumin")
        assert 'id="calls"' not in body(other.get("/me").text)
        # Three days on it is hers today, and overdue by then (signed in again: sessions last 12 h).
        ctx.clock.advance(days=3)
        other, _ = sign_in(srv.base, "zhoumin")
        mine = body(other.get("/me").text)
        assert f'id="call-{calls["R3"][0]}"' in mine and "其中 1 通已超时" in mine


def test_the_demo_has_a_supervisor_who_can_approve_what_its_cs_lead_proposes(tmp_path, clock):
    """Every demo journey ends in the browser: chenjing (the cs lead) proposes,
    and someone else with an account may approve (the ledger's own rule)."""
    made = demo.prepare(tmp_path / "demo", EXAMPLE, 8123, clock)
    store = Store(made.database_url)
    try:
        with store.read() as s:
            able, _ = waitingview.approving_supervisors(s, load_config(made.config_path))
    finally:
        store.dispose()
    assert "liuyang" in able and set(able) - {"chenjing"}
    assert "liuyang (" in made.sign_in_text("en")
