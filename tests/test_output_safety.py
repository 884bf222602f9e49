"""Issue 21, point 7 and the output half of point 12: one rule for text
leaving the system. Every template is autoescaped whatever its file name,
HTML built from statement text is sanitised with an allow-list before it is
marked safe, plain-text channels still read exactly what was written, the
Markdown report cannot be turned into HTML or links by a complaint category,
and the Atom feed stays well-formed XML whatever characters were stored."""

import datetime as dt
import email
import xml.etree.ElementTree as ET
from email import policy
from html.parser import HTMLParser

import httpx
import pytest
from markdown_it import MarkdownIt
from sqlalchemy import select

from incident.adapters.smtp import SmtpAdapter
from incident.config import SmtpConfig
from incident.errors import InputError
from incident.models import Complaint, FactSheet, Incident, Statement
from incident.remedy import reports
from incident.runtime import Runtime
from incident.web.app import create_app
from incident.wording import authoring, workflow
from incident.wording.deliver import deliver_due
from incident.wording.pull import get_reply
from tests.factories import FULL, approved_sheet, as_, declare
from tests.test_publishing import publish_one, smtp_server  # noqa: F401  (smtp_server is a fixture)
from tests.webserver import LiveServer

PAYLOAD = "<img src=x onerror=alert(1)>"
ATOM = "{http://www.w3.org/2005/Atom}"
STATUS_FORMS = ("/status/subscribe",)  # the status page's own subscription form (issue 22)


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the markup."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.forms: list[str] = []  # each form's action
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)
        if tag == "form":
            self.forms.append(dict(attrs).get("action") or "")

    handle_startendtag = handle_starttag


def assert_inert(markup: str, own_forms: tuple[str, ...] = ()) -> None:
    """``own_forms``: the actions of the forms the page itself has (the status
    page's subscription form); any other form, or one more, came from text."""
    found = Elements(markup)
    assert sorted(found.forms) == sorted(own_forms), (found.forms, markup)
    live = {"img", "script", "iframe", "svg", "object", "embed", "base"} & set(found.tags)
    assert not live, (live, markup)
    handlers = [a for a in found.attrs if a[0].startswith("on")]
    assert not handlers, (handlers, markup)
    scripted = [a for a in found.attrs if a[1].strip().lower().startswith("javascript:")]
    assert not scripted, (scripted, markup)


def serve(db_url, clock, ctx):
    rt = Runtime.build(database_url=db_url)
    rt.clock = clock
    rt.config = ctx.config
    return LiveServer(create_app(rt))


def entry_html(feed: bytes) -> list[str]:
    root = ET.fromstring(feed)
    return [c.text or "" for c in root.iter(f"{ATOM}content")]


# ------------------------------------------------------------- point 7 --


def test_a_tag_in_an_approved_fact_sheet_is_never_live(store, ctx, db_url, clock, smtp_server):  # noqa: F811
    iid = declare(store, ctx)
    with store.transaction() as s:
        authoring.add_subscriber(s, ctx, "email", "b@example.com", "en")
    approved_sheet(store, ctx, iid, {**FULL, "what.en": f"Sign-in fails {PAYLOAD}", "what": f"登录失败 {PAYLOAD}"})
    publish_one(store, ctx, iid, channels="status_page,email")
    with serve(db_url, clock, ctx) as srv:
        en = httpx.get(f"{srv.base}/status?lang=en").text
        zh = httpx.get(f"{srv.base}/status?lang=zh-CN").text
        feed = httpx.get(f"{srv.base}/status/feed.atom?lang=en").content
    for page in (en, zh):
        assert_inert(page, STATUS_FORMS)
        assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the reader sees what was written
    contents = entry_html(feed)
    assert contents and "&lt;img src=x onerror=alert(1)&gt;" in contents[0]
    for html in contents:
        assert_inert(html)
    smtp = SmtpAdapter(SmtpConfig(host="127.0.0.1", port=smtp_server.port, sender="status@example.com"))
    assert deliver_due(store, {"email": smtp}, ctx.clock.now).sent == 1
    msg = email.message_from_bytes(smtp_server.to("b@example.com")[0], policy=policy.default)
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in msg.walk() if not p.is_multipart()}
    assert_inert(parts["text/html"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in parts["text/html"]
    assert "<p>Dear customer,</p>" in parts["text/html"]
    # The plain-text part is plain text: what was written, not entities.
    assert f"Sign-in fails {PAYLOAD}" in parts["text/plain"] and "&lt;" not in parts["text/plain"]


def test_plain_text_channels_read_exactly_what_was_written(store, ctx):
    iid = declare(store, ctx, title="internal <title>")
    odd = "A&B <x> \"q\" 'a' &amp;"
    sheet = {**FULL, "what.en": f"Sign-in fails for {odd}", "what": f"登录失败 {odd}"}
    # The e-mail subject is the public title (issue 22): it too reads as written.
    sheet |= {"public_title": f"登录异常 {odd}", "public_title.en": f"Sign-in trouble {odd}"}
    approved_sheet(store, ctx, iid, sheet)
    with store.transaction() as s:
        n = workflow.draft_statement(s, ctx, iid, kind="holding", channels="sms,weibo,x,email,status_page").number
        st = s.scalars(select(Statement).where(Statement.incident_id == iid, Statement.number == n)).one()
        rendered = st.rendered
    for lang in ("en", "zh-CN"):
        r = rendered[lang]
        for text in (r["sms"]["text"], r["weibo"]["text"], r["x"]["text"], r["email"]["text"]):
            assert odd in text and "&lt;" not in text and "&#39;" not in text, text
        assert odd in r["email"]["subject"] and "internal" not in r["email"]["subject"]
        assert odd in r["status_page"]["text"]  # what the linter and the feed summary see
        assert "A&amp;B &lt;x&gt;" in r["status_page"]["html"] and "A&amp;B &lt;x&gt;" in r["email"]["html"]
        assert_inert(r["status_page"]["html"])
    with store.transaction() as s:
        reply = get_reply(s, ctx.config, incident_id=iid, lang="en")
    assert odd in reply.text and "&lt;" not in reply.text


def test_an_approved_template_cannot_put_live_markup_on_the_status_page(store, ctx, db_url, clock):
    body = (
        '<article onclick="x()"><p>{{ facts.what }}</p><script>alert(2)</script>'
        '<a href="javascript:alert(3)">x</a><a href="/account">in</a><a href="https://example.com/help">help</a>'
        "</article>"
    )
    with store.transaction() as s:
        # Nothing a template says can mark text as trusted markup …
        for unsafe in ("<p>{{ facts.what|safe }}</p>", "{% autoescape false %}{{ facts.what }}{% endautoescape %}"):
            with pytest.raises(InputError) as exc:
                authoring.add_template(s, as_(ctx, "emily"), "statements/status_page", "en", unsafe)
            assert exc.value.key == "wording.error.template_unsafe"
        # … and what it writes itself is sanitised.
        tid = authoring.add_template(s, as_(ctx, "emily"), "statements/status_page", "en", body).id
    with store.transaction() as s:
        authoring.approve_template(s, as_(ctx, "sunli"), tid)
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid, {**FULL, "what.en": f"Sign-in fails {PAYLOAD}"})
    publish_one(store, ctx, iid, channels="status_page")
    with serve(db_url, clock, ctx) as srv:
        page = httpx.get(f"{srv.base}/status?lang=en").text
        feed = httpx.get(f"{srv.base}/status/feed.atom?lang=en").content
    assert_inert(page, STATUS_FORMS)
    for html in [page, *entry_html(feed)]:
        assert "alert(2)" not in html
    for html in entry_html(feed):
        assert_inert(html)
    assert 'href="https://example.com/help"' in page and 'rel="noopener noreferrer"' in page
    assert 'href="/account"' not in page  # a relative link would lead into the signed-in app


def test_a_statement_stored_before_the_fix_is_sanitised_when_shown(store, ctx, db_url, clock):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    publish_one(store, ctx, iid, channels="status_page")
    with store.transaction() as s:
        st = s.scalars(select(Statement).where(Statement.incident_id == iid)).one()
        rendered = dict(st.rendered)
        rendered["en"] = {**rendered["en"], "status_page": {"html": f"<p>old {PAYLOAD}<script>x()</script></p>"}}
        st.rendered = rendered
    with serve(db_url, clock, ctx) as srv:
        page = httpx.get(f"{srv.base}/status?lang=en").text
        feed = httpx.get(f"{srv.base}/status/feed.atom?lang=en").content
    assert_inert(page, STATUS_FORMS)
    for html in entry_html(feed):
        assert_inert(html)
    assert "<p>old " in page


def test_the_sanitiser_keeps_the_allow_list_only():
    from incident import sanitise

    dirty = (
        '<p class="x" onclick="y()">a<strong>b</strong><em>c</em><br></p><ul><li>d</li></ul>'
        '<p><a href="javascript:alert(1)">j</a><a href="mailto:a@example.com">m</a>'
        '<a href="http://example.com" target="_blank">h</a><img src=x onerror=alert(1)>'
        "<script>alert(1)</script><style>p{}</style><iframe src=x></iframe></p>"
    )
    clean = str(sanitise.fragment(dirty))
    assert_inert(clean)
    assert "<p>a<strong>b</strong><em>c</em><br></p><ul><li>d</li></ul>" in clean
    assert '<a href="mailto:a@example.com" rel="noopener noreferrer">m</a>' in clean
    assert '<a href="http://example.com" rel="noopener noreferrer">h</a>' in clean
    assert "javascript" not in clean and "alert" not in clean and "target" not in clean and "<style" not in clean
    assert str(sanitise.fragment("A&B &lt;x&gt; <x>")) == "A&amp;B &lt;x&gt; "  # unknown tags go, text stays


# ---------------------------------------------------------- point 12 --

HOSTILE_CATEGORIES = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "late\n# Forged heading\n<img src=x onerror=alert(1)>",
    "a|b *bold* `code` _u_",
]


def seed_complaints(store, ctx, categories):
    now = ctx.clock.now()
    with store.transaction() as s:
        for i, category in enumerate(categories):
            for j in range(len(categories) - i):  # a distinct count each: a stable order
                s.add(
                    Complaint(
                        external_id=f"T-{i}-{j}",
                        received_at=now - dt.timedelta(minutes=5),
                        channel="hotline",
                        request_type="complaint",
                        category=category,
                        text="",
                        source="test",
                        ingested_at=now,
                    )
                )


def test_the_markdown_daily_report_escapes_complaint_categories(store, ctx):
    seed_complaints(store, ctx, HOSTILE_CATEGORIES)
    day = ctx.clock.now().astimezone(ctx.config.zone).date()
    with store.transaction() as s:
        data = reports.daily_report(s, ctx, day)
    md, html = reports.render_daily(data, "en", "East [China](javascript:x)")
    lines = md.splitlines()
    assert [ln for ln in lines if ln.startswith("#")] == [ln for ln in lines if ln.startswith(("# ", "## "))]
    assert not any("Forged heading" in ln and ln.startswith("#") for ln in lines)
    rendered = MarkdownIt("commonmark").render(md)
    assert_inert(rendered)
    assert "<a " not in rendered and "Forged heading</h" not in rendered
    assert "\\<script\\>" in md and "\\<img" in md  # backslash-escaped: literal text, not HTML
    # The text still reads as written once rendered.
    readable = Elements(rendered)
    assert readable.tags.count("h1") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "[click](javascript:alert(1))" in rendered
    assert "a|b *bold* `code` _u_" in rendered
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<h1>" in html and "<table>" in html


def test_the_html_daily_report_is_sanitised_even_if_a_value_is_marked_safe(monkeypatch):
    data = {
        "day": "2026-11-24",
        "complaints": {"total": 1, "by_type": {"complaint": 1}, "top_categories": [(PAYLOAD, 1)]},
        "callbacks": {
            "due": 0,
            "handled": 0,
            "handled_in_time": 0,
            "handling_rate": None,
            "on_time_rate": None,
            "overdue_open": 0,
        },
        "satisfaction": {"distribution": {str(k): 0 for k in range(1, 6)}, "answers": 0, "mean": None},
        "incidents": {"opened": 0, "resolved": 0},
    }
    from markupsafe import Markup

    data["complaints"]["top_categories"] = [(Markup(PAYLOAD), 1)]  # as if a template or caller trusted it
    _, html = reports.render_daily(data, "en", "Centre")
    assert_inert(html)
    assert html.startswith("<!doctype html>") and "<style>" in html and "<table>" in html


# ---------------------------------------------------------- Atom / XML --


def test_the_feed_is_well_formed_whatever_characters_were_stored(store, ctx, db_url, clock):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    publish_one(store, ctx, iid, channels="status_page")
    dirty = "bad\x01 vertical\x0b tab\x1f and \ufffe end\x7f"
    with store.transaction() as s:
        s.get(Incident, iid).title = f"Title {dirty}"  # internal: never in the feed (issue 22)
        st = s.scalars(select(Statement).where(Statement.incident_id == iid)).one()
        sheet = s.get(FactSheet, st.fact_sheet_id)  # the public title the entry is headed with
        sheet.content = {**sheet.content, "public_title": {**sheet.content["public_title"], "en": f"Title {dirty}"}}
        rendered = dict(st.rendered)
        rendered["en"] = {**rendered["en"], "status_page": {"html": f"<p>{dirty}</p>", "text": dirty}}
        st.rendered = rendered
    with serve(db_url, clock, ctx) as srv:
        feed = httpx.get(f"{srv.base}/status/feed.atom?lang=en").content
        page = httpx.get(f"{srv.base}/status?lang=en")
    assert page.status_code == 200
    root = ET.fromstring(feed)  # raises on any character XML 1.0 forbids
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title", "").startswith("Title bad vertical tab and  end")
    assert entry.findtext(f"{ATOM}summary") == "bad vertical tab and  end\x7f"
    assert "<p>bad vertical tab and  end" in entry.findtext(f"{ATOM}content", "")


def test_xml_text_strips_only_what_xml_forbids():
    from incident import sanitise

    assert sanitise.xml_text("a\x00b\x01c\x08d\x0be\x0cf\x1fg") == "abcdefg"
    assert sanitise.xml_text("tab\tnl\ncr\r中文😀\ufffd") == "tab\tnl\ncr\r中文😀\ufffd"
    assert sanitise.xml_text("x\ud800y\udfffz\ufffe\uffff") == "xyz"
