"""The one rule for text entering the system (API, files, forms, feeds,
Slack): cleaned once, at the door, before anything stores or acts on it.

Removed: NUL and the other C0 control characters except tab and line
feed (a carriage return becomes a line feed), DEL, the C1 controls, and
lone UTF-16 surrogates (what ``json.loads('"\\ud800"')`` produces; neither
UTF-8 nor PostgreSQL can hold one). Nothing else is changed: the text is
not masked, trimmed or normalised here; callers that need more do it
after this.

Free text (a complaint, a note, a fact) is cleaned and kept. An
identifier or a key that held such a character is refused by name with
:func:`clean_key`: a customer number with a NUL in it is a broken row,
not a number to guess at.
"""

from __future__ import annotations

import math
import re
from typing import Any

from incident.errors import InputError
from incident.i18n import CATALOG

CATALOG.update(
    {
        "textin.error.control": (
            "「{field}」含有控制字符或无效字符（{found}），已拒收",
            "{field} holds a control or invalid character ({found}) and was refused",
        ),
        "textin.error.not_text": (
            "「{field}」应为文字，收到的是 {type}",
            "{field} should be text, got {type}",
        ),
        "textin.error.number": (
            "「{field}」不是有限的数字：{value}",
            "{field} is not a finite number: {value}",
        ),
    }
)

# C0 controls but \t and \n, DEL, C1 controls, lone surrogates.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CRLF = re.compile("\r\n?")
# An identifier holds no control character at all, tab and line feed included.
_KEY_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(text: str) -> str:
    """``text`` with the characters above removed (\\r\\n and \\r become \\n)."""
    if not text:
        return text
    text = _CRLF.sub("\n", text)
    return _BAD.sub("", text) if _BAD.search(text) else text


def clean_value(value: Any) -> Any:
    """Every string inside ``value`` (a str, or lists/dicts of them, keys
    too) cleaned; other values as they are."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_value(v) for v in value)
    return value


def clean_key(field: str, value: str) -> str:
    """An identifier: refused (InputError naming ``field``) rather than
    altered when it holds a character :func:`clean` would remove."""
    if not isinstance(value, str):
        raise InputError("textin.error.not_text", field=field, type=type(value).__name__)
    found = _KEY_BAD.search(value)
    if found:
        raise InputError("textin.error.control", field=field, found=f"U+{ord(found.group()):04X}")
    return value


# What is trimmed around an identifier: blanks only. str.strip() would also
# drop \x1c-\x1f and \x85 (Python counts them as white space), which
# clean_key must see and refuse.
_BLANKS = " \t\n\r\u00a0\u3000"


def clean_id(field: str, value: Any) -> str:
    """An identifier from a file or a request (a customer, order, waybill or
    ticket number): kept exactly — never masked, never guessed at — with
    only the blanks around it trimmed; a number is taken as its text
    (10000001 → "10000001"). Empty for a missing value; InputError naming
    ``field`` for a control character, a non-finite number or a value that
    is not text at all (a list, an object)."""
    if value is None:
        return ""
    if isinstance(value, float):
        finite(field, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InputError("textin.error.not_text", field=field, type=type(value).__name__)
    return clean_key(field, value.strip(_BLANKS))


def finite(field: str, value: Any) -> float:
    """A number that is finite (not NaN, not ±inf), else InputError."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError("textin.error.number", field=field, value=repr(value)[:40]) from None
    if not math.isfinite(number):
        raise InputError("textin.error.number", field=field, value=repr(value)[:40])
    return number


def luhn(digits: str) -> bool:
    """The Luhn check a bank card number passes (how a 16–19-digit run is
    told from an order number, by the masking and by the linter alike)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
