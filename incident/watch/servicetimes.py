"""A ticket's service times at intake: first response, resolution,
satisfaction, and whether it is complex (DOMAIN.md §4; 001 §2.1, §4.2;
003 §2.3, §2.4). Every field is optional: a ticket exported when it
arrived has none yet, and a later export of the same ticket (the same
ticket id) fills them in — see :func:`apply_updates`.

What "complex" means: the ticket system says so, in a column named
complex / 复杂 (是/否, yes/no, true/false, 1/0, 复杂/普通). A ticket without
the column is ordinary. The deadlines (24 h ordinary, 48 h complex) are the
configuration's ``[callbacks] ordinary_hours`` / ``complex_hours``, the
same 003 §2.3 rule the callbacks follow.

The durations are stored as whole seconds from receipt, computed here, so
the monthly report sums and compares integers in SQL on SQLite and
PostgreSQL alike (incident/reporting/monthly.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from incident.errors import InputError
from incident.i18n import CATALOG
from incident.models import Complaint
from incident.textin import clean_text, finite

# Column names a ticket export may use, English or Chinese (merged into
# incident/watch/complaints.py's table of aliases).
FIELDS: dict[str, tuple[str, ...]] = {
    "first_response_at": (
        "first_response_at",
        "first_response",
        "first_response_time",
        "responded_at",
        "首次响应时间",
        "首次响应",
        "首响时间",
    ),
    "resolved_at": ("resolved_at", "resolution_time", "resolved_time", "解决时间", "办结时间", "完结时间"),
    "satisfaction": ("satisfaction", "csat", "rating", "满意度", "客户满意度", "满意度评分"),
    "complex": ("complex", "is_complex", "复杂", "是否复杂", "复杂工单"),
}
TIME_FIELDS = ("first_response_at", "resolved_at")
# What a stored row gets when the ticket says nothing (insert_new needs
# the same keys on every row of a batch).
EMPTY: dict[str, Any] = {
    "first_response_at": None,
    "resolved_at": None,
    "satisfaction": None,
    "complex": False,
    "first_response_seconds": None,
    "resolution_seconds": None,
}
_YES = {"1", "true", "yes", "y", "是", "复杂", "complex", "√", "✓"}
_NO = {"0", "false", "no", "n", "否", "普通", "一般", "ordinary", "simple", "×"}
_STARS = re.compile(r"^([0-9]+(?:\.0+)?)\s*(?:分|星|★|stars?)?$", re.I)
FUTURE_SLACK = dt.timedelta(minutes=5)  # as for received_at: the ticket system's clock may run ahead


def _time(name: str, value: Any, tz: ZoneInfo) -> dt.datetime:
    """Epoch seconds or ISO 8601 (a naive time is the centre's wall clock)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(finite(name, value), dt.timezone.utc)
        except (OverflowError, ValueError, OSError):
            raise InputError("svc.error.time", field=name, value=repr(value)[:40]) from None
    text = clean_text(name, value)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
    except (ValueError, OverflowError):
        raise InputError("svc.error.time", field=name, value=text[:40]) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(dt.timezone.utc)


def _satisfaction(value: Any) -> int:
    if isinstance(value, bool):
        raise InputError("svc.error.satisfaction", field="satisfaction", value=str(value))
    text = clean_text("satisfaction", value)
    m = _STARS.match(text.strip())
    score = int(float(m.group(1))) if m else None
    if score is None or not 1 <= score <= 5:
        raise InputError("svc.error.satisfaction", field="satisfaction", value=text[:40])
    return score


def _complex(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text("complex", value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InputError("svc.error.complex", field="complex", value=text[:40])


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def parse(rec: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """The service fields a record gives (only those it gives), parsed;
    InputError naming the field for an unreadable one."""
    out: dict[str, Any] = {}
    for name in TIME_FIELDS:
        if _given(rec.get(name)):
            out[name] = _time(name, rec[name], tz)
    if _given(rec.get("satisfaction")):
        out["satisfaction"] = _satisfaction(rec["satisfaction"])
    if _given(rec.get("complex")):
        out["complex"] = _complex(rec["complex"])
    return out


def settle(received_at: dt.datetime, values: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The columns to store for a ticket received at ``received_at`` with
    these service values (a full set: what is missing is empty): checked
    for order and computed into seconds. InputError naming the field."""
    first, resolved = values.get("first_response_at"), values.get("resolved_at")
    for name, when in (("first_response_at", first), ("resolved_at", resolved)):
        if when is None:
            continue
        if when < received_at:
            raise InputError("svc.error.before_receipt", field=name, value=when.isoformat())
        if when > now + FUTURE_SLACK:
            raise InputError("svc.error.future", field=name, value=when.isoformat())
    if first is not None and resolved is not None and resolved < first:
        raise InputError("svc.error.before_response", field="resolved_at", value=resolved.isoformat())
    return {
        "first_response_at": first,
        "resolved_at": resolved,
        "satisfaction": values.get("satisfaction"),
        "complex": bool(values.get("complex", False)),
        "first_response_seconds": None if first is None else int((first - received_at).total_seconds()),
        "resolution_seconds": None if resolved is None else int((resolved - received_at).total_seconds()),
    }


@dataclass
class Pending:
    """A ticket already stored whose export brings service times."""

    line: int
    external_id: str
    given: dict[str, Any]


_STORED = ("first_response_at", "resolved_at", "satisfaction", "complex")
_CHUNK = 500  # ids per IN (...): well inside every backend's parameter limit


def apply_updates(
    session: Session, pending: list[Pending], now: dt.datetime
) -> tuple[int, list[tuple[int, InputError]]]:
    """Fill in the service times of tickets already stored: what a row
    gives replaces what was stored, what it leaves out stays. Checked
    against the stored receipt time. Returns (tickets changed, errors by
    line); a refused row changes nothing."""
    errors: list[tuple[int, InputError]] = []
    changes: dict[str, dict[str, Any]] = {}
    for start in range(0, len(pending), _CHUNK):
        part = pending[start : start + _CHUNK]
        ids = {p.external_id for p in part}
        stored = {
            row.external_id: row
            for row in session.execute(
                select(Complaint.external_id, Complaint.received_at, *(getattr(Complaint, c) for c in _STORED)).where(
                    Complaint.external_id.in_(ids)
                )
            )
        }
        for p in part:
            row = stored.get(p.external_id)
            if row is None:
                continue
            current = changes.get(p.external_id) or {c: getattr(row, c) for c in _STORED}
            merged = {**current, **p.given}
            try:
                settled = settle(row.received_at, merged, now)
            except InputError as bad:
                errors.append((p.line, bad))
                continue
            if any(settled[c] != getattr(row, c) for c in _STORED) or p.external_id in changes:
                changes[p.external_id] = settled
    if changes:
        stmt = (
            update(Complaint.__table__)
            .where(Complaint.__table__.c.external_id == bindparam("ext"))
            .values({c: bindparam(f"v_{c}") for c in EMPTY})
        )
        rows = [{"ext": ext, **{f"v_{c}": v for c, v in values.items()}} for ext, values in changes.items()]
        session.connection().execute(stmt, rows)
    return len(changes), errors


CATALOG.update(
    {
        "svc.error.time": (
            "字段 {field} 的时间「{value}」无法识别（例如 2026-11-24 10:05 或 2026-11-24T02:05:00Z）",
            'field {field}: unreadable time "{value}" (e.g. 2026-11-24 10:05 or 2026-11-24T02:05:00Z)',
        ),
        "svc.error.before_receipt": (
            "字段 {field} 的时间 {value} 早于工单受理时间",
            "field {field}: {value} is before the ticket was received",
        ),
        "svc.error.before_response": (
            "字段 {field} 的时间 {value} 早于首次响应时间",
            "field {field}: {value} is before the first response",
        ),
        "svc.error.future": ("字段 {field} 的时间 {value} 在将来", "field {field}: {value} is in the future"),
        "svc.error.satisfaction": (
            "字段 {field} 应为 1–5 的整数（5 = 非常满意），收到「{value}」",
            'field {field} must be a whole number from 1 to 5 (5 = very satisfied), got "{value}"',
        ),
        "svc.error.complex": (
            "字段 {field} 应为 是/否（yes/no），收到「{value}」",
            'field {field} must be yes or no (是/否), got "{value}"',
        ),
    }
)
