"""The monthly report (001 §4.2, DOMAIN.md §4): response time and
resolution rate of the tickets, satisfaction, the month's incidents and
their times, compensation, callbacks, and each headline figure against
the previous month.

A month is a calendar month in the centre's time zone (its days as the
daily report's, incident/remedy/reports.py ``day_bounds``). Tickets count
in the month they were received; incidents in the month they were
declared; compensation in the month it was issued; callbacks in the
month they were due; callback satisfaction in the month they closed.
A month not yet over is reported as of the clock's now."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.errors import InputError
from incident.models import Callback, Incident
from incident.remedy.reports import _satisfaction as callback_satisfaction
from incident.remedy.reports import day_bounds
from incident.reporting import operations
from incident.reporting import texts as _texts  # noqa: F401  (monthly.* texts)
from incident.reporting.service_times import service_times

_MONTH = re.compile(r"\s*(\d{4})-(\d{1,2})\s*", re.ASCII)

# The headline figures compared with the previous month: (name, how to
# read it from a report). A share's change is in points (0.05 = 5 points).
HEADLINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("complaints_received", ("tickets", "overall", "received")),
    ("first_response_within_share", ("tickets", "overall", "first_response", "within_share")),
    ("first_response_median_s", ("tickets", "overall", "first_response", "median_s")),
    ("resolution_rate", ("tickets", "overall", "resolution", "rate")),
    ("resolution_within_share", ("tickets", "overall", "resolution", "within_share")),
    ("resolution_median_s", ("tickets", "overall", "resolution", "median_s")),
    ("complaint_satisfaction_mean", ("tickets", "overall", "satisfaction", "mean")),
    ("callback_satisfaction_mean", ("callback_satisfaction", "mean")),
    ("incidents_declared", ("incidents", "overall", "count")),
    ("incident_resolve_median_s", ("incidents", "overall", "resolve", "median_s")),
    ("compensation_issued_yuan", ("compensation", "money_issued")),
    ("compensation_issued_count", ("compensation", "count")),
    ("callbacks_done", ("callbacks", "done")),
    ("callbacks_overdue", ("callbacks", "overdue")),
)


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-11" → (2026, 11); InputError naming the value otherwise."""
    m = _MONTH.fullmatch(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        raise InputError("monthly.error.bad_month", value=(text or "")[:40])
    return int(m.group(1)), int(m.group(2))


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def last_complete_month(ctx: Context) -> tuple[int, int]:
    """The month before the one the clock is in (the centre's calendar)."""
    today = ctx.clock.now().astimezone(ctx.config.zone).date()
    return previous_month(today.year, today.month)


def month_bounds(ctx: Context, year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month in UTC, for the centre's time zone."""
    start = day_bounds(ctx, dt.date(year, month, 1))[0]
    end = day_bounds(ctx, dt.date(*_next_month(year, month), 1))[0]
    return start, end


def _figures(session: Session, ctx: Context, year: int, month: int) -> dict[str, Any]:
    start, end = month_bounds(ctx, year, month)
    now = ctx.clock.now()
    resolved = and_(Incident.resolved_at >= start, Incident.resolved_at < end)
    return {
        "month": f"{year:04d}-{month:02d}",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "complete": end <= now,
        "tickets": service_times(session, ctx, start, end),
        "incidents": {
            **operations.incidents(session, start, end),
            "resolved_in_month": session.scalar(select(func.count()).select_from(Incident).where(resolved)) or 0,
        },
        "compensation": operations.compensation(session, start, end),
        "callbacks": operations.callbacks(session, start, end, now),
        "callback_satisfaction": callback_satisfaction(session, Callback.closed_at >= start, Callback.closed_at < end),
    }


def _pick(report: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = report
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _change(now: Any, before: Any) -> Any:
    if now is None or before is None:
        return None
    if isinstance(now, Decimal) or isinstance(before, Decimal):
        return Decimal(now) - Decimal(before)
    diff = now - before
    return round(diff, 4) if isinstance(diff, float) else diff


def trends(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, path in HEADLINES:
        value, before = _pick(current, path), _pick(previous, path)
        out[name] = {"value": value, "previous": before, "change": _change(value, before)}
    return out


def monthly_report(session: Session, ctx: Context, month: tuple[int, int] | str) -> dict[str, Any]:
    """The report of ``month`` ((year, month) or "YYYY-MM"), with the
    previous month's headline figures beside its own."""
    year, mon = parse_month(month) if isinstance(month, str) else month
    if not 1 <= mon <= 12:
        raise InputError("monthly.error.bad_month", value=f"{year}-{mon}")
    report = _figures(session, ctx, year, mon)
    before = _figures(session, ctx, *previous_month(year, mon))
    report["previous_month"] = before["month"]
    report["trends"] = trends(report, before)
    report["generated_at"] = ctx.clock.now().isoformat()
    return report
