"""``incident users`` end to end — users of the web app, their passwords and
API tokens, the role table — through the installed ``incident`` console
script, on SQLite and (in CI) PostgreSQL. What the CLI stored is checked
with the access services themselves (a token verifies, a password signs
in, a deactivated user's browsers are signed out)."""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE, NOW

from incident.access import sessions, tokens, users
from incident.access.permissions import PERMISSIONS, ROLES
from incident.cli.users_texts import CLI_USERS_TEXTS
from incident.config import load_config
from incident.errors import AuthError
from incident.i18n import LABELS
from incident.timeutil import ShiftedClock

SCRIPT = Path(sys.executable).with_name("incident")


# The CLI's clock (INCIDENT_NOW, below) and the tests' are one: conftest's
# NOW when this module was loaded, advancing with real time.
CLOCK = ShiftedClock(NOW, time.time())


def now() -> dt.datetime:
    return CLOCK.now()


@pytest.fixture
def cli(db_url, tmp_path, store):
    assert SCRIPT.exists(), f"console script not installed at {SCRIPT}"
    # Once a web account exists the CLI acts only for a proven user (issue 21):
    # these tests manage users as the admin "ops", with ops's API token.
    with store.transaction() as s:
        users.add(s, load_config(EXAMPLE), now(), username="ops", roles="admin")
        _, secret = tokens.create(s, "ops", "tests", now())
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_TOKEN=secret,
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=CLOCK.setting(),
    )

    def run(*args, ok=True, lang="zh-CN", stdin=""):
        # stdin is always a pipe (never the terminal pytest may run in), so a
        # command that would prompt says so instead of waiting.
        proc = subprocess.run(
            [str(SCRIPT), "--lang", lang, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    run.env = env
    return run


def one_line_error(proc):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    # One line of error; ops signed in under INCIDENT_NOW is also told, on
    # its own line, that the drill clock is in use.
    lines = [x for x in proc.stderr.strip().splitlines() if "INCIDENT_NOW=" not in x]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def signs_in(store, name, password):
    with store.transaction() as s:
        try:
            users.authenticate(s, load_config(EXAMPLE), name, password, now())
            return True
        except AuthError:
            return False


def test_add_list_and_refusals(cli, store):
    added = cli("users", "add", "ZhangWei", "--role", "lead,comms", "--password-stdin", stdin="correct horse\n").stdout
    assert "已创建用户 zhangwei" in added
    assert "角色：lead 事件负责人、comms 公关" in added
    assert "名册中的人：张伟 (zhangwei)" in added  # a roster key links by itself
    assert "角色的含义：" in added and "lead（事件负责人）：" in added and "可以：查看事件看板、宣布事件" in added
    assert "发布声明" in added  # comms may publish
    assert signs_in(store, "zhangwei", "correct horse")

    en = cli(
        "users",
        "add",
        "emily",
        "-r",
        "comms",
        "-r",
        "legal",
        "--in",
        "en",
        "--display-name",
        "Emily C",
        "--no-password",
        lang="en",
    ).stdout
    assert "user emily created" in en and "roles: comms, legal" in en and "web language: en" in en
    assert "password: none" in en and "roster person: Emily Carter (emily)" in en
    assert "may: view the incident board" in en
    assert "without a password this user cannot sign in to the web pages" in en  # [web] auth is "password"

    bot = cli("users", "add", "tickets", "--role", "admin", "--no-password").stdout
    assert "未关联值班名册" not in bot  # a machine needs no roster link
    agent = cli("users", "add", "agent-7", "--role", "agent", "--no-password").stdout
    assert "该用户未关联值班名册" in agent and "incident users set agent-7 --person KEY" in agent

    # Refusals: one line, exit 1, naming what was wrong.
    dup = one_line_error(cli("users", "add", "zhangwei", "--role", "viewer", "--no-password", ok=False))
    assert "用户「zhangwei」已存在" in dup
    assert "user 'zhangwei' already exists" in one_line_error(
        cli("users", "add", "ZHANGWEI", "-r", "viewer", "--password-stdin", stdin="whatever123\n", ok=False, lang="en")
    )
    bad_role = one_line_error(cli("users", "add", "bob", "--role", "lead,boss", "--no-password", ok=False, lang="en"))
    assert "unknown role 'boss'" in bad_role and "lead, comms, legal, cs_lead, agent, viewer, admin" in bad_role
    short = one_line_error(cli("users", "add", "bob", "--role", "lead", "--password-stdin", stdin="short\n", ok=False))
    assert "密码至少 8 个字符" in short
    nobody = one_line_error(
        cli("users", "add", "bob", "--role", "lead", "--person", "nobody", "--no-password", ok=False, lang="en")
    )
    assert "'nobody' is not in the roster" in nobody and "zhangwei" in nobody
    empty = one_line_error(cli("users", "add", "bob", "--role", "lead", "--password-stdin", ok=False, lang="en"))
    assert "no password on stdin" in empty
    both = one_line_error(
        cli("users", "add", "bob", "-r", "lead", "--password-stdin", "--no-password", ok=False, lang="en")
    )
    assert "cannot go together" in both
    # No terminal and no flag: said, not waited for.
    no_tty = one_line_error(cli("users", "add", "bob", "--role", "lead", ok=False, lang="en"))
    assert "no terminal" in no_tty and "--password-stdin" in no_tty and "--no-password" in no_tty
    bad_name = one_line_error(cli("users", "add", "bad name", "--role", "lead", "--no-password", ok=False))
    assert "用户名「bad name」无效" in bad_name
    with store.transaction() as s:
        assert users.find(s, "bob") is None  # nothing half-made

    listed = cli("users", "list", "--json").stdout
    rows = {u["username"]: u for u in json.loads(listed)}
    assert sorted(rows) == ["agent-7", "emily", "ops", "tickets", "zhangwei"]
    assert rows["zhangwei"]["roles"] == ["lead", "comms"] and rows["zhangwei"]["person"] == "zhangwei"
    assert rows["zhangwei"]["password"] is True and rows["emily"]["password"] is False
    assert rows["emily"]["lang"] == "en" and rows["emily"]["display_name"] == "Emily C" and rows["emily"]["active"]
    assert rows["zhangwei"]["last_login_at"] is not None  # signs_in() above
    assert "scrypt" not in listed and "hash" not in listed
    table = cli("users", "list").stdout
    assert "用户（5）" in table and "张伟 (zhangwei)" in table and "lead, comms" in table
    assert "Last sign-in" in cli("users", "list", lang="en").stdout


def test_set_deactivate_and_passwd(cli, store):
    cli("users", "add", "lina", "--role", "agent", "--password-stdin", stdin="first-password\n")
    changed = cli(
        "users", "set", "lina", "--role", "cs_lead", "--role", "comms", "--display-name", "李娜（主管）"
    ).stdout
    assert "已修改用户 lina：角色、显示名" in changed and "cs_lead（客服主管）：" in changed
    with store.transaction() as s:
        user = users.get(s, "lina")
        assert user.roles == ["cs_lead", "comms"] and user.display_name == "李娜（主管）"
        _, key = sessions.open_session(s, user, "password", now(), 12)

    unlinked = cli("users", "set", "lina", "--person", "", lang="en").stdout
    assert "user lina changed: roster person" in unlinked and "not linked to the roster" in unlinked
    relinked = json.loads(cli("users", "set", "lina", "--person", "lina", "--in", "en", "--json").stdout)
    assert relinked["person"] == "lina" and relinked["lang"] == "en" and relinked["changed"] == ["person", "lang"]
    same = cli("users", "set", "lina", "--person", "lina", lang="en").stdout
    assert "user lina: nothing changed" in same
    nothing = one_line_error(cli("users", "set", "lina", ok=False, lang="en"))
    assert "nothing to change" in nothing
    assert "unknown role 'root'" in one_line_error(cli("users", "set", "lina", "--role", "root", ok=False, lang="en"))
    assert "没有用户「nobody」" in one_line_error(cli("users", "set", "nobody", "--inactive", ok=False))

    off = cli("users", "set", "lina", "--inactive").stdout
    assert "已停用 lina" in off and "状态：已停用" in off
    with store.transaction() as s:
        assert sessions.lookup(s, key, now()) is None  # signed out everywhere
    assert not signs_in(store, "lina", "first-password")
    assert json.loads(cli("users", "list", "--json").stdout)[0]["active"] is False
    assert "lina is active again" in cli("users", "set", "lina", "--active", lang="en").stdout

    with store.transaction() as s:
        _, key = sessions.open_session(s, users.get(s, "lina"), "password", now(), 12)
    done = cli("users", "passwd", "lina", "--password-stdin", stdin="second-password\n").stdout
    assert "已设置 lina 的密码" in done
    assert signs_in(store, "lina", "second-password") and not signs_in(store, "lina", "first-password")
    with store.transaction() as s:
        assert sessions.lookup(s, key, now()) is None  # the old password's browsers are gone
    short = one_line_error(cli("users", "passwd", "lina", "--password-stdin", stdin="1234567\n", ok=False, lang="en"))
    assert "at least 8 characters" in short
    assert "no terminal" in one_line_error(cli("users", "passwd", "lina", ok=False, lang="en"))
    assert "no user 'ghost'" in one_line_error(
        cli("users", "passwd", "ghost", "--password-stdin", stdin="x" * 9, ok=False, lang="en")
    )


def test_tokens_create_list_revoke(cli, store):
    cli("users", "add", "tickets", "--role", "admin", "--no-password", "--display-name", "工单系统")
    created = cli("users", "token", "create", "tickets", "--label", "工单系统").stdout
    secret = next(line.strip() for line in created.splitlines() if line.strip().startswith(tokens.PREFIX))
    assert created.count(secret) == 1  # printed once, on its own line
    assert "只显示这一次" in created and "Authorization: Bearer" in created
    assert "已为 tickets 创建 API 令牌 #2「工单系统」" in created  # #1: ops's, the tests' own
    with store.transaction() as s:
        user = tokens.verify(s, secret, now())
        assert user is not None and user.username == "tickets"
        assert tokens.verify(s, secret + "x", now()) is None

    en = cli("users", "token", "create", "tickets", "--label", "ci", lang="en").stdout
    assert "API token #3 'ci' created for tickets (roles: admin" in en and "shown this once only" in en
    assert "Authorization: Bearer <the secret above>" in en
    as_json = json.loads(cli("users", "token", "create", "tickets", "--label", "cron", "--json").stdout)
    assert as_json["id"] == 4 and as_json["secret"].startswith(as_json["prefix"])

    listed = cli("users", "token", "list", "tickets", "--json").stdout
    rows = json.loads(listed)
    assert [r["id"] for r in rows] == [2, 3, 4] and rows[0]["label"] == "工单系统" and rows[0]["user"] == "tickets"
    assert rows[0]["prefix"] == secret[:10] and rows[0]["last_used_at"] is not None  # verify() above used it
    assert secret not in listed and as_json["secret"] not in listed and "hash" not in listed
    table = cli("users", "token", "list", "tickets").stdout
    assert secret not in table and f"{secret[:10]}…" in table and "API 令牌（3）" in table
    cli("users", "add", "other", "--role", "viewer", "--no-password")
    assert json.loads(cli("users", "token", "list", "other", "--json").stdout) == []
    assert "没有 API 令牌" in cli("users", "token", "list", "other").stdout
    assert "没有用户「ghost」" in one_line_error(cli("users", "token", "list", "ghost", ok=False))

    # A deactivated user's tokens stop working; they work again once active.
    cli("users", "set", "tickets", "--inactive")
    with store.transaction() as s:
        assert tokens.verify(s, secret, now()) is None
    cli("users", "set", "tickets", "--active")

    revoked = cli("users", "token", "revoke", "2").stdout
    assert "已吊销令牌 #2「工单系统」（用户 tickets）" in revoked
    with store.transaction() as s:
        assert tokens.verify(s, secret, now()) is None
        assert tokens.verify(s, as_json["secret"], now()) is not None  # only #2 went
    again = cli("users", "token", "revoke", "#2", lang="en").stdout
    assert "token #2 '工单系统' of tickets was already revoked at" in again
    assert json.loads(cli("users", "token", "list", "tickets", "--json").stdout)[0]["revoked_at"] is not None
    assert "no token with id 9" in one_line_error(cli("users", "token", "revoke", "9", ok=False, lang="en"))
    assert "not a token id: 'x'" in one_line_error(cli("users", "token", "revoke", "x", ok=False, lang="en"))
    assert "give the token a name" in one_line_error(
        cli("users", "token", "create", "tickets", "--label", " ", ok=False, lang="en")
    )
    assert "no user 'ghost'" in one_line_error(
        cli("users", "token", "create", "ghost", "--label", "x", ok=False, lang="en")
    )


def test_roles_listing_in_both_languages(cli):
    zh = cli("users", "roles").stdout
    for role in ROLES:
        assert f"  {role}" in zh
    assert "viewer（只读）：只看不改" in zh and "管理用户" in zh
    en = cli("users", "roles", lang="en").stdout
    assert "  viewer (viewer)" not in en and "  viewer: read only" in en and "cs_lead (cs lead)" in en
    assert "approve compensation (supervisors only" in en
    data = {r["role"]: r for r in json.loads(cli("users", "roles", "--json").stdout)}
    assert list(data) == list(ROLES)
    for role, entry in data.items():
        assert entry["actions"] == [a for a, allowed in PERMISSIONS.items() if role in allowed]
    assert "users.manage" in data["admin"]["actions"] and "users.manage" not in data["lead"]["actions"]
    # Every action and role has words in both languages.
    for action in PERMISSIONS:
        zh_text, en_text = LABELS["web_action"][action]
        assert zh_text and en_text
    for role in ROLES:
        assert all(LABELS["web_role_about"][role])
    assert all(zh_text and en_text and zh_text != en_text for zh_text, en_text in CLI_USERS_TEXTS.values())


def test_help_teaches_in_both_languages(cli):
    commands = (
        ("users",),
        ("users", "add"),
        ("users", "list"),
        ("users", "set"),
        ("users", "passwd"),
        ("users", "roles"),
        ("users", "token"),
        ("users", "token", "create"),
        ("users", "token", "list"),
        ("users", "token", "revoke"),
    )
    for cmd in commands:
        zh = cli(*cmd, "--help").stdout
        en = cli(*cmd, "--help", lang="en").stdout
        assert "incident users" in zh and "incident users" in en, cmd
        assert zh != en, cmd
        if len(cmd) > 1 and cmd[-1] != "token":
            assert "示例" in zh and "Example" in en, cmd
    assert "--password-stdin" in cli("users", "add", "--help", lang="en").stdout


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="needs a pseudo-terminal")
def test_password_typed_twice_on_a_terminal(cli, store):
    import pty

    def typed(args, answers):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal, as a person's would be
            os.execve(str(SCRIPT), [str(SCRIPT), "--lang", "en", *args], cli.env)
        seen = b""
        try:
            for prompt, answer in answers:
                deadline = time.monotonic() + 60
                while prompt not in seen and time.monotonic() < deadline:
                    seen += os.read(fd, 1024)
                assert prompt in seen, seen
                os.write(fd, answer)
            while True:
                chunk = os.read(fd, 1024)
                if not chunk:
                    break
                seen += chunk
        except OSError:  # EIO: the child closed the terminal
            pass
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")

    code, text = typed(
        ["users", "add", "sunli", "--role", "comms"],
        [(b"New password for sunli: ", b"typed-secret\n"), (b"Type it again: ", b"typed-secret\n")],
    )
    assert code == 0 and "user sunli created" in text and "typed-secret" not in text  # not echoed
    assert signs_in(store, "sunli", "typed-secret")

    code, text = typed(
        ["users", "passwd", "sunli"],
        [(b"New password for sunli: ", b"another-one\n"), (b"Type it again: ", b"another-two\n")],
    )
    assert code == 1 and "the two passwords differ; nothing was changed" in text
    assert signs_in(store, "sunli", "typed-secret")

    # Checked before the prompt: nobody types a password twice for a duplicate.
    code, text = typed(["users", "add", "sunli", "--role", "comms"], [])
    assert code == 1 and "user 'sunli' already exists" in text and "New password" not in text
