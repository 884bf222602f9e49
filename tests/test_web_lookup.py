"""The reply-lookup page (agents): only approved wording, personalised, with
a copy button; a plain "no approved wording" (and what to do) otherwise."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from incident.runtime import Runtime
from incident.web.app import create_app
from incident.web.lookup_texts import LOOKUP_TEXTS
from incident.web.remedy_texts import REMEDY_TEXTS
from incident.wording import factsheet
from incident.wording.templates import SCENARIOS
from tests import webutil
from tests.factories import FULL, approved_sheet, as_, declare

PASSWORD = "secret-pass-1"
BASE = "http://127.0.0.1:8000"


# ---- helpers shared with tests/test_web_remedy.py --------------------------


def runtime(ctx, db_url, tmp_path, monkeypatch) -> Runtime:
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    rt = Runtime.build(database_url=db_url)
    rt.config, rt.clock = ctx.config, ctx.clock
    return rt


def add_user(rt: Runtime, username: str, roles: str) -> None:
    webutil.add_user(rt, username, roles, PASSWORD)


csrf = webutil.csrf_of


def login(app, username: str, lang: str | None = None) -> TestClient:
    client = TestClient(app, base_url=BASE)
    if lang:
        client.cookies.set("incident_lang", lang)
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"csrf": csrf(page.text), "username": username, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def flash(html: str) -> str:
    found = re.search(r'<div class="flash (\w+)"[^>]*>([^<]*)</div>', html)
    assert found, "no flash message"
    return f"{found.group(1)}: {found.group(2)}"


def main(html: str) -> str:
    """The page's own content (not the navigation)."""
    return html.split('<main id="main">', 1)[1]


# ---- the page ----------------------------------------------------------------


def test_lookup_shows_only_approved_wording_personalised_with_a_copy_button(store, ctx, db_url, tmp_path, monkeypatch):
    iid = declare(store, ctx)
    with store.transaction() as s:
        factsheet.edit(s, as_(ctx, "tester"), iid, FULL)  # a draft: agents must never see it
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    add_user(rt, "wangfang", "agent")
    app = create_app(rt)

    anonymous = TestClient(app, base_url=BASE)
    r = anonymous.get("/lookup", params={"q": "登录不了"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")

    agent = login(app, "wangfang")
    page = agent.get("/lookup")
    assert page.status_code == 200 and 'name="q"' in page.text and 'id="reply-text"' not in page.text

    for q in ("登录不了", f"INC-{iid}"):
        r = agent.get("/lookup", params={"q": q})
        body = main(r.text)
        assert r.status_code == 200
        assert "没有可用的已批准口径" in body and "我帮您查询后再回复，好吗？" in body  # says so, and what to do
        assert FULL["what"] not in body and FULL["compensation"] not in body  # nothing of the draft
        assert 'id="reply-text"' not in body and "data-copy" not in body
    assert f"INC-{iid} 还没有已批准的口径" in agent.get("/lookup", params={"q": f"inc-{iid}"}).text

    approved_sheet(store, ctx, iid)
    r = agent.get(
        "/lookup",
        params={
            "q": "登录不了",
            "name": "张三",
            "title": "先生",
            "contact": "138 1234 5678",
            "scenario": "cannot_answer_now",
        },
    )
    body = main(r.text)
    reply = re.search(r'<div class="reply" id="reply-text"[^>]*>([^<]*)</div>', body).group(1)
    assert reply.startswith("张先生，您好！") and "尾号5678" in reply and FULL["what"] in reply
    assert "13812345678" not in r.text and "138 1234 5678" not in r.text  # the number goes no further
    assert 'value="5678"' in body  # only the last four digits are echoed back
    assert '<button type="button" class="primary" data-copy="reply-text"' in body
    assert f"INC-{iid}" in body and "口径卡第 1 版（已批准）" in body and "不能立即答复" in body
    assert "先致歉，再说明处理进度" in body and "不要猜测原因" in body  # the sheet's dos and don'ts

    # By incident number, in English, the default scenario (the incident's kind), the compensation given.
    r = agent.get(
        "/lookup",
        params={
            "q": f"INC-{iid}",
            "name": "Li Na",
            "title": "女士",
            "reply_lang": "en",
            "compensation": "a 20 yuan coupon",
            "lang": "en",
        },
    )
    body = main(r.text)
    reply = re.search(r'id="reply-text" lang="en">([^<]*)</div>', body).group(1)
    assert reply.startswith("Hello Ms Na.") and "a 20 yuan coupon" in reply
    assert "fact sheet version 1 (approved)" in body and "standard reply: system outage" in body


def test_lookup_escapes_what_the_agent_typed(store, ctx, db_url, tmp_path, monkeypatch):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    add_user(rt, "wangfang", "agent")
    agent = login(create_app(rt), "wangfang")
    r = agent.get(
        "/lookup",
        params={
            "q": '登录 "><script>alert(1)</script>',
            "name": "<script>alert(2)</script>",
            "title": "先生",
            "compensation": "<img src=x onerror=alert(3)>",
        },
    )
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in r.text and "&lt;img src=x onerror=alert(3)&gt;" in r.text
    assert 'id="reply-text"' in r.text

    nothing = agent.get("/lookup", params={"q": "<script>alert(4)</script>"})
    assert "<script>alert(4)" not in nothing.text and "没有可用的已批准口径" in nothing.text


def test_every_page_text_is_in_both_languages_with_the_same_placeholders():
    from string import Formatter

    texts = {**LOOKUP_TEXTS, **REMEDY_TEXTS}
    assert all(k.startswith(("web.lookup.", "web.remedy.")) for k in texts)
    for key, (zh, en) in texts.items():
        assert zh.strip() and en.strip(), key
        names = [{f for _, f, _, _ in Formatter().parse(text) if f} for text in (zh, en)]
        assert names[0] == names[1], key


def test_every_text_the_pages_use_is_registered():
    """A key missing from the catalogue would show as the key itself."""
    root = Path(__file__).resolve().parents[1]
    sources = [
        *(root / "templates" / "web").glob("lookup*.html.j2"),
        *(root / "templates" / "web").glob("remedy*.html.j2"),
        *(root / "templates" / "web").glob("callbacks*.html.j2"),
        root / "incident" / "web" / "lookup.py",
        root / "incident" / "web" / "remedy_pages.py",
    ]
    texts = {**LOOKUP_TEXTS, **REMEDY_TEXTS}
    used = set()
    for path in sources:
        used |= set(re.findall(r"""['"](web\.(?:lookup|remedy)\.[\w.-]+)['"]""", path.read_text(encoding="utf-8")))
    dynamic = {k for k in used if k.endswith(".")}  # a prefix completed at run time (scenarios, languages, stars)
    assert used - dynamic and not (used - dynamic - set(texts))
    for prefix in dynamic:
        assert any(k.startswith(prefix) for k in texts), prefix
    assert all(f"web.lookup.scenario.{sc}" in texts for sc in SCENARIOS)


def test_english_forms_offer_mr_and_ms(store, ctx, db_url, tmp_path, monkeypatch):
    # Issue 22 point 6: an English form's titles are Mr/Ms, stored as 先生/女士 and understood either way.
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    add_user(rt, "wangfang", "agent")
    add_user(rt, "chenjing", "cs_lead")
    app = create_app(rt)
    agent = login(app, "wangfang", "en")
    page = main(agent.get("/lookup").text)
    assert '<option value="先生">Mr</option>' in page and '<option value="女士">Ms</option>' in page
    assert ">先生<" not in page and ">女士<" not in page
    r = agent.get("/lookup", params={"q": f"INC-{iid}", "name": "Li Na", "title": "Ms", "reply_lang": "en"})
    body = main(r.text)
    assert re.search(r'id="reply-text" lang="en">Hello Ms Na\.', body)
    assert '<option value="女士" selected>Ms</option>' in body  # Ms is kept as the stored 女士
    zh = main(login(app, "wangfang", "zh-CN").get("/lookup").text)
    assert '<option value="先生">先生</option>' in zh and ">Mr<" not in zh
    remedy = main(login(app, "chenjing", "en").get(f"/remedy/{iid}").text)
    assert '<option value="先生">Mr</option>' in remedy and '<option value="女士">Ms</option>' in remedy
