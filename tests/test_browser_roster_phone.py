"""Issue 23 points 8 and 9 in a real browser (headless Debian chromium):
an agent shows a customer's number and gets a tel: link to dial (the
showing on the timeline, the number nowhere else on the page before); a
lead edits the roster on /roster, a refusal answering beside its form with
what was typed kept. Screenshots into test-artifacts/screenshots/."""

from __future__ import annotations

from sqlalchemy import select, update

from incident.enums import EventType
from incident.models import Callback, TimelineEvent
from tests.browser import sign_in
from tests.test_browser import site, watch_errors  # noqa: F401  (fixture)
from tests.test_web_remedy import make_callbacks
from tests.test_wording import approved_sheet, declare
from tests.webutil import PASSWORD


def test_agent_shows_the_number_and_dials_it(browser, site, store, ctx):  # noqa: F811
    rt, base, shots = site
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    calls = make_callbacks(store, ctx, iid, [("D1", "王小明")])
    with store.transaction() as s:
        s.execute(update(Callback).values(assignee="wangfang", call_at=ctx.clock.now(), due_at=ctx.clock.now()))
    cb_id = calls["D1"][0]
    bctx, page = sign_in(browser, base, "wangfang", PASSWORD)
    errors = watch_errors(page)
    page.goto("/callbacks")
    focus = page.locator(f"#cb-{cb_id}").inner_text()
    assert "****0001" in focus and "13800000001" not in page.content()
    page.locator(f"form[action='/callbacks/{cb_id}/reveal'] button").click()
    page.wait_for_selector("#cb-tel")
    assert page.get_attribute("#cb-tel", "href") == "tel:13800000001"
    assert "13800000001" in page.inner_text("#cb-tel")
    shots.take(page, "20-callback-number-shown-to-dial")
    # The address is the call's own now (static/callbacks.js), not the POST's: a reload
    # reads the queue again (the number hidden) instead of recording a second showing.
    assert page.evaluate("location.pathname + location.search") == f"/callbacks?id={cb_id}"
    page.reload()
    page.wait_for_selector(f"form[action='/callbacks/{cb_id}/reveal']")
    assert "13800000001" not in page.content()
    with rt.store.read() as s:
        shown = list(s.scalars(select(TimelineEvent).where(TimelineEvent.type == EventType.CONTACT_REVEALED.value)))
    assert [(e.actor, e.data) for e in shown] == [("wangfang", {"callback": cb_id, "customer": "D1"})]
    assert errors == []
    bctx.close()


def in_view_and_focused(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """The refusal is on screen and has the focus (as the desk's, tests/test_browser.py)."""
    box, height = page.locator(selector).bounding_box(), page.evaluate("window.innerHeight")
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, (box, height)
    assert page.evaluate("document.activeElement.closest('.refusal') !== null")


def test_lead_edits_the_roster_refusal_beside_the_form(browser, site):  # noqa: F811
    rt, base, shots = site
    bctx, page = sign_in(browser, base, "zhangwei", PASSWORD)
    errors = watch_errors(page)
    page.goto("/roster")
    assert page.locator("#oncall-cs").count() == 1 and "配置文件" in page.inner_text("#roster-wins")
    page.fill("#form-team-cs input[name=members]", "wangfang, 没有这人")
    page.click("#form-team-cs button")
    page.wait_for_selector("#team-cs-refusal")
    assert page.locator(".refusal[role=alert] #team-cs-refusal").count() == 1
    assert "没有这人" in page.inner_text("#team-cs-refusal")
    in_view_and_focused(page, "#team-cs-refusal")
    assert page.input_value("#form-team-cs input[name=members]") == "wangfang, 没有这人"
    errors[:] = [e for e in errors if "422" not in e]  # the page's own status, which chromium logs
    shots.take(page, "21-roster-refused-beside-the-form")
    page.fill("#form-team-cs input[name=members]", "zhoumin, wangfang, lina")
    page.click("#form-team-cs button")
    page.wait_for_selector(".flash.ok")
    assert "已保存" in page.inner_text(".flash.ok")
    assert "来源：数据库" in page.inner_text("#team-cs")
    assert "wangfang, zhoumin → zhoumin, wangfang, lina" in page.inner_text("#history")
    assert rt.config.teams["cs"].rotation.members == ["zhoumin", "wangfang", "lina"]
    shots.take(page, "22-roster-edited")
    # Far down the page, in the people table: a full number refused, the answer on screen and focused.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the table fits or scrolls
    assert page.input_value("#phone-lina") == "" and "****5678" in page.inner_text("#phone-now-lina")
    page.fill("#phone-lina", "13800005678")
    page.click("#form-person-lina button")
    page.wait_for_selector("#person-lina-refusal")
    assert page.evaluate("window.scrollY") > 0
    in_view_and_focused(page, "#person-lina-refusal")
    assert "后四位" in page.inner_text("#person-lina-refusal") and page.input_value("#phone-lina") == "13800005678"
    errors[:] = [e for e in errors if "422" not in e]
    shots.take(page, "23-roster-person-refused-in-view")
    assert errors == []
    bctx.close()
