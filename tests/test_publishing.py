"""Publishing for real: e-mail through an SMTP server on loopback, the
delivery log, a crash between send and record, the status page and its
Atom feed served by the app, the agents' pull over HTTP, and the template
sandbox."""

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import httpx
import pytest
from aiosmtpd.controller import Controller
from conftest import incident_now
from sqlalchemy import select

from incident.access import tokens, users
from incident.adapters.deliverylog import DeliveryLogAdapter
from incident.adapters.smtp import SmtpAdapter
from incident.config import SmtpConfig
from incident.errors import ConflictError, InputError
from incident.models import Delivery
from incident.runtime import Runtime
from incident.web.app import create_app
from incident.wording import authoring, workflow
from incident.wording.deliver import deliver_due
from tests.factories import FULL, approved_sheet, as_, declare
from tests.webserver import LiveServer

ROOT = Path(__file__).resolve().parents[1]


class Inbox:
    """aiosmtpd handler: keeps every message; refuses addresses at refused.example."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list[bytes]:
        return [m[2] for m in self.messages if address in m[1]]


@pytest.fixture
def smtp_server():
    import socket

    inbox = Inbox()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    inbox.port = sock.getsockname()[1]
    sock.close()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


def publish_one(store, ctx, iid, channels=None):
    with store.transaction() as s:
        n = workflow.draft_statement(s, ctx, iid, kind="holding", channels=channels).number
        workflow.submit_statement(s, ctx, iid, n)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, n, publish_now=True)
    return n


def test_email_goes_through_a_real_smtp_server(store, ctx, smtp_server, tmp_path):
    iid = declare(store, ctx)
    with store.transaction() as s:
        authoring.add_subscriber(s, ctx, "email", "a@example.com", "zh-CN")
        authoring.add_subscriber(s, ctx, "email", "b@example.com", "en")
        authoring.add_subscriber(s, ctx, "email", "x@refused.example", "en")
    # The subject is the sheet's public title, never the internal one (issue 22).
    public = {"public_title": "部分客户无法登录 APP", "public_title.en": "App sign-in trouble for some customers"}
    approved_sheet(store, ctx, iid, changes={**FULL, **public})
    publish_one(store, ctx, iid, channels="email,status_page")
    smtp = SmtpAdapter(SmtpConfig(host="127.0.0.1", port=smtp_server.port, sender="status@example.com"))
    report = deliver_due(store, {"email": smtp}, ctx.clock.now)
    assert (report.sent, report.failed) == (2, 1)
    zh = smtp_server.to("a@example.com")
    en = smtp_server.to("b@example.com")
    assert len(zh) == 1 and len(en) == 1
    import email
    from email import policy

    msg = email.message_from_bytes(en[0], policy=policy.default)
    assert msg["To"] == "b@example.com"
    # .strip(): Python's folder breaks a long subject right after "Subject:", leaving a leading blank.
    subject = msg["Subject"].strip()
    assert subject == "[East China Customer Service] Notice: App sign-in trouble for some customers"
    assert msg["X-Incident-Delivery"] == f"INC-{iid}/S1/email/b@example.com"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in msg.walk() if not p.is_multipart()}
    assert "Dear customer" in parts["text/plain"] and "<p>Dear customer,</p>" in parts["text/html"]
    zh_msg = email.message_from_bytes(zh[0], policy=policy.default)
    assert "部分客户无法登录 APP" in zh_msg["Subject"] and "华东客服中心" in zh_msg["Subject"]
    assert all("APP 登录失败" not in m["Subject"] for m in (msg, zh_msg))  # the internal title
    assert "尊敬的客户" in next(
        p.get_payload(decode=True).decode() for p in zh_msg.walk() if p.get_content_type() == "text/plain"
    )
    # A refused address is a permanent failure with the server's reason; nothing is retried.
    with store.transaction() as s:
        failed = s.scalars(select(Delivery).where(Delivery.status == "failed")).one()
        assert failed.recipient == "x@refused.example" and "550" in failed.last_error
    assert deliver_due(store, {"email": smtp}, ctx.clock.now).sent == 0


def test_a_batch_that_loses_its_rows_to_another_worker_says_so(store, ctx, tmp_path):
    """Two workers see the same first rows and race to claim them. The
    loser's batch sends little but the queue is not drained: the report
    says how many rows another worker took, so the flow's loop goes on
    instead of stopping early. Nothing is sent twice."""
    iid = declare(store, ctx)
    with store.transaction() as s:
        for i in range(12):
            authoring.add_subscriber(s, ctx, "sms", f"CUST-{i:04d}")
    approved_sheet(store, ctx, iid)
    publish_one(store, ctx, iid, channels="sms")
    log = DeliveryLogAdapter("sms", tmp_path / "a")
    other = DeliveryLogAdapter("sms", tmp_path / "b")
    seen: list[object] = []

    class FirstSendRacedByAnotherWorker:
        channel, idempotent = "sms", True

        def send(self, message):  # noqa: ANN001, ANN201
            if not seen:  # while this worker sends its first row, the other takes the next ten
                seen.append(deliver_due(store, {"sms": other}, ctx.clock.now, limit=10))
            return log.send(message)

    report = deliver_due(store, {"sms": FirstSendRacedByAnotherWorker()}, ctx.clock.now, limit=10)
    assert (report.sent, report.taken_elsewhere) == (1, 9)
    assert (seen[0].sent, seen[0].taken_elsewhere) == (10, 0)
    assert report.sent + report.taken_elsewhere == 10  # a full batch: the caller asks again
    rest = deliver_due(store, {"sms": log}, ctx.clock.now, limit=10)
    assert (rest.sent, rest.taken_elsewhere) == (1, 0)
    keys = [
        json.loads(line)["key"]
        for d in ("a", "b")
        for f in (tmp_path / d).glob("*.jsonl")
        for line in f.read_text("utf-8").splitlines()
    ]
    assert len(keys) == len(set(keys)) == 12


def test_smtp_server_down_is_retried_later(store, ctx, tmp_path):
    iid = declare(store, ctx)
    with store.transaction() as s:
        authoring.add_subscriber(s, ctx, "email", "a@example.com")
    approved_sheet(store, ctx, iid)
    publish_one(store, ctx, iid, channels="email")
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    smtp = SmtpAdapter(SmtpConfig(host="127.0.0.1", port=port, timeout_seconds=2))
    report = deliver_due(store, {"email": smtp}, ctx.clock.now)
    assert (report.sent, report.retrying) == (0, 1)
    with store.transaction() as s:
        row = s.scalars(select(Delivery)).one()
        assert row.status == "pending" and row.next_attempt_at > ctx.clock.now() and "Connection" in row.last_error


CRASH_SCRIPT = r"""
import datetime as dt, os, sys
from incident.adapters.deliverylog import DeliveryLogAdapter
from incident.adapters.smtp import SmtpAdapter
from incident.config import SmtpConfig
from incident.db import Store
from incident.wording.deliver import deliver_due

url, port, logdir, crash_on, at = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

class CrashAfterSend:
    # The process dies after the message went out and before it is recorded.
    def __init__(self, inner):
        self.inner, self.channel, self.idempotent = inner, inner.channel, inner.idempotent
    def send(self, message):
        ref = self.inner.send(message)
        if message.recipient == crash_on:
            os._exit(9)
        return ref

smtp = SmtpAdapter(SmtpConfig(host="127.0.0.1", port=port))
log = DeliveryLogAdapter("sms", logdir)
adapters = {"email": smtp, "sms": log}
if crash_on != "-":
    adapters = {k: CrashAfterSend(v) for k, v in adapters.items()}
now = lambda: dt.datetime.fromisoformat(at)
report = deliver_due(Store(url), adapters, now, lease=dt.timedelta(0))
print(report.sent, report.in_doubt)
"""


def test_a_crash_between_send_and_record_never_sends_twice(store, ctx, smtp_server, tmp_path, db_url):
    iid = declare(store, ctx)
    with store.transaction() as s:
        for i in range(3):
            authoring.add_subscriber(s, ctx, "email", f"u{i}@example.com")
            authoring.add_subscriber(s, ctx, "sms", f"CUST-{i}")
    approved_sheet(store, ctx, iid)
    publish_one(store, ctx, iid, channels="email,sms")
    logdir = tmp_path / "log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(crash_on: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-c",
                CRASH_SCRIPT,
                db_url,
                str(smtp_server.port),
                str(logdir),
                crash_on,
                (ctx.clock.now() + dt.timedelta(minutes=1)).isoformat(),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    first = run("u1@example.com")  # dies after u1's mail went out, before it is recorded
    assert first.returncode == 9, first.stderr
    second = run("CUST-2")  # dies after CUST-2's SMS went out
    assert second.returncode == 9, second.stderr
    third = run("-")
    assert third.returncode == 0, third.stderr
    for i in range(3):
        assert len(smtp_server.to(f"u{i}@example.com")) == 1, f"u{i}"
    keys = DeliveryLogAdapter("sms", logdir).keys()
    assert sorted(keys) == sorted(f"INC-{iid}/S1/sms/CUST-{i}" for i in range(3))  # once each
    with store.transaction() as s:
        states = {d.recipient: d.status for d in s.scalars(select(Delivery))}
    # SMTP cannot be asked "did you get it?": held for a person, never re-sent.
    assert states.pop("u1@example.com") == "in_doubt"
    # The delivery log is idempotent by key: re-sent safely and recorded.
    assert set(states.values()) == {"sent"}


def test_status_page_and_atom_feed_are_served(store, ctx, db_url, clock):
    iid = declare(store, ctx, title="APP 登录失败 <script>alert(1)</script>")
    other = declare(store, ctx, title="草稿不应出现")
    approved_sheet(store, ctx, iid)
    # The long test title would not fit WeChat's 20-character fields.
    publish_one(store, ctx, iid, channels="status_page,email")
    approved_sheet(store, ctx, iid, {"cause": "认证服务数据库故障", "cause.en": "a sign-in database fault"})
    clock.advance(minutes=30)
    with store.transaction() as s:
        n2 = workflow.draft_statement(s, ctx, iid, kind="update", channels="status_page,email").number
        workflow.submit_statement(s, ctx, iid, n2)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "sunli"), iid, n2, publish_now=True)
    approved_sheet(store, ctx, other)
    with store.transaction() as s:
        workflow.draft_statement(s, ctx, other)  # drafted, never published
    rt = Runtime.build(database_url=db_url)
    rt.clock = clock
    rt.config = ctx.config
    with LiveServer(create_app(rt)) as srv:
        page = httpx.get(f"{srv.base}/status?lang=zh-CN")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        # The internal title (here with markup) is never public (issue 22): not even escaped.
        assert "alert(1)" not in html and "<script>alert" not in html
        assert "认证服务数据库故障" in html and "此前的更新（1）" in html and "下次更新不晚于" in html
        assert "草稿不应出现" not in html
        en = httpx.get(f"{srv.base}/status?lang=en").text
        assert "a sign-in database fault" in en and "Next update by" in en
        feed_resp = httpx.get(f"{srv.base}/status/feed.atom?lang=en")
        assert feed_resp.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(feed_resp.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 2  # one entry per published update
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == 2 and ids[0].endswith("/statements/2")
    assert all(e.get("updated") and e.get("title") for e in feed.entries)
    assert feed.feed.get("id") and feed.feed.get("updated") and feed.feed.get("author")
    assert "a sign-in database fault" in feed.entries[0].content[0].value


def test_agents_pull_by_keywords_over_http(store, ctx, db_url):
    login = declare(store, ctx, title="APP 登录失败")
    approved_sheet(store, ctx, login)
    parcel = declare(store, ctx, kind="batch_complaint", severity=3, title="杭州网点派送延误")
    approved_sheet(
        store,
        ctx,
        parcel,
        {
            **FULL,
            "what": "杭州网点快件派送延误",
            "what.en": "Parcels delayed at the Hangzhou branch",
            "scope": "杭州西湖区收件客户",
            "scope.en": "recipients in Hangzhou Xihu district",
            "fix": "已增派人手加快派送",
            "fix.en": "Extra couriers are clearing the backlog",
        },
    )
    draft_only = declare(store, ctx, title="短信验证码收不到")
    with store.transaction() as s:
        from incident.wording import factsheet

        factsheet.edit(s, ctx, draft_only, {**FULL, "what": "短信验证码收不到"})
    rt = Runtime.build(database_url=db_url)
    rt.config = ctx.config
    # the agents' desktop pulls with an agent's API token (issue 21: not for being on this host)
    with rt.store.transaction() as s:
        users.add(s, rt.config, ctx.clock.now(), username="desk-app", roles=["agent"])
        token = tokens.create(s, "desk-app", "agents' desktop", ctx.clock.now())[1]
    auth = {"Authorization": f"Bearer {token}"}
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base, headers=auth) as agent:
        assert httpx.get(f"{srv.base}/api/wording", params={"q": "登录"}).status_code == 401
        r = agent.get(
            "/api/wording",
            params={"q": "我的快递在杭州一直没派送", "name": "欧阳娜娜", "title": "女士", "contact": "138 1234 5678"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["incident"]["id"] == parcel and body["scenario"] == "batch_complaint"
        assert body["text"].startswith("欧阳女士，您好！") and "已增派人手" in body["text"]
        assert "5678" not in body["text"] or "1234" not in body["text"]
        r = agent.get(
            "/api/wording",
            params={
                "q": "app 登录不了",
                "scenario": "cannot_answer_now",
                "name": "张三",
                "title": "先生",
                "contact": "13812345678",
            },
        )
        body = r.json()
        assert body["incident"]["id"] == login
        assert "张先生" in body["text"] and "尾号5678" in body["text"] and "13812345678" not in body["text"]
        assert "{{" not in body["text"] and "XX" not in body["text"]
        en = agent.get(
            "/api/wording", params={"incident": f"INC-{login}", "lang": "en", "name": "Emily Carter", "title": "f"}
        ).json()
        assert en["text"].startswith("Hello Ms Carter.") and "20 yuan coupon" in en["text"]
        # Drafts never reach agents.
        miss = agent.get("/api/wording", params={"q": "短信验证码收不到"})
        assert miss.status_code == 404 and miss.json()["error"] == "wording.error.no_match"
        bad = agent.get("/api/wording", params={"q": "登录", "scenario": "nope"}, headers={"accept-language": "en"})
        assert bad.status_code == 422 and "unknown scenario" in bad.json()["message"]

        # Many agents at once, each with their own customer: nobody sees another's data.
        names = [("赵一", "先生", "13900000001"), ("钱二", "女士", "13900000002"), ("孙三", "先生", "13900000003")]
        results: list[tuple[tuple[str, str, str], str]] = []

        def pull(who):
            res = agent.get(
                "/api/wording",
                params={
                    "q": "登录失败",
                    "scenario": "cannot_answer_now",
                    "name": who[0],
                    "title": who[1],
                    "contact": who[2],
                },
            )
            results.append((who, res.json()["text"]))

        threads = [threading.Thread(target=pull, args=(names[i % 3],)) for i in range(30)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert len(results) == 30
    for (name, title, phone), text in results:
        assert text.startswith(f"{name[0]}{title}") and f"尾号{phone[-4:]}" in text
        others = [n for n in names if n[0] != name]
        assert not any(o[0][0] + o[1] in text or o[2][-4:] in text for o in others)


def test_pull_never_waits_on_the_database_and_sees_other_processes_changes(store, ctx, monkeypatch):
    """Lookups come from the cache; once it is due a re-check, ONE
    background thread re-reads the database while lookups go on, and a
    change made by another process (no in-process notice) shows after it."""
    from sqlalchemy import update

    from incident.errors import NotFoundError
    from incident.models import Incident
    from incident.wording import pull

    iid = declare(store, ctx, title="APP 登录失败")
    approved_sheet(store, ctx, iid)
    assert pull.get_reply(store, ctx.config, q="登录失败").incident.id == iid
    assert pull.is_fresh(store)
    # Another process closes the incident: this one is not told.
    with store.transaction() as s:
        s.execute(update(Incident).where(Incident.id == iid).values(status="closed"))
    assert pull.get_reply(store, ctx.config, q="登录失败").incident.id == iid  # still within FRESH_SECONDS
    monkeypatch.setattr(pull, "FRESH_SECONDS", 0.0)
    # Due a re-check: served from the cache at once, a refresh started.
    assert pull.get_reply(store, ctx.config, q="登录失败").incident.id == iid
    deadline = time.monotonic() + 10
    while pull._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not pull._refreshing
    with pytest.raises(NotFoundError):
        pull.get_reply(store, ctx.config, q="登录失败")
    # That lookup started another re-check (FRESH_SECONDS is 0 here): let it
    # finish before the database is torn down under it.
    deadline = time.monotonic() + 10
    while pull._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_cold_cache_met_by_many_agents_at_once_is_built_once(store, ctx, monkeypatch):
    """The first pulls after a start (or after an approval) arrive together:
    one of them builds the search index and compiles the lint rules, the
    others wait and take the result. Forty builds at once each held a copy
    until the last one finished, and the process kept that peak."""
    from incident.wording import lint, pull

    iid = declare(store, ctx, title="APP 登录失败")
    approved_sheet(store, ctx, iid)
    builds = {"index": 0, "rules": 0}
    real_index, real_tokens, real_build = pull.Index, pull.tokens, lint._Builder.build

    def counting_index(*args, **kwargs):  # type: ignore[no-untyped-def]
        builds["index"] += 1
        return real_index(*args, **kwargs)

    def slow_tokens(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.05)  # long enough that every caller is inside a build at once, were they allowed
        return real_tokens(*args, **kwargs)

    def counting_build(self):  # type: ignore[no-untyped-def]
        builds["rules"] += 1
        time.sleep(0.05)
        return real_build(self)

    monkeypatch.setattr(pull, "Index", counting_index)
    monkeypatch.setattr(pull, "tokens", slow_tokens)
    monkeypatch.setattr(lint._Builder, "build", counting_build)
    pull._index = None  # cold, as after a start
    lint._builtin.cache_clear()
    n = 20
    barrier = threading.Barrier(n)
    got: list[int] = []
    errors: list[BaseException] = []

    def agent() -> None:
        barrier.wait()
        try:
            got.append(pull.get_reply(store, ctx.config, q="登录失败").incident.id)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=agent) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert got == [iid] * n
    assert builds == {"index": 1, "rules": 1}


def test_a_stale_cache_is_served_while_a_recheck_is_under_way(store, ctx, monkeypatch):
    """The web app pulls on its event loop when the cache is current: a
    stale one must be served as it is while the one re-check runs, not
    rebuilt (nor waited for) by every request."""
    from incident.wording import pull

    iid = declare(store, ctx, title="APP 登录失败")
    approved_sheet(store, ctx, iid)
    assert pull.get_reply(store, ctx.config, q="登录失败").incident.id == iid
    monkeypatch.setattr(pull, "FRESH_SECONDS", 0.0)  # every lookup is due a re-check
    monkeypatch.setattr(pull, "_refreshing", True)  # and one is under way

    def no_rebuild(source):  # type: ignore[no-untyped-def]
        raise AssertionError("rebuilt while a re-check was under way")

    monkeypatch.setattr(pull, "_refresh", no_rebuild)
    assert pull.is_fresh(store)
    assert pull.get_reply(store, ctx.config, q="登录失败").incident.id == iid


def test_comms_templates_render_in_the_sandbox(store, ctx):
    with store.transaction() as s:
        with pytest.raises(InputError) as exc:
            authoring.add_template(
                s, ctx, "replies/system_outage", "zh-CN", "{{ ''.__class__.__mro__[1].__subclasses__() }}"
            )
        assert exc.value.key == "wording.error.template_unsafe"
        with pytest.raises(InputError) as exc:
            authoring.add_template(
                s, ctx, "replies/system_outage", "zh-CN", "{{ customer.greeting }}{{ facts.nonexistent }}"
            )
        assert exc.value.key == "wording.error.template_undefined"
        with pytest.raises(InputError) as exc:
            authoring.add_template(s, ctx, "replies/system_outage", "zh-CN", "{% if %}")
        assert exc.value.key == "wording.error.template_syntax"
        with pytest.raises(InputError):
            authoring.add_template(s, ctx, "replies/no_such_scenario", "zh-CN", "hi")
        row = authoring.add_template(
            s,
            as_(ctx, "emily"),
            "replies/system_outage",
            "zh-CN",
            "{{ customer.greeting }}【自定义】{{ facts.what|s }}请联系{{ facts.support_channel|s }}",
        )
        tid = row.id
    with store.transaction() as s, pytest.raises(ConflictError):
        authoring.approve_template(s, as_(ctx, "emily"), tid)  # four eyes
    with store.transaction() as s:
        authoring.approve_template(s, as_(ctx, "sunli"), tid)
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    from incident.wording.pull import get_reply

    with store.transaction() as s:
        reply = get_reply(s, ctx.config, incident_id=iid, lang="zh-CN")
    assert "【自定义】" in reply.text and reply.text.startswith("您好！")


def test_each_database_renders_its_own_approved_template(store, ctx, tmp_path):
    """The template cache once keyed on the template rows' ids only: another
    database's (or test's) approved v1 of the same name, id 1 too, was
    reused. Each renders its own words."""
    from incident.db import Store
    from incident.wording.templates import template_set

    other = Store(f"sqlite:///{tmp_path / 'other.db'}")
    ids = []
    try:
        for db, mark in ((store, "【甲】"), (other, "【乙】")):
            with db.transaction() as s:
                body = "{{ customer.greeting }}" + mark + "{{ facts.what|s }}"
                tid = authoring.add_template(s, as_(ctx, "emily"), "replies/other", "zh-CN", body).id
            with db.transaction() as s:
                authoring.approve_template(s, as_(ctx, "sunli"), tid)
            ids.append(tid)
        sample = authoring.sample_context("zh-CN")
        with store.transaction() as s:
            mine = template_set(s).render("replies/other", "zh-CN", sample)
        with other.transaction() as s:
            theirs = template_set(s).render("replies/other", "zh-CN", sample)
    finally:
        other.dispose()
    assert "【甲】" in mine and "【乙】" in theirs, (ids, mine, theirs)


def test_cli_fact_sheet_to_published_statement(tmp_path):
    env = {
        **os.environ,
        "INCIDENT_DATA_DIR": str(tmp_path),
        "INCIDENT_CONFIG": str(ROOT / "examples" / "incident.toml"),
        "INCIDENT_LANG": "en",
        # The sheet's ETA must lie in the future of the clock (issue 22).
        "INCIDENT_NOW": incident_now(),
    }
    env.pop("INCIDENT_DATABASE_URL", None)
    exe = str(Path(sys.executable).with_name("incident"))

    def cli(*args, ok=True):
        res = subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)
        if ok:
            assert res.returncode == 0, res.stderr + res.stdout
        return res

    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败")
    facts = tmp_path / "facts.toml"
    facts.write_text(
        'what = "APP 登录失败"\nscope = "华东地区 APP 用户"\nfix = "技术人员正在修复"\n'
        'support_channel = "客服热线专席"\n'
        'dos = ["先致歉"]\n[en]\nwhat = "The app cannot log in"\nscope = "app users in East China"\n'
        'fix = "Engineers are fixing it"\nsupport_channel = "our dedicated line"\n',
        "utf-8",
    )
    cli("--as", "emily", "facts", "edit", "1", "--file", str(facts), "--eta", "2026-11-24 18:00")
    cli("--as", "emily", "facts", "submit", "1")
    refused = cli("--as", "emily", "facts", "approve", "1", ok=False)
    assert refused.returncode == 1 and "four eyes" in refused.stderr and "Traceback" not in refused.stderr
    cli("--as", "sunli", "facts", "approve", "1")
    shown = json.loads(cli("facts", "show", "1", "--json").stdout)
    assert shown["status"] == "approved" and shown["content"]["eta"].startswith("2026-11-24T10:00")
    drafted = cli("--as", "emily", "statement", "draft", "1", "--kind", "holding").stdout
    assert "sms · zh-CN" in drafted and "segments" in drafted
    cli("--as", "emily", "statement", "submit", "1", "1")
    out = cli("--as", "sunli", "statement", "approve", "1", "1", "--publish").stdout
    assert "published" in out
    listed = json.loads(cli("statement", "list", "1", "--json").stdout)
    assert listed[0]["status"] == "published" and listed[0]["next_update_due_at"]
    got = json.loads(cli("wording", "get", "-q", "登录", "--name", "张三", "--title", "先生", "--json").stdout)
    assert got["text"].startswith("Hello Mr 张.") and got["lang"] == "en"
    delivered = cli("outbox", "deliver", "--json").stdout
    assert json.loads(delivered)["sent"] == 2  # weibo (zh-CN) and X (en) go to the delivery log
    assert (tmp_path / "deliveries" / "weibo.jsonl").exists()
