"""Usage errors and the help frame in the user's language: what Typer and
Click print themselves (missing options, unknown options, extra arguments,
"Usage:", "Show this message and exit.") reaches a zh-CN user in Chinese
and an en user in English, through the installed ``incident`` script."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, incident_now

from incident.cli import click_texts

SCRIPT = Path(sys.executable).with_name("incident")


@pytest.fixture
def cli(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        INCIDENT_ACTOR="oncall-lead",
        INCIDENT_NOW=incident_now(),
    )

    def run(*args, lang="zh-CN"):
        return subprocess.run(
            [str(SCRIPT), "--lang", lang, *args], env=env, capture_output=True, text=True, timeout=120
        )

    return run


@pytest.mark.parametrize(
    "args,zh,en",
    [
        (
            ("declare", "--kind", "other", "--severity", "3"),
            "错误：缺少选项 '--title' / '-t'。",
            "Error: Missing option '--title' / '-t'.",
        ),
        (
            ("show", "1", "--jso"),
            "错误：没有选项 --jso。（是否想用：--json？）",
            "No such option --jso. (did you mean: --json?)",
        ),
        (("comp", "list", "1", "2"), "错误：多余的参数：2（这个命令不接受它们）。", "unexpected extra argument(s): 2"),
        (
            ("declare", "-k", "other", "-s", "3", "-t"),
            "错误：选项 -t 后面需要一个值。",
            "Option -t needs a value after it.",
        ),
        (("meteor",), "错误：没有子命令 meteor。", "No such command meteor."),
    ],
)
def test_usage_errors_speak_the_users_language(cli, args, zh, en):
    proc = cli(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert zh in proc.stderr, proc.stderr
    assert not any(w in proc.stderr for w in ("Missing", "No such", "Got unexpected", "Usage:", "Try '")), proc.stderr
    english = cli(*args, lang="en")
    assert english.returncode == 2 and en in english.stderr, english.stderr


def test_a_usage_error_shows_where_help_is(cli):
    proc = cli("declare", "--kind", "other", "--severity", "3")
    lines = proc.stderr.splitlines()
    assert lines[0] == "用法：incident declare [OPTIONS]"
    assert lines[1] == "运行 incident declare -h 查看用法和示例。"


def test_help_is_framed_in_the_users_language(cli):
    zh = cli("declare", "-h").stdout
    assert zh.startswith("用法：incident declare [OPTIONS]") and "\n选项：\n" in zh
    assert "显示本帮助并退出。" in zh and "Show this message" not in zh and "Options" not in zh
    top = cli("-h").stdout
    assert "\n命令：\n" in top and "Commands" not in top
    en = cli("declare", "-h", lang="en").stdout
    assert en.startswith("Usage: incident declare [OPTIONS]") and "\nOptions:\n" in en
    assert "Show this message and exit." in en


def test_a_database_url_that_cannot_be_used_is_named(cli):
    proc = subprocess.run(
        [str(SCRIPT), "--db", "bogus://", "list"],
        env={"PATH": os.environ.get("PATH", ""), "INCIDENT_CONFIG": str(EXAMPLE), "INCIDENT_NOW": incident_now()}
        | ({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("错误：数据库地址 bogus:// 无法使用") and "意外错误" not in proc.stderr


@pytest.mark.parametrize(
    "english,zh",
    [
        ("Missing option '--severity' / '-s'.", "缺少选项 '--severity' / '-s'。"),
        ("Missing argument 'ID'.", "缺少参数 'ID'。"),
        ("No such option: --bogus", "没有选项 --bogus。"),
        ("No such option: --jso (Possible options: --json)", "没有选项 --jso。（是否想用：--json？）"),
        ("No such option '--jso'. Did you mean '--json'?", "没有选项 --jso。（是否想用：'--json'？）"),
        ("Got unexpected extra argument(s) (a b)", "多余的参数：a b（这个命令不接受它们）。"),
        ("Got unexpected extra arguments (a b)", "多余的参数：a b（这个命令不接受它们）。"),
        ("Option '-t' requires an argument.", "选项 -t 后面需要一个值。"),
        ("Invalid value for '--limit': 'x' is not a valid integer.", "'--limit' 的值无效：'x' 不是有效的数字。"),
        ("Something new in a later Typer", "命令行用法有误：Something new in a later Typer"),
    ],
)
def test_known_forms_of_both_typer_and_click(english, zh):
    """Typer's own copy of Click and Click itself word a few errors
    differently; both are understood, and an unknown one is still led in
    by a translated sentence."""
    assert click_texts.message(english, "zh-CN") == zh
