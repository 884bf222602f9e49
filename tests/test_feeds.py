"""Feeds end to end against a real HTTP server on 127.0.0.1: fetch, parse,
dedupe, store, health, status-page signals, and every kind of bad feed."""

from __future__ import annotations

import time
from http.server import ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from incident.context import Context
from incident.models import FeedEntry, FeedSourceState, Incident, Signal
from incident.watch import jobs
from tests.feedserver import FeedServer, Route
from tests.watchutil import feed_file, make_config

ATOM = "githubstatus-history.atom"
ATOM_20 = "githubstatus-history.prev-2026-08-20.atom"
ATOM_21 = "githubstatus-history.prev-2026-08-21.atom"


@pytest.fixture
def server(monkeypatch):
    # Sources are fetched concurrently: socketserver's listen backlog of 5
    # would drop SYNs (retried after 1 s, past the tests' 1 s connect timeout).
    monkeypatch.setattr(ThreadingHTTPServer, "request_queue_size", 128)
    with FeedServer() as srv:
        yield srv


def ctx_for(clock, feeds: dict, **watch) -> Context:
    config = make_config(
        feeds={name: {"allow_private": True, **spec} for name, spec in feeds.items()},
        watch={
            "brand_terms": ["顺丰", "順豐", "GitHub"],
            "read_timeout_seconds": 1.0,
            "connect_timeout_seconds": 1.0,
            "total_timeout_seconds": 3.0,
            **watch,
        },
    )
    return Context(config=config, actor="watcher", clock=clock)


def count(store, model) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def health(store, name) -> FeedSourceState:
    with store.transaction() as s:
        st = s.scalars(select(FeedSourceState).where(FeedSourceState.name == name)).one()
        s.expunge(st)
        return st


def test_real_feeds_are_stored_once_and_repolls_add_nothing(store, clock, server):
    server.routes["/zh.xml"] = Route(feed_file("rsshub-3dm-news-zh.xml"))
    server.routes["/weibo.xml"] = Route(feed_file("weibo-rss-zh.trimmed.xml"), etag=False)
    server.routes["/gh.atom"] = Route(feed_file(ATOM), content_type="application/atom+xml")
    ctx = ctx_for(
        clock,
        {
            "news": {"url": server.url("/zh.xml"), "kind": "news"},
            "weibo": {"url": server.url("/weibo.xml"), "kind": "social"},
            "gh": {"url": server.url("/gh.atom"), "kind": "news", "language": "en"},
        },
    )
    reports = {r.source: r for r in jobs.poll_all(store, ctx)}
    assert [reports[n].new for n in ("news", "weibo", "gh")] == [20, 2, 25]
    assert count(store, FeedEntry) == 47

    with store.transaction() as s:
        weibo = s.scalars(select(FeedEntry).where(FeedEntry.source == "weibo").order_by(FeedEntry.id)).first()
        # +0800 in the feed, stored as the same instant in UTC
        assert weibo.published_at.isoformat() == "2026-08-02T09:49:35+00:00"
        assert weibo.author == "爱可可-爱生活"
        assert "<" not in weibo.summary and weibo.summary.startswith("博士训练最残酷的地方")
        news = s.scalars(select(FeedEntry).where(FeedEntry.source == "news")).first()
        assert news.title and news.link.startswith("http")

    clock.advance(minutes=5)
    again = {r.source: r for r in jobs.poll_all(store, ctx)}
    assert again["news"].not_modified and again["gh"].not_modified  # conditional GET answered 304
    assert again["weibo"].ok and again["weibo"].new == 0 and again["weibo"].updated == 0
    zh_requests = [headers for path, headers in server.requests if path == "/zh.xml"]
    assert len(zh_requests) == 2 and not zh_requests[0].get("If-None-Match") and zh_requests[1].get("If-None-Match")
    assert count(store, FeedEntry) == 47
    st = health(store, "news")
    assert st.consecutive_failures == 0 and st.last_success_at is not None and st.polls == 2


def test_overlapping_feeds_keep_an_entry_per_source_linked_as_one_story(store, clock, server):
    """(Issue 20.4 changed this: entries were global, one row for both.)"""
    body = feed_file("rsshub-3dm-news-zh.xml")
    server.routes["/a.xml"] = Route(body)
    server.routes["/b.xml"] = Route(body)
    ctx = ctx_for(clock, {"a": {"url": server.url("/a.xml")}, "b": {"url": server.url("/b.xml")}})
    reports = jobs.poll_all(store, ctx)
    assert [r.new for r in reports] == [20, 20]
    assert count(store, FeedEntry) == 40
    with store.transaction() as s:
        stories = s.execute(select(FeedEntry.story_key, func.count()).group_by(FeedEntry.story_key)).all()
    assert len(stories) == 20 and all(n == 2 for _, n in stories)


def test_status_page_polls_new_entry_opens_outage_updates_do_not_duplicate(store, clock, server):
    route = Route(feed_file(ATOM_20), content_type="application/atom+xml")
    server.routes["/status.atom"] = route
    ctx = ctx_for(clock, {"github": {"url": server.url("/status.atom"), "kind": "status_page", "language": "en"}})

    first = jobs.poll_feed(store, ctx, "github")
    assert first.new == 25 and first.signals == 0  # the first poll is history
    assert count(store, Incident) == 0

    route.body = feed_file(ATOM_21)  # one new upstream incident
    clock.advance(minutes=5)
    second = jobs.poll_feed(store, ctx, "github")
    assert (second.new, second.updated, second.signals) == (1, 0, 1)
    with store.transaction() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.kind == "system_outage"
        assert "Intermittent failures creating agent tasks" in inc.title
        sig = s.scalars(select(Signal)).one()
        assert sig.action == "opened" and sig.incident_id == inc.id
        assert sig.detail["upstream_status"] == "resolved"
        assert sig.detail["samples"][0]["link"].startswith("https://www.githubstatus.com/incidents/")

    route.body = feed_file(ATOM)  # same ids, content updated
    clock.advance(minutes=5)
    third = jobs.poll_feed(store, ctx, "github")
    assert (third.new, third.updated) == (0, 2)
    assert count(store, FeedEntry) == 26
    assert count(store, Incident) == 1  # updates to old, resolved upstream incidents open nothing
    with store.transaction() as s:
        versions = sorted(s.scalars(select(FeedEntry.version)))
        assert versions.count(2) == 2
        assert s.scalar(select(func.count()).select_from(Signal).where(Signal.action == "recorded")) == 2

    clock.advance(minutes=5)
    assert jobs.poll_feed(store, ctx, "github").not_modified
    assert count(store, Signal) == 3


def test_active_upstream_incident_opens_and_its_updates_attach(store, clock, server):
    entry = """<entry><id>tag:status.example,2005:Incident/1</id><published>{t}</published><updated>{t}</updated>
      <link rel="alternate" type="text/html" href="https://status.example/incidents/1"/>
      <title>Payments API degraded</title>
      <content type="html">&lt;strong&gt;{state}&lt;/strong&gt; - {text}</content></entry>"""
    head = '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>Status</title><updated>2026-11-24T01:00:00Z</updated>'
    route = Route((head + "</feed>").encode(), content_type="application/atom+xml")
    server.routes["/s.atom"] = route
    ctx = ctx_for(clock, {"pay": {"url": server.url("/s.atom"), "kind": "status_page", "severity": 2}})
    jobs.poll_feed(store, ctx, "pay")
    route.body = (
        head
        + entry.format(t="2026-11-24T01:55:00Z", state="Investigating", text="We are investigating errors")
        + "</feed>"
    ).encode()
    rep = jobs.poll_feed(store, ctx, "pay")
    assert rep.signals == 1 and len(rep.opened) == 1
    route.body = (
        head + entry.format(t="2026-11-24T01:59:00Z", state="Identified", text="A fix is being deployed") + "</feed>"
    ).encode()
    rep = jobs.poll_feed(store, ctx, "pay")
    assert rep.signals == 1 and rep.opened == []
    with store.transaction() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.severity == 2 and inc.kind == "system_outage"
        assert [sg.action for sg in s.scalars(select(Signal).order_by(Signal.id))] == ["opened", "attached"]


def test_changed_entry_is_an_update_not_a_new_entry(store, clock, server):
    item = "<item><guid>g-1</guid><title>{title}</title><description>d</description></item>"
    wrap = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    route = Route(wrap.format(items=item.format(title="顺丰 快递延误")).encode())
    server.routes["/r.xml"] = route
    ctx = ctx_for(clock, {"r": {"url": server.url("/r.xml"), "kind": "social"}})
    assert jobs.poll_feed(store, ctx, "r").new == 1
    route.body = wrap.format(items=item.format(title="顺丰 快递延误，已经三天还没到")).encode()
    rep = jobs.poll_feed(store, ctx, "r")
    assert (rep.new, rep.updated) == (0, 1)
    with store.transaction() as s:
        e = s.scalars(select(FeedEntry)).one()
        assert e.version == 2 and "三天" in e.title
        assert e.brand and e.negative and e.topics == ["delivery_delay"]


BAD = {
    "html": (
        Route(b"<html><body><h1>Welcome</h1><p>not a feed</p></body></html>", content_type="text/html"),
        "feed.error.not_a_feed",
    ),
    "truncated": (None, "feed.error.truncated"),
    "bomb": (
        Route(
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b'<rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title></item></channel></rss>'
        ),
        "feed.error.entities",
    ),
    "xxe": (
        Route(
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<rss version="2.0"><channel><title>t</title>'
            b"<item><title>&xxe;</title><guid>1</guid></item></channel></rss>"
        ),
        "feed.error.entities",
    ),
    "huge": (Route(huge=50 * 1024 * 1024), "feed.error.too_large"),
    "hang": (Route(trickle=True), ("feed.error.timeout", "feed.error.deadline", "feed.error.too_large")),
    "missing": (Route(status=404), "feed.error.http_status"),
    "empty": (Route(b""), "feed.error.empty"),
}


def test_bad_feeds_each_fail_alone_with_a_clear_error(store, clock, server):
    good = feed_file("rsshub-3dm-news-zh.xml")
    server.routes["/good.xml"] = Route(good)
    atom = feed_file(ATOM)
    bad = {**BAD, "truncated": (Route(atom[: len(atom) // 2]), "feed.error.truncated")}
    feeds = {"good": {"url": server.url("/good.xml")}}
    for name, (route, _) in bad.items():
        if route is not None:
            server.routes[f"/{name}"] = route
            feeds[name] = {"url": server.url(f"/{name}")}
    ctx = ctx_for(clock, feeds, max_feed_bytes=2_000_000)
    started = time.monotonic()
    reports = {r.source: r for r in jobs.poll_all(store, ctx)}
    elapsed = time.monotonic() - started
    assert reports["good"].ok and reports["good"].new == 20
    for name, (_, expected) in bad.items():
        rep = reports[name]
        assert not rep.ok, name
        allowed = expected if isinstance(expected, tuple) else (expected,)
        assert rep.error_key in allowed, (name, rep.error_key, rep.error_params)
        st = health(store, name)
        assert st.consecutive_failures == 1 and st.last_error_key == rep.error_key
    assert elapsed < 30  # bounded: the trickling server is cut off by the deadline
    with store.transaction() as s:
        texts = " ".join(s.scalars(select(FeedEntry.title))) + " ".join(s.scalars(select(FeedEntry.summary)))
    assert "root:" not in texts
    assert count(store, FeedEntry) == 20


def test_error_sentence_in_both_languages(store, clock, server):
    server.routes["/missing"] = Route(status=503)
    ctx = ctx_for(clock, {"m": {"url": server.url("/missing")}})
    rep = jobs.poll_feed(store, ctx, "m")
    from incident.i18n import t

    assert t(rep.error_key, "en", **rep.error_params).startswith("the server answered HTTP 503")
    assert "HTTP 503" in t(rep.error_key, "zh-CN", **rep.error_params)
    jobs.poll_feed(store, ctx, "m")
    assert health(store, "m").consecutive_failures == 2
    server.routes["/missing"] = Route(feed_file("weibo-rss-zh.trimmed.xml"))
    assert jobs.poll_feed(store, ctx, "m").ok
    st = health(store, "m")
    assert st.consecutive_failures == 0 and st.last_error_key is None


def test_mislabelled_chinese_encodings_are_decoded_not_garbled(store, clock, server):
    text = (
        '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>{t}</title>'
        "<item><guid>{g}</guid><title>{t}</title></item></channel></rss>"
    )
    simplified, traditional = "顺丰快递延误，客户投诉", "順豐快遞延誤，客戶投訴"
    server.routes["/gbk-declared"] = Route(
        text.format(enc="GBK", t=simplified, g="a").encode("gbk"), content_type="application/xml"
    )
    server.routes["/gbk-as-utf8"] = Route(text.format(enc="utf-8", t=simplified, g="b").encode("gbk"))
    server.routes["/big5-as-utf8"] = Route(text.format(enc="utf-8", t=traditional, g="c").encode("big5"))
    ctx = ctx_for(clock, {n: {"url": server.url("/" + n)} for n in ("gbk-declared", "gbk-as-utf8", "big5-as-utf8")})
    reports = {r.source: r for r in jobs.poll_all(store, ctx)}
    assert all(r.ok for r in reports.values()), reports
    assert reports["gbk-as-utf8"].warnings and "gb18030" in reports["gbk-as-utf8"].warnings[0]
    with store.transaction() as s:
        titles = {e.source: e.title for e in s.scalars(select(FeedEntry))}
    assert titles == {"gbk-declared": simplified, "gbk-as-utf8": simplified, "big5-as-utf8": traditional}


def test_address_and_redirect_rules(store, clock, server, monkeypatch):
    server.routes["/feed"] = Route(feed_file("weibo-rss-zh.trimmed.xml"))
    server.routes["/loop"] = Route(redirect="/loop")
    server.routes["/to-file"] = Route(redirect="file:///etc/passwd")
    server.routes["/hop"] = Route(redirect="/feed")
    server.routes["/auth"] = Route(
        feed_file("weibo-rss-zh.trimmed.xml"), require_header=("Authorization", "Bearer s3cret")
    )
    config = make_config(
        feeds={
            "private": {"url": server.url("/feed")},  # not allowed: loopback
            "loop": {"url": server.url("/loop"), "allow_private": True},
            "to-file": {"url": server.url("/to-file"), "allow_private": True},
            "hop": {"url": server.url("/hop"), "allow_private": True},
            "auth": {"url": server.url("/auth"), "allow_private": True, "auth_header_env": "TEST_FEED_TOKEN"},
        },
        watch={"max_redirects": 3},
    )
    ctx = Context(config=config, actor="w", clock=clock)
    monkeypatch.delenv("TEST_FEED_TOKEN", raising=False)
    reports = {r.source: r for r in jobs.poll_all(store, ctx)}
    assert reports["private"].error_key == "feed.error.private_address"
    assert reports["loop"].error_key == "feed.error.redirects"
    assert reports["to-file"].error_key == "feed.error.scheme"
    assert reports["hop"].ok and reports["hop"].new == 2
    assert reports["auth"].error_key == "feed.error.auth_env"
    # the refused source never reached the server: /feed was fetched once, through "hop"
    assert server.routes["/feed"].hits == 1
    monkeypatch.setenv("TEST_FEED_TOKEN", "Bearer s3cret")
    assert jobs.poll_feed(store, ctx, "auth").ok


def test_non_http_urls_are_refused_by_the_configuration():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as exc:
        make_config(feeds={"f": {"url": "file:///etc/passwd"}})
    assert "http" in str(exc.value)


def test_two_workers_recording_at_once_lose_no_count(store, clock, db_url):
    """Two workers' polls of one source, each in its own transaction, both
    read before either writes: the health counters add both (the database
    adds, not the session). SQLite serialises writers, so the interleaving
    is PostgreSQL's (read committed)."""
    from incident.config import FeedSource
    from incident.watch import feeds
    from incident.watch.fetch import FetchError

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite starts every write transaction with BEGIN IMMEDIATE: no two can interleave")
    ctx = ctx_for(clock, {})
    source = FeedSource(url="http://127.0.0.1:9/feed.xml", allow_private=True)

    def failed() -> FetchError:
        return FetchError("feed.error.http_status", status=502, url=source.url)

    with store.transaction() as s:
        feeds.record_failure(s, ctx, "upstream", source, failed())
    first, second = store.session(), store.session()
    try:
        first.begin()
        feeds.record_failure(first, ctx, "upstream", source, failed())
        second.begin()
        feeds.record_failure(second, ctx, "upstream", source, failed())
        first.commit()  # both have read polls = 1 and consecutive_failures = 1
        second.commit()
    finally:
        first.close()
        second.close()
    st = health(store, "upstream")
    assert (st.polls, st.consecutive_failures) == (3, 3)


# ---- issue 20: concurrency, health of every outcome, identity per source ------------

RSS = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{extra}{items}</channel></rss>'
ITEM = "<item><guid>{guid}</guid><title>{title}</title><description>{text}</description></item>"


def rss(items: str, extra: str = "") -> bytes:
    return RSS.format(items=items, extra=extra).encode()


def test_a_slow_source_does_not_delay_the_others(store, clock, server):
    """Six sources that answer after 3 s, deadline 1 s: one after another
    they would take 6 s or more; concurrently the whole poll takes about
    one deadline. The healthy sources are all stored, the slow ones
    recorded as failed."""
    slow = [f"slow{i}" for i in range(6)]
    fast = [f"fast{i}" for i in range(6)]
    for name in slow:
        server.routes[f"/{name}"] = Route(rss(ITEM.format(guid=name, title="t", text="x")), delay=3.0)
    for name in fast:
        server.routes[f"/{name}"] = Route(rss(ITEM.format(guid=name, title="顺丰", text="快递延误")))
    ctx = ctx_for(clock, {n: {"url": server.url(f"/{n}")} for n in slow + fast}, total_timeout_seconds=1.0)
    started = time.monotonic()
    reports = {r.source: r for r in jobs.poll_all(store, ctx)}
    elapsed = time.monotonic() - started
    assert elapsed < 4.0, elapsed  # serially: >= 6 s
    assert all(reports[n].ok and reports[n].new == 1 for n in fast)
    for name in slow:
        assert reports[name].error_key in ("feed.error.deadline", "feed.error.timeout")
        assert reports[name].transient
        st = health(store, name)
        assert st.consecutive_failures == 1 and st.last_error_key == reports[name].error_key


def test_an_internal_error_is_recorded_in_the_sources_health(store, clock, server, monkeypatch):
    """A bug while storing one source (or parsing another) is that source's
    failure, in its health with a translated sentence; the others are stored."""
    from incident.i18n import t
    from incident.watch import feeds, polling

    for name in ("good", "store-bug", "parse-bug"):
        server.routes[f"/{name}"] = Route(rss(ITEM.format(guid=name, title=name, text="x")))
    ctx = ctx_for(clock, {n: {"url": server.url(f"/{n}")} for n in ("good", "store-bug", "parse-bug")})
    record_poll, parse = feeds.record_poll, polling.parse

    def broken_record(session, ctx, name, *args, **kwargs):
        result = record_poll(session, ctx, name, *args, **kwargs)
        if name == "store-bug":
            raise RuntimeError("boom in storing")
        return result

    def broken_parse(body, headers):
        if b"parse-bug" in body:
            raise KeyError("boom in parsing")
        return parse(body, headers)

    monkeypatch.setattr(feeds, "record_poll", broken_record)
    monkeypatch.setattr(polling, "parse", broken_parse)
    reports = {r.source: r for r in jobs.poll_all(store, ctx)}
    assert reports["good"].ok and reports["good"].new == 1
    for name, reason in (("store-bug", "RuntimeError: boom in storing"), ("parse-bug", "KeyError: 'boom in parsing'")):
        rep = reports[name]
        assert (rep.ok, rep.error_key, rep.error_params) == (False, "feed.error.internal", {"reason": reason})
        st = health(store, name)
        assert (st.last_error_key, st.last_error_params, st.consecutive_failures) == (
            "feed.error.internal",
            {"reason": reason},
            1,
        )
        assert t(st.last_error_key, "zh-CN", **st.last_error_params).startswith("处理该订阅时出现内部错误")
    with store.transaction() as s:
        # the failed source's savepoint was rolled back: none of its entries stayed
        assert sorted(s.scalars(select(FeedEntry.source))) == ["good"]


def test_the_same_body_without_validators_is_not_parsed_again(store, clock, server, monkeypatch):
    from incident.watch import polling

    route = Route(rss(ITEM.format(guid="g1", title="a", text="x")), etag=False)
    server.routes["/plain"] = route
    ctx = ctx_for(clock, {"plain": {"url": server.url("/plain")}})
    parsed = []
    parse = polling.parse
    monkeypatch.setattr(polling, "parse", lambda body, headers: parsed.append(body) or parse(body, headers))
    assert jobs.poll_all(store, ctx)[0].new == 1
    clock.advance(minutes=5)
    again = jobs.poll_all(store, ctx)[0]
    assert again.ok and again.not_modified and len(parsed) == 1
    assert not server.requests[-1][1].get("If-None-Match")  # no validator was ever sent
    route.body = rss(ITEM.format(guid="g1", title="a", text="x") + ITEM.format(guid="g2", title="b", text="y"))
    clock.advance(minutes=5)
    third = jobs.poll_all(store, ctx)[0]
    assert (third.not_modified, third.new, len(parsed)) == (False, 1, 2)
    st = health(store, "plain")
    assert st.polls == 3 and st.consecutive_failures == 0 and st.etag is None and st.body_hash


def test_the_same_guid_in_two_sources_is_two_entries_of_one_story(store, clock, server):
    """Each source keeps its own text and version; polling both three times
    flips nothing (it used to bump one shared row on every poll)."""
    a, b = Route(b"", etag=False), Route(b"", etag=False)
    server.routes["/a"], server.routes["/b"] = a, b
    ctx = ctx_for(clock, {"a": {"url": server.url("/a")}, "b": {"url": server.url("/b")}})
    for n in range(3):
        # the channel changes on every poll, so each body is parsed and stored again
        build = f"<lastBuildDate>poll {n}</lastBuildDate>"
        a.body = rss(ITEM.format(guid="shared-1", title="APP 登录失败", text="版本 A"), build)
        b.body = rss(ITEM.format(guid="shared-1", title="APP 无法登录", text="版本 B"), build)
        reports = jobs.poll_all(store, ctx)
        assert [(r.ok, r.not_modified, r.updated) for r in reports] == [(True, False, 0)] * 2
        assert [r.new for r in reports] == ([1, 1] if n == 0 else [0, 0])
        clock.advance(minutes=5)
    with store.transaction() as s:
        rows = s.scalars(select(FeedEntry).order_by(FeedEntry.source)).all()
        assert [(e.source, e.title, e.version) for e in rows] == [("a", "APP 登录失败", 1), ("b", "APP 无法登录", 1)]
        assert rows[0].story_key == rows[1].story_key and rows[0].entry_key != rows[1].entry_key


def test_entries_without_any_identity_do_not_collapse(store, clock, server):
    """No guid, link, title or date: each entry is still its own row, in
    each source (the story falls back to a hash of the content)."""
    items = "".join(f"<item><description>第 {i} 条：快递丢件</description></item>" for i in range(3))
    server.routes["/a"], server.routes["/b"] = Route(rss(items)), Route(rss(items))
    ctx = ctx_for(clock, {"a": {"url": server.url("/a")}, "b": {"url": server.url("/b")}})
    assert [r.new for r in jobs.poll_all(store, ctx)] == [3, 3]
    with store.transaction() as s:
        assert s.scalar(select(func.count(func.distinct(FeedEntry.story_key)))) == 3
    assert count(store, FeedEntry) == 6


def test_one_upstream_incident_carried_by_two_sources_opens_one_incident(store, clock, server):
    entry = """<entry><id>tag:status.example,2005:Incident/7</id><published>{t}</published><updated>{t}</updated>
      <link rel="alternate" type="text/html" href="https://status.example/incidents/7"/>
      <title>Payments API degraded</title>
      <content type="html">&lt;strong&gt;{state}&lt;/strong&gt; - {text}</content></entry>"""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id>'
        "<title>Status</title><updated>2026-11-24T01:00:00Z</updated>"
    )
    empty = (head + "</feed>").encode()
    routes = {"mirror-a": Route(empty, content_type="application/atom+xml"), "mirror-b": Route(empty)}
    for name, route in routes.items():
        server.routes[f"/{name}"] = route
    ctx = ctx_for(clock, {n: {"url": server.url(f"/{n}"), "kind": "status_page", "severity": 2} for n in routes})
    jobs.poll_all(store, ctx)  # first polls: history
    investigating = head + entry.format(t="2026-11-24T01:55:00Z", state="Investigating", text="errors") + "</feed>"
    for route in routes.values():
        route.body = investigating.encode()
    clock.advance(minutes=5)
    reports = jobs.poll_all(store, ctx)
    assert sum(len(r.opened) for r in reports) == 1
    identified = head + entry.format(t="2026-11-24T01:59:00Z", state="Identified", text="a fix is deployed") + "</feed>"
    routes["mirror-b"].body = identified.encode()  # only one mirror has the update yet
    clock.advance(minutes=5)
    assert [r.opened for r in jobs.poll_all(store, ctx)] == [[], []]
    with store.transaction() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.dedup_key.startswith("upstream:") and "mirror" not in inc.dedup_key
        signals = s.scalars(select(Signal).order_by(Signal.id)).all()
        assert [sg.action for sg in signals] == ["opened", "attached"]
        assert all(sg.incident_id == inc.id for sg in signals)


def test_migration_0009_gives_existing_entries_their_source_scoped_keys(db_url, clock, server):
    """Rows stored under 0008 (one global key per entry) come out of 0009
    keyed per source, linked by story, and a poll of the same feed finds
    them (nothing new, nothing updated)."""
    import hashlib

    import sqlalchemy as sa

    from incident.db import Store, upgrade
    from incident.watch.feeds import scoped_key

    body = rss(ITEM.format(guid="g-1", title="顺丰 快递延误", text="d"))
    server.routes["/r.xml"] = Route(body)
    ctx = ctx_for(clock, {"r": {"url": server.url("/r.xml"), "kind": "social"}})
    old = Store(db_url, migrate=False)
    try:
        upgrade(old.engine, "0008")
        jobs_store = old
        story = hashlib.sha256(b"g-1").hexdigest()
        with old.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO feed_entries (entry_key, source, source_kind, guid, title, summary, content_hash,"
                    " version, first_seen_at, updated_at, topics, negative, brand) VALUES"
                    " (:k, :src, 'social', :g, :title, 'd', :h, 1, :at, :at, '[]', false, true)"
                ),
                [
                    {
                        "k": story,
                        "src": "r",
                        "g": "g-1",
                        "title": "顺丰 快递延误",
                        "at": clock.now(),
                        "h": hashlib.sha256("\x1f".join(["顺丰 快递延误", "d", ""]).encode()).hexdigest(),
                    },
                    {"k": "f" * 64, "src": "other", "g": None, "title": "旧条目", "at": clock.now(), "h": "h"},
                ],
            )
        upgrade(old.engine)
        with old.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT source, entry_key, story_key FROM feed_entries ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [
            ("r", scoped_key("r", story), story),
            ("other", scoped_key("other", "f" * 64), "f" * 64),
        ]
        assert scoped_key("r", story) == hashlib.sha256(("r\x1f" + story).encode()).hexdigest()
        rep = jobs.poll_all(jobs_store, ctx)[0]
        assert (rep.ok, rep.new) == (True, 0)
        assert count(old, FeedEntry) == 2
    finally:
        old.dispose()
