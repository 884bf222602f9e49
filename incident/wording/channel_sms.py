"""SMS: GSM-7 or UCS-2, segments and the signature (3GPP TS 23.038 §6.2.1,
TS 23.040 §9.2.3.24.1); see incident/wording/channels.py for the sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from incident.config import ChannelLimits
from incident.i18n import t
from incident.wording.channel_common import _DEFAULT_LIMITS, ChannelCheck, _finding, _lang

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
