"""What every channel check shares: the result type, how a finding is
made, and in which language a suggestion is said (incident.wording.channels
re-exports all of it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from incident.config import ChannelLimits
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
