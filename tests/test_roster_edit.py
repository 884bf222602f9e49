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
        alert = re.search(r'<p class="flash error" role="alert" id="team-cs-refusal">([^<]+)</p>', page)
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


def test_the_cli_shows_and_edits_the_roster(cli):  # noqa: F811 — the fixture
    shown = cli("roster").stdout
    assert "客服现场" in shown and "周敏" in shown and "数据库" in shown
    at = ("--at", "2026-11-24 10:00")
    assert cli("roster", "show", *at, "--json").stdout == cli("roster", *at, "--json").stdout
    added = cli("roster", "add", "cs", "lina", "--at", "1", INCIDENT_ACTOR="zhangwei").stdout
    assert "李娜 (lina), 王芳 (wangfang), 周敏 (zhoumin)" in added
    teams = json.loads(cli("roster", "--json").stdout)["teams"]
    assert any(r["team"] == "cs" for r in teams)
    history = cli("roster", "history", lang="en").stdout
    assert "member added" in history and "wangfang, zhoumin → lina, wangfang, zhoumin" in history
    refused = cli("roster", "remove", "tech", "zhaolei", ok=False, INCIDENT_ACTOR="zhangwei")
    assert refused.returncode != 0 and "唯一" in refused.stderr and "Traceback" not in refused.stderr
    helped = cli("roster", "--help").stdout
    assert "数据库" in helped and "roster set" in helped and "history" in helped
