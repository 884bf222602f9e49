"""Affected customers of an incident: from a file (CSV or JSONL), from the
complaints that match the incident's scope and time window, or one at a
time. A customer appears once per incident (the database decides); bad
rows are reported by line number and the good ones kept. Contacts are
masked to their last four digits on intake (DOMAIN.md §6), and phone or
ID numbers inside a name or a category too; a dialable number is kept
apart for the callbacks alone (incident/remedy/contact.py); identifiers (the customer,
order and waybill numbers) are not personal data and are kept exactly,
or the row is refused when one holds a control character. Every other
text is cleaned on the way in (incident/textin.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import normalise_lang
from incident.context import Context
from incident.db import insert_for
from incident.enums import EventType
from incident.errors import InputError
from incident.incidents import get as get_incident
from incident.incidents import record_event
from incident.models import AffectedCustomer, Complaint, Incident, Signal
from incident.money import MoneyError, to_money
from incident.remedy import callbacks, contact
from incident.remedy import texts as _texts  # noqa: F401
from incident.remedy.callbacks import SweepReport
from incident.textin import clean, clean_id, clean_text, clean_value
from incident.watch.complaints import RowError, mask_contact, mask_text, read_records, read_text_records
from incident.wording.personalise import title_key

_FIELDS = {
    "customer_ref": ("customer_ref", "customer", "customer_id", "客户编号", "客户"),
    "name": ("name", "customer_name", "姓名", "客户姓名"),
    "title": ("title", "gender", "称谓", "性别"),
    "contact": ("contact", "phone", "mobile", "联系方式", "电话", "手机"),
    "lang": ("lang", "language", "语言"),
    "order_ref": ("order_ref", "order", "waybill", "waybill_no", "运单号", "订单号", "单号"),
    "amount_at_stake": ("amount_at_stake", "amount", "order_value", "涉及金额", "金额", "订单金额"),
    "insured": ("insured", "insurance", "保险", "是否保险"),
    "declared_value": ("declared_value", "保价", "保价金额"),
    "category": ("category", "类别", "问题类别"),
    "branch": ("branch", "网点"),
    "complex": ("complex", "复杂"),
    "complained_at": ("complained_at", "complaint_time", "投诉时间"),
}
ALIASES = {alias.lower(): name for name, aliases in _FIELDS.items() for alias in aliases}
_LIMITS = {"customer_ref": 100, "name": 100, "order_ref": 100, "category": 100, "branch": 100}
_INSURED = {
    "goods": "goods",
    "货物": "goods",
    "物品": "goods",
    "yes": "goods",
    "y": "goods",
    "true": "goods",
    "是": "goods",
    "1": "goods",
    "documents": "documents",
    "document": "documents",
    "文件": "documents",
    "no": None,
    "n": None,
    "false": None,
    "否": None,
    "0": None,
    "none": None,
    "": None,
    "无": None,
}
_TRUE = {"1", "true", "yes", "y", "是", "复杂"}
# The database's limit on bound parameters is far; this keeps memory flat.
CHUNK = 5000


@dataclass
class ImportReport:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)


def _number(value: Any, name: str) -> Decimal | None:
    """An amount from a file or a form ("1,280.5元", 80, "¥99") as an exact
    Decimal, rounded half up to the cent (a spreadsheet's 12.345 → 12.35)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = to_money(value if isinstance(value, (int, float)) else clean(str(value)))
    except (MoneyError, ArithmeticError):  # 1e400 overflows the quantize: not an amount either
        raise InputError("customer.error.number", field=name, value=str(value)[:40]) from None
    if number < 0:
        raise InputError("customer.error.number", field=name, value=str(value)[:40])
    return number


def normalise(raw: dict[str, Any], default_lang: str, tz: Any, now: dt.datetime) -> dict[str, Any]:
    """One input record → the row to store; InputError names the problem.
    ``now`` is the context clock's (times a day past it are refused)."""
    rec: dict[str, Any] = {}
    for key, value in raw.items():
        name = ALIASES.get(str(key).strip().lower())
        if name is not None and name not in rec:
            rec[name] = value
    # Identifiers exactly as given (10000001 and 20000001 are two customers).
    ref = clean_id("customer_ref", rec.get("customer_ref"))
    if not ref:
        raise InputError("customer.error.missing", field="customer_ref")
    if len(ref.split()) >= 3:
        # "bad line without commas" under a one-column header is a sentence,
        # not a customer; a number written in groups ("C 001") still passes.
        raise InputError("customer.error.ref_shape", field="customer_ref", value=ref[:40])
    out: dict[str, Any] = {"customer_ref": ref, "order_ref": clean_id("order_ref", rec.get("order_ref")) or None}
    for name in ("name", "category", "branch"):
        value = _text(name, rec.get(name))
        if len(value) > _LIMITS[name]:
            raise InputError("customer.error.too_long", field=name, max=_LIMITS[name])
        out[name] = mask_text(value) or None  # free text: a phone number typed into it is masked
    for name in ("customer_ref", "order_ref"):
        if len(out[name] or "") > _LIMITS[name]:
            raise InputError("customer.error.too_long", field=name, max=_LIMITS[name])
    title = _text("title", rec.get("title"))
    out["title"] = title_key(title) if title else None
    contact = _text("contact", rec.get("contact"))
    if contact and "@" not in contact and not any(ch.isdigit() for ch in contact):
        # neither a number to call nor an address to write to: a column slip
        raise InputError("customer.error.contact", field="contact", value=contact[:40])
    out["contact"] = mask_contact(contact) if contact else None
    lang = _text("lang", rec.get("lang"))
    try:
        out["lang"] = normalise_lang(lang) if lang else default_lang
    except ValueError:
        raise InputError("customer.error.lang", value=lang[:20]) from None
    out["amount_at_stake"] = _number(rec.get("amount_at_stake"), "amount_at_stake")
    out["declared_value"] = _number(rec.get("declared_value"), "declared_value")
    insured = _text("insured", rec.get("insured")).lower()
    if insured not in _INSURED:
        raise InputError("customer.error.insured", value=insured[:20])
    out["insured"] = _INSURED[insured]
    out["complex"] = _text("complex", rec.get("complex")).lower() in _TRUE
    out["complained_at"] = _in_range(_time(rec.get("complained_at"), tz), tz, now)
    return out


def _text(name: str, value: Any) -> str:
    """A free-text cell, cleaned (incident/textin.py) and trimmed; "" for
    none; an object or an array is refused by ``name``, not stored as its
    Python repr."""
    return clean_text(name, value)


def _time(value: Any, tz: Any) -> dt.datetime | None:
    """An ISO 8601 time (naive = the centre's zone) in UTC. Anything else —
    1e20, NaN, a time that leaves the calendar in UTC — is refused."""
    text = _text("complained_at", value)
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise InputError("customer.error.time", value=text[:40]) from None


# A complaint before 2000 is a broken export (an epoch 0, a 1900 default);
# one more than a day ahead of the clock is a typo (9999-12-31), and would
# sort first in every list of the newest. The day allows for a sender whose
# clock is off and for a time zone got wrong.
_EARLIEST = (2000, 1, 1)
_AHEAD = dt.timedelta(days=1)


def _in_range(when: dt.datetime | None, tz: Any, now: dt.datetime) -> dt.datetime | None:
    """``when`` when it lies between 2000-01-01 (the centre's zone) and a
    day after ``now`` (the context clock's), else InputError by name."""
    if when is None:
        return None
    earliest = dt.datetime(*_EARLIEST, tzinfo=tz)
    if when < earliest:
        first = earliest.date().isoformat()
        raise InputError("customer.error.too_old", field="complained_at", value=when.isoformat(), earliest=first)
    if when > now + _AHEAD:
        raise InputError("customer.error.future", field="complained_at", value=when.isoformat())
    return when


def _store(session: Session, rows: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Insert, skipping customers the incident already has; (id, customer_ref) of those added."""
    if not rows:
        return []
    table = AffectedCustomer.__table__
    stmt = (
        insert_for(session, table)
        .on_conflict_do_nothing(index_elements=["incident_id", "customer_ref"])
        .returning(table.c.id, table.c.customer_ref)
    )
    return [(cid, ref) for cid, ref in session.connection().execute(stmt, rows)]


def _as_typed(raw: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with the column named as the record's own header or key
    spells it ("amount", "涉及金额"), not as the field it was read into
    ("amount_at_stake"): the person who wrote the list knows that name."""
    name = params.get("field")
    for key in raw:
        if name is not None and ALIASES.get(str(key).strip().lower()) == name:
            return {**params, "field": str(key).strip()}
    return params


def _raw_contact(raw: dict[str, Any]) -> str | None:
    """The contact as the record gave it (before masking), cleaned."""
    for key, value in raw.items():
        if ALIASES.get(str(key).strip().lower()) == "contact":
            return clean(str(value)) if value is not None else None
    return None


def _open_incident(session: Session, incident_id: int) -> Incident:
    incident = get_incident(session, incident_id)
    if incident.status == "closed":
        raise InputError("customer.error.incident_closed", ref=incident.ref)
    return incident


def ingest(
    session: Session,
    ctx: Context,
    incident_id: int,
    records: Iterable[tuple[int, dict[str, Any] | Exception]],
    source: str = "import",
    report: ImportReport | None = None,
) -> ImportReport:
    """Validate and store ``(line, record)`` pairs (a record may be an
    exception: an unreadable line). Call it chunk by chunk for progress."""
    incident = _open_incident(session, incident_id)
    report = report or ImportReport()
    now, lang, tz = ctx.clock.now(), ctx.config.centre.language, ctx.config.zone
    rows: list[dict[str, Any]] = []
    numbers: dict[str, str] = {}  # customer_ref → the number dialled for its callbacks
    seen: set[str] = set()
    for line, raw in records:
        report.read += 1
        if isinstance(raw, Exception):
            report.errors.append(
                RowError(
                    line,
                    getattr(raw, "key", "customer.error.unreadable"),
                    getattr(raw, "params", {"reason": str(raw)[:200]}),
                )
            )
            continue
        if not isinstance(raw, dict):
            report.errors.append(RowError(line, "customer.error.not_object", {}))
            continue
        try:
            row = normalise(raw, lang, tz, now)
        except InputError as bad:
            # cleaned: the message goes back as JSON, to a page or a terminal
            report.errors.append(RowError(line, bad.key, clean_value(_as_typed(raw, bad.params))))
            continue
        if row["customer_ref"] in seen:
            report.duplicates += 1
            continue
        seen.add(row["customer_ref"])
        number = contact.dialable(_raw_contact(raw))
        if number:
            numbers[row["customer_ref"]] = number
        row.update(incident_id=incident.id, source=source, added_by=ctx.actor, added_at=now, complaint_id=None)
        rows.append(row)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        added = _store(session, chunk)
        report.added += len(added)
        report.duplicates += len(chunk) - len(added)
        report.added_ids.extend(cid for cid, _ref in added)
        contact.keep_phones(session, ctx, {cid: numbers[ref] for cid, ref in added if ref in numbers})
    return report


def finish_import(session: Session, ctx: Context, incident_id: int, report: ImportReport, source: str) -> None:
    """One timeline event for a whole import (not one per customer)."""
    if report.added:
        incident = get_incident(session, incident_id)
        record_event(
            session,
            ctx,
            incident,
            EventType.CUSTOMERS_ADDED,
            added=report.added,
            duplicates=report.duplicates,
            errors=len(report.errors),
            source=source,
        )


def schedule_callbacks(session: Session, ctx: Context, incident_id: int, report: ImportReport) -> SweepReport:
    """The callbacks owed after an import (a file, a pasted list, the API),
    scheduled and assigned. Owed to the customers it found already stored
    as well as to those it added: an import killed after storing its
    customers and before scheduling their calls is made whole by running
    it again (every row then a duplicate). Creation is keyed, so nobody
    gets a call twice however often it runs."""
    if not (report.added or report.duplicates):
        return SweepReport()
    sweep = callbacks.schedule(session, ctx, get_incident(session, incident_id))
    callbacks.assign(session, ctx, report=sweep)
    return sweep


def add_one(session: Session, ctx: Context, incident_id: int, record: dict[str, Any]) -> AffectedCustomer:
    report = ingest(session, ctx, incident_id, [(1, record)], source="manual")
    if report.errors:
        e = report.errors[0]
        raise InputError(e.key, **e.params)
    if not report.added_ids:
        raise InputError("customer.error.duplicate", ref=str(record.get("customer_ref")), incident=f"INC-{incident_id}")
    finish_import(session, ctx, incident_id, report, "manual")
    found = session.get(AffectedCustomer, report.added_ids[0])
    assert found is not None
    return found


def link_complaints(session: Session, ctx: Context, incident_id: int, before_hours: float = 2.0) -> ImportReport:
    """Customers of the complaints that match the incident: received from
    ``before_hours`` before it started until it was resolved (or now), from
    its scope (branches, channels, products — when set), and, when its
    signals came from category or topic series, about those."""
    incident = _open_incident(session, incident_id)
    start = (incident.started_at or incident.detected_at or incident.declared_at) - dt.timedelta(hours=before_hours)
    end = incident.resolved_at or ctx.clock.now()
    q = select(Complaint).where(
        Complaint.customer_ref.is_not(None), Complaint.received_at >= start, Complaint.received_at <= end
    )
    if incident.scope_regions:
        q = q.where(Complaint.branch.in_(incident.scope_regions))
    if incident.scope_channels:
        q = q.where(Complaint.channel.in_(incident.scope_channels))
    if incident.scope_products:
        q = q.where(Complaint.product.in_(incident.scope_products))
    categories, topics = set(), set()
    for key in session.scalars(select(Signal.series_key).where(Signal.incident_id == incident.id)):
        dim, _, value = key.partition("/")[2].partition("=")
        if dim == "category" and value:
            categories.add(value)
        elif dim == "topic" and value:
            topics.add(value)
    if categories and not topics:
        q = q.where(Complaint.category.in_(categories))
    records: list[tuple[int, dict[str, Any]]] = []
    by_ref: dict[str, Complaint] = {}
    for c in session.scalars(q.order_by(Complaint.received_at)):
        if (categories or topics) and c.category not in categories and not topics.intersection(c.topics or []):
            continue
        assert c.customer_ref is not None  # the query keeps only complaints with one
        if c.customer_ref in by_ref:
            continue
        by_ref[c.customer_ref] = c
        records.append(
            (
                c.id,
                {
                    "customer_ref": c.customer_ref,
                    "name": c.customer_name,
                    "category": c.category,
                    "branch": c.branch,
                    "complained_at": c.received_at.isoformat(),
                },
            )
        )
    report = ingest(session, ctx, incident.id, records, source="complaint")
    if report.added_ids:
        # Contacts were masked when the complaint came in; keep them as they are.
        for cust in session.scalars(select(AffectedCustomer).where(AffectedCustomer.id.in_(report.added_ids))):
            c = by_ref[cust.customer_ref]
            cust.contact, cust.complaint_id = c.contact, c.id
    finish_import(session, ctx, incident.id, report, "complaint")
    return report


def count(session: Session, incident_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(AffectedCustomer).where(AffectedCustomer.incident_id == incident_id)
        )
        or 0
    )


def list_customers(
    session: Session, incident_id: int, limit: int | None = 200, offset: int = 0
) -> list[AffectedCustomer]:
    q = (
        select(AffectedCustomer)
        .where(AffectedCustomer.incident_id == incident_id)
        .order_by(AffectedCustomer.id)
        .offset(offset)
    )
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def find(session: Session, incident_id: int, ref: str) -> AffectedCustomer:
    found = session.scalar(
        select(AffectedCustomer).where(
            AffectedCustomer.incident_id == incident_id, AffectedCustomer.customer_ref == ref.strip()
        )
    )
    if found is None:
        raise InputError("customer.error.unknown", ref=ref, incident=f"INC-{incident_id}")
    return found


def read_file(path: Any, fmt: str | None = None) -> Iterable[tuple[int, dict[str, Any] | Exception]]:
    """``(line, record or error)`` from a CSV or JSONL file (UTF-8 or GBK,
    English or Chinese headers)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("customer.error.no_file", path=str(path))
    return read_records(path, fmt, aliases=ALIASES, required="customer_ref", prefix="customer", whole_rows=True)


def read_text(text: str, fmt: str = "csv") -> Iterable[tuple[int, dict[str, Any] | Exception]]:
    """:func:`read_file` for pasted text (the web page's customer list)."""
    return read_text_records(text, fmt, aliases=ALIASES, required="customer_ref", prefix="customer", whole_rows=True)
