"""Reading what people type for an incident: ids (``7``, ``INC-7``, ``#7``),
kinds, severities, statuses and roles in either language, and lists typed
with any of the commas. Every refusal names the value and the accepted ones."""

from __future__ import annotations

import re
from collections.abc import Iterable

from incident.enums import Kind, Role, Severity, Status
from incident.errors import InputError, NotFoundError
from incident.i18n import LABELS, from_label

# The id columns are INTEGER (PostgreSQL int4): a larger number names no
# row, and sent to the database it would fail (PostgreSQL refuses it,
# SQLite past 2**63) instead of simply finding nothing.
MAX_ID = 2**31 - 1


# ASCII only: \d and int() take any Unicode digit ("١" is 1) and
# str.isdigit() takes "²", which int() refuses — an id is 0-9 and nothing else.
_ID = re.compile(r"(?i)(?:#|inc-?)?\s*([0-9]+)", re.ASCII)
_PREFIX = re.compile(r"(?i)(?:#|inc-?)?\s*", re.ASCII)


def parse_id(text: str | int) -> int:
    """Accept 12, "12", "#12", "INC-12", "inc12". A number no id column
    holds — past the range, or written in other digits ("INC-١", "²") — is
    "no such incident" (NotFoundError), not a crash nor another incident."""
    raw = str(text).strip()
    m = _ID.fullmatch(raw)
    if m is None:
        rest = raw[_PREFIX.match(raw).end() :]  # type: ignore[union-attr]  # always matches (all optional)
        if rest.isnumeric():  # digits, but not 0-9
            raise NotFoundError("error.no_incident", id=raw[:40])
        raise InputError("error.bad_id", value=raw[:40])
    digits = m.group(1)
    if len(digits) >= 40 or int(digits) > MAX_ID:  # as door.ids_in_range; int() of a huge text is slow
        raise NotFoundError("error.no_incident", id=raw[:40])
    if int(digits) < 1:
        raise InputError("error.bad_id", value=raw[:40])
    return int(digits)


def parse_kind(text: str | Kind) -> Kind:
    if isinstance(text, Kind):
        return text
    try:
        return Kind(from_label("kind", text))
    except ValueError:
        raise InputError("error.bad_kind", value=text, **_choices("kind")) from None


def parse_severity(text: str | int | Severity) -> Severity:
    if isinstance(text, Severity):
        return text
    try:
        return Severity.parse(text)
    except ValueError:
        raise InputError("error.bad_severity", value=text) from None


def parse_status(text: str | Status) -> Status:
    if isinstance(text, Status):
        return text
    try:
        return Status(from_label("status", text))
    except ValueError:
        raise InputError("error.bad_status", value=text, **_choices("status")) from None


def _choices(group: str) -> dict[str, str]:
    """The accepted values (``allowed``) and their Chinese labels (``labels``,
    which only the zh-CN message names)."""
    return {"allowed": ", ".join(LABELS[group]), "labels": "、".join(f[0] for f in LABELS[group].values())}


def parse_role(text: str | Role) -> Role:
    if isinstance(text, Role):
        return text
    try:
        return Role.parse(str(text))
    except ValueError:
        raise InputError("error.bad_role", value=text, allowed=", ".join(r.value for r in Role)) from None


def _clean_list(values: Iterable[str] | None) -> list[str]:
    """Values as typed: repeated, or separated by commas (, ， or 、)."""
    out: list[str] = []
    for value in values or ():
        for part in re.split(r"[,，、]", str(value)):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
