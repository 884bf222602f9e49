"""Wording search (issue 22, Deliver 1 and 7): what agents type finds the
approved reply — colloquial Chinese and English, ranked, with alternatives
and why; "no such incident" apart from "no wording yet"; a browse list; and
statement kinds that default to holding, update, resolution."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, NOW, incident_now

from incident import response
from incident.errors import NotFoundError
from incident.models import Signal
from incident.web.app import create_app
from incident.wording import factsheet, pull, search, workflow
from tests.factories import FULL, approved_sheet, as_, declare, sampled_signal
from tests.test_web_lookup import add_user, login, main, runtime

SURGE_TITLE = "系统故障：投诉量（类别=系统）激增（50 件/桶，基线 0.5）"
# The demo's surge complaints (incident/demo/stream.py), as detection attaches them.
SAMPLES = [
    "APP登录失败，一直提示服务器繁忙",
    "下单后无法支付，付款页面白屏",
    "APP闪退，寄件下不了单",
    "支付失败但是钱被扣了",
    "登录不上，验证码收不到",
    "APP打不开，一直转圈加载不出",
    "The app keeps saying login failed",
    "Payment failed twice, app not loading",
]
PARCEL = {
    **FULL,
    "public_title": "杭州网点派送延误",
    "public_title.en": "Parcel delays in Hangzhou",
    "what": "杭州网点快件派送延误",
    "what.en": "Parcels delayed at the Hangzhou branch",
    "scope": "杭州西湖区收件客户",
    "scope.en": "recipients in Hangzhou Xihu district",
    "fix": "已增派人手加快派送",
    "fix.en": "Extra couriers are clearing the backlog",
}
SURGE_SHEET = {**FULL, "what": SURGE_TITLE, "scope": "使用 APP 的客户"}
VARIANTS = [
    "登录不了",
    "登录",
    "登不上",
    "上不去",
    "登陆不了",
    "付不了款",
    "付款失败",
    "支付不了",
    "扣款失败",
    "打不开",
    "白屏",
    "闪退",
    "进不去",
    "收不到验证码",
    "验证码没收到",
    "验证码",
    "login",
    "log in",
    "sign in",
    "can't log in",
    "payment failed",
    "can't pay",
    "crash",
    "white screen",
    "won't open",
    "verification code not received",
    "OTP not received",
]


def demo_like(store, ctx):
    """INC-1: a parcel delay; INC-2: the surge outage, titled as detection
    titles it, its sheet saying little more, its samples what customers said."""
    parcel = declare(store, ctx, kind="batch_complaint", severity=3, title="杭州网点派送延误")
    approved_sheet(store, ctx, parcel, PARCEL)
    surge = declare(store, ctx, title=SURGE_TITLE)
    with store.transaction() as s:
        s.add(sampled_signal(surge, SAMPLES))
    approved_sheet(store, ctx, surge, SURGE_SHEET)
    return parcel, surge


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_colloquial_variant_finds_the_outage(store, ctx, lang):
    parcel, surge = demo_like(store, ctx)
    for q in VARIANTS:
        reply = pull.get_reply(store, ctx.config, q=q, lang=lang)
        assert reply.incident.id == surge, q
        assert reply.why and reply.why_text, q
    assert pull.get_reply(store, ctx.config, q="我的快递在杭州一直没派送").incident.id == parcel


def test_ranking_alternatives_and_why(store, ctx):
    parcel, surge = demo_like(store, ctx)
    reply = pull.get_reply(store, ctx.config, q="杭州快递没派送，app 也登录不了")
    assert {reply.incident.id, *(a["id"] for a in reply.alternatives)} == {parcel, surge}
    alt = reply.alternatives[0]
    assert alt["why"] and alt["why_text"] and alt["what"] and alt["ref"].startswith("INC-")
    assert pull.get_reply(store, ctx.config, q="杭州快递没派送，app 也登录不了", alternatives=0).alternatives == []
    why = pull.get_reply(store, ctx.config, q="登录不了").why
    assert any(w["field"] == "samples" and "login" in w["concepts"] for w in why)
    assert "客户投诉原话" in pull.get_reply(store, ctx.config, q="登录不了").why_text
    assert "customers' own words" in pull.get_reply(store, ctx.config, q="登录不了", lang="en").why_text
    # nothing about it: no match, never a random wording
    with pytest.raises(NotFoundError) as exc:
        pull.get_reply(store, ctx.config, q="发票怎么开")
    assert exc.value.key == "wording.error.no_match"


def test_finer_concepts_and_inflections_tell_like_incidents_apart(store, ctx):
    """Two delays and two payment faults side by side: rain is not snow,
    a card or wallet is not the app's checkout, "flood" meets "flooded"."""
    rain = declare(store, ctx, kind="batch_complaint", severity=3, title="杭州转运中心积水")
    approved_sheet(
        store,
        ctx,
        rain,
        {**PARCEL, "what": "暴雨导致杭州转运中心积水，包裹延误", "what.en": "Heavy rain flooded the Hangzhou hub"},
    )
    snow = declare(store, ctx, kind="batch_complaint", severity=3, title="北京降雪")
    approved_sheet(
        store,
        ctx,
        snow,
        {
            **PARCEL,
            "what": "北京降雪，华北包裹延误",
            "what.en": "Snow in Beijing: parcels are late",
            "scope": "华北客户",
        },
    )
    cards = declare(store, ctx, title="支付服务商故障")
    approved_sheet(store, ctx, cards, {**FULL, "what": "部分银行卡和电子钱包付款失败"})
    parcel, surge = demo_like(store, ctx)
    for q, want in (
        ("下大雨快递慢", rain),
        ("delivery late due to flood", rain),
        ("下雪天包裹没到", snow),
        ("信用卡付不了", cards),
        ("支付宝付款失败", cards),
        ("app crashes", surge),
    ):
        assert pull.get_reply(store, ctx.config, q=q).incident.id == want, q


def test_lexicon_places_slips_and_volume(store, ctx):
    """The general mechanisms, each on words no sheet or sample uses: a
    colloquial variant from the lexicon (柜子/cabinet for a parcel locker),
    a city meeting its province (扬州, "Yangzhou" → 江苏), a pinyin slip
    (杭洲), traditional characters, an English inflection; and between two
    equal matches, the incident more customers complain about."""
    locker = declare(store, ctx, kind="system_outage", severity=3, title="快递柜取件码失效")
    approved_sheet(store, ctx, locker, {**FULL, "what": "部分快递柜取件码无法开柜", "what.en": "Locker codes fail"})
    station = declare(store, ctx, kind="other", severity=4, title="部分驿站关闭")
    approved_sheet(store, ctx, station, {**FULL, "what": "部分驿站停止营业", "what.en": "Some stations have closed"})
    parcel, surge = demo_like(store, ctx)
    jiangsu = declare(store, ctx, kind="batch_complaint", severity=3, title="江苏包裹延误")
    approved_sheet(store, ctx, jiangsu, {**FULL, "what": "江苏部分包裹延误", "what.en": "Parcels in Jiangsu are late"})
    for q, want in (
        ("柜子输了码门不弹开", locker),
        ("the cabinet rejects my pickup code", locker),
        ("扬州的件好几天没动", jiangsu),
        ("parcel to Yangzhou is late", jiangsu),
        ("包裹卡在杭洲", parcel),
        ("登錄不了", surge),
        ("closing stations", station),
    ):
        assert pull.get_reply(store, ctx.config, q=q).incident.id == want, q
    assert search.correct("验证吗没收到") == "验证码没收到"
    # a word the lexicon lacks is never bent into one that sounds alike
    assert search.correct("一直登不上") == "一直登不上" and search.correct("寄的大闸蟹") == "寄的大闸蟹"
    # two sheets that say the same; the one with the complaints comes first
    quiet = declare(store, ctx, kind="system_outage", severity=2, title="APP 登录失败")
    approved_sheet(store, ctx, quiet, {**FULL, "what": "APP 登录失败"})
    loud = declare(store, ctx, kind="system_outage", severity=2, title="APP 登录失败")
    approved_sheet(store, ctx, loud, {**FULL, "what": "APP 登录失败"})
    with store.transaction() as s:
        for i in range(5):
            s.add(
                Signal(
                    series_key=f"complaints/loud#{i}",
                    bucket_start=NOW,
                    created_at=NOW,
                    kind="system_outage",
                    severity=2,
                    action="attached",
                    incident_id=loud,
                    detail={"samples": [{"type": "complaint", "text": f"登录失败 {i}"}]},
                )
            )
    ranked = [h.doc.incident.id for h in pull.find(store, ctx.config, "APP 登录失败", limit=10)]
    assert ranked[0] == loud and ranked.index(loud) < ranked.index(quiet)


def test_no_such_incident_is_not_no_wording_yet(store, ctx):
    iid = declare(store, ctx)
    with pytest.raises(NotFoundError) as exc:
        pull.get_reply(store, ctx.config, q="INC-99")
    assert exc.value.key == "wording.error.no_such_incident"
    assert "没有 INC-99 这个事件" in exc.value.message("zh-CN") and "no incident INC-99" in exc.value.message("en")
    with pytest.raises(NotFoundError) as exc:
        pull.get_reply(store, ctx.config, q=f"INC-{iid}")
    assert exc.value.key == "wording.error.no_approved_facts"


def test_browse_lists_every_approved_wording(store, ctx):
    assert pull.browse(store, ctx.config) == []
    parcel, surge = demo_like(store, ctx)
    draft = declare(store, ctx, title="短信验证码收不到")
    with store.transaction() as s:
        factsheet.edit(s, ctx, draft, FULL)
    listed = pull.browse(store, ctx.config, "en")
    assert [w["id"] for w in listed] == [surge, parcel]  # SEV2 before SEV3; drafts never
    assert listed[1]["what"] == "Parcels delayed at the Hangzhou branch" and listed[0]["fact_version"] == 1


def test_web_page_and_api(store, ctx, db_url, tmp_path, monkeypatch):
    parcel, surge = demo_like(store, ctx)
    declare(store, ctx, title="还没有口径")
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    add_user(rt, "wangfang", "agent")
    app = create_app(rt)
    agent = login(app, "wangfang")
    page = main(agent.get("/lookup").text)
    assert 'id="browse"' in page and f"INC-{surge}" in page and "杭州网点派送延误" in page
    body = main(agent.get("/lookup", params={"q": "付不了款"}).text)
    assert 'id="reply-text"' in body and f"INC-{surge}" in body and "匹配依据" in body
    body = main(agent.get("/lookup", params={"q": "杭州快递没派送，app 也登录不了"}).text)
    assert 'id="alternatives"' in body and 'class="alternative"' in body
    body = main(agent.get("/lookup", params={"q": "INC-99"}).text)
    assert "没有 INC-99 这个事件" in body and "还没有已批准的口径" not in body and 'id="browse"' in body
    body = main(agent.get("/lookup", params={"q": "INC-3"}).text)
    assert "INC-3 还没有已批准的口径" in body
    r = agent.get("/api/wording", params={"q": "白屏"})
    assert r.status_code == 200
    data = r.json()
    for key in (
        "incident",
        "fact_version",
        "scenario",
        "lang",
        "text",
        "warnings",
        "dos",
        "donts",
        "score",
        "alternatives",
        "why",
        "why_text",
    ):
        assert key in data, key
    assert data["incident"]["id"] == surge
    listed = agent.get("/api/wording").json()
    assert [w["id"] for w in listed["wordings"]] == [surge, parcel] and "text" not in listed
    both = agent.get("/api/wording", params={"q": "白屏", "list": "true"}).json()
    assert both["incident"]["id"] == surge and len(both["wordings"]) == 2
    miss = agent.get("/api/wording", params={"q": "INC-99"})
    assert miss.status_code == 404 and miss.json()["error"] == "wording.error.no_such_incident"


def test_cli_get_and_list(store, ctx, db_url, tmp_path):
    parcel, surge = demo_like(store, ctx)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_ACTOR="oncall-lead",
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),
    )
    script = Path(sys.executable).with_name("incident")

    def cli(*args, lang="zh-CN"):
        return subprocess.run(
            [str(script), "--lang", lang, *args], env=env, capture_output=True, text=True, timeout=120
        )

    out = cli("wording", "get", "-q", "杭州快递没派送，app 也登录不了")
    assert out.returncode == 0, out.stderr
    assert "匹配依据" in out.stdout and "也可能是" in out.stdout
    listed = cli("wording", "get", "--list", "--json")
    assert [w["id"] for w in json.loads(listed.stdout)] == [surge, parcel]
    assert f"INC-{parcel}" in cli("wording", "get").stdout
    browse = cli("wording", "list")  # the browse list as a command of its own
    assert browse.returncode == 0 and f"INC-{parcel}" in browse.stdout and f"INC-{surge}" in browse.stdout
    assert [w["id"] for w in json.loads(cli("wording", "list", "--json").stdout)] == [surge, parcel]
    miss = cli("wording", "get", "-q", "INC-99", lang="en")
    assert miss.returncode != 0 and "there is no incident INC-99" in miss.stderr


def test_statement_kind_defaults(store, ctx):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    with store.transaction() as s:
        first = workflow.draft_statement(s, ctx, iid, channels="status_page")
        assert first.kind == "holding"
        workflow.submit_statement(s, ctx, iid, first.number)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, first.number, publish_now=True)
    with store.transaction() as s:
        workflow.retract_statement(s, as_(ctx, "emily"), iid, first.number, "数据有误")
    with store.transaction() as s:  # a retracted holding statement is not one that is out
        second = workflow.draft_statement(s, ctx, iid, channels="status_page")
        assert second.kind == "holding"
        workflow.submit_statement(s, ctx, iid, second.number)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, second.number, publish_now=True)
    with store.transaction() as s:
        assert workflow.draft_statement(s, ctx, iid, channels="status_page").kind == "update"
        response.change_status(s, ctx, iid, "resolved")
    with store.transaction() as s:
        assert workflow.draft_statement(s, ctx, iid, channels="status_page").kind == "resolution"
        assert workflow.draft_statement(s, ctx, iid, kind="update", channels="status_page").kind == "update"
