"""The CLI end to end through the installed ``incident`` console script, on
SQLite and (in CI) PostgreSQL."""

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import EXAMPLE, incident_now

from incident.adapters.slack import verify
from incident.errors import InputError
from incident.timeutil import Clock, FixedClock, ShiftedClock, clock_from_setting

SCRIPT = Path(sys.executable).with_name("incident")


@pytest.fixture
def cli(db_url, tmp_path):
    assert SCRIPT.exists(), f"console script not installed at {SCRIPT}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_ACTOR="oncall-lead",
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),
    )  # zhangwei's week

    def run(*args, ok=True, lang="zh-CN", **extra):
        proc = subprocess.run(
            [str(SCRIPT), "--lang", lang, *args], env={**env, **extra}, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    return run


def test_declare_show_and_refused_close(cli):
    out = cli("declare", "--kind", "system_outage", "--severity", "2", "--title", "APP 登录失败").stdout
    assert "INC-1" in out and "APP 登录失败" in out
    show = cli("show", "1").stdout
    for text in ("专项小组", "事件负责人", "张伟", "技术对接人", "赵磊", "时间线", "宣布事件", "待确认"):
        assert text in show, text
    refused = cli("status", "1", "closed", ok=False)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    line = refused.stderr.strip()
    assert "\n" not in line and "已宣布" in line and "已关闭" in line
    en = cli("status", "1", "closed", ok=False, lang="en").stderr
    assert "cannot go from declared to closed" in en


def test_run_an_incident_through(cli):
    cli(
        "declare",
        "-k",
        "public_opinion",
        "-s",
        "SEV1",
        "-t",
        "微博热搜：配送延误",
        "--region",
        "华东,华南",
        "--channel",
        "social",
        "--summary",
        "大量用户反映配送延误",
    )
    cli("ack", "INC-1", "lead")
    again = cli("ack", "1", "lead").stdout
    assert "无需重复" in again
    cli("assign", "1", "comms", "sunli")
    cli("note", "1", "已联系物流供应商")
    cli("status", "1", "investigating", "--note", "技术已介入")
    cli("update", "1", "--impact", "华东约 3 万单")
    data = json.loads(cli("show", "1", "--json").stdout)
    assert data["status"] == "investigating" and data["severity"] == 1
    assert data["scope"]["regions"] == ["华东", "华南"]
    active = {g["role"]: g for g in data["group"] if g["ended_at"] is None}
    assert active["incident_lead"]["acked_by"] == "oncall-lead"
    assert active["comms_lead"]["person"] == "sunli"
    assert "legal_liaison" in active  # SEV1 public opinion calls legal in
    types = [e["type"] for e in data["timeline"]]
    for t in ("declared", "role_assigned", "acknowledged", "note", "status_changed", "updated"):
        assert t in types
    assert all(e["actor"] for e in data["timeline"])


def test_list_filters_and_json(cli):
    cli("declare", "-k", "system_outage", "-s", "1", "-t", "支付失败")
    cli("declare", "-k", "batch_complaint", "-s", "3", "-t", "网点投诉集中")
    cli("declare", "-k", "system_outage", "-s", "4", "-t", "短信延迟")
    cli("status", "3", "resolved")
    rows = json.loads(cli("list", "--json").stdout)
    assert [r["id"] for r in rows] == [2, 1]
    rows = json.loads(cli("list", "--all", "--kind", "system_outage", "--json").stdout)
    assert [r["id"] for r in rows] == [3, 1]
    rows = json.loads(cli("list", "--severity", "1", "--severity", "SEV3", "--json").stdout)
    assert {r["id"] for r in rows} == {1, 2}
    table = cli("list", "--all", "--limit", "2", lang="en").stdout
    assert "Showing 2 of 3" in table


@pytest.mark.parametrize(
    "args,needle",
    [
        (("show", "42"), "there is no incident 42"),
        (("declare", "-k", "meteor", "-s", "1", "-t", "x"), "unknown incident kind 'meteor'"),
        (("declare", "-k", "other", "-s", "9", "-t", "x"), "unknown severity '9'"),
        (("assign", "1", "lead", "ghost"), "nobody called 'ghost'"),
        (("roster", "--at", "next tuesday"), "cannot read the time 'next tuesday'"),
        (("--lang", "fr", "list"), "未知语言「fr」"),  # an unknown language falls back to zh-CN to say so
    ],
)
def test_errors_are_one_line(cli, args, needle):
    cli("declare", "-k", "other", "-s", "4", "-t", "seed")
    proc = cli(*args, ok=False, lang="en")
    assert proc.returncode == 1
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_bad_config_refused_at_start(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace('language = "zh-CN"', 'language = "fr"'), encoding="utf-8"
    )
    proc = cli("--config", str(bad), "list", ok=False, lang="en")
    assert proc.returncode == 1 and "centre.language" in proc.stderr and "fr" in proc.stderr


def test_roster_at_a_time(cli):
    out = json.loads(cli("roster", "--at", "2026-11-23 08:59", "--json").stdout)
    ops = next(t for t in out["teams"] if t["team"] == "ops")
    assert ops["on_call"] == "lina"  # before Monday's 09:00 hand-over
    out = json.loads(cli("roster", "--at", "2026-11-23 09:00", "--json").stdout)
    assert next(t for t in out["teams"] if t["team"] == "ops")["on_call"] == "zhangwei"


def test_escalate_command_and_db_commands(cli):
    cli("declare", "-k", "other", "-s", "1", "-t", "x", "--started-at", "2020-01-01 00:00")
    assert "没有需要升级" in cli("escalate").stdout  # nothing is due yet
    import re

    current, head = re.search(r"结构版本：(\w+)（最新 (\w+)）", cli("db", "current").stdout).groups()
    assert current == head and head.isdigit()  # a fresh database is migrated to the newest revision
    assert head in cli("db", "upgrade").stdout
    help_en = cli("--help", lang="en").stdout
    assert "declare" in help_en and "Examples" in help_en
    assert "示例" in cli("--help").stdout


def test_incident_now_sets_the_clock(cli):
    # The fixture's week has zhangwei leading ops; a week later, the same hour, lina.
    def ops(**env):
        return next(t for t in json.loads(cli("roster", "--json", **env).stdout)["teams"] if t["team"] == "ops")

    assert ops()["on_call"] == "zhangwei"
    assert ops(INCIDENT_NOW="2026-12-01 10:00")["on_call"] == "lina"  # no offset: the centre's zone
    assert ops(INCIDENT_NOW="2026-12-01T02:00:00Z")["on_call"] == "lina"
    for lang, needle in (
        ("en", "variable INCIDENT_NOW is 'next monday', not an instant"),
        ("zh-CN", "环境变量 INCIDENT_NOW「next monday」不是时刻"),
    ):
        proc = cli("list", ok=False, lang=lang, INCIDENT_NOW="next monday")
        said = " ".join(proc.stderr.split())  # the console wraps long lines
        assert proc.returncode == 1 and needle in said and "2026-11-30T09:00:00+08:00" in said
        assert "Traceback" not in proc.stderr


def test_incident_now_clock_is_shared_through_its_pinned_form():
    sh = ZoneInfo("Asia/Shanghai")
    assert type(clock_from_setting(None, sh)) is Clock and type(clock_from_setting(" ", sh)) is Clock
    clock = clock_from_setting("2026-11-30 09:00", sh)  # the centre's wall time
    assert isinstance(clock, ShiftedClock)
    start = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
    assert dt.timedelta(0) <= clock.now() - start < dt.timedelta(seconds=5)
    # what a child process gets: the same clock, whenever it starts
    child = clock_from_setting(clock.setting(), sh)
    assert abs(child.now() - clock.now()) < dt.timedelta(seconds=1)
    later = clock_from_setting(f"2026-11-30T01:00:00Z@{time.time() - 3600!r}", sh)
    assert dt.timedelta(hours=1) <= later.now() - start < dt.timedelta(hours=1, seconds=5)
    for bad in ("next monday", "now", "2026-11-30T09:00@soon", "2026-11-30T09:00@nan"):
        with pytest.raises(InputError) as err:
            clock_from_setting(bad, sh)
        assert err.value.key == "error.bad_now" and err.value.params["variable"] == "INCIDENT_NOW"


def test_a_drill_clock_checks_slack_signatures_against_real_time():
    # INCIDENT_NOW moves the product's "now", not Slack's: a request signed
    # a moment ago must pass during a drill set a week away.
    sh = ZoneInfo("Asia/Shanghai")
    drill = clock_from_setting(f"2026-11-30T01:00:00Z@{time.time() - 7 * 86400!r}", sh)
    secret, body = "8f742231b10e8888abcd99yyyzzz85a5", b"command=%2Fincident&text=list"
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    assert type(drill.wall()) is Clock
    assert verify(secret, body, stamp, signature, drill.wall().now)
    assert not verify(secret, body, stamp, signature, drill.now)  # seven days off
    fixed = FixedClock()
    assert fixed.wall() is fixed  # tests keep control of the check


def test_words_the_screens_show_are_accepted_and_the_incident_given_either_way(cli):
    """A zh-CN user types what the screens say (排查中, 批量投诉); list commands
    take the incident as `customers list 2` does; a refusal lists the
    choices in the reader's language."""
    cli("declare", "-k", "批量投诉", "-s", "3", "-t", "杭州网点派送延误")
    cli("status", "1", "排查中")
    cli("status", "1", "Identified", lang="en")
    data = json.loads(cli("show", "1", "--json").stdout)
    assert data["kind"] == "batch_complaint" and data["status"] == "identified"
    zh = cli("status", "1", "处理中", ok=False).stderr
    assert "未知的状态「处理中」" in zh and "排查中" in zh and "investigating" in zh
    en = cli("status", "1", "busy", ok=False, lang="en").stderr
    assert "unknown status 'busy'" in en and "investigating" in en and "排查中" not in en
    listed = cli("comp", "list", "1", "--json").stdout
    assert json.loads(listed)["entries"] == []
    assert json.loads(cli("comp", "list", "INC-1", "--incident", "1", "--json").stdout)["entries"] == []
    two = cli("comp", "list", "1", "--incident", "2", ok=False, lang="en").stderr
    assert "two different incidents given" in two
    assert "没有符合条件的补偿记录" in cli("comp", "list", "1", "--status", "已发放").stdout
    missing = cli("wording", "get", "INC-1", ok=False).stderr
    assert "INC-1" in missing and "多余的参数" not in missing
