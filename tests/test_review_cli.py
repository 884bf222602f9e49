"""``incident review …`` end to end through the installed console script,
on SQLite and PostgreSQL, at the tests' "now" (INCIDENT_NOW): show, edit
(options and a TOML file), sign, the close refusal, waive, export,
follow-up actions, the sweep; --help in both languages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, incident_now

SCRIPT = Path(sys.executable).with_name("incident")


@pytest.fixture
def cli(db_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),
    )

    def run(*args, who="zhangwei", ok=True, lang="zh-CN"):
        proc = subprocess.run(
            [str(SCRIPT), "--lang", lang, "--as", who, *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert (proc.returncode == 0) is ok, proc.stderr + proc.stdout
        return proc

    return run


def test_the_review_from_the_command_line(cli, tmp_path):
    cli("declare", "-k", "system_outage", "-s", "1", "-t", "APP 登录失败")
    early = cli("review", "show", "1", ok=False, lang="en")
    assert "its review opens once the incident is resolved" in early.stderr
    cli("status", "1", "resolved")
    shown = cli("review", "show", "INC-1").stdout
    assert "INC-1 复盘" in shown and "最早迹象" in shown and "待签署：技术对接人" in shown

    text = tmp_path / "review.toml"
    text.write_text(
        '[root_cause]\nzh-CN = """数据库连接池耗尽\n扩容后恢复"""\nen = "the pool ran dry"\n', encoding="utf-8"
    )
    saved = cli("review", "edit", "1", "--file", str(text), "--summary-zh", "登录失败 40 分钟").stdout
    assert "第 1 版" in saved
    rest = ("--contributing-en", "no pool alarm", "--went-well-zh", "十分钟内回滚", "--went-badly-en", "late notice")
    cli("review", "edit", "1", *rest, "--version", "1")
    stale = cli("review", "edit", "1", "--summary-en", "x", "--version", "1", ok=False)
    assert "第 1 版" in stale.stderr and "现为第 2 版" in stale.stderr

    refused = cli("status", "1", "closed", ok=False, lang="en")
    assert "cannot be closed before its review is signed off" in refused.stderr
    assert "incident review sign 1" in refused.stderr
    not_liaison = cli("review", "sign", "1", who="zhoumin", ok=False)
    assert "zhoumin 不能签署" in not_liaison.stderr
    signed = cli("review", "sign", "1", "--comment", "同意", who="zhaolei").stdout
    assert "技术对接人" in signed and "签署完成" in signed

    added = cli("review", "action", "add", "1", "--title", "增加连接池监控", "--owner", "王芳", "--due", "2026-12-01")
    assert "改进项 1" in added.stdout
    mine = json.loads(cli("review", "action", "list", "--mine", "--json", who="wangfang").stdout)
    assert [(a["id"], a["owner"], a["state"]) for a in mine] == [(1, "wangfang", "open")]
    cli("review", "action", "done", "1", "--note", "已上线", who="wangfang")
    assert json.loads(cli("review", "action", "list", "1", "--json").stdout)[0]["state"] == "done"

    cli("status", "1", "closed")
    body = json.loads(cli("review", "show", "1", "--json").stdout)
    assert body["signoff"]["complete"] and body["text"]["root_cause"]["zh-CN"] == "数据库连接池耗尽\n扩容后恢复"
    assert body["facts"]["milestones"][-1]["key"] == "closed" and body["facts"]["milestones"][-1]["at"]

    out = tmp_path / "inc-1.html"
    cli("review", "export", "1", "--format", "html", "-o", str(out), lang="en")
    html = out.read_text(encoding="utf-8")
    assert "@media print" in html and "the pool ran dry" in html and "status: resolved → closed" in html
    md = cli("review", "export", "1").stdout
    assert md.startswith("# INC-1 复盘") and "完整时间线" in md
    assert "md 或 html" in cli("review", "export", "1", "--format", "pdf", ok=False).stderr


def test_the_lead_waives_and_the_sweep_runs(cli):
    cli("declare", "-k", "system_outage", "-s", "1", "-t", "误报")
    cli("status", "1", "resolved")  # opens the review of INC-1
    assert "开启复盘 0 份" in cli("review", "sweep").stdout  # nothing left for the sweep to open
    assert "复盘" in cli("review", "show", "1").stdout
    cli("review", "waive", "1", "--reason", "误报，无客户影响")
    cli("status", "1", "closed")


def test_help_in_both_languages(cli):
    zh = cli("review", "--help").stdout
    en = cli("review", "--help", lang="en").stdout
    assert "复盘" in zh and "incident review waive 12 --reason" in zh
    assert "post-incident review" in en and "sign" in en
    assert "--root-cause-en" in cli("review", "edit", "--help", lang="en").stdout
