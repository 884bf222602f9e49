"""Escalation of unacknowledged roles, with an injected clock."""

import io

from sqlalchemy import select

from incident import escalation, incidents, response
from incident.models import OutboxMessage
from incident.notify import deliver_due
from incident.notify_channels import ConsoleNotifier


def test_first_step_at_the_deadline_then_one_delay_later(store, ctx, clock):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    with store.transaction() as s:
        incidents.acknowledge(s, ctx, iid, "lead")  # the lead acks in time
    clock.advance(minutes=9, seconds=59)  # SEV2: 10 minutes
    with store.transaction() as s:
        assert escalation.sweep(s, ctx) == []
    clock.advance(seconds=1)
    with store.transaction() as s:
        done = escalation.sweep(s, ctx)
    roles = sorted(e.role for e in done)
    assert roles == ["comms_lead", "cs_lead", "scribe", "tech_liaison"]  # not the acked lead
    # the first level is the team's deputy (the rotation's other member);
    # tech has nobody else, so its supervisor hears first
    told = {e.role: (e.level, e.supervisor) for e in done}
    assert told == {
        "comms_lead": ("deputy", "sunli"),
        "cs_lead": ("deputy", "wangfang"),
        "scribe": ("deputy", "wangfang"),
        "tech_liaison": ("supervisor", "liuyang"),
    }
    clock.advance(minutes=9)
    with store.transaction() as s:
        assert escalation.sweep(s, ctx) == []  # the next step is one delay (10 min) on
    clock.advance(minutes=1)
    with store.transaction() as s:
        second = {e.role: (e.level, e.supervisor) for e in escalation.sweep(s, ctx)}
    # comms: sunli is deputy and supervisor, so the duty manager is next
    assert second["comms_lead"] == ("duty_manager", "chenjing")
    assert second["cs_lead"] == ("supervisor", "chenjing")
    with store.transaction() as s:
        inc = incidents.get(s, iid)
        escalated = [e for e in inc.events if e.type == "escalated"]
        assert len(escalated) == 8 and all(e.actor == "system" for e in escalated)
        msgs = s.scalars(select(OutboxMessage).where(OutboxMessage.message_key == "notify.escalated")).all()
        assert len(msgs) == 8
        reminders = s.scalars(select(OutboxMessage).where(OutboxMessage.message_key == "notify.ack_overdue")).all()
        assert len(reminders) == 4  # each holder once, at the first step


def test_late_ack_after_escalation_is_marked_late(store, ctx, clock):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="other", severity=4, title="低优先级").id
    clock.advance(minutes=61)
    with store.transaction() as s:
        escalation.sweep(s, ctx)
        a, _ = incidents.acknowledge(s, ctx, iid, "cs")
    with store.transaction() as s:
        ev = [e for e in incidents.get(s, iid).events if e.type == "acknowledged"][0]
        assert ev.data["late"] is True


def test_resolved_incidents_do_not_escalate(store, ctx, clock):
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="other", severity=1, title="误报").id
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "resolved", note="false alarm")
    clock.advance(hours=1)
    with store.transaction() as s:
        assert escalation.sweep(s, ctx) == []


def test_notifications_delivered_once_in_the_recipients_language(store, ctx, clock):
    with store.transaction() as s:
        response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败")
    clock.advance(minutes=11)
    with store.transaction() as s:
        escalation.sweep(s, ctx)
    out = io.StringIO()
    notifier = ConsoleNotifier(out)
    sent = deliver_due(store, ctx.config, {"console": notifier}, clock.now).sent
    assert deliver_due(store, ctx.config, {"console": notifier}, clock.now).sent == 0
    lines = out.getvalue().splitlines()
    assert sent == len(lines) > 0
    emily = [line for line in lines if "Emily" in line]  # English speaker
    assert any("you are called in as comms lead" in line for line in emily)
    sunli = [line for line in lines if "孙丽" in line]
    assert any("升级" in line and "公关负责人" in line for line in sunli)


def test_failed_delivery_is_kept_and_retried(store, ctx, clock):
    class Down:
        channel = "console"

        def send(self, delivery):
            raise ConnectionError("unreachable")

    with store.transaction() as s:
        response.declare(s, ctx, kind="other", severity=4, title="x")
    assert deliver_due(store, ctx.config, {"console": Down()}, clock.now).sent == 0
    with store.transaction() as s:
        rows = s.scalars(select(OutboxMessage)).all()
        assert rows and all(r.status == "pending" and "unreachable" in r.last_error for r in rows)
    out = io.StringIO()
    clock.advance(minutes=1)
    assert deliver_due(store, ctx.config, {"console": ConsoleNotifier(out)}, clock.now).sent == len(rows)
