"""Reading and validating one rules file of the wording linter, so that an
error names the right file and key (incident/wording/lint.py merges the
files and compiles them)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident.errors import ConfigError
from incident.wording.lint_model import (
    _APPENDED,
    _BOOL,
    _CHOICES,
    _ENGINE_RULE_KEYS,
    _ENTRY_KEYS,
    _LEADING_FLAGS,
    _LIST,
    _NORMALISE_KEYS,
    _PARTICLES,
    _PHRASE_SPLIT,
    _RULE_KEYS,
    _STR,
    _TABLE,
    _TABLES,
    _TOP_KEYS,
    _TYPE_EN,
    ENGINES,
)


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


class _Validator:
    """Validates each file on its own (so errors name the right file and
    key) and merges them; :class:`incident.wording.lint._Builder` compiles."""

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
