"""The wording linter's compiled rules (:class:`RuleSet`, :class:`Rule`,
:class:`Entry`) and the vocabulary of its rules file: engines, severities,
channels, the keys each table may have (incident/wording/lint.py compiles
them; lint_schema.py validates a file against them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from incident.resources import on_disk
from incident.wording.findings import Severity

BUILTIN_RULES = on_disk("incident", "data", "lint_rules.toml")

ENGINES = ("phrase", "personal_data", "placeholder", "over_cap")
SEVERITIES = ("error", "warning")
ENTRY_LANGS = ("zh", "en", "any")
CHANNELS = ("status_page", "sms", "weibo", "wechat", "x", "email")

# Value kinds a key can have; each has its explanation in both languages
# (config.reason.lint_type_<kind> in lint_texts).
_STR, _BOOL, _LIST, _TABLE, _TABLES = "string", "bool", "list", "table", "tables"
_TYPE_EN = {
    _STR: "a string",
    _BOOL: "true or false",
    _LIST: "a list of strings",
    _TABLE: "a table",
    _TABLES: "an array of tables ([[…]])",
}
_TOP_KEYS = {"normalise": _TABLE, "macros": _TABLE, "rules": _TABLE}
_NORMALISE_KEYS = {"chars_from": _STR, "chars_to": _STR, "words": _TABLE}
_RULE_KEYS = {
    "engine": _STR,
    "enabled": _BOOL,
    "severity": _STR,
    "lang": _STR,
    "source": _STR,
    "suggestion": _STR,
    "suggestion_en": _STR,
    "supersedes": _BOOL,
    "exceptions": _LIST,
    "entries": _TABLES,
    "message": _STR,
    "message_en": _STR,
}
_ENGINE_RULE_KEYS = {
    "phrase": {},
    "personal_data": {"service_mailboxes": _LIST, "service_number_labels": _LIST},
    "placeholder": {},
    "over_cap": {
        "compensation_words": _LIST,
        "declared_words": _LIST,
        "document_words": _LIST,
        "uninsured_words": _LIST,
    },
}
_ENTRY_KEYS = {
    "phrase": {
        "phrase": _STR,
        "pattern": _STR,
        "suggestion": _STR,
        "suggestion_en": _STR,
        "source": _STR,
        "lang": _STR,
        "note": _STR,
    },
    "personal_data": {"pattern": _STR, "kind": _STR, "check": _STR, "mask": _STR, "source": _STR, "note": _STR},
    "placeholder": {
        "pattern": _STR,
        "named": _BOOL,
        "suggestion": _STR,
        "suggestion_en": _STR,
        "source": _STR,
        "note": _STR,
    },
    "over_cap": {},
}
_CHOICES = {
    "severity": SEVERITIES,
    "lang": ENTRY_LANGS,
    "engine": ENGINES,
    "kind": ("mobile", "landline", "id", "bank_card", "address", "email", "other"),
    "check": ("none", "luhn", "email", "address_zh"),
    "mask": ("last4", "email", "address", "remove"),
}
_APPENDED = (
    "exceptions",
    "entries",
    "service_mailboxes",
    "service_number_labels",
    "compensation_words",
    "declared_words",
    "document_words",
    "uninsured_words",
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MACRO = re.compile(r"(?<!\\)\{([a-z_][a-z0-9_]*)\}")
_LEADING_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")
_PHRASE_SPLIT = re.compile(r"[\s，,、。.！!？?；;：:…~～—]+")
_PARTICLES = "啊吧呀呢嘛啦哦喔嘞咯哈"


# ---------------------------------------------------------------------------
# The compiled rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    regex: str  # expanded and normalised
    ngroups: int
    lang: str = "zh"
    suggestion: str = ""
    suggestion_en: str = ""
    source: str = ""
    kind: str = "other"
    check: str = "none"
    mask: str = "last4"
    named: bool = False


@dataclass(frozen=True)
class _Matcher:
    rx: re.Pattern[str]
    entries: dict[int, Entry]  # outer group index → entry


@dataclass
class Rule:
    name: str
    engine: str
    severity: Severity
    enabled: bool = True
    lang: str = "zh"
    source: str = ""
    suggestion: str = ""
    suggestion_en: str = ""
    supersedes: bool = False
    message_key: str = ""
    entries: list[Entry] = field(default_factory=list)
    exceptions: re.Pattern[str] | None = None
    words: dict[str, re.Pattern[str] | None] = field(default_factory=dict)  # over_cap contexts
    service_mailboxes: frozenset[str] = frozenset()
    zh: _Matcher | None = None  # entries that run on Chinese text only
    always: _Matcher | None = None  # entries that run on any text

    def suggest(self, entry: Entry | None, zh: bool) -> str:
        pair = (entry.suggestion, entry.suggestion_en) if entry else ("", "")
        zh_s = pair[0] or self.suggestion
        en_s = pair[1] or self.suggestion_en
        return (zh_s or en_s) if zh else (en_s or zh_s)


@dataclass
class RuleSet:
    rules: dict[str, Rule]
    files: tuple[Path, ...]
    _table: dict[int, str]
    _words: re.Pattern[str] | None
    _word_map: dict[str, str]

    def normalise(self, text: str) -> str:
        """The text the rules see: same length, same positions."""
        out = text.translate(self._table)
        if self._words is not None:
            out = self._words.sub(lambda m: self._word_map[m.group(0)], out)
        return out

    @property
    def enabled(self) -> list[str]:
        return [name for name, rule in self.rules.items() if rule.enabled]
