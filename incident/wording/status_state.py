"""What the public status page says, worked out from published
status-page statements only (never a draft, never the internal status).

The rules, in one place:

* An incident is on the page once it has a published (or superseded)
  statement on the ``status_page`` channel. Its badge is the kind of its
  LATEST such statement: holding → investigating, update → update,
  resolution → resolved. Resolving the incident internally changes
  nothing here until a resolution statement is published; a resolution
  statement says "resolved" even if the incident is still open inside.
* Its public heading is the fact sheet's public title when the sheet has
  one (``factsheet.public_title``), else the approved sheet's "what" — never
  the internal incident title, which may be a detector's wording.
* Impact while not resolved follows its severity: SEV1 major outage,
  SEV2 partial outage, SEV3–4 degraded.
* Components (``[[status.components]]``): an incident affects a component
  when one of its scope channels or products is in the component's
  ``match`` list (case-insensitive). A component's state is the worst
  impact of the unresolved incidents affecting it, else "maintenance"
  while a configured maintenance window naming it is in progress, else
  operational. The banner is the worst of every unresolved incident's
  impact (mapped to a component or not), else maintenance, else operational.
* History: an incident is listed on each local day from its first
  statement to its resolution statement (or today), within the last
  ``history_days`` days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from incident import sanitise
from incident.config import AppConfig, StatusMaintenance
from incident.models import FactSheet, Incident, Statement
from incident.timeutil import local
from incident.wording import factsheet

LEVELS = ("operational", "maintenance", "degraded", "partial_outage", "major_outage")  # worst last
SHOWN = ("published", "superseded")
STATE = {"holding": "holding", "update": "update", "resolution": "resolution"}


@dataclass
class Update:
    number: int
    kind: str
    published_at: dt.datetime
    rendered: Mapping[str, Any]  # {lang: {channel: {...}}}
    next_update_due_at: dt.datetime | None
    current: bool  # still the published one (not superseded)

    def html(self, lang: str) -> Markup:
        # Markup, not str: the page template autoescapes, and the sanitiser's output is the markup to show.
        return sanitise.fragment(self.rendered.get(lang, {}).get("status_page", {}).get("html", ""))

    def text(self, lang: str) -> str:
        return str(self.rendered.get(lang, {}).get("status_page", {}).get("text", ""))


@dataclass
class PublicIncident:
    id: int
    ref: str
    severity: int
    titles: dict[str, str]
    components: list[str]
    updates: list[Update] = field(default_factory=list)  # newest first

    @property
    def latest(self) -> Update:
        return self.updates[0]

    @property
    def resolved(self) -> bool:
        return self.latest.kind == "resolution"

    @property
    def state(self) -> str:
        return STATE.get(self.latest.kind, "update")

    @property
    def impact(self) -> str:
        if self.resolved:
            return "operational"
        return "major_outage" if self.severity <= 1 else "partial_outage" if self.severity == 2 else "degraded"

    @property
    def first_at(self) -> dt.datetime:
        return self.updates[-1].published_at

    @property
    def resolved_at(self) -> dt.datetime | None:
        return self.latest.published_at if self.resolved else None

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or next((v for v in self.titles.values() if v), "")


def worst(levels: Iterable[str]) -> str:
    return max(levels, key=LEVELS.index, default="operational")


def public_titles(content: Mapping[str, Any]) -> dict[str, str]:
    """The sheet's public title in each language, or its approved "what"."""
    # A sheet approved before public titles existed has none: its "what" is public wording too.
    return {
        lang: factsheet.public_title(content, lang) or str((content.get("what") or {}).get(lang) or "").strip()
        for lang in ("zh-CN", "en")
    }


def load(session: Session, config: AppConfig, now: dt.datetime) -> list[PublicIncident]:
    """Every incident with a status-page statement in the history window,
    or still unresolved on the page whenever it began; newest first."""
    since = now - dt.timedelta(days=config.status.history_days)
    recent = select(Statement.incident_id).where(Statement.status.in_(SHOWN), Statement.published_at >= since)
    still_open = select(Statement.incident_id).where(
        Statement.status == "published", Statement.kind != "resolution", Statement.published_at < since
    )
    rows = session.execute(
        select(Statement, Incident, FactSheet.content)
        .join(Incident, Incident.id == Statement.incident_id)
        .join(FactSheet, FactSheet.id == Statement.fact_sheet_id)
        .where(
            Statement.status.in_(SHOWN),
            Statement.published_at.is_not(None),
            or_(Statement.incident_id.in_(recent), Statement.incident_id.in_(still_open)),
        )
        .order_by(Statement.published_at.desc(), Statement.id.desc())
    ).tuples()
    found: dict[int, PublicIncident] = {}
    for st, incident, content in rows:
        if "status_page" not in st.channels or st.published_at is None:
            continue
        entry = found.get(incident.id)
        if entry is None:  # the newest statement: it names the incident in public
            entry = found[incident.id] = PublicIncident(
                incident.id, incident.ref, incident.severity, public_titles(content), _components(config, incident)
            )
        entry.updates.append(
            Update(st.number, st.kind, st.published_at, st.rendered, st.next_update_due_at, st.status == "published")
        )
    return sorted(found.values(), key=lambda i: i.latest.published_at, reverse=True)


def _components(config: AppConfig, incident: Incident) -> list[str]:
    scope = {v.strip().lower() for v in [*incident.scope_channels, *incident.scope_products]}
    return [c.key for c in config.status.components if scope & {m.strip().lower() for m in c.match}]


def window_bounds(window: StatusMaintenance, config: AppConfig) -> tuple[dt.datetime, dt.datetime]:
    def aware(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=config.zone)

    return aware(window.starts), aware(window.ends)


def maintenance(config: AppConfig, now: dt.datetime) -> tuple[list[StatusMaintenance], list[StatusMaintenance]]:
    """(in progress, upcoming), each by start time; finished ones are dropped."""
    active, upcoming = [], []
    for window in sorted(config.status.maintenance, key=lambda w: window_bounds(w, config)[0]):
        starts, ends = window_bounds(window, config)
        if starts <= now < ends:
            active.append(window)
        elif now < starts:
            upcoming.append(window)
    return active, upcoming


def component_levels(
    config: AppConfig, incidents: list[PublicIncident], in_maintenance: list[StatusMaintenance]
) -> dict[str, str]:
    levels: dict[str, str] = {}
    for component in config.status.components:
        impacts = [i.impact for i in incidents if not i.resolved and component.key in i.components]
        if not impacts and any(component.key in w.components for w in in_maintenance):
            impacts = ["maintenance"]
        levels[component.key] = worst(impacts)
    return levels


def banner(incidents: list[PublicIncident], in_maintenance: list[StatusMaintenance]) -> str:
    level = worst(i.impact for i in incidents if not i.resolved)
    if level == "operational" and in_maintenance:
        return "maintenance"
    return level


def history(
    incidents: list[PublicIncident], config: AppConfig, now: dt.datetime
) -> list[tuple[dt.date, list[PublicIncident]]]:
    """The last ``history_days`` local days, newest first, each with the
    incidents that were on the page that day."""
    today = local(now, config.zone).date()
    days = [today - dt.timedelta(days=n) for n in range(config.status.history_days)]
    by_day: dict[dt.date, list[PublicIncident]] = {d: [] for d in days}
    for incident in incidents:
        first = local(incident.first_at, config.zone).date()
        last = local(incident.resolved_at, config.zone).date() if incident.resolved_at else today
        day = max(first, days[-1])
        while day <= min(last, today):
            by_day[day].append(incident)
            day += dt.timedelta(days=1)
    return [(d, by_day[d]) for d in days]
