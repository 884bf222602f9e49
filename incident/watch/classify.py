"""Topic classification of feed entries and complaint texts.

Rules are data (``incident/data/topics.toml``, extended by the operator's
``[watch].topics_file``): literal keywords per language, compiled into one
alternation per language so a text is scanned once, plus a few regular
expressions. A match preceded by a negation cue in the same clause
(「没有闪退」, "not down"), or followed by an all-is-well cue (「登录没问题」),
does not count.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from incident.errors import ConfigError

_CLAUSE = re.compile(r"[，。！？；,.!?;\n]")
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class Match:
    topic: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Classification:
    topics: tuple[str, ...]
    negative: bool
    brand: bool
    matches: tuple[Match, ...] = ()


@dataclass
class Rules:
    labels: dict[str, tuple[str, str]]
    zh: dict[str, set[str]] = field(default_factory=dict)  # keyword → topics
    en: dict[str, set[str]] = field(default_factory=dict)
    regex: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    zh_before: tuple[str, ...] = ()
    zh_after: tuple[str, ...] = ()
    en_before: tuple[str, ...] = ()
    en_after: tuple[str, ...] = ()
    zh_window: int = 4
    en_window: int = 3
    negative_zh: tuple[str, ...] = ()
    negative_en: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.compile()

    def compile(self) -> None:
        def alternation(words: Iterable[str]) -> str:
            return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

        self._zh = re.compile(alternation(self.zh)) if self.zh else None
        self._en = re.compile(rf"(?<![A-Za-z0-9])(?:{alternation(self.en)})(?![A-Za-z0-9])", re.I) if self.en else None
        self._neg_zh = re.compile(alternation(self.negative_zh)) if self.negative_zh else None
        self._neg_en = (re.compile(rf"(?<![A-Za-z0-9])(?:{alternation(self.negative_en)})(?![A-Za-z0-9])", re.I)
                        if self.negative_en else None)

    @property
    def topics(self) -> list[str]:
        return list(self.labels)

    def label(self, topic: str, lang: str) -> str:
        zh, en = self.labels.get(topic, (topic, topic))
        return en if lang == "en" else zh

    # -- negation --------------------------------------------------------
    def _negated_zh(self, text: str, start: int, end: int, inner: bool) -> bool:
        before = text[max(0, start - self.zh_window):start]
        before = _CLAUSE.split(before)[-1]
        if any(cue in before for cue in self.zh_before):
            return True
        if inner and any(cue in text[start:end] for cue in self.zh_before):
            return True
        after = _CLAUSE.split(text[end:end + 8])[0]
        return any(after.startswith(cue) or after[1:].startswith(cue) for cue in self.zh_after)

    def _negated_en(self, text: str, start: int, end: int) -> bool:
        before = _CLAUSE.split(text[max(0, start - 60):start])[-1].lower()
        words = _WORD.findall(before)[-self.en_window:]
        tail = " ".join(words)
        if any(w in self.en_before for w in words) or any(" " in c and c in tail for c in self.en_before):
            return True
        after = " ".join(_WORD.findall(_CLAUSE.split(text[end:end + 40])[0].lower())[:4])
        return any(after.startswith(c) or after.startswith("is " + c) or after.startswith("are " + c) for c in self.en_after)

    def classify(self, text: str, brand_terms: Iterable[str] = ()) -> Classification:
        found: list[Match] = []
        if self._zh is not None:
            for m in self._zh.finditer(text):
                if not self._negated_zh(text, m.start(), m.end(), inner=False):
                    found.extend(Match(t, m.start(), m.end(), m.group()) for t in self.zh[m.group()])
        if self._en is not None:
            for m in self._en.finditer(text):
                if not self._negated_en(text, m.start(), m.end()):
                    found.extend(Match(t, m.start(), m.end(), m.group()) for t in self.en[m.group().lower()])
        for topic, pattern in self.regex:
            for m in pattern.finditer(text):
                if not self._negated_zh(text, m.start(), m.end(), inner=True) and not self._negated_en(text, m.start(), m.end()):
                    found.append(Match(topic, m.start(), m.end(), m.group()))
        topics = tuple(t for t in self.labels if any(f.topic == t for f in found))
        negative = bool(topics) or bool(
            (self._neg_zh is not None and self._neg_zh.search(text))
            or (self._neg_en is not None and self._neg_en.search(text))
        )
        lowered = text.lower()
        brand = any(term and term.lower() in lowered for term in brand_terms)
        return Classification(topics, negative, brand, tuple(found))


def _merge(rules: dict[str, Any], extra: dict[str, Any]) -> None:
    for section, value in extra.items():
        if section == "topics":
            for name, spec in value.items():
                topic = rules.setdefault("topics", {}).setdefault(name, {})
                for k, v in spec.items():
                    if isinstance(v, list):
                        topic[k] = list(topic.get(k, [])) + list(v)
                    else:
                        topic[k] = v
        elif isinstance(value, dict):
            target = rules.setdefault(section, {})
            for k, v in value.items():
                target[k] = (list(target.get(k, [])) + list(v)) if isinstance(v, list) else v
        else:
            rules[section] = value


def build(data: dict[str, Any], origin: str = "topics.toml") -> Rules:
    labels: dict[str, tuple[str, str]] = {}
    zh: dict[str, set[str]] = {}
    en: dict[str, set[str]] = {}
    regex: list[tuple[str, re.Pattern[str]]] = []
    for name, spec in (data.get("topics") or {}).items():
        if not isinstance(spec, dict):
            raise ConfigError("config.topics_invalid", path=origin, key=f"topics.{name}", reason="must be a table")
        labels[name] = (str(spec.get("label_zh", name)), str(spec.get("label_en", name)))
        for word in spec.get("zh", []):
            zh.setdefault(str(word), set()).add(name)
        for word in spec.get("en", []):
            en.setdefault(str(word).lower(), set()).add(name)
        for i, pattern in enumerate(spec.get("regex", [])):
            try:
                regex.append((name, re.compile(pattern, re.I)))
            except re.error as exc:
                raise ConfigError("config.topics_invalid", path=origin, key=f"topics.{name}.regex[{i}]", reason=str(exc)) from None
    neg = data.get("negation") or {}
    negative = data.get("negative") or {}
    return Rules(
        labels=labels, zh=zh, en=en, regex=regex,
        zh_before=tuple(neg.get("zh_before", ())), zh_after=tuple(neg.get("zh_after", ())),
        en_before=tuple(c.lower() for c in neg.get("en_before", ())), en_after=tuple(c.lower() for c in neg.get("en_after", ())),
        zh_window=int(neg.get("zh_window", 4)), en_window=int(neg.get("en_window", 3)),
        negative_zh=tuple(negative.get("zh", ())), negative_en=tuple(negative.get("en", ())),
    )


def _builtin() -> dict[str, Any]:
    return tomllib.loads(resources.files("incident").joinpath("data/topics.toml").read_text("utf-8"))


@lru_cache(maxsize=8)
def load_rules(extra_file: Path | None = None) -> Rules:
    """The built-in rules, extended by the operator's file when given."""
    data = _builtin()
    if extra_file is not None:
        try:
            extra = tomllib.loads(Path(extra_file).read_text("utf-8"))
        except FileNotFoundError:
            raise ConfigError("config.missing", path=str(extra_file)) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError("config.toml_syntax", path=str(extra_file), reason=str(exc)) from None
        _merge(data, extra)
        return build(data, str(extra_file))
    return build(data)
