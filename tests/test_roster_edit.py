"""The roster edited outside the TOML (issue 23 point 9): edits stored in
the database win over the file for what they name, are checked by the
file's own rules, recorded with before → after, in effect at once for
another process's runtime, on the web (/roster, refusals beside their form)
and on the command line (``incident roster``). SQLite and, with
INCIDENT_TEST_DATABASE_URL, PostgreSQL; the tests' fixed clock."""

from __future__ import annotations

import json
import re

import pytest

from incident import roster_edit
from incident.context import Context
from incident.enums import Role
from incident.errors import InputError
from incident.models_people import RosterChange
from incident.roster import on_call
from incident.runtime import Runtime
from incident.web.app import create_app
from tests import webutil
from tests.test_cli import cli  # noqa: F401  (fixture: the installed console script)
from tests.webserver import LiveServer


def lead(ctx: Context) -> Context:
    return Context(ctx.config, "zhangwei", ctx.clock)


def test_an_edit_wins_over_the_file_and_is_recorded(store, ctx, config):
    now = ctx.clock.now()
    assert set(config.teams["cs"].rotation.members) == {"wangfang", "zhoumin"}
    with store.transaction() as s:
        roster_edit.add_member(s, lead(ctx), config, "cs", "李娜", position=1)
        roster_edit.set_person(s, lead(ctx), config, "wangfang", {"email": "fang.wang@example.com"})
    with store.read() as s:
        layered = roster_edit.effective(s, config)
        changes = roster_edit.history(s)
    eff = layered.config
    assert eff.teams["cs"].rotation.members == ["lina", "wangfang", "zhoumin"]
    assert eff.people["wangfang"].email == "fang.wang@example.com"
    assert eff.teams["ops"] == config.teams["ops"] and config.teams["cs"].rotation.members == ["wangfang", "zhoumin"]
    # who is on call follows the edited order
    assert on_call(eff, "cs", now).person_key in {"lina", "wangfang", "zhoumin"}
    newest, first = changes
    assert (first.action, first.changed_by, first.key) == ("add_member", "zhangwei", "cs")
    assert first.before["rotation"]["members"] == ["wangfang", "zhoumin"]
    assert first.after["rotation"]["members"] == ["lina", "wangfang", "zhoumin"]
    assert ("email", "wang.fang@example.com", "fang.wang@example.com") in roster_edit.diff(newest)
    # reset: the file's again, recorded
    with store.transaction() as s:
        roster_edit.reset(s, lead(ctx), config, "team", "cs")
    with store.read() as s:
        assert roster_edit.effective(s, config).config.teams["cs"] == config.teams["cs"]
        assert roster_edit.history(s, 1)[0].action == "reset"


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda s, c, cfg: roster_edit.add_member(s, c, cfg, "cs", "nobody"), "error.unknown_person"),
        (lambda s, c, cfg: roster_edit.remove_member(s, c, cfg, "tech", "zhaolei"), "roster.error.last_member"),
        (lambda s, c, cfg: roster_edit.set_team(s, c, cfg, "cs", members=[]), "roster.error.empty_team"),
        (lambda s, c, cfg: roster_edit.set_team(s, c, cfg, "cs", every="0"), "roster.error.every"),
        (lambda s, c, cfg: roster_edit.set_team(s, c, cfg, "nope", every="daily"), "roster.error.no_team"),
        (lambda s, c, cfg: roster_edit.set_person(s, c, cfg, "lina", {"phone": "13800001234"}), "roster.error.phone"),
        (lambda s, c, cfg: roster_edit.set_person(s, c, cfg, "lina", {"email": "x"}), "roster.error.email"),
        (
            lambda s, c, cfg: roster_edit.set_person(s, c, cfg, "lina", {"pager_id": "138 0000 1234"}),
            "roster.error.pager_id",
        ),
        (
            lambda s, c, cfg: roster_edit.set_person(s, c, cfg, "newbie", {"email": "n@example.com"}),
            "roster.error.name_needed",
        ),
        (lambda s, c, cfg: roster_edit.reset(s, c, cfg, "team", "ops"), "roster.error.not_edited"),
    ],
)
def test_edits_are_checked_by_the_files_own_rules(store, ctx, config, call, key):
    with pytest.raises(InputError) as err, store.transaction() as s:
        call(s, lead(ctx), config)
    assert err.value.key == key
    assert err.value.message("zh-CN") and err.value.message("en")
    with store.read() as s:
        assert roster_edit.revision(s) == 0 and roster_edit.history(s) == []


def test_a_person_added_here_can_join_a_team_and_an_edit_the_file_no_longer_fits_is_skipped(store, ctx, config):
    with store.transaction() as s:
        roster_edit.set_person(s, lead(ctx), config, "xiaoli", {"name": "小李", "email": "xiao.li@example.com"})
        roster_edit.add_member(s, lead(ctx), config, "tech", "xiaoli")
    with store.read() as s:
        eff = roster_edit.effective(s, config).config
        assert eff.teams["tech"].rotation.members == ["zhaolei", "xiaoli"] and eff.people["xiaoli"].name == "小李"
    # The person cannot be reset away while a team names them.
    with pytest.raises(InputError) as err, store.transaction() as s:
        roster_edit.reset(s, lead(ctx), config, "person", "xiaoli")
    assert err.value.key == "roster.error.unknown_person"
    # A file that dropped the team: that edit is left out, the rest stays.
    teams = {k: v for k, v in config.teams.items() if k != "tech"}
    teams["ops"] = teams["ops"].model_copy(update={"roles": [*teams["ops"].roles, Role.TECH_LIAISON]})
    smaller = config.model_copy(update={"teams": teams})
    with store.read() as s:
        layered = roster_edit.effective(s, smaller)
    assert [(k, key) for k, key, _ in layered.skipped] == [("team", "tech")]
    assert "xiaoli" in layered.config.people


def test_another_process_sees_an_edit_at_once(store, ctx, config, db_url):
    rt = Runtime.build(database_url=db_url)
    rt.config, rt.clock = config, ctx.clock
    assert rt.store is not None and rt.config.teams["cs"] == config.teams["cs"]
    with store.transaction() as s:  # another process
        roster_edit.set_team(s, lead(ctx), config, "cs", every="weekly", deputy="chenjing")
    rt.refresh_roster()
    assert rt.config.teams["cs"].rotation.every == "weekly" and rt.config.teams["cs"].deputy == "chenjing"
    assert rt.toml_config is config
    other = Runtime.build(database_url=db_url)
    other.config = config
    other.store  # noqa: B018 — opening the store puts the layer on
    assert other.config.teams["cs"].deputy == "chenjing"


def body(r) -> str:  # type: ignore[no-untyped-def]
    return r.text.split('<main id="main">', 1)[1]


def test_the_roster_page_edits_refuses_beside_the_form_and_shows_the_history(store, ctx, config, db_url):
    rt = webutil.web_runtime(db_url, config, ctx.clock)
    for name, roles in (("zhangwei", "lead"), ("wangfang", "agent")):
        webutil.add_user(rt, name, roles)
    with LiveServer(create_app(rt)) as server:
        agent, agent_token = webutil.login(server.base, "wangfang")
        page = body(agent.get("/roster"))
        assert 'id="oncall-cs"' in page and "数据库" in page  # who is on call, and which source wins
        assert 'action="/roster/teams/cs"' not in page  # no edit forms for an agent
        refused = agent.post("/roster/teams/cs/add", data={"csrf": agent_token, "person": "lina"})
        assert refused.status_code == 403

        boss, token = webutil.login(server.base, "zhangwei")
        page = body(boss.get("/roster"))
        assert 'action="/roster/teams/cs"' in page and "来源：配置文件" in page
        # Refused: 422, the reason beside the form, what was typed kept.
        r = boss.post("/roster/teams/cs", data={"csrf": token, "members": "wangfang, ghost", "every": "daily"})
        assert r.status_code == 422
        page = body(r)
        # The answer is the refusal macro's: role=alert, focused and brought into view by app.js.
        alert = re.search(
            r'<div class="refusal" role="alert" tabindex="-1" autofocus data-refusal="">\s*'
            r'<p class="flash error" id="team-cs-refusal">([^<]+)</p>',
            page,
        )
        assert alert and "ghost" in alert.group(1)
        assert 'value="wangfang, ghost"' in page
        # Saved: in effect at once, the source and the change shown.
        r = boss.post("/roster/teams/cs", data={"csrf": token, "members": "zhoumin, wangfang, lina", "every": "daily"})
        assert r.status_code == 303 and r.headers["location"] == "/roster#team-cs"
        assert rt.config.teams["cs"].rotation.members == ["zhoumin", "wangfang", "lina"]
        page = body(boss.get("/roster"))
        assert "来源：数据库（张伟 (zhangwei) 于" in page
        assert "wangfang, zhoumin → zhoumin, wangfang, lina" in page
        # A person's contact id; a full phone number is refused.
        r = boss.post("/roster/people/lina", data={"csrf": token, "name": "李娜", "phone": "13800005678"})
        assert r.status_code == 422 and 'id="person-lina-refusal"' in r.text and "后四位" in r.text
        r = boss.post("/roster/people/lina", data={"csrf": token, "name": "李娜", "slack_id": "U0LINA2"})
        assert r.status_code == 303 and rt.config.people["lina"].slack_id == "U0LINA2"
        en = body(boss.get("/roster", params={"lang": "en"}))
        assert "source: the database" in en and "Changes" in en
    with store.read() as s:
        assert [c.action for c in roster_edit.history(s)] == ["person", "team"]


def test_a_value_written_another_way_is_no_change(store, ctx, config):
    """Issue 23's trial: ``rotation.start: 2026-01-01T08:00:00 → 2026-01-01T08:00``
    was listed as a change. The same instant, however written, is none."""
    rotation = config.teams["cs"].rotation
    with store.transaction() as s:
        change = roster_edit.set_team(s, lead(ctx), config, "cs", start=rotation.start, every="weekly")
    assert roster_edit.diff(change) == [("rotation.every", "daily", "weekly")]
    assert change.after["rotation"]["start"] == change.before["rotation"]["start"] == "2026-01-01T08:00:00"
    with store.transaction() as s:  # saved again as it is: recorded, nothing changed
        again = roster_edit.set_team(s, lead(ctx), config, "cs", start=rotation.start, every="weekly")
    assert roster_edit.diff(again) == []
    # A change recorded before values were made canonical reads the same way.
    old = RosterChange(
        kind="team",
        key="cs",
        action="team",
        before={"rotation": {"start": "2026-01-01T08:00:00", "every": "daily"}},
        after={"rotation": {"start": "2026-01-01T08:00", "every": "daily"}},
    )
    assert roster_edit.diff(old) == []
    old.after = {"rotation": {"start": "2026-01-01T09:00", "every": "daily"}}
    assert roster_edit.diff(old) == [("rotation.start", "2026-01-01T08:00:00", "2026-01-01T09:00")]


def test_a_team_left_empty_is_refused_in_words(store, ctx, config):
    """No config path (``teams.cs.rotation.members``): the team's name."""
    with pytest.raises(InputError) as err, store.transaction() as s:
        roster_edit.set_team(s, lead(ctx), config, "cs", members=[" ", ""])
    zh, en = err.value.message("zh-CN"), err.value.message("en")
    assert "客服现场" in zh and "Customer-service floor" in en
    assert not any(path in text for text in (zh, en) for path in ("teams.", "rotation.members", "{"))


def test_the_roster_page_reads_well_and_keeps_the_masked_phone(store, ctx, config, db_url):
    """Issue 23's trial: full-width colons in zh; the people table scrolls
    within its card; the phone kept as ****5678 is shown beside an empty
    field, a save without touching it keeps it, the box clears it."""
    rt = webutil.web_runtime(db_url, config, ctx.clock)
    webutil.add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as server:
        boss, token = webutil.login(server.base, "zhangwei")
        page = body(boss.get("/roster"))
        assert "主管：陈静 (chenjing) · 副手：—" in page and "主管: " not in page
        assert '<div class="table-wrap">\n  <table id="people-table">' in page
        phone = re.search(r'<input form="form-person-lina" name="phone"[^>]*>', page)
        assert phone and 'value=""' in phone.group(0) and 'placeholder="****5678"' in phone.group(0)
        assert 'value="****5678"' not in page and "现为 ****5678" in page
        en = body(boss.get("/roster", params={"lang": "en"}))
        assert "supervisor: 陈静 (chenjing)" in en and "now ****5678" in en
        # Saved with the phone left empty: the phone stays.
        fields = {"csrf": token, "name": "李娜", "email": "li.na@example.com", "slack_id": "U0LINA2", "phone": ""}
        r = boss.post("/roster/people/lina", data=fields)
        assert r.status_code == 303 and rt.config.people["lina"].phone == "****5678"
        assert rt.config.people["lina"].slack_id == "U0LINA2"
        # A new last four replaces it; the box clears it.
        assert boss.post("/roster/people/lina", data={**fields, "phone": "****4321"}).status_code == 303
        assert rt.config.people["lina"].phone == "****4321"
        assert boss.post("/roster/people/lina", data={**fields, "phone_clear": "1"}).status_code == 303
        assert rt.config.people["lina"].phone is None
        page = body(boss.get("/roster", params={"lang": "zh-CN"}))
        assert "<code>phone</code>：****5678 → ****4321" in page  # the history in zh, its colon too


def test_the_cli_shows_and_edits_the_roster(cli):  # noqa: F811 — the fixture
    wide = {"COLUMNS": "250"}  # one line per row: the columns' words unbroken
    shown = cli("roster", **wide).stdout
    assert "客服现场" in shown and "周敏" in shown and "数据库" in shown
    # Issue 23's trial: "来源" said 轮值; now how each is on call, and where the team's roster comes from.
    assert "值班方式" in shown and "名单来源" in shown and "配置文件（TOML）" in shown and "数据库修改" not in shown
    at = ("--at", "2026-11-24 10:00")
    assert cli("roster", "show", *at, "--json").stdout == cli("roster", *at, "--json").stdout
    added = cli("roster", "add", "cs", "lina", "--at", "1", INCIDENT_ACTOR="zhangwei").stdout
    assert "李娜 (lina), 王芳 (wangfang), 周敏 (zhoumin)" in added
    line = next(x for x in cli("roster", "show", **wide).stdout.splitlines() if "(cs)" in x)
    assert "数据库修改" in line and "轮值" in line
    teams = json.loads(cli("roster", "--json").stdout)["teams"]
    assert any(r["team"] == "cs" for r in teams)
    history = cli("roster", "history", lang="en").stdout
    assert "member added" in history and "wangfang, zhoumin → lina, wangfang, zhoumin" in history
    refused = cli("roster", "remove", "tech", "zhaolei", ok=False, INCIDENT_ACTOR="zhangwei")
    assert refused.returncode != 0 and "唯一" in refused.stderr and "Traceback" not in refused.stderr
    helped = cli("roster", "--help").stdout
    assert "数据库" in helped and "roster set" in helped and "history" in helped
