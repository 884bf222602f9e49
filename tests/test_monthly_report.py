"""The monthly report (issue 24 point 3, 001 §4.2): the tickets' service
times at intake, the figures against hand-computed values on a small data
set (month bounds in the centre's zone, an empty month, the previous
month's trend), the renderings (CSV formula-safe) and the CLI. On SQLite
and, in CI, PostgreSQL, with an injected clock."""

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EXAMPLE, incident_now
from sqlalchemy import select

from incident import response
from incident.config import load_config
from incident.context import Context
from incident.errors import InputError
from incident.i18n import t
from incident.models import (
    AffectedCustomer,
    Callback,
    CallbackAttempt,
    Compensation,
    Complaint,
    FactSheet,
    ResponseClock,
    RoleAssignment,
    Signal,
    Statement,
)
from incident.reporting.monthly import last_complete_month, month_bounds, monthly_report, parse_month
from incident.reporting.render import render_csv, render_monthly, write_monthly
from incident.timeutil import FixedClock
from incident.watch import complaints as intake
from incident.watch.jobs import rules_for

UTC = dt.timezone.utc
SH = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, the example centre's zone (no DST)
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=SH)  # the report's clock: November is complete
SCRIPT = Path(sys.executable).with_name("incident")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def mctx():
    return Context(load_config(EXAMPLE), "tester", FixedClock(NOW.astimezone(UTC)))


def ingest(store, ctx, records):
    with store.transaction() as s:
        return intake.ingest(s, ctx, list(enumerate(records, 1)), rules_for(ctx), "test")


def ticket(ext, received, channel, rtype, *, fr=None, res=None, sat=None, complex_=None):
    """A ticket as an export gives it (naive times: the centre's clock)."""
    rec = {"ticket_id": ext, "time": received.strftime("%Y-%m-%d %H:%M:%S"), "channel": channel, "type": rtype}
    if fr is not None:
        rec["first_response_at"] = (received + dt.timedelta(seconds=fr)).isoformat()
    if res is not None:
        rec["resolved_at"] = (received + dt.timedelta(seconds=res)).isoformat()
    if sat is not None:
        rec["satisfaction"] = sat
    if complex_ is not None:
        rec["complex"] = complex_
    return rec


TICKETS = [
    # November in Shanghai: its first second ...
    ticket("N1", local(2026, 11, 1, 0, 0, 0), "chat", "complaint", fr=20, res=7200, sat=5),
    ticket("N2", local(2026, 11, 10, 10, 0), "chat", "complaint", fr=45, res=30 * 3600, sat=3),
    ticket("N3", local(2026, 11, 15, 9, 0), "email", "consultation", fr=3 * 3600, res=40 * 3600, sat=4, complex_="是"),
    # ... and its last (15:59:59 UTC on the 30th)
    ticket("N4", local(2026, 11, 30, 23, 59, 59), "email", "consultation", fr=5 * 3600),
    ticket("N5", local(2026, 11, 20, 12, 0), "phone", "urgent"),
    # October's last second and December's first: not November's
    ticket("O1", local(2026, 10, 31, 23, 59, 59), "chat", "complaint", fr=10, res=3600, sat=4),
    ticket("D1", local(2026, 12, 1, 0, 0, 0), "chat", "complaint", fr=5),
]


def _incident(store, ctx):
    """INC declared 2026-11-05 10:00: first complaint 09:20, signal bucket
    09:30, started 09:40; acknowledged 10:05; statement 10:30; resolved
    15:00. Returns the holding clock's deadline."""
    at = local(2026, 11, 5, 10, 0).astimezone(UTC)
    c = Context(ctx.config, "tester", FixedClock(at))
    with store.transaction() as s:
        inc = response.declare(
            s, c, kind="system_outage", severity=2, title="APP 登录失败", started_at=local(2026, 11, 5, 9, 40)
        )
        s.add(
            Signal(
                series_key="complaints",
                bucket_start=local(2026, 11, 5, 9, 30),
                created_at=at,
                kind="system_outage",
                severity=2,
                action="opened",
                incident_id=inc.id,
            )
        )
        customer = AffectedCustomer(
            incident_id=inc.id,
            customer_ref="C1",
            complained_at=local(2026, 11, 5, 9, 20),
            source="complaint",
            added_by="tester",
            added_at=at,
        )
        s.add(customer)
        s.flush()
        first = s.scalars(select(RoleAssignment).where(RoleAssignment.incident_id == inc.id)).first()
        first.acked_at = local(2026, 11, 5, 10, 5)
        sheet = FactSheet(incident_id=inc.id, version=1, status="approved", content={}, author="t", created_at=at)
        s.add(sheet)
        s.flush()
        s.add(
            Statement(
                incident_id=inc.id,
                number=1,
                kind="holding",
                fact_sheet_id=sheet.id,
                fact_version=1,
                channels=["website"],
                status="published",
                rendered={},
                author="t",
                created_at=at,
                published_at=local(2026, 11, 5, 10, 30),
            )
        )
        inc.resolved_at = local(2026, 11, 5, 15, 0)
        due = s.scalars(select(ResponseClock.due_at).where(ResponseClock.incident_id == inc.id)).first()
        _remedy(s, inc.id, customer.id)
        return due


def _remedy(s, incident_id, customer_id):
    """Compensation: 50 元 issued in November, 30 元 issued then reversed,
    200 points issued; one issued in December. Callbacks due in November:
    done in time (reached, 5★), open past due, unreached after its due."""

    def comp(form, amount, unit, status, issued):
        s.add(
            Compensation(
                incident_id=incident_id,
                customer_id=customer_id,
                form=form,
                amount=Decimal(amount),
                unit=unit,
                status=status,
                idempotency_key=f"{form}-{status}-{issued}",
                proposed_by="t",
                proposed_at=issued,
                issued_at=issued,
            )
        )

    comp("coupon", "50.00", "yuan", "issued", local(2026, 11, 6, 9, 0))
    comp("refund", "30.00", "yuan", "reversed", local(2026, 11, 6, 9, 0))
    comp("points", "200", "points", "issued", local(2026, 11, 7, 9, 0))
    comp("gift", "10.00", "yuan", "issued", local(2026, 12, 1, 9, 0))

    def callback(key, status, due, closed=None, sat=None):
        cb = Callback(
            incident_id=incident_id,
            customer_id=customer_id,
            reason="result",
            key=key,
            status=status,
            due_at=due,
            call_at=due,
            created_at=due - dt.timedelta(hours=1),
            closed_at=closed,
            satisfaction=sat,
        )
        s.add(cb)
        s.flush()
        return cb

    done = callback("a", "done", local(2026, 11, 10, 12, 0), local(2026, 11, 10, 11, 0), sat=5)
    s.add(CallbackAttempt(callback_id=done.id, agent="a", result="reached", at=local(2026, 11, 10, 11, 0)))
    callback("b", "open", local(2026, 11, 12, 12, 0))
    callback("c", "unreached", local(2026, 11, 13, 12, 0), local(2026, 11, 14, 12, 0))


@pytest.fixture
def loaded(store, mctx):
    report = ingest(store, mctx, TICKETS)
    assert report.added == len(TICKETS) and not report.errors, report
    due = _incident(store, mctx)
    return store, mctx, due


def test_month_bounds_are_the_centres_calendar(mctx):
    start, end = month_bounds(mctx, 2026, 11)
    assert start == dt.datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert end == dt.datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert month_bounds(mctx, 2026, 12)[1] == dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert parse_month("2026-01") == (2026, 1) and parse_month(" 2026-1 ") == (2026, 1)
    for bad in ("2026-13", "26-11", "2026/11", "", "1999-12"):
        with pytest.raises(InputError) as err:
            parse_month(bad)
        assert err.value.key == "monthly.error.bad_month"
    # 3 December: the last complete month is November; on 1 January, December.
    assert last_complete_month(mctx) == (2026, 11)
    jan = Context(mctx.config, "t", FixedClock(local(2027, 1, 1, 0, 30).astimezone(UTC)))
    assert last_complete_month(jan) == (2026, 12)


def test_figures_against_hand_computed_values(loaded):
    store, ctx, holding_due = loaded
    with store.read() as s:
        r = monthly_report(s, ctx, "2026-11")
    assert r["month"] == "2026-11" and r["previous_month"] == "2026-10" and r["complete"]
    o = r["tickets"]["overall"]
    assert o["received"] == 5  # N1–N5; not O1 (October) nor D1 (December)
    # First responses 20, 45, 10800, 18000 s: the median halfway between the
    # 2nd and 3rd (5422.5, rounded to even); p90 at rank 2.7: 10800 + 0.7 × 7200.
    assert o["first_response"] == {
        "count": 4,
        "deadline_s": None,
        "median_s": 5422,
        "p90_s": 15840,
        "with_deadline": 4,  # the chat and e-mail tickets: the share's base, said beside it
        "within": 2,  # N1 (chat ≤ 30 s) and N3 (e-mail ≤ 4 h)
        "within_share": 0.5,
    }
    # Resolutions 7200, 108000 (ordinary: late), 144000 (complex: ≤ 48 h).
    assert o["resolution"] == {
        "count": 3,
        "median_s": 108000,
        "p90_s": 136800,  # rank 1.8: 108000 + 0.8 × 36000
        "within": 2,
        "within_share": 0.6667,
        "rate": 0.6,
    }
    assert o["satisfaction"]["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert o["satisfaction"]["mean"] == 4.0 and o["satisfaction"]["satisfied_share"] == 0.6667
    chat, email, phone = (r["tickets"]["by_channel"][c] for c in ("chat", "email", "phone"))
    assert list(r["tickets"]["by_channel"]) == ["phone", "chat", "email"]
    # chat 20 and 45 s, e-mail 3 h and 5 h: each median halfway
    assert chat["first_response"]["deadline_s"] == 30 and chat["first_response"]["median_s"] == 32
    assert chat["first_response"]["within_share"] == 0.5 and email["first_response"]["within_share"] == 0.5
    assert email["first_response"]["median_s"] == 14400 and email["resolution"]["rate"] == 0.5
    assert phone["received"] == 1 and phone["first_response"]["within_share"] is None  # no deadline for phone
    types = r["tickets"]["by_type"]
    assert {k: v["received"] for k, v in types.items()} == {"consultation": 2, "complaint": 2, "urgent": 1}
    cx = r["tickets"]["by_complexity"]
    assert cx["complex"]["received"] == 1 and cx["complex"]["resolution"]["within_share"] == 1.0
    assert cx["ordinary"]["resolution"]["within"] == 1 and cx["ordinary"]["resolution"]["count"] == 2

    inc = r["incidents"]["overall"]
    assert inc["count"] == 1 and inc["resolved"] == 1 and r["incidents"]["resolved_in_month"] == 1
    assert inc["detect"]["median_s"] == 2400  # from the first complaint, 09:20, to 10:00
    assert inc["acknowledge"]["median_s"] == 300
    assert inc["first_statement"]["median_s"] == 1800
    assert inc["resolve"]["median_s"] == 5 * 3600
    assert inc["statement_on_time"] == (1 if local(2026, 11, 5, 10, 30) <= holding_due else 0)
    assert list(r["incidents"]["by_kind"]) == ["system_outage"] and list(r["incidents"]["by_severity"]) == ["2"]

    comp = r["compensation"]
    assert comp["count"] == 2 and comp["money_issued"] == Decimal("50.00") and comp["customers"] == 1
    assert comp["by_unit"]["points"] == {"count": 1, "amount": Decimal("200.00")}
    assert r["callbacks"] == {"due": 3, "done": 1, "unreached": 1, "open": 1, "reached": 1, "overdue": 2}
    assert r["callback_satisfaction"]["mean"] == 5.0

    tr = r["trends"]
    assert tr["complaints_received"] == {"value": 5, "previous": 1, "change": 4}
    assert tr["first_response_within_share"] == {"value": 0.5, "previous": 1.0, "change": -0.5}
    assert tr["resolution_rate"] == {"value": 0.6, "previous": 1.0, "change": -0.4}
    assert tr["first_response_median_s"] == {"value": 5422, "previous": 10, "change": 5412}
    assert tr["incidents_declared"] == {"value": 1, "previous": 0, "change": 1}
    assert tr["compensation_issued_yuan"]["change"] == Decimal("50.00")
    assert tr["callback_satisfaction_mean"] == {"value": 5.0, "previous": None, "change": None}


def test_an_empty_month_and_a_month_not_over(loaded):
    store, ctx, _ = loaded
    with store.read() as s:
        empty = monthly_report(s, ctx, (2026, 8))
    o = empty["tickets"]["overall"]
    assert o["received"] == 0 and o["first_response"]["median_s"] is None and o["resolution"]["rate"] is None
    assert empty["incidents"]["overall"]["count"] == 0 and empty["callbacks"]["due"] == 0
    assert empty["trends"]["complaints_received"] == {"value": 0, "previous": 0, "change": 0}
    md, html, table = render_monthly(empty, "en", "Centre")
    assert "monthly report · 2026-08" in md and "<svg" in html and "month" in table
    with store.read() as s:
        december = monthly_report(s, ctx, (2026, 12))
    assert not december["complete"] and december["tickets"]["overall"]["received"] == 1  # D1
    assert december["trends"]["complaints_received"]["previous"] == 5
    assert "not over" in render_monthly(december, "en", "Centre")[0]


def test_intake_validates_the_service_fields_by_row_and_field(store, mctx):
    rows = [
        {
            "工单号": "G1",
            "受理时间": "2026-11-20 10:00",
            "渠道": "在线",
            "类型": "投诉",
            "首次响应时间": "2026-11-20 10:00:20",
            "解决时间": "2026-11-21 09:00",
            "满意度": "5",
            "复杂": "是",
        },  # fmt: skip
        ticket("B1", local(2026, 11, 20, 10, 0), "email", "complaint", res=-3600),  # resolved before received
        ticket("B2", local(2026, 11, 20, 10, 0), "email", "complaint", sat=6),
        ticket("B3", local(2026, 11, 20, 10, 0), "email", "complaint", sat="很好"),
        ticket("B4", local(2026, 11, 20, 10, 0), "email", "complaint", complex_="maybe"),
        ticket("B5", local(2026, 11, 20, 10, 0), "email", "complaint", fr=600, res=60),  # resolved before answered
        {**ticket("B6", local(2026, 11, 20, 10, 0), "email", "complaint"), "first_response_at": "yesterday"},
        ticket("G2", local(2026, 11, 20, 10, 0), "email", "complaint", sat="4分"),
    ]
    report = ingest(store, mctx, rows)
    assert report.added == 2
    got = {e.line: (e.key, e.params["field"]) for e in report.errors}
    assert got == {
        2: ("svc.error.before_receipt", "resolved_at"),
        3: ("svc.error.satisfaction", "satisfaction"),
        4: ("svc.error.satisfaction", "satisfaction"),
        5: ("svc.error.complex", "complex"),
        6: ("svc.error.before_response", "resolved_at"),
        7: ("svc.error.time", "first_response_at"),
    }
    e = report.errors[1]
    assert (
        t(e.key, "en", **e.params)
        == 'field satisfaction must be a whole number from 1 to 5 (5 = very satisfied), got "6"'
    )
    assert "满意度" not in t(e.key, "zh-CN", **e.params) and "1–5 的整数" in t(e.key, "zh-CN", **e.params)
    with store.read() as s:
        g1 = s.scalars(select(Complaint).where(Complaint.external_id == "G1")).one()
        g2 = s.scalars(select(Complaint).where(Complaint.external_id == "G2")).one()
    assert (g1.first_response_seconds, g1.resolution_seconds, g1.satisfaction, g1.complex) == (20, 82800, 5, True)
    assert (g2.satisfaction, g2.complex, g2.first_response_at, g2.resolution_seconds) == (4, False, None, None)


def test_a_later_export_fills_in_a_stored_tickets_service_times(store, mctx):
    received = local(2026, 11, 20, 10, 0)
    assert ingest(store, mctx, [ticket("U1", received, "email", "complaint")]).added == 1
    answered = ingest(store, mctx, [ticket("U1", received, "email", "complaint", fr=600)])
    assert (answered.added, answered.duplicates, answered.updated) == (0, 1, 1)
    # What a row leaves out stays; a bad row changes nothing; a repeat changes nothing.
    done = ingest(store, mctx, [ticket("U1", received, "email", "complaint", res=7200, sat=4, complex_="yes")])
    assert done.updated == 1
    bad = ingest(store, mctx, [ticket("U1", received, "email", "complaint", res=300)])  # before the response
    assert bad.updated == 0 and bad.errors[0].key == "svc.error.before_response"
    same = ingest(store, mctx, [ticket("U1", received, "email", "complaint", res=7200)])
    assert (same.duplicates, same.updated) == (1, 0)
    # Twice in one batch: the second row is applied after the first.
    twice = ingest(
        store, mctx, [ticket("U2", received, "chat", "other"), ticket("U2", received, "chat", "other", fr=9)]
    )
    assert (twice.added, twice.updated) == (1, 1)
    with store.read() as s:
        u1 = s.scalars(select(Complaint).where(Complaint.external_id == "U1")).one()
        u2 = s.scalars(select(Complaint).where(Complaint.external_id == "U2")).one()
    assert (u1.first_response_seconds, u1.resolution_seconds, u1.satisfaction, u1.complex) == (600, 7200, 4, True)
    assert u2.first_response_seconds == 9


def test_renderings_escape_and_the_csv_is_formula_safe(loaded):
    store, ctx, _ = loaded
    with store.transaction() as s:  # a request type stored before intake knew it, as a spreadsheet formula
        s.add(
            Complaint(
                external_id="X1",
                received_at=local(2026, 11, 3, 9, 0),
                channel="chat",
                request_type="=HYPERLINK(1)",
                text="",
                topics=[],
                source="t",
                ingested_at=local(2026, 11, 3, 9, 0),
            )
        )
        s.add(
            Complaint(
                external_id="X2",
                received_at=local(2026, 11, 3, 9, 0),
                channel="<b>x</b>",
                request_type="other",
                text="",
                topics=[],
                source="t",
                ingested_at=local(2026, 11, 3, 9, 0),
            )
        )
    with store.read() as s:
        report = monthly_report(s, ctx, (2026, 11))
    rows = list(csv.reader(io.StringIO(render_csv(report, "en").lstrip("\ufeff"))))
    assert rows[0] == ["section", "group", "metric", "value"]
    cells = [c for row in rows for c in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    assert ["trends", "complaints_received", "change", "'+3"] not in rows  # numbers stay numbers
    assert ["trends", "complaints_received", "change", "6"] in rows
    assert ["trends", "first_response_within_share", "change", "-0.5"] in rows  # a negative number is not text
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    md, html, _ = render_monthly(report, "zh-CN", "中心")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "\\<b\\>x\\</b\\>" in md
    assert html.count("<svg") == 3 and "@media print" in html
    assert "按渠道" in md and "首次响应达标率" in md


def test_cli_writes_the_three_files(loaded, db_url, tmp_path):
    assert SCRIPT.exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_ACTOR="chenjing",
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(NOW.astimezone(UTC)),
    )

    def run(*args, lang="en"):
        return subprocess.run(
            [str(SCRIPT), "--lang", lang, "report", "monthly", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    out = tmp_path / "out"
    proc = run("--dir", str(out))  # default: November, the last complete month
    assert proc.returncode == 0, proc.stderr
    assert "monthly report for 2026-11 written" in proc.stdout and "5 tickets" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "monthly-2026-11.csv",
        "monthly-2026-11.html",
        "monthly-2026-11.md",
    ]
    data = json.loads(run("--month", "2026-10", "--dir", str(out), "--json").stdout)
    assert data["month"] == "2026-10" and data["tickets"]["overall"]["received"] == 1
    assert data["compensation"]["money_issued"] == "0.00" and len(data["files"]) == 3
    zh = run("--month", "2026-11", "-o", str(out), lang="zh-CN")
    assert "2026-11 月度报告已写出" in zh.stdout and "工单 5 张" in zh.stdout
    bad = run("--month", "2026-13")
    assert bad.returncode == 1 and "cannot read the month '2026-13'" in bad.stderr and "Traceback" not in bad.stderr

    # a later export of the same ticket brings its service times: the import says it updated one
    head = "external_id,received_at,channel,request_type,category,text"
    row = "CLI-1,2026-11-20T10:00:00+08:00,email,complaint,系统,登录不了"
    first, later = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(f"{head}\n{row}\n", encoding="utf-8")
    later.write_text(f"{head},first_response_at\n{row},2026-11-20T10:30:00+08:00\n", encoding="utf-8")

    def imp(path):
        cmd = [str(SCRIPT), "--lang", "en", "complaints", "import", str(path)]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

    assert imp(first).returncode == 0
    again = imp(later)
    assert again.returncode == 0 and "1 duplicates" in again.stdout, again.stderr
    assert "1 of the stored tickets got their service times" in again.stdout


def test_write_monthly_files(loaded, tmp_path):
    store, ctx, _ = loaded
    with store.read() as s:
        _, paths = write_monthly(s, ctx, (2026, 11), tmp_path, "en")
    assert [p.suffix for p in paths] == [".md", ".html", ".csv"]
    assert paths[2].read_bytes().startswith(b"\xef\xbb\xbf")
