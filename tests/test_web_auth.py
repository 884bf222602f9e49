"""Sign-in, sessions, CSRF, roles, API tokens, the trusted proxy, and
escaping — over a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt

import httpx
from sqlalchemy import func, select

from incident import incidents, response
from incident.access import sessions, tokens
from incident.models import Incident, Signal, TimelineEvent, User, WebSession
from incident.web.app import create_app
from tests.webserver import LiveServer
from tests.webutil import PASSWORD, add_user, csrf_of, login, web_runtime


def _count(rt, model) -> int:  # type: ignore[no-untyped-def]
    with rt.store.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_password_login_sessions_and_logout(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as anon:
        r = anon.get("/incidents/1")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fincidents%2F1"
        page = anon.get("/login")
        assert page.status_code == 200 and "登录" in page.text
        assert (
            page.headers["x-frame-options"] == "DENY"
            and "frame-ancestors 'none'" in page.headers["content-security-policy"]
        )
        token = csrf_of(page.text)
        # no login CSRF token → refused before the password is even looked at
        r = anon.post("/login", data={"username": "zhangwei", "password": PASSWORD})
        assert r.status_code == 403
        r = anon.post("/login", data={"csrf": token, "username": "zhangwei", "password": "wrong-one"})
        assert r.status_code == 401 and "用户名或密码错误" in r.text
        token = csrf_of(r.text)  # each rendering of the form comes with a fresh token
        r = anon.post("/login", data={"csrf": token, "username": "nobody", "password": "wrong-one"})
        assert r.status_code == 401 and "用户名或密码错误" in r.text  # the same words: no name probing
        token = csrf_of(r.text)
        # an open redirect is not followed: //evil.example goes home
        r = anon.post(
            "/login", data={"csrf": token, "username": "ZhangWei", "password": PASSWORD, "next": "//evil.example/x"}
        )
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.cookies.get("incident_session")
        assert (
            cookie
            and "httponly" in r.headers["set-cookie"].lower()
            and "samesite=lax" in r.headers["set-cookie"].lower()
        )
        board = anon.get("/")
        assert board.status_code == 200
        assert "zhangwei" in board.text and "事件负责人" in board.text
        with rt.store.read() as s:
            stored = s.scalars(select(WebSession)).one()
            assert stored.key_hash != cookie and len(stored.key_hash) == 64  # only the digest is kept
            assert s.scalars(select(User)).one().last_login_at is not None
        csrf = csrf_of(board.text)
        r = anon.post("/logout", data={"csrf": csrf})
        assert r.status_code == 303
        assert _count(rt, WebSession) == 0
        # the old cookie is worthless now
        again = httpx.get(srv.base + "/", cookies={"incident_session": cookie})
        assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_prune_removes_every_expired_session_and_keeps_live_ones(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead", password=None)
    add_user(rt, "lina", "comms", password=None)
    now = clock.now()
    with rt.store.transaction() as s:
        gone = s.scalars(select(User).where(User.username == "zhangwei")).one()
        kept = s.scalars(select(User).where(User.username == "lina")).one()
        # zhangwei signed in from two browsers last week and never again: only prune removes those
        sessions.open_session(s, gone, "password", now - dt.timedelta(days=7), hours=12)
        sessions.open_session(s, gone, "password", now - dt.timedelta(days=7, hours=-1), hours=12)
        _, live_key = sessions.open_session(s, kept, "password", now - dt.timedelta(hours=1), hours=12)
        kept_id = kept.id
    with rt.store.transaction() as s:
        assert sessions.prune(s, now) == 2
    with rt.store.transaction() as s:
        assert sessions.prune(s, now) == 0  # run again: nothing more
        left = s.scalars(select(WebSession)).all()
        assert [row.user_id for row in left] == [kept_id]
        assert sessions.lookup(s, live_key, now) is not None


def test_lockout_after_repeated_wrong_passwords(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as c:
        token = csrf_of(c.get("/login").text)
        for _ in range(config.web.max_failed_logins):
            r = c.post("/login", data={"csrf": token, "username": "zhangwei", "password": "nope-nope"})
            assert r.status_code == 401
            token = csrf_of(r.text)
        r = c.post("/login", data={"csrf": token, "username": "zhangwei", "password": PASSWORD})
        # locked: the right password is refused, in the words every refusal uses (issue 21: no
        # account enumeration), which state the lockout rule
        assert r.status_code == 401 and "用户名或密码错误" in r.text and f"{config.web.lockout_minutes} 分钟" in r.text
        token = csrf_of(r.text)
        clock.advance(minutes=config.web.lockout_minutes + 1)
        r = c.post("/login", data={"csrf": token, "username": "zhangwei", "password": PASSWORD})
        assert r.status_code == 303


def test_roles_are_checked_on_the_server_and_csrf_on_every_form(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    add_user(rt, "wangfang", "agent")
    add_user(rt, "viewer1", "viewer")
    with LiveServer(create_app(rt)) as srv:
        lead, lead_csrf = login(srv.base, "zhangwei")
        r = lead.post(
            "/incidents", data={"csrf": lead_csrf, "kind": "system_outage", "severity": "2", "title": "APP 登录失败"}
        )
        assert r.status_code == 303 and r.headers["location"] == "/incidents/1"
        page = lead.get("/incidents/1").text
        assert "已宣布 INC-1" in page and 'id="status-form"' in page
        # the same form without its token: refused, nothing stored
        r = lead.post("/incidents/1/note", data={"text": "forged"})
        assert r.status_code == 403 and "CSRF" in r.text
        r = lead.post("/incidents/1/note", data={"csrf": "x" + lead_csrf, "text": "forged"})
        assert r.status_code == 403

        agent, agent_csrf = login(srv.base, "wangfang")
        board = agent.get("/").text
        assert 'id="declare-form"' not in board and 'id="status-form"' not in board
        before = _count(rt, TimelineEvent)
        # hand-made requests with a valid session and token: still refused
        for url, data in (
            ("/incidents", {"kind": "other", "severity": "4", "title": "x"}),
            ("/incidents/1/status", {"status": "resolved"}),
            ("/incidents/1/update", {"severity": "1"}),
            ("/incidents/1/assign", {"role": "comms_lead", "person": "wangfang"}),
            ("/incidents/1/note", {"text": "agent note"}),
        ):
            r = agent.post(url, data={"csrf": agent_csrf, **data})
            assert r.status_code == 403, (url, r.status_code)
            assert "坐席" in r.text  # says which role the user has
        assert _count(rt, TimelineEvent) == before and _count(rt, Incident) == 1
        # acknowledging is for the role's holder (or a lead)
        r = agent.post("/incidents/1/ack", data={"csrf": agent_csrf, "role": "tech_liaison"})
        assert r.status_code == 403

        viewer, viewer_csrf = login(srv.base, "viewer1")
        assert viewer.get("/incidents/1").status_code == 200
        assert viewer.post("/incidents/1/note", data={"csrf": viewer_csrf, "text": "x"}).status_code == 403
        assert viewer.get("/admin/users").status_code == 403

        r = lead.post("/incidents/1/status", data={"csrf": lead_csrf, "status": "closed"})
        assert r.status_code == 303
        shown = lead.get(r.headers["location"]).text
        assert "不能" in shown or "不允许" in shown  # the lifecycle's own refusal, shown as a flash


def test_api_tokens_act_with_their_users_roles(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "wangfang", "agent")
    add_user(rt, "ticketsys", "admin", password=None)
    with rt.store.transaction() as s:
        _row, agent_secret = tokens.create(s, "wangfang", "desk", clock.now())
        row, machine_secret = tokens.create(s, "ticketsys", "ticket system", clock.now())
        machine_id = row.id
    rt.settings = rt.settings.model_copy(update={"api_token": "legacy-tok"})
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as c:
        batch = [{"external_id": "T-1", "received_at": "2026-11-24T01:50:00Z", "channel": "app", "text": "登录失败"}]
        assert c.post("/api/complaints", json=batch).status_code == 401
        assert c.post("/api/complaints", json=batch, headers={"Authorization": "Bearer inc_wrong"}).status_code == 401
        r = c.post("/api/complaints", json=batch, headers={"Authorization": f"Bearer {agent_secret}"})
        assert r.status_code == 403 and r.json()["error"] == "access.error.forbidden"
        r = c.post("/api/complaints", json=batch, headers={"Authorization": f"Bearer {machine_secret}"})
        assert r.status_code == 200 and r.json()["added"] == 1
        r = c.post("/api/complaints", json=batch, headers={"Authorization": "Bearer legacy-tok"})
        assert r.status_code == 200 and r.json()["duplicates"] == 1
        # an agent's token may look up wording, not approve compensation
        assert c.get(
            "/api/wording", params={"q": "登录"}, headers={"Authorization": f"Bearer {agent_secret}"}
        ).status_code in (200, 404)
        r = c.post("/api/compensation/approve", json={"ids": [1]}, headers={"Authorization": f"Bearer {agent_secret}"})
        assert r.status_code == 403
        with rt.store.transaction() as s:
            tokens.revoke(s, machine_id, clock.now())
        r = c.post("/api/complaints", json=batch, headers={"Authorization": f"Bearer {machine_secret}"})
        assert r.status_code == 401


def test_being_on_this_host_grants_nothing(db_url, config, clock):
    # Issue 21 changed this contract: a program on this host used to be let in
    # without a token; now it needs one like any machine (a local user, or a
    # browser page through DNS rebinding, could otherwise act as admin).
    rt = web_runtime(db_url, config, clock)
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as c:
        batch = [{"external_id": "L-1", "received_at": "2026-11-24T01:50:00Z", "channel": "app"}]
        assert c.post("/api/complaints", json=batch).status_code == 401  # a program on this host, no token
        # a page from elsewhere making the browser post here: refused
        r = c.post("/api/complaints", json=batch, headers={"Origin": "http://evil.example"})
        assert r.status_code == 403
        # pages never trust loopback
        assert c.get("/").status_code == 303


def test_trusted_proxy_header(db_url, config, clock):
    web = config.web.model_copy(update={"auth": "proxy", "proxy_default_roles": []})
    rt = web_runtime(db_url, config.model_copy(update={"web": web}), clock)
    add_user(rt, "zhangwei", "lead", password=None)
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as c:
        r = c.get("/", headers={"X-Forwarded-User": "zhangwei"})
        assert r.status_code == 200 and "zhangwei" in r.text
        csrf = csrf_of(r.text)
        # a change still needs the token; with it, it works
        assert (
            c.post(
                "/incidents",
                headers={"X-Forwarded-User": "zhangwei"},
                data={"kind": "other", "severity": "4", "title": "x"},
            ).status_code
            == 403
        )
        r = c.post(
            "/incidents",
            headers={"X-Forwarded-User": "zhangwei"},
            data={"csrf": csrf, "kind": "other", "severity": "4", "title": "代理用户宣布"},
        )
        assert r.status_code == 303
        # when the proxy stops vouching, the session cookie alone does not do
        assert c.get("/").status_code == 303
        # someone the proxy names but nobody registered: refused with the reason
        r = httpx.get(srv.base + "/login", headers={"X-Forwarded-User": "stranger"})
        assert r.status_code == 200 and "单点登录" in r.text
        # machines on this host are not trusted (behind a proxy every request comes from loopback)
        assert httpx.post(srv.base + "/api/complaints", json=[]).status_code == 401
    with rt.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 1


def test_text_from_feeds_and_complaints_is_shown_as_text(db_url, config, clock, ctx):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead", lang="en")
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    with rt.store.transaction() as s:
        inc = response.declare(
            s,
            dataclasses.replace(ctx, actor="zhangwei"),
            kind="public_opinion",
            severity=2,
            title=f"微博热议 {evil}",
            summary=evil,
        )
        s.add(
            Signal(
                series_key="feeds/topic=outage",
                bucket_start=clock.now() - dt.timedelta(minutes=10),
                created_at=clock.now(),
                kind="public_opinion",
                severity=2,
                observed=40,
                baseline=3,
                score=0.99,
                action="opened",
                incident_id=inc.id,
                detail={
                    "title": evil,
                    "samples": [
                        {"title": evil, "link": "javascript:alert(document.cookie)", "summary": evil},
                        {"title": "ok link", "link": "https://weibo.example/1", "summary": "fine"},
                        {"type": "complaint", "text": evil, "branch": evil},
                    ],
                },
            )
        )
        incidents.add_note(s, dataclasses.replace(ctx, actor="zhangwei"), inc.id, evil)
    with LiveServer(create_app(rt)) as srv:
        client, _ = login(srv.base, "zhangwei")
        html = client.get(f"/incidents/{inc.id}").text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "javascript:" not in html  # not even as an href
        assert 'href="https://weibo.example/1"' in html
        assert "Open incidents (1)" in html  # the user's own language


def test_own_account_password_and_language(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as srv:
        first, csrf = login(srv.base, "zhangwei")
        second, _ = login(srv.base, "zhangwei")
        assert "我的账号" in first.get("/account").text
        r = first.post(
            "/account/password",
            data={"csrf": csrf, "current": "wrong-wrong", "new": "new-pass-123", "again": "new-pass-123"},
        )
        assert "当前密码不正确" in first.get(r.headers["location"]).text
        r = first.post(
            "/account/password",
            data={"csrf": csrf, "current": PASSWORD, "new": "new-pass-123", "again": "other-pass-1"},
        )
        assert "不一致" in first.get(r.headers["location"]).text
        r = first.post(
            "/account/password",
            data={"csrf": csrf, "current": PASSWORD, "new": "new-pass-123", "again": "new-pass-123"},
        )
        assert "密码已修改" in first.get(r.headers["location"]).text
        # this browser stays signed in; the other one is out; the new password works
        assert first.get("/").status_code == 200
        assert second.get("/").status_code == 303
        login(srv.base, "zhangwei", "new-pass-123")
        r = first.post("/account/lang", data={"csrf": csrf, "lang": "en"})
        assert "Language saved" in first.get(r.headers["location"]).text
        assert "Open incidents" in first.get("/").text


def test_sign_ins_at_once_hash_no_more_passwords_at_once_than_there_are_cores(monkeypatch):
    """Each scrypt call holds 16 MiB while it runs: a shift signing in
    together must not hold that once per agent."""
    import hashlib
    import threading
    import time

    from incident.access import passwords

    stored = passwords.hash_password("correct horse")
    active, seen = [0], [0]
    lock = threading.Lock()
    real = hashlib.scrypt

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            active[0] += 1
            seen[0] = max(seen[0], active[0])
        try:
            time.sleep(0.03)
            return real(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(hashlib, "scrypt", watched)
    results: list[bool] = []
    n = 2 * (passwords.CORES + 3)  # more sign-ins than slots, whatever the machine
    threads = [
        threading.Thread(
            target=lambda i=i: results.append(
                passwords.verify_password("correct horse" if i % 2 else "wrong horse", stored)
            )
        )
        for i in range(n)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [False] * (n // 2) + [True] * (n // 2)
    assert 1 <= seen[0] <= passwords.CORES


def test_each_role_lands_on_its_own_work_after_signing_in(db_url, config, clock):
    """An agent's work is the reply lookup, a lead's the board; a page the
    user asked for (the login's ?next=) wins over either."""
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "wangfang", "agent")
    add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as srv:
        for name, home in (("wangfang", "/lookup"), ("zhangwei", "/")):
            with httpx.Client(base_url=srv.base) as client:
                page = client.get("/login")
                assert 'name="next" value=""' in page.text  # nothing asked for: the role decides
                data = {"csrf": csrf_of(page.text), "username": name, "password": PASSWORD, "next": ""}
                r = client.post("/login", data=data)
                assert r.status_code == 303 and r.headers["location"] == home, name
        with httpx.Client(base_url=srv.base) as client:
            page = client.get("/login", params={"next": "/callbacks"})
            data = {"csrf": csrf_of(page.text), "username": "wangfang", "password": PASSWORD, "next": "/callbacks"}
            r = client.post("/login", data=data)
            assert r.headers["location"] == "/callbacks"
