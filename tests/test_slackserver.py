"""The local Slack Web API helper, driven by the real slack_sdk WebClient."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.slackserver import SlackServer, load_spec

TOKEN = "xoxb-test-token"
ANA, BEN = "U0ANA00001", "U0BEN00001"


@pytest.fixture
def slack():
    with SlackServer(token=TOKEN, users={"ana@example.com": ANA, "ben@example.com": BEN}) as server:
        yield server


@pytest.fixture
def client(slack):
    # Like the product's gateway: an explicit retry handler list (which drops
    # slack_sdk's default connection-error retry).
    return WebClient(
        token=TOKEN, base_url=slack.base_url, timeout=5, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)]
    )


def api_error(call, *args, **kwargs) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call(*args, **kwargs)
    return info.value


def test_spec_is_loaded_once_and_knows_the_methods():
    with SlackServer() as server:
        assert load_spec() is load_spec() is server.spec
    spec = load_spec()
    assert {"name", "is_private"} <= set(spec["conversations.create"].params)
    assert spec["chat.postMessage"].required == {"channel"}
    assert spec["users.lookupByEmail"].required == {"email"}


def test_auth_test_and_tokens(slack, client):
    reply = client.auth_test()
    assert reply["user_id"] == slack.bot_user_id and reply["team_id"] == slack.team_id
    assert (
        api_error(WebClient(token="xoxb-wrong", base_url=slack.base_url).auth_test).response["error"] == "invalid_auth"
    )
    assert api_error(WebClient(base_url=slack.base_url).auth_test).response["error"] == "not_authed"
    assert slack.calls_to("auth.test") == [{}, {}, {}]
    assert slack.violations == []


def test_create_channel_then_name_taken(slack, client):
    reply = client.conversations_create(name="inc-42-db-outage", is_private=True)
    channel = reply["channel"]
    assert channel["id"].startswith("C0") and channel["name"] == "inc-42-db-outage"
    assert channel["is_private"] is True and channel["is_member"] is True
    state = slack.channels[channel["id"]]
    assert state["members"] == [slack.bot_user_id] and state["is_private"]

    e = api_error(client.conversations_create, name="inc-42-db-outage")
    assert e.response["error"] == "name_taken" and e.response.status_code == 200
    # slack_sdk sends conversations.create as a form body, booleans as "1"/"0".
    assert slack.calls_to("conversations.create")[0] == {"name": "inc-42-db-outage", "is_private": "1"}
    assert slack.requests[0]["content_type"] == "application/x-www-form-urlencoded"
    assert slack.violations == []


@pytest.mark.parametrize(
    "name, error",
    [
        ("Inc-42", "invalid_name_specials"),
        ("inc 42", "invalid_name_specials"),
        ("x" * 81, "invalid_name_maxlength"),
        ("--", "invalid_name_punctuation"),
        ("", "invalid_name_required"),
    ],
)
def test_channel_name_rules(slack, client, name, error):
    assert api_error(client.conversations_create, name=name).response["error"] == error
    assert slack.channels == {}


def test_archived_channel_keeps_its_name(slack, client):
    cid = client.conversations_create(name="inc-1")["channel"]["id"]
    client.conversations_archive(channel=cid)
    assert api_error(client.conversations_archive, channel=cid).response["error"] == "already_archived"
    assert api_error(client.conversations_create, name="inc-1").response["error"] == "name_taken"
    assert api_error(client.conversations_setTopic, channel=cid, topic="x").response["error"] == "is_archived"
    assert api_error(client.chat_postMessage, channel=cid, text="x").response["error"] == "is_archived"
    assert slack.channels[cid]["archived"] is True


def test_topic_invite_info(slack, client):
    cid = client.conversations_create(name="inc-2")["channel"]["id"]
    reply = client.conversations_setTopic(channel=cid, topic="DB outage, sev 1")
    assert reply["channel"]["topic"]["value"] == "DB outage, sev 1"
    assert slack.channels[cid]["topic"] == "DB outage, sev 1"
    assert (
        api_error(client.conversations_setTopic, channel="C0NOPE", topic="x").response["error"] == "channel_not_found"
    )

    client.conversations_invite(channel=cid, users=[ANA, BEN])  # slack_sdk joins a list with ","
    assert slack.calls_to("conversations.invite")[-1] == {"channel": cid, "users": f"{ANA},{BEN}"}
    assert slack.channels[cid]["members"] == [slack.bot_user_id, ANA, BEN]

    e = api_error(client.conversations_invite, channel=cid, users=ANA)
    assert e.response["error"] == "already_in_channel"
    assert e.response["errors"] == [{"user": ANA, "ok": False, "error": "already_in_channel"}]
    assert api_error(client.conversations_invite, channel=cid, users="U0NOBODY1").response["error"] == "user_not_found"
    assert api_error(client.conversations_invite, channel="C0NOPE", users=ANA).response["error"] == "channel_not_found"

    info = client.conversations_info(channel=cid, include_num_members=True)
    assert info["channel"]["num_members"] == 3 and info["channel"]["topic"]["value"] == "DB outage, sev 1"
    assert slack.violations == []


def test_invite_needs_the_bot_in_the_channel_and_join(slack, client):
    cid = slack.add_channel("ops", members=[BEN], bot_member=False)
    assert api_error(client.conversations_invite, channel=cid, users=ANA).response["error"] == "not_in_channel"
    assert api_error(client.chat_postMessage, channel=cid, text="hi").response["error"] == "not_in_channel"
    assert client.conversations_join(channel=cid)["channel"]["is_member"] is True
    again = client.conversations_join(channel=cid)
    assert again["warning"] == "already_in_channel"
    client.conversations_invite(channel=cid, users=ANA)
    assert slack.channels[cid]["members"] == [BEN, slack.bot_user_id, ANA]
    # A private channel the bot is not in does not exist for it.
    secret = slack.add_channel("secret", is_private=True, bot_member=False)
    assert api_error(client.conversations_info, channel=secret).response["error"] == "channel_not_found"


def test_post_update_pin(slack, client):
    cid = client.conversations_create(name="inc-3")["channel"]["id"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Sev 1*"}}]
    first = client.chat_postMessage(channel=cid, text="Sev 1", blocks=blocks)
    second = client.chat_postMessage(channel=cid, text="update")
    assert first["channel"] == cid and first["message"]["text"] == "Sev 1" and first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    # chat.postMessage goes out as a JSON body, blocks as a real list.
    assert slack.calls_to("chat.postMessage")[0] == {"channel": cid, "text": "Sev 1", "blocks": blocks}

    updated = client.chat_update(channel=cid, ts=first["ts"], text="Sev 1 (resolved)")
    assert updated["ts"] == first["ts"] and updated["text"] == "Sev 1 (resolved)"
    assert slack.channels[cid]["messages"][first["ts"]]["text"] == "Sev 1 (resolved)"
    assert "edited" in slack.channels[cid]["messages"][first["ts"]]
    assert api_error(client.chat_update, channel=cid, ts="1.000001", text="x").response["error"] == "message_not_found"

    client.pins_add(channel=cid, timestamp=first["ts"])
    assert slack.channels[cid]["pins"] == [first["ts"]]
    assert api_error(client.pins_add, channel=cid, timestamp=first["ts"]).response["error"] == "already_pinned"
    assert api_error(client.pins_add, channel=cid, timestamp="1.000001").response["error"] == "message_not_found"
    assert [m["ts"] for m in slack.messages(cid)] == [first["ts"], second["ts"]]

    with pytest.warns(UserWarning):  # slack_sdk warns before sending a message with no text
        e = api_error(client.chat_postMessage, channel=cid)
    assert e.response["error"] == "no_text"
    assert slack.violations == []


def test_form_encoded_blocks_are_json_strings(slack, client):
    cid = client.conversations_create(name="inc-4")["channel"]["id"]
    blocks = [{"type": "divider"}]
    reply = client.api_call("chat.postMessage", data={"channel": cid, "text": "t", "blocks": json.dumps(blocks)})
    assert reply["message"]["blocks"] == blocks
    assert slack.violations == []


def test_lookup_by_email(slack, client):
    assert client.users_lookupByEmail(email="Ana@Example.com")["user"]["id"] == ANA
    assert api_error(client.users_lookupByEmail, email="nobody@example.com").response["error"] == "users_not_found"
    assert slack.add_user("cy@example.com") in slack.users
    assert client.users_lookupByEmail(email="cy@example.com")["user"]["profile"]["email"] == "cy@example.com"


def test_undeclared_argument_is_a_violation(slack, client):
    e = api_error(client.conversations_create, name="inc-5", colour="red")
    assert e.response["error"] == "invalid_arguments"
    assert e.response["response_metadata"]["messages"] == ["[ERROR] argument 'colour' is not declared for this method"]
    assert slack.violations == ["conversations.create: argument 'colour' is not declared for this method"]
    assert slack.calls_to("conversations.create") == [{"name": "inc-5", "colour": "red"}]
    assert slack.channels == {}


def test_missing_required_and_bad_types_are_violations(slack, client):
    e = api_error(client.api_call, "chat.update", json={"channel": "C0X", "text": "no ts"})
    assert e.response["error"] == "invalid_arguments"
    assert slack.violations == ["chat.update: missing required field: ts"]
    slack.violations.clear()
    api_error(client.api_call, "conversations.history", params={"channel": "C0X", "limit": "ten"})
    assert slack.violations == ["conversations.history: argument 'limit'='ten' is not a valid integer"]
    slack.violations.clear()
    # A read method does not take a JSON body: Slack would not see the e-mail.
    api_error(client.api_call, "users.lookupByEmail", json={"email": "ana@example.com"})
    assert slack.violations and "JSON body" in slack.violations[0]
    slack.violations.clear()
    api_error(client.api_call, "conversations.nope")
    assert slack.violations == ["conversations.nope: no such method in Slack's Web API"]


def test_allow_listed_arguments_beyond_the_2021_spec(slack, client):
    cid = client.conversations_create(name="inc-6")["channel"]["id"]
    client.conversations_invite(channel=cid, users=[ANA, "U0NOBODY1"], force=True)
    assert ANA in slack.channels[cid]["members"]
    assert slack.violations == []


def test_unmodelled_valid_method_answers_ok(slack, client):
    assert client.api_call("reactions.add", params={"channel": "C1", "name": "eyes", "timestamp": "1.2"})["ok"] is True
    assert slack.calls_to("reactions.add") == [{"channel": "C1", "name": "eyes", "timestamp": "1.2"}]


def test_fail_next(slack, client):
    slack.fail_next("conversations.create", "name_taken")
    assert api_error(client.conversations_create, name="inc-7").response["error"] == "name_taken"
    assert client.conversations_create(name="inc-7")["ok"]
    cid = slack.channel_by_name("inc-7")["id"]
    slack.fail_next("chat.postMessage", "not_in_channel", times=2)
    for _ in range(2):
        e = api_error(client.chat_postMessage, channel=cid, text="x")
        assert isinstance(e, SlackApiError) and e.response["error"] == "not_in_channel"
    client.chat_postMessage(channel=cid, text="x")
    assert api_error(client.chat_postMessage, channel="C0NOPE", text="x").response["error"] == "channel_not_found"


def test_429_is_retried_after_retry_after(slack, client):
    slack.rate_limit_next("conversations.create", retry_after=1)
    start = time.monotonic()
    reply = client.conversations_create(name="inc-8")
    elapsed = time.monotonic() - start
    assert reply["ok"] and elapsed >= 0.95
    assert len(slack.calls_to("conversations.create")) == 2
    assert len(slack.channels) == 1


def test_429_without_a_retry_handler(slack):
    bare = WebClient(token=TOKEN, base_url=slack.base_url, retry_handlers=[])
    slack.rate_limit_next("chat.postMessage", retry_after=30)
    e = api_error(bare.chat_postMessage, channel="C0X", text="x")
    assert e.response.status_code == 429 and e.response["error"] == "ratelimited"
    assert e.response.headers["Retry-After"] == "30"


def test_down_refuses_connections_then_up(slack, client):
    client.auth_test()
    slack.down()
    with pytest.raises(urllib.error.URLError) as info:
        client.auth_test()
    assert isinstance(info.value.reason, ConnectionRefusedError)
    assert isinstance(info.value, OSError)
    slack.up()
    assert client.auth_test()["ok"]


def test_down_drop_and_503(slack, client):
    slack.down("drop")
    with pytest.raises(RemoteDisconnected):
        client.auth_test()
    slack.down("503")
    e = api_error(client.auth_test)
    assert e.response.status_code == 503
    slack.up()
    assert client.auth_test()["ok"]


def test_response_url_sink(slack):
    body = json.dumps({"response_type": "ephemeral", "text": "Incident opened"}).encode()
    req = urllib.request.Request(slack.response_url("abc"), data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200
    assert slack.responses["abc"] == {"response_type": "ephemeral", "text": "Incident opened"}
    assert slack.response_url("abc") == f"{slack.url}/response/abc"
    assert slack.response_log["abc"] == [slack.responses["abc"]]


def test_post_ephemeral(slack, client):
    cid = client.conversations_create(name="inc-9")["channel"]["id"]
    assert (
        api_error(client.chat_postEphemeral, channel=cid, user=ANA, text="x").response["error"] == "user_not_in_channel"
    )
    client.conversations_invite(channel=cid, users=ANA)
    assert client.chat_postEphemeral(channel=cid, user=ANA, text="only you")["message_ts"]
    assert slack.channels[cid]["ephemeral"][0]["text"] == "only you"
