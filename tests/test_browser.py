"""The main journeys in a real browser (headless Debian chromium): a lead
declares and runs an incident; comms draft, approve (a second person) and
publish a statement that then shows on the status page and in its Atom
feed; an agent looks up and copies the wording; an agent records a
callback. Every page is screenshotted into test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from incident.models import Incident, TimelineEvent, User
from incident.web.app import create_app
from tests.browser import Shots, sign_in
from tests.webserver import LiveServer
from tests.webutil import PASSWORD, add_user, web_runtime

REFUSED_409 = "Failed to load resource: the server responded with a status of 409 (Conflict)"
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture
def site(db_url, config, clock, request):
    rt = web_runtime(db_url, config, clock)
    for name, roles in (
        ("zhangwei", "lead"),
        ("emily", "comms"),
        ("sunli", "comms,legal"),
        ("wangfang", "agent"),
        ("chenjing", "cs_lead"),
        ("admin", "admin"),
    ):
        add_user(rt, name, roles)
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    with LiveServer(create_app(rt)) as srv:
        yield rt, srv.base, Shots(backend)


def watch_errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Script errors and CSP violations (chromium reports both on the console)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_lead_declares_and_runs_an_incident(browser, site):
    rt, base, shots = site
    ctx, page = sign_in(browser, base, "zhangwei", PASSWORD)
    errors = watch_errors(page)
    assert page.locator("h1").first.inner_text().startswith("进行中的事件（0）")
    shots.take(page, "01-board-empty")
    page.fill("#declare-form input[name=title]", f"APP 登录失败 {XSS}")
    page.select_option("#declare-form select[name=kind]", "system_outage")
    page.select_option("#declare-form select[name=severity]", "1")
    page.fill("#declare-form textarea[name=summary]", "华东地区大量客户反映 APP 无法登录")
    page.click("#declare-form button")
    page.wait_for_url("**/incidents/1")
    assert "已宣布 INC-1" in page.locator(".flash.ok").inner_text()
    heading = page.locator("#inc-h").inner_text()
    assert "INC-1" in heading and "<img src=x" in heading  # shown as text …
    assert page.evaluate("window.__xss") is None  # … and nothing ran
    group = page.locator("#incident table").first.inner_text()
    assert "事件负责人" in group and "技术对接人" in group and "公关负责人" in group
    # run it: acknowledge, move on, note
    page.locator("#incident form[action$='/ack'] button").first.click()
    page.wait_for_url("**/incidents/1")
    assert "已确认" in page.locator(".flash.ok").inner_text()
    page.select_option("#status-form select[name=status]", "investigating")
    page.fill("#status-form input[name=note]", "技术已介入")
    page.click("#status-form button")
    page.wait_for_url("**/incidents/1")
    page.fill("#note-form input[name=text]", "已联系运营商")
    page.click("#note-form button")
    page.wait_for_url("**/incidents/1")
    timeline = page.locator(".timeline").inner_text()
    assert "已联系运营商" in timeline and "排查中" in timeline
    shots.take(page, "02-board-incident")
    # the same board in English, and on a phone
    page.goto("/incidents/1?lang=en")
    assert "Response group" in page.content()
    phone = browser.new_context(
        base_url=base, viewport={"width": 390, "height": 844}, is_mobile=True, storage_state=ctx.storage_state()
    )
    small = phone.new_page()
    small.goto("/incidents/1")
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    shots.take(small, "03-board-phone")
    phone.close()
    assert errors == []
    with rt.store.read() as s:
        inc = s.get(Incident, 1)
        assert inc.status == "investigating" and inc.severity == 1
        notes = [e for e in s.scalars(select(TimelineEvent).where(TimelineEvent.type == "note"))]
        assert [n.actor for n in notes] == ["zhangwei"]
    ctx.close()


def _declare(rt, title="APP 登录失败"):  # type: ignore[no-untyped-def]
    from incident import response
    from incident.context import Context

    with rt.store.transaction() as s:
        return response.declare(
            s,
            Context(config=rt.config, actor="zhangwei", clock=rt.clock),
            kind="system_outage",
            severity=2,
            title=title,
        ).id


def _click(page, selector: str, url: str):  # type: ignore[no-untyped-def]
    page.click(selector)
    page.wait_for_url(url)
    flash = page.locator(".flash")
    assert flash.count() == 0 or "error" not in (flash.first.get_attribute("class") or ""), flash.first.inner_text()


def test_comms_draft_a_second_person_approves_it_is_published(browser, site):
    rt, base, shots = site
    iid = _declare(rt)
    desk = re.compile(rf".*/desk/{iid}([?#].*)?$")
    ectx, emily = sign_in(browser, base, "emily", PASSWORD)
    errors = watch_errors(emily)
    emily.goto(f"/desk/{iid}")
    fill = {
        "what": ("APP 登录失败，部分客户无法下单", "Some customers cannot log in to the app"),
        "scope": ("华东地区使用 APP 的客户", "app customers in East China"),
        "fix": ("技术人员已定位问题并正在修复", "Our engineers have found the fault and are fixing it"),
        "support_channel": ("客服热线专席 95311 转 8", "our dedicated line 95311, option 8"),
    }
    for name, (zh, en) in fill.items():
        emily.fill(f"#f-{name}-zh-CN", zh)
        emily.fill(f"#f-{name}-en", en)
    # the live preview follows the typing, before anything is saved
    emily.fill("#f-fix-zh-CN", "技术人员已定位问题，预计 30 分钟内修复")
    from playwright.sync_api import expect

    expect(emily.locator("#preview")).to_contain_text("预计 30 分钟内修复")
    shots.take(emily, "04-desk-editor-live-preview")
    _click(emily, "#facts-form button.primary", desk)
    _click(emily, "#sheet-submit button", desk)
    # the author cannot approve their own sheet (four eyes): said beside the button, on the page at its address
    if emily.locator("#sheet-approve button").count():
        emily.click("#sheet-approve button")
        emily.wait_for_url(f"**/desk/{iid}/facts/approve")
        assert emily.locator("#sheet-approve-refusal").is_visible()
        errors.remove(REFUSED_409)  # the page's own status, which chromium logs; nothing else may be
    sctx, sunli = sign_in(browser, base, "sunli", PASSWORD)
    sunli.goto(f"/desk/{iid}")
    _click(sunli, "#sheet-approve button", desk)
    emily.goto(f"/desk/{iid}")
    _click(emily, "#draft-form button", desk)
    statement = emily.locator("#statement-1")
    assert "短信" in statement.inner_text() or "SMS" in statement.inner_text()
    _click(emily, "#statement-1 .st-submit button", desk)
    sunli.goto(f"/desk/{iid}")
    _click(sunli, "#statement-1 .st-approve button", desk)
    # the redirect lands on #statement-1, far down the page; the result stays in view at the top
    assert sunli.evaluate("window.scrollY") > 0
    box, height = sunli.locator(".flash").bounding_box(), sunli.evaluate("window.innerHeight")
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, (box, height)
    heading = sunli.locator("#statement-1").bounding_box()
    assert heading is not None and heading["y"] >= box["y"] + box["height"] - 1  # not hidden under it
    emily.goto(f"/desk/{iid}")
    _click(emily, "#statement-1 .st-publish button", desk)
    assert emily.locator("#log-1").count() == 1
    shots.take(emily, "05-desk-published")
    # the public status page and its feed, without signing in
    public = browser.new_context(base_url=base, locale="zh-CN")
    page = public.new_page()
    page.goto("/status")
    assert "预计 30 分钟内修复" in page.inner_text("body")
    shots.take(page, "06-status-page")
    page.goto("/status?lang=en")
    assert "found the fault" in page.inner_text("body")
    feed = page.request.get(f"{base}/status/feed.atom")
    assert feed.ok and "application/atom+xml" in feed.headers["content-type"]
    assert "预计 30 分钟内修复" in feed.text() and "<entry>" in feed.text()
    public.close()
    assert errors == []
    ectx.close()
    sctx.close()


def _approve_facts(rt, iid):  # type: ignore[no-untyped-def]
    from incident.context import Context
    from tests.factories import approved_sheet

    approved_sheet(
        rt.store, Context(config=rt.config, actor="emily", clock=rt.clock), iid, author="emily", approver="sunli"
    )


def test_a_refused_desk_form_answers_in_view_and_keeps_what_was_typed(browser, site):
    """Issue 23 point 1: approving one's own statement, far down the desk,
    is refused beside the statement's buttons — in the viewport, focused,
    the comment as typed — not at the top of a reloaded page."""
    from incident.context import Context
    from incident.i18n import t
    from incident.wording import workflow

    rt, base, shots = site
    iid = _declare(rt)
    _approve_facts(rt, iid)
    emily_ctx = Context(config=rt.config, actor="emily", clock=rt.clock)
    for _ in range(3):  # three statements: #1 lies well below the fold
        with rt.store.transaction() as s:
            number = workflow.draft_statement(s, emily_ctx, iid, kind="holding", channels=["sms", "status_page"]).number
        with rt.store.transaction() as s:
            workflow.submit_statement(s, emily_ctx, iid, number)
    ctx, page = sign_in(browser, base, "emily", PASSWORD)
    errors = watch_errors(page)
    page.goto(f"/desk/{iid}")
    form = page.locator("#statement-1 .st-approve")
    form.locator("input[name=comment]").fill("我来批 <b>急</b>")
    form.locator("button").click()
    page.wait_for_url(f"**/desk/{iid}/statements/1/approve")
    answer = page.locator("#st1-approve-refusal")
    assert answer.inner_text() == t("wording.error.four_eyes", "zh-CN", person="emily")
    box, height = answer.bounding_box(), page.evaluate("window.innerHeight")
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, (box, height)
    assert page.evaluate("window.scrollY") > 0  # brought down to it, not left at the top
    assert page.evaluate("document.activeElement.closest('.refusal') !== null")  # focused: read out, seen
    kept = page.locator("#statement-1 .st-approve input[name=comment]")
    assert kept.input_value() == "我来批 <b>急</b>"
    assert page.evaluate("window.__xss") is None
    errors.remove(REFUSED_409)  # the page's own status, which chromium logs; nothing else may be
    shots.take(page, "11-desk-refused-beside-the-form")
    # the language link at that address leads back to the statement
    page.click("header a.lang")
    page.wait_for_url(re.compile(rf".*/desk/{iid}\?lang=en#statement-1$"))
    assert "Statements" in page.inner_text("body")
    with rt.store.read() as s:
        assert workflow.list_statements(s, iid)[0].status == "in_review"
    assert errors == []
    ctx.close()


def test_agent_looks_up_and_copies_the_wording(browser, site):
    rt, base, shots = site
    draft_only = _declare(rt, "短信验证码收不到")
    iid = _declare(rt, "APP 登录失败")
    _approve_facts(rt, iid)
    ctx, page = sign_in(browser, base, "wangfang", PASSWORD, permissions=["clipboard-read", "clipboard-write"])
    errors = watch_errors(page)
    # the agent's menu: lookup and callbacks, not the desk
    nav = page.locator("nav.nav").inner_text()
    assert "话术查询" in nav and "声明工作台" not in nav
    page.goto("/lookup")
    page.fill("#lookup-form input[name=q]", f"INC-{draft_only}")
    page.press("#lookup-form input[name=q]", "Enter")
    page.wait_for_url(re.compile(r".*/lookup\?.*"))
    assert page.locator("#no-reply").count() == 1 and page.locator("#reply-text").count() == 0
    page.fill("#lookup-form input[name=q]", "登录")
    page.fill("#lookup-form input[name=name]", "张三")
    page.select_option("#lookup-form select[name=title]", "先生")
    page.fill("#lookup-form input[name=contact]", "5678")
    page.press("#lookup-form input[name=q]", "Enter")
    page.wait_for_selector("#reply-text")
    reply = page.inner_text("#reply-text")
    assert reply.startswith("张先生，您好") and "20 元优惠券" in reply
    page.click("button[data-copy='reply-text']")
    assert page.evaluate("navigator.clipboard.readText()") == reply
    shots.take(page, "07-agent-lookup")
    assert errors == []
    # an agent cannot reach the desk, even by typing its address
    assert page.goto(f"/desk/{iid}").status == 403
    ctx.close()


def test_agent_records_a_callback(browser, site):
    from incident.models import CallbackAttempt

    rt, base, shots = site
    iid = _declare(rt)
    _approve_facts(rt, iid)
    lead_ctx, lead = sign_in(browser, base, "chenjing", PASSWORD)
    errors = watch_errors(lead)
    lead.goto(f"/remedy/{iid}")
    for ref, name in (("C001", "张三"), ("C002", "李四")):
        lead.click("details:has(#add-customer-form) > summary")  # the form sits folded under its heading
        lead.fill("#add-customer-form input[name=customer_ref]", ref)
        lead.fill("#add-customer-form input[name=name]", name)
        lead.select_option("#add-customer-form select[name=title]", "先生")
        lead.click("#add-customer-form button")
        lead.wait_for_url(re.compile(rf".*/remedy/{iid}([?#].*)?$"))
        assert "ok" in lead.locator(".flash").get_attribute("class")
    assert "张三" in lead.inner_text("body") and "李四" in lead.inner_text("body")
    shots.take(lead, "08-remedy-incident")
    ctx, page = sign_in(browser, base, "wangfang", PASSWORD)
    errors += watch_errors(page)
    page.goto("/callbacks")
    cards = page.locator("section.callback")
    assert cards.count() == 1  # the two calls were shared between the two agents; this is hers
    card_id = cards.first.get_attribute("id")
    assert "您好" in page.inner_text(f"#{card_id} .reply")
    shots.take(page, "09-my-callbacks")
    page.check(f"#{card_id} input[name=result][value=reached]")
    page.select_option(f"#{card_id} select[name=satisfaction]", "5")
    page.fill(f"#{card_id} input[name=note]", "客户表示理解")
    page.click(f"#{card_id} form.record-form button")
    page.wait_for_url(re.compile(r".*/callbacks([?#].*)?$"))
    assert "ok" in page.locator(".flash").get_attribute("class")
    with rt.store.read() as s:
        attempts = list(s.scalars(select(CallbackAttempt)))
    assert [(a.agent, a.result, a.note) for a in attempts] == [("wangfang", "reached", "客户表示理解")]
    shots.take(page, "10-callback-recorded")
    assert errors == []
    ctx.close()
    lead_ctx.close()


def test_every_page_in_both_languages(browser, site):
    """A tour: each page renders for the user it is for, in zh-CN and en,
    with no script error or CSP violation; a screenshot of each."""
    rt, base, shots = site
    iid = _declare(rt)
    _approve_facts(rt, iid)
    anon = browser.new_context(base_url=base, locale="zh-CN")
    page = anon.new_page()
    errors = watch_errors(page)
    page.goto("/login")
    shots.take(page, "00-login")
    anon.close()
    for lang in ("zh-CN", "en"):
        ctx, page = sign_in(browser, base, "admin", PASSWORD, lang=lang)
        errors += watch_errors(page)
        for path, name in (
            ("/", "board"),
            ("/desk", "desk-list"),
            (f"/desk/{iid}", "desk"),
            ("/lookup?q=登录", "lookup"),
            ("/remedy", "remedy-list"),
            (f"/remedy/{iid}", "remedy"),
            ("/callbacks", "callbacks"),
            ("/admin/users", "admin"),
            ("/status", "status"),
        ):
            response = page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response.status == 200, (path, response.status)
            shots.take(page, f"tour-{lang}-{name}")
            if name == "admin":  # the admin's menu, in the chosen language
                assert ("用户管理" if lang == "zh-CN" else "Users") in page.locator("nav.nav").inner_text()
        ctx.close()
    assert errors == []


def test_admin_users_table_lines_up_and_each_row_saves_its_own_fields(browser, site):
    rt, base, shots = site
    ctx, page = sign_in(browser, base, "admin", PASSWORD)
    errors = watch_errors(page)
    page.goto("/admin/users")
    table = page.locator("table").first
    heads = table.locator("thead th")
    rows = table.locator("tbody > tr")
    # (every row's person list names wangfang too: find the row by its first cell)
    row = next(rows.nth(i) for i in range(rows.count()) if rows.nth(i).locator("td").first.inner_text() == "wangfang")
    cells = row.locator(":scope > td")
    assert heads.count() == cells.count() == 5
    for i in range(heads.count()):  # each heading stands over its own column
        head, cell = heads.nth(i).bounding_box(), cells.nth(i).bounding_box()
        assert head is not None and cell is not None and abs(head["x"] - cell["x"]) < 1, (i, head, cell)
    shots.take(page, "admin-users")
    # fields in other cells belong to the row's form: ticking a role and saving keeps it
    row.locator("input[name=role_cs_lead]").check()
    with page.expect_navigation():
        row.locator("button").click()
    assert "ok" in (page.locator(".flash").get_attribute("class") or "")
    with rt.store.read() as s:
        roles = s.scalars(select(User.roles).where(User.username == "wangfang")).one()
    assert set(roles) == {"agent", "cs_lead"}
    assert errors == []
    ctx.close()
