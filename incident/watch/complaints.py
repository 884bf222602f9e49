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
from incident.textin import clean_id, clean_text, clean_value, finite, luhn
from incident.watch import servicetimes
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
    **servicetimes.FIELDS,  # first response, resolution, satisfaction, complex
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
# pass the Luhn check), a mainland mobile (11 digits 1[3-9]…, with +86),
# a landline with its area code; each with the separators people type
# (spaces, dashes, dots: 138.1234.5678, 6222 0212 3456 7890 128,
# 110101 19900307 4578, 0571-8888 8888). Nothing else: an order, waybill
# or customer number (10000001, SF1234567890123, JD13812345678) is not
# personal data, and a number glued to letters is a code, unless the
# letters are a contact word (Tel13812345678). The last four stay visible.
_SEP = r"(?:\s?[-.]\s?|\s)?"
_EDGE_L, _EDGE_R = r"(?<![0-9A-Za-z*])", r"(?![0-9A-Za-z*])"
# Letters that say "this is a phone number" (matched case-insensitively;
# Chinese labels such as 手机 and 电话 are not letters, so the plain edge
# already lets them through).
_CONTACT_WORDS = ("tel", "phone", "mobile", "mob", "cell", "call", "contact", "whatsapp", "telno", "phoneno")
_PHONE_L = "(?:" + _EDGE_L + "".join(f"|(?<=(?i:{word}))" for word in _CONTACT_WORDS) + ")"
_PERSONAL_NUMBER = re.compile(
    "(?:"
    + _EDGE_L
    + rf"(?P<id>[1-9]\d{{5}}{_SEP}(?:18|19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]){_SEP}\d{{3}}[\dXx])"
    + "|"
    + _EDGE_L
    + rf"(?P<card>(?P<card16>[3-6]\d{{3}}(?:{_SEP}\d{{4}}){{3}})(?P<card_tail>{_SEP}\d{{1,3}})?)"
    + "|"
    + _PHONE_L
    + rf"(?:(?:(?:\+|00)\s?)?86[\s-]?)?1[3-9]\d(?:{_SEP}\d{{4}}){{2}}"
    + "|"
    + _PHONE_L
    + rf"(?:[(（]0\d{{2,3}}[)）]\s?|0\d{{2,3}}{_SEP})[2-9]\d{{2,3}}{_SEP}\d{{4}}"
    + ")"
    + _EDGE_R,
    re.ASCII,  # 0-9 and ASCII blanks: other scripts' digits are folded first (_FOLD)
)
# Full-width digits, letters and signs, and the ideographic space, read as
# their ASCII forms for matching (NFKC's folding, one character for one, so
# a match's span is the same in the text as written).
_FOLD = str.maketrans(
    {
        **{0xFF10 + i: chr(0x30 + i) for i in range(10)},
        **{0xFF21 + i: chr(0x41 + i) for i in range(26)},
        **{0xFF41 + i: chr(0x61 + i) for i in range(26)},
        0xFF0B: "+",
        0xFF0D: "-",
        0xFF0E: ".",
        0x3000: " ",
        0x00A0: " ",
    }
)


def _last_four(written: str, folded: str) -> str:
    """****1234, the last four digits (or an ID's 123X) as they were written."""
    kept = [w for w, f in zip(written, folded, strict=True) if f.isdigit() or f in "Xx"]
    return "****" + "".join(kept[-4:])


def _mask_one(match: re.Match[str], text: str) -> str:
    """What replaces one match in ``text`` (the folded text's match)."""
    start, end = match.span()
    if match.group("card"):
        digits = re.sub(r"\D", "", match.group(), flags=re.ASCII)
        if not luhn(digits):
            tail = match.group("card_tail") or ""
            head = re.sub(r"\D", "", match.group("card16"), flags=re.ASCII)
            if not tail or tail[0].isdigit() or not luhn(head):
                return text[start:end]  # an order number of card length, not a card
            # a 16-digit card, then another number after a separator: the card alone
            end = match.end("card16")
            return _last_four(text[start:end], match.group("card16")) + text[end : match.end()]
    return _last_four(text[start:end], match.group())


def mask_text(text: str) -> str:
    """Phone, ID and card numbers inside free text masked to their last
    four; every other number (orders, waybills, customers) as it was."""
    folded = text.translate(_FOLD)
    out: list[str] = []
    done = 0
    for match in _PERSONAL_NUMBER.finditer(folded):
        out.append(text[done : match.start()])
        out.append(_mask_one(match, text))
        done = match.end()
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


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
    updated: int = 0  # duplicates whose service times were filled in or changed
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
    text = clean_text("received_at", value, required=True)
    if not text:
        raise InputError("complaint.error.missing", field="received_at")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)  # a naive time is the centre's wall clock
        return parsed.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise InputError("complaint.error.time", value=text[:40]) from None


def _text(name: str, value: Any, *, required: bool = False) -> str:
    """A free-text cell as clean text (incident/textin.py); an object or an
    array is refused by ``name``, not stored as its Python repr."""
    return clean_text(name, value, required=required)


# No ticket predates the ticket systems this reads (an epoch 0 or a
# 1900 default is a broken export); the bound is in the centre's zone.
EARLIEST = (2000, 1, 1)


def _in_range(when: dt.datetime, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """``when``, refused by name when before 2000 or in the future (the
    ticket system's clock may be a few minutes ahead; ``now`` is the
    context clock's)."""
    earliest = dt.datetime(*EARLIEST, tzinfo=tz)
    if when < earliest:
        raise InputError(
            "complaint.error.too_old", field="received_at", value=when.isoformat(), earliest=earliest.date().isoformat()
        )
    if when > now + dt.timedelta(minutes=5):
        raise InputError("complaint.error.future", value=when.isoformat())
    return when


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
    when = _in_range(_time(rec.get("received_at"), tz), tz, now)
    channel_raw = _text("channel", rec.get("channel"), required=True)
    if not channel_raw:
        raise InputError("complaint.error.missing", field="channel")
    channel = _CHANNEL_ALIASES.get(channel_raw) or _CHANNEL_ALIASES.get(channel_raw.lower())
    if channel is None:
        raise InputError("complaint.error.channel", value=channel_raw[:40], allowed=", ".join(CHANNELS))
    type_raw = _text("request_type", rec.get("request_type"), required=True)
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
        value = clean_id(name, value) if name in _ID_FIELDS else _text(name, value)
        if len(value) > _LIMITS[name]:
            raise InputError("complaint.error.too_long", field=name, max=_LIMITS[name])
        out[name] = value or None
    if len(ext) > _LIMITS["external_id"]:
        raise InputError("complaint.error.too_long", field="external_id", max=_LIMITS["external_id"])
    out["text"] = mask_text(out["text"] or "")  # customer_ref is an identifier: kept as it is
    contact = _text("contact", rec.get("contact"))
    out["contact"] = mask_contact(contact) if contact else None
    # What the row says of its service times, kept apart for a ticket
    # already stored (ingest pops it); the columns, checked, for a new one.
    out[_SERVICE] = servicetimes.parse(rec, tz)
    out.update(servicetimes.settle(when, out[_SERVICE], now))
    return out


_SERVICE = "_service"


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
    given: dict[int, tuple[int, dict[str, Any]]] = {}  # row index → (line, service fields the row gave)
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
        service = row.pop(_SERVICE)
        if service:
            given[len(rows)] = (line, service)
        rows.append(row)
    if rows:
        inserted = set(insert_new(session, Complaint.__table__, rows, "external_id"))
        report.added += len(inserted)
        report.duplicates += len(rows) - len(inserted)
        # Intake stays idempotent by ticket id; a repeat that brings service
        # times (the ticket answered or resolved since) fills them in.
        # (A ticket twice in one batch: its first row is the one inserted.)
        first: dict[str, int] = {}
        for i, row in enumerate(rows):
            first.setdefault(row["external_id"], i)
        pending = [
            servicetimes.Pending(line, rows[i]["external_id"], service)
            for i, (line, service) in given.items()
            if rows[i]["external_id"] not in inserted or first[rows[i]["external_id"]] != i
        ]
        if pending:
            updated, refused = servicetimes.apply_updates(session, pending, now)
            report.updated += updated
            report.errors += [RowError(line, bad.key, clean_value(bad.params)) for line, bad in refused]
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
    whole_rows: bool = False,
) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """Yield ``(line number, record or error)`` from a CSV or JSONL file.
    ``aliases`` maps header cells to fields, ``required`` must be among
    them; error keys start with ``prefix`` (complaints, customers).
    ``whole_rows``: a CSV row with fewer cells than the header is refused
    (``{prefix}.error.too_few``), not read with the missing cells empty."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    yield from read_text_records(
        _decode(path.read_bytes(), prefix),
        fmt,
        aliases=aliases,
        required=required,
        prefix=prefix,
        whole_rows=whole_rows,
    )


def read_text_records(
    text: str,
    fmt: str,
    *,
    aliases: dict[str, str] | None = None,
    required: str = "external_id",
    prefix: str = "complaint",
    whole_rows: bool = False,
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
            if whole_rows and None in row.values():
                # Fewer cells than the header (a line without its commas):
                # reading it would store the whole line as the first column.
                got = sum(value is not None for value in row.values())
                yield reader.line_num, InputError(f"{prefix}.error.too_few", expected=len(reader.fieldnames), got=got)
                continue
            yield reader.line_num, row
    else:
        raise InputError(f"{prefix}.error.format", fmt=fmt or "?")
