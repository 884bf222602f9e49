"""Escalation along the configured chain (deputy, supervisor, the centre's
duty manager), repeated until acknowledged, never to the holder themself
and never to the same person twice in a row; injected clock."""

import datetime as dt

from sqlalchemy import select

from incident import escalation, incidents, response
from incident.events import event_text
from incident.models import OutboxMessage, RoleAssignment


def _holder(store, iid, role):
    with store.transaction() as s:
        return s.scalars(
            select(RoleAssignment.person).where(RoleAssignment.incident_id == iid, RoleAssignment.role == role)
        ).one()


def _walk(store, ctx, clock, steps, minutes):
    """Sweep ``steps`` times, one delay apart: {role: [who was told, …]}."""
    told: dict[str, list[str]] = {}
    for _ in range(steps):
        with store.transaction() as s:
            for e in escalation.sweep(s, ctx):
                if e.clock is None:
                    told.setdefault(e.role, []).append(e.supervisor)
        clock.advance(minutes=minutes)
    return told


def test_the_chain_in_order_round_after_round(store, ctx, clock):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    lead = _holder(store, iid, "incident_lead")
    deputy = {"zhangwei": "lina", "lina": "zhangwei"}[lead]  # ops rotates the two
    clock.advance(minutes=10)  # SEV2: acknowledge within 10 minutes, then a step every 10
    told = _walk(store, ctx, clock, 7, 10)
    assert told["incident_lead"] == [deputy, "liuyang", "chenjing", deputy, "liuyang", "chenjing", deputy]
    # tech has one member and no deputy: supervisor, duty manager, again
    assert told["tech_liaison"] == ["liuyang", "chenjing"] * 3 + ["liuyang"]
    for people in told.values():
        assert all(a != b for a, b in zip(people, people[1:], strict=False))
    with store.transaction() as s:
        inc = incidents.get(s, iid)
        steps = [e for e in inc.events if e.type == "escalated" and e.data["role"] == "incident_lead"]
        assert [e.data["level"] for e in steps[:4]] == ["deputy", "supervisor", "duty_manager", "deputy"]
        assert [e.data["round"] for e in steps[:4]] == [1, 1, 1, 2]
        assert all(e.data["channel"] == "console" and e.actor == "system" for e in steps)
        zh = event_text(steps[1], "zh-CN")
        assert "主管" in zh and "刘洋" in zh and "第 1 轮" in zh and "控制台" in zh
        assert "the centre's duty manager" in event_text(steps[2], "en")


def test_never_to_the_holder_themself(store, ctx, clock):
    """孙丽 holds legal and supervises legal: she is not told about herself."""
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="public_opinion", severity=1, title="微博热搜").id
    assert _holder(store, iid, "legal_liaison") == "sunli"
    clock.advance(minutes=30)  # legal has 30 minutes whatever the severity
    told = _walk(store, ctx, clock, 3, 5)
    assert told["legal_liaison"] == ["chenjing", "chenjing", "chenjing"]  # the one person left, repeated
    with store.transaction() as s:
        to_sunli = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient == "sunli", OutboxMessage.message_key == "notify.escalated"
            )
        ).all()
        assert all(m.params["role"] != "legal_liaison" for m in to_sunli)


def test_acknowledging_stops_the_chain_and_a_retry_adds_nothing(store, ctx, clock):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    clock.advance(minutes=10)
    with store.transaction() as s:
        first = escalation.sweep(s, ctx)
    with store.transaction() as s:
        assert escalation.sweep(s, ctx) == []  # the same moment again: nothing more
    with store.transaction() as s:
        n_msgs = len(
            s.scalars(
                select(OutboxMessage).where(OutboxMessage.message_key.in_(["notify.escalated", "notify.ack_overdue"]))
            ).all()
        )
        for role in {e.role for e in first}:
            incidents.acknowledge(s, ctx, iid, role)
    clock.advance(hours=2)
    with store.transaction() as s:
        assert [e for e in escalation.sweep(s, ctx) if e.clock is None] == []  # statement clocks apart
        assert (
            len(
                s.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.message_key.in_(["notify.escalated", "notify.ack_overdue"])
                    )
                ).all()
            )
            == n_msgs
        )


def test_rounds_end_the_chain_and_say_so(store, ctx, clock):
    policy = ctx.config.response.escalation.model_copy(update={"rounds": 1})
    responding = ctx.config.response.model_copy(update={"escalation": policy})
    ctx = ctx.__class__(config=ctx.config.model_copy(update={"response": responding}), actor="tester", clock=clock)
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="other", severity=4, title="低优先级").id
    clock.advance(minutes=60)
    told = _walk(store, ctx, clock, 5, 30)
    assert len(told["incident_lead"]) == 3  # deputy, supervisor, duty manager: one round
    # cs: the supervisor is also the duty manager — told once, not twice in a row
    cs_deputy = {"wangfang": "zhoumin", "zhoumin": "wangfang"}[_holder(store, iid, "cs_lead")]
    assert told["cs_lead"] == [cs_deputy, "chenjing"]
    with store.transaction() as s:
        inc = incidents.get(s, iid)
        ended = [e for e in inc.events if e.type == "escalation_ended" and e.data["role"] == "incident_lead"]
        assert len(ended) == 1
        assert "nobody else is left" in event_text(ended[0], "en")
        row = s.scalars(
            select(RoleAssignment).where(RoleAssignment.incident_id == iid, RoleAssignment.role == "incident_lead")
        ).one()
        assert row.next_escalation_at is None and row.escalation_step == 3


def test_a_severity_change_retimes_the_next_step(store, ctx, clock):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="other", severity=4, title="x").id
    clock.advance(minutes=60)
    with store.transaction() as s:
        escalation.sweep(s, ctx)  # SEV4: the next step 30 minutes on
        incidents.update(s, ctx, iid, severity=1)
    with store.transaction() as s:
        row = s.scalars(
            select(RoleAssignment).where(RoleAssignment.incident_id == iid, RoleAssignment.role == "incident_lead")
        ).one()
        assert row.next_escalation_at == clock.now() + dt.timedelta(minutes=5)  # SEV1's pace from the last step
        retimed = [e for e in incidents.get(s, iid).events if e.type == "deadlines_retimed"]
        assert retimed and "incident_lead" in retimed[-1].data["roles"]
    clock.advance(minutes=5)
    with store.transaction() as s:
        assert any(e.role == "incident_lead" for e in escalation.sweep(s, ctx))
    clock.advance(minutes=4)
    with store.transaction() as s:
        assert not any(e.role == "incident_lead" for e in escalation.sweep(s, ctx))
    # and back down: SEV4 again, the step after waits SEV4's 30 minutes from the last one
    with store.transaction() as s:
        incidents.update(s, ctx, iid, severity=4)
        row = s.scalars(
            select(RoleAssignment).where(RoleAssignment.incident_id == iid, RoleAssignment.role == "incident_lead")
        ).one()
        assert row.next_escalation_at == clock.now() - dt.timedelta(minutes=4) + dt.timedelta(minutes=30)


def test_each_level_waits_its_own_delay(store, ctx, clock):
    """The duty manager only after 25 minutes at SEV2; the other levels 10."""
    policy = ctx.config.response.escalation.model_copy(update={"level_delay_minutes": {"duty_manager": {2: 25}}})
    responding = ctx.config.response.model_copy(update={"escalation": policy})
    ctx = ctx.__class__(config=ctx.config.model_copy(update={"response": responding}), actor="tester", clock=clock)
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id

    def lead_row():
        with store.transaction() as s:
            return s.scalars(
                select(RoleAssignment).where(RoleAssignment.incident_id == iid, RoleAssignment.role == "incident_lead")
            ).one()

    clock.advance(minutes=10)
    steps = []
    for _ in range(3):
        with store.transaction() as s:
            steps += [e.level for e in escalation.sweep(s, ctx) if e.role == "incident_lead"]
        waited = lead_row().next_escalation_at - clock.now()
        steps.append(int(waited.total_seconds() // 60))
        clock.advance(seconds=waited.total_seconds())
    # deputy, then 10 min to the supervisor, then 25 to the duty manager, then 10 to next round's deputy
    assert steps == ["deputy", 10, "supervisor", 25, "duty_manager", 10]
