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
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any, Literal

from incident.config import ChannelLimits
from incident.errors import InputError
from incident.i18n import t
from incident.wording import channel_texts  # noqa: F401  (registers the catalogue texts)
from incident.wording.findings import Finding, Severity, has_errors

CHANNELS = ("status_page", "sms", "weibo", "wechat", "x", "email")

_DEFAULT_LIMITS = ChannelLimits()

# Suggestions are written in the checked text's language (Finding.suggestion).
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _lang(text: str) -> str:
    return "zh-CN" if _CJK.search(text) else "en"


@dataclass
class ChannelCheck:
    channel: str
    counts: dict[str, int | float | str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "channel": self.channel,
            "counts": dict(self.counts),
            "ok": self.ok,
            "findings": [f.as_json(lang) for f in self.findings],
        }


def _finding(
    rule: str, severity: Severity, text: str, start: int, end: int, suggestion: str = "", **params: Any
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        start=start,
        end=end,
        text=text[start:end],
        suggestion=suggestion,
        params=params,
    )


# ---- SMS ------------------------------------------------------------------

# 3GPP TS 23.038 §6.2.1, in code order 0x00–0x7F. 0x1B is the escape to the
# extension table, not a character, so a literal ESC in the text is not GSM-7.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# §6.2.1.1: reached through ESC, so each costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM7 = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE, GSM7_SEGMENT = 160, 153
UCS2_SINGLE, UCS2_SEGMENT = 70, 67


@dataclass(frozen=True)
class SmsCount:
    encoding: Literal["GSM-7", "UCS-2"]
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2), signature included
    segments: int
    single_limit: int
    segment_limit: int
    chars: int  # code points counted, signature included

    @property
    def per_segment(self) -> int:
        return self.single_limit if self.segments <= 1 else self.segment_limit


def _with_signature(body: str, signature: str) -> tuple[str, int]:
    """The text the carrier sends and where the body starts in it. Chinese
    carriers require the 【signature】 at the start (some accept the end); a
    template that already carries it must not have it counted twice."""
    if not signature or body.startswith(signature) or body.endswith(signature):
        return body, 0
    return signature + body, len(signature)


def _sms_measure(text: str) -> tuple[Literal["GSM-7", "UCS-2"], int, bool]:
    """(encoding, units, whether some character costs two units)."""
    if _GSM7.issuperset(text):
        ext = sum(text.count(c) for c in GSM7_EXTENSION)
        return "GSM-7", len(text) + ext, ext > 0
    # UCS-2 in name; handsets send UTF-16, so an astral character (most
    # emoji) is a surrogate pair of two units.
    units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    return "UCS-2", units, units != len(text)


def _sms_cost(ch: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def _segment_starts(text: str, encoding: str, limit: int) -> list[int]:
    """Where each segment of a long message starts. Walked, not divided: an
    ESC pair or a surrogate pair never straddles two segments, so a segment
    can end one unit short and the count can exceed ceil(units / limit)."""
    starts, used = [0], 0
    for i, ch in enumerate(text):
        cost = _sms_cost(ch, encoding)
        if used + cost > limit:
            starts.append(i)
            used = 0
        used += cost
    return starts


def sms_count(body: str, signature: str = "") -> SmsCount:
    text, _ = _with_signature(body, signature)
    encoding, units, uneven = _sms_measure(text)
    single, per = (GSM7_SINGLE, GSM7_SEGMENT) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_SEGMENT)
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    elif uneven:
        segments = len(_segment_starts(text, encoding, per))
    else:
        segments = -(-units // per)
    return SmsCount(encoding, units, segments, single, per, len(text))


def check_sms(body: str, limits: ChannelLimits | None = None) -> ChannelCheck:
    limits = limits or _DEFAULT_LIMITS
    count = sms_count(body, limits.sms_signature)
    check = ChannelCheck(
        "sms",
        {
            "encoding": count.encoding,
            "units": count.units,
            "segments": count.segments,
            "per_segment": count.per_segment,
            "chars": count.chars,
            "max_segments": limits.sms_max_segments,
        },
    )
    if not body.strip():
        check.findings.append(_finding("channel.sms.empty", "error", body, 0, len(body)))
        return check
    allowed = limits.sms_max_segments
    if count.segments > allowed:
        text, offset = _with_signature(body, limits.sms_signature)
        cut = max(_segment_starts(text, count.encoding, count.segment_limit)[allowed] - offset, 0)
        suggestion = t("channel.suggest.sms_segments", _lang(body), max=allowed, budget=cut)
        check.findings.append(
            _finding(
                "channel.sms.segments",
                "warning",
                body,
                cut,
                len(body),
                suggestion,
                segments=count.segments,
                max=allowed,
                encoding=count.encoding,
                per_segment=count.segment_limit,
                units=count.units,
            )
        )
    return check


# ---- Weibo ------------------------------------------------------------------

# Weibo's publisher counts a link as 20 bytes (10 characters) whatever its
# length, because it is shortened to t.cn on posting and http://t.cn/ plus an
# 8-character code is 20 half-width characters. Some third-party counters use
# 11–12 half-width; 20 is what Weibo's own box shows and errs on the safe
# side. (Its counter charges links over 140 bytes extra; statements link the
# short status-page address, so that case is not modelled.)
WEIBO_URL_UNITS = 20
# The publisher's link pattern: scheme, ASCII host, then a run of ASCII URL
# characters; Chinese punctuation ends the link.
_WEIBO_URL = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d+)?"
    r"[-a-z0-9_$.+!*()/,:;@&=?~#%]*",
    re.I | re.A,
)


def _weibo_units(s: str) -> int:
    """Half-width units of plain text: U+0000–U+00FF one, other BMP two, and
    an astral character four (the JS counter sees two UTF-16 units)."""
    n = len(s)
    latin1 = len(s.encode("latin-1", "ignore"))
    utf16 = len(s.encode("utf-16-le", "surrogatepass")) // 2
    # The box normalises CRLF to LF before counting.
    return latin1 + 2 * (n - latin1) + 2 * (utf16 - n) - s.count("\r\n")


def weibo_length(text: str) -> int:
    units, pos = 0, 0
    for m in _WEIBO_URL.finditer(text):
        units += _weibo_units(text[pos : m.start()]) + WEIBO_URL_UNITS
        pos = m.end()
    units += _weibo_units(text[pos:])
    return (units + 1) // 2


def _weibo_cut(text: str, limit: int) -> int:
    """The longest prefix (in characters) whose Weibo length is ≤ ``limit``;
    a link is never cut in two."""
    budget, used, pos = 2 * limit, 0, 0
    for m in [*_WEIBO_URL.finditer(text), None]:
        end = m.start() if m else len(text)
        plain = text[pos:end]
        units = _weibo_units(plain)
        if used + units > budget:
            # Bisect on prefixes (each counted in C) rather than walk a post
            # of up to thousands of characters one by one; prefix counts
            # never decrease, and a prefix ending in the CR of a CRLF counts
            # as much as one ending in its LF, so the pair is kept whole.
            lo, hi = 0, len(plain)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if used + _weibo_units(plain[:mid]) <= budget:
                    lo = mid
                else:
                    hi = mid - 1
            return pos + lo
        used += units
        if m is None:
            break
        if used + WEIBO_URL_UNITS > budget:
            return m.start()
        used += WEIBO_URL_UNITS
        pos = m.end()
    return len(text)


def check_weibo(text: str, limits: ChannelLimits | None = None, essentials: Sequence[str] = ()) -> ChannelCheck:
    """``essentials`` (the cause headline, the support channel …) must appear
    before the 「全文」 fold, or most readers never see them."""
    limits = limits or _DEFAULT_LIMITS
    length = weibo_length(text)
    fold, most = limits.weibo_fold_chars, limits.weibo_max_chars
    fold_index = _weibo_cut(text, fold) if length > fold else len(text)
    check = ChannelCheck("weibo", {"length": length, "max": most, "fold": fold, "fold_index": fold_index})
    lang = _lang(text)
    if not text.strip():
        check.findings.append(_finding("channel.weibo.empty", "error", text, 0, len(text)))
        return check
    if length > most:
        cut = _weibo_cut(text, most)
        check.findings.append(
            _finding(
                "channel.weibo.too_long",
                "error",
                text,
                cut,
                len(text),
                t("channel.suggest.weibo_too_long", lang, excess=length - most),
                length=length,
                max=most,
                index=cut + 1,
            )
        )
    for essential in essentials:
        if not essential:
            continue
        at = text.find(essential)
        if at < 0:
            check.findings.append(
                _finding(
                    "channel.weibo.missing",
                    "error",
                    text,
                    0,
                    0,
                    t("channel.suggest.weibo_missing", lang, essential=essential, fold=fold),
                    essential=essential,
                    fold=fold,
                )
            )
        elif at + len(essential) > fold_index:
            check.findings.append(
                _finding(
                    "channel.weibo.fold",
                    "error",
                    text,
                    at,
                    at + len(essential),
                    t("channel.suggest.weibo_fold", lang, essential=essential, fold=fold),
                    essential=essential,
                    fold=fold,
                    fold_index=fold_index,
                )
            )
    return check


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


# ---- X (twitter-text v3) ------------------------------------------------------

X_URL_WEIGHT = 23  # transformedURLLength: every link becomes a t.co link
X_EMOJI_WEIGHT = 2  # defaultWeight / scale, for a whole emoji sequence
# v3 ranges of weight 100 (= 1 after scaling); every other code point is 200.
_X_LIGHT = re.compile("[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")

# twitter-text matches bare domains only against its IANA list (~1,500
# TLDs). Every ccTLD is here; of the gTLDs, the common ones. A link on a rare
# new gTLD written without http(s):// is then weighed as text: longer than
# 23, so the check errs on the safe side.
_CCTLDS = (
    "ac ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs bt bv "
    "bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh er es et eu "
    "fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in "
    "io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf "
    "mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph "
    "pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy "
    "sz tc td tf tg th tj tk tl tm tn to tp tr tt tv tw tz ua ug uk um us uy uz va vc ve vg vi vn vu wf ws ye yt "
    "za zm zw"
).split()
_GTLDS = (
    "com net org edu gov mil int info biz name mobi pro aero asia cat coop jobs museum tel travel post xxx "
    "app dev page blog cloud online site website shop store tech xyz top club vip wang ltd group link live news "
    "email help support services service network social media world life today company center software "
    "solutions systems digital global agency business studio design art fun icu red ink work run kim show "
    "space website tv video music games game chat plus one zone team tools host hosting press wiki biz "
    "bank insurance finance financial money pay capital fund credit loans market markets trade exchange "
    "express delivery shipping parcel logistics travel tours flights hotel cafe restaurant "
    "health care clinic doctor hospital dental law legal attorney lawyer "
    "city town london nyc paris berlin tokyo amsterdam "
    "google amazon apple microsoft youtube gmail"
).split()
_TLD = "|".join(sorted(set(_CCTLDS) | set(_GTLDS), key=len, reverse=True)) + "|xn--[0-9a-z]+"
_CCTLD_SET = frozenset(_CCTLDS)

# twitter-text's latinAccentChars, part of the path character classes.
_LATIN = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268"
    "\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_PATH_CHAR = rf"[a-z0-9\u0400-\u04ff!*';:=+,.$/%#\[\]\-\u2013_~|&@{_LATIN}]"
_PATH_END = rf"[+\-a-z0-9\u0400-\u04ff=_#/{_LATIN}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_X_URL = (
    # validUrlPrecedingChars; a bare domain also not after - _ . /
    r"(?<![a-z0-9@＠$#＃\u202a-\u202e])(?:(?P<proto>https?://)|(?<![-_./]))"
    # ASCII domains only: internationalised hosts are out of scope here.
    rf"(?P<domain>(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)+(?:{_TLD})(?![0-9a-z@+-]))"
    r"(?::\d+)?"
    # The path cannot end on punctuation, so "…/12." leaves the full stop out.
    rf"(?P<path>/(?:(?:{_PATH_CHAR}|{_PARENS})*(?:{_PATH_END}|{_PARENS}))?)?"
    r"(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/])?"
)

# twemoji's pattern (which twitter-text uses) is generated from the Unicode
# emoji data; this covers what statements meet: single pictographs, skin
# tones, VS16 presentation, ZWJ sequences, keycaps, flags and tag flags.
# A text-default character (©, ®) is an emoji only with VS16.
_PICTO = (
    "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"
    "\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50"
    "\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_EMOJI_ELEM = rf"(?:[{_PICTO}]|[\u00a9\u00ae](?=\ufe0f))\ufe0f?[\U0001f3fb-\U0001f3ff]?\ufe0f?"
_EMOJI = (
    rf"[\U0001f1e6-\U0001f1ff]{{2}}|[0-9#*]\ufe0f?\u20e3"
    rf"|{_EMOJI_ELEM}(?:[\U000e0020-\U000e007e]+\U000e007f)?(?:\u200d{_EMOJI_ELEM})*"
)
_X_TOKEN = re.compile(rf"(?P<url>{_X_URL})|(?P<emoji>{_EMOJI})", re.I | re.A)


def _x_plain_weight(s: str) -> int:
    if s.isascii():
        return len(s)
    return len(s) + len(_X_LIGHT.sub("", s))


def _x_tokens(text: str):
    """(start, end, weight) of each link and emoji, in order."""
    for m in _X_TOKEN.finditer(text):
        if m.lastgroup == "emoji":
            yield m.start(), m.end(), X_EMOJI_WEIGHT
            continue
        domain = m.group("domain")
        if not m.group("proto"):
            # A bare "name.ccTLD" without a path is not a link (t.co is);
            # and without a path the link is the domain alone.
            if not m.group("path"):
                _, _, tld = domain.lower().partition(".")
                if "." not in tld and tld in _CCTLD_SET and domain.lower() != "t.co":
                    continue
                yield m.start(), m.end("domain"), X_URL_WEIGHT
                continue
        yield m.start(), m.end(), X_URL_WEIGHT


def _x_walk(text: str, limit: int | None) -> tuple[int, int | None]:
    """(weight, index of the first character past ``limit`` or None)."""
    weight, pos, over = 0, 0, None
    for start, end, token in [*_x_tokens(text), (len(text), len(text), 0)]:
        plain = text[pos:start]
        w = _x_plain_weight(plain)
        if over is None and limit is not None and weight + w > limit:
            used = weight
            for j, ch in enumerate(plain):
                used += 1 if _X_LIGHT.match(ch) else 2
                if used > limit:
                    over = pos + j
                    break
        weight += w
        if token and over is None and limit is not None and weight + token > limit:
            over = start
        weight += token
        pos = end
    return weight, over


def x_weight(text: str) -> int:
    return _x_walk(unicodedata.normalize("NFC", text), None)[0]


def check_x(text: str, limits: ChannelLimits | None = None) -> ChannelCheck:
    limits = limits or _DEFAULT_LIMITS
    most = limits.x_max_weight
    normal = unicodedata.normalize("NFC", text)
    weight, over = _x_walk(normal, most)
    check = ChannelCheck("x", {"weight": weight, "max": most})
    if not text.strip():
        check.findings.append(_finding("channel.x.empty", "error", text, 0, len(text)))
        return check
    if weight > most:
        if normal != text:
            # Offsets must point into the text as given: find the longest
            # prefix within the limit by bisection instead.
            lo, hi = 0, len(text)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if x_weight(text[:mid]) <= most:
                    lo = mid
                else:
                    hi = mid - 1
            over = lo
        assert over is not None
        check.findings.append(
            _finding(
                "channel.x.too_long",
                "error",
                text,
                over,
                len(text),
                t("channel.suggest.x_too_long", _lang(text), excess=weight - most),
                weight=weight,
                max=most,
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
