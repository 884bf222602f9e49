"""The remedy half's command line end to end — ``customers``, ``comp``,
``callbacks``, ``report`` — through the installed ``incident`` console
script, on SQLite and (in CI) PostgreSQL. The CLI runs on the real clock."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, incident_now

SCRIPT = Path(sys.executable).with_name("incident")

# This test's own policy and callback hours replace the example's: the
# amounts below are what the assertions count on, and calls are placed at
# any hour so that "due now" holds whenever the tests run.
OVERRIDES = """
[[compensation.policies]]
name = "outage-coupon"
kinds = ["system_outage"]
form = "coupon"
formula = "min(amount_at_stake * 0.5, 300)"

[callbacks]
work_start = 00:00:00
work_end = 23:59:59
"""

# GBK, Chinese headers; line 4 is bad (the amount), the others are good.
CSV = """客户编号,姓名,称谓,电话,运单号,涉及金额,保险
C001,张三,先生,138 1234 5678,SF001,120,否
C002,李娜,女士,13900001111,SF002,400,否
C003,王五,先生,13700002222,SF003,abc,否
C004,赵六,先生,13600003333,SF004,1000,
"""


def remedy_config(tmp_path: Path) -> Path:
    """examples/incident.toml without its policies and [callbacks], plus OVERRIDES."""
    kept, skip = [], False
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        head = line.split("#", 1)[0].strip()
        if head.startswith("["):
            skip = head in ("[[compensation.policies]]", "[callbacks]")
        if not skip:
            kept.append(line)
    path = tmp_path / "incident.toml"
    path.write_text("\n".join(kept) + "\n" + OVERRIDES, encoding="utf-8")
    return path


@pytest.fixture
def cli(db_url, tmp_path):
    assert SCRIPT.exists(), f"console script not installed at {SCRIPT}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(remedy_config(tmp_path)),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_ACTOR="chenjing",
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),
    )  # conftest's NOW, advancing with real time
    env.pop("TTY_COMPATIBLE", None)
    env.pop("FORCE_COLOR", None)

    def run(*args, ok=True, lang="zh-CN", who=None, tty=False):
        argv = [str(SCRIPT), "--lang", lang, *(("--as", who) if who else ()), *args]
        # TTY_COMPATIBLE: rich treats stderr as a terminal, so the progress bars show.
        proc = subprocess.run(
            argv, env={**env, "TTY_COMPATIBLE": "1"} if tty else env, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    return run


def one_line_error(proc):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line, line
    return line


def test_import_propose_approve_issue_reverse_and_list(cli, tmp_path):
    declared = cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败").stdout
    assert "下一步：incident show 1" in declared  # the colon is Chinese in Chinese
    path = tmp_path / "affected.csv"
    path.write_bytes(CSV.encode("gbk"))

    # Import: the bad row is named by its line; the good rows are kept and,
    # as for complaints, the command fails only when nothing went in.
    first = cli("customers", "import", "1", str(path))
    assert "读取 4 行：新增 3 位客户，未导入 1 行" in first.stdout
    assert "第 4 行：「涉及金额」应为非负数字（收到「abc」）" in first.stdout  # the column as the header names it
    assert "已安排回访 3 个，已分配 3 个" in first.stdout  # the callbacks exist right away
    again = cli("customers", "import", "INC-1", str(path), lang="en")
    assert "read 4 rows: 0 customers added, 3 already on the list, 1 rows refused" in again.stdout
    assert "line 4: '涉及金额' must be a number ≥ 0 (got 'abc')" in again.stdout
    as_json = json.loads(cli("customers", "import", "1", str(path), "--json").stdout)
    assert as_json["duplicates"] == 3 and as_json["errors"][0]["line"] == 4
    only_bad = tmp_path / "bad.jsonl"
    only_bad.write_text('{"name": "无编号"}\n{broken\n', encoding="utf-8")
    nothing = cli("customers", "import", "1", str(only_bad), ok=False, lang="en")
    assert nothing.returncode == 1 and "line 1: the required field 'customer_ref' is missing" in nothing.stdout
    assert "line 2: not valid JSON" in nothing.stdout

    added = cli(
        "customers",
        "add",
        "1",
        "--ref",
        "C005",
        "--name",
        "Emily",
        "--title",
        "女士",
        "--contact",
        "13512345678",
        "--in",
        "en",
        "--amount",
        "50",
        lang="en",
    ).stdout
    assert "customer C005 added to INC-1 (contact ****5678)" in added and "1 callbacks scheduled, 1 assigned" in added
    dup = one_line_error(cli("customers", "add", "1", "--ref", "C001", ok=False, lang="en"))
    assert "customer 'C001' is already affected by INC-1" in dup
    listed = cli("customers", "list", "1", "--json").stdout
    rows = {c["customer_ref"]: c for c in json.loads(listed)}
    assert sorted(rows) == ["C001", "C002", "C004", "C005"]
    assert (
        rows["C001"]["contact"] == "****5678"
        and rows["C005"]["lang"] == "en"
        and rows["C004"]["amount_at_stake"] == "1000.00"
    )
    assert "13812345678" not in listed and "1234 5678" not in listed  # masked on intake
    table = cli("customers", "list", "1", "--limit", "2").stdout
    assert "INC-1 受影响客户共 4 位" in table and "张三 先生" in table and "仅显示前 2 条，共 4 条" in table

    missing = one_line_error(cli("customers", "import", "1", str(tmp_path / "none.csv"), ok=False, lang="en"))
    assert "no such file" in missing
    mixed = one_line_error(cli("comp", "propose", "1", "--policy", "--customer", "C001", ok=False, lang="en"))
    assert "use --policy, or give --customer, --form and --amount together" in mixed

    # By policy (min(amount * 0.5, 300) as a coupon): C001 60 and C005 25 under the
    # 100 yuan threshold, C002 200 awaits a supervisor, C004 300 is over the uninsured cap.
    proposed = cli("comp", "propose", "1", "--policy", lang="en", tty=True)
    assert (
        "3 proposed (1 awaiting approval, 2 approved by policy); 0 already there; 0 ineligible; 1 refused"
        in proposed.stdout
    )
    assert "customer C004: 300.00 yuan for customer 'C004' is over the uninsured cap of 200.00 yuan" in proposed.stdout
    assert "proposing by policy" in proposed.stderr and "4/4" in proposed.stderr  # the progress bar
    repeat = cli("comp", "propose", "1", "--policy", "--json").stdout
    assert json.loads(repeat)["existing"] == 3 and json.loads(repeat)["proposed"] == 0

    by_hand = json.loads(
        cli(
            "comp",
            "propose",
            "1",
            "--customer",
            "C005",
            "--form",
            "refund",
            "--amount",
            "150",
            "--reason",
            "延误致歉",
            "--json",
        ).stdout
    )
    assert (by_hand["status"], by_hand["amount"], by_hand["proposed_by"]) == ("proposed", "150.00", "chenjing")
    shown = cli("comp", "propose", "1", "--customer", "C001", "--form", "points", "--amount", "6000").stdout
    assert "积分 6,000 分" in shown and "需另一位主管审批" in shown
    points_id = int(re.search(r"#(\d+)", shown).group(1))

    entries = json.loads(cli("comp", "list", "--incident", "1", "--json").stdout)["entries"]
    c002 = next(e for e in entries if e["customer_ref"] == "C002")
    # Four eyes: chenjing is a supervisor, but proposed it.
    own = one_line_error(cli("comp", "approve", str(c002["id"]), ok=False, lang="en"))
    assert "you cannot approve your own proposals (four eyes)" in own and f"#{c002['id']}" in own
    assert "四眼原则" in one_line_error(cli("comp", "approve", str(c002["id"]), ok=False))
    agent = one_line_error(cli("comp", "approve", str(c002["id"]), ok=False, who="wangfang", lang="en"))
    assert "wangfang is not a supervisor" in agent
    left = cli("comp", "approve", "--incident", "1", lang="en").stdout  # chenjing: only her own are waiting
    assert "nothing to approve" in left and "3 more are your own proposals" in left
    rejected = cli("comp", "reject", f"#{points_id}", "--reason", "积分不适用", who="sunli").stdout
    assert f"补偿 #{points_id} 已驳回：积分不适用" in rejected
    approved = cli("comp", "approve", "--incident", "INC-1", who="liuyang", lang="en").stdout
    assert "2 compensation entries approved" in approved  # C002 and the refund

    issued = cli("comp", "issue", "--incident", "1", lang="en", tty=True)
    assert "issued 4, failed 0, retrying 0 (1 batches)" in issued.stdout
    assert "issuing compensation" in issued.stderr and "4/4" in issued.stderr
    export = tmp_path / "data" / "compensation" / "issued.jsonl"
    keys = [json.loads(line)["key"] for line in export.read_text("utf-8").splitlines()]
    assert sorted(keys) == ["INC-1/C001/coupon", "INC-1/C002/coupon", "INC-1/C005/coupon", "INC-1/C005/refund"]
    assert "nothing approved is waiting to be issued" in cli("comp", "issue", lang="en").stdout

    text = cli("comp", "list", "--incident", "1", lang="en").stdout
    assert (
        "INC-1 compensation totals" in text and "issued: 4 (435.00 yuan)" in text and "failed: 1 (6,000 points)" in text
    )
    assert "435.00 yuan committed, 435.00 yuan issued, 3 customers compensated" in text
    failed = json.loads(cli("comp", "list", "--status", "failed", "--json").stdout)["entries"]
    assert [(e["id"], e["last_error"]) for e in failed] == [(points_id, "rejected by sunli: 积分不适用")]
    assert "unknown compensation status 'sent'" in one_line_error(
        cli("comp", "list", "--status", "sent", ok=False, lang="en")
    )

    reversed_ = cli("comp", "reverse", str(by_hand["id"]), "--reason", "重复退款", who="liuyang").stdout
    assert f"补偿 #{by_hand['id']} 已冲回（150.00 元）：重复退款" in reversed_
    last = json.loads(export.read_text("utf-8").splitlines()[-1])
    assert (last["action"], last["key"]) == ("reverse", "INC-1/C005/refund")
    totals = json.loads(cli("comp", "list", "--incident", "1", "--json").stdout)["totals"]
    assert totals["money_issued"] == "285.00" and totals["by_status"]["reversed"]["count"] == 1


def test_import_refuses_a_line_without_commas_by_its_line_and_names_columns_as_typed(cli, tmp_path):
    """Issue 23's trial: a pasted line without commas was stored as a customer."""
    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败")
    trial = tmp_path / "trial.csv"
    trial.write_text(
        "customer_ref,name,amount,contact\nC006,韩梅梅,50,13900001111\nbad line without commas\nC007,李雷,x,\n",
        encoding="utf-8",
    )
    first = cli("customers", "import", "1", str(trial), lang="en").stdout
    assert "read 3 rows: 1 customers added, 2 rows refused" in first
    assert "line 3: this row has only 1 cells where the header has 4: are commas missing? Not imported" in first
    assert "line 4: 'amount' must be a number ≥ 0 (got 'x')" in first
    assert "1 callbacks scheduled" in first  # nobody is called for the bad line
    again = cli("customers", "import", "1", str(trial)).stdout
    assert "读取 3 行：新增 0 位客户，1 位已在名单中，未导入 2 行" in again
    assert "第 4 行：「amount」应为非负数字（收到「x」）" in again
    listed = json.loads(cli("customers", "list", "1", "--json").stdout)
    assert [c["customer_ref"] for c in listed] == ["C006"]


def test_callbacks_sweep_due_mine_record_and_reports(cli, tmp_path):
    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败")
    path = tmp_path / "affected.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in (
                {"customer_ref": "C001", "name": "张三", "title": "先生", "contact": "13812345678"},
                {"customer_ref": "C002", "name": "李娜", "title": "女士", "contact": "13900001111"},
                {"customer_ref": "C003", "name": "王五", "title": "先生", "contact": "13700002222"},
            )
        )
        + "\n",
        encoding="utf-8",
    )
    assert "已安排回访 3 个，已分配 3 个" in cli("customers", "import", "1", str(path)).stdout
    cli("comp", "propose", "1", "--customer", "C001", "--form", "coupon", "--amount", "50")  # approved by policy

    swept = cli("callbacks", "sweep", lang="en").stdout
    assert "callback sweep: 0 created, 0 cancelled, 0 assigned, 0 escalated" in swept  # the import did it all

    due = json.loads(cli("callbacks", "due", "--incident", "1", "--json").stdout)
    assert sorted(d["customer_ref"] for d in due) == ["C001", "C002", "C003"]
    assert {d["assignee"] for d in due} == {"wangfang", "zhoumin"} and {d["reason"] for d in due} == {"unfinished"}
    assert {d["contact"] for d in due} == {"****5678", "****1111", "****2222"} and not any(d["overdue"] for d in due)
    by_ref = {d["customer_ref"]: d for d in due}
    agent = by_ref["C001"]["assignee"]
    other = ({"wangfang", "zhoumin"} - {agent}).pop()
    mine = json.loads(cli("callbacks", "due", "--agent", "王芳", "--json").stdout)
    assert {d["assignee"] for d in mine} == {"wangfang"}
    assert "nobody called 'nobody' in the roster" in one_line_error(
        cli("callbacks", "due", "--agent", "nobody", ok=False, lang="en")
    )

    cb1 = by_ref["C001"]["id"]
    today = cli("callbacks", "mine", who=agent).stdout
    assert f"#{cb1} · INC-1 · 未办结回访 · C001 张三 先生 ****5678" in today
    assert "张先生，您好！" in today and "50 元优惠券" in today
    assert "has no callbacks due" in cli("callbacks", "mine", who="liuyang", lang="en").stdout

    shown = cli("callbacks", "show", str(cb1), lang="en").stdout
    assert f"callback #{cb1} · INC-1 · unfinished business · open" in shown
    assert "****5678" in shown and "Script:" in shown and "张先生，您好！" in shown

    recorded = cli(
        "callbacks",
        "record",
        str(cb1),
        "reached",
        "--satisfaction",
        "4",
        "--demand",
        "希望补发快件",
        "--note",
        "客户已谅解",
        who=agent,
    ).stdout
    assert f"回访 #{cb1}：已接通 → 已完成" in recorded
    follow = re.search(r"新诉求已转 (\S+) \((\w+)\) 跟进：回访 #(\d+)", recorded)
    assert follow and follow.group(2) == other  # another agent follows the new demand up
    closed = one_line_error(cli("callbacks", "record", str(cb1), "reached", ok=False, lang="en"))
    assert f"callback #{cb1} is done; nothing more can be recorded" in closed
    bad = one_line_error(
        cli("callbacks", "record", str(by_ref["C002"]["id"]), "reached", "--satisfaction", "9", ok=False)
    )
    assert "满意度应为 1–5" in bad
    no_answer = cli("callbacks", "record", str(by_ref["C002"]["id"]), "未接", lang="en").stdout
    assert "no answer → open" in no_answer and "next try:" in no_answer and "(1 attempts so far)" in no_answer
    history = json.loads(cli("callbacks", "show", str(cb1), "--json").stdout)
    assert history["satisfaction"] == 4 and history["new_demand"] == "希望补发快件"
    assert [(a["agent"], a["result"], a["note"]) for a in history["attempts"]] == [(agent, "reached", "客户已谅解")]

    # Resolution: the result calls replace the open unfinished ones, scheduled
    # and assigned by the status change itself (due within the hour); the
    # sweep finds nothing left to do.
    cli("status", "1", "resolved")
    swept = json.loads(cli("callbacks", "sweep", "--json").stdout)
    assert swept["assigned"] == 0 and swept["created"] == 0
    text = cli("callbacks", "due", "--incident", "1").stdout
    assert "结果回访" in text and "新诉求跟进" in text and "未办结回访" not in text
    results = {
        d["customer_ref"]: d for d in json.loads(cli("callbacks", "due", "--json").stdout) if d["reason"] == "result"
    }
    assert sorted(results) == ["C001", "C002", "C003"]
    cli(
        "callbacks",
        "record",
        str(results["C002"]["id"]),
        "reached",
        "--satisfaction",
        "5",
        who=results["C002"]["assignee"],
    )
    cli("callbacks", "record", str(results["C003"]["id"]), "wrong_number", who=results["C003"]["assignee"])
    cli("comp", "issue")

    report = json.loads(cli("report", "incident", "INC-1", "--json").stdout)
    assert report["affected"] == 3 and report["affected_by_source"] == {"import": 3}
    assert report["compensation"]["customers_compensated"] == 1 and report["compensation"]["money_issued"] == "50.00"
    assert (
        report["callbacks"]["done"] == 2
        and report["callbacks"]["unreached"] == 1
        and report["callbacks"]["overdue"] == 0
    )
    assert report["satisfaction"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert report["satisfaction"]["mean"] == 4.5
    text = cli("report", "incident", "1", lang="en").stdout
    assert 'INC-1 "APP 登录失败" · system outage · SEV2 · resolved' in text
    assert "Affected customers: 3 (import 3)" in text
    assert "1 customers compensated; 50.00 yuan committed, 50.00 yuan issued" in text
    assert "4★ 1 · 5★ 1; 2 answers, mean 4.5, satisfied (4–5) 100.0%" in text

    out_dir = tmp_path / "reports"
    daily = cli("report", "daily", "--out", str(out_dir)).stdout
    md, html = sorted(out_dir.glob("daily-*.md")), sorted(out_dir.glob("daily-*.html"))
    assert len(md) == 1 and len(html) == 1
    assert str(md[0]) in daily and str(html[0]) in daily and "日报已写入" in daily
    assert "满意度：评价 2 个，均分 4.5" in daily and "事件：新发 1，已解决 1" in daily
    assert "日报" in md[0].read_text("utf-8") and html[0].read_text("utf-8").startswith("<!doctype html>")
    default = cli("report", "daily", "--date", "2026-11-20", lang="en").stdout
    assert (tmp_path / "data" / "reports" / "daily-2026-11-20.md").exists()
    assert (
        "Daily report for 2026-11-20 written" in default and "callbacks due 0, handled 0 (handling rate —)" in default
    )
    bad_day = one_line_error(cli("report", "daily", "--date", "2026-13-01", ok=False, lang="en"))
    assert "cannot read the date '2026-13-01'" in bad_day


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "zh-CN",
            {
                "customers": ["受影响客户", "incident customers import 12 affected.csv"],
                "comp": ["补偿台账", "四眼原则", "incident comp propose 12 --policy"],
                "callbacks": ["回访", "incident --as wangfang callbacks mine"],
                "report": ["日报", "incident report incident 12"],
            },
        ),
        (
            "en",
            {
                "customers": ["Affected customers", "incident customers import 12 affected.csv"],
                "comp": ["compensation ledger", "four eyes", "incident comp propose 12 --policy"],
                "callbacks": ["Callbacks", "incident --as wangfang callbacks mine"],
                "report": ["daily report", "incident report incident 12"],
            },
        ),
    ],
)
def test_help_teaches_in_both_languages(lang, words, monkeypatch, tmp_path):
    # In process through typer's runner (dozens of --help pages): the app is
    # built for one language, as `incident` does after reading --lang.
    from typer.testing import CliRunner

    from incident.cli.app import build_app

    for key in [k for k in os.environ if k.startswith("INCIDENT_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("INCIDENT_CONFIG", str(EXAMPLE))
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    app, runner = build_app(lang), CliRunner()

    def helps(*args):
        res = runner.invoke(app, ["--lang", lang, *args, "--help"])
        assert res.exit_code == 0, res.output
        return res.output

    commands = {
        "customers": ["import", "add", "link", "list"],
        "comp": ["propose", "approve", "reject", "reverse", "issue", "list"],
        "callbacks": ["sweep", "due", "mine", "show", "record"],
        "report": ["incident", "daily"],
    }
    example = "示例" if lang == "zh-CN" else "Example"
    top = helps()
    for group, expected in words.items():
        assert re.search(rf"^\s+{group}\s+\S", top, re.M), group
        text = helps(group)
        for w in expected:
            assert w in text, (group, w)
        for sub in commands[group]:
            assert re.search(rf"^\s+{sub}\s+\S", text, re.M), (group, sub)
            page = helps(group, sub)
            assert example in page and f"incident {group} {sub}" in re.sub(r"--as \w+ ", "", page), (group, sub)
    record = helps("callbacks", "record")
    assert all(r in record for r in ("reached", "no_answer", "wrong_number", "refused"))
    imported = helps("customers", "import")
    assert "customer_ref/客户编号" in imported and "contact/电话" in imported
