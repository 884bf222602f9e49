"""The remedy pages: affected customers and the compensation ledger through
forms (the page permission first, then the ledger's own supervisor and
four-eyes checks), and "my callbacks today" (agents see and record only
their own)."""

from __future__ import annotations

import datetime as dt
import html
import json

from sqlalchemy import func, select, update

from incident.models import AffectedCustomer, Callback, CallbackAttempt, Compensation
from incident.remedy import customers
from incident.web.app import create_app
from tests.factories import approved_sheet, declare, make_callbacks  # noqa: F401
from tests.test_web_lookup import add_user, csrf, flash, login, main, runtime


def entries(store, iid):
    with store.read() as s:
        rows = s.execute(
            select(Compensation, AffectedCustomer.customer_ref)
            .join(AffectedCustomer, AffectedCustomer.id == Compensation.customer_id)
            .where(Compensation.incident_id == iid)
            .order_by(Compensation.id)
        ).all()
        return [(e.id, ref, e.form, e.amount, e.status, e.proposed_by, e.approved_by) for e, ref in rows]


def beside(r, form: str, status: int = 422) -> str:
    """A form's answer beside it: the page again at the POST's address; a
    refusal (4xx) as an error, a partial result (200: some rows stored) as
    a warning."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.url.path.startswith("/remedy/") and r.history == []  # no redirect
    head, rest = r.text.split(f'id="{form}-refusal">', 1)
    box, flash_class = head.rsplit("<div", 1)[1], head.rsplit("<p", 1)[1]
    if status < 400:
        assert 'class="refusal partial" role="status"' in box and 'class="flash warn"' in flash_class
    else:
        assert 'class="refusal" role="alert"' in box and 'class="flash error"' in flash_class
    return html.unescape(rest.split("</p>", 1)[0])


def bad_rows(r, form: str) -> list[str]:
    box = r.text.split(f'id="{form}-rows">', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(li.split("</li>", 1)[0]) for li in box.split("<li>")[1:]]


def pasted(r) -> str:
    """The import form's textarea, as the browser reads it (the newline
    right after the tag is not part of the value)."""
    raw = r.text.split('id="import-form"', 1)[1].split("<textarea", 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    return html.unescape(raw.removeprefix("\n"))


def row_of(page: str, entry_id: int) -> str:
    return page.split(f'id="entry-{entry_id}"', 1)[1].split("</tr>", 1)[0]


def test_customers_and_the_ledger_through_the_forms(store, ctx, db_url, tmp_path, monkeypatch):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    for name, roles in (("chenjing", "cs_lead"), ("zhangwei", "lead"), ("liuyang", "lead"), ("wangfang", "agent")):
        add_user(rt, name, roles)
    app = create_app(rt)
    lead = login(app, "chenjing")  # the cs supervisor

    index = lead.get("/remedy")
    assert index.status_code == 200 and f'href="/remedy/{iid}"' in index.text and "APP 登录失败" in index.text
    page = lead.get(f"/remedy/{iid}")
    assert page.status_code == 200 and "还没有登记受影响客户" in page.text
    token = csrf(page.text)

    # One customer by hand: the phone masked, the callback scheduled, the name shown as text.
    r = lead.post(
        f"/remedy/{iid}/customers",
        data={
            "csrf": token,
            "customer_ref": "A",
            "name": "<script>alert(1)</script>",
            "title": "先生",
            "contact": "13812345678",
        },
    )
    assert r.url.path == f"/remedy/{iid}"
    assert flash(r.text).startswith("ok: 已将客户「A」加入 INC-") and "****5678" in flash(r.text)
    assert "已安排回访 1 通，分配 1 通" in r.text
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    # A refused customer: said beside the form, which stays open with what was typed, escaped.
    typed = {"customer_ref": "Z", "name": "<b>周</b>", "title": "女士", "amount_at_stake": "lots", "cust_lang": "en"}
    r = lead.post(f"/remedy/{iid}/customers", data={"csrf": token, **typed})
    assert r.status_code == 422 and '<details id="add-customer" open>' in r.text
    assert "lots" in r.text.split('id="customer-refusal">', 1)[1].split("</p>", 1)[0]
    form = r.text.split('id="add-customer-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="Z"' in form and 'value="&lt;b&gt;周&lt;/b&gt;"' in form and 'value="lots"' in form
    assert '<option value="女士" selected>' in form and '<option value="en" selected>' in form
    assert "13812345678" not in r.text and "****5678" in main(r.text)

    # Pasted CSV: the bad row named by line, the good ones kept, nobody twice.
    rows = (
        "客户编号,姓名,称谓,电话,涉及金额,保险\nB,李四,先生,13900001111,80,否\n"
        "C,王五,女士,,lots,\nD,赵六,女士,,900,货物\nA,重复,,,,\n"
    )
    # Said beside the import form (200: rows were stored), which keeps the list as pasted.
    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": rows, "format": "csv"})
    assert beside(r, "import", 200).startswith("读取 4 行：新增 2 位客户，1 位已在名单中，未导入 1 行。")
    [bad] = bad_rows(r, "import")
    assert "第 3 行" in bad and "lots" in bad
    assert pasted(r) == rows and '<details id="import" open>' in r.text
    assert "受影响客户（3）" in r.text and "****1111" in r.text and "李四" in r.text
    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": "name\nx\n", "format": "csv"})
    assert "customer_ref" in beside(r, "import", 422)  # the whole list refused: nothing stored
    assert pasted(r) == "name\nx\n"
    jsonl = '{"customer_ref": "E", "name": "钱七", "lang": "en"}\nnot json\n'
    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": jsonl, "format": "jsonl"})
    assert beside(r, "import", 200).startswith("读取 2 行：新增 1 位客户，未导入 1 行。")
    assert bad_rows(r, "import")[0].startswith("第 2 行") and '<option value="jsonl" selected>' in r.text
    assert pasted(r) == jsonl
    with store.read() as s:
        assert customers.count(s, iid) == 4

    # One entry over the cap: refused with the reason; under it, above the threshold: waits for a supervisor.
    lead.cookies.set("incident_lang", "en")
    r = lead.post(
        f"/remedy/{iid}/compensation", data={"csrf": token, "customer_ref": "B", "form": "refund", "amount": "500"}
    )
    # said beside the form, which stays open with what was typed (not a redirect to the page's top)
    assert r.status_code == 422
    refusal = r.text.split('id="propose-refusal">', 1)[1].split("</p>", 1)[0]
    assert "over the uninsured cap of 200.00 yuan" in refusal
    form = r.text.split('id="propose-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="customer_ref" required maxlength="100" value="B"' in form
    assert 'value="500" autofocus' in form and '<option value="refund" selected>' in form
    assert '<details id="propose" open>' in r.text
    back = lead.get(f"/remedy/{iid}/compensation?lang=zh-CN", follow_redirects=False)  # a reload or the language link
    assert back.status_code == 303 and back.headers["location"] == f"/remedy/{iid}?lang=zh-CN#ledger"
    r = lead.post(
        f"/remedy/{iid}/compensation",
        data={"csrf": token, "customer_ref": "B", "form": "refund", "amount": "150", "reason": "parcel lost"},
    )
    assert "awaits a supervisor" in flash(r.text)
    lead.cookies.set("incident_lang", "zh-CN")
    [(entry_id, _, _, _, status, proposer, _)] = entries(store, iid)
    assert (status, proposer) == ("proposed", "chenjing")
    assert "您提出的：由另一位主管审批" in lead.get(f"/remedy/{iid}").text  # no approve button on one's own

    # Four eyes: the proposer's own approval is refused by the ledger, even hand-made.
    r = lead.post(f"/remedy/{iid}/compensation/approve", data={"csrf": token, "id": str(entry_id)})
    assert beside(r, f"approve-{entry_id}") == f"不能审批自己提出的补偿（四眼原则）：#{entry_id}"
    assert f'id="approve-{entry_id}-refusal"' in row_of(r.text, entry_id)  # beside the entry's row
    # A lead may approve as far as the page goes, but is no supervisor: the ledger says so.
    lead2 = login(app, "zhangwei")
    page2 = lead2.get(f"/remedy/{iid}")
    assert "您不是主管" in page2.text
    r = lead2.post(f"/remedy/{iid}/compensation/approve", data={"csrf": csrf(page2.text), "id": str(entry_id)})
    refused = beside(r, f"approve-{entry_id}", r.status_code)
    assert r.status_code in (409, 422) and refused.startswith(
        "zhangwei 不是主管，不能审批补偿；可审批的人：chenjing, liuyang, sunli"
    )
    assert entries(store, iid)[0][4] == "proposed"
    # An agent's hand-made POST is refused before the ledger is asked.
    agent = login(app, "wangfang")
    assert agent.get(f"/remedy/{iid}").status_code == 403
    assert agent.get("/remedy").status_code == 403
    agent_token = csrf(agent.get("/lookup").text)
    for path in (
        f"/remedy/{iid}/compensation/approve",
        f"/remedy/{iid}/compensation/issue",
        f"/remedy/{iid}/compensation/{entry_id}/reject",
    ):
        r = agent.post(path, data={"csrf": agent_token, "id": str(entry_id), "reason": "x"})
        assert r.status_code == 403 and "无权操作" in r.text, path
    r = agent.post(f"/remedy/{iid}/compensation/policy", data={"csrf": agent_token})
    assert r.status_code == 403
    assert entries(store, iid)[0][4] == "proposed"
    # Without the session's CSRF token nothing happens either.
    assert lead2.post(f"/remedy/{iid}/compensation/approve", data={"csrf": "forged", "all": "1"}).status_code == 403
    # Another supervisor approves.
    boss = login(app, "liuyang")
    page3 = boss.get(f"/remedy/{iid}")
    boss_token = csrf(page3.text)
    assert "批准全部待审批（1，本人提出的除外）" in page3.text
    r = boss.post(f"/remedy/{iid}/compensation/approve", data={"csrf": boss_token, "all": "1"})
    assert flash(r.text) == "ok: 已批准 1 笔补偿。"
    assert entries(store, iid)[0][4:] == ("approved", "chenjing", "liuyang")

    # By policy (outage-coupon: 20 yuan, approved by policy below the threshold), then issue.
    # A bulk money action first says how many and how much; nothing is stored by looking.
    before = entries(store, iid)
    r = lead.post(f"/remedy/{iid}/compensation/policy", data={"csrf": token})  # no confirmation: shown first
    assert "将按补偿政策为 4 位客户提出补偿，共 80.00 元。" in r.text and entries(store, iid) == before
    assert 'name="expect" value="4"' in r.text and "确认提出 4 笔（80.00 元）" in r.text
    assert agent.get(f"/remedy/{iid}/compensation/policy").status_code == 403
    assert entries(store, iid) == before
    confirmed = {"csrf": token, "confirm": "1", "expect": "4"}
    r = lead.post(f"/remedy/{iid}/compensation/policy", data=confirmed)
    assert flash(r.text).startswith("ok: 按政策提出 4 笔（待主管审批 0，自动批准 4）")
    page = lead.get(f"/remedy/{iid}/compensation/policy").text
    assert "按当前政策没有需要新提出的补偿。" in page and "confirm-form" not in page
    r = lead.post(f"/remedy/{iid}/compensation/policy", data={**confirmed, "expect": "0"})
    assert "已有 4" in flash(r.text)  # proposing twice adds nothing
    shown = boss.get(f"/remedy/{iid}/compensation/issue").text
    assert "将把 5 笔已批准的补偿交给发放渠道，共 230.00 元" in shown
    # What was confirmed is what happens: a count that no longer holds moves nothing.
    r = boss.post(f"/remedy/{iid}/compensation/issue", data={"csrf": boss_token, "confirm": "1", "expect": "4"})
    assert beside(r, "confirm") == "台账在您确认后有变化：确认时是 4 笔，现在是 5 笔。什么都没有做；请重新确认。"
    assert 'name="expect" value="5"' in r.text  # to confirm again, today's count on the button
    assert "issued" not in {e[4] for e in entries(store, iid)}
    r = boss.post(f"/remedy/{iid}/compensation/issue", data={"csrf": boss_token, "confirm": "1", "expect": "5"})
    assert flash(r.text) == "ok: 已发放 5 笔，失败 0，稍后重试 0；仍待发放 0。"
    assert {e[4] for e in entries(store, iid)} == {"issued"}
    issued = [json.loads(line) for line in (tmp_path / "compensation" / "issued.jsonl").read_text().splitlines()]
    assert len([x for x in issued if x.get("action") == "issue"]) == 5
    assert "没有已批准待发放的补偿。" in boss.get(f"/remedy/{iid}/compensation/issue").text
    r = boss.post(f"/remedy/{iid}/compensation/issue", data={"csrf": boss_token, "confirm": "1", "expect": "0"})
    assert flash(r.text) == "ok: 没有待发放的补偿。"

    # Reverse one (a reason is required); reject a new proposal.
    r = boss.post(f"/remedy/{iid}/compensation/{entry_id}/reverse", data={"csrf": boss_token, "reason": " "})
    assert beside(r, f"reverse-{entry_id}") == "请写明原因"
    assert f'id="reverse-{entry_id}-refusal"' in row_of(r.text, entry_id)
    r = boss.post(f"/remedy/{iid}/compensation/{entry_id}/reverse", data={"csrf": boss_token, "reason": "重复退款"})
    assert flash(r.text) == f"ok: 补偿 #{entry_id}（150.00 元）已冲回：重复退款"
    r = lead.post(
        f"/remedy/{iid}/compensation", data={"csrf": token, "customer_ref": "D", "form": "refund", "amount": "300"}
    )
    new_id = entries(store, iid)[-1][0]
    r = boss.post(f"/remedy/{iid}/compensation/{new_id}/reject", data={"csrf": boss_token, "reason": "损失未核实"})
    assert flash(r.text) == f"ok: 补偿 #{new_id} 已驳回：损失未核实"
    # An entry of another incident cannot be reached through this one's address.
    other = declare(store, ctx, title="另一事件")
    r = boss.post(f"/remedy/{other}/compensation/{new_id}/reject", data={"csrf": boss_token, "reason": "x"})
    assert flash(r.text).startswith("error: 没有编号为") and entries(store, iid)[-1][4] == "failed"

    ledger = main(boss.get(f"/remedy/{iid}").text)
    for text in (
        "已发放",
        "已冲回",
        "失败",
        "已承诺 80.00 元，已发放 80.00 元，已补偿客户 4 位。",
        "预算 50,000.00 元",
        "outage-coupon",
    ):
        assert text in ledger, text
    filtered = main(boss.get(f"/remedy/{iid}", params={"status": "reversed"}).text)
    assert f'id="entry-{entry_id}"' in filtered and "outage-coupon" not in filtered.split('id="ledger"')[1]
    overview = main(boss.get("/remedy").text)
    assert "已承诺 80.00 元 / 已发放 80.00 元" in overview and f"INC-{iid}" in overview


def test_link_customers_from_matching_complaints(store, ctx, db_url, tmp_path, monkeypatch):
    from incident.watch import complaints as intake
    from incident.watch.jobs import rules_for

    iid = declare(store, ctx)
    with store.transaction() as s:
        intake.ingest(
            s,
            ctx,
            [
                (
                    1,
                    {
                        "ticket_id": "T1",
                        "time": "2026-11-24 09:30",
                        "channel": "app",
                        "text": "登录不了",
                        "customer_ref": "K1",
                        "contact": "13700002222",
                    },
                )
            ],
            rules_for(ctx),
            "import",
        )
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    add_user(rt, "chenjing", "cs_lead")
    lead = login(create_app(rt), "chenjing")
    token = csrf(lead.get(f"/remedy/{iid}").text)
    r = lead.post(f"/remedy/{iid}/customers/link", data={"csrf": token, "before_hours": "-1"})
    assert "-1" in beside(r, "link") and 'name="before_hours" value="-1"' in r.text
    r = lead.post(f"/remedy/{iid}/customers/link", data={"csrf": token, "before_hours": "2"})
    assert flash(r.text).startswith("ok: 匹配到 1 位投诉客户：新增 1")
    assert "K1" in r.text and "****2222" in r.text
    assert lead.get("/remedy/999").status_code == 404


def test_my_callbacks_today_only_mine_and_recording_an_outcome(store, ctx, db_url, tmp_path, monkeypatch):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    calls = make_callbacks(store, ctx, iid, [("R1", "王小明"), ("R2", "<script>alert(5)</script>"), ("R3", "刘三")])
    with store.transaction() as s:  # two for wangfang (one of them overdue and placed later), one for zhoumin
        s.execute(
            update(Callback)
            .where(Callback.id == calls["R1"][0])
            .values(assignee="wangfang", call_at=ctx.clock.now() - dt.timedelta(hours=2))
        )
        s.execute(
            update(Callback)
            .where(Callback.id == calls["R2"][0])
            .values(assignee="wangfang", call_at=ctx.clock.now(), due_at=ctx.clock.now() - dt.timedelta(minutes=30))
        )
        s.execute(update(Callback).where(Callback.id == calls["R3"][0]).values(assignee="zhoumin"))
    mine, late, theirs = calls["R1"][0], calls["R2"][0], calls["R3"][0]
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    for name, roles in (("wangfang", "agent"), ("zhoumin", "agent"), ("chenjing", "cs_lead")):
        add_user(rt, name, roles)
    app = create_app(rt)

    agent = login(app, "wangfang")
    page = agent.get("/callbacks", params={"agent": "zhoumin"})  # an agent cannot look at someone else's
    body = main(page.text)
    assert page.status_code == 200 and "王芳 (wangfang) 今天的回访" in body
    # The queue lists hers (overdue first); one call in focus: the first of the queue.
    assert f'id="q-{mine}"' in body and f'id="q-{late}"' in body and f'id="q-{theirs}"' not in body
    assert "刘三" not in body and 'name="agent"' not in body  # no picker for agents
    assert body.index(f'id="q-{late}"') < body.index(f'id="q-{mine}"')  # overdue first
    assert f'id="cb-{late}"' in body and f'id="cb-{mine}"' not in body and body.count('class="stack record-form"') == 1
    assert "其中 1 通已超时" in body
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in body and "<script>alert(5)" not in page.text
    picked = main(agent.get("/callbacks", params={"id": mine}).text)  # another call, picked from the list
    assert "王女士，您好！" in picked and f'data-copy="script-{mine}"' in picked and "****0001" in picked
    assert f'id="cb-{late}"' not in picked
    token = csrf(page.text)

    # Someone else's callback, by a hand-made POST: 403 and nothing stored.
    r = agent.post(f"/callbacks/{theirs}", data={"csrf": token, "result": "reached", "satisfaction": "1"})
    assert r.status_code == 403 and "这通回访不是分配给您的（负责人：zhoumin）" in r.text
    with store.read() as s:
        cb = s.get(Callback, theirs)
        assert (cb.status, cb.attempts, cb.satisfaction) == ("open", 0, None)
        assert s.scalar(select(func.count()).select_from(CallbackAttempt)) == 0

    # A bad satisfaction is said on the page; then the real outcome.
    r = agent.post(f"/callbacks/{mine}", data={"csrf": token, "result": "reached", "satisfaction": "9"})
    assert flash(r.text).startswith("error: 满意度应为 1–5")
    r = agent.post(
        f"/callbacks/{mine}",
        data={
            "csrf": token,
            "result": "reached",
            "satisfaction": "5",
            "note": "客户已收到优惠券",
            "demand": "希望改派送时间",
        },
    )
    assert r.url.path == "/callbacks"
    message = flash(r.text)
    assert (
        message.startswith(f"ok: 回访 #{mine} 已记录：已接通，现为「已完成」。")
        and "新诉求已转给 周敏 (zhoumin)" in message
    )
    r = agent.post(f"/callbacks/{late}", data={"csrf": token, "result": "no_answer"})
    assert "将于 2026-11-25 09:00 +08:00 再次拨打（已拨 1 次）" in flash(r.text)
    with store.read() as s:
        cb = s.get(Callback, mine)
        assert (cb.status, cb.satisfaction, cb.outcome, cb.new_demand) == ("done", 5, "reached", "希望改派送时间")
        follow = s.scalars(select(Callback).where(Callback.parent_id == mine)).one()
        assert follow.assignee == "zhoumin"
        assert [a.agent for a in s.scalars(select(CallbackAttempt).order_by(CallbackAttempt.id))] == [
            "wangfang",
            "wangfang",
        ]
    body = main(agent.get("/callbacks").text)
    assert f'id="q-{mine}"' not in body and f'id="q-{late}"' not in body  # done; the other tomorrow
    assert "今天没有需要回访的客户" in body

    # The other agent sees the follow-up with its demand; a cs lead may pick any agent, or all.
    zhoumin = login(app, "zhoumin")
    other = main(zhoumin.get("/callbacks").text)
    assert f'id="q-{follow.id}"' in other and f'id="q-{theirs}"' in other
    other = main(zhoumin.get("/callbacks", params={"id": follow.id}).text)
    assert f'id="cb-{follow.id}"' in other and "新诉求跟进" in other and "希望改派送时间" in other
    lead = login(app, "chenjing")
    picked = main(lead.get("/callbacks", params={"agent": "zhoumin"}).text)
    assert f'id="q-{theirs}"' in picked and "周敏 (zhoumin) 今天的回访" in picked and 'name="agent"' in picked
    everyone = main(lead.get("/callbacks", params={"agent": "*"}).text)
    assert f'id="q-{theirs}"' in everyone and f'id="q-{follow.id}"' in everyone and "负责：周敏 (zhoumin)" in everyone
    # A cs lead may record anyone's.
    r = lead.post(f"/callbacks/{theirs}", data={"csrf": csrf(everyone), "result": "refused", "agent": "*"})
    assert str(r.url).endswith("/callbacks?agent=%2A") and flash(r.text).startswith("ok: ")
    assert login(app, "chenjing").get("/remedy").status_code == 200
    with store.read() as s:
        assert s.get(Callback, theirs).status == "done"


def test_every_remedy_form_answers_beside_itself_and_keeps_what_was_typed(store, ctx, db_url, tmp_path, monkeypatch):
    """Issue 23 point 1: no remedy form redirects to the top of the page and
    loses its input on refusal; a pasted list of 500 lines comes back as
    pasted, its good rows stored and its bad ones named by line beside it."""
    iid = declare(store, ctx)
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    for name, roles in (("chenjing", "cs_lead"), ("liuyang", "lead")):
        add_user(rt, name, roles)
    app = create_app(rt)
    lead = login(app, "chenjing")
    token = csrf(lead.get(f"/remedy/{iid}").text)

    # ---- 500 lines pasted (a browser sends CRLF), three of them bad
    bad_at = {100: "lots", 250: "-5", 499: "1e999"}
    lines = ["customer_ref,name,amount"] + [f"P{n:03d},客户{n},{bad_at.get(n, 80)}" for n in range(1, 500)]
    text = "\n".join(lines) + "\n"
    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": text.replace("\n", "\r\n")})
    assert beside(r, "import", 200).startswith("读取 499 行：新增 496 位客户，未导入 3 行。")
    listed = bad_rows(r, "import")
    assert [row.split("：", 1)[0] for row in listed] == ["第 101 行", "第 251 行", "第 500 行"]
    assert "lots" in listed[0] and "-5" in listed[1]
    assert pasted(r) == text  # every line as typed, to be corrected and sent again
    with store.read() as s:
        assert customers.count(s, iid) == 496
    # sent again once corrected: the good rows are duplicates, nobody twice
    fixed = text.replace(",lots\n", ",80\n").replace(",-5\n", ",5\n").replace(",1e999\n", ",9\n")
    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": fixed})
    assert flash(r.text).startswith("ok: 读取 499 行：新增 3 位客户，496 位已在名单中，未导入 0 行。")
    with store.read() as s:
        assert customers.count(s, iid) == 499
    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": " \n ", "format": "jsonl"})
    assert beside(r, "import") == "请粘贴客户清单" and '<option value="jsonl" selected>' in r.text
    english = lead.post(f"/remedy/{iid}/customers/import?lang=en", data={"csrf": token, "rows": "C9,x\nnot,a,row\n"})
    assert beside(english, "import", 422).startswith("the file's first line has no")  # said in the reader's language
    lead.cookies.set("incident_lang", "zh-CN")  # (the ?lang= choice is kept)

    # ---- linking complaints: the hours typed kept beside the refusal
    r = lead.post(f"/remedy/{iid}/customers/link", data={"csrf": token, "before_hours": "3天"})
    assert "3天" in beside(r, "link") and 'name="before_hours" value="3天"' in r.text

    # ---- a reload, or the language link, at a refused form's address: that part of the page
    for path, anchor in (
        ("customers", "#customers"),
        ("customers/import", "#customers"),
        ("customers/link", "#customers"),
        ("compensation/7/reject", "#ledger"),
        ("compensation/approve", "#ledger"),
    ):
        back = lead.get(f"/remedy/{iid}/{path}?lang=en", follow_redirects=False)
        assert back.status_code == 303 and back.headers["location"] == f"/remedy/{iid}?lang=en{anchor}", path

    # ---- rejecting without a reason: said in the entry's row
    r = lead.post(
        f"/remedy/{iid}/compensation", data={"csrf": token, "customer_ref": "P001", "form": "refund", "amount": "150"}
    )
    [(entry_id, *_)] = entries(store, iid)
    boss = login(app, "liuyang")
    boss_token = csrf(boss.get(f"/remedy/{iid}").text)
    r = boss.post(f"/remedy/{iid}/compensation/{entry_id}/reject", data={"csrf": boss_token, "reason": "  "})
    assert beside(r, f"reject-{entry_id}") == "请写明原因"
    assert f'id="reject-{entry_id}-refusal"' in row_of(r.text, entry_id) and entries(store, iid)[0][4] == "proposed"

    # ---- the policy's confirmation, when the ledger changed since: again, with today's numbers
    r = lead.post(f"/remedy/{iid}/compensation/policy", data={"csrf": token, "confirm": "1", "expect": "1"})
    message = beside(r, "confirm")
    assert message.startswith("台账在您确认后有变化：确认时是 1 笔") and 'id="confirm-form"' in r.text
    assert 'name="expect" value="499"' in r.text  # the count to confirm now
    assert entries(store, iid) == entries(store, iid)[:1]  # nothing proposed


# The trial's pasted list (issue 23): line 4 has no commas, line 3 a bad amount under
# the header's "amount", line 5 a contact that is no phone number or address.
TRIAL = (
    "customer_ref,name,title,order_ref,amount,insured,contact\n"
    "C001,李雷,先生,SF1,80,no,13911112222\n"
    "C002,,女士,SF2,abc,no,13933334444\n"
    "bad line without commas\n"
    "C003,韩梅梅,女士,SF3,50,maybe,x\n"
    "C004,Tom,Mr,SF4,20,no,13955556666\n"
)


def test_a_pasted_list_keeps_its_good_rows_and_names_the_rest_as_a_partial_result(
    store, ctx, db_url, tmp_path, monkeypatch
):
    from incident.web import remedyview

    iid = declare(store, ctx)
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    add_user(rt, "chenjing", "cs_lead")
    lead = login(create_app(rt), "chenjing")
    token = csrf(lead.get(f"/remedy/{iid}").text)

    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": TRIAL, "format": "csv"})
    # read, added, refused: a warning beside the form (200), not a red refusal
    assert beside(r, "import", 200).startswith("读取 5 行：新增 2 位客户，未导入 3 行。")
    assert bad_rows(r, "import") == [
        "第 3 行：「amount」应为非负数字（收到「abc」）",
        "第 4 行：此行只有 1 列，表头有 7 列：是否少了分隔的逗号？此行未导入",
        "第 5 行：「contact」的值「x」既不是电话号码也不是邮箱",
    ]
    assert pasted(r) == TRIAL and '<details id="import" open>' in r.text
    with store.read() as s:
        assert sorted(s.scalars(select(AffectedCustomer.customer_ref))) == ["C001", "C004"]
        assert s.scalar(select(func.count()).select_from(Callback)) == 2  # nobody called for the bad line

    # Again, in English: those already there are counted too, the column named as typed.
    r = lead.post(f"/remedy/{iid}/customers/import?lang=en", data={"csrf": token, "rows": TRIAL})
    assert beside(r, "import", 200).startswith("5 rows read: 0 customers added, 2 already on the list, 3 rows refused.")
    assert bad_rows(r, "import")[0] == "line 3: 'amount' must be a number ≥ 0 (got 'abc')"
    # Nothing stored at all: a refusal, said as an error.
    lead.cookies.set("incident_lang", "zh-CN")  # (the ?lang= choice is kept)
    r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": "客户编号,金额\nbad line\n"})
    assert beside(r, "import", 422) == "读取 1 行：新增 0 位客户，未导入 1 行。"
    assert bad_rows(r, "import") == ["第 2 行：此行只有 1 列，表头有 2 列：是否少了分隔的逗号？此行未导入"]

    # A supervisor who cannot approve: the web says what to do in words, on the admin page, by name.
    note = remedyview.approvers_note(rt.config, ["chenjing"], ["sunli"], "zh-CN")
    assert "孙丽 (sunli)" in note and "「用户管理」页（/admin/users）" in note and "incident users" not in note
    note = remedyview.approvers_note(rt.config, ["chenjing"], ["sunli"], "en")
    assert "Users page (/admin/users)" in note and "孙丽 (sunli)" in note and "incident users" not in note
