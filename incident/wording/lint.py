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
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from incident.config import ChannelLimits, CompensationCaps
from incident.errors import ConfigError
from incident.i18n import CATALOG
from incident.wording import lint_texts as _lint_texts  # noqa: F401  (registers the texts)
from incident.wording.channels import check_text
from incident.wording.findings import Finding
from incident.wording.lint_engines import _drop_superseded, _over_cap, _personal, _phrase, _placeholders
from incident.wording.lint_lang import localise

# CHANNELS and BUILTIN_RULES are re-exported: callers import them from here.
from incident.wording.lint_model import (
    _CJK,
    _ENGINE_RULE_KEYS,
    _MACRO,
    BUILTIN_RULES,
    CHANNELS,
    Entry,
    Rule,
    RuleSet,
    _Matcher,
)
from incident.wording.lint_schema import (
    _compile_or_fail,
    _invalid,
    _phrase_regex,
    _RawEntry,
    _read,
    _scope_flags,
    _Validator,
)

__all__ = ["BUILTIN_RULES", "CHANNELS", "Entry", "Rule", "RuleSet", "lint", "load_rules"]


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


class _Builder(_Validator):
    """Validates each file on its own (so errors name the right file and
    key), merges them, then compiles."""

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
