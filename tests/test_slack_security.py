"""Slack's endpoints under attack (issue 21, point 11): a signed request
replayed or retried runs once, also when copies arrive at once on two
server processes; malformed signature headers get a named 4xx, never a
500; a body is refused by its size before it is read; Slack commands obey
the web's roles once web accounts exist; text is cleaned at the door.
Requests are signed with the real signing secret and sent to real uvicorn
servers on 127.0.0.1; the response_url answers land in the local Slack."""

from __future__ import annotations

import json
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from incident import incidents, response
from incident.access import users
from incident.models import Incident, OnceKey, TimelineEvent, User
from incident.runtime import Runtime
from incident.slack import nonces
from incident.slack.sync import sync_all
from incident.web.app import create_app
from incident.web.slack_api import router as slack_router
from tests.conftest import NOW
from tests.test_slack import app_server, gateway, sign, slack, slack_ctx, wait_for  # noqa: F401 — fixtures shared with the Slack tests
from tests.webserver import LiveServer

STAMP = int(NOW.timestamp())  # the tests' clock is the wall clock the signatures are checked against


def command_body(slack_server, text: str, user: str, key: str, trigger: str | None = None) -> bytes:
    """A slash command as Slack sends it (every real one has its own trigger_id)."""
    return urlencode(
        {
            "command": "/incident",
            "text": text,
            "user_id": user,
            "team_id": "T0TEAM0001",
            "channel_id": "C1",
            "response_url": slack_server.response_url(key),
            "trigger_id": trigger or f"trigger-{key}",
        }
    ).encode()


def post(base: str, body: bytes, headers: dict[str, str], path: str = "/slack/commands") -> httpx.Response:
    return httpx.post(f"{base}{path}", content=body, headers=headers, timeout=30)


def notes(store, iid: int) -> list[str]:
    with store.read() as s:
        rows = s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == iid, TimelineEvent.type == "note"))
        return [r.data.get("text") for r in rows]


def declare(store, sctx, title: str = "Payment page down") -> int:
    with store.transaction() as s:
        return response.declare(s, sctx, kind="system_outage", severity=3, title=title).id


def account(store, sctx, name: str, roles: str, person: str | None = None, active: bool = True) -> None:
    with store.transaction() as s:
        user = users.add(s, sctx.config, NOW, username=name, roles=roles, password=None, person=person or name)
        user.active = active


# ------------------------------------------------------------------ replays --


def test_a_replayed_or_retried_command_runs_once(app_server, slack, store):  # noqa: F811
    srv, sctx = app_server
    iid = declare(store, sctx)
    body = command_body(slack, f"note INC-{iid} failover started", "U0ZHANGWEI", "n1")
    headers = sign(body, STAMP)
    first = post(srv.base, body, headers)
    assert first.status_code == 200 and "正在处理" in first.json()["text"]
    assert "已在" in wait_for(slack, "n1")

    # The same signed request, replayed inside its five minutes.
    again = post(srv.base, body, headers)
    assert again.status_code == 200 and "已处理" in again.json()["text"]
    assert again.headers["x-incident-replay"] == "1"
    # Slack's own retry (the first answer was "too slow"), same signature.
    retry = post(srv.base, body, {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200 and "已处理" in retry.json()["text"]
    # The same body signed again with a fresh timestamp is a retry too.
    resigned = post(srv.base, body, {**sign(body, STAMP + 2), "X-Slack-Retry-Num": "2"})
    assert resigned.status_code == 200 and "已处理" in resigned.json()["text"]
    assert notes(store, iid) == ["failover started"]

    # The nonce is kept in the database for the signature's window only.
    with store.read() as s:
        kept = s.get(OnceKey, ("slack", headers["x-slack-signature"].removeprefix("v0=")))
        assert kept is not None and kept.expires_at.timestamp() == STAMP + nonces.WINDOW_SECONDS

    # A different request (another trigger) still runs.
    other = command_body(slack, f"note INC-{iid} second step", "U0ZHANGWEI", "n2")
    assert "正在处理" in post(srv.base, other, sign(other, STAMP)).json()["text"]
    wait_for(slack, "n2")
    assert sorted(notes(store, iid)) == ["failover started", "second step"]


def test_expired_nonces_are_pruned(app_server, slack, store):  # noqa: F811
    srv, sctx = app_server
    with store.transaction() as s:
        s.add(OnceKey(scope="slack", key="old", created_at=NOW, expires_at=NOW.replace(year=2025)))
        s.add(OnceKey(scope="provider:x", key="old", created_at=NOW, expires_at=NOW.replace(year=2025)))
    body = command_body(slack, "help", "U0ZHANGWEI", "h1")
    assert post(srv.base, body, sign(body, STAMP)).status_code == 200
    with store.read() as s:
        assert s.get(OnceKey, ("slack", "old")) is None
        assert s.get(OnceKey, ("provider:x", "old")) is not None  # not ours to prune


def test_identical_requests_at_once_on_two_servers_run_once(app_server, slack, store, db_url):  # noqa: F811
    srv, sctx = app_server
    iid = declare(store, sctx)
    # A second server process on the same database (its own engine and pool).
    rt2 = Runtime.build(database_url=db_url)
    rt2.config, rt2.clock = sctx.config, sctx.clock
    with LiveServer(create_app(rt2)) as srv2:
        for round_ in range(3):
            key = f"race{round_}"
            body = command_body(slack, f"note INC-{iid} race {round_}", "U0ZHANGWEI", key)
            headers = sign(body, STAMP)
            bases = [srv.base, srv2.base] * 3
            gate = threading.Barrier(len(bases))
            answers: list[str] = []

            def send(base: str, body: bytes = body, headers: dict[str, str] = headers, gate=gate, answers=answers):
                gate.wait()
                r = post(base, body, headers)
                answers.append(f"{r.status_code} {r.json().get('text', '')}")

            threads = [threading.Thread(target=send, args=(b,)) for b in bases]
            for th in threads:
                th.start()
            for th in threads:
                th.join(60)
            assert len(answers) == len(bases) and all(a.startswith("200 ") for a in answers), answers
            assert sum("正在处理" in a for a in answers) == 1, answers
            assert sum("已处理" in a for a in answers) == len(bases) - 1, answers
            wait_for(slack, key)
        rt2.store.dispose()
    assert sorted(notes(store, iid)) == ["race 0", "race 1", "race 2"]


# ------------------------------------------------------------- bad requests --


def test_malformed_signature_headers_get_a_named_error_never_500(app_server, slack, store):  # noqa: F811
    srv, sctx = app_server
    body = command_body(slack, "declare other 4 forged", "U0ZHANGWEI", "x")

    def refused(headers, content=body):
        r = httpx.post(f"{srv.base}/slack/commands", content=content, headers=headers, timeout=30)
        return r.status_code, r.json().get("error")

    good = sign(body, STAMP)
    assert refused({**good, "x-slack-request-timestamp": "abc"}) == (400, "slack.error.bad_timestamp")
    assert refused({**good, "x-slack-request-timestamp": "9" * 5000}) == (400, "slack.error.bad_timestamp")
    assert refused({**good, "x-slack-request-timestamp": "-5"}) == (400, "slack.error.bad_timestamp")
    assert refused({**good, "x-slack-request-timestamp": "1e9"}) == (400, "slack.error.bad_timestamp")
    assert refused({"content-type": good["content-type"]}) == (401, "slack.error.unsigned")
    assert refused({k: v for k, v in good.items() if k != "x-slack-signature"}) == (401, "slack.error.unsigned")
    assert refused(sign(body, STAMP + 3600)) == (401, "slack.error.stale")  # far future
    assert refused(sign(body, STAMP - 301)) == (401, "slack.error.stale")
    assert refused({**good, "x-slack-signature": "v0=zz"}) == (401, "slack.error.signature")
    v1 = "v1=" + good["x-slack-signature"][3:]
    assert refused({**good, "x-slack-signature": v1}) == (401, "slack.error.signature")
    latin = {**good, "x-slack-signature": "v0=" + "é" * 64}
    r = httpx.post(
        f"{srv.base}/slack/commands",
        content=body,
        headers={k.encode(): v.encode("latin-1") for k, v in latin.items()},
        timeout=30,
    )
    assert r.status_code == 401 and r.json()["error"] == "slack.error.signature"
    # A correctly signed body that is not UTF-8: refused, not a crash.
    junk = b"text=\xff\xfe&user_id=U0ZHANGWEI"
    assert refused(sign(junk, STAMP), junk)[0] in (400, 401)
    with store.read() as s:
        assert s.scalar(select(Incident.id)) is None


def announce_huge(port: int) -> bytes:
    """200 MiB announced, none sent: the answer must come at once, without
    waiting for (or reading) the body."""
    headers = sign(b"", STAMP)
    request = (
        "POST /slack/commands HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request + b"text=")
        sock.settimeout(5)
        answer = sock.recv(65536)
        head, _, rest = answer.partition(b"\r\n\r\n")
        found = re.search(rb"content-length: *([0-9]+)", head, re.IGNORECASE)
        while found and len(rest) < int(found.group(1)):
            more = sock.recv(65536)
            if not more:
                break
            rest += more
        return head + b"\r\n\r\n" + rest


def chunked(body: bytes):
    for i in range(0, len(body), 8192):
        yield body[i : i + 8192]


def test_a_huge_body_is_refused_before_it_is_read(app_server, slack, store, db_url):  # noqa: F811
    srv, sctx = app_server
    # The whole app: its body-size middleware or the route, whichever is first.
    assert announce_huge(srv.port).startswith(b"HTTP/1.1 413")
    big = command_body(slack, "note INC-1 " + "x" * (70 * 1024), "U0ZHANGWEI", "big")
    assert httpx.post(f"{srv.base}/slack/commands", content=chunked(big), headers=sign(big, STAMP)).status_code == 413

    # The Slack routes alone, without the app's middleware: the route's own
    # check, the second line of defence.
    rt = Runtime.build(database_url=db_url)
    rt.config, rt.clock = sctx.config, sctx.clock
    bare = FastAPI()
    bare.include_router(slack_router(rt, ThreadPoolExecutor(max_workers=2)))
    with LiveServer(bare) as alone:
        answer = announce_huge(alone.port)
        assert answer.startswith(b"HTTP/1.1 413") and b"slack.error.too_large" in answer, answer[:300]
        r = httpx.post(f"{alone.base}/slack/commands", content=chunked(big), headers=sign(big, STAMP), timeout=30)
        assert r.status_code == 413 and r.json()["error"] == "slack.error.too_large"
        # Just under the limit is fine.
        small = command_body(slack, "help " + "y" * (60 * 1024), "U0ZHANGWEI", "small")
        assert post(alone.base, small, sign(small, STAMP)).status_code == 200
    rt.store.dispose()


# -------------------------------------------------------------------- roles --


def test_slack_commands_follow_the_web_roles_once_accounts_exist(app_server, slack, store):  # noqa: F811
    srv, sctx = app_server
    iid = declare(store, sctx)
    account(store, sctx, "zhangwei", "lead")
    account(store, sctx, "lina", "cs_lead")
    account(store, sctx, "emily", "viewer")
    account(store, sctx, "liuyang", "lead", active=False)  # switched off: as if there were none
    n = iter(range(100))

    def run(text: str, user: str) -> str:
        key = f"k{next(n)}"
        body = command_body(slack, text, user, key)
        assert post(srv.base, body, sign(body, STAMP)).status_code == 200
        return wait_for(slack, key)

    def status() -> str:
        with store.read() as s:
            return incidents.get(s, iid).status

    # A cs lead may not change a status (the web's incident.update) …
    answer = run(f"status INC-{iid} investigating", "U0LINA")
    assert answer.startswith("❌") and "incident.update" in answer and "客服主管" in answer and "事件负责人" in answer
    assert status() == "declared"
    # … but may add a note and declare, as on the web.
    assert "已在" in run(f"note INC-{iid} customers calling", "U0LINA")
    assert "已宣布" in run("declare other 4 Printer jam", "U0LINA")
    # A roster person without an (active) web account may not declare.
    answer = run("declare system_outage 1 Everything down", "U0LIUYANG")
    assert answer.startswith("❌") and "liuyang" in answer and "incident users add" in answer
    with store.read() as s:
        assert incidents.count_incidents(s) == 2
    # A lead may.
    assert "排查中" in run(f"status INC-{iid} investigating", "U0ZHANGWEI")
    # Buttons too: a viewer may not approve a statement.
    key = "button"
    payload = {
        "type": "block_actions",
        "user": {"id": "U0EMILY"},
        "trigger_id": "t-button",
        "response_url": slack.response_url(key),
        "actions": [{"action_id": "approve:1", "value": f"{iid}:1"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert post(srv.base, body, sign(body, STAMP), "/slack/interactions").status_code == 200
    answer = wait_for(slack, key)
    assert answer.startswith("❌") and "wording.approve" in answer and "viewer" in answer


def test_without_any_web_account_the_roster_decides(app_server, slack, store):  # noqa: F811
    srv, sctx = app_server
    with store.read() as s:
        assert s.scalar(select(User.id)) is None
    body = command_body(slack, "declare system_outage 2 Bootstrap works", "U0LIUYANG", "boot")
    assert post(srv.base, body, sign(body, STAMP)).status_code == 200
    assert "已宣布" in wait_for(slack, "boot")


# --------------------------------------------------------------------- door --


def test_control_characters_in_slack_text_are_removed_at_the_door(app_server, slack, store):  # noqa: F811
    srv, sctx = app_server
    iid = declare(store, sctx)
    body = command_body(slack, f"note INC-{iid} fail\x00over\x07 started\x1b", "U0ZHANGWEI", "nul")
    answer = post(srv.base, body, sign(body, STAMP)).json()["text"]
    assert "\x00" not in answer
    assert "已在" in wait_for(slack, "nul")
    assert notes(store, iid) == ["failover started"]

    # In a button's JSON payload, a control character or a lone surrogate
    # written as an escape is cleaned as well.
    payload = (
        '{"type":"block_actions","user":{"id":"U0ZHANGWEI\\u0000"},"trigger_id":"t1",'
        f'"response_url":"{slack.response_url("btn")}",'
        f'"actions":[{{"action_id":"ack:incident_lead\\ud800","value":"{iid}:incident_lead\\u0007"}}]}}'
    )
    body = urlencode({"payload": payload}).encode()
    assert post(srv.base, body, sign(body, STAMP), "/slack/interactions").status_code == 200
    assert "已确认" in wait_for(slack, "btn")


@pytest.mark.parametrize("stamp", ["abc", "", "12.5"])
def test_verify_never_raises(stamp):
    from incident.adapters.slack import verify

    assert verify("secret", b"\xff", stamp, "v0=" + "0" * 64, lambda: NOW) is False
    assert verify("secret", b"x", str(STAMP), "v0=é", lambda: NOW) is False
    signed = sign(b"\xff", STAMP, "secret")["x-slack-signature"]
    assert verify("secret", b"\xff", str(STAMP), signed, lambda: NOW) is False


def test_notes_posted_to_slack_are_shown_not_obeyed(store, ctx, slack):  # noqa: F811
    # Text leaving for Slack: a note or title holding Slack's control
    # sequences is escaped, so it neither pings the whole channel nor
    # disguises a link.
    sctx = slack_ctx(ctx, slack)
    with store.transaction() as s:
        iid = response.declare(s, sctx, kind="other", severity=4, title="Door <!here> stuck").id
        incidents.add_note(s, sctx, iid, "<!channel> see <https://evil.example|the status page> & call")
    assert sync_all(store, sctx, gateway(sctx)).errors == []
    texts = [c["text"] for c in slack.calls_to("chat.postMessage")]
    assert texts and not any("<!channel>" in x or "<!here>" in x or "<https://" in x for x in texts), texts
    assert any("&lt;!channel&gt; see &lt;https://evil.example|the status page&gt; &amp; call" in x for x in texts)
