"""incident.watch.feedparse: bytes in, Parsed out (no network).

Encodings (BOMs, declarations, a stray byte, GBK/GB18030 vs Big5), the DTD
read token by token, complete and truncated documents, empty feeds, the
plain text that is stored, and entry identity."""

from __future__ import annotations

import codecs
import json
import re

import pytest

from incident.i18n import t
from incident.watch import feedparse
from incident.watch.feedbytes import chinese_reading
from incident.watch.feedparse import Parsed, parse
from incident.watch.feedtext import intake, plain_text
from incident.watch.feedwarn import warning_parts, warning_text
from incident.watch.fetch import FetchError

RSS = (
    '<?xml version="1.0" encoding="{enc}"?>'
    '<rss version="2.0"><channel><title>{title}</title>'
    "<item><guid>g1</guid><title>{title}</title><description>{summary}</description></item>"
    "</channel></rss>"
)


def rss(title: str = "t", summary: str = "s", enc: str = "utf-8") -> str:
    return RSS.format(enc=enc, title=title, summary=summary)


def keys(parsed: Parsed) -> list[str]:
    return [w["key"] for w in map(json.loads, parsed.warnings)]


def refused(body: bytes, headers: dict[str, str] | None = None) -> FetchError:
    with pytest.raises(FetchError) as caught:
        parse(body, headers)
    return caught.value


# ---- encodings --------------------------------------------------------------

TITLE = "顺丰快递 café — naïve"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
@pytest.mark.parametrize("charset", [None, "iso-8859-1", "utf-8"])
def test_a_bom_wins_over_what_the_http_charset_says(bom, codec, charset):
    body = bom + rss(TITLE, enc="utf-8" if codec == "utf-8" else codec.split("-le")[0].split("-be")[0]).encode(codec)
    headers = {"Content-Type": "application/rss+xml" + (f"; charset={charset}" if charset else "")}
    parsed = parse(body, headers)
    assert parsed.title == TITLE and parsed.entries[0].title == TITLE


def test_utf16_without_a_bom_is_recognised_by_its_nul_bytes():
    parsed = parse(rss(TITLE, enc="utf-16").encode("utf-16-be"), {"Content-Type": "text/xml"})
    assert parsed.entries[0].title == TITLE


def test_the_xml_declaration_beats_the_http_charset():
    gbk = rss("顺丰快递延误", enc="gbk").encode("gbk")
    assert parse(gbk, {"Content-Type": "application/xml; charset=utf-8"}).entries[0].title == "顺丰快递延误"
    latin = rss("Smart “quotes” café", enc="windows-1252").encode("cp1252")
    assert parse(latin, {"Content-Type": "text/xml; charset=us-ascii"}).entries[0].title == "Smart “quotes” café"


def test_the_http_charset_is_used_when_the_document_declares_nothing():
    body = rss("Ελληνικά").replace(' encoding="utf-8"', "").encode("iso-8859-7")
    assert parse(body, {"Content-Type": "application/xml; charset=iso-8859-7"}).entries[0].title == "Ελληνικά"


def test_gb2312_declared_text_with_rare_names_is_read_as_gb18030():
    title = "张喆、朱镕基与王堃出席囍宴"
    parsed = parse(rss(title, enc="gb2312").encode("gb18030"))
    assert parsed.entries[0].title == title and parsed.warnings == []


def test_one_stray_byte_in_utf8_is_repaired_with_a_warning_not_refused():
    body = rss("Résumé 日本 ok", summary="caf\xe9 PLACEHOLDER").encode("utf-8").replace(b"PLACEHOLDER", b"\xff")
    parsed = parse(body, {"Content-Type": "application/rss+xml; charset=utf-8"})
    assert parsed.entries[0].title == "Résumé 日本 ok"
    assert "\xff" not in parsed.entries[0].summary and parsed.entries[0].summary.startswith("café")
    assert keys(parsed) == ["feed.warning.bytes_replaced"]
    assert "无效" in warning_text(parsed.warnings[0], "zh-CN") or "不是有效" in warning_text(
        parsed.warnings[0], "zh-CN"
    )


SIMPLIFIED_RARE = "国务院总理朱镕基会见张喆和王堃，囍字当头，顺丰快递延误投诉"
TRADITIONAL = "順豐快遞延誤，客戶投訴不斷，台灣大學的學生們舉辦音樂會"


@pytest.mark.parametrize(
    ("text", "codec", "expected_codec"),
    [
        (SIMPLIFIED_RARE, "gb18030", "gb18030"),  # rare names: not in GB2312
        (TRADITIONAL, "gbk", "gb18030"),  # traditional characters in GBK bytes
        (TRADITIONAL, "big5", "big5"),
        ("顺丰快递延误，客户投诉", "gb2312", "gb18030"),
    ],
)
def test_undeclared_chinese_bytes_are_read_in_the_right_encoding(text, codec, expected_codec):
    body = rss(text, summary=text).encode(codec)  # declared utf-8, which it is not
    parsed = parse(body, {"Content-Type": "application/rss+xml"})
    assert parsed.entries[0].title == text and parsed.entries[0].summary == text
    (stored,) = parsed.warnings
    key, params = warning_parts(stored) or ("", {})
    assert key == "feed.warning.encoding_guessed" and params["encoding"] == expected_codec
    assert "编码" in warning_text(stored, "zh-CN") and expected_codec in warning_text(stored, "en")


def test_the_chinese_reading_prefers_common_characters():
    assert chinese_reading("朱镕基".encode("gbk")) == ("gb18030", "朱镕基")
    assert chinese_reading("順豐快遞".encode("big5")) == ("big5", "順豐快遞")
    assert chinese_reading("résumé".encode("latin-1")) is None


# ---- the DTD ------------------------------------------------------------------


def test_entity_text_in_cdata_or_comments_is_not_a_declaration():
    body = (
        '<?xml version="1.0"?><!-- docs: <!ENTITY x "y"> is refused -->'
        '<rss version="2.0"><channel><title>t</title><item><guid>1</guid>'
        "<title><![CDATA[How <!ENTITY bombs work]]></title></item></channel></rss><!-- <!ENTITY -->"
    ).encode()
    assert parse(body).entries[0].title == "How <!ENTITY bombs work"
    summary = (
        '<rss version="2.0"><channel><title>t</title><item><guid>1</guid>'
        "<description><![CDATA[Explained: &lt;!ENTITY lol]]></description></item></channel></rss>"
    )
    assert "ENTITY lol" in parse(summary.encode()).entries[0].summary


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
        '<!DOCTYPE rss [ <!-- <!ENTITY no "comment"> --> <!ELEMENT rss ANY> '
        '<!ATTLIST rss version CDATA "2.0" note CDATA "a > b, <!ENTITY in a string"> <?pi x?> ]>',
        "<!DOCTYPE rss>",
    ],
)
def test_a_harmless_doctype_is_accepted(doctype):
    body = rss("ok").replace("?>", "?>" + doctype, 1).encode()
    assert parse(body).entries[0].title == "ok"


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',  # billion laughs
        '<!DOCTYPE rss [<!ENTITY amp2 "&#38;">]>',  # even a "harmless-looking" internal one
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE rss [<!ENTITY xxe PUBLIC "-//x//y" "http://127.0.0.1/x">]>',
        '<!DOCTYPE rss [<!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe;]>',
        "<!DOCTYPE rss [ %pe; ]>",
        "<!DOCTYPE rss [<!ELEMENT rss %content;>]>",
    ],
)
def test_entity_declarations_stay_refused(doctype):
    body = rss("&lol2;").replace("?>", "?>" + doctype, 1).encode()
    assert refused(body).key == "feed.error.entities"


def test_an_entity_bomb_in_utf16_is_refused_too():
    body = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa">]><rss version="2.0"/>'
    assert refused(codecs.BOM_UTF16_LE + body.encode("utf-16-le")).key == "feed.error.entities"


def test_an_unreadable_doctype_is_refused_with_its_own_sentence():
    error = refused(b'<!DOCTYPE rss [ garbage ]><rss version="2.0"><channel><title>t</title></channel></rss>')
    assert error.key == "feed.error.dtd" and "DOCTYPE" in t(error.key, "zh-CN")


# ---- complete, truncated, empty ------------------------------------------------


def test_a_comment_or_pi_after_the_root_is_not_truncation():
    # &nbsp; is undefined in XML: feedparser complains, which used to make
    # anything but whitespace after the end tag count as truncation.
    body = (rss("ok", summary="a&nbsp;b") + "\n<!-- generated in 3 ms -->\n<?cache hit?>\n  ").encode()
    parsed = parse(body)
    assert [e.title for e in parsed.entries] == ["ok"] and keys(parsed) == ["feed.warning.malformed"]


def test_a_feed_cut_off_mid_document_is_still_truncated():
    body = rss("ok").encode()
    error = refused(body[: body.index(b"</item>")])
    assert error.key == "feed.error.truncated"


def test_only_the_last_angle_bracket_missing_is_not_truncation():
    assert parse(rss("ok")[:-1].encode()).entries[0].title == "ok"


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (
            '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<id>tag:status</id><title>Status</title><updated>2026-11-24T01:00:00Z</updated></feed>",
            "text/html; charset=utf-8",
        ),
        ('<rss version="2.0"><channel><title>Status</title></channel></rss>', "application/rss+xml"),
        ('<rss version="2.0"><channel><title>Status &nbsp;x</title></channel></rss>', "text/xml"),  # bozo
        (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
            "<channel><title>Status</title></channel></rdf:RDF>",
            "application/rdf+xml",
        ),
        ('<feed xmlns="http://www.w3.org/2005/Atom"/>', "application/atom+xml"),
    ],
)
def test_a_feed_root_with_no_entries_is_a_healthy_empty_feed(body, ctype):
    parsed = parse(body.encode(), {"Content-Type": ctype})
    assert parsed.entries == []


def test_a_document_whose_root_is_not_a_feed_is_not_a_feed_in_both_languages():
    error = refused(b"<!DOCTYPE html><html><body><p>Welcome</p></body></html>", {"Content-Type": "text/html"})
    assert error.key == "feed.error.not_a_feed" and error.params["reason"] == "<html>"
    assert t(error.key, "zh-CN", **error.params).startswith("内容不是 RSS/Atom 订阅")


def test_parser_complaints_are_warnings_in_a_translated_sentence():
    body = b'<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>a &bogus; b</title></item>'
    body += b"</channel></rss>"
    parsed = parse(body)
    assert parsed.entries and keys(parsed) == ["feed.warning.malformed"]
    zh = warning_text(parsed.warnings[0], "zh-CN")
    assert zh.startswith("订阅不是格式正确的 XML") and "undefined entity" in zh  # raw text only as the trailing reason
    assert warning_text("an old plain warning", "zh-CN") == "an old plain warning"


# ---- stored text ----------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java&#9;script:alert(1)",
        " &#10;javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "/relative/path",
        "http://",
    ],
)
def test_only_http_links_are_kept(link):
    body = (
        f'<rss version="2.0"><channel><title>t</title><item><title>x</title><link>{link}</link></item></channel></rss>'
    )
    (entry,) = parse(body.encode()).entries
    assert entry.link is None


def test_http_links_are_kept():
    body = b'<rss version="2.0"><channel><title>t</title><item><link> https://example.com/a?b=1&amp;c=2 </link>'
    body += b"</item></channel></rss>"
    assert parse(body).entries[0].link == "https://example.com/a?b=1&c=2"


def test_entities_are_decoded_once_before_tags_are_stripped():
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>'
        '<title type="text">a &lt; b &amp;lt;c&amp;gt;</title>'
        '<summary type="html">&lt;p&gt;Hi &amp;lt;script&amp;gt;alert(1)'
        "&amp;lt;/script&amp;gt; there&lt;/p&gt;</summary>"
        "</entry></feed>"
    ).encode()
    (entry,) = parse(body).entries
    assert entry.title == "a < b &lt;c&gt;"  # plain text: not decoded a second time
    assert "<script" not in entry.summary and "&lt;" not in entry.summary
    assert entry.summary.startswith("Hi") and entry.summary.endswith("there")


def test_terminal_escapes_and_controls_are_removed_at_intake():
    title = "\x1b]0;pwned\x07Outage\x1b[2J now\u202e gnp.exe\x07"
    body = rss("PLACEHOLDER").encode().replace(b"PLACEHOLDER", title.encode("utf-8"))
    (entry,) = parse(body).entries
    assert entry.title == "Outage now gnp.exe"


def test_intake_removes_whole_escape_sequences_c1_forms_included():
    assert intake("a\u009b31mred\u009b0m b\u009d0;t\u009c c\x1bP1;2|x\x1b\\d\ufffe") == "ared b cd"
    assert intake("plain 中文\ttab\nline") == "plain 中文\ttab\nline"


def test_bad_character_references_are_dropped():
    # &#x1b; opens an escape sequence, removed whole like a raw ESC's (issue 20 review, 13)
    (entry,) = parse(rss("a&#0;b&#xFFFE;c&#xD800;d&#x1b;[31me").encode()).entries
    assert entry.title == "abcde"


# ---- identity ---------------------------------------------------------------


def item(inner: str) -> str:
    return f"<item>{inner}</item>"


def test_entry_identity_guid_then_link_then_content():
    items = "".join(
        [
            item("<description>first bare entry</description>"),
            item("<description>second bare entry</description>"),
            item("<description>second bare entry</description>"),  # a true repeat: kept once
            item("<guid>g</guid><link>https://example.com/1</link><title>a</title>"),
            item("<link>https://example.com/2</link><title>b</title>"),
            item("<link>javascript:void(0)</link><title>c</title>"),
            item("<link>javascript:void(0)</link><title>d</title>"),
        ]
    )
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    entries = parse(body).entries
    assert [e.summary or e.title for e in entries] == ["first bare entry", "second bare entry", "a", "b", "c", "d"]
    assert len({e.key for e in entries}) == 6
    same_guid = parse(body.replace(b"<title>a</title>", b"<title>a, edited</title>")).entries[2]
    assert same_guid.key == entries[2].key and same_guid.content_hash != entries[2].content_hash


# ---- issue 20 review: the defects found, one test each --------------------------


def test_an_entity_spelt_with_a_dropped_reference_never_reaches_feedparser(monkeypatch):
    handed: list[bytes] = []
    real = feedparse.feedparser.parse
    monkeypatch.setattr(feedparse.feedparser, "parse", lambda data, **kw: handed.append(data) or real(data, **kw))
    doc = (
        '<?xml version="1.0"?>\n<!DOC&#0;TYPE rss [\n<!ENT&#0;ITY x "SMUGGLED">\n]>\n'
        '<rss version="2.0"><channel><title>&x;</title><item><guid>1</guid><title>&x;</title></item></channel></rss>'
    )
    assert refused(doc.encode()).key == "feed.error.entities"
    assert handed == []
    # a declaration spelt with any other character before the root is not read past either
    odd = doc.replace("&#0;", "&#x1b;")
    assert refused(odd.encode()).key in ("feed.error.dtd", "feed.error.entities") and handed == []


def test_a_reference_joined_from_the_text_around_a_dropped_one_is_dropped_too():
    (entry,) = parse(rss("a&#&#0;xD800;b").encode()).entries
    assert entry.title == "ab"


@pytest.mark.parametrize("ref", ["&#99999999999;", "&#x1000000000;", "&#" + "9" * 5000 + ";"])
def test_an_over_long_character_reference_is_dropped_not_a_crash(ref):
    (entry,) = parse(rss(f"x{ref}y").encode()).entries
    assert entry.title == "xy"
    assert parse(rss("&#x00000000041;&#000000000066;").encode()).entries[0].title == "AB"


GBK_FEED = rss("顺丰快递今日延误，客户投诉增加", summary="北京、上海网点受影响", enc="gbk").encode("gbk")


def test_a_stray_byte_in_a_declared_gbk_feed_is_replaced_not_the_whole_feed_garbled():
    stray = GBK_FEED.replace("网点".encode("gbk"), "网点".encode("gbk") + b"\xff")
    parsed = parse(stray)
    assert parsed.entries[0].title == "顺丰快递今日延误，客户投诉增加"
    assert parsed.entries[0].summary == "北京、上海网点\ufffd受影响"
    assert keys(parsed) == ["feed.warning.bytes_replaced"]
    cut = GBK_FEED.replace(b' encoding="gbk"', b"").replace("受影响".encode("gbk"), "受影响".encode("gbk")[:-1])
    parsed = parse(cut, {"Content-Type": "text/xml; charset=gbk"})
    assert parsed.entries[0].title == "顺丰快递今日延误，客户投诉增加"
    assert parsed.entries[0].summary.startswith("北京、上海网点受影")


def test_shift_jis_and_euc_kr_are_read_as_their_windows_supersets():
    sjis = rss("①髙﨑 営業所で障害が発生", enc="shift_jis").encode("cp932")
    parsed = parse(sjis)
    assert parsed.entries[0].title == "①髙﨑 営業所で障害が発生" and parsed.warnings == []
    korean = rss("똠방각하 서비스 장애", enc="euc-kr").encode("cp949")  # 똠 is cp949 only
    assert parse(korean).entries[0].title == "똠방각하 서비스 장애"


def test_undeclared_latin1_is_not_read_as_chinese():
    title = "Störung behoben: Zugverkehr zwischen Düsseldorf und Köln läuft wieder"
    body = rss(title, summary="Verspätungen möglich").split("?>", 1)[1].encode("latin-1")
    parsed = parse(body)
    assert parsed.entries[0].title == title and parsed.entries[0].summary == "Verspätungen möglich"
    assert chinese_reading(body) is None
    (stored,) = parsed.warnings
    assert (warning_parts(stored) or ("", {}))[1]["encoding"] == "cp1252"


@pytest.mark.parametrize(
    "value",
    [
        "&lt;&lt;script&gt;script&gt;alert(1)&lt;/&lt;/script&gt;script&gt;",
        "&lt;&lt;img&gt;img src=x onerror=alert(1)&gt;",
        "&lt;" * 12 + "b&gt;" * 12 + "x",  # nested deeper than the passes go
        "&lt;\u202escript&gt;alert(1)",  # an override removed after the tags were would join them
    ],
)
def test_no_tag_is_left_once_an_inner_one_is_removed(value):
    text = plain_text(value, 200)
    assert re.search(r"<[A-Za-z!/?]", text) is None, text
    assert plain_text("a &lt; b and x &lt;= 3", 200) == "a < b and x <= 3"


def test_a_cut_off_feed_is_truncated_even_when_cdata_mentions_the_end_tag():
    head = b'<rss version="2.0"><channel><item><guid>1</guid><title>How to close a feed</title>'
    assert refused(head + b"<description><![CDATA[ end it with </rss> and ").key == "feed.error.truncated"
    assert refused(head + b"<!-- </rss> --><description>and then").key == "feed.error.truncated"


def test_escape_sequences_written_as_references_leave_no_residue():
    (entry,) = parse(rss("&#x1b;]0;pwned&#x07;Outage &#x9b;31mnow&#x9b;0m").encode()).entries
    assert entry.title == "Outage now"
