"""Complaint (ticket) intake: validation, masking, classification, storage.

DOMAIN.md §4: request types 咨询/投诉/建议/紧急/其他; contact shown as the last
four digits only. Full phone and ID numbers are masked here, on the way
in — in the contact field and inside the free text — so they are never
stored. Identifiers (the ticket id, the customer number) are not personal
data: they are kept exactly, or the row is refused when one holds a
control character (incident/textin.py). Intake is idempotent by the
ticket system's id.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from incident.context import Context
from incident.db import insert_new
from incident.errors import InputError
from incident.models import Complaint
from incident.textin import clean, clean_id, clean_value, finite, luhn
from incident.watch.classify import Rules

CHANNELS = ("phone", "chat", "email", "social", "app")
REQUEST_TYPES = ("consultation", "complaint", "suggestion", "urgent", "other")
_CHANNEL_ALIASES = {
    "电话": "phone",
    "热线": "phone",
    "phone": "phone",
    "call": "phone",
    "tel": "phone",
    "在线": "chat",
    "在线客服": "chat",
    "聊天": "chat",
    "chat": "chat",
    "im": "chat",
    "邮件": "email",
    "电子邮件": "email",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "社交": "social",
    "社交媒体": "social",
    "微博": "social",
    "微信": "social",
    "social": "social",
    "app": "app",
    "应用": "app",
    "客户端": "app",
}
_TYPE_ALIASES = {
    "咨询": "consultation",
    "投诉": "complaint",
    "建议": "suggestion",
    "紧急": "urgent",
    "其他": "other",
    "consultation": "consultation",
    "inquiry": "consultation",
    "enquiry": "consultation",
    "question": "consultation",
    "complaint": "complaint",
    "suggestion": "suggestion",
    "urgent": "urgent",
    "emergency": "urgent",
    "other": "other",
}
# Column names a ticket export may use, English or Chinese.
_FIELDS = {
    "external_id": ("external_id", "ticket_id", "ticket", "id", "工单号", "工单编号", "编号"),
    "received_at": ("received_at", "time", "timestamp", "created_at", "时间", "日期时间", "受理时间", "创建时间"),
    "channel": ("channel", "渠道", "来源渠道"),
    "request_type": ("request_type", "type", "类型", "诉求类型", "工单类型"),
    "category": ("category", "topic", "类别", "分类", "问题类别"),
    "branch": ("branch", "region", "网点", "区域", "分支"),
    "product": ("product", "产品", "业务"),
    "text": ("text", "description", "content", "内容", "描述", "问题描述"),
    "customer_ref": ("customer_ref", "customer", "customer_id", "客户编号", "客户"),
    "customer_name": ("customer_name", "name", "客户姓名", "姓名"),
    "contact": ("contact", "phone", "mobile", "联系方式", "电话", "手机"),
}
_ALIAS_TO_FIELD = {alias.lower(): name for name, aliases in _FIELDS.items() for alias in aliases}
_KEY_CACHE: dict[str, str | None] = {}  # header cell → field; a file has one header
_LIMITS = {
    "external_id": 100,
    "category": 100,
    "branch": 100,
    "product": 100,
    "customer_ref": 100,
    "customer_name": 100,
    "text": 10_000,
}

# Personal numbers in free text, as the lint rules' personal_data finds
# them (incident/data/lint_rules.toml): an 18-character resident ID (a
# birth date inside, check digit 0-9 or X), a bank card (16-19 digits that
# pass the Luhn check), a mainland mobile (11 digits 1[3-9]…, with +86 and
# the separators people type), a landline with its area code. Nothing
# else: an order, waybill or customer number (10000001, SF1234567890123)
# is not personal data, and a number glued to letters is a code. The last
# four stay visible.
_EDGE_L, _EDGE_R = r"(?<![\dA-Za-z*])", r"(?![\dA-Za-z*])"
_PERSONAL_NUMBER = re.compile(
    _EDGE_L
    + "(?:"
    + r"(?P<id>[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])"
    + r"|(?P<card>[3-6]\d{3}(?:[ -]?\d{4}){2}[ -]?\d{4,7})"
    + r"|(?:(?:\+|00)?\s?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}"
    + r"|(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[\s-]?)[2-9]\d{6,7}"
    + ")"
    + _EDGE_R
)


def mask_number(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    if match.group("card") and not luhn(digits):
        return match.group()  # an order number of card length, not a card
    tail = match.group()[-1] if match.group()[-1] in "Xx" else ""
    return "*" * 4 + (digits[-4:] if not tail else digits[-3:] + tail)


def mask_text(text: str) -> str:
    """Phone, ID and card numbers inside free text masked to their last
    four; every other number (orders, waybills, customers) as it was."""
    return _PERSONAL_NUMBER.sub(mask_number, text)


def mask_contact(value: str) -> str:
    """Any contact → ****1234 (an e-mail keeps its first letter and domain)."""
    value = value.strip()
    if "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] + "***@" + domain)[:16]
    digits = re.sub(r"\D", "", value)
    return "****" + digits[-4:] if digits else "****"


@dataclass
class RowError:
    line: int
    key: str
    params: dict[str, Any]


@dataclass
class IntakeReport:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)


def _time(value: Any, tz: ZoneInfo) -> dt.datetime:
    """A ticket's time: epoch seconds or ISO 8601. NaN, ±inf, 1e20 and a
    time that leaves the calendar in UTC are refused, not a crash."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = finite("received_at", value)
        try:
            return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
        except (OverflowError, ValueError, OSError):
            raise InputError("complaint.error.time", value=repr(value)[:40]) from None
    text = clean(str(value or "")).strip()
    if not text:
        raise InputError("complaint.error.missing", field="received_at")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)  # a naive time is the centre's wall clock
        return parsed.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise InputError("complaint.error.time", value=text[:40]) from None


def _text(value: Any) -> str:
    """A free-text cell as clean text (incident/textin.py)."""
    return clean(value if isinstance(value, str) else str(value)).strip()


_FREE_FIELDS = ("category", "branch", "product", "customer_ref", "customer_name", "text")
_ID_FIELDS = ("customer_ref",)  # kept exactly (never masked), refused with a control character


def normalise(raw: dict[str, Any], tz: ZoneInfo, now: dt.datetime) -> dict[str, Any]:
    """One input record → the row to store. Raises InputError naming the problem."""
    rec: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            name = _KEY_CACHE[key]
        except (KeyError, TypeError):
            name = _ALIAS_TO_FIELD.get(str(key).strip().lower())
            if isinstance(key, str) and len(_KEY_CACHE) < 1000:
                _KEY_CACHE[key] = name
        if name is not None and name not in rec:
            rec[name] = value
    ext = clean_id("external_id", rec.get("external_id"))
    if not ext:
        raise InputError("complaint.error.missing", field="external_id")
    when = _time(rec.get("received_at"), tz)
    if when > now + dt.timedelta(minutes=5):
        raise InputError("complaint.error.future", value=when.isoformat())
    channel_raw = _text(rec.get("channel") or "")
    if not channel_raw:
        raise InputError("complaint.error.missing", field="channel")
    channel = _CHANNEL_ALIASES.get(channel_raw) or _CHANNEL_ALIASES.get(channel_raw.lower())
    if channel is None:
        raise InputError("complaint.error.channel", value=channel_raw[:40], allowed=", ".join(CHANNELS))
    type_raw = _text(rec.get("request_type") or "")
    request_type = (_TYPE_ALIASES.get(type_raw) or _TYPE_ALIASES.get(type_raw.lower())) if type_raw else "complaint"
    if request_type is None:
        raise InputError(
            "complaint.error.type",
            value=type_raw[:40],
            allowed="咨询/投诉/建议/紧急/其他 (" + ", ".join(REQUEST_TYPES) + ")",
        )
    out: dict[str, Any] = {"external_id": ext, "received_at": when, "channel": channel, "request_type": request_type}
    for name in _FREE_FIELDS:
        value = rec.get(name)
        if value is None or value == "":
            out[name] = None
            continue
        value = clean_id(name, value) if name in _ID_FIELDS else _text(value)
        if len(value) > _LIMITS[name]:
            raise InputError("complaint.error.too_long", field=name, max=_LIMITS[name])
        out[name] = value or None
    if len(ext) > _LIMITS["external_id"]:
        raise InputError("complaint.error.too_long", field="external_id", max=_LIMITS["external_id"])
    out["text"] = mask_text(out["text"] or "")  # customer_ref is an identifier: kept as it is
    contact = _text(rec.get("contact") or "")
    out["contact"] = mask_contact(contact) if contact else None
    return out


def ingest(
    session: Session,
    ctx: Context,
    records: Iterable[tuple[int, dict[str, Any] | Exception]],
    rules: Rules,
    source: str,
    report: IntakeReport | None = None,
) -> IntakeReport:
    """Validate and store ``(line, record)`` pairs; a record may be an
    exception (an unreadable line), reported like a bad row. Good rows are
    kept whatever the others do; a ticket id already stored is a duplicate."""
    report = report or IntakeReport()
    tz, now = ctx.config.zone, ctx.clock.now()
    rows: list[dict[str, Any]] = []
    for line, raw in records:
        report.read += 1
        if isinstance(raw, Exception):
            report.errors.append(
                RowError(
                    line,
                    getattr(raw, "key", "complaint.error.unreadable"),
                    getattr(raw, "params", {"reason": str(raw)[:200]}),
                )
            )
            continue
        if not isinstance(raw, dict):
            report.errors.append(RowError(line, "complaint.error.not_object", {}))
            continue
        try:
            row = normalise(raw, tz, now)
        except InputError as bad:
            # cleaned: the message goes back as JSON and to a terminal
            report.errors.append(RowError(line, bad.key, clean_value(bad.params)))
            continue
        row["topics"] = list(rules.classify(f"{row['category'] or ''} {row['text']}").topics)
        row["source"], row["ingested_at"] = source[:100], now
        rows.append(row)
    if rows:
        added = len(insert_new(session, Complaint.__table__, rows, "external_id"))
        report.added += added
        report.duplicates += len(rows) - added
    return report


# -- reading files ------------------------------------------------------------------


def _decode(data: bytes, prefix: str = "complaint") -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{prefix}.error.encoding")


def read_records(
    path: Path,
    fmt: str | None = None,
    *,
    aliases: dict[str, str] | None = None,
    required: str = "external_id",
    prefix: str = "complaint",
) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """Yield ``(line number, record or error)`` from a CSV or JSONL file.
    ``aliases`` maps header cells to fields, ``required`` must be among
    them; error keys start with ``prefix`` (complaints, customers)."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    yield from read_text_records(
        _decode(path.read_bytes(), prefix), fmt, aliases=aliases, required=required, prefix=prefix
    )


def read_text_records(
    text: str,
    fmt: str,
    *,
    aliases: dict[str, str] | None = None,
    required: str = "external_id",
    prefix: str = "complaint",
) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """:func:`read_records` for text already in hand (a pasted list)."""
    aliases = _ALIAS_TO_FIELD if aliases is None else aliases
    fmt = fmt.lower()
    if fmt in ("jsonl", "ndjson", "json"):
        for number, line in enumerate(io.StringIO(text), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, InputError(f"{prefix}.error.json", reason=exc.msg)
    elif fmt in ("csv", "txt"):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or required not in {aliases.get(f.strip().lower()) for f in reader.fieldnames if f}:
            raise InputError(f"{prefix}.error.header", columns=", ".join(reader.fieldnames or []))
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, InputError(f"{prefix}.error.csv", reason=str(exc))
                continue
            if None in row:  # more cells than the header has
                yield (
                    reader.line_num,
                    InputError(
                        f"{prefix}.error.columns",
                        expected=len(reader.fieldnames),
                        got=len(reader.fieldnames) + len(row[None]),
                    ),
                )
                continue
            yield reader.line_num, row
    else:
        raise InputError(f"{prefix}.error.format", fmt=fmt or "?")
