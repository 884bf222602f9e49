"""What every wording check reports: one :class:`Finding` per problem, with
the rule, a character span into the checked text, the offending text and a
suggestion. The linter and the channel checks both return these, so the CLI,
the preview and the approval gate treat them alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from incident.i18n import CATALOG, t

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "forbidden", "non_standard", "opens_with_bu", "channel.sms.segments"
    severity: Severity  # errors block approval; warnings are shown
    start: int  # character offsets into the checked text (Python str indices)
    end: int
    text: str  # text[start:end]
    suggestion: str = ""  # what to write instead, in the text's language ("" when none)
    # Catalogue key + parameters of the explanation, so it can be said in
    # zh-CN or en (incident.i18n.t); the key defaults to "lint.<rule>".
    message_key: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        key = self.message_key or f"lint.{self.rule}"
        if key not in CATALOG:
            return self.rule
        return t(key, lang, **self.params)

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        out = asdict(self)
        out.pop("message_key")
        out["message"] = self.message(lang)
        return out


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
