"""Reaching people: each person's channels in order of preference, quiet
hours by severity, e-mail through a real SMTP server on 127.0.0.1, SMS
through an HTTP provider on 127.0.0.1 (failures, 429s, moving on to the
next channel), and every send made after its claim was committed."""

from __future__ import annotations

import datetime as dt
import email
import io
from email import policy

import pytest
from conftest import EXAMPLE
from sqlalchemy import select

from incident import acklinks, escalation, incidents, response
from incident.adapters.http_provider import HttpProviderConfig
from incident.config import SmtpConfig, load_config
from incident.errors import ConfigError
from incident.events import event_text
from incident.models import OutboxMessage
from incident.notify import deliver_due
from incident.notify_channels import ConsoleNotifier, notifiers, plan
from tests.providerserver import ProviderServer
from tests.test_cli import cli  # noqa: F401  (fixture: the installed console script)
from tests.test_publishing import smtp_server  # noqa: F401  (fixture: aiosmtpd on 127.0.0.1)

SECRET = "pager-signing-secret-0123456789"
ENV = {"PAGER_SECRET": SECRET}
TEMPLATE = '{"to": {to}, "text": {text}, "ref": {key}}'


def _person(config, key, **changes):
    people = {**config.people, key: config.people[key].model_copy(update=changes)}
    return config.model_copy(update={"people": people})


def _with(ctx, config):
    return ctx.__class__(config=config, actor=ctx.actor, clock=ctx.clock)


def _provider_config(url):
    return HttpProviderConfig(url=url, body_template=TEMPLATE, signing_secret_env="PAGER_SECRET", timeout_seconds=5)


def test_plan_follows_preference_and_quiet_hours(config):
    from incident.config import QuietHours

    quiet = QuietHours(start="22:00", end="07:00", loud_for=[1])
    smtp = SmtpConfig(host="127.0.0.1", port=25)
    cfg = _person(config, "zhangwei", notify=["sms", "email", "inbox"], pager_id="c-1", quiet_hours=quiet)
    cfg = cfg.model_copy(update={"smtp": smtp})
    day = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Shanghai
    night = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.timezone.utc)  # 23:30 in Shanghai
    assert plan(cfg, "zhangwei", "SEV3", day) == ["sms", "email", "inbox"]
    # the inbox is always the last resort
    assert plan(_person(config, "lina", notify=["console"]), "lina", "SEV3", day) == ["console", "inbox"]
    assert plan(cfg, "zhangwei", "SEV3", night) == ["email", "inbox"]  # quiet: SMS waits
    assert plan(cfg, "zhangwei", "SEV1", night) == ["sms", "email", "inbox"]  # SEV1 breaks through
    assert plan(cfg, "zhangwei", None, night) == ["email", "inbox"]
    only_loud = _person(config, "lina", notify=["voice"], pager_id="c-2", quiet_hours=quiet)
    assert plan(only_loud, "lina", "SEV2", night) == ["inbox"]  # nothing left: the inbox keeps it
    assert plan(cfg, "nobody-in-roster", "SEV1", day) == ["console"]


@pytest.mark.parametrize(
    "person, needs",
    [
        ('notify = ["email"]', "people.zhangwei.email"),
        ('notify = ["sms"]\npager_id = "c-1"', "[messaging.sms]"),
        ('notify = ["voice"]', "people.zhangwei.pager_id"),
    ],
)
def test_a_channel_that_cannot_reach_anyone_is_refused_at_start(tmp_path, person, needs):
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count('notify = ["console"]') == 1  # zhangwei's, in the example
    text = text.replace('notify = ["console"]', person, 1)
    if needs == "people.zhangwei.email":
        text = text.replace('email = "zhang.wei@example.com"\n', "", 1)
    path = tmp_path / "incident.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = err.value.message("en")
    assert "people.zhangwei.notify" in message and needs in message, message
    assert "people.zhangwei.notify" in err.value.message("zh-CN")


def test_email_through_smtp_with_the_acknowledge_link(store, ctx, smtp_server):  # noqa: F811
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_server.port, sender="oncall@example.com")
    config = _person(ctx.config, "zhaolei", notify=["email", "console"]).model_copy(update={"smtp": smtp})
    ctx = _with(ctx, config)
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
    out = io.StringIO()
    report = deliver_due(
        store,
        config,
        notifiers(config, ENV, ctx.clock, out),
        ctx.clock.now,
        links=lambda s: acklinks.link_maker(s, config, ctx.clock.now()),
    )
    assert report.failed == 0 and report.sent >= 1
    person = config.people["zhaolei"]
    [raw] = smtp_server.to(person.email)
    mail = email.message_from_bytes(raw, policy=policy.default)
    body = mail.get_body(("plain",)).get_content()
    assert mail["Subject"].startswith("[事件通知]") and "INC-" in body and "/ack/" in body
    assert "赵磊" not in out.getvalue()  # e-mail first: not also on the console
    with store.transaction() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "zhaolei")).one()
        assert (row.channel, row.status) == ("email", "sent") and row.incident_id == iid


def test_sms_first_then_email_when_the_provider_refuses(store, ctx, smtp_server):  # noqa: F811
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_server.port, sender="oncall@example.com")
    with ProviderServer(secret=SECRET) as provider:
        messaging = ctx.config.messaging.model_copy(update={"sms": _provider_config(provider.url)})
        config = _person(ctx.config, "zhaolei", notify=["sms", "email"], pager_id="c-1029")
        config = config.model_copy(update={"smtp": smtp, "messaging": messaging})
        ctx = _with(ctx, config)
        chans = notifiers(config, ENV, ctx.clock, io.StringIO())
        with store.transaction() as s:
            response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败")
        # first: the provider is busy (429, Retry-After 120 s) — SMS again, not before then
        provider.busy_next("120")
        first = deliver_due(store, config, chans, ctx.clock.now)
        assert first.retrying == 1 and smtp_server.to(config.people["zhaolei"].email) == []
        ctx.clock.advance(seconds=119)
        assert deliver_due(store, config, chans, ctx.clock.now).sent == 0
        ctx.clock.advance(seconds=1)
        second = deliver_due(store, config, chans, ctx.clock.now)
        assert second.sent >= 1
        [sms] = provider.sent
        assert sms["to"] == "c-1029" and "INC-" in sms["text"]
        # the reminder after the deadline: the provider refuses it for good → e-mail
        ctx.clock.advance(minutes=10)
        with store.transaction() as s:
            done = escalation.sweep(s, ctx)
            assert done
        provider.fail_next(400, b'{"error": "contact c-1029 unsubscribed"}')
        third = deliver_due(store, config, chans, ctx.clock.now)
        assert third.moved_on == 1
        fourth = deliver_due(store, config, chans, ctx.clock.now)
        assert fourth.sent >= 1
        [mail] = smtp_server.to(config.people["zhaolei"].email)
        text = email.message_from_bytes(mail, policy=policy.default).get_body(("plain",)).get_content()
        assert "提醒" in text and "技术对接人" in text
        with store.transaction() as s:
            reminder = s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.recipient == "zhaolei", OutboxMessage.message_key == "notify.ack_overdue"
                )
            ).one()
            assert (reminder.channel, reminder.status) == ("email", "sent")
            assert reminder.params["_tried"] == ["sms"] and reminder.last_error is None
            [moved] = [e for e in incidents.get(s, reminder.incident_id).events if e.type == "notice_rerouted"]
            text = event_text(moved, "zh-CN")
            assert "赵磊" in text and "短信" in text and "邮件" in text and "unsubscribed" in text


def test_each_send_happens_after_its_claim_is_committed(store, ctx):
    seen: list[str] = []

    class Watching(ConsoleNotifier):
        def send(self, delivery):
            # another transaction sees the row claimed: nothing is held open
            with store.transaction() as s:
                row = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == delivery.key)).one()
                seen.append(row.status)
            return super().send(delivery)

    with store.transaction() as s:
        response.declare(s, ctx, kind="other", severity=4, title="x")
    report = deliver_due(store, ctx.config, {"console": Watching(io.StringIO())}, ctx.clock.now)
    assert report.sent == len(seen) > 0 and set(seen) == {"sending"}


def test_a_delivery_receipt_settles_the_message_or_moves_it_on(store, ctx, db_url, smtp_server, monkeypatch):  # noqa: F811
    import httpx

    from incident.web.app import create_app
    from tests.providerserver import signed_receipt
    from tests.webserver import LiveServer
    from tests.webutil import web_runtime

    receipts = "pager-receipt-secret-0123456789"
    monkeypatch.setenv("PAGER_SECRET", SECRET)
    monkeypatch.setenv("PAGER_RECEIPTS", receipts)
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_server.port, sender="oncall@example.com")
    with ProviderServer(secret=SECRET) as provider:
        sms = _provider_config(provider.url).model_copy(update={"receipt_secret_env": "PAGER_RECEIPTS"})
        config = _person(ctx.config, "zhaolei", notify=["sms", "email"], pager_id="c-1029")
        config = _person(config, "zhangwei", notify=["sms"], pager_id="c-3000")  # the lead, called in too
        messaging = config.messaging.model_copy(update={"sms": sms})
        config = config.model_copy(update={"smtp": smtp, "messaging": messaging})
        ctx = _with(ctx, config)
        rt = web_runtime(db_url, config, ctx.clock)
        with store.transaction() as s:
            response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败")
        rt.deliver()
        refs = {m["to"]: provider.refs[k] for k, m in zip(provider.refs, provider.sent, strict=True)}
        stamp = int(ctx.clock.now().timestamp())
        with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as web:
            url = "/api/messaging/sms/receipts"
            body, headers = signed_receipt(receipts, stamp, refs["c-1029"], "undelivered", "handset off")
            moved = web.post(url, content=body, headers=headers)
            assert moved.status_code == 200 and moved.json()["outcome"] == "moved_on"
            assert web.post(url, content=body, headers=headers).json()["outcome"] == "unknown"  # no longer on SMS
            [mail] = smtp_server.to(config.people["zhaolei"].email)  # the next channel, sent straight away
            text = email.message_from_bytes(mail, policy=policy.default).get_body(("plain",)).get_content()
            assert "INC-1" in text and "技术对接人" in text
            tampered = web.post(url, content=body.replace(b"undelivered", b"delivered"), headers=headers)
            assert tampered.status_code == 422 and tampered.json()["error"] == "provider.error.bad_signature"
            body, headers = signed_receipt(receipts, stamp, refs["c-3000"], "delivered")
            assert web.post(url, content=body, headers=headers).json()["outcome"] == "reached"
            assert web.post(url, content=body, headers=headers).json()["outcome"] == "unchanged"  # a replay
            body, headers = signed_receipt(receipts, stamp, "msg-9999", "delivered")
            assert web.post(url, content=body, headers=headers).status_code == 404
            assert web.post("/api/messaging/fax/receipts", content=b"{}").status_code == 404
        with store.transaction() as s:
            row = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "zhaolei")).one()
            assert (row.channel, row.status, row.params["_tried"]) == ("email", "sent", ["sms"])
            lead = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "zhangwei")).one()
            assert (lead.channel, lead.status) == ("sms", "delivered")


def test_a_slack_direct_message_and_without_slack_the_next_channel(store, ctx):
    from incident.adapters.slack import SlackGateway
    from tests.slackserver import SlackServer

    token = "xoxb-test-token"
    with SlackServer(token=token, users={"zhao.lei@example.com": "U0ZHAOLEI"}) as server:
        slack = ctx.config.slack.model_copy(update={"base_url": server.base_url})
        config = _person(ctx.config, "zhaolei", notify=["slack", "inbox"], slack_id="U0ZHAOLEI")
        config = config.model_copy(update={"slack": slack})
        ctx = _with(ctx, config)
        with store.transaction() as s:
            response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败")
        chans = notifiers(config, ENV, ctx.clock, io.StringIO(), slack=SlackGateway(token, slack))
        assert deliver_due(store, config, chans, ctx.clock.now).failed == 0
        [dm] = [c for c in server.channels.values() if c.get("is_im")]
        assert dm["members"] == [server.bot_user_id, "U0ZHAOLEI"]
        [msg] = server.messages(dm["id"])
        assert "INC-1" in msg["text"] and "技术对接人" in msg["text"]
        assert server.violations == []  # every call as Slack describes it
        # a process without Slack: the message moves on to the inbox instead of waiting
        ctx.clock.advance(minutes=10)
        with store.transaction() as s:
            escalation.sweep(s, ctx)
        bare = notifiers(config, ENV, ctx.clock, io.StringIO(), slack=None)
        assert deliver_due(store, config, bare, ctx.clock.now).moved_on == 1
        deliver_due(store, config, bare, ctx.clock.now)
        with store.transaction() as s:
            reminder = s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.recipient == "zhaolei", OutboxMessage.message_key == "notify.ack_overdue"
                )
            ).one()
            assert (reminder.channel, reminder.status, reminder.params["_tried"]) == ("inbox", "sent", ["slack"])


@pytest.mark.parametrize(
    "person, reason",
    [
        ('pager_id = "+86 138 1234 5678"', "not a phone number"),
        ('quiet_hours = { start = "22:00", end = "22:00" }', "same time"),
        ('quiet_hours = { start = "25:00", end = "07:00" }', "HH:MM"),
    ],
)
def test_pager_ids_and_quiet_hours_are_checked(tmp_path, person, reason):
    text = EXAMPLE.read_text(encoding="utf-8").replace('notify = ["console"]', person, 1)
    path = tmp_path / "incident.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert reason in err.value.message("en") and "people.zhangwei" in err.value.message("en")


def test_a_provider_without_its_secret_moves_messages_on_and_config_check_says_so(store, ctx, cli, tmp_path):  # noqa: F811
    with ProviderServer(secret=SECRET) as provider:
        messaging = ctx.config.messaging.model_copy(update={"sms": _provider_config(provider.url)})
        config = _person(ctx.config, "zhaolei", notify=["sms", "console"], pager_id="c-1029")
        config = config.model_copy(update={"messaging": messaging})
        ctx = _with(ctx, config)
        with store.transaction() as s:
            response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败")
        out = io.StringIO()
        chans = notifiers(config, {}, ctx.clock, out)  # PAGER_SECRET is not set here
        assert deliver_due(store, config, chans, ctx.clock.now).moved_on == 1
        deliver_due(store, config, chans, ctx.clock.now)
        assert "赵磊" in out.getvalue() and provider.sent == []
    toml = EXAMPLE.read_text(encoding="utf-8") + (
        '\n[messaging.sms]\nurl = "https://sms.example.com/send"\n'
        'body_template = \'{"to": {to}, "text": {text}}\'\nsigning_secret_env = "PAGER_SECRET"\n'
    )
    path = tmp_path / "incident.toml"
    path.write_text(toml, encoding="utf-8")
    checked = cli("config", "check", ok=False, lang="en", INCIDENT_CONFIG=str(path))
    assert checked.returncode == 1 and "PAGER_SECRET is not set" in checked.stdout
    assert "messaging.sms.signing_secret_env" in checked.stdout
    assert cli("config", "check", INCIDENT_CONFIG=str(path), PAGER_SECRET="x" * 20).returncode == 0
