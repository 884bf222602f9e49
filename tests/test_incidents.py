"""The incident service on a real database (SQLite, and PostgreSQL in CI)."""

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from incident import incidents, response
from incident.enums import EventType
from incident.errors import ConflictError, InputError, NotFoundError, TransitionError
from incident.models import OutboxMessage, TimelineEvent


def declare(store, ctx, **kw):
    args = dict(kind="system_outage", severity=2, title="APP 登录失败")
    args.update(kw)
    with store.transaction() as s:
        return response.declare(s, ctx, **args).id


def load(store, iid):
    with store.transaction() as s:
        return incidents.get(s, iid)


def test_declare_assembles_the_group_on_call_now(store, ctx):
    iid = declare(store, ctx)
    inc = load(store, iid)
    group = {a.role: a.person for a in inc.assignments if a.ended_at is None}
    # SEV2 outage: base roles + comms (SEV1–3) + tech; no legal, no business.
    assert group == {
        "incident_lead": "zhangwei",  # weekly rotation, 2026-11-24 is in zhangwei's turn
        "comms_lead": "emily",
        "cs_lead": "zhoumin",  # daily rotation: 2026-11-24 08:00 → zhoumin
        "scribe": "zhoumin",
        "tech_liaison": "zhaolei",
    }
    types = [ev.type for ev in inc.events]
    assert types[0] == "declared" and types.count("role_assigned") == 5
    due = {a.role: a.ack_due_at for a in inc.assignments}
    assert due["incident_lead"] == ctx.clock.now() + dt.timedelta(minutes=10)
    with store.transaction() as s:
        called = s.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.message_key == "notify.role_called")
        ).all()
    assert sorted(called) == sorted(["zhangwei", "emily", "zhoumin", "zhoumin", "zhaolei"])


@pytest.mark.parametrize(
    "kind,sev,legal",
    [
        ("public_opinion", 1, True),
        ("public_opinion", 2, True),
        ("public_opinion", 3, False),
        ("system_outage", 1, False),
    ],
)
def test_legal_only_for_sev1_2_public_opinion(store, ctx, kind, sev, legal):
    inc = load(store, declare(store, ctx, kind=kind, severity=sev))
    assert ("legal_liaison" in {a.role for a in inc.assignments}) is legal


def test_raising_severity_calls_in_the_roles_it_adds(store, ctx):
    iid = declare(store, ctx, kind="public_opinion", severity=3)
    with store.transaction() as s:
        changed = incidents.update(s, ctx, iid, severity="SEV1", summary="微博热搜")
    assert set(changed) == {"severity", "summary"}
    inc = load(store, iid)
    assert "legal_liaison" in {a.role for a in inc.assignments}
    assert [e.type for e in inc.events].count("updated") == 1


def test_status_flow_and_refusals(store, ctx, clock):
    iid = declare(store, ctx)
    with store.transaction() as s, pytest.raises(TransitionError):
        response.change_status(s, ctx, iid, "closed")
    for target in ("investigating", "identified", "monitoring", "resolved"):
        clock.advance(minutes=5)
        with store.transaction() as s:
            response.change_status(s, ctx, iid, target, note=f"to {target}")
    inc = load(store, iid)
    assert inc.status == "resolved" and inc.resolved_at == clock.now()
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "closed")
    with store.transaction() as s, pytest.raises(TransitionError):
        response.change_status(s, ctx, iid, "investigating")
    with store.transaction() as s, pytest.raises(ConflictError):
        incidents.assign(s, ctx, iid, "lead", "lina")  # a closed incident's group is final
    with store.transaction() as s, pytest.raises(ConflictError):
        incidents.update(s, ctx, iid, severity=1)
    with store.transaction() as s:
        incidents.add_note(s, ctx, iid, "post-incident review on Friday")  # notes stay possible
    inc = load(store, iid)
    changes = [(e.data["from"], e.data["to"]) for e in inc.events if e.type == "status_changed"]
    assert changes == [
        ("declared", "investigating"),
        ("investigating", "identified"),
        ("identified", "monitoring"),
        ("monitoring", "resolved"),
        ("resolved", "closed"),
    ]


def test_refused_change_leaves_nothing_behind(store, ctx):
    iid = declare(store, ctx)
    before = len(load(store, iid).events)
    with pytest.raises(TransitionError):
        with store.transaction() as s:
            incidents.add_note(s, ctx, iid, "this note is in the failed transaction")
            response.change_status(s, ctx, iid, "closed")
    assert len(load(store, iid).events) == before


def test_assign_ack_and_reassign(store, ctx, clock):
    iid = declare(store, ctx)
    with store.transaction() as s:
        incidents.assign(s, ctx, iid, "lead", "李娜")  # by name
    with store.transaction() as s, pytest.raises(ConflictError):
        incidents.assign(s, ctx, iid, "incident_lead", "lina")
    clock.advance(minutes=2)
    with store.transaction() as s:
        a, changed = incidents.acknowledge(s, ctx, iid, "lead")
        assert changed and a.person == "lina"
    with store.transaction() as s:
        a, changed = incidents.acknowledge(s, ctx, iid, "lead")
        assert not changed  # idempotent
    inc = load(store, iid)
    leads = [a for a in inc.assignments if a.role == "incident_lead"]
    assert [a.person for a in leads] == ["zhangwei", "lina"]
    assert leads[0].ended_at is not None and leads[1].ended_at is None
    assert [e.type for e in inc.events].count("acknowledged") == 1


def test_ack_of_vacant_role_and_bad_input(store, ctx):
    iid = declare(store, ctx)
    with store.transaction() as s:
        with pytest.raises(ConflictError):
            incidents.acknowledge(s, ctx, iid, "legal")
        with pytest.raises(InputError):
            incidents.assign(s, ctx, iid, "lead", "nobody-like-this")
        with pytest.raises(InputError):
            incidents.assign(s, ctx, iid, "janitor", "lina")
        with pytest.raises(NotFoundError):
            incidents.get(s, 999)
        with pytest.raises(InputError):
            incidents.add_note(s, ctx, iid, "   ")
        with pytest.raises(InputError):
            response.declare(s, ctx, kind="meteor", severity=1, title="x")
        with pytest.raises(InputError):
            response.declare(s, ctx, kind="other", severity=7, title="x")
        with pytest.raises(InputError):
            response.declare(s, ctx, kind="other", severity=1, title=" ")


def test_dedup_key_one_open_incident(store, ctx):
    first = declare(store, ctx, dedup_key="outage:login")
    with store.transaction() as s, pytest.raises(ConflictError) as err:
        response.declare(s, ctx, kind="system_outage", severity=2, title="again", dedup_key="outage:login")
    assert f"INC-{first}" in err.value.message("en")
    with store.transaction() as s:
        inc, created = response.open_or_attach(
            s,
            ctx,
            dedup_key="outage:login",
            signal={"summary": "502 spike"},
            kind="system_outage",
            severity=2,
            title="login",
        )
        assert (inc.id, created) == (first, False)
    assert [e.data["signal"]["summary"] for e in load(store, first).events if e.type == "signal_attached"] == [
        "502 spike"
    ]
    # once resolved, the key is free again: a new surge is a new incident
    with store.transaction() as s:
        response.change_status(s, ctx, first, "resolved")
    with store.transaction() as s:
        inc, created = response.open_or_attach(
            s,
            ctx,
            dedup_key="outage:login",
            signal={"summary": "again"},
            kind="system_outage",
            severity=2,
            title="login again",
        )
        assert created and inc.id != first


def test_unique_index_backs_the_dedup_rule(store, ctx):
    """Even code that skips the service check cannot open a second one."""
    iid = declare(store, ctx, dedup_key="k1")
    with pytest.raises(DBAPIError):
        with store.transaction() as s:
            s.execute(
                text(
                    "INSERT INTO incidents (kind, severity, status, title, scope_channels, scope_regions,"
                    " scope_products, dedup_key, declared_by, declared_at, updated_at) VALUES ('other', 3,"
                    " 'investigating', 't', '[]', '[]', '[]', 'k1', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
    assert iid


def test_timeline_is_append_only_in_the_database(store, ctx):
    iid = declare(store, ctx)
    for sql in ("UPDATE timeline_events SET actor = 'mallory'", "DELETE FROM timeline_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            with store.transaction() as s:
                s.execute(text(sql))
    with store.transaction() as s:
        assert set(s.scalars(select(TimelineEvent.actor).where(TimelineEvent.incident_id == iid))) == {"tester"}


def test_times_are_stored_utc_and_come_back_aware(store, ctx, clock):
    started = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    iid = declare(store, ctx, started_at=started)
    inc = load(store, iid)
    assert inc.started_at == started and inc.started_at.tzinfo == dt.timezone.utc
    assert inc.declared_at == clock.now()


def test_list_filters(store, ctx, clock):
    ids = {}
    for kind, sev in [("system_outage", 1), ("system_outage", 3), ("batch_complaint", 2), ("public_opinion", 4)]:
        clock.advance(minutes=1)
        ids[(kind, sev)] = declare(store, ctx, kind=kind, severity=sev, title=f"{kind} {sev}")
    with store.transaction() as s:
        response.change_status(s, ctx, ids[("system_outage", 3)], "resolved")
    with store.transaction() as s:
        open_rows = incidents.list_incidents(s, open_only=True)
        assert len(open_rows) == 3
        rows = incidents.list_incidents(s, kinds=["system_outage"], severities=["SEV1", 3])
        assert [r.id for r in rows] == [ids[("system_outage", 3)], ids[("system_outage", 1)]]  # newest first
        assert [r.id for r in incidents.list_incidents(s, statuses=["resolved"])] == [ids[("system_outage", 3)]]
        assert len(incidents.list_incidents(s, search="BATCH")) == 1
        assert len(incidents.list_incidents(s, limit=2)) == 2
        assert incidents.count_incidents(s, kinds=["system_outage"]) == 2
        assert incidents.list_incidents(s, open_only=True, statuses=["resolved"]) == []
        assert incidents.count_incidents(s, open_only=True, statuses=["closed"]) == 0
        assert len(incidents.list_incidents(s, since=clock.now() - dt.timedelta(seconds=90))) == 2


def test_parse_id():
    assert incidents.parse_id("INC-12") == incidents.parse_id("#12") == incidents.parse_id(12) == 12
    with pytest.raises(InputError):
        incidents.parse_id("twelve")


def test_a_new_severity_retimes_the_deadlines_still_owed(store, ctx, clock):
    """SEV3 → SEV1 (003 §2.3): a role still unacknowledged gets SEV1's five
    minutes from when it was called in, not the thirty it was given; an
    acknowledged role and a role with its own fixed time keep theirs; the
    running "next update" clock follows; the timeline says what moved."""
    from incident.events import event_text
    from incident.models import ResponseClock

    iid = declare(store, ctx, kind="public_opinion", severity=3)
    called = clock.now()
    clock.advance(minutes=2)
    with store.transaction() as s:
        incidents.acknowledge(s, ctx, iid, "comms_lead")
        s.add(ResponseClock(incident_id=iid, kind="update", started_at=called, due_at=called + dt.timedelta(hours=4)))
    acked_due = {a.role: a.ack_due_at for a in load(store, iid).assignments}["comms_lead"]
    with store.transaction() as s:
        incidents.update(s, ctx, iid, severity="SEV1")
    inc = load(store, iid)
    due = {a.role: a.ack_due_at for a in inc.assignments if a.ended_at is None}
    assert due["incident_lead"] == called + dt.timedelta(minutes=5)
    assert due["comms_lead"] == acked_due  # acknowledged: nothing owed any more
    assert due["legal_liaison"] == clock.now() + dt.timedelta(minutes=30)  # called in now, its own fixed time
    with store.transaction() as s:
        (update_clock,) = s.scalars(
            select(ResponseClock).where(ResponseClock.incident_id == iid, ResponseClock.kind == "update")
        ).all()
        assert update_clock.due_at == called + ctx.config.wording.update_interval(incidents.parse_severity(1))
    (retimed,) = [ev for ev in inc.events if ev.type == EventType.DEADLINES_RETIMED.value]
    assert "comms_lead" not in retimed.data["roles"] and "incident_lead" in retimed.data["roles"]
    zh, en = event_text(retimed, "zh-CN"), event_text(retimed, "en")
    assert zh.startswith("严重度改为 SEV1，") and "事件负责人" in zh and "下次对外更新的期限" in zh
    assert en.startswith("severity is now SEV1: ") and "incident lead" in en and "_" not in en
    (updated,) = [ev for ev in inc.events if ev.type == EventType.UPDATED.value]
    assert event_text(updated, "zh-CN") == "更新：严重度 SEV3 → SEV1"
    assert event_text(updated, "en") == "updated: severity SEV3 → SEV1"


def test_same_deadlines_add_nothing_to_the_timeline(store, ctx):
    iid = declare(store, ctx, severity=2)
    with store.transaction() as s:
        incidents.update(s, ctx, iid, summary="范围扩大")
    types = [ev.type for ev in load(store, iid).events]
    assert EventType.DEADLINES_RETIMED.value not in types


def test_a_finished_incident_shows_no_running_acknowledgement_clock(store, ctx, clock):
    from rich.console import Console

    from incident.cli.render import ack_state, incident_panel

    iid = declare(store, ctx, severity=3)
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "resolved")
    clock.advance(hours=2)
    inc = load(store, iid)
    lead = next(a for a in inc.assignments if a.role == "incident_lead")
    assert (
        ack_state(lead, clock.now(), ctx.config.zone, "zh-CN", owed=False).plain == "未确认（事件已结束，无需再确认）"
    )
    console = Console(width=200, record=True)
    console.print(incident_panel(inc, ctx.config, clock.now(), "zh-CN"))
    shown = console.export_text()
    assert "无需再确认" in shown and "已超时" not in shown and "剩余" not in shown


def test_scope_lists_take_the_commas_people_type(store, ctx):
    """Regions, products and channels split on , ， and 、 alike, from the
    CLI's repeated options and the web's one field; duplicates once."""
    with store.transaction() as s:
        inc = response.declare(
            s,
            ctx,
            kind="system_outage",
            severity=2,
            title="APP 登录失败",
            regions=["华东、华南，华北", "华东"],
            products=["标快, 特快"],
        )
        iid = inc.id
    inc = load(store, iid)
    assert inc.scope_regions == ["华东", "华南", "华北"] and inc.scope_products == ["标快", "特快"]
