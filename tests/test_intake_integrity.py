"""Issue 21, points 1, 2 and 6, and the one rule for text entering the
system: identifiers (customer, order and waybill numbers) are kept exactly
while phone and ID numbers are masked; a poison row (a time of 1e20, NaN,
a NUL byte, a lone surrogate) is refused by name and the good rows are
kept; a rerun of an import schedules the callbacks a killed import did not;
feed text is cleaned at the door. SQLite and PostgreSQL (``db_url``), the
complaint and customer APIs over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

from incident.access import tokens
from incident.context import Context
from incident.models import AffectedCustomer, Callback, Complaint, FeedEntry
from incident.remedy import customers
from incident.watch import complaints as intake
from incident.watch import jobs
from incident.watch.classify import rules_for
from incident.web.app import create_app
from tests import webutil
from tests.factories import declare
from tests.feedserver import FeedServer, Route
from tests.test_web_lookup import add_user, csrf, flash, login, runtime
from tests.watchutil import make_config
from tests.webserver import LiveServer

# Realistic free text: identifiers a customer quotes next to personal numbers.
TEXT = (
    "客户编号10000001，订单号 20000001，运单SF1234567890123，订单号1234567890123456，"
    "手机13812345678，又写 +86 139-1234-5678，身份证11010519491231002X，座机(0571)88886666、021-55512345，"
    "客服热线95311，400-820-8888。"
)


# ---- point 1: identifiers are kept, personal numbers masked ---------------------------------


def test_mask_text_masks_phones_and_ids_but_not_order_waybill_or_customer_numbers():
    masked = intake.mask_text(TEXT)
    for kept in ("10000001", "20000001", "SF1234567890123", "1234567890123456", "95311", "400-820-8888"):
        assert kept in masked, (kept, masked)
    for gone in ("13812345678", "139-1234-5678", "11010519491231002X", "88886666", "55512345"):
        assert gone not in masked, (gone, masked)
    assert masked.count("****5678") == 2 and "****002X" in masked and "****6666" in masked
    assert "****2345" in masked
    # A mobile is 11 digits starting 1[3-9]; 8 digits or a 12-digit run is not one.
    assert intake.mask_text("12345678 / 138123456789") == "12345678 / 138123456789"
    assert intake.mask_text("138 1234 5678") == "****5678"
    assert intake.mask_text("8613812345678、0086 138-1234-5678") == "****5678、****5678"
    # A card number passes the Luhn check; an order number of the same length does not.
    assert (
        intake.mask_text("卡号6222021234567890128，单号6222021234567890129") == "卡号****0128，单号6222021234567890129"
    )


def _customer_csv(n_each: int = 10_000) -> str:
    lines = ["客户编号,姓名,称谓,电话,运单号,涉及金额"]
    for i in range(1, n_each + 1):
        for head in (1, 2):  # 10000001 and 20000001 share their last four digits
            ref = f"{head}{i:07d}"
            lines.append(f"{ref},客户{ref},先生,1380013{i % 10000:04d},SF{ref}00000,99")
    return "\n".join(lines) + "\n"


def test_20000_eight_digit_customer_numbers_are_all_kept(store, ctx, tmp_path):
    iid = declare(store, ctx)
    path = tmp_path / "customers.csv"
    path.write_text(_customer_csv(), encoding="utf-8")
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, customers.read_file(path))
    assert (report.read, report.added, report.duplicates, report.errors) == (20_000, 20_000, 0, [])
    with store.read() as s:
        rows = s.execute(select(AffectedCustomer.customer_ref, AffectedCustomer.order_ref, AffectedCustomer.contact))
        stored = {ref: (order, contact) for ref, order, contact in rows}
    assert len(stored) == 20_000
    assert set(stored) == {f"{h}{i:07d}" for h in (1, 2) for i in range(1, 10_001)}
    assert stored["10000001"] == ("SF1000000100000", "****0001")  # waybill exact, phone masked
    assert stored["20000001"] == ("SF2000000100000", "****0001")
    # Dedup is by the real identifier: the same file again adds nobody.
    with store.transaction() as s:
        again = customers.ingest(s, ctx, iid, customers.read_file(path))
    assert (again.added, again.duplicates) == (0, 20_000)


def test_complaint_customer_ref_is_kept_and_linked_by_the_real_number(store, ctx):
    rows = [
        (
            1,
            {
                "external_id": "T-1",
                "received_at": "2026-11-24T01:50:00Z",
                "channel": "app",
                "text": TEXT,
                "customer_ref": "10000001",
                "contact": "13812345678",
            },
        ),
        (
            2,
            {
                "external_id": "T-2",
                "received_at": "2026-11-24T01:51:00Z",
                "channel": "app",
                "text": "登录失败",
                "customer_ref": "20000001",
            },
        ),
    ]
    with store.transaction() as s:
        report = intake.ingest(s, ctx, rows, rules_for(ctx), "test")
    assert (report.added, report.errors) == (2, [])
    with store.read() as s:
        stored = {c.external_id: c for c in s.scalars(select(Complaint))}
        assert stored["T-1"].customer_ref == "10000001" and stored["T-2"].customer_ref == "20000001"
        assert stored["T-1"].contact == "****5678" and "13812345678" not in stored["T-1"].text
        assert "SF1234567890123" in stored["T-1"].text and "订单号 20000001" in stored["T-1"].text
    iid = declare(store, ctx)
    with store.transaction() as s:
        linked = customers.link_complaints(s, ctx, iid)
    assert linked.added == 2
    with store.read() as s:
        refs = set(s.scalars(select(AffectedCustomer.customer_ref)))
    assert refs == {"10000001", "20000001"}


# ---- point 2: one poison row is refused by name, the good rows are kept ---------------------


def _machine_token(rt) -> str:
    webutil.add_user(rt, "ticketsys", "admin", password=None)
    with rt.store.transaction() as s:
        _row, secret = tokens.create(s, "ticketsys", "ticket system", rt.clock.now())
    return secret


def _good(n: int) -> dict:
    return {"external_id": f"G-{n}", "received_at": "2026-11-24T01:50:00Z", "channel": "app", "text": f"登录失败 {n}"}


def test_poison_complaints_over_http_are_refused_by_name_and_the_good_rows_kept(store, config, clock, db_url):
    rt = webutil.web_runtime(db_url, config, clock)
    secret = _machine_token(rt)
    batch = [
        _good(1),
        {**_good(2), "external_id": "P-2", "received_at": 1e20},
        {**_good(3), "external_id": "P-3", "received_at": float("nan")},
        {**_good(4), "external_id": "P-4", "received_at": float("inf")},
        {**_good(5), "external_id": "P-5", "text": "闪退\ud800了\u0000，电话\x0713812345678"},
        {**_good(6), "external_id": "P-6\u0000"},
        {**_good(7), "external_id": "P-7", "customer_ref": "C\ud8001"},
        {**_good(8), "external_id": "P-8", "received_at": "0001-01-01T00:00:00+08:00"},
        {**_good(9), "external_id": "P-9", "channel": "\ud800pigeon"},
        _good(10),
    ]
    # json.dumps writes NaN/Infinity and "\ud800" escapes, as a careless sender does
    raw = json.dumps(batch).encode()
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, timeout=30) as http:
        auth = {"Authorization": f"Bearer {secret}"}
        r = http.post(
            "/api/complaints",
            content=raw,
            headers={**auth, "Accept-Language": "en", "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["received"], body["added"], body["duplicates"]) == (10, 3, 0)
        bad = {e["index"]: (e["error"], e["message"]) for e in body["errors"]}
        assert {i: k for i, (k, _m) in bad.items()} == {
            2: "complaint.error.time",
            3: "textin.error.number",
            4: "textin.error.number",
            6: "textin.error.control",
            7: "textin.error.control",
            8: "complaint.error.time",
            9: "complaint.error.channel",
        }
        assert "received_at is not a finite number" in bad[3][1]
        assert bad[6][1] == "external_id holds a control or invalid character (U+0000) and was refused"
        assert "customer_ref" in bad[7][1] and "U+D800" in bad[7][1]
        # the same batch again, in Chinese: the good rows are duplicates, the bad ones named again
        r = http.post("/api/complaints", content=raw, headers={**auth, "Content-Type": "application/json"})
        assert r.status_code == 200 and r.json()["duplicates"] == 3
        zh = {e["index"]: e["message"] for e in r.json()["errors"]}
        assert zh[6] == "「external_id」含有控制字符或无效字符（U+0000），已拒收" and "不是有限的数字" in zh[3]
    with store.read() as s:
        stored = {c.external_id: c.text for c in s.scalars(select(Complaint))}
    assert set(stored) == {"G-1", "P-5", "G-10"}
    assert stored["P-5"] == "闪退了，电话****5678"


def _poison_csv() -> str:
    lines = ["客户编号,姓名,电话,运单号,涉及金额,投诉时间"]
    for i in range(1, 1001):
        lines.append(f"{10000000 + i},客户{i},13800138{i % 1000:03d}0,SF{i:012d},50,2026-11-24 09:00")
    lines[100] = "10000100,王\x00五,13800138000,SF000000000100,50,2026-11-24 09:00"  # NUL in a name: cleaned
    lines[200] = "1000\x000200,赵六,13800138000,SF000000000200,50,2026-11-24 09:00"  # NUL in the number: refused
    lines[300] = "10000300,钱七,13800138000,SF00000\x1b0000300,50,2026-11-24 09:00"  # ESC in the waybill: refused
    lines[400] = "10000400,孙八,13800138000,SF000000000400,1e400,2026-11-24 09:00"  # not an amount
    lines[500] = "10000500,周九,13800138000,SF000000000500,50,1e20"  # not a time
    lines[600] = "10000600,吴十,13800138000,SF000000000600,NaN,2026-11-24 09:00"
    lines[700] = "10000700,郑\x7f一,13800138000,SF000000000700,50,0001-01-01T00:00:00+08:00"
    return "\n".join(lines) + "\n"


def test_a_nul_byte_in_a_1000_row_customer_csv_costs_only_its_row(store, ctx, tmp_path):
    iid = declare(store, ctx)
    path = tmp_path / "customers.csv"
    path.write_text(_poison_csv(), encoding="utf-8")
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, customers.read_file(path))
        customers.finish_import(s, ctx, iid, report, "import")
    bad = {e.line: (e.key, e.params) for e in report.errors}
    assert {line: key for line, (key, _p) in bad.items()} == {
        201: "textin.error.control",
        301: "textin.error.control",
        401: "customer.error.number",
        501: "customer.error.time",
        601: "customer.error.number",
        701: "customer.error.time",
    }
    assert (
        bad[201][1]["field"] == "客户编号" and bad[301][1]["field"] == "运单号"
    )  # the columns as the header names them
    assert (report.read, report.added) == (1000, 994)
    with store.read() as s:
        names = dict(s.execute(select(AffectedCustomer.customer_ref, AffectedCustomer.name)).all())
    assert len(names) == 994 and names["10000100"] == "王五"
    assert all("\x00" not in n for n in names.values())


def test_poison_customers_as_jsonl_and_over_the_http_api(store, ctx, db_url, tmp_path, monkeypatch):
    iid = declare(store, ctx)
    jsonl = "\n".join(
        json.dumps(r)
        for r in (
            {"customer_ref": "10000001", "name": "张\ud800三", "contact": "138\u000012345678"},
            {"customer_ref": "10000002", "amount": float("inf")},
            {"customer_ref": "10000003\ud800"},
            {"customer_ref": "20000001", "order_ref": "SF1234567890123", "complained_at": 1e20},
            {"customer_ref": 20000002, "order_ref": 1234567890123456},
        )
    )
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, customers.read_text(jsonl, "jsonl"))
    assert [(e.line, e.key) for e in report.errors] == [
        (2, "customer.error.number"),
        (3, "textin.error.control"),
        (4, "customer.error.time"),
    ]
    assert report.added == 2
    with store.read() as s:
        rows = {c.customer_ref: c for c in s.scalars(select(AffectedCustomer))}
        assert rows["10000001"].name == "张三" and rows["10000001"].contact == "****5678"
        assert rows["20000002"].order_ref == "1234567890123456"

    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    webutil.add_user(rt, "zhangwei", "lead", password=None)
    with rt.store.transaction() as s:
        _row, secret = tokens.create(s, "zhangwei", "script", rt.clock.now())
    body = json.dumps(
        {
            "customers": [
                {"customer_ref": "30000001", "order_ref": "SF3000000100000", "contact": "13912345678"},
                {"customer_ref": "30000002\u0000"},
                {"customer_ref": "30000003", "name": "\ud800", "declared_value": float("nan")},
            ]
        }
    ).encode()
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, timeout=30) as http:
        r = http.post(
            f"/api/incidents/INC-{iid}/customers",
            content=body,
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Accept-Language": "en"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["added"] == 1
        assert [(e["index"], e["error"]) for e in r.json()["errors"]] == [
            (2, "textin.error.control"),
            (3, "customer.error.number"),
        ]
        assert "customer_ref" in r.json()["errors"][0]["message"]
    with store.read() as s:
        got = s.scalars(select(AffectedCustomer).where(AffectedCustomer.customer_ref == "30000001")).one()
        assert got.order_ref == "SF3000000100000" and got.contact == "****5678"


# ---- point 6: a rerun of an import schedules what a killed import did not -------------------


def _killed_import(store, ctx, iid, refs):
    """What a killed import leaves: the customers committed, their callbacks never scheduled."""
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, [(i, {"customer_ref": r}) for i, r in enumerate(refs, 1)])
    assert report.added == len(refs)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Callback)) == 0


def _callbacks_per_customer(store, iid) -> dict[str, int]:
    with store.read() as s:
        rows = s.execute(
            select(AffectedCustomer.customer_ref, func.count(Callback.id))
            .outerjoin(Callback, Callback.customer_id == AffectedCustomer.id)
            .where(AffectedCustomer.incident_id == iid)
            .group_by(AffectedCustomer.customer_ref)
        ).all()
    return dict(rows)


def test_rerun_of_an_api_import_schedules_the_callbacks_a_killed_one_did_not(store, ctx, db_url, tmp_path, monkeypatch):
    iid = declare(store, ctx)
    refs = ["10000001", "20000001", "10000002"]
    _killed_import(store, ctx, iid, refs)
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    webutil.add_user(rt, "zhangwei", "lead", password=None)
    with rt.store.transaction() as s:
        _row, secret = tokens.create(s, "zhangwei", "script", rt.clock.now())
    auth = {"Authorization": f"Bearer {secret}"}
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, timeout=30) as http:
        for _ in range(2):  # the rerun, and a rerun of the rerun: never twice
            r = http.post(
                f"/api/incidents/INC-{iid}/customers", headers=auth, json=[{"customer_ref": ref} for ref in refs]
            )
            assert r.status_code == 200 and r.json()["duplicates"] == 3, r.text
            assert _callbacks_per_customer(store, iid) == {ref: 1 for ref in refs}


def test_rerun_of_a_pasted_import_schedules_the_callbacks_a_killed_one_did_not(
    store, ctx, db_url, tmp_path, monkeypatch
):
    iid = declare(store, ctx)
    refs = ["10000001", "20000001"]
    _killed_import(store, ctx, iid, refs)
    rt = runtime(ctx, db_url, tmp_path, monkeypatch)
    add_user(rt, "chenjing", "cs_lead")
    lead = login(create_app(rt), "chenjing")
    token = csrf(lead.get(f"/remedy/{iid}").text)
    rows = "客户编号,姓名\n10000001,张三\n20000001,李四\n"
    for _ in range(2):
        r = lead.post(f"/remedy/{iid}/customers/import", data={"csrf": token, "rows": rows, "format": "csv"})
        assert "2 位已在名单中" in flash(r.text)
        assert _callbacks_per_customer(store, iid) == {ref: 1 for ref in refs}


# ---- feeds: text cleaned at the door -------------------------------------------------------

FEED = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>新闻\x01</title>"
    "<item><guid>g-1\x02</guid><link>http://127.0.0.1/a\x00b</link><title>快递\x00延误\x07 &#xD800;三天</title>"
    "<description>正文\x1b[31m &#0;红色 \x7f</description><author>记者\x00甲</author></item>"
    "<item><guid>g-2</guid><title>第二条 &#xDFFF;&#x1;</title><description>好的</description></item>"
    "</channel></rss>"
)


def test_feed_text_with_nul_controls_and_surrogates_is_stored_clean(store, clock):
    with FeedServer() as srv:
        srv.routes["/bad.xml"] = Route(FEED.encode("utf-8"))
        config = make_config(
            feeds={"news": {"url": srv.url("/bad.xml"), "kind": "news", "allow_private": True}},
            watch={"read_timeout_seconds": 2.0, "connect_timeout_seconds": 2.0, "total_timeout_seconds": 5.0},
        )
        reports = jobs.poll_all(store, Context(config=config, actor="watcher", clock=clock))
    assert [(r.source, r.ok, r.new) for r in reports] == [("news", True, 2)]
    with store.read() as s:
        got = {e.guid: e for e in s.scalars(select(FeedEntry))}
    assert set(got) == {"g-1", "g-2"}
    first = got["g-1"]
    assert (first.title, first.summary, first.link, first.author) == (
        "快递延误 三天",
        "正文 红色",  # the whole terminal escape sequence goes, not just its ESC
        "http://127.0.0.1/ab",
        "记者甲",
    )
    assert got["g-2"].title == "第二条"


@pytest.mark.parametrize("value", ["x\x00y", "x\ud800y", "x\x1fy", "x\x85y"])
def test_identifier_with_a_control_character_is_refused_not_altered(store, ctx, value):
    iid = declare(store, ctx)
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, [(1, {"customer_ref": value}), (2, {"customer_ref": " 10000001\t"})])
    assert [(e.line, e.key, e.params["field"]) for e in report.errors] == [(1, "textin.error.control", "customer_ref")]
    with store.read() as s:
        assert list(s.scalars(select(AffectedCustomer.customer_ref))) == ["10000001"]


# ---- review of the intake: personal numbers in every written form ------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Tel13812345678", "Tel****5678"),
        ("tel13812345678号", "tel****5678号"),
        ("TEL13812345678、phone13912345678、手机13712345678", "TEL****5678、phone****5678、手机****5678"),
        ("ＴＥＬ１３８１２３４５６７８", "ＴＥＬ****５６７８"),
        ("电话１３８１２３４５６７８。", "电话****５６７８。"),
        ("１３８－１２３４－５６７８", "****５６７８"),
        ("138.1234.5678", "****5678"),
        ("卡号 6222 0212 3456 7890 128 已冻结", "卡号 ****0128 已冻结"),
        ("身份证 110101 19900307 4578", "身份证 ****4578"),
        ("座机 0571-8888 8888", "座机 ****8888"),
        ("tel0571-88888888", "tel****8888"),
    ],
)
def test_mask_text_masks_personal_numbers_however_they_are_written(text, masked):
    assert intake.mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "运单SF1234567890123、JD13812345678、SF13812345678",
        "客户编号10000001，订单号 20000001，订单1234567890123456",
        "客服热线400-820-8888，95311",
        "单号 6222 0212 3456 7890 129",  # card-shaped but fails the Luhn check
        "金额 138.12 元，重量 1.5 公斤",
    ],
)
def test_mask_text_keeps_identifiers_waybills_and_hotlines(text):
    assert intake.mask_text(text) == text


def test_text_fields_given_objects_or_arrays_and_odd_numeric_ids_are_refused_by_name(store, config, clock, db_url):
    rt = webutil.web_runtime(db_url, config, clock)
    secret = _machine_token(rt)
    batch = [
        _good(1),
        {**_good(2), "external_id": "B-2", "text": {"nested": {"x": 1}}},
        {**_good(3), "external_id": "B-3", "category": ["a", "b"]},
        {**_good(4), "external_id": "B-4", "customer_ref": 1.5e300},
        {**_good(5), "external_id": "B-5", "customer_ref": 12.5},
        {**_good(6), "external_id": "B-6", "customer_ref": 10**25},
        {**_good(7), "external_id": "B-7", "customer_name": {"x": 1}},
        {**_good(8), "external_id": "B-8", "customer_ref": 20000002},
        _good(9),
    ]
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, timeout=30) as http:
        r = http.post(
            "/api/complaints",
            content=json.dumps(batch).encode(),
            headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en", "Content-Type": "application/json"},
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["added"] == 3
    bad = {e["index"]: (e["error"], e["message"]) for e in body["errors"]}
    assert {i: k for i, (k, _m) in bad.items()} == {
        2: "textin.error.object",
        3: "textin.error.array",
        4: "textin.error.id_number",
        5: "textin.error.id_number",
        6: "textin.error.id_number",
        7: "textin.error.object",
    }
    assert bad[2][1] == "text should be text, got an object"
    assert bad[3][1] == "category should be text, got an array"
    assert bad[7][1].startswith("customer_name ")
    assert all(bad[i][1].startswith("customer_ref ") for i in (4, 5, 6))
    with store.read() as s:
        stored = {c.external_id: c for c in s.scalars(select(Complaint))}
    assert set(stored) == {"G-1", "B-8", "G-9"} and stored["B-8"].customer_ref == "20000002"


def test_customer_text_fields_given_objects_and_odd_numeric_ids_are_refused_by_name(store, ctx):
    iid = declare(store, ctx)
    jsonl = "\n".join(
        json.dumps(r)
        for r in (
            {"customer_ref": "10000001", "name": {"x": 1}},
            {"customer_ref": 1.5e300},
            {"customer_ref": "10000003", "category": ["a", "b"]},
            {"customer_ref": "10000004", "order_ref": 3.25},
            {"customer_ref": 10000005, "order_ref": 1234567890123456, "name": "王五", "complex": True},
        )
    )
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, customers.read_text(jsonl, "jsonl"))
    assert [(e.line, e.key, e.params["field"]) for e in report.errors] == [
        (1, "textin.error.object", "name"),
        (2, "textin.error.id_number", "customer_ref"),
        (3, "textin.error.array", "category"),
        (4, "textin.error.id_number", "order_ref"),
    ]
    with store.read() as s:
        got = s.scalars(select(AffectedCustomer)).one()
    assert (got.customer_ref, got.order_ref, got.name, got.complex) == ("10000005", "1234567890123456", "王五", True)


def test_a_required_field_holding_only_invalid_characters_names_the_character(store, ctx):
    rows = [
        (1, {**_good(1), "external_id": "C-1", "channel": "\ud83d"}),
        (2, {**_good(2), "external_id": "C-2", "channel": "\x00\x07"}),
        (3, {**_good(3), "external_id": "C-3", "request_type": "\ud83d"}),
        (4, {**_good(4), "external_id": "C-4", "received_at": "\ud800"}),
        (5, {**_good(5), "external_id": "C-5", "channel": "  "}),
        (6, _good(6)),
    ]
    with store.transaction() as s:
        report = intake.ingest(s, ctx, rows, rules_for(ctx), "test")
    got = [(e.line, e.key, e.params.get("field"), e.params.get("found")) for e in report.errors]
    assert got == [
        (1, "textin.error.control", "channel", "U+D83D"),
        (2, "textin.error.control", "channel", "U+0000"),
        (3, "textin.error.control", "request_type", "U+D83D"),
        (4, "textin.error.control", "received_at", "U+D800"),
        (5, "complaint.error.missing", "channel", None),
    ]
    assert report.added == 1


def test_times_far_in_the_future_or_before_2000_are_refused_by_name(store, ctx):
    # ctx's clock is conftest.NOW (2026-11-24T02:00Z); nothing here reads the wall clock
    rows = [
        (1, {**_good(1), "external_id": "D-1", "received_at": "9999-12-31T23:59:59+08:00"}),
        (2, {**_good(2), "external_id": "D-2", "received_at": "1999-12-31T23:59:59+08:00"}),
        (3, {**_good(3), "external_id": "D-3", "received_at": 0}),
        (4, {**_good(4), "external_id": "D-4", "received_at": "2000-01-01T00:00:00+08:00"}),
    ]
    with store.transaction() as s:
        report = intake.ingest(s, ctx, rows, rules_for(ctx), "test")
    assert [(e.line, e.key) for e in report.errors] == [
        (1, "complaint.error.future"),
        (2, "complaint.error.too_old"),
        (3, "complaint.error.too_old"),
    ]
    assert report.errors[1].params["field"] == "received_at" and report.added == 1

    iid = declare(store, ctx)
    when = {
        "10000001": "9999-12-31T23:59:59+08:00",
        "10000002": "2026-11-25T02:00:01Z",  # a day and a second after the clock
        "10000003": "1999-12-31 23:59",  # naive: the centre's zone
        "10000004": "2026-11-25T01:59:59Z",  # within a day: a clock a little off is fine
        "10000005": "2000-01-01 00:00",
    }
    records = [(i, {"customer_ref": ref, "complained_at": at}) for i, (ref, at) in enumerate(when.items(), 1)]
    with store.transaction() as s:
        got = customers.ingest(s, ctx, iid, records)
    assert [(e.line, e.key, e.params["field"]) for e in got.errors] == [
        (1, "customer.error.future", "complained_at"),
        (2, "customer.error.future", "complained_at"),
        (3, "customer.error.too_old", "complained_at"),
    ]
    with store.read() as s:
        assert set(s.scalars(select(AffectedCustomer.customer_ref))) == {"10000004", "10000005"}
