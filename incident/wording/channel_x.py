"""X: twitter-text v3 weighting (links 23, CJK 2, emoji 2); see
incident/wording/channels.py for the sources."""

from __future__ import annotations

import re
import unicodedata

from incident.config import ChannelLimits
from incident.i18n import t
from incident.wording.channel_common import _DEFAULT_LIMITS, ChannelCheck, _finding, _lang

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
