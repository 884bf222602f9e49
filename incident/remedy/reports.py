"""Reports: per incident (affected, compensated and how much, callbacks
done / overdue, satisfaction), and the daily report of 003 §2.4 (problem
types, handling rate, satisfaction) written as Markdown and HTML.

Complaint categories come from the ticket system, so both renderings treat
every value as untrusted: the HTML is autoescaped and then sanitised, and
in the Markdown every value is escaped for Markdown (below), so a category
cannot become a tag, a link or a heading."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident import sanitise
from incident.context import Context
from incident.i18n import label, t
from incident.incidents import get as get_incident
from incident.models import AffectedCustomer, Callback, Complaint, Incident
from incident.remedy import ledger
from incident.remedy import texts as _texts  # noqa: F401
from incident.remedy.callbacks import OPEN
from incident.wording import public
from incident.wording.templates import TEMPLATES_DIR

CLOSED = ("done", "unreached")


def _satisfaction(session: Session, *where: Any) -> dict[str, Any]:
    rows = dict(
        session.execute(
            select(Callback.satisfaction, func.count())
            .where(Callback.satisfaction.is_not(None), *where)
            .group_by(Callback.satisfaction)
        )
        .tuples()
        .all()
    )
    dist = {str(k): int(rows.get(k, 0)) for k in range(1, 6)}
    n = sum(dist.values())
    mean = round(sum(int(k) * v for k, v in dist.items()) / n, 2) if n else None
    return {
        "distribution": dist,
        "answers": n,
        "mean": mean,
        "satisfied_share": round((dist["4"] + dist["5"]) / n, 3) if n else None,
    }


def incident_report(session: Session, ctx: Context, incident_id: int) -> dict[str, Any]:
    incident = get_incident(session, incident_id)
    now = ctx.clock.now()
    by_source = dict(
        session.execute(
            select(AffectedCustomer.source, func.count())
            .where(AffectedCustomer.incident_id == incident.id)
            .group_by(AffectedCustomer.source)
        )
        .tuples()
        .all()
    )
    by_status = dict(
        session.execute(
            select(Callback.status, func.count()).where(Callback.incident_id == incident.id).group_by(Callback.status)
        )
        .tuples()
        .all()
    )
    overdue = (
        session.scalar(
            select(func.count())
            .select_from(Callback)
            .where(Callback.incident_id == incident.id, Callback.status == OPEN, Callback.due_at < now)
        )
        or 0
    )
    return {
        "incident": {
            "id": incident.id,
            "ref": incident.ref,
            "title": incident.title,
            "kind": incident.kind,
            "severity": incident.severity,
            "status": incident.status,
        },
        "affected": sum(by_source.values()),
        "affected_by_source": by_source,
        "compensation": ledger.totals(session, incident.id),
        "callbacks": {
            "by_status": by_status,
            "total": sum(by_status.values()),
            "done": by_status.get("done", 0),
            "open": by_status.get("open", 0),
            "overdue": overdue,
            "unreached": by_status.get("unreached", 0),
        },
        "satisfaction": _satisfaction(session, Callback.incident_id == incident.id),
    }


def day_bounds(ctx: Context, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ctx.config.zone
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    return start.astimezone(dt.timezone.utc), (start + dt.timedelta(days=1)).astimezone(dt.timezone.utc)


def daily_report(session: Session, ctx: Context, day: dt.date) -> dict[str, Any]:
    """003 §2.4: the day's problem types, handling rate and satisfaction
    (the centre's calendar day)."""
    start, end = day_bounds(ctx, day)
    now = ctx.clock.now()
    cutoff = min(end, now)
    in_day = (Complaint.received_at >= start, Complaint.received_at < end)
    types = dict(
        session.execute(select(Complaint.request_type, func.count()).where(*in_day).group_by(Complaint.request_type))
        .tuples()
        .all()
    )
    # Grouped by the column itself: PostgreSQL will not match two bound
    # coalesce() expressions as the same grouping key.
    categories = [
        (c or "—", n)
        for c, n in session.execute(
            select(Complaint.category, func.count())
            .where(*in_day)
            .group_by(Complaint.category)
            .order_by(func.count().desc(), Complaint.category)
            .limit(10)
        ).all()
    ]
    due_rows = (Callback.due_at >= start, Callback.due_at < end, Callback.status != "cancelled")
    due_total = session.scalar(select(func.count()).select_from(Callback).where(*due_rows)) or 0
    handled_in_time = (
        session.scalar(
            select(func.count())
            .select_from(Callback)
            .where(*due_rows, Callback.status.in_(CLOSED), Callback.closed_at <= Callback.due_at)
        )
        or 0
    )
    handled = (
        session.scalar(
            select(func.count())
            .select_from(Callback)
            .where(*due_rows, Callback.status.in_(CLOSED), Callback.closed_at < cutoff)
        )
        or 0
    )
    closed_today = (Callback.closed_at >= start, Callback.closed_at < end)
    incidents_opened = (
        session.scalar(
            select(func.count()).select_from(Incident).where(Incident.declared_at >= start, Incident.declared_at < end)
        )
        or 0
    )
    incidents_resolved = (
        session.scalar(
            select(func.count()).select_from(Incident).where(Incident.resolved_at >= start, Incident.resolved_at < end)
        )
        or 0
    )
    return {
        "day": day.isoformat(),
        "complaints": {"total": sum(types.values()), "by_type": types, "top_categories": categories},
        "callbacks": {
            "due": due_total,
            "handled": handled,
            "handled_in_time": handled_in_time,
            "handling_rate": round(handled / due_total, 3) if due_total else None,
            "on_time_rate": round(handled_in_time / due_total, 3) if due_total else None,
            "overdue_open": session.scalar(
                select(func.count()).select_from(Callback).where(Callback.status == OPEN, Callback.due_at < cutoff)
            )
            or 0,
        },
        "satisfaction": _satisfaction(session, *closed_today),
        "incidents": {"opened": incidents_opened, "resolved": incidents_resolved},
    }


def report_env(*, markdown: bool) -> Environment:
    """HTML: autoescaped. Markdown: every printed value goes through
    ``md_escape`` (HTML entities would be the wrong escape there)."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=StrictUndefined,
        autoescape=not markdown,
        finalize=md_escape if markdown else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# Characters that start Markdown syntax anywhere in a line (CommonMark and
# GitHub's tables and strikethrough): emphasis, code, links and images,
# raw HTML and autolinks, entities, table cells. A backslash makes each a
# literal; CommonMark allows that before any ASCII punctuation.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~#!])")
# … and those that only matter at the start of a line (headings, quotes,
# list items, setext underlines).
_MD_LINE_START = re.compile(r"^(\d*)([-+=.)])(?=[\s=-]|$)")
_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def md_escape(value: Any) -> Any:
    """A value as literal Markdown text on one line; numbers pass as they are."""
    if not isinstance(value, str):
        return value
    one_line = _CONTROL.sub("", _BREAKS.sub(" ", value)).strip()
    return _MD_LINE_START.sub(r"\1\\\2", _MD_INLINE.sub(r"\\\1", one_line))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def render_daily(report: dict[str, Any], lang: str, centre: str) -> tuple[str, str]:
    """(Markdown, HTML) in ``lang``."""
    labels = {k.removeprefix("report."): t(k, lang) for k in _texts.REPORT_KEYS}
    types = [
        (label("request_type", k, lang), n)
        for k, n in sorted(report["complaints"]["by_type"].items(), key=lambda p: -p[1])
    ]
    ctx = {
        "r": report,
        "L": labels,
        "centre": centre,
        "types": types,
        "pct": _pct,
        "lang": lang,
        "title": t("report.daily_title", lang, day=report["day"], centre=centre),
    }
    md = report_env(markdown=True).get_template("reports/daily.md.j2").render(ctx)
    html = report_env(markdown=False).get_template("reports/daily.html.j2").render(ctx)
    # The template is a trusted file, so its stylesheet stays.
    return md, sanitise.document(html, sanitise.REPORT_TAGS, keep_style=True)


def write_daily(
    session: Session, ctx: Context, day: dt.date, directory: Path, lang: str | None = None
) -> tuple[dict[str, Any], Path, Path]:
    report = daily_report(session, ctx, day)
    lang = lang or ctx.config.centre.language
    md, html = render_daily(report, lang, public.centre_name(ctx.config, lang))
    directory.mkdir(parents=True, exist_ok=True)
    md_path, html_path = directory / f"daily-{day.isoformat()}.md", directory / f"daily-{day.isoformat()}.html"
    for path, body in ((md_path, md), (html_path, html)):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)  # readers never see half a report
    return report, md_path, html_path
