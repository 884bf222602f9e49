"""The customer in front of the agent: how to address them, their contact
shown only as its last four digits, and the compensation due to them
(DOMAIN.md §4: surname + 先生/女士; §6: never a full phone number)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident.errors import InputError
from incident.i18n import LABELS

# Two-character surnames; anything else takes the first character.
_COMPOUND = {
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "令狐",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "百里",
    "呼延",
    "闻人",
    "澹台",
    "公冶",
}
_TITLES_ZH = {
    "m": "先生",
    "f": "女士",
    "先生": "先生",
    "女士": "女士",
    "mr": "先生",
    "ms": "女士",
    "mrs": "女士",
    "miss": "女士",
    "male": "先生",
    "female": "女士",
}
_TITLES_EN = {"先生": "Mr", "女士": "Ms"}
# The values a form offers (what is stored and sent), in this order.
TITLE_VALUES = ("先生", "女士")
# For templates (``lbl('customer_title', c.title)``): a stored title in the reader's language.
LABELS["customer_title"] = {value: (value, _TITLES_EN[value]) for value in TITLE_VALUES}
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Customer:
    name: str | None = None
    title: str | None = None  # 先生 / 女士 / m / f / Mr / Ms
    contact: str | None = None
    compensation: str | None = None  # e.g. "50 元优惠券"; the fact sheet's when None


def surname(name: str) -> str:
    name = name.strip()
    if _CJK.match(name):
        return name[:2] if name[:2] in _COMPOUND else name[:1]
    return name.split()[-1] if name.split() else name


def title_key(title: str | None) -> str | None:
    if not title:
        return None
    key = _TITLES_ZH.get(title.strip().lower().rstrip("."))
    if key is None:
        raise InputError("wording.error.bad_title", value=title)
    return key


def title_label(value: str, lang: str) -> str:
    """How a form shows a title: 先生/女士 in Chinese, Mr/Ms in English."""
    key = title_key(value) or value
    return _TITLES_EN.get(key, key) if lang == "en" else key


def title_options(lang: str) -> list[tuple[str, str]]:
    """(value, label) for a form's title choice in ``lang``: an English form
    offers Mr/Ms, and either value is understood by :func:`title_key`."""
    return [(value, title_label(value, lang)) for value in TITLE_VALUES]


def salutation(customer: Customer, lang: str) -> str:
    """「张先生」, "Mr Zhang"; "" when the name or the title is not known
    (a guessed 先生 for a woman is worse than no name)."""
    title = title_key(customer.title)
    if not customer.name or not customer.name.strip() or title is None:
        return ""
    family = surname(customer.name)
    if lang == "zh-CN":
        return f"{family}{title}"
    return f"{_TITLES_EN[title]} {family}"


def greeting(customer: Customer, lang: str) -> str:
    who = salutation(customer, lang)
    if lang == "zh-CN":
        return f"{who}，您好！" if who else "您好！"
    return f"Hello {who}. " if who else "Hello. "


def mask_contact(contact: str | None) -> str:
    """The last four digits, whatever was typed (never more)."""
    digits = re.sub(r"\D", "", contact or "")
    return digits[-4:] if len(digits) >= 4 else ""
