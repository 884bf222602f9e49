"""The command line acts as an authenticated user (issue 21, point 9): once
web accounts exist, ``--as`` alone proves nothing — an API token
(``INCIDENT_TOKEN``) or a password typed on a terminal does — and every
command checks the same permission and four-eyes rules as the web. With no
account yet (a fresh install, the demo) it runs as before.

Through the installed ``incident`` console script, on SQLite and (in CI)
PostgreSQL; the accounts are made, and what the CLI stored is read, with
the services themselves. stdin is never a terminal here: a command that
would ask for a password says what to do instead."""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE, NOW, incident_now
from sqlalchemy import select

from incident import incidents, response
from incident.access import tokens, users
from incident.access.permissions import PERMISSIONS
from incident.cli import guard
from incident.cli.app import build_app
from incident.config import Settings, load_config
from incident.context import Context
from incident.errors import AuthError, ForbiddenError
from incident.events import event_text
from incident.models import Callback, CallbackAttempt, Compensation, FactSheet, TimelineEvent, WordingTemplate
from incident.runtime import Runtime
from incident.timeutil import FixedClock, ShiftedClock

SCRIPT = Path(sys.executable).with_name("incident")
FACTS = (
    'what = "APP 登录失败"\nscope = "华东地区 APP 用户"\nfix = "技术人员正在修复"\nsupport_channel = "客服热线专席"\n'
    'dos = ["先致歉"]\n[en]\nwhat = "The app cannot log in"\nscope = "app users in East China"\n'
    'fix = "Engineers are fixing it"\nsupport_channel = "our dedicated line"\n'
)


@pytest.fixture
def cli(db_url, tmp_path):
    assert SCRIPT.exists(), f"console script not installed at {SCRIPT}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),  # zhangwei's week as the lead on call
    )

    def run(*args, ok=True, lang="en", token=None, who=None, stdin=None):
        argv = [str(SCRIPT), "--lang", lang, *(("--as", who) if who else ()), *args]
        extra = {"INCIDENT_TOKEN": token} if token else {}
        given = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
        proc = subprocess.run(argv, env={**env, **extra}, capture_output=True, text=True, timeout=120, **given)
        if ok:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    return run


DRILL = ("drill clock INCIDENT_NOW=", "演练时钟 INCIDENT_NOW=")


def refused(proc):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    # The error is one line; a signed-in user under the tests' INCIDENT_NOW
    # is also told the drill clock is in use (its own line, before it).
    lines = [x for x in proc.stderr.strip().splitlines() if not any(d in x for d in DRILL)]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def account(store, name, roles, person=None):
    """A web account linked to the roster, and an API token of theirs."""
    with store.transaction() as s:
        users.add(s, load_config(EXAMPLE), NOW, username=name, roles=roles, person=person or name)
        return tokens.create(s, name, "cli", NOW)[1]


def test_every_command_has_its_permission():
    found = guard.commands(build_app("en"))
    # "": the overview. build_app itself refuses a command missing from the table.
    assert sorted(["", *found]) == sorted(guard.ACTIONS)
    markers = {guard.MACHINE, guard.PUBLIC, guard.SIGNED_IN}
    assert all(action in PERMISSIONS or action in markers for action in guard.ACTIONS.values())
    # Everything that records a user's decision is checked against the web's action, never waved through.
    for path in ("comp approve", "statement approve", "facts approve", "callbacks record", "ack", "users add"):
        assert guard.ACTIONS[path] in PERMISSIONS, path


def test_without_accounts_it_runs_as_before(cli, store):
    cli("--as", "zhangwei", "declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败")
    cli("ack", "1", "lead", who="zhangwei")
    cli("ack", "1", "tech", who="oncall")  # zhaolei's role, recorded by someone else: said so
    shown = cli("show", "1").stdout
    assert "张伟 acknowledged incident lead" in shown and "(recorded by" not in shown.split("incident lead", 2)[1][:40]
    assert "acknowledged tech liaison (recorded by oncall)" in shown
    assert "INCIDENT_TOKEN" not in shown + cli("list").stderr  # nothing alarming
    # The first account is made in bootstrap mode; from then on the CLI asks who is there.
    secret = cli("users", "add", "ops", "--role", "admin", "--no-password", "--token", "setup").stdout.strip()
    cli("list", token=secret)
    line = refused(cli("list", ok=False))
    assert "web accounts exist" in line and "INCIDENT_TOKEN" in line and "users token create" in line
    assert "已有网页账号" in refused(cli("list", ok=False, lang="zh-CN"))
    # Operator commands are the machine: database access is enough.
    cli("db", "current")
    cli("escalate")
    cli("users", "roles")  # the static role table


def test_as_alone_proves_nothing_once_accounts_exist(cli, store):
    lead = account(store, "lina", "lead")
    cs = account(store, "chenjing", "cs_lead")
    supervisor = account(store, "liuyang", "lead")
    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败", token=lead)
    cli("customers", "add", "1", "--ref", "C001", "--amount", "400", token=cs)
    entry = json.loads(
        cli(
            "comp", "propose", "1", "--customer", "C001", "--form", "coupon", "--amount", "150", "--json", token=cs
        ).stdout
    )
    assert entry["status"] == "proposed" and entry["proposed_by"] == "chenjing"

    # A supervisor's name, no token, no terminal: refused, nothing stored.
    line = refused(cli("comp", "approve", str(entry["id"]), who="liuyang", ok=False))
    assert "INCIDENT_TOKEN" in line and "liuyang" in line
    with store.read() as s:
        assert s.get(Compensation, entry["id"]).status == "proposed"

    # The supervisor's own token: approved, and recorded as them.
    cli("comp", "approve", str(entry["id"]), token=supervisor)
    with store.read() as s:
        row = s.get(Compensation, entry["id"])
        assert (row.status, row.approved_by) == ("approved", "liuyang")

    # A token speaks for one person: another name beside it is refused by name.
    mismatch = refused(cli("comp", "list", "--incident", "1", token=supervisor, who="chenjing", ok=False))
    assert "--as chenjing" in mismatch and "liuyang's" in mismatch
    cli("comp", "list", "--incident", "1", token=supervisor, who="liuyang")  # their own name is fine
    # An unknown or revoked token is refused by name.
    assert "INCIDENT_TOKEN is not a valid API token" in refused(cli("list", token="inc_nope", ok=False))
    with store.transaction() as s:
        token_id = tokens.list_tokens(s, "liuyang")[0][0].id
        tokens.revoke(s, token_id, NOW)
    assert "revoked" in refused(cli("comp", "list", token=supervisor, ok=False))


def test_an_agent_cannot_approve_money_nor_record_a_colleagues_call(cli, store):
    lead = account(store, "lina", "lead")
    cs = account(store, "chenjing", "cs_lead")
    agents = {name: account(store, name, "agent") for name in ("wangfang", "zhoumin")}
    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败", token=lead)
    cli("customers", "add", "1", "--ref", "C001", "--amount", "400", token=cs)
    entry = json.loads(
        cli(
            "comp", "propose", "1", "--customer", "C001", "--form", "coupon", "--amount", "150", "--json", token=cs
        ).stdout
    )
    line = refused(cli("comp", "approve", str(entry["id"]), token=agents["wangfang"], ok=False))
    # the action in words, not its key (remedy.approve)
    assert "your roles (agent) may not do 'approve compensation (supervisors only, checked by the ledger)'" in line
    with store.read() as s:
        assert s.get(Compensation, entry["id"]).status == "proposed"
        (call,) = s.scalars(select(Callback)).all()
        holder = call.assignee
    assert holder in agents
    other = next(name for name in agents if name != holder)

    # Someone else's call: refused as on the web, nothing stored; their own: recorded as them.
    line = refused(cli("callbacks", "record", str(call.id), "reached", token=agents[other], ok=False))
    assert f"this callback is not yours (it is {holder}'s)" in line
    refused(cli("callbacks", "show", str(call.id), token=agents[other], ok=False))
    mine = json.loads(cli("callbacks", "due", "--agent", holder, "--json", token=agents[other]).stdout)
    assert mine == []  # an agent's list is their own, whatever --agent says
    with store.read() as s:
        assert s.scalars(select(CallbackAttempt)).all() == []
    cli("callbacks", "record", str(call.id), "reached", "--satisfaction", "5", token=agents[holder])
    with store.read() as s:
        (attempt,) = s.scalars(select(CallbackAttempt)).all()
        assert attempt.agent == holder


def test_four_eyes_hold_for_a_token(cli, store, tmp_path):
    lead = account(store, "lina", "lead")
    emily = account(store, "emily", "comms")
    sunli = account(store, "sunli", "comms,legal")
    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败", token=lead)
    facts = tmp_path / "facts.toml"
    facts.write_text(FACTS, "utf-8")
    cli("facts", "edit", "1", "--file", str(facts), "--eta", "2026-11-24 18:00", token=emily)
    cli("facts", "submit", "1", token=emily)
    assert "four eyes" in refused(cli("facts", "approve", "1", token=emily, ok=False))
    # --as naming the second pair of eyes does not make the author's token theirs.
    refused(cli("facts", "approve", "1", token=emily, who="sunli", ok=False))
    cli("facts", "approve", "1", token=sunli)
    cli("statement", "draft", "1", "--kind", "holding", token=emily)
    cli("statement", "submit", "1", "1", token=emily)
    assert "four eyes" in refused(cli("statement", "approve", "1", "1", "--publish", token=emily, ok=False))
    # A lead may not approve wording at all (the desk's rule).
    # the action in words (wording.approve), not its key
    assert "approve or reject fact sheets and statements" in refused(
        cli("statement", "approve", "1", "1", token=lead, ok=False)
    )
    assert "published" in cli("statement", "approve", "1", "1", "--publish", token=sunli).stdout


def test_acknowledging_for_someone_else_says_who_recorded_it(cli, store):
    lead = account(store, "lina", "lead")
    comms = account(store, "emily", "comms")
    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败", token=lead)
    # comms may acknowledge their own role, not the lead's for zhangwei.
    line = refused(cli("ack", "1", "lead", token=comms, ok=False))
    assert "only the person holding incident lead (张伟) can acknowledge it" in line
    cli("ack", "1", "lead", token=lead)  # lina, a lead, records zhangwei's phone call
    shown = cli("show", "1", token=lead).stdout
    assert "张伟 acknowledged incident lead (recorded by 李娜 (lina))" in shown
    zh = cli("show", "1", token=lead, lang="zh-CN").stdout
    assert "（由 李娜 (lina) 代为确认）" in zh
    with store.read() as s:
        (ev,) = s.scalars(select(TimelineEvent).where(TimelineEvent.type == "acknowledged")).all()
        assert ev.actor == "lina" and ev.data["person"] == "zhangwei" and ev.data["recorded_by"] == "lina"


def test_the_service_refuses_a_non_lead_recording_for_the_holder(store, config):
    ctx = Context(config=config, actor="emily", clock=FixedClock(NOW))
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    with store.transaction() as s, pytest.raises(ForbiddenError) as caught:
        incidents.acknowledge(s, ctx, iid, "lead", for_others=False)
    assert caught.value.key == "access.error.not_holder"
    holder = Context(config=config, actor="zhangwei", clock=FixedClock(NOW))
    with store.transaction() as s:
        _, changed = incidents.acknowledge(s, holder, iid, "lead", for_others=False)
        assert changed
    with store.read() as s:
        (ev,) = s.scalars(select(TimelineEvent).where(TimelineEvent.type == "acknowledged")).all()
        assert "recorded_by" not in ev.data and event_text(ev, "en") == "张伟 acknowledged incident lead"


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_password_typed_on_a_terminal_signs_in_and_wrong_ones_count(db_url, tmp_path, store):
    import pty
    import time

    with store.transaction() as s:
        users.add(s, load_config(EXAMPLE), NOW, username="lina", roles="lead", password="lina-secret-1")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),
    )

    def typed(args, answer):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal, as a person's would be
            os.execve(str(SCRIPT), [str(SCRIPT), "--lang", "en", *args], env)
        seen = b""
        try:
            deadline = time.monotonic() + 60
            while b"Password of web account lina: " not in seen and time.monotonic() < deadline:
                seen += os.read(fd, 1024)
            os.write(fd, answer)
            while chunk := os.read(fd, 1024):
                seen += chunk
        except OSError:  # EIO: the child closed the terminal
            pass
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")

    code, text = typed(["--as", "lina", "declare", "-k", "other", "-s", "4", "-t", "drill"], b"lina-secret-1\n")
    assert code == 0 and "Declared INC-1" in text and "lina-secret-1" not in text  # not echoed
    with store.read() as s:
        assert incidents.get(s, 1).events[0].actor == "lina"
    code, text = typed(["--as", "lina", "note", "1", "x"], b"wrong-guess\n")
    assert code == 1 and "wrong user name or password" in text
    with store.read() as s:
        assert users.get(s, "lina").failed_logins == 1  # counted, as on the login form
        assert len(incidents.get(s, 1).events) == len([e for e in incidents.get(s, 1).events if e.type != "note"])


def test_the_first_account_can_act_at_the_command_line_afterwards(cli, store):
    """Issue 21 review: a first account without a password locked everyone
    out for good, and a script could not get the admin's first token."""
    # Neither a password nor a token: refused by name, nothing made.
    line = refused(cli("users", "add", "ops", "--role", "admin", "--no-password", ok=False))
    assert "first web account" in line and "--token LABEL" in line and "--password-stdin" in line
    zh = refused(cli("users", "add", "ops", "--role", "admin", "--no-password", ok=False, lang="zh-CN"))
    assert "第一个网页账号" in zh and "--token" in zh
    # Without the admin role nobody could make the next accounts: refused by name.
    line = refused(cli("users", "add", "lina", "--role", "lead", "--no-password", "--token", "x", ok=False))
    assert "must have the admin role (given: lead)" in line and "--role admin" in line
    assert "admin 角色" in refused(
        cli("users", "add", "lina", "--role", "lead", "--token", "x", "--no-password", ok=False, lang="zh-CN")
    )
    with store.read() as s:
        assert users.list_users(s) == []
    # A password on stdin and --token: the secret alone on stdout, the rest on stderr.
    made = cli("users", "add", "admin", "--role", "admin", "--password-stdin", "--token", "setup", stdin="pw-admin-1\n")
    secret = made.stdout.strip()
    assert secret.startswith("inc_") and "\n" not in secret and "user admin created" in made.stderr
    # The script carries on with it: the next account, then that one's token in JSON.
    made = cli("users", "add", "emily", "--role", "comms", "--no-password", "--token", "cli", "--json", token=secret)
    data = json.loads(made.stdout)
    assert data["username"] == "emily" and data["token"]["secret"].startswith("inc_")
    assert data["token"]["label"] == "cli" and data["token"]["user"] == "emily"
    assert "INCIDENT_TOKEN" not in cli("list", token=data["token"]["secret"]).stderr
    # Once an account exists the rules above are the admin's choice: a machine without a password is fine.
    cli("users", "add", "bot", "--role", "viewer", "--no-password", token=secret)


def test_text_typed_at_the_command_line_is_cleaned(cli, store, tmp_path):
    """Issue 21 review: control characters typed at the CLI (or in the files
    it reads) reached the database: a colleague's terminal obeyed them, and
    PostgreSQL refused a NUL with a DataError."""
    lead = account(store, "lina", "lead")
    comms = account(store, "emily", "comms")
    bad = "x\x1b]0;pwned\x07\x1b[2Jcleared"
    cli("declare", "-k", "system_outage", "-s", "2", "-t", f"APP {bad}", token=lead)
    cli("note", "1", bad, token=lead)
    with store.read() as s:
        inc = incidents.get(s, 1)
        assert inc.title == "APP x]0;pwned[2Jcleared"
        (note,) = [e for e in inc.events if e.type == "note"]
        assert "\x1b" not in json.dumps(note.data, ensure_ascii=False) and "\x07" not in str(note.data)
        assert "x]0;pwned[2Jcleared" in json.dumps(note.data, ensure_ascii=False)
    shown = cli("show", "1", token=lead).stdout
    assert "\x1b" not in shown and "\x07" not in shown
    # A fact sheet from a file: JSON's and TOML's \u0000 are a NUL only once parsed.
    sheet = tmp_path / "facts.json"
    sheet.write_text(json.dumps({"what": "a\u0000b\u001b[31m", "en": {"what": "A\u0007pp"}}), "utf-8")
    cli("facts", "edit", "1", "--file", str(sheet), token=comms)
    toml = tmp_path / "facts.toml"
    toml.write_text('scope = "c\\u0000d"\ndos = ["e\\u0000f"]\n', "utf-8")
    cli("facts", "edit", "1", "--file", str(toml), "--fix-en", "Fix\x1b[2Jing", token=comms)
    with store.read() as s:
        (sheet_row,) = s.scalars(select(FactSheet)).all()
        stored = json.dumps(sheet_row.content, ensure_ascii=False)
    assert "\\u0000" not in stored and "\\u001b" not in stored and "\\u0007" not in stored, stored
    for kept in ("ab[31m", "App", "cd", "ef", "Fix[2Jing"):
        assert kept in stored, (kept, stored)
    # A template file too.
    body = tmp_path / "reply.j2"
    body.write_text("Dear customer\x1b[2J, \x00sorry.\n", "utf-8")
    cli("template", "add", "replies/system_outage", "en", str(body), token=comms)
    with store.read() as s:
        (tpl,) = s.scalars(select(WordingTemplate)).all()
        assert tpl.body == "Dear customer[2J, sorry.\n"


def test_a_drill_clock_is_said_to_a_signed_in_user(cli, store):
    # Bootstrap (the local operator, the tests' own drills): nothing said.
    cli("declare", "-k", "other", "-s", "4", "-t", "drill", who="zhangwei")
    assert "INCIDENT_NOW" not in cli("list").stderr
    lead = account(store, "lina", "lead")
    proc = cli("note", "1", "on the drill clock", token=lead)
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("warning: drill clock INCIDENT_NOW=") and "not the real time" in line
    assert "演练时钟" in cli("list", token=lead, lang="zh-CN").stderr


def _runtime(db_url: str, at: dt.datetime) -> Runtime:
    """The CLI's runtime under INCIDENT_NOW = ``at`` (a clock that reads
    ``at`` now and advances with real time), no token, asked as lina."""
    settings = Settings(token=None, now=None, actor=None)
    clock = ShiftedClock(at, time.time())
    return Runtime(settings, load_config(EXAMPLE), EXAMPLE, "en", "lina", db_url, clock, asked="lina")


def test_the_lockout_holds_under_a_drill_clock_an_hour_ahead(db_url, store):
    """Issue 21 review: INCIDENT_NOW an hour ahead ran out the lockout."""
    config = load_config(EXAMPLE)
    with store.transaction() as s:
        users.add(s, config, NOW, username="lina", roles="lead", password="lina-secret-1")
    for _ in range(config.web.max_failed_logins):
        rt = _runtime(db_url, NOW)
        with pytest.raises(AuthError):
            rt.sign_in(lambda name: "wrong-guess")
        rt.store.dispose()
    ahead = _runtime(db_url, NOW + dt.timedelta(hours=1))
    with pytest.raises(AuthError):
        ahead.sign_in(lambda name: "lina-secret-1")  # the right password, but locked out in real time
    ahead.store.dispose()
    with store.read() as s:
        assert users.get(s, "lina").last_login_at is None
