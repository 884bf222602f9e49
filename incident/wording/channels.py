"""Each outbound channel's real limits, as pure functions over the rendered
strings (rendering from templates happens elsewhere; nothing here touches
Jinja or the database).

Every check returns a :class:`ChannelCheck`: the figures the preview shows
(``counts``) and :class:`~incident.wording.findings.Finding` s whose spans
are character offsets into the string that was checked. ``check_text`` is the
free-text entry point behind ``incident lint --channel CHANNEL``.

Sources of the rules (no network at hand when this was written; they are
cited from the specifications and the platforms' own published counters):

* SMS — 3GPP TS 23.038 (formerly GSM 03.38) §6.2.1 default alphabet and
  §6.2.1.1 extension table; segment sizes from the 140-octet user data minus
  the 6-octet concatenation header of 3GPP TS 23.040 §9.2.3.24.1
  (160 → 153 septets, 70 → 67 UCS-2 characters).
* Weibo — the counter of Weibo's own publisher box (the STK ``getLength``
  script): characters outside U+0000–U+00FF count two bytes, the sum is
  halved and rounded up, and a link counts a fixed 20 bytes.
* X — twitter-text v3 (``config/v3.json``: scale 100, defaultWeight 200,
  transformedURLLength 23, emojiParsingEnabled, the four weight-100 ranges)
  and its ``parseTweet`` / ``extractUrlsWithIndices``.
* WeChat — the template-message API: ``thing``-type values are at most 20
  characters and line breaks are not shown.
* E-mail — RFC 5322 §2.1.1 (78 characters a line) and header injection
  through CR/LF in a header value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from incident.config import ChannelLimits
from incident.errors import InputError
from incident.i18n import t
from incident.wording.channel_common import _DEFAULT_LIMITS, CHANNELS, ChannelCheck, _finding, _lang
from incident.wording.channel_sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM7_SEGMENT,
    GSM7_SINGLE,
    UCS2_SEGMENT,
    UCS2_SINGLE,
    SmsCount,
    check_sms,
    sms_count,
)
from incident.wording.channel_weibo import WEIBO_URL_UNITS, check_weibo, weibo_length
from incident.wording.channel_x import X_EMOJI_WEIGHT, X_URL_WEIGHT, check_x, x_weight
from incident.wording.findings import Finding

# The public names, wherever they now live (callers import them from here).
__all__ = [
    "CHANNELS",
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "GSM7_SEGMENT",
    "GSM7_SINGLE",
    "UCS2_SEGMENT",
    "UCS2_SINGLE",
    "WEIBO_URL_UNITS",
    "X_EMOJI_WEIGHT",
    "X_URL_WEIGHT",
    "ChannelCheck",
    "SmsCount",
    "check_email",
    "check_sms",
    "check_status_page",
    "check_text",
    "check_wechat",
    "check_weibo",
    "check_x",
    "sms_count",
    "weibo_length",
    "x_weight",
]

# ---- WeChat template message ------------------------------------------------

# Anything a client would render as a new line.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def check_wechat(
    fields: Mapping[str, str], limits: ChannelLimits | None = None, optional: Collection[str] = ()
) -> ChannelCheck:
    """Spans are offsets into the field's value; ``params["field"]`` names it."""
    limits = limits or _DEFAULT_LIMITS
    limit = limits.wechat_field_chars
    check = ChannelCheck("wechat", {**{name: len(value) for name, value in fields.items()}, "max": limit})
    for name, value in fields.items():
        lang = _lang(value)
        if not value.strip():
            if name not in optional:
                check.findings.append(_finding("channel.wechat.empty", "error", value, 0, len(value), field=name))
            continue
        for m in _LINE_BREAK.finditer(value):
            check.findings.append(
                _finding(
                    "channel.wechat.line_break",
                    "error",
                    value,
                    m.start(),
                    m.end(),
                    t("channel.suggest.wechat_line_break", lang),
                    field=name,
                )
            )
        if len(value) > limit:
            check.findings.append(
                _finding(
                    "channel.wechat.field_too_long",
                    "error",
                    value,
                    limit,
                    len(value),
                    t("channel.suggest.wechat_too_long", lang, limit=limit),
                    field=name,
                    length=len(value),
                    limit=limit,
                )
            )
    return check


# ---- e-mail and status page ---------------------------------------------------

_SCRIPT = re.compile(r"<script\b[^>]*>?", re.I)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements whose end tag HTML lets you leave out.
_OPTIONAL_END = frozenset("html head body p li dt dd tr td th thead tbody tfoot colgroup option optgroup rt rp".split())


class _TagBalance(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.lines = [0] + [i + 1 for i, c in enumerate(html) if c == "\n"] if "\n" in html else [0]
        self.open: list[tuple[str, int]] = []
        self.unclosed: list[tuple[str, int, int]] = []
        self.stray: list[tuple[str, int, int]] = []

    def _here(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in _VOID:
            self.open.append((tag, self._here()))

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        for k in range(len(self.open) - 1, -1, -1):
            if self.open[k][0] == tag:
                self._unclosed(self.open[k + 1 :])
                del self.open[k:]
                return
        at = self._here()
        self.stray.append((tag, at, self._tag_end(at)))

    def _tag_end(self, at: int) -> int:
        end = self.html.find(">", at)
        return len(self.html) if end < 0 else end + 1

    def _unclosed(self, tags: list[tuple[str, int]]) -> None:
        self.unclosed += [(tag, at, self._tag_end(at)) for tag, at in tags if tag not in _OPTIONAL_END]

    def finish(self) -> None:
        self.close()
        self._unclosed(self.open)
        self.open = []


def _script_findings(rule: str, html: str, **params: Any) -> list[Finding]:
    return [_finding(rule, "warning", html, m.start(), m.end(), **params) for m in _SCRIPT.finditer(html)]


def _check_email(
    subject: str, text: str, html: str | None, limits: ChannelLimits, text_offset: int = 0
) -> ChannelCheck:
    most = limits.email_subject_chars
    check = ChannelCheck("email", {"subject_chars": len(subject), "subject_max": most, "text_chars": len(text)})
    lang = _lang(subject + text)
    add = check.findings.append
    if not subject.strip():
        add(_finding("channel.email.subject_empty", "error", subject, 0, len(subject), part="subject"))
    for m in re.finditer(r"\r\n|[\r\n]", subject):
        add(
            _finding(
                "channel.email.subject_line_break",
                "error",
                subject,
                m.start(),
                m.end(),
                t("channel.suggest.subject_line_break", lang),
                part="subject",
            )
        )
    if len(subject) > most:
        add(
            _finding(
                "channel.email.subject_long",
                "warning",
                subject,
                most,
                len(subject),
                t("channel.suggest.subject_long", lang),
                part="subject",
                length=len(subject),
                max=most,
            )
        )
    if not text.strip():
        add(_finding("channel.email.text_empty", "error", text, 0, len(text), part="text"))
    if html is None:
        return check
    check.counts["html_chars"] = len(html)
    if not html.strip():
        add(_finding("channel.email.html_empty", "error", html, 0, len(html), part="html"))
        return check
    balance = _TagBalance(html)
    balance.feed(html)
    balance.finish()
    for rule, items in (("channel.email.html_unclosed", balance.unclosed), ("channel.email.html_stray", balance.stray)):
        for tag, start, end in items:
            add(_finding(rule, "warning", html, start, end, part="html", tag=tag))
    check.findings += _script_findings("channel.email.script", html, part="html")
    return check


def check_email(subject: str, text: str, html: str, limits: ChannelLimits | None = None) -> ChannelCheck:
    """``params["part"]`` says which of subject, text or html a span is in."""
    return _check_email(subject, text, html, limits or _DEFAULT_LIMITS)


def check_status_page(html: str) -> ChannelCheck:
    check = ChannelCheck("status_page", {"chars": len(html)})
    if not html.strip():
        check.findings.append(_finding("channel.status_page.empty", "error", html, 0, len(html)))
        return check
    check.findings += _script_findings("channel.status_page.script", html)
    return check


# ---- free text (incident lint --channel) ------------------------------------

# Field names a WeChat template uses: the classic first/keywordN/remark and
# the typed names of the current templates (thing1, time2 …). Anything else
# before a colon is part of the value ("原因：…", "Cause: …").
_WECHAT_NAMED = re.compile(
    r"\s*((?:first|remark|keyword\d+|(?:thing|time|character_string|number|amount|phone_number|car_number|"
    r"name|phrase|date|const)\d+))\s*[:：]\s*",
    re.I,
)


def _shift(findings: list[Finding], offset: int, source: str) -> list[Finding]:
    return [
        replace(f, start=f.start + offset, end=f.end + offset, text=source[f.start + offset : f.end + offset])
        for f in findings
    ]


def _wechat_auto_names():
    yield "first"
    n = 1
    while True:
        yield f"keyword{n}"
        n += 1


def _wechat_text(text: str, limits: ChannelLimits) -> list[Finding]:
    lines: list[tuple[str, str, int]] = []  # (field, value, offset of the value in text)
    named, pos = [], 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        value = line.removesuffix("\r")
        if not value.strip():
            continue  # blank lines separate fields; they are not fields
        m = _WECHAT_NAMED.match(value)
        if m:
            lines.append((m.group(1), value[m.end() :], start + m.end()))
            named.append(m.group(1).lower())
        else:
            lines.append(("", value, start))
    if not lines:
        return [_finding("channel.wechat.empty", "error", text, 0, len(text), field="first")]
    auto = (name for name in _wechat_auto_names() if name not in named)
    findings: list[Finding] = []
    for name, value, offset in lines:
        # One line at a time, so a name given twice is still checked twice.
        check = check_wechat({name or next(auto): value}, limits)
        findings += _shift(check.findings, offset, text)
    return findings


def check_text(channel: str, text: str, limits: ChannelLimits | None = None) -> list[Finding]:
    """Checks free text for one channel; spans are offsets into ``text``.
    wechat: one field value a line (first, keyword1, … in order, or
    ``name: value``); email: the first line is the subject, the rest the
    plain-text body (there is no HTML to check)."""
    limits = limits or _DEFAULT_LIMITS
    if channel == "sms":
        if _lang(text) == "en" and limits.sms_signature_en is not None:
            # An English message goes out with the English signature.
            limits = limits.model_copy(update={"sms_signature": limits.sms_signature_en})
        return check_sms(text, limits).findings
    if channel == "weibo":
        return check_weibo(text, limits).findings
    if channel == "x":
        return check_x(text, limits).findings
    if channel == "wechat":
        return _wechat_text(text, limits)
    if channel == "email":
        cut = text.find("\n")
        subject, body, offset = (
            (text, "", len(text)) if cut < 0 else (text[:cut].removesuffix("\r"), text[cut + 1 :], cut + 1)
        )
        check = _check_email(subject, body, None, limits)
        return [f if f.params.get("part") == "subject" else _shift([f], offset, text)[0] for f in check.findings]
    if channel == "status_page":
        if not text.strip():
            return [_finding("channel.status_page.empty", "error", text, 0, len(text))]
        return []
    raise InputError("channel.error.unknown", value=channel, allowed=", ".join(CHANNELS))
