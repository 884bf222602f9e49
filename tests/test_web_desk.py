"""The statement desk pages over a real uvicorn server: the fact-sheet
editor with its live preview (nothing stored), four-eyes review, statements
with per-channel counts and findings, publishing and the publication log;
the server refusing hand-made POSTs (wrong role, no CSRF token); and text
from users always shown escaped."""

from __future__ import annotations

import html as htmllib
import re

import httpx
import pytest
from sqlalchemy import func, select

from incident import response
from incident.access import users
from incident.context import Context
from incident.i18n import t
from incident.models import Approval, Delivery, FactSheet, Statement, TimelineEvent
from incident.runtime import Runtime
from incident.web.app import create_app
from tests import webutil
from tests.webserver import LiveServer

PASSWORD = "desk-pass-123"
ZH = {"accept-language": "zh-CN"}

SHEET = {
    "public_title.zh-CN": "部分客户 APP 登录异常",
    "public_title.en": "Some customers cannot log in to the app",
    "wechat_keyword1.en": "App login problem",
    "what.zh-CN": "APP 登录失败，部分客户无法下单",
    "what.en": "Some customers cannot log in to the app or place orders",
    "scope.zh-CN": "华东地区使用 APP 的客户",
    "scope.en": "app customers in East China",
    "cause.zh-CN": "",
    "cause.en": "",
    "fix.zh-CN": "技术人员已定位问题并正在修复",
    "fix.en": "Our engineers have found the fault and are fixing it",
    "workaround.zh-CN": "你可以先使用网页版下单",  # 你 for 您: a warning (004 ch.2 §2), not an error
    "workaround.en": "use the website to place orders",
    "compensation.zh-CN": "受影响客户可领取 20 元优惠券",
    "compensation.en": "Affected customers can claim a 20 yuan coupon",
    "support_channel.zh-CN": "客服热线专席 95311 转 8",
    "support_channel.en": "our dedicated line 95311, option 8",
    "dos.zh-CN": "先致歉，再说明处理进度\r\n主动告知补偿方式",
    "dos.en": "Apologise first, then give the progress",
    "donts.zh-CN": "不要猜测原因",
    "donts.en": "Do not guess the cause",
    "eta": "2026-11-24T14:00",
    "compensation_amount": "20",
}


@pytest.fixture
def rt(db_url, config, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    runtime = Runtime.build(database_url=db_url)
    runtime.config, runtime.clock = config, clock
    with runtime.store.transaction() as s:
        for name, roles in (("emily", "comms"), ("sunli", "comms"), ("zhangwei", "lead"), ("wangfang", "agent")):
            users.add(s, config, clock.now(), username=name, roles=roles, password=PASSWORD)
    yield runtime
    runtime.store.dispose()


def declare(rt: Runtime, title: str = "APP 登录失败") -> int:
    with rt.store.transaction() as s:
        ctx = Context(config=rt.config, actor="zhangwei", clock=rt.clock)
        return response.declare(s, ctx, kind="system_outage", severity=2, title=title).id


def login(base: str, name: str) -> tuple[httpx.Client, str]:
    return webutil.login(base, name, PASSWORD, headers=ZH)


def post(client: httpx.Client, url: str, token: str | None, **data: str) -> httpx.Response:
    if token is not None:
        data["csrf"] = token
    return client.post(url, data=data)


def follow(client: httpx.Client, r: httpx.Response) -> str:
    """The page a 303 leads to, with its flash message."""
    assert r.status_code == 303, (r.status_code, r.text[:500])
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    return page.text


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    end = html.find("</article>", start)
    end = html.find("</section>", start) if end < 0 else end
    return html[start:end]


def count(rt: Runtime, model, *where) -> int:  # type: ignore[no-untyped-def]
    with rt.store.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def sheet_status(rt: Runtime, iid: int) -> list[tuple[int, str]]:
    with rt.store.read() as s:
        return [
            (v, st)
            for v, st in s.execute(
                select(FactSheet.version, FactSheet.status)
                .where(FactSheet.incident_id == iid)
                .order_by(FactSheet.version)
            )
        ]


def statement(rt: Runtime, iid: int, number: int = 1) -> Statement:
    with rt.store.read() as s:
        return s.scalars(select(Statement).where(Statement.incident_id == iid, Statement.number == number)).one()


def test_desk_edit_preview_review_publish_and_log(rt):
    iid = declare(rt)
    desk = f"/desk/{iid}"
    with LiveServer(create_app(rt)) as srv:
        emily, e_tok = login(srv.base, "emily")
        sunli, s_tok = login(srv.base, "sunli")

        index = emily.get("/desk")
        assert index.status_code == 200 and f'href="{desk}"' in index.text
        assert t("web.desk.no_sheet", "zh-CN") in index.text

        page = emily.get(desk)
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "<script>" not in page.text and " style=" not in page.text  # the CSP allows neither
        assert f'data-preview="{desk}/preview"' in page.text

        # ---- the live preview: unsaved fields rendered, checked, nothing stored
        events_before = count(rt, TimelineEvent, TimelineEvent.incident_id == iid)
        fields = {**SHEET, "fix.zh-CN": "技术人员正在修复，肯定能解决", "preview_kind": "holding"}
        r = post(emily, f"{desk}/preview", e_tok, **fields)
        assert r.status_code == 200 and "<html" not in r.text  # a fragment, not a page
        assert "技术人员正在修复，肯定能解决" in r.text  # the unsaved text, rendered
        assert t("web.desk.count.segments", "zh-CN") in r.text and t("web.desk.count.chars", "zh-CN") in r.text
        assert re.search(r'class="finding error".*?absolute_promise', r.text, re.S)  # 000 §2.1, inline
        assert re.search(r'class="finding warning".*?pronoun_ni', r.text, re.S)
        assert "情况说明" in r.text  # previewed as a holding statement
        assert count(rt, FactSheet, FactSheet.incident_id == iid) == 0
        assert count(rt, TimelineEvent, TimelineEvent.incident_id == iid) == events_before
        # The preview is a POST like any other: no token, no preview.
        assert post(emily, f"{desk}/preview", None, **fields).status_code == 403

        # ---- save, submit; the author cannot approve her own wording
        html = follow(emily, post(emily, f"{desk}/facts", e_tok, **SHEET))
        assert t("web.desk.done.saved", "zh-CN", version=1, status="draft") in html
        assert sheet_status(rt, iid) == [(1, "draft")]
        with rt.store.read() as s:
            content = s.scalars(select(FactSheet).where(FactSheet.incident_id == iid)).one().content
        assert content["dos"]["zh-CN"] == ["先致歉，再说明处理进度", "主动告知补偿方式"]
        assert content["eta"] == "2026-11-24T06:00:00+00:00" and content["compensation_amount"] == 20
        # The inline finding sits next to its field.
        assert "pronoun_ni" in section(html, "field-workaround")
        # Saving the same fields again changes nothing.
        assert t("web.desk.done.unchanged", "zh-CN") in follow(emily, post(emily, f"{desk}/facts", e_tok, **SHEET))

        html = follow(emily, post(emily, f"{desk}/facts/submit", e_tok))
        assert t("web.desk.done.sheet_submitted", "zh-CN", version=1, errors=0, warnings=1) in html
        # refused beside the approve form (409: it clashes with who wrote it), the comment kept
        r = post(emily, f"{desk}/facts/approve", e_tok, comment="我自己批 <b>")
        assert refusal(r, "sheet-approve", 409) == t("wording.error.four_eyes", "zh-CN", person="emily")
        assert 'value="我自己批 &lt;b&gt;"' in form_of(r.text, "sheet-approve")
        assert sheet_status(rt, iid) == [(1, "in_review")] and count(rt, Approval) == 0

        # ---- a second comms person approves
        page = sunli.get(desk).text
        assert 'id="sheet-approve"' in page and 'id="sheet-reject"' in page
        html = follow(sunli, post(sunli, f"{desk}/facts/approve", s_tok, comment="可以"))
        assert t("web.desk.done.sheet_approved", "zh-CN", what="v1") in html
        assert sheet_status(rt, iid) == [(1, "approved")]
        assert "孙丽 (sunli)" in section(html, "facts")

        # ---- draft a statement: per-channel preview, counts and findings
        html = follow(
            emily, post(emily, f"{desk}/statements", e_tok, kind="update", ch_sms="1", ch_weibo="1", ch_status_page="1")
        )
        assert t("web.desk.done.drafted", "zh-CN", number=1, errors=0) in html
        st = statement(rt, iid)
        assert st.status == "draft" and st.channels == ["status_page", "sms", "weibo"]
        article = section(html, "statement-1")
        sms = st.rendered["zh-CN"]["sms"]
        assert f"{t('web.desk.count.segments', 'zh-CN')} {sms['counts']['segments']}" in article
        assert f"{t('web.desk.count.chars', 'zh-CN')} {sms['counts']['chars']}" in article
        assert 'id="st1-zh-CN-sms"' in article and 'id="st1-en-weibo"' in article and "st1-zh-CN-email" not in article
        assert sms["text"].split("：", 1)[1][:10] in article
        warnings = [f for f in st.findings if f["severity"] == "warning"]
        assert warnings and all(f["rule"] in article for f in warnings)
        assert 'class="finding warning"' in article and 'class="finding error"' not in article

        html = follow(emily, post(emily, f"{desk}/statements/1/submit", e_tok))
        assert statement(rt, iid).status == "in_review"
        r = post(emily, f"{desk}/statements/1/approve", e_tok, comment="发吧", publish_now="1")
        assert refusal(r, "st1-approve", 409) == t("wording.error.four_eyes", "zh-CN", person="emily")
        approve_form = section(r.text, "statement-1").split("st-approve", 1)[1].split("</form>", 1)[0]
        assert 'value="发吧"' in approve_form and 'name="publish_now" value="1" checked' in approve_form
        assert statement(rt, iid).status == "in_review"

        # ---- an agent's and a lead's hand-made POSTs are refused by the server
        agent, a_tok = login(srv.base, "wangfang")
        assert agent.get(desk).status_code == 403  # agents do not see the desk
        for url in (
            f"{desk}/statements/1/approve",
            f"{desk}/statements/1/publish",
            f"{desk}/facts/approve",
            f"{desk}/facts/retract",
            f"{desk}/statements",
            f"{desk}/facts",
        ):
            refused = post(agent, url, a_tok, reason="x", kind="update", ch_sms="1", **{"what.zh-CN": "改"})
            assert refused.status_code == 403, url
        lead, l_tok = login(srv.base, "zhangwei")
        assert post(lead, f"{desk}/statements/1/approve", l_tok).status_code == 403  # leads edit, comms approve
        assert 'class="row st-approve"' not in lead.get(desk).text  # and the page offers no button
        assert statement(rt, iid).status == "in_review" and count(rt, Approval) == 1

        html = follow(sunli, post(sunli, f"{desk}/statements/1/approve", s_tok))
        assert t("web.desk.done.st_approve", "zh-CN", what="#1") in html
        assert statement(rt, iid).status == "approved"
        assert post(agent, f"{desk}/statements/1/publish", a_tok).status_code == 403
        assert statement(rt, iid).status == "approved" and count(rt, Delivery) == 0

        # ---- publish; the publication log shows it with its deliveries
        html = follow(emily, post(emily, f"{desk}/statements/1/publish", e_tok))
        assert t("web.desk.done.st_publish", "zh-CN", what="#1") in html
        st = statement(rt, iid)
        assert st.status == "published" and st.published_by == "emily"
        assert count(rt, Delivery, Delivery.statement_id == st.id, Delivery.channel == "weibo") == 1
        log = section(html, "log")
        assert (
            "#1" in log
            and t("web.desk.log.published", "zh-CN", at="2026-11-24 10:00 +08:00", who="Emily Carter (emily)") in log
        )
        assert t("web.desk.log.approved_by", "zh-CN", who="孙丽 (sunli)") in log
        assert f"{t('web.desk.delivery.pending', 'zh-CN')} 1" in log  # weibo: the official account
        assert t("web.desk.log.status_page", "zh-CN") in log and t("web.desk.log.no_recipients", "zh-CN") in log
        index = emily.get("/desk").text
        assert "#1 · 2026-11-24 10:00" in index

        # ---- a second version: the diff, a rejection that needs a reason
        changed = {**SHEET, "fix.zh-CN": "系统已修复，正在观察"}
        html = follow(emily, post(emily, f"{desk}/facts", e_tok, **changed))
        assert sheet_status(rt, iid) == [(1, "approved"), (2, "draft")]
        diff = section(emily.get(desk, params={"a": 1, "b": 2}).text, "diff")
        assert re.search(
            r"diff-old[^>]*>技术人员已定位问题并正在修复<.*?diff-new[^>]*>系统已修复，正在观察<", diff, re.S
        )
        follow(emily, post(emily, f"{desk}/facts/submit", e_tok))
        r = post(sunli, f"{desk}/facts/reject", s_tok, reason="  ")
        assert refusal(r, "sheet-reject") == t("wording.error.reason_required", "zh-CN")
        assert "autofocus" in form_of(r.text, "sheet-reject")  # the reason, to be written at once
        html = follow(sunli, post(sunli, f"{desk}/facts/reject", s_tok, reason="请补充恢复时间"))
        assert sheet_status(rt, iid) == [(1, "approved"), (2, "draft")]

        # ---- retracting the published statement cancels what has not gone out
        html = follow(emily, post(emily, f"{desk}/statements/1/retract", e_tok, reason="内容有误"))
        assert statement(rt, iid).status == "retracted"
        assert f"{t('web.desk.delivery.cancelled', 'zh-CN')} 1" in section(html, "log")
        english = emily.get(desk, params={"lang": "en"}).text  # the same page in English (the choice is kept)
        assert "Publication log" in english and "Fact sheet" in english and "SMS segments" in english
        for c in (emily, sunli, agent, lead):
            c.close()


def test_post_without_csrf_token_is_refused(rt):
    iid = declare(rt)
    with LiveServer(create_app(rt)) as srv:
        emily, token = login(srv.base, "emily")
        for bad in (None, "not-the-token"):
            r = post(emily, f"/desk/{iid}/facts", bad, **SHEET)
            assert r.status_code == 403
            assert t("access.error.csrf", "zh-CN") in r.text
        assert count(rt, FactSheet) == 0
        # The token in a header does for scripts (the live preview sends it so).
        r = emily.post(f"/desk/{iid}/preview", data=SHEET, headers={"x-csrf-token": token})
        assert r.status_code == 200
        emily.close()


def test_user_text_is_escaped(rt):
    iid = declare(rt, title="<script>alert(1)</script> 登录失败")
    attack = "<script>alert(1)</script>"
    with LiveServer(create_app(rt)) as srv:
        emily, token = login(srv.base, "emily")
        follow(
            emily,
            post(
                emily, f"/desk/{iid}/facts", token, **{**SHEET, "what.zh-CN": attack, "what.en": attack, "note": attack}
            ),
        )
        with rt.store.read() as s:
            assert s.scalars(select(FactSheet)).one().content["what"]["zh-CN"] == attack  # stored as typed
        for html in (
            emily.get("/desk").text,
            emily.get(f"/desk/{iid}").text,
            post(emily, f"/desk/{iid}/preview", token, **{**SHEET, "fix.en": attack}).text,
        ):
            assert "<script>alert(1)" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        emily.close()


def test_desk_needs_sign_in_and_the_right_role(rt):
    iid = declare(rt)
    with LiveServer(create_app(rt)) as srv:
        with httpx.Client(base_url=srv.base, timeout=30) as anon:
            r = anon.get(f"/desk/{iid}")
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
            assert anon.post(f"/desk/{iid}/preview", data=SHEET).status_code == 303
        emily, _ = login(srv.base, "emily")
        assert emily.get("/desk/999").status_code == 404
        emily.close()


def test_desk_sets_the_public_title_and_wechat_fields_and_refuses_a_statement_with_errors(rt):
    """Issue 22 point 2: comms set the public title and WeChat's keyword1 on
    the desk (not by renaming the incident), see their findings beside the
    field, and a statement with an error cannot be submitted."""
    iid = declare(rt, title="系统故障：投诉量（类别=系统）激增（50 件/桶，基线 0.5）")
    desk = f"/desk/{iid}"
    long_title = "Sign-in and ordering trouble in our app"  # over WeChat's 20 characters
    fields = {
        **SHEET,
        "public_title.zh-CN": "部分客户无法登录 APP",
        "public_title.en": "App sign-in trouble",
        "wechat_keyword1.zh-CN": "APP 登录异常",
        "wechat_keyword1.en": long_title,
    }
    with LiveServer(create_app(rt)) as srv:
        emily, e_tok = login(srv.base, "emily")
        sunli, s_tok = login(srv.base, "sunli")
        page = emily.get(desk).text
        assert 'name="public_title.en"' in page and 'name="wechat_keyword1.zh-CN"' in page
        html = follow(emily, post(emily, f"{desk}/facts", e_tok, **fields))
        with rt.store.read() as s:
            content = s.scalars(select(FactSheet).where(FactSheet.incident_id == iid)).one().content
        assert content["public_title"] == {"zh-CN": "部分客户无法登录 APP", "en": "App sign-in trouble"}
        assert content["wechat_keyword1"]["zh-CN"] == "APP 登录异常"
        row = section(html, "field-wechat_keyword1")
        # The finding beside the field it is about, in the reader's language.
        assert long_title in row and t("sheet.wechat_title_long", "zh-CN", limit=20) in row
        assert ">部分客户无法登录 APP</textarea>" in section(html, "field-public_title")
        follow(emily, post(emily, f"{desk}/facts/submit", e_tok))
        follow(sunli, post(sunli, f"{desk}/facts/approve", s_tok))
        assert sheet_status(rt, iid) == [(1, "approved")]

        html = follow(emily, post(emily, f"{desk}/statements", e_tok, kind="holding", ch_wechat="1", ch_sms="1"))
        st = statement(rt, iid)
        assert st.rendered["zh-CN"]["wechat"]["fields"]["keyword1"] == "APP 登录异常"  # not the internal title
        assert any(f["rule"] == "channel.wechat.field_too_long" and f["severity"] == "error" for f in st.findings)
        refused = post(emily, f"{desk}/statements/1/submit", e_tok)
        assert statement(rt, iid).status == "draft"
        message = refusal(refused, "st1-submit", refused.status_code)
        assert refused.status_code in (409, 422) and "不能提交审批" in message and "field_too_long" in message
        assert 'id="st1-submit-refusal"' in section(refused.text, "statement-1")  # beside the statement's buttons
        english = post(emily, f"{desk}/statements/1/submit?lang=en", e_tok)
        message = refusal(english, "st1-submit", refused.status_code)
        assert "cannot be submitted" in message and "不能提交" not in message
        emily.close()
        sunli.close()


def test_every_desk_form_answers_beside_itself_and_keeps_what_was_typed(rt):
    """Issue 23 point 1: a refusal is not a redirect to the top of the page
    with the form emptied; the page comes back at the POST's address (422,
    409 for a clash with what is stored) with the form open, what was typed
    in it, and the reason beside it. Nothing is stored."""
    iid = declare(rt)
    desk = f"/desk/{iid}"
    with LiveServer(create_app(rt)) as srv:
        emily, e_tok = login(srv.base, "emily")
        sunli, s_tok = login(srv.base, "sunli")

        # ---- the editor: every field back as typed (lists line by line, markup as text), nothing stored
        typed = {
            **SHEET,
            "what.zh-CN": "APP 登录失败 <script>x</script>",
            "dos.zh-CN": "第一条\n第二条",
            "eta": "下周三",  # not a time
            "note": "补充范围",
            "preview_kind": "update",
        }
        r = post(emily, f"{desk}/facts", e_tok, **typed)
        message = refusal(r, "facts")
        assert "下周三" in message and count(rt, FactSheet) == 0
        editor = form_of(r.text, "facts-form")
        assert 'id="facts-refusal"' in editor  # beside the save button, inside the form
        assert ">APP 登录失败 &lt;script&gt;x&lt;/script&gt;</textarea>" in editor
        assert ">第一条\n第二条</textarea>" in editor and ">客服热线专席 95311 转 8</textarea>" in editor
        assert 'name="eta" value="下周三"' in editor and 'name="note" maxlength="500" value="补充范围"' in editor
        assert '<option value="update" selected>' in editor
        assert "<script>x" not in r.text
        # a reload, or the language link, at that address: the desk's editor
        back = emily.get(f"{desk}/facts", params={"lang": "en"}, follow_redirects=False)
        assert back.status_code == 303 and back.headers["location"] == f"{desk}?lang=en#facts"
        assert emily.get(f"{desk}/statements/3/approve", follow_redirects=False).headers["location"] == (
            f"{desk}#statement-3"
        )

        # ---- submitting a sheet that lacks required fields: said beside the sheet's buttons
        follow(emily, post(emily, f"{desk}/facts", e_tok, **{**SHEET, "fix.zh-CN": "", "fix.en": ""}))
        r = post(emily, f"{desk}/facts/submit", e_tok)
        assert "facts" in section(r.text, "facts") and "sheet-submit-refusal" in section(r.text, "facts")
        assert "fix.zh-CN" in refusal(r, "sheet-submit")
        assert sheet_status(rt, iid) == [(1, "draft")]

        # ---- a form gone from the page (nothing is in review): said where its buttons were
        r = post(sunli, f"{desk}/facts/approve", s_tok, comment="好")
        assert "不在待审批状态" in refusal(r, "sheet-approve", 409) and 'id="sheet-approve"' not in r.text
        assert 'id="sheet-approve-refusal"' in section(r.text, "facts")
        # … and a form the page has no place for (no sheet approved to draft from): at the top
        r = post(emily, f"{desk}/statements", e_tok, kind="holding", ch_sms="1")
        assert r.status_code == 409 and 'id="draft-form"' not in r.text
        top = htmllib.unescape(r.text.split('id="refusal">', 1)[1].split("</div>", 1)[0])
        assert top == t("wording.error.no_approved_facts", "zh-CN", ref=f"INC-{iid}")
        assert r.text.index('id="refusal"') < r.text.index('id="facts"') and 'role="alert"' in r.text

        follow(emily, post(emily, f"{desk}/facts", e_tok, **SHEET))
        follow(emily, post(emily, f"{desk}/facts/submit", e_tok))
        follow(sunli, post(sunli, f"{desk}/facts/approve", s_tok))

        # ---- retracting the sheet in force without a reason: the reason field focused
        r = post(emily, f"{desk}/facts/retract", e_tok, reason=" ")
        assert refusal(r, "sheet-retract") == t("wording.error.reason_required", "zh-CN")
        assert "autofocus" in form_of(r.text, "sheet-retract") and sheet_status(rt, iid) == [(1, "approved")]

        # ---- drafting with no channel ticked: the kind chosen kept, no box ticked again behind one's back
        r = post(emily, f"{desk}/statements", e_tok, kind="update")
        assert refusal(r, "draft") == t("web.desk.error.no_channels", "zh-CN")
        draft = form_of(r.text, "draft-form")
        assert '<option value="update" selected>' in draft and " checked" not in draft
        assert count(rt, Statement) == 0
        follow(emily, post(emily, f"{desk}/statements", e_tok, kind="update", ch_sms="1"))

        # ---- a statement's own forms: rejecting and retracting need a reason
        follow(emily, post(emily, f"{desk}/statements/1/submit", e_tok))
        r = post(sunli, f"{desk}/statements/1/reject", s_tok, reason="")
        assert refusal(r, "st1-reject") == t("wording.error.reason_required", "zh-CN")
        assert 'id="st1-reject-refusal"' in section(r.text, "statement-1")
        r = post(emily, f"{desk}/statements/1/retract", e_tok, reason="\t")
        assert refusal(r, "st1-retract") == t("wording.error.reason_required", "zh-CN")
        assert statement(rt, iid).status == "in_review"
        # a statement that does not exist is no form to answer beside: the desk says so
        r = post(emily, f"{desk}/statements/9/submit", e_tok)
        assert r.status_code == 303 and flash_of(follow(emily, r)).startswith("error")
        emily.close()
        sunli.close()


def test_desk_findings_suggest_in_the_readers_language(rt):
    # Issue 22 point 6: an English desk user gets the Chinese replacement with its English sense.
    iid = declare(rt)
    with LiveServer(create_app(rt)) as srv:
        emily, e_tok = login(srv.base, "emily")
        follow(
            emily, post(emily, f"/desk/{iid}/facts", e_tok, **{**SHEET, "fix.zh-CN": "技术人员正在修复，肯定能解决"})
        )
        zh = section(emily.get(f"/desk/{iid}").text, "field-fix")
        en = section(emily.get(f"/desk/{iid}", params={"lang": "en"}).text, "field-fix")
        emily.close()
    assert "absolute_promise" in zh and "根据产品设计，正常情况下会……" in zh and "Based on the product" not in zh
    assert "根据产品设计，正常情况下会…… (Based on the product design, under normal conditions it will …)" in en


def refusal(r: httpx.Response, form: str, status: int = 422) -> str:
    """A refused form's answer: the page again at the POST's address (no
    redirect), the reason beside the form, said as an alert."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert "location" not in r.headers
    box = r.text.split(f'id="{form}-refusal">', 1)[1].split("</p>", 1)[0]
    before = r.text.split(f'id="{form}-refusal">', 1)[0].rsplit("<div", 1)[1]
    assert 'class="refusal" role="alert"' in before and "data-refusal" in before
    return htmllib.unescape(box)


def form_of(html: str, form_id: str) -> str:
    return html.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]


def flash_of(html: str) -> str:
    found = re.search(r'<div class="flash (\w+)"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no flash message"
    return f"{found.group(1)}: {found.group(2)}"
