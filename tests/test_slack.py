"""Slack, for real: the product's gateway on the real slack_sdk WebClient
against a local Web API that checks every call against Slack's published
description; inbound commands and buttons signed exactly as Slack signs
them, over a real uvicorn server."""

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from incident import incidents, response
from incident.adapters.slack import SlackGateway, verify
from incident.models import SlackChannel, TimelineEvent
from incident.runtime import Runtime
from incident.slack.sync import sync_all
from incident.web.app import create_app
from incident.wording import workflow
from tests.factories import approved_sheet, as_
from tests.slackserver import SlackServer
from tests.webserver import LiveServer

TOKEN = "xoxb-test-token"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
# The workspace's users: those with a slack_id in examples/incident.toml, and
# others found by e-mail lookup.
DIRECTORY = {
    "zhang.wei@example.com": "U0ZHANGWEI",
    "li.na@example.com": "U0LINA",
    "liu.yang@example.com": "U0LIUYANG",
    "wang.fang@example.com": "U0WANGFANG",
    "chen.jing@example.com": "U0CHENJING",
    "zhao.lei@example.com": "U0ZHAOLEI",
    "emily.carter@example.com": "U0EMILY",
    "sun.li@example.com": "U0SUNLI",
    "zhou.min@example.com": "U0ZHOUMIN",
}


def slack_ctx(ctx, server, **changes):
    slack = ctx.config.slack.model_copy(
        update={"base_url": server.base_url, "response_url_hosts": ["127.0.0.1"], **changes}
    )
    # Emily acts in Slack: her roster entry names her Slack user.
    people = {**ctx.config.people, "emily": ctx.config.people["emily"].model_copy(update={"slack_id": "U0EMILY"})}
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"slack": slack, "people": people}))


@pytest.fixture
def slack():
    with SlackServer(token=TOKEN, users=DIRECTORY) as server:
        yield server
    assert server.violations == []  # every call matched Slack's published description


def gateway(sctx):
    return SlackGateway(TOKEN, sctx.config.slack)


def event_posts(server, channel):
    return [m for m in server.messages(channel) if not m.get("blocks")]


def test_declare_creates_channel_invites_pins_summary_and_posts_timeline(store, ctx, slack):
    sctx = slack_ctx(ctx, slack)
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="system_outage", severity=2, title="APP login fails 登录失败").id
    report = sync_all(store, sctx, gateway(sctx))
    assert report.errors == []
    ch = slack.channel_by_name(f"inc-{iid}-app-login-fails")
    assert ch is not None and ch["is_private"]
    assert slack.calls_to("conversations.create")[0]["is_private"] in ("1", "true", True)
    assert "SEV2" in ch["topic"] and "APP login fails" in ch["topic"]
    # The whole response group: holders with a slack_id by id, the others
    # looked up by e-mail.
    from incident.models import RoleAssignment

    with store.transaction() as s:
        holders = set(s.scalars(select(RoleAssignment.person).where(RoleAssignment.incident_id == iid)))
    people = sctx.config.people
    expected = {people[p].slack_id or DIRECTORY[people[p].email] for p in holders}
    assert len(holders) >= 4 and expected <= set(ch["members"])
    assert slack.calls_to("users.lookupByEmail")
    (pinned,) = ch["pins"]
    summary = ch["messages"][pinned]
    text = json.dumps(summary["blocks"], ensure_ascii=False)
    assert "INC-" in text and "SEV2" in text and "⏳" in text  # roles not yet acknowledged
    assert any(
        e["action_id"].startswith("ack:") for b in summary["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    with store.transaction() as s:
        n_events = len(list(s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == iid))))
    assert len(event_posts(slack, ch["id"])) == n_events  # every timeline event, once

    # A change: the pinned summary is edited in place, the new event posted.
    with store.transaction() as s:
        incidents.acknowledge(s, sctx, iid, "incident_lead")
    calls_before = len(slack.calls_to("chat.postMessage"))
    sync_all(store, sctx, gateway(sctx))
    (update,) = slack.calls_to("chat.update")
    assert update["ts"] == pinned and len(ch["pins"]) == 1
    assert "✅" in json.dumps(ch["messages"][pinned]["blocks"], ensure_ascii=False)
    assert len(slack.calls_to("chat.postMessage")) == calls_before + 1
    # Nothing changed: nothing is sent.
    calls = len(slack.calls)
    sync_all(store, sctx, gateway(sctx))
    assert len(slack.calls) == calls


def test_taken_name_rate_limit_and_missing_membership(store, ctx, slack):
    # Public channels here: a bot removed from one may join it again (a
    # private one it cannot, and that stays an error on the row).
    sctx = slack_ctx(ctx, slack, private_channels=False)
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="batch_complaint", severity=3, title="杭州网点派送延误").id
    slack.add_channel(f"inc-{iid}-batch-complaint")  # someone took the name
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    slack.fail_next("conversations.setTopic", "not_in_channel")
    started = time.monotonic()
    report = sync_all(store, sctx, gateway(sctx))
    assert report.errors == []
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert slack.channel_by_name(f"inc-{iid}-batch-complaint-2") is not None
    assert slack.calls_to("conversations.join")  # removed from the channel: joined again, retried
    with store.transaction() as s:
        row = s.scalar(select(SlackChannel).where(SlackChannel.incident_id == iid))
        assert row.name == f"inc-{iid}-batch-complaint-2" and row.last_error is None


def test_slack_down_never_blocks_the_incident_and_nothing_is_lost(store, ctx, slack, tmp_path, monkeypatch):
    sctx = slack_ctx(ctx, slack)
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="system_outage", severity=3, title="SMS delays").id
    sync_all(store, sctx, gateway(sctx))
    ch = slack.channel_by_name(f"inc-{iid}-sms-delays")
    slack.down()
    # The incident goes on: notes, status changes, all committed.
    for n in range(3):
        with store.transaction() as s:
            incidents.add_note(s, sctx, iid, f"progress {n}")
    with store.transaction() as s:
        response.change_status(s, sctx, iid, "investigating")
    report = sync_all(store, sctx, gateway(sctx))
    assert report.errors and "unreachable" in report.errors[0]
    with store.transaction() as s:
        row = s.scalar(select(SlackChannel).where(SlackChannel.incident_id == iid))
        assert row.attempts == 1 and row.next_attempt_at > sctx.clock.now()
    assert sync_all(store, sctx, gateway(sctx)).incidents == 0  # backing off
    slack.up()
    assert sync_all(store, sctx, gateway(sctx), force=True).errors == []
    with store.transaction() as s:
        n_events = len(list(s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == iid))))
    posted = [m["text"] for m in event_posts(slack, ch["id"])]
    assert len(posted) == n_events and len(set(posted)) == n_events
    assert sum("progress" in p for p in posted) == 3


def test_resolve_posts_final_summary_and_archives_after_the_delay(store, ctx, slack):
    sctx = slack_ctx(ctx, slack, archive_after_hours=2)
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="other", severity=4, title="Printer jam").id
    sync_all(store, sctx, gateway(sctx))
    with store.transaction() as s:
        response.change_status(s, sctx, iid, "resolved")
    sync_all(store, sctx, gateway(sctx))
    ch = slack.channel_by_name(f"inc-{iid}-printer-jam")
    finals = [m for m in slack.messages(ch["id"]) if m.get("blocks") and m["ts"] not in ch["pins"]]
    assert len(finals) == 1 and "最终总结" in json.dumps(finals[0]["blocks"], ensure_ascii=False)
    assert not ch["archived"]
    sctx.clock.advance(hours=2, minutes=1)
    sync_all(store, sctx, gateway(sctx))
    assert ch["archived"]
    calls = len(slack.calls)
    sync_all(store, sctx, gateway(sctx))
    assert len(slack.calls) == calls  # archived: left alone


def test_channel_deleted_in_slack_is_recreated_with_the_story(store, ctx, slack):
    sctx = slack_ctx(ctx, slack)
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="other", severity=4, title="Door stuck").id
    sync_all(store, sctx, gateway(sctx))
    with store.transaction() as s:
        response.change_status(s, sctx, iid, "investigating")
    slack.fail_next("conversations.setTopic", "channel_not_found")
    assert sync_all(store, sctx, gateway(sctx)).errors
    assert sync_all(store, sctx, gateway(sctx), force=True).errors == []
    assert slack.channel_by_name(f"inc-{iid}-door-stuck-2") is not None


# ------------------------------------------------------------------ inbound --


def sign(body: bytes, ts: int, secret: str = SECRET) -> dict[str, str]:
    base = f"v0:{ts}:".encode() + body
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "x-slack-request-timestamp": str(ts),
        "x-slack-signature": sig,
        "content-type": "application/x-www-form-urlencoded",
    }


def test_slacks_own_signature_example_verifies():
    from tests.slackserver import _default_spec_path

    # Beside the Web API description in the shared folder.
    vector = json.loads((_default_spec_path().parent / "signature-test-vector.json").read_text())
    at = dt.datetime.fromtimestamp(int(vector["x_slack_request_timestamp"]) + 60, dt.timezone.utc)
    args = (
        vector["signing_secret"],
        vector["body"].encode(),
        vector["x_slack_request_timestamp"],
        vector["x_slack_signature"],
    )
    assert verify(*args, lambda: at)
    assert (
        sign(vector["body"].encode(), int(vector["x_slack_request_timestamp"]), vector["signing_secret"])[
            "x-slack-signature"
        ]
        == vector["x_slack_signature"]
    )
    late = at + dt.timedelta(minutes=5)
    assert not verify(*args, lambda: late)  # a replay after five minutes
    assert not verify(vector["signing_secret"], vector["body"].encode() + b"x", *args[2:], lambda: at)


@pytest.fixture
def app_server(store, ctx, db_url, slack, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    sctx = slack_ctx(ctx, slack)
    rt = Runtime.build(database_url=db_url)
    rt.config, rt.clock = sctx.config, sctx.clock
    with LiveServer(create_app(rt)) as srv:
        yield srv, sctx


def wait_for(server, key, timeout=20):
    deadline = time.monotonic() + timeout
    while key not in server.responses and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.responses[key]["text"]


def test_slash_commands_answer_at_once_and_do_the_work(app_server, slack, store):
    srv, sctx = app_server
    now = int(sctx.clock.now().timestamp())
    n = iter(range(100))

    def command(text, user="U0ZHANGWEI"):
        key = f"r{next(n)}"
        body = urlencode(
            {
                "command": "/incident",
                "text": text,
                "user_id": user,
                "response_url": slack.response_url(key),
                "team_id": "T0TEAM0001",
                "channel_id": "C1",
            }
        ).encode()
        started = time.monotonic()
        r = httpx.post(f"{srv.base}/slack/commands", content=body, headers=sign(body, now))
        assert r.status_code == 200 and time.monotonic() - started < 3
        return r.json()["text"], key

    ack, key = command("declare system_outage 2 Payment page down")
    assert "正在处理" in ack
    assert "已宣布 INC-1" in wait_for(slack, key)
    assert slack.channel_by_name("inc-1-payment-page-down") is not None  # the channel follows at once
    assert "排查中" in wait_for(slack, command("status INC-1 investigating")[1])
    assert "已在 INC-1 记录备注" in wait_for(slack, command('note 1 "failover started"')[1])
    assert "刘洋" in wait_for(slack, command("assign INC-1 tech <@U0LIUYANG|liuyang>")[1])
    # Acknowledging is for the holder only.
    assert "只有" in wait_for(slack, command("ack INC-1 tech", user="U0ZHANGWEI")[1])
    assert "已确认" in wait_for(slack, command("ack INC-1 tech", user="U0LIUYANG")[1])
    assert "不在花名册" in wait_for(slack, command("status 1", user="U0NOBODY")[1])
    help_text, _ = command("help")
    assert "/incident declare" in help_text

    # Unsigned, wrongly signed or stale requests are refused before anything is read.
    body = urlencode({"command": "/incident", "text": "declare other 4 x", "user_id": "U0ZHANGWEI"}).encode()
    assert httpx.post(f"{srv.base}/slack/commands", content=body).status_code == 401
    assert httpx.post(f"{srv.base}/slack/commands", content=body, headers=sign(body, now, "wrong")).status_code == 401
    assert httpx.post(f"{srv.base}/slack/commands", content=body, headers=sign(body, now - 301)).status_code == 401
    with store.transaction() as s:
        assert incidents.count_incidents(s) == 1


def test_wording_command_and_buttons_keep_four_eyes(app_server, slack, store, ctx):
    srv, sctx = app_server
    now = int(sctx.clock.now().timestamp())
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="system_outage", severity=3, title="APP 登录失败").id
    approved_sheet(store, sctx, iid)
    with store.transaction() as s:
        n = workflow.draft_statement(s, as_(sctx, "zhangwei"), iid, kind="holding").number
        workflow.submit_statement(s, as_(sctx, "zhangwei"), iid, n)

    body = urlencode(
        {
            "command": "/incident",
            "text": "wording app 登录不了",
            "user_id": "U0ZHANGWEI",
            "response_url": slack.response_url("w"),
        }
    ).encode()
    assert httpx.post(f"{srv.base}/slack/commands", content=body, headers=sign(body, now)).status_code == 200
    assert "APP 登录失败" in wait_for(slack, "w") and "您好" in slack.responses["w"]["text"]

    def press(action_id, value, user, key):
        payload = {
            "type": "block_actions",
            "user": {"id": user},
            "response_url": slack.response_url(key),
            "actions": [{"action_id": action_id, "value": value}],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        r = httpx.post(f"{srv.base}/slack/interactions", content=body, headers=sign(body, now))
        assert r.status_code == 200
        return wait_for(slack, key)

    # The author cannot approve their own statement, in Slack as anywhere.
    assert "❌" in press(f"approve:{n}", f"{iid}:{n}", "U0ZHANGWEI", "a1")
    # Emily is in the comms team: she can (and reads English first).
    assert "approved" in press(f"approve:{n}", f"{iid}:{n}", "U0EMILY", "a2")
    with store.transaction() as s:
        assert workflow.get_statement(s, iid, n).status == "approved"
    # The pinned summary, updated in place by the handler's sync, shows it.
    ch = slack.channel_by_name(f"inc-{iid}-app")
    (pinned,) = ch["pins"]
    summary = json.dumps(ch["messages"][pinned]["blocks"], ensure_ascii=False)
    assert f"最新声明* #{n}" in summary and "已批准" in summary and f"approve:{n}" not in summary


def test_channel_names_follow_slacks_rules():
    from types import SimpleNamespace

    from incident.slack.summary import channel_name

    long = SimpleNamespace(
        id=12345, title="Payment gateway: timeouts for ALL card payments! " * 5, kind="system_outage"
    )
    for attempt in range(3):
        name = channel_name("inc", long, attempt)
        assert len(name) <= 80 and name == name.lower() and all(c.isalnum() or c in "-_" for c in name)
    assert channel_name("inc", long, 2).endswith("-3")
    assert (
        channel_name("inc", SimpleNamespace(id=7, title="杭州网点派送延误", kind="batch_complaint"))
        == "inc-7-batch-complaint"
    )
    assert channel_name("inc", SimpleNamespace(id=8, title="APP 登录失败 (login)", kind="other")) == "inc-8-app-login"


def test_approve_button_names_the_sign_off_still_missing(app_server, slack, store):
    srv, sctx = app_server
    now = int(sctx.clock.now().timestamp())
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="public_opinion", severity=2, title="Leak rumour").id
    approved_sheet(store, sctx, iid)  # comms (emily) signs …
    with store.transaction() as s:
        workflow.approve_sheet(s, as_(sctx, "sunli"), iid)  # … and legal, for SEV2 public opinion
    with store.transaction() as s:
        n = workflow.draft_statement(s, as_(sctx, "zhangwei"), iid, kind="holding").number
        workflow.submit_statement(s, as_(sctx, "zhangwei"), iid, n)
    payload = {
        "type": "block_actions",
        "user": {"id": "U0EMILY"},
        "response_url": slack.response_url("m"),
        "actions": [{"action_id": f"approve:{n}", "value": f"{iid}:{n}"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert httpx.post(f"{srv.base}/slack/interactions", content=body, headers=sign(body, now)).status_code == 200
    text = wait_for(slack, "m")
    assert "still needed: legal_liaison" in text and "comms_lead" not in text
