"""Feeds end to end against a real HTTP server on 127.0.0.1: fetch, parse,
dedupe, store, health, status-page signals, and every kind of bad feed."""

from __future__ import annotations

import time

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
def server():
    with FeedServer() as srv:
        yield srv


def ctx_for(clock, feeds: dict, **watch) -> Context:
    config = make_config(
        feeds={name: {"allow_private": True, **spec} for name, spec in feeds.items()},
        watch={"brand_terms": ["顺丰", "順豐", "GitHub"], "read_timeout_seconds": 1.0, "connect_timeout_seconds": 1.0,
               "total_timeout_seconds": 3.0, **watch},
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
    ctx = ctx_for(clock, {
        "news": {"url": server.url("/zh.xml"), "kind": "news"},
        "weibo": {"url": server.url("/weibo.xml"), "kind": "social"},
        "gh": {"url": server.url("/gh.atom"), "kind": "news", "language": "en"},
    })
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


def test_overlapping_feeds_store_each_entry_once(store, clock, server):
    body = feed_file("rsshub-3dm-news-zh.xml")
    server.routes["/a.xml"] = Route(body)
    server.routes["/b.xml"] = Route(body)
    ctx = ctx_for(clock, {"a": {"url": server.url("/a.xml")}, "b": {"url": server.url("/b.xml")}})
    reports = jobs.poll_all(store, ctx)
    assert [r.new for r in reports] == [20, 0]
    assert count(store, FeedEntry) == 20


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
      <title>Payments API degraded</title><content type="html">&lt;strong&gt;{state}&lt;/strong&gt; - {text}</content></entry>"""
    head = '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>Status</title><updated>2026-11-24T01:00:00Z</updated>'
    route = Route((head + "</feed>").encode(), content_type="application/atom+xml")
    server.routes["/s.atom"] = route
    ctx = ctx_for(clock, {"pay": {"url": server.url("/s.atom"), "kind": "status_page", "severity": 2}})
    jobs.poll_feed(store, ctx, "pay")
    route.body = (head + entry.format(t="2026-11-24T01:55:00Z", state="Investigating", text="We are investigating errors") + "</feed>").encode()
    rep = jobs.poll_feed(store, ctx, "pay")
    assert rep.signals == 1 and len(rep.opened) == 1
    route.body = (head + entry.format(t="2026-11-24T01:59:00Z", state="Identified", text="A fix is being deployed") + "</feed>").encode()
    rep = jobs.poll_feed(store, ctx, "pay")
    assert rep.signals == 1 and rep.opened == []
    with store.transaction() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.severity == 2 and inc.kind == "system_outage"
        assert [sg.action for sg in s.scalars(select(Signal).order_by(Signal.id))] == ["opened", "attached"]


def test_changed_entry_is_an_update_not_a_new_entry(store, clock, server):
    item = '<item><guid>g-1</guid><title>{title}</title><description>d</description></item>'
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
    "html": (Route(b"<html><body><h1>Welcome</h1><p>not a feed</p></body></html>", content_type="text/html"), "feed.error.not_a_feed"),
    "truncated": (None, "feed.error.truncated"),
    "bomb": (Route(b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                   b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                   b'<rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title></item></channel></rss>'), "feed.error.entities"),
    "xxe": (Route(b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                  b'<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title><guid>1</guid></item></channel></rss>'), "feed.error.entities"),
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
    text = '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>{t}</title><item><guid>{g}</guid><title>{t}</title></item></channel></rss>'
    simplified, traditional = "顺丰快递延误，客户投诉", "順豐快遞延誤，客戶投訴"
    server.routes["/gbk-declared"] = Route(text.format(enc="GBK", t=simplified, g="a").encode("gbk"), content_type="application/xml")
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
    server.routes["/auth"] = Route(feed_file("weibo-rss-zh.trimmed.xml"), require_header=("Authorization", "Bearer s3cret"))
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
    from incident.errors import ConfigError
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
