"""``incident kb …`` and ``incident wording get`` with the knowledge base
(issue 24 point 2): help in both languages, last time's answer when no
live incident matches, four eyes on the command line, retirement."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, incident_now

from tests.factories import FULL, login_outage

SCRIPT = Path(sys.executable).with_name("incident")


@pytest.fixture
def cli(db_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_ACTOR="tester",
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),
    )

    def run(*args, lang="zh-CN", who=None):
        head = ["--lang", lang, *(["--as", who] if who else [])]
        return subprocess.run([str(SCRIPT), *head, *args], env=env, capture_output=True, text=True, timeout=120)

    return run


def test_help_in_both_languages(cli):
    zh, en = cli("kb", "--help"), cli("kb", "--help", lang="en")
    assert zh.returncode == 0 and "知识库" in zh.stdout and "approve" in zh.stdout and "retire" in zh.stdout
    assert en.returncode == 0 and "the knowledge base" in en.stdout
    add_zh, add_en = (" ".join(cli("kb", "add", "--help", lang=x).stdout.split()) for x in ("zh-CN", "en"))
    assert "英文答复" in add_zh and "--answer-en" in add_zh
    assert "the English answer" in add_en and "no names or numbers" in add_en


def test_wording_get_falls_back_and_kb_commands_keep_four_eyes(store, ctx, cli):
    iid = login_outage(store, ctx)
    got = cli("wording", "get", "-q", "登录不了")
    assert got.returncode == 0, got.stderr
    assert "没有与「登录不了」匹配、口径已批准的进行中事件" in got.stdout
    assert f"知识库 KB-1 · 来自已关闭事件 INC-{iid}（2026-11-24 关闭）" in got.stdout and FULL["what"] in got.stdout
    data = json.loads(cli("wording", "get", "-q", "can't log in", "--in", "en", "--json", lang="en").stdout)
    assert data["source"] == "knowledge_base" and data["incident"] is None
    assert data["knowledge_base"][0]["answer"].count(FULL["what.en"]) == 1
    miss = cli("wording", "get", "-q", "发票怎么开", lang="en")
    assert miss.returncode != 0 and "No active incident" not in miss.stdout

    search = cli("kb", "search", "验证码收不到", lang="en")
    assert search.returncode == 0 and f"from closed incident INC-{iid}" in search.stdout
    assert "KB-1" in cli("kb", "list").stdout
    shown = json.loads(cli("kb", "show", "KB-1", "--json").stdout)
    assert shown["source_incident"] == f"INC-{iid}" and [v["action"] for v in shown["history"]] == ["harvest"]

    added = cli(
        "kb", "add", "--title", "发票怎么开", "--answer", "您可以在 APP 中申请电子发票。", "--question", "发票怎么开"
    )
    assert added.returncode == 0 and "KB-2" in added.stdout, added.stderr
    own = cli("kb", "approve", "KB-2", lang="en")
    assert own.returncode != 0 and "four eyes: tester proposed this change to KB-2" in own.stderr
    assert "知识库中没有" in cli("kb", "search", "发票怎么开").stdout  # not approved: never an answer
    assert cli("kb", "approve", "KB-2", who="emily").returncode == 0
    assert "KB-2" in cli("kb", "search", "发票怎么开").stdout

    assert cli("kb", "retire", "KB-1", "--reason", "app replaced", who="emily").returncode == 0
    assert "KB-1" in cli("kb", "search", "登录不了").stdout  # answers until the retirement is approved
    assert cli("kb", "approve", "KB-1").returncode == 0
    gone = cli("kb", "search", "登录不了")
    assert gone.returncode == 0 and "KB-1" not in gone.stdout and "知识库中没有" in gone.stdout
    assert cli("wording", "get", "-q", "登录不了").returncode != 0  # nothing live, nothing in the KB
    again = cli("kb", "harvest", f"INC-{iid}")  # by hand: the entry it made, never a second
    assert again.returncode == 0 and "KB-1" in again.stdout
    assert len(json.loads(cli("kb", "list", "--status", "all", "--json").stdout)) == 2
    bad = cli("kb", "list", "--status", "old", lang="en")
    assert bad.returncode != 0 and "no status “old”" in bad.stderr
