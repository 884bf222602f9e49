"""Issue 21 at the web's door, over a real uvicorn server on 127.0.0.1:
the Host allow-list and Origin (DNS rebinding), no trust for being local,
the machine token, security headers everywhere, request bodies capped
before they are read, form and JSON text cleaned, ids past the columns'
range, LIKE wildcards typed as text, and sign-in that neither races nor
tells which accounts exist."""

from __future__ import annotations

import dataclasses
import re
import socket
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from incident import incidents, response
from incident.access import passwords, tokens, users
from incident.config import WebConfig
from incident.errors import AuthError, InputError, NotFoundError
from incident.models import Compensation, Incident, User
from incident.remedy import customers, ledger
from incident.web.app import create_app
from tests.webserver import LiveServer
from tests.webutil import PASSWORD, add_user, csrf_of, login, web_runtime

HUGE = "99999999999999999999"


def _entry_awaiting_approval(rt, ctx) -> int:  # type: ignore[no-untyped-def]
    """A 1500-yuan refund proposed by chenjing, awaiting a second supervisor."""
    with rt.store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败").id
        customers.ingest(s, ctx, iid, [(1, {"customer_ref": "B", "insured": "goods", "amount": 3000})], source="api")
        entry = ledger.propose(s, dataclasses.replace(ctx, actor="chenjing"), iid, "B", "refund", Decimal("1500"), None)
        return entry.id


def _status_of(rt, entry_id: int) -> str:  # type: ignore[no-untyped-def]
    with rt.store.read() as s:
        return s.get(Compensation, entry_id).status  # type: ignore[union-attr]


# ---- point 8: loopback grants nothing; Host and Origin ----------------------------


def test_the_reported_dns_rebinding_approval_is_refused(db_url, config, clock, ctx):
    rt = web_runtime(db_url, config, clock)
    entry = _entry_awaiting_approval(rt, ctx)
    with LiveServer(create_app(rt)) as srv:
        port = srv.port
        evil = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}", "X-Incident-Actor": "liuyang"}
        r = httpx.post(srv.base + "/api/compensation/approve", headers=evil, json={"ids": [entry]})
        assert r.status_code == 400 and r.json()["error"] == "web.error.bad_host"
        assert "allowed_hosts" in r.json()["message"]
        # the Host this app answers to, from this very host, naming a supervisor: still nobody
        r = httpx.post(
            srv.base + "/api/compensation/approve", headers={"X-Incident-Actor": "liuyang"}, json={"ids": [entry]}
        )
        assert r.status_code == 401
        assert httpx.get(srv.base + "/metrics").status_code == 401  # no scraper trusted for being local
        assert httpx.post(srv.base + "/api/complaints", json=[]).status_code == 401
    assert _status_of(rt, entry) == "proposed"


def test_every_route_refuses_a_foreign_host_and_changes_need_this_sites_origin(db_url, config, clock):
    web = config.web.model_copy(update={"allowed_hosts": ["incident.example.com", "*.corp.example"]})
    rt = web_runtime(db_url, config.model_copy(update={"web": web}), clock)
    add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as srv:
        for path in ("/", "/login", "/status", "/status/feed.atom", "/api/wording", "/static/app.css", "/nowhere"):
            r = httpx.get(srv.base + path, headers={"Host": "rebound.example"})
            assert r.status_code == 400, path
        r = httpx.get(srv.base + "/login", headers={"Host": "rebound.example", "Accept-Language": "en"})
        assert "does not answer to the host name 'rebound.example'" in r.text
        assert httpx.get(srv.base + "/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200  # probes
        for host in ("localhost:1", "[::1]:8000", "incident.example.com", "a.corp.example", "127.0.0.1"):
            assert httpx.get(srv.base + "/login", headers={"Host": host}).status_code == 200, host
        assert httpx.get(srv.base + "/login", headers={"Host": "corp.example.evil"}).status_code == 400
        # no browser sends these; a loose parse read "127.0.0.1" / "[::1]" / "localhost" out of them
        odd = (f"127.0.0.1:{srv.port}@evil.example", "[::1]evil.example", "localhost:80x", "localhost:", "[::1")
        for host in odd + ("[::1]:8000:1", "a.corp.example:1@evil", "local host", "[evil.example]"):
            r = httpx.get(srv.base + "/login", headers={"Host": host, "Accept-Language": "en"})
            assert r.status_code == 400 and "does not answer to the host name" in r.text, host
        client, csrf = login(srv.base, "zhangwei")
        form = {"csrf": csrf, "kind": "other", "severity": "4", "title": "x"}
        for origin in (f"http://evil.example:{srv.port}", "null", "http://localhost:1"):
            r = client.post("/incidents", data=form, headers={"Origin": origin})
            assert r.status_code == 403 and "其他网站" in r.text, origin
        r = client.post("/incidents", data=form, headers={"Origin": srv.base})
        assert r.status_code == 303
    with rt.store.read() as s:
        assert len(s.scalars(select(Incident)).all()) == 1


def test_the_machine_token_is_needed_and_bound_to_machine_hosts(db_url, config, clock, ctx):
    rt = web_runtime(db_url, config, clock)
    rt.settings = rt.settings.model_copy(update={"api_token": "machine-tok"})
    entry = _entry_awaiting_approval(rt, ctx)
    token = {"Authorization": "Bearer machine-tok", "X-Incident-Actor": "liuyang"}
    elsewhere = config.web.model_copy(update={"machine_hosts": ["10.9.9.9"]})
    rt_far = web_runtime(db_url, config.model_copy(update={"web": elsewhere}), clock)
    rt_far.settings = rt.settings
    with LiveServer(create_app(rt_far)) as srv:
        r = httpx.post(srv.base + "/api/compensation/approve", headers=token, json={"ids": [entry]})
        assert r.status_code == 401 and "machine_hosts" in r.json()["detail"]
    assert _status_of(rt, entry) == "proposed"
    with LiveServer(create_app(rt)) as srv:
        r = httpx.post(srv.base + "/api/compensation/approve", headers=token, json={"ids": [entry]})
        assert r.status_code == 200 and r.json() == {"approved": 1}


def test_loopback_api_true_is_refused_by_name():
    assert WebConfig(loopback_api=False).machine_hosts == ["127.0.0.1", "::1"]
    with pytest.raises(ValueError, match="loopback_api was removed"):
        WebConfig(loopback_api=True)
    with pytest.raises(ValueError, match="not a host name"):
        WebConfig(allowed_hosts=["http://x/"])


# ---- point 12: security headers, the API's description ------------------------------


def test_security_headers_on_every_response_and_the_api_description_needs_a_user(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "chenjing", "cs_lead", password=None)
    with rt.store.transaction() as s:
        _row, secret = tokens.create(s, "chenjing", "reports", clock.now())
    auth = {"Authorization": f"Bearer {secret}"}
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as c:
        answers = [
            c.get("/status"),
            c.get("/status/feed.atom"),
            c.get("/api/reports/daily", params={"format": "html"}, headers=auth),
            c.get("/api/openapi.json", headers=auth),
            c.get("/api/openapi.json"),
            c.get("/healthz"),
            c.get("/static/app.css"),
            c.get("/nowhere"),
            c.get("/login", headers={"Host": "evil.example"}),
        ]
        for r in answers:
            h = r.headers
            assert h["x-content-type-options"] == "nosniff", r.url
            assert h["x-frame-options"] == "DENY" and h["referrer-policy"] == "same-origin", r.url
            csp = h["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-eval" not in csp, r.url
        assert answers[3].status_code == 200 and "/api/complaints" in answers[3].json()["paths"]
        assert answers[4].status_code == 401  # the API's description is not public
        docs = c.get("/api/docs")
        assert docs.status_code == 303 and docs.headers["location"].startswith("/login")
        assert "script-src 'self'" in c.get("/login").headers["content-security-policy"]  # the pages' own, strict


# ---- request bodies: capped before they are read ------------------------------------


def _raw(port: int, head: str, chunks, stop_after: float = 20.0) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Send ``head`` and then ``chunks`` until the server answers; the
    response's first line and how many body bytes went out first."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=stop_after)
    sent = 0
    try:
        sock.sendall(head.encode("latin-1"))
        sock.setblocking(False)
        reply = b""
        deadline = time.monotonic() + stop_after
        for chunk in chunks:
            try:
                reply += sock.recv(65536)
            except BlockingIOError:
                pass
            except OSError:
                break
            if reply or time.monotonic() > deadline:
                break
            try:
                sock.sendall(chunk)
                sent += len(chunk)
            except (BlockingIOError, OSError):
                time.sleep(0.01)  # the server stopped reading: its answer is on the way
        sock.setblocking(True)
        sock.settimeout(10)
        while b"\r\n" not in reply:
            more = sock.recv(65536)
            if not more:
                break
            reply += more
        return reply.split(b"\r\n", 1)[0].decode("latin-1"), sent
    finally:
        sock.close()


def _chunks(size: int, count: int):  # type: ignore[no-untyped-def]
    piece = b"a" * size
    for _ in range(count):
        yield f"{size:x}\r\n".encode() + piece + b"\r\n"


@pytest.mark.parametrize("path", ["/slack/commands", "/slack/interactions", "/login", "/api/complaints"])
def test_huge_bodies_are_refused_before_they_are_read(db_url, config, clock, path):
    rt = web_runtime(db_url, config, clock)
    with LiveServer(create_app(rt)) as srv:
        huge = 200 * 1024 * 1024
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\nContent-Type: application/x-www-form-urlencoded"
            f"\r\nContent-Length: {huge}\r\n\r\n"
        )
        status, sent = _raw(srv.port, head, (b"a" * 65536 for _ in range(huge // 65536)))
        assert status.split()[1] == "413", status
        assert sent < 16 * 1024 * 1024  # answered long before the 200 MiB were sent


@pytest.mark.parametrize("path", ["/login", "/slack/commands", "/incidents"])
def test_a_chunked_stream_is_cut_off_at_the_limit(db_url, config, clock, path, monkeypatch):
    monkeypatch.setenv(config.slack.signing_secret_env, "test-signing-secret")
    rt = web_runtime(db_url, config, clock)
    # signed-looking headers (at the test clock's time), so that the body is read, not refused for them
    slack = f"X-Slack-Request-Timestamp: {int(clock.now().timestamp())}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
    with LiveServer(create_app(rt)) as srv:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\nContent-Type: application/x-www-form-urlencoded"
            f"\r\nTransfer-Encoding: chunked\r\n{slack}\r\n"
        )
        status, sent = _raw(srv.port, head, _chunks(16 * 1024, 200 * 64))  # 200 MiB if nobody stopped it
        code = status.split()[1]
        # /incidents: nobody signed in, so off to the login page before the body matters
        assert code == ("303" if path == "/incidents" else "413"), status
        assert sent < 16 * 1024 * 1024


def test_bodies_within_the_limit_still_work(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    rt.settings = rt.settings.model_copy(update={"api_token": "machine-tok"})
    with LiveServer(create_app(rt)) as srv:
        batch = [
            {"external_id": f"T-{i}", "received_at": "2026-11-24T01:50:00Z", "channel": "app", "text": "登录失败" * 100}
            for i in range(2000)
        ]  # a few MB: far over /login's 64 KiB
        r = httpx.post(
            srv.base + "/api/complaints", json=batch, headers={"Authorization": "Bearer machine-tok"}, timeout=60
        )
        assert r.status_code == 200 and r.json()["added"] == 2000


# ---- text at the door ----------------------------------------------------------


def test_form_and_json_text_is_cleaned_at_the_door(db_url, config, clock, ctx):
    rt = web_runtime(db_url, config, clock)
    rt.settings = rt.settings.model_copy(update={"api_token": "machine-tok"})
    add_user(rt, "zhangwei", "lead")
    with LiveServer(create_app(rt)) as srv:
        client, csrf = login(srv.base, "zhangwei")
        r = client.post(
            "/incidents", data={"csrf": csrf, "kind": "other", "severity": "4", "title": "APP\x00 登录\x1b失败\x7f"}
        )
        assert r.status_code == 303, r.text
        iid = int(r.headers["location"].rsplit("/", 1)[1])
        raw = '{"customers": [{"customer_ref": "Z1", "name": "张\\u0000三\\ud800", "contact": "13812345678"}]}'
        r = httpx.post(
            f"{srv.base}/api/incidents/INC-{iid}/customers",
            content=raw.encode(),
            headers={
                "Authorization": "Bearer machine-tok",
                "X-Incident-Actor": "zhangwei",
                "Content-Type": "application/json",
            },
        )
        assert r.status_code == 200 and r.json()["added"] == 1, r.text
        listed = httpx.get(
            f"{srv.base}/api/incidents/INC-{iid}/customers", headers={"Authorization": "Bearer machine-tok"}
        ).json()
        # an identifier with a control character is refused by name, not turned into another one
        r = httpx.post(
            f"{srv.base}/api/incidents/INC-{iid}/compensation",
            content=b'{"customer_ref": "Z1\\u0000", "form": "coupon", "amount": 10}',
            headers={
                "Authorization": "Bearer machine-tok",
                "X-Incident-Actor": "zhangwei",
                "Content-Type": "application/json",
            },
        )
        assert r.status_code == 422 and r.json()["error"] == "textin.error.control", r.text
    with rt.store.read() as s:
        assert s.get(Incident, iid).title == "APP 登录失败"  # type: ignore[union-attr]
    assert listed["customers"][0]["name"] == "张三"


# ---- ids past the columns' range; LIKE wildcards ------------------------------------


def _all_routes(routes):  # type: ignore[no-untyped-def]
    """The app's routes, the included routers' too (FastAPI keeps them apart)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _all_routes(inner.routes)
        elif hasattr(route, "methods") and isinstance(getattr(route, "path", None), str):
            yield route


# Unicode digits: "²".isdigit() but int("²") raises; int("١") is 1. Ids are ASCII digits.
NOT_IDS = (HUGE, "²", "١")


def test_ids_beyond_the_integer_range_are_not_found_on_every_route(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "root", "admin")
    with rt.store.transaction() as s:  # INC-1 exists: "INC-١" must not reach it
        response.declare(s, rt.ctx, kind="system_outage", severity=2, title="APP 登录失败")
    app = create_app(rt)
    routes = [
        (method, route.path)
        for route in _all_routes(app.routes)
        if any(f"{name}}}" in route.path for name in ("_id", "number", "{incident"))
        for method in sorted(route.methods or ())
    ]
    assert len(routes) >= 30  # the board's, desk's, remedy's, admin's and the API's
    with LiveServer(app) as srv:
        client, csrf = login(srv.base, "root")
        client.headers["X-CSRF-Token"] = csrf
        seen = []
        for value in NOT_IDS:
            fill = {"action": "reject", "name": "submit", "incident": f"INC-{value}"}
            for method, path in routes:
                url = path
                for key in [p[1:-1] for p in path.split("/") if p.startswith("{")]:
                    url = url.replace("{" + key + "}", fill.get(key, value))
                r = client.request(method, url, data={"csrf": csrf} if method == "POST" else None)
                seen.append((method, url, r.status_code))
            for q in ({"incident": value}, {"incident": f"INC-{value}"}):
                for url in ("/api/compensation", "/api/callbacks/due", "/api/wording"):
                    r = client.get(url, params=q)
                    seen.append(("GET", f"{url}?{q}", r.status_code))
            r = client.post("/api/compensation/approve", json={"incident": f"INC-{value}"})
            seen.append(("POST", f"approve INC-{value}", r.status_code))
            r = client.get("/lookup", params={"q": f"INC-{value}"})  # a page: the problem is said on it
            seen.append(("GET", "/lookup", r.status_code))
            assert value != "١" or "没有编号为 INC-١ 的事件" in r.text, r.text  # not INC-1's wording
        r = client.post("/api/compensation/approve", json={"ids": [int(HUGE)]})
        seen.append(("POST", "approve ids", r.status_code))
        for url in (
            f"/?id={HUGE}",
            "/?id=3000000000",
            f"/?page={HUGE}",
            f"/incidents/1?page={HUGE}",
            f"/remedy?page={HUGE}",
            f"/remedy/1?page={HUGE}&lpage={HUGE}",
            f"/desk/1?a={HUGE}&b={HUGE}",
            f"/api/incidents/1/customers?offset={HUGE}&limit={HUGE}",
            f"/api/callbacks/due?limit={HUGE}",
            "/incidents/3000000000",
            "/api/callbacks/3000000000",
        ):  # past int4: PostgreSQL's range
            seen.append(("GET", url, client.get(url).status_code))
        for value in ("²", "١", "INC-١", "INC-²", "#١"):  # a named "not found", the same on every id route
            part = urllib.parse.quote(value, safe="")
            for url in (f"/incidents/{part}", f"/api/callbacks/{part}", f"/api/incidents/{part}/report"):
                r = client.get(url, headers={"Accept-Language": "en"})
                assert r.status_code == 404 and "no" in r.text and value in r.text, (url, r.status_code, r.text)
        for url in ("/incidents/abc", "/api/callbacks/abc", "/desk/INC-1"):  # a word names nothing either
            r = client.get(url)
            assert r.status_code == 404 and "没有编号为" in r.text, (url, r.status_code, r.text)
    wrong = [s for s in seen if s[2] not in (404, 200)]
    assert not wrong, wrong
    assert sum(1 for s in seen if s[2] == 404) >= len(routes) * len(NOT_IDS)
    assert not [s for s in seen if "١" in s[1] and s[2] == 200], "an Arabic-Indic one read as INC-1"


def test_parse_id_takes_ascii_digits_only():
    assert incidents.parse_id("INC-12") == incidents.parse_id("#12") == incidents.parse_id(" inc12 ") == 12
    for text in ("INC-١", "١", "²", "#٣", "INC-１２"):  # Arabic-Indic, superscript, fullwidth
        with pytest.raises(NotFoundError):
            incidents.parse_id(text)
    for text in ("abc", "INC-", "0", "-3", "ınc-1"):  # not an id at all: the route's input error, as before
        with pytest.raises(InputError):
            incidents.parse_id(text)


def test_percent_and_underscore_in_a_search_are_text(store, ctx):
    with store.transaction() as s:
        for title in ("退款 100% 到账", "退款 1000 到账", "a_b 故障", "axb 故障", "back\\slash"):
            response.declare(s, ctx, kind="other", severity=4, title=title)
    with store.read() as s:

        def found(term: str) -> list[str]:
            return sorted(r.title for r in incidents.list_incidents(s, search=term))

        assert found("100%") == ["退款 100% 到账"]
        assert found("a_b") == ["a_b 故障"]
        assert found("%") == ["退款 100% 到账"]
        assert found("\\") == ["back\\slash"]
        assert incidents.count_incidents(s, search="_") == 1


# ---- point 10: sign-in neither races nor tells ------------------------------------------


def _try(rt, name: str, password: str):  # type: ignore[no-untyped-def]
    """One sign-in in its own transaction: the refusal, or None."""
    try:
        with rt.store.transaction() as s:
            try:
                users.authenticate(s, rt.config, name, password, rt.clock.now())
            except AuthError as exc:
                return exc  # returned, not raised: the count must commit (as login.py does)
        return None
    except Exception as exc:  # noqa: BLE001 — a database error is a failure of the test, shown
        return exc


def test_parallel_wrong_guesses_lock_the_account(db_url, config, clock):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(lambda _: _try(rt, "zhangwei", "wrong-guess-1"), range(30)))
    assert all(isinstance(r, AuthError) for r in results), results
    with rt.store.read() as s:
        user = s.scalars(select(User).where(User.username == "zhangwei")).one()
        assert user.locked_until is not None  # the threshold was reached, however the guesses interleaved
    refused = _try(rt, "zhangwei", PASSWORD)
    assert isinstance(refused, AuthError) and refused.key == "access.error.sign_in_failed"
    clock.advance(minutes=config.web.lockout_minutes + 1)
    assert _try(rt, "zhangwei", PASSWORD) is None


def test_unknown_wrong_and_locked_read_the_same_and_cost_one_verification(db_url, config, clock, monkeypatch):
    rt = web_runtime(db_url, config, clock)
    add_user(rt, "zhangwei", "lead")
    add_user(rt, "lina", "lead")
    add_user(rt, "proxyonly", "viewer", password=None)
    for _ in range(config.web.max_failed_logins):
        _try(rt, "lina", "wrong-guess-1")
    calls = []
    real = passwords._scrypt
    monkeypatch.setattr(passwords, "_scrypt", lambda *a: calls.append(a) or real(*a))
    answers = {}
    for case, name, password in (
        ("unknown", "nobody", "wrong-guess-1"),
        ("empty", "", "x"),
        ("wrong", "zhangwei", "wrong-guess-1"),
        ("locked", "lina", PASSWORD),
        ("no password", "proxyonly", "wrong-guess-1"),
    ):
        calls.clear()
        answers[case] = _try(rt, name, password)
        assert len(calls) == 1, case  # one scrypt each: the dummy hash for those without one
    rule = (("max", config.web.max_failed_logins), ("minutes", config.web.lockout_minutes))
    said = {(a.key, tuple(sorted(a.params.items()))) for a in answers.values()}
    assert said == {("access.error.sign_in_failed", rule)}
    # and over HTTP the page says the same words whoever was asked for
    with LiveServer(create_app(rt)) as srv, httpx.Client(base_url=srv.base) as c:
        shown = set()
        for name, password in (("nobody", "wrong-guess-1"), ("zhangwei", "wrong-guess-2"), ("lina", PASSWORD)):
            token = csrf_of(c.get("/login").text)
            r = c.post("/login", data={"csrf": token, "username": name, "password": password})
            assert r.status_code == 401
            shown.add(re.search(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', r.text, re.S).group(1).strip())  # type: ignore[union-attr]
        assert len(shown) == 1 and "用户名或密码错误" in shown.pop()
