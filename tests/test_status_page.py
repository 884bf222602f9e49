"""The public status page (issue 22 point 3): the banner and components,
the badge that follows published statements only (never the internal
status), updates newest first, 90 days of history, scheduled maintenance,
e-mail (double opt-in through a real SMTP server on loopback) and webhook
(a real HTTP server on loopback) subscriptions, both languages, and the
Atom feed still valid."""

from __future__ import annotations

import datetime as dt
import email
import json
import re
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import httpcore
import httpx
import pytest
from sqlalchemy import select

from incident import pinned_post, response
from incident.adapters.base import DeliveryError, OutgoingMessage
from incident.config import SmtpConfig, StatusConfig, StatusMaintenance
from incident.errors import InputError
from incident.models import Delivery
from incident.runtime import Runtime
from incident.web.app import create_app
from incident.wording import outbox, statuspage, workflow
from incident.wording import status_subscriptions as subs
from tests.factories import FULL, approved_sheet, as_
from tests.test_publishing import smtp_server  # noqa: F401  (fixture: aiosmtpd on 127.0.0.1)
from tests.webserver import LiveServer

# The sheet's public title (issue 22 point 2), or its approved "what" where there is none.
ZH_TITLE = FULL.get("public_title", FULL["what"])
EN_TITLE = FULL.get("public_title.en", FULL["what.en"])
INTERNAL = "系统故障：投诉量（类别=系统）激增（50 件/桶，基线 0.5）"


def declare(store, ctx, severity=2, products=("app",), title=INTERNAL):
    with store.transaction() as s:
        return response.declare(
            s, ctx, kind="system_outage", severity=severity, title=title, products=list(products)
        ).id


def publish(store, ctx, iid, kind, fix=None):
    if fix:
        approved_sheet(store, ctx, iid, {"fix": fix, "fix.en": f"EN {fix}"})
    with store.transaction() as s:
        n = workflow.draft_statement(s, ctx, iid, kind=kind, channels="status_page").number
        workflow.submit_statement(s, ctx, iid, n)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, n, publish_now=True)
    return n


def render(store, config, clock, lang="zh-CN"):
    with store.read() as s:
        return statuspage.page(s, config, lang, clock.now())


def levels(html):
    banner = re.search(r'id="banner" data-level="([a-z_]+)"', html).group(1)
    comps = dict(re.findall(r'id="component-([a-z_]+)" data-level="([a-z_]+)"', html))
    return banner, comps


def test_badge_and_banner_follow_published_statements_not_the_internal_status(store, ctx, clock):
    assert levels(render(store, ctx.config, clock)) == (
        "operational",
        {"app_login": "operational", "payment": "operational", "delivery": "operational", "phone": "operational"},
    )
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    publish(store, ctx, iid, "holding")
    html = render(store, ctx.config, clock)
    banner, comps = levels(html)
    assert banner == "partial_outage" and comps["app_login"] == "partial_outage" and comps["payment"] == "operational"
    assert "正在排查" in html and "部分服务中断" in html
    # Resolved inside, nothing published yet: the page still says what was published.
    clock.advance(minutes=20)
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "resolved")
    html = render(store, ctx.config, clock)
    assert levels(html)[0] == "partial_outage"
    assert 'data-state="holding"' in html and "已恢复" not in html and "已解决" not in html
    # The resolution statement is what flips it, and it is shown with it.
    publish(store, ctx, iid, "resolution")
    html = render(store, ctx.config, clock)
    assert levels(html) == (
        "operational",
        {"app_login": "operational", "payment": "operational", "delivery": "operational", "phone": "operational"},
    )
    section = html[html.index(f'id="INC-{iid}"') :]
    assert 'data-state="resolution"' in section and "10:20 已恢复" in section
    assert "此前的更新（1）" in section
    # The internal (detector's) title is never public: the sheet's approved wording names it.
    assert INTERNAL not in html and ZH_TITLE in html
    en = render(store, ctx.config, clock, "en")
    assert "Resolved at 10:20" in en and "All services are operational" in en and EN_TITLE in en
    assert not re.search(r">\s*(investigating|resolved|holding|update)\s*<", en)


def test_severity_sets_the_impact_and_a_resolution_published_first_says_resolved(store, ctx, clock):
    sev1 = declare(store, ctx, severity=1, products=["支付"])
    approved_sheet(store, ctx, sev1)
    publish(store, ctx, sev1, "holding")
    unmapped = declare(store, ctx, severity=3, products=["其他"])
    approved_sheet(store, ctx, unmapped)
    publish(store, ctx, unmapped, "holding")
    banner, comps = levels(render(store, ctx.config, clock))
    assert banner == "major_outage" and comps["payment"] == "major_outage" and comps["app_login"] == "operational"
    # Resolution published while the incident is still open inside: the page says resolved.
    publish(store, ctx, sev1, "resolution")
    banner, comps = levels(render(store, ctx.config, clock))
    assert banner == "degraded" and comps["payment"] == "operational"  # the unmapped SEV3 still counts
    en = render(store, ctx.config, clock, "en")
    assert "Some services are degraded" in en and "Degraded performance" not in en.split('id="banner"')[0]


def test_updates_newest_first_and_ninety_days_of_history(store, ctx, clock):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    publish(store, ctx, iid, "holding")
    clock.advance(minutes=30)
    publish(store, ctx, iid, "update", fix="第一次进展")
    clock.advance(minutes=30)
    publish(store, ctx, iid, "update", fix="第二次进展")
    html = render(store, ctx.config, clock)
    section = html[html.index(f'id="INC-{iid}"') :]
    assert section.index("第二次进展") < section.index("第一次进展") < section.index(FULL["fix"])
    assert "此前的更新（2）" in section
    clock.advance(hours=1)
    with store.transaction() as s:
        response.change_status(s, ctx, iid, "resolved")
    publish(store, ctx, iid, "resolution")
    clock.advance(days=12)  # no longer "current"; still in the history
    html = render(store, ctx.config, clock)
    days = re.findall(r'<li data-day="([0-9-]+)">(.*?)</li>', html)
    assert len(days) == 90 and days[0][0] == "2026-12-06" and days[-1][0] == "2026-09-08"
    by_day = dict(days)
    assert f'href="#INC-{iid}"' in by_day["2026-11-24"] and "已恢复" in by_day["2026-11-24"]
    assert "当日无事件" in by_day["2026-11-25"] and "当日无事件" in by_day["2026-12-06"]
    assert f'id="INC-{iid}"' not in html
    en = render(store, ctx.config, clock, "en")
    assert "24 Nov 2026" in en and "No incidents reported" in en and "Past 90 days" in en


def test_scheduled_maintenance_upcoming_and_in_progress(store, ctx, clock):
    status = StatusConfig(
        components=ctx.config.status.components,
        maintenance=[
            StatusMaintenance(
                title="支付系统升级",
                title_en="Payment upgrade",
                starts=dt.datetime(2026, 11, 24, 9, 0),  # wall time in Shanghai: now is 10:00
                ends=dt.datetime(2026, 11, 24, 11, 0),
                components=["payment"],
            ),
            StatusMaintenance(
                title="热线系统割接",
                title_en="Phone system cut-over",
                starts=dt.datetime(2026, 11, 28, 1, 0),
                ends=dt.datetime(2026, 11, 28, 3, 0),
                components=["phone"],
                note="期间热线可能无法接通。",
                note_en="The line may be unreachable meanwhile.",
            ),
            StatusMaintenance(
                title="早已结束的维护",
                title_en="Long over",
                starts=dt.datetime(2026, 11, 1, 1, 0),
                ends=dt.datetime(2026, 11, 1, 2, 0),
            ),
        ],
    )
    config = ctx.config.model_copy(update={"status": status})
    html = render(store, config, clock)
    banner, comps = levels(html)
    assert banner == "maintenance" and comps["payment"] == "maintenance" and comps["phone"] == "operational"
    assert "正在进行的维护" in html and "支付系统升级" in html and "11月24日 09:00" in html
    assert "计划维护" in html and "热线系统割接" in html and "期间热线可能无法接通。" in html
    assert "早已结束的维护" not in html
    en = render(store, config, clock, "en")
    assert "Scheduled maintenance in progress" in en and "Phone system cut-over" in en and "Under maintenance" in en
    # An outage outranks maintenance on the banner and on the component.
    iid = declare(store, ctx, products=["payment"])
    approved_sheet(store, ctx, iid)
    publish(store, ctx, iid, "holding")
    assert levels(render(store, config, clock))[1]["payment"] == "partial_outage"
    clock.advance(hours=2)  # the window is over
    assert "支付系统升级" not in render(store, config, clock)


class HookServer:
    """A real HTTP server on 127.0.0.1 that records every POST."""

    def __init__(self, status: int = 200) -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.posts.append((self.path, dict(self.headers), body))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HookServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _runtime(db_url, config, clock, tmp_path):
    rt = Runtime.build(database_url=db_url)
    rt.clock = clock
    rt.config = config
    rt.settings = rt.settings.model_copy(update={"data_dir": tmp_path})
    return rt


def _body(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=policy.default)
    return msg.get_body(("plain",)).get_content()


def test_email_double_opt_in_confirm_once_and_unsubscribe(store, ctx, clock, db_url, smtp_server, tmp_path):  # noqa: F811
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_server.port, sender="status@example.com")
    config = ctx.config.model_copy(update={"smtp": smtp})
    rt = _runtime(db_url, config, clock, tmp_path)
    channel_adapters = subs.adapters(config, tmp_path, clock)
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as web:
        r = web.post("/status/subscribe", data={"kind": "email", "address": "Fan@Example.com", "lang": "en"})
        assert r.status_code == 200 and "Check the inbox of fan@example.com" in r.text
        [confirmation] = smtp_server.to("fan@example.com")
        text = _body(confirmation)
        link = re.search(r"(http://\S+/status/subscribe/confirm\?token=\S+)", text).group(1)
        assert "works once" in text
        # Not confirmed yet: a statement published now sends it nothing.
        publish(store, ctx, iid, "holding")
        assert subs.deliver(store, config, channel_adapters, clock.now).sent == 0
        assert len(smtp_server.to("fan@example.com")) == 1
        token = link.split("token=")[1]
        clock.advance(minutes=5)
        page = web.get("/status/subscribe/confirm", params={"token": token, "lang": "en"})
        assert page.status_code == 200 and "Subscribe fan@example.com" in page.text  # a GET changes nothing
        assert web.post("/status/subscribe/confirm", data={"token": token, "lang": "en"}).status_code == 200
        again = web.post("/status/subscribe/confirm", data={"token": token, "lang": "zh-CN"})
        assert again.status_code == 422 and "链接无效、已过期或已使用过" in again.text
        # Confirmed: the next update is e-mailed, in English, with its unsubscribe link.
        clock.advance(minutes=30)
        publish(store, ctx, iid, "update", fix="已切换备用线路")
        report = subs.deliver(store, config, channel_adapters, clock.now)
        assert (report.sent, report.failed) == (1, 0)
        assert subs.deliver(store, config, channel_adapters, clock.now).sent == 0  # never twice
        notice = email.message_from_bytes(smtp_server.to("fan@example.com")[1], policy=policy.default)
        assert notice["Subject"] == f"[华东客服中心] Update: {EN_TITLE}"
        unsubscribe = notice["List-Unsubscribe"].strip("<>")
        body = notice.get_body(("plain",)).get_content()
        assert "EN 已切换备用线路" in body and f"Unsubscribe: {unsubscribe}" in body and INTERNAL not in body
        utoken = unsubscribe.split("token=")[1]
        assert "Stop sending" in web.get("/status/unsubscribe", params={"token": utoken, "lang": "en"}).text
        done = web.post("/status/unsubscribe", data={"token": utoken, "lang": "en"})
        assert done.status_code == 200 and "gets no more notices" in done.text
        clock.advance(minutes=30)
        publish(store, ctx, iid, "update", fix="仍在观察")
        assert subs.deliver(store, config, channel_adapters, clock.now).sent == 0
        assert len(smtp_server.to("fan@example.com")) == 2
        bad = web.post("/status/subscribe", data={"kind": "email", "address": "not-an-address", "lang": "zh-CN"})
        assert bad.status_code == 422 and "这不是有效的邮箱地址" in bad.text


def test_webhook_subscription_is_checked_and_delivered(store, ctx, clock, db_url, tmp_path):
    with pytest.raises(InputError) as err:
        subs.check_webhook("http://127.0.0.1:9/hook", ctx.config)
    assert err.value.key == "status.sub.error.url_private"
    allowed = ctx.config.model_copy(
        update={"status": ctx.config.status.model_copy(update={"allow_loopback_webhooks": True})}
    )
    for url in ("ftp://example.com/x", "http://10.0.0.5/hook", "http://169.254.169.254/latest", "https://[::1]:99/"):
        with pytest.raises(InputError):
            subs.check_webhook(url, allowed if "::1" not in url else ctx.config)
    # A name is resolved (in-process here: no DNS leaves the machine) and every address checked.
    with pytest.raises(InputError) as err:
        subs.check_webhook("https://hooks.example.com/x", ctx.config, resolve=lambda host, port: ["192.168.1.9"])
    assert "192.168.1.9" in err.value.message("en")
    assert subs.check_webhook("https://hooks.example.com/x", ctx.config, resolve=lambda h, p: ["93.184.216.34"])
    rt = _runtime(db_url, allowed, clock, tmp_path)
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    with HookServer() as hook, LiveServer(create_app(rt)) as srv:
        url = f"http://127.0.0.1:{hook.port}/hook"
        r = httpx.post(f"{srv.base}/status/subscribe", data={"kind": "webhook", "address": url, "lang": "en"})
        assert r.status_code == 200 and "Webhook subscribed" in r.text
        refused = httpx.post(
            f"{srv.base}/status/subscribe", data={"kind": "webhook", "address": "http://10.1.2.3/x", "lang": "zh-CN"}
        )
        assert refused.status_code == 422 and "内网或本机" in refused.text
        clock.advance(minutes=1)
        n = publish(store, ctx, iid, "holding")
        # through the outbox the flow and `incident outbox deliver` run: the notice is queued and sent
        report = outbox.deliver_outbox(store, allowed, tmp_path, clock)
        assert (report.sent, report.failed) == (1, 0)
    [(path, headers, raw)] = hook.posts
    body = json.loads(raw)
    assert path == "/hook" and headers["Idempotency-Key"] == f"INC-{iid}/S{n}/status_webhook/1"
    assert body["state"] == "holding" and body["label"] == "Investigating" and body["title"] == EN_TITLE
    assert body["unsubscribe"].startswith("http://127.0.0.1:8000/status/unsubscribe?token=")
    with store.read() as s:
        assert s.scalars(select(Delivery.status).where(Delivery.channel == "status_webhook")).all() == ["sent"]


def test_webhook_post_connects_only_to_the_addresses_it_vetted(ctx):
    """DNS rebinding: the name is resolved once, checked, and the post goes to
    those addresses: 'hooks.test' is unknown to the machine's resolver, so a
    second lookup at connect time would fail; the vetted loopback address
    (allowed for tests) is where the notice lands."""
    allowed = ctx.config.model_copy(
        update={"status": ctx.config.status.model_copy(update={"allow_loopback_webhooks": True})}
    )
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    adapter = subs.WebhookAdapter(allowed, resolve=resolve)
    with HookServer() as hook:
        message = OutgoingMessage(
            key="INC-1/S1/status_webhook/1",
            channel="status_webhook",
            recipient=f"http://hooks.test:{hook.port}/hook",
            lang="en",
            payload={"body": {"state": "holding"}},
        )
        assert adapter.send(message) == "HTTP 200"
    assert lookups == ["hooks.test"]  # one lookup, checked, then used
    [(path, headers, raw)] = hook.posts
    assert path == "/hook" and json.loads(raw) == {"state": "holding"}
    # Nothing else is reachable through the vetted connection.
    backend = pinned_post._PinnedBackend("hooks.test", hook.port, ["127.0.0.1"])
    with pytest.raises(httpcore.ConnectError):
        backend.connect_tcp("elsewhere.test", hook.port)
    # A name that resolves to a private address is refused before any connection.
    private = subs.WebhookAdapter(allowed, resolve=lambda h, p: ["10.0.0.8"])
    with pytest.raises(DeliveryError) as err:
        private.send(message)
    assert err.value.permanent


def test_status_page_served_in_both_languages_and_atom_still_valid(store, ctx, clock, db_url, tmp_path):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    publish(store, ctx, iid, "holding")
    clock.advance(minutes=10)
    publish(store, ctx, iid, "update", fix="技术已切换线路")
    rt = _runtime(db_url, ctx.config, clock, tmp_path)
    with LiveServer(create_app(rt)) as srv:
        zh = httpx.get(f"{srv.base}/status?lang=zh-CN").text
        en = httpx.get(f"{srv.base}/status?lang=en").text
        feed_resp = httpx.get(f"{srv.base}/status/feed.atom?lang=en")
    assert "服务组件" in zh and "APP 登录" in zh and "处理中" in zh and 'action="/status/subscribe"' in zh
    assert "Components" in en and "App sign-in" in en and ">Update<" in en and INTERNAL not in en + zh
    # The English page names the centre in English; each update is shown as markup, not escaped tags.
    assert "<h1>East China Customer Service · Service status</h1>" in en and "华东客服中心" not in en
    assert '<article class="statement' in en and "&lt;article" not in en + zh
    feed = feedparser.parse(feed_resp.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "East China Customer Service · Service status"
    assert [e.title for e in feed.entries] == [f"{EN_TITLE} · Update", f"{EN_TITLE} · Investigating"]
