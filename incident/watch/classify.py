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
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from incident.errors import ConfigError

if TYPE_CHECKING:
    from incident.context import Context

_CLAUSE = re.compile(r"[，。！？；,.!?;\n]")
_WORD = re.compile(r"[A-Za-z0-9']+")
_LATIN = re.compile(r"[A-Za-z]")
_CLAUSE_LAST = re.compile(r"[，。！？；,.!?;\n](?!.*[，。！？；,.!?;\n])", re.S)


class Match(NamedTuple):
    topic: str
    start: int
    end: int
    text: str


class Classification(NamedTuple):
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
        # all patterns in one scan; the named group that matched tells the topic
        self._regex_topics = {f"r{i}": topic for i, (topic, _) in enumerate(self.regex)}
        self._regex = (
            re.compile("|".join(f"(?P<r{i}>{p.pattern})" for i, (_, p) in enumerate(self.regex)), re.I)
            if self.regex
            else None
        )
        self._neg_zh = re.compile(alternation(self.negative_zh)) if self.negative_zh else None
        self._cue_before = re.compile(alternation(self.zh_before)) if self.zh_before else None
        # an all-is-well cue right after the keyword, or one character on
        # (「登录没问题」, 「支付已经恢复了」 is caught by the window before)
        self._cue_after = (
            re.compile(rf"[^，。！？；,.!?;\n]?(?:{alternation(self.zh_after)})") if self.zh_after else None
        )
        # English is matched on word tokens (a set lookup per word and per
        # short phrase) rather than one big case-insensitive alternation:
        # an order of magnitude faster on the mostly-Chinese texts we see.
        self._en_phrases: dict[str, set[str]] = {}
        for word, topics in self.en.items():
            self._en_phrases.setdefault(" ".join(_WORD.findall(word.lower())), set()).update(topics)
        self._en_neg = {" ".join(_WORD.findall(w.lower())) for w in self.negative_en}
        self._en_cue_words = {c for c in self.en_before if " " not in c}
        self._en_cue_phrases = tuple(c for c in self.en_before if " " in c)
        self._en_after_re = (
            re.compile(
                rf"[ \t]*(?:(?:is|are|was|were|now|has been|have been)[ \t]+)*(?:{alternation(self.en_after)})\b", re.I
            )
            if self.en_after
            else None
        )
        self._en_all = set(self._en_phrases) | self._en_neg
        self._en_starts = {p.split(" ", 1)[0] for p in self._en_all if " " in p}
        self._en_max = max((p.count(" ") + 1 for p in (*self._en_phrases, *self._en_neg)), default=1)

    def _en_matches(self, text: str) -> list[tuple[str, int, int]]:
        tokens = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
        found = []
        single, starts, n_max = self._en_all, self._en_starts, self._en_max
        for i, (word, start, end) in enumerate(tokens):
            if word in single:
                found.append((word, start, end))
            if word in starts:  # only then can a longer phrase begin here
                phrase = word
                for j in range(i + 1, min(i + n_max, len(tokens))):
                    phrase += " " + tokens[j][0]
                    if phrase in single:
                        found.append((phrase, start, tokens[j][2]))
        return found

    # -- negation --------------------------------------------------------
    def _negated_zh(self, text: str, start: int, end: int, inner: bool) -> bool:
        before = text[max(0, start - self.zh_window) : start]
        cut = _CLAUSE_LAST.search(before)
        if cut is not None:
            before = before[cut.end() :]
        if before and self._cue_before is not None and self._cue_before.search(before):
            return True
        if inner and self._cue_before is not None and self._cue_before.search(text, start, end):
            return True
        return self._cue_after is not None and self._cue_after.match(text, end) is not None

    def _negated_en(self, text: str, start: int, end: int) -> bool:
        before = text[max(0, start - 40) : start]
        cut = _CLAUSE_LAST.search(before)
        if cut is not None:
            before = before[cut.end() :]
        if before:
            words = _WORD.findall(before.lower())[-self.en_window :]
            if self._en_cue_words.intersection(words):
                return True
            if self._en_cue_phrases and any(c in " ".join(words) for c in self._en_cue_phrases):
                return True
        return self._en_after_re is not None and self._en_after_re.match(text, end) is not None

    def classify(self, text: str, brand_terms: Iterable[str] = ()) -> Classification:
        found: list[Match] = []
        if self._zh is not None:
            for m in self._zh.finditer(text):
                if not self._negated_zh(text, m.start(), m.end(), inner=False):
                    found.extend(Match(t, m.start(), m.end(), m.group()) for t in self.zh[m.group()])
        en_negative = False
        en_hits = self._en_matches(text) if _LATIN.search(text) else []
        for phrase, start, end in en_hits:
            if phrase in self._en_neg:
                en_negative = True
            topics_of = self._en_phrases.get(phrase)
            if topics_of and not self._negated_en(text, start, end):
                found.extend(Match(t, start, end, text[start:end]) for t in topics_of)
        if self._regex is not None:
            for m in self._regex.finditer(text):
                assert m.lastgroup is not None  # every alternative is a named group, r0, r1 …
                if not self._negated_zh(text, m.start(), m.end(), inner=True) and not self._negated_en(
                    text, m.start(), m.end()
                ):
                    found.append(Match(self._regex_topics[m.lastgroup], m.start(), m.end(), m.group()))
        seen = {f.topic for f in found}
        topics = tuple(t for t in self.labels if t in seen)
        negative = bool(topics) or en_negative or bool(self._neg_zh is not None and self._neg_zh.search(text))
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
                raise ConfigError(
                    "config.topics_invalid", path=origin, key=f"topics.{name}.regex[{i}]", reason=str(exc)
                ) from None
    neg = data.get("negation") or {}
    negative = data.get("negative") or {}
    return Rules(
        labels=labels,
        zh=zh,
        en=en,
        regex=regex,
        zh_before=tuple(neg.get("zh_before", ())),
        zh_after=tuple(neg.get("zh_after", ())),
        en_before=tuple(c.lower() for c in neg.get("en_before", ())),
        en_after=tuple(c.lower() for c in neg.get("en_after", ())),
        zh_window=int(neg.get("zh_window", 4)),
        en_window=int(neg.get("en_window", 3)),
        negative_zh=tuple(negative.get("zh", ())),
        negative_en=tuple(negative.get("en", ())),
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


def rules_for(ctx: Context) -> Rules:
    """The rules of this configuration (built in, plus its topics file)."""
    return load_rules(ctx.config.watch.topics_file)
