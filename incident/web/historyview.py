"""What the incident history reads: incidents of any status matching the
filters (words or an id, kind, severity, status, declared-time range,
region, product), newest first, one page at a time or all of them for an
export. Two queries a page (the rows and their count), on the same WHERE
clause as the CLI's list (incident_queries._conditions) plus the id and scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from incident.errors import IncidentError, InputError
from incident.incident_parse import parse_id
from incident.incident_queries import _conditions
from incident.models import Incident

PER_PAGE = 50
EXPORT_MAX = 50_000  # one export; past it the user is asked to narrow the filters
OPEN, ALL = "open", "all"  # the status filter's two words besides the statuses


class HistoryRow(NamedTuple):
    id: int
    kind: str
    severity: int
    status: str
    title: str
    summary: str | None
    scope_regions: list[str] | None
    scope_products: list[str] | None
    declared_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None

    @property
    def ref(self) -> str:
        return f"INC-{self.id}"


@dataclass(frozen=True)
class Filters:
    """Already checked (historyform parses what the user typed)."""

    q: str = ""
    kinds: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    status: str = OPEN  # OPEN, ALL or one Status value
    since: dt.date | None = None  # declared on or after this local day
    until: dt.date | None = None  # declared on or before this local day
    region: str = ""
    product: str = ""


@dataclass
class HistoryPage:
    rows: list[HistoryRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.timezone.utc)


def _in_scope(session: Session, column: Any, value: str) -> ColumnElement[bool]:
    """One of the JSON array's strings equals ``value`` (case aside). Each
    database has its own way to open a JSON array into rows."""
    if session.get_bind().dialect.name == "postgresql":
        # jsonb_array_elements_text fails on a scalar (a JSON null): such a row has no scope
        array = case((func.jsonb_typeof(column) == "array", column), else_=literal_column("'[]'::jsonb"))
        elements = func.jsonb_array_elements_text(array).table_valued("value")
    else:
        elements = func.json_each(column).table_valued("value")
    return select(1).select_from(elements).where(func.lower(elements.c.value) == value.lower()).exists()


def conditions(session: Session, f: Filters, zone: ZoneInfo) -> list[ColumnElement[bool]]:
    where = _conditions(
        statuses=[f.status] if f.status not in (OPEN, ALL) else None,
        open_only=f.status == OPEN,
        kinds=f.kinds or None,
        severities=f.severities or None,
        since=_midnight(f.since, zone) if f.since else None,
        until=_midnight(f.until + dt.timedelta(days=1), zone) if f.until else None,
    )
    if f.q:
        words = and_(*_conditions(search=f.q))
        try:
            number: int | None = parse_id(f.q)
        except IncidentError:  # not an id: words only
            number = None
        where.append(or_(words, Incident.id == number) if number is not None else words)
    if f.region:
        where.append(_in_scope(session, Incident.scope_regions, f.region))
    if f.product:
        where.append(_in_scope(session, Incident.scope_products, f.product))
    return where


def _rows(session: Session, where: list[ColumnElement[bool]]) -> Any:
    return (
        select(*(getattr(Incident, name) for name in HistoryRow._fields))
        .where(*where)
        .order_by(Incident.declared_at.desc(), Incident.id.desc())
    )


def _count(session: Session, where: list[ColumnElement[bool]]) -> int:
    return session.scalar(select(func.count()).select_from(Incident).where(*where)) or 0


def page_of(session: Session, f: Filters, zone: ZoneInfo, page: int = 1) -> HistoryPage:
    where = conditions(session, f, zone)
    q = _rows(session, where).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    rows = [HistoryRow._make(r) for r in session.connection().execute(q)]
    return HistoryPage(rows, _count(session, where), page)


def export(session: Session, f: Filters, zone: ZoneInfo) -> list[HistoryRow]:
    """Every matching incident, or InputError when there are too many for one file."""
    where = conditions(session, f, zone)
    total = _count(session, where)
    if total > EXPORT_MAX:
        raise InputError("web.history.too_many", n=total, max=EXPORT_MAX)
    return [HistoryRow._make(r) for r in session.connection().execute(_rows(session, where))]
