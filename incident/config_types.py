"""The configuration's building blocks: the strict base model and the field
types (severity, role, language, local time, money) every section uses."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
)
from pydantic_core import PydanticCustomError

from incident.enums import Role, Severity
from incident.money import MoneyError, to_money

LANGS = ("zh-CN", "en")


def normalise_lang(value: str | None) -> str:
    """zh, zh_CN, zh-cn, zh-Hans → zh-CN; en, en_US … → en."""
    if not value:
        return "zh-CN"
    v = value.strip().lower().replace("_", "-")
    if v.startswith("zh"):
        return "zh-CN"
    if v.startswith("en"):
        return "en"
    raise PydanticCustomError("lang", "unknown language {value!r}; use zh-CN or en", {"value": value})


def _severity(value: Any) -> Severity:
    if isinstance(value, Severity):
        return value
    try:
        return Severity.parse(value)
    except ValueError:
        raise PydanticCustomError(
            "severity", "unknown severity {value!r}; use 1–4 or SEV1–SEV4", {"value": value}
        ) from None


def _role(value: Any) -> Role:
    if isinstance(value, Role):
        return value
    try:
        return Role.parse(str(value))
    except ValueError:
        raise PydanticCustomError(
            "role",
            "unknown role {value!r}; roles are: {roles}",
            {"value": value, "roles": ", ".join(r.value for r in Role)},
        ) from None


def _local_datetime(value: Any) -> dt.datetime:
    """TOML local date-times stay naive (wall time in the centre's zone);
    strings are accepted too so that env/JSON configs work."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1).replace("Z", "+00:00"))
        except ValueError:
            pass
    raise PydanticCustomError("datetime", "not a date-time: {value!r} (e.g. 2026-01-05T09:00)", {"value": value})


SeverityField = Annotated[Severity, BeforeValidator(_severity)]
RoleField = Annotated[Role, BeforeValidator(_role)]
LangField = Annotated[str, BeforeValidator(normalise_lang)]
LocalDateTime = Annotated[dt.datetime, BeforeValidator(_local_datetime)]


def _money(value: Any) -> Decimal:
    """An amount (元; the thresholds' points and days too): a TOML number or
    a string ("12.50", "1,500"), exact to the cent — read as written, never
    through a binary float; finer than a cent is refused, not rounded."""
    try:
        return to_money(value, exact=True)
    except MoneyError:
        raise PydanticCustomError(
            "money", "not an amount of money to the cent: '{value}' (e.g. 200 or \"12.50\")", {"value": str(value)}
        ) from None


MoneyField = Annotated[Decimal, BeforeValidator(_money)]

_MASKED_PHONE = re.compile(r"^[*＊xX•·\-\s]*\d{0,4}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _cmp_key(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.replace(tzinfo=None) - (value.utcoffset() or dt.timedelta())
