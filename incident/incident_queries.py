"""Reading incidents: one with its timeline and group, and the filtered,
paged lists the board, the history page, the API and ``incident list`` show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from incident.enums import OPEN_STATUSES, Kind, Severity, Status
from incident.errors import InputError, NotFoundError
from incident.incident_parse import parse_kind, parse_severity, parse_status
from incident.models import Incident


def get(session: Session, incident_id: int) -> Incident:
    incident = session.scalars(
        select(Incident)
        .where(Incident.id == incident_id)
        .options(selectinload(Incident.events), selectinload(Incident.assignments))
    ).one_or_none()
    if incident is None:
        raise NotFoundError("error.no_incident", id=incident_id)
    return incident


class IncidentRow(NamedTuple):
    """What a list shows: plain columns only, no JSON, no timeline, no group.
    A NamedTuple because building ten thousand of them must be cheap."""

    id: int
    kind: str
    severity: int
    status: str
    title: str
    declared_at: dt.datetime
    resolved_at: dt.datetime | None
    dedup_key: str | None

    @property
    def ref(self) -> str:
        return f"INC-{self.id}"


def _conditions(
    *,
    statuses: Iterable[Status | str] | None = None,
    kinds: Iterable[Kind | str] | None = None,
    severities: Iterable[Severity | int | str] | None = None,
    open_only: bool = False,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    search: str | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE clause shared by :func:`list_incidents` and :func:`count_incidents`."""
    where: list[ColumnElement[bool]] = []
    status_values = {parse_status(s).value for s in statuses or ()}
    if open_only:
        open_values = {s.value for s in OPEN_STATUSES}
        status_values = (status_values & open_values) if status_values else open_values
        if not status_values:  # e.g. open_only with --status closed: nothing can match
            return [false()]
    if status_values:
        where.append(Incident.status.in_(sorted(status_values)))
    if kinds:
        where.append(Incident.kind.in_(sorted({parse_kind(k).value for k in kinds})))
    if severities:
        where.append(Incident.severity.in_(sorted({parse_severity(s).value for s in severities})))
    if since is not None:
        where.append(Incident.declared_at >= since)
    if until is not None:
        where.append(Incident.declared_at < until)
    if search:
        # % and _ typed by the user are text, not LIKE wildcards
        term = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{term}%"
        where.append(
            or_(
                func.lower(Incident.title).like(pattern, escape="\\"),
                func.lower(Incident.summary).like(pattern, escape="\\"),
            )
        )
    return where


def list_incidents(session: Session, *, limit: int | None = None, **filters: Any) -> list[IncidentRow]:
    """Newest first. ``filters`` are those of :func:`_conditions`."""
    q = select(*(getattr(Incident, name) for name in IncidentRow._fields)).where(*_conditions(**filters))
    q = q.order_by(Incident.declared_at.desc(), Incident.id.desc())
    if limit is not None:
        if limit < 1:
            raise InputError("error.bad_limit", value=limit)
        q = q.limit(limit)
    # Core execution: the ORM result machinery costs more than the query here.
    return [IncidentRow._make(row) for row in session.connection().execute(q)]


def count_incidents(session: Session, **filters: Any) -> int:
    return session.scalar(select(func.count()).select_from(Incident).where(*_conditions(**filters))) or 0
