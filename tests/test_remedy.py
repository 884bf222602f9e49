"""Affected customers, the compensation ledger (caps, policy, four eyes,
issuing exactly once), callbacks (deadlines, balance, working hours,
retries, follow-ups, escalation) and the reports. DOMAIN.md §4, §5."""

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incident import response
from incident.adapters.compensation import ExportFileProvider
from incident.config import CompensationPolicy, load_config
from incident.errors import ConfigError, ConflictError, InputError
from incident.models import AffectedCustomer, Callback, Compensation, OutboxMessage, TimelineEvent
from incident.remedy import callbacks, customers, issuing, ledger, reports
from incident.timeutil import FixedClock
from tests.factories import FULL, approved_sheet, as_, declare

SH = dt.timezone(dt.timedelta(hours=8))


def with_policies(ctx, *policies, **comp):
    config = ctx.config
    new_comp = config.compensation.model_copy(update={"policies": list(policies), **comp})
    return dataclasses.replace(ctx, config=config.model_copy(update={"compensation": new_comp}))


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def import_file(store, ctx, iid, path):
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, customers.read_file(path))
        customers.finish_import(s, ctx, iid, report, "import")
    return report


CSV = """客户编号,姓名,称谓,电话,语言,运单号,涉及金额,保险,保价
C001,张三,先生,138 1234 5678,zh-CN,SF001,120,否,
C002,Emily Carter,f,+86 139-0000-1111,en,SF002,3000,货物,
C003,李娜,女士,13700002222,,SF003,80,文件,
C004,王五,先生,13600003333,,SF004,,,5000
C001,张三,先生,13812345678,,SF001,120,,
C005,赵六,先生,13500004444,,SF005,abc,,
,无编号,先生,13500005555,,,,,
C006,孙七,外星人,13500006666,,,,,
"""


def test_import_masks_reports_bad_rows_and_keeps_good_ones(store, ctx, tmp_path):
    iid = declare(store, ctx)
    report = import_file(store, ctx, iid, write(tmp_path, "c.csv", CSV, "gbk"))
    assert (report.read, report.added, report.duplicates) == (8, 4, 1)
    assert sorted((e.line, e.key) for e in report.errors) == [
        (7, "customer.error.number"),
        (8, "customer.error.missing"),
        (9, "wording.error.bad_title"),
    ]
    with store.transaction() as s:
        rows = {c.customer_ref: c for c in customers.list_customers(s, iid)}
    assert rows["C001"].contact == "****5678" and rows["C002"].contact == "****1111"
    assert rows["C002"].title == "女士" and rows["C002"].lang == "en" and rows["C002"].insured == "goods"
    assert rows["C003"].insured == "documents" and rows["C004"].declared_value == 5000
    # Importing again adds nobody: a customer appears once per incident.
    again = import_file(
        store,
        ctx,
        iid,
        write(
            tmp_path,
            "c.jsonl",
            "\n".join(json.dumps({"customer_ref": r, "contact": "13800000000"}) for r in ("C001", "C002", "C009"))
            + "\n{broken\n",
        ),
    )
    assert (again.added, again.duplicates, [e.line for e in again.errors]) == (1, 2, [4])
    with store.transaction() as s:
        assert customers.count(s, iid) == 5
        assert not any("13812345678" in (c.contact or "") + (c.name or "") for c in customers.list_customers(s, iid))


# The trial's pasted list (issue 23): a line without its commas, a bad amount under
# the header's own "amount", a contact that is neither a number nor an address.
TRIAL = """customer_ref,name,title,order_ref,amount,insured,contact
C001,李雷,先生,SF1,80,no,13911112222
C002,,女士,SF2,abc,no,13933334444
bad line without commas
C003,韩梅梅,女士,SF3,50,no,x
C004,Tom,Mr,SF4,20,no,13955556666
"""


def test_a_row_that_does_not_fit_the_header_is_refused_by_line_and_named_by_its_column(store, ctx, tmp_path):
    from incident.i18n import t

    iid = declare(store, ctx)
    report = import_file(store, ctx, iid, write(tmp_path, "trial.csv", TRIAL))
    assert (report.read, report.added, report.duplicates) == (5, 2, 0)
    bad = {e.line: (e.key, e.params) for e in report.errors}
    assert {line: key for line, (key, _p) in bad.items()} == {
        3: "customer.error.number",
        4: "customer.error.too_few",
        5: "customer.error.contact",
    }
    assert (bad[4][1]["got"], bad[4][1]["expected"]) == (1, 7)
    # the column as the list's header spells it, not the field it is read into
    assert t(bad[3][0], "zh-CN", **bad[3][1]) == "「amount」应为非负数字（收到「abc」）"
    assert t(bad[3][0], "en", **bad[3][1]) == "'amount' must be a number ≥ 0 (got 'abc')"
    assert t(bad[4][0], "zh-CN", **bad[4][1]).startswith("此行只有 1 列，表头有 7 列")
    assert (
        t(bad[5][0], "en", **bad[5][1]) == "'contact' holds 'x', which is neither a phone number nor an e-mail address"
    )
    with store.read() as s:
        assert sorted(s.scalars(select(AffectedCustomer.customer_ref))) == ["C001", "C004"]

    # One column: the sentence fits the header, but is no customer number. A
    # Chinese header and a JSONL key are named as written too.
    with store.transaction() as s:
        one = customers.ingest(s, ctx, iid, customers.read_text("客户编号\nC009\nbad line without commas\n"))
        keyed = customers.ingest(s, ctx, iid, customers.read_text('{"客户编号": "C010", "金额": "-5"}', "jsonl"))
    assert (one.added, [(e.line, e.key, e.params["field"]) for e in one.errors]) == (
        1,
        [(3, "customer.error.ref_shape", "客户编号")],
    )
    assert [(e.key, e.params["field"]) for e in keyed.errors] == [("customer.error.number", "金额")]
    with store.transaction() as s:  # a number written in groups is still a number
        grouped = customers.ingest(s, ctx, iid, customers.read_text("客户编号\nC 011\n"))
    assert (grouped.added, grouped.errors) == (1, [])
    # a row with more cells than the header is refused as before
    with store.transaction() as s:
        wide = customers.ingest(s, ctx, iid, customers.read_text("customer_ref,name\nC011,张,三\n"))
    assert [(e.line, e.key) for e in wide.errors] == [(2, "customer.error.columns")]


def test_link_customers_from_matching_complaints(store, ctx):
    from incident.watch.complaints import ingest
    from incident.watch.jobs import rules_for

    with store.transaction() as s:
        iid = response.declare(
            s, ctx, kind="batch_complaint", severity=3, title="杭州网点派送延误", regions=["杭州"]
        ).id
    now = ctx.clock.now()
    recs = [
        {
            "external_id": "T1",
            "received_at": (now - dt.timedelta(minutes=30)).isoformat(),
            "channel": "phone",
            "branch": "杭州",
            "customer_ref": "C100",
            "customer_name": "钱八",
            "contact": "13811112222",
            "text": "快递没派送",
        },
        {
            "external_id": "T2",
            "received_at": (now - dt.timedelta(minutes=20)).isoformat(),
            "channel": "phone",
            "branch": "杭州",
            "customer_ref": "C100",
            "contact": "13811112222",
            "text": "又打来",
        },
        {
            "external_id": "T3",
            "received_at": (now - dt.timedelta(minutes=10)).isoformat(),
            "channel": "phone",
            "branch": "宁波",
            "customer_ref": "C200",
            "contact": "13833334444",
            "text": "别的网点",
        },
        {
            "external_id": "T4",
            "received_at": (now - dt.timedelta(days=3)).isoformat(),
            "channel": "phone",
            "branch": "杭州",
            "customer_ref": "C300",
            "contact": "13855556666",
            "text": "很久以前",
        },
    ]
    with store.transaction() as s:
        ingest(s, ctx, list(enumerate(recs, 1)), rules_for(ctx), "test")
    with store.transaction() as s:
        report = customers.link_complaints(s, ctx, iid)
    assert report.added == 1
    with store.transaction() as s:
        (only,) = customers.list_customers(s, iid)
        assert only.customer_ref == "C100" and only.source == "complaint" and only.contact == "****2222"
        assert only.complaint_id is not None
    with store.transaction() as s:
        assert customers.link_complaints(s, ctx, iid).added == 0  # idempotent


def seed_customers(store, ctx, iid, rows):
    with store.transaction() as s:
        report = customers.ingest(s, ctx, iid, list(enumerate(rows, 1)))
        assert not report.errors, report.errors
    return report


def test_caps_refuse_with_reason_and_alternative(store, ctx):
    iid = declare(store, ctx)
    seed_customers(
        store,
        ctx,
        iid,
        [
            {"customer_ref": "U1"},  # uninsured: 200
            {"customer_ref": "G1", "insured": "goods", "amount": 3000},  # insured goods: actual loss, at most 2000
            {"customer_ref": "D1", "insured": "documents"},  # 200
            {"customer_ref": "V1", "declared_value": 12000},  # declared: at most 10000
            {"customer_ref": "V2", "declared_value": 800},  # declared: the declared value
        ],
    )
    lead = as_(ctx, "zhangwei")
    with store.transaction() as s:
        with pytest.raises(InputError) as refused:
            ledger.propose(s, lead, iid, "U1", "refund", 250)
    assert refused.value.key == "comp.error.over_cap"
    msg = refused.value.message("zh-CN")
    assert "200" in msg and "未保险" in msg and "积分" in msg and "004 ch.3 §2" in msg
    assert "points or a service extension" in refused.value.message("en")
    cases = [
        ("U1", 200, True),
        ("G1", 2000, True),
        ("G1", 2000.01, False),
        ("D1", 201, False),
        ("V1", 10000, True),
        ("V1", 10001, False),
        ("V2", 800, True),
        ("V2", 801, False),
    ]
    for ref, amount, ok in cases:
        with store.transaction() as s:
            # one money form per attempt: refunds, then what is left over goes as a gift
            if ok:
                ledger.propose(s, lead, iid, ref, "refund", amount)
            else:
                with pytest.raises(InputError):
                    ledger.propose(
                        s,
                        lead,
                        iid,
                        ref,
                        "gift",
                        amount - (2000 if ref == "G1" else 10000 if ref == "V1" else 0) + 0.01
                        if ref in ("G1", "V1")
                        else amount,
                    )
    # The cap counts what is already committed: U1 has 200 of 200.
    with store.transaction() as s:
        with pytest.raises(InputError) as more:
            ledger.propose(s, lead, iid, "U1", "coupon", 10)
        assert more.value.params["room"] == "0.00"
        # Points are not money: no cap.
        ledger.propose(s, lead, iid, "U1", "points", 500)
    # One entry per (incident, customer, form).
    with store.transaction() as s:
        with pytest.raises(ConflictError):
            ledger.propose(s, lead, iid, "U1", "points", 100)


def test_threshold_needs_a_supervisor_not_the_proposer(store, ctx):
    iid = declare(store, ctx)
    seed_customers(store, ctx, iid, [{"customer_ref": "A", "declared_value": 5000}, {"customer_ref": "B"}])
    with store.transaction() as s:
        big = ledger.propose(s, as_(ctx, "chenjing"), iid, "A", "refund", 1500).id  # over 100: needs approval
        small = ledger.propose(s, as_(ctx, "chenjing"), iid, "B", "coupon", 50)
        assert small.status == "approved" and small.approved_by == "system"
    with store.transaction() as s:
        assert s.get(Compensation, big).status == "proposed"
        with pytest.raises(InputError) as own:
            ledger.approve(s, as_(ctx, "chenjing"), [big])  # a supervisor, but the proposer
        assert own.value.key == "comp.error.own_proposal"
        with pytest.raises(InputError) as agent:
            ledger.approve(s, as_(ctx, "wangfang"), [big])  # not a supervisor
        assert agent.value.key == "comp.error.not_supervisor"
    with store.transaction() as s:
        assert ledger.approve(s, as_(ctx, "liuyang"), [big]) == 1
        assert ledger.approve(s, as_(ctx, "liuyang"), [big]) == 0  # again: nothing changes
        entry = s.get(Compensation, big)
        assert (entry.status, entry.approved_by) == ("approved", "liuyang")


def test_policy_eligibility_formula_and_budget_alert(store, ctx):
    iid = declare(store, ctx)
    start = ctx.clock.now()
    # imported 4 days on: a complaint time more than a day after the import's clock is refused
    later = dataclasses.replace(ctx, clock=FixedClock(start + dt.timedelta(days=4)))
    seed_customers(
        store,
        later,
        iid,
        [
            {
                "customer_ref": "P1",
                "category": "登录",
                "amount": 300,
                "complained_at": (start + dt.timedelta(hours=1)).isoformat(),
            },
            {
                "customer_ref": "P2",
                "category": "登录",
                "amount": 3000,
                "complained_at": (start + dt.timedelta(hours=2)).isoformat(),
            },
            {
                "customer_ref": "P3",
                "category": "登录",
                "amount": 300,
                "complained_at": (start + dt.timedelta(hours=80)).isoformat(),
            },
            {"customer_ref": "P4", "category": "其他", "amount": 10},
            {"customer_ref": "P5", "category": "登录", "amount": 5},
        ],
    )
    pctx = with_policies(
        ctx,
        CompensationPolicy(
            name="login-refund",
            kinds=["system_outage"],
            categories=["登录"],
            form="coupon",
            formula="min(amount_at_stake * 0.5, 300)",
            within_hours=72,
            min_order_value=10,
        ),
        CompensationPolicy(name="everyone-points", form="points", amount=200),
        budget_yuan=250,
    )
    pctx = as_(pctx, "zhangwei")
    with store.transaction() as s:
        report = ledger.propose_by_policy(s, pctx, iid)
    # P1: 150 coupon (over 100 → approval); P2: 300 > the 200 uninsured cap → refused;
    # P3: complained too late; P5: order too small; P4: the second policy → 200 points.
    assert (report.proposed, report.need_approval, report.auto_approved, report.ineligible) == (2, 1, 1, 2)
    assert [(ref, key) for ref, key, _ in report.refused] == [("P2", "comp.error.over_cap")]
    with store.transaction() as s:
        again = ledger.propose_by_policy(s, pctx, iid)
    assert again.proposed == 0 and again.existing == 2
    with store.transaction() as s:
        got = {c.customer_ref: (e.form, e.amount, e.status) for e, c in ledger.list_entries(s, iid)}
        assert got == {"P1": ("coupon", 150.0, "proposed"), "P4": ("points", 200.0, "approved")}
    # Budget 250 yuan: a second coupon of 120 passes it → one alert, once.
    with store.transaction() as s:
        ledger.propose(s, pctx, iid, "P3", "coupon", 120)
    with store.transaction() as s:
        ledger.propose(s, pctx, iid, "P5", "coupon", 5)
        passed = list(
            s.scalars(
                select(TimelineEvent).where(TimelineEvent.incident_id == iid, TimelineEvent.type == "budget_passed")
            )
        )
        assert len(passed) == 1 and passed[0].data["committed"] == "270.00"  # exact, as a string
        notes = list(s.scalars(select(OutboxMessage).where(OutboxMessage.message_key == "notify.budget_passed")))
        assert {n.recipient for n in notes} >= {"liuyang", "chenjing", "sunli"}


def test_issue_in_batches_exactly_once_and_reverse(store, ctx, tmp_path):
    iid = declare(store, ctx)
    seed_customers(store, ctx, iid, [{"customer_ref": f"K{i:03d}", "order_ref": f"SF{i}"} for i in range(25)])
    lead = as_(ctx, "zhangwei")
    with store.transaction() as s:
        for i in range(25):
            ledger.propose(s, lead, iid, f"K{i:03d}", "coupon", 20)
    provider = ExportFileProvider(tmp_path / "comp", ctx.clock, store)
    seen = []
    report = issuing.issue_due(store, ctx, provider, batch=10, progress=lambda d, t: seen.append((d, t)))
    assert (report.issued, report.batches) == (25, 3) and seen[-1] == (25, 25)
    assert sorted(provider.issued_keys()) == sorted(f"INC-{iid}/K{i:03d}/coupon" for i in range(25))
    assert issuing.issue_due(store, ctx, provider).issued == 0
    with store.transaction() as s:
        t = ledger.totals(s, iid)
        assert t["by_status"]["issued"]["count"] == 25 and t["money_issued"] == 500 and t["customers_compensated"] == 25
        entry = s.scalar(select(Compensation).where(Compensation.incident_id == iid).limit(1))
        with pytest.raises(InputError):
            ledger.reverse(s, as_(ctx, "wangfang"), entry.id, "issued in error", provider)
        ledger.reverse(s, as_(ctx, "liuyang"), entry.id, "issued in error", provider)
        assert entry.status == "reversed"
        # A retried reversal (the first commit failed, say) tells the provider once.
        ExportFileProvider(tmp_path / "comp").reverse(entry.idempotency_key, "issued in error")
        lines = (tmp_path / "comp" / "issued.jsonl").read_text(encoding="utf-8").splitlines()
        assert sum(json.loads(line)["action"] == "reverse" for line in lines) == 1
    with store.transaction() as s:
        assert ledger.totals(s, iid)["money_issued"] == 480


def test_money_is_exact_where_floats_are_a_cent_off(store, ctx, tmp_path):
    """Decimal to the cent, half up (四舍五入), everywhere money is counted:
    each case below is one binary floating point gets wrong."""
    # 1. A formula: half of 5.35 is 2.675, which is 2.68 half up. As floats,
    #    5.35 * 0.5 is 2.67499999… and rounds to 2.67: a cent short.
    assert round(5.35 * 0.5, 2) == 2.67
    iid = declare(store, ctx)
    seed_customers(store, ctx, iid, [{"customer_ref": "F1", "amount": "5.35"}, {"customer_ref": "F2", "amount": 10.05}])
    pctx = as_(
        with_policies(ctx, CompensationPolicy(name="half", form="coupon", formula="amount_at_stake * 0.5")), "zhangwei"
    )
    with store.transaction() as s:
        ledger.propose_by_policy(s, pctx, iid)
    with store.read() as s:
        got = {c.customer_ref: e.amount for e, c in ledger.list_entries(s, iid)}
    assert got == {"F1": Decimal("2.68"), "F2": Decimal("5.03")}  # 5.025 → 5.03 (floats: 5.02)
    assert all(isinstance(v, Decimal) and v.as_tuple().exponent == -2 for v in got.values())

    # 2. A cap met to the cent: a declared value of 0.30 takes 0.10 + 0.20
    #    (as floats 0.30000000000000004, over it), and not a cent more.
    iid = declare(store, ctx, title="保价")
    seed_customers(store, ctx, iid, [{"customer_ref": "V", "declared_value": "0.30"}])
    lead = as_(ctx, "zhangwei")
    with store.transaction() as s:
        ledger.propose(s, lead, iid, "V", "refund", "0.10")
        ledger.propose(s, lead, iid, "V", "gift", 0.2)
    with store.transaction() as s:
        with pytest.raises(InputError) as over:
            ledger.propose(s, lead, iid, "V", "coupon", "0.01")
    assert (over.value.key, over.value.params["already"], over.value.params["room"]) == (
        "comp.error.over_cap",
        "0.30",
        "0.00",
    )
    with store.transaction() as s:
        with pytest.raises(InputError) as fine:
            ledger.propose(s, lead, iid, "V", "coupon", "0.005")  # finer than a cent: refused, not rounded
    assert fine.value.key == "comp.error.not_amount" and "0.005" in fine.value.message("en")

    # 3. A budget met exactly: coupons of 0.10 and 0.20 are 0.30, not over a
    #    0.30 budget (floats: 0.30000000000000004, a false alarm); a cent more passes it.
    assert 0.1 + 0.2 > 0.3
    iid = declare(store, ctx, title="预算")
    seed_customers(store, ctx, iid, [{"customer_ref": f"B{i}"} for i in range(3)])
    bctx = as_(with_policies(ctx, budget_yuan=Decimal("0.30")), "zhangwei")
    for ref, amount in (("B0", "0.10"), ("B1", "0.20")):
        with store.transaction() as s:
            ledger.propose(s, bctx, iid, ref, "coupon", amount)

    def alerts():
        with store.read() as s:
            return [
                e.data
                for e in s.scalars(
                    select(TimelineEvent).where(TimelineEvent.incident_id == iid, TimelineEvent.type == "budget_passed")
                )
            ]

    assert alerts() == []
    with store.read() as s:
        t = ledger.totals(s, iid)
        assert t["money_committed"] == Decimal("0.30") and t["by_status"]["approved"]["yuan"] == Decimal("0.30")
    with store.transaction() as s:
        ledger.propose(s, bctx, iid, "B2", "coupon", "0.01")
    assert alerts() == [{"committed": "0.31", "budget": "0.30"}]

    # 4. What the provider is given: strings with two places, never floats.
    provider = ExportFileProvider(tmp_path / "comp")
    issuing.issue_due(store, ctx, provider, incident_id=iid)
    lines = [json.loads(line) for line in (tmp_path / "comp" / "issued.jsonl").read_text("utf-8").splitlines()]
    assert sorted(x["amount"] for x in lines) == ["0.01", "0.10", "0.20"]
    with store.read() as s:
        assert ledger.totals(s, iid)["money_issued"] == Decimal("0.31")

    # 5. Many amounts summed: a thousand entries of 0.07 (as floats, a running
    #    sum drifts) total exactly 70.00 on every backend (money_sum).
    iid = declare(store, ctx, title="合计")
    seed_customers(store, ctx, iid, [{"customer_ref": f"S{i:04d}"} for i in range(1000)])
    sctx = as_(with_policies(ctx, CompensationPolicy(name="all", form="coupon", amount="0.07")), "zhangwei")
    with store.transaction() as s:
        assert ledger.propose_by_policy(s, sctx, iid).proposed == 1000
    running = 0.0
    for _ in range(1000):
        running += 0.07
    assert running != 70.0
    with store.read() as s:
        assert ledger.totals(s, iid)["money_committed"] == Decimal("70.00")


def test_compensation_config_amounts_are_exact_and_bad_ones_named(tmp_path):
    path = tmp_path / "incident.toml"
    path.write_text(
        '[compensation]\nbudget_yuan = "1,000.10"\napproval_thresholds = { yuan = 99.99, points = 5000, days = 30 }\n'
        "[compensation.caps]\nuninsured = 0.3\n",
        encoding="utf-8",
    )
    comp = load_config(path).compensation
    assert comp.budget_yuan == Decimal("1000.10") and comp.caps.uninsured == Decimal("0.30")
    assert comp.approval_thresholds["yuan"] == Decimal("99.99") and comp.caps.declared_value == Decimal("10000.00")
    for bad in ('"lots"', "12.345", '"nan"'):
        path.write_text(f"[compensation]\nbudget_yuan = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            load_config(path)
        value = bad.strip('"')
        assert "compensation.budget_yuan" in err.value.message("en") and f"'{value}'" in err.value.message("en")
        assert f"「{value}」" in err.value.message("zh-CN") and "精确到分" in err.value.message("zh-CN")


class FlakyProvider(ExportFileProvider):
    def __init__(self, directory, refuse):
        super().__init__(directory)
        self.refuse = refuse

    def issue(self, items):
        from incident.adapters.compensation import IssueResult

        good = [i for i in items if i.customer_ref not in self.refuse]
        results = {r.key: r for r in super().issue(good)}
        return [results.get(i.key) or IssueResult(i.key, False, error="account closed", permanent=True) for i in items]


def test_provider_refusal_fails_that_entry_only(store, ctx, tmp_path):
    iid = declare(store, ctx)
    seed_customers(store, ctx, iid, [{"customer_ref": r} for r in ("A", "B", "C")])
    with store.transaction() as s:
        for r in ("A", "B", "C"):
            ledger.propose(s, as_(ctx, "zhangwei"), iid, r, "points", 100)
    report = issuing.issue_due(store, ctx, FlakyProvider(tmp_path / "c", {"B"}))
    assert (report.issued, report.failed) == (2, 1)
    with store.transaction() as s:
        got = {c.customer_ref: e.status for e, c in ledger.list_entries(s, iid)}
    assert got == {"A": "issued", "B": "failed", "C": "issued"}


# ---------------------------------------------------------------- callbacks --


def test_callbacks_deadlines_balance_and_working_hours(store, ctx):
    iid = declare(store, ctx)
    seed_customers(store, ctx, iid, [{"customer_ref": f"R{i}", "amount": 900 if i == 0 else 50} for i in range(7)])
    with store.transaction() as s:
        report = callbacks.sweep(s, ctx)
    assert report.created == 7 and report.assigned == 7
    assert (
        set(report.by_agent) == {"wangfang", "zhoumin"}
        and max(report.by_agent.values()) - min(report.by_agent.values()) <= 1
    )
    with store.transaction() as s:
        rows = list(s.scalars(select(Callback).where(Callback.incident_id == iid).order_by(Callback.id)))
        now = ctx.clock.now()
        assert rows[0].complex and rows[0].due_at == now + dt.timedelta(hours=48)  # 900 at stake: complex
        assert all(r.due_at == now + dt.timedelta(hours=24) for r in rows[1:])  # unfinished business: 24 h
        assert all(r.reason == "unfinished" for r in rows)
    with store.transaction() as s:
        assert callbacks.sweep(s, ctx).created == 0  # idempotent
    # Resolution: the unfinished calls give way to the result, due within the hour.
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "resolved")
    with store.transaction() as s:
        by_reason = dict(
            s.execute(
                select(Callback.reason, func.count())
                .where(Callback.incident_id == iid, Callback.status == "open")
                .group_by(Callback.reason)
            ).all()
        )
        assert by_reason == {"result": 7}
        result = s.scalar(select(Callback).where(Callback.reason == "result").limit(1))
        assert result.due_at == ctx.clock.now() + dt.timedelta(minutes=60)
    # Working hours: created at 20:00 Shanghai, the call is placed at 09:00 next morning.
    late = dataclasses.replace(
        ctx, clock=type(ctx.clock)(dt.datetime(2026, 11, 24, 20, 0, tzinfo=SH).astimezone(dt.timezone.utc))
    )
    assert callbacks.work_moment(late.config, late.clock.now()) == dt.datetime(2026, 11, 25, 9, 0, tzinfo=SH)
    weekdays = late.config.model_copy(
        update={"callbacks": late.config.callbacks.model_copy(update={"work_days": [1, 2, 3, 4, 5]})}
    )
    friday_evening = dt.datetime(2026, 11, 27, 19, 0, tzinfo=SH)
    assert callbacks.next_work_day(weekdays, friday_evening) == dt.datetime(2026, 11, 30, 9, 0, tzinfo=SH)


def test_attempts_retry_follow_up_and_overdue_escalation(store, ctx):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    seed_customers(
        store,
        ctx,
        iid,
        [
            {"customer_ref": "X1", "name": "张三", "title": "先生", "contact": "13812345678"},
            {"customer_ref": "X2", "name": "李娜", "title": "女士"},
            {"customer_ref": "X3"},
        ],
    )
    with store.transaction() as s:
        ledger.propose(s, as_(ctx, "zhangwei"), iid, "X1", "coupon", 50)
        callbacks.sweep(s, ctx)
        ids = {
            c.customer_ref: cb.id
            for cb, c in s.execute(
                select(Callback, AffectedCustomer).join(AffectedCustomer, AffectedCustomer.id == Callback.customer_id)
            )
        }
    with store.transaction() as s:
        text, findings = callbacks.script(s, ctx.config, s.get(Callback, ids["X1"]))
        assert text.startswith("张先生，您好！") and "50 元优惠券" in text and "APP 登录失败" in text
        assert not [f for f in findings if f.severity == "error"]
    agent = as_(ctx, "wangfang")
    # No answer twice: the next try is the next working day; the third ends it.
    for n in range(3):
        with store.transaction() as s:
            cb, _ = callbacks.record_attempt(s, agent, ids["X2"], "no_answer")
            if n < 2:
                assert cb.status == "open" and cb.call_at.astimezone(SH).hour == 9 and cb.call_at > ctx.clock.now()
            else:
                assert cb.status == "unreached"
    with store.transaction() as s:
        with pytest.raises(InputError):
            callbacks.record_attempt(s, agent, ids["X1"], "reached", satisfaction=6)
        with pytest.raises(InputError):
            callbacks.record_attempt(s, agent, ids["X1"], "no_answer", satisfaction=3)
    with store.transaction() as s:
        cb, follow = callbacks.record_attempt(s, agent, ids["X1"], "reached", satisfaction=4, new_demand="希望补发快件")
        assert cb.status == "done" and follow is not None and follow.reason == "follow_up"
        assert follow.assignee != "wangfang" and follow.note == "希望补发快件"
    with store.transaction() as s:
        with pytest.raises(ConflictError):
            callbacks.record_attempt(s, agent, ids["X1"], "reached", satisfaction=5)
    # X3 is never called: past its 24 h it escalates to the supervisor, once.
    ctx.clock.advance(hours=25)
    with store.transaction() as s:
        first = callbacks.sweep(s, ctx)
    with store.transaction() as s:
        second = callbacks.sweep(s, ctx)
        notes = list(s.scalars(select(OutboxMessage).where(OutboxMessage.message_key == "notify.callbacks_overdue")))
    assert first.escalated == 2 and second.escalated == 0  # X3 and the follow-up (due in 24 h)
    assert [n.recipient for n in notes] == ["chenjing"]
    with store.transaction() as s:
        rep = reports.incident_report(s, ctx, iid)
    assert rep["affected"] == 3 and rep["callbacks"]["done"] == 1 and rep["callbacks"]["unreached"] == 1
    assert rep["callbacks"]["overdue"] == 2 and rep["satisfaction"]["distribution"]["4"] == 1


def test_daily_report_markdown_and_html(store, ctx, tmp_path):
    iid = declare(store, ctx)
    seed_customers(store, ctx, iid, [{"customer_ref": f"D{i}"} for i in range(4)])
    with store.transaction() as s:
        callbacks.sweep(s, ctx)
        ids = list(s.scalars(select(Callback.id).order_by(Callback.id)))
    for cid, score in zip(ids[:3], (5, 4, 2), strict=True):
        with store.transaction() as s:
            callbacks.record_attempt(s, as_(ctx, "wangfang"), cid, "reached", satisfaction=score)
    day = ctx.clock.now().astimezone(SH).date()
    with store.transaction() as s:
        data, md, html = reports.write_daily(s, ctx, day, tmp_path / "reports")
    assert data["satisfaction"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert data["satisfaction"]["mean"] == 3.67
    body = md.read_text(encoding="utf-8")
    assert "日报" in body and "满意度" in body and "| 0 | 1 | 0 | 1 | 1 | 3 | 3.67 |" in body
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    en_md, en_html = reports.render_daily(data, "en", "<East & China>")
    assert "Satisfaction" in en_md and "&lt;East &amp; China&gt;" in en_html


def test_callback_scripts_name_the_centre_in_english_and_the_eta_with_its_year(store, ctx):
    # Issue 22 point 6: an English call with no approved sheet yet said 「华东客服中心」.
    iid = declare(store, ctx)
    seed_customers(store, ctx, iid, [{"customer_ref": "E1", "name": "Emily Lee", "title": "女士", "lang": "en"}])
    with store.transaction() as s:
        callbacks.sweep(s, ctx)
        cb = s.scalars(select(Callback).where(Callback.incident_id == iid)).one()
        text, _ = callbacks.script(s, ctx.config, cb, now=ctx.clock.now())
        assert "East China Customer Service" in text and "华东" not in text
        cb_id = cb.id
    # With an approved sheet whose ETA is next year, the year is said.
    eta = dt.datetime(2027, 1, 1, 10, 0, tzinfo=SH)
    approved_sheet(store, ctx, iid, {**FULL, "eta": eta})
    with store.transaction() as s:
        text, _ = callbacks.script(s, ctx.config, s.get(Callback, cb_id), now=ctx.clock.now())
    assert "1 Jan 2027" in text, text
