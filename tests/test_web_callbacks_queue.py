"""The callbacks queue (/callbacks, issue 23 point 8): a compact list with
the overdue calls first, ONE call in focus with its script and outcome
form, the next call after an outcome, "Show number" for the call's agent
only (recorded on the incident's timeline, a tel: link when the stored
contact can be dialled) and the customer's ticket linked, escaped.

Through a real uvicorn server (tests/webserver.py) on SQLite and, with
INCIDENT_TEST_DATABASE_URL, PostgreSQL; the clock is the tests' fixed one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from string import Formatter

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, select, update

from incident.config import CallbackConfig, load_config
from incident.enums import EventType
from incident.errors import ConfigError
from incident.events import event_text
from incident.models import AffectedCustomer, Callback, Complaint, TimelineEvent
from incident.models_people import CustomerPhone
from incident.remedy import contact
from incident.web.app import create_app
from incident.web.callbacks_texts import CALLBACKS_TEXTS
from tests import webutil
from tests.factories import approved_sheet, declare, make_callbacks
from tests.webserver import LiveServer

ROOT = Path(__file__).resolve().parents[1]


def body(r) -> str:  # type: ignore[no-untyped-def]
    """The page's own content (not the navigation)."""
    return r.text.split('<main id="main">', 1)[1]


def reveals(store, iid: int) -> list[TimelineEvent]:
    with store.read() as s:
        return list(
            s.scalars(
                select(TimelineEvent).where(
                    TimelineEvent.incident_id == iid, TimelineEvent.type == EventType.CONTACT_REVEALED.value
                )
            )
        )


def setup(store, ctx, db_url, tmp_path, monkeypatch, config=None):  # type: ignore[no-untyped-def]
    """Three calls for wangfang (due in 5 h, due in 1 h, overdue), one for zhoumin."""
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    calls = make_callbacks(store, ctx, iid, [("R1", "王小明"), ("R2", "李四"), ("R3", "赵六"), ("R4", "刘三")])
    now = ctx.clock.now()
    plan = {
        "R1": ("wangfang", now + dt.timedelta(hours=5)),
        "R2": ("wangfang", now + dt.timedelta(hours=1)),
        "R3": ("wangfang", now - dt.timedelta(minutes=30)),
        "R4": ("zhoumin", now + dt.timedelta(hours=2)),
    }
    with store.transaction() as s:
        for ref, (who, due) in plan.items():
            s.execute(
                update(Callback).where(Callback.id == calls[ref][0]).values(assignee=who, due_at=due, call_at=now)
            )
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    rt = webutil.web_runtime(db_url, config or ctx.config, ctx.clock)
    for name, roles in (("wangfang", "agent"), ("zhoumin", "agent"), ("chenjing", "cs_lead")):
        webutil.add_user(rt, name, roles)
    return iid, {ref: cid for ref, (cid, _who) in calls.items()}, rt


def test_the_queue_overdue_first_one_call_in_focus_then_the_next(store, ctx, db_url, tmp_path, monkeypatch):
    iid, ids, rt = setup(store, ctx, db_url, tmp_path, monkeypatch)
    with LiveServer(create_app(rt)) as server:
        agent, token = webutil.login(server.base, "wangfang")
        page = body(agent.get("/callbacks"))
        listed = [int(x) for x in re.findall(r'<tr id="q-(\d+)"', page)]
        assert listed == [ids["R3"], ids["R2"], ids["R1"]]  # overdue, then by due time; not zhoumin's
        # One call in focus, the first of the queue: one script, one outcome form.
        assert page.count('class="stack record-form"') == 1 and page.count('class="reply"') == 1
        assert f'id="cb-{ids["R3"]}"' in page and f'action="/callbacks/{ids["R3"]}"' in page
        assert "赵六" in page and "王小明" not in page and "王**" in page  # the queue masks names
        assert "第 1 通，共 3 通" in page and f"INC-{iid}" in page

        # ?id= picks another of hers; someone else's is refused, whatever the list holds.
        picked = body(agent.get("/callbacks", params={"id": ids["R1"]}))
        assert f'id="cb-{ids["R1"]}"' in picked and "王小明" in picked and picked.count("record-form") == 1
        assert agent.get("/callbacks", params={"id": ids["R4"]}).status_code == 403

        # An outcome: back on the queue, whose first is now the next call.
        r = agent.post(f"/callbacks/{ids['R3']}", data={"csrf": token, "result": "reached", "satisfaction": "4"})
        assert r.status_code == 303 and r.headers["location"] == "/callbacks"
        after = agent.get("/callbacks")
        page = body(after)
        assert f'id="cb-{ids["R2"]}"' in page and f'id="q-{ids["R3"]}"' not in page
        assert f"回访 #{ids['R3']} 已记录：已接通" in after.text  # the flash says what was recorded
        # A refused outcome stays on its call, the reason said.
        r = agent.post(f"/callbacks/{ids['R1']}", data={"csrf": token, "result": "reached", "satisfaction": "9"})
        assert r.headers["location"] == f"/callbacks?id={ids['R1']}"
        # A call already handled, picked by its old address: said, and the next one is shown.
        page = body(agent.get("/callbacks", params={"id": ids["R3"]}))
        assert f"回访 #{ids['R3']} 已处理（已完成）" in page and f'id="cb-{ids["R2"]}"' in page

        # A call's own address (a bookmark, a reload of where the outcome form posts): that call in focus.
        r = agent.get(f"/callbacks/{ids['R1']}")
        assert r.status_code == 200 and f'id="cb-{ids["R1"]}"' in body(r) and "王小明" in body(r)
        assert "不接受" not in r.text and body(r).count("record-form") == 1
        assert agent.get(f"/callbacks/{ids['R4']}").status_code == 403  # someone else's, by its address too


def test_show_number_for_the_assignee_only_recorded_on_the_timeline(store, ctx, db_url, tmp_path, monkeypatch):
    iid, ids, rt = setup(store, ctx, db_url, tmp_path, monkeypatch)
    with LiveServer(create_app(rt)) as server:
        agent, token = webutil.login(server.base, "wangfang")
        other, other_token = webutil.login(server.base, "zhoumin")
        page = body(agent.get("/callbacks"))
        assert f'action="/callbacks/{ids["R3"]}/reveal"' in page and "联系方式 ****0003" in page

        # Another agent, by a hand-made POST: refused, nothing recorded; so is a POST without the token.
        r = other.post(f"/callbacks/{ids['R3']}/reveal", data={"csrf": other_token})
        assert r.status_code == 403 and "这通回访不是分配给您的" in r.text
        assert agent.post(f"/callbacks/{ids['R3']}/reveal", data={}).status_code == 403
        assert reveals(store, iid) == []

        # Her own: the number kept apart at intake is shown, with a tel: link (issue 23 point 8).
        r = agent.post(f"/callbacks/{ids['R3']}/reveal", data={"csrf": token})
        page = body(r)
        assert r.status_code == 200 and "联系方式（已记录查看）：13800000003" in page
        assert 'href="tel:13800000003"' in page and "没有完整号码" not in page
        # The page swaps its address for the call's own (static/callbacks.js), so a reload does not post again.
        assert f'data-replace-url="/callbacks?id={ids["R3"]}"' in page and 'src="/static/callbacks.js"' in page
        # The revealed page's address, opened again (its language switch): the call, the number hidden again.
        again = agent.get(f"/callbacks/{ids['R3']}/reveal", params={"lang": "en"})
        assert again.status_code == 303 and again.headers["location"] == f"/callbacks?id={ids['R3']}&lang=en"
        (event,) = reveals(store, iid)
        assert (event.actor, event.data) == ("wangfang", {"callback": ids["R3"], "customer": "R3"})
        assert event_text(event, "zh-CN") == f"为回访 #{ids['R3']} 查看了客户 R3 的联系方式"
        assert event_text(event, "en") == f"contact of customer R3 shown for callback #{ids['R3']}"

        # A cs lead may see anyone's; a handled call's number is not given.
        lead, lead_token = webutil.login(server.base, "chenjing")
        r = lead.post(f"/callbacks/{ids['R4']}/reveal", data={"csrf": lead_token, "agent": "zhoumin"})
        assert r.status_code == 200 and "联系方式（已记录查看）：13800000004" in body(r)
        # With no number kept (a complaint's customer, masked when it came in): what is stored, no tel: link,
        # said so — and no showing recorded, since no number was seen (issue 23's trial).
        with store.transaction() as s:
            s.execute(delete(CustomerPhone))
        r = lead.post(f"/callbacks/{ids['R4']}/reveal", data={"csrf": lead_token, "agent": "zhoumin"})
        page = body(r)
        assert "联系方式（仅存脱敏形式）：****0004" in page and 'href="tel:' not in page and "没有完整号码" in page
        assert "已记录查看" not in page
        assert agent.post(f"/callbacks/{ids['R3']}", data={"csrf": token, "result": "refused"}).status_code == 303
        r = agent.post(f"/callbacks/{ids['R3']}/reveal", data={"csrf": token})
        assert r.status_code == 303 and r.headers["location"] == f"/callbacks?id={ids['R3']}"
        assert [(e.actor, e.data["customer"]) for e in reveals(store, iid)] == [
            ("wangfang", "R3"),
            ("chenjing", "R4"),
        ]


def test_a_dialable_contact_gets_a_tel_link_and_the_ticket_is_linked_escaped(store, ctx, db_url, tmp_path, monkeypatch):
    tickets = ctx.config.callbacks.model_copy(update={"ticket_url": "https://tickets.example.com/t/{ticket}"})
    config = ctx.config.model_copy(update={"callbacks": tickets})
    iid, ids, rt = setup(store, ctx, db_url, tmp_path, monkeypatch, config)
    ticket = 'T-1"><script>alert(1)</script>/../x?y=1&z'
    with store.transaction() as s:
        s.add(
            Complaint(
                external_id=ticket,
                received_at=ctx.clock.now(),
                channel="app",
                request_type="complaint",
                text="登录失败",
                source="api",
                ingested_at=ctx.clock.now(),
            )
        )
        s.flush()
        complaint = s.scalar(select(Complaint.id).where(Complaint.external_id == ticket))
        # A contact kept whole (customers from before masking, or typed by a lead): dialable.
        s.execute(delete(CustomerPhone))  # no number kept apart: the stored contact is what is shown
        s.execute(
            update(AffectedCustomer)
            .where(AffectedCustomer.customer_ref == "R3")
            .values(contact="+86 138-0000-1414", complaint_id=complaint)
        )
    with LiveServer(create_app(rt)) as server:
        agent, token = webutil.login(server.base, "wangfang")
        page = body(agent.get("/callbacks"))
        assert "联系方式 ****1414" in page and "138-0000" not in page  # not before it is asked for
        quoted = "T-1%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%2F..%2Fx%3Fy%3D1%26z"
        assert f'href="https://tickets.example.com/t/{quoted}"' in page
        assert "工单 T-1&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;/../x?y=1&amp;z" in page
        assert "<script>alert(1)" not in page
        r = agent.post(f"/callbacks/{ids['R3']}/reveal", data={"csrf": token})
        page = body(r)
        assert 'href="tel:+8613800001414"' in page and "拨打 +86 138-0000-1414" in page
        assert "没有完整号码" not in page and len(reveals(store, iid)) == 1
    # Without a configured link the ticket id is shown as text.
    rt.config = ctx.config
    with LiveServer(create_app(rt)) as server:
        agent, _token = webutil.login(server.base, "wangfang")
        page = body(agent.get("/callbacks"))
        assert '<span id="cb-ticket">工单 T-1&#34;&gt;' in page and "tickets.example.com" not in page


def test_tel_links_never_invent_digits():
    assert contact.tel_link("****1414") is None and contact.tel_link("a***@example.com") is None
    assert contact.tel_link("1414") is None and contact.tel_link(None) is None
    assert contact.tel_link("+86 138 0000 1414") == "tel:+8613800001414"
    assert contact.tel_link("(021) 5555-0100") == "tel:02155550100"
    assert contact.masked("+86 138 0000 1414") == "****1414" and contact.masked("****1414") == "****1414"
    assert contact.masked_name("王小明") == "王**" and contact.masked_name(None) == "—"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("javascript:alert(1)//{ticket}", "ticket_url_invalid"),
        ("ftp://tickets.example.com/{ticket}", "ticket_url_invalid"),
        ("https://tickets.example.com/t/", "ticket_url_placeholder"),
        ("https://tickets.example.com/{ticket}/{ticket}", "ticket_url_placeholder"),
        ("https://tickets.example.com/{id}?t={ticket}", "ticket_url_placeholder"),
    ],
)
def test_the_ticket_link_setting_is_validated(value, reason, tmp_path):
    with pytest.raises(ValidationError) as exc:
        CallbackConfig(ticket_url=value)
    assert exc.value.errors()[0]["type"] == reason
    path = tmp_path / "incident.toml"
    path.write_text(f'[callbacks]\nticket_url = "{value}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "callbacks.ticket_url" in err.value.message("en")
    assert "工单链接模板" in err.value.message("zh-CN")  # the catalogue's reason, not pydantic's words
    assert CallbackConfig(ticket_url=" https://t.example.com/{ticket} ").ticket_url == "https://t.example.com/{ticket}"
    assert CallbackConfig(ticket_url="").ticket_url is None


def test_every_queue_text_is_registered_in_both_languages():
    for key, (zh, en) in CALLBACKS_TEXTS.items():
        assert key.startswith("web.cbq.") and zh.strip() and en.strip(), key
        names = [{f for _, f, _, _ in Formatter().parse(text) if f} for text in (zh, en)]
        assert names[0] == names[1], key
    used: set[str] = set()
    for path in (ROOT / "templates" / "web" / "callbacks.html.j2", ROOT / "incident" / "web" / "callbacks_queue.py"):
        used |= set(re.findall(r"""['"](web\.cbq\.[\w.-]+)['"]""", path.read_text(encoding="utf-8")))
    assert used and not used - set(CALLBACKS_TEXTS)
