"""What a knowledge-base version holds, cleaned at the door.

A version's content is ``{"title": {lang: str}, "questions": [str],
"answer": {lang: str}, "keywords": [str], "topics": [str], "products":
[str], "categories": [str]}``. Questions are what customers said: personal
data was masked at intake (incident/watch/complaints.py), and is masked
again here (phone, ID and card numbers, e-mail addresses, long order or
waybill numbers, the customer's own name) because a knowledge-base entry
outlives the incident and is read by every agent (000 §3.1, 003 §4.1).
Answers are what agents say: the wording linter's errors (a forbidden
phrase, a full number) refuse them, as they refuse a fact sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from incident.config import AppConfig
from incident.errors import InputError
from incident.i18n import LANGS
from incident.knowledge import texts as _texts  # noqa: F401
from incident.textin import clean_text
from incident.watch.complaints import mask_text

TITLE_MAX = 200
ANSWER_MAX = 4000
QUESTION_MAX = 300
QUESTIONS_MAX = 20
KEYWORDS_MAX = 30
WORD_MAX = 100
LIST_FIELDS = ("questions", "keywords", "topics", "products", "categories")
LANG_FIELDS = ("title", "answer")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of 8+ digits left after intake's masking (an order, a waybill, a
# customer number): meaningless in an answer to the next customer, and
# whole order numbers are never shown (DOMAIN.md §6).
_LONG_NUMBER = re.compile(r"(?<![\d*])\d{8,}(?!\d)", re.ASCII)
_SPACES = re.compile(r"\s+")
_HONORIFICS = ("先生", "女士", "小姐")


def empty() -> dict[str, Any]:
    out: dict[str, Any] = {f: {lang: "" for lang in LANGS} for f in LANG_FIELDS}
    out.update({f: [] for f in LIST_FIELDS})
    return out


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """A customer's words with no personal data: numbers masked to their
    last four, e-mail addresses and the given names (and 「张先生」 for 张三)
    taken out, blanks folded, cut to QUESTION_MAX."""
    text = _SPACES.sub(" ", clean_text("question", text)).strip()
    text = mask_text(text)
    text = _EMAIL.sub("***@***", text)
    text = _LONG_NUMBER.sub(lambda m: "****" + m.group()[-4:], text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, "**")
        if not name.isascii():
            for honorific in _HONORIFICS:
                text = text.replace(name[0] + honorific, "*" + honorific)
    return text[:QUESTION_MAX].strip()


def _lang_field(field: str, value: Any, limit: int) -> dict[str, str]:
    if isinstance(value, str):
        value = {"zh-CN": value}
    if not isinstance(value, Mapping):
        raise InputError("kb.error.bad_field", field=field)
    out = {}
    for lang in LANGS:
        text = clean_text(f"{field}.{lang}", value.get(lang))
        if len(text) > limit:
            raise InputError("kb.error.too_long", field=f"{field}.{lang}", max=limit, got=len(text))
        out[lang] = text
    return out


def _list_field(field: str, value: Any, limit: int, each: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise InputError("kb.error.bad_field", field=field)
    out: list[str] = []
    for item in value:
        text = _SPACES.sub(" ", clean_text(field, item)).strip()
        if field == "questions":
            text = scrub(text)
        if len(text) > each:
            raise InputError("kb.error.too_long", field=field, max=each, got=len(text))
        if text and text not in out:
            out.append(text)
    if len(out) > limit:
        raise InputError("kb.error.too_many", field=field, max=limit, got=len(out))
    return out


def clean(raw: Mapping[str, Any], config: AppConfig) -> dict[str, Any]:
    """A version's content from what someone typed (or harvested):
    cleaned, checked, every field present. InputError names what is wrong."""
    out = empty()
    out["title"] = _lang_field("title", raw.get("title") or {}, TITLE_MAX)
    out["answer"] = _lang_field("answer", raw.get("answer") or {}, ANSWER_MAX)
    out["questions"] = _list_field("questions", raw.get("questions"), QUESTIONS_MAX, QUESTION_MAX)
    for name in ("keywords", "topics", "products", "categories"):
        out[name] = _list_field(name, raw.get(name), KEYWORDS_MAX, WORD_MAX)
    if not any(out["answer"].values()):
        raise InputError("kb.error.answer_required")
    if not any(out["title"].values()) and not out["questions"]:
        raise InputError("kb.error.question_required")
    _lint(out["answer"], config)
    return out


def _lint(answers: Mapping[str, str], config: AppConfig) -> None:
    from incident.wording.render import lint_text  # noqa: PLC0415 — the linter's rules load on first use

    for lang, text in answers.items():
        if not text:
            continue
        errors = [f for f in lint_text(text, lang, config) if f.severity == "error"]
        if errors:
            raise InputError("kb.error.answer_unsafe", lang=lang, rule=errors[0].rule, text=errors[0].text)


def merge(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` laid over ``current``: a language of title or answer at a
    time; a list field replaced whole. Unknown fields are refused by name."""
    out = {
        k: (dict(v) if isinstance(v, Mapping) else list(v) if isinstance(v, list) else v) for k, v in current.items()
    }
    for name, value in changes.items():
        if name in LANG_FIELDS:
            if isinstance(value, str):
                value = {"zh-CN": value}
            if not isinstance(value, Mapping):
                raise InputError("kb.error.bad_field", field=name)
            before = out.get(name)
            merged: dict[str, Any] = dict(before) if isinstance(before, Mapping) else {}
            merged.update({k: v for k, v in value.items() if v is not None})
            out[name] = merged
        elif name in LIST_FIELDS:
            out[name] = value
        else:
            raise InputError("kb.error.bad_field", field=name)
    return out


def answer_in(content: Mapping[str, Any], lang: str) -> tuple[str, str]:
    """(the answer in ``lang``, the language it is in): the other language's
    when this one is not written, said so by the second value."""
    answers = content.get("answer") or {}
    if answers.get(lang):
        return str(answers[lang]), lang
    for other in LANGS:
        if answers.get(other):
            return str(answers[other]), other
    return "", lang


def title_in(content: Mapping[str, Any], lang: str) -> str:
    titles = content.get("title") or {}
    text = titles.get(lang) or next((titles[x] for x in LANGS if titles.get(x)), "")
    if not text and content.get("questions"):
        text = content["questions"][0]
    return str(text or "")
