"""The incident history (issue 23): search by words and id, each filter,
paging with the filters kept, CSV and JSON export, bad filters said on the
page; and the site's error pages for unknown paths and bad parameters."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re

import httpx
import pytest

from incident import response
from incident.timeutil import FixedClock
from incident.web import historyview
from incident.web.app import create_app
from tests.conftest import NOW
from tests.webserver import LiveServer
from tests.webutil import add_user, login, web_runtime

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
FILLERS = 55  # older open SEV4 "other" incidents: with INC-4, 56 of them = two pages of 50


def _at(ctx, when: dt.datetime):  # type: ignore[no-untyped-def]
    return dataclasses.replace(ctx, clock=FixedClock(when))


@pytest.fixture
def server(db_url, config, clock, ctx):  # type: ignore[no-untyped-def]
    """Incidents 1–5 by hand (declared at known local times, two of them
    over), then the fillers, declared before all of them; a lead signed in."""
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    lead = dataclasses.replace(ctx, actor="zhangwei")
    with rt.store.transaction() as s:
        old = _at(lead, dt.datetime(2026, 11, 14, 10, 0, tzinfo=SHANGHAI))
        a = response.declare(
            s, old, kind="batch_complaint", severity=3, title="网点排队投诉", summary="杭州网点排队超过一小时",
            regions=["华东"], products=["信用卡"],
        )  # fmt: skip
        response.change_status(s, old, a.id, "resolved")
        response.change_status(s, old, a.id, "closed")
        # 00:30 in Shanghai is the day before in UTC: the date filter must read local days
        b = _at(lead, dt.datetime(2026, 11, 22, 0, 30, tzinfo=SHANGHAI))
        response.declare(
            s, b, kind="system_outage", severity=1, title='=HYPERLINK("http://evil.example")', summary="+1 公式",
            regions=["华南"], products=["APP"],
        )  # fmt: skip
        c = _at(lead, dt.datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
        inc_c = response.declare(
            s, c, kind="public_opinion", severity=2, title="@微博舆情", summary="-负面评论", regions=["华东"]
        )
        response.change_status(s, c, inc_c.id, "resolved")
        d = _at(lead, dt.datetime(2026, 11, 23, 0, 10, tzinfo=SHANGHAI))  # just past the 22nd, local
        response.declare(s, d, kind="other", severity=4, title="夜间短信延迟", products=["短信"])
        response.declare(s, lead, kind="other", severity=2, title="Transfer 排队", summary="50% 的转账_排队")
        early = _at(lead, dt.datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI))
        for i in range(FILLERS):
            response.declare(s, early, kind="other", severity=4, title=f"批量 {i}")
    with LiveServer(create_app(rt)) as srv:
        client, _ = login(srv.base, "zhangwei")
        yield srv, client


def refs(html: str) -> list[str]:
    table = html.split('id="history-table"', 1)[1].split("</table>", 1)[0] if 'id="history-table"' in html else ""
    return re.findall(r'<a href="/incidents/\d+">(INC-\d+)</a>', table)


def test_default_is_open_and_search_by_words_and_id(server):
    _, client = server
    r = client.get("/incidents")
    assert r.status_code == 200 and "找到 58 个事件" in r.text  # 55 fillers + INC-2, 4, 5 open; 1 and 3 over
    assert "INC-1" not in refs(r.text) and "INC-3" not in refs(r.text)
    # any status: words in the title or the summary, case aside
    assert refs(client.get("/incidents", params={"q": "排队", "status": "all"}).text) == ["INC-5", "INC-1"]
    assert refs(client.get("/incidents", params={"q": "一小时", "status": "all"}).text) == ["INC-1"]
    assert refs(client.get("/incidents", params={"q": "TRANSFER"}).text) == ["INC-5"]
    # % and _ are text
    assert refs(client.get("/incidents", params={"q": "50%", "status": "all"}).text) == ["INC-5"]
    assert refs(client.get("/incidents", params={"q": "_", "status": "all"}).text) == ["INC-5"]
    # an id, written as people write it
    for q in ("INC-3", "inc3", "#3"):
        assert refs(client.get("/incidents", params={"q": q, "status": "all"}).text) == ["INC-3"], q
    bare = refs(client.get("/incidents", params={"q": "3", "status": "all"}).text)
    assert bare[0] == "INC-3" and "INC-1" not in bare and "INC-9" in bare  # the id, and "批量 3" … by words
    # the board links here, and the board's ignored parameters now lead here
    assert 'href="/incidents"' in client.get("/").text
    moved = client.get("/?status=closed", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/incidents?status=closed"
    assert refs(client.get("/?all=1&kind=batch_complaint", follow_redirects=True).text) == ["INC-1"]


def test_each_filter(server):
    _, client = server

    def found(**params: str) -> list[str]:
        r = client.get("/incidents", params={"status": "all", **params})
        assert r.status_code == 200, r.text
        return [x for x in refs(r.text) if int(x[4:]) <= 5]

    assert found(status="closed") == ["INC-1"]
    assert found(status="resolved") == ["INC-3"]
    assert found(status="open") == ["INC-5", "INC-4", "INC-2"]
    assert found(kind="system_outage") == ["INC-2"]
    assert found(kind="批量投诉") == ["INC-1"]  # the label works as the code does
    assert found(severity="1") == ["INC-2"]
    assert found(severity="SEV2") == ["INC-5", "INC-3"]
    assert found(region="华东") == ["INC-3", "INC-1"]
    assert found(product="app") == ["INC-2"]  # case aside
    assert found(product="短信") == ["INC-4"]
    assert found(region="华") == []  # a region is matched whole
    # declared on the 22nd in Shanghai (not in UTC): INC-2 at 00:30, not INC-4 at 00:10 on the 23rd
    assert found(since="2026-11-22", until="2026-11-22") == ["INC-2"]
    assert found(since="2026-11-23") == ["INC-5", "INC-3", "INC-4"]
    assert found(until="2026-11-21") == ["INC-1"]
    # filters combine
    assert found(region="华东", status="resolved") == ["INC-3"]
    assert found(kind="other", severity="4", since="2026-11-23") == ["INC-4"]
    r = client.get("/incidents", params={"kind": "other", "severity": "4", "until": "2026-11-01"})
    assert "找到 55 个事件" in r.text and "INC-4" not in refs(r.text)


def test_paging_keeps_the_filters(server):
    _, client = server
    first = client.get("/incidents", params={"kind": "other", "severity": "4"}).text
    assert "找到 56 个事件" in first and len(refs(first)) == historyview.PER_PAGE
    assert "第 1 / 2 页" in first
    nxt = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert nxt and "prev" not in first.split('id="history-pages"', 1)[1].split("</p>", 1)[0]
    link = nxt.group(1).replace("&amp;", "&")
    assert link == "/incidents?kind=other&severity=4&page=2"
    second = client.get(link).text
    assert len(refs(second)) == 56 - historyview.PER_PAGE and not set(refs(second)) & set(refs(first))
    assert refs(first)[0] == "INC-4"  # newest first; the fillers' first-declared last
    assert refs(second) == [f"INC-{n}" for n in range(11, 5, -1)]
    prev = re.search(r'<a href="([^"]+)" rel="prev">', second)
    assert prev and prev.group(1).replace("&amp;", "&") == "/incidents?kind=other&severity=4"
    assert refs(client.get("/incidents?page=999").text) == []  # past the last page: empty, not an error


def test_csv_export(server):
    _, client = server
    r = client.get("/incidents.csv", params={"status": "all", "region": "华东"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="incidents-20261124-1000.csv"' == r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["编号", "级别", "状态", "类型", "标题"] and len(rows) == 3
    by_ref = {row[0]: row for row in rows[1:]}
    # starts with @ and -: a spreadsheet would run them; prefixed with '
    assert by_ref["INC-3"][4] == "'@微博舆情" and by_ref["INC-3"][5] == "'-负面评论"
    assert by_ref["INC-1"][4] == "网点排队投诉" and by_ref["INC-1"][6] == "华东" and by_ref["INC-1"][7] == "信用卡"
    assert by_ref["INC-1"][2] == "已关闭" and by_ref["INC-1"][8] == "2026-11-14 10:00 +08:00"
    outage = client.get("/incidents.csv", params={"q": "INC-2", "lang": "en"})
    rows = list(csv.reader(io.StringIO(outage.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Id" and rows[1][4] == '\'=HYPERLINK("http://evil.example")' and rows[1][5] == "'+1 公式"


def test_json_export(server):
    _, client = server
    r = client.get("/incidents.json", params={"status": "resolved"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = json.loads(r.content)
    assert body["total"] == 1 and body["filters"]["status"] == "resolved"
    [one] = body["incidents"]
    assert one["ref"] == "INC-3" and one["title"] == "@微博舆情" and one["regions"] == ["华东"]
    assert one["declared_at"] == "2026-11-24T01:00:00Z" and one["resolved_at"] == "2026-11-24T01:00:00Z"
    assert body["generated_at"] == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    everything = json.loads(client.get("/incidents.json?all=1").content)
    assert everything["total"] == FILLERS + 5  # an export is not paged
    assert json.loads(client.get("/incidents.json").content)["total"] == FILLERS + 3  # open by default


def test_bad_filters_are_named_on_the_page(server):
    _, client = server
    r = client.get("/incidents", params={"severity": "9", "kind": "flood", "since": "2026-13-01", "page": "x"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    problems = r.text.split('id="history-problems"', 1)[1].split("</div>", 1)[0]
    assert "筛选条件「级别」的值「9」无效" in problems
    assert "筛选条件「类型」的值「flood」无效" in problems and "batch_complaint" in problems
    assert "筛选条件「宣布时间从」的值「2026-13-01」不是日期" in problems
    assert "「页码」的值「x」无效" in problems
    assert 'value="2026-13-01"' in r.text  # the form keeps what was typed
    flipped = client.get("/incidents", params={"since": "2026-11-24", "until": "2026-11-01"})
    assert flipped.status_code == 400 and "「宣布时间从」（2026-11-24）晚于「宣布时间至」（2026-11-01）" in flipped.text
    export = client.get("/incidents.csv", params={"severity": "9"})
    assert export.status_code == 422 and "筛选条件「级别」的值「9」无效" in export.text
    # ?lang=en sticks (a cookie): last
    en = client.get("/incidents", params={"status": "gone", "lang": "en"})
    assert en.status_code == 400 and "the filter &#39;Status&#39; has an invalid value &#39;gone&#39;" in en.text


def test_history_needs_a_signed_in_user(server):
    srv, _ = server

    for path in ("/incidents", "/incidents.csv?all=1", "/incidents.json"):
        r = httpx.get(srv.base + path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path


def test_error_pages_for_browsers_and_json_for_the_api(server):
    srv, client = server

    unknown = client.get("/no/such/page")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    assert "<h1>未找到</h1>" in unknown.text and "没有这个页面：/no/such/page" in unknown.text
    assert "退出登录" in unknown.text  # the signed-in user keeps the site's menu
    malformed = client.get("/incidents/abc")
    assert malformed.status_code == 404 and "<html" in malformed.text and "abc" in malformed.text
    bad_query = client.get("/?page=abc")
    assert bad_query.status_code == 422 and bad_query.headers["content-type"].startswith("text/html")
    assert "参数「page」的值「abc」无效" in bad_query.text and "请求有误" in bad_query.text
    method = client.delete("/incidents")
    assert method.status_code == 405 and "不接受 DELETE 请求" in method.text
    # nobody signed in: still the page, in the browser's language
    anon = httpx.get(srv.base + "/nowhere", headers={"Accept-Language": "en-GB"})
    assert anon.status_code == 404 and "there is no page at /nowhere" in anon.text
    api = httpx.get(srv.base + "/api/nowhere", headers={"Accept-Language": "en"})
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    assert api.json() == {
        "error": "web.error.no_route",
        "message": "there is no API route at /api/nowhere",
        "detail": "Not Found",
    }
    bad = client.get("/api/wording", params={"q": "登录", "alternatives": "x"})
    assert bad.status_code == 422 and bad.json()["error"] == "web.error.bad_params"
    assert "参数「alternatives」的值「x」无效" in bad.json()["message"]
    assert bad.json()["detail"][0]["loc"] == ["query", "alternatives"]
    en = client.get("/no/such/page?lang=en")  # the language sticks (a cookie): after the Chinese checks
    assert en.status_code == 404 and "there is no page at /no/such/page" in en.text
