"""Weibo: the publisher box's own counter, the 2,000-character limit and the
140-character fold; see incident/wording/channels.py for the sources."""

from __future__ import annotations

import re
from collections.abc import Sequence

from incident.config import ChannelLimits
from incident.i18n import t
from incident.wording.channel_common import _DEFAULT_LIMITS, ChannelCheck, _finding, _lang

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
