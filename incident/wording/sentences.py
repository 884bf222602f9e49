"""Filters and tests that let a template join fact-sheet fields into
sentences a person would write, whatever the author typed into a field.

A field is free text: 「可通过微信小程序下单」 and 「通过微信小程序下单」 mean
the same, as do "You can place orders on the web" and "place orders on the
web". A template that writes its own lead-in (「在此期间，您可以」, "Meanwhile
you can") must first take the field's own lead-in off, or the customer reads
「您可以可通过」 / "you can You can place". A compensation written as a bare
amount (「10元运费券」) is not a sentence on its own; the template says who gets
it. These helpers are registered as the Jinja filters ``s`` and ``clause`` and
the test ``sentence`` (incident/wording/templates.py)."""

from __future__ import annotations

import re
from typing import Any

_END = re.compile(r"[。！？!?.…」』”）)]\s*$")
_STOP = re.compile(r"[\s。！？!?.…；;，,、]+$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# What may sit between a stripped lead-in and the rest: 「在此期间，」, "Meanwhile, ".
_JOIN = re.compile(r"^[\s，,、：:；;]+")

# Words that make a compensation text a sentence rather than a bare noun
# phrase: someone can get it, it will be issued, it has been credited …
_VERB_ZH = re.compile(r"[可能将会已获领发赔送享给补退返请为]|提供")
_VERB_EN = re.compile(
    r"\b(?:can|will|may|get|gets|receive|receives|claim|claims|is|are|be|been|offer|offers|offered|"
    r"refund|refunds|refunded|credit|credited|have|has|send|sends|sent|issue|issues|issued)\b",
    re.I,
)


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def sentence(value: Any, lang: str | None = None) -> str:
    """The text, ended with the language's full stop unless it has one."""
    text = str(value or "").strip()
    if not text or _END.search(text):
        return text
    zh = lang == "zh-CN" or is_cjk(text[-1])
    return text + ("。" if zh else ".")


def _lower_first(text: str) -> str:
    """ "Place orders" → "place orders"; "WeChat", "APP" and "I" stay."""
    word = re.match(r"[A-Za-z]+", text)
    if not word:
        return text
    w = word.group(0)
    if len(w) > 1 and w[0].isupper() and w[1:].islower():
        return w[0].lower() + text[1:]
    return text


def clause(value: Any, *leads: str) -> str:
    """The field without any of ``leads`` at its start (repeatedly, case
    ignored, with the comma or colon after it) and without its final stop,
    ready to follow the template's own lead-in. Longer leads are tried
    first, so 「您可以」 goes before 「可」."""
    text = str(value or "").strip()
    ordered = sorted((lead for lead in leads if lead), key=len, reverse=True)
    stripped = True
    while stripped and text:
        stripped = False
        for lead in ordered:
            if text.lower().startswith(lead.lower()):
                rest = text[len(lead) :]
                # "can" must not eat the start of "cancel": an English lead
                # ends at a word boundary.
                if lead[-1].isascii() and lead[-1].isalpha() and rest[:1].isalpha():
                    continue
                text = _JOIN.sub("", rest)
                stripped = True
                break
    text = _STOP.sub("", text)
    return _lower_first(text) if not is_cjk(text[:1]) else text


def is_sentence(value: Any) -> bool:
    """Whether the text says something on its own (「受影响客户可领取50元优惠
    券」) rather than naming a thing (「10元运费券」, "a 10 yuan coupon")."""
    text = str(value or "").strip()
    if not text:
        return False
    return bool(_VERB_ZH.search(text) if is_cjk(text) else _VERB_EN.search(text))
