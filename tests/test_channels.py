"""Each channel's real limits, at their exact boundaries (no database)."""

import string

import pytest

from incident.config import ChannelLimits
from incident.errors import InputError
from incident.i18n import CATALOG
from incident.wording.channel_texts import CHANNEL_TEXTS
from incident.wording.channels import (
    CHANNELS,
    GSM7_BASIC,
    GSM7_EXTENSION,
    check_email,
    check_sms,
    check_status_page,
    check_text,
    check_wechat,
    check_weibo,
    check_x,
    sms_count,
    weibo_length,
    x_weight,
)

LIMITS = ChannelLimits()
SIG = LIMITS.sms_signature  # 【客服中心】: 6 characters, and not GSM-7
NO_SIG = ChannelLimits(sms_signature="")


def rules(findings):
    return [f.rule for f in findings]


def spans_are_consistent(findings, text):
    for f in findings:
        assert text[f.start : f.end] == f.text
        assert 0 <= f.start <= f.end <= len(text)


# ---- SMS ----------------------------------------------------------------------


def test_gsm7_tables_are_the_spec_sizes():
    assert len(GSM7_BASIC) == 127  # 128 code points less ESC
    assert len(GSM7_EXTENSION) == 10


def test_ucs2_70_with_signature_is_one_segment_71_is_two():
    one = sms_count("中" * 64, SIG)
    assert (one.encoding, one.units, one.segments, one.per_segment, one.chars) == ("UCS-2", 70, 1, 70, 70)
    two = sms_count("中" * 65, SIG)
    assert (two.units, two.segments, two.per_segment) == (71, 2, 67)
    assert sms_count("中" * 128, SIG).segments == 2  # 134 = 2 × 67
    assert sms_count("中" * 129, SIG).segments == 3


def test_signature_counted_once():
    assert sms_count(SIG + "中" * 64, SIG).units == 70
    assert sms_count("中" * 64 + SIG, SIG).units == 70


def test_gsm7_160_is_one_segment_161_is_two():
    assert sms_count("a" * 160).segments == 1
    long = sms_count("a" * 161)
    assert (long.encoding, long.units, long.segments, long.per_segment) == ("GSM-7", 161, 2, 153)
    assert sms_count("a" * 306).segments == 2
    assert sms_count("a" * 307).segments == 3


def test_extension_characters_count_two():
    assert sms_count("€" * 80).units == 160
    assert sms_count("€" * 80).segments == 1
    assert sms_count("{}[]~|^\\\f€").units == 20


def test_euro_never_split_across_segments():
    # 152 + € + 152 = 306 septets, 2 × 153 by division; but € cannot start
    # at septet 153 (its ESC would end segment 1), so it moves whole.
    assert sms_count("a" * 152 + "€" + "a" * 152).segments == 3
    assert sms_count("a" * 151 + "€" + "a" * 153).segments == 2


def test_emoji_never_split_across_ucs2_segments():
    # 66 + 😀 (two units) + 66 = 134 = 2 × 67 by division; the surrogate
    # pair cannot be split at unit 67, so it starts segment 2.
    c = sms_count("中" * 66 + "😀" + "中" * 66)
    assert (c.units, c.chars, c.segments) == (134, 133, 3)
    assert sms_count("中" * 65 + "😀" + "中" * 67).segments == 2


def test_ascii_body_with_chinese_signature_is_ucs2():
    c = sms_count("Service restored at 10:30.", SIG)
    assert c.encoding == "UCS-2" and c.single_limit == 70
    assert sms_count("Service restored at 10:30.").encoding == "GSM-7"
    assert sms_count("Hi 😀").encoding == "UCS-2" and sms_count("Hi 😀").units == 5


def test_check_sms_segments_warning_spans_the_excess():
    body = "中" * 300
    check = check_sms(body, LIMITS)
    assert check.counts["segments"] == 5 and check.counts["encoding"] == "UCS-2"
    [f] = check.findings
    assert (f.rule, f.severity) == ("channel.sms.segments", "warning")
    # Three segments of 67 units hold 201, of which the signature takes 6.
    assert (f.start, f.end) == (195, 300)
    assert "5" in f.message("zh-CN") and "3" in f.message("zh-CN") and "billed" in f.message("en")
    assert f.suggestion.startswith("精简")
    assert check.ok  # a warning does not block


def test_check_sms_within_limit_and_empty():
    assert check_sms("中" * 195, LIMITS).findings == []
    assert rules(check_sms("中" * 196, LIMITS).findings) == ["channel.sms.segments"]
    f = check_sms("  ", LIMITS).findings
    assert rules(f) == ["channel.sms.empty"] and f[0].severity == "error"


# ---- Weibo ----------------------------------------------------------------------


def test_weibo_counting():
    assert weibo_length("中" * 2000) == 2000
    assert weibo_length("a" * 4000) == 2000
    assert weibo_length("a" * 4001) == 2001  # a half-width pair is one; round up
    assert weibo_length("中a") == 2
    assert weibo_length("😀") == 2
    # A link counts 20 half-width units whatever its length.
    assert weibo_length("https://status.example.com/" + "x" * 300) == 10
    assert weibo_length("详情 https://status.example.com/inc/12。") == 2 + 1 + 10 + 1


def test_weibo_2000_and_2001():
    assert check_weibo("中" * 2000, LIMITS).findings == []
    check = check_weibo("中" * 2001, LIMITS)
    [f] = check.findings
    assert (f.rule, f.severity, f.start, f.end) == ("channel.weibo.too_long", "error", 2000, 2001)
    assert check.counts["length"] == 2001 and check.counts["max"] == 2000


def test_weibo_fold():
    essential = "客服热线专席" * 3 + "服务"  # 20 characters
    late = "中" * 130 + essential + "中" * 50
    check = check_weibo(late, LIMITS, essentials=[essential])
    assert check.counts["fold_index"] == 140
    [f] = check.findings
    assert (f.rule, f.severity, f.start, f.end) == ("channel.weibo.fold", "error", 130, 150)
    assert "140" in f.message("zh-CN") and f.params["fold_index"] == 140
    early = essential + "中" * 180
    assert check_weibo(early, LIMITS, essentials=[essential]).findings == []
    # Ending exactly at the fold still shows.
    assert check_weibo("中" * 120 + essential + "中" * 50, LIMITS, essentials=[essential]).findings == []


def test_weibo_fold_counts_half_width_by_weibo_rules():
    # 200 ASCII characters are 100 by Weibo's count: all before the fold.
    text = "x" * 200 + "hotline 95000" + "中" * 100
    assert check_weibo(text, LIMITS, essentials=["hotline 95000"]).findings == []


def test_weibo_missing_essential():
    [f] = check_weibo("服务已恢复", LIMITS, essentials=["客服热线专席"]).findings
    assert (f.rule, f.start, f.end, f.params["essential"]) == ("channel.weibo.missing", 0, 0, "客服热线专席")


# ---- WeChat -----------------------------------------------------------------------


def test_wechat_20_and_21():
    ok = check_wechat({"first": "中" * 20, "keyword1": "x"}, LIMITS)
    assert ok.findings == [] and ok.counts["first"] == 20 and ok.counts["max"] == 20
    [f] = check_wechat({"first": "ok", "keyword1": "中" * 21}, LIMITS).findings
    assert (f.rule, f.start, f.end) == ("channel.wechat.field_too_long", 20, 21)
    assert f.params == {"field": "keyword1", "length": 21, "limit": 20}
    assert "keyword1" in f.message("en") and "21" in f.message("zh-CN")


def test_wechat_line_break_and_empty():
    found = check_wechat({"first": "服务\n已恢复", "remark": ""}, LIMITS).findings
    assert rules(found) == ["channel.wechat.line_break", "channel.wechat.empty"]
    assert (found[0].start, found[0].end, found[0].params["field"]) == (2, 3, "first")
    assert check_wechat({"remark": ""}, LIMITS, optional={"remark"}).findings == []


# ---- X ------------------------------------------------------------------------


def test_x_cjk_weighs_two():
    assert x_weight("中" * 140) == 280
    assert check_x("中" * 140, LIMITS).findings == []
    [f] = check_x("中" * 141, LIMITS).findings
    assert (f.rule, f.start, f.end) == ("channel.x.too_long", 140, 141)
    assert f.params == {"weight": 282, "max": 280}


def test_x_urls_weigh_23():
    assert x_weight("https://status.example.com/" + "a" * 200) == 23
    assert x_weight("http://t.co") == 23
    assert x_weight("see example.com now") == 4 + 23 + 4
    assert x_weight("status.example.cn") == 23
    assert x_weight("foo.cn") == 6  # name.ccTLD without a path is not a link
    assert x_weight("foo.cn/status") == 23
    assert x_weight("mail li@example.com") == 19  # e-mail address, not a link
    # Chinese punctuation ends the link; a trailing full stop is not part of it.
    assert x_weight("详情：https://status.example.com/inc/12。") == 6 + 23 + 2
    assert x_weight("see https://status.example.com/inc/12.") == 4 + 23 + 1


def test_x_weights_ranges_and_emoji():
    assert x_weight("abc") == 3
    assert x_weight("“引号”") == 1 + 4 + 1  # U+201C/D are in a weight-1 range
    assert x_weight("€") == 2
    assert x_weight("😀") == 2
    assert x_weight("👍🏽") == 2  # with a skin tone
    assert x_weight("👨‍👩‍👧") == 2  # ZWJ sequence
    assert x_weight("❤️") == 2  # VS16
    assert x_weight("1️⃣") == 2  # keycap
    assert x_weight("🇨🇳") == 2  # flag
    assert x_weight("©") == 1 and x_weight("©️") == 2


def test_x_mixed_text():
    text = "【故障】APP 登录失败，正在处理 😀 https://status.example.com/incidents/12"
    # 【故障】 8, "APP " 4, 登录失败，正在处理 18, " " 1, emoji 2, " " 1, link 23
    assert x_weight(text) == 8 + 4 + 18 + 1 + 2 + 1 + 23


def test_x_nfc_and_offsets_into_given_text():
    decomposed = "e\u0301"  # é, two code points, one after NFC
    assert x_weight(decomposed * 10) == 10
    text = decomposed * 150 + "中" * 70
    [f] = check_x(text, LIMITS).findings
    assert text[f.start :] == f.text and f.start == 300 + 65


def test_x_overflow_starts_at_a_whole_link():
    text = "中" * 130 + " https://status.example.com/incidents/12"
    [f] = check_x(text, LIMITS).findings
    assert f.start == 131 and f.text.startswith("https://")


# ---- e-mail and status page ----------------------------------------------------------


def test_email_subject_header_injection_refused():
    check = check_email("服务已恢复\r\nBcc: everyone@example.com", "正文", "<p>正文</p>", LIMITS)
    [f] = check.findings
    assert (f.rule, f.severity, f.text, f.params["part"]) == (
        "channel.email.subject_line_break",
        "error",
        "\r\n",
        "subject",
    )
    assert not check.ok


def test_email_subject_length_and_required_parts():
    assert check_email("x" * 78, "body", "<p>body</p>", LIMITS).findings == []
    [f] = check_email("x" * 79, "body", "<p>body</p>", LIMITS).findings
    assert (f.rule, f.severity, f.start, f.end) == ("channel.email.subject_long", "warning", 78, 79)
    found = check_email("", " ", "", LIMITS).findings
    assert rules(found) == ["channel.email.subject_empty", "channel.email.text_empty", "channel.email.html_empty"]


def test_email_html_light_checks():
    html = "<div><p>one<p>two <b>bold</div></span><br><img src=x>"
    found = check_email("s", "t", html, LIMITS).findings
    assert rules(found) == ["channel.email.html_unclosed", "channel.email.html_stray"]
    spans_are_consistent(found, html)
    assert found[0].text == "<b>" and found[1].text == "</span>"
    assert check_email("s", "t", "<p>a &lt;script&gt;</p>", LIMITS).findings == []


def test_status_page():
    assert check_status_page("<p>服务已恢复</p>").findings == []
    assert rules(check_status_page("  \n").findings) == ["channel.status_page.empty"]
    [f] = check_status_page("<p>x</p><SCRIPT src=a.js></script>").findings
    assert (f.rule, f.severity, f.text) == ("channel.status_page.script", "warning", "<SCRIPT src=a.js>")


# ---- free text (incident lint --channel) ------------------------------------------------


def test_check_text_sms_and_weibo():
    assert check_text("sms", "中" * 195, LIMITS) == []
    assert rules(check_text("sms", "中" * 196, LIMITS)) == ["channel.sms.segments"]
    assert rules(check_text("sms", "a" * 200, NO_SIG)) == []  # 2 GSM-7 segments
    assert rules(check_text("weibo", "中" * 2001)) == ["channel.weibo.too_long"]
    assert check_text("weibo", "中" * 2000) == []


def test_check_text_wechat_lines():
    text = "first: 系统故障通知\n关于APP登录失败的说明已发布，请查看详情\nkeyword2：服务已恢复\n\nremark: 如有疑问请致电客服热线专席，我们将尽快为您处理"
    found = check_text("wechat", text)
    assert [(f.rule, f.params["field"]) for f in found] == [
        ("channel.wechat.field_too_long", "keyword1"),
        ("channel.wechat.field_too_long", "remark"),
    ]
    spans_are_consistent(found, text)
    assert found[0].text == "情"
    assert rules(check_text("wechat", "\n\n")) == ["channel.wechat.empty"]


def test_check_text_x_email_status_page():
    assert rules(check_text("x", "中" * 141)) == ["channel.x.too_long"]
    assert check_text("x", "中" * 140) == []
    text = "服务已恢复" + "！" * 80 + "\n感谢耐心等待。"
    found = check_text("email", text)
    assert rules(found) == ["channel.email.subject_long"]
    spans_are_consistent(found, text)
    found = check_text("email", "Subject only\n\n")
    assert rules(found) == ["channel.email.text_empty"]
    spans_are_consistent(found, "Subject only\n\n")
    assert check_text("email", "Subject\r\nBody") == []  # CRLF line ends are not injection
    assert check_text("status_page", "<script>plain text is escaped</script>") == []
    assert rules(check_text("status_page", " ")) == ["channel.status_page.empty"]


def test_unknown_channel_error_lists_the_channels():
    with pytest.raises(InputError) as err:
        check_text("fax", "hello")
    en, zh = err.value.message("en"), err.value.message("zh-CN")
    assert "fax" in en and "unknown channel" in en and all(c in en for c in CHANNELS)
    assert "fax" in zh and "未知的发布渠道" in zh and "weibo" in zh


def test_every_finding_has_both_texts():
    samples = [
        check_sms("中" * 300, LIMITS),
        check_sms("", LIMITS),
        check_weibo("中" * 2001, LIMITS, ["没有", "中" * 3]),
        check_weibo("", LIMITS),
        check_weibo("中" * 200 + "热线", LIMITS, ["热线"]),
        check_wechat({"a": "", "b": "x\n" * 20}, LIMITS),
        check_x("中" * 141, LIMITS),
        check_x(""),
        check_email("", "", ""),
        check_email("a\n" * 50, "t", "<b></i><script>"),
        check_status_page(""),
        check_status_page("<script>"),
    ]
    seen = set()
    for check in samples:
        for f in check.findings:
            key = f"lint.{f.rule}"
            seen.add(f.rule)
            assert key in CATALOG and key in CHANNEL_TEXTS
            for text in CHANNEL_TEXTS[key]:
                names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
                assert names <= set(f.params), (key, names - set(f.params))
            assert f.message("zh-CN") != f.message("en")
    assert {k.removeprefix("lint.") for k in CHANNEL_TEXTS if k.startswith("lint.")} == seen


def test_weibo_cut_keeps_links_and_crlf_whole():
    text = "中" * 135 + "https://status.example.com/incidents/12" + "中" * 10
    check = check_weibo(text, LIMITS, essentials=["https://status.example.com/incidents/12"])
    assert check.counts["fold_index"] == 135  # the link (10) would pass 140
    assert rules(check.findings) == ["channel.weibo.fold"]
    crlf = "中" * 139 + "a\r\nb" + "中" * 10
    # 139 + ceil((1 + 1 + 1) / 2) = 141: "a", CRLF (one unit) fit in 140, "b" does not.
    assert check_weibo(crlf, LIMITS).counts["fold_index"] == 142
    assert weibo_length("a\r\nb") == 2 and weibo_length("a\r\nbc") == 2
