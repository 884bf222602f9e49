"""Complaint intake: files (CSV, JSONL, GBK, Chinese headers) with bad rows
reported by line, masking on intake, idempotency, and the HTTP batch API
on a real server."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import incident_now
from sqlalchemy import func, select

from incident.config import Settings
from incident.models import Complaint
from incident.runtime import Runtime
from incident.watch import jobs
from incident.watch.complaints import mask_contact, mask_text
from tests.webserver import LiveServer

CSV = """external_id,received_at,channel,request_type,category,branch,product,text,customer_ref,customer_name,contact
T-1,2026-11-24 09:01,phone,投诉,物流,杭州,快递,快递延误三天还没到，电话13812345678,C-1,王先生,13812345678
T-2,2026-11-24 09:02,chat,咨询,账单,上海,会员,为什么多扣费,C-2,李女士,021-55512345
T-3,not a time,phone,投诉,物流,杭州,快递,x,C-3,,
T-4,2026-11-24 09:03,fax,投诉,物流,杭州,快递,x,C-4,,
T-5,2026-11-24 09:04,app,抱怨,物流,杭州,快递,x,C-5,,
,2026-11-24 09:05,app,投诉,物流,杭州,快递,x,C-6,,
T-7,2026-11-24 09:06,app,投诉,系统,全国,APP,APP登录失败 身份证号 110101199003071234 请处理,C-7,,user@example.com
T-8,2026-11-24 09:07,app,投诉,系统,全国,APP,登录没问题,C-8,,
T-9,2026-11-24 09:08,app,投诉,系统,全国,APP,x,C-9,,,extra-cell
"""


def test_masking_keeps_only_the_last_four_digits():
    assert mask_contact("138-1234-5678") == "****5678"
    assert mask_contact("+86 138 1234 5678") == "****5678"
    assert mask_contact("wang.wei@example.com") == "w***@example.com"
    text = mask_text("我的电话13812345678，身份证110101199003071234，座机 021-55512345，订单 12345")
    assert "13812345678" not in text and "110101199003071234" not in text and "55512345" not in text
    assert "****5678" in text and "****1234" in text and "订单 12345" in text  # short numbers are not personal data


def test_csv_import_keeps_good_rows_and_names_bad_ones(store, ctx, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(CSV, encoding="utf-8")
    report = jobs.import_complaints(store, ctx, path)
    assert (report.read, report.added, report.duplicates) == (9, 4, 0)
    bad = {e.line: e.key for e in report.errors}
    assert bad == {
        4: "complaint.error.time",
        5: "complaint.error.channel",
        6: "complaint.error.type",
        7: "complaint.error.missing",
        10: "complaint.error.columns",
    }
    with store.transaction() as s:
        rows = {c.external_id: c for c in s.scalars(select(Complaint))}
        t1 = rows["T-1"]
        assert t1.contact == "****5678" and "13812345678" not in t1.text and t1.request_type == "complaint"
        assert t1.topics == ["delivery_delay"] and t1.branch == "杭州" and t1.channel == "phone"
        assert rows["T-2"].request_type == "consultation" and rows["T-2"].topics == ["billing_error"]
        assert "110101199003071234" not in rows["T-7"].text and rows["T-7"].contact == "u***@example.com"
        assert rows["T-7"].topics == ["outage"]
        assert rows["T-8"].topics == []  # 「登录没问题」 is not an outage
        assert t1.received_at.isoformat() == "2026-11-24T01:01:00+00:00"  # centre wall clock → UTC
        everything = " ".join(f"{c.text} {c.contact} {c.customer_ref}" for c in rows.values())
        assert "13812345678" not in everything and "55512345" not in everything

    again = jobs.import_complaints(store, ctx, path)
    assert (again.added, again.duplicates) == (0, 4)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 4


def test_jsonl_gbk_and_chinese_headers(store, ctx, tmp_path):
    lines = [
        json.dumps(
            {
                "ticket_id": "J-1",
                "time": "2026-11-24T01:00:00Z",
                "channel": "email",
                "type": "urgent",
                "text": "泄露了我的个人信息",
            },
            ensure_ascii=False,
        ),
        "{broken json",
        json.dumps(["not", "an", "object"]),
        json.dumps(
            {
                "ticket_id": "J-2",
                "time": int(dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.timezone.utc).timestamp()),
                "channel": "微博",
                "text": "epoch seconds",
            }
        ),
    ]
    jl = tmp_path / "t.jsonl"
    jl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = jobs.import_complaints(store, ctx, jl)
    assert report.added == 2
    assert {e.line: e.key for e in report.errors} == {2: "complaint.error.json", 3: "complaint.error.not_object"}

    gbk = tmp_path / "excel.csv"
    gbk.write_text(
        "工单号,时间,渠道,类型,网点,内容\nG-1,2026-11-24 09:30,电话,投诉,南京,态度恶劣挂电话\n", encoding="gbk"
    )
    report = jobs.import_complaints(store, ctx, gbk)
    assert report.added == 1 and not report.errors
    with store.transaction() as s:
        g = s.scalars(select(Complaint).where(Complaint.external_id == "G-1")).one()
        assert g.branch == "南京" and g.topics == ["service_attitude"] and g.channel == "phone"
        assert s.scalars(select(Complaint.topics).where(Complaint.external_id == "J-1")).one() == ["privacy_data"]


def test_bad_files_are_refused_with_a_reason(store, ctx, tmp_path):
    from incident.errors import InputError

    no_id = tmp_path / "x.csv"
    no_id.write_text("time,text\n2026-11-24,hi\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        jobs.import_complaints(store, ctx, no_id)
    assert exc.value.key == "complaint.error.header"
    with pytest.raises(InputError) as exc:
        jobs.import_complaints(store, ctx, tmp_path / "missing.csv")
    assert exc.value.key == "complaint.error.no_file"
    xls = tmp_path / "x.xlsx"
    xls.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError):
        jobs.import_complaints(store, ctx, xls)


def test_cli_import_reports_lines_and_exit_status(tmp_path, db_url):
    path = tmp_path / "tickets.csv"
    path.write_text(CSV.replace("2026-11-24", "2026-11-20"), encoding="utf-8")  # days before the CLI's clock
    exe = Path(sys.executable).with_name("incident")
    env = {
        "INCIDENT_DATABASE_URL": db_url,
        "INCIDENT_LANG": "en",
        "PATH": "/usr/bin:/bin",
        "INCIDENT_NOW": incident_now(),
        "INCIDENT_CONFIG": str(Path(__file__).resolve().parents[1] / "examples" / "incident.toml"),
    }
    run = subprocess.run(
        [str(exe), "complaints", "import", str(path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "read 9 rows: 4 added, 0 duplicates, 5 errors" in run.stdout
    assert 'line 5: unknown channel "fax"' in run.stdout
    run = subprocess.run(
        [str(exe), "complaints", "import", str(path), "--json"], capture_output=True, text=True, env=env, timeout=120
    )
    data = json.loads(run.stdout)
    assert data["duplicates"] == 4 and len(data["errors"]) == 5
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,received_at,channel\nA,never,phone\n", encoding="utf-8")
    run = subprocess.run(
        [str(exe), "--lang", "zh-CN", "complaints", "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1 and "第 2 行" in run.stdout


def test_http_batch_intake_on_a_real_server(store, config, clock, db_url):
    rt = Runtime(Settings(api_token="tok-123"), config, None, "zh-CN", "ticket-system", db_url, clock)
    from incident.web.app import create_app

    batch = [
        {
            "external_id": "H-1",
            "received_at": "2026-11-24T01:50:00Z",
            "channel": "app",
            "request_type": "投诉",
            "category": "系统",
            "text": "APP 闪退，登录失败",
            "contact": "13900001111",
        },
        {"external_id": "H-2", "received_at": "2026-11-24T01:51:00Z", "channel": "pigeon"},
    ]
    with LiveServer(create_app(rt)) as srv:
        r = httpx.post(srv.base + "/api/complaints", json=batch)
        assert r.status_code == 401
        headers = {"Authorization": "Bearer tok-123", "Accept-Language": "en"}
        r = httpx.post(srv.base + "/api/complaints", json={"complaints": batch}, headers=headers)
        assert r.status_code == 200
        body = r.json()
        assert (body["added"], body["duplicates"]) == (1, 0)
        assert body["errors"] == [
            {
                "index": 2,
                "error": "complaint.error.channel",
                "message": 'unknown channel "pigeon"; use one of phone, chat, email, social, app',
            }
        ]
        r = httpx.post(srv.base + "/api/complaints", json=batch, headers=headers)
        assert r.json()["duplicates"] == 1 and r.json()["added"] == 0
        r = httpx.post(srv.base + "/api/complaints", content=b"{nope", headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "complaint.error.json"
        r = httpx.post(srv.base + "/api/complaints", json=[{}] * 5001, headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "complaint.error.batch_size"
    with store.transaction() as s:
        c = s.scalars(select(Complaint)).one()
        assert c.contact == "****1111" and c.topics == ["outage"] and c.source == "api"
