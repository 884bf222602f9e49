"""Covers ("I cover for 李娜 tonight"): call-ins and the escalation chain
reach whoever covers; from the CLI and the web; injected clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select

from incident import escalation, incidents, response, roster_overrides
from incident.errors import ConflictError, InputError
from incident.models import RoleAssignment
from incident.roster import on_call
from incident.web.app import create_app
from tests.test_cli import cli  # noqa: F401  (fixture: the installed console script)
from tests.webserver import LiveServer
from tests.webutil import add_user, csrf_of, login, web_runtime


def _holder(store, iid, role):
    with store.transaction() as s:
        return s.scalars(
            select(RoleAssignment).where(
                RoleAssignment.incident_id == iid, RoleAssignment.role == role, RoleAssignment.ended_at.is_(None)
            )
        ).one()


def _cover(store, ctx, person, covers, hours=12, start_in=0, **kw):
    start = ctx.clock.now() + dt.timedelta(hours=start_in)
    with store.transaction() as s:
        return roster_overrides.add(s, ctx, person, covers, start, start + dt.timedelta(hours=hours), **kw)


def test_a_cover_takes_the_call_in_while_it_lasts(store, ctx, clock):
    on = on_call(ctx.config, "ops", clock.now())
    assert on is not None and on.person_key == "zhangwei"  # his week
    cover = _cover(store, ctx, "lina", "zhangwei", hours=8)
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="other", severity=3, title="夜间故障").id
        covers = roster_overrides.active(s, clock.now())
    lead = _holder(store, iid, "incident_lead")
    assert (lead.person, lead.person_name) == ("lina", "李娜")
    on = on_call(ctx.config, "ops", clock.now(), covers)
    assert on is not None and on.source == "cover" and on.until == cover.end_at
    with store.transaction() as s:
        ev = next(
            e for e in incidents.get(s, iid).events if e.type == "role_assigned" and e.data["role"] == "incident_lead"
        )
        assert ev.data["source"] == "cover"
    clock.advance(hours=8)  # the cover is over: the rotation again
    with store.transaction() as s:
        other = response.declare(s, ctx, kind="other", severity=3, title="早间故障").id
    assert _holder(store, other, "incident_lead").person == "zhangwei"


def test_a_cover_in_one_team_only_and_cancelled(store, ctx, clock):
    cover = _cover(store, ctx, "lina", "sunli", team="legal")  # 孙丽 is in comms and legal; legal only
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="public_opinion", severity=1, title="热搜").id
    assert _holder(store, iid, "legal_liaison").person == "lina"
    assert _holder(store, iid, "comms_lead").person == "emily"  # comms as the rotation has it
    with store.transaction() as s:
        roster_overrides.cancel(s, ctx, cover.id, True)
    everywhere = _cover(store, ctx, "lina", "zhangwei")
    with store.transaction() as s:
        roster_overrides.cancel(s, dataclasses.replace(ctx, actor="lina"), everywhere.id, False)  # her own
        with pytest.raises(ConflictError):
            roster_overrides.cancel(s, ctx, everywhere.id, True)
        other = response.declare(s, ctx, kind="other", severity=3, title="y").id
    assert _holder(store, other, "incident_lead").person == "zhangwei"


@pytest.mark.parametrize(
    "person, covers, hours, kw, key",
    [
        ("lina", "lina", 2, {}, "cover.error.self"),
        ("lina", "zhangwei", -1, {"start_in": 3}, "cover.error.order"),
        ("lina", "zhangwei", 1, {"start_in": -5}, "cover.error.past"),
        ("lina", "zhangwei", 24 * 15, {}, "cover.error.too_long"),
        ("lina", "nobody", 2, {}, "error.unknown_person"),
        ("lina", "zhangwei", 2, {"team": "nope"}, "cover.error.team"),
        ("lina", "zhangwei", 2, {"team": "tech"}, "cover.error.not_on_roster"),
        ("lina", "chenjing", 2, {"team": "cs"}, "cover.error.not_on_roster"),  # a supervisor has no turn there
        ("lina", "zhangwei", 2, {"start_in": -1}, "cover.error.backdated"),
    ],
)
def test_bad_covers_are_refused_by_name(store, ctx, person, covers, hours, kw, key):
    with pytest.raises(InputError) as err:
        _cover(store, ctx, person, covers, hours=hours, **kw)
    assert err.value.key == key
    assert not roster_overrides.may_arrange(dataclasses.replace(ctx, actor="wangfang"), "lina", "zhangwei", False)
    assert roster_overrides.may_arrange(dataclasses.replace(ctx, actor="lina"), "lina", "zhangwei", False)


def test_one_cover_at_a_time_and_never_both_ways(store, ctx):
    first = _cover(store, ctx, "lina", "zhangwei", hours=4)
    with pytest.raises(ConflictError) as err:
        _cover(store, ctx, "emily", "zhangwei", hours=2, start_in=1)  # inside the first
    assert err.value.key == "cover.error.overlap" and err.value.params["id"] == first.id
    with pytest.raises(ConflictError) as err:
        _cover(store, ctx, "zhangwei", "lina", hours=2)  # lina covers him; he cannot cover her
    assert err.value.key == "cover.error.circular"
    _cover(store, ctx, "emily", "zhangwei", hours=2, start_in=4)  # after it: fine


def test_the_escalation_chain_tries_whoever_covers_for_the_deputy(store, ctx, clock):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="other", severity=3, title="x").id
    assert _holder(store, iid, "incident_lead").person == "zhangwei"
    _cover(store, ctx, "liuyang", "lina")  # lina, the ops deputy, is off tonight
    clock.advance(minutes=30)
    with store.transaction() as s:
        done = {e.role: (e.level, e.supervisor) for e in escalation.sweep(s, ctx) if e.clock is None}
    assert done["incident_lead"] == ("deputy", "liuyang")


def test_cover_from_the_command_line(cli):  # noqa: F811
    added = cli("cover", "add", "--for", "zhangwei", "--until", "2026-11-24 20:00", INCIDENT_ACTOR="lina").stdout
    assert "代班 1" in added and "李娜" in added and "张伟" in added
    listed = cli("cover", "list", lang="en").stdout
    assert "Covers" in listed and "李娜" in listed
    roster = cli("roster").stdout
    assert "李娜" in roster and "代班（替 张伟" in roster
    ops = next(r for r in json.loads(cli("roster", "--json").stdout)["teams"] if r["team"] == "ops")
    assert (ops["on_call"], ops["source"], ops["covering_for"]) == ("lina", "cover", "zhangwei")
    declared = cli("declare", "--kind", "other", "--severity", "3", "--title", "夜间故障").stdout
    assert "李娜" in declared or "李娜" in cli("show", "1").stdout
    assert "cancelled" in cli("cover", "cancel", "1", INCIDENT_ACTOR="lina", lang="en").stdout
    bad = cli("cover", "add", "--for", "zhangwei", "--until", "2026-11-23 20:00", ok=False, INCIDENT_ACTOR="lina")
    assert bad.returncode != 0 and "结束时间已过" in bad.stderr


def test_cover_from_the_web(store, ctx, db_url):
    rt = web_runtime(db_url, ctx.config, ctx.clock)
    add_user(rt, "lina", "lead")
    add_user(rt, "wangfang", "agent")
    with LiveServer(create_app(rt)) as srv:
        client, token = login(srv.base, "lina")
        page = client.get("/me").text
        assert 'id="cover"' in page and "我来代班" in page
        r = client.post(
            "/me/cover", data={"csrf": token, "for": "zhangwei", "until": "2026-11-24T20:00"}, follow_redirects=True
        )
        assert r.status_code == 200 and "已安排：您替 张伟 (zhangwei) 值班" in r.text
        [cover] = [line for line in r.text.splitlines() if 'id="cover-1"' in line]
        assert "李娜" in cover
        missing = client.post("/me/cover", data={"csrf": token, "for": "zhangwei"}, follow_redirects=True)
        assert "请填写代班的结束时间" in missing.text
        agent, agent_token = login(srv.base, "wangfang")
        refused = agent.post("/me/cover/1/cancel", data={"csrf": agent_token}, follow_redirects=True)
        assert "代班 1 与您无关" in refused.text
        done = client.post("/me/cover/1/cancel", data={"csrf": csrf_of(client.get("/me").text)}, follow_redirects=True)
        assert "代班已取消" in done.text and 'id="cover-1"' not in done.text
