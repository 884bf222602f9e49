"""Outgoing incident webhooks to a real HTTP receiver on 127.0.0.1:
signed, one per event asked for, retried after a 5xx, given up after a
4xx, never sent twice, refused to private addresses; the delivery log."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incident import incidents, response, webhooks
from incident.config import IncidentWebhook
from tests.test_cli import cli  # noqa: F401  (fixture: the installed console script)

SECRET = "webhook-secret-0123456789"
ENV = {"HOOK_SECRET": SECRET}


class Receiver:
    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []  # statuses to answer, in turn; then 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = outer.answers.pop(0) if outer.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/incidents"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _, body in self.posts]


def _with_hook(ctx, url, **kw):
    hook = IncidentWebhook(name="ops-bus", url=url, secret_env="HOOK_SECRET", allow_loopback=True, **kw)
    config = ctx.config.model_copy(update={"webhooks": [hook]})
    return ctx.__class__(config=config, actor=ctx.actor, clock=ctx.clock)


def test_signed_posts_for_the_events_asked_for(store, ctx):
    with Receiver() as hook:
        ctx = _with_hook(ctx, hook.url, events=["declared", "resolved"])
        with store.transaction() as s:
            iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
        with store.transaction() as s:
            response.change_status(s, ctx, iid, "investigating")
            incidents.add_note(s, ctx, iid, "排查中")
        with store.transaction() as s:
            response.change_status(s, ctx, iid, "resolved", note="已恢复")
        report = webhooks.deliver_due(store, ctx.config, ctx.clock.now, ENV)
        assert (report.sent, report.failed) == (2, 0)
        assert hook.events() == ["declared", "resolved"]  # not the status change to investigating, not the note
        headers, body = hook.posts[0]
        stamp = int(headers["x-incident-timestamp"])
        assert stamp == int(ctx.clock.now().timestamp())
        assert headers["x-incident-signature"] == webhooks.sign(SECRET, stamp, body)
        payload = json.loads(body)
        assert payload["incident"]["ref"] == f"INC-{iid}" and payload["incident"]["title"] == "APP 登录失败"
        assert headers["idempotency-key"].startswith("webhook:ops-bus:")
        assert webhooks.deliver_due(store, ctx.config, ctx.clock.now, ENV).sent == 0  # never twice
        assert len(hook.posts) == 2


def test_a_5xx_is_retried_later_and_a_4xx_given_up(store, ctx):
    with Receiver() as hook:
        ctx = _with_hook(ctx, hook.url, events=["declared"])
        hook.answers = [503, 410]
        with store.transaction() as s:
            response.declare(s, ctx, kind="other", severity=3, title="一")
        first = webhooks.deliver_due(store, ctx.config, ctx.clock.now, ENV)
        assert (first.sent, first.retrying) == (0, 1) and "HTTP 503" in first.errors[0]
        assert webhooks.deliver_due(store, ctx.config, ctx.clock.now, ENV).sent == 0  # not before its back-off
        ctx.clock.advance(seconds=30)
        second = webhooks.deliver_due(store, ctx.config, ctx.clock.now, ENV)
        assert (second.sent, second.failed) == (0, 1)  # 410: will not change
        with store.transaction() as s:
            [row] = webhooks.log(s)
            assert (row.status, row.attempts, row.last_error) == ("failed", 2, "HTTP 410")


def test_a_bad_webhook_url_is_refused_at_start(tmp_path):
    from incident.config import load_config
    from incident.errors import ConfigError
    from tests.conftest import EXAMPLE

    path = tmp_path / "incident.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(text + '\n[[webhooks]]\nname = "x"\nurl = "ftp://example.com/x"\nsecret_env = "S"\n', "utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "webhooks" in err.value.message("en") and "not a usable http(s) URL" in err.value.message("en")
    assert "不是可用的 http(s) 地址" in err.value.message("zh-CN")


@pytest.mark.parametrize("url", ["http://10.1.2.3/hook", "http://127.0.0.1:9/hook", "http://169.254.169.254/x"])
def test_private_addresses_and_odd_urls_are_refused(store, ctx, url):
    hook = IncidentWebhook(name="x", url=url, secret_env="HOOK_SECRET")
    config = ctx.config.model_copy(update={"webhooks": [hook]})
    ctx = ctx.__class__(config=config, actor=ctx.actor, clock=ctx.clock)
    with store.transaction() as s:
        response.declare(s, ctx, kind="other", severity=4, title="x")
    report = webhooks.deliver_due(store, config, ctx.clock.now, ENV)
    assert report.sent == 0 and report.failed == 1 and report.errors


def test_the_delivery_log_on_the_command_line(cli, tmp_path):  # noqa: F811
    config = tmp_path / "incident.toml"
    from tests.conftest import EXAMPLE

    with Receiver() as hook:
        config.write_text(
            EXAMPLE.read_text(encoding="utf-8")
            + f'\n[[webhooks]]\nname = "ops-bus"\nurl = "{hook.url}"\n'
            + 'secret_env = "HOOK_SECRET"\nallow_loopback = true\n',
            encoding="utf-8",
        )
        cli("declare", "-k", "other", "-s", "3", "-t", "夜间故障", INCIDENT_CONFIG=str(config), HOOK_SECRET=SECRET)
        assert hook.events() == ["declared"]  # sent after the change, by the command itself
        log = cli("webhooks", "log", "--json", INCIDENT_CONFIG=str(config)).stdout
        [row] = json.loads(log)
        assert (row["webhook"], row["event"], row["status"], row["response"]) == (
            "ops-bus",
            "declared",
            "sent",
            "HTTP 200",
        )
        table = cli("webhooks", "log", INCIDENT_CONFIG=str(config), lang="en").stdout
        assert "Webhook deliveries" in table and "ops-bus" in table
