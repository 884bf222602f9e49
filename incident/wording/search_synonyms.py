"""What agents and customers actually type, grouped as concepts.

The lexicon is data (``incident/data/search_lexicon.toml``): each concept
lists colloquial Chinese variants (matched as substrings: Chinese has no
spaces) and English ones (matched as whole words or phrases); a text that
contains any variant carries the concept, so 「登不上」 meets a sheet that
says 「无法登录」 and "can't log in" meets samples that say 「登录不上」. Its
places give each city its province and region, so 「绍兴」 meets a sheet about
浙江 and "Tianjin" one about 华北.

Text is normalised once here for the documents and the query alike:
full-width to half-width, lower case, traditional characters to simplified
(``incident/data/search_chars.toml``) and the commonest slips (登陆 → 登录).
The same data file gives each character its pinyin, which the search uses
to recognise a word typed with the wrong character of the same sound.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

_DATA = Path(__file__).resolve().parents[1] / "data"
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# Slips seen on the floor that no sound-alike rule catches (帐 for 账 is the
# same sound but both are real words elsewhere).
_SLIPS = {"帐": "账", "’": "'", "‘": "'"}


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    with (_DATA / "search_lexicon.toml").open("rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=1)
def _chars() -> tuple[dict[int, str], dict[str, str]]:
    """The traditional → simplified table (for str.translate) and each
    character's pinyin."""
    with (_DATA / "search_chars.toml").open("rb") as f:
        data = tomllib.load(f)
    table = {ord(k): v for k, v in _SLIPS.items()}
    for trad, simp in data["traditional"]["pairs"]:
        table.update({ord(a): b for a, b in zip(trad, simp, strict=True)})
    sound = {c: syllable for syllable, chars in data["pinyin"].items() for c in chars}
    return table, sound


def pinyin(char: str) -> str:
    """A character's commonest toneless reading ('' when not in GB 2312)."""
    return _chars()[1].get(char, "")


def concept_labels() -> dict[str, tuple[str, str]]:
    """Every concept's label (zh-CN, en), places included."""
    lex = lexicon()
    out = {name: (c["label"][0], c["label"][1]) for name, c in lex["concepts"].items()}
    for key, (zh, en, *_variants) in lex["places"]["regions"].items():
        out[f"region.{key}"] = (zh, en)
    for key, p in lex["places"]["provinces"].items():
        zh, en = p["name"].split(" ", 1)
        out[f"place.{key}"] = (zh, en.title())
    return out


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, traditional to simplified and
    the commonest slips fixed (登陆 → 登录) so that bigrams meet as well as
    concepts; our own name dropped (the lexicon's ``ignore``)."""
    table, _ = _chars()
    out = unicodedata.normalize("NFKC", text or "").lower().translate(table).replace("登陆", "登录")
    for word in lexicon().get("ignore", {}).get("words", ()):
        out = out.replace(word, " ")
    return out


def _variants() -> dict[str, tuple[list[str], list[str]]]:
    """name → (Chinese variants, English variants), places included: a city
    or province says its province (``place.<key>``) and its region
    (``region.<key>``)."""
    lex = lexicon()
    out = {name: (list(c.get("zh", ())), list(c.get("en", ()))) for name, c in lex["concepts"].items()}
    for key, (zh, _label, *variants) in lex["places"]["regions"].items():
        out[f"region.{key}"] = ([zh], list(variants))
    for key, p in lex["places"]["provinces"].items():
        names = [p["name"], *p.get("cities", ())]
        zh_names = [n.split(" ", 1)[0] for n in names]
        en_names = [n.split(" ", 1)[1] for n in names]
        out[f"place.{key}"] = (zh_names, en_names)
        region = out.setdefault(f"region.{p['region']}", ([], []))
        region[0].extend(zh_names)
        region[1].extend(en_names)
    return out


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, list[tuple[str, str]]], dict[str, set[str]], int]:
    """Chinese variants by their first character (a text is scanned once,
    each position checked against the few variants that start there) and
    English phrases by their words."""
    zh: dict[str, list[tuple[str, str]]] = {}
    en: dict[str, set[str]] = {}
    longest = 1
    for name, (zh_words, en_words) in _variants().items():
        for variant in (normalise(w) for w in zh_words if not w.isascii()):
            zh.setdefault(variant[0], []).append((variant, name))
        for phrase in en_words + [w for w in zh_words if w.isascii()]:
            key = " ".join(_LATIN_WORD.findall(normalise(phrase)))
            en.setdefault(key, set()).add(name)
            longest = max(longest, key.count(" ") + 1)
    return zh, en, longest


def concepts(text: str) -> list[tuple[str, int, int]]:
    """The concepts ``text`` (already normalised) carries, each with the
    span of one variant that says it (for explaining a match)."""
    zh, en, longest = _tables()
    found: dict[str, tuple[int, int]] = {}
    if not text.isascii():
        for at, char in enumerate(text):
            for variant, name in zh.get(char, ()):
                if name not in found and text.startswith(variant, at):
                    found[name] = (at, at + len(variant))
    latin = [(m.group(), m.start(), m.end()) for m in _LATIN_WORD.finditer(text)]
    for i in range(len(latin)):
        phrase = ""
        for j in range(i, min(i + longest, len(latin))):
            phrase = latin[j][0] if j == i else f"{phrase} {latin[j][0]}"
            for name in en.get(phrase, ()):
                found.setdefault(name, (latin[i][1], latin[j][2]))
    return [(name, a, b) for name, (a, b) in found.items()]


@lru_cache(maxsize=1)
def lexicon_words() -> tuple[frozenset[str], dict[str, str], tuple[int, ...]]:
    """For mending slips (search.correct): the Chinese bigrams of the
    lexicon's words, its words of two or more characters by their sound
    (the first listed wins a shared sound), and the lengths they come in."""
    bigrams: set[str] = set()
    by_sound: dict[str, str] = {}
    for zh_words, _en in _variants().values():
        for word in (normalise(w) for w in zh_words if not w.isascii()):
            bigrams.update(word[i : i + 2] for i in range(len(word) - 1))
            sound = [pinyin(c) for c in word]
            if len(word) >= 2 and all(sound):
                by_sound.setdefault(" ".join(sound), word)
    lengths = tuple(sorted({w.count(" ") + 1 for w in by_sound}))
    return frozenset(bigrams), by_sound, lengths
