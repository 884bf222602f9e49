"""The wording linter: what the handbooks forbid or advise against in a reply
or a statement (DOMAIN.md §6).

``lint(text)`` returns :class:`~incident.wording.findings.Finding` objects,
sorted by start, each with an exact span into the text, the offending text,
a suggestion in the text's language and an explanation key. The rules are
data (``incident/data/lint_rules.toml``, commented with the seed sections
they come from) merged with an operator's own file (``[wording].rules_file``);
:func:`load_rules` compiles them once into a :class:`RuleSet`.

Rules and severities (built-in; an operator file can change them):

=================== ======== ==================================================
forbidden           error    004 ch.2 §1.3 服务禁语 1–9 and close variants
non_standard        error    004 ch.2 §1.3 不规范服务用语 1–18 and variants
opens_with_bu       warning  004 ch.2 §2 a sentence opening with 不 / 我不
pronoun_ni          warning  004 ch.2 §1 你 where 您 is due
absolute_promise    error    000 §2.1 肯定能 / 保证 / 100% / guarantee …
negative_wait       warning  004 ch.2 §2 「很抱歉让你久等」
dont_know           error    000 §4.1, 003 §4.1 「我不知道」
not_our_business    warning  004 ch.2 §2 「这事不是我们管」
policy_excuse       warning  004 ch.2 §2 「这是公司的政策」
filler              warning  004 ch.2 §2 口头禅 (你知道…, 老实说, 搞定 …)
phrasing            warning  004 ch.2 §2 the handbook's other before/after pairs
personal_data       error    000 §3.1, 003 §4.1 phone, ID, card, address, e-mail
placeholder         error    unfilled {{ x }}, {x}, 【待填】, XX, ××, ** …
unknown_placeholder error    {{ name }} that the template does not define
over_cap            error    004 ch.3 §2 amounts above the compensation caps
=================== ======== ==================================================

Matching runs on a *normalised* copy of the text that has exactly the same
length (one character for one character; multi-character copy artefacts
such as 企业→公司 are replaced by words of the same length), so every span
found there is a span of the original text.
"""

from __future__ import annotations

import functools
import re
import threading
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from incident.config import ChannelLimits, CompensationCaps
from incident.errors import ConfigError
from incident.i18n import CATALOG
from incident.resources import on_disk
from incident.textin import luhn
from incident.wording import lint_texts as _lint_texts  # noqa: F401  (registers the texts)
from incident.wording.channels import check_text
from incident.wording.findings import Finding, Severity
from incident.wording.lint_lang import localise

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


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load_rules(extra: Path | None = None) -> RuleSet:
    """The built-in rules, merged with an operator's file when given.

    A bad file raises :class:`ConfigError` naming the file, the key and the
    reason. The built-in set is compiled once per process; an operator file
    is compiled again only when it changes."""
    if extra is None:
        if _builtin.cache_info().currsize:
            return _builtin()  # compiled already: no lock on the hot path
        with _builtin_lock:
            return _builtin()
    path = Path(extra)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ConfigError("lint.rules_missing", path=str(path)) from None
    except OSError as exc:
        raise ConfigError("lint.rules_unreadable", path=str(path), reason=exc.strerror or str(exc)) from None
    with _operator_lock:
        return _with_operator(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


# lru_cache computes a missing value in every thread that asks for it at
# once: the first replies after a start (forty agents' requests) compiled
# the rules forty times over, a peak the process kept. One build at a time;
# the others then find it cached. The built-in set has its own lock, so an
# operator file being compiled never holds up the built-in rules.
_builtin_lock = threading.Lock()
_operator_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _builtin() -> RuleSet:
    builder = _Builder()
    builder.add(_read(BUILTIN_RULES), BUILTIN_RULES, builtin=True)
    return builder.build()


@functools.lru_cache(maxsize=8)
def _with_operator(path: str, _mtime: int, _size: int) -> RuleSet:
    builder = _Builder()
    builder.add(_read(BUILTIN_RULES), BUILTIN_RULES, builtin=True)
    builder.add(_read(Path(path)), Path(path), builtin=False)
    return builder.build()


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("lint.rules_missing", path=str(path)) from None
    except OSError as exc:
        raise ConfigError("lint.rules_unreadable", path=str(path), reason=exc.strerror or str(exc)) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("lint.rules_not_utf8", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("lint.rules_toml", path=str(path), reason=str(exc)) from None


def _invalid(path: Path, key: str, reason_type: str, reason: str, **ctx: Any) -> ConfigError:
    return ConfigError(
        "lint.rules_invalid",
        path=str(path),
        key=key,
        reason_type=reason_type,
        reason=reason,
        reason_ctx={k: str(v) for k, v in ctx.items()},
    )


@dataclass
class _RawEntry:
    data: dict[str, Any]
    path: Path
    key: str


class _Builder:
    """Validates each file on its own (so errors name the right file and
    key), merges them, then compiles."""

    def __init__(self) -> None:
        self.table: dict[str, str] = {}
        self.words: dict[str, str] = {}
        self.macros: dict[str, str] = {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.files: list[Path] = []

    # -- validation helpers ---------------------------------------------------
    @staticmethod
    def _check_keys(path: Path, prefix: str, data: dict[str, Any], allowed: dict[str, str]) -> None:
        for k, v in data.items():
            key = f"{prefix}.{k}" if prefix else k
            if k not in allowed:
                raise _invalid(
                    path,
                    key,
                    "lint_unknown_key",
                    f"unknown key (allowed: {', '.join(allowed)})",
                    allowed=", ".join(allowed),
                )
            want = allowed[k]
            ok = {
                _STR: isinstance(v, str),
                _BOOL: isinstance(v, bool),
                _LIST: isinstance(v, list) and all(isinstance(x, str) for x in v),
                _TABLE: isinstance(v, dict),
                _TABLES: isinstance(v, list) and all(isinstance(x, dict) for x in v),
            }[want]
            if not ok:
                raise _invalid(path, key, f"lint_type_{want}", f"must be {_TYPE_EN[want]}")
            if k in _CHOICES and isinstance(v, str) and v not in _CHOICES[k]:
                raise _invalid(
                    path,
                    key,
                    "lint_choice",
                    f"must be one of {', '.join(_CHOICES[k])} (got {v})",
                    allowed=", ".join(_CHOICES[k]),
                    value=v,
                )

    def add(self, data: dict[str, Any], path: Path, *, builtin: bool) -> None:
        self.files.append(path)
        self._check_keys(path, "", data, _TOP_KEYS)
        norm = data.get("normalise", {})
        self._check_keys(path, "normalise", norm, _NORMALISE_KEYS)
        a, b = norm.get("chars_from", ""), norm.get("chars_to", "")
        if len(a) != len(b):
            raise _invalid(
                path,
                "normalise.chars_to",
                "lint_map_length",
                f"chars_from and chars_to must be the same length ({len(a)} ≠ {len(b)})",
                a=len(a),
                b=len(b),
            )
        self.table.update(zip(a, b, strict=True))
        for word, target in norm.get("words", {}).items():
            if not isinstance(target, str):
                raise _invalid(path, f"normalise.words.{word}", "lint_type_string", "must be a string")
            if len(word) != len(target) or not word:
                raise _invalid(
                    path,
                    f"normalise.words.{word}",
                    "lint_word_length",
                    "a replacement must be as long as the word it replaces",
                    word=word,
                    target=target,
                )
            self.words[word] = target
        for name, body in data.get("macros", {}).items():
            if not isinstance(body, str):
                raise _invalid(path, f"macros.{name}", "lint_type_string", "must be a string")
            self.macros[name] = body
        for name, raw in data.get("rules", {}).items():
            prefix = f"rules.{name}"
            if not isinstance(raw, dict):
                raise _invalid(path, prefix, "lint_type_table", "must be a table")
            existing = self.rules.get(name)
            engine = raw.get("engine", existing["engine"] if existing else "phrase")
            if not isinstance(engine, str) or engine not in ENGINES:
                raise _invalid(
                    path,
                    f"{prefix}.engine",
                    "lint_choice",
                    f"must be one of {', '.join(ENGINES)}",
                    allowed=", ".join(ENGINES),
                    value=engine,
                )
            if not builtin and ((existing and engine != existing["engine"]) or (not existing and engine != "phrase")):
                raise _invalid(
                    path,
                    f"{prefix}.engine",
                    "lint_engine",
                    "the engine of a built-in rule cannot change; new rules can only use phrase",
                )
            allowed = {**_RULE_KEYS, **_ENGINE_RULE_KEYS[engine]}
            if not _ENTRY_KEYS[engine]:
                del allowed["entries"]  # over_cap finds amounts itself; its data are the word lists
            self._check_keys(path, prefix, raw, allowed)
            entries = []
            for i, entry in enumerate(raw.get("entries", [])):
                ekey = f"{prefix}.entries[{i}]"
                self._check_keys(path, ekey, entry, _ENTRY_KEYS[engine])
                if engine == "phrase" and ("phrase" in entry) == ("pattern" in entry):
                    raise _invalid(
                        path, ekey, "lint_phrase_or_pattern", "each entry needs exactly one of phrase or pattern"
                    )
                if engine != "phrase" and "pattern" not in entry:
                    raise _invalid(path, f"{ekey}.pattern", "lint_phrase_or_pattern", "each entry needs a pattern")
                entries.append(_RawEntry(entry, path, ekey))
            if existing is None:
                if not builtin and not entries:
                    raise _invalid(path, prefix, "lint_new_rule", "a new rule needs at least one entry (entries)")
                merged: dict[str, Any] = {"engine": engine, "entries": [], "exceptions": []}
                self.rules[name] = merged
            else:
                merged = existing
            for k, v in raw.items():
                if k == "entries":
                    merged["entries"] = merged["entries"] + entries
                elif k in _APPENDED:
                    merged[k] = list(merged.get(k, [])) + list(v)
                else:
                    merged[k] = v
            # Regexes in word lists are checked here, against this file.
            for k in _ENGINE_RULE_KEYS[engine]:
                if k.endswith("_words") or k == "service_number_labels":
                    for i, word in enumerate(raw.get(k, [])):
                        _compile_or_fail(_scope_flags(word), path, f"{prefix}.{k}[{i}]")

    # -- compilation ------------------------------------------------------------
    def _expand(self, src: str, depth: int = 0) -> str:
        if depth > 4:
            return src
        return _MACRO.sub(
            lambda m: self._expand(self.macros[m.group(1)], depth + 1) if m.group(1) in self.macros else m.group(0), src
        )

    def build(self) -> RuleSet:
        table = {ord(k): v for k, v in self.table.items()}
        # Patterns keep their ASCII punctuation meaning: only the CJK side of
        # the table (and the words) is applied to them.
        pattern_table = {k: v for k, v in table.items() if not v.isascii()}
        words = dict(sorted(self.words.items(), key=lambda kv: -len(kv[0])))
        words_rx = re.compile("|".join(map(re.escape, words))) if words else None

        def norm_pattern(src: str) -> str:
            out = src.translate(pattern_table)
            return words_rx.sub(lambda m: words[m.group(0)], out) if words_rx else out

        rules: dict[str, Rule] = {}
        for name, raw in self.rules.items():
            engine = raw["engine"]
            rule = Rule(
                name=name,
                engine=engine,
                severity=raw.get("severity", "warning"),
                enabled=raw.get("enabled", True),
                lang=raw.get("lang", "zh" if engine == "phrase" else "any"),
                source=raw.get("source", ""),
                suggestion=raw.get("suggestion", ""),
                suggestion_en=raw.get("suggestion_en", ""),
                supersedes=raw.get("supersedes", False),
            )
            rule.message_key = self._message_key(name, raw)
            if raw.get("exceptions"):
                phrases = sorted({norm_pattern(x) for x in raw["exceptions"] if x}, key=len, reverse=True)
                rule.exceptions = re.compile("|".join(map(re.escape, phrases)))
            rule.service_mailboxes = frozenset(x.lower() for x in raw.get("service_mailboxes", []))
            labels = [_scope_flags(norm_pattern(w)) for w in raw.get("service_number_labels", [])]
            if labels:
                rule.words["service_number_labels"] = re.compile(
                    "(?:" + "|".join(f"(?:{w})" for w in labels) + r")[\s:：是为]*\Z"
                )
            for k in _ENGINE_RULE_KEYS["over_cap"]:
                if engine == "over_cap":
                    items = [_scope_flags(norm_pattern(w)) for w in raw.get(k, [])]
                    rule.words[k] = re.compile("|".join(f"(?:{w})" for w in items)) if items else None
            zh_entries: list[Entry] = []
            always: list[Entry] = []
            for raw_entry in raw["entries"]:
                entry = self._entry(raw_entry, rule, norm_pattern)
                (zh_entries if entry.lang == "zh" else always).append(entry)
                rule.entries.append(entry)
            try:
                rule.zh = _combine(zh_entries)
                rule.always = _combine(always)
            except re.error as exc:  # entries that only clash together, e.g. a group name used twice
                raise _invalid(
                    self.files[-1],
                    f"rules.{name}.entries",
                    "lint_regex",
                    f"invalid regular expression: {exc}",
                    error=exc,
                ) from None
            rules[name] = rule
        return RuleSet(rules, tuple(self.files), table, words_rx, words)

    def _message_key(self, name: str, raw: dict[str, Any]) -> str:
        if raw.get("message") or raw.get("message_en"):
            key = f"lint.custom.{name}"
            zh = str(raw.get("message") or raw.get("message_en"))
            en = str(raw.get("message_en") or raw.get("message"))
            CATALOG[key] = (zh.replace("{", "{{").replace("}", "}}"), en.replace("{", "{{").replace("}", "}}"))
            return key
        if f"lint.{name}" in CATALOG or name == "personal_data" or name == "over_cap":
            return f"lint.{name}"
        return "lint.custom"

    def _entry(self, raw: _RawEntry, rule: Rule, norm_pattern: Any) -> Entry:
        d = raw.data
        lang = d.get("lang", rule.lang)
        if "phrase" in d:
            src = _phrase_regex(norm_pattern(d["phrase"]))
            key = f"{raw.key}.phrase"
        else:
            src = d["pattern"]
            key = f"{raw.key}.pattern"
        src = _scope_flags(norm_pattern(self._expand(src)))
        if lang in ("en",) and rule.engine == "phrase":
            src = f"(?i:{src})"  # English wording rules ignore case
        rx = _compile_or_fail(src, raw.path, key)
        if rx.fullmatch(""):
            raise _invalid(
                raw.path, key, "lint_empty_match", "the pattern matches empty text, so it would fire everywhere"
            )
        if _has_backref(src):
            raise _invalid(raw.path, key, "lint_backref", "backreferences are not supported; rewrite the pattern")
        return Entry(
            regex=src,
            ngroups=rx.groups,
            lang=lang,
            suggestion=d.get("suggestion", ""),
            suggestion_en=d.get("suggestion_en", ""),
            source=d.get("source", ""),
            kind=d.get("kind", "other"),
            check=d.get("check", "none"),
            mask=d.get("mask", "last4"),
            named=d.get("named", False),
        )


def _compile_or_fail(src: str, path: Path, key: str) -> re.Pattern[str]:
    try:
        return re.compile(src)
    except (re.error, OverflowError, RecursionError) as exc:
        raise _invalid(path, key, "lint_regex", f"invalid regular expression: {exc}", error=exc) from None


def _scope_flags(src: str) -> str:
    """``(?i)…`` → ``(?i:…)``: global flags must lead the whole expression,
    and entries are joined into one alternation."""
    m = _LEADING_FLAGS.match(src)
    return f"(?{m.group(1)}:{src[m.end() :]})" if m else src


def _phrase_regex(phrase: str) -> str:
    """A literal phrase, forgiving the ways people vary it: 你/您, punctuation
    between clauses, the particle a clause ends with."""
    parts = []
    for clause in _PHRASE_SPLIT.split(phrase.strip()):
        body = clause.rstrip(_PARTICLES) or clause
        if body:
            parts.append("".join("{ni}" if ch in "你您" else re.escape(ch) for ch in body))
    return "{p}{s}".join(parts) + "{p}" if parts else re.escape(phrase)


def _combine(entries: list[Entry]) -> _Matcher | None:
    """One alternation per rule family (leftmost match; among matches at the
    same position the first entry wins, so longer variants come first in the
    data). When every entry's possible first characters are known, a
    lookahead on them lets the engine skip most positions at once."""
    if not entries:
        return None
    parts: list[str] = []
    index: dict[int, Entry] = {}
    group = 1
    firsts: set[str] | None = set()
    for entry in entries:
        parts.append(f"({entry.regex})")
        index[group] = entry
        group += 1 + entry.ngroups
        fs = _first_chars(entry.regex)
        firsts = None if fs is None or firsts is None else firsts | fs
    body = "|".join(parts)
    if firsts:
        body = f"(?=[{''.join(sorted(firsts))}])(?:{body})"
    return _Matcher(re.compile(body), index)


# -- a look into the parsed pattern -----------------------------------------------

try:  # the parser is internal to re; without it we simply skip the shortcut
    from re import _constants as _C  # type: ignore[attr-defined]
    from re import _parser as _P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _C = _P = None


class _Unknown(Exception):
    pass


def _first_chars(src: str) -> set[str] | None:
    """Character-class items that can start a match, or None if unknown."""
    if _P is None:
        return None
    out: set[str] = set()

    def esc(c: str) -> str:
        return "\\" + c if c in "\\]^-[" else c

    def add(code: int, icase: bool) -> None:
        c = chr(code)
        out.add(esc(c))
        if icase and c.isascii() and c.isalpha():
            out.add(esc(c.swapcase()))

    def seq(items: Iterable[Any], icase: bool) -> bool:
        for op, av in items:
            if not first(op, av, icase):
                return False
        return True

    def first(op: Any, av: Any, icase: bool) -> bool:
        if op is _C.LITERAL:
            add(av, icase)
            return False
        if op is _C.IN:
            for op2, av2 in av:
                if op2 is _C.LITERAL:
                    add(av2, icase)
                elif op2 is _C.RANGE:
                    lo, hi = av2
                    out.add(f"{esc(chr(lo))}-{esc(chr(hi))}")
                    if icase:
                        out.add("A-Za-z")
                elif op2 is _C.CATEGORY and av2 in _CATEGORIES:
                    out.add(_CATEGORIES[av2])
                else:
                    raise _Unknown
            return False
        if op is _C.BRANCH:
            results = [seq(branch, icase) for branch in av[1]]
            return any(results)
        if op is _C.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            return seq(sub, icase or bool(add_flags & re.IGNORECASE))
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) or op is getattr(_C, "POSSESSIVE_REPEAT", None):
            lo, _hi, sub = av
            nullable = seq(sub, icase)
            return lo == 0 or nullable
        if op is _C.AT or op in (_C.ASSERT, _C.ASSERT_NOT):
            return True
        if op is getattr(_C, "ATOMIC_GROUP", None):
            return seq(av, icase)
        raise _Unknown

    try:
        nullable = seq(_P.parse(src), False)
    except Exception:  # _Unknown, or a construct this look does not follow
        return None
    return None if nullable or not out else out


_CATEGORIES: dict[Any, str] = {}
if _C is not None:
    _CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_SPACE: r"\s", _C.CATEGORY_WORD: r"\w"}


def _has_backref(src: str) -> bool:
    if _P is None:
        return bool(re.search(r"\\[1-9]|\(\?P=", src))

    def walk(items: Iterable[Any]) -> bool:
        for op, av in items:
            if op in (_C.GROUPREF, _C.GROUPREF_EXISTS):
                return True
            if isinstance(av, (list, tuple)):
                for x in av:
                    if isinstance(x, _P.SubPattern) and walk(x):
                        return True
                    if isinstance(x, list) and any(isinstance(y, _P.SubPattern) and walk(y) for y in x):
                        return True
            elif isinstance(av, _P.SubPattern) and walk(av):
                return True
        return False

    try:
        return walk(_P.parse(src))
    except Exception:
        return False


# ---------------------------------------------------------------------------
# Linting
# ---------------------------------------------------------------------------


def lint(
    text: str,
    *,
    lang: str | None = None,
    caps: CompensationCaps | None = None,
    known_placeholders: Collection[str] | None = None,
    rules: RuleSet | None = None,
    channel: str | None = None,
    limits: ChannelLimits | None = None,
    ui_lang: str | None = None,
) -> list[Finding]:
    """Every finding in ``text``, sorted by start.

    ``lang`` None detects: any Chinese character turns the Chinese rules on
    (English rules and the language-neutral ones always run). Suggestions are
    in the text's language; given ``ui_lang`` (the reader's language),
    instructions are said in it and a Chinese replacement carries its
    English sense (incident.wording.lint_lang). ``channel`` adds that
    channel's own checks (incident.wording.channels)."""
    rules = rules or load_rules()
    if lang and lang.lower().startswith("en"):
        zh = False
    elif lang and lang.lower().startswith("zh"):
        zh = True
    else:
        zh = bool(_CJK.search(text))
    norm = rules.normalise(text)
    findings: list[Finding] = []
    for rule in rules.rules.values():
        if not rule.enabled:
            continue
        if rule.engine == "phrase":
            findings.extend(_phrase(rule, text, norm, zh))
        elif rule.engine == "personal_data":
            findings.extend(_personal(rule, text, norm, zh))
        elif rule.engine == "placeholder":
            findings.extend(_placeholders(rule, text, norm, zh, known_placeholders))
        elif rule.engine == "over_cap":
            findings.extend(_over_cap(rule, text, norm, zh, caps or CompensationCaps()))
    findings = _drop_superseded(findings, rules)
    if channel:
        findings.extend(check_text(channel, text, limits or ChannelLimits()))
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    if ui_lang:
        findings = localise(findings, ui_lang, rules)
    return findings


def _matches(rule: Rule, norm: str, zh: bool) -> Iterable[tuple[re.Match[str], Entry]]:
    for matcher in (rule.zh if zh else None, rule.always):
        if matcher is None:
            continue
        for m in matcher.rx.finditer(norm):
            if m.end() > m.start():
                yield m, matcher.entries[m.lastindex or 0]


def _excepted(rule: Rule, norm: str) -> list[tuple[int, int]]:
    return [m.span() for m in rule.exceptions.finditer(norm)] if rule.exceptions else []


def _phrase(rule: Rule, text: str, norm: str, zh: bool) -> list[Finding]:
    out: list[Finding] = []
    spans: list[tuple[int, int]] | None = None
    for m, entry in _matches(rule, norm, zh):
        start, end = m.span()
        if rule.exceptions is not None:
            if spans is None:
                spans = _excepted(rule, norm)
            if any(a <= start < b for a, b in spans):
                continue
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=rule.suggest(entry, zh),
                message_key=rule.message_key,
                params={
                    "source": entry.source or rule.source,
                    **({"rule": rule.name} if rule.message_key == "lint.custom" else {}),
                },
            )
        )
    return out


_ADDRESS_STOP = set("的在于是为到往寄送住至从址和及与或向由把将给请您我你他她它们了")
_ADMIN = re.compile(r"^.*[省市区县镇乡州]")


def _personal(rule: Rule, text: str, norm: str, zh: bool) -> list[Finding]:
    out: list[Finding] = []
    for m, entry in _matches(rule, norm, zh):
        start, end = m.span()
        found = norm[start:end]
        if entry.check == "luhn" and not luhn(re.sub(r"\D", "", found)):
            continue
        if entry.check == "email" and found.split("@", 1)[0].lower() in rule.service_mailboxes:
            continue
        labels = rule.words.get("service_number_labels")
        if (
            entry.kind in ("mobile", "landline")
            and labels is not None
            and labels.search(norm, max(0, start - 16), start)
        ):
            continue
        if entry.check == "address_zh":
            # The pattern starts at the road suffix; the road's name (and the
            # district before it) is the run of Chinese characters before.
            while (
                start > 0
                and m.start() - start < 16
                and _CJK.match(norm[start - 1])
                and norm[start - 1] not in _ADDRESS_STOP
            ):
                start -= 1
            if start == m.start():
                continue  # a bare 路12号 without a name is not an address
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=_mask(entry, text[start:end], m.start() - start, zh),
                message_key=rule.message_key
                if rule.message_key.startswith("lint.custom")
                else f"lint.personal_data.{entry.kind}",
                params={"kind": entry.kind, "source": entry.source or rule.source},
            )
        )
    return out


def _mask(entry: Entry, found: str, name_len: int, zh: bool) -> str:
    if entry.mask == "last4":
        tail = re.sub(r"[^0-9Xx]", "", found)[-4:]
        return f"****{tail}"
    if entry.mask == "email":
        local, _, domain = found.partition("@")
        return f"{local[:1]}***@{domain}"
    if entry.mask == "address":
        if zh:
            admin = _ADMIN.match(found[:name_len])
            return f"{admin.group(0) if admin else ''}（详细地址已略去）"
        return "remove the street address (name the city or district at most)"
    return "（请删除）" if zh else "remove it"


def _placeholders(rule: Rule, text: str, norm: str, zh: bool, known: Collection[str] | None) -> list[Finding]:
    out: list[Finding] = []
    if rule.always is None:
        return out
    for m in rule.always.rx.finditer(norm):
        start, end = m.span()
        if end <= start:
            continue
        group = m.lastindex or 0
        entry = rule.always.entries[group]
        name = m.group(group + 1) if entry.named and entry.ngroups else None
        if name is not None and known is not None and name not in known and name.split(".")[0] not in known:
            names = ", ".join(sorted(known)) or "—"
            out.append(
                Finding(
                    rule="unknown_placeholder",
                    severity=rule.severity,
                    start=start,
                    end=end,
                    text=text[start:end],
                    suggestion=(
                        f"改用模板已有的变量：{names}" if zh else f"use one of the template's variables: {names}"
                    )
                    if known
                    else ("删除该变量" if zh else "remove the variable"),
                    message_key="lint.unknown_placeholder",
                    params={"name": name, "known": names},
                )
            )
            continue
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=rule.suggest(entry, zh),
                message_key=rule.message_key,
                params={"token": text[start:end], "source": entry.source or rule.source},
            )
        )
    return out


_AMOUNT = re.compile(
    r"(?i)(?:(?P<pre>[¥￥]|RMB|CNY|人民币)\s*)?(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<wan>万))?(?:\s*(?P<unit>元|块钱|块|圆|yuan|RMB|CNY)(?![A-Za-z]))?"
    r"|(?P<cjk>[零〇一二两三四五六七八九十百千万]+)\s*(?:元|块钱|块)"
)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CJK_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}


def _cjk_number(s: str) -> int | None:
    total = section = num = 0
    for ch in s:
        if ch in _CJK_DIGITS:
            num = _CJK_DIGITS[ch]
        elif ch in _CJK_UNITS:
            section += (num or 1) * _CJK_UNITS[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10000
            section = num = 0
    value = total + section + num
    return value or None


def _money(value: Decimal | int) -> str:
    d = Decimal(value)
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"


def _says(rule: Rule, kind: str, sentence: str) -> bool:
    """The sentence has one of the rule's ``kind`` words (declared value, compensation …)."""
    rx = rule.words.get(kind)
    return bool(rx and rx.search(sentence))


def _over_cap(rule: Rule, text: str, norm: str, zh: bool, caps: CompensationCaps) -> list[Finding]:
    out: list[Finding] = []
    for m in _AMOUNT.finditer(norm):
        if m.group("cjk"):
            value: Decimal | int | None = _cjk_number(m.group("cjk"))
            if value is None:
                continue
        elif m.group("pre") or m.group("unit"):
            # Decimal, as the caps are: "100.2 元" against a 100.20 cap is
            # not over it (as a float it would be, by 3e-15).
            value = Decimal(m.group("num").replace(",", "")) * (10000 if m.group("wan") else 1)
        else:
            continue
        start, end = m.span()
        while end > start and norm[end - 1].isspace():
            end -= 1
        left = max((s.end() for s in _SENTENCE_END.finditer(norm, 0, start)), default=0)
        right = _SENTENCE_END.search(norm, end)
        sentence = norm[left : right.start() if right else len(norm)]
        if _says(rule, "declared_words", sentence):
            cap, basis = caps.declared_value, "declared"
        elif _says(rule, "compensation_words", sentence):
            if _says(rule, "document_words", sentence):
                cap, basis = caps.insured_documents, "documents"
            elif _says(rule, "uninsured_words", sentence):
                cap, basis = caps.uninsured, "uninsured"
            else:
                cap, basis = caps.insured_goods, "goods"
        else:
            cap, basis = caps.highest, "highest"
        if value <= cap:
            continue
        template = rule.suggest(None, zh)
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=template.replace("{cap}", _money(cap)),
                message_key=rule.message_key
                if rule.message_key.startswith("lint.custom")
                else f"lint.over_cap.{basis}",
                params={"amount": _money(value), "cap": _money(cap), "basis": basis},
            )
        )
    return out


_RANK = {"warning": 0, "error": 1}


def _drop_superseded(findings: list[Finding], rules: RuleSet) -> list[Finding]:
    """A finding inside the span of a phrase whose suggestion rewrites the
    whole span (and at least as severe) says nothing new: 「你找领导去」 needs
    no separate 你→您 warning."""
    order = {name: i for i, name in enumerate(rules.rules)}
    containers = [f for f in findings if f.rule in rules.rules and rules.rules[f.rule].supersedes]
    if not containers:
        return findings
    kept = []
    for f in findings:
        drop = False
        for g in containers:
            if g is f or not (g.start <= f.start and f.end <= g.end) or _RANK[g.severity] < _RANK[f.severity]:
                continue
            same = (g.start, g.end) == (f.start, f.end)
            if same and f in containers:
                # Two rewriting rules on the same span: keep the more severe, then the earlier rule.
                if _RANK[g.severity] > _RANK[f.severity] or order.get(g.rule, 0) < order.get(f.rule, 0):
                    drop = True
            else:
                drop = True
            if drop:
                break
        if not drop:
            kept.append(f)
    return kept
