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
CATALOG.update(
    {
        "textin.error.id_number": (
            "「{field}」作为数字给出时应为不超过 {max} 位的非负整数（更长的编号请以文字给出），收到 {value}",
            "{field} given as a number must be a non-negative whole number of at most {max} digits"
            " (send a longer one as text), got {value}",
        ),
        "textin.error.object": ("「{field}」应为文字，收到的是对象", "{field} should be text, got an object"),
        "textin.error.array": ("「{field}」应为文字，收到的是数组", "{field} should be text, got an array"),
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


def _not_text(field: str, value: Any) -> InputError:
    """A value that is not text, named in the sender's (JSON's) words."""
    if isinstance(value, dict):
        return InputError("textin.error.object", field=field)
    if isinstance(value, (list, tuple)):
        return InputError("textin.error.array", field=field)
    return InputError("textin.error.not_text", field=field, type=type(value).__name__)


def clean_text(field: str, value: Any, *, required: bool = False) -> str:
    """A free-text value (a complaint, a name, a channel): cleaned and
    trimmed; "" for a missing one; a number or true/false as its text.
    InputError naming ``field`` for an object or an array (its Python repr
    is nobody's text) and for NaN or ±inf. With ``required``, a value that
    held nothing but characters :func:`clean` removes is refused for the
    character it held, not reported as missing."""
    if value is None:
        return ""
    if isinstance(value, float):
        finite(field, value)
    if isinstance(value, (int, float)):  # bool included: "True" / "False"
        value = str(value)
    if not isinstance(value, str):
        raise _not_text(field, value)
    text = clean(value).strip()
    if required and not text:
        found = _BAD.search(value)
        if found:
            raise InputError("textin.error.control", field=field, found=f"U+{ord(found.group()):04X}")
    return text


def clean_key(field: str, value: str) -> str:
    """An identifier: refused (InputError naming ``field``) rather than
    altered when it holds a character :func:`clean` would remove."""
    if not isinstance(value, str):
        raise _not_text(field, value)
    found = _KEY_BAD.search(value)
    if found:
        raise InputError("textin.error.control", field=field, found=f"U+{ord(found.group()):04X}")
    return value


# An identifier sent as a JSON number: a whole number of at most this many
# digits (a 64-bit id, a 19-digit order number). 1.5e300 or 12.5 is no
# customer's number, and its text ("1.5e+300") would be stored as one.
ID_DIGITS = 20
# Above this a float has lost digits: 12345678901234567.0 is not what was sent.
_FLOAT_EXACT = 2**53

# What is trimmed around an identifier: blanks only. str.strip() would also
# drop \x1c-\x1f and \x85 (Python counts them as white space), which
# clean_key must see and refuse.
_BLANKS = " \t\n\r\u00a0\u3000"


def clean_id(field: str, value: Any) -> str:
    """An identifier from a file or a request (a customer, order, waybill or
    ticket number): kept exactly — never masked, never guessed at — with
    only the blanks around it trimmed; a number is taken as its text
    (10000001 → "10000001"). Empty for a missing value; InputError naming
    ``field`` for a control character, a number that is not a whole one of
    at most :data:`ID_DIGITS` digits (1.5e300, 12.5, NaN) or a value that
    is not text at all (a list, an object)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(_id_number(field, value))
    if not isinstance(value, str):
        raise _not_text(field, value)
    return clean_key(field, value.strip(_BLANKS))


def _id_number(field: str, value: int | float) -> int:
    """A number given for an identifier, as the whole number it is, else InputError."""
    if isinstance(value, float):
        finite(field, value)
        if not value.is_integer() or abs(value) >= _FLOAT_EXACT:
            raise InputError("textin.error.id_number", field=field, max=ID_DIGITS, value=repr(value)[:40])
        value = int(value)
    if value < 0 or value >= 10**ID_DIGITS:
        # str() of a huge int is slow, or refused past 4300 digits: show its size
        shown = str(value) if value.bit_length() < 200 else f"~10^{int(value.bit_length() * 0.30103)}"
        raise InputError("textin.error.id_number", field=field, max=ID_DIGITS, value=shown[:40])
    return value


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
